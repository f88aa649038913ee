//! Keys and key sets (SEMANTICS-tokens §2): `Key`, `KeySet` (with the async `KeySet.fetch`).

use crate::convert::string_arg;
use crate::error::{run, to_napi};
use napi::bindgen_prelude::{ClassInstance, Uint8Array, Unknown};
use napi_derive::napi;
use warden_core::Error;

/// A signing/verification key bound to exactly one algorithm (`HS256`, `EdDSA` or `ES256`).
#[napi]
pub struct Key {
    pub(crate) inner: warden_core::Key,
}

#[napi]
impl Key {
    /// HS256 from the ATI secret format: exactly 64 hex digits (either case), nothing else.
    /// `INVALID_KEY` otherwise.
    #[napi(factory)]
    pub fn hs256_hex(secret_hex: Unknown<'_>, kid: Option<String>) -> napi::Result<Key> {
        run(|| {
            let s = string_arg(&secret_hex, "secretHex")?;
            Ok(Key {
                inner: warden_core::Key::hs256_hex(&s, kid.as_deref())?,
            })
        })
    }

    /// HS256 from raw secret bytes (at least 32). `INVALID_KEY` otherwise.
    #[napi(factory)]
    pub fn hs256_bytes(secret: Uint8Array, kid: Option<String>) -> napi::Result<Key> {
        run(|| {
            Ok(Key {
                inner: warden_core::Key::hs256_bytes(&secret, kid.as_deref())?,
            })
        })
    }

    /// A new random Ed25519 key pair.
    #[napi(factory)]
    pub fn generate_ed25519(kid: Option<String>) -> napi::Result<Key> {
        run(|| {
            Ok(Key {
                inner: warden_core::Key::generate_ed25519(kid.as_deref())?,
            })
        })
    }

    /// A new random P-256 (ES256) key pair.
    #[napi(factory)]
    pub fn generate_es256(kid: Option<String>) -> napi::Result<Key> {
        run(|| {
            Ok(Key {
                inner: warden_core::Key::generate_es256(kid.as_deref())?,
            })
        })
    }

    /// Parses a JWK given as JSON text: kty `oct`, `OKP`/`Ed25519`, `EC`/`P-256`; a JWK `alg`,
    /// if present, must match. `INVALID_KEY` otherwise.
    #[napi(factory)]
    pub fn from_jwk(json: Unknown<'_>) -> napi::Result<Key> {
        run(|| {
            let s = string_arg(&json, "jwk")?;
            Ok(Key {
                inner: warden_core::Key::from_jwk(&s)?,
            })
        })
    }

    /// Parses a PEM key: PKCS#8 `PRIVATE KEY`, SPKI `PUBLIC KEY` (Ed25519 or P-256) or SEC1
    /// `EC PRIVATE KEY` (P-256).
    #[napi(factory)]
    pub fn from_pem(pem: Unknown<'_>, kid: Option<String>) -> napi::Result<Key> {
        run(|| {
            let s = string_arg(&pem, "pem")?;
            Ok(Key {
                inner: warden_core::Key::from_pem(&s, kid.as_deref())?,
            })
        })
    }

    /// The algorithm this key is bound to: `HS256`, `EdDSA` or `ES256`.
    #[napi(getter)]
    pub fn alg(&self) -> &'static str {
        self.inner.alg().as_str()
    }

    /// The key id, or `null`.
    #[napi(getter)]
    pub fn kid(&self) -> Option<String> {
        self.inner.kid().map(str::to_string)
    }

    /// True if the key can sign (HMAC keys always can).
    #[napi(getter)]
    pub fn has_private(&self) -> bool {
        self.inner.has_private()
    }

    /// The public JWK as JSON text (`INVALID_KEY` for an HMAC key).
    #[napi]
    pub fn public_jwk(&self) -> napi::Result<String> {
        run(|| self.inner.public_jwk())
    }

    /// The JWK as JSON text; private parts only when `includePrivate` is true.
    #[napi]
    pub fn to_jwk(&self, include_private: Option<bool>) -> napi::Result<String> {
        run(|| self.inner.to_jwk(include_private.unwrap_or(false)))
    }

    /// The key as PEM (SPKI, or PKCS#8 when `includePrivate`); `INVALID_KEY` for HMAC keys.
    #[napi]
    pub fn to_pem(&self, include_private: Option<bool>) -> napi::Result<String> {
        run(|| self.inner.to_pem(include_private.unwrap_or(false)))
    }

    /// The same key without its private part (HMAC keys are returned unchanged).
    #[napi]
    pub fn public_key(&self) -> Key {
        Key {
            inner: self.inner.public_key(),
        }
    }
}

