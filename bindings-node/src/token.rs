//! Tokens (SEMANTICS-tokens §3): `Claims`, `Verifier`, the generic `issue` and the ATI shortcuts
//! `issueToken` / `validateToken` / `inspectToken`.

use crate::convert::{opt_to_json, rename, string_arg, to_json};
use crate::error::run;
use crate::fast::{ClaimsArg, ClaimsHandle, VerifierHandle};
use crate::keys::{Key, KeySet};
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use std::sync::Arc;
use warden_core::{Error, Json, Result, ValidateArgs, VerifierOptions};

/// camelCase option names of the Node API → the core's option names.
const VERIFIER_OPTIONS: &[(&str, &str)] = &[
    ("leewaySeconds", "leeway_seconds"),
    ("requiredClaims", "required_claims"),
    ("allowedTyp", "allowed_typ"),
    ("maxTokenBytes", "max_token_bytes"),
    ("maxLifetimeSeconds", "max_lifetime_seconds"),
    ("maxJsonDepth", "max_json_depth"),
    ("kidRequired", "kid_required"),
    ("oneTime", "one_time"),
];

/// camelCase argument names of `issueToken(secret, args)` → the core's names.
const ISSUE_ARGS: &[(&str, &str)] = &[("ttlSeconds", "ttl_seconds")];

/// The arguments `validateToken` takes besides the token and the secret.
const VALIDATE_ARGS: &[&str] = &["audience", "issuer", "leeway", "now"];

fn now_arg(now: &Option<Unknown<'_>>) -> Result<Option<i64>> {
    match opt_to_json(now)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Int(i)) => Ok(Some(i)),
        Some(_) => Err(Error::validation("now must be an integer (unix seconds)")),
    }
}

/// `Claims` from a plain object (`VALIDATION_ERROR` unless it is an object). Returns the
/// handle the TypeScript `Claims` class wraps.
#[napi(
    ts_args_type = "claims: Record<string, unknown>",
    ts_return_type = "ClaimsHandle"
)]
pub fn claims_from_object(claims: Unknown<'_>) -> napi::Result<ClaimsHandle> {
    run(|| {
        Ok(ClaimsHandle(warden_core::Claims::from_json(to_json(
            &claims,
        )?)?))
    })
}

/// `Claims` from JSON text, parsed strictly by the core: number types are kept exactly (`1.0`
/// stays a float, big integers stay exact). `VALIDATION_ERROR` for bad JSON or a non-object.
#[napi(ts_args_type = "json: string", ts_return_type = "ClaimsHandle")]
pub fn claims_parse(json: Unknown<'_>) -> napi::Result<ClaimsHandle> {
    run(|| {
        let s = string_arg(&json, "json")?;
        let v = Json::parse(&s)
            .map_err(|e| Error::validation(format!("claims are not valid JSON: {e}")))?;
        Ok(ClaimsHandle(warden_core::Claims::from_json(v)?))
    })
}

/// A verifier, built once and reused.
#[napi]
pub struct Verifier {
    inner: Arc<warden_core::Verifier>,
}

#[napi]
impl Verifier {
    /// `new Verifier(keys, options)`: `options.algorithms` is required; the other options
    /// (`audience`, `issuer`, `leewaySeconds`, `requiredClaims`, `allowedTyp`, `maxTokenBytes`,
    /// `maxLifetimeSeconds`, `maxJsonDepth`, `kidRequired`, `now`, `oneTime`) take the defaults
    /// of SEMANTICS-tokens §3.2. Bad options → `VALIDATION_ERROR`.
    #[napi(
        constructor,
        ts_args_type = "keys: KeySet, options: Record<string, unknown>"
    )]
    pub fn new(keys: &KeySet, options: Unknown<'_>) -> napi::Result<Verifier> {
        run(|| {
            let opts = VerifierOptions::from_json(&rename(to_json(&options)?, VERIFIER_OPTIONS))?;
            Ok(Verifier {
                inner: Arc::new(warden_core::Verifier::new(keys.inner.clone(), opts)?),
            })
        })
    }

    /// The handle `fastApi().verify(handle, token)` verifies with (the TypeScript `Verifier`
    /// takes it once). Verifying returns the claims, or throws `INVALID_TOKEN` (with a
    /// `reason`), `TOKEN_EXPIRED`, `TOKEN_NOT_YET_VALID` or `TOKEN_REVOKED`.
    #[napi(ts_return_type = "VerifierHandle")]
    pub fn handle(&self) -> VerifierHandle {
        VerifierHandle(self.inner.clone())
    }

    /// Marks a `jti` revoked on this verifier (`VALIDATION_ERROR` for an invalid `jti`).
    #[napi]
    pub fn revoke(&self, jti: String) -> napi::Result<()> {
        run(|| self.inner.revoke(&jti))
    }

    /// True if `jti` was revoked on this verifier.
    #[napi]
    pub fn is_revoked(&self, jti: String) -> bool {
        self.inner.is_revoked(&jti)
    }
}

