package warden

/*
#cgo noescape warden_scope_set_allows
#cgo nocallback warden_scope_set_allows
#include "warden.h"
*/
import "C"

import "runtime"

// ParseScopes is parse_scopes(claim): the tokens of a scope claim; INVALID_SCOPE when invalid.
func ParseScopes(claim string) ([]string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	s, sl := str(claim)
	if !C.warden_parse_scopes(s, sl, &b, &cerr) {
		return nil, takeError(cerr)
	}
	return takeStrings(b)
}

// IsValidScope is is_valid_scope(claim).
func IsValidScope(claim string) bool {
	s, sl := str(claim)
	return bool(C.warden_is_valid_scope(s, sl))
}

// CheckScope is check_scope(required, granted): true iff some entry of granted allows
// required (an invalid entry grants nothing; the others still apply).
func CheckScope(required string, granted []string) bool {
	r, rl := str(required)
	l := newStrList(granted)
	d, ls, n := l.args()
	return bool(C.warden_check_scope(r, rl, d, ls, n))
}

// MatchesWildcard is matches_wildcard(name, pattern).
func MatchesWildcard(name, pattern string) bool {
	a, al := str(name)
	b, bl := str(pattern)
	return bool(C.warden_matches_wildcard(a, al, b, bl))
}

// Covers is covers(parents, child): true iff one parent pattern matches every concrete scope
// the child pattern can match.
func Covers(parents []string, child string) bool {
	l := newStrList(parents)
	d, ls, n := l.args()
	c, cl := str(child)
	return bool(C.warden_covers(d, ls, n, c, cl))
}

// BuildScopeString is build_scope_string(tools, skills, extra): tool:/skill: prefixes added
// unless present; VALIDATION_ERROR when the result is not a valid scope claim.
func BuildScopeString(tools, skills, extra []string) (string, error) {
	t, s, e := newStrList(tools), newStrList(skills), newStrList(extra)
	td, tl, tn := t.args()
	sd, sl, sn := s.args()
	ed, el, en := e.args()
	var b C.WardenBytes
	var cerr *C.WardenError
	if !C.warden_build_scope_string(td, tl, tn, sd, sl, sn, ed, el, en, &b, &cerr) {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}

// ScopeSet is a compiled set of scope patterns for hot paths. Close it when done.
type ScopeSet struct {
	ptr     *C.WardenScopeSet
	cleanup runtime.Cleanup
}

func scopeSetResult(p *C.WardenScopeSet, ok C.bool, cerr *C.WardenError) (*ScopeSet, error) {
	if !ok {
		return nil, takeError(cerr)
	}
	s := &ScopeSet{ptr: p}
	s.cleanup = runtime.AddCleanup(s, func(p *C.WardenScopeSet) { C.warden_scope_set_free(p) }, p)
	return s, nil
}

// NewScopeSet is ScopeSet(patterns): INVALID_SCOPE for an ungrammatical pattern,
// VALIDATION_ERROR for more than 64.
func NewScopeSet(patterns ...string) (*ScopeSet, error) {
	l := newStrList(patterns)
	d, ls, n := l.args()
	var p *C.WardenScopeSet
	var cerr *C.WardenError
	ok := C.warden_scope_set_new(d, ls, n, &p, &cerr)
	return scopeSetResult(p, ok, cerr)
}

// NewScopeSetLenient compiles patterns with check_scope semantics: invalid entries are kept in
// Patterns but grant nothing.
func NewScopeSetLenient(patterns ...string) (*ScopeSet, error) {
	l := newStrList(patterns)
	d, ls, n := l.args()
	var p *C.WardenScopeSet
	var cerr *C.WardenError
	ok := C.warden_scope_set_new_lenient(d, ls, n, &p, &cerr)
	return scopeSetResult(p, ok, cerr)
}

// ScopeSetFromClaim builds a set from a space-separated scope claim; INVALID_SCOPE if invalid.
func ScopeSetFromClaim(claim string) (*ScopeSet, error) {
	s, sl := str(claim)
	var p *C.WardenScopeSet
	var cerr *C.WardenError
	ok := C.warden_scope_set_from_claim(s, sl, &p, &cerr)
	return scopeSetResult(p, ok, cerr)
}

// Close frees the set. Idempotent; do not call it concurrently with other methods.
func (s *ScopeSet) Close() error {
	if s != nil && s.ptr != nil {
		s.cleanup.Stop()
		C.warden_scope_set_free(s.ptr)
		s.ptr = nil
	}
	return nil
}

func (s *ScopeSet) handle() *C.WardenScopeSet {
	if s == nil {
		return nil
	}
	return s.ptr
}

// Allows is set.allows(required): the same answer as CheckScope(required, patterns).
func (s *ScopeSet) Allows(required string) bool {
	r, rl := str(required)
	ok := C.warden_scope_set_allows(s.handle(), r, rl)
	runtime.KeepAlive(s)
	return bool(ok)
}

// Covers is set.covers(pattern) (= Covers(patterns, pattern)).
func (s *ScopeSet) Covers(pattern string) bool {
	p, pl := str(pattern)
	ok := C.warden_scope_set_covers(s.handle(), p, pl)
	runtime.KeepAlive(s)
	return bool(ok)
}

// Len is the number of patterns.
func (s *ScopeSet) Len() int {
	n := C.warden_scope_set_len(s.handle())
	runtime.KeepAlive(s)
	return int(n)
}

// Patterns is set.patterns(), in order.
func (s *ScopeSet) Patterns() ([]string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	ok := C.warden_scope_set_patterns(s.handle(), &b, &cerr)
	runtime.KeepAlive(s)
	if !ok {
		return nil, takeError(cerr)
	}
	return takeStrings(b)
}

// RateSpec is a parsed rate spec such as "10/hour".
type RateSpec struct {
	Count         uint32
	WindowSeconds uint32
}

// ParseRateSpec is RateSpec.parse(spec); INVALID_RATE_SPEC otherwise.
func ParseRateSpec(spec string) (RateSpec, error) {
	var count, window C.uint32_t
	var cerr *C.WardenError
	s, sl := str(spec)
	if !C.warden_rate_spec_parse(s, sl, &count, &window, &cerr) {
		return RateSpec{}, takeError(cerr)
	}
	return RateSpec{Count: uint32(count), WindowSeconds: uint32(window)}, nil
}
