//! KV storage (SEMANTICS-messaging §10): the [`KvStore`] trait a gateway backend implements
//! (three atomic primitives on stored keys, every call told the time) and [`MemoryKvStore`], the
//! in-memory backend of the embedded mode and of the tests.
//!
//! Revisions come from one counter that only increases, so a key's every write gets a larger
//! revision than any earlier write of it, across deletes and expiry. An entry exists while
//! `now_ms < expires_at_ms`; expired entries are absent everywhere.

use crate::error::Result;
use std::collections::BTreeMap;
use std::ops::Bound;

/// A stored entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvEntry {
    /// The value bytes (may be empty).
    pub value: Vec<u8>,
    /// The revision of the write that produced it.
    pub revision: u64,
    /// Expiry (unix ms), `None` = never.
    pub expires_at_ms: Option<i64>,
}

impl KvEntry {
    /// True while the entry exists at `now_ms`.
    pub fn live_at(&self, now_ms: i64) -> bool {
        self.expires_at_ms.is_none_or(|e| now_ms < e)
    }
}

/// What an atomic update does with a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvWrite {
    /// Leave the key as it is.
    Keep,
    /// Write a value (a new revision) with an expiry.
    Put {
        /// The new value.
        value: Vec<u8>,
        /// Expiry (unix ms), `None` = never.
        expires_at_ms: Option<i64>,
    },
    /// Remove the key.
    Delete,
}

/// One page of a listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KvStoredPage {
    /// `(stored key, revision)` in byte order of keys.
    pub entries: Vec<(String, u64)>,
    /// True iff more matching keys follow.
    pub more: bool,
}

/// A KV backend. Each method is atomic and linearizable per key.
pub trait KvStore {
    /// The live entry of `stored_key` at `now_ms`.
    fn get(&self, stored_key: &str, now_ms: i64) -> Result<Option<KvEntry>>;

    /// Atomic read-modify-write: `decide` sees the live entry (`None` if missing or expired) and
    /// returns what to do; an `Err` from it aborts without writing. Returns the new revision
    /// for [`KvWrite::Put`], else `None`.
    fn update(
        &mut self,
        stored_key: &str,
        now_ms: i64,
        decide: &mut dyn FnMut(Option<&KvEntry>) -> Result<KvWrite>,
    ) -> Result<Option<u64>>;

    /// Live keys starting with `prefix` and greater than `after` (if any), in byte order, at most
    /// `limit` of them.
    fn list(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
        now_ms: i64,
    ) -> Result<KvStoredPage>;
}

/// The in-memory backend: an ordered map and a revision counter.
#[derive(Clone, Debug, Default)]
pub struct MemoryKvStore {
    entries: BTreeMap<String, KvEntry>,
    last_revision: u64,
}

impl MemoryKvStore {
    /// An empty store.
    pub fn new() -> MemoryKvStore {
        MemoryKvStore::default()
    }

    /// Drops entries expired at `now_ms` (they are already invisible).
    pub fn purge_expired(&mut self, now_ms: i64) {
        self.entries.retain(|_, e| e.live_at(now_ms));
    }

    /// Stored entries, expired ones included (for diagnostics).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True iff nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl KvStore for MemoryKvStore {
    fn get(&self, stored_key: &str, now_ms: i64) -> Result<Option<KvEntry>> {
        Ok(self
            .entries
            .get(stored_key)
            .filter(|e| e.live_at(now_ms))
            .cloned())
    }

    fn update(
        &mut self,
        stored_key: &str,
        now_ms: i64,
        decide: &mut dyn FnMut(Option<&KvEntry>) -> Result<KvWrite>,
    ) -> Result<Option<u64>> {
        let current = self.entries.get(stored_key).filter(|e| e.live_at(now_ms));
        match decide(current)? {
            KvWrite::Keep => Ok(None),
            KvWrite::Delete => {
                self.entries.remove(stored_key);
                Ok(None)
            }
            KvWrite::Put {
                value,
                expires_at_ms,
            } => {
                self.last_revision = self.last_revision.saturating_add(1);
                let revision = self.last_revision;
                self.entries.insert(
                    stored_key.to_string(),
                    KvEntry {
                        value,
                        revision,
                        expires_at_ms,
                    },
                );
                Ok(Some(revision))
            }
        }
    }

    fn list(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
        now_ms: i64,
    ) -> Result<KvStoredPage> {
        let start = match after {
            Some(a) if a >= prefix => Bound::Excluded(a.to_string()),
            _ => Bound::Included(prefix.to_string()),
        };
        let mut page = KvStoredPage::default();
        let live = self
            .entries
            .range((start, Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(_, e)| e.live_at(now_ms));
        for (k, e) in live {
            if page.entries.len() == limit {
                page.more = true;
                break;
            }
            page.entries.push((k.clone(), e.revision));
        }
        Ok(page)
    }
}
