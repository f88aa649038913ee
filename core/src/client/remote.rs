//! The `Remote` backend: the engine behind a gateway, over HTTP(S) with connection reuse,
//! per-request timeouts, and retries with backoff for idempotent (GET) calls only.

use super::routes::{self, Method, QueryType};
use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use std::sync::atomic::{AtomicI64, AtomicU64};
use std::time::Duration;

/// Options of [`super::Client::connect`] (all optional), read from a JSON object:
/// `timeout_ms` (default 10 000), `connect_timeout_ms` (2 000), `retries` (GET only, default 2),
/// `ca_pem` (extra trusted root, PEM text), `client_cert_pem` + `client_key_pem` (mTLS).
#[derive(Clone, Debug)]
pub struct RemoteOptions {
    /// Whole-request deadline.
    pub timeout_ms: u64,
    /// Connect deadline.
    pub connect_timeout_ms: u64,
    /// Retries of idempotent calls after a network error or a 502/503/504.
    pub retries: u32,
    /// Extra trusted CA (PEM).
    pub ca_pem: Option<String>,
    /// Client certificate chain (PEM).
    pub client_cert_pem: Option<String>,
    /// Client private key (PEM).
    pub client_key_pem: Option<String>,
}

impl Default for RemoteOptions {
    fn default() -> RemoteOptions {
        RemoteOptions {
            timeout_ms: 10_000,
            connect_timeout_ms: 2_000,
            retries: 2,
            ca_pem: None,
            client_cert_pem: None,
            client_key_pem: None,
        }
    }
}

impl RemoteOptions {
    /// From a JSON object (`null` → defaults); unknown members → `VALIDATION_ERROR`.
    pub fn from_json(v: &Json) -> Result<RemoteOptions> {
        let mut o = RemoteOptions::default();
        let Some(m) = v.as_obj() else {
            if v.is_null() {
                return Ok(o);
            }
            return Err(Error::validation("connect options must be an object"));
        };
        for (k, x) in m {
            let int = |max: i64| {
                x.as_i64()
                    .filter(|n| (0..=max).contains(n))
                    .ok_or_else(|| Error::validation(format!("{k} must be an integer in 0..{max}")))
            };
            let text = || {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::validation(format!("{k} must be a string")))
            };
            match k.as_str() {
                "timeout_ms" => o.timeout_ms = int(600_000)?.max(1) as u64,
                "connect_timeout_ms" => o.connect_timeout_ms = int(60_000)?.max(1) as u64,
                "retries" => o.retries = int(10)? as u32,
                "ca_pem" => o.ca_pem = Some(text()?),
                "client_cert_pem" => o.client_cert_pem = Some(text()?),
                "client_key_pem" => o.client_key_pem = Some(text()?),
                other => {
                    return Err(Error::validation(format!(
                        "unknown connect option {:?}",
                        crate::rate::truncate(other)
                    )))
                }
            }
        }
        if o.client_cert_pem.is_some() != o.client_key_pem.is_some() {
            return Err(Error::validation(
                "client_cert_pem and client_key_pem go together",
            ));
        }
        Ok(o)
    }
}

pub(crate) struct Remote {
    base: String,
    auth: String,
    http: reqwest::Client,
    opts: RemoteOptions,
    /// Test mode only: the gateway's manual clock as last reported (0 = none).
    pub(crate) test_clock: AtomicI64,
    pub(crate) test_seed_forks: AtomicU64,
}

