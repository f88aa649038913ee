//! The client (ARCHITECTURE layer 3): one API over a backend — `Local` (the engine in-process)
//! today, `Remote` (a gateway) with the gateway issue — and the client-side [`Guard`]
//! (SEMANTICS-engine §12).

mod guard;

pub use guard::{Guard, GuardOptions, GuardStats};

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
    engine: Arc<Engine>,
    fault: Arc<Mutex<Option<Fault>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("backend", &"local").finish()
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
            engine,
            fault: Arc::new(Mutex::new(None)),
        }
    }

    /// The in-process engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Makes every call fail with `fault` until cleared (tests and vectors).
    pub fn set_fault(&self, fault: Option<Fault>) {
        *self.fault.lock().unwrap_or_else(|e| e.into_inner()) = fault;
    }

    /// Runs one engine operation with JSON arguments.
    pub fn call(&self, op: &str, args: &Json) -> Result<Json> {
        if let Some(f) = *self.fault.lock().unwrap_or_else(|e| e.into_inner()) {
            return Err(f.to_error());
        }
        self.engine.call(op, args)
    }

    /// `check` without JSON conversions (the Guard's hot path); same result as
    /// `call("check", …)`.
    pub fn check(
        &self,
        agent_id: &str,
        session_id: &str,
        tool: &str,
        input_summary: &str,
        effect: Option<&str>,
    ) -> Result<crate::engine::Decision> {
        if let Some(f) = *self.fault.lock().unwrap_or_else(|e| e.into_inner()) {
            return Err(f.to_error());
        }
        crate::error::catch_panic(|| {
            Ok(self
                .engine
                .check(agent_id, session_id, tool, input_summary, effect))
        })
    }

    /// The randomness source for a guard's local ids (seeded engine → reproducible).
    pub(crate) fn id_rng(&self) -> crate::engine::ids::SplitMix {
        self.engine.fork_rng()
    }

    /// The engine clock (ms).
    pub fn now_ms(&self) -> i64 {
        self.engine.now_ms()
    }

    #[doc(hidden)]
    pub fn clock_of(engine: &Engine) -> i64 {
        engine.now_ms()
    }
}

#[allow(dead_code)]
fn _clock_is_object_safe(_: &dyn Clock) {}
