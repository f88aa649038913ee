//! The client (ARCHITECTURE layer 3): one API over a backend — `Local` (the engine in-process)
//! today, `Remote` (a gateway) with the gateway issue — and the client-side [`Guard`]
//! (SEMANTICS-engine §12).

mod guard;
mod remote;
pub mod routes;

pub use guard::{Guard, GuardOptions, GuardStats};
pub use remote::{error_from_response, percent_encode, RemoteOptions};

use crate::engine::{Clock, Engine};
use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use std::sync::{Arc, Mutex};

/// A transport failure injected into a backend (tests and conformance vectors only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Connection refused/reset.
    NetworkError,
    /// Request deadline passed.
    Timeout,
    /// HTTP 500.
    Http500,
    /// HTTP 503.
    Http503,
    /// HTTP 403 with an `AUTH_DENIED` body.
    Http403,
}

impl Fault {
    /// Parses the vector spelling (`network_error`, `timeout`, `http_500`, `http_503`, `http_403`).
    pub fn parse(s: &str) -> Result<Fault> {
        Ok(match s {
            "network_error" => Fault::NetworkError,
            "timeout" => Fault::Timeout,
            "http_500" => Fault::Http500,
            "http_503" => Fault::Http503,
            "http_403" => Fault::Http403,
            _ => return Err(Error::validation("unknown fault")),
        })
    }

    /// The error a client sees for this fault (the §16 client mapping of HTTP statuses).
    pub fn to_error(self) -> Error {
        let status = |code: ErrorCode, s: i64, msg: &str| {
            Error::new(code, msg).details(Json::Obj(vec![("status".into(), Json::Int(s))]))
        };
        match self {
            Fault::NetworkError => Error::new(ErrorCode::NetworkError, "connection refused"),
            Fault::Timeout => Error::new(ErrorCode::Timeout, "request timed out"),
            Fault::Http500 => status(ErrorCode::Internal, 500, "gateway answered HTTP 500"),
            Fault::Http503 => status(
                ErrorCode::GuardianUnavailable,
                503,
                "gateway answered HTTP 503",
            ),
            Fault::Http403 => status(ErrorCode::AuthDenied, 403, "gateway answered HTTP 403"),
        }
    }
}

/// True iff an error means the engine could not be reached (§12.1 step 5): `NETWORK_ERROR`,
/// `TIMEOUT`, or an HTTP 5xx — nothing else.
pub fn is_unreachable(e: &Error) -> bool {
    matches!(e.code(), ErrorCode::NetworkError | ErrorCode::Timeout)
        || e.details_json()
            .and_then(|d| d.get("status"))
            .and_then(Json::as_i64)
            .is_some_and(|s| (500..600).contains(&s))
}

/// A client over a backend. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    backend: Backend,
    fault: Arc<Mutex<Option<Fault>>>,
}

#[derive(Clone)]
enum Backend {
    Local(Arc<Engine>),
    Remote(Arc<remote::Remote>),
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::Local(_) => f.debug_struct("Client").field("backend", &"local").finish(),
            Backend::Remote(r) => f
                .debug_struct("Client")
                .field("backend", &"remote")
                .field("url", &r.base())
                .finish(),
        }
    }
}

impl Client {
    /// `Client.local()`: the engine in-process (default configuration, system clock).
    pub fn local() -> Result<Client> {
        Ok(Client::with_engine(Arc::new(Engine::local()?)))
    }

    /// A local client over an existing engine (shared state).
    pub fn with_engine(engine: Arc<Engine>) -> Client {
        Client {
            backend: Backend::Local(engine),
            fault: Arc::new(Mutex::new(None)),
        }
    }

