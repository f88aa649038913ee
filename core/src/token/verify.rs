//! Verifying tokens (SEMANTICS-tokens §3.2–§3.4): the format rules before any cryptography,
//! key selection, the signature, then every claim rule. Fail closed.

use super::claims::{check_ati, is_valid_jti, is_valid_sub, Claims, MAX_TIME};
use super::issue::now_seconds;
use crate::b64::{self, B64Error};
use crate::error::{Error, ErrorCode, Result};
use crate::json::{Json, JsonError};
use crate::key::{Alg, Key, KeySet};
use crate::scope;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Options of a [`Verifier`], with the defaults of SEMANTICS-tokens §3.2.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifierOptions {
    /// Allowed algorithms (required, non-empty).
    pub algorithms: Vec<Alg>,
    /// Required audience (default `ati-proxy`).
    pub audience: String,
    /// Required issuer; `None` = not checked.
    pub issuer: Option<String>,
    /// Clock skew allowance, 0..=300 seconds (default 60).
    pub leeway_seconds: i64,
    /// Claims that must be present (default `sub aud iat exp jti scope`).
    pub required_claims: Vec<String>,
    /// Accepted `typ` values, case-insensitive (default `JWT`, `at+jwt`); absent `typ` is accepted.
    pub allowed_typ: Vec<String>,
    /// Longest token accepted (default 8192 bytes).
    pub max_token_bytes: usize,
    /// Longest lifetime `exp - iat` (default 86400 seconds).
    pub max_lifetime_seconds: i64,
    /// Deepest JSON nesting in header or payload (default 32).
    pub max_json_depth: usize,
    /// Require a `kid` header (default false).
    pub kid_required: bool,
    /// Fixed clock in unix seconds (default: the system clock).
    pub now: Option<i64>,
    /// Replay protection: accept each `jti` once until its `exp` (default false).
    pub one_time: bool,
}

