//! Keys and key sets: constructors, exports, and the one asynchronous call of the token API,
//! `warden_keyset_fetch` (callback + `uintptr_t user_data`, called exactly once).

use crate::ffi::{
    bytes, call, clear, handle, new_error, opt_text, put, text, value, WardenBytes, WardenError,
};
use std::ffi::c_char;
use warden_core::{Alg, Error, Key, KeySet};

/// A key bound to one algorithm (SEMANTICS-tokens §2). Thread-safe; free with `warden_key_free`.
pub struct WardenKey(pub(crate) Key);

/// A set of keys by `kid`, possibly fetched from a JWKS URL. Thread-safe; free with
/// `warden_keyset_free` (a verifier built from it keeps its own reference).
pub struct WardenKeySet(pub(crate) KeySet);

/// The signing algorithms. Values are fixed and never reused.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WardenAlg {
    /// HMAC-SHA256 (`HS256`).
    Hs256 = 1,
    /// Ed25519 (`EdDSA`).
    Eddsa = 2,
    /// ECDSA P-256 with SHA-256 (`ES256`).
    Es256 = 3,
}

impl WardenAlg {
    fn from_core(a: Alg) -> WardenAlg {
        match a {
            Alg::HS256 => WardenAlg::Hs256,
            Alg::EdDSA => WardenAlg::Eddsa,
            Alg::ES256 => WardenAlg::Es256,
        }
    }
}

/// The user data passed back to a callback: an integer (Go passes a `cgo.Handle`).
pub type WardenUserData = usize;

/// Receives the result of `warden_keyset_fetch`: exactly one of `keyset` and `error` is not
/// NULL, and the callback owns it (`warden_keyset_free` / `warden_error_free`).
pub type WardenKeySetCallback = Option<
    unsafe extern "C" fn(
        user_data: WardenUserData,
        keyset: *mut WardenKeySet,
        error: *mut WardenError,
    ),
>;

/// Receives the result of an asynchronous call that returns nothing: `error` is NULL on
/// success, otherwise owned by the callback (`warden_error_free`).
pub type WardenDoneCallback =
    Option<unsafe extern "C" fn(user_data: WardenUserData, error: *mut WardenError)>;

fn boxed<T>(v: T) -> *mut T {
    Box::into_raw(Box::new(v))
}

/// `Key.hs256_hex(secret_hex, kid)`: exactly 64 hex digits. `kid` may be NULL (no key id).
/// On success `*out` is a new key owned by the caller (`warden_key_free`); on failure `*out`
/// is NULL and `*err` says why (`INVALID_KEY`, `VALIDATION_ERROR`).
///
/// # Safety
/// Every `(ptr, len)` pair must be readable; `out` valid for a write; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_key_hs256_hex(
    secret_hex: *const u8,
    secret_hex_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let k = Key::hs256_hex(
            text(secret_hex, secret_hex_len, "secret_hex")?,
            opt_text(kid, kid_len, "kid")?,
        )?;
        put(out, boxed(WardenKey(k)), "out")
    })
}

/// `Key.hs256_bytes(secret, kid)`: at least 32 raw bytes. On success `*out` is a new key owned by the caller
/// (`warden_key_free`).
///
/// # Safety
/// As `warden_key_hs256_hex`.
#[no_mangle]
pub unsafe extern "C" fn warden_key_hs256_bytes(
    secret: *const u8,
    secret_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let k = Key::hs256_bytes(
            bytes(secret, secret_len, "secret")?,
            opt_text(kid, kid_len, "kid")?,
        )?;
        put(out, boxed(WardenKey(k)), "out")
    })
}

/// `Key.generate_ed25519(kid)`: a new random Ed25519 key pair. On success `*out` is a new key owned by
/// the caller (`warden_key_free`).
///
/// # Safety
/// As `warden_key_hs256_hex`.
#[no_mangle]
pub unsafe extern "C" fn warden_key_generate_ed25519(
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        put(
            out,
            boxed(WardenKey(Key::generate_ed25519(opt_text(
                kid, kid_len, "kid",
            )?)?)),
            "out",
        )
    })
}

/// `Key.generate_es256(kid)`: a new random P-256 key pair. On success `*out` is a new key owned by the caller
/// (`warden_key_free`).
///
/// # Safety
/// As `warden_key_hs256_hex`.
#[no_mangle]
pub unsafe extern "C" fn warden_key_generate_es256(
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        put(
            out,
            boxed(WardenKey(Key::generate_es256(opt_text(
                kid, kid_len, "kid",
            )?)?)),
            "out",
        )
    })
}

