//! JS values ⇄ the core's ordered [`Json`] value.
//!
//! JS → `Json` (dynamic arguments, claims): integers that are safe (`Number.isSafeInteger`) →
//! `Int`, other finite numbers → `Float`, `BigInt` → `Int` or `BigInt` (exact digits), strings,
//! booleans, `null`, arrays, plain objects in own-enumerable-key order; `undefined` members are
//! skipped and an object's `toJSON()` is honoured, as `JSON.stringify` does. NaN, ±Infinity,
//! functions, symbols and nesting deeper than 64 → `VALIDATION_ERROR`. The core then checks the
//! types of what it was given, so a wrongly typed argument is a core `VALIDATION_ERROR`.
//!
//! `Json` → JS: integers within ±(2^53−1) → number, larger integers → `BigInt` (exact), floats →
//! number, objects keep member order (defined as own data properties, so `__proto__` is data).

use napi::bindgen_prelude::{ToNapiValue, Unknown};
use napi::{sys, JsValue};
use std::os::raw::c_char;
use std::ptr;
use warden_core::{Error, Json, Result};

const MAX_DEPTH: usize = 64;
const MAX_SAFE: i64 = (1 << 53) - 1;

/// Clears a pending JS exception (a throwing getter or `toJSON`) and reports the failure as
/// `VALIDATION_ERROR`.
unsafe fn check(env: sys::napi_env, status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        return Ok(());
    }
    let mut pending = false;
    sys::napi_is_exception_pending(env, &mut pending);
    if pending {
        let mut exc = ptr::null_mut();
        sys::napi_get_and_clear_last_exception(env, &mut exc);
    }
    Err(Error::validation(format!(
        "cannot convert the argument: {what}"
    )))
}

/// Reads a JS string as UTF-8 (lone surrogates become U+FFFD, as V8 encodes them).
pub unsafe fn read_string(env: sys::napi_env, v: sys::napi_value) -> Result<String> {
    let mut len = 0usize;
    check(
        env,
        sys::napi_get_value_string_utf8(env, v, ptr::null_mut(), 0, &mut len),
        "string",
    )?;
    let mut buf: Vec<u8> = Vec::with_capacity(len + 1);
    let mut written = 0usize;
    check(
        env,
        sys::napi_get_value_string_utf8(
            env,
            v,
            buf.as_mut_ptr() as *mut c_char,
            len + 1,
            &mut written,
        ),
        "string",
    )?;
    buf.set_len(written.min(len));
    String::from_utf8(buf).map_err(|_| Error::validation("string is not valid UTF-8"))
}

/// Decimal digits of a little-endian magnitude.
fn words_to_decimal(mut words: Vec<u64>, negative: bool) -> String {
    const CHUNK: u64 = 10_000_000_000_000_000_000; // 10^19
    let mut chunks: Vec<u64> = Vec::new();
    while words.iter().any(|&w| w != 0) {
        let mut rem: u128 = 0;
        for w in words.iter_mut().rev() {
            let cur = (rem << 64) | (*w as u128);
            *w = (cur / CHUNK as u128) as u64;
            rem = cur % CHUNK as u128;
        }
        chunks.push(rem as u64);
        while words.last() == Some(&0) {
            words.pop();
        }
    }
    let mut s = String::new();
    if negative {
        s.push('-');
    }
    match chunks.pop() {
        None => return "0".into(),
        Some(top) => s.push_str(&top.to_string()),
    }
    for c in chunks.iter().rev() {
        s.push_str(&format!("{c:019}"));
    }
    s
}

unsafe fn bigint_to_json(env: sys::napi_env, v: sys::napi_value) -> Result<Json> {
    let mut sign = 0;
    let mut count = 0usize;
    check(
        env,
        sys::napi_get_value_bigint_words(env, v, ptr::null_mut(), &mut count, ptr::null_mut()),
        "bigint",
    )?;
    if count > 1024 {
        return Err(Error::validation("BigInt too large"));
    }
    let mut words = vec![0u64; count.max(1)];
    let mut count2 = count;
    check(
        env,
        sys::napi_get_value_bigint_words(env, v, &mut sign, &mut count2, words.as_mut_ptr()),
        "bigint",
    )?;
    words.truncate(count2.max(1));
    while words.len() > 1 && words.last() == Some(&0) {
        words.pop();
    }
    let negative = sign != 0 && words.iter().any(|&w| w != 0);
    if words.len() == 1 {
        let w = words[0];
        if !negative && w <= i64::MAX as u64 {
            return Ok(Json::Int(w as i64));
        }
        if negative && w <= (i64::MAX as u64) + 1 {
            return Ok(Json::Int((w as i128).wrapping_neg() as i64));
        }
    }
    Ok(Json::BigInt(words_to_decimal(words, negative)))
}

