//! The HTTP server: every engine operation of the core route table, API-key and agent-token
//! auth with workspace scoping, keys, health/ready/metrics/OpenAPI, limits, JSON logs.

use crate::auth::{self, ApiKey, Keys, Principal, Role};
use crate::store::GatewayStore;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method as HttpMethod, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use warden_core::client::routes::{self, Method, QueryType, Route};
use warden_core::engine::{Clock, Engine, EngineConfig, ManualClock, SystemClock};
use warden_core::json::Json;
use warden_core::{Error, ErrorCode, Result};

/// Request body cap.
pub const MAX_BODY: usize = 1 << 20;
/// JSON nesting cap for request bodies.
pub const MAX_DEPTH: usize = 32;
/// Longest single `wait_for_decision` long poll the gateway holds (the client repeats it).
pub const MAX_WAIT_SECONDS: i64 = 25;

/// Server settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub test_mode: bool,
    pub log_requests: bool,
    /// Requests per second per API key (token bucket, burst = 2 s worth); 0 = unlimited.
    pub key_rate: f64,
    pub request_timeout: Duration,
}

#[derive(Default)]
pub struct Metrics {
    requests: AtomicU64,
    by_status: [AtomicU64; 6],
    checks: AtomicU64,
    check_us_total: AtomicU64,
    check_buckets: [AtomicU64; 8],
    rate_limited: AtomicU64,
}

const CHECK_BUCKETS_US: [u64; 8] = [50, 100, 250, 500, 1000, 5000, 25000, u64::MAX];

struct Bucket {
    tokens: f64,
    at: Instant,
}

pub struct App {
    engine: RwLock<Arc<Engine>>,
    clock: RwLock<Option<Arc<ManualClock>>>,
    store: Arc<dyn GatewayStore>,
    cfg: EngineConfig,
    keys: RwLock<Keys>,
    settings: Settings,
    metrics: Metrics,
    buckets: Mutex<HashMap<String, Bucket>>,
    req_ids: AtomicU64,
    started: Instant,
}

pub type Shared = Arc<App>;

impl App {
    /// Opens the engine over the store (replaying its journal) and loads the API keys. Returns
    /// the app and, on a store without keys, the bootstrap admin secret to print once.
    pub fn open(
        store: Arc<dyn GatewayStore>,
        cfg: EngineConfig,
        settings: Settings,
        bootstrap_key: Option<String>,
    ) -> Result<(Shared, Option<String>)> {
        let t = Instant::now();
        let engine = Engine::open(cfg.clone(), Arc::new(SystemClock), store.clone())?;
        log_line(&[
            ("event", Json::from("engine_opened")),
            ("store", Json::from(store.describe())),
            ("journal", Json::Int(engine.journal_len())),
            ("replay_ms", Json::Int(t.elapsed().as_millis() as i64)),
        ]);
        let mut keys = Keys::from_meta(store.meta_get("api_keys")?);
        let mut printed = None;
        if keys.by_hash.is_empty() {
            let (secret, id) = match bootstrap_key {
                Some(s) => {
                    if !s.starts_with("wk_") || s.len() < 24 {
                        return Err(Error::validation(
                            "WARDEN_BOOTSTRAP_KEY must start with wk_ and be at least 24 characters",
                        ));
                    }
                    let id = format!("key_{}", &auth::hash_key(&s)[..16]);
                    (s, id)
                }
                None => {
                    let (s, id) = auth::new_secret()?;
                    printed = Some(s.clone());
                    (s, id)
                }
            };
            let k = ApiKey {
                key_id: id,
                hash: auth::hash_key(&secret),
                workspace: "*".into(),
                role: Role::Admin,
                name: "bootstrap".into(),
                created_at: SystemClock.now_ms(),
                revoked: false,
            };
            keys.by_hash.insert(k.hash.clone(), k);
            store.meta_set("api_keys", &keys.to_meta())?;
        }
        let app = App {
            engine: RwLock::new(Arc::new(engine)),
            clock: RwLock::new(None),
            store,
            cfg,
            keys: RwLock::new(keys),
            settings,
            metrics: Metrics::default(),
            buckets: Mutex::new(HashMap::new()),
            req_ids: AtomicU64::new(0),
            started: Instant::now(),
        };
        Ok((Arc::new(app), printed))
    }

