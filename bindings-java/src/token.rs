//! Tokens (SEMANTICS-tokens §3): claims, the verifier, issuing, the ATI shortcuts. Structured
//! arguments arrive as JSON text and go through the core's JSON-taking entry points
//! (`VerifierOptions::from_json`, `Claims::from_json`, `issue_token_json`), so validation stays
//! in core.

use crate::error::{parse_arg, run, FfiResult};
use crate::key::{FfiKey, FfiKeySet};
use std::sync::Arc;
use warden_core::json::Json;
use warden_core::{Claims, ValidateArgs, Verifier, VerifierOptions};

/// One JSON member: a name and its value as compact JSON text.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FfiMember {
    pub name: String,
    pub json: String,
}

/// One `ati.rate` entry, parsed.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FfiRateLimit {
    pub pattern: String,
    pub count: u32,
    pub window_seconds: u32,
}

/// A verified (or inspected) JWT payload; accessors read it lazily.
#[derive(uniffi::Object)]
pub struct FfiClaims(pub(crate) Claims);

#[uniffi::export]
impl FfiClaims {
    /// Claims from a JSON object text (member order kept).
    #[uniffi::constructor]
    pub fn from_json(json: String) -> FfiResult<Arc<FfiClaims>> {
        run(|| Claims::from_json(parse_arg("claims", &json)?)).map(|c| Arc::new(FfiClaims(c)))
    }

    pub fn sub(&self) -> Option<String> {
        self.0.sub().map(str::to_string)
    }
    /// `aud` exactly as in the token, as JSON text.
    pub fn aud_json(&self) -> Option<String> {
        self.0.aud().map(Json::to_compact)
    }
    pub fn audience(&self) -> Option<String> {
        self.0.audience().map(str::to_string)
    }
    pub fn iat(&self) -> Option<i64> {
        self.0.iat()
    }
    pub fn exp(&self) -> Option<i64> {
        self.0.exp()
    }
    pub fn nbf(&self) -> Option<i64> {
        self.0.nbf()
    }
    pub fn jti(&self) -> Option<String> {
        self.0.jti().map(str::to_string)
    }
    pub fn iss(&self) -> Option<String> {
        self.0.iss().map(str::to_string)
    }
    pub fn scope(&self) -> Option<String> {
        self.0.scope().map(str::to_string)
    }
    /// `ati` as JSON text.
    pub fn ati_json(&self) -> Option<String> {
        self.0.ati().map(Json::to_compact)
    }
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes()
    }
    pub fn rate_limits(&self) -> Vec<FfiRateLimit> {
        self.0.rate_limits().into_iter().map(|(pattern, r)| FfiRateLimit { pattern, count: r.count, window_seconds: r.window_seconds }).collect()
    }
    pub fn allows(&self, required: String) -> bool {
        self.0.allows(&required)
    }
    /// Every member without an accessor, in token order.
    pub fn extra(&self) -> Vec<FfiMember> {
        self.0.extra().map(|(k, v)| FfiMember { name: k.to_string(), json: v.to_compact() }).collect()
    }
    /// Any member as JSON text.
    pub fn get_json(&self, name: String) -> Option<String> {
        self.0.get(&name).map(Json::to_compact)
    }
    /// The whole payload as compact JSON text.
    pub fn to_json(&self) -> String {
        self.0.to_json().to_compact()
    }
}

/// A verifier built once from keys and options (JSON text with the option names of §3.2).
#[derive(uniffi::Object)]
pub struct FfiVerifier(Verifier);

#[uniffi::export]
impl FfiVerifier {
    #[uniffi::constructor]
    pub fn new(keys: Arc<FfiKeySet>, options_json: String) -> FfiResult<Arc<FfiVerifier>> {
        run(|| {
            let opts = VerifierOptions::from_json(&parse_arg("verifier options", &options_json)?)?;
            Verifier::new(keys.0.clone(), opts)
        })
        .map(|v| Arc::new(FfiVerifier(v)))
    }

    #[uniffi::constructor]
    pub fn with_key(key: Arc<FfiKey>, options_json: String) -> FfiResult<Arc<FfiVerifier>> {
        run(|| {
            let opts = VerifierOptions::from_json(&parse_arg("verifier options", &options_json)?)?;
            Verifier::with_key(key.0.clone(), opts)
        })
        .map(|v| Arc::new(FfiVerifier(v)))
    }

    pub fn verify(&self, token: String) -> FfiResult<Arc<FfiClaims>> {
        run(|| self.0.verify(&token)).map(|c| Arc::new(FfiClaims(c)))
    }

    pub fn revoke(&self, jti: String) -> FfiResult<()> {
        run(|| self.0.revoke(&jti))
    }

    pub fn is_revoked(&self, jti: String) -> bool {
        self.0.is_revoked(&jti)
    }
}

/// Generic `issue_token(key, claims)`; `now` fixes the clock used when `iat` is absent.
#[uniffi::export]
pub fn issue(key: Arc<FfiKey>, claims: Arc<FfiClaims>, now: Option<i64>) -> FfiResult<String> {
    run(|| warden_core::token::issue(&key.0, &claims.0, now))
}

/// ATI `issue_token(secret, **args)` with the arguments as a JSON object text
/// (`AtiIssueArgs::from_json`).
#[uniffi::export]
pub fn issue_token(secret_hex: String, args_json: String) -> FfiResult<String> {
    run(|| warden_core::issue_token_json(&secret_hex, &parse_arg("issue_token arguments", &args_json)?))
}

/// ATI `validate_token(token, secret, audience="ati-proxy", issuer=None, leeway=60)`.
#[uniffi::export]
pub fn validate_token(token: String, secret_hex: String, audience: Option<String>, issuer: Option<String>, leeway: Option<i64>, now: Option<i64>) -> FfiResult<Arc<FfiClaims>> {
    run(|| {
        let mut a = ValidateArgs::default();
        if let Some(aud) = audience {
            a.audience = aud;
        }
        a.issuer = issuer;
        if let Some(l) = leeway {
            a.leeway = l;
        }
        a.now = now;
        warden_core::validate_token(&token, &secret_hex, &a)
    })
    .map(|c| Arc::new(FfiClaims(c)))
}

/// `inspect_token(token)`: decode without verifying.
#[uniffi::export]
pub fn inspect_token(token: String) -> FfiResult<Arc<FfiClaims>> {
    run(|| warden_core::inspect_token(&token)).map(|c| Arc::new(FfiClaims(c)))
}