impl Remote {
    pub(crate) fn new(url: &str, api_key: &str, opts: RemoteOptions) -> Result<Remote> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| Error::validation("gateway url is not a valid URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(Error::validation(
                "gateway url must be http(s)://host[:port]",
            ));
        }
        if api_key.is_empty()
            || api_key.len() > 8192
            || !api_key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(Error::validation(
                "api_key must be 1-8192 printable ASCII characters",
            ));
        }
        let mut b = reqwest::Client::builder()
            .timeout(Duration::from_millis(opts.timeout_ms))
            .connect_timeout(Duration::from_millis(opts.connect_timeout_ms))
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .tcp_nodelay(true)
            .use_rustls_tls();
        if let Some(ca) = &opts.ca_pem {
            if !ca.contains("-----BEGIN CERTIFICATE-----") {
                return Err(Error::validation("ca_pem is not a PEM certificate"));
            }
            let cert = reqwest::Certificate::from_pem(ca.as_bytes())
                .map_err(|_| Error::validation("ca_pem is not a PEM certificate"))?;
            b = b.add_root_certificate(cert);
        }
        if let (Some(c), Some(k)) = (&opts.client_cert_pem, &opts.client_key_pem) {
            if !c.contains("-----BEGIN CERTIFICATE-----") || !k.contains("PRIVATE KEY-----") {
                return Err(Error::validation(
                    "client_cert_pem/client_key_pem are not a PEM certificate and key",
                ));
            }
            let pem = format!("{c}\n{k}");
            let id = reqwest::Identity::from_pem(pem.as_bytes())
                .map_err(|_| Error::validation("client_cert_pem/client_key_pem are not PEM"))?;
            b = b.identity(id);
        }
        let http = b
            .build()
            .map_err(|e| Error::validation(format!("cannot build the HTTP client: {e}")))?;
        Ok(Remote {
            base: url.trim_end_matches('/').to_string(),
            auth: format!("Bearer {api_key}"),
            http,
            opts,
            test_clock: AtomicI64::new(0),
            test_seed_forks: AtomicU64::new(0),
        })
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Runs one operation through its REST route.
    pub(crate) fn call(&self, op: &str, args: &Json) -> Result<Json> {
        let route = routes::route(op).ok_or_else(|| {
            Error::validation(format!(
                "unknown engine operation {:?}",
                crate::rate::truncate(op)
            ))
        })?;
        if op == "wait_for_decision" {
            return self.wait(route, args);
        }
        self.call_route(route, args)
    }

    /// `wait_for_decision` as repeated long polls of at most 25 s each, until the caller's
    /// deadline (the gateway bounds one request; the semantics stay the local ones).
    fn wait(&self, route: &routes::Route, args: &Json) -> Result<Json> {
        let total = match args.get("timeout_seconds") {
            None | Some(Json::Null) => 300,
            Some(v) => v
                .as_i64()
                .filter(|n| (0..=3600).contains(n))
                .ok_or_else(|| Error::validation("timeout_seconds must be in 0..3600"))?,
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(total as u64);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            // Whole seconds, rounded up: the first poll asks for the caller's full timeout.
            let chunk = (left.as_millis().div_ceil(1000) as i64).min(25);
            let mut a: Vec<(String, Json)> = args.as_obj().map(|m| m.to_vec()).unwrap_or_default();
            a.retain(|(k, _)| k != "timeout_seconds");
            a.push(("timeout_seconds".into(), Json::Int(chunk)));
            match self.call_route(route, &Json::Obj(a)) {
                Err(e) if e.code() == ErrorCode::Timeout && e.reason() == Some("wait_timeout") => {
                    if chunk == 0 || std::time::Instant::now() >= deadline {
                        return Err(e);
                    }
                }
                other => return other,
            }
        }
    }

    fn call_route(&self, route: &routes::Route, args: &Json) -> Result<Json> {
        let empty = Vec::new();
        let members = match args {
            Json::Obj(m) => m,
            Json::Null => &empty,
            _ => return Err(Error::validation("arguments must be an object")),
        };
        // Path parameters come out of the arguments (percent-encoded); the rest is the body
        // (POST) or the query (GET).
        let mut path = String::new();
        let mut used: Vec<&str> = Vec::new();
        for seg in route.path.split('/').skip(1) {
            path.push('/');
            match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let v = members
                        .iter()
                        .find(|(k, _)| k == name)
                        .and_then(|(_, v)| v.as_str())
                        .ok_or_else(|| Error::validation(format!("{name} must be a string")))?;
                    if v.is_empty() {
                        return Err(Error::validation(format!("{name} must not be empty")));
                    }
                    path.push_str(&percent_encode(v));
                    used.push(name);
                }
                None => path.push_str(seg),
            }
        }
        let url = format!("{}{}", self.base, path);
        let rest: Vec<(String, Json)> = members
            .iter()
            .filter(|(k, _)| !used.contains(&k.as_str()))
            .cloned()
            .collect();
        let http = self.http.clone();
        let auth = self.auth.clone();
        let method = route.method;
        let (url, body) = match method {
            Method::Post => (url, Some(Json::Obj(rest).to_compact())),
            Method::Get => {
                let mut q = String::new();
                for (k, v) in &rest {
                    let Some((_, ty)) = route.query.iter().find(|(n, _)| n == k) else {
                        return Err(Error::validation(format!(
                            "{}: unknown argument {:?}",
                            route.op,
                            crate::rate::truncate(k)
                        )));
                    };
                    let text = match (v, ty) {
                        (Json::Null, _) => continue,
                        (Json::Str(s), QueryType::Str) => s.clone(),
                        (Json::Int(n), QueryType::Int) => n.to_string(),
                        _ => {
                            return Err(Error::validation(format!(
                                "{k} must be {}",
                                if *ty == QueryType::Int {
                                    "an integer"
                                } else {
                                    "a string"
                                }
                            )))
                        }
                    };
                    q.push(if q.is_empty() { '?' } else { '&' });
                    q.push_str(&percent_encode(k));
                    q.push('=');
                    q.push_str(&percent_encode(&text));
                }
                (format!("{url}{q}"), None)
            }
        };
        let retries = if method == Method::Get {
            self.opts.retries
        } else {
            0
        };
        // The request runs on the core runtime; this (synchronous) caller waits for it on a
        // channel, which also works from a blocking-pool thread of that runtime (the async
        // wrappers of the SDKs run there), where `block_on` would not.
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        crate::runtime::spawn(async move {
            let fut = async move {
                let mut attempt = 0u32;
                loop {
                    let req = match &body {
                        Some(b) => http
                            .post(&url)
                            .header("content-type", "application/json")
                            .body(b.clone()),
                        None => http.get(&url),
                    };
                    let r = send(req.header("authorization", &auth)).await;
                    let retryable = match &r {
                        Err(e) => {
                            matches!(e.code(), ErrorCode::NetworkError | ErrorCode::Timeout)
                                || e.code() == ErrorCode::GuardianUnavailable
                        }
                        Ok(_) => false,
                    };
                    if !retryable || attempt >= retries {
                        return r;
                    }
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50u64 << attempt)).await;
                }
            };
            let _ = tx.send(fut.await);
        })?;
        rx.recv()
            .map_err(|_| Error::internal("the request task was dropped"))?
    }
}