    fn engine(&self) -> Arc<Engine> {
        self.engine
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// One JSON log line on stderr.
pub fn log_line(fields: &[(&str, Json)]) {
    let mut m = vec![
        ("ts".to_string(), Json::Int(SystemClock.now_ms())),
        ("level".to_string(), Json::from("info")),
    ];
    m.extend(fields.iter().map(|(k, v)| (k.to_string(), v.clone())));
    eprintln!("{}", Json::Obj(m).to_compact());
}

fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        AuthFailed => StatusCode::UNAUTHORIZED,
        AuthDenied | ScopeDenied | ActionDenied | ElevationRequired | AgentRevoked
        | DelegationDenied | DelegationRevoked | DelegationExpired | PermissionDenied => {
            StatusCode::FORBIDDEN
        }
        NotFound => StatusCode::NOT_FOUND,
        Conflict | SessionClosed | ApprovalExpired => StatusCode::CONFLICT,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Internal => StatusCode::INTERNAL_SERVER_ERROR,
        GuardianUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        // Client-side codes never produced by the engine; `wait_for_decision`'s timeout is a
        // result the client maps back (reason `wait_timeout`).
        Timeout | NetworkError | Disconnected => StatusCode::REQUEST_TIMEOUT,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn json_response(status: StatusCode, body: &Json) -> Response {
    let mut r = (status, body.to_compact()).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

fn error_response(e: &Error, status: Option<StatusCode>) -> Response {
    let mut m = vec![
        ("code".to_string(), Json::from(e.code().as_str())),
        (
            "reason".into(),
            e.reason().map(Json::from).unwrap_or(Json::Null),
        ),
        ("message".into(), Json::from(e.message())),
        (
            "details".into(),
            e.details_json().cloned().unwrap_or(Json::Null),
        ),
    ];
    if let Some(d) = e.decision() {
        m.push(("decision".into(), d.clone()));
    }
    let mut r = json_response(
        status.unwrap_or_else(|| status_of(e.code())),
        &Json::Obj(vec![("error".into(), Json::Obj(m))]),
    );
    if e.code() == ErrorCode::RateLimited {
        let ms = e
            .details_json()
            .and_then(|d| d.get("retry_after_ms"))
            .and_then(Json::as_i64)
            .unwrap_or(1000);
        if let Ok(v) = HeaderValue::from_str(&((ms + 999) / 1000).max(1).to_string()) {
            r.headers_mut().insert("retry-after", v);
        }
    }
    r
}

// ------------------------------------------------------------------ auth

pub(crate) fn authenticate(app: &App, headers: &HeaderMap) -> Result<Principal> {
    let h = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| auth::auth_failed("missing_credential", "Authorization: Bearer required"))?;
    let cred = h
        .strip_prefix("Bearer ")
        .or_else(|| h.strip_prefix("bearer "))
        .ok_or_else(|| auth::auth_failed("missing_credential", "Authorization: Bearer required"))?
        .trim();
    if cred.starts_with("wk_") {
        let keys = app.keys.read().unwrap_or_else(|e| e.into_inner());
        return match keys.by_hash.get(&auth::hash_key(cred)) {
            Some(k) if !k.revoked => Ok(Principal::Key {
                key_id: k.key_id.clone(),
                workspace: k.workspace.clone(),
                role: k.role,
            }),
            Some(_) => Err(auth::auth_failed("revoked", "API key revoked")),
            None => Err(auth::auth_failed("unknown_key", "unknown API key")),
        };
    }
    // An agent's Warden token.
    let engine = app.engine();
    let args = Json::Obj(vec![("token".into(), cred.into())]);
    let v = engine
        .call("introspect_token", &args)
        .map_err(|_| auth::auth_failed("malformed", "invalid credential"))?;
    if v.get("active").and_then(Json::as_bool) != Some(true) {
        let reason = v.get("reason").and_then(Json::as_str).unwrap_or("inactive");
        return Err(Error::with_reason(
            ErrorCode::AuthFailed,
            reason.to_string(),
            "token is not active",
        ));
    }
    let agent_id = v
        .get("sub")
        .or_else(|| v.get("agent_id"))
        .and_then(Json::as_str)
        .ok_or_else(|| auth::auth_failed("malformed", "token has no agent"))?
        .to_string();
    let a = engine
        .call(
            "get_agent",
            &Json::Obj(vec![("agent_id".into(), agent_id.as_str().into())]),
        )
        .map_err(|_| auth::auth_failed("unknown_agent", "token agent unknown"))?;
    let workspace = a
        .get("workspace")
        .and_then(Json::as_str)
        .unwrap_or("default")
        .to_string();
    Ok(Principal::Agent {
        agent_id,
        workspace,
    })
}

fn not_found(reason: &'static str) -> Error {
    Error::with_reason(ErrorCode::NotFound, reason, "not found")
}

/// Workspace scoping: a principal bound to one workspace sees nothing outside it (→ 404 exactly
/// like a missing object), and an agent acts only as itself.
fn scope_args(
    engine: &Engine,
    p: &Principal,
    op: &str,
    args: &mut Vec<(String, Json)>,
) -> Result<()> {
    const WS_OPS: &[&str] = &[
        "create_agent",
        "list_agents",
        "set_policy",
        "get_policy",
        "list_approvals",
        "list_delegations",
        "query_audit",
        "verify_chain",
        "export_audit",
    ];
    if let Principal::Agent { agent_id, .. } = p {
        for k in ["agent_id", "from_agent_id"] {
            if let Some(v) = args
                .iter()
                .find(|(n, _)| n == k)
                .and_then(|(_, v)| v.as_str())
            {
                if v != agent_id {
                    return Err(Error::with_reason(
                        ErrorCode::AuthDenied,
                        "not_self",
                        "an agent credential acts only for its own agent",
                    ));
                }
            }
        }
    }
    let Some(ws) = p.workspace() else {
        return Ok(());
    };
    if WS_OPS.contains(&op) {
        match args.iter().find(|(k, _)| k == "workspace") {
            Some((_, Json::Str(w))) if w != ws => return Err(not_found("workspace_not_found")),
            Some(_) => {}
            None => args.push(("workspace".into(), ws.into())),
        }
    }
    // Every id argument must name an object of the caller's workspace (else 404, as if it
    // did not exist); an unknown id is left to the engine to report.
    let lookups: [(&str, &str, &'static str); 7] = [
        ("agent_id", "agt_", "agent_not_found"),
        ("from_agent_id", "agt_", "agent_not_found"),
        ("to_agent_id", "agt_", "agent_not_found"),
        ("session_id", "ses_", "session_not_found"),
        ("approval_id", "apr_", "approval_not_found"),
        ("delegation_id", "dlg_", "delegation_not_found"),
        ("parent_delegation_id", "dlg_", "delegation_not_found"),
    ];
    for (arg, prefix, reason) in lookups {
        let Some(id) = args
            .iter()
            .find(|(k, _)| k == arg)
            .and_then(|(_, v)| v.as_str())
        else {
            continue;
        };
        if !id.starts_with(prefix) {
            continue;
        }
        if let Some(w) = engine.workspace_of(id) {
            if w != ws {
                return Err(not_found(reason));
            }
        }
    }
    if let Some(tok) = args
        .iter()
        .find(|(k, _)| k == "token")
        .and_then(|(_, v)| v.as_str())
    {
        let q = Json::Obj(vec![("token".into(), tok.into())]);
        if let Ok(v) = engine.call("introspect_token", &q) {
            if let Some(agent) = v
                .get("sub")
                .or_else(|| v.get("agent_id"))
                .and_then(Json::as_str)
            {
                let q = Json::Obj(vec![("agent_id".into(), agent.into())]);
                if let Ok(a) = engine.call("get_agent", &q) {
                    if a.get("workspace").and_then(Json::as_str) != Some(ws) {
                        return Err(not_found("token_not_found"));
                    }
                }
            }
        }
    }
    Ok(())
}

fn rate_ok(app: &App, p: &Principal) -> bool {
    let rate = app.settings.key_rate;
    if rate <= 0.0 {
        return true;
    }
    let mut b = app.buckets.lock().unwrap_or_else(|e| e.into_inner());
    let now = Instant::now();
    let e = b.entry(p.label()).or_insert(Bucket {
        tokens: rate * 2.0,
        at: now,
    });
    e.tokens = (e.tokens + now.duration_since(e.at).as_secs_f64() * rate).min(rate * 2.0);
    e.at = now;
    if e.tokens >= 1.0 {
        e.tokens -= 1.0;
        true
    } else {
        false
    }
}

// ------------------------------------------------------------------ request plumbing

fn parse_query(route: &Route, raw: Option<&str>) -> Result<Vec<(String, Json)>> {
    let mut out = Vec::new();
    for pair in raw.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(k)?;
        let v = percent_decode(v)?;
        let Some((_, ty)) = route.query.iter().find(|(n, _)| *n == k) else {
            return Err(Error::validation(format!(
                "{}: unknown query parameter {:?}",
                route.op,
                k.chars().take(64).collect::<String>()
            )));
        };
        if out.iter().any(|(n, _): &(String, Json)| *n == k) {
            return Err(Error::validation(format!("duplicate query parameter {k}")));
        }
        let val = match ty {
            QueryType::Str => Json::Str(v),
            QueryType::Int => Json::Int(
                v.parse::<i64>()
                    .map_err(|_| Error::validation(format!("{k} must be an integer")))?,
            ),
        };
        out.push((k, val));
    }
    Ok(out)
}

fn percent_decode(s: &str) -> Result<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let h = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| Error::validation("bad percent-encoding"))?;
                out.push(h);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| Error::validation("query is not UTF-8"))
}

