//! The engine (SEMANTICS-engine) and the client (ARCHITECTURE layer 3): JSON text in, JSON text
//! out for `call`, plus the pure engine functions (`resolve_effect`, `tool_words`,
//! `summarize_input`, `verify_audit_export`). The Guard and the typed decision are in
//! [`crate::guard`].

use crate::ffi::{
    bytes, call, clear, handle, opt_text, put, query, text, value, WardenBytes, WardenError,
};
use std::sync::Arc;
use warden_core::client::{Client, Fault};
use warden_core::engine::summary::summarize_input_bytes;
use warden_core::engine::{
    resolve_effect, tool_words, verify_audit_export, Effect, Engine, EngineConfig, ManualClock,
    SystemClock,
};
use warden_core::json::{Json, DEFAULT_MAX_DEPTH};
use warden_core::{Error, Result};

/// An in-process engine (its state, signing key and clock). Thread-safe; free with
/// `warden_engine_free`. Clients built on it keep their own reference.
pub struct WardenEngine {
    pub(crate) engine: Arc<Engine>,
    pub(crate) clock: Option<Arc<ManualClock>>,
}

/// A client over a backend: the in-process engine or a gateway. Thread-safe; free with
/// `warden_client_free`. Guards built on it keep their own reference.
pub struct WardenClient(pub(crate) Client);

/// Parses a JSON text argument; an empty text (or NULL with length 0) is JSON `null`.
///
/// # Safety
/// As `ffi::bytes`.
pub(crate) unsafe fn json_arg(ptr: *const u8, len: usize, what: &str) -> Result<Json> {
    let raw = bytes(ptr, len, what)?;
    if raw.is_empty() {
        return Ok(Json::Null);
    }
    Json::parse_with_depth(raw, DEFAULT_MAX_DEPTH)
        .map_err(|e| Error::validation(format!("{what} is not valid JSON: {e}")))
}

fn json_out(v: &Json) -> WardenBytes {
    WardenBytes::from_string(v.to_compact())
}

/// `Engine(config, clock)`. `config_json` is a JSON object of `EngineConfig` overrides
/// (SEMANTICS-engine §17: `issuer`, `audience`, the `*_seconds` options, `max_delegation_depth`,
/// `seed`, `env: {WARDEN_STRICT_MODE}`); NULL means the defaults (strict mode from the
/// process environment). With `manual_clock` the engine runs on a manual clock starting at
/// `clock_start_ms` (unix ms) that only `warden_engine_advance` moves; otherwise on the system
/// clock (`clock_start_ms` ignored). On success `*out` is owned by the caller
/// (`warden_engine_free`).
///
/// # Safety
/// `(config_json, config_json_len)` readable; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_engine_new(
    config_json: *const u8,
    config_json_len: usize,
    manual_clock: bool,
    clock_start_ms: i64,
    out: *mut *mut WardenEngine,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let cfg = if config_json.is_null() {
            EngineConfig::default()
        } else {
            EngineConfig::from_json(&json_arg(config_json, config_json_len, "config_json")?)?
        };
        let (engine, clock) = if manual_clock {
            let c = Arc::new(ManualClock::new(clock_start_ms));
            (Engine::new(cfg, c.clone())?, Some(c))
        } else {
            (Engine::new(cfg, Arc::new(SystemClock))?, None)
        };
        put(
            out,
            Box::into_raw(Box::new(WardenEngine {
                engine: Arc::new(engine),
                clock,
            })),
            "out",
        )
    })
}

/// Moves the engine's manual clock forward by `ms` (may be negative only in tests).
/// `VALIDATION_ERROR` when the engine runs on the system clock.
///
/// # Safety
/// `engine` NULL or live; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_engine_advance(
    engine: *const WardenEngine,
    ms: i64,
    err: *mut *mut WardenError,
) -> bool {
    call(err, || {
        let e = handle(engine, "engine")?;
        let c = e
            .clock
            .as_ref()
            .ok_or_else(|| Error::validation("the engine has no manual clock"))?;
        c.advance(ms);
        Ok(())
    })
}

/// The engine clock now (unix ms) into `*now_ms`.
///
/// # Safety
/// `engine` NULL or live; `now_ms` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_engine_now_ms(
    engine: *const WardenEngine,
    now_ms: *mut i64,
    err: *mut *mut WardenError,
) -> bool {
    clear(now_ms, 0);
    call(err, || {
        put(now_ms, handle(engine, "engine")?.engine.now_ms(), "now_ms")
    })
}

/// True iff the engine's configuration has strict mode in force (SEMANTICS-engine §13); false
/// for NULL. Borrows its argument; nothing to free.
///
/// # Safety
/// `engine` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn warden_engine_strict_mode(engine: *const WardenEngine) -> bool {
    query(|| {
        engine
            .as_ref()
            .is_some_and(|e| e.engine.config().strict_mode)
    })
}

