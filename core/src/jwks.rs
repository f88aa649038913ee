//! `KeySet.fetch(url, ttl_seconds)`: a JWKS fetched over HTTPS, cached for `ttl_seconds`,
//! refreshed in the background when stale or when a token names an unknown `kid` (at most once
//! per 30 s). A key set never fetches keys named inside a token.

use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use crate::key::{parse_jwks_keys, KeySet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Largest JWKS document accepted.
pub const MAX_JWKS_BYTES: usize = 1 << 20;
/// Minimum time between refreshes triggered by lookups.
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// Request timeout of one fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct RemoteSource {
    pub(crate) url: String,
    ttl: Duration,
    min_interval: Duration,
    client: reqwest::Client,
    fetched_at: Mutex<Instant>,
    last_attempt: Mutex<Option<Instant>>,
    in_flight: Arc<AtomicBool>,
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host == "[::1]" || host.starts_with("127.")
}

/// Checks a JWKS URL: `https://…`, or `http://` to a loopback host only.
pub fn check_url(url: &str) -> Result<()> {
    let parsed =
        reqwest::Url::parse(url).map_err(|_| Error::validation("JWKS url is not a valid URL"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = parsed.host_str().unwrap_or("");
            if is_loopback_host(host) {
                Ok(())
            } else {
                Err(Error::validation(
                    "JWKS must be fetched over https (plain http only to loopback)",
                ))
            }
        }
        _ => Err(Error::validation("JWKS url must be https")),
    }
}

fn map_reqwest(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::new(ErrorCode::Timeout, format!("JWKS fetch timed out: {e}"))
    } else {
        Error::new(ErrorCode::NetworkError, format!("JWKS fetch failed: {e}"))
    }
}

async fn download(client: &reqwest::Client, url: &str) -> Result<KeySetKeys> {
    let mut resp = client
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(map_reqwest)?;
    let status = resp.status().as_u16();
    if status != 200 {
        return Err(Error::new(
            ErrorCode::NetworkError,
            format!("JWKS fetch answered HTTP {status}"),
        )
        .details(Json::Obj(vec![("status".into(), Json::Int(status as i64))])));
    }
    let mut body: Vec<u8> = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(map_reqwest)? {
        if body.len() + chunk.len() > MAX_JWKS_BYTES {
            return Err(Error::invalid_key("JWKS document larger than 1 MiB"));
        }
        body.extend_from_slice(&chunk);
    }
    let v = Json::parse_with_depth(&body, 16)
        .map_err(|e| Error::invalid_key(format!("JWKS is not valid JSON: {e}")))?;
    parse_jwks_keys(&v)
}

type KeySetKeys = Vec<crate::key::Key>;

impl RemoteSource {
    pub(crate) fn after_lookup(&self, set: &KeySet, unknown_kid: bool) {
        let stale = self
            .fetched_at
            .lock()
            .map(|t| t.elapsed() >= self.ttl)
            .unwrap_or(true);
        if !(stale || unknown_kid) {
            return;
        }
        {
            let mut last = self.last_attempt.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(t) = *last {
                if t.elapsed() < self.min_interval {
                    return;
                }
            }
            if self.in_flight.swap(true, Ordering::AcqRel) {
                return;
            }
            *last = Some(Instant::now());
        }
        let weak = Arc::downgrade(&set.inner);
        let in_flight = self.in_flight.clone();
        let spawned = crate::runtime::spawn(async move {
            if let Some(inner) = weak.upgrade() {
                let set = KeySet { inner };
                let _ = set.refresh().await;
            }
            in_flight.store(false, Ordering::Release);
        });
        if spawned.is_err() {
            self.in_flight.store(false, Ordering::Release);
        }
    }
}

impl KeySet {
    /// Fetches a JWKS from `url` (https, or http to loopback), cached for `ttl_seconds`
    /// (1..=86400, default 300). `NETWORK_ERROR`/`TIMEOUT` when it cannot be fetched,
    /// `INVALID_KEY` when the document holds no usable key.
    pub async fn fetch(url: &str, ttl_seconds: u64) -> Result<KeySet> {
        KeySet::fetch_with_interval(url, ttl_seconds, MIN_REFRESH_INTERVAL).await
    }

    #[doc(hidden)]
    pub async fn fetch_with_interval(
        url: &str,
        ttl_seconds: u64,
        min_interval: Duration,
    ) -> Result<KeySet> {
        check_url(url)?;
        if !(1..=86400).contains(&ttl_seconds) {
            return Err(Error::validation("ttl_seconds must be in 1..86400"));
        }
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::internal(format!("http client: {e}")))?;
        let keys = download(&client, url).await?;
        let remote = RemoteSource {
            url: url.to_string(),
            ttl: Duration::from_secs(ttl_seconds),
            min_interval,
            client,
            fetched_at: Mutex::new(Instant::now()),
            last_attempt: Mutex::new(None),
            in_flight: Arc::new(AtomicBool::new(false)),
        };
        Ok(KeySet::from_parts(keys, Some(remote)))
    }

    /// Re-fetches a fetched key set now (on failure the old keys stay). `VALIDATION_ERROR` for a
    /// set that was not fetched.
    pub async fn refresh(&self) -> Result<()> {
        let remote = self
            .inner
            .remote
            .as_ref()
            .ok_or_else(|| Error::validation("this key set was not fetched from a URL"))?;
        let keys = download(&remote.client, &remote.url).await?;
        *self.inner.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
        *remote.fetched_at.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        Ok(())
    }

    /// The URL a fetched set came from.
    pub fn url(&self) -> Option<&str> {
        self.inner.remote.as_ref().map(|r| r.url.as_str())
    }
}
