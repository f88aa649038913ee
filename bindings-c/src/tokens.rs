//! Tokens: the verifier (the hot path: one call, claims returned as compact JSON into the
//! caller's buffer), `validate_token`, `inspect_token`, both forms of `issue_token`, and the
//! claims helpers that take the claims JSON back.

use crate::ffi::{
    bytes, call, clear, handle, lossy, opt_text, put, query, text, WardenBytes, WardenError,
};
use crate::keys::{WardenKey, WardenKeySet};
use warden_core::ati::validate_token_bytes;
use warden_core::json::Json;
use warden_core::{token, Claims, Error, Result, ValidateArgs, Verifier, VerifierOptions};

/// A verifier: a key set plus options, built once and reused from any number of threads. Free
/// with `warden_verifier_free`.
pub struct WardenVerifier(pub(crate) Verifier);

/// Deepest JSON accepted when claims or arguments come back in (the verifier allows up to 128).
const ARG_DEPTH: usize = 130;

fn parse_json(b: &[u8], what: &str) -> Result<Json> {
    Json::parse_with_depth(b, ARG_DEPTH)
        .map_err(|e| Error::validation(format!("{what} is not valid JSON: {e}")))
}

fn claims_json(c: &Claims) -> String {
    let mut out = String::with_capacity(256);
    write_claims(c, &mut out);
    out
}

/// The claims as compact JSON (the core's writer), members in token order, without copying
/// the claims first.
fn write_claims(c: &Claims, out: &mut String) {
    // Verified claims carry the payload text exactly as signed (valid, strictly checked JSON):
    // hand it over as is instead of decoding and re-encoding every member.
    if let Some(text) = c.payload_text() {
        out.push_str(text);
        return;
    }
    out.push('{');
    for (i, (k, v)) in c.members().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        warden_core::json::write_str(k, out);
        out.push(':');
        v.write_compact(out);
    }
    out.push('}');
}

thread_local! {
    /// A per-thread scratch buffer for the hot path, so that a verify that fits the caller's
    /// buffer allocates nothing for the JSON.
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// `Verifier(keys, options)`. `options_json` is a JSON object whose member names are the
/// option names of SEMANTICS-tokens §3.2 (`algorithms` required; `audience`, `issuer`,
/// `leeway_seconds`, `required_claims`, `allowed_typ`, `max_token_bytes`,
/// `max_lifetime_seconds`, `max_json_depth`, `kid_required`, `now`, `one_time`); the core
/// validates it (`VALIDATION_ERROR`). Borrows `keyset` (the verifier keeps its own reference).
/// On success `*out` is owned by the caller (`warden_verifier_free`).
///
/// # Safety
/// `keyset` NULL or live; `(options_json, len)` readable; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_verifier_new(
    keyset: *const WardenKeySet,
    options_json: *const u8,
    options_json_len: usize,
    out: *mut *mut WardenVerifier,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let ks = handle(keyset, "keyset")?.0.clone();
        let opts = VerifierOptions::from_json(&parse_json(
            bytes(options_json, options_json_len, "options_json")?,
            "options_json",
        )?)?;
        put(
            out,
            Box::into_raw(Box::new(WardenVerifier(Verifier::new(ks, opts)?))),
            "out",
        )
    })
}

/// `verifier.verify(token)`, the hot path, in one call. The token is any bytes (non-UTF-8 is
/// `INVALID_TOKEN`/`malformed`). On success the claims, as compact JSON (the whole payload,
/// members in token order), go to the caller's buffer when they fit: `*claims_len` is their
/// length and `*overflow` is `{NULL, 0}`. When they do not fit in `buf_cap` bytes,
/// `*overflow` holds them instead (owned by the caller, `warden_bytes_free`) and
/// `*claims_len == overflow->len`. `buf` may be NULL when `buf_cap` is 0. Errors: the codes of
/// SEMANTICS-tokens §3 (`INVALID_TOKEN` with a reason, `TOKEN_EXPIRED`, …). Borrows everything.
///
/// # Safety
/// `verifier` NULL or live; `(token, token_len)` readable; `buf` writable for `buf_cap` bytes;
/// `claims_len`, `overflow` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_verifier_verify(
    verifier: *const WardenVerifier,
    token: *const u8,
    token_len: usize,
    buf: *mut u8,
    buf_cap: usize,
    claims_len: *mut usize,
    overflow: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(overflow, WardenBytes::NONE);
    call(err, || {
        let v = handle(verifier, "verifier")?;
        if claims_len.is_null() || overflow.is_null() {
            // Checked first: a one-time verifier must not consume a jti it cannot report.
            return Err(Error::validation(
                "claims_len and overflow must not be NULL",
            ));
        }
        let claims = v.0.verify_bytes(bytes(token, token_len, "token")?)?;
        SCRATCH.with(|cell| {
            let mut scratch = cell
                .try_borrow_mut()
                .map_err(|_| Error::internal("re-entrant verify"))?;
            scratch.clear();
            write_claims(&claims, &mut scratch);
            let n = scratch.len();
            put(claims_len, n, "claims_len")?;
            let r = if n <= buf_cap && !buf.is_null() {
                std::ptr::copy_nonoverlapping(scratch.as_ptr(), buf, n);
                Ok(())
            } else {
                put(
                    overflow,
                    WardenBytes::from_vec(scratch.as_bytes().to_vec()),
                    "overflow",
                )
            };
            if scratch.capacity() > 1 << 16 {
                *scratch = String::new();
            }
            r
        })
    })
}