/// `Engine.call(op, args)`: one engine operation by name (SEMANTICS-engine API names) with
/// JSON arguments (`args_json` empty or NULL means JSON `null`, i.e. no arguments). On success
/// `*result_json` is the compact JSON result, owned by the caller.
///
/// # Safety
/// `engine` NULL or live; every `(ptr, len)` readable; `result_json` valid; `err` NULL or
/// valid.
#[no_mangle]
pub unsafe extern "C" fn warden_engine_call(
    engine: *const WardenEngine,
    op: *const u8,
    op_len: usize,
    args_json: *const u8,
    args_json_len: usize,
    result_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(result_json, WardenBytes::NONE);
    call(err, || {
        let e = handle(engine, "engine")?;
        let op = text(op, op_len, "op")?;
        let args = json_arg(args_json, args_json_len, "args_json")?;
        put(
            result_json,
            json_out(&e.engine.call(op, &args)?),
            "result_json",
        )
    })
}

/// The public JWKS of the engine's signing key (JSON text, owned by the caller).
///
/// # Safety
/// `engine` NULL or live; `jwks` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_engine_jwks(
    engine: *const WardenEngine,
    jwks: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(jwks, WardenBytes::NONE);
    call(err, || {
        put(
            jwks,
            WardenBytes::from_string(handle(engine, "engine")?.engine.jwks()),
            "jwks",
        )
    })
}

/// Frees an engine. NULL-safe. Clients built on it keep the engine alive.
///
/// # Safety
/// `engine` must be NULL or live, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn warden_engine_free(engine: *mut WardenEngine) {
    value((), || {
        if !engine.is_null() {
            drop(Box::from_raw(engine));
        }
    })
}

/// `Client.local()`: a client with its own in-process engine (default configuration, system
/// clock). On success `*out` is owned by the caller (`warden_client_free`).
///
/// # Safety
/// `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_client_local(
    out: *mut *mut WardenClient,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        put(
            out,
            Box::into_raw(Box::new(WardenClient(Client::local()?))),
            "out",
        )
    })
}

/// `Client.local(engine)`: a client sharing an existing engine (borrowed; the client keeps its
/// own reference). On success `*out` is owned by the caller (`warden_client_free`).
///
/// # Safety
/// `engine` NULL or live; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_client_with_engine(
    engine: *const WardenEngine,
    out: *mut *mut WardenClient,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let e = handle(engine, "engine")?;
        put(
            out,
            Box::into_raw(Box::new(WardenClient(Client::with_engine(
                e.engine.clone(),
            )))),
            "out",
        )
    })
}

/// `Client.connect(url, api_key, options)`: a client whose backend is a Warden gateway
/// (`http://` or `https://host[:port]`), authenticated with the API key `api_key`. Nothing is
/// sent until the first call, so an unreachable gateway shows up there (`NETWORK_ERROR`,
/// `TIMEOUT`). `options_json` is NULL (the defaults) or a JSON object with any of `timeout_ms`
/// (whole request, default 10000), `connect_timeout_ms` (2000), `retries` (idempotent GET
/// calls only, default 2), `ca_pem` (an extra trusted root, PEM text), `client_cert_pem` and
/// `client_key_pem` (mTLS, together); an unknown member, a malformed URL or key, or PEM that
/// does not parse is `VALIDATION_ERROR`. HTTP error answers come back as the typed Warden
/// errors of the body (`NOT_FOUND`, `AUTH_FAILED`, …). Calls block the calling thread while
/// the request runs on the core runtime. On success `*out` is owned by the caller
/// (`warden_client_free`).
///
/// # Safety
/// Every `(ptr, len)` readable; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_client_connect(
    url: *const u8,
    url_len: usize,
    api_key: *const u8,
    api_key_len: usize,
    options_json: *const u8,
    options_json_len: usize,
    out: *mut *mut WardenClient,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let url = text(url, url_len, "url")?;
        let key = text(api_key, api_key_len, "api_key")?;
        let options = if options_json.is_null() {
            Json::Null
        } else {
            json_arg(options_json, options_json_len, "options_json")?
        };
        put(
            out,
            Box::into_raw(Box::new(WardenClient(Client::connect(url, key, &options)?))),
            "out",
        )
    })
}

/// True iff the client's backend is a gateway (`warden_client_connect`); false for an
/// in-process client and for NULL. Borrows its argument; nothing to free.
///
/// # Safety
/// `client` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn warden_client_is_remote(client: *const WardenClient) -> bool {
    query(|| client.as_ref().is_some_and(|c| c.0.is_remote()))
}

/// A second handle to the same client (same backend, same injected fault), for a caller that
/// hands a long call to another thread and may free the first handle meanwhile. On success
/// `*out` is owned by the caller (`warden_client_free`).
///
/// # Safety
/// `client` NULL or live; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_client_clone(
    client: *const WardenClient,
    out: *mut *mut WardenClient,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let c = handle(client, "client")?;
        put(
            out,
            Box::into_raw(Box::new(WardenClient(c.0.clone()))),
            "out",
        )
    })
}

