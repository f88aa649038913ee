//! The stateful engine (SEMANTICS-engine §2–§14) over an in-memory store. Every operation takes
//! one lock, so each is atomic and linearizable; a decision, its audit event, the counters, the
//! rate-log appends and any approval it creates commit together.

use super::args::Args;
use super::audit::{AuditChain, AuditEvent, ChainVerifier};
use super::effect::{resolve_effect, validate_tool, Effect};
use super::ids::{check_id, prefix, SplitMix, UlidGen};
use super::model::*;
use super::store::{AuditRecord, JournalEntry, Store};
use super::summary::truncate_code_points;
use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use crate::key::{Alg, Key, KeySet};
use crate::rate::RateSpec;
use crate::scope::{self, allows, covers, is_concrete, is_valid_pattern};
use crate::token::{self, Claims, Verifier, VerifierOptions};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// The engine's clock (unix milliseconds).
pub trait Clock: Send + Sync {
    /// Now, in unix milliseconds.
    fn now_ms(&self) -> i64;
    /// True for a clock that only moves when told to (tests, vectors).
    fn is_manual(&self) -> bool {
        false
    }
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;
impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// A clock that moves only by [`ManualClock::advance`].
#[derive(Debug)]
pub struct ManualClock(AtomicI64);
impl ManualClock {
    /// A clock at `ms`.
    pub fn new(ms: i64) -> ManualClock {
        ManualClock(AtomicI64::new(ms))
    }
    /// Moves the clock forward.
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}
impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    fn is_manual(&self) -> bool {
        true
    }
}

/// `WARDEN_STRICT_MODE` ratchet (§13): trimmed, case-insensitive `true|1|yes|on` forces strict;
/// anything else is ignored.
pub fn strict_mode_from(value: Option<&str>) -> bool {
    matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("true" | "1" | "yes" | "on")
    )
}

/// Engine configuration (§17).
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Token issuer (`warden`).
    pub issuer: String,
    /// Token audience (`warden`).
    pub audience: String,
    /// Pending approval lifetime (300 s).
    pub approval_ttl_seconds: i64,
    /// Elevation window after approval (300 s).
    pub elevation_window_seconds: i64,
    /// Cool-down after a denial (300 s).
    pub denial_cooldown_seconds: i64,
    /// Default session lifetime (3600 s).
    pub session_ttl_seconds: i64,
    /// Default token lifetime (300 s).
    pub token_ttl_seconds: i64,
    /// Default delegation lifetime (3600 s).
    pub delegation_ttl_seconds: i64,
    /// Maximum delegation depth (3).
    pub max_delegation_depth: i64,
    /// `WARDEN_STRICT_MODE` in force.
    pub strict_mode: bool,
    /// Seed for IDs and the signing key (None = from the OS).
    pub seed: Option<u64>,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            issuer: "warden".into(),
            audience: "warden".into(),
            approval_ttl_seconds: 300,
            elevation_window_seconds: 300,
            denial_cooldown_seconds: 300,
            session_ttl_seconds: 3600,
            token_ttl_seconds: 300,
            delegation_ttl_seconds: 3600,
            max_delegation_depth: 3,
            strict_mode: strict_mode_from(std::env::var("WARDEN_STRICT_MODE").ok().as_deref()),
            seed: None,
        }
    }
}

impl EngineConfig {
    /// Overrides from a JSON object (the vector `engine` key): option names above plus
    /// `env: {WARDEN_STRICT_MODE: …}` (read instead of the process environment).
    pub fn from_json(v: &Json) -> Result<EngineConfig> {
        let a = Args::new(
            "engine",
            v,
            &[
                "issuer",
                "audience",
                "approval_ttl_seconds",
                "elevation_window_seconds",
                "denial_cooldown_seconds",
                "session_ttl_seconds",
                "token_ttl_seconds",
                "delegation_ttl_seconds",
                "max_delegation_depth",
                "seed",
                "env",
            ],
        )?;
        let mut c = EngineConfig {
            strict_mode: false,
            ..EngineConfig::default()
        };
        if let Some(s) = a.opt_str("issuer")? {
            c.issuer = s.into();
        }
        if let Some(s) = a.opt_str("audience")? {
            c.audience = s.into();
        }
        let dur = |k: &str, slot: &mut i64| -> Result<()> {
            if let Some(n) = a.opt_int(k)? {
                if n < 1 {
                    return Err(Error::validation(format!("{k} must be >= 1")));
                }
                *slot = n;
            }
            Ok(())
        };
        dur("approval_ttl_seconds", &mut c.approval_ttl_seconds)?;
        dur("elevation_window_seconds", &mut c.elevation_window_seconds)?;
        dur("denial_cooldown_seconds", &mut c.denial_cooldown_seconds)?;
        dur("session_ttl_seconds", &mut c.session_ttl_seconds)?;
        dur("token_ttl_seconds", &mut c.token_ttl_seconds)?;
        dur("delegation_ttl_seconds", &mut c.delegation_ttl_seconds)?;
        dur("max_delegation_depth", &mut c.max_delegation_depth)?;
        c.seed = a.opt_int("seed")?.map(|s| s as u64);
        if let Some(env) = a.get("env") {
            c.strict_mode = strict_mode_from(env.get("WARDEN_STRICT_MODE").and_then(Json::as_str));
        }
        Ok(c)
    }
}

#[derive(Default)]
struct State {
    agents: HashMap<String, Arc<Agent>>,
    agent_order: Vec<String>,
    bound_keys: HashMap<String, String>,
    sessions: HashMap<String, Arc<Session>>,
    delegations: HashMap<String, Arc<Delegation>>,
    delegation_order: Vec<String>,
    approvals: Vec<Approval>,
    approval_index: HashMap<String, usize>,
    policies: HashMap<String, (i64, Vec<Rule>)>,
    rate_logs: HashMap<(String, String), Vec<i64>>,
    revoked_jti: HashMap<String, i64>,
    audit: HashMap<String, AuditChain>,
    telemetry: Vec<Json>,
}

/// The engine.
pub struct Engine {
    cfg: EngineConfig,
    clock: Arc<dyn Clock>,
    key: Key,
    verifier: Verifier,
    ids: Mutex<UlidGen>,
    st: Mutex<State>,
    decided: Condvar,
    journal: Option<Arc<Journal>>,
    /// `Store::audit_memory` of the journal's store: the audit events kept in memory per
    /// workspace (`None`: all of them).
    audit_memory: Option<usize>,
    forks: std::sync::atomic::AtomicU64,
}

impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(j) = &self.journal {
            // The committer drains what is queued, then exits.
            j.commit.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
            j.work.notify_all();
        }
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.cfg)
            .finish_non_exhaustive()
    }
}

fn err(code: ErrorCode, reason: &'static str, msg: impl Into<String>) -> Error {
    Error::with_reason(code, reason, msg)
}

