package warden

// Binding tests of the engine glue (behaviour is the vectors' job): conversions of arguments
// and results, the typed Decision against the JSON form, error mapping including Decision,
// Guard options, Guard.Do (check, report with duration and error type, denial, panics),
// fail-open for reads only under an injected fault, WaitForDecision off the caller's
// goroutine with ctx, closed/nil handles, and concurrency under -race.

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"
)

const clock0 = int64(1767225600000)

func seeded(t *testing.T, extra ...EngineOption) (*Engine, *Client) {
	t.Helper()
	e, err := NewEngine(append([]EngineOption{WithConfig(Args{"seed": 7}), WithManualClock(clock0)}, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); e.Close() })
	return e, c
}

// must returns v, or panics (failing the test with a stack) on an error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code Code, reason string) *Error {
	t.Helper()
	var werr *Error
	if !errors.As(err, &werr) {
		t.Fatalf("want *Error %s, got %T %v", code, err, err)
	}
	if werr.Code != code || (reason != "" && werr.Reason != reason) {
		t.Fatalf("want %s/%s, got %v", code, reason, err)
	}
	return werr
}

// agentAndSession creates an agent with caps and an open (or given mode) session.
func agentAndSession(t *testing.T, c *Client, mode string, caps ...any) (string, string) {
	t.Helper()
	a := must(c.CreateAgent(Args{"name": "a-" + mode, "capabilities": caps}))
	s := must(c.InitSession(Args{"agent_id": a["agent_id"], "server_id": "srv", "mode": mode}))
	return a["agent_id"].(string), s["session_id"].(string)
}

func TestEngineConversions(t *testing.T) {
	e, c := seeded(t)
	v := must(e.Call("create_agent", Args{"name": "conv", "capabilities": []string{"tool:*"},
		"metadata": map[string]string{"team": "ops \u00e9\u0000"}}))
	a, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("object → map[string]any, got %T", v)
	}
	if _, ok := a["created_at"].(int64); !ok || a["created_at"] != clock0 {
		t.Fatalf("integers are int64: %T %v", a["created_at"], a["created_at"])
	}
	if a["public_key"] != nil {
		t.Fatal("null → nil")
	}
	if caps, ok := a["capabilities"].([]any); !ok || len(caps) != 1 || caps[0] != "tool:*" {
		t.Fatalf("array → []any: %#v", a["capabilities"])
	}
	if md := a["metadata"].(map[string]any); md["team"] != "ops \u00e9\u0000" {
		t.Fatalf("strings pass exactly (non-ASCII, NUL): %q", md["team"])
	}
	// The same engine through the client (shared state).
	got := must(c.GetAgent(Args{"agent_id": a["agent_id"]}))
	if got["name"] != "conv" {
		t.Fatal("client shares the engine")
	}
	// json.Number and float arguments pass through; invalid UTF-8 is refused, never replaced.
	must(c.InitSession(Args{"agent_id": a["agent_id"], "server_id": "s", "ttl_seconds": json.Number("60")}))
	_, err := c.CreateAgent(Args{"name": "bad\xff"})
	wantCode(t, err, CodeValidationError, "")
	_, err = c.CreateAgent(Args{"name": []any{map[string]any{"k\xfe": 1}}})
	wantCode(t, err, CodeValidationError, "")
	_, err = c.Call("no_such_op", nil)
	wantCode(t, err, CodeValidationError, "")
	_, err = c.InitSession(Args{"agent_id": a["agent_id"], "server_id": "s", "ttl_seconds": 1.5})
	wantCode(t, err, CodeValidationError, "")
	// Clock.
	if e.NowMs() != clock0 || c.NowMs() != clock0 {
		t.Fatal("manual clock start")
	}
	noErr(t, e.Advance(1500))
	if e.NowMs() != clock0+1500 || c.NowMs() != clock0+1500 {
		t.Fatal("advance")
	}
	// JWKS.
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(must(e.JWKS())), &jwks); err != nil || len(jwks.Keys) != 1 || jwks.Keys[0]["crv"] != "Ed25519" || jwks.Keys[0]["d"] != nil {
		t.Fatalf("jwks: %v %v", jwks, err)
	}
	jv := must(e.Call("jwks", nil)).(map[string]any)
	if len(jv["keys"].([]any)) != 1 {
		t.Fatal("jwks op")
	}
	// Config: strict mode from the config's env; the system clock cannot be advanced.
	strict := must(NewEngine(WithConfig(Args{"env": Args{"WARDEN_STRICT_MODE": " Yes "}})))
	defer strict.Close()
	if !strict.StrictMode() || e.StrictMode() {
		t.Fatal("strict mode from the config")
	}
	wantCode(t, strict.Advance(1), CodeValidationError, "")
	if now := strict.NowMs(); now < time.Now().Add(-time.Minute).UnixMilli() {
		t.Fatalf("system clock: %d", now)
	}
	_, err = NewEngine(WithConfig(Args{"session_ttl_seconds": 0}))
	wantCode(t, err, CodeValidationError, "")
	_, err = NewEngine(WithConfig(Args{"nope": 1}))
	wantCode(t, err, CodeValidationError, "")
	def := must(NewEngine(WithConfig(nil)))
	def.Close()
}

