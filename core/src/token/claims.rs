//! [`Claims`]: a JWT payload with typed accessors for the registered claims and the ATI
//! namespace, and the extra claims kept in token order.

use crate::error::{Error, ErrorCode, Result};
use crate::json::{Json, RawKind, RawMember};
use crate::rate::RateSpec;
use crate::scope;

/// The registered and Warden/ATI claims that have accessors; everything else is "extra".
pub const STANDARD_CLAIMS: [&str; 9] = [
    "sub", "aud", "iat", "exp", "nbf", "jti", "iss", "scope", "ati",
];

/// Largest JWT time value (2^53 − 1, the largest integer every SDK language holds exactly).
pub const MAX_TIME: i64 = (1 << 53) - 1;

/// A JWT payload. Members keep token order; names are unique.
///
/// Claims coming out of the verifier keep the payload text and an index of its top-level
/// members: the registered claims are read straight from the text, and the full member list is
/// only decoded when something asks for it (extras, `to_json`), once.
#[derive(Clone, Debug, Default)]
pub struct Claims {
    raw: Option<RawPayload>,
    members: std::sync::OnceLock<Vec<(String, Json)>>,
}

#[derive(Clone, Debug)]
struct RawPayload {
    text: String,
    index: Vec<RawMember>,
    /// Position in `index` of each of [`STANDARD_CLAIMS`] (`u8::MAX` = absent), when no key is
    /// escaped (`plain`).
    std_pos: [u8; 9],
    plain: bool,
}

impl PartialEq for Claims {
    fn eq(&self, other: &Claims) -> bool {
        self.members() == other.members()
    }
}

/// The JSON kind of a member, whichever representation holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Int,
    Other,
}

impl Claims {
    /// Claims from an ordered list of members (used by the parser and by builders).
    pub(crate) fn from_members(members: Vec<(String, Json)>) -> Claims {
        let cell = std::sync::OnceLock::new();
        let _ = cell.set(members);
        Claims {
            raw: None,
            members: cell,
        }
    }

    /// Claims over a verified payload text and its scanned top-level members.
    pub(crate) fn from_raw(text: String, index: Vec<RawMember>) -> Claims {
        let plain = index.iter().all(|m| !m.key_escaped);
        let mut std_pos = [u8::MAX; 9];
        if plain {
            for (i, m) in index.iter().enumerate().take(usize::from(u8::MAX)) {
                let k = &text[m.key.clone()];
                if let Some(p) = STANDARD_CLAIMS.iter().position(|s| *s == k) {
                    std_pos[p] = i as u8;
                }
            }
        }
        Claims {
            raw: Some(RawPayload {
                text,
                index,
                std_pos,
                plain,
            }),
            members: std::sync::OnceLock::new(),
        }
    }

    /// Claims from a JSON object (`VALIDATION_ERROR` if `v` is not an object).
    pub fn from_json(v: Json) -> Result<Claims> {
        match v {
            Json::Obj(members) => Ok(Claims::from_members(members)),
            other => Err(Error::validation(format!(
                "claims must be an object, not {}",
                other.kind()
            ))),
        }
    }

    fn raw_member(&self, name: &str) -> Option<(&RawPayload, &RawMember)> {
        let raw = self.raw.as_ref()?;
        if raw.plain {
            if let Some(p) = STANDARD_CLAIMS.iter().position(|s| *s == name) {
                let i = raw.std_pos[p];
                return (i != u8::MAX).then(|| (raw, &raw.index[usize::from(i)]));
            }
        }
        raw.index
            .iter()
            .find(|m| !m.key_escaped && &raw.text[m.key.clone()] == name)
            .map(|m| (raw, m))
    }

    /// The kind of member `name` (None when absent).
    pub(crate) fn kind(&self, name: &str) -> Option<Kind> {
        if let Some(raw) = &self.raw {
            if raw.plain {
                let (_, m) = self.raw_member(name)?;
                return Some(match m.kind {
                    RawKind::Str { .. } => Kind::Str,
                    RawKind::Int => Kind::Int,
                    _ => Kind::Other,
                });
            }
        }
        Some(match self.get(name)? {
            Json::Str(_) => Kind::Str,
            Json::Int(_) => Kind::Int,
            _ => Kind::Other,
        })
    }

    /// Any member by name.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.members()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// One member's value decoded on its own (without decoding the whole payload).
    pub(crate) fn value_json(&self, name: &str) -> Option<Json> {
        if let Some(raw) = &self.raw {
            if raw.plain {
                let (raw, m) = self.raw_member(name)?;
                return Json::parse_with_depth(raw.text[m.value.clone()].as_bytes(), usize::MAX)
                    .ok();
            }
        }
        self.get(name).cloned()
    }

