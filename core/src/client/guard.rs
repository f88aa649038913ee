//! The Guard (SEMANTICS-engine §12): check before every tool call, report after, with batching
//! telemetry, fail-open only for reads and only when the engine is unreachable.

use super::{is_unreachable, Client};
use crate::engine::ids::{prefix, UlidGen};
use crate::engine::summary::summarize_input;
use crate::engine::{resolve_effect, validate_tool, Decision, Effect};
use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// Buffer cap (events).
pub const MAX_BUFFER: usize = 1000;
/// Flush when this many events are buffered.
pub const FLUSH_AT: usize = 10;
/// Largest batch sent at once.
pub const BATCH: usize = 100;
/// Timer flush period.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Guard options (§12), with the defaults of the specification.
#[derive(Clone, Debug)]
pub struct GuardOptions {
    /// The agent the guard checks for.
    pub agent_id: String,
    /// A caller-provided session (never replaced); `None` = the guard opens its own.
    pub session_id: Option<String>,
    /// Raise on an enforced denial (default true).
    pub block_on_deny: bool,
    /// Allow `read` calls when the engine is unreachable (default false).
    pub fail_open: bool,
    /// Effect used when a check names none.
    pub default_effect: Option<Effect>,
    /// Send the first 200 code points of inputs instead of their length.
    pub log_inputs: bool,
    /// `WARDEN_STRICT_MODE` in force for this guard (read at construction by default).
    pub strict_mode: bool,
    /// Start the 5 s flush timer on the core runtime (default true).
    pub flush_timer: bool,
}

impl GuardOptions {
    /// The defaults for an agent.
    pub fn new(agent_id: impl Into<String>) -> GuardOptions {
        GuardOptions {
            agent_id: agent_id.into(),
            session_id: None,
            block_on_deny: true,
            fail_open: false,
            default_effect: None,
            log_inputs: false,
            strict_mode: crate::engine::strict_mode_from(
                std::env::var("WARDEN_STRICT_MODE").ok().as_deref(),
            ),
            flush_timer: true,
        }
    }
}

/// Counters of the telemetry buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuardStats {
    /// Events waiting.
    pub buffered: usize,
    /// Events delivered.
    pub sent: u64,
    /// Events dropped because the buffer was full.
    pub dropped: u64,
    /// Reports refused for bad arguments.
    pub invalid: u64,
    /// Flushes that failed (their events were put back).
    pub failed_flushes: u64,
}

struct State {
    session_id: Option<String>,
    own_session: bool,
    closed: bool,
    buffer: VecDeque<Json>,
    stats: GuardStats,
    ids: UlidGen,
}

struct Inner {
    client: Client,
    opts: GuardOptions,
    st: Mutex<State>,
}

/// A guard. Cheap to clone; `close()` is idempotent.
#[derive(Clone)]
pub struct Guard {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("options", &self.inner.opts)
            .finish_non_exhaustive()
    }
}

impl Guard {
    /// A guard over a client. `VALIDATION_ERROR` for a malformed agent or session id.
    pub fn new(client: Client, opts: GuardOptions) -> Result<Guard> {
        crate::engine::ids::check_id(&opts.agent_id, prefix::AGENT, "agent_id")?;
        if let Some(s) = &opts.session_id {
            crate::engine::ids::check_id(s, prefix::SESSION, "session_id")?;
        }
        let st = State {
            session_id: opts.session_id.clone(),
            own_session: false,
            closed: false,
            buffer: VecDeque::new(),
            stats: GuardStats::default(),
            ids: UlidGen::new(client.id_rng()),
        };
        let g = Guard {
            inner: Arc::new(Inner {
                client,
                opts,
                st: Mutex::new(st),
            }),
        };
        if g.inner.opts.flush_timer {
            g.start_timer();
        }
        Ok(g)
    }

    fn start_timer(&self) {
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        let _ = crate::runtime::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                let g = Guard { inner };
                if g.is_closed() {
                    return;
                }
                let _ = tokio::task::spawn_blocking(move || g.flush()).await;
            }
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.st.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// The options.
    pub fn options(&self) -> &GuardOptions {
        &self.inner.opts
    }