// The typed decision (hot path: C struct; Client.Check: JSON) equals the JSON form.
func TestDecisionConversions(t *testing.T) {
	run := func(typed bool) []map[string]any {
		_, c := seeded(t)
		agent, session := agentAndSession(t, c, "open", "tool:web_search", "tool:db:*")
		checks := []Args{
			{"agent_id": agent, "session_id": session, "tool": "web_search"},
			{"agent_id": agent, "session_id": session, "tool": "db:drop", "effect": "destructive", "input_summary": "x"},
			{"agent_id": agent, "session_id": session, "tool": "deploy"},
			{"agent_id": agent, "session_id": "", "tool": "web_search"},
		}
		var out []map[string]any
		for _, a := range checks {
			if typed {
				out = append(out, must(c.Check(a)).ToMap())
			} else {
				out = append(out, must(c.Call("check", a)).(map[string]any))
			}
		}
		g := must(NewGuard(c, agent, WithSessionID(session), WithBlockOnDeny(false), WithFlushTimer(false)))
		for _, tool := range []string{"web_search", "db:query", "kanban:delete"} {
			d := must(g.Check(tool, "in", "read"))
			out = append(out, d.ToMap())
		}
		return out
	}
	typed, viaJSON := run(true), run(false)
	if len(typed) != len(viaJSON) {
		t.Fatal("lengths")
	}
	for i := range typed[:4] {
		if !jsonEqual(mapJSON(t, typed[i]), mapJSON(t, viaJSON[i])) {
			t.Fatalf("check %d: typed %v != JSON %v", i, typed[i], viaJSON[i])
		}
	}
	for i := 4; i < len(typed); i++ {
		if len(typed[i]) != 16 {
			t.Fatalf("every field: %v", typed[i])
		}
	}
	if typed[3]["session_id"] != nil || typed[0]["rule_id"] != nil || typed[0]["effect"] != "read" {
		t.Fatalf("absent → nil: %v", typed[3])
	}
	// MarshalJSON / UnmarshalJSON round trip.
	_, c := seeded(t)
	agent, session := agentAndSession(t, c, "open", "tool:*")
	d := must(c.Check(Args{"agent_id": agent, "session_id": session, "tool": "web_search"}))
	b := must(json.Marshal(d))
	var back Decision
	if err := json.Unmarshal(b, &back); err != nil || back != *d {
		t.Fatalf("round trip: %v %+v %+v", err, back, *d)
	}
}

func mapJSON(t *testing.T, m map[string]any) any {
	b := must(json.Marshal(m))
	return decodeAny(b)
}