fn body_object(body: &Bytes) -> Result<Vec<(String, Json)>> {
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let text = std::str::from_utf8(body).map_err(|_| Error::validation("body is not UTF-8"))?;
    match Json::parse_with_depth(text.as_bytes(), MAX_DEPTH)
        .map_err(|e| Error::validation(format!("body is not valid JSON: {e}")))?
    {
        Json::Obj(m) => Ok(m),
        _ => Err(Error::validation("body must be a JSON object")),
    }
}

struct Call {
    op: &'static str,
    status: StatusCode,
    principal: String,
}

async fn run_engine_route(
    app: &Shared,
    route: &'static Route,
    params: HashMap<String, String>,
    query: Option<String>,
    headers: &HeaderMap,
    body: std::result::Result<Bytes, axum::extract::rejection::BytesRejection>,
    call: &mut Call,
) -> Response {
    let r = async {
        let body = body.map_err(|e| {
            (
                Error::validation(format!("request body rejected: {e}")),
                Some(e.status()),
            )
        })?;
        let p = authenticate(app, headers).map_err(|e| (e, None))?;
        call.principal = p.label();
        if !rate_ok(app, &p) {
            app.metrics.rate_limited.fetch_add(1, Ordering::Relaxed);
            return Err((
                Error::with_reason(
                    ErrorCode::RateLimited,
                    "api_key_rate",
                    "too many requests for this credential",
                )
                .details(Json::Obj(vec![("retry_after_ms".into(), Json::Int(1000))])),
                None,
            ));
        }
        if !p.role().allows(route.op) {
            return Err((
                Error::with_reason(
                    ErrorCode::AuthDenied,
                    "role",
                    format!("role {} may not {}", p.role().as_str(), route.op),
                ),
                None,
            ));
        }
        let mut args = match route.method {
            Method::Get => parse_query(route, query.as_deref()),
            Method::Post => body_object(&body),
        }
        .map_err(|e| (e, None))?;
        for (k, v) in params {
            if args.iter().any(|(n, _)| *n == k) {
                return Err((
                    Error::validation(format!("{k} is given in the path and the body")),
                    None,
                ));
            }
            args.push((k, Json::Str(v)));
        }
        if route.op.starts_with("test_") {
            return test_op(app, route.op, &args).map_err(|e| (e, None));
        }
        let engine = app.engine();
        scope_args(&engine, &p, route.op, &mut args).map_err(|e| (e, None))?;
        // Audit actor (SEMANTICS-engine §14): the API key id; an agent token acts as its agent.
        // Test mode keeps `local`, so its transcripts equal the in-process engine's exactly.
        let actor = (!app.settings.test_mode).then(|| p.label());
        let args = Json::Obj(args);
        if route.op == "wait_for_decision" {
            let mut a = args.as_obj().map(|m| m.to_vec()).unwrap_or_default();
            let t = a
                .iter()
                .find(|(k, _)| k == "timeout_seconds")
                .and_then(|(_, v)| v.as_i64())
                .unwrap_or(MAX_WAIT_SECONDS);
            if !(0..=3600).contains(&t) {
                return Err((
                    Error::validation("timeout_seconds must be in 0..3600"),
                    None,
                ));
            }
            a.retain(|(k, _)| k != "timeout_seconds");
            a.push(("timeout_seconds".into(), Json::Int(t.min(MAX_WAIT_SECONDS))));
            let args = Json::Obj(a);
            return tokio::task::spawn_blocking(move || engine.call("wait_for_decision", &args))
                .await
                .map_err(|_| (Error::internal("wait task failed"), None))?
                .map_err(|e| (e, None));
        }
        if route.op == "check" {
            let t = Instant::now();
            let r = engine.call_async_as(actor.as_deref(), "check", &args).await;
            let us = t.elapsed().as_micros() as u64;
            let m = &app.metrics;
            m.checks.fetch_add(1, Ordering::Relaxed);
            m.check_us_total.fetch_add(us, Ordering::Relaxed);
            let i = CHECK_BUCKETS_US.iter().position(|b| us <= *b).unwrap_or(7);
            m.check_buckets[i].fetch_add(1, Ordering::Relaxed);
            return r.map_err(|e| (e, None));
        }
        engine
            .call_async_as(actor.as_deref(), route.op, &args)
            .await
            .map_err(|e| (e, None))
    }
    .await;
    match r {
        Ok(v) => {
            call.status = StatusCode::OK;
            json_response(StatusCode::OK, &v)
        }
        Err((e, st)) => {
            let resp = error_response(&e, st);
            call.status = resp.status();
            resp
        }
    }
}