    /// `Client.connect(url, api_key, options)`: the engine behind a gateway (`http(s)://…`).
    /// Nothing is sent until the first call. Options: see [`RemoteOptions`].
    pub fn connect(url: &str, api_key: &str, options: &Json) -> Result<Client> {
        let opts = RemoteOptions::from_json(options)?;
        Ok(Client {
            backend: Backend::Remote(Arc::new(remote::Remote::new(url, api_key, opts)?)),
            fault: Arc::new(Mutex::new(None)),
        })
    }

    /// The in-process engine (`None` for a remote client).
    pub fn engine(&self) -> Option<&Arc<Engine>> {
        match &self.backend {
            Backend::Local(e) => Some(e),
            Backend::Remote(_) => None,
        }
    }

    /// True for a gateway-backed client.
    pub fn is_remote(&self) -> bool {
        matches!(self.backend, Backend::Remote(_))
    }

    /// Makes every call fail with `fault` until cleared (tests and vectors).
    pub fn set_fault(&self, fault: Option<Fault>) {
        *self.fault.lock().unwrap_or_else(|e| e.into_inner()) = fault;
    }

    fn fault(&self) -> Result<()> {
        match *self.fault.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(f) => Err(f.to_error()),
            None => Ok(()),
        }
    }

    /// Runs one engine operation with JSON arguments.
    pub fn call(&self, op: &str, args: &Json) -> Result<Json> {
        self.fault()?;
        match &self.backend {
            Backend::Local(e) => e.call(op, args),
            Backend::Remote(r) => {
                let out = r.call(op, args)?;
                if op == "test_reset" || op == "test_advance" {
                    // Mirror the gateway's manual clock (guard-local timestamps) and its seeded
                    // fork counter (guard-local ids), as a local engine would.
                    if let Some(ms) = out.get("now_ms").and_then(Json::as_i64) {
                        r.test_clock.store(ms, std::sync::atomic::Ordering::SeqCst);
                    }
                    if op == "test_reset" {
                        r.test_seed_forks
                            .store(0, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                Ok(out)
            }
        }
    }

    /// `check` without JSON conversions on the local backend (the Guard's hot path); same
    /// result as `call("check", …)`.
    pub fn check(
        &self,
        agent_id: &str,
        session_id: &str,
        tool: &str,
        input_summary: &str,
        effect: Option<&str>,
    ) -> Result<crate::engine::Decision> {
        self.fault()?;
        match &self.backend {
            Backend::Local(e) => crate::error::catch_panic(|| {
                Ok(e.check(agent_id, session_id, tool, input_summary, effect))
            }),
            Backend::Remote(r) => {
                let args =
                    crate::engine::check_args(agent_id, session_id, tool, input_summary, effect);
                let v = r.call("check", &args)?;
                crate::engine::Decision::from_json(&v)
                    .ok_or_else(|| Error::internal("the gateway sent a malformed decision"))
            }
        }
    }

    /// The clock the client side uses (guard-local decisions and telemetry): the engine's for a
    /// local client; the system clock for a remote one (the gateway's manual clock in test mode).
    pub fn now_ms(&self) -> i64 {
        match &self.backend {
            Backend::Local(e) => e.now_ms(),
            Backend::Remote(r) => match r.test_clock.load(std::sync::atomic::Ordering::SeqCst) {
                0 => crate::engine::SystemClock.now_ms(),
                ms => ms,
            },
        }
    }

    /// The randomness source for a guard's local ids (seeded engine → reproducible).
    pub(crate) fn id_rng(&self) -> crate::engine::ids::SplitMix {
        match &self.backend {
            Backend::Local(e) => e.fork_rng(),
            Backend::Remote(r) => {
                if r.test_clock.load(std::sync::atomic::Ordering::SeqCst) != 0 {
                    let n = r
                        .test_seed_forks
                        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                        + 1;
                    crate::engine::ids::SplitMix::new(crate::engine::fork_seed(7, n))
                } else {
                    crate::engine::ids::SplitMix::from_os()
                }
            }
        }
    }
}

#[allow(dead_code)]
fn _clock_is_object_safe(_: &dyn Clock) {}