/// `verifier.verify(token)` with the claims JSON always returned in `*claims_json` (owned by
/// the caller). The simple form of `warden_verifier_verify`.
///
/// # Safety
/// As `warden_verifier_verify`.
#[no_mangle]
pub unsafe extern "C" fn warden_verifier_verify_json(
    verifier: *const WardenVerifier,
    token: *const u8,
    token_len: usize,
    claims_json_out: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(claims_json_out, WardenBytes::NONE);
    call(err, || {
        let claims = handle(verifier, "verifier")?
            .0
            .verify_bytes(bytes(token, token_len, "token")?)?;
        put(
            claims_json_out,
            WardenBytes::from_string(claims_json(&claims)),
            "claims_json",
        )
    })
}

/// `verifier.revoke(jti)`: tokens carrying this `jti` now fail with `TOKEN_REVOKED`.
/// `VALIDATION_ERROR` for an invalid `jti`. Borrows everything.
///
/// # Safety
/// `verifier` NULL or live; `(jti, jti_len)` readable; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_verifier_revoke(
    verifier: *const WardenVerifier,
    jti: *const u8,
    jti_len: usize,
    err: *mut *mut WardenError,
) -> bool {
    call(err, || {
        handle(verifier, "verifier")?
            .0
            .revoke(text(jti, jti_len, "jti")?)
    })
}

/// True if `jti` was revoked on this verifier (false for NULL or unreadable arguments).
/// Borrows its arguments; nothing to free.
///
/// # Safety
/// `verifier` NULL or live; `(jti, jti_len)` readable.
#[no_mangle]
pub unsafe extern "C" fn warden_verifier_is_revoked(
    verifier: *const WardenVerifier,
    jti: *const u8,
    jti_len: usize,
) -> bool {
    query(|| match (verifier.as_ref(), lossy(jti, jti_len)) {
        (Some(v), Some(j)) => v.0.is_revoked(&j),
        _ => false,
    })
}

/// Frees a verifier. NULL-safe.
///
/// # Safety
/// `verifier` must be NULL or live, not used afterwards (and not concurrently).
#[no_mangle]
pub unsafe extern "C" fn warden_verifier_free(verifier: *mut WardenVerifier) {
    crate::ffi::value((), || {
        if !verifier.is_null() {
            drop(Box::from_raw(verifier));
        }
    })
}

/// `validate_token(token, secret_hex, audience="ati-proxy", issuer=None, leeway=60)`, the
/// ATI-compatible HS256 shortcut. NULL `audience` / `issuer` / `leeway_seconds` / `now` take
/// the core defaults (the system clock for `now`). On success `*claims_json` (compact JSON)
/// is owned by the caller.
///
/// # Safety
/// Every `(ptr, len)` readable; the `int64_t` pointers NULL or readable; `claims_json` valid;
/// `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_validate_token(
    token: *const u8,
    token_len: usize,
    secret_hex: *const u8,
    secret_hex_len: usize,
    audience: *const u8,
    audience_len: usize,
    issuer: *const u8,
    issuer_len: usize,
    leeway_seconds: *const i64,
    now: *const i64,
    claims_json_out: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(claims_json_out, WardenBytes::NONE);
    call(err, || {
        let mut args = ValidateArgs::default();
        if let Some(a) = opt_text(audience, audience_len, "audience")? {
            args.audience = a.to_string();
        }
        args.issuer = opt_text(issuer, issuer_len, "issuer")?.map(str::to_string);
        if let Some(l) = leeway_seconds.as_ref() {
            args.leeway = *l;
        }
        args.now = now.as_ref().copied();
        let claims = validate_token_bytes(
            bytes(token, token_len, "token")?,
            text(secret_hex, secret_hex_len, "secret_hex")?,
            &args,
        )?;
        put(
            claims_json_out,
            WardenBytes::from_string(claims_json(&claims)),
            "claims_json",
        )
    })
}

/// `inspect_token(token)`: decodes without verifying the signature or times (format rules
/// still apply). On success `*claims_json` is owned by the caller.
///
/// # Safety
/// `(token, token_len)` readable; `claims_json` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_inspect_token(
    token: *const u8,
    token_len: usize,
    claims_json_out: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(claims_json_out, WardenBytes::NONE);
    call(err, || {
        let claims = token::inspect(bytes(token, token_len, "token")?)?;
        put(
            claims_json_out,
            WardenBytes::from_string(claims_json(&claims)),
            "claims_json",
        )
    })
}

