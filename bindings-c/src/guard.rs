//! The Guard (SEMANTICS-engine §12) and the typed decision of the hot path: `WardenDecision`
//! holds every `Decision` field, its text fields as `(ptr, len)` views into one owned buffer,
//! so a check costs one crossing and one buffer (no JSON).

use crate::engine::WardenClient;
use crate::ffi::{
    call, clear, handle, lossy, opt_text, put, text, value, WardenBytes, WardenError,
};
use std::ptr;
use warden_core::client::{Guard, GuardOptions};
use warden_core::engine::{Decision, Effect};
use warden_core::Error;

/// A borrowed text view: `len` bytes at `ptr` (UTF-8, no trailing NUL guaranteed). `ptr == NULL`
/// means the value is absent (JSON `null`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct WardenStr {
    /// The bytes, or NULL when absent.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl WardenStr {
    const ABSENT: WardenStr = WardenStr {
        ptr: ptr::null(),
        len: 0,
    };
}

/// A guard decision (SEMANTICS-engine §9), every field of the core `Decision`. The text fields
/// point into `storage`, which the decision owns: free it with `warden_decision_free` (the
/// views are invalid afterwards). Absent optional fields have a NULL `ptr`; `session_id` is
/// absent when the decision has no session.
#[repr(C)]
pub struct WardenDecision {
    /// The call may proceed per the engine.
    pub allowed: bool,
    /// The decision is enforced (false in monitor mode).
    pub enforced: bool,
    /// `retry_after_ms` holds a value.
    pub has_retry_after_ms: bool,
    /// Milliseconds until a retry can succeed (`RATE_LIMITED`), when `has_retry_after_ms`.
    pub retry_after_ms: i64,
    /// When the decision was made (unix ms).
    pub decided_at: i64,
    /// `check_id`.
    pub check_id: WardenStr,
    /// `ALLOW` or an error code.
    pub code: WardenStr,
    /// The stable snake_case reason.
    pub reason: WardenStr,
    /// Who decided (`engine`, `guard`, `fail_open`, …).
    pub source: WardenStr,
    /// `agent_id`.
    pub agent_id: WardenStr,
    /// `session_id` (absent when none).
    pub session_id: WardenStr,
    /// `tool`.
    pub tool: WardenStr,
    /// `effect` (absent when none).
    pub effect: WardenStr,
    /// `required_scope` (absent when none).
    pub required_scope: WardenStr,
    /// `matched_pattern` (absent when none).
    pub matched_pattern: WardenStr,
    /// `rule_id` (absent when none).
    pub rule_id: WardenStr,
    /// `approval_id` (absent when none).
    pub approval_id: WardenStr,
    /// The text the fields above point into (owned by the decision).
    pub storage: WardenBytes,
}

impl WardenDecision {
    const EMPTY: WardenDecision = WardenDecision {
        allowed: false,
        enforced: false,
        has_retry_after_ms: false,
        retry_after_ms: 0,
        decided_at: 0,
        check_id: WardenStr::ABSENT,
        code: WardenStr::ABSENT,
        reason: WardenStr::ABSENT,
        source: WardenStr::ABSENT,
        agent_id: WardenStr::ABSENT,
        session_id: WardenStr::ABSENT,
        tool: WardenStr::ABSENT,
        effect: WardenStr::ABSENT,
        required_scope: WardenStr::ABSENT,
        matched_pattern: WardenStr::ABSENT,
        rule_id: WardenStr::ABSENT,
        approval_id: WardenStr::ABSENT,
        storage: WardenBytes::NONE,
    };

