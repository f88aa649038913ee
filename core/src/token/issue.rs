//! Issuing tokens (SEMANTICS-tokens §3.1). The payload is written in the canonical order
//! `sub, aud, iat, exp, nbf, scope, iss, jti, ati`, then extras in insertion order, as compact
//! ASCII-escaped JSON: with a fixed clock and `jti`, HS256 output equals ati-client's byte for byte.

use super::claims::{
    check_ati, check_rate_map, is_valid_jti, is_valid_sub, Claims, MAX_TIME, STANDARD_CLAIMS,
};
use crate::b64;
use crate::error::{Error, ErrorCode, Result};
use crate::json::{write_str, Json};
use crate::key::Key;
use crate::scope;

/// Current unix time in seconds.
pub fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

thread_local! {
    /// OS randomness fetched 512 bytes at a time: one system call per 32 UUIDs.
    static POOL: std::cell::RefCell<(Vec<u8>, usize)> = const { std::cell::RefCell::new((Vec::new(), 0)) };
}

fn random_16() -> [u8; 16] {
    POOL.with(|p| {
        let mut p = p.borrow_mut();
        if p.1 + 16 > p.0.len() {
            let mut buf = vec![0u8; 512];
            if getrandom::getrandom(&mut buf).is_err() {
                // getrandom failing is not recoverable for key material, but a jti only needs
                // uniqueness: fall back to time-derived bytes.
                let t = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                for (i, b) in buf.iter_mut().enumerate() {
                    *b = (t >> ((i % 16) * 8)) as u8 ^ i as u8;
                }
            }
            *p = (buf, 0);
        }
        let start = p.1;
        p.1 += 16;
        let mut out = [0u8; 16];
        out.copy_from_slice(&p.0[start..start + 16]);
        // Used bytes are wiped so a later memory disclosure cannot replay earlier ids.
        p.0[start..start + 16].fill(0);
        out
    })
}

/// A random RFC 4122 version-4 UUID string.
pub fn uuid4() -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut b = random_16();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(H[(x >> 4) as usize] as char);
        s.push(H[(x & 15) as usize] as char);
    }
    s
}

fn time_claim(name: &str, v: &Json) -> Result<i64> {
    match v {
        Json::Int(i) if (0..=MAX_TIME).contains(i) => Ok(*i),
        _ => Err(Error::validation(format!(
            "{name} must be an integer in [0, 2^53-1]"
        ))),
    }
}

