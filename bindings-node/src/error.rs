//! Core errors across N-API. napi `async fn`s cannot carry a custom error code, so every error
//! (sync and async alike) travels as a message `WARDEN_ERROR <json>` where the JSON object holds
//! `code`, `message`, and optionally `reason`, `details` and `decision` (the guard decision a
//! denial reports); `ts/errors.ts` turns it into the matching `WardenError` subclass.

use warden_core::{catch_panic, Error, Json};

/// The prefix of every message produced here (kept in sync with `ts/errors.ts`).
pub const PREFIX: &str = "WARDEN_ERROR ";

/// A core error as a napi error.
pub fn to_napi(e: Error) -> napi::Error {
    let mut m: Vec<(String, Json)> = vec![
        ("code".into(), Json::Str(e.code().as_str().into())),
        ("message".into(), Json::Str(e.message().into())),
    ];
    if let Some(r) = e.reason() {
        m.push(("reason".into(), Json::Str(r.into())));
    }
    if let Some(d) = e.details_json() {
        m.push(("details".into(), d.clone()));
    }
    if let Some(d) = e.decision() {
        m.push(("decision".into(), d.clone()));
    }
    napi::Error::new(
        napi::Status::GenericFailure,
        format!("{PREFIX}{}", Json::Obj(m).to_compact()),
    )
}

/// Runs `f` with panics turned into `INTERNAL` and core errors into napi errors.
pub fn run<T>(f: impl FnOnce() -> warden_core::Result<T>) -> napi::Result<T> {
    catch_panic(f).map_err(to_napi)
}
