//! The client (SEMANTICS-engine, ARCHITECTURE layer 3): `Client.local()` over an in-process
//! engine or `Client.connect(url, api_key, …)` over a gateway (synchronous HTTP in the core), the
//! generic `call`, one-line typed methods over it, the typed `check` and the awaitable
//! `wait_for_decision` (run on the core runtime). Every call that can reach the engine runs with
//! the GIL released.

use crate::convert::{arg_str, json_to_py, py_to_json};
use crate::engine::{opt_json, opt_str, opt_text, PyDecision, PyEngine, PyJson};
use crate::errors::{to_py, total, validation, IntoPy};
use crate::tokens::arg_opt_int;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use warden_core::client::{Client, Fault};
use warden_core::json::Json;
use warden_core::Error;

/// `Client.local(engine=None)`: a client over an in-process engine (its own, on the system
/// clock, or a shared `Engine`); `Client.connect(url, api_key, …)`: a client over a gateway.
#[pyclass(frozen, name = "Client", module = "warden._native")]
pub struct PyClient {
    pub inner: Client,
    /// The gateway URL of a remote client (for `repr`).
    url: Option<String>,
}

/// The arguments of a typed method: an optional mapping plus keywords (keywords win).
fn merged(
    py: Python<'_>,
    args: Option<&Bound<'_, PyAny>>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<Json> {
    let base = opt_json(args)?;
    let Some(kw) = kwargs.filter(|k| !k.is_empty()) else {
        return Ok(base);
    };
    let mut members = match base {
        Json::Obj(m) => m,
        Json::Null => Vec::with_capacity(kw.len()),
        _ => {
            return Err(validation(
                py,
                "args must be a mapping when keywords are given",
            ))
        }
    };
    for (k, v) in kw.iter() {
        let k = k.cast::<PyString>()?.to_str()?.to_string();
        let v = py_to_json(&v)?;
        match members.iter_mut().find(|(n, _)| *n == k) {
            Some(slot) => slot.1 = v,
            None => members.push((k, v)),
        }
    }
    Ok(Json::Obj(members))
}

impl PyClient {
    fn run<'py>(&self, py: Python<'py>, op: &str, args: &Json) -> PyResult<Bound<'py, PyAny>> {
        let client = &self.inner;
        let r = py.detach(|| client.call(op, args)).py_err(py)?;
        json_to_py(py, &r)
    }

    fn typed<'py>(
        &self,
        py: Python<'py>,
        op: &str,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        total(py, || {
            let a = merged(py, args, kwargs)?;
            self.run(py, op, &a)
        })
    }
}

#[pymethods]
impl PyClient {
    /// A local client: `engine=None` → its own engine (defaults, system clock); an `Engine` →
    /// shares that engine's state.
    #[staticmethod]
    #[pyo3(signature = (engine=None))]
    fn local(py: Python<'_>, engine: Option<&Bound<'_, PyAny>>) -> PyResult<PyClient> {
        total(py, || match engine {
            Some(e) if !e.is_none() => PyClient::with_engine(py, e),
            _ => Ok(PyClient {
                inner: Client::local().py_err(py)?,
                url: None,
            }),
        })
    }

    /// A local client sharing `engine`.
    #[staticmethod]
    fn with_engine(py: Python<'_>, engine: &Bound<'_, PyAny>) -> PyResult<PyClient> {
        let e = engine
            .cast::<PyEngine>()
            .map_err(|_| validation(py, "engine must be a warden.Engine"))?;
        Ok(PyClient {
            inner: Client::with_engine(e.get().inner.clone()),
            url: None,
        })
    }

