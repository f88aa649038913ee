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
