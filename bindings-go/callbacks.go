package warden

// The //export functions the core calls back (a file with //export may only declare in its
// preamble). Each is called exactly once per asynchronous call, normally from a core runtime
// thread: it hands the result to the waiting goroutine's buffered channel and deletes the
// cgo.Handle.

/*
#include "warden.h"
*/
import "C"

import "runtime/cgo"

//export wardenGoKeySetCallback
func wardenGoKeySetCallback(userData C.uintptr_t, keyset *C.WardenKeySet, err *C.WardenError) {
	h := cgo.Handle(userData)
	ch := h.Value().(chan keySetResult)
	h.Delete()
	ch <- keySetResult{ks: keyset, err: err}
}

//export wardenGoDoneCallback
func wardenGoDoneCallback(userData C.uintptr_t, err *C.WardenError) {
	h := cgo.Handle(userData)
	ch := h.Value().(chan *C.WardenError)
	h.Delete()
	ch <- err
}
