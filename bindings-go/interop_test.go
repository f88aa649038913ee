package warden

// Interop with the real github.com/golang-jwt/jwt/v5, both directions, HS256 and EdDSA.

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type atiClaims struct {
	Scope string `json:"scope"`
	jwt.RegisteredClaims
}

func golangJWTParser(methods ...string) *jwt.Parser {
	return jwt.NewParser(jwt.WithValidMethods(methods), jwt.WithAudience("ati-proxy"), jwt.WithIssuer("ati-orchestrator"), jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(60*time.Second))
}

func TestInteropHS256WardenToGolangJWT(t *testing.T) {
	tok, err := IssueToken(testSecret, "agent-1", "tool:web_search", TTL(600), JTI("j-hs"))
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := hex.DecodeString(testSecret)
	var c atiClaims
	parsed, err := golangJWTParser("HS256").ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return secret, nil })
	if err != nil || !parsed.Valid {
		t.Fatalf("golang-jwt rejected a Warden token: %v", err)
	}
	if c.Subject != "agent-1" || c.Scope != "tool:web_search" || c.ID != "j-hs" || c.ExpiresAt.Sub(c.IssuedAt.Time) != 600*time.Second {
		t.Fatalf("claims %+v", c)
	}
	// A wrong secret is refused on both sides.
	if _, err := golangJWTParser("HS256").ParseWithClaims(tok, &atiClaims{}, func(*jwt.Token) (any, error) { return []byte("another secret of thirty-two bytes!!"), nil }); err == nil {
		t.Fatal("golang-jwt accepted a bad signature")
	}
}

func TestInteropHS256GolangJWTToWarden(t *testing.T) {
	secret, _ := hex.DecodeString(testSecret)
	now := time.Now()
	claims := atiClaims{Scope: "tool:a skill:b-*", RegisteredClaims: jwt.RegisteredClaims{
		Subject: "agent-2", Audience: jwt.ClaimStrings{"ati-proxy"}, Issuer: "ati-orchestrator", ID: "j-go",
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ValidateToken(tok, testSecret, WithIssuer("ati-orchestrator"))
	if err != nil {
		t.Fatalf("Warden rejected a golang-jwt token: %v", err)
	}
	if s, _ := c.Sub(); s != "agent-2" || !c.Allows("skill:b-x") {
		t.Fatalf("claims %s", c)
	}
	// golang-jwt writes aud as a one-element array; Warden accepts it and keeps it as is.
	if aud, _ := c.Aud(); string(aud) != `["ati-proxy"]` {
		t.Fatalf("aud %s", aud)
	}
	if _, err := ValidateToken(tok, "ff"+testSecret[2:]); !isCode(err, CodeInvalidToken) {
		t.Fatalf("bad secret: %v", err)
	}
}

func isCode(err error, c Code) bool {
	w, ok := err.(*Error)
	return ok && w.Code == c
}

func TestInteropEdDSAWardenToGolangJWT(t *testing.T) {
	key, err := GenerateEd25519("ed-w")
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	now := time.Now().Unix()
	tok, err := IssueTokenWithKey(key, []byte(`{"sub":"agent-3","aud":"ati-proxy","iat":`+formatInt(now)+`,"exp":`+formatInt(now+600)+`,"iss":"ati-orchestrator","jti":"j-ed","scope":"tool:a"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	pubJWK, _ := key.PublicJWK()
	var jwk struct{ X string }
	json.Unmarshal([]byte(pubJWK), &jwk)
	x, err := base64.RawURLEncoding.DecodeString(jwk.X)
	if err != nil || len(x) != ed25519.PublicKeySize {
		t.Fatalf("jwk x: %v", err)
	}
	var c atiClaims
	parsed, err := golangJWTParser("EdDSA").ParseWithClaims(tok, &c, func(tk *jwt.Token) (any, error) {
		if tk.Header["kid"] != "ed-w" {
			t.Errorf("kid header %v", tk.Header["kid"])
		}
		return ed25519.PublicKey(x), nil
	})
	if err != nil || !parsed.Valid || c.Subject != "agent-3" || c.Scope != "tool:a" {
		t.Fatalf("golang-jwt rejected a Warden EdDSA token: %v %+v", err, c)
	}
}

func TestInteropEdDSAGolangJWTToWarden(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	jwkText := `{"kty":"OKP","crv":"Ed25519","kid":"go-ed","x":"` + enc.EncodeToString(pub) + `"}`
	key, err := KeyFromJWK(jwkText)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	ks := mustKeyset(t, key)
	defer ks.Close()
	v, err := NewVerifier(ks, []Alg{EdDSA}, WithIssuer("ati-orchestrator"), WithKidRequired(true))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	now := time.Now()
	token := jwt.NewWithClaims(jwt.SigningMethodEdDSA, atiClaims{Scope: "tool:x", RegisteredClaims: jwt.RegisteredClaims{
		Subject: "agent-4", Audience: jwt.ClaimStrings{"ati-proxy"}, Issuer: "ati-orchestrator", ID: "j-go-ed",
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}})
	token.Header["kid"] = "go-ed"
	tok, err := token.SignedString(priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("Warden rejected a golang-jwt EdDSA token: %v", err)
	}
	if s, _ := c.Sub(); s != "agent-4" {
		t.Fatalf("claims %s", c)
	}
	// Private key from golang-jwt's side imported into Warden signs tokens golang-jwt accepts.
	privJWK := `{"kty":"OKP","crv":"Ed25519","kid":"go-ed","x":"` + enc.EncodeToString(pub) + `","d":"` + enc.EncodeToString(priv.Seed()) + `"}`
	wkey, err := KeyFromJWK(privJWK)
	if err != nil {
		t.Fatal(err)
	}
	defer wkey.Close()
	back, err := IssueTokenWithKey(wkey, []byte(`{"sub":"agent-5","aud":"ati-proxy","iat":`+formatInt(now.Unix())+`,"exp":`+formatInt(now.Unix()+60)+`,"iss":"ati-orchestrator","jti":"j5","scope":"tool:y"}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := golangJWTParser("EdDSA").ParseWithClaims(back, &atiClaims{}, func(*jwt.Token) (any, error) { return pub, nil }); err != nil {
		t.Fatalf("golang-jwt rejected: %v", err)
	}
}