/// `Client.call(op, args)`, as `warden_engine_call` but through the client (so an injected
/// fault applies). On success `*result_json` is owned by the caller.
///
/// # Safety
/// As `warden_engine_call`, with `client` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn warden_client_call(
    client: *const WardenClient,
    op: *const u8,
    op_len: usize,
    args_json: *const u8,
    args_json_len: usize,
    result_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(result_json, WardenBytes::NONE);
    call(err, || {
        let c = handle(client, "client")?;
        let op = text(op, op_len, "op")?;
        let args = json_arg(args_json, args_json_len, "args_json")?;
        put(result_json, json_out(&c.0.call(op, &args)?), "result_json")
    })
}

/// Test hook: makes every call through this client (and its guards) fail with the transport
/// fault `fault` (`network_error`, `timeout`, `http_500`, `http_503`, `http_403`) until
/// cleared with a NULL `fault`. An unknown name is `VALIDATION_ERROR`.
///
/// # Safety
/// `client` NULL or live; `(fault, fault_len)` readable; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_client_set_fault(
    client: *const WardenClient,
    fault: *const u8,
    fault_len: usize,
    err: *mut *mut WardenError,
) -> bool {
    call(err, || {
        let c = handle(client, "client")?;
        let f = opt_text(fault, fault_len, "fault")?
            .map(Fault::parse)
            .transpose()?;
        c.0.set_fault(f);
        Ok(())
    })
}

/// The client-side clock now (unix ms) into `*now_ms`: the engine's for an in-process client;
/// for a gateway client the system clock (the gateway's manual clock as last reported by
/// `test_reset` / `test_advance` in test mode).
///
/// # Safety
/// `client` NULL or live; `now_ms` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_client_now_ms(
    client: *const WardenClient,
    now_ms: *mut i64,
    err: *mut *mut WardenError,
) -> bool {
    clear(now_ms, 0);
    call(err, || {
        put(now_ms, handle(client, "client")?.0.now_ms(), "now_ms")
    })
}

/// Frees a client. NULL-safe. Guards built on it keep the client alive.
///
/// # Safety
/// `client` must be NULL or live, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn warden_client_free(client: *mut WardenClient) {
    value((), || {
        if !client.is_null() {
            drop(Box::from_raw(client));
        }
    })
}

/// `resolve_effect(tool, effect=None)` (SEMANTICS-engine §5): the effect string (`read`,
/// `mutating`, `destructive`, `admin`), owned by the caller. NULL `effect` means "not given";
/// an invalid tool name or effect is `VALIDATION_ERROR`.
///
/// # Safety
/// Every `(ptr, len)` readable; `effect_out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_resolve_effect(
    tool: *const u8,
    tool_len: usize,
    effect: *const u8,
    effect_len: usize,
    effect_out: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(effect_out, WardenBytes::NONE);
    call(err, || {
        let tool = text(tool, tool_len, "tool")?;
        let given = opt_text(effect, effect_len, "effect")?
            .map(Effect::parse)
            .transpose()?;
        let e = resolve_effect(tool, given)?;
        put(
            effect_out,
            WardenBytes::from_string(e.as_str().to_string()),
            "effect_out",
        )
    })
}

/// `tool_words(tool)` (SEMANTICS-engine §1.3): the words of a tool name as a JSON array of
/// strings, owned by the caller.
///
/// # Safety
/// `(tool, tool_len)` readable; `words_json` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_tool_words(
    tool: *const u8,
    tool_len: usize,
    words_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(words_json, WardenBytes::NONE);
    call(err, || {
        let words = tool_words(text(tool, tool_len, "tool")?);
        put(
            words_json,
            json_out(&Json::Arr(words.into_iter().map(Json::Str).collect())),
            "words_json",
        )
    })
}

/// `summarize_input(text, log_inputs)` (SEMANTICS-engine §12.3): what a Guard sends about an
/// input. Bytes that are not UTF-8 become U+FFFD first. The summary is owned by the caller.
///
/// # Safety
/// `(input, input_len)` readable; `summary` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_summarize_input(
    input: *const u8,
    input_len: usize,
    log_inputs: bool,
    summary: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(summary, WardenBytes::NONE);
    call(err, || {
        let raw = bytes(input, input_len, "input")?;
        put(
            summary,
            WardenBytes::from_string(summarize_input_bytes(raw, log_inputs)),
            "summary",
        )
    })
}

/// `verify_audit_export(jsonl)` (SEMANTICS-engine §14): the JSON object `{ok, checked,
/// first_broken_seq}`, owned by the caller. Text that is not UTF-8 is `VALIDATION_ERROR`.
///
/// # Safety
/// `(jsonl, jsonl_len)` readable; `result_json` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_verify_audit_export(
    jsonl: *const u8,
    jsonl_len: usize,
    result_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(result_json, WardenBytes::NONE);
    call(err, || {
        let r = verify_audit_export(text(jsonl, jsonl_len, "jsonl")?);
        put(result_json, json_out(&r.to_json()), "result_json")
    })
}
