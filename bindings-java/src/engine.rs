//! The engine (SEMANTICS-engine) and its client and guard (§12), exported for Java. Arguments and
//! results of engine operations cross as JSON text; the guard's hot path (`check`) returns a
//! record so a decision crosses without JSON. No behaviour: every method converts and calls the
//! core.

use crate::error::{parse_arg, run, FfiResult};
use std::sync::Arc;
use warden_core::client::{Client, Fault, Guard, GuardOptions, GuardStats};
use warden_core::engine::{Clock, Decision, Effect, Engine, EngineConfig, ManualClock, SystemClock};

/// A guard decision (SEMANTICS-engine §9), field for field; `session_id` is `None` where the wire
/// form has `null` (no session).
#[derive(Debug, Clone, uniffi::Record)]
pub struct FfiDecision {
    pub check_id: String,
    pub allowed: bool,
    pub code: String,
    pub reason: String,
    pub enforced: bool,
    pub source: String,
    pub agent_id: String,
    pub session_id: Option<String>,
    pub tool: String,
    pub effect: Option<String>,
    pub required_scope: Option<String>,
    pub matched_pattern: Option<String>,
    pub rule_id: Option<String>,
    pub approval_id: Option<String>,
    pub retry_after_ms: Option<i64>,
    pub decided_at: i64,
}

impl From<Decision> for FfiDecision {
    fn from(d: Decision) -> FfiDecision {
        FfiDecision {
            check_id: d.check_id,
            allowed: d.allowed,
            code: d.code,
            reason: d.reason,
            enforced: d.enforced,
            source: d.source,
            agent_id: d.agent_id,
            session_id: if d.session_id.is_empty() { None } else { Some(d.session_id) },
            tool: d.tool,
            effect: d.effect.map(|e| e.as_str().to_string()),
            required_scope: d.required_scope,
            matched_pattern: d.matched_pattern,
            rule_id: d.rule_id,
            approval_id: d.approval_id,
            retry_after_ms: d.retry_after_ms,
            decided_at: d.decided_at,
        }
    }
}

/// The guard's telemetry counters.
#[derive(Debug, Clone, Copy, uniffi::Record)]
pub struct FfiGuardStats {
    pub buffered: u64,
    pub sent: u64,
    pub dropped: u64,
    pub invalid: u64,
    pub failed_flushes: u64,
}

impl From<GuardStats> for FfiGuardStats {
    fn from(s: GuardStats) -> FfiGuardStats {
        FfiGuardStats { buffered: s.buffered as u64, sent: s.sent, dropped: s.dropped, invalid: s.invalid, failed_flushes: s.failed_flushes }
    }
}

/// Guard options; `None` for `strict_mode` keeps the core default (`WARDEN_STRICT_MODE`).
#[derive(Debug, Clone, uniffi::Record)]
pub struct FfiGuardOptions {
    pub session_id: Option<String>,
    pub block_on_deny: bool,
    pub fail_open: bool,
    pub default_effect: Option<String>,
    pub log_inputs: bool,
    pub strict_mode: Option<bool>,
    pub flush_timer: bool,
}

/// The result of an audit chain verification.
#[derive(Debug, Clone, Copy, uniffi::Record)]
pub struct FfiChainCheck {
    pub ok: bool,
    pub checked: i64,
    pub first_broken_seq: Option<i64>,
}

/// An in-process engine, on the system clock or on a manual clock.
#[derive(uniffi::Object)]
pub struct FfiEngine {
    engine: Arc<Engine>,
    manual: Option<Arc<ManualClock>>,
}

#[uniffi::export]
impl FfiEngine {
    /// `config_json`: an `EngineConfig` object (SEMANTICS-engine §17, the vectors' `engine` key);
    /// `None` = the defaults. `manual_clock_ms`: start a manual clock there; `None` = system clock.
    #[uniffi::constructor]
    pub fn new(config_json: Option<String>, manual_clock_ms: Option<i64>) -> FfiResult<Arc<FfiEngine>> {
        run(|| {
            let cfg = match config_json {
                None => EngineConfig::default(),
                Some(text) => EngineConfig::from_json(&parse_arg("engine config", &text)?)?,
            };
            let manual = manual_clock_ms.map(|ms| Arc::new(ManualClock::new(ms)));
            let clock: Arc<dyn Clock> = match &manual {
                Some(m) => m.clone(),
                None => Arc::new(SystemClock),
            };
            Ok(Arc::new(FfiEngine { engine: Arc::new(Engine::new(cfg, clock)?), manual }))
        })
    }