func TestTypedClientMethods(t *testing.T) {
	e, c := seeded(t)
	agent, session := agentAndSession(t, c, "supervised", "tool:*")
	other := must(c.CreateAgent(Args{"name": "other", "capabilities": []string{"tool:*"}}))["agent_id"]
	tok := must(c.IssueToken(Args{"agent_id": agent, "scopes": []string{"tool:web_search"}}))
	if intro := must(c.IntrospectToken(Args{"token": tok["token"]})); intro["active"] != true {
		t.Fatalf("introspect: %v", intro)
	}
	must(c.RevokeToken(Args{"token": tok["token"]}))
	d := must(c.Check(Args{"agent_id": agent, "session_id": session, "tool": "delete_file"}))
	if d.Allowed || d.ApprovalID == "" || d.Code != "ELEVATION_REQUIRED" {
		t.Fatalf("supervised destructive: %+v", d)
	}
	if got := must(c.GetApproval(Args{"approval_id": d.ApprovalID})); got["status"] != "pending" {
		t.Fatalf("approval: %v", got)
	}
	page := must(c.ListApprovals(Args{"status": "pending"}))
	if items := page["items"].([]any); len(items) != 1 {
		t.Fatalf("list: %v", page)
	}
	must(c.Approve(Args{"approval_id": d.ApprovalID, "decided_by": "alice"}))
	_, err := c.Deny(Args{"approval_id": d.ApprovalID, "decided_by": "bob"})
	wantCode(t, err, CodeConflict, "")
	if w := must(c.WaitForDecision(context.Background(), Args{"approval_id": d.ApprovalID})); w["status"] != "approved" {
		t.Fatalf("wait on a decided approval: %v", w)
	}
	del := must(c.CreateDelegation(Args{"from_agent_id": agent, "to_agent_id": other, "scopes": []string{"tool:web_search"}}))
	must(c.DelegationToken(Args{"delegation_id": del["delegation_id"]}))
	must(c.RevokeDelegation(Args{"delegation_id": del["delegation_id"]}))
	must(c.SetPolicy(Args{"rules": []any{map[string]any{"rule_id": "r1", "match": "tool:deploy", "action": "deny"}}}))
	must(c.RevokeAgent(Args{"agent_id": other}))
	audit := must(c.QueryAudit(Args{"limit": 5}))
	if len(audit["items"].([]any)) != 5 {
		t.Fatalf("query_audit: %v", audit)
	}
	chain := must(c.VerifyChain(nil))
	if chain["ok"] != true || chain["checked"].(int64) < 5 {
		t.Fatalf("verify_chain: %v", chain)
	}
	export := must(c.ExportAudit(nil))
	ok := must(VerifyAuditExport(export))
	if !ok.OK || ok.Checked != chain["checked"] || ok.FirstBrokenSeq != nil || ok.ToMap()["first_broken_seq"] != nil {
		t.Fatalf("verify export: %+v", ok)
	}
	lines := strings.SplitAfter(export, "\n")
	tampered := strings.Join(append(append([]string{}, lines[:2]...), lines[3:]...), "")
	bad := must(VerifyAuditExport(tampered))
	if bad.OK || bad.FirstBrokenSeq == nil || *bad.FirstBrokenSeq != 4 {
		t.Fatalf("a deleted line is detected: %+v", bad)
	}
	_, err = VerifyAuditExport("\xff")
	wantCode(t, err, CodeValidationError, "")
	_ = e
}

func TestPureFunctions(t *testing.T) {
	if eff := must(ResolveEffect("delete_user")); eff != EffectDestructive {
		t.Fatal(eff)
	}
	if eff := must(ResolveEffect("web_search", "admin")); eff != EffectAdmin {
		t.Fatal(eff)
	}
	_, err := ResolveEffect("web_search", "")
	wantCode(t, err, CodeValidationError, "invalid_effect")
	_, err = ResolveEffect("web_search", "read", "admin")
	wantCode(t, err, CodeValidationError, "")
	_, err = ResolveEffect("")
	wantCode(t, err, CodeValidationError, "")
	if w := must(ToolWords("getUserByID")); len(w) == 0 {
		t.Fatal("words")
	}
	if s := must(SummarizeInput("héllo", false)); s != "[5 chars]" {
		t.Fatal(s)
	}
	if s := must(SummarizeInput("ab\xffc", false)); s != "[4 chars]" {
		t.Fatalf("non-UTF-8 counts as U+FFFD: %s", s)
	}
	if s := must(SummarizeInput(strings.Repeat("é", 300), true)); s != strings.Repeat("é", 200) {
		t.Fatal("200 code points")
	}
}

func TestGuardErrorsCarryTheDecision(t *testing.T) {
	_, c := seeded(t)
	agent, session := agentAndSession(t, c, "open", "tool:web_search")
	g := must(NewGuard(c, agent, WithSessionID(session), WithFlushTimer(false)))
	defer g.Close()
	if g.SessionID() != session {
		t.Fatal("given session")
	}
	d := must(g.Check("web_search", ""))
	if !d.Allowed || d.Code != "ALLOW" || d.SessionID != session || d.Tool != "web_search" || d.CheckID == "" {
		t.Fatalf("%+v", d)
	}
	_, err := g.Check("deploy_prod", "payload")
	werr := wantCode(t, err, CodeActionDenied, "")
	if werr.Decision == nil || werr.Decision.Allowed || werr.Decision.Tool != "deploy_prod" || werr.Decision.Reason != werr.Reason || !werr.Decision.Enforced {
		t.Fatalf("decision on the error: %+v", werr.Decision)
	}
	if !errors.Is(err, ErrActionDenied) || errors.Is(err, ErrScopeDenied) {
		t.Fatal("errors.Is")
	}
	// Errors that are not denials have no decision.
	_, err = g.Check("bad tool name!", "")
	if werr := wantCode(t, err, CodeValidationError, ""); werr.Decision != nil {
		t.Fatal("no decision on a validation error")
	}
	// Monitor: block_on_deny=false returns the denial as a decision.
	m := must(NewGuard(c, agent, WithSessionID(session), WithBlockOnDeny(false), WithFlushTimer(false)))
	if d := must(m.Check("deploy_prod", "")); d.Allowed {
		t.Fatal("denied decision")
	}
	// Closed guard.
	noErr(t, g.Close())
	noErr(t, g.Close())
	_, err = g.Check("web_search", "")
	wantCode(t, err, CodeValidationError, "guard_closed")
}

