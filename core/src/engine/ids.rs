//! Server-assigned IDs (SEMANTICS-engine §0): prefix + 26-character upper-case Crockford ULID from
//! one monotonic generator per engine (within a millisecond the random part is incremented).

use crate::error::{Error, ErrorCode, Result};

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// ID prefixes.
pub mod prefix {
    /// Agents.
    pub const AGENT: &str = "agt_";
    /// Sessions.
    pub const SESSION: &str = "ses_";
    /// Decisions.
    pub const CHECK: &str = "chk_";
    /// Approvals.
    pub const APPROVAL: &str = "apr_";
    /// Delegations.
    pub const DELEGATION: &str = "dlg_";
    /// Audit events.
    pub const EVENT: &str = "evt_";
    /// Token ids.
    pub const TOKEN: &str = "tok_";
}

/// A monotonic ULID generator with an injectable 80-bit randomness source (seeded for vectors).
#[derive(Debug)]
pub struct UlidGen {
    last_ms: u64,
    last_rand: u128,
    rng: SplitMix,
}

/// A small deterministic PRNG (SplitMix64) for reproducible IDs in tests; production seeds it
/// from the OS.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }
    /// Seeded from the OS.
    pub fn from_os() -> SplitMix {
        let mut b = [0u8; 8];
        let _ = getrandom::getrandom(&mut b);
        SplitMix(u64::from_le_bytes(b))
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

impl UlidGen {
    /// A generator over a randomness source.
    pub fn new(rng: SplitMix) -> UlidGen {
        UlidGen {
            last_ms: 0,
            last_rand: 0,
            rng,
        }
    }

    /// The next ULID for time `ms` (unix milliseconds).
    pub fn next(&mut self, ms: u64) -> String {
        let rand = if ms == self.last_ms && self.last_ms != 0 {
            (self.last_rand + 1) & ((1u128 << 80) - 1)
        } else {
            ((self.rng.next_u64() as u128) << 16 | (self.rng.next_u64() as u128 & 0xffff))
                & ((1u128 << 80) - 1)
        };
        self.last_ms = ms;
        self.last_rand = rand;
        let v: u128 = ((ms as u128 & ((1u128 << 48) - 1)) << 80) | rand;
        let mut out = String::with_capacity(30);
        self.write(v, &mut out);
        out
    }

    fn write(&self, v: u128, out: &mut String) {
        for i in 0..26 {
            let shift = 5 * (25 - i);
            out.push(CROCKFORD[((v >> shift) & 31) as usize] as char);
        }
    }

    /// A prefixed ID.
    pub fn id(&mut self, prefix: &str, ms: u64) -> String {
        let ulid = self.next(ms);
        let mut out = String::with_capacity(prefix.len() + 26);
        out.push_str(prefix);
        out.push_str(&ulid);
        out
    }
}

/// True iff `s` is `prefix` + a 26-character upper-case Crockford ULID whose first character is
/// `0`–`7`.
pub fn is_valid_id(s: &str, prefix: &str) -> bool {
    let Some(u) = s.strip_prefix(prefix) else {
        return false;
    };
    let b = u.as_bytes();
    b.len() == 26
        && (b'0'..=b'7').contains(&b[0])
        && b.iter().all(|&c| {
            c.is_ascii_digit()
                || (c.is_ascii_uppercase() && !matches!(c, b'I' | b'L' | b'O' | b'U'))
        })
}

/// `VALIDATION_ERROR` / `invalid_id` unless `s` is a well-formed ID with `prefix`.
pub fn check_id(s: &str, prefix: &str, what: &str) -> Result<()> {
    if is_valid_id(s, prefix) {
        Ok(())
    } else {
        Err(Error::with_reason(
            ErrorCode::ValidationError,
            "invalid_id",
            format!("{what} is not a well-formed {prefix}… id"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn monotonic_and_valid() {
        let mut g = UlidGen::new(SplitMix::new(1));
        let a = g.id(prefix::AGENT, 1_767_225_600_000);
        let b = g.id(prefix::AGENT, 1_767_225_600_000);
        let c = g.id(prefix::AGENT, 1_767_225_600_001);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert!(is_valid_id(&a, prefix::AGENT) && !is_valid_id(&a.to_lowercase(), prefix::AGENT));
        assert!(!is_valid_id(
            "agt_8ZZZZZZZZZZZZZZZZZZZZZZZZZ",
            prefix::AGENT
        ));
    }
}