    /// Moves a manual clock forward (`VALIDATION_ERROR` on the system clock).
    pub fn advance(&self, ms: i64) -> FfiResult<()> {
        run(|| match &self.manual {
            Some(m) => {
                m.advance(ms);
                Ok(())
            }
            None => Err(warden_core::Error::validation("advance needs an engine built with a manual clock")),
        })
    }

    /// True iff the engine runs on a manual clock.
    pub fn has_manual_clock(&self) -> bool {
        self.manual.is_some()
    }

    /// The engine clock, unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.engine.now_ms()
    }

    /// The `strict_mode` of the engine's configuration (§13).
    pub fn strict_mode(&self) -> bool {
        self.engine.config().strict_mode
    }

    /// One engine operation: JSON arguments in, JSON result out.
    pub fn call(&self, op: String, args_json: String) -> FfiResult<String> {
        run(|| self.engine.call(&op, &parse_arg("args", &args_json)?).map(|v| v.to_compact()))
    }

    /// The public JWKS of the engine's signing key (JSON text).
    pub fn jwks(&self) -> String {
        self.engine.jwks()
    }
}

/// A client over a backend: the in-process engine, or the engine behind a gateway.
#[derive(uniffi::Object)]
pub struct FfiClient {
    client: Client,
}

#[uniffi::export]
impl FfiClient {
    /// `Client.local()`: its own engine, default configuration, system clock.
    #[uniffi::constructor]
    pub fn local() -> FfiResult<Arc<FfiClient>> {
        run(Client::local).map(|client| Arc::new(FfiClient { client }))
    }

    /// A local client sharing `engine`.
    #[uniffi::constructor]
    pub fn with_engine(engine: Arc<FfiEngine>) -> Arc<FfiClient> {
        Arc::new(FfiClient { client: Client::with_engine(engine.engine.clone()) })
    }

    /// `Client.connect(url, api_key, options)`: the engine behind a gateway (`http(s)://…`).
    /// `options_json`: the connect options object (`timeout_ms`, `connect_timeout_ms`, `retries`,
    /// `ca_pem`, `client_cert_pem`, `client_key_pem`); `None` = the defaults. Nothing is sent
    /// until the first call.
    #[uniffi::constructor]
    pub fn connect(url: String, api_key: String, options_json: Option<String>) -> FfiResult<Arc<FfiClient>> {
        run(|| {
            let options = match options_json {
                None => warden_core::Json::Null,
                Some(text) => parse_arg("connect options", &text)?,
            };
            Client::connect(&url, &api_key, &options)
        })
        .map(|client| Arc::new(FfiClient { client }))
    }

    /// True for a gateway-backed client.
    pub fn is_remote(&self) -> bool {
        self.client.is_remote()
    }

    /// One engine operation: JSON arguments in, JSON result out.
    pub fn call(&self, op: String, args_json: String) -> FfiResult<String> {
        run(|| self.client.call(&op, &parse_arg("args", &args_json)?).map(|v| v.to_compact()))
    }

    /// Test hook: every call fails with this transport fault until cleared with `None`.
    pub fn set_fault(&self, fault: Option<String>) -> FfiResult<()> {
        run(|| {
            let f = fault.as_deref().map(Fault::parse).transpose()?;
            self.client.set_fault(f);
            Ok(())
        })
    }

    /// `check` with typed arguments and a typed decision (no JSON on the way).
    pub fn check(&self, agent_id: String, session_id: String, tool: String, input_summary: String, effect: Option<String>) -> FfiResult<FfiDecision> {
        run(|| self.client.check(&agent_id, &session_id, &tool, &input_summary, effect.as_deref())).map(FfiDecision::from)
    }

