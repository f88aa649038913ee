package warden

// The engine (SEMANTICS-engine) in-process and the Client over it. Arguments and results cross
// the C ABI as JSON text (see jsonvalue.go); Client.Check and the Guard return a typed
// *Decision.

/*
#include "warden.h"
*/
import "C"

import (
	"context"
	"runtime"
)

// Engine is an in-process Warden engine: agents, tokens, sessions, decisions, approvals,
// delegations and the audit log, with its own signing key and clock. Safe for concurrent use;
// Close it when done (clients built on it keep the engine alive).
type Engine struct {
	ptr     *C.WardenEngine
	cleanup runtime.Cleanup
}

type engineOptions struct {
	config    map[string]any
	hasConfig bool
	manual    bool
	startMs   int64
}

// EngineOption configures NewEngine.
type EngineOption func(*engineOptions)

// WithConfig sets engine configuration overrides (SEMANTICS-engine §17, wire names: "issuer",
// "audience", "approval_ttl_seconds", …, "seed", "env": {"WARDEN_STRICT_MODE": …}). Without
// it the engine takes the defaults, strict mode from the process environment.
func WithConfig(config map[string]any) EngineOption {
	return func(o *engineOptions) { o.config, o.hasConfig = config, true }
}

// WithManualClock runs the engine on a manual clock starting at startMs (unix milliseconds)
// that only Engine.Advance moves (tests, vectors). Without it the engine uses the system clock.
func WithManualClock(startMs int64) EngineOption {
	return func(o *engineOptions) { o.manual, o.startMs = true, startMs }
}

// NewEngine builds an engine: NewEngine(), or
// NewEngine(WithConfig(Args{"seed": 7}), WithManualClock(1767225600000)).
func NewEngine(opts ...EngineOption) (*Engine, error) {
	var o engineOptions
	for _, f := range opts {
		f(&o)
	}
	var cfgPtr *C.uint8_t
	var cfgLen C.size_t
	var cfg []byte
	if o.hasConfig {
		var err error
		if o.config == nil {
			cfg = []byte("{}")
		} else if cfg, err = encodeArgs(o.config); err != nil {
			return nil, err
		}
		cfgPtr, cfgLen = byts(cfg)
	}
	var p *C.WardenEngine
	var cerr *C.WardenError
	if !C.warden_engine_new(cfgPtr, cfgLen, C.bool(o.manual), C.int64_t(o.startMs), &p, &cerr) {
		return nil, takeError(cerr)
	}
	e := &Engine{ptr: p}
	e.cleanup = runtime.AddCleanup(e, func(p *C.WardenEngine) { C.warden_engine_free(p) }, p)
	return e, nil
}

func (e *Engine) handle() *C.WardenEngine {
	if e == nil {
		return nil
	}
	return e.ptr
}

// Close frees the engine handle. Clients built on it keep the engine. Idempotent; do not call
// it concurrently with other methods.
func (e *Engine) Close() error {
	if e != nil && e.ptr != nil {
		e.cleanup.Stop()
		C.warden_engine_free(e.ptr)
		e.ptr = nil
	}
	return nil
}

// Advance moves the manual clock forward by ms milliseconds (VALIDATION_ERROR on the system
// clock).
func (e *Engine) Advance(ms int64) error {
	var cerr *C.WardenError
	ok := C.warden_engine_advance(e.handle(), C.int64_t(ms), &cerr)
	runtime.KeepAlive(e)
	if !ok {
		return takeError(cerr)
	}
	return nil
}

// NowMs is the engine clock now, in unix milliseconds (0 after Close).
func (e *Engine) NowMs() int64 {
	var v C.int64_t
	if !C.warden_engine_now_ms(e.handle(), &v, nil) {
		return 0
	}
	runtime.KeepAlive(e)
	return int64(v)
}

// StrictMode reports whether the engine's configuration has strict mode in force
// (SEMANTICS-engine §13).
func (e *Engine) StrictMode() bool {
	v := bool(C.warden_engine_strict_mode(e.handle()))
	runtime.KeepAlive(e)
	return v
}

// Call runs one engine operation by name (SEMANTICS-engine API names) with wire-named
// arguments (nil for none) and returns the result as native values: objects map[string]any,
// arrays []any, integers int64, null nil.
func (e *Engine) Call(op string, args Args) (any, error) {
	a, err := encodeArgs(args)
	if err != nil {
		return nil, err
	}
	return e.callRaw(op, a)
}

func (e *Engine) callRaw(op string, args []byte) (any, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	o, ol := str(op)
	a, al := byts(args)
	ok := C.warden_engine_call(e.handle(), o, ol, a, al, &b, &cerr)
	runtime.KeepAlive(e)
	if !ok {
		return nil, takeError(cerr)
	}
	return decodeValue(takeBytes(b))
}