/// `Key.from_jwk(json)`. On success `*out` is a new key owned by the caller
/// (`warden_key_free`).
///
/// # Safety
/// As `warden_key_hs256_hex`.
#[no_mangle]
pub unsafe extern "C" fn warden_key_from_jwk(
    jwk_json: *const u8,
    jwk_json_len: usize,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        put(
            out,
            boxed(WardenKey(Key::from_jwk(text(
                jwk_json,
                jwk_json_len,
                "jwk_json",
            )?)?)),
            "out",
        )
    })
}

/// `Key.from_pem(pem, kid)`. On success `*out` is a new key owned by the caller
/// (`warden_key_free`).
///
/// # Safety
/// As `warden_key_hs256_hex`.
#[no_mangle]
pub unsafe extern "C" fn warden_key_from_pem(
    pem: *const u8,
    pem_len: usize,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        put(
            out,
            boxed(WardenKey(Key::from_pem(
                text(pem, pem_len, "pem")?,
                opt_text(kid, kid_len, "kid")?,
            )?)),
            "out",
        )
    })
}

/// The algorithm of a key (a `WardenAlg` value), or 0 when `key` is NULL. Borrows `key`.
///
/// # Safety
/// `key` must be NULL or a live key.
#[no_mangle]
pub unsafe extern "C" fn warden_key_alg(key: *const WardenKey) -> i32 {
    value(0, || {
        key.as_ref()
            .map(|k| WardenAlg::from_core(k.0.alg()) as i32)
            .unwrap_or(0)
    })
}

/// The JOSE name of a `WardenAlg` value (`"HS256"`, `"EdDSA"`, `"ES256"`; static storage), or
/// NULL for any other value.
#[no_mangle]
pub extern "C" fn warden_alg_name(alg: i32) -> *const c_char {
    value(std::ptr::null(), || match alg {
        1 => c"HS256".as_ptr(),
        2 => c"EdDSA".as_ptr(),
        3 => c"ES256".as_ptr(),
        _ => std::ptr::null(),
    })
}

/// True when the key can sign (HMAC keys and private asymmetric keys). Borrows `key`; false
/// for NULL.
///
/// # Safety
/// `key` must be NULL or a live key.
#[no_mangle]
pub unsafe extern "C" fn warden_key_has_private(key: *const WardenKey) -> bool {
    value(false, || key.as_ref().is_some_and(|k| k.0.has_private()))
}

/// The key id. On success `*kid` is owned by the caller (`warden_bytes_free`); its `ptr` is
/// NULL when the key has no id. Borrows `key`.
///
/// # Safety
/// `key` NULL or live; `kid` valid for a write; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_key_kid(
    key: *const WardenKey,
    kid: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(kid, WardenBytes::NONE);
    call(err, || {
        let k = handle(key, "key")?;
        put(
            kid,
            k.0.kid()
                .map(|s| WardenBytes::from_string(s.to_string()))
                .unwrap_or(WardenBytes::NONE),
            "kid",
        )
    })
}

/// `key.public_jwk()`: the public JWK as JSON text (`*jwk_json` owned by the caller). Borrows
/// `key`.
///
/// # Safety
/// As `warden_key_kid`.
#[no_mangle]
pub unsafe extern "C" fn warden_key_public_jwk(
    key: *const WardenKey,
    jwk_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(jwk_json, WardenBytes::NONE);
    call(err, || {
        put(
            jwk_json,
            WardenBytes::from_string(handle(key, "key")?.0.public_jwk()?),
            "jwk_json",
        )
    })
}

/// `key.to_jwk(include_private)` as JSON text (`*jwk_json` owned by the caller). Borrows `key`.
///
/// # Safety
/// As `warden_key_kid`.
#[no_mangle]
pub unsafe extern "C" fn warden_key_to_jwk(
    key: *const WardenKey,
    include_private: bool,
    jwk_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(jwk_json, WardenBytes::NONE);
    call(err, || {
        put(
            jwk_json,
            WardenBytes::from_string(handle(key, "key")?.0.to_jwk(include_private)?),
            "jwk_json",
        )
    })
}

/// `key.to_pem(include_private)` (`*pem` owned by the caller). Borrows `key`.
///
/// # Safety
/// As `warden_key_kid`.
#[no_mangle]
pub unsafe extern "C" fn warden_key_to_pem(
    key: *const WardenKey,
    include_private: bool,
    pem: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(pem, WardenBytes::NONE);
    call(err, || {
        put(
            pem,
            WardenBytes::from_string(handle(key, "key")?.0.to_pem(include_private)?),
            "pem",
        )
    })
}

/// `key.public_key()`: the same key without its private part (a new handle owned by the
/// caller; HMAC keys are returned unchanged). Borrows `key`.
///
/// # Safety
/// `key` NULL or live; `out` valid for a write; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_key_public_key(
    key: *const WardenKey,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        put(
            out,
            boxed(WardenKey(handle(key, "key")?.0.public_key())),
            "out",
        )
    })
}