func TestGuardOptions(t *testing.T) {
	_, c := seeded(t)
	agent, _ := agentAndSession(t, c, "open", "tool:*")
	_, err := NewGuard(c, "not-an-agent")
	wantCode(t, err, CodeValidationError, "")
	_, err = NewGuard(c, agent, WithSessionID("bogus"))
	wantCode(t, err, CodeValidationError, "")
	_, err = NewGuard(c, agent, WithDefaultEffect("Read"))
	wantCode(t, err, CodeValidationError, "invalid_effect")
	_, err = NewGuard(nil, agent)
	wantCode(t, err, CodeValidationError, "")
	// Own session, opened on the first check; default effect; input logging; flush timer on.
	g := must(NewGuard(c, agent, WithDefaultEffect("admin"), WithLogInputs(true), WithStrictMode(true)))
	defer g.Close()
	if g.SessionID() != "" {
		t.Fatal("no session before the first check")
	}
	d := must(g.Check("web_search", "query text"))
	if g.SessionID() == "" || d.SessionID != g.SessionID() || d.Effect != EffectAdmin {
		t.Fatalf("own session and default effect: %+v", d)
	}
	g.Report("web_search", true, 12)
	g.Report("web_search", false, 3, "TimeoutError")
	g.Report("web_search", true, -1)
	g.Report("bad tool!", true, 1)
	s := g.Stats()
	if s.Buffered != 2 || s.Invalid != 2 {
		t.Fatalf("stats: %+v", s)
	}
	g.Flush()
	if s := g.Stats(); s.Buffered != 0 || s.Sent != 2 || s.ToMap()["sent"] != int64(2) {
		t.Fatalf("flushed: %+v", s)
	}
}

type reported struct {
	tool      string
	success   bool
	ms        int64
	errorType []string
}

func captureReports(t *testing.T) *[]reported {
	var mu sync.Mutex
	var got []reported
	prev := doReport
	doReport = func(g *Guard, tool string, success bool, ms int64, et ...string) {
		mu.Lock()
		got = append(got, reported{tool, success, ms, et})
		mu.Unlock()
		prev(g, tool, success, ms, et...)
	}
	t.Cleanup(func() { doReport = prev })
	return &got
}

func TestGuardDo(t *testing.T) {
	_, c := seeded(t)
	agent, session := agentAndSession(t, c, "open", "tool:web_search", "tool:read_file")
	g := must(NewGuard(c, agent, WithSessionID(session), WithFlushTimer(false)))
	defer g.Close()
	got := captureReports(t)
	ctx := context.Background()

	// Success: fn runs with ctx, the report has the measured duration.
	err := g.Do(ctx, "web_search", func(ctx context.Context) error {
		time.Sleep(20 * time.Millisecond)
		return nil
	})
	if err != nil || len(*got) != 1 || !(*got)[0].success || (*got)[0].ms < 20 || (*got)[0].tool != "web_search" {
		t.Fatalf("success: %v %+v", err, *got)
	}
	// Failure: the error comes back unchanged; the report names its type.
	pathErr := &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}
	err = g.Do(ctx, "read_file", func(context.Context) error { return pathErr }, DoEffect("read"))
	if err != pathErr || len(*got) != 2 || (*got)[1].success || (*got)[1].errorType[0] != "fs.PathError" {
		t.Fatalf("failure: %v %+v", err, *got)
	}
	// Denial: fn never runs, nothing reported, the typed error with the decision.
	ran := false
	err = g.Do(ctx, "delete_everything", func(context.Context) error { ran = true; return nil })
	if werr := wantCode(t, err, CodeActionDenied, ""); ran || werr.Decision == nil || len(*got) != 2 {
		t.Fatal("denial must not run fn")
	}
	// An effect the capability does not allow: denied by the effect given.
	err = g.Do(ctx, "web_search", func(context.Context) error { ran = true; return nil }, DoEffect("bogus"))
	wantCode(t, err, CodeValidationError, "invalid_effect")
	// ctx already done: not checked, not run.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.Do(cctx, "web_search", func(context.Context) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Fatal("cancelled ctx")
	}
	// A panic is reported as "panic" and re-panics.
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("re-panic: %v", r)
			}
		}()
		_ = g.Do(ctx, "web_search", func(context.Context) error { panic("boom") })
	}()
	if last := (*got)[len(*got)-1]; last.success || last.errorType[0] != "panic" {
		t.Fatalf("panic report: %+v", last)
	}
	if s := g.Stats(); s.Buffered != 3 {
		t.Fatalf("three reports buffered: %+v", s)
	}
}