impl VerifierOptions {
    /// The defaults with the given algorithm allow-list.
    pub fn new(algorithms: Vec<Alg>) -> VerifierOptions {
        VerifierOptions {
            algorithms,
            audience: "ati-proxy".into(),
            issuer: None,
            leeway_seconds: 60,
            required_claims: ["sub", "aud", "iat", "exp", "jti", "scope"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            allowed_typ: vec!["JWT".into(), "at+jwt".into()],
            max_token_bytes: 8192,
            max_lifetime_seconds: 86400,
            max_json_depth: 32,
            kid_required: false,
            now: None,
            one_time: false,
        }
    }

    /// Builds options from a JSON object whose member names are the option names (the form
    /// dynamic bindings pass keyword arguments in). Unknown names, wrong types and out-of-range
    /// values → `VALIDATION_ERROR`. `null` means the default.
    pub fn from_json(v: &Json) -> Result<VerifierOptions> {
        let obj = v
            .as_obj()
            .ok_or_else(|| Error::validation("verifier options must be an object"))?;
        let mut o = VerifierOptions::new(Vec::new());
        let mut algs_given = false;
        for (k, val) in obj {
            if val.is_null() && k != "issuer" && k != "now" {
                continue;
            }
            let int = || {
                val.as_i64()
                    .ok_or_else(|| Error::validation(format!("{k} must be an integer")))
            };
            let strs = || -> Result<Vec<String>> {
                let arr = val
                    .as_arr()
                    .ok_or_else(|| Error::validation(format!("{k} must be a list of strings")))?;
                arr.iter()
                    .map(|s| {
                        s.as_str().map(str::to_string).ok_or_else(|| {
                            Error::validation(format!("{k} must be a list of strings"))
                        })
                    })
                    .collect()
            };
            let boolean = || {
                val.as_bool()
                    .ok_or_else(|| Error::validation(format!("{k} must be a boolean")))
            };
            match k.as_str() {
                "algorithms" => {
                    o.algorithms = strs()?
                        .iter()
                        .map(|s| Alg::parse_arg(s))
                        .collect::<Result<_>>()?;
                    algs_given = true;
                }
                "audience" => {
                    o.audience = val
                        .as_str()
                        .ok_or_else(|| Error::validation("audience must be a string"))?
                        .to_string()
                }
                "issuer" => {
                    o.issuer = if val.is_null() {
                        None
                    } else {
                        Some(
                            val.as_str()
                                .ok_or_else(|| Error::validation("issuer must be a string"))?
                                .to_string(),
                        )
                    }
                }
                "leeway_seconds" | "leeway" => o.leeway_seconds = int()?,
                "required_claims" => o.required_claims = strs()?,
                "allowed_typ" => o.allowed_typ = strs()?,
                "max_token_bytes" => {
                    o.max_token_bytes = usize::try_from(int()?)
                        .map_err(|_| Error::validation("max_token_bytes out of range"))?
                }
                "max_lifetime_seconds" => o.max_lifetime_seconds = int()?,
                "max_json_depth" => {
                    o.max_json_depth = usize::try_from(int()?)
                        .map_err(|_| Error::validation("max_json_depth out of range"))?
                }
                "kid_required" => o.kid_required = boolean()?,
                "now" => o.now = if val.is_null() { None } else { Some(int()?) },
                "one_time" => o.one_time = boolean()?,
                other => {
                    return Err(Error::validation(format!(
                        "unknown verifier option {:?}",
                        crate::rate::truncate(other)
                    )))
                }
            }
        }
        if !algs_given {
            return Err(Error::validation(
                "algorithms is required (a non-empty allow-list)",
            ));
        }
        o.validate()?;
        Ok(o)
    }

    /// Checks ranges; `VALIDATION_ERROR` on the first problem.
    pub fn validate(&self) -> Result<()> {
        if self.algorithms.is_empty() {
            return Err(Error::validation(
                "algorithms must be a non-empty allow-list",
            ));
        }
        if self.audience.is_empty() {
            return Err(Error::validation("audience must not be empty"));
        }
        if matches!(&self.issuer, Some(i) if i.is_empty()) {
            return Err(Error::validation(
                "issuer must not be empty (use None to skip the check)",
            ));
        }
        if !(0..=300).contains(&self.leeway_seconds) {
            return Err(Error::validation("leeway_seconds must be in 0..300"));
        }
        if !(256..=1 << 20).contains(&self.max_token_bytes) {
            return Err(Error::validation("max_token_bytes must be in 256..1048576"));
        }
        if !(1..=MAX_TIME).contains(&self.max_lifetime_seconds) {
            return Err(Error::validation("max_lifetime_seconds must be >= 1"));
        }
        if !(2..=128).contains(&self.max_json_depth) {
            return Err(Error::validation("max_json_depth must be in 2..128"));
        }
        if self.required_claims.iter().any(|c| c.is_empty()) {
            return Err(Error::validation(
                "required_claims entries must be non-empty",
            ));
        }
        if self.allowed_typ.iter().any(|t| t.is_empty()) {
            return Err(Error::validation("allowed_typ entries must be non-empty"));
        }
        if matches!(self.now, Some(n) if !(0..=MAX_TIME).contains(&n)) {
            return Err(Error::validation("now must be a unix time in seconds"));
        }
        Ok(())
    }
}

/// A revocation check consulted after every other rule: true = revoked.
pub type RevocationCheck = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// A verifier, built once and reused. Thread-safe.
pub struct Verifier {
    keys: KeySet,
    opts: VerifierOptions,
    required: Required,
    revoked: Mutex<HashMap<String, i64>>,
    has_revoked: AtomicBool,
    revocation: Option<RevocationCheck>,
    seen: Mutex<HashMap<String, i64>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("keys", &self.keys)
            .field("options", &self.opts)
            .finish_non_exhaustive()
    }
}

/// The required-claims list as flags for the standard claims plus the rest.
#[derive(Clone, Debug, Default)]
struct Required {
    sub: bool,
    aud: bool,
    iat: bool,
    exp: bool,
    jti: bool,
    scope: bool,
    nbf: bool,
    iss: bool,
    ati: bool,
    other: Vec<String>,
}

impl Required {
    fn new(list: &[String], issuer_set: bool) -> Required {
        let mut r = Required {
            iss: issuer_set,
            ..Required::default()
        };
        for c in list {
            match c.as_str() {
                "sub" => r.sub = true,
                "aud" => r.aud = true,
                "iat" => r.iat = true,
                "exp" => r.exp = true,
                "jti" => r.jti = true,
                "scope" => r.scope = true,
                "nbf" => r.nbf = true,
                "iss" => r.iss = true,
                "ati" => r.ati = true,
                other => r.other.push(other.to_string()),
            }
        }
        r
    }
}