/// Several keys looked up by `kid`. Key ids are unique within a set.
#[napi]
pub struct KeySet {
    pub(crate) inner: warden_core::KeySet,
}

#[napi]
impl KeySet {
    /// A set of keys; `INVALID_KEY` for duplicate key ids, `VALIDATION_ERROR` for none.
    #[napi(constructor)]
    pub fn new(keys: Vec<ClassInstance<'_, Key>>) -> napi::Result<KeySet> {
        let list: Vec<warden_core::Key> = keys.iter().map(|k| k.inner.clone()).collect();
        run(|| {
            Ok(KeySet {
                inner: warden_core::KeySet::new(list)?,
            })
        })
    }

    /// Parses a JWKS document `{"keys": [...]}` given as JSON text. Unsupported key types are
    /// skipped; a malformed supported key fails the set.
    #[napi(factory)]
    pub fn from_jwks(json: Unknown<'_>) -> napi::Result<KeySet> {
        run(|| {
            let s = string_arg(&json, "jwks")?;
            Ok(KeySet {
                inner: warden_core::KeySet::from_jwks(&s)?,
            })
        })
    }

    /// Fetches a JWKS over HTTPS (or plain HTTP to a loopback host), cached for `ttlSeconds`
    /// (1..86400, default 300) and refreshed on an unknown `kid` at most once per 30 s.
    /// Rejects with `NETWORK_ERROR`, `TIMEOUT`, `INVALID_KEY` or `VALIDATION_ERROR`.
    #[napi]
    pub async fn fetch(url: String, ttl_seconds: Option<f64>) -> napi::Result<KeySet> {
        let ttl = match ttl_seconds {
            None => 300,
            Some(t)
                if t.is_finite() && t.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&t) =>
            {
                t as u64
            }
            Some(_) => {
                return Err(to_napi(Error::validation(
                    "ttl_seconds must be an integer in 1..86400",
                )))
            }
        };
        let handle = run(|| {
            warden_core::runtime::spawn(async move { warden_core::KeySet::fetch(&url, ttl).await })
        })?;
        match handle.await {
            Ok(r) => r.map(|inner| KeySet { inner }).map_err(to_napi),
            Err(e) => Err(to_napi(Error::internal(format!(
                "the fetch task failed: {e}"
            )))),
        }
    }

    /// Re-fetches a fetched key set now (on failure the old keys stay). `VALIDATION_ERROR` for a
    /// set that was not fetched.
    #[napi]
    pub async fn refresh(&self) -> napi::Result<()> {
        let set = self.inner.clone();
        let handle = run(|| warden_core::runtime::spawn(async move { set.refresh().await }))?;
        match handle.await {
            Ok(r) => r.map_err(to_napi),
            Err(e) => Err(to_napi(Error::internal(format!(
                "the refresh task failed: {e}"
            )))),
        }
    }

    /// The keys, in order (a snapshot).
    #[napi]
    pub fn keys(&self) -> Vec<Key> {
        self.inner
            .keys()
            .into_iter()
            .map(|inner| Key { inner })
            .collect()
    }

    /// The key with this id, or `null`.
    #[napi]
    pub fn get(&self, kid: String) -> Option<Key> {
        self.inner.get(&kid).map(|inner| Key { inner })
    }

    /// Number of keys.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.inner.len() as u32
    }

    /// The public JWKS of this set as JSON text (HMAC keys are left out).
    #[napi]
    pub fn to_public_jwks(&self) -> String {
        self.inner.to_public_jwks()
    }

    /// The URL a fetched set came from, or `null`.
    #[napi(getter)]
    pub fn url(&self) -> Option<String> {
        self.inner.url().map(str::to_string)
    }
}
