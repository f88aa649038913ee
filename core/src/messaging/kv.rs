//! The KV operations of SEMANTICS-messaging §10 over any [`KvStore`], with an injectable clock.
//! Every call takes a resolved [`KvNamespace`] (see [`super::kv_namespace::kv_namespace`]) and a
//! key relative to it; keys are checked before values. Counters are ASCII decimal i64 values.

use super::kv_namespace::{validate_kv_key, validate_kv_value, KvNamespace, MAX_KV_KEY_BYTES};
use super::kv_store::{KvEntry, KvStore, KvWrite};
use crate::engine::Clock;
use crate::error::{Error, ErrorCode, Result};
use std::sync::Arc;

/// Largest `limit` of `kv_list`.
pub const MAX_KV_LIST_LIMIT: usize = 1000;

/// A value read by `kv_get`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvValue {
    /// The bytes.
    pub value: Vec<u8>,
    /// Its revision.
    pub revision: u64,
}

/// One listed key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvListEntry {
    /// The key, relative to the namespace.
    pub key: String,
    /// Its revision.
    pub revision: u64,
}

/// A page of `kv_list`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvListPage {
    /// Keys in byte order.
    pub entries: Vec<KvListEntry>,
    /// Opaque position after the last key when more follow.
    pub next_cursor: Option<String>,
}

/// KV over a store and a clock.
pub struct Kv<S: KvStore> {
    store: S,
    clock: Arc<dyn Clock>,
}

impl<S: KvStore + std::fmt::Debug> std::fmt::Debug for Kv<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kv")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

fn validation(reason: &'static str, message: &str) -> Error {
    Error::with_reason(ErrorCode::ValidationError, reason, message.to_string())
}

fn expiry(now_ms: i64, ttl_seconds: u64) -> Option<i64> {
    (ttl_seconds > 0).then(|| {
        let ms = i64::try_from(ttl_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        now_ms.saturating_add(ms)
    })
}

fn counter_value(e: Option<&KvEntry>) -> Result<i64> {
    let Some(e) = e else { return Ok(0) };
    let b = e.value.as_slice();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(validation(
            "not_a_counter",
            "the value is not an ASCII decimal integer",
        ));
    }
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| validation("counter_overflow", "the value does not fit in i64"))
}

fn overflow() -> Error {
    validation("counter_overflow", "the counter would overflow i64")
}

fn hex_encode(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn hex_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if b.len() % 2 != 0 || b.len() > 2 * MAX_KV_KEY_BYTES {
        return None;
    }
    let nib = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let bytes: Option<Vec<u8>> = b
        .chunks(2)
        .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
        .collect();
    String::from_utf8(bytes?).ok()
}

impl<S: KvStore> Kv<S> {
    /// KV over `store`, reading time from `clock`.
    pub fn new(store: S, clock: Arc<dyn Clock>) -> Kv<S> {
        Kv { store, clock }
    }