unsafe fn conv(env: sys::napi_env, v: sys::napi_value, depth: usize) -> Result<Json> {
    if depth > MAX_DEPTH {
        return Err(Error::validation("value nested too deeply (or cyclic)"));
    }
    let mut t = 0;
    check(env, sys::napi_typeof(env, v, &mut t), "typeof")?;
    match t {
        sys::ValueType::napi_undefined | sys::ValueType::napi_null => Ok(Json::Null),
        sys::ValueType::napi_boolean => {
            let mut b = false;
            check(env, sys::napi_get_value_bool(env, v, &mut b), "boolean")?;
            Ok(Json::Bool(b))
        }
        sys::ValueType::napi_number => {
            let mut f = 0f64;
            check(env, sys::napi_get_value_double(env, v, &mut f), "number")?;
            if !f.is_finite() {
                Err(Error::validation("NaN and Infinity are not JSON numbers"))
            } else if f.fract() == 0.0 && f.abs() <= MAX_SAFE as f64 {
                Ok(Json::Int(f as i64))
            } else {
                Ok(Json::Float(f))
            }
        }
        sys::ValueType::napi_string => Ok(Json::Str(read_string(env, v)?)),
        sys::ValueType::napi_bigint => bigint_to_json(env, v),
        sys::ValueType::napi_object => {
            // toJSON(), as JSON.stringify does (Date, Claims, …).
            let mut to_json = ptr::null_mut();
            check(
                env,
                sys::napi_get_named_property(env, v, c"toJSON".as_ptr(), &mut to_json),
                "toJSON",
            )?;
            let mut tt = 0;
            check(env, sys::napi_typeof(env, to_json, &mut tt), "toJSON")?;
            if tt == sys::ValueType::napi_function {
                let mut r = ptr::null_mut();
                check(
                    env,
                    sys::napi_call_function(env, v, to_json, 0, ptr::null(), &mut r),
                    "toJSON() threw",
                )?;
                let mut rt = 0;
                check(env, sys::napi_typeof(env, r, &mut rt), "toJSON")?;
                if rt == sys::ValueType::napi_object {
                    return conv_plain(env, r, depth);
                }
                return conv(env, r, depth + 1);
            }
            conv_plain(env, v, depth)
        }
        _ => Err(Error::validation(
            "functions, symbols and externals cannot be converted to JSON",
        )),
    }
}

unsafe fn conv_plain(env: sys::napi_env, v: sys::napi_value, depth: usize) -> Result<Json> {
    let mut is_arr = false;
    check(env, sys::napi_is_array(env, v, &mut is_arr), "array")?;
    if is_arr {
        let mut len = 0u32;
        check(env, sys::napi_get_array_length(env, v, &mut len), "array")?;
        let mut out = Vec::with_capacity((len as usize).min(4096));
        for i in 0..len {
            let mut e = ptr::null_mut();
            check(
                env,
                sys::napi_get_element(env, v, i, &mut e),
                "array element",
            )?;
            out.push(conv(env, e, depth + 1)?);
        }
        return Ok(Json::Arr(out));
    }
    let mut keys = ptr::null_mut();
    check(
        env,
        sys::napi_get_all_property_names(
            env,
            v,
            sys::KeyCollectionMode::own_only,
            sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
            sys::KeyConversion::numbers_to_strings,
            &mut keys,
        ),
        "object keys",
    )?;
    let mut len = 0u32;
    check(
        env,
        sys::napi_get_array_length(env, keys, &mut len),
        "object keys",
    )?;
    let mut members: Vec<(String, Json)> = Vec::with_capacity(len as usize);
    for i in 0..len {
        let mut k = ptr::null_mut();
        check(
            env,
            sys::napi_get_element(env, keys, i, &mut k),
            "object key",
        )?;
        let name = read_string(env, k)?;
        let mut val = ptr::null_mut();
        check(
            env,
            sys::napi_get_property(env, v, k, &mut val),
            "object member",
        )?;
        let mut vt = 0;
        check(env, sys::napi_typeof(env, val, &mut vt), "object member")?;
        if vt == sys::ValueType::napi_undefined {
            continue;
        }
        members.push((name, conv(env, val, depth + 1)?));
    }
    Ok(Json::Obj(members))
}

/// Converts any JS value to `Json` (see the module doc).
pub fn to_json(u: &Unknown<'_>) -> Result<Json> {
    let v = u.value();
    unsafe { conv(v.env, v.value, 0) }
}

/// `to_json` of an optional argument (`undefined` → `None`).
pub fn opt_to_json(u: &Option<Unknown<'_>>) -> Result<Option<Json>> {
    match u {
        None => Ok(None),
        Some(u) => {
            let v = u.value();
            let mut t = 0;
            unsafe { check(v.env, sys::napi_typeof(v.env, v.value, &mut t), "typeof")? };
            if t == sys::ValueType::napi_undefined {
                Ok(None)
            } else {
                to_json(u).map(Some)
            }
        }
    }
}

