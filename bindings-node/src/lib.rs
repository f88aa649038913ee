//! Node.js glue over `warden-core` (napi-rs). Only conversions and errors live here; every rule
//! about tokens, keys, scopes and rates is in the core.
//!
//! - [`error`]: core `Error` → a JS error whose message carries the stable code (the TypeScript
//!   layer in `ts/errors.ts` rethrows it as `WardenError` subclasses).
//! - [`convert`]: JS values ⇄ the core's ordered `Json`.
//! - [`keys`], [`token`], [`scope`], [`provision`]: the public API of SEMANTICS-tokens.md.
//! - [`engine`]: `Engine`, `Client`, `Guard` and the engine's pure functions (SEMANTICS-engine);
//!   [`engine_fast`]: their hot paths (`Guard.check`, `Client.check`) as raw N-API callbacks.
#![deny(clippy::all)]

mod convert;
mod engine;
mod engine_fast;
mod error;
mod fast;
mod keys;
mod provision;
mod scope;
mod token;

use napi_derive::napi;

/// The stable string of every Warden error code, in the order of SEMANTICS-engine §16.
#[napi]
pub fn error_codes() -> Vec<String> {
    warden_core::error_codes()
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// The version of the Rust core this module was built from.
#[napi]
pub fn core_version() -> String {
    warden_core::VERSION.to_string()
}

/// The raw N-API callbacks of the hot paths (see `src/fast.rs`); used by the TypeScript layer.
#[napi(ts_return_type = "FastApi")]
pub fn fast_api() -> fast::FastApi {
    fast::FastApi
}
