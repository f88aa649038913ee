//! The gateway's stores behind the core `Store` trait: SQLite (embedded default: one file, WAL,
//! migrations at start) and PostgreSQL. Both hold the engine journal, the metadata table and the
//! audit log (written with the journal entry that produced each event, in the same transaction),
//! so the engine keeps only the newest audit events in memory.

use crate::segment;
use std::sync::Mutex;
use warden_core::engine::{AuditRecord, JournalEntry, Store};

/// Audit events per workspace the engine keeps in memory by default (older ones are read from
/// the store).
pub const DEFAULT_AUDIT_MEMORY: usize = 1_000;
use warden_core::{Error, ErrorCode, Result};

/// A core store the gateway can also wipe (test mode only).
pub trait GatewayStore: Store {
    /// Deletes everything (test mode `reset`).
    fn wipe(&self) -> Result<()>;
    /// Human-readable kind (`sqlite:<path>`, `postgres`).
    fn describe(&self) -> String;
}

fn store_err(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::GuardianUnavailable, format!("store: {e}"))
}

/// SQLite: WAL journal mode, `synchronous=NORMAL` — a committed transaction survives a crash of
/// the process (the kill -9 test), and with `--sqlite-sync full` a power loss too.
pub struct SqliteStore {
    conn: Mutex<rusqlite::Connection>,
    path: String,
    audit_memory: usize,
    /// Set by the checkpointer: the WAL is long, checkpoint on the writer after the next commit.
    reset_wanted: std::sync::Arc<std::sync::atomic::AtomicBool>,
    _checkpointer: Checkpointer,
    /// `<db>.lock`, locked for the store's lifetime: one gateway process per database file.
    _owner: std::fs::File,
}

/// The background checkpointer: its own connection, a PASSIVE checkpoint (which never blocks
/// the writer) every [`CHECKPOINT_EVERY`]; stops when the store is dropped.
///
/// A PASSIVE checkpoint copies the WAL into the database but cannot *reset* the WAL while the
/// writer keeps appending, so under sustained load the WAL would grow without bound. When it
/// passes [`WAL_RESET_FRAMES`], the checkpointer asks the writer to run one checkpoint itself
/// after its next commit: by then nearly every frame is already copied, so that checkpoint is
/// short, and the writer's next transaction starts the WAL over.
struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(100);

/// WAL size (frames of 4 KiB: 64 MiB) past which the writer checkpoints and resets it.
const WAL_RESET_FRAMES: i64 = 16_384;

/// `PRAGMA wal_checkpoint(PASSIVE)` → (busy, frames in the WAL, frames copied).
fn checkpoint(conn: &rusqlite::Connection) -> Option<(i64, i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .ok()
}

