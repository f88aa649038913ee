//! The conventions shared by every exported function: [`WardenError`] out-parameters,
//! [`WardenBytes`] results, `(ptr, len)` inputs checked for NULL, length and UTF-8, and the
//! `catch_unwind` guard around every body.

use crate::errors::{code_name, WardenErrorCode};
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use warden_core::{catch_panic, Error, Result};

/// Longest single input accepted through the C ABI (16 MiB); longer → `VALIDATION_ERROR`.
pub const WARDEN_MAX_INPUT_BYTES: usize = 16 << 20;

/// Most items accepted in one string list.
pub const WARDEN_MAX_LIST_ITEMS: usize = 1 << 16;

/// A failed call. Owned by the caller: free it with `warden_error_free`.
#[repr(C)]
pub struct WardenError {
    /// A `WardenErrorCode` value, stored as `int32_t` so every FFI reads it the same way.
    pub code: i32,
    /// The stable UPPER_SNAKE name of `code` (static storage: never free it).
    pub code_name: *const c_char,
    /// The stable snake_case sub-code (for `INVALID_TOKEN`), or NULL. Owned by this error.
    pub reason: *mut c_char,
    /// Human-readable text, never NULL, not stable (never compare it). Owned by this error.
    pub message: *mut c_char,
    /// The guard decision attached to the error (a Guard denial or outage) as compact JSON
    /// text with every `Decision` field, or NULL. Owned by this error.
    pub decision: *mut c_char,
}

/// A byte string returned by Warden. Owned by the caller: free it with `warden_bytes_free`.
/// `ptr[len]` is a NUL byte, so text results can be used as C strings when they hold no NUL.
/// `ptr == NULL` (with `len == 0`) means "no value" where a function says so.
#[repr(C)]
pub struct WardenBytes {
    /// The bytes (NULL for no value).
    pub ptr: *mut u8,
    /// The number of bytes, without the trailing NUL.
    pub len: usize,
}

impl WardenBytes {
    pub(crate) const NONE: WardenBytes = WardenBytes {
        ptr: ptr::null_mut(),
        len: 0,
    };

    pub(crate) fn from_vec(mut v: Vec<u8>) -> WardenBytes {
        let len = v.len();
        v.push(0);
        let ptr = Box::into_raw(v.into_boxed_slice()) as *mut u8;
        WardenBytes { ptr, len }
    }

    pub(crate) fn from_string(s: String) -> WardenBytes {
        WardenBytes::from_vec(s.into_bytes())
    }
}

fn c_string(s: &str) -> *mut c_char {
    let s = if s.contains('\0') {
        s.replace('\0', "\\0")
    } else {
        s.to_string()
    };
    CString::new(s).unwrap_or_default().into_raw()
}

pub(crate) fn new_error(e: &Error) -> *mut WardenError {
    let code = WardenErrorCode::from_core(e.code());
    Box::into_raw(Box::new(WardenError {
        code: code as i32,
        code_name: code_name(code as i32),
        reason: e.reason().map(c_string).unwrap_or(ptr::null_mut()),
        message: c_string(e.message()),
        decision: e
            .decision()
            .map(|d| c_string(&d.to_compact()))
            .unwrap_or(ptr::null_mut()),
    }))
}

/// Runs an exported body: panics become `INTERNAL`, the error (or NULL) is stored in `*err`
/// when `err` is not NULL, and the result says whether the call succeeded.
pub(crate) fn call(err: *mut *mut WardenError, f: impl FnOnce() -> Result<()>) -> bool {
    catch_unwind(AssertUnwindSafe(|| {
        let r = catch_panic(f);
        let ok = r.is_ok();
        if !err.is_null() {
            let e = match r {
                Ok(()) => ptr::null_mut(),
                Err(e) => new_error(&e),
            };
            // SAFETY: the caller passes a valid `WardenError **` or NULL.
            unsafe { *err = e };
        }
        ok
    }))
    .unwrap_or(false)
}

/// Runs a boolean query: any panic answers `false`.
pub(crate) fn query(f: impl FnOnce() -> bool) -> bool {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(false)
}

/// Runs a body that returns a plain value: any panic answers `default`.
pub(crate) fn value<T>(default: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}

/// A `(ptr, len)` input as bytes: NULL with `len == 0` is empty, NULL otherwise and lengths
/// over [`WARDEN_MAX_INPUT_BYTES`] are `VALIDATION_ERROR`.
///
/// # Safety
/// `ptr` must point to `len` readable bytes that stay valid for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8]> {
    if len > WARDEN_MAX_INPUT_BYTES {
        return Err(Error::validation(format!(
            "{what} is longer than {WARDEN_MAX_INPUT_BYTES} bytes"
        )));
    }
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::validation(format!(
            "{what} is NULL with a non-zero length"
        )));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// A `(ptr, len)` input as UTF-8 text (`VALIDATION_ERROR` when it is not UTF-8).
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a str> {
    std::str::from_utf8(bytes(ptr, len, what)?)
        .map_err(|_| Error::validation(format!("{what} is not valid UTF-8")))
}

/// An optional `(ptr, len)` text input: a NULL `ptr` means "not given".
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn opt_text<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    text(ptr, len, what).map(Some)
}

