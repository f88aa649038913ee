package warden

// Totality: random and hostile inputs never crash the process; every failure is a *Error
// whose code is one of Codes().

import (
	"errors"
	"math/rand"
	"strings"
	"testing"
)

func randomInput(r *rand.Rand) string {
	switch r.Intn(6) {
	case 0: // random bytes, often invalid UTF-8, with NULs
		b := make([]byte, r.Intn(64))
		r.Read(b)
		return string(b)
	case 1: // grammar-ish text
		alphabet := "abz09_-.:*@/ \x00\t\xffé{}[]\",AZ"
		b := make([]byte, r.Intn(80))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		return string(b)
	case 2: // JWT-shaped
		parts := make([]string, 1+r.Intn(5))
		for i := range parts {
			b := make([]byte, r.Intn(40))
			for j := range b {
				b[j] = "ABCxyz019-_=+/."[r.Intn(15)]
			}
			parts[i] = string(b)
		}
		return strings.Join(parts, ".")
	case 3: // JSON-ish
		return []string{`{}`, `[]`, `{"a":`, `{"algorithms":["HS256"],"now":-1}`, `{"keys":[{"kty":"oct","k":""}]}`, `null`, `{"a":1,"a":2}`, strings.Repeat("[", 200)}[r.Intn(8)]
	case 4: // long
		return strings.Repeat(string(rune('a'+r.Intn(26))), r.Intn(20000))
	default:
		return ""
	}
}

func checkErr(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var w *Error
	if !errors.As(err, &w) {
		t.Fatalf("%s: not a *Error: %T %v", what, err, err)
	}
	for _, c := range Codes() {
		if w.Code == c {
			return
		}
	}
	t.Fatalf("%s: unknown code %q", what, w.Code)
}

func TestTotalityRandomInputs(t *testing.T) {
	r := rand.New(rand.NewSource(20261122))
	key, _ := KeyFromHS256Hex(testSecret)
	defer key.Close()
	ed, _ := GenerateEd25519("ed")
	defer ed.Close()
	ks := mustKeyset(t, key, ed)
	defer ks.Close()
	v, _ := NewVerifier(ks, []Alg{HS256, EdDSA})
	defer v.Close()
	set, _ := NewScopeSet("tool:*", "skill:a-*")
	defer set.Close()
	good, _ := IssueToken(testSecret, "agent", "tool:a")
	for i := 0; i < 3000; i++ {
		a, b := randomInput(r), randomInput(r)
		if i%3 == 0 { // mutate a valid token
			bs := []byte(good)
			for j := 0; j < 1+r.Intn(3); j++ {
				bs[r.Intn(len(bs))] = byte(r.Intn(256))
			}
			a = string(bs)
		}
		c, err := v.Verify(a)
		checkErr(t, "Verify", err)
		if c != nil {
			c.Sub()
			c.Extra()
			c.Scopes()
			c.Allows(b)
		}
		_, err = ValidateToken(a, b)
		checkErr(t, "ValidateToken", err)
		_, err = ValidateToken(a, testSecret, WithAudience(b), WithIssuer(b), WithLeeway(int64(r.Intn(400)-50)), WithNow(r.Int63()))
		checkErr(t, "ValidateToken options", err)
		c, err = InspectToken(a)
		checkErr(t, "InspectToken", err)
		if c != nil {
			c.All()
			c.RateLimits()
		}
		_, err = IssueToken(b, a, b, TTL(int64(r.Intn(100000)-10)), Rate(a, b), JTI(b), Aud(a))
		checkErr(t, "IssueToken", err)
		_, err = IssueToken(testSecret, "agent", a, Rate(b, a))
		checkErr(t, "IssueToken scope", err)
		_, err = IssueTokenWithKey(ed, []byte(a), nil)
		checkErr(t, "IssueTokenWithKey", err)
		k, err := KeyFromJWK(a)
		checkErr(t, "KeyFromJWK", err)
		k.Close()
		k, err = KeyFromPEM(a, b)
		checkErr(t, "KeyFromPEM", err)
		k.Close()
		k, err = KeyFromHS256Hex(a, b)
		checkErr(t, "KeyFromHS256Hex", err)
		k.Close()
		s, err := KeySetFromJWKS(a)
		checkErr(t, "KeySetFromJWKS", err)
		s.Close()
		vv, err := NewVerifierJSON(ks, []byte(a))
		checkErr(t, "NewVerifierJSON", err)
		vv.Close()
		_, err = ParseScopes(a)
		checkErr(t, "ParseScopes", err)
		IsValidScope(a)
		CheckScope(a, []string{b, a, "*"})
		MatchesWildcard(a, b)
		Covers([]string{a}, b)
		set.Allows(a)
		set.Covers(b)
		_, err = BuildScopeString([]string{a}, []string{b}, nil)
		checkErr(t, "BuildScopeString", err)
		ss, err := NewScopeSet(a, b)
		checkErr(t, "NewScopeSet", err)
		ss.Close()
		_, err = ParseRateSpec(a)
		checkErr(t, "ParseRateSpec", err)
		o, err := NewOrchestrator(a, testSecret)
		checkErr(t, "NewOrchestrator", err)
		if o != nil {
			_, err = o.ProvisionSandbox(b, ProvisionArgs{Tools: []string{a}, Rate: []RateEntry{{b, a}}, TTLSeconds: int64(r.Intn(100000))})
			checkErr(t, "ProvisionSandbox", err)
			o.Close()
		}
		_, err = SessionTokenFromEnv(a)
		checkErr(t, "SessionTokenFromEnv", err)
	}
}

