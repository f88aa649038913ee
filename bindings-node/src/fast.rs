//! The hot paths as plain N-API callbacks: `Verifier.verify`, the `Claims` getters and
//! `ScopeSet.allows` (and, from `engine_fast.rs`, `Guard.check` and `Client.check`).
//!
//! Why: napi-rs 3.16 opens a "native borrow scope" (a mutex-guarded map, allocations) around
//! every generated method with arguments or a receiver, about 0.3 µs per call — more than a whole
//! `ScopeSet.allows`. These callbacks do only what N-API itself needs: read the arguments, look
//! up the core object behind a type-tagged `napi_external`, call the core, convert the result.
//! The TypeScript classes hold the handles privately; users never see them.
//!
//! Every callback is total: a panic is caught and thrown as `INTERNAL`, bad arguments are
//! `VALIDATION_ERROR`, core errors keep their code.

use crate::convert::{read_string, MaybeJson};
use crate::error::PREFIX;
use napi::bindgen_prelude::{FromNapiValue, ToNapiValue};
use napi::sys;
use std::os::raw::{c_char, c_void};
use std::ptr;
use std::sync::Arc;
use warden_core::{Claims, Error, Json, Result, ScopeSet, Verifier};

const TAG_VERIFIER: sys::napi_type_tag = sys::napi_type_tag {
    lower: 0x5741_5244_454e_0001,
    upper: 0x9c1e_7f3a_52d4_b801,
};
const TAG_CLAIMS: sys::napi_type_tag = sys::napi_type_tag {
    lower: 0x5741_5244_454e_0002,
    upper: 0x9c1e_7f3a_52d4_b802,
};
const TAG_SCOPES: sys::napi_type_tag = sys::napi_type_tag {
    lower: 0x5741_5244_454e_0003,
    upper: 0x9c1e_7f3a_52d4_b803,
};

unsafe extern "C" fn drop_box<T>(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    if !data.is_null() {
        drop(Box::from_raw(data as *mut T));
    }
}

/// Wraps `value` in a tagged external owned by the JS garbage collector.
pub(crate) unsafe fn make_external<T>(
    env: sys::napi_env,
    value: T,
    tag: &sys::napi_type_tag,
) -> napi::Result<sys::napi_value> {
    let raw = Box::into_raw(Box::new(value)) as *mut c_void;
    let mut out = ptr::null_mut();
    let s = sys::napi_create_external(env, raw, Some(drop_box::<T>), ptr::null_mut(), &mut out);
    if s != sys::Status::napi_ok {
        drop(Box::from_raw(raw as *mut T));
        return Err(napi::Error::new(
            napi::Status::GenericFailure,
            "cannot create a handle",
        ));
    }
    if sys::napi_type_tag_object(env, out, tag) != sys::Status::napi_ok {
        return Err(napi::Error::new(
            napi::Status::GenericFailure,
            "cannot tag a handle",
        ));
    }
    Ok(out)
}

/// The `T` behind a tagged external, or `None` for any other value.
pub(crate) unsafe fn external<'a, T>(
    env: sys::napi_env,
    v: sys::napi_value,
    tag: &sys::napi_type_tag,
) -> Option<&'a T> {
    let mut t = 0;
    if sys::napi_typeof(env, v, &mut t) != sys::Status::napi_ok
        || t != sys::ValueType::napi_external
    {
        return None;
    }
    let mut ok = false;
    if sys::napi_check_object_type_tag(env, v, tag, &mut ok) != sys::Status::napi_ok || !ok {
        return None;
    }
    let mut data = ptr::null_mut();
    if sys::napi_get_value_external(env, v, &mut data) != sys::Status::napi_ok || data.is_null() {
        return None;
    }
    Some(&*(data as *const T))
}

/// A core `Verifier` handle.
pub struct VerifierHandle(pub Arc<Verifier>);
impl ToNapiValue for VerifierHandle {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        make_external(env, val.0, &TAG_VERIFIER)
    }
}