fn test_op(app: &App, op: &str, args: &[(String, Json)]) -> Result<Json> {
    if !app.settings.test_mode {
        return Err(not_found("not_found"));
    }
    let get = |k: &str| args.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    match op {
        "test_reset" => {
            let mut cfg = match get("engine") {
                Some(e) if !e.is_null() => EngineConfig::from_json(e)?,
                _ => EngineConfig {
                    strict_mode: false,
                    ..app.cfg.clone()
                },
            };
            cfg.seed = None;
            let clock_ms = get("clock_ms")
                .and_then(Json::as_i64)
                .unwrap_or(1_767_225_600_000);
            let keys = app.keys.read().unwrap_or_else(|e| e.into_inner()).to_meta();
            app.store.wipe()?;
            app.store.meta_set("api_keys", &keys)?;
            app.store.meta_set("engine_seed", "7")?;
            let clock = Arc::new(ManualClock::new(clock_ms));
            let engine = Engine::open(cfg, clock.clone(), app.store.clone())?;
            *app.engine.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(engine);
            *app.clock.write().unwrap_or_else(|e| e.into_inner()) = Some(clock);
            Ok(Json::Obj(vec![("now_ms".into(), Json::Int(clock_ms))]))
        }
        "test_advance" => {
            let s = get("seconds")
                .and_then(Json::as_i64)
                .filter(|s| (0..=10 * 365 * 86400).contains(s))
                .ok_or_else(|| Error::validation("seconds must be a non-negative integer"))?;
            let c = app.clock.read().unwrap_or_else(|e| e.into_inner()).clone();
            let c = c.ok_or_else(|| Error::validation("test_reset first"))?;
            c.advance(s * 1000);
            Ok(Json::Obj(vec![("now_ms".into(), Json::Int(c.now_ms()))]))
        }
        _ => Err(not_found("not_found")),
    }
}

