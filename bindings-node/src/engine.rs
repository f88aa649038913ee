//! The engine, the client and the Guard (SEMANTICS-engine; issue #7) across N-API.
//!
//! Only conversions live here: JS values ⇄ the core's `Json` (`convert.rs`), option objects →
//! `GuardOptions`, core errors → `WARDEN_ERROR` messages. Every rule (decisions, sessions,
//! fail-open, telemetry) is the core's. The hot paths (`Guard.check`, `Client.check`) are raw
//! N-API callbacks in `engine_fast.rs` over the handles these classes hand out.

use crate::convert::{opt_to_json, string_arg, to_json, JsonOut};
use crate::engine_fast::{decision_to_js, ClientHandle, GuardHandle};
use crate::error::{run, to_napi};
use napi::bindgen_prelude::{Object, ToNapiValue, Unknown};
use napi::{sys, Env};
use napi_derive::napi;
use std::sync::Arc;
use warden_core::client::{Client as CoreClient, Fault, Guard as CoreGuard, GuardOptions};
use warden_core::engine::{
    resolve_effect as core_resolve_effect, summarize_input as core_summarize_input,
    tool_words as core_tool_words, verify_audit_export as core_verify_audit_export, Clock,
    Decision, Effect, Engine as CoreEngine, EngineConfig, ManualClock, SystemClock,
};
use warden_core::{catch_panic, Error, Json, Result};

/// An integer argument (a safe-integer number or a BigInt within i64).
fn int_arg(u: &Unknown<'_>, what: &str) -> Result<i64> {
    match to_json(u)? {
        Json::Int(i) => Ok(i),
        _ => Err(Error::validation(format!("{what} must be an integer"))),
    }
}

/// An optional string argument: `undefined`/`null` → `None`, a string → `Some`, anything else
/// → `VALIDATION_ERROR`.
fn opt_string_arg(u: &Option<Unknown<'_>>, what: &str) -> Result<Option<String>> {
    match opt_to_json(u)? {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(Error::validation(format!(
            "{what} must be a string or null"
        ))),
    }
}

/// Operation arguments: `undefined`/`null` → `Json::Null` (the core reads it as no arguments).
fn args_json(args: &Option<Unknown<'_>>) -> Result<Json> {
    Ok(opt_to_json(args)?.unwrap_or(Json::Null))
}

/// Runs `f` on the core runtime's blocking pool and returns a Promise settled from there with
/// its result (a napi deferred). Used for every call that may wait on a gateway, so the event
/// loop never blocks on the network; panics become `INTERNAL`, core errors rejections.
fn on_pool<'e, T, F>(env: &'e Env, f: F) -> napi::Result<Object<'e>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    let rt = run(warden_core::runtime::handle)?;
    let (deferred, promise) = env.create_deferred()?;
    rt.spawn_blocking(move || match catch_panic(f) {
        Ok(v) => deferred.resolve(move |_| Ok(v)),
        Err(e) => deferred.reject(to_napi(e)),
    });
    Ok(promise)
}

/// A decision settled into a Promise: the 16-field array of `engine_fast.rs`.
pub(crate) struct DecisionOut(Decision);
impl ToNapiValue for DecisionOut {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        decision_to_js(env, &val.0).map_err(to_napi)
    }
}

/// An in-process engine (agents, tokens, sessions, decisions, approvals, delegations, audit).
#[napi]
pub struct Engine {
    pub(crate) inner: Arc<CoreEngine>,
    clock: Option<Arc<ManualClock>>,
}

