package warden

// Tests of the glue (types, errors, ownership, callbacks); behaviour is covered by the vectors.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testSecret = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

func TestErrorCodesEqualCore(t *testing.T) {
	core := ErrorCodes()
	goCodes := Codes()
	if len(core) != len(goCodes) {
		t.Fatalf("core has %d codes, Go has %d", len(core), len(goCodes))
	}
	for i := range core {
		if string(goCodes[i]) != core[i] {
			t.Fatalf("code %d: Go %s, core %s", i, goCodes[i], core[i])
		}
		// The C enum value i+1 carries the same name.
		if n := codeName(int32(i + 1)); n != core[i] {
			t.Fatalf("C code %d is %q, core %s", i+1, n, core[i])
		}
	}
	if codeName(0) != "" || codeName(int32(len(core)+1)) != "" {
		t.Fatal("values outside the enum must have no name")
	}
}

func TestErrorsIsAs(t *testing.T) {
	_, err := ValidateToken("not-a-token", testSecret)
	var werr *Error
	if !errors.As(err, &werr) || werr.Code != CodeInvalidToken || werr.Reason != "malformed" || werr.Message == "" {
		t.Fatalf("got %#v", err)
	}
	if !errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrTokenExpired) {
		t.Fatal("errors.Is by code")
	}
	if !errors.Is(err, &Error{Code: CodeInvalidToken, Reason: "malformed"}) || errors.Is(err, &Error{Code: CodeInvalidToken, Reason: "bad_signature"}) {
		t.Fatal("errors.Is by code and reason")
	}
	wrapped := errors.Join(errors.New("context"), err)
	if !errors.Is(wrapped, ErrInvalidToken) {
		t.Fatal("errors.Is through wrapping")
	}
	if !strings.Contains(err.Error(), "INVALID_TOKEN:malformed") {
		t.Fatalf("Error() = %s", err.Error())
	}
}

func mustKeyset(t testing.TB, keys ...*Key) *KeySet {
	t.Helper()
	ks, err := NewKeySet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	tok, err := IssueToken(testSecret, "agent-1", "tool:web_search skill:research-*", TTL(600), JTI("j-1"), Rate("tool:web_search", "10/hour"), Rate("skill:*", "1/min"), IssuedAt(1_700_000_000))
	if err != nil {
		t.Fatal(err)
	}
	key, err := KeyFromHS256Hex(testSecret, "k1")
	if err != nil {
		t.Fatal(err)
	}
	ks := mustKeyset(t, key)
	key.Close() // the set keeps its own reference
	key.Close() // idempotent
	v, err := NewVerifier(ks, []Alg{HS256}, WithNow(1_700_000_100), WithIssuer("ati-orchestrator"))
	ks.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	c, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := c.Sub(); s != "agent-1" {
		t.Fatalf("sub %q", s)
	}
	if iat, ok := c.Iat(); !ok || iat != 1_700_000_000 {
		t.Fatalf("iat %d", iat)
	}
	if exp, _ := c.Exp(); exp != 1_700_000_600 {
		t.Fatalf("exp %d", exp)
	}
	if _, ok := c.Nbf(); ok {
		t.Fatal("nbf absent")
	}
	if got := c.Scopes(); len(got) != 2 || got[1] != "skill:research-*" {
		t.Fatalf("scopes %q", got)
	}
	if !c.Allows("skill:research-papers") || c.Allows("skill:other") || c.Allows("skill:research-a:b") {
		t.Fatal("Allows")
	}
	rl := c.RateLimits()
	if len(rl) != 2 || rl[0] != (RateLimit{"tool:web_search", 10, 3600}) || rl[1].Pattern != "skill:*" {
		t.Fatalf("rate limits %+v", rl)
	}
	if len(c.Extra()) != 0 || len(c.All()) != 8 {
		t.Fatalf("extra %v all %v", c.Extra(), c.All())
	}
	if err := v.Revoke("j-1"); err != nil || !v.IsRevoked("j-1") {
		t.Fatal("revoke")
	}
	if _, err := v.Verify(tok); !errors.Is(err, ErrTokenRevoked) {
		t.Fatalf("revoked: %v", err)
	}
	// ValidateToken gives the same claims.
	c2, err := ValidateToken(tok, testSecret, WithNow(1_700_000_100))
	if err != nil || string(c2.JSON()) != string(c.JSON()) {
		t.Fatalf("validate: %v", err)
	}
	if _, err := ValidateToken(tok, testSecret, WithNow(1_700_000_100), WithKidRequired(true)); !errors.Is(err, ErrValidationError) {
		t.Fatalf("ValidateToken takes only its own options: %v", err)
	}
	ic, err := InspectToken(tok)
	if err != nil || string(ic.JSON()) != string(c.JSON()) {
		t.Fatalf("inspect: %v", err)
	}
}

