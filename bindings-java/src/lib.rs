//! # warden-java
//!
//! The UniFFI wrapper crate behind the Java SDK (`dev.warden`). It holds **no behaviour**: every
//! exported item converts arguments, calls `warden-core`, and converts the result or the error.
//! `uniffi-bindgen-java` (pinned in `bindgen/`) turns the exported items into the generated Java
//! package `dev.warden.ffi`; the hand-written layer in `src/main/java/dev/warden` sits on top.
//!
//! Files: `error.rs` (the one error type), `key.rs` (keys, key sets, async JWKS fetch),
//! `token.rs` (claims, verifier, issue/validate/inspect), `scope.rs` (scopes, rate specs),
//! `provision.rs` (orchestrator, session token lookup), `engine.rs` (engine, client, guard, the
//! pure engine functions), this file (codes, version, runtime).

mod engine;
mod error;
mod key;
mod provision;
mod scope;
mod token;

pub use error::FfiError;

uniffi::setup_scaffolding!();

/// The stable string of every error code, in the order of SEMANTICS-engine §16.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    warden_core::error_codes().into_iter().map(str::to_string).collect()
}

/// The version of the core this library was built from.
#[uniffi::export]
pub fn version() -> String {
    warden_core::VERSION.to_string()
}

/// Stops the core runtime, giving running tasks up to `timeout_ms` to finish (idempotent; the
/// next async call starts a fresh runtime).
#[uniffi::export]
pub fn runtime_shutdown(timeout_ms: u64) {
    let _ = warden_core::catch_panic(|| {
        warden_core::runtime::shutdown(std::time::Duration::from_millis(timeout_ms));
        Ok(())
    });
}
