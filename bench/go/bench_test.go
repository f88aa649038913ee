// Side-by-side benchmarks: Warden (Rust core through cgo) against golang-jwt/jwt/v5 and a
// plain-Go wildcard loop. Run them with ./run.sh, which prints ns/op and the ratios of one run.
package bench

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	warden "example.invalid/warden/bindings-go"
	"github.com/golang-jwt/jwt/v5"
)

const secretHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

type atiClaims struct {
	Scope string `json:"scope"`
	jwt.RegisteredClaims
}

// The same checks on both sides: allowed algorithm, signature, aud, iss, exp (required),
// iat, 60 s leeway. (Warden also checks sub/jti/scope grammar, typ, header rules and more.)
func golangJWTParser(method string) *jwt.Parser {
	return jwt.NewParser(jwt.WithValidMethods([]string{method}), jwt.WithAudience("ati-proxy"), jwt.WithIssuer("ati-orchestrator"),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(60*time.Second))
}

func wardenVerifier(b *testing.B, key *warden.Key, alg warden.Alg) *warden.Verifier {
	ks, err := warden.NewKeySet(key)
	if err != nil {
		b.Fatal(err)
	}
	defer ks.Close()
	v, err := warden.NewVerifier(ks, []warden.Alg{alg}, warden.WithAudience("ati-proxy"), warden.WithIssuer("ati-orchestrator"), warden.WithLeeway(60))
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func hs256Token(b *testing.B) string {
	tok, err := warden.IssueToken(secretHex, "agent-1", "tool:web_search tool:github:* skill:research-*", warden.TTL(3600), warden.JTI("bench-jti-1"), warden.Rate("tool:web_search", "10/hour"))
	if err != nil {
		b.Fatal(err)
	}
	return tok
}

func BenchmarkHS256Verify(b *testing.B) {
	tok := hs256Token(b)
	secret, _ := hex.DecodeString(secretHex)
	b.Run("warden", func(b *testing.B) {
		key, _ := warden.KeyFromHS256Hex(secretHex)
		v := wardenVerifier(b, key, warden.HS256)
		defer v.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := v.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("golang-jwt", func(b *testing.B) {
		p := golangJWTParser("HS256")
		kf := func(*jwt.Token) (any, error) { return secret, nil }
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var c atiClaims
			if _, err := p.ParseWithClaims(tok, &c, kf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEdDSAVerify(b *testing.B) {
	key, err := warden.GenerateEd25519("ed-bench")
	if err != nil {
		b.Fatal(err)
	}
	defer key.Close()
	now := time.Now().Unix()
	tok, err := warden.IssueTokenWithKey(key, []byte(`{"sub":"agent-1","aud":"ati-proxy","iat":`+strconv.FormatInt(now, 10)+`,"exp":`+strconv.FormatInt(now+3600, 10)+`,"iss":"ati-orchestrator","jti":"bench-jti-2","scope":"tool:web_search"}`), nil)
	if err != nil {
		b.Fatal(err)
	}
	pubJWK, _ := key.PublicJWK()
	var jwk struct{ X string }
	_ = json.Unmarshal([]byte(pubJWK), &jwk)
	x, _ := base64.RawURLEncoding.DecodeString(jwk.X)
	pub := ed25519.PublicKey(x)
	b.Run("warden", func(b *testing.B) {
		pk, _ := key.PublicKey()
		v := wardenVerifier(b, pk, warden.EdDSA)
		pk.Close()
		defer v.Close()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := v.Verify(tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("golang-jwt", func(b *testing.B) {
		p := golangJWTParser("EdDSA")
		kf := func(*jwt.Token) (any, error) { return pub, nil }
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			var c atiClaims
			if _, err := p.ParseWithClaims(tok, &c, kf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Twenty patterns: exact scopes, prefix:* and partial-segment wildcards.
func patterns() []string {
	var ps []string
	for i := 0; i < 7; i++ {
		ps = append(ps, "tool:exact_"+strconv.Itoa(i))
		ps = append(ps, "ns"+strconv.Itoa(i)+":*")
	}
	for i := 0; i < 6; i++ {
		ps = append(ps, "skill:topic"+strconv.Itoa(i)+"-*")
	}
	return ps
}

// plainAllows is the wildcard loop a Go service would write by hand.
func plainAllows(ps []string, required string) bool {
	for _, p := range ps {
		if p == "*" || p == required {
			return true
		}
		if strings.HasSuffix(p, "*") {
			prefix := p[:len(p)-1]
			if len(required) > len(prefix) && strings.HasPrefix(required, prefix) {
				rest := required[len(prefix):]
				if strings.HasSuffix(prefix, ":") || !strings.Contains(rest, ":") {
					return true
				}
			}
		}
	}
	return false
}

var scopeQueries = []string{"skill:topic5-deep", "tool:exact_6", "ns3:read:all", "tool:denied_scope"}

func BenchmarkScopeAllows20(b *testing.B) {
	ps := patterns()
	if len(ps) != 20 {
		b.Fatalf("%d patterns", len(ps))
	}
	b.Run("warden", func(b *testing.B) {
		set, err := warden.NewScopeSet(ps...)
		if err != nil {
			b.Fatal(err)
		}
		defer set.Close()
		for _, q := range scopeQueries {
			if set.Allows(q) != plainAllows(ps, q) {
				b.Fatalf("answers differ for %s", q)
			}
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			set.Allows(scopeQueries[i&3])
		}
	})
	b.Run("plain-go", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			plainAllows(ps, scopeQueries[i&3])
		}
	})
}
