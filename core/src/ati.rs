//! The ATI-compatible shortcuts with ati-client's names and defaults (SEMANTICS-tokens §3.1,
//! §3.2): `issue_token`, `validate_token`, `inspect_token`.

use crate::error::Result;
use crate::json::Json;
use crate::key::{Alg, Key};
use crate::token::{self, AtiIssueArgs, Claims, Verifier, VerifierOptions};

/// `issue_token(secret, sub, scope, ttl_seconds=3600, aud="ati-proxy", iss="ati-orchestrator",
/// jti=None, rate=None)`: `secret` is the 64-hex ATI secret (`INVALID_KEY` otherwise).
pub fn issue_token(secret_hex: &str, args: &AtiIssueArgs) -> Result<String> {
    let key = Key::hs256_hex(secret_hex, None)?;
    token::issue_ati(&key, args)
}

/// `issue_token` with its keyword arguments as a JSON object (see [`AtiIssueArgs::from_json`]);
/// the form dynamic bindings use, so argument types are checked in core.
pub fn issue_token_json(secret_hex: &str, args: &Json) -> Result<String> {
    let key = Key::hs256_hex(secret_hex, None)?;
    token::issue_ati(&key, &AtiIssueArgs::from_json(args)?)
}

/// Arguments of `validate_token` beyond the token and secret, with ati-client's defaults.
#[derive(Clone, Debug)]
pub struct ValidateArgs {
    /// Expected audience (default `ati-proxy`).
    pub audience: String,
    /// Expected issuer (default: not checked).
    pub issuer: Option<String>,
    /// Leeway in seconds (default 60).
    pub leeway: i64,
    /// Fixed clock (unix seconds; default the system clock).
    pub now: Option<i64>,
}

impl Default for ValidateArgs {
    fn default() -> ValidateArgs {
        ValidateArgs {
            audience: "ati-proxy".into(),
            issuer: None,
            leeway: 60,
            now: None,
        }
    }
}

/// `validate_token(token, secret, audience="ati-proxy", issuer=None, leeway=60)`: HS256 only,
/// every rule of §3.
pub fn validate_token(token: &str, secret_hex: &str, args: &ValidateArgs) -> Result<Claims> {
    validate_token_bytes(token.as_bytes(), secret_hex, args)
}

/// [`validate_token`] over raw bytes.
pub fn validate_token_bytes(token: &[u8], secret_hex: &str, args: &ValidateArgs) -> Result<Claims> {
    let key = Key::hs256_hex(secret_hex, None)?;
    let mut o = VerifierOptions::new(vec![Alg::HS256]);
    o.audience = args.audience.clone();
    o.issuer = args.issuer.clone();
    o.leeway_seconds = args.leeway;
    o.now = args.now;
    Verifier::with_key(key, o)?.verify_bytes(token)
}

/// `inspect_token(token)`: decode without verifying (format rules still apply).
pub fn inspect_token(token: &str) -> Result<Claims> {
    token::inspect(token.as_bytes())
}