    pub(crate) fn from_core(d: &Decision) -> WardenDecision {
        let session = (!d.session_id.is_empty()).then_some(d.session_id.as_str());
        let fields: [Option<&str>; 12] = [
            Some(&d.check_id),
            Some(&d.code),
            Some(&d.reason),
            Some(&d.source),
            Some(&d.agent_id),
            session,
            Some(&d.tool),
            d.effect.map(Effect::as_str),
            d.required_scope.as_deref(),
            d.matched_pattern.as_deref(),
            d.rule_id.as_deref(),
            d.approval_id.as_deref(),
        ];
        let total: usize = fields.iter().flatten().map(|s| s.len()).sum();
        let mut buf = Vec::with_capacity(total + 1);
        let mut spans = [None; 12];
        for (i, f) in fields.iter().enumerate() {
            if let Some(s) = f {
                spans[i] = Some((buf.len(), s.len()));
                buf.extend_from_slice(s.as_bytes());
            }
        }
        let storage = WardenBytes::from_vec(buf);
        let base = storage.ptr as *const u8;
        let view = |i: usize| match spans[i] {
            // SAFETY: every span lies inside `storage`.
            Some((at, len)) => WardenStr {
                ptr: unsafe { base.add(at) },
                len,
            },
            None => WardenStr::ABSENT,
        };
        WardenDecision {
            allowed: d.allowed,
            enforced: d.enforced,
            has_retry_after_ms: d.retry_after_ms.is_some(),
            retry_after_ms: d.retry_after_ms.unwrap_or(0),
            decided_at: d.decided_at,
            check_id: view(0),
            code: view(1),
            reason: view(2),
            source: view(3),
            agent_id: view(4),
            session_id: view(5),
            tool: view(6),
            effect: view(7),
            required_scope: view(8),
            matched_pattern: view(9),
            rule_id: view(10),
            approval_id: view(11),
            storage,
        }
    }
}

/// Frees the storage of a decision filled by Warden and resets it to an empty decision.
/// NULL-safe, and safe on a decision that was cleared by a failed call.
///
/// # Safety
/// `decision` must be NULL or point to a decision filled by Warden and not freed since.
#[no_mangle]
pub unsafe extern "C" fn warden_decision_free(decision: *mut WardenDecision) {
    value((), || {
        if let Some(d) = decision.as_mut() {
            let storage = std::mem::replace(&mut d.storage, WardenBytes::NONE);
            crate::ffi::warden_bytes_free(storage);
            *d = WardenDecision::EMPTY;
        }
    })
}

/// `Client.check(agent_id, session_id, tool, input_summary="", effect=None)` without JSON: the
/// decision into `*out` (the caller frees it with `warden_decision_free`). A NULL `effect`
/// means "not given". Fails only when the client cannot reach the engine (an injected fault)
/// or for unreadable arguments; a denial is a decision, not an error.
///
/// # Safety
/// `client` NULL or live; every `(ptr, len)` readable; `out` valid; `err` NULL or valid.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn warden_client_check(
    client: *const WardenClient,
    agent_id: *const u8,
    agent_id_len: usize,
    session_id: *const u8,
    session_id_len: usize,
    tool: *const u8,
    tool_len: usize,
    input_summary: *const u8,
    input_summary_len: usize,
    effect: *const u8,
    effect_len: usize,
    out: *mut WardenDecision,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, WardenDecision::EMPTY);
    call(err, || {
        let c = handle(client, "client")?;
        let d = c.0.check(
            text(agent_id, agent_id_len, "agent_id")?,
            text(session_id, session_id_len, "session_id")?,
            text(tool, tool_len, "tool")?,
            text(input_summary, input_summary_len, "input_summary")?,
            opt_text(effect, effect_len, "effect")?,
        )?;
        put(out, WardenDecision::from_core(&d), "out")
    })
}

/// `strict_mode` of `WardenGuardOptions`: the core default (`WARDEN_STRICT_MODE` read when the
/// guard is built).
pub const WARDEN_STRICT_MODE_DEFAULT: i32 = -1;

/// Guard options (SEMANTICS-engine §12). Start from `warden_guard_options_default()`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct WardenGuardOptions {
    /// A caller-provided session (never replaced); NULL = the guard opens its own.
    pub session_id: *const u8,
    /// Length of `session_id`.
    pub session_id_len: usize,
    /// The effect used when a check names none; NULL = none.
    pub default_effect: *const u8,
    /// Length of `default_effect`.
    pub default_effect_len: usize,
    /// Fail with the denial on an enforced denial (default true).
    pub block_on_deny: bool,
    /// Allow `read` calls when the engine is unreachable (default false).
    pub fail_open: bool,
    /// Send the first 200 code points of inputs instead of their length (default false).
    pub log_inputs: bool,
    /// Run the 5 s telemetry flush timer on the core runtime (default true).
    pub flush_timer: bool,
    /// 1 = strict, 0 = not strict, `WARDEN_STRICT_MODE_DEFAULT` (-1) = from the environment.
    pub strict_mode: i32,
}

