//! The one tokio runtime owned by the core (ARCHITECTURE: "The core owns the runtime").
//!
//! Bindings spawn onto [`handle`] and register [`shutdown`] at process exit (Python `atexit`,
//! avoiding the PyO3/tokio exit crash). After a shutdown the next [`handle`] call starts a fresh
//! runtime, so a late call never hangs.

use crate::error::{Error, Result};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::{Handle, Runtime};

static RUNTIME: Mutex<Option<Arc<Runtime>>> = Mutex::new(None);

fn build() -> Result<Runtime> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("warden-core")
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the runtime: {e}")))
}

fn current() -> Result<Arc<Runtime>> {
    let mut g = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(rt) = g.as_ref() {
        return Ok(rt.clone());
    }
    let rt = Arc::new(build()?);
    *g = Some(rt.clone());
    Ok(rt)
}

/// A handle to the core runtime (started on first use).
pub fn handle() -> Result<Handle> {
    Ok(current()?.handle().clone())
}

/// Runs a future to completion on the core runtime from synchronous code. Must not be called
/// from a runtime thread (that would block a worker); such a call gets `INTERNAL`.
pub fn block_on<F>(fut: F) -> Result<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    if Handle::try_current().is_ok() {
        return Err(Error::internal(
            "block_on called from inside an async runtime",
        ));
    }
    let rt = current()?;
    Ok(rt.block_on(fut))
}

/// Spawns a future on the core runtime.
pub fn spawn<F>(fut: F) -> Result<tokio::task::JoinHandle<F::Output>>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    Ok(handle()?.spawn(fut))
}

/// Stops the runtime, giving running tasks up to `timeout` to finish. Idempotent. Must not be
/// called from a runtime thread.
pub fn shutdown(timeout: Duration) {
    let rt = RUNTIME.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(rt) = rt {
        match Arc::try_unwrap(rt) {
            Ok(rt) => {
                if Handle::try_current().is_ok() {
                    // Dropping a runtime inside another runtime panics; hand it to a thread.
                    std::thread::spawn(move || rt.shutdown_timeout(timeout));
                } else {
                    rt.shutdown_timeout(timeout);
                }
            }
            Err(shared) => {
                // Someone still holds it (a block_on in flight): it shuts down when they drop it.
                drop(shared);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn restart_after_shutdown() {
        assert_eq!(block_on(async { 1 + 1 }).unwrap(), 2);
        shutdown(Duration::from_millis(100));
        assert_eq!(block_on(async { 3 }).unwrap(), 3);
    }
}