/// `issue_token(secret, sub, scope, ttl_seconds=3600, aud="ati-proxy",
/// iss="ati-orchestrator", jti=None, rate=None)`, the ATI-compatible shortcut. `args_json` is a
/// JSON object with those keyword names (plus `now`, a fixed clock in unix seconds); the core
/// checks every type and value. On success `*token` is owned by the caller.
///
/// # Safety
/// Every `(ptr, len)` readable; `token` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_issue_token(
    secret_hex: *const u8,
    secret_hex_len: usize,
    args_json: *const u8,
    args_json_len: usize,
    token_out: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(token_out, WardenBytes::NONE);
    call(err, || {
        let secret = text(secret_hex, secret_hex_len, "secret_hex")?;
        let args = parse_json(bytes(args_json, args_json_len, "args_json")?, "args_json")?;
        put(
            token_out,
            WardenBytes::from_string(warden_core::issue_token_json(secret, &args)?),
            "token",
        )
    })
}

/// `issue_token(key, claims)`: signs a JSON object of claims (members kept in order, see
/// SEMANTICS-tokens §3.1). `now` (NULL = system clock) fixes the clock used when `iat` is
/// absent. Borrows `key`; on success `*token` is owned by the caller.
///
/// # Safety
/// `key` NULL or live; `(claims_json, len)` readable; `now` NULL or readable; `token` valid;
/// `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_issue_token_with_key(
    key: *const WardenKey,
    claims_json_in: *const u8,
    claims_json_len: usize,
    now: *const i64,
    token_out: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(token_out, WardenBytes::NONE);
    call(err, || {
        let k = handle(key, "key")?;
        let claims = Claims::from_json(parse_json(
            bytes(claims_json_in, claims_json_len, "claims_json")?,
            "claims_json",
        )?)?;
        put(
            token_out,
            WardenBytes::from_string(token::issue(&k.0, &claims, now.as_ref().copied())?),
            "token",
        )
    })
}

unsafe fn claims_arg(claims_json_in: *const u8, len: usize) -> Result<Claims> {
    Claims::from_json(parse_json(
        bytes(claims_json_in, len, "claims_json")?,
        "claims_json",
    )?)
}

/// `claims.scopes()` for claims given as JSON (as returned by the functions above): a JSON
/// array of strings, owned by the caller.
///
/// # Safety
/// `(claims_json, len)` readable; `scopes_json` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_claims_scopes(
    claims_json_in: *const u8,
    claims_json_len: usize,
    scopes_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(scopes_json, WardenBytes::NONE);
    call(err, || {
        let c = claims_arg(claims_json_in, claims_json_len)?;
        let arr = Json::Arr(c.scopes().into_iter().map(Json::Str).collect());
        put(
            scopes_json,
            WardenBytes::from_string(arr.to_compact()),
            "scopes_json",
        )
    })
}

/// `claims.rate_limits()` for claims given as JSON: a JSON array of
/// `{"pattern", "count", "window_seconds"}` objects in token order, owned by the caller.
///
/// # Safety
/// As `warden_claims_scopes`.
#[no_mangle]
pub unsafe extern "C" fn warden_claims_rate_limits(
    claims_json_in: *const u8,
    claims_json_len: usize,
    rates_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(rates_json, WardenBytes::NONE);
    call(err, || {
        let c = claims_arg(claims_json_in, claims_json_len)?;
        let arr = Json::Arr(
            c.rate_limits()
                .into_iter()
                .map(|(p, r)| {
                    Json::Obj(vec![
                        ("pattern".into(), Json::Str(p)),
                        ("count".into(), Json::Int(r.count.into())),
                        ("window_seconds".into(), Json::Int(r.window_seconds.into())),
                    ])
                })
                .collect(),
        );
        put(
            rates_json,
            WardenBytes::from_string(arr.to_compact()),
            "rates_json",
        )
    })
}

/// `claims.allows(required)` for claims given as JSON: true iff the token's scope claim allows
/// the concrete scope `required`. False for anything unreadable (non-UTF-8 is never a scope).
/// Borrows its arguments; nothing to free.
///
/// # Safety
/// Both `(ptr, len)` pairs readable.
#[no_mangle]
pub unsafe extern "C" fn warden_claims_allows(
    claims_json_in: *const u8,
    claims_json_len: usize,
    required: *const u8,
    required_len: usize,
) -> bool {
    query(|| {
        match (
            claims_arg(claims_json_in, claims_json_len),
            lossy(required, required_len),
        ) {
            (Ok(c), Some(r)) => c.allows(&r),
            _ => false,
        }
    })
}

/// The names of the claims that have accessors (`sub aud iat exp nbf jti iss scope ati`); every
/// other member is an extra claim. A JSON array of strings, owned by the caller.
///
/// # Safety
/// `names_json` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_claims_standard_names(
    names_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(names_json, WardenBytes::NONE);
    call(err, || {
        put(
            names_json,
            WardenBytes::from_string(
                Json::Arr(
                    token::STANDARD_CLAIMS
                        .iter()
                        .map(|s| Json::from(*s))
                        .collect(),
                )
                .to_compact(),
            ),
            "names_json",
        )
    })
}