fn valid_workspace(w: &str) -> bool {
    let b = w.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

fn check_workspace(w: &str) -> Result<()> {
    if valid_workspace(w) {
        Ok(())
    } else {
        Err(err(
            ErrorCode::ValidationError,
            "invalid_workspace",
            "workspace must be 1-64 bytes of [a-z0-9_-] starting with [a-z0-9]",
        ))
    }
}

fn name_chars(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

fn no_control(s: &str, max_chars: usize) -> bool {
    let n = s.chars().count();
    n >= 1 && n <= max_chars && !s.chars().any(char::is_control)
}

/// Validates a pattern list: 1–64 entries (`VALIDATION_ERROR`), each valid (`INVALID_SCOPE`).
fn check_patterns(list: &[String], what: &str) -> Result<()> {
    if list.is_empty() || list.len() > 64 {
        return Err(Error::validation(format!("{what} must hold 1-64 patterns")));
    }
    if let Some(p) = list.iter().find(|p| !is_valid_pattern(p)) {
        return Err(Error::new(
            ErrorCode::InvalidScope,
            format!("{what}: invalid pattern {:?}", crate::rate::truncate(p)),
        ));
    }
    Ok(())
}

/// Validates a rate map (§1.2).
fn check_rate_map(rate: &[(String, String)]) -> Result<()> {
    if rate.len() > 64 {
        return Err(Error::validation("a rate map holds at most 64 entries"));
    }
    for (k, v) in rate {
        if !is_valid_pattern(k) {
            return Err(Error::new(
                ErrorCode::InvalidScope,
                format!(
                    "rate key {:?} is not a valid pattern",
                    crate::rate::truncate(k)
                ),
            ));
        }
        RateSpec::parse(v)?;
    }
    Ok(())
}

fn dedup(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for p in list {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

fn page(items: Vec<Json>, next: Option<String>) -> Json {
    obj(vec![
        ("items", Json::Arr(items)),
        ("next_cursor", next.map(Json::Str).unwrap_or(Json::Null)),
    ])
}

fn limit_arg(a: &Args, default: i64, max: i64) -> Result<usize> {
    let l = a.opt_int("limit")?.unwrap_or(default);
    if !(1..=max).contains(&l) {
        return Err(Error::validation(format!("limit must be in 1..{max}")));
    }
    Ok(l as usize)
}

/// Cursor = base64url("<query key>|<position>"); a cursor for another query is refused.
fn decode_cursor(c: Option<&str>, query: &str) -> Result<usize> {
    let Some(c) = c else { return Ok(0) };
    let bad = || {
        err(
            ErrorCode::ValidationError,
            "invalid_cursor",
            "cursor was not issued for this query",
        )
    };
    let raw = crate::b64::decode(c.as_bytes()).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (q, pos) = text.rsplit_once('|').ok_or_else(bad)?;
    if q != query {
        return Err(bad());
    }
    pos.parse().map_err(|_| bad())
}

fn encode_cursor(query: &str, pos: usize) -> String {
    crate::b64::encode(format!("{query}|{pos}").as_bytes())
}

fn paginate(items: Vec<Json>, a: &Args, query: &str, default_limit: i64, max: i64) -> Result<Json> {
    let limit = limit_arg(a, default_limit, max)?;
    let start = decode_cursor(a.opt_str("cursor")?, query)?;
    let end = (start + limit).min(items.len());
    let next = (end < items.len()).then(|| encode_cursor(query, end));
    Ok(page(
        items.into_iter().skip(start).take(limit).collect(),
        next,
    ))
}

impl EngineConfig {
    /// The configuration as the JSON object [`EngineConfig::from_json`] reads (without `seed`).
    pub fn to_json(&self) -> Json {
        let strict = if self.strict_mode { "true" } else { "false" };
        Json::Obj(vec![
            ("issuer".into(), self.issuer.as_str().into()),
            ("audience".into(), self.audience.as_str().into()),
            (
                "approval_ttl_seconds".into(),
                Json::Int(self.approval_ttl_seconds),
            ),
            (
                "elevation_window_seconds".into(),
                Json::Int(self.elevation_window_seconds),
            ),
            (
                "denial_cooldown_seconds".into(),
                Json::Int(self.denial_cooldown_seconds),
            ),
            (
                "session_ttl_seconds".into(),
                Json::Int(self.session_ttl_seconds),
            ),
            (
                "token_ttl_seconds".into(),
                Json::Int(self.token_ttl_seconds),
            ),
            (
                "delegation_ttl_seconds".into(),
                Json::Int(self.delegation_ttl_seconds),
            ),
            (
                "max_delegation_depth".into(),
                Json::Int(self.max_delegation_depth),
            ),
            (
                "env".into(),
                Json::Obj(vec![("WARDEN_STRICT_MODE".into(), strict.into())]),
            ),
        ])
    }
}

/// The JSON arguments of `check` (the journal entry of a typed check, the Remote client's request).
pub fn check_args(
    agent_id: &str,
    session_id: &str,
    tool: &str,
    input_summary: &str,
    effect: Option<&str>,
) -> Json {
    let mut m = vec![
        ("agent_id".to_string(), Json::from(agent_id)),
        ("session_id".to_string(), Json::from(session_id)),
        ("tool".to_string(), Json::from(tool)),
        ("input_summary".to_string(), Json::from(input_summary)),
    ];
    if let Some(e) = effect {
        m.push(("effect".into(), e.into()));
    }
    Json::Obj(m)
}

/// The seed of the `n`-th fork of a seeded engine's randomness (see [`Engine::fork_rng`]).
pub fn fork_seed(seed: u64, n: u64) -> u64 {
    seed ^ n.wrapping_mul(0xD6E8_FEB8_6659_FD93)
}

thread_local! {
    /// The audit actor of the operation running on this thread (`Engine::call_as`).
    static ACTOR: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// The clock reading pinned for the journaled operation running on this thread.
    static PINNED_NOW: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
    /// The journal seq of the operation running on this thread (0 outside one).
    static CUR_JSEQ: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
    /// Audit records written by the operation running on this thread, for a store that keeps
    /// the audit log.
    static AUDIT_OUT: std::cell::RefCell<Vec<AuditRecord>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Telemetry events kept in memory (SEMANTICS-engine §15: best-effort).
const TELEMETRY_KEPT: usize = 10_000;

fn take_audit_out() -> Vec<AuditRecord> {
    AUDIT_OUT.with(|a| std::mem::take(&mut *a.borrow_mut()))
}

struct Journal {
    store: Arc<dyn Store>,
    /// Serialises journaled operations; holds the last `seq` handed out.
    writer: Mutex<i64>,
    /// Group commit: entries executed but not yet durable.
    commit: Mutex<CommitState>,
    /// Wakes the committer (work queued or engine closed).
    work: Condvar,
    /// Wakes synchronous waiters (progress).
    committed: Condvar,
    /// Set when an append failed: the in-memory state is ahead of the store, so every later
    /// write is refused (fail closed) until a restart replays the store.
    poisoned: std::sync::atomic::AtomicBool,
    /// `CommitState::durable_seq`, readable without the lock (trimming the in-memory audit).
    durable: std::sync::atomic::AtomicI64,
    /// Commit rounds written, and the microseconds their store writes took.
    rounds: std::sync::atomic::AtomicU64,
    round_us: std::sync::atomic::AtomicU64,
}

/// Group-commit counters ([`Engine::journal_stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JournalStats {
    /// Journaled operations.
    pub entries: i64,
    /// Commit rounds (store transactions) written.
    pub rounds: u64,
    /// Microseconds spent in the store's writes, over all rounds.
    pub write_us: u64,
}

#[derive(Default)]
struct CommitState {
    pending: Vec<JournalEntry>,
    durable_seq: i64,
    closed: bool,
    /// A commit round is writing a batch (only one at a time: batches land in seq order).
    committing: bool,
    /// Asynchronous waiters: each is woken once, when its entry is durable (or the store
    /// failed), or to lead the next commit round — no broadcast to every waiter.
    waiters: Vec<(i64, tokio::sync::oneshot::Sender<Wake>)>,
    /// Synchronous callers blocked in `wait_durable` (the `committed` condvar is signalled only
    /// when there are some: a notify is a system call even with nobody waiting).
    sync_waiters: usize,
}

/// What an asynchronous waiter is woken with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    /// Its entry is durable.
    Durable,
    /// The store failed.
    Failed,
    /// Its entry is still pending and nobody is committing: it leads the next round.
    Lead,
}

/// How long the fallback committer waits before writing entries nobody is waiting for (their
/// callers went away); callers normally commit their own batches (leader commit).
const FALLBACK_COMMIT: Duration = Duration::from_millis(5);

type CommitGuard<'a> = MutexGuard<'a, CommitState>;

impl Journal {
    fn state(&self) -> CommitGuard<'_> {
        self.commit.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One commit round, run by whichever caller finds entries pending and nobody committing
    /// (the leader; group commit without a hand-off to another thread): writes everything
    /// pending as one batch, then wakes the waiters it made durable. While it writes, the next
    /// batch accumulates, so the batch size follows the load.
    fn commit_round<'a>(&'a self, mut c: CommitGuard<'a>) -> CommitGuard<'a> {
        debug_assert!(!c.committing);
        c.committing = true;
        let batch = std::mem::take(&mut c.pending);
        drop(c);
        let t = std::time::Instant::now();
        let r = if self.poisoned.load(Ordering::SeqCst) {
            Err(Error::new(ErrorCode::GuardianUnavailable, "poisoned"))
        } else {
            self.store.append_batch(&batch)
        };
        self.rounds.fetch_add(1, Ordering::Relaxed);
        self.round_us
            .fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
        let mut c = self.state();
        c.committing = false;
        let ok = r.is_ok();
        match r {
            Ok(()) => {
                if let Some(last) = batch.last() {
                    c.durable_seq = c.durable_seq.max(last.seq);
                    self.durable.store(c.durable_seq, Ordering::SeqCst);
                }
            }
            Err(_) => self.poisoned.store(true, Ordering::SeqCst),
        }
        let durable = c.durable_seq;
        let mut i = 0;
        while i < c.waiters.len() {
            if !ok || c.waiters[i].0 <= durable {
                let (_, tx) = c.waiters.swap_remove(i);
                let _ = tx.send(if ok { Wake::Durable } else { Wake::Failed });
            } else {
                i += 1;
            }
        }
        self.hand_off(&mut c);
        if c.sync_waiters > 0 {
            self.committed.notify_all();
        }
        c
    }

    /// Entries are pending and nobody commits: wake one asynchronous waiter to lead, or the
    /// fallback committer when none is left.
    fn hand_off(&self, c: &mut CommitState) {
        if c.pending.is_empty() || c.committing {
            return;
        }
        while let Some((_, tx)) = c.waiters.pop() {
            if tx.send(Wake::Lead).is_ok() {
                return;
            }
        }
        self.work.notify_one();
    }

    /// The fallback committer thread: commits entries whose callers went away (a cancelled
    /// request) and drains the queue when the engine closes.
    fn run_committer(self: Arc<Journal>) {
        let mut c = self.state();
        loop {
            if !c.pending.is_empty() && !c.committing {
                c = self.commit_round(c);
                continue;
            }
            if c.closed && c.pending.is_empty() && !c.committing {
                return;
            }
            c = self
                .work
                .wait_timeout(c, FALLBACK_COMMIT)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn refused() -> Error {
        Error::new(
            ErrorCode::GuardianUnavailable,
            "the store refused the write; restart to recover",
        )
    }

    /// Blocks until `seq` is durable (or the store failed), leading commit rounds when nobody
    /// else is.
    fn wait_durable(&self, seq: i64) -> Result<()> {
        let mut c = self.state();
        loop {
            if c.durable_seq >= seq {
                return Ok(());
            }
            if self.poisoned.load(Ordering::SeqCst) {
                return Err(Journal::refused());
            }
            if !c.committing && !c.pending.is_empty() {
                c = self.commit_round(c);
                continue;
            }
            c.sync_waiters += 1;
            c = self
                .committed
                .wait_timeout(c, FALLBACK_COMMIT)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            c.sync_waiters -= 1;
        }
    }

    /// Waits asynchronously until `seq` is durable (or the store failed). The caller leads a
    /// commit round itself when nobody is committing (on its own worker thread: a write is a
    /// few hundred microseconds of SQLite, cheaper than two thread wake-ups per batch).
    async fn wait_durable_async(&self, seq: i64) -> Result<()> {
        enum Step<'a> {
            Done(Result<()>),
            Lead,
            Wait(LeadOnDrop<'a>),
        }
        loop {
            // No lock guard lives across an await (the future stays Send).
            let step = {
                let mut c = self.state();
                if c.durable_seq >= seq {
                    Step::Done(Ok(()))
                } else if self.poisoned.load(Ordering::SeqCst) {
                    Step::Done(Err(Journal::refused()))
                } else if !c.committing && !c.pending.is_empty() {
                    c.committing = true;
                    Step::Lead
                } else {
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    c.waiters.push((seq, tx));
                    Step::Wait(LeadOnDrop { journal: self, rx })
                }
            };
            match step {
                Step::Done(r) => return r,
                Step::Lead => {
                    // Elected: let the other ready requests of this worker queue their
                    // entries first, so one round (one WAL append) carries them all.
                    let elected = Elected(Some(self));
                    tokio::task::yield_now().await;
                    elected.disarm();
                    let mut c = self.state();
                    c.committing = false;
                    drop(self.commit_round(c));
                }
                Step::Wait(w) => match w.into_waiting().await {
                    Ok(Wake::Durable) => return Ok(()),
                    Ok(Wake::Failed) => return Err(Journal::refused()),
                    // Lead (or a dropped sender): look again.
                    Ok(Wake::Lead) | Err(_) => continue,
                },
            }
        }
    }
}

/// An elected leader that has not started its round yet: dropped (the request was cancelled),
/// it gives the role back.
struct Elected<'a>(Option<&'a Journal>);

impl Elected<'_> {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for Elected<'_> {
    fn drop(&mut self) {
        if let Some(j) = self.0.take() {
            let mut c = j.state();
            c.committing = false;
            j.hand_off(&mut c);
        }
    }
}

/// A waiter's receiver: if the waiting future is dropped after being chosen to lead, it passes
/// the role on, so pending entries are not left to the fallback committer.
struct LeadOnDrop<'a> {
    journal: &'a Journal,
    rx: tokio::sync::oneshot::Receiver<Wake>,
}

impl<'a> LeadOnDrop<'a> {
    fn into_waiting(self) -> Waiting<'a> {
        Waiting(Some(self))
    }
}

struct Waiting<'a>(Option<LeadOnDrop<'a>>);

impl std::future::Future for Waiting<'_> {
    type Output = std::result::Result<Wake, tokio::sync::oneshot::error::RecvError>;
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.get_mut();
        let Some(w) = this.0.as_mut() else {
            return std::task::Poll::Pending;
        };
        match std::pin::Pin::new(&mut w.rx).poll(cx) {
            std::task::Poll::Ready(r) => {
                this.0 = None;
                std::task::Poll::Ready(r)
            }
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Some(mut w) = self.0.take() {
            w.rx.close();
            if let Ok(Wake::Lead) = w.rx.try_recv() {
                let mut c = w.journal.state();
                w.journal.hand_off(&mut c);
            }
        }
    }
}

struct Chain {
    /// Root → leaf.
    links: Vec<Arc<Delegation>>,
}