/// A core `ScopeSet` handle.
pub struct ScopeSetHandle(pub Arc<ScopeSet>);
impl ToNapiValue for ScopeSetHandle {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        make_external(env, val.0, &TAG_SCOPES)
    }
}

/// A core `Claims` handle (returned by every function that yields claims).
pub struct ClaimsHandle(pub Claims);
impl ToNapiValue for ClaimsHandle {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        make_external(env, Arc::new(val.0), &TAG_CLAIMS)
    }
}

/// A claims handle taken as an argument.
pub struct ClaimsArg(pub Arc<Claims>);
impl FromNapiValue for ClaimsArg {
    unsafe fn from_napi_value(env: sys::napi_env, v: sys::napi_value) -> napi::Result<Self> {
        external::<Arc<Claims>>(env, v, &TAG_CLAIMS)
            .map(|c| ClaimsArg(c.clone()))
            .ok_or_else(|| crate::error::to_napi(Error::validation("expected a Claims object")))
    }
}

// ---- raw callbacks ----

unsafe fn throw(env: sys::napi_env, e: Error) {
    let msg = crate::error::to_napi(e).reason;
    debug_assert!(msg.starts_with(PREFIX));
    let mut s = ptr::null_mut();
    let mut err = ptr::null_mut();
    if sys::napi_create_string_utf8(
        env,
        msg.as_ptr() as *const c_char,
        msg.len() as isize,
        &mut s,
    ) == sys::Status::napi_ok
        && sys::napi_create_error(env, ptr::null_mut(), s, &mut err) == sys::Status::napi_ok
    {
        sys::napi_throw(env, err);
    }
}

/// Runs a callback body: panics → `INTERNAL`, errors → thrown `WardenError` messages.
pub(crate) unsafe fn guard(
    env: sys::napi_env,
    f: impl FnOnce() -> std::result::Result<sys::napi_value, Error>,
) -> sys::napi_value {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    match r {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            let mut pending = false;
            sys::napi_is_exception_pending(env, &mut pending);
            if !pending {
                throw(env, e);
            }
            ptr::null_mut()
        }
        Err(_) => {
            throw(
                env,
                Error::internal("internal error: panic in the Node binding"),
            );
            ptr::null_mut()
        }
    }
}

pub(crate) unsafe fn args<const N: usize>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Result<[sys::napi_value; N]> {
    let mut argv = [ptr::null_mut(); N];
    let mut argc = N;
    if sys::napi_get_cb_info(
        env,
        info,
        &mut argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
    ) != sys::Status::napi_ok
    {
        return Err(Error::internal("cannot read the arguments"));
    }
    if argc < N {
        let mut undef = ptr::null_mut();
        sys::napi_get_undefined(env, &mut undef);
        for a in argv.iter_mut().skip(argc) {
            *a = undef;
        }
    }
    Ok(argv)
}

/// Calls `f` with the UTF-8 bytes of a JS string argument, on the stack when it is short.
pub(crate) unsafe fn with_str<R>(
    env: sys::napi_env,
    v: sys::napi_value,
    what: &str,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R> {
    let mut buf = [0u8; 1024];
    let mut len = 0usize;
    let s = sys::napi_get_value_string_utf8(
        env,
        v,
        buf.as_mut_ptr() as *mut c_char,
        buf.len(),
        &mut len,
    );
    if s != sys::Status::napi_ok {
        return Err(Error::validation(format!("{what} must be a string")));
    }
    if len + 1 < buf.len() {
        return Ok(f(&buf[..len]));
    }
    let owned = read_string(env, v)?;
    Ok(f(owned.as_bytes()))
}

pub(crate) unsafe fn to_js<T: ToNapiValue>(env: sys::napi_env, v: T) -> Result<sys::napi_value> {
    T::to_napi_value(env, v).map_err(|_| Error::internal("cannot create a JS value"))
}

/// `verify(verifierHandle, token) -> payload JSON text | claimsHandle` (a handle only when the
/// payload holds integers beyond ±(2^53−1) or the integer literal `-0`)
unsafe extern "C" fn cb_verify(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h, token] = args::<2>(env, info)?;
        let v = external::<Arc<Verifier>>(env, h, &TAG_VERIFIER)
            .ok_or_else(|| Error::validation("not a Verifier"))?;
        // Verify, then hand JS the payload exactly as the token carries it (the core has just
        // parsed it strictly, so it is valid JSON that JSON.parse reads to the same values).
        verify_to_js(env, v, token)
    })
}

