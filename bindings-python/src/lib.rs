//! `warden._native`: the PyO3 glue of the Warden Python SDK. It converts types and errors and
//! adds Python sugar; every behaviour lives in `warden-core`. Files: `errors.rs` (exception
//! classes), `convert.rs` (Python ↔ core JSON, argument extraction), `keys.rs`, `tokens.rs`,
//! `scopes.rs`, `provision.rs`, `runtime.rs` (asyncio on the core runtime + `_shutdown`).

mod convert;
mod errors;
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
    m.add("WardenError", py.get_type::<errors::WardenError>())?;
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
    m.add_function(wrap_pyfunction!(runtime::_shutdown, m)?)?;
    Ok(())
}