/// The default guard options (no session, block_on_deny, no fail_open, no default effect, no
/// input logging, flush timer on, strict mode from the environment). Nothing to free.
#[no_mangle]
pub extern "C" fn warden_guard_options_default() -> WardenGuardOptions {
    WardenGuardOptions {
        session_id: ptr::null(),
        session_id_len: 0,
        default_effect: ptr::null(),
        default_effect_len: 0,
        block_on_deny: true,
        fail_open: false,
        log_inputs: false,
        flush_timer: true,
        strict_mode: WARDEN_STRICT_MODE_DEFAULT,
    }
}

/// A guard over a client. Thread-safe; close it with `warden_guard_close` and free it with
/// `warden_guard_free`.
pub struct WardenGuard(pub(crate) Guard);

/// Counters of a guard's telemetry buffer.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct WardenGuardStats {
    /// Events waiting.
    pub buffered: u64,
    /// Events delivered.
    pub sent: u64,
    /// Events dropped because the buffer was full.
    pub dropped: u64,
    /// Reports refused for bad arguments.
    pub invalid: u64,
    /// Flushes that failed (their events were put back).
    pub failed_flushes: u64,
}

/// `Guard(client, agent_id, options)`. `client` is borrowed (the guard keeps its own
/// reference); `options` NULL means `warden_guard_options_default()`. `VALIDATION_ERROR` for a
/// malformed agent or session id or an invalid default effect. On success `*out` is owned by
/// the caller (`warden_guard_free`).
///
/// # Safety
/// `client` NULL or live; `(agent_id, agent_id_len)` and the option strings readable;
/// `options` NULL or valid; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_new(
    client: *const WardenClient,
    agent_id: *const u8,
    agent_id_len: usize,
    options: *const WardenGuardOptions,
    out: *mut *mut WardenGuard,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, ptr::null_mut());
    call(err, || {
        let c = handle(client, "client")?;
        let given = options
            .as_ref()
            .copied()
            .unwrap_or_else(|| warden_guard_options_default());
        let mut o = GuardOptions::new(text(agent_id, agent_id_len, "agent_id")?);
        o.session_id =
            opt_text(given.session_id, given.session_id_len, "session_id")?.map(str::to_string);
        o.default_effect = opt_text(
            given.default_effect,
            given.default_effect_len,
            "default_effect",
        )?
        .map(Effect::parse)
        .transpose()?;
        o.block_on_deny = given.block_on_deny;
        o.fail_open = given.fail_open;
        o.log_inputs = given.log_inputs;
        o.flush_timer = given.flush_timer;
        match given.strict_mode {
            WARDEN_STRICT_MODE_DEFAULT => {}
            0 => o.strict_mode = false,
            1 => o.strict_mode = true,
            _ => return Err(Error::validation("strict_mode must be -1, 0 or 1")),
        }
        let g = Guard::new(c.0.clone(), o)?;
        put(out, Box::into_raw(Box::new(WardenGuard(g))), "out")
    })
}

/// `guard.check(tool, input_summary="", effect=None)` (SEMANTICS-engine §12.1): the decision
/// into `*out` (freed by the caller with `warden_decision_free`). NULL `effect` means "not
/// given". An enforced denial with `block_on_deny` fails with the decision's code and reason,
/// and `WardenError.decision` holds the decision as JSON; an unreachable engine fails with
/// `GUARDIAN_UNAVAILABLE` (unless fail-open allows a read).
///
/// # Safety
/// `guard` NULL or live; every `(ptr, len)` readable; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_check(
    guard: *const WardenGuard,
    tool: *const u8,
    tool_len: usize,
    input_summary: *const u8,
    input_summary_len: usize,
    effect: *const u8,
    effect_len: usize,
    out: *mut WardenDecision,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, WardenDecision::EMPTY);
    call(err, || {
        let g = handle(guard, "guard")?;
        let d = g.0.check(
            text(tool, tool_len, "tool")?,
            text(input_summary, input_summary_len, "input_summary")?,
            opt_text(effect, effect_len, "effect")?,
        )?;
        put(out, WardenDecision::from_core(&d), "out")
    })
}

