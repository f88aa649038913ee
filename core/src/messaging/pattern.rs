//! Identity patterns (SEMANTICS-messaging §3): what a credential or a grant may stand for.
//!
//! A pattern is `*` (any identity), or an identity shape whose variable parts are literals or a
//! whole-segment `*`, with the same part count. Pooled tasks match in claim form
//! `ta::{ws}::{impl}` (their `{id}` is ignored). A malformed pattern matches nothing.

use super::identity::{parse_claim, parse_identity, Identity, SEPARATOR};
use super::segment::is_valid_segment;

/// True iff `pattern` matches `identity` (a canonical identity or a claim).
/// Invalid identities and malformed patterns never match.
pub fn match_identity_pattern(pattern: &str, identity: &str) -> bool {
    match parse_identity(identity).or_else(|_| parse_claim(identity)) {
        Ok(id) => pattern_matches(pattern, &id),
        Err(_) => false,
    }
}

/// [`match_identity_pattern`] against an already parsed identity.
pub fn pattern_matches(pattern: &str, identity: &Identity) -> bool {
    if pattern == "*" {
        return true;
    }
    let form = identity.claim_form();
    let want: Vec<&str> = form.split(SEPARATOR).collect();
    let pat: Vec<&str> = pattern.split(SEPARATOR).collect();
    if pat.len() != want.len() || pat[0] != want[0] {
        return false;
    }
    pat[1..]
        .iter()
        .zip(&want[1..])
        .all(|(p, w)| *p == "*" || (is_valid_segment(p.as_bytes()) && p == w))
}

/// True iff `pattern` is well-formed (§3): `*`, or a claim shape whose variable parts are valid
/// segments or `*`. Useful to refuse bad patterns when credentials and grants are stored.
pub fn is_valid_identity_pattern(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    // Substitute a valid literal for every `*` and require the result to parse as a claim.
    let probe: Vec<&str> = pattern
        .split(SEPARATOR)
        .enumerate()
        .map(|(i, p)| if i > 0 && p == "*" { "x" } else { p })
        .collect();
    parse_claim(&probe.join(SEPARATOR)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert!(match_identity_pattern(
            "ta::ws::*",
            "ta::ws::p::01J9Z3K4Q5R6S7T8V9W0XYZABC"
        ));
        assert!(!match_identity_pattern("*", "not an identity"));
        assert!(!match_identity_pattern("ag::a*::*::*", "ag::a*::x::y"));
        assert!(is_valid_identity_pattern("us::*::*"));
        assert!(!is_valid_identity_pattern("ta::ws::proc::id"));
        assert!(!is_valid_identity_pattern("ag::pro*::*::*"));
    }
}
