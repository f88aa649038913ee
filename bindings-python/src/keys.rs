//! `Key` and `KeySet` (SEMANTICS-tokens §2), including the async `KeySet.fetch`.

use crate::convert::{arg_opt_str, arg_str, py_to_json};
use crate::errors::{to_py, total, validation, IntoPy};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use warden_core::{Key, KeySet};

/// A signing/verification key bound to one algorithm (`HS256`, `EdDSA` or `ES256`).
#[pyclass(frozen, name = "Key", module = "warden._native")]
pub struct PyKey {
    pub inner: Key,
}

/// A JWK given as JSON text or as a dict.
fn jwk_json(v: &Bound<'_, PyAny>, what: &str) -> PyResult<warden_core::Json> {
    if v.is_instance_of::<PyDict>() {
        return py_to_json(v);
    }
    let text = arg_str(v, what)?;
    warden_core::Json::parse(text).map_err(|e| {
        to_py(
            v.py(),
            &warden_core::Error::invalid_key(format!("{what} is not valid JSON: {e}")),
        )
    })
}

#[pymethods]
impl PyKey {
    /// HS256 from the ATI secret format: exactly 64 hex digits.
    #[staticmethod]
    #[pyo3(signature = (secret_hex, kid=None))]
    fn hs256_hex(
        py: Python<'_>,
        secret_hex: &Bound<'_, PyAny>,
        kid: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyKey> {
        total(py, || {
            let kid = arg_opt_str(kid, "kid")?;
            let inner = Key::hs256_hex(arg_str(secret_hex, "secret_hex")?, kid).py_err(py)?;
            Ok(PyKey { inner })
        })
    }

    /// HS256 from raw bytes (at least 32).
    #[staticmethod]
    #[pyo3(signature = (secret, kid=None))]
    fn hs256_bytes(
        py: Python<'_>,
        secret: &Bound<'_, PyAny>,
        kid: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyKey> {
        total(py, || {
            let kid = arg_opt_str(kid, "kid")?;
            let b = secret
                .cast::<PyBytes>()
                .map_err(|_| validation(py, "secret must be bytes"))?;
            Ok(PyKey {
                inner: Key::hs256_bytes(b.as_bytes(), kid).py_err(py)?,
            })
        })
    }

    /// A new random Ed25519 key pair.
    #[staticmethod]
    #[pyo3(signature = (kid=None))]
    fn generate_ed25519(py: Python<'_>, kid: Option<&Bound<'_, PyAny>>) -> PyResult<PyKey> {
        total(py, || {
            Ok(PyKey {
                inner: Key::generate_ed25519(arg_opt_str(kid, "kid")?).py_err(py)?,
            })
        })
    }

    /// A new random P-256 key pair.
    #[staticmethod]
    #[pyo3(signature = (kid=None))]
    fn generate_es256(py: Python<'_>, kid: Option<&Bound<'_, PyAny>>) -> PyResult<PyKey> {
        total(py, || {
            Ok(PyKey {
                inner: Key::generate_es256(arg_opt_str(kid, "kid")?).py_err(py)?,
            })
        })
    }

    /// A key from a JWK (JSON text or dict).
    #[staticmethod]
    fn from_jwk(py: Python<'_>, jwk: &Bound<'_, PyAny>) -> PyResult<PyKey> {
        total(py, || {
            Ok(PyKey {
                inner: Key::from_jwk_value(&jwk_json(jwk, "jwk")?).py_err(py)?,
            })
        })
    }

    /// A key from PEM (PKCS#8 private key or SPKI public key).
    #[staticmethod]
    #[pyo3(signature = (pem, kid=None))]
    fn from_pem(
        py: Python<'_>,
        pem: &Bound<'_, PyAny>,
        kid: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyKey> {
        total(py, || {
            let kid = arg_opt_str(kid, "kid")?;
            Ok(PyKey {
                inner: Key::from_pem(arg_str(pem, "pem")?, kid).py_err(py)?,
            })
        })
    }

    /// The algorithm this key is bound to.
    #[getter]
    fn alg(&self) -> &'static str {
        self.inner.alg().as_str()
    }

    /// The key id, if any.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.inner.kid()
    }

    /// True if the key can sign.
    #[getter]
    fn has_private(&self) -> bool {
        self.inner.has_private()
    }

    /// The public JWK (JSON text).
    fn public_jwk(&self, py: Python<'_>) -> PyResult<String> {
        total(py, || self.inner.public_jwk().py_err(py))
    }

    /// The JWK (JSON text); private parts only when `include_private`.
    #[pyo3(signature = (include_private=None))]
    #[pyo3(text_signature = "($self, include_private=False)")]
    fn to_jwk(
        &self,
        py: Python<'_>,
        include_private: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        total(py, || {
            let inc = crate::convert::arg_bool(include_private, "include_private")?;
            self.inner.to_jwk(inc).py_err(py)
        })
    }

    /// PEM export (SPKI public, or PKCS#8 private when `include_private`).
    #[pyo3(signature = (include_private=None))]
    #[pyo3(text_signature = "($self, include_private=False)")]
    fn to_pem(
        &self,
        py: Python<'_>,
        include_private: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        total(py, || {
            let inc = crate::convert::arg_bool(include_private, "include_private")?;
            self.inner.to_pem(inc).py_err(py)
        })
    }

    /// The same key without its private part.
    fn public_key(&self) -> PyKey {
        PyKey {
            inner: self.inner.public_key(),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "Key(alg={:?}, kid={:?}, private={})",
            self.inner.alg().as_str(),
            self.inner.kid(),
            self.inner.has_private()
        )
    }
}

/// A key argument: a `Key`, or the 64-hex ATI secret as a `str`.
pub fn key_arg(v: &Bound<'_, PyAny>, what: &str) -> PyResult<Key> {
    if let Ok(k) = v.cast::<PyKey>() {
        return Ok(k.get().inner.clone());
    }
    if v.is_instance_of::<PyString>() {
        return Key::hs256_hex(arg_str(v, what)?, None).py_err(v.py());
    }
    Err(validation(
        v.py(),
        format!("{what} must be a Key or a 64-hex secret str"),
    ))
}

/// Several keys, looked up by `kid`.
#[pyclass(frozen, name = "KeySet", module = "warden._native")]
pub struct PyKeySet {
    pub inner: KeySet,
}

/// A key-set argument: a `KeySet`, a `Key`, a 64-hex secret, or a list of `Key`.
pub fn keyset_arg(v: &Bound<'_, PyAny>) -> PyResult<KeySet> {
    let py = v.py();
    if let Ok(ks) = v.cast::<PyKeySet>() {
        return Ok(ks.get().inner.clone());
    }
    if v.is_instance_of::<PyKey>() || v.is_instance_of::<PyString>() {
        return Ok(KeySet::from(key_arg(v, "keys")?));
    }
    let it = v
        .try_iter()
        .map_err(|_| validation(py, "keys must be a KeySet, a Key or a list of Key"))?;
    let mut keys = Vec::new();
    for k in it {
        let k = k.map_err(|_| validation(py, "keys must be a list of Key"))?;
        let k = k
            .cast::<PyKey>()
            .map_err(|_| validation(py, "keys must be a list of Key"))?;
        keys.push(k.get().inner.clone());
    }
    KeySet::new(keys).py_err(py)
}

#[pymethods]
impl PyKeySet {
    /// A set of keys (key ids unique).
    #[new]
    fn new(py: Python<'_>, keys: &Bound<'_, PyAny>) -> PyResult<PyKeySet> {
        total(py, || {
            Ok(PyKeySet {
                inner: keyset_arg(keys)?,
            })
        })
    }