/// A decoded, format-checked compact JWS (header parsed, payload parsed, signature decoded).
pub(crate) struct Decoded {
    pub alg: Alg,
    pub kid: Option<String>,
    pub payload: Claims,
    pub signing_input_len: usize,
    pub signature: Vec<u8>,
}

fn b64_reason(e: B64Error) -> Error {
    match e {
        B64Error::Malformed => Error::invalid_token("malformed", "token segment is not base64url"),
        B64Error::NonCanonical => Error::invalid_token(
            "non_canonical_encoding",
            "token segment is not canonical unpadded base64url",
        ),
    }
}

fn json_reason(e: JsonError, what: &str) -> Error {
    Error::invalid_token(e.token_reason(), format!("token {what}: {e}"))
}

/// Applies the format rules of §3.3 (everything before cryptography).
pub(crate) fn decode(
    token: &[u8],
    max_bytes: usize,
    max_depth: usize,
    allowed: &[Alg],
    allowed_typ: &[String],
    kid_required: bool,
) -> Result<Decoded> {
    if token.len() > max_bytes {
        return Err(Error::invalid_token(
            "oversized",
            format!("token longer than {max_bytes} bytes"),
        ));
    }
    let mut dots = [0usize; 4];
    let mut n = 0;
    for off in memchr::memchr_iter(b'.', token) {
        if n == 4 {
            return Err(Error::invalid_token("malformed", "too many token segments"));
        }
        dots[n] = off;
        n += 1;
    }
    if n == 4 {
        return Err(Error::invalid_token(
            "jwe_not_accepted",
            "a five-segment token (JWE) is not accepted",
        ));
    }
    if n != 2 {
        return Err(Error::invalid_token(
            "malformed",
            "a token has exactly three segments",
        ));
    }
    let (h, p, s) = (
        &token[..dots[0]],
        &token[dots[0] + 1..dots[1]],
        &token[dots[1] + 1..],
    );
    if h.is_empty() || p.is_empty() || s.is_empty() {
        return Err(Error::invalid_token("malformed", "empty token segment"));
    }
    // Fast path for the canonical header Warden and ati-client emit, `{"alg":"HS256","typ":"JWT"}`:
    // its decoding is known, so the general header rules below would reach the same verdict.
    if h == CANONICAL_HS256_HEADER_B64
        && allowed.contains(&Alg::HS256)
        && allowed_typ.iter().any(|a| a.eq_ignore_ascii_case("JWT"))
        && !kid_required
    {
        return decode_rest(Alg::HS256, None, p, s, dots[1], max_depth);
    }
    let header_bytes = b64::decode(h).map_err(b64_reason)?;
    let header = match Json::parse_with_depth(&header_bytes, max_depth)
        .map_err(|e| json_reason(e, "header"))?
    {
        Json::Obj(m) => m,
        _ => {
            return Err(Error::invalid_token(
                "malformed",
                "token header is not a JSON object",
            ))
        }
    };
    let mut alg_name: Option<&str> = None;
    let mut kid: Option<String> = None;
    for (k, v) in &header {
        match k.as_str() {
            "alg" => {
                alg_name = Some(
                    v.as_str()
                        .ok_or_else(|| Error::invalid_token("malformed", "alg must be a string"))?,
                )
            }
            "typ" => {
                let t = v
                    .as_str()
                    .ok_or_else(|| Error::invalid_token("typ_mismatch", "typ must be a string"))?;
                if !allowed_typ.iter().any(|a| a.eq_ignore_ascii_case(t)) {
                    return Err(Error::invalid_token("typ_mismatch", "typ is not accepted"));
                }
            }
            "kid" => match v {
                Json::Str(s) if !s.is_empty() => kid = Some(s.clone()),
                _ => {
                    return Err(Error::invalid_token(
                        "kid_invalid",
                        "kid must be a non-empty string",
                    ))
                }
            },
            "cty" => {
                let nested = v.as_str().is_some_and(|c| c.eq_ignore_ascii_case("JWT"));
                return Err(if nested {
                    Error::invalid_token("nested_jwt", "nested JWTs are not accepted")
                } else {
                    Error::invalid_token("unsupported_header", "cty is not accepted")
                });
            }
            "enc" => {
                return Err(Error::invalid_token(
                    "jwe_not_accepted",
                    "enc: JWE is not accepted",
                ))
            }
            "crit" | "jku" | "jwk" | "x5u" | "x5c" | "x5t" | "x5t#S256" | "b64" | "zip" => {
                return Err(Error::invalid_token(
                    "unsupported_header",
                    format!("header member {k:?} is not accepted"),
                ));
            }
            _ => {}
        }
    }
    let alg_name =
        alg_name.ok_or_else(|| Error::invalid_token("malformed", "token header has no alg"))?;
    let alg = match Alg::parse(alg_name) {
        Some(a) if allowed.contains(&a) => a,
        _ => {
            return Err(Error::invalid_token(
                "alg_not_allowed",
                "alg is not in the allow-list",
            ))
        }
    };
    if kid_required && kid.is_none() {
        return Err(Error::invalid_token(
            "kid_invalid",
            "a kid header is required",
        ));
    }
    decode_rest(alg, kid, p, s, dots[1], max_depth)
}