async fn send(req: reqwest::RequestBuilder) -> Result<Json> {
    let resp = req.send().await.map_err(map_transport)?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = resp.bytes().await.map_err(map_transport)?;
    let body = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|t| Json::parse_with_depth(t.as_bytes(), 128).ok());
    if (200..300).contains(&status) {
        return body.ok_or_else(|| Error::internal("the gateway sent a malformed response"));
    }
    let _ = retry_after;
    Err(error_from_response(status, body.as_ref()))
}

fn map_transport(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::new(ErrorCode::Timeout, "request timed out")
    } else {
        Error::new(
            ErrorCode::NetworkError,
            format!("cannot reach the gateway: {e}"),
        )
    }
}

/// The §16 client mapping of an HTTP error response.
pub fn error_from_response(status: u16, body: Option<&Json>) -> Error {
    let status_detail = || Json::Obj(vec![("status".into(), Json::Int(status as i64))]);
    let err = body.and_then(|b| b.get("error"));
    if let Some(code) = err
        .and_then(|e| e.get("code"))
        .and_then(Json::as_str)
        .and_then(ErrorCode::parse)
    {
        let e = err.unwrap();
        let msg = e
            .get("message")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string();
        let mut out = match e.get("reason").and_then(Json::as_str) {
            Some(r) => Error::with_reason(code, r.to_string(), msg),
            None => Error::new(code, msg),
        };
        let mut details = match e.get("details") {
            Some(Json::Obj(m)) => m.clone(),
            _ => Vec::new(),
        };
        if status >= 500 && !details.iter().any(|(k, _)| k == "status") {
            details.push(("status".into(), Json::Int(status as i64)));
        }
        if !details.is_empty() {
            out = out.details(Json::Obj(details));
        }
        if let Some(d) = e.get("decision").filter(|d| !d.is_null()) {
            out = out.with_decision(d.clone());
        }
        return out;
    }
    match status {
        502..=504 => Error::new(
            ErrorCode::GuardianUnavailable,
            format!("gateway answered HTTP {status}"),
        )
        .details(status_detail()),
        _ => Error::new(
            ErrorCode::Internal,
            format!("gateway answered HTTP {status}"),
        )
        .details(status_detail()),
    }
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
