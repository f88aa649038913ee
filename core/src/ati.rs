//! The ATI-compatible shortcuts with ati-client's names and defaults (SEMANTICS-tokens §3.1,
//! §3.2): `issue_token`, `validate_token`, `inspect_token`.

use crate::error::Result;
use crate::json::Json;
use crate::key::{Alg, Key};
use crate::token::{self, AtiIssueArgs, Claims, Verifier, VerifierOptions};
use std::cell::RefCell;
use subtle::ConstantTimeEq;

thread_local! {
    /// The last ATI secret this thread parsed, with its key (the shortcuts take the hex secret on
    /// every call; parsing it and precomputing the HMAC state costs ~10 % of an issue).
    static LAST_SECRET: RefCell<Option<(String, Key)>> = const { RefCell::new(None) };
}

/// `Key::hs256_hex(secret_hex, None)`, reusing this thread's last key when the secret is the
/// same (compared in constant time). Invalid secrets are never remembered.
fn secret_key(secret_hex: &str) -> Result<Key> {
    let hit = LAST_SECRET.with(|c| {
        c.borrow().as_ref().and_then(|(s, k)| {
            (s.len() == secret_hex.len() && bool::from(s.as_bytes().ct_eq(secret_hex.as_bytes())))
                .then(|| k.clone())
        })
    });
    if let Some(k) = hit {
        return Ok(k);
    }
    let k = Key::hs256_hex(secret_hex, None)?;
    LAST_SECRET.with(|c| *c.borrow_mut() = Some((secret_hex.to_string(), k.clone())));
    Ok(k)
}

/// `issue_token(secret, sub, scope, ttl_seconds=3600, aud="ati-proxy", iss="ati-orchestrator",
/// jti=None, rate=None)`: `secret` is the 64-hex ATI secret (`INVALID_KEY` otherwise).
pub fn issue_token(secret_hex: &str, args: &AtiIssueArgs) -> Result<String> {
    let key = secret_key(secret_hex)?;
    token::issue_ati(&key, args)
}

/// `issue_token` with its keyword arguments as a JSON object (see [`AtiIssueArgs::from_json`]);
/// the form dynamic bindings use, so argument types are checked in core.
pub fn issue_token_json(secret_hex: &str, args: &Json) -> Result<String> {
    let key = secret_key(secret_hex)?;
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
    let key = secret_key(secret_hex)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-thread secret cache never mixes keys: each token verifies with its own secret
    /// only, an invalid secret fails after a valid one, and alternating secrets keep working.
    #[test]
    fn the_secret_cache_never_mixes_keys() {
        let a = "ab".repeat(32);
        let b = format!("{}ac", "ab".repeat(31));
        let mut args = AtiIssueArgs::new("agent-1", "tool:a");
        args.now = Some(1_700_000_000);
        args.jti = Some("j-1".into());
        let va = ValidateArgs {
            now: Some(1_700_000_100),
            ..ValidateArgs::default()
        };
        for _ in 0..3 {
            let ta = issue_token(&a, &args).unwrap();
            let tb = issue_token(&b, &args).unwrap();
            assert_ne!(ta, tb);
            assert_eq!(
                ta,
                token::issue_ati(&Key::hs256_hex(&a, None).unwrap(), &args).unwrap()
            );
            assert!(validate_token(&ta, &a, &va).is_ok());
            assert!(validate_token(&ta, &b, &va).is_err());
            assert!(validate_token(&tb, &b, &va).is_ok());
            assert!(validate_token(&tb, &a, &va).is_err());
            assert!(issue_token("zz", &args).is_err());
            assert!(issue_token(&a[..62], &args).is_err());
        }
    }
}