    /// `Client.connect(url, api_key, *, timeout_ms=None, connect_timeout_ms=None, retries=None,
    /// ca_pem=None, client_cert_pem=None, client_key_pem=None)`: the engine behind a gateway
    /// (`http(s)://host[:port]`). Nothing is sent until the first call; `None` → the core default
    /// (10 000 ms, 2 000 ms, 2 retries of idempotent calls, the system roots, no client cert).
    #[staticmethod]
    #[pyo3(signature = (url, api_key, *, timeout_ms=None, connect_timeout_ms=None, retries=None, ca_pem=None, client_cert_pem=None, client_key_pem=None))]
    #[allow(clippy::too_many_arguments)]
    fn connect(
        py: Python<'_>,
        url: &Bound<'_, PyAny>,
        api_key: &Bound<'_, PyAny>,
        timeout_ms: Option<&Bound<'_, PyAny>>,
        connect_timeout_ms: Option<&Bound<'_, PyAny>>,
        retries: Option<&Bound<'_, PyAny>>,
        ca_pem: Option<&Bound<'_, PyAny>>,
        client_cert_pem: Option<&Bound<'_, PyAny>>,
        client_key_pem: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyClient> {
        total(py, || {
            let url = arg_str(url, "url")?;
            let key = arg_str(api_key, "api_key")?;
            let mut o: Vec<(String, Json)> = Vec::new();
            for (name, v) in [
                ("timeout_ms", timeout_ms),
                ("connect_timeout_ms", connect_timeout_ms),
                ("retries", retries),
            ] {
                if let Some(n) = arg_opt_int(v, name)? {
                    o.push((name.into(), Json::Int(n)));
                }
            }
            for (name, v) in [
                ("ca_pem", ca_pem),
                ("client_cert_pem", client_cert_pem),
                ("client_key_pem", client_key_pem),
            ] {
                if let Some(t) = opt_str(v, name)? {
                    o.push((name.into(), Json::from(t)));
                }
            }
            let opts = Json::Obj(o);
            let inner = py.detach(|| Client::connect(url, key, &opts)).py_err(py)?;
            Ok(PyClient {
                inner,
                url: Some(url.trim_end_matches('/').to_string()),
            })
        })
    }

    /// True for a gateway-backed client (`Client.connect`).
    #[getter]
    fn is_remote(&self) -> bool {
        self.inner.is_remote()
    }

    /// Test hook: makes every call fail as a transport failure would (`network_error`,
    /// `timeout`, `http_500`, `http_503`, `http_403`) until `set_fault(None)`.
    fn set_fault(&self, py: Python<'_>, fault: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        total(py, || {
            let f = opt_str(fault, "fault")?
                .map(Fault::parse)
                .transpose()
                .py_err(py)?;
            self.inner.set_fault(f);
            Ok(())
        })
    }

    /// The engine clock, unix milliseconds.
    fn now_ms(&self) -> i64 {
        self.inner.now_ms()
    }

    /// `call(op, args=None)`: any engine operation by wire name, with a mapping of wire-named
    /// arguments.
    #[pyo3(signature = (op, args=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        op: &Bound<'py, PyAny>,
        args: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        total(py, || {
            let op = arg_str(op, "op")?;
            let a = opt_json(args)?;
            self.run(py, op, &a)
        })
    }

    /// `check(agent_id, session_id, tool, input_summary="", effect=None) -> Decision` (§9).
    #[pyo3(signature = (agent_id, session_id, tool, input_summary=None, effect=None))]
    #[pyo3(text_signature = "(self, agent_id, session_id, tool, input_summary='', effect=None)")]
    fn check(
        &self,
        py: Python<'_>,
        agent_id: &Bound<'_, PyAny>,
        session_id: Option<&Bound<'_, PyAny>>,
        tool: &Bound<'_, PyAny>,
        input_summary: Option<&Bound<'_, PyAny>>,
        effect: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDecision> {
        total(py, || {
            let agent = arg_str(agent_id, "agent_id")?;
            let session = opt_str(session_id, "session_id")?.unwrap_or("");
            let tool = arg_str(tool, "tool")?;
            let input = opt_text(input_summary, "input_summary")?;
            let effect = opt_str(effect, "effect")?;
            let client = &self.inner;
            let d = py
                .detach(|| client.check(agent, session, tool, &input, effect))
                .py_err(py)?;
            Ok(PyDecision { inner: d })
        })
    }

    /// `wait_for_decision(approval_id, timeout_seconds=300)` → awaitable of the approval; the
    /// wait runs on the core runtime's blocking pool, never holding the GIL.
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn wait_for_decision<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        total(py, || {
            let a = merged(py, args, kwargs)?;
            let client = self.inner.clone();
            crate::runtime::future_into_py(py, async move {
                let r = tokio::task::spawn_blocking(move || client.call("wait_for_decision", &a))
                    .await
                    .unwrap_or_else(|_| Err(Error::internal("wait_for_decision task failed")));
                match r {
                    Ok(v) => Ok(PyJson(v)),
                    Err(e) => Err(Python::attach(|py| to_py(py, &e))),
                }
            })
        })
    }

    /// `create_agent(name, workspace?, framework?, capabilities?, metadata?, public_key?, rate?,
    /// enforcement?)` (§2).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn create_agent<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "create_agent", args, kwargs)
    }
    /// `get_agent(agent_id)` (§2).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn get_agent<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "get_agent", args, kwargs)
    }
    /// `revoke_agent(agent_id, reason?)` (§2).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn revoke_agent<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "revoke_agent", args, kwargs)
    }
    /// `issue_token(agent_id, scopes?, ttl_seconds?, session_id?, rate?)` (§3).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn issue_token<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "issue_token", args, kwargs)
    }
    /// `introspect_token(token, required_scopes?)` (§3).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn introspect_token<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "introspect_token", args, kwargs)
    }
    /// `revoke_token(token)` (§3).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn revoke_token<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "revoke_token", args, kwargs)
    }
    /// `init_session(agent_id, server_id, mode?, scope_ceiling?, ttl_seconds?)` (§4).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn init_session<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "init_session", args, kwargs)
    }
    /// `approve(approval_id, decided_by, note?)` (§10).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn approve<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "approve", args, kwargs)
    }
    /// `deny(approval_id, decided_by, note?)` (§10).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn deny<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "deny", args, kwargs)
    }
    /// `get_approval(approval_id)` (§10).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn get_approval<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "get_approval", args, kwargs)
    }
    /// `list_approvals(status?, workspace?, agent_id?, cursor?, limit?)` (§10).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn list_approvals<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "list_approvals", args, kwargs)
    }
    /// `create_delegation(from_agent_id, to_agent_id, scopes, ttl_seconds?, restrictions?,
    /// parent_delegation_id?)` (§11).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn create_delegation<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "create_delegation", args, kwargs)
    }
    /// `revoke_delegation(delegation_id, reason?)` (§11).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn revoke_delegation<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "revoke_delegation", args, kwargs)
    }
    /// `delegation_token(delegation_id, ttl_seconds?)` (§11).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn delegation_token<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "delegation_token", args, kwargs)
    }
    /// `set_policy(workspace?, rules)` (§7).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn set_policy<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "set_policy", args, kwargs)
    }
    /// `query_audit(workspace?, agent_id?, session_id?, kind?, since?, cursor?, limit?)` (§14).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn query_audit<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "query_audit", args, kwargs)
    }
    /// `verify_chain(workspace?)` (§14).
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn verify_chain<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "verify_chain", args, kwargs)
    }
    /// `export_audit(workspace?, since_seq?)` (§14): the JSONL text.
    #[pyo3(signature = (args=None, /, **kwargs))]
    fn export_audit<'py>(
        &self,
        py: Python<'py>,
        args: Option<&Bound<'py, PyAny>>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.typed(py, "export_audit", args, kwargs)
    }

    fn __repr__(&self) -> String {
        match &self.url {
            Some(u) => format!("Client(backend='remote', url={u:?})"),
            None => "Client(backend='local')".to_string(),
        }
    }
}
