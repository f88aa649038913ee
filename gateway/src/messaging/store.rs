//! The messaging SQLite file (`<db>.messaging.db`, WAL): durable inboxes with retention and
//! counted drops, send de-duplication, KV (a [`KvStore`] over SQLite) and checkpoints.
//! One connection behind a mutex; every write is one transaction, committed before the caller
//! replies (the durability rule of SEMANTICS-messaging §6.1).

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use warden_core::json::Json;
use warden_core::messaging::kv_store::{KvEntry, KvStore, KvStoredPage, KvWrite};
use warden_core::messaging::wire::Message;
use warden_core::{Error, Result};

/// How long a `(source, client_msg_id)` pair is remembered (§5.2 step 11).
pub const DEDUP_WINDOW_MS: i64 = 10 * 60 * 1000;

const MIGRATIONS: &[&str] = &[
    // v1
    "CREATE TABLE IF NOT EXISTS inbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        inbox TEXT NOT NULL,
        message_id TEXT NOT NULL,
        envelope TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        delivered INTEGER NOT NULL DEFAULT 0);
     CREATE INDEX IF NOT EXISTS inbox_by_inbox ON inbox(inbox, seq);
     CREATE INDEX IF NOT EXISTS inbox_by_id ON inbox(inbox, message_id);
     CREATE TABLE IF NOT EXISTS inbox_stats (
        inbox TEXT PRIMARY KEY,
        dropped INTEGER NOT NULL DEFAULT 0,
        dropped_live INTEGER NOT NULL DEFAULT 0);
     CREATE TABLE IF NOT EXISTS send_dedup (
        source TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        PRIMARY KEY (source, client_msg_id));
     CREATE INDEX IF NOT EXISTS send_dedup_by_time ON send_dedup(timestamp_ms);
     CREATE TABLE IF NOT EXISTS kv (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        revision INTEGER NOT NULL,
        expires_at_ms INTEGER);
     CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
     CREATE TABLE IF NOT EXISTS checkpoints (
        owner TEXT NOT NULL,
        key TEXT NOT NULL,
        data BLOB NOT NULL,
        saved_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER,
        PRIMARY KEY (owner, key));",
    // v2: task assignments share the inbox (kind 'a', never dropped by retention); tasks.
    "ALTER TABLE inbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'm';
     CREATE TABLE IF NOT EXISTS tasks (
        task_id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        status TEXT NOT NULL,
        mode TEXT NOT NULL,
        workspace TEXT NOT NULL,
        creator TEXT NOT NULL,
        assigned_to TEXT,
        target_agent_id TEXT,
        target_implementation TEXT,
        priority INTEGER NOT NULL);
     CREATE INDEX IF NOT EXISTS tasks_by_assignee ON tasks(assigned_to, status);
     CREATE INDEX IF NOT EXISTS tasks_by_status ON tasks(status, workspace);",
];

fn db_err(e: rusqlite::Error) -> Error {
    Error::internal(format!("messaging store: {e}"))
}

/// The path of the messaging file next to the gateway database: `warden.db` →
/// `warden.messaging.db`.
pub fn messaging_path(db: &str) -> String {
    match db.strip_suffix(".db") {
        Some(stem) => format!("{stem}.messaging.db"),
        None => format!("{db}.messaging.db"),
    }
}

/// Retention bounds of one inbox (§6.4).
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub max_messages: i64,
    pub max_age_ms: i64,
}

/// What an inbox row holds.
#[derive(Debug)]
pub enum Item {
    /// A message: its id, its `deliver` frame (compact JSON) and whether it was delivered
    /// before.
    Message {
        id: String,
        frame: String,
        redelivered: bool,
    },
    /// A task assignment (`assignment`): its id and the frame.
    Assignment(String, Json),
}

/// A row handed to a connection.
#[derive(Debug)]
pub struct Pending {
    pub seq: i64,
    pub item: Item,
}

/// What a durable append did.
#[derive(Debug, Default)]
pub struct Appended {
    pub dropped_overflow: u64,
    pub dropped_expired: u64,
}

