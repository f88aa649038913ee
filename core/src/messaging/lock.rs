//! The identity lock (SEMANTICS-messaging §7.2, §7.3) as a pure state machine: one live
//! connection per identity, TTL 30 s refreshed every 10 s, a holder is stale when less than
//! 15 s remain, resume tokens are single-use and stored only as SHA-256 hashes. Every operation
//! takes `now_ms` explicitly, so the same rules run over an in-process map or a NATS KV entry.

use crate::error::{Error, ErrorCode, Result};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Lock timings (§7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockConfig {
    /// Lifetime of a lock from its last acquire or refresh.
    pub ttl_ms: u64,
    /// A holder whose remaining TTL is below this is stale and may be taken over.
    pub stale_below_ms: u64,
}

impl Default for LockConfig {
    fn default() -> LockConfig {
        LockConfig {
            ttl_ms: 30_000,
            stale_below_ms: 15_000,
        }
    }
}

/// A fresh resume token: 256 random bits from the OS, as 64 lower-case hex characters
/// (§7.2 asks for at least 128). `INTERNAL` if the OS has no randomness.
pub fn generate_resume_token() -> Result<String> {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// The SHA-256 of a resume token, as stored.
pub fn hash_resume_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// One identity's lock entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockRecord {
    /// The holding connection.
    pub session_id: String,
    /// SHA-256 of the holder's current resume token.
    pub resume_token_hash: [u8; 32],
    /// The lock is absent once `now_ms >= expires_at_ms`.
    pub expires_at_ms: u64,
    /// When the first connection of this resume chain was made.
    pub initial_connection_ms: u64,
    /// Resumes since then.
    pub reconnection_count: u64,
}

impl LockRecord {
    /// A record holding the hash of `resume_token`.
    pub fn new(
        session_id: impl Into<String>,
        resume_token: &str,
        expires_at_ms: u64,
        initial_connection_ms: u64,
        reconnection_count: u64,
    ) -> LockRecord {
        LockRecord {
            session_id: session_id.into(),
            resume_token_hash: hash_resume_token(resume_token),
            expires_at_ms,
            initial_connection_ms,
            reconnection_count,
        }
    }

    /// True iff `token` is the holder's resume token (constant-time on the hashes).
    pub fn token_matches(&self, token: &str) -> bool {
        bool::from(hash_resume_token(token).ct_eq(&self.resume_token_hash))
    }

    fn live(&self, now_ms: u64) -> bool {
        now_ms < self.expires_at_ms
    }
}

/// How an acquire succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcquireOutcome {
    /// No live holder: a fresh lock (count 0, initial = now).
    Acquired,
    /// The presented token was the holder's: counters kept, count + 1; the old connection is
    /// displaced (`bye{reason:"taken_over"}`).
    Resumed,
    /// The holder was stale: counters reset; the old connection is displaced.
    TakenOverStale,
}

impl AcquireOutcome {
    /// `acquired`, `resumed` or `taken_over_stale`.
    pub const fn as_str(self) -> &'static str {
        match self {
            AcquireOutcome::Acquired => "acquired",
            AcquireOutcome::Resumed => "resumed",
            AcquireOutcome::TakenOverStale => "taken_over_stale",
        }
    }
}

/// The lock of one identity: `None` when nobody holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdentityLock {
    /// The current entry (possibly expired: an expired entry counts as absent).
    pub record: Option<LockRecord>,
    /// Timings.
    pub config: LockConfig,
}

impl IdentityLock {
    /// A lock in the given state with default timings.
    pub fn new(record: Option<LockRecord>) -> IdentityLock {
        IdentityLock {
            record,
            config: LockConfig::default(),
        }
    }

    /// The live holder at `now_ms`, if any.
    pub fn holder(&self, now_ms: u64) -> Option<&LockRecord> {
        self.record.as_ref().filter(|r| r.live(now_ms))
    }

    /// Acquire (§7.2) by `session_id`, presenting `resume_token` (`None` or empty = none) and
    /// issuing `new_resume_token` on success. A live, non-stale holder whose token was not
    /// presented wins: `DUPLICATE_IDENTITY`, state unchanged.
    pub fn acquire(
        &mut self,
        now_ms: u64,
        session_id: &str,
        resume_token: Option<&str>,
        new_resume_token: &str,
    ) -> Result<AcquireOutcome> {
        let expires = now_ms.saturating_add(self.config.ttl_ms);
        let presented = resume_token.filter(|t| !t.is_empty());
        let (outcome, initial, count) = match self.holder(now_ms) {
            None => (AcquireOutcome::Acquired, now_ms, 0),
            Some(h) if presented.is_some_and(|t| h.token_matches(t)) => (
                AcquireOutcome::Resumed,
                h.initial_connection_ms,
                h.reconnection_count.saturating_add(1),
            ),
            Some(h) if h.expires_at_ms - now_ms < self.config.stale_below_ms => {
                (AcquireOutcome::TakenOverStale, now_ms, 0)
            }
            Some(_) => {
                return Err(Error::new(
                    ErrorCode::DuplicateIdentity,
                    "identity is held by a live connection",
                ))
            }
        };
        self.record = Some(LockRecord::new(
            session_id,
            new_resume_token,
            expires,
            initial,
            count,
        ));
        Ok(outcome)
    }

    /// Refresh by `session_id`: true (expiry = now + TTL) iff it is the live holder; false means
    /// the caller's connection must be closed.
    pub fn refresh(&mut self, now_ms: u64, session_id: &str) -> bool {
        let ttl = self.config.ttl_ms;
        match self.record.as_mut() {
            Some(r) if r.live(now_ms) && r.session_id == session_id => {
                r.expires_at_ms = now_ms.saturating_add(ttl);
                true
            }
            _ => false,
        }
    }

    /// Release by `session_id` on connection end: true (lock removed) iff it is the live holder;
    /// anyone else's release is a no-op.
    pub fn release(&mut self, now_ms: u64, session_id: &str) -> bool {
        if self
            .holder(now_ms)
            .is_some_and(|r| r.session_id == session_id)
        {
            self.record = None;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hashed_and_single_use() {
        let mut l = IdentityLock::default();
        assert_eq!(
            l.acquire(0, "S1", None, "R1").unwrap(),
            AcquireOutcome::Acquired
        );
        assert_ne!(l.record.as_ref().unwrap().resume_token_hash, [0; 32]);
        assert_eq!(
            l.acquire(1, "S2", Some("R1"), "R2").unwrap(),
            AcquireOutcome::Resumed
        );
        let e = l.acquire(2, "S3", Some("R1"), "R3").unwrap_err();
        assert_eq!(e.code(), ErrorCode::DuplicateIdentity);
        let t = generate_resume_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_ne!(t, generate_resume_token().unwrap());
    }
}
