// Package replay runs engine-shaped conformance cases (SEMANTICS-engine §18: the engine
// vectors in tests/vectors and the parity scenarios in tests/parity/scenarios) through the
// PUBLIC API of package warden, exactly as core/tests/replay does in Rust: aliases ($X,
// $X.f.g), primary-id detection, the matchers (null, "<non-null>", {"$ne": v}), error / reason
// / decision expectations, advance, faults and the guard steps. Every step's result is
// recorded, so one run gives both the expectation failures and the parity transcript.
//
// It is test tooling shared by the Go vector test and the Go parity runner
// (tests/parity/go), not part of the SDK's API.
package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	warden "example.invalid/warden/bindings-go"
)

// File is one engine-shaped file: {suite, version, clock, format, cases}.
type File struct {
	Suite string
	Clock int64 // unix seconds
	Cases []map[string]any
}

// Decode parses JSON into native values: objects map[string]any, arrays []any, integers
// int64 (json.Number beyond int64), other numbers float64 — the SDK's own result types.
func Decode(text []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return numbers(v), nil
}

func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
			return x
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = numbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbers(e)
		}
	}
	return v
}

// IsEngineShaped reports whether a decoded file is engine-shaped (top-level "suite" and
// "clock"), as the Rust runner decides.
func IsEngineShaped(doc map[string]any) bool {
	_, s := doc["suite"]
	_, c := doc["clock"]
	return s && c
}

// Load reads an engine-shaped file.
func Load(path string) (*File, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := Decode(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	doc, ok := v.(map[string]any)
	if !ok || !IsEngineShaped(doc) {
		return nil, fmt.Errorf("%s: not an engine-shaped file (top-level suite and clock)", path)
	}
	f := &File{}
	f.Suite, _ = doc["suite"].(string)
	f.Clock, _ = doc["clock"].(int64)
	cases, ok := doc["cases"].([]any)
	if !ok {
		return nil, fmt.Errorf("%s: cases is not a list", path)
	}
	for i, c := range cases {
		m, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: case %d is not an object", path, i)
		}
		if _, ok := m["name"].(string); !ok {
			return nil, fmt.Errorf("%s: case %d has no name", path, i)
		}
		f.Cases = append(f.Cases, m)
	}
	return f, nil
}

// Name is a case's name.
func Name(c map[string]any) string { s, _ := c["name"].(string); return s }

// ---- values, aliases and matchers ----

// absent marks a missing object member in a match.
type absentT struct{}

var absent = absentT{}

func get(v any, k string) any {
	if m, ok := v.(map[string]any); ok {
		if x, ok := m[k]; ok {
			return x
		}
	}
	return absent
}

func has(v any, k string) bool { return get(v, k) != absent }

func primary(v any) any {
	key := ""
	switch {
	case has(v, "check_id") && has(v, "allowed"):
		key = "check_id"
	case has(v, "token") && has(v, "jti"):
		key = "token"
	case has(v, "approval_id") && has(v, "status") && has(v, "tool"):
		key = "approval_id"
	case has(v, "delegation_id") && has(v, "from_agent_id"):
		key = "delegation_id"
	case has(v, "session_id") && has(v, "server_id"):
		key = "session_id"
	case has(v, "agent_id") && has(v, "name"):
		key = "agent_id"
	default:
		return v
	}
	return get(v, key)
}

func orNull(v any) any {
	if v == absent {
		return nil
	}
	return v
}

func resolve(v any, aliases map[string]any) any {
	switch x := v.(type) {
	case string:
		if !strings.HasPrefix(x, "$") {
			return x
		}
		path := strings.Split(x[1:], ".")
		base, ok := aliases[path[0]]
		if !ok {
			return x
		}
		if len(path) == 1 {
			return orNull(primary(base))
		}
		cur := base
		for _, f := range path[1:] {
			cur = orNull(get(cur, f))
		}
		return cur
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolve(e, aliases)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = resolve(e, aliases)
		}
		return out
	default:
		return v
	}
}

// Equal is type-strict JSON equality over decoded values (int64 ≠ float64, nil ≠ absent).
func Equal(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return a == b
	}
}