fn finish(app: &App, method: &HttpMethod, route: &str, call: &Call, t: Instant, rid: &str) {
    let m = &app.metrics;
    m.requests.fetch_add(1, Ordering::Relaxed);
    let class = (call.status.as_u16() / 100).min(5) as usize;
    m.by_status[class].fetch_add(1, Ordering::Relaxed);
    if app.settings.log_requests {
        log_line(&[
            ("request_id", Json::from(rid)),
            ("method", Json::from(method.as_str())),
            ("route", Json::from(route)),
            ("op", Json::from(call.op)),
            ("status", Json::Int(call.status.as_u16() as i64)),
            ("duration_us", Json::Int(t.elapsed().as_micros() as i64)),
            ("principal", Json::from(call.principal.as_str())),
        ]);
    }
}

fn request_id(app: &App, headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "req-{:x}-{}",
                app.started.elapsed().as_nanos() as u64 & 0xffff_ffff,
                app.req_ids.fetch_add(1, Ordering::Relaxed)
            )
        })
}

fn engine_handler(route: &'static Route) -> MethodRouter<Shared> {
    let h =
        move |State(app): State<Shared>,
              params: Option<Path<HashMap<String, String>>>,
              RawQuery(q): RawQuery,
              method: HttpMethod,
              headers: HeaderMap,
              body: std::result::Result<Bytes, axum::extract::rejection::BytesRejection>| async move {
            let t = Instant::now();
            let rid = request_id(&app, &headers);
            let mut call = Call {
                op: route.op,
                status: StatusCode::OK,
                principal: String::new(),
            };
            let params = params.map(|Path(p)| p).unwrap_or_default();
            let mut resp =
                run_engine_route(&app, route, params, q, &headers, body, &mut call).await;
            finish(&app, &method, route.path, &call, t, &rid);
            if let Ok(v) = HeaderValue::from_str(&rid) {
                resp.headers_mut().insert("x-request-id", v);
            }
            resp
        };
    match route.method {
        Method::Get => get(h),
        Method::Post => post(h),
    }
}