func TestVerifyClaimsNonASCIIAndExactNumbers(t *testing.T) {
	// The verifier hands back the payload text exactly as signed: raw UTF-8, a big integer and
	// a float must come through unchanged.
	note := strings.Repeat("é", 600)
	payload := `{"sub":"a","aud":"ati-proxy","iat":1700000000,"exp":1700000600,"jti":"j","scope":"tool:a","note":"` + note + `","big":123456789012345678901234567890,"f":0.25}`
	tok := hs256Sign(t, testSecret, `{"alg":"HS256","typ":"JWT"}`, payload)
	key, _ := KeyFromHS256Hex(testSecret)
	defer key.Close()
	ks := mustKeyset(t, key)
	defer ks.Close()
	v, err := NewVerifier(ks, []Alg{HS256}, WithNow(1_700_000_001))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	c, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if string(c.JSON()) != payload {
		t.Fatalf("claims JSON is not the signed payload text")
	}
	ex := c.Extra()
	if len(ex) != 3 || ex[0].Name != "note" || string(ex[1].Value) != "123456789012345678901234567890" || string(ex[2].Value) != "0.25" {
		t.Fatalf("extras %v", ex)
	}
	if raw, _ := c.Get("note"); decodeAny(raw).(string) != note {
		t.Fatal("note")
	}
}

func hs256Sign(t *testing.T, secretHex, header, payload string) string {
	t.Helper()
	secret, err := hex.DecodeString(secretHex)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + enc.EncodeToString(m.Sum(nil))
}

func TestKeysAndKeySets(t *testing.T) {
	ed, _ := GenerateEd25519("ed-1")
	es, _ := GenerateES256("es-1")
	hs, _ := KeyFromHS256Bytes([]byte(strings.Repeat("k", 32)), "hs-1")
	defer ed.Close()
	defer es.Close()
	defer hs.Close()
	if kid, ok := ed.Kid(); !ok || kid != "ed-1" {
		t.Fatal("kid")
	}
	noKid, _ := KeyFromHS256Hex(testSecret)
	if _, ok := noKid.Kid(); ok {
		t.Fatal("no kid")
	}
	noKid.Close()
	if _, err := KeyFromHS256Hex(testSecret, ""); !errors.Is(err, ErrValidationError) {
		t.Fatalf("empty kid: %v", err)
	}
	if _, err := KeyFromHS256Bytes([]byte("short"), "x"); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("short secret: %v", err)
	}
	ks := mustKeyset(t, ed, es, hs)
	defer ks.Close()
	if ks.Len() != 3 {
		t.Fatal("len")
	}
	jwks, err := ks.PublicJWKS()
	if err != nil || strings.Contains(jwks, `"d"`) || !strings.Contains(jwks, "es-1") || strings.Contains(jwks, "hs-1") {
		t.Fatalf("jwks %s %v", jwks, err)
	}
	ks2, err := KeySetFromJWKS(jwks)
	if err != nil || ks2.Len() != 2 {
		t.Fatal(err)
	}
	defer ks2.Close()
	k, err := ks2.Get("es-1")
	if err != nil || k == nil || k.Alg() != ES256 {
		t.Fatal("get")
	}
	k.Close()
	if k, err := ks2.Get("nope"); err != nil || k != nil {
		t.Fatal("get missing")
	}
	pem, err := ed.ToPEM(true)
	if err != nil {
		t.Fatal(err)
	}
	fromPem, err := KeyFromPEM(pem, "p")
	if err != nil || fromPem.Alg() != EdDSA {
		t.Fatal(err)
	}
	fromPem.Close()
	jwk, _ := es.ToJWK(true)
	back, err := KeyFromJWK(jwk)
	if err != nil || !back.HasPrivate() {
		t.Fatal(err)
	}
	back.Close()
	if _, err := NewKeySet(); !errors.Is(err, ErrValidationError) {
		t.Fatalf("empty set: %v", err)
	}
	if _, err := NewKeySet(ed, ed); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("duplicate kid: %v", err)
	}
}

func TestClosedAndNilHandlesAreValidationErrors(t *testing.T) {
	k, _ := KeyFromHS256Hex(testSecret)
	ks := mustKeyset(t, k)
	v, _ := NewVerifier(ks, []Alg{HS256})
	k.Close()
	ks.Close()
	v.Close()
	v.Close()
	if _, err := v.Verify("a.b.c"); !errors.Is(err, ErrValidationError) {
		t.Fatalf("closed verifier: %v", err)
	}
	var nilV *Verifier
	if _, err := nilV.Verify("a.b.c"); !errors.Is(err, ErrValidationError) {
		t.Fatalf("nil verifier: %v", err)
	}
	if _, err := NewVerifier(nil, []Alg{HS256}); !errors.Is(err, ErrValidationError) {
		t.Fatalf("nil key set: %v", err)
	}
	if _, err := k.PublicJWK(); !errors.Is(err, ErrValidationError) {
		t.Fatalf("closed key: %v", err)
	}
	if k.Alg() != "" || k.HasPrivate() || ks.Len() != 0 {
		t.Fatal("closed handles answer zero values")
	}
	var s *ScopeSet
	if s.Allows("tool:a") || s.Covers("tool:a") || s.Len() != 0 {
		t.Fatal("nil scope set denies")
	}
	var o *Orchestrator
	if _, err := o.ProvisionSandbox("a", ProvisionArgs{Tools: []string{"a"}}); !errors.Is(err, ErrValidationError) {
		t.Fatalf("nil orchestrator: %v", err)
	}
}

