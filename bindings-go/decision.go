package warden

// Decision: the typed guard decision. On the hot path (Guard.Check) it is read from the C
// ABI's WardenDecision — one copy of one buffer, the text fields are substrings of it — not
// from JSON.

/*
#include "warden.h"
*/
import "C"

import (
	"encoding/json"
	"unsafe"
)

// Decision is a guard decision (SEMANTICS-engine §9), every field of the core's Decision.
// Optional text fields are "" when absent (JSON null); RetryAfterMs is nil when absent.
type Decision struct {
	CheckID        string
	Allowed        bool
	Code           string // "ALLOW" or an error code
	Reason         string // stable snake_case reason
	Enforced       bool
	Source         string
	AgentID        string
	SessionID      string // "" when the decision has no session
	Tool           string
	Effect         string // "" when none
	RequiredScope  string // "" when none
	MatchedPattern string // "" when none
	RuleID         string // "" when none
	ApprovalID     string // "" when none
	RetryAfterMs   *int64
	DecidedAt      int64 // unix ms
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ToMap is the decision in its wire form: every field by its snake_case name, nil for absent
// optional fields, integers as int64.
func (d *Decision) ToMap() map[string]any {
	var retry any
	if d.RetryAfterMs != nil {
		retry = *d.RetryAfterMs
	}
	return map[string]any{
		"check_id":        d.CheckID,
		"allowed":         d.Allowed,
		"code":            d.Code,
		"reason":          d.Reason,
		"enforced":        d.Enforced,
		"source":          d.Source,
		"agent_id":        d.AgentID,
		"session_id":      nullable(d.SessionID),
		"tool":            d.Tool,
		"effect":          nullable(d.Effect),
		"required_scope":  nullable(d.RequiredScope),
		"matched_pattern": nullable(d.MatchedPattern),
		"rule_id":         nullable(d.RuleID),
		"approval_id":     nullable(d.ApprovalID),
		"retry_after_ms":  retry,
		"decided_at":      d.DecidedAt,
	}
}

// MarshalJSON encodes the wire form (ToMap).
func (d *Decision) MarshalJSON() ([]byte, error) { return json.Marshal(d.ToMap()) }

type wireDecision struct {
	CheckID        string  `json:"check_id"`
	Allowed        bool    `json:"allowed"`
	Code           string  `json:"code"`
	Reason         string  `json:"reason"`
	Enforced       bool    `json:"enforced"`
	Source         string  `json:"source"`
	AgentID        string  `json:"agent_id"`
	SessionID      *string `json:"session_id"`
	Tool           string  `json:"tool"`
	Effect         *string `json:"effect"`
	RequiredScope  *string `json:"required_scope"`
	MatchedPattern *string `json:"matched_pattern"`
	RuleID         *string `json:"rule_id"`
	ApprovalID     *string `json:"approval_id"`
	RetryAfterMs   *int64  `json:"retry_after_ms"`
	DecidedAt      int64   `json:"decided_at"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// UnmarshalJSON decodes the wire form.
func (d *Decision) UnmarshalJSON(b []byte) error {
	var w wireDecision
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = Decision{
		CheckID: w.CheckID, Allowed: w.Allowed, Code: w.Code, Reason: w.Reason, Enforced: w.Enforced,
		Source: w.Source, AgentID: w.AgentID, SessionID: deref(w.SessionID), Tool: w.Tool,
		Effect: deref(w.Effect), RequiredScope: deref(w.RequiredScope), MatchedPattern: deref(w.MatchedPattern),
		RuleID: deref(w.RuleID), ApprovalID: deref(w.ApprovalID), RetryAfterMs: w.RetryAfterMs, DecidedAt: w.DecidedAt,
	}
	return nil
}

// takeDecision converts a WardenDecision filled by the core and frees its storage: one copy
// of the storage buffer, every text field a substring of it.
func takeDecision(c *C.WardenDecision) *Decision {
	n := int(c.storage.len)
	base := unsafe.Pointer(c.storage.ptr)
	text := ""
	if base != nil && n > 0 {
		text = string(unsafe.Slice((*byte)(base), n))
	}
	field := func(v C.WardenStr) string {
		if v.ptr == nil || v.len == 0 {
			return ""
		}
		at := int(uintptr(unsafe.Pointer(v.ptr)) - uintptr(base))
		return text[at : at+int(v.len)]
	}
	d := &Decision{
		CheckID:        field(c.check_id),
		Allowed:        bool(c.allowed),
		Code:           field(c.code),
		Reason:         field(c.reason),
		Enforced:       bool(c.enforced),
		Source:         field(c.source),
		AgentID:        field(c.agent_id),
		SessionID:      field(c.session_id),
		Tool:           field(c.tool),
		Effect:         field(c.effect),
		RequiredScope:  field(c.required_scope),
		MatchedPattern: field(c.matched_pattern),
		RuleID:         field(c.rule_id),
		ApprovalID:     field(c.approval_id),
		DecidedAt:      int64(c.decided_at),
	}
	if bool(c.has_retry_after_ms) {
		v := int64(c.retry_after_ms)
		d.RetryAfterMs = &v
	}
	C.warden_decision_free(c)
	return d
}