    /// The backend.
    pub fn store(&self) -> &S {
        &self.store
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// `kv_get(key)` → value and revision; `NOT_FOUND` when missing.
    pub fn kv_get(&self, ns: &KvNamespace, key: &str) -> Result<KvValue> {
        let k = ns.full_key(key)?;
        match self.store.get(&k, self.now())? {
            Some(e) => Ok(KvValue {
                value: e.value,
                revision: e.revision,
            }),
            None => Err(Error::new(ErrorCode::NotFound, "no such key")),
        }
    }

    /// `kv_put(key, value, ttl_seconds=0)` → revision; a put without TTL clears an earlier one.
    pub fn kv_put(
        &mut self,
        ns: &KvNamespace,
        key: &str,
        value: &[u8],
        ttl_seconds: u64,
    ) -> Result<u64> {
        let k = ns.full_key(key)?;
        validate_kv_value(value)?;
        let now = self.now();
        let exp = expiry(now, ttl_seconds);
        let rev = self.store.update(&k, now, &mut |_| {
            Ok(KvWrite::Put {
                value: value.to_vec(),
                expires_at_ms: exp,
            })
        })?;
        rev.ok_or_else(|| Error::internal("store did not report a revision"))
    }

    /// `kv_delete(key)` → whether it existed.
    pub fn kv_delete(&mut self, ns: &KvNamespace, key: &str) -> Result<bool> {
        let k = ns.full_key(key)?;
        let mut existed = false;
        self.store.update(&k, self.now(), &mut |cur| {
            existed = cur.is_some();
            Ok(if existed {
                KvWrite::Delete
            } else {
                KvWrite::Keep
            })
        })?;
        Ok(existed)
    }

    /// `kv_list(prefix="", limit=100, cursor=None)`: keys (no values) in byte order.
    pub fn kv_list(
        &self,
        ns: &KvNamespace,
        prefix: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<KvListPage> {
        if !(1..=MAX_KV_LIST_LIMIT).contains(&limit) {
            return Err(validation("invalid_limit", "limit is 1-1000"));
        }
        if !prefix.is_empty() {
            validate_kv_key(prefix)?;
        }
        let after = match cursor {
            None => None,
            Some(c) => Some(ns.join(
                &hex_decode(c).ok_or_else(|| validation("invalid_cursor", "malformed cursor"))?,
            )),
        };
        let page = self
            .store
            .list(&ns.join(prefix), after.as_deref(), limit, self.now())?;
        let skip = ns.namespace.len() + 1;
        let entries: Vec<KvListEntry> = page
            .entries
            .into_iter()
            .map(|(k, revision)| KvListEntry {
                key: k.get(skip..).unwrap_or_default().to_string(),
                revision,
            })
            .collect();
        let next_cursor = if page.more {
            entries.last().map(|e| hex_encode(&e.key))
        } else {
            None
        };
        Ok(KvListPage {
            entries,
            next_cursor,
        })
    }

    fn add(&mut self, ns: &KvNamespace, key: &str, delta: i64, ttl_seconds: u64) -> Result<i64> {
        let k = ns.full_key(key)?;
        let now = self.now();
        let mut result = 0;
        self.store.update(&k, now, &mut |cur| {
            let v = counter_value(cur)?
                .checked_add(delta)
                .ok_or_else(overflow)?;
            result = v;
            Ok(KvWrite::Put {
                value: v.to_string().into_bytes(),
                expires_at_ms: match cur {
                    Some(e) => e.expires_at_ms,
                    None => expiry(now, ttl_seconds),
                },
            })
        })?;
        Ok(result)
    }

    /// `kv_increment(key, delta=1, ttl_seconds=0)` → new value; missing = 0; TTL applies only
    /// when the call creates the key.
    pub fn kv_increment(
        &mut self,
        ns: &KvNamespace,
        key: &str,
        delta: i64,
        ttl_seconds: u64,
    ) -> Result<i64> {
        self.add(ns, key, delta, ttl_seconds)
    }

    /// `kv_decrement(key, delta=1)` → new value.
    pub fn kv_decrement(&mut self, ns: &KvNamespace, key: &str, delta: i64) -> Result<i64> {
        let neg = delta.checked_neg().ok_or_else(overflow)?;
        self.add(ns, key, neg, 0)
    }

    fn guarded(
        &mut self,
        ns: &KvNamespace,
        key: &str,
        delta: i64,
        apply: impl Fn(i64) -> Option<i64>,
    ) -> Result<(i64, bool)> {
        let k = ns.full_key(key)?;
        if delta < 1 {
            return Err(validation("invalid_delta", "delta must be at least 1"));
        }
        let mut result = (0, false);
        self.store.update(&k, self.now(), &mut |cur| {
            let v = counter_value(cur)?;
            match apply(v) {
                Some(n) => {
                    result = (n, true);
                    Ok(KvWrite::Put {
                        value: n.to_string().into_bytes(),
                        expires_at_ms: cur.and_then(|e| e.expires_at_ms),
                    })
                }
                None => {
                    result = (v, false);
                    Ok(KvWrite::Keep)
                }
            }
        })?;
        Ok(result)
    }

    /// `kv_increment_if(key, delta, ceiling)` → `(value, applied)`: applies iff
    /// `current + delta ≤ ceiling`; `delta ≥ 1`.
    pub fn kv_increment_if(
        &mut self,
        ns: &KvNamespace,
        key: &str,
        delta: i64,
        ceiling: i64,
    ) -> Result<(i64, bool)> {
        self.guarded(ns, key, delta, |v| {
            v.checked_add(delta).filter(|n| *n <= ceiling)
        })
    }

    /// `kv_decrement_if(key, delta, floor)` → `(value, applied)`: applies iff
    /// `current − delta ≥ floor`; `delta ≥ 1`.
    pub fn kv_decrement_if(
        &mut self,
        ns: &KvNamespace,
        key: &str,
        delta: i64,
        floor: i64,
    ) -> Result<(i64, bool)> {
        self.guarded(ns, key, delta, |v| {
            v.checked_sub(delta).filter(|n| *n >= floor)
        })
    }

    /// `kv_set_if_absent(key, value, ttl_seconds=0)` → `(applied, revision)`.
    pub fn kv_set_if_absent(
        &mut self,
        ns: &KvNamespace,
        key: &str,
        value: &[u8],
        ttl_seconds: u64,
    ) -> Result<(bool, u64)> {
        let k = ns.full_key(key)?;
        validate_kv_value(value)?;
        let now = self.now();
        let mut existing = None;
        let rev = self.store.update(&k, now, &mut |cur| match cur {
            Some(e) => {
                existing = Some(e.revision);
                Ok(KvWrite::Keep)
            }
            None => Ok(KvWrite::Put {
                value: value.to_vec(),
                expires_at_ms: expiry(now, ttl_seconds),
            }),
        })?;
        match (existing, rev) {
            (Some(r), _) => Ok((false, r)),
            (None, Some(r)) => Ok((true, r)),
            (None, None) => Err(Error::internal("store did not report a revision")),
        }
    }

    /// `kv_compare_and_set(key, value, expected_revision, ttl_seconds=0)` → revision; applies
    /// iff the current revision is `expected_revision` (0 = absent), else `CONFLICT`.
    pub fn kv_compare_and_set(
        &mut self,
        ns: &KvNamespace,
        key: &str,
        value: &[u8],
        expected_revision: u64,
        ttl_seconds: u64,
    ) -> Result<u64> {
        let k = ns.full_key(key)?;
        validate_kv_value(value)?;
        let now = self.now();
        let rev = self.store.update(&k, now, &mut |cur| {
            if cur.map_or(0, |e| e.revision) != expected_revision {
                return Err(Error::new(ErrorCode::Conflict, "revision mismatch"));
            }
            Ok(KvWrite::Put {
                value: value.to_vec(),
                expires_at_ms: expiry(now, ttl_seconds),
            })
        })?;
        rev.ok_or_else(|| Error::internal("store did not report a revision"))
    }

    /// `kv_compare_and_delete(key, expected_revision)` → true; `NOT_FOUND` when missing,
    /// `CONFLICT` on a revision mismatch.
    pub fn kv_compare_and_delete(
        &mut self,
        ns: &KvNamespace,
        key: &str,
        expected_revision: u64,
    ) -> Result<bool> {
        let k = ns.full_key(key)?;
        self.store.update(&k, self.now(), &mut |cur| match cur {
            None => Err(Error::new(ErrorCode::NotFound, "no such key")),
            Some(e) if e.revision != expected_revision => {
                Err(Error::new(ErrorCode::Conflict, "revision mismatch"))
            }
            Some(_) => Ok(KvWrite::Delete),
        })?;
        Ok(true)
    }
}