impl Engine {
    /// A new engine with its own Ed25519 signing key.
    pub fn new(cfg: EngineConfig, clock: Arc<dyn Clock>) -> Result<Engine> {
        let mut rng = match cfg.seed {
            Some(s) => SplitMix::new(s),
            None => SplitMix::from_os(),
        };
        let mut seed = [0u8; 32];
        for chunk in seed.chunks_mut(8) {
            chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        let sk = ed25519_dalek::SigningKey::from_bytes(&seed);
        let jwk = Json::Obj(vec![
            ("kty".into(), "OKP".into()),
            ("crv".into(), "Ed25519".into()),
            (
                "x".into(),
                crate::b64::encode(sk.verifying_key().as_bytes()).into(),
            ),
            ("d".into(), crate::b64::encode(&seed).into()),
            (
                "kid".into(),
                format!(
                    "warden-{}",
                    &crate::b64::encode(&sk.verifying_key().as_bytes()[..6])
                )
                .into(),
            ),
        ]);
        let key = Key::from_jwk_value(&jwk)?;
        let mut o = VerifierOptions::new(vec![Alg::EdDSA]);
        o.audience = cfg.audience.clone();
        o.issuer = Some(cfg.issuer.clone());
        o.leeway_seconds = 0;
        o.max_lifetime_seconds = 604_800;
        let verifier = Verifier::new(KeySet::from(key.public_key()), o)?;
        Ok(Engine {
            cfg,
            clock,
            key,
            verifier,
            ids: Mutex::new(UlidGen::new(rng)),
            st: Mutex::new(State::default()),
            decided: Condvar::new(),
            journal: None,
            audit_memory: None,
            forks: Default::default(),
        })
    }

    /// An engine whose state lives in `store`: the first open records the configuration and a
    /// fresh random seed (the signing key and ids derive from it); later opens replay the journal
    /// and must be given the same configuration (`CONFLICT` otherwise).
    pub fn open(cfg: EngineConfig, clock: Arc<dyn Clock>, store: Arc<dyn Store>) -> Result<Engine> {
        let cfg_text = cfg.to_json().to_compact();
        match store.meta_get("engine_config")? {
            Some(stored) if stored != cfg_text => {
                return Err(err(
                    ErrorCode::Conflict,
                    "config_mismatch",
                    format!(
                        "this store was created with engine configuration {stored}; got {cfg_text}"
                    ),
                ))
            }
            Some(_) => {}
            None => store.meta_set("engine_config", &cfg_text)?,
        }
        let seed = match store.meta_get("engine_seed")? {
            Some(s) => s
                .parse::<u64>()
                .map_err(|_| Error::new(ErrorCode::Internal, "corrupt engine_seed in store"))?,
            None => {
                let s = SplitMix::from_os().next_u64();
                store.meta_set("engine_seed", &s.to_string())?;
                s
            }
        };
        let mut engine = Engine::new(
            EngineConfig {
                seed: Some(seed),
                ..cfg
            },
            clock,
        )?;
        engine.audit_memory = store.audit_memory();
        // Events the store lacks (a database from before it kept the audit log) are written
        // as replay regenerates them.
        let tails: HashMap<String, i64> = if engine.audit_memory.is_some() {
            store.audit_tails()?.into_iter().collect()
        } else {
            HashMap::new()
        };
        let mut backfill: Vec<AuditRecord> = Vec::new();
        let mut last = 0i64;
        take_audit_out();
        store.load(&mut |e: JournalEntry| {
            if e.seq != last + 1 {
                return Err(Error::new(
                    ErrorCode::Internal,
                    format!("journal gap: entry {} after {last}", e.seq),
                ));
            }
            last = e.seq;
            let args = Json::parse(&e.args)
                .map_err(|_| Error::new(ErrorCode::Internal, "corrupt journal entry"))?;
            PINNED_NOW.with(|p| p.set(Some(e.at_ms)));
            ACTOR.with(|a| *a.borrow_mut() = e.actor.clone());
            let _ = engine.call(&e.op, &args);
            ACTOR.with(|a| *a.borrow_mut() = None);
            PINNED_NOW.with(|p| p.set(None));
            for r in take_audit_out() {
                if r.seq > tails.get(&r.workspace).copied().unwrap_or(0) {
                    backfill.push(r);
                }
            }
            if backfill.len() >= 1000 {
                store.audit_backfill(&backfill)?;
                backfill.clear();
            }
            Ok(())
        })?;
        if !backfill.is_empty() {
            store.audit_backfill(&backfill)?;
        }
        let journal = Arc::new(Journal {
            store,
            writer: Mutex::new(last),
            commit: Mutex::new(CommitState {
                durable_seq: last,
                ..Default::default()
            }),
            work: Condvar::new(),
            committed: Condvar::new(),
            poisoned: Default::default(),
            durable: AtomicI64::new(last),
            rounds: Default::default(),
            round_us: Default::default(),
        });
        let j = journal.clone();
        std::thread::Builder::new()
            .name("warden-journal".into())
            .spawn(move || j.run_committer())
            .map_err(|e| Error::internal(format!("cannot start the journal committer: {e}")))?;
        engine.journal = Some(journal);
        Ok(engine)
    }

    /// The workspace of the agent, session, approval or delegation `id` (told apart by its
    /// prefix), read without building the object's JSON — the gateway's per-request workspace
    /// check. `None` when there is no such object.
    pub fn workspace_of(&self, id: &str) -> Option<String> {
        let st = self.lock();
        if id.starts_with(prefix::AGENT) {
            st.agents.get(id).map(|a| a.workspace.clone())
        } else if id.starts_with(prefix::SESSION) {
            st.sessions.get(id).map(|s| s.workspace.clone())
        } else if id.starts_with(prefix::APPROVAL) {
            st.approval_index
                .get(id)
                .and_then(|i| st.approvals.get(*i))
                .map(|a| a.workspace.clone())
        } else if id.starts_with(prefix::DELEGATION) {
            st.delegations.get(id).map(|d| d.workspace.clone())
        } else {
            None
        }
    }

    /// Group-commit counters since the engine opened (zeros without a store).
    pub fn journal_stats(&self) -> JournalStats {
        match &self.journal {
            Some(j) => JournalStats {
                entries: self.journal_len(),
                rounds: j.rounds.load(Ordering::Relaxed),
                write_us: j.round_us.load(Ordering::Relaxed),
            },
            None => JournalStats::default(),
        }
    }

    /// Number of journaled operations (0 without a store).
    pub fn journal_len(&self) -> i64 {
        self.journal
            .as_ref()
            .map(|j| *j.writer.lock().unwrap_or_else(|e| e.into_inner()))
            .unwrap_or(0)
    }

    /// Runs `f` as one journaled operation when the engine has a store: serialised with the
    /// other writes, on one pinned clock reading, and acknowledged only once durable.
    fn journaled<T>(
        &self,
        op: &str,
        args: impl FnOnce() -> String,
        f: impl FnOnce() -> T,
    ) -> Result<T> {
        let Some(j) = &self.journal else {
            return Ok(f());
        };
        let (out, seq) = self.execute_journaled(j, op, args, f)?;
        j.wait_durable(seq)?;
        Ok(out)
    }

    /// Runs the operation and queues its entry (under the writer lock, so journal order is
    /// execution order); returns the entry's `seq`. Not yet durable.
    fn execute_journaled<T>(
        &self,
        j: &Journal,
        op: &str,
        args: impl FnOnce() -> String,
        f: impl FnOnce() -> T,
    ) -> Result<(T, i64)> {
        let mut seq = j.writer.lock().unwrap_or_else(|e| e.into_inner());
        if j.poisoned.load(Ordering::SeqCst) {
            return Err(Journal::refused());
        }
        let now = self.clock.now_ms();
        PINNED_NOW.with(|p| p.set(Some(now)));
        CUR_JSEQ.with(|c| c.set(*seq + 1));
        take_audit_out();
        let out = f();
        CUR_JSEQ.with(|c| c.set(0));
        PINNED_NOW.with(|p| p.set(None));
        *seq += 1;
        let mut entry =
            JournalEntry::new(*seq, now, op, args(), ACTOR.with(|a| a.borrow().clone()));
        entry.audit = take_audit_out();
        // The caller commits it (`wait_durable*`), or joins the round in progress.
        j.state().pending.push(entry);
        Ok((out, *seq))
    }

    /// [`Engine::call`] for async servers: a write runs at once, and its answer waits —
    /// without blocking the thread — until its journal entry is durable (group commit).
    pub async fn call_async(&self, op: &str, args: &Json) -> Result<Json> {
        self.call_async_as(None, op, args).await
    }

    /// [`Engine::call_async`] on behalf of `actor` (the gateway's API key id), which the audit
    /// events of the operation record instead of `local` (SEMANTICS-engine §14).
    pub async fn call_async_as(&self, actor: Option<&str>, op: &str, args: &Json) -> Result<Json> {
        let set = |v: Option<&str>| ACTOR.with(|a| *a.borrow_mut() = v.map(str::to_string));
        match &self.journal {
            Some(j) if super::store::is_write(op) => {
                set(actor);
                let r = self.execute_journaled(
                    j,
                    op,
                    || args.to_compact(),
                    || crate::error::catch_panic(|| self.call_inner(op, args)),
                );
                set(None);
                let (r, seq) = r?;
                j.wait_durable_async(seq).await?;
                r
            }
            _ => {
                set(actor);
                let r = self.call(op, args);
                set(None);
                r
            }
        }
    }

    /// An engine on the system clock with the default configuration.
    pub fn local() -> Result<Engine> {
        Engine::new(EngineConfig::default(), Arc::new(SystemClock))
    }

    /// A randomness source for a client-side component (a guard's local ids): drawn from the
    /// engine's seeded generator when the engine is seeded, from the OS otherwise.
    pub fn fork_rng(&self) -> SplitMix {
        match self.cfg.seed {
            // Derived from the seed and a fork counter, never from the id generator, so forks do
            // not change the engine's own id sequence (journal replay stays exact).
            Some(seed) => {
                let n = self.forks.fetch_add(1, Ordering::Relaxed) + 1;
                SplitMix::new(fork_seed(seed, n))
            }
            None => SplitMix::from_os(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &EngineConfig {
        &self.cfg
    }

    /// The public JWKS of the engine's signing key.
    pub fn jwks(&self) -> String {
        KeySet::from(self.key.public_key()).to_public_jwks()
    }

    /// Now (ms): the pinned reading inside a journaled operation, the clock otherwise.
    pub fn now_ms(&self) -> i64 {
        PINNED_NOW
            .with(|p| p.get())
            .unwrap_or_else(|| self.clock.now_ms())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.st.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn new_id(&self, p: &str, now: i64) -> String {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .id(p, now.max(0) as u64)
    }

    #[allow(clippy::too_many_arguments)]
    fn audit(
        &self,
        st: &mut State,
        now: i64,
        workspace: &str,
        kind: &str,
        actor: &str,
        subject: &str,
        detail: impl Into<super::audit::Detail>,
    ) {
        let id = self.new_id(prefix::EVENT, now);
        let chain = st.audit.entry(workspace.to_string()).or_default();
        let jseq = CUR_JSEQ.with(|c| c.get());
        let gw;
        let actor = if actor == "local" {
            // The gateway's caller (its API key id), when the operation runs for one.
            gw = ACTOR.with(|a| a.borrow().clone());
            gw.as_deref().unwrap_or("local")
        } else {
            actor
        };
        let keep = self.audit_memory;
        let (e, line) =
            chain.append_journaled(id, now, kind, actor, subject, detail, jseq, keep.is_some());
        let (Some(keep), Some(line)) = (keep, line) else {
            return;
        };
        let record = AuditRecord {
            workspace: workspace.to_string(),
            seq: e.seq,
            line,
        };
        AUDIT_OUT.with(|a| a.borrow_mut().push(record));
        let durable = match &self.journal {
            // Replay: the store has every event (or gets it from the backfill in `open`).
            None => i64::MAX,
            Some(j) => {
                if jseq == 0 {
                    // Written outside a journaled operation: stored at once.
                    if j.store.audit_backfill(&take_audit_out()).is_err() {
                        j.poisoned.store(true, Ordering::SeqCst);
                        return;
                    }
                }
                j.durable.load(Ordering::SeqCst)
            }
        };
        // Trimmed in steps, so the deque is not touched on every event.
        if chain.events.len() > keep + keep / 8 + 1 {
            chain.trim(keep, durable);
        }
    }

    // ------------------------------------------------------------------ lookups

    fn agent<'a>(st: &'a State, id: &str) -> Result<&'a Agent> {
        check_id(id, prefix::AGENT, "agent_id")?;
        st.agents
            .get(id)
            .map(|a| &**a)
            .ok_or_else(|| err(ErrorCode::NotFound, "agent_not_found", "no such agent"))
    }

    fn active_agent<'a>(st: &'a State, id: &str) -> Result<&'a Agent> {
        let a = Engine::agent(st, id)?;
        if !a.active() {
            return Err(err(
                ErrorCode::AgentRevoked,
                "agent_revoked",
                "the agent is revoked",
            ));
        }
        Ok(a)
    }

    fn chain(st: &State, leaf: Option<&str>) -> Chain {
        let mut links = Vec::new();
        let mut cur = leaf.map(str::to_string);
        while let Some(id) = cur {
            match st.delegations.get(&id) {
                Some(d) => {
                    cur = d.parent_delegation_id.clone();
                    links.push(d.clone());
                }
                None => break,
            }
        }
        links.reverse();
        Chain { links }
    }

    /// §9 step 4 over a chain.
    fn check_chain(st: &State, chain: &Chain, now: i64) -> Result<()> {
        for d in &chain.links {
            if !st.agents.get(&d.from_agent_id).is_some_and(|a| a.active()) {
                return Err(err(
                    ErrorCode::AgentRevoked,
                    "delegator_revoked",
                    "a delegator in the chain is revoked",
                ));
            }
            if d.revoked_at.is_some() {
                return Err(err(
                    ErrorCode::DelegationRevoked,
                    "delegation_revoked",
                    "a delegation in the chain is revoked",
                ));
            }
            if now >= d.expires_at {
                return Err(err(
                    ErrorCode::DelegationExpired,
                    "delegation_expired",
                    "a delegation in the chain is expired",
                ));
            }
        }
        Ok(())
    }

    fn session_open_check(
        s: &Session,
        agent_id: &str,
        now: i64,
        st: &State,
    ) -> std::result::Result<(), &'static str> {
        if s.agent_id != agent_id {
            return Err("session_agent_mismatch");
        }
        if s.closed_at.is_some() {
            return Err("session_closed");
        }
        if now >= s.expires_at {
            return Err("session_expired");
        }
        if s.token_jti
            .as_ref()
            .is_some_and(|j| st.revoked_jti.contains_key(j))
        {
            return Err("token_revoked");
        }
        Ok(())
    }

    // ------------------------------------------------------------------ agents