#[napi]
impl Engine {
    /// `config`: EngineConfig overrides as a JSON object (SEMANTICS-engine §17: `issuer`,
    /// `audience`, `*_ttl_seconds`, `max_delegation_depth`, `seed`, `env`); absent → the
    /// defaults (`WARDEN_STRICT_MODE` read from the process environment). `manualClockMs`: start
    /// a manual clock at this unix-ms instant (it moves only by `advance`); absent → the system
    /// clock.
    #[napi(
        constructor,
        ts_args_type = "config?: Record<string, unknown> | null, manualClockMs?: number | bigint | null"
    )]
    pub fn new(
        config: Option<Unknown<'_>>,
        manual_clock_ms: Option<Unknown<'_>>,
    ) -> napi::Result<Engine> {
        run(|| {
            let cfg = match opt_to_json(&config)? {
                None | Some(Json::Null) => EngineConfig::default(),
                Some(j) => EngineConfig::from_json(&j)?,
            };
            let manual = match opt_to_json(&manual_clock_ms)? {
                None | Some(Json::Null) => None,
                Some(Json::Int(ms)) => Some(Arc::new(ManualClock::new(ms))),
                Some(_) => return Err(Error::validation("manualClockMs must be an integer")),
            };
            let clock: Arc<dyn Clock> = match &manual {
                Some(m) => m.clone(),
                None => Arc::new(SystemClock),
            };
            Ok(Engine {
                inner: Arc::new(CoreEngine::new(cfg, clock)?),
                clock: manual,
            })
        })
    }

    /// Moves the manual clock forward by `ms`; `VALIDATION_ERROR` on a system-clock engine.
    #[napi(ts_args_type = "ms: number | bigint")]
    pub fn advance(&self, ms: Unknown<'_>) -> napi::Result<()> {
        run(|| {
            let ms = int_arg(&ms, "ms")?;
            let clock = self
                .clock
                .as_ref()
                .ok_or_else(|| Error::validation("advance needs an engine with a manual clock"))?;
            clock.advance(ms);
            Ok(())
        })
    }

    /// True when the engine runs on a manual clock.
    #[napi(getter)]
    pub fn manual_clock(&self) -> bool {
        self.clock.is_some()
    }

    /// True when this engine enforces strict mode (`WARDEN_STRICT_MODE` in force for it: from
    /// the config's `env`, or the process environment for a default config).
    #[napi(getter)]
    pub fn strict_mode(&self) -> bool {
        self.inner.config().strict_mode
    }

    /// The engine clock (unix ms).
    #[napi]
    pub fn now_ms(&self) -> i64 {
        self.inner.now_ms()
    }

    /// Runs one engine operation by name with JSON arguments.
    #[napi(
        ts_args_type = "op: string, args?: Record<string, unknown> | null",
        ts_return_type = "unknown"
    )]
    pub fn call(&self, op: Unknown<'_>, args: Option<Unknown<'_>>) -> napi::Result<JsonOut> {
        run(|| {
            let op = string_arg(&op, "op")?;
            let args = args_json(&args)?;
            self.inner.call(&op, &args).map(JsonOut)
        })
    }

    /// The public JWKS of the engine's signing key, as JSON text.
    #[napi]
    pub fn jwks(&self) -> String {
        self.inner.jwks()
    }
}

/// A client over the in-process engine (the `Local` backend) or over a gateway (`connect`, the
/// `Remote` backend).
#[napi]
pub struct Client {
    pub(crate) inner: CoreClient,
}

#[napi]
impl Client {
    /// A client with its own engine (default configuration, system clock).
    #[napi(factory)]
    pub fn local() -> napi::Result<Client> {
        run(|| {
            Ok(Client {
                inner: CoreClient::local()?,
            })
        })
    }

    /// A client sharing `engine` (several clients over one engine see the same state).
    #[napi(factory)]
    pub fn with_engine(engine: &Engine) -> Client {
        Client {
            inner: CoreClient::with_engine(engine.inner.clone()),
        }
    }