// JWKS is the public JWKS (JSON text) of the engine's signing key.
func (e *Engine) JWKS() (string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	ok := C.warden_engine_jwks(e.handle(), &b, &cerr)
	runtime.KeepAlive(e)
	if !ok {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}

// Client is one API over a backend: the engine in-process (NewClient, LocalClient) or a
// gateway (Connect). Safe for concurrent use; Close it when done (guards built on it keep the
// client alive).
type Client struct {
	ptr     *C.WardenClient
	cleanup runtime.Cleanup
}

func newClient(p *C.WardenClient) *Client {
	c := &Client{ptr: p}
	c.cleanup = runtime.AddCleanup(c, func(p *C.WardenClient) { C.warden_client_free(p) }, p)
	return c
}

// LocalClient is Client.local(): a client with its own in-process engine (default
// configuration, system clock).
func LocalClient() (*Client, error) {
	var p *C.WardenClient
	var cerr *C.WardenError
	if !C.warden_client_local(&p, &cerr) {
		return nil, takeError(cerr)
	}
	return newClient(p), nil
}

// NewClient is Client.local(engine): a client sharing an existing engine's state.
func NewClient(engine *Engine) (*Client, error) {
	var p *C.WardenClient
	var cerr *C.WardenError
	ok := C.warden_client_with_engine(engine.handle(), &p, &cerr)
	runtime.KeepAlive(engine)
	if !ok {
		return nil, takeError(cerr)
	}
	return newClient(p), nil
}

func (c *Client) handle() *C.WardenClient {
	if c == nil {
		return nil
	}
	return c.ptr
}

// Close frees the client handle. Guards built on it keep the client. Idempotent; do not call
// it concurrently with other methods.
func (c *Client) Close() error {
	if c != nil && c.ptr != nil {
		c.cleanup.Stop()
		C.warden_client_free(c.ptr)
		c.ptr = nil
	}
	return nil
}

// Call runs one engine operation through the client (see Engine.Call).
func (c *Client) Call(op string, args Args) (any, error) {
	a, err := encodeArgs(args)
	if err != nil {
		return nil, err
	}
	var b C.WardenBytes
	var cerr *C.WardenError
	o, ol := str(op)
	ap, al := byts(a)
	ok := C.warden_client_call(c.handle(), o, ol, ap, al, &b, &cerr)
	runtime.KeepAlive(c)
	if !ok {
		return nil, takeError(cerr)
	}
	return decodeValue(takeBytes(b))
}

// SetFault is a TEST HOOK: every call through this client (and its guards) fails with the
// transport fault name ("network_error", "timeout", "http_500", "http_503", "http_403") until
// ClearFault. An unknown name is VALIDATION_ERROR.
func (c *Client) SetFault(name string) error {
	return c.setFault(&name)
}

// ClearFault is a TEST HOOK: removes the fault set by SetFault.
func (c *Client) ClearFault() error {
	return c.setFault(nil)
}

func (c *Client) setFault(name *string) error {
	var cerr *C.WardenError
	p, l := optStr(name)
	ok := C.warden_client_set_fault(c.handle(), p, l, &cerr)
	runtime.KeepAlive(c)
	if !ok {
		return takeError(cerr)
	}
	return nil
}

// NowMs is the client-side clock in unix milliseconds (0 after Close): the engine's for an
// in-process client; for a gateway client the system clock, or in test mode the gateway's
// manual clock as last reported by test_reset / test_advance.
func (c *Client) NowMs() int64 {
	var v C.int64_t
	if !C.warden_client_now_ms(c.handle(), &v, nil) {
		return 0
	}
	runtime.KeepAlive(c)
	return int64(v)
}

func (c *Client) object(op string, args Args) (map[string]any, error) {
	return asObject(c.Call(op, args))
}

// CreateAgent is create_agent(name, workspace?, framework?, capabilities?, metadata?,
// public_key?, rate?, enforcement?) → the agent.
func (c *Client) CreateAgent(args Args) (map[string]any, error) {
	return c.object("create_agent", args)
}

// GetAgent is get_agent(agent_id) → the agent.
func (c *Client) GetAgent(args Args) (map[string]any, error) { return c.object("get_agent", args) }

// RevokeAgent is revoke_agent(agent_id, reason?) → the agent.
func (c *Client) RevokeAgent(args Args) (map[string]any, error) {
	return c.object("revoke_agent", args)
}

// IssueToken is issue_token(agent_id, scopes?, ttl_seconds?, session_id?, rate?) → the issued
// token record.
func (c *Client) IssueToken(args Args) (map[string]any, error) {
	return c.object("issue_token", args)
}

// IntrospectToken is introspect_token(token, required_scopes?).
func (c *Client) IntrospectToken(args Args) (map[string]any, error) {
	return c.object("introspect_token", args)
}

// RevokeToken is revoke_token(token).
func (c *Client) RevokeToken(args Args) (map[string]any, error) {
	return c.object("revoke_token", args)
}

// InitSession is init_session(agent_id, server_id, mode?, scope_ceiling?, ttl_seconds?) → the
// session.
func (c *Client) InitSession(args Args) (map[string]any, error) {
	return c.object("init_session", args)
}

// Check is check(agent_id, session_id, tool, input_summary?, effect?) → the typed Decision (a
// denial is a decision, not an error).
func (c *Client) Check(args Args) (*Decision, error) {
	a, err := encodeArgs(args)
	if err != nil {
		return nil, err
	}
	var b C.WardenBytes
	var cerr *C.WardenError
	o, ol := str("check")
	ap, al := byts(a)
	ok := C.warden_client_call(c.handle(), o, ol, ap, al, &b, &cerr)
	runtime.KeepAlive(c)
	if !ok {
		return nil, takeError(cerr)
	}
	d := new(Decision)
	if err := d.UnmarshalJSON(takeBytes(b)); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "cannot decode a decision from the core: " + err.Error()}
	}
	return d, nil
}

