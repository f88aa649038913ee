//! The one error taxonomy of Warden (SEMANTICS-engine §16, SEMANTICS-tokens §1).
//!
//! Every fallible public function returns [`Error`]: a stable [`ErrorCode`], an optional stable
//! snake_case `reason`, a human `message` (not stable) and optional structured `details`.
//! Bindings map `ErrorCode` to one exception/error class per code with an exhaustive `match`.

use crate::json::Json;
use std::borrow::Cow;
use std::fmt;

macro_rules! error_codes {
    ($( $variant:ident = $name:literal, $http:expr; )*) => {
        /// The closed list of Warden error codes. The string forms never change once released.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( #[doc = $name] $variant, )*
        }

        impl ErrorCode {
            /// Every code, in the order of the table in SEMANTICS-engine §16.
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode::$variant, )*];

            /// The stable UPPER_SNAKE string of this code.
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $name, )* }
            }

            /// The gateway's REST status for this code; `None` where the code never travels as an
            /// HTTP status (client-side or WebSocket-only codes).
            pub const fn http_status(self) -> Option<u16> {
                match self { $( ErrorCode::$variant => $http, )* }
            }

            /// Parses the stable string form; `None` for anything not in the list.
            pub fn parse(s: &str) -> Option<ErrorCode> {
                match s { $( $name => Some(ErrorCode::$variant), )* _ => None }
            }
        }
    };
}

error_codes! {
    ValidationError = "VALIDATION_ERROR", Some(400);
    InvalidKey = "INVALID_KEY", Some(400);
    InvalidToken = "INVALID_TOKEN", Some(400);
    TokenExpired = "TOKEN_EXPIRED", Some(400);
    TokenNotYetValid = "TOKEN_NOT_YET_VALID", Some(400);
    TokenRevoked = "TOKEN_REVOKED", Some(400);
    InvalidScope = "INVALID_SCOPE", Some(400);
    InvalidRateSpec = "INVALID_RATE_SPEC", Some(400);
    AuthFailed = "AUTH_FAILED", Some(401);
    AuthDenied = "AUTH_DENIED", Some(403);
    PermissionDenied = "PERMISSION_DENIED", None;
    ScopeDenied = "SCOPE_DENIED", Some(403);
    ActionDenied = "ACTION_DENIED", Some(403);
    ElevationRequired = "ELEVATION_REQUIRED", Some(403);
    AgentRevoked = "AGENT_REVOKED", Some(403);
    DelegationDenied = "DELEGATION_DENIED", Some(403);
    DelegationRevoked = "DELEGATION_REVOKED", Some(403);
    DelegationExpired = "DELEGATION_EXPIRED", Some(403);
    NotFound = "NOT_FOUND", Some(404);
    Conflict = "CONFLICT", Some(409);
    SessionClosed = "SESSION_CLOSED", Some(409);
    ApprovalExpired = "APPROVAL_EXPIRED", Some(409);
    DuplicateIdentity = "DUPLICATE_IDENTITY", None;
    InvalidIdentity = "INVALID_IDENTITY", None;
    InvalidTopic = "INVALID_TOPIC", None;
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", None;
    RateLimited = "RATE_LIMITED", Some(429);
    QueueFull = "QUEUE_FULL", None;
    Internal = "INTERNAL", Some(500);
    GuardianUnavailable = "GUARDIAN_UNAVAILABLE", Some(503);
    NetworkError = "NETWORK_ERROR", None;
    Disconnected = "DISCONNECTED", None;
    Timeout = "TIMEOUT", None;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stable string form of every error code (SEMANTICS-tokens §1: `error_codes()`).
pub fn error_codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

/// A Warden error: stable `code`, optional stable `reason`, human `message`, optional `details`.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    code: ErrorCode,
    reason: Option<Cow<'static, str>>,
    message: String,
    details: Option<Json>,
    decision: Option<Box<Json>>,
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            reason: None,
            message: message.into(),
            details: None,
            decision: None,
        }
    }

    /// A new error with a code, a stable reason and a message.
    pub fn with_reason(
        code: ErrorCode,
        reason: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Error {
        Error {
            code,
            reason: Some(reason.into()),
            message: message.into(),
            details: None,
            decision: None,
        }
    }

    /// Attaches structured details.
    pub fn details(mut self, details: Json) -> Error {
        self.details = Some(details);
        self
    }

    /// Attaches the guard decision that this error reports (SEMANTICS-engine §12.1).
    pub fn with_decision(mut self, decision: Json) -> Error {
        self.decision = Some(Box::new(decision));
        self
    }

    /// The decision this error reports, if any.
    pub fn decision(&self) -> Option<&Json> {
        self.decision.as_deref()
    }

    /// `VALIDATION_ERROR` with a message.
    pub fn validation(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::ValidationError, message)
    }

    /// `INVALID_TOKEN` with a §3.4 reason.
    pub fn invalid_token(reason: &'static str, message: impl Into<String>) -> Error {
        Error::with_reason(ErrorCode::InvalidToken, reason, message)
    }

    /// `INVALID_KEY` with a message.
    pub fn invalid_key(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidKey, message)
    }

    /// `INTERNAL` with a message (a bug, or a panic caught at a boundary).
    pub fn internal(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Internal, message)
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The stable snake_case reason, if any.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The human message (not stable; never compare it).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Structured details, if any.
    pub fn details_json(&self) -> Option<&Json> {
        self.details.as_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            Some(r) => write!(f, "[{}:{}] {}", self.code, r, self.message),
            None => write!(f, "[{}] {}", self.code, self.message),
        }
    }
}

impl std::error::Error for Error {}

/// Runs `f`, turning a panic into `INTERNAL`. Every FFI entry point wraps its body in this so
/// that no panic ever crosses a language boundary.
pub fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            Err(Error::internal(format!("internal error: {msg}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_roundtrip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()));
            assert_eq!(ErrorCode::parse(c.as_str()), Some(*c));
        }
        assert_eq!(error_codes().len(), 33);
        assert_eq!(ErrorCode::parse("ALLOW"), None);
    }

    #[test]
    fn panics_become_internal() {
        let r: Result<()> = catch_panic(|| panic!("boom"));
        assert_eq!(r.unwrap_err().code(), ErrorCode::Internal);
    }
}