// Do admits through the core's Guard::admit: with block_on_deny=false an enforced denial is
// still an error and fn never runs (Check alone would return the denial as a decision).
func TestGuardAdmitIgnoresBlockOnDeny(t *testing.T) {
	_, c := seeded(t)
	agent, session := agentAndSession(t, c, "open", "tool:web_search")
	g := must(NewGuard(c, agent, WithSessionID(session), WithBlockOnDeny(false), WithFlushTimer(false)))
	defer g.Close()
	if d := must(g.Check("delete_everything", "")); d.Allowed || !d.Enforced {
		t.Fatalf("check returns the denial: %+v", d)
	}
	_, err := g.Admit("delete_everything")
	if werr := wantCode(t, err, CodeActionDenied, ""); werr.Decision == nil || werr.Decision.Allowed {
		t.Fatalf("admit: %+v", werr)
	}
	ran := false
	err = g.Do(context.Background(), "delete_everything", func(context.Context) error { ran = true; return nil })
	if wantCode(t, err, CodeActionDenied, ""); ran {
		t.Fatal("Do ran fn after an enforced denial")
	}
	if d := must(g.Admit("web_search", "read")); !d.Allowed || d.Tool != "web_search" {
		t.Fatalf("admit allows: %+v", d)
	}
	_, err = g.Admit("web_search", "read", "read")
	wantCode(t, err, CodeValidationError, "")
}

func TestGuardFailOpenOnlyForReadsUnderFault(t *testing.T) {
	_, c := seeded(t)
	agent, session := agentAndSession(t, c, "open", "tool:*")
	open := must(NewGuard(c, agent, WithSessionID(session), WithFailOpen(true), WithFlushTimer(false)))
	closed := must(NewGuard(c, agent, WithSessionID(session), WithFlushTimer(false)))
	// Without a fault, fail_open changes nothing.
	if d := must(open.Check("web_search", "")); d.Source != "engine" {
		t.Fatalf("%+v", d)
	}
	for _, f := range []string{"network_error", "timeout", "http_503", "http_500"} {
		noErr(t, c.SetFault(f))
		d, err := open.Check("web_search", "")
		if err != nil || !d.Allowed || d.Source != "fail_open" || d.Reason != "fail_open" {
			t.Fatalf("%s: read fails open: %+v %v", f, d, err)
		}
		_, err = open.Check("delete_repo", "")
		if werr := wantCode(t, err, CodeGuardianUnavailable, "unreachable"); werr.Decision == nil || werr.Decision.Effect != EffectDestructive {
			t.Fatalf("%s: a write fails closed with the decision", f)
		}
		_, err = closed.Check("web_search", "")
		wantCode(t, err, CodeGuardianUnavailable, "unreachable")
		noErr(t, c.ClearFault())
	}
	// HTTP 403 is not an outage.
	noErr(t, c.SetFault("http_403"))
	_, err := open.Check("web_search", "")
	wantCode(t, err, CodeAuthDenied, "")
	_, err = c.Call("get_agent", Args{"agent_id": agent})
	wantCode(t, err, CodeAuthDenied, "")
	noErr(t, c.ClearFault())
	wantCode(t, c.SetFault("bogus"), CodeValidationError, "")
	must(c.GetAgent(Args{"agent_id": agent}))
}