// Approve is approve(approval_id, decided_by?, note?) → the approval.
func (c *Client) Approve(args Args) (map[string]any, error) { return c.object("approve", args) }

// Deny is deny(approval_id, decided_by?, note?) → the approval.
func (c *Client) Deny(args Args) (map[string]any, error) { return c.object("deny", args) }

// GetApproval is get_approval(approval_id) → the approval.
func (c *Client) GetApproval(args Args) (map[string]any, error) {
	return c.object("get_approval", args)
}

// ListApprovals is list_approvals(status?, workspace?, agent_id?, cursor?, limit?) → a page
// {items, next_cursor}.
func (c *Client) ListApprovals(args Args) (map[string]any, error) {
	return c.object("list_approvals", args)
}

// WaitForDecision is wait_for_decision(approval_id, timeout_seconds?) → the decided approval.
// The native wait runs on its own goroutine (an OS thread while in the core); when ctx ends
// first, WaitForDecision returns ctx.Err() at once and the native wait finishes in the
// background at its own timeout_seconds or at the decision.
func (c *Client) WaitForDecision(ctx context.Context, args Args) (map[string]any, error) {
	a, err := encodeArgs(args)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The wait runs on a second handle that the goroutine owns, so Close on c never frees a
	// handle the native wait still uses.
	var wc *C.WardenClient
	var cerr *C.WardenError
	ok := C.warden_client_clone(c.handle(), &wc, &cerr)
	runtime.KeepAlive(c)
	if !ok {
		return nil, takeError(cerr)
	}
	type result struct {
		v   map[string]any
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer C.warden_client_free(wc)
		var b C.WardenBytes
		var cerr *C.WardenError
		o, ol := str("wait_for_decision")
		ap, al := byts(a)
		if !C.warden_client_call(wc, o, ol, ap, al, &b, &cerr) {
			ch <- result{err: takeError(cerr)}
			return
		}
		v, err := asObject(decodeValue(takeBytes(b)))
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// CreateDelegation is create_delegation(from_agent_id, to_agent_id, scopes, ttl_seconds?,
// restrictions?, parent_delegation_id?) → the delegation.
func (c *Client) CreateDelegation(args Args) (map[string]any, error) {
	return c.object("create_delegation", args)
}

// RevokeDelegation is revoke_delegation(delegation_id, reason?) → the delegation.
func (c *Client) RevokeDelegation(args Args) (map[string]any, error) {
	return c.object("revoke_delegation", args)
}

// DelegationToken is delegation_token(delegation_id, ttl_seconds?) → the issued token record.
func (c *Client) DelegationToken(args Args) (map[string]any, error) {
	return c.object("delegation_token", args)
}

// SetPolicy is set_policy(workspace?, rules) → the policy.
func (c *Client) SetPolicy(args Args) (map[string]any, error) {
	return c.object("set_policy", args)
}

// QueryAudit is query_audit(workspace?, agent_id?, session_id?, kind?, since?, cursor?,
// limit?) → a page {items, next_cursor}.
func (c *Client) QueryAudit(args Args) (map[string]any, error) {
	return c.object("query_audit", args)
}

// VerifyChain is verify_chain(workspace?) → {ok, checked, first_broken_seq}.
func (c *Client) VerifyChain(args Args) (map[string]any, error) {
	return c.object("verify_chain", args)
}

// ExportAudit is export_audit(workspace?, since_seq?) → the JSON Lines export.
func (c *Client) ExportAudit(args Args) (string, error) {
	v, err := c.Call("export_audit", args)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", &Error{Code: CodeInternal, Message: "the core answered export_audit with a non-string"}
	}
	return s, nil
}