    /// The raw JSON text and kind of one member, when the claims came from a token whose keys
    /// are all plain.
    pub(crate) fn raw_value(&self, name: &str) -> Option<(&str, RawKind)> {
        let raw = self.raw.as_ref()?;
        if !raw.plain {
            return None;
        }
        let (raw, m) = self.raw_member(name)?;
        Some((&raw.text[m.value.clone()], m.kind))
    }

    pub(crate) fn str_value(&self, name: &str) -> Option<&str> {
        self.str_claim(name)
    }

    pub(crate) fn int_value(&self, name: &str) -> Option<i64> {
        self.int_claim(name)
    }

    fn str_claim(&self, name: &str) -> Option<&str> {
        if let Some(raw) = &self.raw {
            if raw.plain {
                let (raw, m) = self.raw_member(name)?;
                return match m.kind {
                    RawKind::Str { escaped: false } => {
                        Some(&raw.text[m.value.start + 1..m.value.end - 1])
                    }
                    RawKind::Str { escaped: true } => self.get(name).and_then(Json::as_str),
                    _ => None,
                };
            }
        }
        self.get(name).and_then(Json::as_str)
    }

    fn int_claim(&self, name: &str) -> Option<i64> {
        if let Some(raw) = &self.raw {
            if raw.plain {
                let (raw, m) = self.raw_member(name)?;
                return match m.kind {
                    RawKind::Int => raw.text[m.value.clone()].parse().ok(),
                    _ => None,
                };
            }
        }
        self.get(name).and_then(Json::as_i64)
    }

    /// `sub`, if present and a string.
    pub fn sub(&self) -> Option<&str> {
        self.str_claim("sub")
    }
    /// `aud` exactly as in the token (a string, or an array).
    pub fn aud(&self) -> Option<&Json> {
        self.get("aud")
    }
    /// `aud` when it is a string or a one-element array of a string.
    pub fn audience(&self) -> Option<&str> {
        match self.get("aud")? {
            Json::Str(s) => Some(s),
            Json::Arr(a) if a.len() == 1 => a[0].as_str(),
            _ => None,
        }
    }
    /// `iat`, if present and an integer.
    pub fn iat(&self) -> Option<i64> {
        self.int_claim("iat")
    }
    /// `exp`, if present and an integer.
    pub fn exp(&self) -> Option<i64> {
        self.int_claim("exp")
    }
    /// `nbf`, if present and an integer.
    pub fn nbf(&self) -> Option<i64> {
        self.int_claim("nbf")
    }
    /// `jti`, if present and a string.
    pub fn jti(&self) -> Option<&str> {
        self.str_claim("jti")
    }
    /// `iss`, if present and a string.
    pub fn iss(&self) -> Option<&str> {
        self.str_claim("iss")
    }
    /// `scope` (the raw claim), if present and a string.
    pub fn scope(&self) -> Option<&str> {
        self.str_claim("scope")
    }
    /// `ati` namespace, if present.
    pub fn ati(&self) -> Option<&Json> {
        self.get("ati")
    }

    /// The scope tokens (split on single spaces; empty when there is no string scope).
    pub fn scopes(&self) -> Vec<String> {
        match self.scope() {
            Some(s) if !s.is_empty() => s.split(' ').map(str::to_string).collect(),
            _ => Vec::new(),
        }
    }

    /// The rate limits of the ATI namespace, in token order (valid tokens only carry valid ones).
    pub fn rate_limits(&self) -> Vec<(String, RateSpec)> {
        let mut out = Vec::new();
        if let Some(Json::Obj(rate)) = self.ati().and_then(|a| a.get("rate")) {
            for (k, v) in rate {
                if let Some(spec) = v.as_str().and_then(|s| RateSpec::parse(s).ok()) {
                    out.push((k.clone(), spec));
                }
            }
        }
        out
    }

    /// True iff the token's scopes allow the concrete scope `required`.
    pub fn allows(&self, required: &str) -> bool {
        match self.scope().and_then(scope::scope_claim_tokens) {
            Some(toks) => scope::check_scope(required, &toks),
            None => false,
        }
    }

    /// Every member that has no accessor, in token order.
    pub fn extra(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.members()
            .iter()
            .filter(|(k, _)| !STANDARD_CLAIMS.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v))
    }

    /// All members in token order (decoded once, on first use).
    pub fn members(&self) -> &[(String, Json)] {
        self.members.get_or_init(|| match &self.raw {
            Some(raw) => match Json::parse_with_depth(raw.text.as_bytes(), usize::MAX) {
                Ok(Json::Obj(m)) => m,
                _ => Vec::new(),
            },
            None => Vec::new(),
        })
    }

    /// The payload JSON text exactly as signed, when the claims came from a token.
    pub fn payload_text(&self) -> Option<&str> {
        self.raw.as_ref().map(|r| r.text.as_str())
    }

    /// The whole payload as a JSON object.
    pub fn to_json(&self) -> Json {
        Json::Obj(self.members().to_vec())
    }

    /// Consumes the claims into their members.
    pub fn into_members(self) -> Vec<(String, Json)> {
        let _ = self.members();
        self.members.into_inner().unwrap_or_default()
    }
}