    fn create_agent(&self, a: &Args) -> Result<Json> {
        let name = a.str("name")?;
        if !name_chars(name, 128) {
            return Err(Error::validation(
                "name must be 1-128 bytes of [A-Za-z0-9_.-]",
            ));
        }
        let workspace = a.opt_str("workspace")?.unwrap_or("default");
        check_workspace(workspace)?;
        let framework = a.opt_str("framework")?.unwrap_or("custom");
        if framework.is_empty()
            || framework.len() > 64
            || !framework.bytes().all(|b| (0x20..0x7f).contains(&b))
        {
            return Err(Error::validation(
                "framework must be 1-64 bytes of printable ASCII",
            ));
        }
        let caps = a.opt_strs("capabilities")?.unwrap_or_default();
        if caps.len() > 64 {
            return Err(Error::validation("capabilities holds at most 64 patterns"));
        }
        if caps.iter().any(|p| !is_valid_pattern(p)) {
            return Err(Error::new(
                ErrorCode::InvalidScope,
                "capabilities: invalid pattern",
            ));
        }
        let metadata = a.opt_str_map("metadata")?.unwrap_or_default();
        if metadata.len() > 64
            || metadata
                .iter()
                .any(|(k, v)| !name_chars(k, 64) || v.len() > 1024)
        {
            return Err(Error::validation("metadata: at most 64 entries, keys 1-64 bytes of [A-Za-z0-9_.-], values <= 1024 bytes"));
        }
        let rate = a.opt_str_map("rate")?.unwrap_or_default();
        check_rate_map(&rate)?;
        let enforcement = a.opt_str("enforcement")?.unwrap_or("strict");
        if enforcement != "strict" && enforcement != "monitoring" {
            return Err(Error::validation(
                "enforcement must be strict or monitoring",
            ));
        }
        let public_key = match a.opt_str("public_key")? {
            None => None,
            Some(pk) => {
                let bytes = crate::b64::decode(pk.as_bytes()).map_err(|_| {
                    Error::invalid_key("public_key must be 32 bytes of base64url without padding")
                })?;
                let jwk = Json::Obj(vec![
                    ("kty".into(), "OKP".into()),
                    ("crv".into(), "Ed25519".into()),
                    ("x".into(), crate::b64::encode(&bytes).into()),
                ]);
                Key::from_jwk_value(&jwk)?;
                Some(pk.to_string())
            }
        };
        let now = self.now_ms();
        let mut st = self.lock();
        if st
            .agents
            .values()
            .any(|x| x.workspace == workspace && x.name == name && x.active())
        {
            return Err(err(
                ErrorCode::Conflict,
                "duplicate_name",
                "an active agent of this workspace has that name",
            ));
        }
        if let Some(pk) = &public_key {
            if st.bound_keys.contains_key(pk) {
                return Err(err(
                    ErrorCode::Conflict,
                    "duplicate_key",
                    "that public key is bound to another agent",
                ));
            }
        }
        let agent = Agent {
            agent_id: self.new_id(prefix::AGENT, now),
            name: name.into(),
            workspace: workspace.into(),
            framework: framework.into(),
            capabilities: dedup(caps),
            metadata,
            rate,
            enforcement: enforcement.into(),
            status: "active".into(),
            public_key: public_key.clone(),
            created_at: now,
            revoked_at: None,
            revoke_reason: None,
        };
        if let Some(pk) = public_key {
            st.bound_keys.insert(pk, agent.agent_id.clone());
        }
        let detail = obj(vec![
            ("agent_id", agent.agent_id.clone().into()),
            ("name", agent.name.clone().into()),
            ("capabilities", str_list(&agent.capabilities)),
        ]);
        self.audit(
            &mut st,
            now,
            workspace,
            "agent.created",
            "local",
            &agent.agent_id,
            detail,
        );
        st.agent_order.push(agent.agent_id.clone());
        st.agents
            .insert(agent.agent_id.clone(), Arc::new(agent.clone()));
        Ok(agent.to_json())
    }

    fn revoke_agent(&self, a: &Args) -> Result<Json> {
        let id = a.str("agent_id")?;
        let reason = a.opt_str("reason")?.unwrap_or("manual_revocation");
        if !no_control(reason, 256) {
            return Err(Error::validation("reason must be 1-256 characters"));
        }
        let now = self.now_ms();
        let mut st = self.lock();
        let agent = Engine::agent(&st, id)?.clone();
        if !agent.active() {
            return Ok(agent.to_json());
        }
        let ws = agent.workspace.clone();
        {
            let ag = Arc::make_mut(st.agents.get_mut(id).expect("exists"));
            ag.status = "revoked".into();
            ag.revoked_at = Some(now);
            ag.revoke_reason = Some(reason.into());
        }
        self.audit(
            &mut st,
            now,
            &ws,
            "agent.revoked",
            "local",
            id,
            obj(vec![("agent_id", id.into()), ("reason", reason.into())]),
        );
        let open: Vec<String> = st
            .sessions
            .values()
            .filter(|s| s.agent_id == id && s.status(now) == "open")
            .map(|s| s.session_id.clone())
            .collect();
        for sid in open {
            if let Some(s) = st.sessions.get_mut(&sid).map(Arc::make_mut) {
                s.closed_at = Some(now);
            }
            self.audit(
                &mut st,
                now,
                &ws,
                "session.closed",
                "local",
                &sid,
                obj(vec![
                    ("agent_id", id.into()),
                    ("session_id", sid.clone().into()),
                    ("reason", "agent_revoked".into()),
                ]),
            );
        }
        Ok(st.agents[id].to_json())
    }

    fn set_enforcement(&self, a: &Args) -> Result<Json> {
        let id = a.str("agent_id")?;
        let e = a.str("enforcement")?;
        if e != "strict" && e != "monitoring" {
            return Err(Error::validation(
                "enforcement must be strict or monitoring",
            ));
        }
        let now = self.now_ms();
        let mut st = self.lock();
        let ws = Engine::active_agent(&st, id)?.workspace.clone();
        Arc::make_mut(st.agents.get_mut(id).expect("exists")).enforcement = e.into();
        self.audit(
            &mut st,
            now,
            &ws,
            "agent.enforcement_changed",
            "local",
            id,
            obj(vec![("agent_id", id.into()), ("enforcement", e.into())]),
        );
        Ok(st.agents[id].to_json())
    }

    // ------------------------------------------------------------------ tokens

    fn sign(&self, members: Vec<(String, Json)>) -> Result<String> {
        token::issue(&self.key, &Claims::from_json(Json::Obj(members))?, None)
    }

    fn issue_token(&self, a: &Args) -> Result<Json> {
        let agent_id = a.str("agent_id")?;
        check_id(agent_id, prefix::AGENT, "agent_id")?;
        let scopes = a.opt_strs("scopes")?.unwrap_or_default();
        let ttl = a
            .opt_int("ttl_seconds")?
            .unwrap_or(self.cfg.token_ttl_seconds);
        if !(1..=86400).contains(&ttl) {
            return Err(Error::validation("ttl_seconds must be in 1..86400"));
        }
        check_patterns(&scopes, "scopes")?;
        if !scope::is_valid_scope(&scopes.join(" ")) {
            return Err(Error::new(
                ErrorCode::InvalidScope,
                "scopes do not form a valid scope claim",
            ));
        }
        let session_id = a.opt_str("session_id")?;
        if let Some(s) = session_id {
            check_id(s, prefix::SESSION, "session_id")?;
        }
        let rate = a.opt_str_map("rate")?.unwrap_or_default();
        check_rate_map(&rate)?;
        let now = self.now_ms();
        let mut st = self.lock();
        let agent = Engine::active_agent(&st, agent_id)?.clone();
        if let Some(p) = scopes.iter().find(|p| !covers(&agent.capabilities, p)) {
            return Err(err(
                ErrorCode::ScopeDenied,
                "scope_not_covered",
                format!("scope {p:?} is not covered by the agent's capabilities"),
            ));
        }
        if let Some(sid) = session_id {
            let s = st
                .sessions
                .get(sid)
                .filter(|s| s.workspace == agent.workspace)
                .ok_or_else(|| {
                    err(
                        ErrorCode::SessionClosed,
                        "session_not_found",
                        "no such session",
                    )
                })?;
            Engine::session_open_check(s, agent_id, now, &st)
                .map_err(|r| err(ErrorCode::SessionClosed, r, "the session is not usable"))?;
        }
        let iat = now.div_euclid(1000);
        let jti = self.new_id(prefix::TOKEN, now);
        let mut m: Vec<(String, Json)> = vec![
            ("iss".into(), self.cfg.issuer.clone().into()),
            ("sub".into(), agent_id.into()),
            ("aud".into(), self.cfg.audience.clone().into()),
            ("iat".into(), Json::Int(iat)),
            ("exp".into(), Json::Int(iat + ttl)),
            ("jti".into(), jti.clone().into()),
            ("scope".into(), scopes.join(" ").into()),
        ];
        if let Some(s) = session_id {
            m.push(("sid".into(), s.into()));
        }
        if !rate.is_empty() {
            m.push((
                "ati".into(),
                obj(vec![("v", Json::Int(1)), ("rate", pairs(&rate))]),
            ));
        }
        let tok = self.sign(m)?;
        let issued = IssuedToken {
            token: tok,
            jti: jti.clone(),
            agent_id: agent_id.into(),
            scopes: scopes.clone(),
            session_id: session_id.map(str::to_string),
            issued_at: iat * 1000,
            expires_at: (iat + ttl) * 1000,
        };
        let mut detail = vec![
            ("agent_id", Json::from(agent_id)),
            ("jti", jti.clone().into()),
            ("scopes", str_list(&scopes)),
            ("expires_at", Json::Int(issued.expires_at)),
        ];
        if let Some(s) = session_id {
            detail.push(("session_id", s.into()));
        }
        self.audit(
            &mut st,
            now,
            &agent.workspace,
            "token.issued",
            "local",
            &jti,
            obj(detail),
        );
        Ok(issued.to_json())
    }

    /// Introspection (§3): `Ok((active-json, claims))`; never fails for a bad token.
    fn introspect_locked(
        &self,
        st: &State,
        token: &str,
        required: &[String],
        now: i64,
    ) -> (Json, Option<Claims>) {
        let inactive = |reason: &str| {
            (
                obj(vec![
                    ("active", Json::Bool(false)),
                    ("reason", reason.into()),
                ]),
                None,
            )
        };
        let claims = match self
            .verifier
            .verify_at(token.as_bytes(), Some(now.div_euclid(1000)))
        {
            Ok(c) => c,
            Err(e) => {
                return match e.code() {
                    ErrorCode::TokenExpired => inactive("expired"),
                    ErrorCode::TokenNotYetValid => inactive("not_yet_valid"),
                    _ => inactive(e.reason().unwrap_or("malformed")),
                }
            }
        };
        let jti = claims.jti().unwrap_or_default().to_string();
        if st.revoked_jti.contains_key(&jti) {
            return inactive("revoked");
        }
        let dlg = claims.get("dlg").and_then(Json::as_str).map(str::to_string);
        let actor = match (
            &dlg,
            claims
                .get("act")
                .and_then(|a| a.get("sub"))
                .and_then(Json::as_str),
        ) {
            (Some(_), Some(a)) => a.to_string(),
            _ => claims.sub().unwrap_or_default().to_string(),
        };
        if !st.agents.get(&actor).is_some_and(|a| a.active()) {
            return inactive("agent_revoked");
        }
        if let Some(d) = &dlg {
            let chain = Engine::chain(st, Some(d));
            if chain.links.is_empty() {
                return inactive("delegation_revoked");
            }
            if let Err(e) = Engine::check_chain(st, &chain, now) {
                return inactive(match e.code() {
                    ErrorCode::AgentRevoked => "delegator_revoked",
                    ErrorCode::DelegationRevoked => "delegation_revoked",
                    _ => "delegation_expired",
                });
            }
        }
        let scopes = claims.scopes();
        if required
            .iter()
            .any(|r| !scopes.iter().any(|p| allows(p, r)))
        {
            return inactive("insufficient_scope");
        }
        let j = obj(vec![
            ("active", Json::Bool(true)),
            ("sub", claims.sub().unwrap_or_default().into()),
            ("scopes", str_list(&scopes)),
            ("exp", opt_int(claims.exp())),
            ("act", claims.get("act").cloned().unwrap_or(Json::Null)),
            ("delegation_id", opt_str(&dlg)),
            ("jti", jti.into()),
            ("reason", "ok".into()),
        ]);
        (j, Some(claims))
    }

    fn introspect_token(&self, a: &Args) -> Result<Json> {
        let token = a.str("token")?;
        let required = a.opt_strs("required_scopes")?.unwrap_or_default();
        if let Some(r) = required.iter().find(|r| !is_concrete(r)) {
            return Err(Error::new(
                ErrorCode::InvalidScope,
                format!(
                    "required scope {:?} is not concrete",
                    crate::rate::truncate(r)
                ),
            ));
        }
        let now = self.now_ms();
        let st = self.lock();
        Ok(self.introspect_locked(&st, token, &required, now).0)
    }

    fn revoke_token(&self, a: &Args) -> Result<Json> {
        let token = a.str("token")?;
        let peek = token::inspect(token.as_bytes())?;
        let iat = peek.iat().unwrap_or(0);
        let claims = self
            .verifier
            .verify_at(token.as_bytes(), Some(iat))
            .map_err(|e| match e.code() {
                ErrorCode::InvalidToken => e,
                _ => Error::invalid_token("malformed", e.message().to_string()),
            })?;
        let jti = claims.jti().unwrap_or_default().to_string();
        let now = self.now_ms();
        let mut st = self.lock();
        let out = obj(vec![
            ("jti", jti.clone().into()),
            ("revoked", Json::Bool(true)),
        ]);
        if st.revoked_jti.contains_key(&jti) {
            return Ok(out);
        }
        st.revoked_jti
            .insert(jti.clone(), claims.exp().unwrap_or(0));
        let ws = claims
            .sub()
            .and_then(|s| st.agents.get(s))
            .map(|a| a.workspace.clone())
            .unwrap_or_else(|| "default".into());
        self.audit(
            &mut st,
            now,
            &ws,
            "token.revoked",
            "local",
            &jti,
            obj(vec![
                ("agent_id", claims.sub().unwrap_or_default().into()),
                ("jti", jti.clone().into()),
            ]),
        );
        Ok(out)
    }

    // ------------------------------------------------------------------ sessions