/// One accepted send for [`MsgStore::store_sends`].
pub struct NewSend<'a> {
    /// The durable inbox it lands in; `None` for a live target (de-duplication only).
    pub inbox: Option<&'a str>,
    pub source: &'a str,
    pub client_msg_id: &'a str,
    pub message: &'a Message,
}

/// What [`MsgStore::store_sends`] did with one send.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    /// Stored as a new message.
    New,
    /// A repeat within the de-duplication window: the first send's `(message_id, timestamp_ms)`.
    Duplicate(String, i64),
}

/// The SQLite side of messaging.
pub struct MsgStore {
    pub(super) conn: Connection,
}

impl MsgStore {
    /// Opens (creating) the file and runs the migrations.
    pub fn open(path: &str) -> Result<MsgStore> {
        if let Some(dir) = Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Error::internal(format!("messaging store dir: {e}")))?;
            }
        }
        let conn = Connection::open(path).map_err(db_err)?;
        // The gateway is the file's only user (one connection; a second gateway on the same
        // database is refused by its lock file): EXCLUSIVE locking keeps the WAL index in
        // memory with no file-lock system calls per transaction (measured: ~8 fcntl calls per
        // transaction before; 16 KiB pages measured no gain and longer checkpoint stalls).
        conn.execute_batch(
            "PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; \
             PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        )
        .map_err(db_err)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db_err)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            conn.execute_batch(m).map_err(db_err)?;
            conn.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(db_err)?;
        }
        Ok(MsgStore { conn })
    }

    /// Stores a group of accepted sends in one transaction (group commit: one WAL commit for
    /// the group; committed when this returns, SEMANTICS-messaging §6.1). In order, each send
    /// is either a duplicate of a send of the same `(source, client_msg_id)` within the window
    /// (an earlier send of the same group included) or new: remembered for de-duplication and,
    /// for a durable target, appended to its inbox. Each touched inbox is then trimmed to its
    /// retention bounds, every drop counted in its stats.
    pub fn store_sends(
        &mut self,
        sends: &[NewSend<'_>],
        now_ms: i64,
        retention: Retention,
    ) -> Result<(Vec<Stored>, Appended)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let mut out = Vec::with_capacity(sends.len());
        let mut appended = Appended::default();
        // Inboxes appended to, with the newest timestamp appended (the expiry reference).
        let mut touched: Vec<(&str, i64)> = Vec::new();
        let mut forget = false;
        {
            let mut lookup = tx
                .prepare_cached(
                    "SELECT message_id, timestamp_ms FROM send_dedup WHERE source=?1 AND client_msg_id=?2 AND timestamp_ms > ?3",
                )
                .map_err(db_err)?;
            let mut remember = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO send_dedup(source, client_msg_id, message_id, timestamp_ms) VALUES (?1,?2,?3,?4)",
                )
                .map_err(db_err)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO inbox(inbox, message_id, envelope, created_ms) VALUES (?1,?2,?3,?4)",
                )
                .map_err(db_err)?;
            for s in sends {
                let m = s.message;
                let previous = lookup
                    .query_row(
                        params![s.source, s.client_msg_id, now_ms - DEDUP_WINDOW_MS],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(db_err)?;
                if let Some((id, ts)) = previous {
                    out.push(Stored::Duplicate(id, ts));
                    continue;
                }
                remember
                    .execute(params![
                        s.source,
                        s.client_msg_id,
                        m.message_id,
                        m.timestamp_ms
                    ])
                    .map_err(db_err)?;
                if let Some(inbox) = s.inbox {
                    insert
                        .execute(params![
                            inbox,
                            m.message_id,
                            m.envelope_json().to_compact(),
                            m.timestamp_ms
                        ])
                        .map_err(db_err)?;
                    match touched.iter_mut().find(|(i, _)| *i == inbox) {
                        Some(t) => t.1 = t.1.max(m.timestamp_ms),
                        None => touched.push((inbox, m.timestamp_ms)),
                    }
                }
                forget |= m.timestamp_ms % 64 == 0;
                out.push(Stored::New);
            }
        }
        for (inbox, newest_ms) in touched {
            let expired = tx
                .prepare_cached(
                    "DELETE FROM inbox WHERE inbox=?1 AND kind='m' AND created_ms <= ?2",
                )
                .map_err(db_err)?
                .execute(params![inbox, newest_ms - retention.max_age_ms])
                .map_err(db_err)? as u64;
            let count: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM inbox WHERE inbox=?1 AND kind='m'")
                .map_err(db_err)?
                .query_row(params![inbox], |r| r.get(0))
                .map_err(db_err)?;
            let mut overflow = 0;
            if count > retention.max_messages {
                overflow = tx
                    .prepare_cached(
                        "DELETE FROM inbox WHERE seq IN (SELECT seq FROM inbox WHERE inbox=?1 AND kind='m' ORDER BY seq LIMIT ?2)",
                    )
                    .map_err(db_err)?
                    .execute(params![inbox, count - retention.max_messages])
                    .map_err(db_err)? as u64;
            }
            if expired + overflow > 0 {
                tx.prepare_cached(
                    "INSERT INTO inbox_stats(inbox, dropped) VALUES (?1, ?2)
                     ON CONFLICT(inbox) DO UPDATE SET dropped = dropped + ?2",
                )
                .map_err(db_err)?
                .execute(params![inbox, (expired + overflow) as i64])
                .map_err(db_err)?;
            }
            appended.dropped_expired += expired;
            appended.dropped_overflow += overflow;
        }
        // Forget sends older than the de-duplication window now and then.
        if forget {
            tx.prepare_cached("DELETE FROM send_dedup WHERE timestamp_ms <= ?1")
                .map_err(db_err)?
                .execute(params![now_ms - DEDUP_WINDOW_MS])
                .map_err(db_err)?;
        }
        tx.commit().map_err(db_err)?;
        Ok((out, appended))
    }

    /// Drops expired messages of `inbox` (counted); returns how many.
    pub fn expire(&mut self, inbox: &str, now_ms: i64, retention: Retention) -> Result<u64> {
        let n = self
            .conn
            .execute(
                "DELETE FROM inbox WHERE inbox=?1 AND kind='m' AND created_ms <= ?2",
                params![inbox, now_ms - retention.max_age_ms],
            )
            .map_err(db_err)? as u64;
        if n > 0 {
            self.conn
                .execute(
                    "INSERT INTO inbox_stats(inbox, dropped) VALUES (?1, ?2)
                     ON CONFLICT(inbox) DO UPDATE SET dropped = dropped + ?2",
                    params![inbox, n as i64],
                )
                .map_err(db_err)?;
        }
        Ok(n)
    }

    /// Counts a live copy dropped for `inbox`'s holder (full live buffer).
    pub fn count_live_drop(&mut self, inbox: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO inbox_stats(inbox, dropped_live) VALUES (?1, 1)
                 ON CONFLICT(inbox) DO UPDATE SET dropped_live = dropped_live + 1",
                params![inbox],
            )
            .map_err(db_err)
            .map(|_| ())
    }

    /// `(pending, dropped, dropped_live)` of `inbox`; resets the drop counts when `reset`.
    pub fn report(&mut self, inbox: &str, reset: bool) -> Result<(i64, i64, i64)> {
        let pending: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM inbox WHERE inbox=?1 AND kind='m'",
                params![inbox],
                |r| r.get(0),
            )
            .map_err(db_err)?;
        let (d, dl): (i64, i64) = self
            .conn
            .query_row(
                "SELECT dropped, dropped_live FROM inbox_stats WHERE inbox=?1",
                params![inbox],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_err)?
            .unwrap_or((0, 0));
        if reset && (d != 0 || dl != 0) {
            self.conn
                .execute(
                    "UPDATE inbox_stats SET dropped=0, dropped_live=0 WHERE inbox=?1",
                    params![inbox],
                )
                .map_err(db_err)?;
        }
        Ok((pending, d, dl))
    }

    /// Up to `limit` messages of `inbox` after `after_seq`, in order, marked delivered
    /// (`redelivered` = delivered before).
    pub fn take(&mut self, inbox: &str, after_seq: i64, limit: usize) -> Result<Vec<Pending>> {
        let tx = self.conn.transaction().map_err(db_err)?;
        let rows = take_rows(&tx, inbox, after_seq, limit)?;
        tx.commit().map_err(db_err)?;
        pending_items(rows)
    }

    /// Acknowledges deliveries of `inbox` by id (unknown ids are ignored) and, when `limit` >
    /// 0, takes the next messages after `after_seq` as [`MsgStore::take`] does, in one
    /// transaction. Returns how many messages were removed, the frames of the acknowledged
    /// assignments and the messages taken.
    pub fn ack_and_take(
        &mut self,
        inbox: &str,
        ids: &[String],
        after_seq: i64,
        limit: usize,
    ) -> Result<(usize, Vec<Json>, Vec<Pending>)> {
        let tx = self.conn.transaction().map_err(db_err)?;
        let mut n = 0;
        let mut assignments = Vec::new();
        {
            let mut find = tx
                .prepare_cached("SELECT kind, envelope FROM inbox WHERE inbox=?1 AND message_id=?2")
                .map_err(db_err)?;
            let mut del = tx
                .prepare_cached("DELETE FROM inbox WHERE inbox=?1 AND message_id=?2")
                .map_err(db_err)?;
            for id in ids {
                let row: Option<(String, String)> = find
                    .query_row(params![inbox, id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
                    .map_err(db_err)?;
                match row {
                    None => continue,
                    Some((k, env)) if k == "a" => {
                        if let Ok(v) = Json::parse(&env) {
                            assignments.push(v);
                        }
                    }
                    Some(_) => n += 1,
                }
                del.execute(params![inbox, id]).map_err(db_err)?;
            }
        }
        let rows = if limit > 0 {
            take_rows(&tx, inbox, after_seq, limit)?
        } else {
            Vec::new()
        };
        tx.commit().map_err(db_err)?;
        Ok((n, assignments, pending_items(rows)?))
    }

    /// Total messages waiting in every inbox (the depth gauge).
    pub fn total_depth(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM inbox WHERE kind='m'", [], |r| {
                r.get(0)
            })
            .map_err(db_err)
    }

    /// The KV view of this store.
    pub fn kv(&mut self) -> SqliteKv<'_> {
        SqliteKv {
            conn: &mut self.conn,
        }
    }

    /// Saves a checkpoint (overwrites).
    pub fn checkpoint_save(
        &mut self,
        owner: &str,
        key: &str,
        data: &[u8],
        now_ms: i64,
        expires_at_ms: Option<i64>,
        max_keys: i64,
    ) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        tx.execute(
            "DELETE FROM checkpoints WHERE owner=?1 AND expires_at_ms IS NOT NULL AND expires_at_ms <= ?2",
            params![owner, now_ms],
        )
        .map_err(db_err)?;
        let exists: bool = tx
            .query_row(
                "SELECT 1 FROM checkpoints WHERE owner=?1 AND key=?2",
                params![owner, key],
                |_| Ok(true),
            )
            .optional()
            .map_err(db_err)?
            .unwrap_or(false);
        if !exists {
            let n: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM checkpoints WHERE owner=?1",
                    params![owner],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            if n >= max_keys {
                return Err(Error::with_reason(
                    warden_core::ErrorCode::ValidationError,
                    "too_many_checkpoints",
                    format!("at most {max_keys} checkpoint keys per identity"),
                ));
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO checkpoints(owner, key, data, saved_at_ms, expires_at_ms) VALUES (?1,?2,?3,?4,?5)",
            params![owner, key, data, now_ms, expires_at_ms],
        )
        .map_err(db_err)?;
        tx.commit().map_err(db_err)
    }

    /// A live checkpoint: `(data, saved_at_ms)`.
    pub fn checkpoint_load(
        &self,
        owner: &str,
        key: &str,
        now_ms: i64,
    ) -> Result<Option<(Vec<u8>, i64)>> {
        self.conn
            .query_row(
                "SELECT data, saved_at_ms FROM checkpoints WHERE owner=?1 AND key=?2 AND (expires_at_ms IS NULL OR expires_at_ms > ?3)",
                params![owner, key, now_ms],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_err)
    }

    /// Live checkpoint keys of `owner`, in byte order.
    pub fn checkpoint_list(&self, owner: &str, now_ms: i64) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT key FROM checkpoints WHERE owner=?1 AND (expires_at_ms IS NULL OR expires_at_ms > ?2) ORDER BY key",
            )
            .map_err(db_err)?;
        let it = st
            .query_map(params![owner, now_ms], |r| r.get(0))
            .map_err(db_err)?;
        it.collect::<std::result::Result<_, _>>().map_err(db_err)
    }

    /// Deletes a checkpoint; true iff a live one existed.
    pub fn checkpoint_delete(&mut self, owner: &str, key: &str, now_ms: i64) -> Result<bool> {
        let live = self.checkpoint_load(owner, key, now_ms)?.is_some();
        self.conn
            .execute(
                "DELETE FROM checkpoints WHERE owner=?1 AND key=?2",
                params![owner, key],
            )
            .map_err(db_err)?;
        Ok(live)
    }
}

