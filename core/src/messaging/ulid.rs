//! Monotonic ULIDs (§1.1, §6.3): 48-bit unix milliseconds + 80 random bits, 26 upper-case
//! Crockford base32 characters. Ids minted by one generator increase strictly: within one
//! millisecond (or if the clock steps back) the previous id is incremented (no new randomness).

use crate::error::{Error, Result};

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A monotonic ULID generator.
#[derive(Clone, Debug, Default)]
pub struct UlidGen {
    last: u128,
}

impl UlidGen {
    /// A fresh generator.
    pub fn new() -> UlidGen {
        UlidGen::default()
    }

    /// The next id at `now_ms` (clamped to 48 bits); `INTERNAL` without OS randomness.
    pub fn next(&mut self, now_ms: i64) -> Result<String> {
        let ms = (now_ms.max(0) as u128).min((1u128 << 48) - 1);
        if self.last != 0 && ms <= self.last >> 80 {
            // The same millisecond (or the clock stepped back): the increment, no randomness
            // needed (and no system call).
            self.last = self.last.wrapping_add(1);
            return Ok(encode(self.last));
        }
        let mut r = [0u8; 10];
        getrandom::getrandom(&mut r).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
        let mut rand = 0u128;
        for b in r {
            rand = (rand << 8) | b as u128;
        }
        let candidate = (ms << 80) | rand;
        let v = if candidate > self.last {
            candidate
        } else {
            self.last.wrapping_add(1)
        };
        self.last = v;
        Ok(encode(v))
    }
}

/// The 26-character Crockford base32 form of a 128-bit value.
pub fn encode(v: u128) -> String {
    let mut out = [0u8; 26];
    for (i, c) in out.iter_mut().enumerate() {
        let shift = 125 - 5 * i as i32;
        let idx = if shift >= 0 {
            (v >> shift) & 31
        } else {
            (v << (-shift)) & 31
        };
        *c = CROCKFORD[idx as usize];
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The millisecond time part of a ULID string, if it is one.
pub fn time_ms(id: &str) -> Option<i64> {
    if id.len() != 26 {
        return None;
    }
    let mut v: u128 = 0;
    for b in id.bytes() {
        let d = CROCKFORD.iter().position(|c| *c == b)? as u128;
        v = (v << 5) | d;
    }
    Some((v >> 80) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotonic_and_timed() {
        let mut g = UlidGen::new();
        let a = g.next(1_700_000_000_000).unwrap();
        let b = g.next(1_700_000_000_000).unwrap();
        let c = g.next(1_600_000_000_000).unwrap();
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(a.len(), 26);
        assert_eq!(time_ms(&a), Some(1_700_000_000_000));
    }
}