    /// The session the guard uses (None until it opened one).
    pub fn session_id(&self) -> Option<String> {
        self.lock().session_id.clone()
    }

    fn closed_err() -> Error {
        Error::with_reason(
            ErrorCode::ValidationError,
            "guard_closed",
            "the guard is closed",
        )
    }

    fn open_session(&self) -> Result<String> {
        let args = Json::Obj(vec![
            ("agent_id".into(), self.inner.opts.agent_id.clone().into()),
            ("server_id".into(), "warden-guard".into()),
            ("mode".into(), "open".into()),
        ]);
        let s = self.inner.client.call("init_session", &args)?;
        let id = s
            .get("session_id")
            .and_then(Json::as_str)
            .ok_or_else(|| Error::internal("init_session answered without session_id"))?
            .to_string();
        let mut st = self.lock();
        st.session_id = Some(id.clone());
        st.own_session = true;
        Ok(id)
    }

    fn engine_check(
        &self,
        session: &str,
        tool: &str,
        summary: &str,
        effect: Effect,
    ) -> Result<Decision> {
        self.inner.client.check(
            &self.inner.opts.agent_id,
            session,
            tool,
            summary,
            Some(effect.as_str()),
        )
    }

    /// `check(tool, input_summary="", effect=None)` (§12.1).
    pub fn check(&self, tool: &str, input: &str, effect: Option<&str>) -> Result<Decision> {
        if self.is_closed() {
            return Err(Guard::closed_err());
        }
        validate_tool(tool)?;
        let given = effect.map(Effect::parse).transpose()?;
        let effect = resolve_effect(tool, given.or(self.inner.opts.default_effect))?;
        let summary = summarize_input(input, self.inner.opts.log_inputs);
        let result = (|| -> Result<Decision> {
            let (session, own) = {
                let st = self.lock();
                (st.session_id.clone(), st.own_session)
            };
            let session = match session {
                Some(s) => s,
                None => self.open_session()?,
            };
            let d = self.engine_check(&session, tool, &summary, effect)?;
            if own
                && d.code == "SESSION_CLOSED"
                && (d.reason == "session_expired" || d.reason == "session_closed")
            {
                let fresh = self.open_session()?;
                return self.engine_check(&fresh, tool, &summary, effect);
            }
            let _ = own;
            Ok(d)
        })();
        match result {
            Ok(mut d) => {
                if self.inner.opts.strict_mode {
                    d.enforced = true;
                }
                if d.allowed || !d.enforced {
                    return Ok(d);
                }
                if self.inner.opts.block_on_deny {
                    return Err(d.to_error());
                }
                Ok(d)
            }
            Err(e) if is_unreachable(&e) => {
                let now = self.inner.client.now_ms();
                let (check_id, session) = {
                    let mut st = self.lock();
                    (
                        st.ids.id(prefix::CHECK, now.max(0) as u64),
                        st.session_id.clone().unwrap_or_default(),
                    )
                };
                let mut d = Decision {
                    check_id,
                    allowed: false,
                    code: String::new(),
                    reason: String::new(),
                    enforced: true,
                    source: String::new(),
                    agent_id: self.inner.opts.agent_id.clone(),
                    session_id: session,
                    tool: tool.into(),
                    effect: Some(effect),
                    required_scope: Some(format!("tool:{tool}")),
                    matched_pattern: None,
                    rule_id: None,
                    approval_id: None,
                    retry_after_ms: None,
                    decided_at: now,
                };
                if self.inner.opts.fail_open && effect == Effect::Read {
                    d.allowed = true;
                    d.code = "ALLOW".into();
                    d.reason = "fail_open".into();
                    d.source = "fail_open".into();
                    let mut ev = vec![
                        ("event_type".to_string(), Json::from("fail_open")),
                        ("at".to_string(), Json::Int(now)),
                    ];
                    if let Json::Obj(m) = d.to_json() {
                        ev.extend(m);
                    }
                    self.push_event(Json::Obj(ev));
                    return Ok(d);
                }
                d.code = "GUARDIAN_UNAVAILABLE".into();
                d.reason = "unreachable".into();
                d.source = "guard".into();
                if self.inner.opts.block_on_deny {
                    return Err(Error::with_reason(
                        ErrorCode::GuardianUnavailable,
                        "unreachable",
                        format!("the engine is unreachable: {e}"),
                    )
                    .with_decision(d.to_json()));
                }
                Ok(d)
            }
            Err(e) => Err(e),
        }
    }