/// Renames the top-level members of an object from camelCase to the core's snake_case names
/// (`table` pairs); other members pass through unchanged, so the core rejects unknown names.
pub fn rename(v: Json, table: &[(&str, &str)]) -> Json {
    match v {
        Json::Obj(m) => Json::Obj(
            m.into_iter()
                .map(
                    |(k, val)| match table.iter().find(|(camel, _)| *camel == k) {
                        Some((_, snake)) => (snake.to_string(), val),
                        None => (k, val),
                    },
                )
                .collect(),
        ),
        other => other,
    }
}

fn st(s: sys::napi_status) -> napi::Result<()> {
    if s == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            napi::Status::GenericFailure,
            "cannot create a JS value",
        ))
    }
}

unsafe fn emit(env: sys::napi_env, j: &Json) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    match j {
        Json::Null => st(sys::napi_get_null(env, &mut out))?,
        Json::Bool(b) => st(sys::napi_get_boolean(env, *b, &mut out))?,
        Json::Int(i) if i.abs() <= MAX_SAFE => {
            st(sys::napi_create_double(env, *i as f64, &mut out))?
        }
        Json::Int(i) => st(sys::napi_create_bigint_int64(env, *i, &mut out))?,
        Json::BigInt(digits) => {
            let mut global = ptr::null_mut();
            st(sys::napi_get_global(env, &mut global))?;
            let mut ctor = ptr::null_mut();
            st(sys::napi_get_named_property(
                env,
                global,
                c"BigInt".as_ptr(),
                &mut ctor,
            ))?;
            let mut arg = ptr::null_mut();
            st(sys::napi_create_string_utf8(
                env,
                digits.as_ptr() as *const c_char,
                digits.len() as isize,
                &mut arg,
            ))?;
            st(sys::napi_call_function(
                env, global, ctor, 1, &arg, &mut out,
            ))?;
        }
        Json::Float(f) => st(sys::napi_create_double(env, *f, &mut out))?,
        Json::Str(s) => st(sys::napi_create_string_utf8(
            env,
            s.as_ptr() as *const c_char,
            s.len() as isize,
            &mut out,
        ))?,
        Json::Arr(a) => {
            st(sys::napi_create_array_with_length(env, a.len(), &mut out))?;
            for (i, e) in a.iter().enumerate() {
                let v = emit(env, e)?;
                st(sys::napi_set_element(env, out, i as u32, v))?;
            }
        }
        Json::Obj(m) => {
            st(sys::napi_create_object(env, &mut out))?;
            for (k, val) in m {
                let mut name = ptr::null_mut();
                st(sys::napi_create_string_utf8(
                    env,
                    k.as_ptr() as *const c_char,
                    k.len() as isize,
                    &mut name,
                ))?;
                let value = emit(env, val)?;
                let desc = sys::napi_property_descriptor {
                    utf8name: ptr::null(),
                    name,
                    method: None,
                    getter: None,
                    setter: None,
                    value,
                    attributes: sys::PropertyAttributes::writable
                        | sys::PropertyAttributes::enumerable
                        | sys::PropertyAttributes::configurable,
                    data: ptr::null_mut(),
                };
                st(sys::napi_define_properties(env, out, 1, &desc))?;
            }
        }
    }
    Ok(out)
}

/// A `Json` value returned to JS.
pub struct JsonOut(pub Json);

impl ToNapiValue for JsonOut {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        emit(env, &val.0)
    }
}

/// An optional `Json` returned to JS: `None` → `undefined` (absent), `Some(Null)` → `null`.
pub struct MaybeJson(pub Option<Json>);

impl ToNapiValue for MaybeJson {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            Some(j) => emit(env, &j),
            None => {
                let mut out = ptr::null_mut();
                st(sys::napi_get_undefined(env, &mut out))?;
                Ok(out)
            }
        }
    }
}

/// A JS string argument read without napi-rs's own type check, so that a wrong type is a
/// `VALIDATION_ERROR` rather than a napi `StringExpected`.
pub fn string_arg(u: &Unknown<'_>, what: &str) -> Result<String> {
    let v = u.value();
    let mut t = 0;
    unsafe {
        check(v.env, sys::napi_typeof(v.env, v.value, &mut t), what)?;
        if t != sys::ValueType::napi_string {
            return Err(Error::validation(format!("{what} must be a string")));
        }
        read_string(v.env, v.value)
    }
}

#[cfg(test)]
mod tests {
    use super::words_to_decimal;
    #[test]
    fn decimal() {
        assert_eq!(words_to_decimal(vec![0], false), "0");
        assert_eq!(
            words_to_decimal(vec![u64::MAX], false),
            "18446744073709551615"
        );
        // 123456789012345678901234567890 = 0x18EE90FF6C373E0EE4E3F0AD2
        assert_eq!(
            words_to_decimal(vec![0xC373E0EE4E3F0AD2, 0x18EE90FF6], true),
            "-123456789012345678901234567890"
        );
    }
}