/// Frees a key. NULL-safe. Handles built from it (key sets, verifiers, orchestrators) keep
/// their own reference and stay valid.
///
/// # Safety
/// `key` must be NULL or a live key, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn warden_key_free(key: *mut WardenKey) {
    value((), || {
        if !key.is_null() {
            drop(Box::from_raw(key));
        }
    })
}

/// `KeySet(keys)`: a set of `count` keys (borrowed; the set keeps its own references).
/// `INVALID_KEY` for duplicate key ids, `VALIDATION_ERROR` for an empty set. On success `*out`
/// is owned by the caller (`warden_keyset_free`).
///
/// # Safety
/// `keys` must hold `count` pointers to live keys; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_new(
    keys: *const *const WardenKey,
    count: usize,
    out: *mut *mut WardenKeySet,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        if count > crate::ffi::WARDEN_MAX_LIST_ITEMS {
            return Err(Error::validation("too many keys"));
        }
        let ptrs: &[*const WardenKey] = if count == 0 {
            &[]
        } else {
            std::slice::from_raw_parts(handle(keys, "keys")?, count)
        };
        let list = ptrs
            .iter()
            .map(|p| handle(*p, "a key").map(|k| k.0.clone()))
            .collect::<warden_core::Result<Vec<_>>>()?;
        put(out, boxed(WardenKeySet(KeySet::new(list)?)), "out")
    })
}

/// `KeySet.from_jwks(json)`. On success `*out` is owned by the caller
/// (`warden_keyset_free`).
///
/// # Safety
/// `(jwks_json, jwks_json_len)` readable; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_from_jwks(
    jwks_json: *const u8,
    jwks_json_len: usize,
    out: *mut *mut WardenKeySet,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        put(
            out,
            boxed(WardenKeySet(KeySet::from_jwks(text(
                jwks_json,
                jwks_json_len,
                "jwks_json",
            )?)?)),
            "out",
        )
    })
}

/// The number of keys now in the set (0 for NULL). Borrows `keyset`.
///
/// # Safety
/// `keyset` must be NULL or live.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_len(keyset: *const WardenKeySet) -> usize {
    value(0, || keyset.as_ref().map(|k| k.0.len()).unwrap_or(0))
}

/// The key at `index` of a snapshot of the set (a new handle owned by the caller);
/// `VALIDATION_ERROR` when out of range. Borrows `keyset`.
///
/// # Safety
/// `keyset` NULL or live; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_key_at(
    keyset: *const WardenKeySet,
    index: usize,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let snap = handle(keyset, "keyset")?.0.snapshot();
        let k = snap
            .get(index)
            .ok_or_else(|| Error::validation("key index out of range"))?;
        put(out, boxed(WardenKey(k.clone())), "out")
    })
}

/// The key with id `kid`: `*out` is a new handle owned by the caller, or NULL (with success)
/// when no key has that id. Borrows `keyset`.
///
/// # Safety
/// As `warden_keyset_key_at`; `(kid, kid_len)` readable.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_get(
    keyset: *const WardenKeySet,
    kid: *const u8,
    kid_len: usize,
    out: *mut *mut WardenKey,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let k = handle(keyset, "keyset")?.0.get(text(kid, kid_len, "kid")?);
        put(
            out,
            k.map(|k| boxed(WardenKey(k)))
                .unwrap_or(std::ptr::null_mut()),
            "out",
        )
    })
}

/// The public JWKS of the set (HMAC keys left out) as JSON text, owned by the caller.
///
/// # Safety
/// `keyset` NULL or live; `jwks_json` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_to_public_jwks(
    keyset: *const WardenKeySet,
    jwks_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(jwks_json, WardenBytes::NONE);
    call(err, || {
        put(
            jwks_json,
            WardenBytes::from_string(handle(keyset, "keyset")?.0.to_public_jwks()),
            "jwks_json",
        )
    })
}

/// The URL a fetched set came from (`*url` owned by the caller; `ptr` NULL for a set that was
/// not fetched).
///
/// # Safety
/// As `warden_keyset_to_public_jwks`.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_url(
    keyset: *const WardenKeySet,
    url: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(url, WardenBytes::NONE);
    call(err, || {
        put(
            url,
            handle(keyset, "keyset")?
                .0
                .url()
                .map(|u| WardenBytes::from_string(u.to_string()))
                .unwrap_or(WardenBytes::NONE),
            "url",
        )
    })
}

/// Frees a key set. NULL-safe. Verifiers built from it keep their own reference.
///
/// # Safety
/// `keyset` must be NULL or live, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_free(keyset: *mut WardenKeySet) {
    value((), || {
        if !keyset.is_null() {
            drop(Box::from_raw(keyset));
        }
    })
}