    /// A client of the engine behind a gateway (`http(s)://host[:port]`), authenticating with
    /// `apiKey`. Options (camelCase, all optional): `timeoutMs`, `connectTimeoutMs`, `retries`
    /// (idempotent calls only), `caPem`, `clientCertPem` + `clientKeyPem`.
    /// Nothing is sent until the first call.
    #[napi(
        factory,
        ts_args_type = "url: string, apiKey: string, options?: Record<string, unknown> | null"
    )]
    pub fn connect(
        url: Unknown<'_>,
        api_key: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Client> {
        run(|| {
            let url = string_arg(&url, "url")?;
            let key = string_arg(&api_key, "apiKey")?;
            let opts = connect_options(opt_to_json(&options)?)?;
            Ok(Client {
                inner: CoreClient::connect(&url, &key, &opts)?,
            })
        })
    }

    /// True for a gateway-backed client (`connect`).
    #[napi(getter)]
    pub fn is_remote(&self) -> bool {
        self.inner.is_remote()
    }

    /// `call(op, args)` off the event loop: runs on the core runtime's blocking pool and
    /// settles the returned Promise from there.
    #[napi(
        ts_args_type = "op: string, args?: Record<string, unknown> | null",
        ts_return_type = "Promise<unknown>"
    )]
    pub fn call_async<'e>(
        &self,
        env: &'e Env,
        op: Unknown<'_>,
        args: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let (op, args) = run(|| Ok((string_arg(&op, "op")?, args_json(&args)?)))?;
        let client = self.inner.clone();
        on_pool(env, move || client.call(&op, &args).map(JsonOut))
    }

    /// `check(…)` off the event loop (arguments as `fastApi().clientCheck`: `undefined`/`null`
    /// strings are empty); the Promise resolves to the decision's field array.
    #[napi(
        ts_args_type = "agentId?: string | null, sessionId?: string | null, tool?: string | null, inputSummary?: string | null, effect?: string | null",
        ts_return_type = "Promise<DecisionFields>"
    )]
    pub fn check_async<'e>(
        &self,
        env: &'e Env,
        agent_id: Option<Unknown<'_>>,
        session_id: Option<Unknown<'_>>,
        tool: Option<Unknown<'_>>,
        input_summary: Option<Unknown<'_>>,
        effect: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let (agent, session, tool, input, effect) = run(|| {
            Ok((
                opt_string_arg(&agent_id, "agent_id")?.unwrap_or_default(),
                opt_string_arg(&session_id, "session_id")?.unwrap_or_default(),
                opt_string_arg(&tool, "tool")?.unwrap_or_default(),
                opt_string_arg(&input_summary, "input_summary")?.unwrap_or_default(),
                opt_string_arg(&effect, "effect")?,
            ))
        })?;
        let client = self.inner.clone();
        on_pool(env, move || {
            client
                .check(&agent, &session, &tool, &input, effect.as_deref())
                .map(DecisionOut)
        })
    }

    /// The handle `fastApi().clientCheck(handle, …)` checks with.
    #[napi(ts_return_type = "ClientHandle")]
    pub fn handle(&self) -> ClientHandle {
        ClientHandle(self.inner.clone())
    }

    /// Runs one engine operation by name with JSON arguments.
    #[napi(
        ts_args_type = "op: string, args?: Record<string, unknown> | null",
        ts_return_type = "unknown"
    )]
    pub fn call(&self, op: Unknown<'_>, args: Option<Unknown<'_>>) -> napi::Result<JsonOut> {
        run(|| {
            let op = string_arg(&op, "op")?;
            let args = args_json(&args)?;
            self.inner.call(&op, &args).map(JsonOut)
        })
    }

    /// Test hook: every later call fails with this injected transport fault (`network_error`,
    /// `timeout`, `http_500`, `http_503`, `http_403`) until cleared with `null`.
    #[napi(ts_args_type = "fault: string | null")]
    pub fn set_fault(&self, fault: Option<Unknown<'_>>) -> napi::Result<()> {
        run(|| {
            let f = opt_string_arg(&fault, "fault")?
                .map(|s| Fault::parse(&s))
                .transpose()?;
            self.inner.set_fault(f);
            Ok(())
        })
    }

    /// The engine clock (unix ms).
    #[napi]
    pub fn now_ms(&self) -> i64 {
        self.inner.now_ms()
    }

    /// `wait_for_decision(args)` without blocking the event loop: the wait runs on the core
    /// runtime's blocking pool and settles the returned Promise from there.
    #[napi(
        ts_args_type = "args?: Record<string, unknown> | null",
        ts_return_type = "Promise<unknown>"
    )]
    pub fn wait_for_decision<'e>(
        &self,
        env: &'e Env,
        args: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let args = run(|| args_json(&args))?;
        let client = self.inner.clone();
        on_pool(env, move || {
            client.call("wait_for_decision", &args).map(JsonOut)
        })
    }
}