/// base64url of `{"alg":"HS256","typ":"JWT"}`.
const CANONICAL_HS256_HEADER_B64: &[u8] = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

fn decode_rest(
    alg: Alg,
    kid: Option<String>,
    p: &[u8],
    s: &[u8],
    signing_input_len: usize,
    max_depth: usize,
) -> Result<Decoded> {
    let payload_bytes = b64::decode(p).map_err(b64_reason)?;
    let text = String::from_utf8(payload_bytes).map_err(|_| {
        Error::invalid_token("invalid_unicode", "token payload: invalid Unicode in JSON")
    })?;
    let index =
        crate::json::scan_object_str(&text, max_depth).map_err(|e| json_reason(e, "payload"))?;
    let signature = b64::decode(s).map_err(b64_reason)?;
    Ok(Decoded {
        alg,
        kid,
        payload: Claims::from_raw(text, index),
        signing_input_len,
        signature,
    })
}

fn type_err(name: &str) -> Error {
    Error::invalid_token(
        "claim_type_invalid",
        format!("claim {name:?} has an invalid type or value"),
    )
}

impl Verifier {
    /// Builds a verifier; `VALIDATION_ERROR` for bad options.
    pub fn new(keys: KeySet, opts: VerifierOptions) -> Result<Verifier> {
        opts.validate()?;
        let required = Required::new(&opts.required_claims, opts.issuer.is_some());
        Ok(Verifier {
            keys,
            opts,
            required,
            revoked: Mutex::new(HashMap::new()),
            has_revoked: AtomicBool::new(false),
            revocation: None,
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// A verifier over a single key.
    pub fn with_key(key: Key, opts: VerifierOptions) -> Result<Verifier> {
        Verifier::new(KeySet::from(key), opts)
    }

    /// Adds a revocation callback (e.g. into the engine): true = revoked.
    pub fn with_revocation_check(mut self, check: RevocationCheck) -> Verifier {
        self.revocation = Some(check);
        self
    }

    /// The options.
    pub fn options(&self) -> &VerifierOptions {
        &self.opts
    }

    /// The key set.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Marks a `jti` revoked; tokens carrying it get `TOKEN_REVOKED`. `VALIDATION_ERROR` for an
    /// invalid `jti`.
    pub fn revoke(&self, jti: &str) -> Result<()> {
        if !is_valid_jti(jti) {
            return Err(Error::validation(
                "jti must be 1..128 printable ASCII characters",
            ));
        }
        self.revoked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(jti.to_string(), i64::MAX);
        self.has_revoked.store(true, Ordering::Release);
        Ok(())
    }

    /// True if `jti` was revoked on this verifier.
    pub fn is_revoked(&self, jti: &str) -> bool {
        self.has_revoked.load(Ordering::Acquire)
            && self
                .revoked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(jti)
    }

    /// Verifies a compact JWS and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims> {
        self.verify_bytes(token.as_bytes())
    }

    /// Verifies a token given as bytes (any bytes: non-ASCII input is `malformed`).
    pub fn verify_bytes(&self, token: &[u8]) -> Result<Claims> {
        self.verify_at(token, self.opts.now)
    }

    /// Verifies with an explicit clock (unix seconds; `None` = system clock).
    pub fn verify_at(&self, token: &[u8], now: Option<i64>) -> Result<Claims> {
        let o = &self.opts;
        let d = decode(
            token,
            o.max_token_bytes,
            o.max_json_depth,
            &o.algorithms,
            &o.allowed_typ,
            o.kid_required,
        )?;
        let key = self
            .keys
            .select(d.kid.as_deref(), d.alg)
            .map_err(|r| Error::invalid_token(r, "no key for this token"))?;
        if !key.verify(&token[..d.signing_input_len], &d.signature) {
            return Err(Error::invalid_token(
                "bad_signature",
                "signature does not verify",
            ));
        }
        let claims = d.payload;
        self.check_claims(&claims, now.unwrap_or_else(now_seconds))?;
        Ok(claims)
    }

    fn check_claims(&self, c: &Claims, now: i64) -> Result<()> {
        let o = &self.opts;
        let r = &self.required;
        use super::claims::Kind;
        let int = |name: &str| -> Result<Option<i64>> {
            match c.kind(name) {
                None => Ok(None),
                Some(Kind::Int) => match c.int_value(name) {
                    Some(v) if (0..=MAX_TIME).contains(&v) => Ok(Some(v)),
                    _ => Err(type_err(name)),
                },
                Some(_) => Err(type_err(name)),
            }
        };
        let text = |name: &str| -> Result<Option<&str>> {
            match c.kind(name) {
                None => Ok(None),
                Some(Kind::Str) => Ok(c.str_value(name)),
                Some(_) => Err(type_err(name)),
            }
        };
        let sub = match text("sub")? {
            Some(s) if is_valid_sub(s) => true,
            Some(_) => return Err(type_err("sub")),
            None => false,
        };
        let aud = c.kind("aud");
        let iat = int("iat")?;
        let exp = int("exp")?;
        let nbf = int("nbf")?;
        let jti = match text("jti")? {
            Some(s) if is_valid_jti(s) => Some(s),
            Some(_) => return Err(type_err("jti")),
            None => None,
        };
        let iss = text("iss")?;
        let scope_ = match text("scope")? {
            Some(s) => {
                if !scope::is_valid_scope(s) {
                    return Err(Error::invalid_token(
                        "scope_invalid",
                        "scope is not a valid scope claim",
                    ));
                }
                true
            }
            None => false,
        };
        let ati_invalid =
            || Error::invalid_token("ati_namespace_invalid", "the ati namespace is invalid");
        let ati = match c.kind("ati") {
            None => false,
            Some(_) => {
                let fast = c.raw_value("ati").and_then(|(t, k)| {
                    if k == crate::json::RawKind::Obj {
                        super::claims::check_ati_raw(t)
                    } else {
                        Some(false)
                    }
                });
                match fast {
                    Some(true) => {}
                    Some(false) => return Err(ati_invalid()),
                    None => {
                        let v = c.value_json("ati").ok_or_else(ati_invalid)?;
                        check_ati(&v).map_err(|_| ati_invalid())?;
                    }
                }
                true
            }
        };
        let missing = |name: &str| {
            Error::invalid_token(
                "missing_claim",
                format!("required claim {name:?} is missing"),
            )
        };
        if r.sub && !sub {
            return Err(missing("sub"));
        }
        if r.aud && aud.is_none() {
            return Err(missing("aud"));
        }
        if r.iat && iat.is_none() {
            return Err(missing("iat"));
        }
        if r.exp && exp.is_none() {
            return Err(missing("exp"));
        }
        if r.jti && jti.is_none() {
            return Err(missing("jti"));
        }
        if r.scope && !scope_ {
            return Err(missing("scope"));
        }
        if r.nbf && nbf.is_none() {
            return Err(missing("nbf"));
        }
        if r.iss && iss.is_none() {
            return Err(missing("iss"));
        }
        if r.ati && !ati {
            return Err(missing("ati"));
        }
        for name in &r.other {
            if c.get(name).is_none() {
                return Err(missing(name));
            }
        }
        if let Some(kind) = aud {
            let value = match kind {
                Kind::Str => c.str_value("aud").unwrap_or_default(),
                _ => match c.value_json("aud") {
                    Some(Json::Arr(items)) => {
                        if items.iter().any(|i| i.as_str().is_none()) {
                            return Err(type_err("aud"));
                        }
                        match items.len() {
                            0 => {
                                return Err(Error::invalid_token(
                                    "aud_mismatch",
                                    "aud is an empty list",
                                ))
                            }
                            1 => {
                                if items[0].as_str() != Some(o.audience.as_str()) {
                                    return Err(Error::invalid_token(
                                        "aud_mismatch",
                                        "aud does not match the expected audience",
                                    ));
                                }
                                o.audience.as_str()
                            }
                            _ => {
                                return Err(Error::invalid_token(
                                    "aud_multiple",
                                    "aud lists more than one audience",
                                ))
                            }
                        }
                    }
                    _ => return Err(type_err("aud")),
                },
            };
            if value != o.audience {
                return Err(Error::invalid_token(
                    "aud_mismatch",
                    "aud does not match the expected audience",
                ));
            }
        }
        if let (Some(expected), Some(got)) = (&o.issuer, iss) {
            if got != expected {
                return Err(Error::invalid_token(
                    "iss_mismatch",
                    "iss does not match the expected issuer",
                ));
            }
        }
        if let (Some(i), Some(e)) = (iat, exp) {
            if e <= i {
                return Err(Error::invalid_token(
                    "inconsistent_times",
                    "exp must be later than iat",
                ));
            }
            if e - i > o.max_lifetime_seconds {
                return Err(Error::invalid_token(
                    "lifetime_too_long",
                    "exp - iat exceeds the maximum lifetime",
                ));
            }
        }
        if let (Some(n), Some(e)) = (nbf, exp) {
            if n >= e {
                return Err(Error::invalid_token(
                    "inconsistent_times",
                    "nbf must be earlier than exp",
                ));
            }
        }
        let l = o.leeway_seconds;
        if let Some(e) = exp {
            if now >= e + l {
                return Err(
                    Error::new(ErrorCode::TokenExpired, "token expired").details(Json::Obj(vec![
                        ("exp".into(), Json::Int(e)),
                        ("now".into(), Json::Int(now)),
                    ])),
                );
            }
        }
        if nbf.is_some_and(|n| n > now + l) || iat.is_some_and(|i| i > now + l) {
            return Err(Error::new(
                ErrorCode::TokenNotYetValid,
                "token is not yet valid",
            ));
        }
        if let Some(j) = jti {
            if self.is_revoked(j) || self.revocation.as_ref().is_some_and(|f| f(j)) {
                return Err(Error::with_reason(
                    ErrorCode::TokenRevoked,
                    "revoked",
                    "token has been revoked",
                ));
            }
            if o.one_time {
                let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
                if seen.len() > 4096 {
                    seen.retain(|_, until| *until + l > now);
                }
                if seen.contains_key(j) {
                    return Err(Error::with_reason(
                        ErrorCode::TokenRevoked,
                        "replayed",
                        "one-time token already used",
                    ));
                }
                seen.insert(j.to_string(), exp.unwrap_or(MAX_TIME));
            }
        } else if o.one_time {
            return Err(Error::invalid_token(
                "missing_claim",
                "a one-time token needs a jti",
            ));
        }
        Ok(())
    }
}

/// `inspect_token(token)`: decodes without verifying the signature or the times, applying the
/// format rules of §3.3 (any of HS256/EdDSA/ES256); never fails on a missing claim.
pub fn inspect(token: &[u8]) -> Result<Claims> {
    let typ = ["JWT".to_string(), "at+jwt".to_string()];
    let d = decode(
        token,
        8192,
        32,
        &[Alg::HS256, Alg::EdDSA, Alg::ES256],
        &typ,
        false,
    )?;
    Ok(d.payload)
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_header_constant() {
        assert_eq!(
            crate::b64::encode(br#"{"alg":"HS256","typ":"JWT"}"#).as_bytes(),
            super::CANONICAL_HS256_HEADER_B64
        );
    }
}