/// `sub` grammar: `^[A-Za-z0-9._:@/-]{1,256}$`.
pub fn is_valid_sub(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:@/-".contains(&b))
}

/// `jti` grammar: 1..128 printable ASCII characters (0x20..=0x7E).
pub fn is_valid_jti(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// Checks the `ati` namespace: an object, `v == 1`, `rate` (optional) a map of valid pattern →
/// valid rate spec. Returns the code the issuer reports (the verifier maps every failure to
/// `ati_namespace_invalid`).
pub(crate) fn check_ati(v: &Json) -> Result<()> {
    let obj = v
        .as_obj()
        .ok_or_else(|| Error::validation("ati must be an object"))?;
    let mut saw_v = false;
    for (k, val) in obj {
        match k.as_str() {
            "v" => {
                if val.as_i64() != Some(1) {
                    return Err(Error::validation("ati.v must be the integer 1"));
                }
                saw_v = true;
            }
            "rate" => check_rate_map(val)?,
            _ => {}
        }
    }
    if !saw_v {
        return Err(Error::validation("ati.v is required"));
    }
    Ok(())
}

/// Fast path of [`check_ati`] over the raw text of an `ati` object whose keys and strings carry
/// no escapes: `Some(valid)`, or `None` when the slow path must decide.
pub(crate) fn check_ati_raw(text: &str) -> Option<bool> {
    let members = crate::json::scan_object_str(text, usize::MAX).ok()?;
    let mut saw_v = false;
    for m in &members {
        if m.key_escaped {
            return None;
        }
        match &text[m.key.clone()] {
            "v" => {
                if m.kind != RawKind::Int || &text[m.value.clone()] != "1" {
                    return Some(false);
                }
                saw_v = true;
            }
            "rate" => {
                if m.kind != RawKind::Obj {
                    return Some(false);
                }
                let rtext = &text[m.value.clone()];
                let rate = crate::json::scan_object_str(rtext, usize::MAX).ok()?;
                if rate.len() > scope::MAX_TOKENS {
                    return Some(false);
                }
                for r in &rate {
                    if r.key_escaped || r.kind == (RawKind::Str { escaped: true }) {
                        return None;
                    }
                    if r.kind != (RawKind::Str { escaped: false })
                        || !scope::is_valid_pattern(&rtext[r.key.clone()])
                    {
                        return Some(false);
                    }
                    if RateSpec::parse(&rtext[r.value.start + 1..r.value.end - 1]).is_err() {
                        return Some(false);
                    }
                }
            }
            _ => {}
        }
    }
    Some(saw_v)
}

/// Checks a rate map `{pattern: spec}` (≤ 64 entries): `INVALID_SCOPE` for a bad key,
/// `INVALID_RATE_SPEC` for a bad spec, `VALIDATION_ERROR` for wrong types.
pub(crate) fn check_rate_map(v: &Json) -> Result<()> {
    let m = v
        .as_obj()
        .ok_or_else(|| Error::validation("rate must be an object of pattern -> rate spec"))?;
    if m.len() > scope::MAX_TOKENS {
        return Err(Error::validation("a rate map holds at most 64 entries"));
    }
    for (k, spec) in m {
        if !scope::is_valid_pattern(k) {
            return Err(Error::new(
                ErrorCode::InvalidScope,
                format!(
                    "rate key {:?} is not a valid scope pattern",
                    crate::rate::truncate(k)
                ),
            ));
        }
        let s = spec
            .as_str()
            .ok_or_else(|| Error::validation("rate specs are strings"))?;
        RateSpec::parse(s)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ati_fast_path_agrees_with_slow_path() {
        for t in [
            r#"{"v":1}"#,
            r#"{"v":1,"rate":{}}"#,
            r#"{"v":1,"rate":{"tool:a":"5/min","tool:*":"0/s"}}"#,
            r#"{"v":2}"#,
            r#"{"v":1.0}"#,
            r#"{"rate":{}}"#,
            r#"{"v":1,"rate":[]}"#,
            r#"{"v":1,"rate":{"tool:a":5}}"#,
            r#"{"v":1,"rate":{"Tool:a":"5/min"}}"#,
            r#"{"v":1,"rate":{"tool:a":"5/week"}}"#,
            r#"{"v":1,"rate":{"tool:a":"5\/min"}}"#,
            r#"{"v":1,"extra":{"x":[1,2]}}"#,
        ] {
            let slow = check_ati(&Json::parse(t).unwrap()).is_ok();
            match check_ati_raw(t) {
                Some(fast) => assert_eq!(fast, slow, "{t}"),
                None => assert!(t.contains('\\'), "fast path declined a plain document: {t}"),
            }
        }
    }
}
