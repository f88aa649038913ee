package warden

// The pure engine functions: effects of tool names (SEMANTICS-engine §1.3, §5), input
// summaries (§12.3) and audit export verification (§14). Covers is in scopes.go.

/*
#include "warden.h"
*/
import "C"

// The effects, totally ordered read < mutating < destructive < admin.
const (
	EffectRead        = "read"
	EffectMutating    = "mutating"
	EffectDestructive = "destructive"
	EffectAdmin       = "admin"
)

// ResolveEffect is resolve_effect(tool, effect=None): the given effect, or the one the core's
// table assigns to the tool name. ResolveEffect("delete_user") or
// ResolveEffect("run", "admin"). VALIDATION_ERROR for an invalid tool name or effect.
func ResolveEffect(tool string, effect ...string) (string, error) {
	var e *C.uint8_t
	var el C.size_t
	switch len(effect) {
	case 0:
	case 1:
		e, el = optStr(&effect[0])
	default:
		return "", &Error{Code: CodeValidationError, Message: "at most one effect"}
	}
	var b C.WardenBytes
	var cerr *C.WardenError
	t, tl := str(tool)
	if !C.warden_resolve_effect(t, tl, e, el, &b, &cerr) {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}

// ToolWords is tool_words(tool): the lower-case words of a tool name.
func ToolWords(tool string) ([]string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	t, tl := str(tool)
	if !C.warden_tool_words(t, tl, &b, &cerr) {
		return nil, takeError(cerr)
	}
	return takeStrings(b)
}

// SummarizeInput is summarize_input(text, log_inputs): what a Guard sends about an input (""
// for empty input, "[N chars]", or the first 200 code points with logInputs). Bytes that are
// not UTF-8 count as U+FFFD. It fails only for input over 16 MiB (VALIDATION_ERROR).
func SummarizeInput(text string, logInputs bool) (string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	t, tl := str(text)
	if !C.warden_summarize_input(t, tl, C.bool(logInputs), &b, &cerr) {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}

// ChainCheck is the result of an audit chain verification.
type ChainCheck struct {
	OK             bool
	Checked        int64
	FirstBrokenSeq *int64 // nil when OK
}

// ToMap is the wire form {ok, checked, first_broken_seq}.
func (c ChainCheck) ToMap() map[string]any {
	var first any
	if c.FirstBrokenSeq != nil {
		first = *c.FirstBrokenSeq
	}
	return map[string]any{"ok": c.OK, "checked": c.Checked, "first_broken_seq": first}
}

// VerifyAuditExport is verify_audit_export(jsonl): recomputes every hash of an export_audit
// text and checks the links and the sequence.
func VerifyAuditExport(jsonl string) (ChainCheck, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	t, tl := str(jsonl)
	if !C.warden_verify_audit_export(t, tl, &b, &cerr) {
		return ChainCheck{}, takeError(cerr)
	}
	m, err := asObject(decodeValue(takeBytes(b)))
	if err != nil {
		return ChainCheck{}, err
	}
	var c ChainCheck
	c.OK, _ = m["ok"].(bool)
	c.Checked, _ = m["checked"].(int64)
	if f, ok := m["first_broken_seq"].(int64); ok {
		c.FirstBrokenSeq = &f
	}
	return c, nil
}
