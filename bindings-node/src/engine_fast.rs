//! `Guard.check`, the wrappers' `Guard::admit` and `Client.check` as raw N-API callbacks (the guard hot path; see `fast.rs`
//! for why the napi-rs method wrappers are avoided there).
//!
//! A decision crosses as ONE array of its 16 fields in the order of `Decision::to_json`
//! (`check_id, allowed, code, reason, enforced, source, agent_id, session_id, tool, effect,
//! required_scope, matched_pattern, rule_id, approval_id, retry_after_ms, decided_at`), absent
//! optionals as `null` and an empty `session_id` as `null` exactly as `to_json` writes them;
//! `ts/engine.ts` builds the `Decision` object from it. A test compares it with the wire form.

use crate::convert::JsonOut;
use crate::fast::{args, external, guard, make_external, to_js, with_str, Callback};
use napi::bindgen_prelude::ToNapiValue;
use napi::sys;
use std::os::raw::c_char;
use std::ptr;
use warden_core::client::{Client, Guard};
use warden_core::engine::Decision;
use warden_core::{Error, Json, Result};

const TAG_CLIENT: sys::napi_type_tag = sys::napi_type_tag {
    lower: 0x5741_5244_454e_0004,
    upper: 0x9c1e_7f3a_52d4_b804,
};
const TAG_GUARD: sys::napi_type_tag = sys::napi_type_tag {
    lower: 0x5741_5244_454e_0005,
    upper: 0x9c1e_7f3a_52d4_b805,
};

/// A core `Client` handle.
pub struct ClientHandle(pub Client);
impl ToNapiValue for ClientHandle {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        make_external(env, val.0, &TAG_CLIENT)
    }
}

/// A core `Guard` handle.
pub struct GuardHandle(pub Guard);
impl ToNapiValue for GuardHandle {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        make_external(env, val.0, &TAG_GUARD)
    }
}

unsafe fn js_str(env: sys::napi_env, s: &str) -> Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    let status = if s.is_ascii() {
        sys::napi_create_string_latin1(env, s.as_ptr() as *const c_char, s.len() as isize, &mut out)
    } else {
        sys::napi_create_string_utf8(env, s.as_ptr() as *const c_char, s.len() as isize, &mut out)
    };
    if status != sys::Status::napi_ok {
        return Err(Error::internal("cannot create a JS string"));
    }
    Ok(out)
}

unsafe fn js_null(env: sys::napi_env) -> sys::napi_value {
    let mut out = ptr::null_mut();
    sys::napi_get_null(env, &mut out);
    out
}

unsafe fn js_bool(env: sys::napi_env, b: bool) -> sys::napi_value {
    let mut out = ptr::null_mut();
    sys::napi_get_boolean(env, b, &mut out);
    out
}

unsafe fn js_opt_str(env: sys::napi_env, s: Option<&str>) -> Result<sys::napi_value> {
    match s {
        Some(s) => js_str(env, s),
        None => Ok(js_null(env)),
    }
}

unsafe fn js_int(env: sys::napi_env, i: i64) -> Result<sys::napi_value> {
    to_js(env, JsonOut(Json::Int(i)))
}

/// The decision as the 16-element array described in the module doc.
pub(crate) unsafe fn decision_to_js(env: sys::napi_env, d: &Decision) -> Result<sys::napi_value> {
    let fields: [sys::napi_value; 16] = [
        js_str(env, &d.check_id)?,
        js_bool(env, d.allowed),
        js_str(env, &d.code)?,
        js_str(env, &d.reason)?,
        js_bool(env, d.enforced),
        js_str(env, &d.source)?,
        js_str(env, &d.agent_id)?,
        js_opt_str(env, Some(d.session_id.as_str()).filter(|s| !s.is_empty()))?,
        js_str(env, &d.tool)?,
        js_opt_str(env, d.effect.map(|e| e.as_str()))?,
        js_opt_str(env, d.required_scope.as_deref())?,
        js_opt_str(env, d.matched_pattern.as_deref())?,
        js_opt_str(env, d.rule_id.as_deref())?,
        js_opt_str(env, d.approval_id.as_deref())?,
        match d.retry_after_ms {
            Some(ms) => js_int(env, ms)?,
            None => js_null(env),
        },
        js_int(env, d.decided_at)?,
    ];
    let mut arr = ptr::null_mut();
    if sys::napi_create_array_with_length(env, fields.len(), &mut arr) != sys::Status::napi_ok {
        return Err(Error::internal("cannot create a JS array"));
    }
    for (i, v) in fields.iter().enumerate() {
        if sys::napi_set_element(env, arr, i as u32, *v) != sys::Status::napi_ok {
            return Err(Error::internal("cannot fill a JS array"));
        }
    }
    Ok(arr)
}

