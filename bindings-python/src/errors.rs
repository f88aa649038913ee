//! Error mapping: `warden.WardenError(Exception)` plus one subclass per core `ErrorCode`.
//!
//! The subclasses are built from `ErrorCode::ALL` when the module loads (name: the code in
//! CamelCase plus `Error`, e.g. `TOKEN_EXPIRED` → `TokenExpiredError`, `VALIDATION_ERROR` →
//! `ValidationError`), so a new core code gets its class without any change here and the mapping
//! has no fallback arm: the class of a code is looked up by its position in `ErrorCode::ALL`.

use crate::convert::json_to_py;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use std::ffi::CString;
use warden_core::{Error, ErrorCode};

pyo3::create_exception!(
    warden,
    WardenError,
    PyException,
    "Base class of every Warden error: `.code` (stable UPPER_SNAKE string), `.reason` (stable \
     snake_case sub-code or None), `.details` (structured data or None), `.message` (human text), \
     `.decision` (the guard decision as a dict for a Guard denial, else None)."
);

static CLASSES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

/// The Python class name of a code: `INVALID_TOKEN` → `InvalidTokenError`, `VALIDATION_ERROR` →
/// `ValidationError`.
pub fn class_name(code: &str) -> String {
    let stem = code.strip_suffix("_ERROR").unwrap_or(code);
    let mut out = String::with_capacity(code.len() + 5);
    for part in stem.split('_') {
        let mut cs = part.chars();
        if let Some(first) = cs.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(cs.map(|c| c.to_ascii_lowercase()));
        }
    }
    out.push_str("Error");
    out
}

fn build_classes(py: Python<'_>) -> PyResult<Vec<Py<PyType>>> {
    let base = py.get_type::<WardenError>();
    let mut out = Vec::with_capacity(ErrorCode::ALL.len());
    for code in ErrorCode::ALL {
        let name = CString::new(format!("warden.{}", class_name(code.as_str())))?;
        let doc = CString::new(format!("Warden error with code {}.", code.as_str()))?;
        let dict = PyDict::new(py);
        dict.set_item("code", code.as_str())?;
        // `new_type` drops the `Py` it is given before the call; keep `dict` alive ourselves.
        let class = PyErr::new_type(
            py,
            &name,
            Some(&doc),
            Some(&base),
            Some(dict.clone().into_any().unbind()),
        )?;
        drop(dict);
        out.push(class);
    }
    Ok(out)
}

/// Every per-code class, in the order of `ErrorCode::ALL`.
pub fn classes(py: Python<'_>) -> PyResult<&Vec<Py<PyType>>> {
    CLASSES.get_or_try_init(py, || build_classes(py))
}

fn class_of<'py>(py: Python<'py>, code: ErrorCode) -> Bound<'py, PyType> {
    let idx = ErrorCode::ALL.iter().position(|c| *c == code);
    match (classes(py), idx) {
        (Ok(list), Some(i)) => list[i].bind(py).clone(),
        // Unreachable by construction (every code is in ALL); keep the base class rather than panic.
        _ => py.get_type::<WardenError>(),
    }
}

/// Converts a core error into the Python exception of its code, with `.code`, `.reason`,
/// `.details`, `.message` and `.decision` set.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    let cls = class_of(py, e.code());
    let build = || -> PyResult<PyErr> {
        let exc = cls.call1((e.to_string(),))?;
        exc.setattr("code", e.code().as_str())?;
        exc.setattr("reason", e.reason())?;
        let details = match e.details_json() {
            Some(d) => json_to_py(py, d)?,
            None => py.None().into_bound(py),
        };
        exc.setattr("details", details)?;
        exc.setattr("message", e.message())?;
        let decision = match e.decision() {
            Some(d) => json_to_py(py, d)?,
            None => py.None().into_bound(py),
        };
        exc.setattr("decision", decision)?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|err| err)
}

/// `Result<T, core::Error>` → `PyResult<T>`.
pub trait IntoPy<T> {
    /// Maps the error through [`to_py`].
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    #[inline]
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, &e))
    }
}

/// Runs an exported function body, turning a Rust panic into `INTERNAL` (no panic crosses FFI).
#[inline]
pub fn total<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(to_py(
            py,
            &Error::internal("internal error (a panic was caught at the Python boundary)"),
        )),
    }
}

/// `VALIDATION_ERROR` as a Python exception.
pub fn validation(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    to_py(py, &Error::validation(msg))
}