impl Checkpointer {
    fn start(
        path: &str,
        flags: rusqlite::OpenFlags,
        reset_wanted: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> Result<Checkpointer> {
        let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(store_err)?;
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("warden-checkpoint".into())
            .spawn(move || {
                let run = || {
                    if let Some((_, frames, _)) = checkpoint(&conn) {
                        if frames > WAL_RESET_FRAMES {
                            reset_wanted.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                };
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    rx.recv_timeout(CHECKPOINT_EVERY)
                {
                    run();
                }
                run();
            })
            .map_err(store_err)?;
        Ok(Checkpointer {
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

const SQLITE_MIGRATIONS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, op TEXT NOT NULL, args TEXT NOT NULL)",
    "ALTER TABLE journal ADD COLUMN actor TEXT",
    "CREATE TABLE IF NOT EXISTS audit (workspace TEXT NOT NULL, seq INTEGER NOT NULL, line TEXT NOT NULL, PRIMARY KEY (workspace, seq)) WITHOUT ROWID",
    // One row per commit round (`segment.rs`); `journal` and `audit` keep older rows and the
    // audit records written outside a round (replay backfill).
    "CREATE TABLE IF NOT EXISTS segments (id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, data BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS audit_segments (workspace TEXT NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, segment INTEGER NOT NULL, PRIMARY KEY (workspace, first_seq)) WITHOUT ROWID",
];

/// Audit events read per step of a scan (bounded memory for any chain length).
const SCAN_WINDOW: i64 = 2_000;

impl SqliteStore {
    /// Opens (creating if needed) the database file and runs the migrations.
    pub fn open(path: &str, full_sync: bool, audit_memory: usize) -> Result<SqliteStore> {
        // One writer per file: a second gateway on the same database would interleave journal
        // entries. The lock is released by the OS when the process ends, however it ends.
        let lock_path = format!("{path}.lock");
        let owner = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| store_err(format!("{lock_path}: {e}")))?;
        if owner.try_lock().is_err() {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("the database {path} is in use by another warden-gateway process"),
            ));
        }
        // Our own mutex serialises every use of the connection, so SQLite's is not needed.
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX
            | rusqlite::OpenFlags::SQLITE_OPEN_URI;
        let conn = rusqlite::Connection::open_with_flags(path, flags).map_err(store_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(store_err)?;
        conn.pragma_update(
            None,
            "synchronous",
            if full_sync { "FULL" } else { "NORMAL" },
        )
        .map_err(store_err)?;
        conn.pragma_update(None, "busy_timeout", 5000)
            .map_err(store_err)?;
        // Checkpoints (copying the WAL into the database file, with an fsync) run on a thread
        // of their own, off the commit path: a commit only appends to the WAL.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(store_err)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(store_err)?;
        for (i, m) in SQLITE_MIGRATIONS.iter().enumerate().skip(version as usize) {
            conn.execute_batch(m).map_err(store_err)?;
            conn.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(store_err)?;
        }
        // A WAL that was long gets cut back to this size when it starts over.
        conn.pragma_update(None, "journal_size_limit", WAL_RESET_FRAMES * 4096)
            .map_err(store_err)?;
        let reset_wanted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let checkpointer = Checkpointer::start(path, flags, reset_wanted.clone())?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path: path.to_string(),
            audit_memory,
            reset_wanted,
            _checkpointer: checkpointer,
            _owner: owner,
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, rusqlite::Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Store for SqliteStore {
    fn meta_get(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(store_err)
    }

    fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        self.conn()
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(|_| ())
            .map_err(store_err)
    }

    fn load(&self, f: &mut dyn FnMut(JournalEntry) -> Result<()>) -> Result<()> {
        let conn = self.conn();
        // Rows written before segments existed come first (their seqs are lower).
        let mut stmt = conn
            .prepare("SELECT seq, at_ms, op, args, actor FROM journal ORDER BY seq")
            .map_err(store_err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(JournalEntry::new(
                    r.get(0)?,
                    r.get(1)?,
                    &r.get::<_, String>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                ))
            })
            .map_err(store_err)?;
        for row in rows {
            f(row.map_err(store_err)?)?;
        }
        let mut stmt = conn
            .prepare("SELECT data FROM segments ORDER BY first_seq")
            .map_err(store_err)?;
        let mut rows = stmt.query([]).map_err(store_err)?;
        while let Some(r) = rows.next().map_err(store_err)? {
            let data = r
                .get_ref(0)
                .map_err(store_err)?
                .as_blob()
                .map_err(store_err)?;
            for mut e in
                segment::decode(data).ok_or_else(|| store_err("corrupt journal segment"))?
            {
                e.audit.clear();
                f(e)?;
            }
        }
        Ok(())
    }

    fn append_batch(&self, entries: &[JournalEntry]) -> Result<()> {
        self.insert_batch(entries).map_err(store_err)
    }

    fn append(&self, e: &JournalEntry) -> Result<()> {
        self.insert_batch(std::slice::from_ref(e))
            .map_err(store_err)
    }

    fn audit_memory(&self) -> Option<usize> {
        Some(self.audit_memory)
    }

    fn audit_scan(
        &self,
        workspace: &str,
        from_seq: i64,
        to_seq: i64,
        f: &mut dyn FnMut(i64, &str) -> Result<bool>,
    ) -> Result<()> {
        // Window by window: the rows of `audit` and the events of the segments that overlap
        // the window, merged in seq order.
        let mut lo = from_seq;
        while lo <= to_seq {
            let hi = to_seq.min(lo.saturating_add(SCAN_WINDOW - 1));
            let mut window = std::collections::BTreeMap::new();
            {
                let conn = self.conn();
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT seq, line FROM audit WHERE workspace = ?1 AND seq >= ?2 AND seq <= ?3",
                    )
                    .map_err(store_err)?;
                let mut rows = stmt
                    .query(rusqlite::params![workspace, lo, hi])
                    .map_err(store_err)?;
                while let Some(r) = rows.next().map_err(store_err)? {
                    window.insert(
                        r.get::<_, i64>(0).map_err(store_err)?,
                        r.get::<_, String>(1).map_err(store_err)?,
                    );
                }
                let mut stmt = conn
                    .prepare_cached(
                        "SELECT s.data FROM audit_segments a JOIN segments s ON s.id = a.segment \
                         WHERE a.workspace = ?1 AND a.last_seq >= ?2 AND a.first_seq <= ?3",
                    )
                    .map_err(store_err)?;
                let mut rows = stmt
                    .query(rusqlite::params![workspace, lo, hi])
                    .map_err(store_err)?;
                while let Some(r) = rows.next().map_err(store_err)? {
                    let data = r
                        .get_ref(0)
                        .map_err(store_err)?
                        .as_blob()
                        .map_err(store_err)?;
                    let entries = segment::decode(data)
                        .ok_or_else(|| store_err("corrupt journal segment"))?;
                    for a in entries.into_iter().flat_map(|e| e.audit) {
                        if a.workspace == workspace && (lo..=hi).contains(&a.seq) {
                            window.insert(a.seq, a.line);
                        }
                    }
                }
            }
            for (seq, line) in &window {
                if !f(*seq, line)? {
                    return Ok(());
                }
            }
            lo = hi + 1;
        }
        Ok(())
    }

    fn audit_tails(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT workspace, MAX(seq) FROM (SELECT workspace, seq FROM audit \
                 UNION ALL SELECT workspace, last_seq FROM audit_segments) GROUP BY workspace",
            )
            .map_err(store_err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(store_err)?;
        rows.map(|r| r.map_err(store_err)).collect()
    }

    fn audit_backfill(&self, records: &[AuditRecord]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(store_err)?;
        insert_audit(&tx, records).map_err(store_err)?;
        tx.commit().map_err(store_err)
    }
}

fn insert_audit(tx: &rusqlite::Transaction<'_>, records: &[AuditRecord]) -> rusqlite::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO audit (workspace, seq, line) VALUES (?1, ?2, ?3)",
    )?;
    for r in records {
        stmt.execute(rusqlite::params![r.workspace, r.seq, r.line])?;
    }
    Ok(())
}

impl SqliteStore {
    /// One commit round: the batch as one segment row, plus one index row per workspace whose
    /// chain it extends.
    fn insert_batch(&self, entries: &[JournalEntry]) -> rusqlite::Result<()> {
        let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
            return Ok(());
        };
        let data = segment::encode(entries);
        // Per workspace, the audit seqs of one batch are consecutive.
        let mut ranges: Vec<(&str, i64, i64)> = Vec::new();
        for a in entries.iter().flat_map(|e| &e.audit) {
            match ranges.iter_mut().find(|r| r.0 == a.workspace) {
                Some(r) => {
                    r.1 = r.1.min(a.seq);
                    r.2 = r.2.max(a.seq);
                }
                None => ranges.push((&a.workspace, a.seq, a.seq)),
            }
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO segments (first_seq, last_seq, data) VALUES (?1, ?2, ?3)",
            )?;
            stmt.execute(rusqlite::params![first.seq, last.seq, data])?;
            let id = tx.last_insert_rowid();
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO audit_segments (workspace, first_seq, last_seq, segment) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (ws, lo, hi) in ranges {
                stmt.execute(rusqlite::params![ws, lo, hi, id])?;
            }
        }
        tx.commit()?;
        if self
            .reset_wanted
            .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            // Busy (the background checkpoint is running): ask again next time.
            if checkpoint(&conn).is_none_or(|(busy, _, _)| busy != 0) {
                self.reset_wanted
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
        Ok(())
    }
}

