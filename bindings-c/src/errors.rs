//! [`WardenErrorCode`]: the C form of the core's `ErrorCode`, with explicit values that are never
//! reused. The names come from the core (`ErrorCode::as_str`), so they cannot drift.

use crate::ffi::{call, put, value, WardenBytes, WardenError};
use std::ffi::{c_char, CString};
use std::sync::OnceLock;
use warden_core::json::Json;
use warden_core::ErrorCode;

/// Every Warden error code (SEMANTICS-engine §16), with a fixed value. New codes get new values;
/// a value is never reused. `WardenError.code` holds one of these as `int32_t`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WardenErrorCode {
    /// `VALIDATION_ERROR`
    ValidationError = 1,
    /// `INVALID_KEY`
    InvalidKey = 2,
    /// `INVALID_TOKEN`
    InvalidToken = 3,
    /// `TOKEN_EXPIRED`
    TokenExpired = 4,
    /// `TOKEN_NOT_YET_VALID`
    TokenNotYetValid = 5,
    /// `TOKEN_REVOKED`
    TokenRevoked = 6,
    /// `INVALID_SCOPE`
    InvalidScope = 7,
    /// `INVALID_RATE_SPEC`
    InvalidRateSpec = 8,
    /// `AUTH_FAILED`
    AuthFailed = 9,
    /// `AUTH_DENIED`
    AuthDenied = 10,
    /// `PERMISSION_DENIED`
    PermissionDenied = 11,
    /// `SCOPE_DENIED`
    ScopeDenied = 12,
    /// `ACTION_DENIED`
    ActionDenied = 13,
    /// `ELEVATION_REQUIRED`
    ElevationRequired = 14,
    /// `AGENT_REVOKED`
    AgentRevoked = 15,
    /// `DELEGATION_DENIED`
    DelegationDenied = 16,
    /// `DELEGATION_REVOKED`
    DelegationRevoked = 17,
    /// `DELEGATION_EXPIRED`
    DelegationExpired = 18,
    /// `NOT_FOUND`
    NotFound = 19,
    /// `CONFLICT`
    Conflict = 20,
    /// `SESSION_CLOSED`
    SessionClosed = 21,
    /// `APPROVAL_EXPIRED`
    ApprovalExpired = 22,
    /// `DUPLICATE_IDENTITY`
    DuplicateIdentity = 23,
    /// `INVALID_IDENTITY`
    InvalidIdentity = 24,
    /// `INVALID_TOPIC`
    InvalidTopic = 25,
    /// `PAYLOAD_TOO_LARGE`
    PayloadTooLarge = 26,
    /// `RATE_LIMITED`
    RateLimited = 27,
    /// `QUEUE_FULL`
    QueueFull = 28,
    /// `INTERNAL`
    Internal = 29,
    /// `GUARDIAN_UNAVAILABLE`
    GuardianUnavailable = 30,
    /// `NETWORK_ERROR`
    NetworkError = 31,
    /// `DISCONNECTED`
    Disconnected = 32,
    /// `TIMEOUT`
    Timeout = 33,
}

macro_rules! code_map {
    ($($v:ident),* $(,)?) => {
        impl WardenErrorCode {
            /// Every variant, in value order.
            pub const ALL: &'static [WardenErrorCode] = &[$(WardenErrorCode::$v),*];

            /// The C code of a core code. The core enum is `#[non_exhaustive]`, so Rust demands a
            /// wildcard arm; `every_core_code_has_its_own_c_code` (and the Go test against
            /// `error_codes()`) keeps it unreachable.
            pub fn from_core(c: ErrorCode) -> WardenErrorCode {
                #[allow(unreachable_patterns)]
                match c {
                    $(ErrorCode::$v => WardenErrorCode::$v,)*
                    _ => WardenErrorCode::Internal,
                }
            }

            /// The core code of a C code.
            pub fn to_core(self) -> ErrorCode {
                match self {
                    $(WardenErrorCode::$v => ErrorCode::$v,)*
                }
            }
        }
    };
}

code_map!(
    ValidationError,
    InvalidKey,
    InvalidToken,
    TokenExpired,
    TokenNotYetValid,
    TokenRevoked,
    InvalidScope,
    InvalidRateSpec,
    AuthFailed,
    AuthDenied,
    PermissionDenied,
    ScopeDenied,
    ActionDenied,
    ElevationRequired,
    AgentRevoked,
    DelegationDenied,
    DelegationRevoked,
    DelegationExpired,
    NotFound,
    Conflict,
    SessionClosed,
    ApprovalExpired,
    DuplicateIdentity,
    InvalidIdentity,
    InvalidTopic,
    PayloadTooLarge,
    RateLimited,
    QueueFull,
    Internal,
    GuardianUnavailable,
    NetworkError,
    Disconnected,
    Timeout
);

fn names() -> &'static [CString] {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    NAMES.get_or_init(|| {
        WardenErrorCode::ALL
            .iter()
            .map(|c| CString::new(c.to_core().as_str()).unwrap_or_default())
            .collect()
    })
}

/// The static name of a code value, or NULL for a value that is not a code.
pub(crate) fn code_name(code: i32) -> *const c_char {
    let names = names();
    match usize::try_from(code) {
        Ok(i) if i >= 1 && i <= names.len() && WardenErrorCode::ALL[i - 1] as i32 == code => {
            names[i - 1].as_ptr()
        }
        _ => std::ptr::null(),
    }
}

/// The stable UPPER_SNAKE name of a `WardenErrorCode` value (static storage, never free it), or
/// NULL when `code` is not a code.
#[no_mangle]
pub extern "C" fn warden_error_code_name(code: i32) -> *const c_char {
    value(std::ptr::null(), || code_name(code))
}

/// The core's list of error codes (`error_codes()`), as a JSON array of strings in the order
/// of SEMANTICS-engine §16. On success `*codes_json` is owned by the caller
/// (`warden_bytes_free`).
///
/// # Safety
/// `codes_json` must be valid for a write; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_error_codes(
    codes_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    call(err, || {
        let arr = Json::Arr(
            warden_core::error_codes()
                .into_iter()
                .map(Json::from)
                .collect(),
        );
        put(
            codes_json,
            WardenBytes::from_string(arr.to_compact()),
            "codes_json",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_its_own_c_code() {
        assert_eq!(ErrorCode::ALL.len(), WardenErrorCode::ALL.len());
        for (i, c) in ErrorCode::ALL.iter().enumerate() {
            let w = WardenErrorCode::from_core(*c);
            assert_eq!(w.to_core(), *c);
            assert_eq!(w as i32, i as i32 + 1);
            let name = unsafe { std::ffi::CStr::from_ptr(warden_error_code_name(w as i32)) };
            assert_eq!(name.to_str().unwrap(), c.as_str());
        }
        assert!(warden_error_code_name(0).is_null());
        assert!(warden_error_code_name(34).is_null());
    }
}