func TestInvalidUTF8AndNUL(t *testing.T) {
	if _, err := KeyFromHS256Hex("\xff" + testSecret[1:]); !errors.Is(err, ErrValidationError) {
		t.Fatalf("non-UTF-8 secret: %v", err)
	}
	if _, err := IssueToken(testSecret, "agent\xff", "tool:a"); !errors.Is(err, ErrValidationError) {
		t.Fatalf("non-UTF-8 sub: %v", err)
	}
	if _, err := ParseScopes("tool:\xff"); !errors.Is(err, ErrValidationError) {
		t.Fatalf("non-UTF-8 claim: %v", err)
	}
	// Boolean queries deny non-UTF-8 and keep NUL bytes with their exact length.
	if CheckScope("ops:\xff", []string{"ops:*"}) || !CheckScope("ops:x", []string{"\xff", "ops:*"}) {
		t.Fatal("non-UTF-8 in check_scope")
	}
	if CheckScope("ops:ledger_export\x00", []string{"ops:*"}) || !CheckScope("ops:ledger_export", []string{"ops:*"}) {
		t.Fatal("NUL must be denied")
	}
	set, err := NewScopeSet("ops:*")
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	if set.Allows("ops:a\x00") || !set.Allows("ops:a") || IsValidScope("tool:a\x00") {
		t.Fatal("NUL in scope set")
	}
	if _, err := NewScopeSet("bad scope"); !errors.Is(err, ErrInvalidScope) {
		t.Fatalf("bad pattern: %v", err)
	}
	if _, err := NewScopeSet("ops:\xff"); !errors.Is(err, ErrValidationError) {
		t.Fatalf("non-UTF-8 pattern: %v", err)
	}
	if _, err := InspectToken("\xff.\x00.\x01"); !errors.Is(err, &Error{Code: CodeInvalidToken, Reason: "malformed"}) {
		t.Fatalf("binary token: %v", err)
	}
}

func TestScopeSetAPI(t *testing.T) {
	set, err := ScopeSetFromClaim("tool:* skill:research-*")
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	p, _ := set.Patterns()
	if set.Len() != 2 || p[1] != "skill:research-*" || !set.Covers("tool:github:*") || set.Covers("skill:*") {
		t.Fatal("scope set")
	}
	if !MatchesWildcard("tool:x", "tool:*") || !Covers([]string{"*"}, "tool:a") {
		t.Fatal("free functions")
	}
	s, err := BuildScopeString([]string{"web"}, []string{"skill:x"}, []string{"help"})
	if err != nil || s != "tool:web skill:x help" {
		t.Fatalf("%q %v", s, err)
	}
	if _, err := ParseRateSpec("0/hour"); err != nil {
		t.Fatal(err)
	}
}