impl GatewayStore for SqliteStore {
    fn wipe(&self) -> Result<()> {
        self.conn()
            .execute_batch(
                "DELETE FROM journal; DELETE FROM meta; DELETE FROM audit; DELETE FROM segments; DELETE FROM audit_segments;",
            )
            .map_err(store_err)
    }
    fn describe(&self) -> String {
        format!("sqlite:{}", self.path)
    }
}

/// PostgreSQL. The synchronous `postgres` client runs its own small runtime, which must not be
/// driven from an async worker, so it lives on a dedicated thread and every call is a message to
/// it. An append is one INSERT in autocommit mode: it returns after the commit is durable (server
/// default `synchronous_commit = on`).
pub struct PgStore {
    tx: Mutex<std::sync::mpsc::Sender<Job>>,
    audit_memory: usize,
}

type Job = Box<dyn FnOnce(&mut postgres::Client) + Send>;

const PG_MIGRATIONS: &str = "
CREATE TABLE IF NOT EXISTS warden_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS warden_journal (seq BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL, op TEXT NOT NULL, args TEXT NOT NULL);
ALTER TABLE warden_journal ADD COLUMN IF NOT EXISTS actor TEXT;
CREATE TABLE IF NOT EXISTS warden_audit (workspace TEXT NOT NULL, seq BIGINT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (workspace, seq));
";