/// Renames the `Client.connect` options object (camelCase) to the core's wire names; unknown
/// names → `VALIDATION_ERROR`. The values are checked by the core (`RemoteOptions::from_json`).
fn connect_options(options: Option<Json>) -> Result<Json> {
    const NAMES: [(&str, &str); 6] = [
        ("timeoutMs", "timeout_ms"),
        ("connectTimeoutMs", "connect_timeout_ms"),
        ("retries", "retries"),
        ("caPem", "ca_pem"),
        ("clientCertPem", "client_cert_pem"),
        ("clientKeyPem", "client_key_pem"),
    ];
    let members = match options {
        None | Some(Json::Null) => return Ok(Json::Null),
        Some(Json::Obj(m)) => m,
        Some(_) => return Err(Error::validation("connect options must be an object")),
    };
    let mut out = Vec::with_capacity(members.len());
    for (k, v) in members {
        let Some((_, wire)) = NAMES.iter().find(|(n, _)| *n == k) else {
            return Err(Error::validation(format!(
                "unknown connect option {:?}",
                k.chars().take(64).collect::<String>()
            )));
        };
        // `null` means "the default", like an absent member.
        if v.is_null() {
            continue;
        }
        out.push((wire.to_string(), v));
    }
    Ok(Json::Obj(out))
}

/// Reads the Guard options object (camelCase names; unknown names and wrong types →
/// `VALIDATION_ERROR`) over the core defaults of `GuardOptions::new`.
fn guard_options(agent_id: String, options: Option<Json>) -> Result<GuardOptions> {
    let mut o = GuardOptions::new(agent_id);
    let members = match options {
        None | Some(Json::Null) => return Ok(o),
        Some(Json::Obj(m)) => m,
        Some(_) => return Err(Error::validation("Guard options must be an object")),
    };
    let flag = |k: &str, v: &Json| match v {
        Json::Bool(b) => Ok(*b),
        _ => Err(Error::validation(format!("{k} must be a boolean"))),
    };
    let text = |k: &str, v: &Json| match v {
        Json::Null => Ok(None),
        Json::Str(s) => Ok(Some(s.clone())),
        _ => Err(Error::validation(format!("{k} must be a string or null"))),
    };
    for (k, v) in &members {
        match k.as_str() {
            "sessionId" => o.session_id = text(k, v)?,
            "blockOnDeny" => o.block_on_deny = flag(k, v)?,
            "failOpen" => o.fail_open = flag(k, v)?,
            "defaultEffect" => {
                o.default_effect = text(k, v)?.map(|e| Effect::parse(&e)).transpose()?
            }
            "logInputs" => o.log_inputs = flag(k, v)?,
            "strictMode" => o.strict_mode = flag(k, v)?,
            "flushTimer" => o.flush_timer = flag(k, v)?,
            other => {
                return Err(Error::validation(format!(
                    "unknown Guard option {:?}",
                    other.chars().take(64).collect::<String>()
                )))
            }
        }
    }
    Ok(o)
}

/// The client-side Guard (SEMANTICS-engine §12): check before a tool call, report after.
#[napi]
pub struct Guard {
    pub(crate) inner: CoreGuard,
    remote: bool,
}

/// The arguments of `report`, read the way `report` reads them (never an error).
fn report_args(
    tool: &Unknown<'_>,
    success: &Unknown<'_>,
    duration_ms: &Unknown<'_>,
    error_type: &Option<Unknown<'_>>,
) -> (String, bool, i64, Option<String>) {
    let tool = string_arg(tool, "tool").unwrap_or_default();
    let success = matches!(to_json(success), Ok(Json::Bool(true)));
    let duration = match to_json(duration_ms) {
        Ok(Json::Int(i)) => i,
        Ok(Json::Float(f)) if f.is_finite() => f.trunc() as i64,
        _ => -1,
    };
    let et = opt_string_arg(error_type, "errorType").unwrap_or_default();
    (tool, success, duration, et)
}

