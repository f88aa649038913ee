//! Tokens (SEMANTICS-tokens §3): the native `Claims` object with lazy field access, `Verifier`,
//! and the ATI shortcuts `issue_token` / `validate_token` / `inspect_token`.

use crate::convert::{arg_opt_str, arg_str, json_to_py, py_to_json, token_bytes};
use crate::errors::{total, validation, IntoPy};
use crate::keys::{key_arg, keyset_arg};
use crate::scopes::PyRateSpec;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};
use warden_core::json::Json;
use warden_core::token::{self, AtiIssueArgs};
use warden_core::{Claims, ValidateArgs, Verifier, VerifierOptions};

/// A verified (or inspected) JWT payload. Fields are converted only when read.
#[pyclass(frozen, name = "Claims", module = "warden._native")]
pub struct PyClaims {
    pub inner: Claims,
}

#[inline]
fn opt<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: Option<T>) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Some(x) => pyo3::IntoPyObjectExt::into_bound_py_any(x, py),
        None => Ok(py.None().into_bound(py)),
    }
}

fn opt_json<'py>(py: Python<'py>, v: Option<&Json>) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Some(j) => json_to_py(py, j),
        None => Ok(py.None().into_bound(py)),
    }
}

#[pymethods]
impl PyClaims {
    /// Claims from a mapping (`VALIDATION_ERROR` if it is not a dict of JSON values).
    #[new]
    fn new(py: Python<'_>, claims: &Bound<'_, PyAny>) -> PyResult<PyClaims> {
        total(py, || {
            Ok(PyClaims {
                inner: Claims::from_json(py_to_json(claims)?).py_err(py)?,
            })
        })
    }

    /// `sub`, or None.
    #[getter]
    fn sub<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt(py, self.inner.sub())
    }
    /// `aud` exactly as in the token (a str or a list), or None.
    #[getter]
    fn aud<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt_json(py, self.inner.aud())
    }
    /// `aud` when it is a str or a one-element list of str, else None.
    #[getter]
    fn audience<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt(py, self.inner.audience())
    }
    /// `iat` (unix seconds), or None.
    #[getter]
    fn iat<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt(py, self.inner.iat())
    }
    /// `exp` (unix seconds), or None.
    #[getter]
    fn exp<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt(py, self.inner.exp())
    }
    /// `nbf` (unix seconds), or None.
    #[getter]
    fn nbf<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt(py, self.inner.nbf())
    }
    /// `jti`, or None.
    #[getter]
    fn jti<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt(py, self.inner.jti())
    }
    /// `iss`, or None.
    #[getter]
    fn iss<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt(py, self.inner.iss())
    }
    /// The raw `scope` claim, or None.
    #[getter]
    fn scope<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt(py, self.inner.scope())
    }
    /// The `ati` namespace as a dict, or None.
    #[getter]
    fn ati<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        opt_json(py, self.inner.ati())
    }
    /// Every claim without an accessor, in token order.
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.inner.extra() {
            d.set_item(k, json_to_py(py, v)?)?;
        }
        Ok(d)
    }

    /// The scope tokens.
    fn scopes(&self) -> Vec<String> {
        self.inner.scopes()
    }

    /// The ATI rate limits, `{pattern: RateSpec}` in token order.
    fn rate_limits<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, spec) in self.inner.rate_limits() {
            d.set_item(k, PyRateSpec { inner: spec })?;
        }
        Ok(d)
    }

    /// True iff the token's scopes allow the concrete scope `required`.
    fn allows(&self, py: Python<'_>, required: &Bound<'_, PyAny>) -> PyResult<bool> {
        total(py, || Ok(self.inner.allows(arg_str(required, "required")?)))
    }

    /// Any claim by name, or `default`.
    #[pyo3(signature = (name, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        total(py, || match self.inner.get(arg_str(name, "name")?) {
            Some(v) => json_to_py(py, v),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        })
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let k = name.cast::<PyString>().ok().and_then(|s| s.to_str().ok());
        match k.and_then(|k| self.inner.get(k)) {
            Some(v) => json_to_py(py, v),
            None => Err(pyo3::exceptions::PyKeyError::new_err(name.clone().unbind())),
        }
    }

    fn __contains__(&self, name: &Bound<'_, PyAny>) -> bool {
        let k = name.cast::<PyString>().ok().and_then(|s| s.to_str().ok());
        k.is_some_and(|k| self.inner.get(k).is_some())
    }

    fn __len__(&self) -> usize {
        self.inner.members().len()
    }

    /// The claim names, in token order.
    fn keys(&self) -> Vec<String> {
        self.inner
            .members()
            .iter()
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// The whole payload as a new dict (members in token order).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.to_json())
    }

    /// The payload as compact JSON text.
    fn to_json(&self) -> String {
        self.inner.to_json().to_compact()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyClaims>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!("Claims({})", self.inner.to_json().to_compact())
    }
}

