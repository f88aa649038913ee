//! `warden._native`: the PyO3 glue of the Warden Python SDK. It converts types and errors and
//! adds Python sugar; every behaviour lives in `warden-core`. Files: `errors.rs` (exception
//! classes), `convert.rs` (Python ↔ core JSON, argument extraction), `keys.rs`, `tokens.rs`,
//! `scopes.rs`, `provision.rs`, `engine.rs` (Engine, Decision, pure engine functions),
//! `client.rs` (Client), `guard.rs` (Guard), `runtime.rs` (asyncio on the core runtime +
//! `_shutdown`).

/// mimalloc for the Rust side (Python keeps its own allocator): the token paths allocate many
/// small short-lived buffers, and glibc malloc/free was ~10 % of an `issue_token` in perf.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod client;
mod convert;
mod engine;
mod errors;
mod guard;
mod keys;
mod provision;
mod runtime;
mod scopes;
mod tokens;

use pyo3::prelude::*;

/// `error_codes()`: every stable error code of the core, in table order.
#[pyfunction]
fn error_codes() -> Vec<&'static str> {
    warden_core::error_codes()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", warden_core::VERSION)?;
    let base = py.get_type::<errors::WardenError>();
    // Defaults for errors raised by Python code itself (the glue sets them on every error).
    for attr in ["reason", "details", "decision"] {
        base.setattr(attr, py.None())?;
    }
    m.add("WardenError", base)?;
    for cls in errors::classes(py)? {
        let cls = cls.bind(py);
        m.add(cls.name()?.to_str()?, cls)?;
    }
    m.add_class::<keys::PyKey>()?;
    m.add_class::<keys::PyKeySet>()?;
    m.add_class::<tokens::PyClaims>()?;
    m.add_class::<tokens::PyVerifier>()?;
    m.add_class::<scopes::PyScopeSet>()?;
    m.add_class::<scopes::PyRateSpec>()?;
    m.add_class::<provision::PyOrchestrator>()?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::issue_token, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::validate_token, m)?)?;
    m.add_function(wrap_pyfunction!(tokens::inspect_token, m)?)?;
    m.add_function(wrap_pyfunction!(scopes::parse_scopes, m)?)?;
    m.add_function(wrap_pyfunction!(scopes::is_valid_scope, m)?)?;
    m.add_function(wrap_pyfunction!(scopes::build_scope_string, m)?)?;
    m.add_function(wrap_pyfunction!(scopes::check_scope, m)?)?;
    m.add_function(wrap_pyfunction!(scopes::matches_wildcard, m)?)?;
    m.add_function(wrap_pyfunction!(scopes::covers, m)?)?;
    m.add_function(wrap_pyfunction!(provision::session_token_from_env, m)?)?;
    m.add_class::<engine::PyEngine>()?;
    m.add_class::<engine::PyDecision>()?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<guard::PyGuard>()?;
    m.add_function(wrap_pyfunction!(engine::resolve_effect, m)?)?;
    m.add_function(wrap_pyfunction!(engine::tool_words, m)?)?;
    m.add_function(wrap_pyfunction!(engine::summarize_input, m)?)?;
    m.add_function(wrap_pyfunction!(engine::verify_audit_export, m)?)?;
    m.add_function(wrap_pyfunction!(runtime::_shutdown, m)?)?;
    Ok(())
}
