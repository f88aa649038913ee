//! # warden-core
//!
//! All behaviour of Warden lives here; the Python, Node, Go (C ABI) and Java SDKs are thin
//! wrappers. Layer 1 (pure): [`error`], [`json`], [`key`], [`token`], [`scope`], [`rate`],
//! [`provision`], [`ati`]. The core also owns the one async [`runtime`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ati;
pub mod b64;
pub mod client;
pub mod engine;
pub mod error;
pub mod json;
pub mod jwks;
pub mod key;
pub mod messaging;
pub mod provision;
pub mod rate;
pub mod runtime;
pub mod scope;
pub mod token;

pub use ati::{inspect_token, issue_token, issue_token_json, validate_token, ValidateArgs};
pub use error::{catch_panic, error_codes, Error, ErrorCode, Result};
pub use json::Json;
pub use key::{Alg, Key, KeySet};
pub use provision::{session_token_from_env, Orchestrator, ProvisionArgs};
pub use rate::RateSpec;
pub use scope::{
    build_scope_string, check_scope, covers, is_valid_scope, matches_wildcard, parse_scopes,
    ScopeSet,
};
pub use token::{AtiIssueArgs, Claims, Verifier, VerifierOptions};

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