/// `(seq, message_id, envelope, delivered, kind)` of an inbox row.
type Row = (i64, String, String, bool, String);

/// Up to `limit` rows of `inbox` after `after_seq`, in order, marked delivered (inside `tx`).
fn take_rows(tx: &Connection, inbox: &str, after_seq: i64, limit: usize) -> Result<Vec<Row>> {
    let rows: Vec<Row> = {
        let mut st = tx
            .prepare_cached(
                "SELECT seq, message_id, envelope, delivered, kind FROM inbox WHERE inbox=?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )
            .map_err(db_err)?;
        let it = st
            .query_map(params![inbox, after_seq, limit as i64], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get::<_, i64>(3)? != 0,
                    r.get(4)?,
                ))
            })
            .map_err(db_err)?;
        it.collect::<std::result::Result<_, _>>().map_err(db_err)?
    };
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        tx.prepare_cached("UPDATE inbox SET delivered=1 WHERE inbox=?1 AND seq BETWEEN ?2 AND ?3")
            .map_err(db_err)?
            .execute(params![inbox, first.0, last.0])
            .map_err(db_err)?;
    }
    Ok(rows)
}

/// The end of every stored envelope: [`Message::envelope_json`] of a message as accepted
/// (`redelivered` is its last member).
const STORED_TAIL: &str = ",\"redelivered\":false}";