    /// Parses a JWKS document (JSON text or dict).
    #[staticmethod]
    fn from_jwks(py: Python<'_>, jwks: &Bound<'_, PyAny>) -> PyResult<PyKeySet> {
        total(py, || {
            Ok(PyKeySet {
                inner: KeySet::from_jwks_value(&jwk_json(jwks, "jwks")?).py_err(py)?,
            })
        })
    }

    /// Fetches a JWKS over HTTPS (or HTTP to loopback), cached for `ttl_seconds`; awaitable.
    #[staticmethod]
    #[pyo3(signature = (url, ttl_seconds=None))]
    #[pyo3(text_signature = "(url, ttl_seconds=300)")]
    fn fetch<'py>(
        py: Python<'py>,
        url: &Bound<'py, PyAny>,
        ttl_seconds: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        total(py, || {
            let url = arg_str(url, "url")?.to_string();
            let ttl = crate::tokens::arg_opt_int(ttl_seconds, "ttl_seconds")?.unwrap_or(300);
            // A negative value stays out of range (core answers VALIDATION_ERROR).
            let ttl = u64::try_from(ttl).unwrap_or(0);
            crate::runtime::future_into_py(py, async move {
                match KeySet::fetch(&url, ttl).await {
                    Ok(inner) => Ok(PyKeySet { inner }),
                    Err(e) => Err(Python::attach(|py| to_py(py, &e))),
                }
            })
        })
    }

    /// Re-fetches a fetched key set now; awaitable.
    fn refresh<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let set = self.inner.clone();
        total(py, || {
            crate::runtime::future_into_py(py, async move {
                match set.refresh().await {
                    Ok(()) => Ok(()),
                    Err(e) => Err(Python::attach(|py| to_py(py, &e))),
                }
            })
        })
    }

    /// The keys, in order.
    fn keys(&self) -> Vec<PyKey> {
        self.inner
            .keys()
            .into_iter()
            .map(|inner| PyKey { inner })
            .collect()
    }

    /// The key with this id, or None.
    fn get(&self, py: Python<'_>, kid: &Bound<'_, PyAny>) -> PyResult<Option<PyKey>> {
        total(py, || {
            Ok(self
                .inner
                .get(arg_str(kid, "kid")?)
                .map(|inner| PyKey { inner }))
        })
    }

    /// The public JWKS (JSON text; HMAC keys left out).
    fn to_public_jwks(&self) -> String {
        self.inner.to_public_jwks()
    }

    /// The URL a fetched set came from.
    #[getter]
    fn url(&self) -> Option<String> {
        self.inner.url().map(str::to_string)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("KeySet(len={})", self.inner.len())
    }
}