func TestProvisioning(t *testing.T) {
	o, err := NewOrchestrator("https://proxy.example//", testSecret, DefaultAud("aud-x"))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if o.ProxyURL() != "https://proxy.example" {
		t.Fatal(o.ProxyURL())
	}
	env, err := o.ProvisionSandbox("sandbox:1", ProvisionArgs{Tools: []string{"web"}, Rate: []RateEntry{{"tool:web", "5/min"}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ValidateToken(env[EnvSessionToken], testSecret, WithAudience("aud-x"))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := c.Scope(); s != "tool:web" || len(c.RateLimits()) != 1 {
		t.Fatal("provisioned token")
	}
	t.Setenv("WARDEN_GO_TEST_TOKEN", " tok ")
	if tok, err := SessionTokenFromEnv("WARDEN_GO_TEST_TOKEN"); err != nil || tok != "tok" {
		t.Fatal(tok, err)
	}
	key, _ := GenerateEd25519("o")
	defer key.Close()
	o2, err := NewOrchestratorWithKey("https://p", key)
	if err != nil {
		t.Fatal(err)
	}
	o2.Close()
}

// TestConcurrentVerify shares one verifier and one scope set across goroutines (run under -race).
func TestConcurrentVerify(t *testing.T) {
	key, _ := KeyFromHS256Hex(testSecret)
	defer key.Close()
	ks := mustKeyset(t, key)
	defer ks.Close()
	v, err := NewVerifier(ks, []Alg{HS256})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	set, _ := NewScopeSet("tool:*")
	defer set.Close()
	tok, _ := IssueToken(testSecret, "agent-1", "tool:a")
	var wg sync.WaitGroup
	var failures atomic.Int32
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				c, err := v.Verify(tok)
				if err != nil || !c.Allows("tool:a") || !set.Allows("tool:b") {
					failures.Add(1)
				}
				if s, _ := c.Sub(); s != "agent-1" {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d failures", failures.Load())
	}
}

func jwksServer(t *testing.T, body *atomic.Value, hits *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/jwks.json":
			w.Header().Set("content-type", "application/json")
			w.Write([]byte(body.Load().(string)))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchKeySet(t *testing.T) {
	k1, _ := GenerateEd25519("k1")
	k2, _ := GenerateEd25519("k2")
	defer k1.Close()
	defer k2.Close()
	set1 := mustKeyset(t, k1)
	defer set1.Close()
	set12 := mustKeyset(t, k1, k2)
	defer set12.Close()
	j1, _ := set1.PublicJWKS()
	j12, _ := set12.PublicJWKS()
	var body atomic.Value
	body.Store(j1)
	var hits atomic.Int32
	srv := jwksServer(t, &body, &hits)
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("server at %s", srv.URL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ks, err := FetchKeySet(ctx, srv.URL+"/jwks.json", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	if ks.Len() != 1 || ks.URL() != srv.URL+"/jwks.json" {
		t.Fatalf("len %d url %s", ks.Len(), ks.URL())
	}
	v, err := NewVerifier(ks, []Alg{EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	tok, _ := IssueTokenWithKey(k1, []byte(`{"sub":"a","aud":"ati-proxy","exp":`+itoa(time.Now().Unix()+600)+`,"jti":"j","scope":"tool:a"}`), nil)
	if _, err := v.Verify(tok); err != nil {
		t.Fatal(err)
	}

	body.Store(j12)
	if err := ks.Refresh(ctx); err != nil || ks.Len() != 2 {
		t.Fatalf("refresh: %v (len %d)", err, ks.Len())
	}
	if err := set1.Refresh(ctx); !errors.Is(err, ErrValidationError) {
		t.Fatalf("refresh of a set that was not fetched: %v", err)
	}
	if _, err := FetchKeySet(ctx, srv.URL+"/missing", 0); !errors.Is(err, ErrNetworkError) {
		t.Fatalf("404: %v", err)
	}
	if _, err := FetchKeySet(ctx, "http://example.com/jwks.json", 0); !errors.Is(err, ErrValidationError) {
		t.Fatalf("plain http to a remote host: %v", err)
	}
	if _, err := FetchKeySet(ctx, srv.URL+"/jwks.json", time.Millisecond); !errors.Is(err, ErrValidationError) {
		t.Fatalf("ttl under a second: %v", err)
	}
	// A cancelled context returns at once; the late result is freed when it arrives.
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	start := time.Now()
	if _, err := FetchKeySet(short, srv.URL+"/slow", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("cancellation did not return promptly")
	}
	// Many fetches at once: each callback runs exactly once (a second call would panic on the
	// deleted cgo.Handle).
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ks, err := FetchKeySet(ctx, srv.URL+"/jwks.json", 0)
			if err != nil {
				t.Error(err)
				return
			}
			ks.Close()
		}()
	}
	wg.Wait()
}

func itoa(i int64) string { return formatInt(i) }

func formatInt(i int64) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

func TestVersion(t *testing.T) {
	if Version() == "" {
		t.Fatal("version")
	}
}

// TestShutdownRestarts stops the core runtime (a pending fetch is answered exactly once, with
// INTERNAL or its result) and shows that the next asynchronous call starts a fresh runtime.
func TestShutdownRestarts(t *testing.T) {
	k, _ := GenerateEd25519("k")
	defer k.Close()
	set := mustKeyset(t, k)
	defer set.Close()
	jwks, _ := set.PublicJWKS()
	var body atomic.Value
	body.Store(jwks)
	var hits atomic.Int32
	srv := jwksServer(t, &body, &hits)
	pending := make(chan error, 1)
	go func() {
		_, err := FetchKeySet(context.Background(), srv.URL+"/slow", 0)
		pending <- err
	}()
	time.Sleep(100 * time.Millisecond)
	Shutdown(200 * time.Millisecond)
	select {
	case err := <-pending:
		checkErr(t, "pending fetch", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the pending fetch was never answered")
	}
	ks, err := FetchKeySet(context.Background(), srv.URL+"/jwks.json", 0)
	if err != nil {
		t.Fatalf("after Shutdown: %v", err)
	}
	ks.Close()
}