/// Verifies `token` and converts the result for JS (the body of `verify`).
unsafe fn verify_to_js(
    env: sys::napi_env,
    v: &Verifier,
    token: sys::napi_value,
) -> Result<sys::napi_value> {
    let claims = with_str(env, token, "token", |t| v.verify_bytes(t))??;
    // The payload text exactly as signed (the core has just checked it strictly, so
    // JSON.parse reads it to the same values) unless a number could lose precision in JS.
    let payload = match claims.payload_text() {
        Some(p) if !has_long_digit_run(p.as_bytes()) && !has_negative_zero_int(p.as_bytes()) => {
            p.as_bytes()
        }
        _ => return to_js(env, ClaimsHandle(claims)),
    };
    // V8 copies the bytes into the new string: no intermediate buffer.
    let mut out = ptr::null_mut();
    let status = if payload.is_ascii() {
        sys::napi_create_string_latin1(
            env,
            payload.as_ptr() as *const c_char,
            payload.len() as isize,
            &mut out,
        )
    } else {
        sys::napi_create_string_utf8(
            env,
            payload.as_ptr() as *const c_char,
            payload.len() as isize,
            &mut out,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(Error::internal("cannot create a JS string"));
    }
    Ok(out)
}

/// True if the JSON text holds the integer literal `-0` (the core reads it as the integer 0,
/// `JSON.parse` as -0): such payloads travel as a handle. A `-0` inside a string only costs
/// the slower path.
fn has_negative_zero_int(text: &[u8]) -> bool {
    text.windows(3)
        .any(|w| w[0] == b'-' && w[1] == b'0' && !matches!(w[2], b'0'..=b'9' | b'.' | b'e' | b'E'))
        || text.ends_with(b"-0")
}

/// `allows(scopeSetHandle, required) -> boolean`
unsafe extern "C" fn cb_allows(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h, req] = args::<2>(env, info)?;
        let set = external::<Arc<ScopeSet>>(env, h, &TAG_SCOPES)
            .ok_or_else(|| Error::validation("not a ScopeSet"))?;
        let ok = with_str(env, req, "required", |r| {
            std::str::from_utf8(r).is_ok_and(|r| set.allows(r))
        })?;
        let mut out = ptr::null_mut();
        sys::napi_get_boolean(env, ok, &mut out);
        Ok(out)
    })
}

/// A JS function calling `cb` with `value` as its data; `value` lives as long as the function.
unsafe fn bind_fn<T>(
    env: sys::napi_env,
    value: Arc<T>,
    name: &std::ffi::CStr,
    cb: Callback,
) -> Result<sys::napi_value> {
    let raw = Arc::into_raw(value) as *mut c_void;
    let mut f = ptr::null_mut();
    if sys::napi_create_function(env, name.as_ptr(), -1, Some(cb), raw, &mut f)
        != sys::Status::napi_ok
    {
        drop(Arc::from_raw(raw as *const T));
        return Err(Error::internal("cannot create a function"));
    }
    if sys::napi_add_finalizer(
        env,
        f,
        raw,
        Some(drop_arc::<T>),
        ptr::null_mut(),
        ptr::null_mut(),
    ) != sys::Status::napi_ok
    {
        // The function exists and may be called: keep the value alive (a leak, never a
        // dangling pointer).
        return Err(Error::internal("cannot attach a finalizer"));
    }
    Ok(f)
}