    /// `wait_for_decision` on the core runtime's blocking pool: the caller's thread is never
    /// blocked (Java sees a `CompletableFuture`).
    pub async fn wait_for_decision(&self, args_json: String) -> FfiResult<String> {
        let client = self.client.clone();
        let handle = run(|| {
            let h = warden_core::runtime::handle()?;
            Ok(h.spawn_blocking(move || run(|| client.call("wait_for_decision", &parse_arg("args", &args_json)?).map(|v| v.to_compact()))))
        })?;
        match handle.await {
            Ok(r) => r,
            Err(e) => Err(warden_core::Error::internal(format!("the wait task failed: {e}")).into()),
        }
    }

    /// The backend's clock, unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.client.now_ms()
    }
}

/// The client-side guard (§12).
#[derive(uniffi::Object)]
pub struct FfiGuard {
    guard: Guard,
}

#[uniffi::export]
impl FfiGuard {
    #[uniffi::constructor]
    pub fn new(client: Arc<FfiClient>, agent_id: String, options: FfiGuardOptions) -> FfiResult<Arc<FfiGuard>> {
        run(|| {
            let mut o = GuardOptions::new(agent_id);
            o.session_id = options.session_id;
            o.block_on_deny = options.block_on_deny;
            o.fail_open = options.fail_open;
            o.default_effect = options.default_effect.as_deref().map(Effect::parse).transpose()?;
            o.log_inputs = options.log_inputs;
            if let Some(s) = options.strict_mode {
                o.strict_mode = s;
            }
            o.flush_timer = options.flush_timer;
            Guard::new(client.client.clone(), o)
        })
        .map(|guard| Arc::new(FfiGuard { guard }))
    }

    pub fn check(&self, tool: String, input_summary: String, effect: Option<String>) -> FfiResult<FfiDecision> {
        run(|| self.guard.check(&tool, &input_summary, effect.as_deref())).map(FfiDecision::from)
    }

    /// The wrappers' admission (§12.4): `check`, and an enforced denial is an error whatever
    /// `block_on_deny` says (the error carries the decision).
    pub fn admit(&self, tool: String, effect: Option<String>) -> FfiResult<FfiDecision> {
        run(|| self.guard.admit(&tool, effect.as_deref())).map(FfiDecision::from)
    }

    /// Never fails (bad arguments are counted as `invalid`).
    pub fn report(&self, tool: String, success: bool, duration_ms: i64, error_type: Option<String>) {
        let _ = run(|| {
            self.guard.report(&tool, success, duration_ms, error_type.as_deref());
            Ok(())
        });
    }

    pub fn flush(&self) {
        let _ = run(|| {
            self.guard.flush();
            Ok(())
        });
    }

    /// The guard's `close()` (named so because `close` frees the handle in Java).
    pub fn shutdown(&self) {
        let _ = run(|| {
            self.guard.close();
            Ok(())
        });
    }

    pub fn stats(&self) -> FfiGuardStats {
        self.guard.stats().into()
    }

    pub fn session_id(&self) -> Option<String> {
        self.guard.session_id()
    }
}

/// `resolve_effect(tool, effect)` (§5): the effect string, or `VALIDATION_ERROR`.
#[uniffi::export]
pub fn resolve_effect(tool: String, effect: Option<String>) -> FfiResult<String> {
    run(|| {
        let given = effect.as_deref().map(Effect::parse).transpose()?;
        warden_core::engine::resolve_effect(&tool, given).map(|e| e.as_str().to_string())
    })
}

/// `tool_words(tool)` (§1.3).
#[uniffi::export]
pub fn tool_words(tool: String) -> Vec<String> {
    warden_core::engine::tool_words(&tool)
}

/// `summarize_input(text, log_inputs)` (§12.3).
#[uniffi::export]
pub fn summarize_input(text: String, log_inputs: bool) -> String {
    warden_core::engine::summarize_input(&text, log_inputs)
}

/// `verify_audit_export(jsonl)` (§15).
#[uniffi::export]
pub fn verify_audit_export(jsonl: String) -> FfiChainCheck {
    let c = warden_core::engine::verify_audit_export(&jsonl);
    FfiChainCheck { ok: c.ok, checked: c.checked, first_broken_seq: c.first_broken_seq }
}
