package warden

/*
#include "warden.h"

extern void wardenGoKeySetCallback(uintptr_t user_data, WardenKeySet *keyset, WardenError *error);
extern void wardenGoDoneCallback(uintptr_t user_data, WardenError *error);
*/
import "C"

import (
	"context"
	"runtime"
	"runtime/cgo"
	"time"
)

// Alg is a signing algorithm: HS256, EdDSA or ES256. A key is bound to exactly one.
type Alg string

// The algorithms Warden signs and verifies with.
const (
	HS256 Alg = "HS256"
	EdDSA Alg = "EdDSA"
	ES256 Alg = "ES256"
)

// Key is a signing or verification key bound to one algorithm. Close it when done.
type Key struct {
	ptr     *C.WardenKey
	cleanup runtime.Cleanup
}

func newKey(p *C.WardenKey) *Key {
	k := &Key{ptr: p}
	k.cleanup = runtime.AddCleanup(k, func(p *C.WardenKey) { C.warden_key_free(p) }, p)
	return k
}

// Close frees the key. Key sets, verifiers and orchestrators built from it keep their own
// reference. Close is idempotent; do not call it concurrently with other methods.
func (k *Key) Close() error {
	if k != nil && k.ptr != nil {
		k.cleanup.Stop()
		C.warden_key_free(k.ptr)
		k.ptr = nil
	}
	return nil
}

func (k *Key) handle() *C.WardenKey {
	if k == nil {
		return nil
	}
	return k.ptr
}

func keyResult(p *C.WardenKey, ok C.bool, cerr *C.WardenError) (*Key, error) {
	if !ok {
		return nil, takeError(cerr)
	}
	return newKey(p), nil
}

// KeyFromHS256Hex is Key.hs256_hex(secret_hex, kid=None): the 64-hex-digit ATI secret
// format. The key id is optional: KeyFromHS256Hex(secret) or KeyFromHS256Hex(secret, "k1").
func KeyFromHS256Hex(secretHex string, kid ...string) (*Key, error) {
	var p *C.WardenKey
	var cerr *C.WardenError
	s, sl := str(secretHex)
	kp, kl, err := optKid(kid)
	if err != nil {
		return nil, err
	}
	ok := C.warden_key_hs256_hex(s, sl, kp, kl, &p, &cerr)
	return keyResult(p, ok, cerr)
}

// KeyFromHS256Bytes is Key.hs256_bytes: an HMAC secret of at least 32 bytes.
func KeyFromHS256Bytes(secret []byte, kid ...string) (*Key, error) {
	var p *C.WardenKey
	var cerr *C.WardenError
	s, sl := byts(secret)
	kp, kl, err := optKid(kid)
	if err != nil {
		return nil, err
	}
	ok := C.warden_key_hs256_bytes(s, sl, kp, kl, &p, &cerr)
	return keyResult(p, ok, cerr)
}

// GenerateEd25519 creates a random Ed25519 key pair.
func GenerateEd25519(kid ...string) (*Key, error) {
	var p *C.WardenKey
	var cerr *C.WardenError
	kp, kl, err := optKid(kid)
	if err != nil {
		return nil, err
	}
	ok := C.warden_key_generate_ed25519(kp, kl, &p, &cerr)
	return keyResult(p, ok, cerr)
}

// GenerateES256 creates a random P-256 key pair.
func GenerateES256(kid ...string) (*Key, error) {
	var p *C.WardenKey
	var cerr *C.WardenError
	kp, kl, err := optKid(kid)
	if err != nil {
		return nil, err
	}
	ok := C.warden_key_generate_es256(kp, kl, &p, &cerr)
	return keyResult(p, ok, cerr)
}

// KeyFromJWK parses a JWK (kty oct, OKP/Ed25519 or EC/P-256).
func KeyFromJWK(jwk string) (*Key, error) {
	var p *C.WardenKey
	var cerr *C.WardenError
	s, sl := str(jwk)
	ok := C.warden_key_from_jwk(s, sl, &p, &cerr)
	return keyResult(p, ok, cerr)
}

// KeyFromPEM parses a PEM key (Ed25519 or P-256, private or public), with an optional kid.
func KeyFromPEM(pem string, kid ...string) (*Key, error) {
	var p *C.WardenKey
	var cerr *C.WardenError
	s, sl := str(pem)
	kp, kl, err := optKid(kid)
	if err != nil {
		return nil, err
	}
	ok := C.warden_key_from_pem(s, sl, kp, kl, &p, &cerr)
	return keyResult(p, ok, cerr)
}