/// The data pointer and the first argument of a bound function's call.
unsafe fn bound_arg<'a, T>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> Result<(&'a T, sys::napi_value)> {
    let mut argv = [ptr::null_mut(); 1];
    let mut argc = 1usize;
    let mut data = ptr::null_mut();
    if sys::napi_get_cb_info(
        env,
        info,
        &mut argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        &mut data,
    ) != sys::Status::napi_ok
        || data.is_null()
    {
        return Err(Error::internal("cannot read the arguments"));
    }
    if argc < 1 {
        sys::napi_get_undefined(env, &mut argv[0]);
    }
    Ok((&*(data as *const T), argv[0]))
}

/// `bindAllows(scopeSetHandle) -> (required) => boolean`: `allows` bound to one set, so a call
/// skips the handle's type check (three N-API calls, a third of a call's cost).
unsafe extern "C" fn cb_bind_allows(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h] = args::<1>(env, info)?;
        let set = external::<Arc<ScopeSet>>(env, h, &TAG_SCOPES)
            .ok_or_else(|| Error::validation("not a ScopeSet"))?;
        bind_fn(env, set.clone(), c"allows", cb_allows_bound)
    })
}

/// `bindVerify(verifierHandle) -> (token) => payload JSON text | claimsHandle`.
unsafe extern "C" fn cb_bind_verify(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h] = args::<1>(env, info)?;
        let v = external::<Arc<Verifier>>(env, h, &TAG_VERIFIER)
            .ok_or_else(|| Error::validation("not a Verifier"))?;
        bind_fn(env, v.clone(), c"verify", cb_verify_bound)
    })
}

unsafe extern "C" fn drop_arc<T>(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    if !data.is_null() {
        drop(Arc::from_raw(data as *const T));
    }
}

/// The function `bindAllows` returns: `(required) -> boolean`.
unsafe extern "C" fn cb_allows_bound(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let (set, req) = bound_arg::<ScopeSet>(env, info)?;
        let ok = with_str(env, req, "required", |r| {
            std::str::from_utf8(r).is_ok_and(|r| set.allows(r))
        })?;
        let mut out = ptr::null_mut();
        sys::napi_get_boolean(env, ok, &mut out);
        Ok(out)
    })
}

/// The function `bindVerify` returns: `(token) -> payload JSON text | claimsHandle`.
unsafe extern "C" fn cb_verify_bound(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let (v, token) = bound_arg::<Verifier>(env, info)?;
        verify_to_js(env, v, token)
    })
}

/// `claimsAllows(claimsHandle, required) -> boolean`
unsafe extern "C" fn cb_claims_allows(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h, req] = args::<2>(env, info)?;
        let c = external::<Arc<Claims>>(env, h, &TAG_CLAIMS)
            .ok_or_else(|| Error::validation("not a Claims"))?;
        let ok = with_str(env, req, "required", |r| {
            std::str::from_utf8(r).is_ok_and(|r| c.allows(r))
        })?;
        let mut out = ptr::null_mut();
        sys::napi_get_boolean(env, ok, &mut out);
        Ok(out)
    })
}

