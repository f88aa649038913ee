//! Messaging service (SEMANTICS-messaging; wire format in `docs/protocol.md`): the WebSocket
//! endpoint `GET /v1/messaging/ws`, identity locks, durable inboxes, live topics, KV and
//! checkpoints. Embedded single-node mode: one SQLite file (`<db>.messaging.db`) and
//! in-process routing. All rules come from `warden_core::messaging`.
//!
//! | file | holds |
//! |---|---|
//! | `mod.rs` | the hub: configuration, connection registry, locks, routing, metrics |
//! | `store.rs` | the SQLite file: inboxes, send de-duplication, KV backend, checkpoints |
//! | `conn.rs` | one WebSocket connection: handshake, request loop, deliveries, heartbeat |
//! | `ops.rs` | KV and checkpoint requests |
//! | `tasks.rs` | tasks: creation, assignment modes, lifecycle, durable assignments |

mod conn;
mod ops;
pub mod store;
mod tasks;

use crate::server::Shared;
use axum::routing::get;
use axum::Router;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use store::{MsgStore, Retention};
use tokio::sync::{mpsc, Notify};
use warden_core::engine::{Clock, SystemClock};
use warden_core::json::Json;
use warden_core::messaging::lock::{IdentityLock, LockConfig};
use warden_core::messaging::topic::{Topic, TopicKind};
use warden_core::messaging::ulid::UlidGen;
use warden_core::messaging::{Grant, Identity, MessagingLimits, PrincipalType};
use warden_core::Result;

/// Settings of the messaging service.
#[derive(Clone, Debug)]
pub struct MessagingConfig {
    /// Path of the messaging SQLite file.
    pub path: String,
    /// Inbox bounds (§6.4).
    pub retention: Retention,
    /// Lock TTL in ms (30 s); stale below half of it, refresh and ping every third, dead
    /// after a whole TTL without a frame.
    pub lock_ttl_ms: u64,
    /// Time allowed for `hello`.
    pub hello_timeout: Duration,
    /// Live buffer per connection (§6.5).
    pub live_buffer: usize,
    /// Minimum time between two `notice{inbox_report}` frames.
    pub notice_interval_ms: i64,
    /// Grants in force (§4.2).
    pub grants: Vec<Grant>,
    /// Per-connection send bucket (§5.3): sends per second and burst (100 and 200).
    pub send_rate: u64,
    pub send_burst: u64,
}

impl MessagingConfig {
    /// Defaults of SEMANTICS-messaging for the messaging file of the gateway database `db`.
    pub fn for_db(db: &str) -> MessagingConfig {
        MessagingConfig {
            path: store::messaging_path(db),
            retention: Retention {
                max_messages: 10_000,
                max_age_ms: 24 * 3600 * 1000,
            },
            lock_ttl_ms: 30_000,
            hello_timeout: Duration::from_secs(30),
            live_buffer: 1000,
            notice_interval_ms: 10_000,
            grants: Vec::new(),
            send_rate: 100,
            send_burst: 200,
        }
    }

    fn lock_config(&self) -> LockConfig {
        LockConfig {
            ttl_ms: self.lock_ttl_ms,
            stale_below_ms: self.lock_ttl_ms / 2,
        }
    }
}

#[derive(Default)]
pub(crate) struct Metrics {
    accepted: AtomicU64,
    delivered: AtomicU64,
    redelivered: AtomicU64,
    acked: AtomicU64,
    dropped_overflow: AtomicU64,
    dropped_expired: AtomicU64,
    dropped_live: AtomicU64,
    connections: AtomicU64,
}

/// One registered connection.
pub(crate) struct ConnEntry {
    pub session_id: String,
    pub identity: Identity,
    pub canonical: String,
    pub active_workspace: Option<String>,
    pub pool_consumer: bool,
    pub live_tx: mpsc::Sender<Json>,
    pub kick: Arc<Notify>,
}

#[derive(Default)]
struct Registry {
    /// Identity locks by canonical identity.
    locks: HashMap<String, IdentityLock>,
    /// Live connections by session id.
    conns: HashMap<String, ConnEntry>,
    /// Session holding each canonical identity.
    by_identity: HashMap<String, String>,
    /// Pooled tasks: resume-token hash → canonical identity (to keep `{id}` on resume).
    pooled_tokens: HashMap<[u8; 32], String>,
}