// optKid passes the optional key id: none given is NULL (no key id); a given kid, even "",
// goes to the core, which checks it.
func optKid(kid []string) (*C.uint8_t, C.size_t, error) {
	switch len(kid) {
	case 0:
		return nil, 0, nil
	case 1:
		p, l := optStr(&kid[0])
		return p, l, nil
	default:
		return nil, 0, &Error{Code: CodeValidationError, Message: "at most one kid"}
	}
}

// Alg is the key's algorithm ("" after Close).
func (k *Key) Alg() Alg {
	v := C.warden_key_alg(k.handle())
	runtime.KeepAlive(k)
	p := C.warden_alg_name(v)
	if p == nil {
		return ""
	}
	return Alg(C.GoString(p))
}

// Kid is the key id, and whether the key has one.
func (k *Key) Kid() (string, bool) {
	var b C.WardenBytes
	var cerr *C.WardenError
	ok := C.warden_key_kid(k.handle(), &b, &cerr)
	runtime.KeepAlive(k)
	if !ok {
		C.warden_error_free(cerr)
		return "", false
	}
	if b.ptr == nil {
		return "", false
	}
	return takeString(b), true
}

// HasPrivate reports whether the key can sign.
func (k *Key) HasPrivate() bool {
	v := C.warden_key_has_private(k.handle())
	runtime.KeepAlive(k)
	return bool(v)
}

