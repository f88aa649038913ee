package warden

/*
#include "warden.h"
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
)

// Claims is a token payload as the core returned it: compact JSON, members in token order,
// decoded lazily on first access. Standard claims have accessors; everything else is an extra
// claim, kept unchanged (big integers and floats included). Safe for concurrent use.
type Claims struct {
	raw     []byte
	once    sync.Once
	members []Claim
	err     error
}

// Claim is one member of the payload: its name and its JSON value, unchanged.
type Claim struct {
	Name  string
	Value json.RawMessage
}

func newClaims(raw []byte) *Claims { return &Claims{raw: raw} }

var standardNames = sync.OnceValue(func() map[string]bool {
	var b C.WardenBytes
	var cerr *C.WardenError
	if !C.warden_claims_standard_names(&b, &cerr) {
		panic(takeError(cerr))
	}
	names, err := takeStrings(b)
	if err != nil {
		panic(err)
	}
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
})

func (c *Claims) decode() {
	c.once.Do(func() {
		dec := json.NewDecoder(bytes.NewReader(c.raw))
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			c.err = &Error{Code: CodeInternal, Message: "claims from the core are not a JSON object"}
			return
		}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				c.err = &Error{Code: CodeInternal, Message: "claims from the core: " + err.Error()}
				return
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				c.err = &Error{Code: CodeInternal, Message: "claims from the core: " + err.Error()}
				return
			}
			c.members = append(c.members, Claim{Name: t.(string), Value: v})
		}
	})
}

// JSON returns the whole payload as compact JSON, members in token order. Do not modify it.
func (c *Claims) JSON() []byte { return c.raw }

// MarshalJSON returns the payload unchanged.
func (c *Claims) MarshalJSON() ([]byte, error) { return c.raw, nil }

// String returns the payload as JSON text.
func (c *Claims) String() string { return string(c.raw) }

// All returns every member in token order.
func (c *Claims) All() []Claim {
	c.decode()
	return append([]Claim(nil), c.members...)
}

// Get returns the JSON value of any member.
func (c *Claims) Get(name string) (json.RawMessage, bool) {
	c.decode()
	for _, m := range c.members {
		if m.Name == name {
			return m.Value, true
		}
	}
	return nil, false
}

// Extra returns the members that have no accessor (job_id, sandbox_id, …), in token order.
func (c *Claims) Extra() []Claim {
	c.decode()
	std := standardNames()
	var out []Claim
	for _, m := range c.members {
		if !std[m.Name] {
			out = append(out, m)
		}
	}
	return out
}

func (c *Claims) str(name string) (string, bool) {
	v, ok := c.Get(name)
	if !ok || len(v) == 0 || v[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

func (c *Claims) int(name string) (int64, bool) {
	v, ok := c.Get(name)
	if !ok {
		return 0, false
	}
	// Only an integer literal that fits int64 (a float or a bigger integer is not one).
	i, err := strconv.ParseInt(string(v), 10, 64)
	return i, err == nil
}

// Sub is the sub claim, if present and a string.
func (c *Claims) Sub() (string, bool) { return c.str("sub") }

// Aud is the aud claim exactly as in the token (a string or an array).
func (c *Claims) Aud() (json.RawMessage, bool) { return c.Get("aud") }

// Iat is the iat claim, if present and an integer.
func (c *Claims) Iat() (int64, bool) { return c.int("iat") }

// Exp is the exp claim, if present and an integer.
func (c *Claims) Exp() (int64, bool) { return c.int("exp") }

// Nbf is the nbf claim, if present and an integer.
func (c *Claims) Nbf() (int64, bool) { return c.int("nbf") }

// Jti is the jti claim, if present and a string.
func (c *Claims) Jti() (string, bool) { return c.str("jti") }

// Iss is the iss claim, if present and a string.
func (c *Claims) Iss() (string, bool) { return c.str("iss") }

// Scope is the raw scope claim, if present and a string.
func (c *Claims) Scope() (string, bool) { return c.str("scope") }

// ATI is the ATI namespace ({"v":1,"rate":{…}}), if present.
func (c *Claims) ATI() (json.RawMessage, bool) { return c.Get("ati") }

// Scopes returns the scope tokens (empty when there is no string scope claim).
func (c *Claims) Scopes() []string {
	var b C.WardenBytes
	var cerr *C.WardenError
	j, jl := byts(c.raw)
	if !C.warden_claims_scopes(j, jl, &b, &cerr) {
		C.warden_error_free(cerr)
		return nil
	}
	out, _ := takeStrings(b)
	return out
}

// Allows reports whether the token's scopes allow the concrete scope required.
func (c *Claims) Allows(required string) bool {
	j, jl := byts(c.raw)
	r, rl := str(required)
	return bool(C.warden_claims_allows(j, jl, r, rl))
}

// RateLimit is one rate limit of the ATI namespace.
type RateLimit struct {
	Pattern       string `json:"pattern"`
	Count         uint32 `json:"count"`
	WindowSeconds uint32 `json:"window_seconds"`
}

// RateLimits returns the rate limits of the ATI namespace, in token order.
func (c *Claims) RateLimits() []RateLimit {
	var b C.WardenBytes
	var cerr *C.WardenError
	j, jl := byts(c.raw)
	if !C.warden_claims_rate_limits(j, jl, &b, &cerr) {
		C.warden_error_free(cerr)
		return nil
	}
	var out []RateLimit
	_ = json.Unmarshal(takeBytes(b), &out)
	return out
}
