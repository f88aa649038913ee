//! The one error type crossing the boundary. Every variant carries explicit `code`, `reason` and
//! `message` fields (uniffi-bindgen-java builds `getMessage()` from fields, not from `Display`).
//! The Java layer maps `code` to one `WardenException` subclass per code.

use warden_core::json::JsonError;

/// A Warden error as it crosses into Java.
#[derive(Debug, Clone, uniffi::Error)]
pub enum FfiError {
    /// Any Warden error: the stable UPPER_SNAKE `code`, the optional stable `reason`, the human
    /// `message` (not stable), and the guard decision it reports as compact JSON text (guard
    /// denials only, SEMANTICS-engine §12.1).
    Failure { code: String, reason: Option<String>, message: String, decision: Option<String> },
}

impl std::fmt::Display for FfiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FfiError::Failure { code, reason: Some(r), message, .. } => write!(f, "[{code}:{r}] {message}"),
            FfiError::Failure { code, reason: None, message, .. } => write!(f, "[{code}] {message}"),
        }
    }
}

impl std::error::Error for FfiError {}

impl From<warden_core::Error> for FfiError {
    fn from(e: warden_core::Error) -> FfiError {
        FfiError::Failure {
            code: e.code().as_str().to_string(),
            reason: e.reason().map(str::to_string),
            message: e.message().to_string(),
            decision: e.decision().map(warden_core::Json::to_compact),
        }
    }
}

/// `Result` with [`FfiError`].
pub type FfiResult<T> = Result<T, FfiError>;

/// Runs a core call with panics turned into `INTERNAL` and the error converted.
pub fn run<T>(f: impl FnOnce() -> warden_core::Result<T>) -> FfiResult<T> {
    warden_core::catch_panic(f).map_err(FfiError::from)
}

/// Parses JSON text given as an argument with the core's strict parser (`VALIDATION_ERROR`).
pub fn parse_arg(what: &str, text: &str) -> warden_core::Result<warden_core::Json> {
    warden_core::Json::parse(text).map_err(|e: JsonError| warden_core::Error::validation(format!("{what} is not valid JSON: {e}")))
}