    fn session_args(
        &self,
        a: &Args,
        default_server: Option<&str>,
    ) -> Result<(String, String, i64)> {
        let server_id = match a.opt_str("server_id")? {
            Some(s) => s.to_string(),
            None => default_server
                .map(str::to_string)
                .ok_or_else(|| Error::validation("server_id is required"))?,
        };
        if server_id.is_empty()
            || server_id.len() > 256
            || !server_id.bytes().all(|b| (0x21..=0x7e).contains(&b))
        {
            return Err(Error::validation(
                "server_id must be 1-256 bytes of printable ASCII without spaces",
            ));
        }
        let mode = a.opt_str("mode")?.unwrap_or("open");
        if !matches!(mode, "open" | "restricted" | "supervised") {
            return Err(Error::validation(
                "mode must be open, restricted or supervised",
            ));
        }
        let ttl = match a.opt_int("ttl_seconds")? {
            None => self.cfg.session_ttl_seconds,
            Some(t) if (1..=86400).contains(&t) => t,
            Some(_) => return Err(Error::validation("ttl_seconds must be in 1..86400")),
        };
        Ok((server_id, mode.to_string(), ttl))
    }

    fn open_session(&self, st: &mut State, now: i64, mut s: Session) -> Json {
        s.session_id = self.new_id(prefix::SESSION, now);
        let detail = obj(vec![
            ("agent_id", s.agent_id.clone().into()),
            ("session_id", s.session_id.clone().into()),
            ("mode", s.mode.clone().into()),
            ("source", s.source.clone().into()),
        ]);
        self.audit(
            st,
            now,
            &s.workspace.clone(),
            "session.opened",
            "local",
            &s.session_id.clone(),
            detail,
        );
        let j = s.to_json(now);
        st.sessions.insert(s.session_id.clone(), Arc::new(s));
        j
    }

    fn blank_session(
        workspace: &str,
        agent_id: &str,
        server_id: String,
        mode: String,
        now: i64,
        expires_at: i64,
        source: &str,
    ) -> Session {
        Session {
            session_id: String::new(),
            workspace: workspace.into(),
            agent_id: agent_id.into(),
            server_id,
            mode,
            scope_ceiling: None,
            delegation_id: None,
            source: source.into(),
            token_jti: None,
            created_at: now,
            expires_at,
            closed_at: None,
            total_calls: 0,
            read_calls: 0,
            write_calls: 0,
            denied_calls: 0,
            elevated_calls: 0,
            token_rate: Arc::new(Vec::new()),
        }
    }

    fn init_session(&self, a: &Args) -> Result<Json> {
        let agent_id = a.str("agent_id")?;
        check_id(agent_id, prefix::AGENT, "agent_id")?;
        let (server_id, mode, ttl) = self.session_args(a, None)?;
        let ceiling = a.opt_strs("scope_ceiling")?;
        if let Some(c) = &ceiling {
            check_patterns(c, "scope_ceiling")?;
        }
        if mode == "restricted" && ceiling.is_none() {
            return Err(err(
                ErrorCode::ValidationError,
                "ceiling_required",
                "restricted mode needs a scope ceiling",
            ));
        }
        let now = self.now_ms();
        let mut st = self.lock();
        let ws = Engine::active_agent(&st, agent_id)?.workspace.clone();
        let mut s = Engine::blank_session(
            &ws,
            agent_id,
            server_id,
            mode,
            now,
            now + ttl * 1000,
            "direct",
        );
        s.scope_ceiling = ceiling.map(Arc::new);
        Ok(self.open_session(&mut st, now, s))
    }

    fn init_token_session(&self, a: &Args) -> Result<Json> {
        let token = a.str("token")?;
        let now = self.now_ms();
        let mut st = self.lock();
        let (intro, claims) = self.introspect_locked(&st, token, &[], now);
        let Some(claims) = claims else {
            let reason = intro
                .get("reason")
                .and_then(Json::as_str)
                .unwrap_or("malformed")
                .to_string();
            return Err(Error::with_reason(
                ErrorCode::AuthFailed,
                reason,
                "the token is not active",
            ));
        };
        let (server_id, mode, ttl) = self.session_args(a, claims.audience())?;
        let dlg = claims.get("dlg").and_then(Json::as_str).map(str::to_string);
        let actor = match &dlg {
            Some(_) => claims
                .get("act")
                .and_then(|x| x.get("sub"))
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string(),
            None => claims.sub().unwrap_or_default().to_string(),
        };
        let ws = Engine::active_agent(&st, &actor)?.workspace.clone();
        let exp_ms = claims.exp().unwrap_or(0) * 1000;
        let mut s = Engine::blank_session(
            &ws,
            &actor,
            server_id,
            mode,
            now,
            (now + ttl * 1000).min(exp_ms),
            "token",
        );
        s.scope_ceiling = Some(Arc::new(claims.scopes()));
        s.delegation_id = dlg;
        s.token_jti = claims.jti().map(str::to_string);
        s.token_rate = Arc::new(
            claims
                .ati()
                .and_then(|x| x.get("rate"))
                .and_then(Json::as_obj)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
        );
        Ok(self.open_session(&mut st, now, s))
    }

    fn init_delegation_session(&self, a: &Args) -> Result<Json> {
        let did = a.str("delegation_id")?;
        check_id(did, prefix::DELEGATION, "delegation_id")?;
        let (server_id, mode, ttl) = self.session_args(a, Some("delegation"))?;
        let now = self.now_ms();
        let mut st = self.lock();
        let d = st.delegations.get(did).cloned().ok_or_else(|| {
            err(
                ErrorCode::NotFound,
                "delegation_not_found",
                "no such delegation",
            )
        })?;
        Engine::check_chain(&st, &Engine::chain(&st, Some(did)), now)?;
        Engine::active_agent(&st, &d.to_agent_id)?;
        let mut s = Engine::blank_session(
            &d.workspace,
            &d.to_agent_id,
            server_id,
            mode,
            now,
            now + ttl * 1000,
            "delegation",
        );
        s.scope_ceiling = Some(Arc::new(d.scopes.clone()));
        s.delegation_id = Some(did.into());
        Ok(self.open_session(&mut st, now, s))
    }

    fn get_session(&self, a: &Args) -> Result<Json> {
        let id = a.str("session_id")?;
        check_id(id, prefix::SESSION, "session_id")?;
        let st = self.lock();
        st.sessions
            .get(id)
            .map(|s| s.to_json(self.now_ms()))
            .ok_or_else(|| err(ErrorCode::NotFound, "session_not_found", "no such session"))
    }

    fn close_session(&self, a: &Args) -> Result<Json> {
        let id = a.str("session_id")?;
        check_id(id, prefix::SESSION, "session_id")?;
        let now = self.now_ms();
        let mut st = self.lock();
        let s = st
            .sessions
            .get(id)
            .cloned()
            .ok_or_else(|| err(ErrorCode::NotFound, "session_not_found", "no such session"))?;
        if s.status(now) == "closed" {
            return Ok(s.to_json(now));
        }
        Arc::make_mut(st.sessions.get_mut(id).expect("exists")).closed_at = Some(now);
        self.audit(
            &mut st,
            now,
            &s.workspace,
            "session.closed",
            "local",
            id,
            obj(vec![
                ("agent_id", s.agent_id.clone().into()),
                ("session_id", id.into()),
            ]),
        );
        Ok(st.sessions[id].to_json(now))
    }

    // ------------------------------------------------------------------ decisions

    /// `check(agent_id, session_id, tool, input_summary="", effect=None)` (§9).
    pub fn check(
        &self,
        agent_id: &str,
        session_id: &str,
        tool: &str,
        input_summary: &str,
        effect: Option<&str>,
    ) -> Decision {
        if self.journal.is_some() {
            let args =
                || check_args(agent_id, session_id, tool, input_summary, effect).to_compact();
            let r = self.journaled("check", args, || {
                self.check_unjournaled(agent_id, session_id, tool, input_summary, effect)
            });
            return r.unwrap_or_else(|e| Decision {
                check_id: String::new(),
                allowed: false,
                code: e.code().as_str().to_string(),
                reason: "store_unavailable".into(),
                enforced: true,
                source: "engine".into(),
                agent_id: agent_id.into(),
                session_id: session_id.into(),
                tool: tool.into(),
                effect: None,
                required_scope: None,
                matched_pattern: None,
                rule_id: None,
                approval_id: None,
                retry_after_ms: None,
                decided_at: self.clock.now_ms(),
            });
        }
        self.check_unjournaled(agent_id, session_id, tool, input_summary, effect)
    }