/// `guard.admit(tool, effect=None)` (SEMANTICS-engine §12.4, what the wrappers such as Go's
/// `Guard.Do` run before the wrapped call): `check(tool, "", effect)`, and an enforced denial
/// fails with the decision's code and reason (`WardenError.decision` = the decision as JSON)
/// **whatever `block_on_deny` says**, so the wrapped function never runs without permission.
/// Unreachable engine and fail-open as for `warden_guard_check`. On success the decision lets
/// the caller proceed (allowed, or not enforced) and is in `*out` (freed by the caller with
/// `warden_decision_free`). NULL `effect` means "not given".
///
/// # Safety
/// `guard` NULL or live; every `(ptr, len)` readable; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_admit(
    guard: *const WardenGuard,
    tool: *const u8,
    tool_len: usize,
    effect: *const u8,
    effect_len: usize,
    out: *mut WardenDecision,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, WardenDecision::EMPTY);
    call(err, || {
        let g = handle(guard, "guard")?;
        let d = g.0.admit(
            text(tool, tool_len, "tool")?,
            opt_text(effect, effect_len, "effect")?,
        )?;
        put(out, WardenDecision::from_core(&d), "out")
    })
}

/// `guard.report(tool, success, duration_ms, error_type=None)`: buffers a telemetry event. It
/// never fails for bad values (the core counts them as `invalid`; non-UTF-8 bytes become
/// U+FFFD); it fails only for a NULL guard or an unreadable argument. NULL `error_type` means
/// none.
///
/// # Safety
/// `guard` NULL or live; every `(ptr, len)` readable; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_report(
    guard: *const WardenGuard,
    tool: *const u8,
    tool_len: usize,
    success: bool,
    duration_ms: i64,
    error_type: *const u8,
    error_type_len: usize,
    err: *mut *mut WardenError,
) -> bool {
    call(err, || {
        let g = handle(guard, "guard")?;
        let tool = lossy(tool, tool_len).ok_or_else(|| Error::validation("tool is unreadable"))?;
        let et = if error_type.is_null() {
            None
        } else {
            Some(
                lossy(error_type, error_type_len)
                    .ok_or_else(|| Error::validation("error_type is unreadable"))?,
            )
        };
        g.0.report(&tool, success, duration_ms, et.as_deref());
        Ok(())
    })
}

/// `guard.flush()`: sends buffered telemetry now (a failed batch stays buffered).
///
/// # Safety
/// `guard` NULL or live; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_flush(
    guard: *const WardenGuard,
    err: *mut *mut WardenError,
) -> bool {
    call(err, || {
        handle(guard, "guard")?.0.flush();
        Ok(())
    })
}

/// `guard.close()`: flushes once and stops; idempotent. Later checks fail with
/// `VALIDATION_ERROR` / `guard_closed`. The handle still needs `warden_guard_free`.
///
/// # Safety
/// `guard` NULL or live; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_close(
    guard: *const WardenGuard,
    err: *mut *mut WardenError,
) -> bool {
    call(err, || {
        handle(guard, "guard")?.0.close();
        Ok(())
    })
}

/// `guard.stats()` into `*out`.
///
/// # Safety
/// `guard` NULL or live; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_stats(
    guard: *const WardenGuard,
    out: *mut WardenGuardStats,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, WardenGuardStats::default());
    call(err, || {
        let s = handle(guard, "guard")?.0.stats();
        put(
            out,
            WardenGuardStats {
                buffered: s.buffered as u64,
                sent: s.sent,
                dropped: s.dropped,
                invalid: s.invalid,
                failed_flushes: s.failed_flushes,
            },
            "out",
        )
    })
}

/// `guard.session_id`: the session the guard uses, owned by the caller; `{NULL, 0}` (success)
/// while the guard has not opened one yet.
///
/// # Safety
/// `guard` NULL or live; `session_id` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_session_id(
    guard: *const WardenGuard,
    session_id: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(session_id, WardenBytes::NONE);
    call(err, || {
        let s = handle(guard, "guard")?.0.session_id();
        put(
            session_id,
            s.map(WardenBytes::from_string).unwrap_or(WardenBytes::NONE),
            "session_id",
        )
    })
}

/// Frees a guard handle. NULL-safe. It does not close the guard (call `warden_guard_close`
/// first to flush its telemetry).
///
/// # Safety
/// `guard` must be NULL or live, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn warden_guard_free(guard: *mut WardenGuard) {
    value((), || {
        if !guard.is_null() {
            drop(Box::from_raw(guard));
        }
    })
}