/// Text for a boolean query: non-UTF-8 bytes become U+FFFD, which no Warden grammar accepts, so
/// the core answers as for any other invalid input (denied / not valid). NULL or an oversized
/// length gives `None` (the query answers false).
///
/// # Safety
/// As [`bytes`].
pub(crate) unsafe fn lossy<'a>(ptr: *const u8, len: usize) -> Option<std::borrow::Cow<'a, str>> {
    bytes(ptr, len, "argument")
        .ok()
        .map(String::from_utf8_lossy)
}

/// A string list passed as `(data, lens, count)`: item `i` is the next `lens[i]` bytes of
/// `data`. The lengths must add up to at most [`WARDEN_MAX_INPUT_BYTES`].
///
/// # Safety
/// `data` must hold the sum of the lengths; `lens` must hold `count` entries.
pub(crate) unsafe fn list<'a>(
    data: *const u8,
    lens: *const usize,
    count: usize,
    what: &str,
) -> Result<Vec<&'a [u8]>> {
    if count > WARDEN_MAX_LIST_ITEMS {
        return Err(Error::validation(format!(
            "{what} holds more than {WARDEN_MAX_LIST_ITEMS} items"
        )));
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    if lens.is_null() {
        return Err(Error::validation(format!(
            "{what}: lens is NULL with a non-zero count"
        )));
    }
    let lens = std::slice::from_raw_parts(lens, count);
    let mut total = 0usize;
    for l in lens {
        total = total
            .checked_add(*l)
            .filter(|t| *t <= WARDEN_MAX_INPUT_BYTES)
            .ok_or_else(|| {
                Error::validation(format!(
                    "{what} is longer than {WARDEN_MAX_INPUT_BYTES} bytes"
                ))
            })?;
    }
    let all = bytes(data, total, what)?;
    let mut out = Vec::with_capacity(count);
    let mut at = 0;
    for l in lens {
        out.push(&all[at..at + l]);
        at += l;
    }
    Ok(out)
}

/// A string list as UTF-8 text (`VALIDATION_ERROR` for an item that is not UTF-8).
///
/// # Safety
/// As [`list`].
pub(crate) unsafe fn text_list<'a>(
    data: *const u8,
    lens: *const usize,
    count: usize,
    what: &str,
) -> Result<Vec<&'a str>> {
    list(data, lens, count, what)?
        .into_iter()
        .map(|b| {
            std::str::from_utf8(b)
                .map_err(|_| Error::validation(format!("an item of {what} is not valid UTF-8")))
        })
        .collect()
}

/// A string list for a boolean query (non-UTF-8 items become U+FFFD, see [`lossy`]).
///
/// # Safety
/// As [`list`].
pub(crate) unsafe fn lossy_list<'a>(
    data: *const u8,
    lens: *const usize,
    count: usize,
) -> Option<Vec<std::borrow::Cow<'a, str>>> {
    list(data, lens, count, "list")
        .ok()
        .map(|v| v.into_iter().map(String::from_utf8_lossy).collect())
}

/// A handle argument (`VALIDATION_ERROR` when NULL).
///
/// # Safety
/// `p` must be NULL or a live handle of this type.
pub(crate) unsafe fn handle<'a, T>(p: *const T, what: &str) -> Result<&'a T> {
    p.as_ref()
        .ok_or_else(|| Error::validation(format!("{what} is NULL")))
}

/// Stores a result (`VALIDATION_ERROR` when the out-pointer is NULL; the value is dropped).
///
/// # Safety
/// `out` must be NULL or valid for a write of `T`.
pub(crate) unsafe fn put<T>(out: *mut T, v: T, what: &str) -> Result<()> {
    if out.is_null() {
        return Err(Error::validation(format!(
            "{what} (the out-parameter) is NULL"
        )));
    }
    out.write(v);
    Ok(())
}

/// Clears an out-parameter before work starts, so a failed call leaves a value safe to free.
///
/// # Safety
/// As [`put`].
pub(crate) unsafe fn clear<T>(out: *mut T, empty: T) {
    if !out.is_null() {
        out.write(empty);
    }
}

/// Frees an error returned through a `WardenError **` out-parameter. NULL-safe.
///
/// # Safety
/// `error` must be NULL or an error returned by Warden and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn warden_error_free(error: *mut WardenError) {
    value((), || {
        if error.is_null() {
            return;
        }
        let e = Box::from_raw(error);
        if !e.reason.is_null() {
            drop(CString::from_raw(e.reason));
        }
        if !e.message.is_null() {
            drop(CString::from_raw(e.message));
        }
        if !e.decision.is_null() {
            drop(CString::from_raw(e.decision));
        }
    })
}

/// Frees a `WardenBytes` returned by Warden. NULL-safe (a `ptr` of NULL does nothing).
///
/// # Safety
/// `bytes` must be a value returned by Warden and not freed yet.
#[no_mangle]
pub unsafe extern "C" fn warden_bytes_free(bytes: WardenBytes) {
    value((), || {
        if !bytes.ptr.is_null() {
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
                bytes.ptr,
                bytes.len + 1,
            )));
        }
    })
}