    fn check_unjournaled(
        &self,
        agent_id: &str,
        session_id: &str,
        tool: &str,
        input_summary: &str,
        effect: Option<&str>,
    ) -> Decision {
        let now = self.now_ms();
        let mut st = self.lock();
        self.check_locked(
            &mut st,
            now,
            agent_id,
            session_id,
            tool,
            input_summary,
            effect,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn check_locked(
        &self,
        st: &mut State,
        now: i64,
        agent_id: &str,
        session_id: &str,
        tool: &str,
        input_summary: &str,
        effect_arg: Option<&str>,
    ) -> Decision {
        let summary = truncate_code_points(input_summary, 200).to_string();
        let mut d = Decision {
            check_id: self.new_id(prefix::CHECK, now),
            allowed: false,
            code: String::new(),
            reason: String::new(),
            enforced: true,
            source: "engine".into(),
            agent_id: agent_id.into(),
            session_id: session_id.into(),
            tool: tool.into(),
            effect: None,
            required_scope: None,
            matched_pattern: None,
            rule_id: None,
            approval_id: None,
            retry_after_ms: None,
            decided_at: now,
        };
        let deny = |d: &mut Decision, code: ErrorCode, reason: &str| {
            d.code = code.as_str().into();
            d.reason = reason.into();
        };
        // Step 1.
        let step1 = check_id(agent_id, prefix::AGENT, "agent_id")
            .and_then(|_| check_id(session_id, prefix::SESSION, "session_id"))
            .and_then(|_| validate_tool(tool))
            .and_then(|_| effect_arg.map(Effect::parse).transpose())
            .and_then(|e| resolve_effect(tool, e));
        let effect = match step1 {
            Ok(e) => e,
            Err(e) => {
                deny(&mut d, e.code(), e.reason().unwrap_or("invalid"));
                self.record_decision(st, now, "default", &d, &[], None, false, &summary);
                return d;
            }
        };
        d.effect = Some(effect);
        let required = format!("tool:{tool}");
        d.required_scope = Some(required.clone());
        // Step 2.
        let Some(agent) = st.agents.get(agent_id).cloned() else {
            deny(&mut d, ErrorCode::NotFound, "agent_not_found");
            self.record_decision(st, now, "default", &d, &[], None, false, &summary);
            return d;
        };
        let ws = agent.workspace.clone();
        if !agent.active() {
            deny(&mut d, ErrorCode::AgentRevoked, "agent_revoked");
            self.record_decision(st, now, &ws, &d, &[], None, false, &summary);
            return d;
        }
        // Step 3.
        let session = match st.sessions.get(session_id).filter(|s| s.workspace == ws) {
            None => Err("session_not_found"),
            Some(s) => Engine::session_open_check(s, agent_id, now, st).map(|_| s.clone()),
        };
        let session = match session {
            Ok(s) => s,
            Err(r) => {
                deny(&mut d, ErrorCode::SessionClosed, r);
                self.record_decision(st, now, &ws, &d, &[], None, false, &summary);
                return d;
            }
        };
        // Step 4.
        let chain = Engine::chain(st, session.delegation_id.as_deref());
        let chain_ids: Vec<String> = chain
            .links
            .iter()
            .map(|l| l.delegation_id.clone())
            .collect();
        if let Err(e) = Engine::check_chain(st, &chain, now) {
            deny(&mut d, e.code(), e.reason().unwrap_or_default());
            let supervised = session.mode == "supervised";
            drop(session);
            self.record_decision(
                st,
                now,
                &ws,
                &d,
                &chain_ids,
                Some((session_id, supervised)),
                true,
                &summary,
            );
            return d;
        }
        // Enforcement (§13): monitoring only if the actor and every delegator are.
        let monitoring = !self.cfg.strict_mode
            && agent.enforcement == "monitoring"
            && chain.links.iter().all(|l| {
                st.agents
                    .get(&l.from_agent_id)
                    .is_some_and(|x| x.enforcement == "monitoring")
            });
        d.enforced = !monitoring;
        let authority = match chain.links.first() {
            Some(root) => st
                .agents
                .get(&root.from_agent_id)
                .cloned()
                .unwrap_or_else(|| agent.clone()),
            None => agent.clone(),
        };
        let outcome = self.decide_steps_5_to_10(
            st, now, &mut d, &authority, &session, &chain, effect, &required, &summary, monitoring,
        );
        if d.code == "ALLOW" {
            d.allowed = true;
            for key in outcome {
                st.rate_logs.entry(key).or_default().push(now);
            }
        }
        let supervised = session.mode == "supervised";
        drop(session);
        self.record_decision(
            st,
            now,
            &ws,
            &d,
            &chain_ids,
            Some((session_id, supervised)),
            true,
            &summary,
        );
        d
    }

    /// Steps 5–10; returns the rate logs to append to on an `ALLOW`.
    #[allow(clippy::too_many_arguments)]
    fn decide_steps_5_to_10(
        &self,
        st: &mut State,
        now: i64,
        d: &mut Decision,
        authority: &Agent,
        session: &Session,
        chain: &Chain,
        effect: Effect,
        required: &str,
        summary: &str,
        monitoring: bool,
    ) -> Vec<(String, String)> {
        let set = |d: &mut Decision, code: &str, reason: &str| {
            d.code = code.into();
            d.reason = reason.into();
        };
        // Step 5: every grant set allows the required scope.
        let ok = check_list(&authority.capabilities, required)
            && session
                .scope_ceiling
                .as_ref()
                .is_none_or(|c| check_list(c, required))
            && chain.links.iter().all(|l| check_list(&l.scopes, required));
        if !ok {
            set(d, "ACTION_DENIED", "scope_not_granted");
            return Vec::new();
        }
        let source: &[String] = match &session.scope_ceiling {
            Some(c) => c,
            None => &authority.capabilities,
        };
        d.matched_pattern = source.iter().find(|p| allows(p, required)).cloned();
        // Step 6.
        let ceiling = chain
            .links
            .iter()
            .map(|l| l.effect_ceiling)
            .min()
            .unwrap_or(Effect::Admin);
        if effect > ceiling {
            set(d, "ACTION_DENIED", "effect_ceiling");
            return Vec::new();
        }
        if session.mode == "restricted" && effect == Effect::Admin {
            set(d, "ACTION_DENIED", "mode_restricted");
            return Vec::new();
        }
        // Step 7: rate limits.
        let mut limits: Vec<((String, String), RateSpec)> = Vec::new();
        for (p, spec) in authority.rate.iter().chain(session.token_rate.iter()) {
            if allows(p, required) {
                if let Ok(r) = RateSpec::parse(spec) {
                    limits.push(((authority.agent_id.clone(), p.clone()), r));
                }
            }
        }
        for l in &chain.links {
            for (p, spec) in &l.rate {
                if allows(p, required) {
                    if let Ok(r) = RateSpec::parse(spec) {
                        limits.push(((l.delegation_id.clone(), p.clone()), r));
                    }
                }
            }
        }
        let mut retry: Option<i64> = None;
        for (key, r) in &limits {
            let w = r.window_ms() as i64;
            let n = r.count as usize;
            let log = st.rate_logs.get(key);
            let inwin: Vec<i64> = log
                .map(|l| l.iter().copied().filter(|t| *t > now - w).collect())
                .unwrap_or_default();
            if inwin.len() >= n {
                let ra = if n == 0 {
                    w
                } else {
                    inwin[inwin.len() - n] + w - now
                };
                retry = Some(retry.map_or(ra, |x: i64| x.max(ra)));
            }
        }
        if let Some(ra) = retry {
            set(d, "RATE_LIMITED", "rate_limit");
            d.retry_after_ms = Some(ra);
            return Vec::new();
        }
        let mut keys: Vec<(String, String)> = Vec::new();
        for (k, _) in limits {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        // Step 8: deny rules.
        let rules = st
            .policies
            .get(&session.workspace)
            .map(|p| p.1.clone())
            .unwrap_or_default();
        let applies = |r: &Rule| {
            allows(&r.pattern, required)
                && (r.effects.is_empty() || r.effects.contains(&effect))
                && (r.modes.is_empty() || r.modes.contains(&session.mode))
        };
        if let Some(r) = rules.iter().find(|r| r.action == "deny" && applies(r)) {
            set(d, "ACTION_DENIED", "policy");
            d.rule_id = Some(r.rule_id.clone());
            return Vec::new();
        }
        // Step 9: elevation.
        let elev_rule = rules
            .iter()
            .find(|r| r.action == "require_elevation" && applies(r));
        let needed =
            (session.mode == "supervised" && effect >= Effect::Destructive) || elev_rule.is_some();
        if needed {
            let reason = if elev_rule.is_some() {
                "policy_elevation"
            } else {
                "supervised_mode"
            };
            d.rule_id = elev_rule.map(|r| r.rule_id.clone());
            let tuple = |x: &Approval| {
                x.agent_id == d.agent_id
                    && x.session_id == d.session_id
                    && x.tool == d.tool
                    && x.effect == effect
            };
            if let Some(ap) = st.approvals.iter().rev().find(|x| {
                tuple(x)
                    && x.status == "approved"
                    && x.decided_at.is_some_and(|t| t <= now)
                    && x.window_expires_at.is_some_and(|w| now < w)
            }) {
                set(d, "ALLOW", "elevated");
                d.approval_id = Some(ap.approval_id.clone());
                return keys;
            }
            if let Some(ap) = st
                .approvals
                .iter()
                .rev()
                .find(|x| tuple(x) && x.status(now) == "pending")
            {
                set(d, "ELEVATION_REQUIRED", reason);
                d.approval_id = Some(ap.approval_id.clone());
                return Vec::new();
            }
            if let Some(ap) = st.approvals.iter().rev().find(|x| tuple(x)) {
                if ap.status == "denied"
                    && ap
                        .decided_at
                        .is_some_and(|t| now < t + self.cfg.denial_cooldown_seconds * 1000)
                {
                    set(d, "ACTION_DENIED", "approval_denied");
                    d.approval_id = Some(ap.approval_id.clone());
                    return Vec::new();
                }
            }
            set(d, "ELEVATION_REQUIRED", reason);
            if !monitoring {
                let ap = Approval {
                    approval_id: self.new_id(prefix::APPROVAL, now),
                    workspace: session.workspace.clone(),
                    agent_id: d.agent_id.clone(),
                    session_id: d.session_id.clone(),
                    tool: d.tool.clone(),
                    required_scope: required.into(),
                    effect,
                    reason: reason.into(),
                    rule_id: d.rule_id.clone(),
                    input_summary: summary.into(),
                    check_id: d.check_id.clone(),
                    status: "pending".into(),
                    created_at: now,
                    expires_at: now + self.cfg.approval_ttl_seconds * 1000,
                    decided_by: None,
                    decided_at: None,
                    note: None,
                    window_expires_at: None,
                };
                d.approval_id = Some(ap.approval_id.clone());
                let detail = obj(vec![
                    ("agent_id", ap.agent_id.clone().into()),
                    ("session_id", ap.session_id.clone().into()),
                    ("tool", ap.tool.clone().into()),
                    ("effect", effect.as_str().into()),
                    ("check_id", ap.check_id.clone().into()),
                ]);
                self.audit(
                    st,
                    now,
                    &session.workspace,
                    "approval.created",
                    &ap.agent_id.clone(),
                    &ap.approval_id.clone(),
                    detail,
                );
                st.approval_index
                    .insert(ap.approval_id.clone(), st.approvals.len());
                st.approvals.push(ap);
            }
            return Vec::new();
        }
        set(d, "ALLOW", "granted");
        keys
    }

    #[allow(clippy::too_many_arguments)]
    fn record_decision(
        &self,
        st: &mut State,
        now: i64,
        ws: &str,
        d: &Decision,
        chain: &[String],
        session: Option<(&str, bool)>,
        passed_step3: bool,
        summary: &str,
    ) {
        if let (true, Some((sid, _))) = (passed_step3, session) {
            if let Some(s) = st.sessions.get_mut(sid).map(Arc::make_mut) {
                s.total_calls += 1;
                if d.code == "ALLOW" {
                    if d.effect == Some(Effect::Read) {
                        s.read_calls += 1;
                    } else {
                        s.write_calls += 1;
                    }
                    if d.reason == "elevated" {
                        s.elevated_calls += 1;
                    }
                } else {
                    s.denied_calls += 1;
                }
            }
        }
        let detail = super::audit::Detail::Decision(Box::new(super::audit::DecisionDetail {
            decision: d.clone(),
            delegation_chain: chain.to_vec(),
            input_summary: session
                .is_some_and(|(_, supervised)| supervised)
                .then(|| summary.to_string()),
        }));
        self.audit(st, now, ws, "decision", &d.agent_id, &d.check_id, detail);
    }

    // ------------------------------------------------------------------ policies

    fn set_policy(&self, a: &Args) -> Result<Json> {
        let ws = a.opt_str("workspace")?.unwrap_or("default");
        check_workspace(ws)?;
        let raw = a
            .get("rules")
            .and_then(Json::as_arr)
            .ok_or_else(|| Error::validation("rules must be a list"))?;
        if raw.len() > 256 {
            return Err(Error::validation("at most 256 rules"));
        }
        let mut rules: Vec<Rule> = Vec::new();
        for r in raw {
            let ra = Args::new(
                "rule",
                r,
                &["rule_id", "match", "effects", "action", "modes"],
            )?;
            let rule_id = ra.str("rule_id")?;
            if !name_chars(rule_id, 64) || rules.iter().any(|x| x.rule_id == rule_id) {
                return Err(Error::validation(
                    "rule_id must be unique, 1-64 bytes of [A-Za-z0-9_.-]",
                ));
            }
            let pattern = ra.str("match")?;
            if !is_valid_pattern(pattern) {
                return Err(Error::new(
                    ErrorCode::InvalidScope,
                    "rule match is not a valid pattern",
                ));
            }
            if pattern != "*" && !pattern.starts_with("tool:") {
                return Err(Error::validation(
                    "rule match must be * or start with tool:",
                ));
            }
            let effects = ra
                .opt_strs("effects")?
                .unwrap_or_default()
                .iter()
                .map(|e| Effect::parse(e))
                .collect::<Result<Vec<_>>>()?;
            let action = ra.str("action")?;
            if action != "deny" && action != "require_elevation" {
                return Err(Error::validation(
                    "action must be deny or require_elevation",
                ));
            }
            let modes = ra.opt_strs("modes")?.unwrap_or_default();
            if modes
                .iter()
                .any(|m| !matches!(m.as_str(), "open" | "restricted" | "supervised"))
            {
                return Err(Error::validation(
                    "modes must be open, restricted or supervised",
                ));
            }
            rules.push(Rule {
                rule_id: rule_id.into(),
                pattern: pattern.into(),
                effects,
                action: action.into(),
                modes,
            });
        }
        let now = self.now_ms();
        let mut st = self.lock();
        let version = st.policies.get(ws).map(|p| p.0).unwrap_or(0) + 1;
        st.policies.insert(ws.into(), (version, rules.clone()));
        self.audit(
            &mut st,
            now,
            ws,
            "policy.updated",
            "local",
            ws,
            obj(vec![
                ("workspace", ws.into()),
                ("version", Json::Int(version)),
                ("rules", Json::Int(rules.len() as i64)),
            ]),
        );
        Ok(policy_json(ws, version, &rules))
    }

    fn get_policy(&self, a: &Args) -> Result<Json> {
        let ws = a.opt_str("workspace")?.unwrap_or("default");
        check_workspace(ws)?;
        let st = self.lock();
        let (v, r) = st.policies.get(ws).cloned().unwrap_or((0, Vec::new()));
        Ok(policy_json(ws, v, &r))
    }

    // ------------------------------------------------------------------ approvals

    fn decide(&self, a: &Args, approve: bool) -> Result<Json> {
        let id = a.str("approval_id")?;
        check_id(id, prefix::APPROVAL, "approval_id")?;
        let by = a.str("decided_by")?;
        if !no_control(by, 256) {
            return Err(Error::validation(
                "decided_by must be 1-256 characters without control characters",
            ));
        }
        let note = a.opt_str("note")?;
        if note.is_some_and(|n| n.chars().count() > 1024) {
            return Err(Error::validation("note must be at most 1024 characters"));
        }
        let now = self.now_ms();
        let mut st = self.lock();
        let idx = *st.approval_index.get(id).ok_or_else(|| {
            err(
                ErrorCode::NotFound,
                "approval_not_found",
                "no such approval",
            )
        })?;
        let ap = st.approvals[idx].clone();
        let chain = Engine::chain(
            &st,
            st.sessions
                .get(&ap.session_id)
                .and_then(|s| s.delegation_id.as_deref()),
        );
        let reject = |st: &mut State, e: Error| -> Result<Json> {
            let detail = obj(vec![
                ("agent_id", ap.agent_id.clone().into()),
                ("session_id", ap.session_id.clone().into()),
                ("code", e.code().as_str().into()),
            ]);
            self.audit(st, now, &ap.workspace, "approval.rejected", by, id, detail);
            Err(e)
        };
        if by == ap.agent_id || chain.links.iter().any(|l| l.from_agent_id == by) {
            return reject(
                &mut st,
                err(
                    ErrorCode::AuthDenied,
                    "self_approval",
                    "an agent cannot approve its own request",
                ),
            );
        }
        match ap.status(now) {
            "expired" => {
                return reject(
                    &mut st,
                    err(
                        ErrorCode::ApprovalExpired,
                        "approval_expired",
                        "the approval expired before a decision",
                    ),
                )
            }
            "approved" | "denied" => {
                return reject(
                    &mut st,
                    err(
                        ErrorCode::Conflict,
                        "already_decided",
                        "the approval is already decided",
                    ),
                )
            }
            _ => {}
        }
        {
            let x = &mut st.approvals[idx];
            x.status = if approve { "approved" } else { "denied" }.into();
            x.decided_by = Some(by.into());
            x.decided_at = Some(now);
            x.note = note.map(str::to_string);
            if approve {
                x.window_expires_at = Some(now + self.cfg.elevation_window_seconds * 1000);
            }
        }
        let kind = if approve {
            "approval.approved"
        } else {
            "approval.denied"
        };
        self.audit(
            &mut st,
            now,
            &ap.workspace,
            kind,
            by,
            id,
            obj(vec![
                ("agent_id", ap.agent_id.clone().into()),
                ("session_id", ap.session_id.clone().into()),
            ]),
        );
        self.decided.notify_all();
        Ok(st.approvals[idx].to_json(now))
    }

    fn get_approval(&self, a: &Args) -> Result<Json> {
        let id = a.str("approval_id")?;
        check_id(id, prefix::APPROVAL, "approval_id")?;
        let st = self.lock();
        let idx = st.approval_index.get(id).ok_or_else(|| {
            err(
                ErrorCode::NotFound,
                "approval_not_found",
                "no such approval",
            )
        })?;
        Ok(st.approvals[*idx].to_json(self.now_ms()))
    }

    fn list_approvals(&self, a: &Args) -> Result<Json> {
        let status = a.opt_str("status")?;
        if status.is_some_and(|s| !matches!(s, "pending" | "approved" | "denied" | "expired")) {
            return Err(Error::validation(
                "status must be pending, approved, denied or expired",
            ));
        }
        let ws = a.opt_str("workspace")?;
        if let Some(w) = ws {
            check_workspace(w)?;
        }
        let agent = a.opt_str("agent_id")?;
        if let Some(x) = agent {
            check_id(x, prefix::AGENT, "agent_id")?;
        }
        let now = self.now_ms();
        let st = self.lock();
        let items: Vec<Json> = st
            .approvals
            .iter()
            .filter(|x| {
                status.is_none_or(|s| x.status(now) == s)
                    && ws.is_none_or(|w| x.workspace == w)
                    && agent.is_none_or(|g| x.agent_id == g)
            })
            .map(|x| x.to_json(now))
            .collect();
        paginate(
            items,
            a,
            &format!("approvals:{status:?}:{ws:?}:{agent:?}"),
            50,
            100,
        )
    }

    fn wait_for_decision(&self, a: &Args) -> Result<Json> {
        let id = a.str("approval_id")?;
        check_id(id, prefix::APPROVAL, "approval_id")?;
        let timeout = a.opt_int("timeout_seconds")?.unwrap_or(300);
        if !(0..=3600).contains(&timeout) {
            return Err(Error::validation("timeout_seconds must be in 0..3600"));
        }
        let start = self.now_ms();
        let deadline = start + timeout * 1000;
        let mut st = self.lock();
        loop {
            let now = self.now_ms();
            let idx = *st.approval_index.get(id).ok_or_else(|| {
                err(
                    ErrorCode::NotFound,
                    "approval_not_found",
                    "no such approval",
                )
            })?;
            if st.approvals[idx].status(now) != "pending" {
                return Ok(st.approvals[idx].to_json(now));
            }
            if now >= deadline || self.clock.is_manual() {
                return Err(err(
                    ErrorCode::Timeout,
                    "wait_timeout",
                    "no decision before the timeout",
                ));
            }
            let wait = Duration::from_millis((deadline - now).clamp(1, 1000) as u64);
            st = self
                .decided
                .wait_timeout(st, wait)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    // ------------------------------------------------------------------ delegations

    fn create_delegation(&self, a: &Args) -> Result<Json> {
        let from = a.str("from_agent_id")?;
        let to = a.str("to_agent_id")?;
        check_id(from, prefix::AGENT, "from_agent_id")?;
        check_id(to, prefix::AGENT, "to_agent_id")?;
        let parent_id = a.opt_str("parent_delegation_id")?;
        if let Some(p) = parent_id {
            check_id(p, prefix::DELEGATION, "parent_delegation_id")?;
        }
        let scopes = a.opt_strs("scopes")?.unwrap_or_default();
        check_patterns(&scopes, "scopes")?;
        let ttl = a
            .opt_int("ttl_seconds")?
            .unwrap_or(self.cfg.delegation_ttl_seconds);
        if !(1..=604_800).contains(&ttl) {
            return Err(Error::validation("ttl_seconds must be in 1..604800"));
        }
        let (ceiling_arg, rate) = match a.get("restrictions") {
            None => (None, Vec::new()),
            Some(r) => {
                let ra = Args::new("restrictions", r, &["effect_ceiling", "rate"])?;
                let c = ra
                    .opt_str("effect_ceiling")?
                    .map(Effect::parse)
                    .transpose()?;
                let rate = ra.opt_str_map("rate")?.unwrap_or_default();
                check_rate_map(&rate)?;
                (c, rate)
            }
        };
        let now = self.now_ms();
        let mut st = self.lock();
        let fa = Engine::agent(&st, from)?.clone();
        let ta = Engine::agent(&st, to)?.clone();
        let parent = match parent_id {
            Some(p) => Some(st.delegations.get(p).cloned().ok_or_else(|| {
                err(
                    ErrorCode::NotFound,
                    "delegation_not_found",
                    "no such parent delegation",
                )
            })?),
            None => None,
        };
        if !fa.active() {
            return Err(err(
                ErrorCode::AgentRevoked,
                "agent_revoked",
                "the delegating agent is revoked",
            ));
        }
        if !ta.active() {
            return Err(err(
                ErrorCode::AgentRevoked,
                "agent_revoked",
                "the delegatee is revoked",
            ));
        }
        let chain = Engine::chain(&st, parent_id);
        Engine::check_chain(&st, &chain, now)?;
        let rejected = |st: &mut State, reason: &'static str| -> Result<Json> {
            let detail = obj(vec![
                ("from_agent_id", from.into()),
                ("to_agent_id", to.into()),
                ("reason", reason.into()),
            ]);
            self.audit(
                st,
                now,
                &fa.workspace,
                "delegation.rejected",
                "local",
                from,
                detail,
            );
            Err(err(
                ErrorCode::DelegationDenied,
                reason,
                format!("delegation denied: {reason}"),
            ))
        };
        if fa.workspace != ta.workspace
            || parent.as_ref().is_some_and(|p| p.workspace != fa.workspace)
        {
            return rejected(&mut st, "workspace_mismatch");
        }
        if parent.as_ref().is_some_and(|p| p.to_agent_id != from) {
            return rejected(&mut st, "delegator_mismatch");
        }
        let in_chain = to == from
            || chain
                .links
                .iter()
                .any(|l| l.from_agent_id == to || l.to_agent_id == to);
        if in_chain {
            return rejected(&mut st, "cycle");
        }
        let depth = parent.as_ref().map(|p| p.depth + 1).unwrap_or(1);
        if depth > self.cfg.max_delegation_depth {
            return rejected(&mut st, "depth_exceeded");
        }
        if scopes.iter().any(|s| s == "*") {
            return rejected(&mut st, "global_wildcard");
        }
        let parent_set: &[String] = parent
            .as_ref()
            .map(|p| p.scopes.as_slice())
            .unwrap_or(&fa.capabilities);
        if !scopes.iter().all(|s| covers(parent_set, s)) {
            return rejected(&mut st, "scope_not_covered");
        }
        if parent
            .as_ref()
            .is_some_and(|p| now + ttl * 1000 > p.expires_at)
        {
            return rejected(&mut st, "ttl_exceeds_parent");
        }
        let parent_ceiling = parent
            .as_ref()
            .map(|p| p.effect_ceiling)
            .unwrap_or(Effect::Admin);
        if ceiling_arg.is_some_and(|c| c > parent_ceiling) {
            return rejected(&mut st, "effect_ceiling_exceeds_parent");
        }
        let authority = match chain.links.first() {
            Some(root) => st
                .agents
                .get(&root.from_agent_id)
                .map(|a| (**a).clone())
                .unwrap_or_else(|| fa.clone()),
            None => fa.clone(),
        };
        let mut existing: Vec<(String, String)> = authority.rate.clone();
        for l in &chain.links {
            existing.extend(l.rate.iter().cloned());
        }
        for (c, r) in &rate {
            let Ok(rc) = RateSpec::parse(r) else { continue };
            for (p, rp) in &existing {
                if let Ok(rps) = RateSpec::parse(rp) {
                    if covers(std::slice::from_ref(p), c) && rc.is_looser_than(&rps) {
                        return rejected(&mut st, "rate_not_stricter");
                    }
                }
            }
        }
        let dlg = Delegation {
            delegation_id: self.new_id(prefix::DELEGATION, now),
            workspace: fa.workspace.clone(),
            from_agent_id: from.into(),
            to_agent_id: to.into(),
            scopes,
            effect_ceiling: ceiling_arg.unwrap_or(parent_ceiling),
            rate,
            parent_delegation_id: parent_id.map(str::to_string),
            root_agent_id: chain
                .links
                .first()
                .map(|r| r.from_agent_id.clone())
                .unwrap_or_else(|| from.to_string()),
            depth,
            created_at: now,
            expires_at: now + ttl * 1000,
            revoked_at: None,
            revoke_reason: None,
        };
        let detail = obj(vec![
            ("from_agent_id", from.into()),
            ("to_agent_id", to.into()),
            ("delegation_id", dlg.delegation_id.clone().into()),
            ("scopes", str_list(&dlg.scopes)),
        ]);
        self.audit(
            &mut st,
            now,
            &dlg.workspace,
            "delegation.created",
            "local",
            &dlg.delegation_id,
            detail,
        );
        st.delegation_order.push(dlg.delegation_id.clone());
        st.delegations
            .insert(dlg.delegation_id.clone(), Arc::new(dlg.clone()));
        Ok(dlg.to_json())
    }

    fn revoke_delegation(&self, a: &Args) -> Result<Json> {
        let id = a.str("delegation_id")?;
        check_id(id, prefix::DELEGATION, "delegation_id")?;
        let reason = a.opt_str("reason")?.unwrap_or("manual_revocation");
        if !no_control(reason, 256) {
            return Err(Error::validation("reason must be 1-256 characters"));
        }
        let now = self.now_ms();
        let mut st = self.lock();
        let d = st.delegations.get(id).cloned().ok_or_else(|| {
            err(
                ErrorCode::NotFound,
                "delegation_not_found",
                "no such delegation",
            )
        })?;
        // The delegation and every descendant not yet revoked, in creation order.
        let mut targets = vec![id.to_string()];
        for did in st.delegation_order.clone() {
            if let Some(x) = st.delegations.get(&did) {
                if x.parent_delegation_id
                    .as_ref()
                    .is_some_and(|p| targets.contains(p))
                    && !targets.contains(&did)
                {
                    targets.push(did.clone());
                }
            }
        }
        for t in targets {
            let revoke = st
                .delegations
                .get(&t)
                .is_some_and(|x| x.revoked_at.is_none());
            if revoke {
                if let Some(x) = st.delegations.get_mut(&t).map(Arc::make_mut) {
                    x.revoked_at = Some(now);
                    x.revoke_reason = Some(reason.into());
                }
                self.audit(
                    &mut st,
                    now,
                    &d.workspace,
                    "delegation.revoked",
                    "local",
                    &t,
                    obj(vec![
                        ("delegation_id", t.clone().into()),
                        ("reason", reason.into()),
                    ]),
                );
            }
        }
        Ok(st.delegations[id].to_json())
    }

    fn delegation_token(&self, a: &Args) -> Result<Json> {
        let id = a.str("delegation_id")?;
        check_id(id, prefix::DELEGATION, "delegation_id")?;
        let ttl = a
            .opt_int("ttl_seconds")?
            .unwrap_or(self.cfg.token_ttl_seconds);
        if !(1..=86400).contains(&ttl) {
            return Err(Error::validation("ttl_seconds must be in 1..86400"));
        }
        let now = self.now_ms();
        let mut st = self.lock();
        let d = st.delegations.get(id).cloned().ok_or_else(|| {
            err(
                ErrorCode::NotFound,
                "delegation_not_found",
                "no such delegation",
            )
        })?;
        let chain = Engine::chain(&st, Some(id));
        Engine::check_chain(&st, &chain, now)?;
        let iat = now.div_euclid(1000);
        let exp = (iat + ttl).min(d.expires_at.div_euclid(1000));
        if exp <= iat {
            return Err(err(
                ErrorCode::DelegationExpired,
                "delegation_expired",
                "the delegation expires before the token could",
            ));
        }
        // act: the leaf's delegatee outermost, earlier delegatees nested.
        let mut act = Json::Null;
        for l in &chain.links {
            let mut m = vec![("sub".to_string(), Json::Str(l.to_agent_id.clone()))];
            if !act.is_null() {
                m.push(("act".to_string(), act));
            }
            act = Json::Obj(m);
        }
        let jti = self.new_id(prefix::TOKEN, now);
        let members: Vec<(String, Json)> = vec![
            ("iss".into(), self.cfg.issuer.clone().into()),
            ("sub".into(), d.root_agent_id.clone().into()),
            ("aud".into(), self.cfg.audience.clone().into()),
            ("iat".into(), Json::Int(iat)),
            ("exp".into(), Json::Int(exp)),
            ("jti".into(), jti.clone().into()),
            ("scope".into(), d.scopes.join(" ").into()),
            ("act".into(), act),
            ("dlg".into(), id.into()),
        ];
        let tok = self.sign(members)?;
        let issued = IssuedToken {
            token: tok,
            jti: jti.clone(),
            agent_id: d.to_agent_id.clone(),
            scopes: d.scopes.clone(),
            session_id: None,
            issued_at: iat * 1000,
            expires_at: exp * 1000,
        };
        self.audit(
            &mut st,
            now,
            &d.workspace,
            "token.issued",
            "local",
            &jti,
            obj(vec![
                ("agent_id", d.to_agent_id.clone().into()),
                ("delegation_id", id.into()),
                ("jti", jti.clone().into()),
            ]),
        );
        Ok(issued.to_json())
    }

    // ------------------------------------------------------------------ audit & telemetry

    /// Visits the events of `ws` with `seq >= from_seq` in seq order — the older ones from the
    /// store when it keeps the audit log, the newer from memory — until `f` returns false. An
    /// event the store cannot give back intact is passed as `Err(seq)`.
    fn each_audit_event(
        &self,
        st: &State,
        ws: &str,
        from_seq: i64,
        f: &mut dyn FnMut(std::result::Result<&AuditEvent, i64>) -> bool,
    ) -> Result<()> {
        let Some(chain) = st.audit.get(ws) else {
            return Ok(());
        };
        let first_mem = chain.first_in_memory();
        if from_seq < first_mem {
            if let Some(j) = &self.journal {
                let mut expected = from_seq.max(1);
                let mut go = true;
                j.store
                    .audit_scan(ws, from_seq.max(1), first_mem - 1, &mut |seq, line| {
                        // A missing row is a gap: reported at the seq that should have been.
                        let item = match AuditEvent::from_line(line) {
                            Some(e) if seq == expected => Ok(e),
                            _ => Err(expected),
                        };
                        expected = seq + 1;
                        go = f(item.as_ref().map_err(|s| *s));
                        Ok(go)
                    })?;
                if go && expected < first_mem {
                    go = f(Err(expected));
                }
                if !go {
                    return Ok(());
                }
            }
        }
        for e in chain.events.iter().filter(|e| e.seq >= from_seq) {
            if !f(Ok(e)) {
                break;
            }
        }
        Ok(())
    }

    fn query_audit(&self, a: &Args) -> Result<Json> {
        let ws = a.opt_str("workspace")?.unwrap_or("default");
        check_workspace(ws)?;
        let agent = a.opt_str("agent_id")?;
        let session = a.opt_str("session_id")?;
        let kind = a.opt_str("kind")?;
        if kind.is_some_and(|k| !super::audit::KINDS.contains(&k)) {
            return Err(Error::validation("unknown audit event kind"));
        }
        let since = a.opt_int("since")?;
        let query = format!("audit:{ws}:{agent:?}:{session:?}:{kind:?}:{since:?}");
        let limit = limit_arg(a, 100, 1000)?;
        let start = decode_cursor(a.opt_str("cursor")?, &query)?;
        let st = self.lock();
        let (mut matched, mut items, mut more) = (0usize, Vec::new(), false);
        self.each_audit_event(&st, ws, 1, &mut |item| {
            let Ok(e) = item else { return true };
            let hit = kind.is_none_or(|k| e.kind == k)
                && since.is_none_or(|s| e.at >= s)
                && agent.is_none_or(|g| e.subject == g || e.detail.get_str("agent_id") == Some(g))
                && session.is_none_or(|s| e.detail.get_str("session_id") == Some(s));
            if !hit {
                return true;
            }
            matched += 1;
            if matched <= start {
                return true;
            }
            if items.len() == limit {
                more = true;
                return false;
            }
            items.push(e.to_json());
            true
        })?;
        let next = more.then(|| encode_cursor(&query, start + limit));
        Ok(page(items, next))
    }

    fn verify_chain(&self, a: &Args) -> Result<Json> {
        let ws = a.opt_str("workspace")?.unwrap_or("default");
        check_workspace(ws)?;
        let st = self.lock();
        let mut v = ChainVerifier::new();
        self.each_audit_event(&st, ws, 1, &mut |item| match item {
            Ok(e) => v.push(e),
            Err(seq) => {
                v.break_at(seq);
                false
            }
        })?;
        Ok(v.finish().to_json())
    }

    fn export_audit(&self, a: &Args) -> Result<Json> {
        let ws = a.opt_str("workspace")?.unwrap_or("default");
        check_workspace(ws)?;
        let since = a.opt_int("since_seq")?.unwrap_or(1);
        let st = self.lock();
        let mut out = String::new();
        let mut failed = None;
        self.each_audit_event(&st, ws, since, &mut |item| match item {
            Ok(e) => {
                out.push_str(&e.export_line());
                out.push('\n');
                true
            }
            Err(seq) => {
                failed = Some(seq);
                false
            }
        })?;
        if let Some(seq) = failed {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("audit event {seq} of workspace {ws} is missing or corrupt in the store"),
            ));
        }
        Ok(Json::Str(out))
    }

    fn record_telemetry(&self, a: &Args) -> Result<Json> {
        let agent_id = a.str("agent_id")?;
        check_id(agent_id, prefix::AGENT, "agent_id")?;
        let events = a
            .get("events")
            .and_then(Json::as_arr)
            .ok_or_else(|| Error::validation("events must be a list"))?;
        if events.len() > 100 {
            return Err(Error::validation("at most 100 events per batch"));
        }
        let now = self.now_ms();
        let mut st = self.lock();
        let ws = Engine::agent(&st, agent_id)?.workspace.clone();
        for e in events {
            if e.get("event_type").and_then(Json::as_str) == Some("fail_open") {
                let subject = e
                    .get("check_id")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string();
                let mut detail = e.as_obj().map(|m| m.to_vec()).unwrap_or_default();
                detail.retain(|(k, _)| k != "agent_id");
                detail.push(("agent_id".into(), agent_id.into()));
                self.audit(
                    &mut st,
                    now,
                    &ws,
                    "decision.fail_open",
                    agent_id,
                    &subject,
                    Json::Obj(detail),
                );
            }
            // Best-effort and never read back by an operation: only the newest are kept.
            if st.telemetry.len() >= TELEMETRY_KEPT {
                st.telemetry.drain(..TELEMETRY_KEPT / 2);
            }
            st.telemetry.push(e.clone());
        }
        Ok(obj(vec![("accepted", Json::Int(events.len() as i64))]))
    }

    // ------------------------------------------------------------------ dispatch

    /// Runs one engine operation by name with JSON arguments (the form the gateway, the parity
    /// runners and the bindings' generic entry point use). Unknown operations → `VALIDATION_ERROR`.
    pub fn call(&self, op: &str, args: &Json) -> Result<Json> {
        if self.journal.is_some() && super::store::is_write(op) {
            return self
                .journaled(
                    op,
                    || args.to_compact(),
                    || crate::error::catch_panic(|| self.call_inner(op, args)),
                )
                .and_then(|r| r);
        }
        crate::error::catch_panic(|| self.call_inner(op, args))
    }

    fn call_inner(&self, op: &str, args: &Json) -> Result<Json> {
        macro_rules! args {
            ($($k:literal),*) => { Args::new(op, args, &[$($k),*])? };
        }
        match op {
            "create_agent" => self.create_agent(&args!(
                "name",
                "workspace",
                "framework",
                "capabilities",
                "metadata",
                "public_key",
                "rate",
                "enforcement"
            )),
            "get_agent" => {
                let a = args!("agent_id");
                let st = self.lock();
                Ok(Engine::agent(&st, a.str("agent_id")?)?.to_json())
            }
            "list_agents" => {
                let a = args!("workspace", "cursor", "limit", "status");
                let ws = a.opt_str("workspace")?.unwrap_or("default");
                check_workspace(ws)?;
                let status = a.opt_str("status")?;
                if status.is_some_and(|s| s != "active" && s != "revoked") {
                    return Err(Error::validation("status must be active or revoked"));
                }
                let st = self.lock();
                let items = st
                    .agent_order
                    .iter()
                    .filter_map(|id| st.agents.get(id))
                    .filter(|x| x.workspace == ws && status.is_none_or(|s| x.status == s))
                    .map(|a| a.to_json())
                    .collect();
                paginate(items, &a, &format!("agents:{ws}:{status:?}"), 50, 100)
            }
            "revoke_agent" => self.revoke_agent(&args!("agent_id", "reason")),
            "set_enforcement" => self.set_enforcement(&args!("agent_id", "enforcement")),
            "issue_token" => self.issue_token(&args!(
                "agent_id",
                "scopes",
                "ttl_seconds",
                "session_id",
                "rate"
            )),
            "introspect_token" => self.introspect_token(&args!("token", "required_scopes")),
            "revoke_token" => self.revoke_token(&args!("token")),
            "init_session" => self.init_session(&args!(
                "agent_id",
                "server_id",
                "mode",
                "scope_ceiling",
                "ttl_seconds"
            )),
            "init_token_session" => {
                self.init_token_session(&args!("token", "server_id", "mode", "ttl_seconds"))
            }
            "init_delegation_session" => self.init_delegation_session(&args!(
                "delegation_id",
                "server_id",
                "mode",
                "ttl_seconds"
            )),
            "get_session" => self.get_session(&args!("session_id")),
            "close_session" => self.close_session(&args!("session_id")),
            "check" => {
                let a = args!("agent_id", "session_id", "tool", "input_summary", "effect");
                let d = self.check_unjournaled(
                    a.opt_str("agent_id")?.unwrap_or(""),
                    a.opt_str("session_id")?.unwrap_or(""),
                    a.opt_str("tool")?.unwrap_or(""),
                    a.opt_str("input_summary")?.unwrap_or(""),
                    a.opt_str("effect")?,
                );
                Ok(d.to_json())
            }
            "set_policy" => self.set_policy(&args!("workspace", "rules")),
            "get_policy" => self.get_policy(&args!("workspace")),
            "approve" => self.decide(&args!("approval_id", "decided_by", "note"), true),
            "deny" => self.decide(&args!("approval_id", "decided_by", "note"), false),
            "get_approval" => self.get_approval(&args!("approval_id")),
            "list_approvals" => {
                self.list_approvals(&args!("status", "workspace", "agent_id", "cursor", "limit"))
            }
            "wait_for_decision" => self.wait_for_decision(&args!("approval_id", "timeout_seconds")),
            "create_delegation" => self.create_delegation(&args!(
                "from_agent_id",
                "to_agent_id",
                "scopes",
                "ttl_seconds",
                "restrictions",
                "parent_delegation_id"
            )),
            "revoke_delegation" => self.revoke_delegation(&args!("delegation_id", "reason")),
            "get_delegation" => {
                let a = args!("delegation_id");
                let id = a.str("delegation_id")?;
                check_id(id, prefix::DELEGATION, "delegation_id")?;
                let st = self.lock();
                st.delegations.get(id).map(|d| d.to_json()).ok_or_else(|| {
                    err(
                        ErrorCode::NotFound,
                        "delegation_not_found",
                        "no such delegation",
                    )
                })
            }
            "list_delegations" => {
                let a = args!("workspace", "agent_id", "cursor", "limit");
                let ws = a.opt_str("workspace")?.unwrap_or("default");
                check_workspace(ws)?;
                let agent = a.opt_str("agent_id")?;
                let st = self.lock();
                let items = st
                    .delegation_order
                    .iter()
                    .filter_map(|id| st.delegations.get(id))
                    .filter(|d| {
                        d.workspace == ws
                            && agent.is_none_or(|g| d.from_agent_id == g || d.to_agent_id == g)
                    })
                    .map(|d| d.to_json())
                    .collect();
                paginate(items, &a, &format!("delegations:{ws}:{agent:?}"), 50, 100)
            }
            "delegation_token" => self.delegation_token(&args!("delegation_id", "ttl_seconds")),
            "query_audit" => self.query_audit(&args!(
                "workspace",
                "agent_id",
                "session_id",
                "kind",
                "since",
                "cursor",
                "limit"
            )),
            "verify_chain" => self.verify_chain(&args!("workspace")),
            "export_audit" => self.export_audit(&args!("workspace", "since_seq")),
            "record_telemetry" => self.record_telemetry(&args!("agent_id", "session_id", "events")),
            "jwks" => Ok(Json::parse(&self.jwks()).unwrap_or(Json::Null)),
            other => Err(Error::validation(format!(
                "unknown engine operation {:?}",
                crate::rate::truncate(other)
            ))),
        }
    }
}

fn check_list(patterns: &[String], required: &str) -> bool {
    patterns.iter().any(|p| allows(p, required))
}

fn policy_json(ws: &str, version: i64, rules: &[Rule]) -> Json {
    obj(vec![
        ("workspace", ws.into()),
        ("version", Json::Int(version)),
        (
            "rules",
            Json::Arr(rules.iter().map(Rule::to_json).collect()),
        ),
    ])
}