// FuzzVerify runs its seed corpus under `go test`; `go test -fuzz FuzzVerify` explores further.
func FuzzVerify(f *testing.F) {
	good, _ := IssueToken(testSecret, "agent", "tool:a")
	for _, s := range []string{"", ".", "..", good, good + "x", strings.Repeat("a.", 5000), "\x00.\x00.\x00", "eyJ.eyJ.sig"} {
		f.Add(s)
	}
	key, _ := KeyFromHS256Hex(testSecret)
	ks, _ := NewKeySet(key)
	v, _ := NewVerifier(ks, []Alg{HS256})
	f.Fuzz(func(t *testing.T, tok string) {
		_, err := v.Verify(tok)
		checkErr(t, "Verify", err)
		_, err = InspectToken(tok)
		checkErr(t, "InspectToken", err)
	})
}

var engineOps = []string{"create_agent", "get_agent", "list_agents", "revoke_agent", "set_enforcement", "issue_token",
	"introspect_token", "revoke_token", "init_session", "init_token_session", "init_delegation_session", "get_session",
	"close_session", "check", "set_policy", "get_policy", "approve", "deny", "get_approval", "list_approvals",
	"wait_for_decision", "create_delegation", "revoke_delegation", "get_delegation", "list_delegations",
	"delegation_token", "query_audit", "verify_chain", "export_audit", "record_telemetry", "jwks"}

var argNames = []string{"agent_id", "session_id", "tool", "name", "capabilities", "scopes", "token", "approval_id",
	"delegation_id", "from_agent_id", "to_agent_id", "rules", "events", "limit", "cursor", "ttl_seconds", "mode",
	"server_id", "effect", "input_summary", "timeout_seconds", "workspace", "metadata", "rate", "since_seq"}

// randomValue is a random JSON-able value (strings may be invalid UTF-8; numbers huge or
// fractional; nesting bounded) — sometimes an id the engine has issued.
func randomValue(r *rand.Rand, depth int, ids []string) any {
	switch r.Intn(9) {
	case 0:
		return nil
	case 1:
		return r.Intn(2) == 0
	case 2:
		return []int64{0, -1, 1, 1 << 62, -1 << 63, int64(r.Intn(5000))}[r.Intn(6)]
	case 3:
		return r.NormFloat64() * 1e6
	case 4:
		if len(ids) > 0 {
			return ids[r.Intn(len(ids))]
		}
		return randomInput(r)
	case 5, 6:
		if depth > 3 {
			return randomInput(r)
		}
		a := make([]any, r.Intn(4))
		for i := range a {
			a[i] = randomValue(r, depth+1, ids)
		}
		return a
	case 7:
		if depth > 3 {
			return nil
		}
		return randomArgs(r, depth+1, ids)
	default:
		return randomInput(r)
	}
}

func randomArgs(r *rand.Rand, depth int, ids []string) Args {
	if r.Intn(10) == 0 {
		return nil
	}
	a := Args{}
	for i := r.Intn(5); i > 0; i-- {
		k := argNames[r.Intn(len(argNames))]
		if r.Intn(8) == 0 {
			k = randomInput(r)
		}
		a[k] = randomValue(r, depth, ids)
	}
	return a
}

