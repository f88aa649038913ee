//! asyncio bridging on the **core's** tokio runtime (TOOLCHAIN.md, Python): a small `CoreRt`
//! type implements pyo3-async-runtimes' generic `Runtime` by spawning on
//! `warden_core::runtime`, and `_shutdown()` (registered with `atexit`) stops that runtime before
//! the interpreter finalizes, so no worker thread races `Py_Finalize`.

use crate::errors::validation;
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime};
use pyo3_async_runtimes::TaskLocals;
use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// Spawns on the core-owned runtime.
pub struct CoreRt;

/// A join failure: the task panicked or was cancelled, or the runtime could not be reached.
pub struct CoreJoinError(Option<tokio::task::JoinError>);

impl JoinError for CoreJoinError {
    fn is_panic(&self) -> bool {
        self.0.as_ref().is_some_and(|e| e.is_panic())
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        match self.0 {
            Some(e) if e.is_panic() => e.into_panic(),
            _ => Box::new("the Warden runtime is not available"),
        }
    }
}

type Join = Pin<Box<dyn Future<Output = Result<(), CoreJoinError>> + Send>>;

fn join(h: warden_core::Result<tokio::task::JoinHandle<()>>) -> Join {
    match h {
        Ok(h) => Box::pin(async move { h.await.map_err(|e| CoreJoinError(Some(e))) }),
        Err(_) => Box::pin(async { Err(CoreJoinError(None)) }),
    }
}

impl Runtime for CoreRt {
    type JoinError = CoreJoinError;
    type JoinHandle = Join;

    fn spawn<F>(fut: F) -> Join
    where
        F: Future<Output = ()> + Send + 'static,
    {
        join(warden_core::runtime::spawn(fut))
    }

    fn spawn_blocking<F>(f: F) -> Join
    where
        F: FnOnce() + Send + 'static,
    {
        join(warden_core::runtime::handle().map(|h| h.spawn_blocking(f)))
    }
}

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

impl ContextExt for CoreRt {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}

/// A Rust future as a Python awaitable, run on the core runtime.
pub fn future_into_py<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = PyResult<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    // Start (or reach) the runtime first so that a failure is a typed error here, not later.
    warden_core::runtime::handle().map_err(|e| crate::errors::to_py(py, &e))?;
    pyo3_async_runtimes::generic::future_into_py::<CoreRt, F, T>(py, fut).map_err(|_| {
        validation(
            py,
            "Warden async calls must be awaited inside a running asyncio event loop",
        )
    })
}

/// Stops the core runtime (idempotent). Registered with `atexit` by `warden/__init__.py`; the
/// GIL is released meanwhile so tasks that finish a Python future can complete.
#[pyfunction]
pub fn _shutdown(py: Python<'_>) {
    py.detach(|| warden_core::runtime::shutdown(Duration::from_secs(2)));
}