const PG_INSERT_AUDIT: &str = "INSERT INTO warden_audit (workspace, seq, line) VALUES ($1, $2, $3) ON CONFLICT (workspace, seq) DO UPDATE SET line = EXCLUDED.line";

fn pg_insert_audit(
    tx: &mut postgres::Transaction<'_>,
    records: &[AuditRecord],
) -> std::result::Result<(), postgres::Error> {
    if records.is_empty() {
        return Ok(());
    }
    let stmt = tx.prepare(PG_INSERT_AUDIT)?;
    for r in records {
        tx.execute(&stmt, &[&r.workspace, &r.seq, &r.line])?;
    }
    Ok(())
}

impl PgStore {
    /// Connects (`postgres://user:pass@host:port/db`) and runs the migrations.
    pub fn connect(url: &str, audit_memory: usize) -> Result<PgStore> {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<()>>();
        let url = url.to_string();
        std::thread::Builder::new()
            .name("warden-pg".into())
            .spawn(move || {
                let mut client = match postgres::Client::connect(&url, postgres::NoTls)
                    .and_then(|mut c| c.batch_execute(PG_MIGRATIONS).map(|_| c))
                {
                    Ok(c) => {
                        let _ = ready_tx.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(store_err(e)));
                        return;
                    }
                };
                for job in rx {
                    job(&mut client);
                }
            })
            .map_err(store_err)?;
        ready_rx.recv().map_err(store_err)??;
        Ok(PgStore {
            tx: Mutex::new(tx),
            audit_memory,
        })
    }

    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> std::result::Result<T, postgres::Error>
            + Send
            + 'static,
    ) -> Result<T> {
        let (rtx, rrx) = std::sync::mpsc::sync_channel(1);
        self.tx
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(Box::new(move |c: &mut postgres::Client| {
                let _ = rtx.send(f(c));
            }))
            .map_err(|_| store_err("the PostgreSQL worker stopped"))?;
        rrx.recv()
            .map_err(|_| store_err("the PostgreSQL worker stopped"))?
            .map_err(store_err)
    }
}

impl Store for PgStore {
    fn meta_get(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_string();
        self.run(move |c| {
            c.query_opt("SELECT value FROM warden_meta WHERE key = $1", &[&key])
                .map(|r| r.map(|r| r.get(0)))
        })
    }

    fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_string(), value.to_string());
        self.run(move |c| {
            c.execute(
                "INSERT INTO warden_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&key, &value],
            )
            .map(|_| ())
        })
    }

    fn load(&self, f: &mut dyn FnMut(JournalEntry) -> Result<()>) -> Result<()> {
        let rows = self.run(|c| {
            c.query(
                "SELECT seq, at_ms, op, args, actor FROM warden_journal ORDER BY seq",
                &[],
            )
            .map(|rows| {
                rows.into_iter()
                    .map(|r| {
                        JournalEntry::new(
                            r.get(0),
                            r.get(1),
                            r.get::<_, &str>(2),
                            r.get(3),
                            r.get(4),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })?;
        rows.into_iter().try_for_each(f)
    }

    fn append_batch(&self, entries: &[JournalEntry]) -> Result<()> {
        let entries = entries.to_vec();
        self.run(move |c| {
            let mut tx = c.transaction()?;
            let stmt = tx.prepare(
                "INSERT INTO warden_journal (seq, at_ms, op, args, actor) VALUES ($1, $2, $3, $4, $5)",
            )?;
            for e in &entries {
                tx.execute(&stmt, &[&e.seq, &e.at_ms, &e.op, &e.args, &e.actor])?;
                pg_insert_audit(&mut tx, &e.audit)?;
            }
            tx.commit()
        })
    }

    fn append(&self, e: &JournalEntry) -> Result<()> {
        self.append_batch(std::slice::from_ref(e))
    }

    fn audit_memory(&self) -> Option<usize> {
        Some(self.audit_memory)
    }

    fn audit_scan(
        &self,
        workspace: &str,
        from_seq: i64,
        to_seq: i64,
        f: &mut dyn FnMut(i64, &str) -> Result<bool>,
    ) -> Result<()> {
        // In pages, so a long chain is never held in memory at once.
        const PAGE: i64 = 5_000;
        let mut from = from_seq;
        while from <= to_seq {
            let (ws, upto) = (workspace.to_string(), to_seq.min(from + PAGE - 1));
            let rows: Vec<(i64, String)> = self.run(move |c| {
                c.query(
                    "SELECT seq, line FROM warden_audit WHERE workspace = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
                    &[&ws, &from, &upto],
                )
                .map(|rows| rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
            })?;
            for (seq, line) in &rows {
                if !f(*seq, line)? {
                    return Ok(());
                }
            }
            from = upto + 1;
        }
        Ok(())
    }

    fn audit_tails(&self) -> Result<Vec<(String, i64)>> {
        self.run(|c| {
            c.query(
                "SELECT workspace, MAX(seq) FROM warden_audit GROUP BY workspace",
                &[],
            )
            .map(|rows| rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
        })
    }

    fn audit_backfill(&self, records: &[AuditRecord]) -> Result<()> {
        let records = records.to_vec();
        self.run(move |c| {
            let mut tx = c.transaction()?;
            pg_insert_audit(&mut tx, &records)?;
            tx.commit()
        })
    }
}

impl GatewayStore for PgStore {
    fn wipe(&self) -> Result<()> {
        self.run(|c| {
            c.batch_execute(
                "DELETE FROM warden_journal; DELETE FROM warden_meta; DELETE FROM warden_audit;",
            )
        })
    }
    fn describe(&self) -> String {
        "postgres".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database written before segments existed: its journal and audit rows are read first,
    /// then the segments written since, in one seq order.
    #[test]
    fn rows_from_before_segments_then_segments() {
        let dir = std::env::temp_dir().join(format!("warden-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.db");
        let path = path.to_str().unwrap();
        let store = SqliteStore::open(path, false, 10).unwrap();
        {
            let conn = store.conn();
            conn.execute(
                "INSERT INTO journal (seq, at_ms, op, args, actor) VALUES (1, 5, 'create_agent', '{}', NULL)",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO audit (workspace, seq, line) VALUES ('default', 1, 'one')",
                [],
            )
            .unwrap();
        }
        let mut e = JournalEntry::new(2, 6, "check", "{\"a\":1}".into(), Some("key_x".into()));
        e.audit.push(AuditRecord {
            workspace: "default".into(),
            seq: 2,
            line: "two".into(),
        });
        store.append_batch(&[e]).unwrap();
        drop(store);
        let store = SqliteStore::open(path, false, 10).unwrap();
        let mut seen = Vec::new();
        store
            .load(&mut |e| {
                seen.push((e.seq, e.op.clone(), e.actor.clone(), e.audit.len()));
                Ok(())
            })
            .unwrap();
        assert_eq!(
            seen,
            vec![
                (1, "create_agent".to_string(), None, 0),
                (2, "check".to_string(), Some("key_x".to_string()), 0)
            ]
        );
        let mut lines = Vec::new();
        store
            .audit_scan("default", 1, 10, &mut |s, l| {
                lines.push((s, l.to_string()));
                Ok(true)
            })
            .unwrap();
        assert_eq!(lines, vec![(1, "one".into()), (2, "two".into())]);
        assert_eq!(
            store.audit_tails().unwrap(),
            vec![("default".to_string(), 2)]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
