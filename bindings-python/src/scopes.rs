//! Scopes (SEMANTICS-tokens §4) and rate specs (§5).

use crate::convert::{arg_str, arg_str_list};
use crate::errors::{total, validation, IntoPy};
use pyo3::prelude::*;
use warden_core::{RateSpec, ScopeSet};

/// `parse_scopes(claim) -> list[str]` (`INVALID_SCOPE` on a bad claim).
#[pyfunction]
pub fn parse_scopes(py: Python<'_>, claim: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    total(py, || {
        warden_core::parse_scopes(arg_str(claim, "claim")?).py_err(py)
    })
}

/// `is_valid_scope(claim) -> bool`.
#[pyfunction]
pub fn is_valid_scope(py: Python<'_>, claim: &Bound<'_, PyAny>) -> PyResult<bool> {
    total(py, || {
        Ok(warden_core::is_valid_scope(arg_str(claim, "claim")?))
    })
}

/// `build_scope_string(tools=None, skills=None, extra=None) -> str`.
#[pyfunction]
#[pyo3(signature = (tools=None, skills=None, extra=None))]
pub fn build_scope_string(
    py: Python<'_>,
    tools: Option<&Bound<'_, PyAny>>,
    skills: Option<&Bound<'_, PyAny>>,
    extra: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    total(py, || {
        let t = arg_str_list(tools, "tools")?;
        let s = arg_str_list(skills, "skills")?;
        let e = arg_str_list(extra, "extra")?;
        warden_core::build_scope_string(&t, &s, &e).py_err(py)
    })
}

/// `check_scope(required, granted) -> bool`: some entry of `granted` allows `required`.
#[pyfunction]
pub fn check_scope(
    py: Python<'_>,
    required: &Bound<'_, PyAny>,
    granted: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    total(py, || {
        let r = arg_str(required, "required")?;
        let g = arg_str_list(Some(granted), "granted")?;
        Ok(warden_core::check_scope(r, &g))
    })
}

/// `matches_wildcard(name, pattern) -> bool`.
#[pyfunction]
pub fn matches_wildcard(
    py: Python<'_>,
    name: &Bound<'_, PyAny>,
    pattern: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    total(py, || {
        Ok(warden_core::matches_wildcard(
            arg_str(name, "name")?,
            arg_str(pattern, "pattern")?,
        ))
    })
}

/// `covers(parent_patterns, child_pattern) -> bool`.
#[pyfunction]
pub fn covers(
    py: Python<'_>,
    parents: &Bound<'_, PyAny>,
    child: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    total(py, || {
        let p = arg_str_list(Some(parents), "parents")?;
        Ok(warden_core::covers(&p, arg_str(child, "child")?))
    })
}

/// A compiled set of scope patterns for hot paths.
#[pyclass(frozen, name = "ScopeSet", module = "warden._native")]
pub struct PyScopeSet {
    inner: ScopeSet,
}

#[pymethods]
impl PyScopeSet {
    /// `ScopeSet(patterns, *, strict=False)`: by default an invalid pattern grants nothing (the
    /// `check_scope` answer); `strict=True` rejects it (`INVALID_SCOPE`).
    #[new]
    #[pyo3(signature = (patterns, *, strict=None))]
    #[pyo3(text_signature = "(patterns, *, strict=False)")]
    fn new(
        py: Python<'_>,
        patterns: &Bound<'_, PyAny>,
        strict: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyScopeSet> {
        total(py, || {
            let p = arg_str_list(Some(patterns), "patterns")?;
            let strict = crate::convert::arg_bool(strict, "strict")?;
            let inner = if strict {
                ScopeSet::new(&p).py_err(py)?
            } else {
                ScopeSet::lenient(&p)
            };
            Ok(PyScopeSet { inner })
        })
    }

    /// A set from a scope claim (space-separated; `INVALID_SCOPE` if invalid).
    #[staticmethod]
    fn from_claim(py: Python<'_>, claim: &Bound<'_, PyAny>) -> PyResult<PyScopeSet> {
        total(py, || {
            Ok(PyScopeSet {
                inner: ScopeSet::from_claim(arg_str(claim, "claim")?).py_err(py)?,
            })
        })
    }

    /// True iff some pattern allows the concrete scope `required`.
    #[inline]
    fn allows(&self, py: Python<'_>, required: &Bound<'_, PyAny>) -> PyResult<bool> {
        total(py, || Ok(self.inner.allows(arg_str(required, "required")?)))
    }

    /// `covers(self.patterns(), pattern)`.
    fn covers(&self, py: Python<'_>, pattern: &Bound<'_, PyAny>) -> PyResult<bool> {
        total(py, || Ok(self.inner.covers(arg_str(pattern, "pattern")?)))
    }

    /// The patterns, in the order given.
    fn patterns(&self) -> Vec<String> {
        self.inner.patterns().to_vec()
    }

    fn __contains__(&self, py: Python<'_>, required: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.allows(py, required)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("ScopeSet({:?})", self.inner.patterns())
    }
}

/// A parsed rate spec: at most `count` calls per `window_seconds`.
#[pyclass(frozen, eq, hash, name = "RateSpec", module = "warden._native")]
#[derive(PartialEq, Hash)]
pub struct PyRateSpec {
    pub inner: RateSpec,
}

#[pymethods]
impl PyRateSpec {
    /// Parses `<count>/<unit>` (`INVALID_RATE_SPEC` otherwise).
    #[staticmethod]
    fn parse(py: Python<'_>, spec: &Bound<'_, PyAny>) -> PyResult<PyRateSpec> {
        total(py, || {
            Ok(PyRateSpec {
                inner: RateSpec::parse(arg_str(spec, "spec")?).py_err(py)?,
            })
        })
    }

    /// Calls allowed per window.
    #[getter]
    fn count(&self) -> u32 {
        self.inner.count
    }

    /// Window length in seconds.
    #[getter]
    fn window_seconds(&self) -> u32 {
        self.inner.window_seconds
    }

    /// The window in milliseconds.
    fn window_ms(&self) -> u64 {
        self.inner.window_ms()
    }

    /// True iff this spec allows strictly more calls per unit of time than `other`.
    fn is_looser_than(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let o = other
            .cast::<PyRateSpec>()
            .map_err(|_| validation(py, "other must be a RateSpec"))?;
        Ok(self.inner.is_looser_than(&o.get().inner))
    }

    fn __repr__(&self) -> String {
        format!(
            "RateSpec(count={}, window_seconds={})",
            self.inner.count, self.inner.window_seconds
        )
    }
}