#[napi]
impl Guard {
    /// A guard for `agentId` over `client`. Options (camelCase): `sessionId`, `blockOnDeny`
    /// (true), `failOpen` (false), `defaultEffect`, `logInputs` (false), `strictMode` (default:
    /// `WARDEN_STRICT_MODE`), `flushTimer` (true: flush every 5 s on the core runtime).
    #[napi(
        constructor,
        ts_args_type = "client: Client, agentId: string, options?: Record<string, unknown> | null"
    )]
    pub fn new(
        client: &Client,
        agent_id: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Guard> {
        run(|| {
            let agent = string_arg(&agent_id, "agentId")?;
            let o = guard_options(agent, opt_to_json(&options)?)?;
            Ok(Guard {
                inner: CoreGuard::new(client.inner.clone(), o)?,
                remote: client.inner.is_remote(),
            })
        })
    }

    /// The handle `fastApi().guardCheck(handle, …)` checks with.
    #[napi(ts_return_type = "GuardHandle")]
    pub fn handle(&self) -> GuardHandle {
        GuardHandle(self.inner.clone())
    }

    /// Buffers a `tool_end`/`tool_error` event; never throws. A tool that is not a string and a
    /// duration that is not a finite number reach the core as invalid values (counted in
    /// `invalid`); a fractional duration is truncated to whole milliseconds.
    #[napi(
        ts_args_type = "tool: string, success: boolean, durationMs: number, errorType?: string | null"
    )]
    pub fn report(
        &self,
        tool: Unknown<'_>,
        success: Unknown<'_>,
        duration_ms: Unknown<'_>,
        error_type: Option<Unknown<'_>>,
    ) {
        let _ = catch_panic(|| {
            let (tool, success, duration, et) =
                report_args(&tool, &success, &duration_ms, &error_type);
            self.inner.report(&tool, success, duration, et.as_deref());
            Ok(())
        });
    }

    /// True when the guard's client is gateway-backed.
    #[napi(getter)]
    pub fn is_remote(&self) -> bool {
        self.remote
    }

    /// `check(tool, inputSummary, effect)` off the event loop (the core runtime's blocking
    /// pool); the Promise resolves to the decision's field array or rejects with the errors
    /// `check` throws.
    #[napi(
        ts_args_type = "tool: string, inputSummary?: string | null, effect?: string | null",
        ts_return_type = "Promise<DecisionFields>"
    )]
    pub fn check_async<'e>(
        &self,
        env: &'e Env,
        tool: Unknown<'_>,
        input_summary: Option<Unknown<'_>>,
        effect: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let (tool, input, effect) = run(|| {
            Ok((
                string_arg(&tool, "tool")?,
                opt_string_arg(&input_summary, "inputSummary")?.unwrap_or_default(),
                opt_string_arg(&effect, "effect")?,
            ))
        })?;
        let g = self.inner.clone();
        on_pool(env, move || {
            g.check(&tool, &input, effect.as_deref()).map(DecisionOut)
        })
    }

    /// The wrappers' admission (`Guard::admit`) off the event loop.
    #[napi(
        ts_args_type = "tool: string, effect?: string | null",
        ts_return_type = "Promise<DecisionFields>"
    )]
    pub fn admit_async<'e>(
        &self,
        env: &'e Env,
        tool: Unknown<'_>,
        effect: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let (tool, effect) = run(|| {
            Ok((
                string_arg(&tool, "tool")?,
                opt_string_arg(&effect, "effect")?,
            ))
        })?;
        let g = self.inner.clone();
        on_pool(env, move || {
            g.admit(&tool, effect.as_deref()).map(DecisionOut)
        })
    }

    /// `report` off the event loop (a report can start a flush to the gateway); never rejects.
    #[napi(
        ts_args_type = "tool: string, success: boolean, durationMs: number, errorType?: string | null",
        ts_return_type = "Promise<void>"
    )]
    pub fn report_async<'e>(
        &self,
        env: &'e Env,
        tool: Unknown<'_>,
        success: Unknown<'_>,
        duration_ms: Unknown<'_>,
        error_type: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let (tool, success, duration, et) =
            catch_panic(|| Ok(report_args(&tool, &success, &duration_ms, &error_type)))
                .unwrap_or_else(|_| (String::new(), false, -1, None));
        let g = self.inner.clone();
        on_pool(env, move || {
            g.report(&tool, success, duration, et.as_deref());
            Ok(())
        })
    }

    /// `flush` off the event loop; never rejects.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn flush_async<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let g = self.inner.clone();
        on_pool(env, move || {
            g.flush();
            Ok(())
        })
    }

    /// `close` off the event loop; idempotent, never rejects.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close_async<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let g = self.inner.clone();
        on_pool(env, move || {
            g.close();
            Ok(())
        })
    }

    /// Sends the buffered events now.
    #[napi]
    pub fn flush(&self) {
        let _ = catch_panic(|| {
            self.inner.flush();
            Ok(())
        });
    }

    /// Flushes once and stops; idempotent.
    #[napi]
    pub fn close(&self) {
        let _ = catch_panic(|| {
            self.inner.close();
            Ok(())
        });
    }

    /// `{buffered, sent, dropped, invalid, failedFlushes}`.
    #[napi(
        ts_return_type = "{ buffered: number; sent: number; dropped: number; invalid: number; failedFlushes: number }"
    )]
    pub fn stats(&self) -> JsonOut {
        let s = self.inner.stats();
        JsonOut(Json::Obj(vec![
            ("buffered".into(), Json::Int(s.buffered as i64)),
            ("sent".into(), Json::Int(s.sent as i64)),
            ("dropped".into(), Json::Int(s.dropped as i64)),
            ("invalid".into(), Json::Int(s.invalid as i64)),
            ("failedFlushes".into(), Json::Int(s.failed_flushes as i64)),
        ]))
    }

    /// The session the guard uses (`null` until it opened one).
    #[napi(getter)]
    pub fn session_id(&self) -> Option<String> {
        self.inner.session_id()
    }
}