/// `issueToken(key, claims, now?)` with claims as a plain object: validates and signs with the
/// key's algorithm. `now` fixes the clock used when `iat` is absent.
#[napi(ts_args_type = "key: Key, claims: Record<string, unknown>, now?: number | null")]
pub fn issue_with_key(
    key: &Key,
    claims: Unknown<'_>,
    now: Option<Unknown<'_>>,
) -> napi::Result<String> {
    run(|| {
        let c = warden_core::Claims::from_json(to_json(&claims)?)?;
        warden_core::token::issue(&key.inner, &c, now_arg(&now)?)
    })
}

/// `issueToken(key, claims, now?)` with a `Claims` object (e.g. from `Claims.parse`).
#[napi(ts_args_type = "key: Key, claims: ClaimsHandle, now?: number | null")]
pub fn issue_with_claims(
    key: &Key,
    claims: ClaimsArg,
    now: Option<Unknown<'_>>,
) -> napi::Result<String> {
    run(|| warden_core::token::issue(&key.inner, &claims.0, now_arg(&now)?))
}

/// The ATI shortcut `issueToken(secretHex, {sub, scope, ttlSeconds=3600, aud="ati-proxy",
/// iss="ati-orchestrator", jti, rate, now})`; argument types are checked by the core.
#[napi(ts_args_type = "secretHex: string, args: Record<string, unknown>")]
pub fn issue_ati_token(secret_hex: Unknown<'_>, args: Unknown<'_>) -> napi::Result<String> {
    run(|| {
        let secret = string_arg(&secret_hex, "secretHex")?;
        warden_core::issue_token_json(&secret, &rename(to_json(&args)?, ISSUE_ARGS))
    })
}

/// The ATI shortcut `validateToken(token, secretHex, {audience="ati-proxy", issuer, leeway=60,
/// now})`: HS256 only, every rule of SEMANTICS-tokens §3.
#[napi(
    ts_args_type = "token: string, secretHex: string, options?: Record<string, unknown> | null",
    ts_return_type = "ClaimsHandle"
)]
pub fn validate_token(
    token: Unknown<'_>,
    secret_hex: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> napi::Result<ClaimsHandle> {
    run(|| {
        let token = string_arg(&token, "token")?;
        let secret = string_arg(&secret_hex, "secretHex")?;
        // The options go through the core's VerifierOptions::from_json (types and ranges are
        // checked there), restricted to validate_token's own arguments.
        let mut members = vec![(
            "algorithms".to_string(),
            Json::Arr(vec![Json::from("HS256")]),
        )];
        match opt_to_json(&options)? {
            None | Some(Json::Null) => {}
            Some(Json::Obj(m)) => {
                for (k, v) in m {
                    if !VALIDATE_ARGS.contains(&k.as_str()) {
                        return Err(Error::validation(format!(
                            "unknown validateToken option {k:?}"
                        )));
                    }
                    members.push((k, v));
                }
            }
            Some(_) => return Err(Error::validation("validateToken options must be an object")),
        }
        let o = VerifierOptions::from_json(&Json::Obj(members))?;
        let args = ValidateArgs {
            audience: o.audience,
            issuer: o.issuer,
            leeway: o.leeway_seconds,
            now: o.now,
        };
        Ok(ClaimsHandle(warden_core::validate_token(
            &token, &secret, &args,
        )?))
    })
}

/// `inspectToken(token)`: decodes without verifying the signature or the times (the format
/// rules still apply); never fails on a missing claim.
#[napi(ts_args_type = "token: string", ts_return_type = "ClaimsHandle")]
pub fn inspect_token(token: Unknown<'_>) -> napi::Result<ClaimsHandle> {
    run(|| {
        Ok(ClaimsHandle(warden_core::inspect_token(&string_arg(
            &token, "token",
        )?)?))
    })
}