func (k *Key) bytesOp(f func(*C.WardenKey, *C.WardenBytes, **C.WardenError) C.bool) (string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	ok := f(k.handle(), &b, &cerr)
	runtime.KeepAlive(k)
	if !ok {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}

// PublicJWK is key.public_jwk(): the public JWK as JSON text.
func (k *Key) PublicJWK() (string, error) {
	return k.bytesOp(func(p *C.WardenKey, b *C.WardenBytes, e **C.WardenError) C.bool {
		return C.warden_key_public_jwk(p, b, e)
	})
}

// ToJWK is key.to_jwk(include_private) as JSON text.
func (k *Key) ToJWK(includePrivate bool) (string, error) {
	return k.bytesOp(func(p *C.WardenKey, b *C.WardenBytes, e **C.WardenError) C.bool {
		return C.warden_key_to_jwk(p, C.bool(includePrivate), b, e)
	})
}

// ToPEM is key.to_pem(include_private).
func (k *Key) ToPEM(includePrivate bool) (string, error) {
	return k.bytesOp(func(p *C.WardenKey, b *C.WardenBytes, e **C.WardenError) C.bool {
		return C.warden_key_to_pem(p, C.bool(includePrivate), b, e)
	})
}

// PublicKey is key.public_key(): the same key without its private part (a new Key).
func (k *Key) PublicKey() (*Key, error) {
	var p *C.WardenKey
	var cerr *C.WardenError
	ok := C.warden_key_public_key(k.handle(), &p, &cerr)
	runtime.KeepAlive(k)
	return keyResult(p, ok, cerr)
}

// KeySet holds several keys by kid, possibly fetched from a JWKS URL. Close it when done.
type KeySet struct {
	ptr     *C.WardenKeySet
	cleanup runtime.Cleanup
}

func newKeySet(p *C.WardenKeySet) *KeySet {
	s := &KeySet{ptr: p}
	s.cleanup = runtime.AddCleanup(s, func(p *C.WardenKeySet) { C.warden_keyset_free(p) }, p)
	return s
}

// Close frees the key set (verifiers built from it keep their own reference). Idempotent.
func (s *KeySet) Close() error {
	if s != nil && s.ptr != nil {
		s.cleanup.Stop()
		C.warden_keyset_free(s.ptr)
		s.ptr = nil
	}
	return nil
}

func (s *KeySet) handle() *C.WardenKeySet {
	if s == nil {
		return nil
	}
	return s.ptr
}

// NewKeySet is KeySet(keys): INVALID_KEY for duplicate key ids, VALIDATION_ERROR when empty.
// The set keeps its own references; the keys may be closed afterwards.
func NewKeySet(keys ...*Key) (*KeySet, error) {
	ptrs := make([]*C.WardenKey, len(keys)+1)
	for i, k := range keys {
		ptrs[i] = k.handle()
	}
	var p *C.WardenKeySet
	var cerr *C.WardenError
	ok := C.warden_keyset_new(&ptrs[0], C.size_t(len(keys)), &p, &cerr)
	runtime.KeepAlive(keys)
	if !ok {
		return nil, takeError(cerr)
	}
	return newKeySet(p), nil
}

// KeySetFromJWKS is KeySet.from_jwks(json).
func KeySetFromJWKS(jwks string) (*KeySet, error) {
	var p *C.WardenKeySet
	var cerr *C.WardenError
	s, sl := str(jwks)
	if !C.warden_keyset_from_jwks(s, sl, &p, &cerr) {
		return nil, takeError(cerr)
	}
	return newKeySet(p), nil
}

// Len is the number of keys now in the set.
func (s *KeySet) Len() int {
	n := C.warden_keyset_len(s.handle())
	runtime.KeepAlive(s)
	return int(n)
}

// Keys returns a snapshot of the keys, in order (each a new Key to Close).
func (s *KeySet) Keys() ([]*Key, error) {
	n := s.Len()
	out := make([]*Key, 0, n)
	for i := 0; i < n; i++ {
		var p *C.WardenKey
		var cerr *C.WardenError
		ok := C.warden_keyset_key_at(s.handle(), C.size_t(i), &p, &cerr)
		runtime.KeepAlive(s)
		if !ok {
			err := takeError(cerr)
			if e, isW := err.(*Error); isW && e.Code == CodeValidationError && i > 0 {
				break // the set was refreshed to fewer keys meanwhile
			}
			return nil, err
		}
		out = append(out, newKey(p))
	}
	return out, nil
}

// Get returns the key with this kid (a new Key to Close), or nil when there is none.
func (s *KeySet) Get(kid string) (*Key, error) {
	var p *C.WardenKey
	var cerr *C.WardenError
	k, kl := str(kid)
	ok := C.warden_keyset_get(s.handle(), k, kl, &p, &cerr)
	runtime.KeepAlive(s)
	if !ok {
		return nil, takeError(cerr)
	}
	if p == nil {
		return nil, nil
	}
	return newKey(p), nil
}

// PublicJWKS is the public JWKS of the set (HMAC keys left out) as JSON text.
func (s *KeySet) PublicJWKS() (string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	ok := C.warden_keyset_to_public_jwks(s.handle(), &b, &cerr)
	runtime.KeepAlive(s)
	if !ok {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}

// URL is the URL a fetched set came from ("" for a set that was not fetched).
func (s *KeySet) URL() string {
	var b C.WardenBytes
	var cerr *C.WardenError
	ok := C.warden_keyset_url(s.handle(), &b, &cerr)
	runtime.KeepAlive(s)
	if !ok {
		C.warden_error_free(cerr)
		return ""
	}
	return takeString(b)
}

// DefaultJWKSTTL is the cache lifetime FetchKeySet uses when given 0 (SEMANTICS-tokens §2).
const DefaultJWKSTTL = 300 * time.Second

type keySetResult struct {
	ks  *C.WardenKeySet
	err *C.WardenError
}

// FetchKeySet is KeySet.fetch(url, ttl_seconds): it fetches a JWKS (https, or http to a
// loopback host) on the core runtime and caches it for ttl (0 = DefaultJWKSTTL; whole
// seconds, 1 s to 24 h). It blocks until the fetch finishes or ctx is done; in the latter case
// it returns ctx.Err() and the late result is freed when it arrives. Errors: NETWORK_ERROR,
// TIMEOUT, INVALID_KEY, VALIDATION_ERROR.
func FetchKeySet(ctx context.Context, url string, ttl time.Duration) (*KeySet, error) {
	if ttl == 0 {
		ttl = DefaultJWKSTTL
	}
	secs := uint64(0)
	if ttl > 0 {
		secs = uint64(ttl / time.Second)
	}
	ch := make(chan keySetResult, 1)
	h := cgo.NewHandle(ch)
	u, ul := str(url)
	var cerr *C.WardenError
	if !C.warden_keyset_fetch(u, ul, C.uint64_t(secs), C.WardenKeySetCallback(C.wardenGoKeySetCallback), C.uintptr_t(h), &cerr) {
		h.Delete()
		return nil, takeError(cerr)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, takeError(r.err)
		}
		return newKeySet(r.ks), nil
	case <-ctx.Done():
		go func() {
			r := <-ch
			C.warden_keyset_free(r.ks)
			C.warden_error_free(r.err)
		}()
		return nil, ctx.Err()
	}
}

// Refresh re-fetches a fetched set now (on failure the old keys stay). It blocks until done
// or ctx is done. VALIDATION_ERROR for a set that was not fetched.
func (s *KeySet) Refresh(ctx context.Context) error {
	ch := make(chan *C.WardenError, 1)
	h := cgo.NewHandle(ch)
	var cerr *C.WardenError
	ok := C.warden_keyset_refresh(s.handle(), C.WardenDoneCallback(C.wardenGoDoneCallback), C.uintptr_t(h), &cerr)
	runtime.KeepAlive(s)
	if !ok {
		h.Delete()
		return takeError(cerr)
	}
	select {
	case e := <-ch:
		if e != nil {
			return takeError(e)
		}
		return nil
	case <-ctx.Done():
		go func() { C.warden_error_free(<-ch) }()
		return ctx.Err()
	}
}
