//! Scopes (SEMANTICS-tokens §4, SEMANTICS-engine §1.1): the grammar, the single matcher,
//! `covers` (language inclusion), the compiled [`ScopeSet`] and the ATI-compatible helpers.
//!
//! Everything is byte-exact and case-sensitive; nothing is normalised.

use crate::error::{Error, ErrorCode, Result};
use std::collections::HashSet;

/// Maximum bytes of one scope token / pattern.
pub const MAX_TOKEN_BYTES: usize = 256;
/// Maximum tokens in one scope claim (and patterns in one list).
pub const MAX_TOKENS: usize = 64;
/// Maximum bytes of a whole scope claim.
pub const MAX_CLAIM_BYTES: usize = 4096;

/// The kind of a valid pattern, with its prefix where it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind<'a> {
    /// `*`: every concrete scope.
    Global,
    /// No `*`: only itself.
    Exact(&'a str),
    /// Ends in `:*`; the prefix ends in `:`. Grants any non-empty remainder.
    Separator(&'a str),
    /// Ends in `*` not preceded by `:`. Grants a non-empty remainder without `:`.
    Partial(&'a str),
}

/// Byte classes of the scope grammar, one table lookup per byte on the hot paths.
const C_NS: u8 = 1; // namespace character: a-z 0-9 _ -
const C_START: u8 = 2; // segment start: A-Z a-z 0-9 _
const C_SEG: u8 = 4; // segment character: A-Z a-z 0-9 _ . -
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let (lower, upper, digit) = (
            b.is_ascii_lowercase(),
            b.is_ascii_uppercase(),
            b.is_ascii_digit(),
        );
        let mut k = 0;
        if lower || digit || b == b'_' || b == b'-' {
            k |= C_NS;
        }
        if lower || upper || digit || b == b'_' {
            k |= C_START | C_SEG;
        }
        if b == b'.' || b == b'-' {
            k |= C_SEG;
        }
        t[c] = k;
        c += 1;
    }
    t
};

#[inline]
fn is_seg_start(b: u8) -> bool {
    CLASS[b as usize] & C_START != 0
}

#[inline]
fn is_seg_char(b: u8) -> bool {
    CLASS[b as usize] & C_SEG != 0
}

/// Validates `namespace ":"` at the start of `b`; returns the index after the colon.
#[inline]
fn namespace_end(b: &[u8]) -> Option<usize> {
    let first = *b.first()?;
    if !first.is_ascii_lowercase() {
        return None;
    }
    let mut i = 1;
    while i < b.len() && i <= 32 {
        let c = b[i];
        if c == b':' {
            return Some(i + 1);
        }
        if CLASS[c as usize] & C_NS == 0 {
            return None;
        }
        i += 1;
    }
    None
}

/// `segment *( ":" segment )` over the whole of `b`.
#[inline]
fn is_segments(b: &[u8]) -> bool {
    if b.is_empty() {
        return false;
    }
    let mut at_start = true;
    for &c in b {
        if at_start {
            if !is_seg_start(c) {
                return false;
            }
            at_start = false;
        } else if c == b':' {
            at_start = true;
        } else if !is_seg_char(c) {
            return false;
        }
    }
    !at_start
}

/// Classifies a pattern; `None` if it is not grammatical.
pub fn pattern_kind(p: &str) -> Option<PatternKind<'_>> {
    let b = p.as_bytes();
    if b.is_empty() || b.len() > MAX_TOKEN_BYTES {
        return None;
    }
    if p == "*" {
        return Some(PatternKind::Global);
    }
    if p == "help" {
        return Some(PatternKind::Exact(p));
    }
    let ns = namespace_end(b)?;
    let body = &b[ns..];
    if body == b"*" {
        return Some(PatternKind::Separator(&p[..ns]));
    }
    if let Some(stripped) = body.strip_suffix(b":*") {
        return is_segments(stripped).then(|| PatternKind::Separator(&p[..p.len() - 1]));
    }
    if let Some(stripped) = body.strip_suffix(b"*") {
        return is_segments(stripped).then(|| PatternKind::Partial(&p[..p.len() - 1]));
    }
    is_segments(body).then_some(PatternKind::Exact(p))
}