/// A verifier, built once and reused (thread-safe).
#[pyclass(frozen, name = "Verifier", module = "warden._native")]
pub struct PyVerifier {
    inner: Verifier,
}

#[pymethods]
impl PyVerifier {
    /// `Verifier(keys, options=None, **kwargs)`: the options (SEMANTICS-tokens §3.2 names:
    /// `algorithms`, `audience`, `issuer`, `leeway_seconds`, …) from a dict and/or keywords are
    /// passed to the core as JSON (`None` = the core default); unknown names and wrong types →
    /// `VALIDATION_ERROR` from the core.
    #[new]
    #[pyo3(signature = (keys, options=None, **kwargs))]
    fn new(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyVerifier> {
        total(py, || {
            let mut m: Vec<(String, Json)> = Vec::new();
            for src in [options, kwargs.map(|d| d.as_any())].into_iter().flatten() {
                if src.is_none() {
                    continue;
                }
                match py_to_json(src)? {
                    Json::Obj(members) => {
                        for (k, v) in members {
                            m.retain(|(n, _)| *n != k);
                            m.push((k, v));
                        }
                    }
                    _ => return Err(validation(py, "options must be a dict")),
                }
            }
            let opts = VerifierOptions::from_json(&Json::Obj(m)).py_err(py)?;
            let ks = keyset_arg(keys)?;
            Ok(PyVerifier {
                inner: Verifier::new(ks, opts).py_err(py)?,
            })
        })
    }

    /// Verifies a compact JWS (`str` or `bytes`) and returns its claims.
    fn verify(&self, py: Python<'_>, token: &Bound<'_, PyAny>) -> PyResult<PyClaims> {
        total(py, || {
            let t = token_bytes(token)?;
            Ok(PyClaims {
                inner: self.inner.verify_bytes(&t).py_err(py)?,
            })
        })
    }

    /// Marks a `jti` revoked on this verifier.
    fn revoke(&self, py: Python<'_>, jti: &Bound<'_, PyAny>) -> PyResult<()> {
        total(py, || self.inner.revoke(arg_str(jti, "jti")?).py_err(py))
    }

    /// True if `jti` was revoked on this verifier.
    fn is_revoked(&self, py: Python<'_>, jti: &Bound<'_, PyAny>) -> PyResult<bool> {
        total(py, || Ok(self.inner.is_revoked(arg_str(jti, "jti")?)))
    }

    fn __repr__(&self) -> String {
        let o = self.inner.options();
        format!(
            "Verifier(algorithms={:?}, audience={:?}, keys={})",
            o.algorithms.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            o.audience,
            self.inner.keys().len()
        )
    }
}

/// An optional argument that remembers whether it was passed at all (even as `None`).
pub struct Given<'py>(Option<Bound<'py, PyAny>>);

impl<'a, 'py> FromPyObject<'a, 'py> for Given<'py> {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(Given(Some(obj.to_owned())))
    }
}

const NOT_GIVEN: Given<'static> = Given(None);

/// An int argument (`bool` and other types → `VALIDATION_ERROR`).
pub fn arg_int(v: &Bound<'_, PyAny>, what: &str) -> PyResult<i64> {
    if v.is_instance_of::<PyBool>() || !v.is_instance_of::<PyInt>() {
        return Err(validation(v.py(), format!("{what} must be an int")));
    }
    v.extract::<i64>()
        .map_err(|_| validation(v.py(), format!("{what} is out of range")))
}

