//! The per-connection send rate limit (SEMANTICS-messaging §5.3, step 4 of §5.2): a token bucket,
//! `rate_per_s` sends per second with a `burst` capacity, full at connect, refilled continuously.
//! A refused send gets `retry_after_ms = ceil((1 − tokens) · 1000 / rate)` (Warden choice).
//! Arithmetic is exact: tokens are kept in thousandths, so refill per millisecond is `rate`.

use crate::error::{Error, ErrorCode, Result};

/// A token bucket with an injectable clock (every call takes `now_ms`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendRateLimiter {
    rate_per_s: u64,
    capacity_milli: u128,
    tokens_milli: u128,
    last_ms: i64,
}

impl SendRateLimiter {
    /// The default bucket: 100 sends/s, burst 200.
    pub fn default_at(now_ms: i64) -> SendRateLimiter {
        SendRateLimiter {
            rate_per_s: 100,
            capacity_milli: 200_000,
            tokens_milli: 200_000,
            last_ms: now_ms,
        }
    }

    /// A full bucket at `now_ms`; `VALIDATION_ERROR` for a zero rate or burst.
    pub fn new(rate_per_s: u64, burst: u64, now_ms: i64) -> Result<SendRateLimiter> {
        if rate_per_s == 0 || burst == 0 {
            return Err(Error::validation("rate_per_s and burst must be at least 1"));
        }
        let cap = burst as u128 * 1000;
        Ok(SendRateLimiter {
            rate_per_s,
            capacity_milli: cap,
            tokens_milli: cap,
            last_ms: now_ms,
        })
    }

    fn refill(&mut self, now_ms: i64) {
        if now_ms > self.last_ms {
            let elapsed = (now_ms as i128 - self.last_ms as i128) as u128;
            let add = elapsed.saturating_mul(self.rate_per_s as u128);
            self.tokens_milli = self
                .tokens_milli
                .saturating_add(add)
                .min(self.capacity_milli);
            self.last_ms = now_ms;
        }
    }

    /// Takes one token at `now_ms`; `RATE_LIMITED` with `retry_after_ms` in `details` when empty.
    pub fn try_take(&mut self, now_ms: i64) -> Result<()> {
        match self.take(now_ms) {
            None => Ok(()),
            Some(ms) => Err(Error::with_reason(
                ErrorCode::RateLimited,
                "send_rate",
                format!("send rate exceeded; retry after {ms} ms"),
            )
            .details(crate::json::Json::Obj(vec![(
                "retry_after_ms".into(),
                crate::json::Json::Int(ms.min(i64::MAX as u64) as i64),
            )]))),
        }
    }

    /// Takes one token at `now_ms`: `None` if taken, else `Some(retry_after_ms)`.
    pub fn take(&mut self, now_ms: i64) -> Option<u64> {
        self.refill(now_ms);
        if self.tokens_milli >= 1000 {
            self.tokens_milli -= 1000;
            return None;
        }
        let missing = 1000 - self.tokens_milli;
        let rate = self.rate_per_s as u128;
        Some(missing.div_ceil(rate).min(u64::MAX as u128) as u64)
    }
}
