//! The Guard (SEMANTICS-engine §12): `Guard(client, agent_id, …)` with `check` / `report` /
//! `flush` / `close` / `stats`, a context manager, and `protect` (the decorator lives in
//! `warden/_protect.py`, over `admit`). Every method that can reach the engine (`check`, `admit`,
//! `report`, `flush`, `close`, the constructor) runs with the GIL released.

use crate::client::PyClient;
use crate::convert::{arg_str, json_to_py};
use crate::engine::{opt_str, opt_text, PyDecision};
use crate::errors::{total, validation, IntoPy};
use crate::tokens::arg_int;
use pyo3::prelude::*;
use pyo3::types::PyBool;
use warden_core::client::{Guard, GuardOptions};
use warden_core::engine::Effect;
use warden_core::json::Json;

/// A bool keyword (`None`/absent → `default`; another type → `VALIDATION_ERROR`).
fn opt_bool(v: Option<&Bound<'_, PyAny>>, what: &str, default: bool) -> PyResult<bool> {
    match v {
        None => Ok(default),
        Some(x) if x.is_none() => Ok(default),
        Some(x) => x
            .cast::<PyBool>()
            .map(|b| b.is_true())
            .map_err(|_| validation(x.py(), format!("{what} must be a bool"))),
    }
}

/// `Guard(client, agent_id, *, session_id=None, block_on_deny=True, fail_open=False,
/// default_effect=None, log_inputs=False, strict_mode=None, flush_timer=True)`.
///
/// `strict_mode=None` reads `WARDEN_STRICT_MODE` (the core default); `flush_timer=False` leaves
/// flushing to `flush()`/`close()` and the 10-event threshold.
#[pyclass(frozen, name = "Guard", module = "warden._native")]
pub struct PyGuard {
    inner: Guard,
    client: Py<PyClient>,
}

#[pymethods]
impl PyGuard {
    #[new]
    #[pyo3(signature = (client, agent_id, *, session_id=None, block_on_deny=None, fail_open=None, default_effect=None, log_inputs=None, strict_mode=None, flush_timer=None))]
    #[pyo3(
        text_signature = "(client, agent_id, *, session_id=None, block_on_deny=True, fail_open=False, default_effect=None, log_inputs=False, strict_mode=None, flush_timer=True)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        client: &Bound<'_, PyAny>,
        agent_id: &Bound<'_, PyAny>,
        session_id: Option<&Bound<'_, PyAny>>,
        block_on_deny: Option<&Bound<'_, PyAny>>,
        fail_open: Option<&Bound<'_, PyAny>>,
        default_effect: Option<&Bound<'_, PyAny>>,
        log_inputs: Option<&Bound<'_, PyAny>>,
        strict_mode: Option<&Bound<'_, PyAny>>,
        flush_timer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyGuard> {
        total(py, || {
            let c = client
                .cast::<PyClient>()
                .map_err(|_| validation(py, "client must be a warden.Client"))?;
            let mut o = GuardOptions::new(arg_str(agent_id, "agent_id")?);
            o.session_id = opt_str(session_id, "session_id")?.map(str::to_string);
            o.block_on_deny = opt_bool(block_on_deny, "block_on_deny", true)?;
            o.fail_open = opt_bool(fail_open, "fail_open", false)?;
            o.default_effect = opt_str(default_effect, "default_effect")?
                .map(Effect::parse)
                .transpose()
                .py_err(py)?;
            o.log_inputs = opt_bool(log_inputs, "log_inputs", false)?;
            o.strict_mode = opt_bool(strict_mode, "strict_mode", o.strict_mode)?;
            o.flush_timer = opt_bool(flush_timer, "flush_timer", true)?;
            let client_inner = c.get().inner.clone();
            let g = py.detach(|| Guard::new(client_inner, o)).py_err(py)?;
            Ok(PyGuard {
                inner: g,
                client: c.clone().unbind(),
            })
        })
    }