// ------------------------------------------------------------------ keys

async fn keys_handler(
    State(app): State<Shared>,
    params: Option<Path<HashMap<String, String>>>,
    method: HttpMethod,
    headers: HeaderMap,
    body: std::result::Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let t = Instant::now();
    let rid = request_id(&app, &headers);
    let mut call = Call {
        op: "keys",
        status: StatusCode::OK,
        principal: String::new(),
    };
    let r = (|| -> Result<Json> {
        let p = authenticate(&app, &headers)?;
        call.principal = p.label();
        if p.role() != Role::Admin {
            return Err(Error::with_reason(
                ErrorCode::AuthDenied,
                "role",
                "only an admin manages API keys",
            ));
        }
        let scope = p.workspace().map(str::to_string);
        let params = params.map(|Path(p)| p).unwrap_or_default();
        let mut keys = app.keys.write().unwrap_or_else(|e| e.into_inner());
        if method == HttpMethod::GET {
            let mut items: Vec<&ApiKey> = keys
                .by_hash
                .values()
                .filter(|k| scope.as_deref().is_none_or(|w| k.workspace == w))
                .collect();
            items.sort_by(|a, b| (a.created_at, &a.key_id).cmp(&(b.created_at, &b.key_id)));
            return Ok(Json::Obj(vec![(
                "items".into(),
                Json::Arr(items.into_iter().map(|k| k.to_json(false)).collect()),
            )]));
        }
        if let Some(id) = params.get("key_id") {
            let k = keys
                .by_hash
                .values_mut()
                .find(|k| &k.key_id == id && scope.as_deref().is_none_or(|w| k.workspace == w))
                .ok_or_else(|| not_found("key_not_found"))?;
            k.revoked = true;
            let out = k.to_json(false);
            app.store.meta_set("api_keys", &keys.to_meta())?;
            return Ok(out);
        }
        let body = body.map_err(|e| Error::validation(format!("request body rejected: {e}")))?;
        let args = Json::Obj(body_object(&body)?);
        let role = Role::parse(args.get("role").and_then(Json::as_str).unwrap_or(""))?;
        let ws = args
            .get("workspace")
            .and_then(Json::as_str)
            .unwrap_or("default")
            .to_string();
        if ws != "*"
            && (ws.is_empty()
                || ws.len() > 64
                || !ws.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
                }))
        {
            return Err(Error::validation(
                "workspace must be 1-64 bytes of [a-z0-9_-] (or * for an admin of every workspace)",
            ));
        }
        if scope.as_deref().is_some_and(|w| w != ws) {
            return Err(not_found("workspace_not_found"));
        }
        let name = args
            .get("name")
            .and_then(Json::as_str)
            .unwrap_or("")
            .chars()
            .take(128)
            .collect::<String>();
        let (secret, key_id) = auth::new_secret()?;
        let k = ApiKey {
            key_id,
            hash: auth::hash_key(&secret),
            workspace: ws,
            role,
            name,
            created_at: SystemClock.now_ms(),
            revoked: false,
        };
        let mut out = k.to_json(false);
        if let Json::Obj(m) = &mut out {
            m.push(("api_key".into(), secret.into()));
        }
        keys.by_hash.insert(k.hash.clone(), k);
        app.store.meta_set("api_keys", &keys.to_meta())?;
        Ok(out)
    })();
    let resp = match r {
        Ok(v) => json_response(StatusCode::OK, &v),
        Err(e) => error_response(&e, None),
    };
    call.status = resp.status();
    finish(&app, &method, "/v1/keys", &call, t, &rid);
    resp
}

