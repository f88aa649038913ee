// Package warden is the Go SDK of Warden: AI-agent identity and authorization (keys, JWT
// session tokens, scopes, rate specs, provisioning) over the Rust core, through the C ABI of
// include/warden.h. The Rust library is linked statically, so `go build` produces a
// self-contained binary.
//
// Every behaviour lives in the core; this package converts types and errors and adds Go
// idioms (context.Context, Close, errors.Is/As). Handles (Key, KeySet, Verifier, ScopeSet,
// Orchestrator) are safe for concurrent use; Close them when done (a cleanup frees a handle
// that was never closed, as a safety net only).
package warden

/*
#cgo CFLAGS: -I${SRCDIR}/../include
#cgo LDFLAGS: ${SRCDIR}/../target/release/libwarden.a -ldl -lm -lpthread
#include "warden.h"
*/
import "C"

import (
	"encoding/json"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Version is the version of the linked Warden core.
func Version() string { return C.GoString(C.warden_version()) }

// Shutdown stops the core runtime, giving running tasks up to timeout to finish. Call it once
// at exit after the last asynchronous call (FetchKeySet, Refresh) returned; it is optional for
// short-lived programs and idempotent (a later asynchronous call starts a fresh runtime).
func Shutdown(timeout time.Duration) {
	C.warden_runtime_shutdown(C.uint64_t(timeout.Milliseconds()))
}

// str passes a Go string as a (ptr, len) pair. C only reads it during the call.
func str(s string) (*C.uint8_t, C.size_t) {
	return (*C.uint8_t)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// byts passes a Go byte slice as a (ptr, len) pair.
func byts(b []byte) (*C.uint8_t, C.size_t) {
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}

// optStr passes an optional string: NULL when not given.
func optStr(s *string) (*C.uint8_t, C.size_t) {
	if s == nil {
		return nil, 0
	}
	if len(*s) == 0 {
		// A non-NULL pointer for the empty string, so that "given but empty" reaches the core.
		return (*C.uint8_t)(unsafe.Pointer(&emptyByte)), 0
	}
	return str(*s)
}

var emptyByte byte

// strList is a string list in the C ABI's (data, lens, count) form.
type strList struct {
	data []byte
	lens []C.size_t
}

func newStrList(items []string) strList {
	n := 0
	for _, s := range items {
		n += len(s)
	}
	l := strList{data: make([]byte, 0, n+1), lens: make([]C.size_t, len(items), len(items)+1)}
	for i, s := range items {
		l.data = append(l.data, s...)
		l.lens[i] = C.size_t(len(s))
	}
	return l
}

func (l strList) args() (*C.uint8_t, *C.size_t, C.size_t) {
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(l.data))), (*C.size_t)(unsafe.Pointer(unsafe.SliceData(l.lens))), C.size_t(len(l.lens))
}

// takeBytes copies a WardenBytes into Go memory and frees it. A NULL ptr gives nil.
func takeBytes(b C.WardenBytes) []byte {
	if b.ptr == nil {
		return nil
	}
	out := C.GoBytes(unsafe.Pointer(b.ptr), C.int(b.len))
	C.warden_bytes_free(b)
	return out
}

func takeString(b C.WardenBytes) string { return string(takeBytes(b)) }

func takeStrings(b C.WardenBytes) ([]string, error) {
	var out []string
	if err := json.Unmarshal(takeBytes(b), &out); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "warden: cannot decode a string list from the core: " + err.Error()}
	}
	return out, nil
}

// jsonString encodes a string argument for a JSON-taking entry point; text that is not
// UTF-8 is a VALIDATION_ERROR, as everywhere in the C ABI.
func jsonString(what, s string) (json.RawMessage, error) {
	if !utf8.ValidString(s) {
		return nil, &Error{Code: CodeValidationError, Message: what + " is not valid UTF-8"}
	}
	b, err := json.Marshal(s)
	return b, err
}

// object builds a JSON object with members in insertion order.
type object struct {
	buf []byte
	err error
}

func (o *object) raw(name string, v json.RawMessage) {
	if o.buf == nil {
		o.buf = append(o.buf, '{')
	} else {
		o.buf = append(o.buf, ',')
	}
	k, err := jsonString("a member name", name)
	if err != nil && o.err == nil {
		o.err = err
	}
	o.buf = append(o.buf, k...)
	o.buf = append(o.buf, ':')
	o.buf = append(o.buf, v...)
}

func (o *object) str(name, what, s string) {
	v, err := jsonString(what, s)
	if err != nil && o.err == nil {
		o.err = err
	}
	o.raw(name, v)
}

func (o *object) strs(name, what string, ss []string) {
	b := []byte{'['}
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		v, err := jsonString(what, s)
		if err != nil && o.err == nil {
			o.err = err
		}
		b = append(b, v...)
	}
	o.raw(name, append(b, ']'))
}

func (o *object) value(name string, v any) {
	b, err := json.Marshal(v)
	if err != nil && o.err == nil {
		o.err = err
	}
	o.raw(name, b)
}

func (o *object) bytes() ([]byte, error) {
	if o.err != nil {
		return nil, o.err
	}
	if o.buf == nil {
		return []byte("{}"), nil
	}
	return append(o.buf, '}'), nil
}