func show(v any) string {
	if v == absent {
		return "absent"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

func isNull(v any) bool { return v == nil || v == absent }

// match is the partial match of the vectors: null matches null or absent, "<non-null>" any
// non-null value, {"$ne": v} any non-null value other than v, objects key by key, arrays by
// length and element, scalars by type-strict equality.
func match(want, got any, path string) error {
	switch w := want.(type) {
	case nil:
		if !isNull(got) {
			return fmt.Errorf("%s: want null, got %s", path, show(got))
		}
		return nil
	case string:
		if w == "<non-null>" {
			if isNull(got) {
				return fmt.Errorf("%s: want non-null", path)
			}
			return nil
		}
	case map[string]any:
		if ne, ok := w["$ne"]; ok && len(w) == 1 {
			if isNull(got) {
				return fmt.Errorf("%s: want non-null", path)
			}
			if Equal(got, ne) {
				return fmt.Errorf("%s: want != %s", path, show(got))
			}
			return nil
		}
		if got == absent {
			return fmt.Errorf("%s: missing object", path)
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := match(w[k], get(got, k), path+"."+k); err != nil {
				return err
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Errorf("%s: want array", path)
		}
		if len(g) != len(w) {
			return fmt.Errorf("%s: want %d elements, got %d", path, len(w), len(g))
		}
		for i := range w {
			if err := match(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if got != absent && Equal(want, got) {
		return nil
	}
	return fmt.Errorf("%s: want %s, got %s", path, show(want), show(got))
}

// errorParts is the (code, reason, decision) of an SDK error; a non-warden error is reported
// with its Go type as the code (and never matches an expected code).
func errorParts(err error) (code string, reason any, decision any) {
	var werr *warden.Error
	if !errors.As(err, &werr) {
		return fmt.Sprintf("NOT_A_WARDEN_ERROR(%T: %v)", err, err), nil, nil
	}
	if werr.Reason != "" {
		reason = werr.Reason
	}
	if werr.Decision != nil {
		decision = werr.Decision.ToMap()
	}
	return string(werr.Code), reason, decision
}

// checkResult checks one result against an expectation; it returns the value to bind with "as".
func checkResult(expect any, v any, err error) (any, error) {
	wantErr := get(expect, "error")
	switch {
	case wantErr != absent && err != nil:
		code, reason, decision := errorParts(err)
		if e := match(wantErr, code, "error"); e != nil {
			return nil, e
		}
		if r := get(expect, "reason"); r != absent {
			got := reason
			if got == nil {
				got = absent
			}
			if e := match(r, got, "reason"); e != nil {
				return nil, e
			}
		}
		if d := get(expect, "decision"); d != absent {
			got := decision
			if got == nil {
				got = absent
			}
			if e := match(d, got, "decision"); e != nil {
				return nil, e
			}
		}
		return nil, nil
	case wantErr != absent:
		return nil, fmt.Errorf("want error %s, got success %s", show(wantErr), show(v))
	case err != nil:
		return nil, fmt.Errorf("unexpected error %v", err)
	case expect != absent:
		if e := match(expect, v, "result"); e != nil {
			return nil, e
		}
		return v, nil
	default:
		return v, nil
	}
}

// record is one transcript entry.
func record(i int, op string, v any, err error) map[string]any {
	r := map[string]any{"i": int64(i), "op": op}
	if err != nil {
		code, reason, decision := errorParts(err)
		r["error"] = map[string]any{"code": code, "reason": reason, "decision": decision}
	} else {
		r["result"] = v
	}
	return r
}

func str(args any, k string) (string, bool) {
	s, ok := get(args, k).(string)
	return s, ok
}

func strOr(args any, k string) string { s, _ := str(args, k); return s }

func opt(args any, k string) []string {
	if s, ok := str(args, k); ok {
		return []string{s}
	}
	return nil
}

func boolOr(args any, k string, def bool) bool {
	if b, ok := get(args, k).(bool); ok {
		return b
	}
	return def
}

func intOr(args any, k string, def int64) int64 {
	if i, ok := get(args, k).(int64); ok {
		return i
	}
	return def
}

// ---- cases ----

// Result is the outcome of one case: its transcript and every expectation failure
// ("step i (op): …").
type Result struct {
	Transcript []any
	Failures   []string
}

// RunCase runs one case of a file whose clock is clockS (unix seconds): a scenario (steps)
// on a fresh in-process engine, or a pure case (an "op" case, or an effects case with a
// top-level "tool").
func RunCase(c map[string]any, clockS int64) Result {
	return RunCaseOn(c, clockS, nil)
}

// Gateway is a live gateway started with --test-mode (tests/parity/README.md, "Against a live
// gateway"): its base URL and an admin API key.
type Gateway struct {
	URL    string
	APIKey string
}

// RunCaseOn is RunCase, with the scenario run against gw when gw is not nil: the case gets its
// own Connect client, test_reset {engine, clock_ms} replaces building an engine (the gateway
// builds it: seed 7, manual clock), advance is test_advance, and guards take the strict mode
// of the case's engine configuration read from a throwaway local engine. Pure cases never
// touch the gateway.
func RunCaseOn(c map[string]any, clockS int64, gw *Gateway) Result {
	if steps, ok := c["steps"]; ok {
		return runScenario(c, steps, clockS, gw)
	}
	return runPure(c)
}

func runPure(c map[string]any) Result {
	expect := get(c, "expect")
	var op string
	var v any
	var err error
	if o, ok := c["op"].(string); ok {
		op = o
		args := get(c, "args")
		switch op {
		case "summarize_input":
			var s string
			s, err = warden.SummarizeInput(strOr(args, "text"), boolOr(args, "log_inputs", false))
			v = map[string]any{"value": s}
		case "covers":
			var parents []string
			if ps, ok := get(args, "parent_patterns").([]any); ok {
				for _, p := range ps {
					s, _ := p.(string)
					parents = append(parents, s)
				}
			}
			v = map[string]any{"value": warden.Covers(parents, strOr(args, "child_pattern"))}
		default:
			return Result{Failures: []string{fmt.Sprintf("no Go runner for the pure op %q", op)}}
		}
	} else if tool, ok := c["tool"].(string); ok {
		op = "resolve_effect"
		var e string
		e, err = warden.ResolveEffect(tool, opt(c, "effect")...)
		if err == nil {
			var words []string
			words, err = warden.ToolWords(tool)
			w := make([]any, len(words))
			for i, s := range words {
				w[i] = s
			}
			v = map[string]any{"effect": e, "words": w}
		}
	} else {
		return Result{Failures: []string{"a case without steps, op or tool"}}
	}
	res := Result{Transcript: []any{record(0, op, v, err)}}
	if _, e := checkResult(expect, v, err); e != nil {
		res.Failures = append(res.Failures, fmt.Sprintf("step 0 (%s): %v", op, e))
	}
	return res
}

func runScenario(c map[string]any, stepsV any, clockS int64, gw *Gateway) (res Result) {
	cfg := map[string]any{}
	var caseEngine any // the case's own engine object (nil when absent), sent to test_reset
	if e, ok := c["engine"].(map[string]any); ok {
		caseEngine = e
		for k, v := range e {
			cfg[k] = v
		}
	} else if e, ok := c["engine"]; ok && e != nil {
		return Result{Failures: []string{fmt.Sprintf("engine config is not an object: %s", show(e))}}
	}
	cfg["seed"] = int64(7)
	engine, err := warden.NewEngine(warden.WithConfig(cfg), warden.WithManualClock(clockS*1000))
	if err != nil {
		return Result{Failures: []string{fmt.Sprintf("engine: %v", err)}}
	}
	defer engine.Close()
	strict := engine.StrictMode()
	var client *warden.Client
	var advance func(seconds int64) error
	if gw == nil {
		if client, err = warden.NewClient(engine); err != nil {
			return Result{Failures: []string{fmt.Sprintf("client: %v", err)}}
		}
		advance = func(seconds int64) error { return engine.Advance(seconds * 1000) }
	} else {
		// The local engine was only needed for its strict mode.
		engine.Close()
		if client, err = warden.Connect(gw.URL, gw.APIKey); err != nil {
			return Result{Failures: []string{fmt.Sprintf("connect: %v", err)}}
		}
		if _, err := client.Call("test_reset", warden.Args{"engine": caseEngine, "clock_ms": clockS * 1000}); err != nil {
			client.Close()
			return Result{Failures: []string{fmt.Sprintf("test_reset: %v", err)}}
		}
		advance = func(seconds int64) error {
			_, err := client.Call("test_advance", warden.Args{"seconds": seconds})
			return err
		}
	}
	defer client.Close()
	guards := map[string]*warden.Guard{}
	aliases := map[string]any{}
	steps, _ := stepsV.([]any)
	for i, step := range steps {
		op := strOr(step, "op")
		if op == "advance" {
			err := advance(intOr(step, "seconds", 0))
			res.Transcript = append(res.Transcript, record(i, op, nil, err))
			if err != nil {
				res.Failures = append(res.Failures, fmt.Sprintf("step %d (advance): %v", i, err))
			}
			continue
		}
		args := resolve(orNull(get(step, "args")), aliases)
		expect := get(step, "expect")
		if expect != absent {
			expect = resolve(expect, aliases)
		}
		if f, ok := str(step, "fault"); ok {
			if err := client.SetFault(f); err != nil {
				res.Failures = append(res.Failures, fmt.Sprintf("step %d (%s): bad fault: %v", i, op, err))
				continue
			}
		} else if err := client.ClearFault(); err != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("step %d (%s): %v", i, op, err))
			continue
		}
		v, err := runStep(op, step, args, client, guards, strict)
		if cerr := client.ClearFault(); cerr != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("step %d (%s): %v", i, op, cerr))
		}
		res.Transcript = append(res.Transcript, record(i, op, v, err))
		bound, e := checkResult(expect, v, err)
		if e != nil {
			res.Failures = append(res.Failures, fmt.Sprintf("step %d (%s): %v", i, op, e))
			continue
		}
		if name, ok := str(step, "as"); ok {
			aliases[name] = bound
		}
	}
	return res
}

func objectArgs(args any) (warden.Args, error) {
	switch a := args.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return a, nil
	default:
		return nil, &warden.Error{Code: warden.CodeValidationError, Message: "the runner passes object arguments only"}
	}
}

func object(m map[string]any, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return m, nil
}

// runStep runs one step through the SDK's public API: the guard steps, the typed Client
// methods where they exist, and Client.Call for the rest.
func runStep(op string, step, args any, client *warden.Client, guards map[string]*warden.Guard, strict bool) (any, error) {
	guard := func() (*warden.Guard, error) {
		name, _ := str(args, "guard")
		if g, ok := guards[strings.TrimPrefix(name, "guard:")]; ok && strings.HasPrefix(name, "guard:") {
			return g, nil
		}
		return nil, &warden.Error{Code: warden.CodeValidationError, Message: "unknown guard"}
	}
	switch op {
	case "new_guard":
		opts := []warden.GuardOption{
			warden.WithBlockOnDeny(boolOr(args, "block_on_deny", true)),
			warden.WithFailOpen(boolOr(args, "fail_open", false)),
			warden.WithStrictMode(strict),
			warden.WithFlushTimer(false),
		}
		if s, ok := str(args, "session_id"); ok {
			opts = append(opts, warden.WithSessionID(s))
		}
		if e, ok := str(args, "default_effect"); ok {
			opts = append(opts, warden.WithDefaultEffect(e))
		}
		g, err := warden.NewGuard(client, strOr(args, "agent_id"), opts...)
		if err != nil {
			return nil, err
		}
		name, ok := str(step, "as")
		if !ok {
			name = "_guard"
		}
		guards[name] = g
		return "guard:" + name, nil
	case "guard_check":
		g, err := guard()
		if err != nil {
			return nil, err
		}
		d, err := g.Check(strOr(args, "tool"), strOr(args, "input_summary"), opt(args, "effect")...)
		if err != nil {
			return nil, err
		}
		return d.ToMap(), nil
	case "guard_report":
		g, err := guard()
		if err != nil {
			return nil, err
		}
		g.Report(strOr(args, "tool"), boolOr(args, "success", false), intOr(args, "duration_ms", 0), opt(args, "error_type")...)
		return nil, nil
	case "guard_flush", "guard_close":
		g, err := guard()
		if err != nil {
			return nil, err
		}
		if op == "guard_flush" {
			g.Flush()
			return nil, nil
		}
		return nil, g.Close()
	case "guard_stats":
		g, err := guard()
		if err != nil {
			return nil, err
		}
		return g.Stats().ToMap(), nil
	}
	a, err := objectArgs(args)
	if err != nil {
		return nil, err
	}
	switch op {
	case "create_agent":
		return object(client.CreateAgent(a))
	case "get_agent":
		return object(client.GetAgent(a))
	case "revoke_agent":
		return object(client.RevokeAgent(a))
	case "issue_token":
		return object(client.IssueToken(a))
	case "introspect_token":
		return object(client.IntrospectToken(a))
	case "revoke_token":
		return object(client.RevokeToken(a))
	case "init_session":
		return object(client.InitSession(a))
	case "check":
		d, err := client.Check(a)
		if err != nil {
			return nil, err
		}
		return d.ToMap(), nil
	case "approve":
		return object(client.Approve(a))
	case "deny":
		return object(client.Deny(a))
	case "get_approval":
		return object(client.GetApproval(a))
	case "list_approvals":
		return object(client.ListApprovals(a))
	case "wait_for_decision":
		return object(client.WaitForDecision(context.Background(), a))
	case "create_delegation":
		return object(client.CreateDelegation(a))
	case "revoke_delegation":
		return object(client.RevokeDelegation(a))
	case "delegation_token":
		return object(client.DelegationToken(a))
	case "set_policy":
		return object(client.SetPolicy(a))
	case "query_audit":
		return object(client.QueryAudit(a))
	case "verify_chain":
		return object(client.VerifyChain(a))
	case "export_audit":
		s, err := client.ExportAudit(a)
		if err != nil {
			return nil, err
		}
		return s, nil
	default:
		return client.Call(op, a)
	}
}