    /// `check(tool, input_summary="", effect=None) -> Decision` (§12.1). An enforced denial with
    /// `block_on_deny` raises the error class of the decision's code, with `.decision` set.
    #[pyo3(signature = (tool, input_summary=None, effect=None))]
    #[pyo3(text_signature = "(self, tool, input_summary='', effect=None)")]
    fn check(
        &self,
        py: Python<'_>,
        tool: &Bound<'_, PyAny>,
        input_summary: Option<&Bound<'_, PyAny>>,
        effect: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDecision> {
        total(py, || {
            let tool = arg_str(tool, "tool")?;
            let input = opt_text(input_summary, "input_summary")?;
            let effect = opt_str(effect, "effect")?;
            let g = &self.inner;
            let d = py.detach(|| g.check(tool, &input, effect)).py_err(py)?;
            Ok(PyDecision { inner: d })
        })
    }

    /// `admit(tool, effect=None) -> Decision` (§12.4, what `@guard.protect` runs before the
    /// call): `check`, and an enforced denial always raises (whatever `block_on_deny`), so the
    /// guarded function never runs without permission.
    #[pyo3(signature = (tool, effect=None))]
    fn admit(
        &self,
        py: Python<'_>,
        tool: &Bound<'_, PyAny>,
        effect: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDecision> {
        total(py, || {
            let tool = arg_str(tool, "tool")?;
            let effect = opt_str(effect, "effect")?;
            let g = &self.inner;
            let d = py.detach(|| g.admit(tool, effect)).py_err(py)?;
            Ok(PyDecision { inner: d })
        })
    }

    /// `report(tool, success, duration_ms, error_type=None)` (§12.2): buffers one telemetry
    /// event; a bad tool or a negative duration is counted as `invalid`, never raised.
    #[pyo3(signature = (tool, success, duration_ms, error_type=None))]
    fn report(
        &self,
        py: Python<'_>,
        tool: &Bound<'_, PyAny>,
        success: &Bound<'_, PyAny>,
        duration_ms: &Bound<'_, PyAny>,
        error_type: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        total(py, || {
            let tool = arg_str(tool, "tool")?;
            let success = opt_bool(Some(success), "success", false)?;
            let ms = arg_int(duration_ms, "duration_ms")?;
            let et = match error_type {
                Some(e) if !e.is_none() => Some(crate::engine::text_lossy(e, "error_type")?),
                _ => None,
            };
            let g = &self.inner;
            py.detach(|| g.report(tool, success, ms, et.as_deref()));
            Ok(())
        })
    }

    /// Sends the buffered telemetry now.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        let g = &self.inner;
        total(py, || {
            py.detach(|| g.flush());
            Ok(())
        })
    }

    /// Flushes once and stops (idempotent); later `check`/`report` → `VALIDATION_ERROR`
    /// (`guard_closed`).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let g = &self.inner;
        total(py, || {
            py.detach(|| g.close());
            Ok(())
        })
    }

    /// `{buffered, sent, dropped, invalid, failed_flushes}`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let s = self.inner.stats();
        let j = Json::Obj(vec![
            ("buffered".into(), Json::Int(s.buffered as i64)),
            ("sent".into(), Json::Int(s.sent as i64)),
            ("dropped".into(), Json::Int(s.dropped as i64)),
            ("invalid".into(), Json::Int(s.invalid as i64)),
            ("failed_flushes".into(), Json::Int(s.failed_flushes as i64)),
        ]);
        json_to_py(py, &j)
    }

    /// The session the guard uses (None until its first check opened one).
    #[getter]
    fn session_id(&self) -> Option<String> {
        self.inner.session_id()
    }

    /// The agent the guard checks for.
    #[getter]
    fn agent_id(&self) -> &str {
        &self.inner.options().agent_id
    }

    /// The client the guard calls.
    #[getter]
    fn client(&self, py: Python<'_>) -> Py<PyClient> {
        self.client.clone_ref(py)
    }

    /// `@guard.protect(tool=None, effect=None)`: a decorator for sync and async functions that
    /// checks before the call (an enforced denial always raises) and reports after it with the
    /// measured duration and, on failure, the exception's class name.
    #[pyo3(signature = (tool=None, effect=None))]
    fn protect<'py>(
        slf: &Bound<'py, Self>,
        tool: Option<&Bound<'py, PyAny>>,
        effect: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("warden._protect")?
            .getattr("protect")?
            .call1((slf, tool, effect))
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!(
            "Guard(agent_id={:?}, session_id={:?})",
            self.inner.options().agent_id,
            self.inner.session_id()
        )
    }
}