/// The claim views by index (kept in sync with `ts/claims.ts`).
fn claim_view(c: &Claims, field: i32) -> Result<MaybeJson> {
    Ok(MaybeJson(match field {
        0 => c.sub().map(Json::from),
        1 => c.aud().cloned(),
        2 => c.audience().map(Json::from),
        3 => c.iat().map(Json::Int),
        4 => c.exp().map(Json::Int),
        5 => c.nbf().map(Json::Int),
        6 => c.jti().map(Json::from),
        7 => c.iss().map(Json::from),
        8 => c.scope().map(Json::from),
        9 => c.ati().cloned(),
        10 => Some(Json::Obj(
            c.extra().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        )),
        11 => Some(c.to_json()),
        12 => Some(Json::Arr(c.scopes().into_iter().map(Json::Str).collect())),
        13 => Some(Json::Obj(
            c.rate_limits()
                .into_iter()
                .map(|(k, r)| {
                    let spec = vec![
                        ("count".to_string(), Json::Int(r.count as i64)),
                        (
                            "windowSeconds".to_string(),
                            Json::Int(r.window_seconds as i64),
                        ),
                    ];
                    (k, Json::Obj(spec))
                })
                .collect(),
        )),
        _ => return Err(Error::validation("unknown claim view")),
    }))
}

/// `claim(claimsHandle, fieldIndex) -> value | undefined`
unsafe extern "C" fn cb_claim(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h, idx] = args::<2>(env, info)?;
        let c = external::<Arc<Claims>>(env, h, &TAG_CLAIMS)
            .ok_or_else(|| Error::validation("not a Claims"))?;
        let mut field = -1;
        sys::napi_get_value_int32(env, idx, &mut field);
        to_js(env, claim_view(c, field)?)
    })
}

/// `claimGet(claimsHandle, name) -> value | undefined`
unsafe extern "C" fn cb_claim_get(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    guard(env, || {
        let [h, name] = args::<2>(env, info)?;
        let c = external::<Arc<Claims>>(env, h, &TAG_CLAIMS)
            .ok_or_else(|| Error::validation("not a Claims"))?;
        let v = with_str(env, name, "name", |n| {
            std::str::from_utf8(n).ok().and_then(|n| c.get(n).cloned())
        })?;
        to_js(env, MaybeJson(v))
    })
}

pub(crate) type Callback =
    unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// The object of raw callbacks (`native.fastApi()`).
pub struct FastApi;

impl ToNapiValue for FastApi {
    unsafe fn to_napi_value(env: sys::napi_env, _val: Self) -> napi::Result<sys::napi_value> {
        let table: [(&std::ffi::CStr, Callback); 7 + crate::engine_fast::CALLBACKS.len()] = {
            let own: [(&std::ffi::CStr, Callback); 7] = [
                (c"verify", cb_verify),
                (c"allows", cb_allows),
                (c"bindAllows", cb_bind_allows),
                (c"bindVerify", cb_bind_verify),
                (c"claimsAllows", cb_claims_allows),
                (c"claim", cb_claim),
                (c"claimGet", cb_claim_get),
            ];
            let mut all = [own[0]; 7 + crate::engine_fast::CALLBACKS.len()];
            for (slot, entry) in all
                .iter_mut()
                .zip(own.iter().chain(crate::engine_fast::CALLBACKS.iter()))
            {
                *slot = *entry;
            }
            all
        };
        let mut obj = ptr::null_mut();
        if sys::napi_create_object(env, &mut obj) != sys::Status::napi_ok {
            return Err(napi::Error::new(
                napi::Status::GenericFailure,
                "cannot create the fast API",
            ));
        }
        for (name, cb) in table {
            let mut f = ptr::null_mut();
            let s = sys::napi_create_function(
                env,
                name.as_ptr(),
                -1,
                Some(cb),
                ptr::null_mut(),
                &mut f,
            );
            if s != sys::Status::napi_ok
                || sys::napi_set_named_property(env, obj, name.as_ptr(), f) != sys::Status::napi_ok
            {
                return Err(napi::Error::new(
                    napi::Status::GenericFailure,
                    "cannot create the fast API",
                ));
            }
        }
        Ok(obj)
    }
}

/// True when the text has a run of 16 or more digits: such a number may not survive a trip
/// through a JS double, so the claims take the exact (handle) path. Conservative: digits inside
/// strings also count.
fn has_long_digit_run(b: &[u8]) -> bool {
    let mut run = 0;
    for &c in b {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 16 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}