func TestWaitForDecisionDoesNotBlockTheCaller(t *testing.T) {
	c := must(LocalClient()) // system clock: the native wait really waits
	defer c.Close()
	agent, session := agentAndSession(t, c, "supervised", "tool:*")
	d := must(c.Check(Args{"agent_id": agent, "session_id": session, "tool": "delete_file"}))
	if d.ApprovalID == "" {
		t.Fatalf("%+v", d)
	}
	type res struct {
		v   map[string]any
		err error
	}
	done := make(chan res, 1)
	go func() {
		v, err := c.WaitForDecision(context.Background(), Args{"approval_id": d.ApprovalID, "timeout_seconds": 20})
		done <- res{v, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("returned before the decision: %+v", r)
	case <-time.After(100 * time.Millisecond):
	}
	must(c.Approve(Args{"approval_id": d.ApprovalID, "decided_by": "alice"}))
	select {
	case r := <-done:
		if r.err != nil || r.v["status"] != "approved" {
			t.Fatalf("%+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not see the decision")
	}
	// ctx ends first: WaitForDecision returns at once; closing the client meanwhile is safe
	// (the native wait owns its own handle and ends at its own timeout).
	d2 := must(c.Check(Args{"agent_id": agent, "session_id": session, "tool": "drop_database"}))
	if d2.ApprovalID == "" || d2.ApprovalID == d.ApprovalID {
		t.Fatalf("a second approval: %+v", d2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.WaitForDecision(ctx, Args{"approval_id": d2.ApprovalID, "timeout_seconds": 1})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("ctx deadline: %v after %v", err, time.Since(start))
	}
	c.Close()
	time.Sleep(1200 * time.Millisecond)
	// On a manual clock a pending wait is a TIMEOUT at once.
	_, mc := seeded(t)
	a2, s2 := agentAndSession(t, mc, "supervised", "tool:*")
	d3 := must(mc.Check(Args{"agent_id": a2, "session_id": s2, "tool": "delete_file"}))
	_, err = mc.WaitForDecision(context.Background(), Args{"approval_id": d3.ApprovalID})
	wantCode(t, err, CodeTimeout, "wait_timeout")
	_, err = mc.WaitForDecision(context.Background(), Args{"approval_id": "bad\xff"})
	wantCode(t, err, CodeValidationError, "")
}

func TestClosedAndNilEngineHandles(t *testing.T) {
	e, c := seeded(t)
	c.Close()
	e.Close()
	e.Close()
	_, err := e.Call("jwks", nil)
	wantCode(t, err, CodeValidationError, "")
	_, err = c.Call("jwks", nil)
	wantCode(t, err, CodeValidationError, "")
	_, err = c.Check(nil)
	wantCode(t, err, CodeValidationError, "")
	_, err = c.WaitForDecision(context.Background(), nil)
	wantCode(t, err, CodeValidationError, "")
	wantCode(t, c.SetFault("timeout"), CodeValidationError, "")
	_, err = e.JWKS()
	wantCode(t, err, CodeValidationError, "")
	if e.NowMs() != 0 || c.NowMs() != 0 || e.StrictMode() {
		t.Fatal("closed handles")
	}
	wantCode(t, e.Advance(1), CodeValidationError, "")
	_, err = NewClient(e)
	wantCode(t, err, CodeValidationError, "")
	var ne *Engine
	var nc *Client
	var ng *Guard
	_, err = ne.Call("jwks", nil)
	wantCode(t, err, CodeValidationError, "")
	_, err = nc.CreateAgent(nil)
	wantCode(t, err, CodeValidationError, "")
	_, err = ng.Check("web_search", "")
	wantCode(t, err, CodeValidationError, "")
	ng.Report("x", true, 1)
	ng.Flush()
	wantCode(t, ng.Close(), CodeValidationError, "")
	if ng.SessionID() != "" || ng.Stats() != (GuardStats{}) {
		t.Fatal("nil guard")
	}
}

func TestGuardConcurrentChecks(t *testing.T) {
	_, c := seeded(t)
	agent, session := agentAndSession(t, c, "open", "tool:web_search", "tool:db:*")
	g := must(NewGuard(c, agent, WithSessionID(session), WithFlushTimer(false)))
	defer g.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				tool := []string{"web_search", "db:query"}[(i+w)%2]
				d, err := g.Check(tool, "")
				if err != nil || !d.Allowed || d.Tool != tool {
					errs <- err
					return
				}
				g.Report(tool, true, 1)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if s := g.Stats(); s.Sent+s.Buffered != 1600 || s.Dropped != 0 {
		t.Fatalf("%+v", s)
	}
}
