//! The engine (SEMANTICS-engine): `Engine` (in-process, optional manual clock), the `Decision`
//! object, and the pure functions `resolve_effect`, `tool_words`, `summarize_input`,
//! `verify_audit_export`. Arguments and results cross as core `Json` values converted straight
//! from/to Python values (`convert.rs`); every engine call runs with the GIL released.

use crate::convert::{arg_str, json_to_py, py_str, py_to_json};
use crate::errors::{to_py, total, validation, IntoPy};
use crate::tokens::{arg_int, arg_opt_int};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::borrow::Cow;
use std::sync::Arc;
use warden_core::engine::{
    Clock, Decision, Effect, Engine, EngineConfig, ManualClock, SystemClock,
};
use warden_core::json::Json;

/// A core `Json` value that becomes a Python value when handed back (awaitable results).
pub struct PyJson(pub Json);

impl<'py> IntoPyObject<'py> for PyJson {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.0)
    }
}

/// Free text (inputs, summaries): lone surrogates become U+FFFD (SEMANTICS-engine §12.3), one
/// per surrogate, instead of a `VALIDATION_ERROR`.
pub fn text_lossy<'a>(v: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, str>> {
    let s = v
        .cast::<PyString>()
        .map_err(|_| validation(v.py(), format!("{what} must be a str")))?;
    match s.to_str() {
        Ok(t) => Ok(Cow::Borrowed(t)),
        Err(_) => {
            let b = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
            let units: Vec<u16> = b
                .cast::<PyBytes>()?
                .as_bytes()
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            Ok(Cow::Owned(String::from_utf16_lossy(&units)))
        }
    }
}

/// An optional free-text argument (`None`/absent → "").
pub fn opt_text<'a>(v: Option<&'a Bound<'_, PyAny>>, what: &str) -> PyResult<Cow<'a, str>> {
    match v {
        None => Ok(Cow::Borrowed("")),
        Some(x) if x.is_none() => Ok(Cow::Borrowed("")),
        Some(x) => text_lossy(x, what),
    }
}

/// An optional `str` (`None`/absent → None; lone surrogates → `VALIDATION_ERROR`).
pub fn opt_str<'a>(v: Option<&'a Bound<'_, PyAny>>, what: &str) -> PyResult<Option<&'a str>> {
    crate::convert::arg_opt_str(v, what)
}

/// Optional JSON arguments (`None` → JSON null, which the engine reads as `{}`).
pub fn opt_json(v: Option<&Bound<'_, PyAny>>) -> PyResult<Json> {
    match v {
        None => Ok(Json::Null),
        Some(x) => py_to_json(x),
    }
}