/// The `deliver` frame of a stored envelope: `{"type":"deliver",` + the envelope's members
/// with `redelivered` set, spliced as text (the bytes [`Message::deliver_frame`] would give,
/// without parsing, decoding and encoding the payload again); parsed when the text has
/// another shape.
fn deliver_frame_text(envelope: &str, redelivered: bool) -> Result<String> {
    if let Some(body) = envelope
        .strip_prefix('{')
        .and_then(|e| e.strip_suffix(STORED_TAIL))
    {
        let flag = if redelivered { "true" } else { "false" };
        let mut f = String::with_capacity(envelope.len() + 24);
        f.push_str("{\"type\":\"deliver\",");
        f.push_str(body);
        f.push_str(",\"redelivered\":");
        f.push_str(flag);
        f.push('}');
        return Ok(f);
    }
    let v = Json::parse(envelope).map_err(|e| Error::internal(format!("stored envelope: {e}")))?;
    let mut m = Message::from_json(&v)?;
    m.redelivered = redelivered;
    Ok(m.deliver_frame().to_compact())
}

/// Stored rows as messages and assignments.
fn pending_items(rows: Vec<Row>) -> Result<Vec<Pending>> {
    let mut out = Vec::with_capacity(rows.len());
    for (seq, id, env, delivered, kind) in rows {
        let item = if kind == "a" {
            let v =
                Json::parse(&env).map_err(|e| Error::internal(format!("stored envelope: {e}")))?;
            let id = v
                .get("assignment_id")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string();
            Item::Assignment(id, v)
        } else {
            Item::Message {
                frame: deliver_frame_text(&env, delivered)?,
                id,
                redelivered: delivered,
            }
        };
        out.push(Pending { seq, item });
    }
    Ok(out)
}