/// The messaging service state.
pub struct Hub {
    pub(crate) cfg: MessagingConfig,
    pub(crate) store: Mutex<MsgStore>,
    registry: Mutex<Registry>,
    notify: Mutex<HashMap<String, Arc<Notify>>>,
    ids: Mutex<UlidGen>,
    pub(crate) metrics: Metrics,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) limits: MessagingLimits,
    /// Set once at shutdown: every connection says `bye{server_shutdown}` and closes.
    pub(crate) closing: tokio::sync::watch::Sender<bool>,
}

static HUB: OnceLock<Arc<Hub>> = OnceLock::new();

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hub {
    /// Opens the messaging file and builds the service.
    pub fn open(cfg: MessagingConfig) -> Result<Arc<Hub>> {
        let store = MsgStore::open(&cfg.path)?;
        let hub = Arc::new(Hub {
            cfg,
            store: Mutex::new(store),
            registry: Mutex::new(Registry::default()),
            notify: Mutex::new(HashMap::new()),
            ids: Mutex::new(UlidGen::new()),
            closing: tokio::sync::watch::Sender::new(false),
            metrics: Metrics::default(),
            clock: Arc::new(SystemClock),
            limits: MessagingLimits::default(),
        });
        let _ = HUB.set(hub.clone());
        Ok(hub)
    }

    /// Gateway shutdown: connections close with `bye{reason:"server_shutdown"}` (clients
    /// reconnect), so the HTTP drain does not wait for them.
    pub fn shutdown(&self) {
        self.closing.send_replace(true);
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub(crate) fn new_id(&self, now_ms: i64) -> Result<String> {
        lock(&self.ids).next(now_ms)
    }

    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, MsgStore> {
        lock(&self.store)
    }

    /// The notifier of `inbox` (created on demand).
    pub(crate) fn inbox_notify(&self, inbox: &str) -> Arc<Notify> {
        lock(&self.notify)
            .entry(inbox.to_string())
            .or_insert_with(|| Arc::new(Notify::new()))
            .clone()
    }

    /// Acquires the lock of `canonical` for `session_id` and, on success, registers the
    /// connection (kicking a displaced holder). Returns the lock outcome and the new record.
    pub(crate) fn acquire_and_register(
        &self,
        entry: ConnEntry,
        resume_token: Option<&str>,
        new_token: &str,
    ) -> Result<(
        warden_core::messaging::AcquireOutcome,
        warden_core::messaging::LockRecord,
    )> {
        let now = self.now_ms().max(0) as u64;
        let mut r = lock(&self.registry);
        let cfg = self.cfg.lock_config();
        let l = r.locks.entry(entry.canonical.clone()).or_insert_with(|| {
            let mut l = IdentityLock::new(None);
            l.config = cfg;
            l
        });
        let outcome = l.acquire(now, &entry.session_id, resume_token, new_token)?;
        let record = l
            .record
            .clone()
            .ok_or_else(|| warden_core::Error::internal("lock has no record after acquire"))?;
        if entry.identity.pooled {
            r.pooled_tokens
                .retain(|_, c| c.as_str() != entry.canonical.as_str());
            r.pooled_tokens
                .insert(record.resume_token_hash, entry.canonical.clone());
        }
        if let Some(old) = r
            .by_identity
            .insert(entry.canonical.clone(), entry.session_id.clone())
        {
            if let Some(e) = r.conns.remove(&old) {
                e.kick.notify_one();
                self.metrics.connections.fetch_sub(1, Ordering::Relaxed);
            }
        }
        r.conns.insert(entry.session_id.clone(), entry);
        self.metrics.connections.fetch_add(1, Ordering::Relaxed);
        Ok((outcome, record))
    }

    /// The pooled canonical identity a resume token was issued for, if any.
    pub(crate) fn pooled_for_token(&self, token: &str) -> Option<String> {
        let h = warden_core::messaging::lock::hash_resume_token(token);
        lock(&self.registry).pooled_tokens.get(&h).cloned()
    }

    /// Connection end: unregister and release the lock if still the holder.
    pub(crate) fn unregister(&self, session_id: &str, canonical: &str) {
        let now = self.now_ms().max(0) as u64;
        let mut r = lock(&self.registry);
        if r.conns.remove(session_id).is_some() {
            self.metrics.connections.fetch_sub(1, Ordering::Relaxed);
        }
        if r.by_identity.get(canonical).map(String::as_str) == Some(session_id) {
            r.by_identity.remove(canonical);
        }
        if let Some(l) = r.locks.get_mut(canonical) {
            l.release(now, session_id);
            if l.record.is_none() {
                r.locks.remove(canonical);
            }
        }
    }

    /// Refreshes the lock; false means the connection lost it.
    pub(crate) fn refresh(&self, session_id: &str, canonical: &str) -> bool {
        let now = self.now_ms().max(0) as u64;
        let mut r = lock(&self.registry);
        r.conns.contains_key(session_id)
            && r.locks
                .get_mut(canonical)
                .is_some_and(|l| l.refresh(now, session_id))
    }

    /// Sets a user window's active workspace.
    pub(crate) fn set_active_workspace(&self, session_id: &str, ws: Option<String>) {
        if let Some(e) = lock(&self.registry).conns.get_mut(session_id) {
            e.active_workspace = ws;
        }
    }

    /// True iff the connection `session_id` is registered (not ended, not displaced).
    pub(crate) fn is_registered(&self, session_id: &str) -> bool {
        lock(&self.registry).conns.contains_key(session_id)
    }

    /// True iff `canonical` has a live connection.
    pub(crate) fn is_connected(&self, canonical: &str) -> bool {
        lock(&self.registry).by_identity.contains_key(canonical)
    }

    /// POOL candidates (§11): connected agents of `ws` and services holding a `tasks` grant on
    /// it, whose implementation is `imp`.
    pub(crate) fn pool_candidates(&self, ws: &str, imp: &str) -> Vec<String> {
        let r = lock(&self.registry);
        let mut v: Vec<String> = r
            .conns
            .values()
            .filter(|e| e.identity.implementation.as_deref() == Some(imp))
            .filter(|e| match e.identity.principal_type {
                PrincipalType::Agent => e.identity.workspace.as_deref() == Some(ws),
                PrincipalType::Service => {
                    e.pool_consumer
                        && warden_core::messaging::grants::has_grant(
                            &self.cfg.grants,
                            &e.identity,
                            Some(ws),
                            warden_core::messaging::Right::Tasks,
                        )
                }
                _ => false,
            })
            .map(|e| e.canonical.clone())
            .collect();
        v.sort();
        v
    }

    /// Canonical identities of connected services.
    pub(crate) fn connected_services(&self) -> Vec<String> {
        lock(&self.registry)
            .conns
            .values()
            .filter(|e| e.identity.principal_type == PrincipalType::Service)
            .map(|e| e.canonical.clone())
            .collect()
    }

    /// Hands a live message to every current recipient of `topic` (§6.5); copies that find a
    /// full buffer are counted as `dropped_live`. `parties` are the creator and assignee of the
    /// task of a `tk` topic. Returns the number of copies handed over.
    pub(crate) fn fan_out(&self, topic: &Topic, parties: &[String], frame: &Json) -> usize {
        let mut full = Vec::new();
        let mut n = 0;
        {
            let r = lock(&self.registry);
            for e in r
                .conns
                .values()
                .filter(|e| is_live_recipient(topic, parties, e))
            {
                match e.live_tx.try_send(frame.clone()) {
                    Ok(()) => n += 1,
                    Err(_) => full.push(e.canonical.clone()),
                }
            }
        }
        for c in full {
            self.metrics.dropped_live.fetch_add(1, Ordering::Relaxed);
            let _ = self.store().count_live_drop(&c);
        }
        n
    }

    pub(crate) fn count_drops(&self, overflow: u64, expired: u64) {
        self.metrics
            .dropped_overflow
            .fetch_add(overflow, Ordering::Relaxed);
        self.metrics
            .dropped_expired
            .fetch_add(expired, Ordering::Relaxed);
    }
}

fn is_live_recipient(topic: &Topic, parties: &[String], e: &ConnEntry) -> bool {
    let id = &e.identity;
    let ws = topic.named_workspace();
    let user = topic.user_id.as_deref();
    let is_agent = id.principal_type == PrincipalType::Agent;
    let is_user = id.principal_type == PrincipalType::User;
    let active = e.active_workspace.as_deref();
    match topic.kind {
        TopicKind::TaskBroadcast => {
            id.pooled && id.workspace.as_deref() == ws && id.implementation == topic.implementation
        }
        TopicKind::AgentBroadcast => is_agent && id.workspace.as_deref() == ws,
        TopicKind::UserBroadcast => is_user && active.is_some() && active == ws,
        TopicKind::UserWorkspace => {
            is_user && id.user_id.as_deref() == user && active.is_some() && active == ws
        }
        TopicKind::UserAllWindows | TopicKind::PageUser => is_user && id.user_id.as_deref() == user,
        TopicKind::PageWorkspace => {
            (is_agent && id.workspace.as_deref() == ws)
                || (is_user && active.is_some() && active == ws)
        }
        // Task lanes reach the task's creator and assignee.
        TopicKind::TaskLane => parties.contains(&e.canonical),
        _ => false,
    }
}

/// The durable inbox a resolved target lands in (§6.1).
pub(crate) fn inbox_of(topic: &Topic, resolved: &str) -> String {
    match topic.kind {
        TopicKind::Event => warden_core::messaging::identity::WORKFLOW_ENGINE_IDENTITY.into(),
        TopicKind::Metric => warden_core::messaging::identity::METRICS_BRIDGE_IDENTITY.into(),
        _ => resolved.to_string(),
    }
}

/// The durable inbox of a connected identity, if it has one.
pub(crate) fn own_inbox(id: &Identity) -> Option<String> {
    match id.principal_type {
        PrincipalType::Orchestrator => None,
        _ => id.canonical.clone(),
    }
}

/// The `/metrics` lines of messaging (empty when the service is not running).
pub fn metrics_text(out: &mut String) {
    let Some(h) = HUB.get() else { return };
    let m = &h.metrics;
    let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let depth = h.store().total_depth().unwrap_or(-1);
    out.push_str(&format!(
        "# HELP warden_inbox_depth Messages waiting in durable inboxes.\n# TYPE warden_inbox_depth gauge\nwarden_inbox_depth {depth}\n\
# HELP warden_inbox_dropped_total Inbox messages dropped by retention, and live copies dropped.\n# TYPE warden_inbox_dropped_total counter\n\
warden_inbox_dropped_total{{reason=\"overflow\"}} {}\nwarden_inbox_dropped_total{{reason=\"expired\"}} {}\nwarden_inbox_dropped_total{{reason=\"live\"}} {}\n\
# HELP warden_messages_accepted_total Sends accepted.\n# TYPE warden_messages_accepted_total counter\nwarden_messages_accepted_total {}\n\
# HELP warden_messages_delivered_total Deliveries pushed to connections (redeliveries included).\n# TYPE warden_messages_delivered_total counter\nwarden_messages_delivered_total {}\n\
# HELP warden_messages_redelivered_total Redeliveries pushed to connections.\n# TYPE warden_messages_redelivered_total counter\nwarden_messages_redelivered_total {}\n\
# HELP warden_messages_acked_total Inbox messages acknowledged.\n# TYPE warden_messages_acked_total counter\nwarden_messages_acked_total {}\n\
# HELP warden_messaging_connections Live messaging connections.\n# TYPE warden_messaging_connections gauge\nwarden_messaging_connections {}\n",
        l(&m.dropped_overflow),
        l(&m.dropped_expired),
        l(&m.dropped_live),
        l(&m.accepted),
        l(&m.delivered),
        l(&m.redelivered),
        l(&m.acked),
        l(&m.connections),
    ));
}

/// The messaging routes (merged into the gateway router).
pub fn router(app: Shared, hub: Arc<Hub>) -> Router {
    Router::new()
        .route(warden_core::messaging::wire::WS_PATH, get(conn::ws_handler))
        .with_state((app, hub))
}

/// Grants from JSON: `[{"principal": pattern, "workspace": name | "*", "right": right}]`.
pub fn parse_grants(text: &str) -> Result<Vec<Grant>> {
    let v = Json::parse(text).map_err(|e| warden_core::Error::validation(format!("{e}")))?;
    let items = v
        .as_arr()
        .ok_or_else(|| warden_core::Error::validation("grants must be an array"))?;
    items
        .iter()
        .map(|g| {
            let s = |k: &str| {
                g.get(k)
                    .and_then(Json::as_str)
                    .ok_or_else(|| warden_core::Error::validation(format!("grant.{k} is required")))
            };
            let principal = s("principal")?;
            if !warden_core::messaging::pattern::is_valid_identity_pattern(principal) {
                return Err(warden_core::Error::validation(
                    "grant.principal is not a pattern",
                ));
            }
            Ok(Grant::new(
                principal,
                s("workspace")?,
                warden_core::messaging::Right::parse(s("right")?)?,
            ))
        })
        .collect()
}
