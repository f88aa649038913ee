package warden

/*
#cgo noescape warden_verifier_verify
#cgo nocallback warden_verifier_verify
#include "warden.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// Option is an option of NewVerifier (every option) and ValidateToken (WithAudience,
// WithIssuer, WithLeeway, WithNow). An option not given takes the core's default
// (SEMANTICS-tokens §3.2).
type Option func(*options)

type options struct {
	obj object
	// For ValidateToken.
	audience, issuer *string
	leeway, now      *int64
	other            []string
}

func (o *options) set(name string) { o.other = append(o.other, name) }

// WithAudience sets the required audience (default "ati-proxy").
func WithAudience(aud string) Option {
	return func(o *options) { o.obj.str("audience", "audience", aud); o.audience = &aud }
}

// WithIssuer sets the required issuer (default: not checked; when set, a token without iss is
// rejected).
func WithIssuer(iss string) Option {
	return func(o *options) { o.obj.str("issuer", "issuer", iss); o.issuer = &iss }
}

// WithLeeway sets the clock-skew allowance in seconds, 0..300 (default 60).
func WithLeeway(seconds int64) Option {
	return func(o *options) { o.obj.value("leeway_seconds", seconds); o.leeway = &seconds }
}

// WithNow fixes the clock (unix seconds) for every time check; for tests and vectors.
func WithNow(unixSeconds int64) Option {
	return func(o *options) { o.obj.value("now", unixSeconds); o.now = &unixSeconds }
}

// WithRequiredClaims sets the claims that must be present (default sub aud iat exp jti scope).
func WithRequiredClaims(names ...string) Option {
	return func(o *options) {
		o.obj.strs("required_claims", "required_claims", names)
		o.set("required_claims")
	}
}

// WithAllowedTyp sets the accepted typ header values, case-insensitive (default JWT, at+jwt).
func WithAllowedTyp(typs ...string) Option {
	return func(o *options) { o.obj.strs("allowed_typ", "allowed_typ", typs); o.set("allowed_typ") }
}

// WithMaxTokenBytes sets the longest token accepted (default 8192).
func WithMaxTokenBytes(n int) Option {
	return func(o *options) { o.obj.value("max_token_bytes", n); o.set("max_token_bytes") }
}

// WithMaxLifetime sets the longest exp - iat in seconds (default 86400).
func WithMaxLifetime(seconds int64) Option {
	return func(o *options) { o.obj.value("max_lifetime_seconds", seconds); o.set("max_lifetime_seconds") }
}

// WithMaxJSONDepth sets the deepest JSON nesting accepted in header and payload (default 32).
func WithMaxJSONDepth(n int) Option {
	return func(o *options) { o.obj.value("max_json_depth", n); o.set("max_json_depth") }
}

// WithKidRequired requires a kid header (default false).
func WithKidRequired(required bool) Option {
	return func(o *options) { o.obj.value("kid_required", required); o.set("kid_required") }
}

// WithOneTime turns on replay protection: each jti is accepted once until its exp.
func WithOneTime(oneTime bool) Option {
	return func(o *options) { o.obj.value("one_time", oneTime); o.set("one_time") }
}

// Verifier verifies tokens against a key set and options; build it once and reuse it from
// any number of goroutines. Close it when done.
type Verifier struct {
	ptr     *C.WardenVerifier
	cleanup runtime.Cleanup
}

// NewVerifier is Verifier(keys, options): algorithms is the required allow-list.
// VALIDATION_ERROR for bad options. The verifier keeps its own reference to keys.
func NewVerifier(keys *KeySet, algorithms []Alg, opts ...Option) (*Verifier, error) {
	var o options
	names := make([]string, len(algorithms))
	for i, a := range algorithms {
		names[i] = string(a)
	}
	o.obj.strs("algorithms", "algorithms", names)
	for _, f := range opts {
		f(&o)
	}
	js, err := o.obj.bytes()
	if err != nil {
		return nil, err
	}
	return NewVerifierJSON(keys, js)
}

// NewVerifierJSON builds a verifier from options given as a JSON object whose member names are
// the option names of SEMANTICS-tokens §3.2 ("algorithms", "audience", "leeway_seconds", …);
// the core checks names, types and ranges (VALIDATION_ERROR).
func NewVerifierJSON(keys *KeySet, optionsJSON []byte) (*Verifier, error) {
	var p *C.WardenVerifier
	var cerr *C.WardenError
	b, bl := byts(optionsJSON)
	ok := C.warden_verifier_new(keys.handle(), b, bl, &p, &cerr)
	runtime.KeepAlive(keys)
	if !ok {
		return nil, takeError(cerr)
	}
	v := &Verifier{ptr: p}
	v.cleanup = runtime.AddCleanup(v, func(p *C.WardenVerifier) { C.warden_verifier_free(p) }, p)
	return v, nil
}

// Close frees the verifier. Idempotent; do not call it while a Verify is running.
func (v *Verifier) Close() error {
	if v != nil && v.ptr != nil {
		v.cleanup.Stop()
		C.warden_verifier_free(v.ptr)
		v.ptr = nil
	}
	return nil
}

func (v *Verifier) handle() *C.WardenVerifier {
	if v == nil {
		return nil
	}
	return v.ptr
}

// Verify checks a compact JWS (every rule of SEMANTICS-tokens §3) and returns its claims. It
// crosses into the core once; the claims come back as compact JSON read lazily.
func (v *Verifier) Verify(token string) (*Claims, error) {
	// The claims JSON is normally shorter than the token; if not, the core hands back its own
	// buffer instead.
	buf := make([]byte, len(token)+64)
	var n C.size_t
	var overflow C.WardenBytes
	var cerr *C.WardenError
	t, tl := str(token)
	ok := C.warden_verifier_verify(v.handle(), t, tl, (*C.uint8_t)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &n, &overflow, &cerr)
	runtime.KeepAlive(v)
	if !ok {
		return nil, takeError(cerr)
	}
	if overflow.ptr != nil {
		return newClaims(takeBytes(overflow)), nil
	}
	return newClaims(buf[:n:n]), nil
}

// Revoke marks a jti revoked on this verifier: tokens carrying it now fail with TOKEN_REVOKED.
func (v *Verifier) Revoke(jti string) error {
	var cerr *C.WardenError
	j, jl := str(jti)
	ok := C.warden_verifier_revoke(v.handle(), j, jl, &cerr)
	runtime.KeepAlive(v)
	if !ok {
		return takeError(cerr)
	}
	return nil
}

// IsRevoked reports whether jti was revoked on this verifier.
func (v *Verifier) IsRevoked(jti string) bool {
	j, jl := str(jti)
	r := C.warden_verifier_is_revoked(v.handle(), j, jl)
	runtime.KeepAlive(v)
	return bool(r)
}

// ValidateToken is validate_token(token, secret, audience="ati-proxy", issuer=None,
// leeway=60): the ATI-compatible HS256 shortcut. It takes WithAudience, WithIssuer,
// WithLeeway and WithNow; any other option is a VALIDATION_ERROR.
func ValidateToken(token, secretHex string, opts ...Option) (*Claims, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if len(o.other) > 0 {
		return nil, &Error{Code: CodeValidationError, Message: "validate_token does not take the option " + o.other[0]}
	}
	if _, err := o.obj.bytes(); err != nil {
		return nil, err
	}
	var b C.WardenBytes
	var cerr *C.WardenError
	t, tl := str(token)
	s, sl := str(secretHex)
	a, al := optStr(o.audience)
	i, il := optStr(o.issuer)
	var leeway, now *C.int64_t
	if o.leeway != nil {
		leeway = (*C.int64_t)(unsafe.Pointer(o.leeway))
	}
	if o.now != nil {
		now = (*C.int64_t)(unsafe.Pointer(o.now))
	}
	if !C.warden_validate_token(t, tl, s, sl, a, al, i, il, leeway, now, &b, &cerr) {
		return nil, takeError(cerr)
	}
	return newClaims(takeBytes(b)), nil
}

// InspectToken is inspect_token(token): it decodes without verifying the signature or times
// (the format rules still apply) and never fails on a missing claim.
func InspectToken(token string) (*Claims, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	t, tl := str(token)
	if !C.warden_inspect_token(t, tl, &b, &cerr) {
		return nil, takeError(cerr)
	}
	return newClaims(takeBytes(b)), nil
}

// IssueOption is an optional argument of IssueToken.
type IssueOption func(*issueArgs)

type issueArgs struct {
	obj  object
	rate object
}

// TTL sets ttl_seconds, an integer 1..86400 (default 3600).
func TTL(seconds int64) IssueOption {
	return func(a *issueArgs) { a.obj.value("ttl_seconds", seconds) }
}

// Aud sets the audience claim (default "ati-proxy").
func Aud(aud string) IssueOption { return func(a *issueArgs) { a.obj.str("aud", "aud", aud) } }

// Iss sets the issuer claim (default "ati-orchestrator").
func Iss(iss string) IssueOption { return func(a *issueArgs) { a.obj.str("iss", "iss", iss) } }

// NoIss omits the issuer claim.
func NoIss() IssueOption { return func(a *issueArgs) { a.obj.raw("iss", []byte("null")) } }

// JTI sets the token id (default, also when empty: a random UUIDv4).
func JTI(jti string) IssueOption { return func(a *issueArgs) { a.obj.str("jti", "jti", jti) } }

// Rate adds a rate limit pattern -> spec (such as "10/hour"); limits keep their order.
func Rate(pattern, spec string) IssueOption {
	return func(a *issueArgs) { a.rate.str(pattern, "rate spec", spec) }
}

// IssuedAt fixes the clock (unix seconds) used for iat; for tests and vectors.
func IssuedAt(unixSeconds int64) IssueOption {
	return func(a *issueArgs) { a.obj.value("now", unixSeconds) }
}

// IssueToken is issue_token(secret, sub, scope, ttl_seconds=3600, aud="ati-proxy",
// iss="ati-orchestrator", jti=None, rate=None): the ATI-compatible HS256 shortcut, byte for
// byte the layout of ati-client. Errors: INVALID_KEY, INVALID_SCOPE, INVALID_RATE_SPEC,
// VALIDATION_ERROR.
func IssueToken(secretHex, sub, scope string, opts ...IssueOption) (string, error) {
	var a issueArgs
	a.obj.str("sub", "sub", sub)
	a.obj.str("scope", "scope", scope)
	for _, f := range opts {
		f(&a)
	}
	if a.rate.buf != nil {
		r, err := a.rate.bytes()
		if err != nil {
			return "", err
		}
		a.obj.raw("rate", r)
	}
	js, err := a.obj.bytes()
	if err != nil {
		return "", err
	}
	var b C.WardenBytes
	var cerr *C.WardenError
	s, sl := str(secretHex)
	j, jl := byts(js)
	if !C.warden_issue_token(s, sl, j, jl, &b, &cerr) {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}

// IssueTokenWithKey is issue_token(key, claims): it signs claims given as a JSON object
// (members keep their order; standard claims are laid out as SEMANTICS-tokens §3.1 says,
// extras follow in order). now, when not nil, fixes the clock used when iat is absent.
func IssueTokenWithKey(key *Key, claimsJSON []byte, now *int64) (string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	c, cl := byts(claimsJSON)
	var n *C.int64_t
	if now != nil {
		n = (*C.int64_t)(unsafe.Pointer(now))
	}
	ok := C.warden_issue_token_with_key(key.handle(), c, cl, n, &b, &cerr)
	runtime.KeepAlive(key)
	if !ok {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}
