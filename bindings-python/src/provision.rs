//! Provisioning (SEMANTICS-tokens §6): `Orchestrator.provision_sandbox` and
//! `session_token_from_env`.

use crate::convert::{arg_opt_str, arg_str, arg_str_list};
use crate::errors::{total, validation, IntoPy};
use crate::keys::key_arg;
use crate::tokens::arg_opt_int;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use warden_core::{Orchestrator, ProvisionArgs};

/// Issues session tokens for sandboxes, with ati-client's environment contract.
#[pyclass(frozen, name = "Orchestrator", module = "warden._native")]
pub struct PyOrchestrator {
    inner: Orchestrator,
}

fn rate_arg(v: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    if v.is_none() {
        return Ok(Vec::new());
    }
    let py = v.py();
    let d = v
        .cast::<PyDict>()
        .map_err(|_| validation(py, "rate must be a dict of pattern -> rate spec"))?;
    let mut out = Vec::with_capacity(d.len());
    for (k, s) in d.iter() {
        let k = k
            .cast::<PyString>()
            .map_err(|_| validation(py, "rate keys must be str"))?;
        out.push((
            crate::convert::py_str(k)?.to_string(),
            arg_str(&s, "a rate spec")?.to_string(),
        ));
    }
    Ok(out)
}

#[pymethods]
impl PyOrchestrator {
    /// `Orchestrator(proxy_url, key_or_secret, default_aud="ati-proxy",
    /// default_iss="ati-orchestrator")`; ati-client's `secret=` keyword is accepted too.
    #[new]
    #[pyo3(signature = (proxy_url, key_or_secret=None, default_aud=None, default_iss=None, *, secret=None))]
    fn new(
        py: Python<'_>,
        proxy_url: &Bound<'_, PyAny>,
        key_or_secret: Option<&Bound<'_, PyAny>>,
        default_aud: Option<&Bound<'_, PyAny>>,
        default_iss: Option<&Bound<'_, PyAny>>,
        secret: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyOrchestrator> {
        total(py, || {
            let k = match (key_or_secret, secret) {
                (Some(k), None) | (None, Some(k)) => k,
                _ => {
                    return Err(validation(
                        py,
                        "pass exactly one of key_or_secret and secret",
                    ))
                }
            };
            let key = key_arg(k, "key_or_secret")?;
            let aud = arg_opt_str(default_aud, "default_aud")?;
            let iss = arg_opt_str(default_iss, "default_iss")?;
            Ok(PyOrchestrator {
                inner: Orchestrator::new(arg_str(proxy_url, "proxy_url")?, key, aud, iss)
                    .py_err(py)?,
            })
        })
    }

    /// The proxy URL without trailing slashes.
    #[getter]
    fn proxy_url(&self) -> &str {
        self.inner.proxy_url()
    }

    /// `provision_sandbox(agent_id, tools=None, skills=None, extra_scopes=None, ttl_seconds=3600,
    /// rate=None, *, now=None, jti=None)` → `{"ATI_PROXY_URL": …, "ATI_SESSION_TOKEN": …}`.
    #[pyo3(signature = (agent_id, tools=None, skills=None, extra_scopes=None, ttl_seconds=None, rate=None, *, now=None, jti=None))]
    #[pyo3(
        text_signature = "($self, agent_id, tools=None, skills=None, extra_scopes=None, ttl_seconds=3600, rate=None, *, now=None, jti=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn provision_sandbox<'py>(
        &self,
        py: Python<'py>,
        agent_id: &Bound<'py, PyAny>,
        tools: Option<&Bound<'py, PyAny>>,
        skills: Option<&Bound<'py, PyAny>>,
        extra_scopes: Option<&Bound<'py, PyAny>>,
        ttl_seconds: Option<&Bound<'py, PyAny>>,
        rate: Option<&Bound<'py, PyAny>>,
        now: Option<&Bound<'py, PyAny>>,
        jti: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        total(py, || {
            let args = ProvisionArgs {
                tools: arg_str_list(tools, "tools")?,
                skills: arg_str_list(skills, "skills")?,
                extra_scopes: arg_str_list(extra_scopes, "extra_scopes")?,
                ttl_seconds: arg_opt_int(ttl_seconds, "ttl_seconds")?,
                rate: rate_arg(rate)?,
                now: arg_opt_int(now, "now")?,
                jti: arg_opt_str(jti, "jti")?.map(str::to_string),
            };
            let env = self
                .inner
                .provision_sandbox(arg_str(agent_id, "agent_id")?, &args)
                .py_err(py)?;
            let d = PyDict::new(py);
            for (k, v) in env {
                d.set_item(k, v)?;
            }
            Ok(d)
        })
    }

    fn __repr__(&self) -> String {
        format!("Orchestrator(proxy_url={:?})", self.inner.proxy_url())
    }
}

/// `session_token_from_env(name="ATI_SESSION_TOKEN")`: `$NAME`, then the file named by
/// `$NAME_FILE`, then `/run/ati/session_token`; none → `NOT_FOUND`.
#[pyfunction]
#[pyo3(signature = (name=None))]
#[pyo3(text_signature = "(name='ATI_SESSION_TOKEN')")]
pub fn session_token_from_env(py: Python<'_>, name: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
    total(py, || {
        let n = arg_opt_str(name, "name")?;
        // The environment is read by the core (std::env); release the GIL meanwhile.
        let n = n.map(str::to_string);
        py.detach(|| warden_core::session_token_from_env(n.as_deref()))
            .py_err(py)
    })
}