/// True iff `p` is a grammatical scope token / pattern.
pub fn is_valid_pattern(p: &str) -> bool {
    pattern_kind(p).is_some()
}

/// True iff `s` is a concrete scope (grammatical, no `*`).
#[inline]
pub fn is_concrete(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > MAX_TOKEN_BYTES {
        return false;
    }
    if s == "help" {
        return true;
    }
    match namespace_end(b) {
        Some(ns) => is_segments(&b[ns..]),
        None => false,
    }
}

#[inline]
fn kind_matches(kind: PatternKind<'_>, s: &str) -> bool {
    match kind {
        PatternKind::Global => true,
        PatternKind::Exact(e) => s == e,
        PatternKind::Separator(p) => s.len() > p.len() && s.starts_with(p),
        PatternKind::Partial(p) => {
            s.len() > p.len() && s.starts_with(p) && !s.as_bytes()[p.len()..].contains(&b':')
        }
    }
}

/// `allows(pattern, required)`: does one pattern grant one required scope? An invalid pattern
/// grants nothing; an invalid (non-concrete) required scope is denied.
pub fn allows(pattern: &str, required: &str) -> bool {
    if !is_concrete(required) {
        return false;
    }
    match pattern_kind(pattern) {
        Some(k) => kind_matches(k, required),
        None => false,
    }
}

/// `covers(parent_patterns, child_pattern)`: true iff one parent pattern matches every concrete
/// scope the child pattern can match. Invalid patterns never cover and are never covered.
pub fn covers<S: AsRef<str>>(parents: &[S], child: &str) -> bool {
    let Some(c) = pattern_kind(child) else {
        return false;
    };
    parents
        .iter()
        .any(|p| pattern_kind(p.as_ref()).is_some_and(|pk| kind_covers(pk, c)))
}

/// `covers` for lists: each child is covered by a single parent (never by a union).
pub fn covers_all<S: AsRef<str>, T: AsRef<str>>(parents: &[S], children: &[T]) -> bool {
    children.iter().all(|c| covers(parents, c.as_ref()))
}

fn kind_covers(p: PatternKind<'_>, c: PatternKind<'_>) -> bool {
    use PatternKind::*;
    match (p, c) {
        (Global, _) => true,
        (Exact(e), Exact(x)) => e == x,
        (Exact(_), _) => false,
        (Separator(_) | Partial(_), Exact(x)) => kind_matches(p, x),
        (Separator(pp), Separator(q) | Partial(q)) => q.starts_with(pp),
        (Separator(_), Global) => false,
        (Partial(pp), Partial(q)) => q.starts_with(pp) && !q.as_bytes()[pp.len()..].contains(&b':'),
        (Partial(_), Separator(_) | Global) => false,
    }
}

/// Parses a whole scope claim into its tokens; `INVALID_SCOPE` unless it is valid (§4 grammar).
pub fn parse_scopes(claim: &str) -> Result<Vec<String>> {
    scope_claim_tokens(claim)
        .map(|v| v.into_iter().map(str::to_string).collect())
        .ok_or_else(|| Error::new(ErrorCode::InvalidScope, "invalid scope claim"))
}

/// The tokens of a valid scope claim, borrowed; `None` if the claim is invalid.
pub fn scope_claim_tokens(claim: &str) -> Option<Vec<&str>> {
    if claim.is_empty() || claim.len() > MAX_CLAIM_BYTES {
        return None;
    }
    let mut out = Vec::new();
    for t in claim.split(' ') {
        if out.len() == MAX_TOKENS || !is_valid_pattern(t) {
            return None;
        }
        out.push(t);
    }
    Some(out)
}

/// True iff `claim` is a valid scope claim (the rule of [`scope_claim_tokens`], without
/// collecting the tokens).
pub fn is_valid_scope(claim: &str) -> bool {
    if claim.is_empty() || claim.len() > MAX_CLAIM_BYTES {
        return false;
    }
    let mut n = 0;
    for t in claim.as_bytes().split(|&c| c == b' ') {
        n += 1;
        if n > MAX_TOKENS || !is_valid_pattern_bytes(t) {
            return false;
        }
    }
    true
}