/// An optional int argument (`None` → None).
pub fn arg_opt_int(v: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<i64>> {
    match v {
        None => Ok(None),
        Some(x) if x.is_none() => Ok(None),
        Some(x) => arg_int(x, what).map(Some),
    }
}

/// `issue_token(secret, sub, scope, ttl_seconds=3600, aud="ati-proxy", iss="ati-orchestrator",
/// jti=None, rate=None, *, now=None)` (the ATI shortcut; `secret` may also be a `Key`), or the
/// generic `issue_token(key, claims, *, now=None)` when the second argument is a mapping or a
/// `Claims`.
#[pyfunction]
#[pyo3(signature = (secret, sub, scope=NOT_GIVEN, ttl_seconds=NOT_GIVEN, aud=NOT_GIVEN, iss=NOT_GIVEN, jti=NOT_GIVEN, rate=NOT_GIVEN, *, now=None))]
#[pyo3(
    text_signature = "(secret, sub, scope=None, ttl_seconds=3600, aud='ati-proxy', iss='ati-orchestrator', jti=None, rate=None, *, now=None)"
)]
#[allow(clippy::too_many_arguments)]
pub fn issue_token(
    py: Python<'_>,
    secret: &Bound<'_, PyAny>,
    sub: &Bound<'_, PyAny>,
    scope: Given<'_>,
    ttl_seconds: Given<'_>,
    aud: Given<'_>,
    iss: Given<'_>,
    jti: Given<'_>,
    rate: Given<'_>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    total(py, || {
        if sub.is_instance_of::<PyDict>() || sub.is_instance_of::<PyClaims>() {
            let extra = [&scope, &ttl_seconds, &aud, &iss, &jti, &rate];
            if extra.iter().any(|g| g.0.is_some()) {
                return Err(validation(
                    py,
                    "issue_token(key, claims) takes only the key, the claims and now",
                ));
            }
            let key = key_arg(secret, "key")?;
            let claims = Claims::from_json(py_to_json(sub)?).py_err(py)?;
            return token::issue(&key, &claims, arg_opt_int(now, "now")?).py_err(py);
        }
        let mut m: Vec<(String, Json)> = Vec::with_capacity(8);
        m.push(("sub".into(), py_to_json(sub)?));
        for (name, g) in [
            ("scope", &scope),
            ("ttl_seconds", &ttl_seconds),
            ("aud", &aud),
            ("iss", &iss),
            ("jti", &jti),
            ("rate", &rate),
        ] {
            if let Some(v) = &g.0 {
                m.push((name.into(), py_to_json(v)?));
            }
        }
        if let Some(n) = now {
            m.push(("now".into(), py_to_json(n)?));
        }
        let args = Json::Obj(m);
        if secret.is_instance_of::<PyString>() {
            return warden_core::issue_token_json(arg_str(secret, "secret")?, &args).py_err(py);
        }
        let key = key_arg(secret, "secret")?;
        token::issue_ati(&key, &AtiIssueArgs::from_json(&args).py_err(py)?).py_err(py)
    })
}

/// `validate_token(token, secret, audience="ati-proxy", issuer=None, leeway=60, *, now=None)`:
/// HS256 only, every rule of SEMANTICS-tokens §3.
#[pyfunction]
#[pyo3(signature = (token, secret, audience=None, issuer=None, leeway=None, *, now=None))]
#[pyo3(
    text_signature = "(token, secret, audience='ati-proxy', issuer=None, leeway=60, *, now=None)"
)]
pub fn validate_token(
    py: Python<'_>,
    token: &Bound<'_, PyAny>,
    secret: &Bound<'_, PyAny>,
    audience: Option<&Bound<'_, PyAny>>,
    issuer: Option<&Bound<'_, PyAny>>,
    leeway: Option<&Bound<'_, PyAny>>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyClaims> {
    total(py, || {
        let mut a = ValidateArgs::default();
        if let Some(aud) = arg_opt_str(audience, "audience")? {
            a.audience = aud.to_string();
        }
        a.issuer = arg_opt_str(issuer, "issuer")?.map(str::to_string);
        if let Some(l) = arg_opt_int(leeway, "leeway")? {
            a.leeway = l;
        }
        a.now = arg_opt_int(now, "now")?;
        let secret = arg_str(secret, "secret")?;
        let t = token_bytes(token)?;
        Ok(PyClaims {
            inner: warden_core::ati::validate_token_bytes(&t, secret, &a).py_err(py)?,
        })
    })
}

/// `inspect_token(token)`: decode without verifying (the format rules still apply).
#[pyfunction]
pub fn inspect_token(py: Python<'_>, token: &Bound<'_, PyAny>) -> PyResult<PyClaims> {
    total(py, || {
        let t = token_bytes(token)?;
        Ok(PyClaims {
            inner: token::inspect(&t).py_err(py)?,
        })
    })
}