/// Calls a callback exactly once: with the result, or (when dropped unfinished, e.g. because
/// the runtime shut down or the task panicked) with an `INTERNAL` error.
struct Once<F: FnOnce(Result<R, Error>), R> {
    f: Option<F>,
    _r: std::marker::PhantomData<fn(R)>,
}

impl<F: FnOnce(Result<R, Error>), R> Once<F, R> {
    fn new(f: F) -> Self {
        Once {
            f: Some(f),
            _r: std::marker::PhantomData,
        }
    }
    fn done(mut self, r: Result<R, Error>) {
        if let Some(f) = self.f.take() {
            f(r)
        }
    }
}

impl<F: FnOnce(Result<R, Error>), R> Drop for Once<F, R> {
    fn drop(&mut self) {
        if let Some(f) = self.f.take() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                f(Err(Error::internal(
                    "the call was dropped before it finished (runtime shut down?)",
                )))
            }));
        }
    }
}

fn keyset_result(
    cb: unsafe extern "C" fn(WardenUserData, *mut WardenKeySet, *mut WardenError),
    user_data: WardenUserData,
) -> impl FnOnce(Result<KeySet, Error>) + Send + 'static {
    move |r| {
        let (ks, e) = match r {
            Ok(ks) => (boxed(WardenKeySet(ks)), std::ptr::null_mut()),
            Err(e) => (std::ptr::null_mut(), new_error(&e)),
        };
        // SAFETY: the caller promised a callable function pointer.
        unsafe { cb(user_data, ks, e) }
    }
}

/// `KeySet.fetch(url, ttl_seconds)`: fetches a JWKS (https, or http to a loopback host) on the
/// core runtime. Returns false (and calls nothing) only when `callback` is NULL. Otherwise
/// `callback(user_data, keyset, error)` is called **exactly once**: normally from a core
/// runtime thread; before this function returns when `url` cannot be read
/// (`VALIDATION_ERROR`); from the thread that shuts the runtime down, with `INTERNAL`, if that
/// happens first. The callback owns what it receives. Errors: `VALIDATION_ERROR` (URL,
/// `ttl_seconds` outside 1..86400), `NETWORK_ERROR`, `TIMEOUT`, `INVALID_KEY`. The URL is
/// copied before this function returns.
///
/// # Safety
/// `(url, url_len)` readable; `callback` callable from any thread; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_fetch(
    url: *const u8,
    url_len: usize,
    ttl_seconds: u64,
    callback: WardenKeySetCallback,
    user_data: WardenUserData,
    err: *mut *mut WardenError,
) -> bool {
    let Some(cb) = callback else {
        return call(err, || Err(Error::validation("callback is NULL")));
    };
    call(err, || {
        let once = Once::new(keyset_result(cb, user_data));
        let url = match text(url, url_len, "url") {
            Ok(u) => u.to_string(),
            Err(e) => {
                once.done(Err(e));
                return Ok(());
            }
        };
        let task = async move {
            let inner =
                warden_core::runtime::spawn(async move { KeySet::fetch(&url, ttl_seconds).await });
            let r = match inner {
                Ok(h) => h
                    .await
                    .unwrap_or_else(|_| Err(Error::internal("the fetch task panicked"))),
                Err(e) => Err(e),
            };
            once.done(r);
        };
        // A spawn failure drops `task`, and with it `once`, which reports INTERNAL.
        let _ = warden_core::runtime::spawn(task);
        Ok(())
    })
}

/// `keyset.refresh()`: re-fetches a fetched set now (on failure the old keys stay). Same
/// callback contract as `warden_keyset_fetch`; `error` is NULL on success. The set is borrowed
/// only until this function returns (the task keeps its own reference).
///
/// # Safety
/// `keyset` NULL or live; `callback` callable from any thread; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_keyset_refresh(
    keyset: *const WardenKeySet,
    callback: WardenDoneCallback,
    user_data: WardenUserData,
    err: *mut *mut WardenError,
) -> bool {
    let Some(cb) = callback else {
        return call(err, || Err(Error::validation("callback is NULL")));
    };
    call(err, || {
        let once = Once::new(move |r: Result<(), Error>| {
            let e = match r {
                Ok(()) => std::ptr::null_mut(),
                Err(e) => new_error(&e),
            };
            // SAFETY: the caller promised a callable function pointer.
            unsafe { cb(user_data, e) }
        });
        let ks = match handle(keyset, "keyset") {
            Ok(k) => k.0.clone(),
            Err(e) => {
                once.done(Err(e));
                return Ok(());
            }
        };
        let task = async move {
            let inner = warden_core::runtime::spawn(async move { ks.refresh().await });
            let r = match inner {
                Ok(h) => h
                    .await
                    .unwrap_or_else(|_| Err(Error::internal("the refresh task panicked"))),
                Err(e) => Err(e),
            };
            once.done(r);
        };
        let _ = warden_core::runtime::spawn(task);
        Ok(())
    })
}