/// [`KvStore`] over the messaging file: one row per stored key, revisions from a counter
/// row that only increases.
pub struct SqliteKv<'a> {
    conn: &'a mut Connection,
}

fn live_entry(conn: &Connection, key: &str, now_ms: i64) -> Result<Option<KvEntry>> {
    conn.query_row(
        "SELECT value, revision, expires_at_ms FROM kv WHERE key=?1",
        params![key],
        |r| {
            Ok(KvEntry {
                value: r.get(0)?,
                revision: r.get::<_, i64>(1)? as u64,
                expires_at_ms: r.get(2)?,
            })
        },
    )
    .optional()
    .map_err(db_err)
    .map(|e| e.filter(|e| e.live_at(now_ms)))
}

impl KvStore for SqliteKv<'_> {
    fn get(&self, stored_key: &str, now_ms: i64) -> Result<Option<KvEntry>> {
        live_entry(self.conn, stored_key, now_ms)
    }

    fn update(
        &mut self,
        stored_key: &str,
        now_ms: i64,
        decide: &mut dyn FnMut(Option<&KvEntry>) -> Result<KvWrite>,
    ) -> Result<Option<u64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let current = live_entry(&tx, stored_key, now_ms)?;
        let out = match decide(current.as_ref())? {
            KvWrite::Keep => None,
            KvWrite::Delete => {
                tx.execute("DELETE FROM kv WHERE key=?1", params![stored_key])
                    .map_err(db_err)?;
                None
            }
            KvWrite::Put {
                value,
                expires_at_ms,
            } => {
                let rev: i64 = tx
                    .query_row(
                        "INSERT INTO counters(name, value) VALUES ('kv_revision', 1)
                         ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
                        [],
                        |r| r.get(0),
                    )
                    .map_err(db_err)?;
                tx.execute(
                    "INSERT OR REPLACE INTO kv(key, value, revision, expires_at_ms) VALUES (?1,?2,?3,?4)",
                    params![stored_key, value, rev, expires_at_ms],
                )
                .map_err(db_err)?;
                Some(rev as u64)
            }
        };
        tx.commit().map_err(db_err)?;
        Ok(out)
    }

    fn list(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: usize,
        now_ms: i64,
    ) -> Result<KvStoredPage> {
        let start = match after {
            Some(a) if a >= prefix => a,
            _ => prefix,
        };
        let inclusive = start == prefix && after.is_none_or(|a| a < prefix);
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT key, revision, expires_at_ms FROM kv WHERE key >= ?1 ORDER BY key",
            )
            .map_err(db_err)?;
        let mut rows = st.query(params![start]).map_err(db_err)?;
        let mut page = KvStoredPage::default();
        while let Some(r) = rows.next().map_err(db_err)? {
            let k: String = r.get(0).map_err(db_err)?;
            if !k.starts_with(prefix) {
                break;
            }
            if !inclusive && k.as_str() == start {
                continue;
            }
            let exp: Option<i64> = r.get(2).map_err(db_err)?;
            if exp.is_some_and(|e| now_ms >= e) {
                continue;
            }
            if page.entries.len() == limit {
                page.more = true;
                break;
            }
            page.entries
                .push((k, r.get::<_, i64>(1).map_err(db_err)? as u64));
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spliced_deliver_frames_are_the_parsed_ones() {
        let m = Message {
            message_id: "01JABCDEFGHJKMNPQRSTVWXYZ0".into(),
            source: "ag::w::a::1".into(),
            target: "ag::w::b::1".into(),
            message_type: warden_core::messaging::MessageType::parse("EVENT").unwrap(),
            payload: (0..=255u8).collect(),
            headers: vec![("k".into(), "v \"q\" \u{e9}".into())],
            workspace: Some("w".into()),
            timestamp_ms: 1_700_000_000_000,
            on_behalf_of: Some("us::u1::win".into()),
            redelivered: false,
        };
        let stored = m.envelope_json().to_compact();
        assert!(stored.ends_with(STORED_TAIL), "{stored}");
        for again in [false, true] {
            let mut r = m.clone();
            r.redelivered = again;
            assert_eq!(
                deliver_frame_text(&stored, again).unwrap(),
                r.deliver_frame().to_compact()
            );
        }
        // Another shape (an older or foreign writer): parsed.
        let odd = stored.replace(STORED_TAIL, ",\"redelivered\":false }");
        assert_eq!(
            deliver_frame_text(&odd, true).unwrap(),
            Message {
                redelivered: true,
                ..m.clone()
            }
            .deliver_frame()
            .to_compact()
        );
    }
}