    fn push_event(&self, ev: Json) {
        let flush_now = {
            let mut st = self.lock();
            if st.buffer.len() >= MAX_BUFFER {
                st.buffer.pop_front();
                st.stats.dropped += 1;
            }
            st.buffer.push_back(ev);
            st.buffer.len() >= FLUSH_AT
        };
        if flush_now {
            self.flush();
        }
    }

    /// The wrappers' admission (§12.4: `protect` / `wrap` / `Do` / `run`): `check`, and an
    /// enforced denial is an error whatever `block_on_deny` says — the wrapped function never
    /// runs without permission.
    pub fn admit(&self, tool: &str, effect: Option<&str>) -> Result<Decision> {
        let d = self.check(tool, "", effect)?;
        if d.proceed() {
            Ok(d)
        } else {
            Err(d.to_error())
        }
    }

    /// `report(tool, success, duration_ms, error_type=None)`: never raises; bad arguments drop
    /// the event and count it as `invalid`.
    pub fn report(&self, tool: &str, success: bool, duration_ms: i64, error_type: Option<&str>) {
        if self.is_closed() || validate_tool(tool).is_err() || duration_ms < 0 {
            self.lock().stats.invalid += 1;
            return;
        }
        let et =
            error_type.map(|e| crate::engine::summary::truncate_code_points(e, 128).to_string());
        let ev = Json::Obj(vec![
            (
                "event_type".into(),
                Json::from(if success { "tool_end" } else { "tool_error" }),
            ),
            ("tool".into(), tool.into()),
            ("success".into(), Json::Bool(success)),
            ("duration_ms".into(), Json::Int(duration_ms)),
            ("error_type".into(), et.map(Json::Str).unwrap_or(Json::Null)),
            ("at".into(), Json::Int(self.inner.client.now_ms())),
        ]);
        self.push_event(ev);
    }

    /// Sends buffered events now, in batches of at most 100; a failed batch goes back to the
    /// front of the buffer (same cap).
    pub fn flush(&self) {
        loop {
            let (batch, session) = {
                let mut st = self.lock();
                if st.buffer.is_empty() {
                    return;
                }
                let n = st.buffer.len().min(BATCH);
                (
                    st.buffer.drain(..n).collect::<Vec<_>>(),
                    st.session_id.clone(),
                )
            };
            let mut args = vec![
                (
                    "agent_id".to_string(),
                    Json::from(self.inner.opts.agent_id.as_str()),
                ),
                ("events".to_string(), Json::Arr(batch.clone())),
            ];
            if let Some(s) = session {
                args.push(("session_id".into(), s.into()));
            }
            match self.inner.client.call("record_telemetry", &Json::Obj(args)) {
                Ok(_) => self.lock().stats.sent += batch.len() as u64,
                Err(_) => {
                    let mut st = self.lock();
                    st.stats.failed_flushes += 1;
                    for ev in batch.into_iter().rev() {
                        st.buffer.push_front(ev);
                    }
                    while st.buffer.len() > MAX_BUFFER {
                        st.buffer.pop_front();
                        st.stats.dropped += 1;
                    }
                    return;
                }
            }
        }
    }

    /// Flushes once and stops; idempotent. Later `check`/`report` → `guard_closed`.
    pub fn close(&self) {
        if self.is_closed() {
            return;
        }
        self.flush();
        self.lock().closed = true;
    }

    /// Buffer counters.
    pub fn stats(&self) -> GuardStats {
        let st = self.lock();
        GuardStats {
            buffered: st.buffer.len(),
            ..st.stats
        }
    }
}