unsafe fn is_nullish(env: sys::napi_env, v: sys::napi_value) -> bool {
    let mut t = 0;
    sys::napi_typeof(env, v, &mut t) == sys::Status::napi_ok
        && (t == sys::ValueType::napi_undefined || t == sys::ValueType::napi_null)
}

/// Calls `f` with a string argument, `""` when it is `undefined`/`null`.
unsafe fn with_str_or_empty<R>(
    env: sys::napi_env,
    v: sys::napi_value,
    what: &str,
    f: impl FnOnce(&str) -> R,
) -> Result<R> {
    if is_nullish(env, v) {
        return Ok(f(""));
    }
    with_str(env, v, what, |b| {
        std::str::from_utf8(b)
            .map(f)
            .map_err(|_| Error::validation(format!("{what} is not valid UTF-8")))
    })?
}

/// Reads an optional string argument (`undefined`/`null` → `None`).
unsafe fn opt_string(env: sys::napi_env, v: sys::napi_value, what: &str) -> Result<Option<String>> {
    if is_nullish(env, v) {
        return Ok(None);
    }
    Ok(Some(with_str_or_empty(env, v, what, str::to_string)?))
}

/// `guardCheck(guardHandle, tool, inputSummary?, effect?) -> decision array` (throws the guard's
/// errors, a denial carrying its decision).
unsafe extern "C" fn cb_guard_check(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h, tool, input, effect] = args::<4>(env, info)?;
        let g = external::<Guard>(env, h, &TAG_GUARD)
            .ok_or_else(|| Error::validation("not a Guard"))?;
        if is_nullish(env, tool) {
            return Err(Error::validation("tool must be a string"));
        }
        let effect = opt_string(env, effect, "effect")?;
        let input = opt_string(env, input, "inputSummary")?;
        let d = with_str_or_empty(env, tool, "tool", |t| {
            g.check(t, input.as_deref().unwrap_or(""), effect.as_deref())
        })??;
        decision_to_js(env, &d)
    })
}

/// `guardAdmit(guardHandle, tool, effect?) -> decision array`: the wrappers' admission
/// (`Guard::admit`: an enforced denial throws whatever `blockOnDeny` says).
unsafe extern "C" fn cb_guard_admit(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h, tool, effect] = args::<3>(env, info)?;
        let g = external::<Guard>(env, h, &TAG_GUARD)
            .ok_or_else(|| Error::validation("not a Guard"))?;
        if is_nullish(env, tool) {
            return Err(Error::validation("tool must be a string"));
        }
        let effect = opt_string(env, effect, "effect")?;
        let d = with_str_or_empty(env, tool, "tool", |t| g.admit(t, effect.as_deref()))??;
        decision_to_js(env, &d)
    })
}

/// `clientCheck(clientHandle, agentId, sessionId, tool, inputSummary, effect) -> decision array`
/// (`undefined`/`null` strings are empty, as `call("check", …)` reads absent arguments).
unsafe extern "C" fn cb_client_check(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h, agent, session, tool, input, effect] = args::<6>(env, info)?;
        let c = external::<Client>(env, h, &TAG_CLIENT)
            .ok_or_else(|| Error::validation("not a Client"))?;
        let agent = opt_string(env, agent, "agent_id")?.unwrap_or_default();
        let session = opt_string(env, session, "session_id")?.unwrap_or_default();
        let tool = opt_string(env, tool, "tool")?.unwrap_or_default();
        let input = opt_string(env, input, "input_summary")?.unwrap_or_default();
        let effect = opt_string(env, effect, "effect")?;
        let d = c.check(&agent, &session, &tool, &input, effect.as_deref())?;
        decision_to_js(env, &d)
    })
}

/// The callbacks `fast.rs` adds to the `fastApi()` object.
pub(crate) const CALLBACKS: [(&std::ffi::CStr, Callback); 3] = [
    (c"guardCheck", cb_guard_check),
    (c"guardAdmit", cb_guard_admit),
    (c"clientCheck", cb_client_check),
];