/// `resolve_effect(tool, effect?)`: `max(classify(tool), effect)`; `VALIDATION_ERROR` for a bad
/// tool name or effect.
#[napi(ts_args_type = "tool: string, effect?: string | null")]
pub fn resolve_effect(tool: Unknown<'_>, effect: Option<Unknown<'_>>) -> napi::Result<String> {
    run(|| {
        let tool = string_arg(&tool, "tool")?;
        let e = opt_string_arg(&effect, "effect")?
            .map(|e| Effect::parse(&e))
            .transpose()?;
        Ok(core_resolve_effect(&tool, e)?.as_str().to_string())
    })
}

/// `tool_words(tool)`: the lower-case words the effect classifier reads.
#[napi(ts_args_type = "tool: string")]
pub fn tool_words(tool: Unknown<'_>) -> napi::Result<Vec<String>> {
    run(|| Ok(core_tool_words(&string_arg(&tool, "tool")?)))
}

/// `summarize_input(text, log_inputs)`: what a Guard sends about a call's input.
#[napi(ts_args_type = "text: string, logInputs?: boolean")]
pub fn summarize_input(text: Unknown<'_>, log_inputs: Option<Unknown<'_>>) -> napi::Result<String> {
    run(|| {
        let text = string_arg(&text, "text")?;
        let log = match opt_to_json(&log_inputs)? {
            None | Some(Json::Null) => false,
            Some(Json::Bool(b)) => b,
            Some(_) => return Err(Error::validation("logInputs must be a boolean")),
        };
        Ok(core_summarize_input(&text, log))
    })
}

/// `verify_audit_export(jsonl)` → `{ok, checked, first_broken_seq}`.
#[napi(
    ts_args_type = "jsonl: string",
    ts_return_type = "{ ok: boolean; checked: number; first_broken_seq: number | null }"
)]
pub fn verify_audit_export(jsonl: Unknown<'_>) -> napi::Result<JsonOut> {
    run(|| {
        let text = string_arg(&jsonl, "jsonl")?;
        Ok(JsonOut(core_verify_audit_export(&text).to_json()))
    })
}