// Random operations, arguments, engine configs, guard options and guard calls never crash;
// every failure is a *Error with a known code.
func TestEngineTotality(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for round := 0; round < 40; round++ {
		var opts []EngineOption
		if r.Intn(2) == 0 {
			opts = append(opts, WithConfig(randomArgs(r, 2, nil)))
		}
		if r.Intn(2) == 0 {
			opts = append(opts, WithManualClock(int64(r.Uint64()>>1)*int64(1-2*r.Intn(2))))
		}
		e, err := NewEngine(opts...)
		checkErr(t, "NewEngine", err)
		if err != nil {
			e, err = NewEngine(WithManualClock(clock0))
			if err != nil {
				t.Fatal(err)
			}
		}
		checkErr(t, "Advance", e.Advance(int64(r.Intn(1_000_000))))
		c, err := NewClient(e)
		if err != nil {
			t.Fatal(err)
		}
		agent, err := c.CreateAgent(Args{"name": "tot", "capabilities": []string{"tool:*"}})
		checkErr(t, "CreateAgent", err)
		ids := []string{}
		if err == nil {
			ids = append(ids, agent["agent_id"].(string))
		}
		for i := 0; i < 60; i++ {
			op := engineOps[r.Intn(len(engineOps))]
			if op == "wait_for_decision" && r.Intn(2) == 0 {
				op = "get_approval" // a real wait on the system clock could take its timeout
			}
			if r.Intn(10) == 0 {
				op = randomInput(r)
			}
			args := randomArgs(r, 0, ids)
			if op == "wait_for_decision" {
				args = Args{"approval_id": randomValue(r, 3, ids), "timeout_seconds": 0}
			}
			if r.Intn(15) == 0 {
				checkErr(t, "SetFault", c.SetFault([]string{"network_error", "timeout", "http_500", "http_503", "http_403", randomInput(r)}[r.Intn(6)]))
			} else if r.Intn(4) == 0 {
				checkErr(t, "ClearFault", c.ClearFault())
			}
			v, err := c.Call(op, args)
			checkErr(t, "Call "+op, err)
			if m, ok := v.(map[string]any); ok {
				for _, k := range []string{"agent_id", "session_id", "approval_id", "delegation_id", "token"} {
					if s, ok := m[k].(string); ok {
						ids = append(ids, s)
					}
				}
			}
			_, err = c.Check(args)
			checkErr(t, "Check", err)
			_, err = e.Call(op, args)
			checkErr(t, "Engine.Call", err)
		}
		// Guards with random options and calls.
		for i := 0; i < 5; i++ {
			var gopts []GuardOption
			if r.Intn(2) == 0 {
				sid := randomInput(r)
				if len(ids) > 0 && r.Intn(2) == 0 {
					sid = ids[r.Intn(len(ids))]
				}
				gopts = append(gopts, WithSessionID(sid))
			}
			if r.Intn(2) == 0 {
				gopts = append(gopts, WithDefaultEffect([]string{"read", "admin", randomInput(r)}[r.Intn(3)]))
			}
			gopts = append(gopts, WithFailOpen(r.Intn(2) == 0), WithBlockOnDeny(r.Intn(2) == 0), WithLogInputs(r.Intn(2) == 0),
				WithStrictMode(r.Intn(2) == 0), WithFlushTimer(false))
			agentID := randomInput(r)
			if len(ids) > 0 && r.Intn(3) > 0 {
				agentID = ids[0]
			}
			g, err := NewGuard(c, agentID, gopts...)
			checkErr(t, "NewGuard", err)
			if err != nil {
				continue
			}
			for j := 0; j < 20; j++ {
				var eff []string
				if r.Intn(3) == 0 {
					eff = []string{[]string{"read", "mutating", randomInput(r)}[r.Intn(3)]}
				}
				tool := []string{"web_search", "delete_repo", randomInput(r)}[r.Intn(3)]
				_, err := g.Check(tool, randomInput(r), eff...)
				checkErr(t, "Guard.Check", err)
				g.Report(randomInput(r), r.Intn(2) == 0, int64(r.Intn(100)-10), randomInput(r))
				if r.Intn(5) == 0 {
					g.Flush()
				}
				_ = g.Stats()
				_ = g.SessionID()
			}
			checkErr(t, "Guard.Close", g.Close())
		}
		c.ClearFault()
		c.Close()
		e.Close()
	}
	for i := 0; i < 500; i++ {
		s := randomInput(r)
		_, err := ResolveEffect(s, randomInput(r))
		checkErr(t, "ResolveEffect", err)
		_, err = ToolWords(s)
		checkErr(t, "ToolWords", err)
		_, err = SummarizeInput(s, r.Intn(2) == 0)
		checkErr(t, "SummarizeInput", err)
		_, err = VerifyAuditExport(s + "\n" + randomInput(r))
		checkErr(t, "VerifyAuditExport", err)
	}
}