/// Validates claims for issuing and returns the payload members in canonical order.
///
/// Required: `sub`, `aud` (string), `exp`, `scope`. Defaults: `iat` = `now`, `jti` = a random
/// UUIDv4 (also when empty). Optional: `nbf`, `iss`, `ati`. Extras keep insertion order.
pub fn canonical_claims(claims: &Claims, now: Option<i64>) -> Result<Vec<(String, Json)>> {
    let get = |n: &str| claims.get(n);
    let need_str = |n: &str| -> Result<&str> {
        match get(n) {
            Some(Json::Str(s)) => Ok(s.as_str()),
            Some(other) => Err(Error::validation(format!(
                "{n} must be a string, not {}",
                other.kind()
            ))),
            None => Err(Error::validation(format!("claim {n:?} is required"))),
        }
    };
    let sub = need_str("sub")?;
    if !is_valid_sub(sub) {
        return Err(Error::validation(
            "sub must match ^[A-Za-z0-9._:@/-]{1,256}$",
        ));
    }
    let aud = need_str("aud")?;
    if aud.is_empty() {
        return Err(Error::validation("aud must not be empty"));
    }
    let iat = match get("iat") {
        Some(v) => time_claim("iat", v)?,
        None => now.unwrap_or_else(now_seconds),
    };
    let exp = time_claim(
        "exp",
        get("exp").ok_or_else(|| Error::validation("claim \"exp\" is required"))?,
    )?;
    if exp <= iat {
        return Err(Error::validation("exp must be later than iat"));
    }
    let nbf = get("nbf").map(|v| time_claim("nbf", v)).transpose()?;
    let scope = need_str("scope")?;
    if !scope::is_valid_scope(scope) {
        return Err(Error::new(
            ErrorCode::InvalidScope,
            "scope is not a valid scope claim",
        ));
    }
    let iss = match get("iss") {
        None | Some(Json::Null) => None,
        Some(Json::Str(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => return Err(Error::validation("iss must be a non-empty string")),
    };
    let jti = match get("jti") {
        None | Some(Json::Null) => uuid4(),
        Some(Json::Str(s)) if s.is_empty() => uuid4(),
        Some(Json::Str(s)) if is_valid_jti(s) => s.clone(),
        Some(_) => {
            return Err(Error::validation(
                "jti must be 1..128 printable ASCII characters",
            ))
        }
    };
    let ati = match get("ati") {
        None | Some(Json::Null) => None,
        Some(v) => {
            check_ati(v)?;
            Some(v.clone())
        }
    };
    let mut out: Vec<(String, Json)> = Vec::with_capacity(claims.members().len() + 2);
    out.push(("sub".into(), Json::Str(sub.to_string())));
    out.push(("aud".into(), Json::Str(aud.to_string())));
    out.push(("iat".into(), Json::Int(iat)));
    out.push(("exp".into(), Json::Int(exp)));
    if let Some(n) = nbf {
        out.push(("nbf".into(), Json::Int(n)));
    }
    out.push(("scope".into(), Json::Str(scope.to_string())));
    if let Some(i) = iss {
        out.push(("iss".into(), Json::Str(i)));
    }
    out.push(("jti".into(), Json::Str(jti)));
    if let Some(a) = ati {
        out.push(("ati".into(), a));
    }
    for (k, v) in claims.members() {
        if !STANDARD_CLAIMS.contains(&k.as_str()) {
            out.push((k.clone(), v.clone()));
        }
    }
    Ok(out)
}

/// Writes the JWS header for `key`.
fn header(key: &Key) -> String {
    let mut h = String::with_capacity(48);
    h.push_str("{\"alg\":\"");
    h.push_str(key.alg().as_str());
    h.push_str("\",\"typ\":\"JWT\"");
    if let Some(kid) = key.kid() {
        h.push_str(",\"kid\":");
        write_str(kid, &mut h);
    }
    h.push('}');
    h
}

/// Signs already-canonical members (no validation).
pub(crate) fn sign_members(key: &Key, members: &[(String, Json)]) -> Result<String> {
    let payload = {
        let mut s = String::with_capacity(256);
        s.push('{');
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            write_str(k, &mut s);
            s.push(':');
            v.write_compact(&mut s);
        }
        s.push('}');
        s
    };
    sign_payload(key, payload.as_bytes())
}

/// `base64url(header(key)) "." base64url(payload) "." base64url(signature)`.
fn sign_payload(key: &Key, payload: &[u8]) -> Result<String> {
    let mut out = Vec::with_capacity(payload.len() * 4 / 3 + 136);
    encode_header(key, &mut out);
    out.push(b'.');
    b64::encode_into_vec(payload, &mut out);
    finish(key, out)
}

/// Appends `"." base64url(signature of out)` and returns the token.
fn finish(key: &Key, mut out: Vec<u8>) -> Result<String> {
    let sig = key.sign(&out)?;
    out.push(b'.');
    b64::encode_into_vec(&sig, &mut out);
    String::from_utf8(out).map_err(|_| Error::internal("token is not ASCII"))
}

/// base64url of [`header`]: a constant for the common HS256 key without a kid.
fn encode_header(key: &Key, out: &mut Vec<u8>) {
    if key.alg() == crate::key::Alg::HS256 && key.kid().is_none() {
        // `{"alg":"HS256","typ":"JWT"}`, checked against `header` in the tests.
        out.extend_from_slice(b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    } else {
        b64::encode_into_vec(header(key).as_bytes(), out);
    }
}

/// Low-level JWS signing of exact header and payload bytes, with no checks at all. For tests,
/// vector generation and tooling; use [`issue`] to issue tokens.
pub fn sign_compact(key: &Key, header: &[u8], payload: &[u8]) -> Result<String> {
    let mut out = Vec::with_capacity((header.len() + payload.len()) * 4 / 3 + 100);
    b64::encode_into_vec(header, &mut out);
    out.push(b'.');
    b64::encode_into_vec(payload, &mut out);
    finish(key, out)
}

/// `issue_token(key, claims)`: validates the claims (see [`canonical_claims`]) and signs them
/// with `key`'s algorithm. `now` fixes the clock for a defaulted `iat`.
pub fn issue(key: &Key, claims: &Claims, now: Option<i64>) -> Result<String> {
    if !key.has_private() {
        return Err(Error::invalid_key(
            "this key has no private part and cannot sign",
        ));
    }
    let members = canonical_claims(claims, now)?;
    sign_members(key, &members)
}

/// Arguments of the ATI-compatible `issue_token` shortcut, with ati-client's defaults.
#[derive(Clone, Debug)]
pub struct AtiIssueArgs {
    /// Subject (the agent id).
    pub sub: String,
    /// Scope claim (space-separated patterns).
    pub scope: String,
    /// Lifetime, 1..=86400 seconds (default 3600).
    pub ttl_seconds: i64,
    /// Audience (default `ati-proxy`).
    pub aud: String,
    /// Issuer (default `ati-orchestrator`; `None` omits the claim, as ati-client does).
    pub iss: Option<String>,
    /// Token id (default: a random UUIDv4, also when empty).
    pub jti: Option<String>,
    /// Rate limits `{pattern: spec}` in insertion order (default none).
    pub rate: Vec<(String, String)>,
    /// Extra claims appended after `ati`, in order.
    pub extra: Vec<(String, Json)>,
    /// Fixed clock in unix seconds (default: the system clock).
    pub now: Option<i64>,
}

impl AtiIssueArgs {
    /// ati-client's defaults for a subject and scope.
    pub fn new(sub: impl Into<String>, scope: impl Into<String>) -> AtiIssueArgs {
        AtiIssueArgs {
            sub: sub.into(),
            scope: scope.into(),
            ttl_seconds: 3600,
            aud: "ati-proxy".into(),
            iss: Some("ati-orchestrator".into()),
            jti: None,
            rate: Vec::new(),
            extra: Vec::new(),
            now: None,
        }
    }

    /// Builds the arguments from a JSON object with the keyword names of `issue_token`
    /// (`sub`, `scope`, `ttl_seconds`, `aud`, `iss`, `jti`, `rate`, `now`). Dynamic bindings
    /// pass their arguments through here so that wrong types give `VALIDATION_ERROR` in core.
    /// An absent key takes the default; `iss: null` omits the claim; `jti`/`rate`/`now: null`
    /// mean the default.
    pub fn from_json(v: &Json) -> Result<AtiIssueArgs> {
        let obj = v
            .as_obj()
            .ok_or_else(|| Error::validation("issue_token arguments must be an object"))?;
        let mut sub = None;
        let mut scope = None;
        let mut a = AtiIssueArgs::new("", "");
        for (k, val) in obj {
            let s = |what: &str| -> Result<String> {
                val.as_str().map(str::to_string).ok_or_else(|| {
                    Error::validation(format!("{what} must be a string, not {}", val.kind()))
                })
            };
            match k.as_str() {
                "sub" => sub = Some(s("sub")?),
                "scope" => scope = Some(s("scope")?),
                "ttl_seconds" => match val {
                    Json::Int(i) => a.ttl_seconds = *i,
                    _ => {
                        return Err(Error::validation(format!(
                            "ttl_seconds must be an integer, not {}",
                            val.kind()
                        )))
                    }
                },
                "aud" => a.aud = s("aud")?,
                "iss" => a.iss = if val.is_null() { None } else { Some(s("iss")?) },
                "jti" => a.jti = if val.is_null() { None } else { Some(s("jti")?) },
                "now" => match val {
                    Json::Null => a.now = None,
                    Json::Int(i) => a.now = Some(*i),
                    _ => return Err(Error::validation("now must be an integer (unix seconds)")),
                },
                "rate" => match val {
                    Json::Null => a.rate.clear(),
                    Json::Obj(m) => {
                        check_rate_map(val)?;
                        a.rate = m
                            .iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                            .collect();
                    }
                    _ => {
                        return Err(Error::validation(
                            "rate must be an object of pattern -> rate spec",
                        ))
                    }
                },
                other => {
                    return Err(Error::validation(format!(
                        "unknown issue_token argument {:?}",
                        crate::rate::truncate(other)
                    )))
                }
            }
        }
        a.sub = sub.ok_or_else(|| Error::validation("sub is required"))?;
        a.scope = scope.ok_or_else(|| Error::validation("scope is required"))?;
        Ok(a)
    }
}

/// Issues an ATI-shaped token with any signing key (HS256 for ati-client compatibility).
pub fn issue_ati(key: &Key, args: &AtiIssueArgs) -> Result<String> {
    if !key.has_private() {
        return Err(Error::invalid_key(
            "this key has no private part and cannot sign",
        ));
    }
    if !(1..=86400).contains(&args.ttl_seconds) {
        return Err(Error::validation(
            "ttl_seconds must be an integer in 1..86400",
        ));
    }
    if !is_valid_sub(&args.sub) {
        return Err(Error::validation(
            "sub must match ^[A-Za-z0-9._:@/-]{1,256}$",
        ));
    }
    if !scope::is_valid_scope(&args.scope) {
        return Err(Error::new(
            ErrorCode::InvalidScope,
            "scope is not a valid scope claim",
        ));
    }
    if args.aud.is_empty() {
        return Err(Error::validation("aud must not be empty"));
    }
    if let Some(i) = &args.iss {
        if i.is_empty() {
            return Err(Error::validation(
                "iss must not be empty (pass None to omit it)",
            ));
        }
    }
    if args.rate.len() > scope::MAX_TOKENS {
        return Err(Error::validation("a rate map holds at most 64 entries"));
    }
    for (k, v) in &args.rate {
        if !scope::is_valid_pattern(k) {
            return Err(Error::new(
                ErrorCode::InvalidScope,
                format!(
                    "rate key {:?} is not a valid scope pattern",
                    crate::rate::truncate(k)
                ),
            ));
        }
        crate::rate::RateSpec::parse(v)?;
        if args.rate.iter().filter(|(o, _)| o == k).count() > 1 {
            return Err(Error::validation("duplicate rate key"));
        }
    }
    let jti = match &args.jti {
        Some(j) if !j.is_empty() => {
            if !is_valid_jti(j) {
                return Err(Error::validation(
                    "jti must be 1..128 printable ASCII characters",
                ));
            }
            j.clone()
        }
        _ => uuid4(),
    };
    let now = args.now.unwrap_or_else(now_seconds);
    if !(0..=MAX_TIME - 86400).contains(&now) {
        return Err(Error::validation("now must be a unix time in seconds"));
    }
    for (k, _) in &args.extra {
        if STANDARD_CLAIMS.contains(&k.as_str())
            || args.extra.iter().filter(|(o, _)| o == k).count() > 1
        {
            return Err(Error::validation(format!(
                "extra claim {k:?} collides with a standard claim or repeats"
            )));
        }
    }
    // The payload is written directly in ati-client's layout (no intermediate values).
    use std::fmt::Write as _;
    let mut p =
        String::with_capacity(160 + args.scope.len() + args.sub.len() + args.rate.len() * 32);
    p.push_str("{\"sub\":");
    write_str(&args.sub, &mut p);
    p.push_str(",\"aud\":");
    write_str(&args.aud, &mut p);
    let _ = write!(
        p,
        ",\"iat\":{},\"exp\":{},\"scope\":",
        now,
        now + args.ttl_seconds
    );
    write_str(&args.scope, &mut p);
    if let Some(i) = &args.iss {
        p.push_str(",\"iss\":");
        write_str(i, &mut p);
    }
    p.push_str(",\"jti\":");
    write_str(&jti, &mut p);
    p.push_str(",\"ati\":{\"v\":1");
    if !args.rate.is_empty() {
        p.push_str(",\"rate\":{");
        for (i, (k, v)) in args.rate.iter().enumerate() {
            if i > 0 {
                p.push(',');
            }
            write_str(k, &mut p);
            p.push(':');
            write_str(v, &mut p);
        }
        p.push('}');
    }
    p.push('}');
    for (k, v) in &args.extra {
        p.push(',');
        write_str(k, &mut p);
        p.push(':');
        v.write_compact(&mut p);
    }
    p.push('}');
    sign_payload(key, p.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_hs256_header_is_the_encoded_header() {
        let key = crate::Key::hs256_hex(&"ab".repeat(32), None).unwrap();
        let mut v = Vec::new();
        super::encode_header(&key, &mut v);
        assert_eq!(
            v,
            crate::b64::encode(super::header(&key).as_bytes()).into_bytes()
        );
        let kid = crate::Key::hs256_hex(&"ab".repeat(32), Some("k1")).unwrap();
        let mut v = Vec::new();
        super::encode_header(&kid, &mut v);
        assert_eq!(
            v,
            crate::b64::encode(super::header(&kid).as_bytes()).into_bytes()
        );
    }

    #[test]
    fn uuid4_shape_and_uniqueness() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let u = super::uuid4();
            assert_eq!(u.len(), 36);
            assert_eq!(&u[14..15], "4");
            assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
            assert!(seen.insert(u));
        }
    }
}