/// [`is_valid_pattern`] over bytes (the same rule as [`pattern_kind`]).
fn is_valid_pattern_bytes(b: &[u8]) -> bool {
    if b.is_empty() || b.len() > MAX_TOKEN_BYTES {
        return false;
    }
    if b == b"*" || b == b"help" {
        return true;
    }
    let Some(ns) = namespace_end(b) else {
        return false;
    };
    let body = &b[ns..];
    if body == b"*" {
        return true;
    }
    let body = body
        .strip_suffix(b":*")
        .or_else(|| body.strip_suffix(b"*"))
        .unwrap_or(body);
    is_segments(body)
}

/// ATI-compatible: true iff some entry of `granted` allows `required` (invalid entries grant
/// nothing, the others still apply).
pub fn check_scope<S: AsRef<str>>(required: &str, granted: &[S]) -> bool {
    is_concrete(required) && granted.iter().any(|g| allows(g.as_ref(), required))
}

/// ATI-compatible: `matches_wildcard(name, pattern)` = `allows(pattern, name)`.
pub fn matches_wildcard(name: &str, pattern: &str) -> bool {
    allows(pattern, name)
}

/// ATI-compatible scope string builder: tools, then skills, then extra; `tool:`/`skill:`
/// prefixes added unless present; the result must be a valid claim (`VALIDATION_ERROR`).
pub fn build_scope_string<A: AsRef<str>, B: AsRef<str>, C: AsRef<str>>(
    tools: &[A],
    skills: &[B],
    extra: &[C],
) -> Result<String> {
    let mut parts: Vec<String> = Vec::with_capacity(tools.len() + skills.len() + extra.len());
    for t in tools {
        let t = t.as_ref();
        parts.push(if t.starts_with("tool:") {
            t.to_string()
        } else {
            format!("tool:{t}")
        });
    }
    for s in skills {
        let s = s.as_ref();
        parts.push(if s.starts_with("skill:") {
            s.to_string()
        } else {
            format!("skill:{s}")
        });
    }
    for e in extra {
        parts.push(e.as_ref().to_string());
    }
    let joined = parts.join(" ");
    if !is_valid_scope(&joined) {
        return Err(Error::validation(
            "build_scope_string: the result is not a valid scope claim (empty, ungrammatical item, non-ASCII, >64 tokens or a token >256 bytes)",
        ));
    }
    Ok(joined)
}

/// A compiled set of scope patterns, built once and queried on hot paths.
#[derive(Clone, Debug)]
pub struct ScopeSet {
    patterns: Vec<String>,
    global: bool,
    exact: HashSet<Box<str>>,
    /// (prefix, partial?) for the wildcard patterns.
    prefixes: Vec<(Box<str>, bool)>,
}