/// `Engine(config=None, clock_ms=None)`: an in-process engine.
///
/// `config` is a mapping of SEMANTICS-engine §17 options (`issuer`, `audience`, `*_ttl_seconds`,
/// `max_delegation_depth`, `seed`, `env: {"WARDEN_STRICT_MODE": …}`); `None` → the defaults with
/// strict mode read from the process environment. `clock_ms` starts a manual clock at that unix
/// time in milliseconds (moved only by `advance`); `None` → the system clock.
#[pyclass(frozen, name = "Engine", module = "warden._native")]
pub struct PyEngine {
    pub inner: Arc<Engine>,
    clock: Option<Arc<ManualClock>>,
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (config=None, clock_ms=None))]
    fn new(
        py: Python<'_>,
        config: Option<&Bound<'_, PyAny>>,
        clock_ms: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyEngine> {
        total(py, || {
            let cfg = match config {
                Some(c) if !c.is_none() => EngineConfig::from_json(&py_to_json(c)?).py_err(py)?,
                _ => EngineConfig::default(),
            };
            let manual =
                arg_opt_int(clock_ms, "clock_ms")?.map(|ms| Arc::new(ManualClock::new(ms)));
            let clock: Arc<dyn Clock> = match &manual {
                Some(c) => c.clone(),
                None => Arc::new(SystemClock),
            };
            let engine = Engine::new(cfg, clock).py_err(py)?;
            Ok(PyEngine {
                inner: Arc::new(engine),
                clock: manual,
            })
        })
    }

    /// Moves the manual clock forward by `ms` (`VALIDATION_ERROR` on a system-clock engine).
    fn advance(&self, py: Python<'_>, ms: &Bound<'_, PyAny>) -> PyResult<()> {
        total(py, || {
            let ms = arg_int(ms, "ms")?;
            match &self.clock {
                Some(c) => {
                    c.advance(ms);
                    Ok(())
                }
                None => Err(validation(
                    py,
                    "advance() needs an engine built with clock_ms",
                )),
            }
        })
    }

    /// The engine clock, unix milliseconds.
    fn now_ms(&self) -> i64 {
        self.inner.now_ms()
    }

    /// True iff this engine runs on a manual clock.
    #[getter]
    fn manual_clock(&self) -> bool {
        self.clock.is_some()
    }

    /// `WARDEN_STRICT_MODE` as configured for this engine (SEMANTICS-engine §13).
    #[getter]
    fn strict_mode(&self) -> bool {
        self.inner.config().strict_mode
    }

    /// `call(op, args=None)`: one engine operation by its wire name with a mapping of wire-named
    /// arguments; returns the result as Python values.
    #[pyo3(signature = (op, args=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        op: &Bound<'py, PyAny>,
        args: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        total(py, || {
            let op = arg_str(op, "op")?;
            let args = opt_json(args)?;
            let engine = &self.inner;
            let r = py.detach(|| engine.call(op, &args)).py_err(py)?;
            json_to_py(py, &r)
        })
    }

    /// The public JWKS of the engine's signing key (JSON text).
    fn jwks(&self) -> String {
        self.inner.jwks()
    }

    fn __repr__(&self) -> String {
        format!(
            "Engine(clock={}, strict_mode={})",
            if self.clock.is_some() {
                "manual"
            } else {
                "system"
            },
            if self.inner.config().strict_mode {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// A guard decision (SEMANTICS-engine §9). Fields are converted only when read.
#[pyclass(frozen, name = "Decision", module = "warden._native")]
pub struct PyDecision {
    pub inner: Decision,
}

#[inline]
fn opt_s(v: &Option<String>) -> Option<&str> {
    v.as_deref()
}

#[pymethods]
impl PyDecision {
    #[getter]
    fn check_id(&self) -> &str {
        &self.inner.check_id
    }
    #[getter]
    fn allowed(&self) -> bool {
        self.inner.allowed
    }
    #[getter]
    fn code(&self) -> &str {
        &self.inner.code
    }
    #[getter]
    fn reason(&self) -> &str {
        &self.inner.reason
    }
    #[getter]
    fn enforced(&self) -> bool {
        self.inner.enforced
    }
    #[getter]
    fn source(&self) -> &str {
        &self.inner.source
    }
    #[getter]
    fn agent_id(&self) -> &str {
        &self.inner.agent_id
    }
    /// The session, or None (as in the wire form).
    #[getter]
    fn session_id(&self) -> Option<&str> {
        Some(self.inner.session_id.as_str()).filter(|s| !s.is_empty())
    }
    #[getter]
    fn tool(&self) -> &str {
        &self.inner.tool
    }
    #[getter]
    fn effect(&self) -> Option<&'static str> {
        self.inner.effect.map(Effect::as_str)
    }
    #[getter]
    fn required_scope(&self) -> Option<&str> {
        opt_s(&self.inner.required_scope)
    }
    #[getter]
    fn matched_pattern(&self) -> Option<&str> {
        opt_s(&self.inner.matched_pattern)
    }
    #[getter]
    fn rule_id(&self) -> Option<&str> {
        opt_s(&self.inner.rule_id)
    }
    #[getter]
    fn approval_id(&self) -> Option<&str> {
        opt_s(&self.inner.approval_id)
    }
    #[getter]
    fn retry_after_ms(&self) -> Option<i64> {
        self.inner.retry_after_ms
    }
    #[getter]
    fn decided_at(&self) -> i64 {
        self.inner.decided_at
    }
    /// True iff the caller may proceed (`allowed or not enforced`).
    #[getter]
    fn proceed(&self) -> bool {
        self.inner.proceed()
    }

    /// The wire form as a dict (every field; None for absent optionals).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.to_json())
    }

    /// The wire form as compact JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json().to_compact()
    }

    /// The typed error of this decision's code (the core's `Decision::to_error`: reason, message
    /// and `decision` set), the one a blocking Guard raises for an enforced denial. Not raised
    /// here: `raise d.to_error()`.
    fn to_error<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        to_py(py, &self.inner.to_error())
            .into_value(py)
            .into_bound(py)
            .into_any()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<PyDecision>() {
            Ok(o) => o.get().inner.to_json() == self.inner.to_json(),
            Err(_) => false,
        }
    }

    fn __repr__(&self) -> String {
        let d = &self.inner;
        format!(
            "Decision(allowed={}, code={:?}, reason={:?}, tool={:?}, enforced={}, check_id={:?})",
            if d.allowed { "True" } else { "False" },
            d.code,
            d.reason,
            d.tool,
            if d.enforced { "True" } else { "False" },
            d.check_id
        )
    }
}

// ---- pure functions ------------------------------------------------------------------------------

/// `resolve_effect(tool, effect=None) -> str` (SEMANTICS-engine §5): the given effect, or the one
/// the tool name implies; `VALIDATION_ERROR` for a bad tool or effect.
#[pyfunction]
#[pyo3(signature = (tool, effect=None))]
pub fn resolve_effect(
    py: Python<'_>,
    tool: &Bound<'_, PyAny>,
    effect: Option<&Bound<'_, PyAny>>,
) -> PyResult<&'static str> {
    total(py, || {
        let tool = arg_str(tool, "tool")?;
        let given = opt_str(effect, "effect")?
            .map(Effect::parse)
            .transpose()
            .py_err(py)?;
        Ok(warden_core::engine::resolve_effect(tool, given)
            .py_err(py)?
            .as_str())
    })
}

/// `tool_words(tool) -> list[str]`: the lower-case words of a tool name (§5).
#[pyfunction]
pub fn tool_words(py: Python<'_>, tool: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    total(py, || {
        Ok(warden_core::engine::tool_words(arg_str(tool, "tool")?))
    })
}

/// `summarize_input(text, log_inputs=False) -> str` (§12.3).
#[pyfunction]
#[pyo3(signature = (text, log_inputs=None))]
#[pyo3(text_signature = "(text, log_inputs=False)")]
pub fn summarize_input(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    log_inputs: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    total(py, || {
        let log = crate::convert::arg_bool(log_inputs, "log_inputs")?;
        Ok(warden_core::engine::summarize_input(
            &text_lossy(text, "text")?,
            log,
        ))
    })
}

/// `verify_audit_export(jsonl) -> {"ok", "checked", "first_broken_seq"}` (§14).
#[pyfunction]
pub fn verify_audit_export<'py>(
    py: Python<'py>,
    jsonl: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    total(py, || {
        let s = jsonl
            .cast::<PyString>()
            .map_err(|_| validation(py, "jsonl must be a str"))?;
        let text = py_str(s)?;
        let r = py.detach(|| warden_core::engine::verify_audit_export(text));
        json_to_py(py, &r.to_json())
    })
}