// ------------------------------------------------------------------ ops endpoints

async fn health() -> Response {
    json_response(
        StatusCode::OK,
        &Json::Obj(vec![("status".into(), "ok".into())]),
    )
}

async fn ready(State(app): State<Shared>) -> Response {
    match app.store.meta_get("engine_seed") {
        Ok(Some(_)) => json_response(
            StatusCode::OK,
            &Json::Obj(vec![
                ("status".into(), "ready".into()),
                ("journal".into(), Json::Int(app.engine().journal_len())),
            ]),
        ),
        _ => error_response(
            &Error::new(ErrorCode::GuardianUnavailable, "store unavailable"),
            None,
        ),
    }
}

async fn metrics(State(app): State<Shared>) -> Response {
    let m = &app.metrics;
    let mut s = String::new();
    let l = |o: &AtomicU64| o.load(Ordering::Relaxed);
    s.push_str("# HELP warden_http_requests_total HTTP requests by status class.\n# TYPE warden_http_requests_total counter\n");
    for (i, c) in ["1xx", "1xx", "2xx", "3xx", "4xx", "5xx"]
        .iter()
        .enumerate()
        .skip(1)
    {
        s.push_str(&format!(
            "warden_http_requests_total{{class=\"{c}\"}} {}\n",
            l(&m.by_status[i])
        ));
    }
    s.push_str("# HELP warden_check_duration_microseconds Engine time of action checks.\n# TYPE warden_check_duration_microseconds histogram\n");
    let mut cum = 0;
    for (i, b) in CHECK_BUCKETS_US.iter().enumerate() {
        cum += l(&m.check_buckets[i]);
        let le = if *b == u64::MAX {
            "+Inf".to_string()
        } else {
            b.to_string()
        };
        s.push_str(&format!(
            "warden_check_duration_microseconds_bucket{{le=\"{le}\"}} {cum}\n"
        ));
    }
    s.push_str(&format!(
        "warden_check_duration_microseconds_sum {}\n",
        l(&m.check_us_total)
    ));
    s.push_str(&format!(
        "warden_check_duration_microseconds_count {}\n",
        l(&m.checks)
    ));
    s.push_str("# HELP warden_rate_limited_total Requests refused by the per-credential rate limit.\n# TYPE warden_rate_limited_total counter\n");
    s.push_str(&format!(
        "warden_rate_limited_total {}\n",
        l(&m.rate_limited)
    ));
    s.push_str("# HELP warden_journal_entries Journaled engine operations.\n# TYPE warden_journal_entries gauge\n");
    s.push_str(&format!(
        "warden_journal_entries {}\n",
        app.engine().journal_len()
    ));
    let js = app.engine().journal_stats();
    s.push_str(&format!(
        "# HELP warden_journal_commit_rounds_total Store transactions written by group commit (since start).\n# TYPE warden_journal_commit_rounds_total counter\nwarden_journal_commit_rounds_total {}\n",
        js.rounds
    ));
    s.push_str(&format!(
        "# HELP warden_journal_commit_write_microseconds_total Time in the store's writes (since start).\n# TYPE warden_journal_commit_write_microseconds_total counter\nwarden_journal_commit_write_microseconds_total {}\n",
        js.write_us
    ));
    crate::messaging::metrics_text(&mut s);
    s.push_str(&format!("# HELP warden_uptime_seconds Seconds since start.\n# TYPE warden_uptime_seconds gauge\nwarden_uptime_seconds {}\n", app.started.elapsed().as_secs()));
    let mut r = (StatusCode::OK, s).into_response();
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}

async fn openapi_handler(State(app): State<Shared>) -> Response {
    json_response(
        StatusCode::OK,
        &crate::openapi::document(app.settings.test_mode),
    )
}

async fn not_found_handler() -> Response {
    error_response(&not_found("no_route"), None)
}

/// The router.
pub fn router(app: Shared) -> Router {
    let mut r: Router<Shared> = Router::new();
    // Several operations share a path with different methods; group them.
    let mut by_path: Vec<(&'static str, MethodRouter<Shared>)> = Vec::new();
    for route in routes::ROUTES {
        if route.op.starts_with("test_") && !app.settings.test_mode {
            continue;
        }
        let h = engine_handler(route);
        match by_path.iter_mut().find(|(p, _)| *p == route.path) {
            Some((_, mr)) => {
                let taken = std::mem::take(mr);
                *mr = taken.merge(h);
            }
            None => by_path.push((route.path, h)),
        }
    }
    for (p, mr) in by_path {
        r = r.route(p, mr);
    }
    r.route("/v1/keys", get(keys_handler).post(keys_handler))
        .route("/v1/keys/{key_id}/revoke", post(keys_handler))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi_handler))
        .fallback(not_found_handler)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            app.settings.request_timeout,
        ))
        .with_state(app)
}
