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
    /// The audit events the operation wrote, for a store that keeps the audit log
    /// ([`Store::audit_memory`]); empty otherwise, and when read back by [`Store::load`] (replay
    /// writes them again, identically).
    pub audit: Vec<AuditRecord>,
}

impl JournalEntry {
    /// An entry without audit records.
    pub fn new(
        seq: i64,
        at_ms: i64,
        op: &str,
        args: String,
        actor: Option<String>,
    ) -> JournalEntry {
        JournalEntry {
            seq,
            at_ms,
            op: op.to_string(),
            args,
            actor,
            audit: Vec::new(),
        }
    }
}

/// One audit event as a store keeps it: its workspace, its seq in that workspace's chain and its
/// export line (the JCS encoding with `hash`, SEMANTICS-engine §14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// The workspace (one chain each).
    pub workspace: String,
    /// The event's seq.
    pub seq: i64,
    /// The export line, without the newline.
    pub line: String,
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
    /// Appends consecutive entries atomically (all or none), durably (group commit), with
    /// their audit records when the store keeps the audit log.
    fn append_batch(&self, entries: &[JournalEntry]) -> Result<()> {
        entries.iter().try_for_each(|e| self.append(e))
    }

    /// `Some(n)` when this store keeps the audit log: every [`JournalEntry::audit`] record is
    /// written with its entry, and the engine holds only about the newest `n` events of each
    /// workspace in memory, reading older ones through [`Store::audit_scan`]. `None` (the
    /// default): the engine keeps every event in memory.
    fn audit_memory(&self) -> Option<usize> {
        None
    }

    /// Calls `f(seq, line)` for the stored events of `workspace` with `from_seq <= seq <= to_seq`,
    /// in seq order, until `f` returns false.
    fn audit_scan(
        &self,
        _workspace: &str,
        _from_seq: i64,
        _to_seq: i64,
        _f: &mut dyn FnMut(i64, &str) -> Result<bool>,
    ) -> Result<()> {
        Ok(())
    }

    /// The highest stored seq of each workspace's chain (at start: replay writes the events a
    /// store lacks, e.g. a database from before the audit table existed).
    fn audit_tails(&self) -> Result<Vec<(String, i64)>> {
        Ok(Vec::new())
    }

    /// Writes audit records outside a journal entry (the replay backfill above).
    fn audit_backfill(&self, _records: &[AuditRecord]) -> Result<()> {
        Ok(())
    }
}

/// An in-memory store (tests; `Client.local()` uses no store at all).
#[derive(Debug, Default)]
pub struct MemoryStore {
    meta: Mutex<Vec<(String, String)>>,
    entries: Mutex<Vec<JournalEntry>>,
    /// `Some` when it keeps the audit log (tests of the engine's bounded memory).
    audit_memory: Option<usize>,
    audit: Mutex<std::collections::BTreeMap<(String, i64), String>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// An empty store that keeps the audit log, the engine holding at most about `events` per
    /// workspace in memory.
    pub fn with_audit(events: usize) -> MemoryStore {
        MemoryStore {
            audit_memory: Some(events),
            ..MemoryStore::default()
        }
    }

    fn put_audit(&self, records: &[AuditRecord]) {
        if self.audit_memory.is_some() {
            let mut a = self.audit.lock().unwrap_or_else(|e| e.into_inner());
            for r in records {
                a.insert((r.workspace.clone(), r.seq), r.line.clone());
            }
        }
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
        let mut e = entry.clone();
        self.put_audit(&e.audit);
        e.audit.clear();
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(e);
        Ok(())
    }

    fn audit_memory(&self) -> Option<usize> {
        self.audit_memory
    }

    fn audit_scan(
        &self,
        workspace: &str,
        from_seq: i64,
        to_seq: i64,
        f: &mut dyn FnMut(i64, &str) -> Result<bool>,
    ) -> Result<()> {
        if from_seq > to_seq {
            return Ok(());
        }
        let rows: Vec<(i64, String)> = self
            .audit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .range((workspace.to_string(), from_seq)..=(workspace.to_string(), to_seq))
            .map(|((_, s), l)| (*s, l.clone()))
            .collect();
        for (seq, line) in rows {
            if !f(seq, &line)? {
                break;
            }
        }
        Ok(())
    }

    fn audit_tails(&self) -> Result<Vec<(String, i64)>> {
        let a = self.audit.lock().unwrap_or_else(|e| e.into_inner());
        let mut tails: Vec<(String, i64)> = Vec::new();
        for (ws, seq) in a.keys() {
            match tails.last_mut() {
                Some((w, s)) if w == ws => *s = (*s).max(*seq),
                _ => tails.push((ws.clone(), *seq)),
            }
        }
        Ok(tails)
    }

    fn audit_backfill(&self, records: &[AuditRecord]) -> Result<()> {
        self.put_audit(records);
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
