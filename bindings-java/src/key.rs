//! Keys and key sets (SEMANTICS-tokens §2), including the one async call, `KeySet.fetch`,
//! which runs on the core runtime.

use crate::error::{run, FfiError, FfiResult};
use std::sync::Arc;
use warden_core::{Alg, Key, KeySet};

/// The algorithm a key is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FfiAlg {
    Hs256,
    EdDsa,
    Es256,
}

impl From<Alg> for FfiAlg {
    fn from(a: Alg) -> FfiAlg {
        match a {
            Alg::HS256 => FfiAlg::Hs256,
            Alg::EdDSA => FfiAlg::EdDsa,
            Alg::ES256 => FfiAlg::Es256,
        }
    }
}

/// A key bound to one algorithm.
#[derive(uniffi::Object)]
pub struct FfiKey(pub(crate) Key);

#[uniffi::export]
impl FfiKey {
    /// HS256 from exactly 64 hex digits.
    #[uniffi::constructor]
    pub fn hs256_hex(secret_hex: String, kid: Option<String>) -> FfiResult<Arc<FfiKey>> {
        run(|| Key::hs256_hex(&secret_hex, kid.as_deref())).map(|k| Arc::new(FfiKey(k)))
    }

    /// HS256 from raw bytes (at least 32).
    #[uniffi::constructor]
    pub fn hs256_bytes(secret: Vec<u8>, kid: Option<String>) -> FfiResult<Arc<FfiKey>> {
        run(|| Key::hs256_bytes(&secret, kid.as_deref())).map(|k| Arc::new(FfiKey(k)))
    }

    /// A fresh Ed25519 key pair.
    #[uniffi::constructor]
    pub fn generate_ed25519(kid: Option<String>) -> FfiResult<Arc<FfiKey>> {
        run(|| Key::generate_ed25519(kid.as_deref())).map(|k| Arc::new(FfiKey(k)))
    }

    /// A fresh P-256 key pair.
    #[uniffi::constructor]
    pub fn generate_es256(kid: Option<String>) -> FfiResult<Arc<FfiKey>> {
        run(|| Key::generate_es256(kid.as_deref())).map(|k| Arc::new(FfiKey(k)))
    }

    /// A key from JWK JSON text.
    #[uniffi::constructor]
    pub fn from_jwk(json: String) -> FfiResult<Arc<FfiKey>> {
        run(|| Key::from_jwk(&json)).map(|k| Arc::new(FfiKey(k)))
    }

    /// A key from PEM text.
    #[uniffi::constructor]
    pub fn from_pem(pem: String, kid: Option<String>) -> FfiResult<Arc<FfiKey>> {
        run(|| Key::from_pem(&pem, kid.as_deref())).map(|k| Arc::new(FfiKey(k)))
    }

    pub fn alg(&self) -> FfiAlg {
        self.0.alg().into()
    }

    pub fn kid(&self) -> Option<String> {
        self.0.kid().map(str::to_string)
    }

    pub fn has_private(&self) -> bool {
        self.0.has_private()
    }

    pub fn public_jwk(&self) -> FfiResult<String> {
        run(|| self.0.public_jwk())
    }

    pub fn to_jwk(&self, include_private: bool) -> FfiResult<String> {
        run(|| self.0.to_jwk(include_private))
    }

    pub fn to_pem(&self, include_private: bool) -> FfiResult<String> {
        run(|| self.0.to_pem(include_private))
    }

    pub fn public_key(&self) -> Arc<FfiKey> {
        Arc::new(FfiKey(self.0.public_key()))
    }
}

/// Several keys by `kid`.
#[derive(uniffi::Object)]
pub struct FfiKeySet(pub(crate) KeySet);

#[uniffi::export]
impl FfiKeySet {
    #[uniffi::constructor]
    pub fn new(keys: Vec<Arc<FfiKey>>) -> FfiResult<Arc<FfiKeySet>> {
        run(|| KeySet::new(keys.iter().map(|k| k.0.clone()).collect())).map(|s| Arc::new(FfiKeySet(s)))
    }

    #[uniffi::constructor]
    pub fn from_jwks(json: String) -> FfiResult<Arc<FfiKeySet>> {
        run(|| KeySet::from_jwks(&json)).map(|s| Arc::new(FfiKeySet(s)))
    }

    pub fn keys(&self) -> Vec<Arc<FfiKey>> {
        self.0.keys().into_iter().map(|k| Arc::new(FfiKey(k))).collect()
    }

    pub fn get(&self, kid: String) -> Option<Arc<FfiKey>> {
        self.0.get(&kid).map(|k| Arc::new(FfiKey(k)))
    }

    pub fn len(&self) -> u64 {
        self.0.len() as u64
    }

    pub fn to_public_jwks(&self) -> String {
        self.0.to_public_jwks()
    }

    pub fn url(&self) -> Option<String> {
        self.0.url().map(str::to_string)
    }

    /// Re-fetches a fetched set now, on the core runtime.
    pub async fn refresh(&self) -> FfiResult<()> {
        let set = self.0.clone();
        on_core_runtime(async move { set.refresh().await }).await
    }
}

/// `KeySet.fetch(url, ttl_seconds)`: spawned on the core runtime; the returned future only awaits
/// the join handle (Java sees a `CompletableFuture`).
#[uniffi::export]
pub async fn key_set_fetch(url: String, ttl_seconds: u64) -> FfiResult<Arc<FfiKeySet>> {
    on_core_runtime(async move { KeySet::fetch(&url, ttl_seconds).await }).await.map(|s| Arc::new(FfiKeySet(s)))
}

async fn on_core_runtime<T: Send + 'static>(
    fut: impl std::future::Future<Output = warden_core::Result<T>> + Send + 'static,
) -> FfiResult<T> {
    let handle = run(|| warden_core::runtime::spawn(fut))?;
    match handle.await {
        Ok(r) => r.map_err(FfiError::from),
        Err(e) => Err(warden_core::Error::internal(format!("the fetch task failed: {e}")).into()),
    }
}
