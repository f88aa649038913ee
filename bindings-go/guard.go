package warden

// The Guard (SEMANTICS-engine §12): check before a tool call, report after, with batching
// telemetry; Do wraps a function with both.

/*
#include <stdlib.h>
#include "warden.h"
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// Guard checks tool calls for one agent and reports their outcome. Safe for concurrent use.
// Close flushes its telemetry and stops it (later checks fail with VALIDATION_ERROR /
// guard_closed); the native handle is freed when the Guard is garbage-collected.
type Guard struct {
	ptr *C.WardenGuard
}

type guardOptions struct {
	sessionID     *string
	defaultEffect *string
	opts          C.WardenGuardOptions
}

// GuardOption configures NewGuard.
type GuardOption func(*guardOptions)

// WithSessionID makes the guard use a caller-provided session (never replaced); without it the
// guard opens its own session on the first check.
func WithSessionID(sessionID string) GuardOption {
	return func(o *guardOptions) { o.sessionID = &sessionID }
}

// WithBlockOnDeny sets block_on_deny (default true): an enforced denial is returned as an
// error whose Decision field carries the decision.
func WithBlockOnDeny(block bool) GuardOption {
	return func(o *guardOptions) { o.opts.block_on_deny = C.bool(block) }
}

// WithFailOpen sets fail_open (default false): allow read calls when the engine is
// unreachable.
func WithFailOpen(failOpen bool) GuardOption {
	return func(o *guardOptions) { o.opts.fail_open = C.bool(failOpen) }
}

// WithDefaultEffect sets the effect used when a check names none ("read", "mutating",
// "destructive", "admin").
func WithDefaultEffect(effect string) GuardOption {
	return func(o *guardOptions) { o.defaultEffect = &effect }
}

// WithLogInputs sets log_inputs (default false): send the first 200 code points of inputs
// instead of their length.
func WithLogInputs(logInputs bool) GuardOption {
	return func(o *guardOptions) { o.opts.log_inputs = C.bool(logInputs) }
}

// WithStrictMode sets strict_mode; the default is the core's (WARDEN_STRICT_MODE read when the
// guard is built).
func WithStrictMode(strict bool) GuardOption {
	return func(o *guardOptions) {
		o.opts.strict_mode = 0
		if strict {
			o.opts.strict_mode = 1
		}
	}
}

// WithFlushTimer sets flush_timer (default true): flush telemetry every 5 s on the core
// runtime.
func WithFlushTimer(timer bool) GuardOption {
	return func(o *guardOptions) { o.opts.flush_timer = C.bool(timer) }
}

// cBytes copies an optional string into C memory (freed by the caller with C.free).
func cBytes(s *string) (*C.uint8_t, C.size_t) {
	if s == nil {
		return nil, 0
	}
	// One spare byte so that the empty string is a non-NULL pointer ("given but empty").
	p := (*C.uint8_t)(C.malloc(C.size_t(len(*s) + 1)))
	copy(unsafe.Slice((*byte)(unsafe.Pointer(p)), len(*s)+1), *s)
	return p, C.size_t(len(*s))
}

// NewGuard is Guard(client, agent_id, options…). The guard keeps its own reference to the
// client.
func NewGuard(client *Client, agentID string, opts ...GuardOption) (*Guard, error) {
	o := guardOptions{opts: C.warden_guard_options_default()}
	for _, f := range opts {
		f(&o)
	}
	o.opts.session_id, o.opts.session_id_len = cBytes(o.sessionID)
	o.opts.default_effect, o.opts.default_effect_len = cBytes(o.defaultEffect)
	defer C.free(unsafe.Pointer(o.opts.session_id))
	defer C.free(unsafe.Pointer(o.opts.default_effect))
	var p *C.WardenGuard
	var cerr *C.WardenError
	a, al := str(agentID)
	ok := C.warden_guard_new(client.handle(), a, al, &o.opts, &p, &cerr)
	runtime.KeepAlive(client)
	if !ok {
		return nil, takeError(cerr)
	}
	g := &Guard{ptr: p}
	runtime.AddCleanup(g, func(p *C.WardenGuard) { C.warden_guard_free(p) }, p)
	return g, nil
}

func (g *Guard) handle() *C.WardenGuard {
	if g == nil {
		return nil
	}
	return g.ptr
}

// Check is guard.check(tool, input_summary="", effect=None): Check("web_search", ""), or with
// an effect Check("db_write", input, "mutating"). It returns the decision; an enforced denial
// with block_on_deny is an error (*Error with the decision's code and reason, and Decision
// set), as is an unreachable engine (GUARDIAN_UNAVAILABLE) unless fail-open allows a read.
func (g *Guard) Check(tool, inputSummary string, effect ...string) (*Decision, error) {
	var d C.WardenDecision
	var cerr *C.WardenError
	t, tl := str(tool)
	i, il := str(inputSummary)
	var e *C.uint8_t
	var el C.size_t
	switch len(effect) {
	case 0:
	case 1:
		e, el = optStr(&effect[0])
	default:
		return nil, &Error{Code: CodeValidationError, Message: "at most one effect"}
	}
	ok := C.warden_guard_check(g.handle(), t, tl, i, il, e, el, &d, &cerr)
	runtime.KeepAlive(g)
	if !ok {
		return nil, takeError(cerr)
	}
	return takeDecision(&d), nil
}

// Admit is guard.admit(tool, effect=None) (SEMANTICS-engine §12.4), the check Do runs before
// the wrapped call: the core's check with no input, where an enforced denial is an error
// (*Error with the decision's code and reason, Decision set) whatever block_on_deny says. The
// returned decision lets the caller proceed (allowed, or a denial not enforced in monitor
// mode).
func (g *Guard) Admit(tool string, effect ...string) (*Decision, error) {
	var d C.WardenDecision
	var cerr *C.WardenError
	t, tl := str(tool)
	var e *C.uint8_t
	var el C.size_t
	switch len(effect) {
	case 0:
	case 1:
		e, el = optStr(&effect[0])
	default:
		return nil, &Error{Code: CodeValidationError, Message: "at most one effect"}
	}
	ok := C.warden_guard_admit(g.handle(), t, tl, e, el, &d, &cerr)
	runtime.KeepAlive(g)
	if !ok {
		return nil, takeError(cerr)
	}
	return takeDecision(&d), nil
}

// Report is guard.report(tool, success, duration_ms, error_type=None): buffers a telemetry
// event. It never fails: bad arguments are counted in Stats().Invalid.
func (g *Guard) Report(tool string, success bool, durationMs int64, errorType ...string) {
	t, tl := str(tool)
	var e *C.uint8_t
	var el C.size_t
	if len(errorType) > 0 {
		e, el = optStr(&errorType[0])
	}
	C.warden_guard_report(g.handle(), t, tl, C.bool(success), C.int64_t(durationMs), e, el, nil)
	runtime.KeepAlive(g)
}

// Flush sends buffered telemetry now (a failed batch stays buffered).
func (g *Guard) Flush() {
	C.warden_guard_flush(g.handle(), nil)
	runtime.KeepAlive(g)
}

// Close flushes once and stops the guard; idempotent. It implements io.Closer.
func (g *Guard) Close() error {
	var cerr *C.WardenError
	ok := C.warden_guard_close(g.handle(), &cerr)
	runtime.KeepAlive(g)
	if !ok {
		return takeError(cerr)
	}
	return nil
}

// GuardStats are the counters of a guard's telemetry buffer.
type GuardStats struct {
	Buffered      int64 // events waiting
	Sent          int64 // events delivered
	Dropped       int64 // events dropped because the buffer was full
	Invalid       int64 // reports refused for bad arguments
	FailedFlushes int64 // flushes that failed (their events were put back)
}

// ToMap is the wire form {buffered, sent, dropped, invalid, failed_flushes}.
func (s GuardStats) ToMap() map[string]any {
	return map[string]any{"buffered": s.Buffered, "sent": s.Sent, "dropped": s.Dropped,
		"invalid": s.Invalid, "failed_flushes": s.FailedFlushes}
}

// Stats is guard.stats().
func (g *Guard) Stats() GuardStats {
	var s C.WardenGuardStats
	C.warden_guard_stats(g.handle(), &s, nil)
	runtime.KeepAlive(g)
	return GuardStats{Buffered: int64(s.buffered), Sent: int64(s.sent), Dropped: int64(s.dropped),
		Invalid: int64(s.invalid), FailedFlushes: int64(s.failed_flushes)}
}

// SessionID is the session the guard uses ("" until it opened one).
func (g *Guard) SessionID() string {
	var b C.WardenBytes
	C.warden_guard_session_id(g.handle(), &b, nil)
	runtime.KeepAlive(g)
	return takeString(b)
}

type doOptions struct {
	effect []string
}

// DoOption configures Guard.Do.
type DoOption func(*doOptions)

// DoEffect names the effect of the wrapped call (otherwise resolved from the tool name and the
// guard's default effect).
func DoEffect(effect string) DoOption {
	return func(o *doOptions) { o.effect = []string{effect} }
}

// Do admits tool (Admit: an enforced denial is an error whatever block_on_deny says), runs
// fn, and reports the outcome with the measured duration and, on failure, the error's type
// name (a panic in fn is reported as "panic" and re-panics). A denial, an unreachable engine
// without fail-open, or ctx already done returns the error without running fn.
//
//	err := guard.Do(ctx, "db_write", func(ctx context.Context) error { return db.Write(ctx, row) },
//		warden.DoEffect("mutating"))
func (g *Guard) Do(ctx context.Context, tool string, fn func(context.Context) error, opts ...DoOption) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	var o doOptions
	for _, f := range opts {
		f(&o)
	}
	if _, err := g.Admit(tool, o.effect...); err != nil {
		return err
	}
	start := time.Now()
	completed := false
	defer func() {
		if !completed {
			doReport(g, tool, false, time.Since(start).Milliseconds(), "panic")
		}
	}()
	err = fn(ctx)
	completed = true
	if err != nil {
		doReport(g, tool, false, time.Since(start).Milliseconds(), errorTypeName(err))
	} else {
		doReport(g, tool, true, time.Since(start).Milliseconds())
	}
	return err
}

// doReport is Guard.Report; a variable only so that the binding tests can observe what Do
// reports (the telemetry itself is not readable back through the API).
var doReport = (*Guard).Report

// errorTypeName is the Go type of an error without the pointer star ("fs.PathError",
// "warden.Error", "errors.errorString").
func errorTypeName(err error) string {
	return strings.TrimLeft(fmt.Sprintf("%T", err), "*")
}