impl ScopeSet {
    /// Compiles a list of patterns. Strict form: `INVALID_SCOPE` for an ungrammatical pattern,
    /// `VALIDATION_ERROR` for more than 64 patterns.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<ScopeSet> {
        if patterns.len() > MAX_TOKENS {
            return Err(Error::validation(format!(
                "a scope list holds at most {MAX_TOKENS} patterns"
            )));
        }
        for p in patterns {
            if !is_valid_pattern(p.as_ref()) {
                return Err(Error::new(ErrorCode::InvalidScope, "invalid scope pattern"));
            }
        }
        Ok(ScopeSet::lenient(patterns))
    }

    /// Compiles a list where invalid entries are kept in `patterns()` but grant nothing (the
    /// `check_scope` semantics).
    pub fn lenient<S: AsRef<str>>(patterns: &[S]) -> ScopeSet {
        let mut set = ScopeSet {
            patterns: Vec::with_capacity(patterns.len()),
            global: false,
            exact: HashSet::new(),
            prefixes: Vec::new(),
        };
        for p in patterns {
            let p = p.as_ref();
            set.patterns.push(p.to_string());
            match pattern_kind(p) {
                Some(PatternKind::Global) => set.global = true,
                Some(PatternKind::Exact(e)) => {
                    set.exact.insert(e.into());
                }
                Some(PatternKind::Separator(q)) => set.prefixes.push((q.into(), false)),
                Some(PatternKind::Partial(q)) => set.prefixes.push((q.into(), true)),
                None => {}
            }
        }
        set
    }

    /// Parses a scope claim (space-separated) into a set; `INVALID_SCOPE` if invalid.
    pub fn from_claim(claim: &str) -> Result<ScopeSet> {
        let toks = scope_claim_tokens(claim)
            .ok_or_else(|| Error::new(ErrorCode::InvalidScope, "invalid scope claim"))?;
        Ok(ScopeSet::lenient(&toks))
    }

    /// True iff some pattern allows the concrete scope `required`.
    #[inline]
    pub fn allows(&self, required: &str) -> bool {
        if !is_concrete(required) {
            return false;
        }
        if self.global || self.exact.contains(required) {
            return true;
        }
        let rb = required.as_bytes();
        self.prefixes.iter().any(|(p, partial)| {
            rb.len() > p.len()
                && rb.starts_with(p.as_bytes())
                && (!*partial || !rb[p.len()..].contains(&b':'))
        })
    }

    /// `covers(self.patterns(), pattern)`.
    pub fn covers(&self, pattern: &str) -> bool {
        covers(&self.patterns, pattern)
    }

    /// The patterns, in the order given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Number of patterns.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// True when there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        for ok in [
            "*",
            "help",
            "tool:a",
            "tool:*",
            "tool:a:*",
            "tool:a*",
            "skill:research-*",
            "a-b_c:X.y-z",
        ] {
            assert!(is_valid_pattern(ok), "{ok}");
        }
        for bad in [
            "", "Tool:a", "tool:", "tool::a", "tool:a:", "tool:*a", "tool:a**", "tool:-a",
            " tool:a", "tool:a b", "tool:é", "**",
        ] {
            assert!(!is_valid_pattern(bad), "{bad}");
        }
        assert!(!is_concrete("tool:*"));
        assert!(is_concrete("help"));
    }

    #[test]
    fn matching() {
        assert!(allows("tool:github:*", "tool:github:search:x"));
        assert!(!allows("tool:github:*", "tool:github:"));
        assert!(allows("skill:research-*", "skill:research-web"));
        assert!(!allows("skill:research-*", "skill:research-web:x"));
        assert!(!allows("tool:a", "tool:a\0"));
        let s = ScopeSet::lenient(&["tool:a", "bad pattern", "tool:b:*"]);
        assert!(s.allows("tool:a") && s.allows("tool:b:c") && !s.allows("tool:c"));
    }

    #[test]
    fn coverage() {
        assert!(covers(&["tool:*"], "tool:a:*"));
        assert!(covers(&["tool:a*"], "tool:ab*"));
        assert!(!covers(&["tool:a*"], "tool:a:*"));
        assert!(!covers(&["tool:a:*", "tool:b:*"], "*"));
        assert!(!covers(&["tool:a"], "tool:a*"));
    }
}

#[cfg(test)]
mod fast_validation_tests {
    use super::*;

    /// The allocation-free `is_valid_scope` / byte validator agree with `scope_claim_tokens` /
    /// `pattern_kind` on every string over an alphabet that hits each grammar rule.
    #[test]
    fn fast_validators_agree_with_the_parser() {
        let alphabet: &[&str] = &[
            "a", "Z", "0", "_", "-", ".", ":", "*", " ", "tool", "help", "é", "\u{0}", "skill:",
            ":*",
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 9) as usize;
            let mut s = String::new();
            let mut y = x;
            for _ in 0..len {
                s.push_str(alphabet[(y % alphabet.len() as u64) as usize]);
                y /= alphabet.len() as u64;
                if y == 0 {
                    y = x.rotate_left(17);
                }
            }
            assert_eq!(
                is_valid_scope(&s),
                scope_claim_tokens(&s).is_some(),
                "{s:?}"
            );
            assert_eq!(
                is_valid_pattern_bytes(s.as_bytes()),
                pattern_kind(&s).is_some(),
                "{s:?}"
            );
        }
        let long = vec!["tool:a"; MAX_TOKENS + 1].join(" ");
        assert!(!is_valid_scope(&long));
        assert!(is_valid_scope(&long[..long.len() - 7]));
    }
}
