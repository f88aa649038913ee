//! Durability (ARCHITECTURE layer 2): the engine keeps its state in memory and makes every
//! state-changing operation durable through a [`Store`] — a journal of operations, replayed in
//! order at start. The engine is deterministic given its seed, its configuration and the clock
//! reading of each operation (every journaled operation reads the clock once, pinned), so replay
//! rebuilds exactly the state, ids, keys, tokens and audit chain that were acknowledged.
//!
//! Core ships [`MemoryStore`]; the gateway adds SQLite and PostgreSQL stores behind this trait.

use crate::error::Result;
use std::sync::Mutex;

/// One journaled operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalEntry {
    /// 1-based position in the journal (no gaps).
    pub seq: i64,
    /// The clock reading the operation ran at (unix ms).
    pub at_ms: i64,
    /// The operation name (`Engine::call`).
    pub op: String,
    /// Its arguments as compact JSON text.
    pub args: String,
    /// Who it ran for (the gateway's API key id; `None` = `local`), recorded in audit events.
    pub actor: Option<String>,
}

/// A durable journal plus a small key/value area for engine metadata (seed, configuration).
pub trait Store: Send + Sync {
    /// A metadata value.
    fn meta_get(&self, key: &str) -> Result<Option<String>>;
    /// Sets a metadata value durably.
    fn meta_set(&self, key: &str, value: &str) -> Result<()>;
    /// Calls `f` with every entry in `seq` order.
    fn load(&self, f: &mut dyn FnMut(JournalEntry) -> Result<()>) -> Result<()>;
    /// Appends one entry; returns only once the entry survives a crash of this process.
    fn append(&self, entry: &JournalEntry) -> Result<()>;
    /// Appends consecutive entries atomically (all or none), durably (group commit).
    fn append_batch(&self, entries: &[JournalEntry]) -> Result<()> {
        entries.iter().try_for_each(|e| self.append(e))
    }
}

/// An in-memory store (tests; `Client.local()` uses no store at all).
#[derive(Debug, Default)]
pub struct MemoryStore {
    meta: Mutex<Vec<(String, String)>>,
    entries: Mutex<Vec<JournalEntry>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Number of journaled entries.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True when nothing is journaled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Store for MemoryStore {
    fn meta_get(&self, key: &str) -> Result<Option<String>> {
        let m = self.meta.lock().unwrap_or_else(|e| e.into_inner());
        Ok(m.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }

    fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        let mut m = self.meta.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|(k, _)| k != key);
        m.push((key.into(), value.into()));
        Ok(())
    }

    fn load(&self, f: &mut dyn FnMut(JournalEntry) -> Result<()>) -> Result<()> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        entries.into_iter().try_for_each(f)
    }

    fn append(&self, entry: &JournalEntry) -> Result<()> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry.clone());
        Ok(())
    }
}

/// Operations that never change engine state (not journaled).
pub const READ_ONLY_OPS: &[&str] = &[
    "get_agent",
    "list_agents",
    "get_session",
    "get_policy",
    "get_approval",
    "list_approvals",
    "wait_for_decision",
    "get_delegation",
    "list_delegations",
    "introspect_token",
    "query_audit",
    "verify_chain",
    "export_audit",
    "jwks",
];

/// True iff `op` may change state (and is therefore journaled).
pub fn is_write(op: &str) -> bool {
    !READ_ONLY_OPS.contains(&op)
}
