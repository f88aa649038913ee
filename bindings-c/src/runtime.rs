//! The core runtime's shutdown hook and the library version.

use crate::ffi::value;
use std::ffi::c_char;

/// Stops the core runtime, giving running tasks up to `timeout_ms` to finish. Idempotent; a
/// later asynchronous call starts a fresh runtime. Call it last (see the header's lifecycle
/// notes), never from a Warden callback. Pending callbacks whose task is dropped are called
/// with `INTERNAL` on the calling thread. Takes no handle; returns nothing to free.
#[no_mangle]
pub extern "C" fn warden_runtime_shutdown(timeout_ms: u64) {
    value((), || {
        warden_core::runtime::shutdown(std::time::Duration::from_millis(timeout_ms))
    })
}

/// The library version (static storage, never free it).
#[no_mangle]
pub extern "C" fn warden_version() -> *const c_char {
    static V: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    V.as_ptr() as *const c_char
}
