//! Keys and key sets (SEMANTICS-tokens §2). A [`Key`] is bound to exactly one algorithm at
//! creation and is never used with another one. Secrets are zeroized on drop and never printed.

use crate::b64;
use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::sync::{Arc, RwLock};
use zeroize::Zeroizing;

/// The algorithms Warden signs and verifies with. `none` does not exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    /// HMAC-SHA256.
    HS256,
    /// Ed25519.
    EdDSA,
    /// ECDSA P-256 with SHA-256.
    ES256,
}

impl Alg {
    /// The JOSE name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Alg::HS256 => "HS256",
            Alg::EdDSA => "EdDSA",
            Alg::ES256 => "ES256",
        }
    }

    /// Parses a JOSE name, case-sensitively.
    pub fn parse(s: &str) -> Option<Alg> {
        match s {
            "HS256" => Some(Alg::HS256),
            "EdDSA" => Some(Alg::EdDSA),
            "ES256" => Some(Alg::ES256),
            _ => None,
        }
    }

    /// Parses a JOSE name or fails with `VALIDATION_ERROR`.
    pub fn parse_arg(s: &str) -> Result<Alg> {
        Alg::parse(s).ok_or_else(|| {
            Error::validation(format!(
                "unsupported algorithm {:?} (HS256, EdDSA, ES256)",
                crate::rate::truncate(s)
            ))
        })
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[allow(clippy::large_enum_variant)] // always behind an Arc
pub(crate) enum Material {
    Hmac {
        secret: Zeroizing<Vec<u8>>,
        mac: Hmac<Sha256>,
    },
    Ed25519 {
        public: ed25519_dalek::VerifyingKey,
        private: Option<ed25519_dalek::SigningKey>,
    },
    Es256 {
        public: p256::ecdsa::VerifyingKey,
        private: Option<p256::ecdsa::SigningKey>,
    },
}

struct KeyInner {
    kid: Option<String>,
    alg: Alg,
    material: Material,
}

/// A signing/verification key bound to one algorithm. Cheap to clone (shared).
#[derive(Clone)]
pub struct Key(Arc<KeyInner>);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("alg", &self.0.alg)
            .field("kid", &self.0.kid)
            .field("private", &self.has_private())
            .finish_non_exhaustive()
    }
}

/// Minimum HMAC secret length (RFC 7518 §3.2).
pub const MIN_HMAC_BYTES: usize = 32;

fn check_kid(kid: Option<&str>) -> Result<Option<String>> {
    match kid {
        None => Ok(None),
        Some(k) => {
            if k.is_empty() || k.len() > 256 || k.chars().any(char::is_control) {
                Err(Error::validation(
                    "kid must be 1..256 bytes without control characters",
                ))
            } else {
                Ok(Some(k.to_string()))
            }
        }
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Ed25519 public key bytes: canonical encoding, on the curve, not of small order.
fn ed25519_public(bytes: &[u8]) -> Result<ed25519_dalek::VerifyingKey> {
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| Error::invalid_key("an Ed25519 public key is 32 bytes"))?;
    // y must be < p = 2^255 - 19 (canonical encoding).
    let y_non_canonical =
        (arr[31] & 0x7f) == 0x7f && arr[1..31].iter().all(|&b| b == 0xff) && arr[0] >= 0xed;
    if y_non_canonical {
        return Err(Error::invalid_key(
            "Ed25519 public key is not canonically encoded",
        ));
    }
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&arr)
        .map_err(|_| Error::invalid_key("Ed25519 public key is not a curve point"))?;
    if vk.is_weak() {
        return Err(Error::invalid_key("Ed25519 public key has small order"));
    }
    Ok(vk)
}

impl Key {
    fn build(alg: Alg, kid: Option<String>, material: Material) -> Key {
        Key(Arc::new(KeyInner { kid, alg, material }))
    }

    /// HS256 from the ATI secret format: exactly 64 hex digits (either case), nothing else.
    pub fn hs256_hex(secret_hex: &str, kid: Option<&str>) -> Result<Key> {
        let b = secret_hex.as_bytes();
        if b.len() != 64 {
            return Err(Error::invalid_key(
                "the HS256 secret must be exactly 64 hex digits (32 bytes)",
            ));
        }
        let mut out = Zeroizing::new(vec![0u8; 32]);
        for i in 0..32 {
            match (hex_val(b[2 * i]), hex_val(b[2 * i + 1])) {
                (Some(h), Some(l)) => out[i] = (h << 4) | l,
                _ => return Err(Error::invalid_key("the HS256 secret must be exactly 64 hex digits (no whitespace, separators or 0x)")),
            }
        }
        Key::hs256_bytes(&out, kid)
    }

    /// HS256 from raw bytes (at least 32).
    pub fn hs256_bytes(secret: &[u8], kid: Option<&str>) -> Result<Key> {
        if secret.len() < MIN_HMAC_BYTES {
            return Err(Error::invalid_key(format!(
                "an HS256 secret needs at least {MIN_HMAC_BYTES} bytes"
            )));
        }
        let kid = check_kid(kid)?;
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
            .map_err(|_| Error::invalid_key("bad HMAC key"))?;
        Ok(Key::build(
            Alg::HS256,
            kid,
            Material::Hmac {
                secret: Zeroizing::new(secret.to_vec()),
                mac,
            },
        ))
    }

    /// A new random Ed25519 key pair.
    pub fn generate_ed25519(kid: Option<&str>) -> Result<Key> {
        let kid = check_kid(kid)?;
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(seed.as_mut())
            .map_err(|e| Error::internal(format!("no randomness: {e}")))?;
        let sk = ed25519_dalek::SigningKey::from_bytes(&seed);
        Ok(Key::build(
            Alg::EdDSA,
            kid,
            Material::Ed25519 {
                public: sk.verifying_key(),
                private: Some(sk),
            },
        ))
    }

    /// A new random P-256 key pair.
    pub fn generate_es256(kid: Option<&str>) -> Result<Key> {
        let kid = check_kid(kid)?;
        loop {
            let mut d = Zeroizing::new([0u8; 32]);
            getrandom::getrandom(d.as_mut())
                .map_err(|e| Error::internal(format!("no randomness: {e}")))?;
            if let Ok(sk) = p256::ecdsa::SigningKey::from_slice(d.as_ref()) {
                let public = *sk.verifying_key();
                return Ok(Key::build(
                    Alg::ES256,
                    kid,
                    Material::Es256 {
                        public,
                        private: Some(sk),
                    },
                ));
            }
        }
    }

    /// Parses a JWK (JSON text). kty `oct`, `OKP`/`Ed25519`, `EC`/`P-256`; a JWK `alg`, if
    /// present, must match; private parts must match the public parts.
    pub fn from_jwk(json: &str) -> Result<Key> {
        let v = Json::parse(json)
            .map_err(|e| Error::invalid_key(format!("JWK is not valid JSON: {e}")))?;
        Key::from_jwk_value(&v)
    }

    /// Parses a JWK already decoded as JSON.
    pub fn from_jwk_value(v: &Json) -> Result<Key> {
        let obj = v
            .as_obj()
            .ok_or_else(|| Error::invalid_key("a JWK is a JSON object"))?;
        let get = |n: &str| obj.iter().find(|(k, _)| k == n).map(|(_, v)| v);
        let s = |n: &str| -> Result<Option<&str>> {
            match get(n) {
                None => Ok(None),
                Some(Json::Str(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(Error::invalid_key(format!(
                    "JWK member {n:?} must be a string"
                ))),
            }
        };
        let req = |n: &str| -> Result<&str> {
            s(n)?.ok_or_else(|| Error::invalid_key(format!("JWK lacks {n:?}")))
        };
        let bytes = |n: &str| -> Result<Zeroizing<Vec<u8>>> {
            b64::decode(req(n)?.as_bytes())
                .map(Zeroizing::new)
                .map_err(|_| {
                    Error::invalid_key(format!("JWK member {n:?} is not canonical base64url"))
                })
        };
        let kty = req("kty")?;
        let kid = s("kid")?;
        let jwk_alg = s("alg")?;
        let alg = match (kty, s("crv")?) {
            ("oct", _) => Alg::HS256,
            ("OKP", Some("Ed25519")) => Alg::EdDSA,
            ("EC", Some("P-256")) => Alg::ES256,
            (k, c) => {
                return Err(Error::invalid_key(format!(
                    "unsupported JWK kty/crv {k:?}/{c:?}"
                )))
            }
        };
        if let Some(a) = jwk_alg {
            if a != alg.as_str() {
                return Err(Error::invalid_key(format!(
                    "JWK alg {a:?} does not match its key type ({alg})"
                )));
            }
        }
        let kid = check_kid(kid).map_err(|_| {
            Error::invalid_key("JWK kid must be 1..256 bytes without control characters")
        })?;
        match alg {
            Alg::HS256 => {
                let k = bytes("k")?;
                let mut key = Key::hs256_bytes(&k, None)?;
                Arc::get_mut(&mut key.0).expect("fresh key").kid = kid;
                Ok(key)
            }
            Alg::EdDSA => {
                let public = ed25519_public(&bytes("x")?)?;
                let private = match get("d") {
                    None => None,
                    Some(_) => {
                        let d = bytes("d")?;
                        let seed: [u8; 32] = d
                            .as_slice()
                            .try_into()
                            .map_err(|_| Error::invalid_key("Ed25519 d is 32 bytes"))?;
                        let sk = ed25519_dalek::SigningKey::from_bytes(&seed);
                        if sk.verifying_key() != public {
                            return Err(Error::invalid_key("Ed25519 private key does not match x"));
                        }
                        Some(sk)
                    }
                };
                Ok(Key::build(
                    Alg::EdDSA,
                    kid,
                    Material::Ed25519 { public, private },
                ))
            }
            Alg::ES256 => {
                let x = bytes("x")?;
                let y = bytes("y")?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(Error::invalid_key("P-256 x and y are 32 bytes each"));
                }
                let mut sec1 = [0u8; 65];
                sec1[0] = 4;
                sec1[1..33].copy_from_slice(&x);
                sec1[33..].copy_from_slice(&y);
                let public = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                    .map_err(|_| Error::invalid_key("P-256 point is not on the curve"))?;
                let private = match get("d") {
                    None => None,
                    Some(_) => {
                        let d = bytes("d")?;
                        if d.len() != 32 {
                            return Err(Error::invalid_key("P-256 d is 32 bytes"));
                        }
                        let sk = p256::ecdsa::SigningKey::from_slice(&d)
                            .map_err(|_| Error::invalid_key("P-256 d is out of range"))?;
                        if *sk.verifying_key() != public {
                            return Err(Error::invalid_key("P-256 private key does not match x/y"));
                        }
                        Some(sk)
                    }
                };
                Ok(Key::build(
                    Alg::ES256,
                    kid,
                    Material::Es256 { public, private },
                ))
            }
        }
    }

    /// Parses a PEM key: PKCS#8 `PRIVATE KEY` or SPKI `PUBLIC KEY` (Ed25519 or P-256), or SEC1
    /// `EC PRIVATE KEY` (P-256).
    pub fn from_pem(pem: &str, kid: Option<&str>) -> Result<Key> {
        use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
        let kid = check_kid(kid)?;
        let label = pem
            .lines()
            .map(str::trim)
            .find_map(|l| {
                l.strip_prefix("-----BEGIN ")
                    .and_then(|r| r.strip_suffix("-----"))
            })
            .ok_or_else(|| Error::invalid_key("not a PEM document"))?;
        match label {
            "PRIVATE KEY" => {
                if let Ok(sk) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
                    return Ok(Key::build(
                        Alg::EdDSA,
                        kid,
                        Material::Ed25519 {
                            public: ed25519_public(sk.verifying_key().as_bytes())?,
                            private: Some(sk),
                        },
                    ));
                }
                if let Ok(sk) = p256::ecdsa::SigningKey::from_pkcs8_pem(pem) {
                    let public = *sk.verifying_key();
                    return Ok(Key::build(
                        Alg::ES256,
                        kid,
                        Material::Es256 {
                            public,
                            private: Some(sk),
                        },
                    ));
                }
                Err(Error::invalid_key(
                    "PKCS#8 key is neither Ed25519 nor P-256",
                ))
            }
            "PUBLIC KEY" => {
                if let Ok(vk) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
                    let public = ed25519_public(vk.as_bytes())?;
                    return Ok(Key::build(
                        Alg::EdDSA,
                        kid,
                        Material::Ed25519 {
                            public,
                            private: None,
                        },
                    ));
                }
                if let Ok(vk) = p256::ecdsa::VerifyingKey::from_public_key_pem(pem) {
                    return Ok(Key::build(
                        Alg::ES256,
                        kid,
                        Material::Es256 {
                            public: vk,
                            private: None,
                        },
                    ));
                }
                Err(Error::invalid_key("SPKI key is neither Ed25519 nor P-256"))
            }
            "EC PRIVATE KEY" => {
                let sk = p256::SecretKey::from_sec1_pem(pem)
                    .map_err(|_| Error::invalid_key("SEC1 key is not a P-256 key"))?;
                let sk = p256::ecdsa::SigningKey::from(sk);
                let public = *sk.verifying_key();
                Ok(Key::build(
                    Alg::ES256,
                    kid,
                    Material::Es256 {
                        public,
                        private: Some(sk),
                    },
                ))
            }
            other => Err(Error::invalid_key(format!(
                "unsupported PEM label {other:?}"
            ))),
        }
    }

    /// The algorithm this key is bound to.
    pub fn alg(&self) -> Alg {
        self.0.alg
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.0.kid.as_deref()
    }

    /// True if the key can sign (HMAC keys always can).
    pub fn has_private(&self) -> bool {
        match &self.0.material {
            Material::Hmac { .. } => true,
            Material::Ed25519 { private, .. } => private.is_some(),
            Material::Es256 { private, .. } => private.is_some(),
        }
    }

    /// The public JWK (JSON text). HMAC keys have no public form: `INVALID_KEY`.
    pub fn public_jwk(&self) -> Result<String> {
        if self.0.alg == Alg::HS256 {
            return Err(Error::invalid_key("an HS256 key has no public JWK"));
        }
        Ok(self.to_jwk_value(false).to_compact())
    }

    /// The JWK (JSON text); private parts only when `include_private`.
    pub fn to_jwk(&self, include_private: bool) -> Result<String> {
        if self.0.alg == Alg::HS256 && !include_private {
            return Err(Error::invalid_key(
                "an HS256 key has no public JWK; pass include_private=true",
            ));
        }
        Ok(self.to_jwk_value(include_private).to_compact())
    }

    /// The JWK as a JSON value.
    pub fn to_jwk_value(&self, include_private: bool) -> Json {
        let mut m: Vec<(String, Json)> = Vec::new();
        let push =
            |m: &mut Vec<(String, Json)>, k: &str, v: String| m.push((k.to_string(), Json::Str(v)));
        match &self.0.material {
            Material::Hmac { secret, .. } => {
                push(&mut m, "kty", "oct".into());
                if include_private {
                    push(&mut m, "k", b64::encode(secret));
                }
            }
            Material::Ed25519 { public, private } => {
                push(&mut m, "kty", "OKP".into());
                push(&mut m, "crv", "Ed25519".into());
                push(&mut m, "x", b64::encode(public.as_bytes()));
                if let (true, Some(sk)) = (include_private, private) {
                    push(&mut m, "d", b64::encode(sk.as_bytes()));
                }
            }
            Material::Es256 { public, private } => {
                let pt = public.to_encoded_point(false);
                push(&mut m, "kty", "EC".into());
                push(&mut m, "crv", "P-256".into());
                push(&mut m, "x", b64::encode(pt.x().expect("uncompressed")));
                push(&mut m, "y", b64::encode(pt.y().expect("uncompressed")));
                if let (true, Some(sk)) = (include_private, private) {
                    push(&mut m, "d", b64::encode(&sk.to_bytes()));
                }
            }
        }
        push(&mut m, "alg", self.0.alg.as_str().into());
        if let Some(k) = &self.0.kid {
            push(&mut m, "kid", k.clone());
        }
        Json::Obj(m)
    }

    /// PEM export: SPKI public key, or PKCS#8 private key when `include_private`.
    pub fn to_pem(&self, include_private: bool) -> Result<String> {
        use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey, EncodePublicKey};
        let err = |e: &dyn fmt::Display| Error::internal(format!("PEM encoding failed: {e}"));
        match &self.0.material {
            Material::Hmac { .. } => Err(Error::invalid_key("an HS256 key has no PEM form")),
            Material::Ed25519 { public, private } => match (include_private, private) {
                (true, Some(sk)) => sk
                    .to_pkcs8_pem(LineEnding::LF)
                    .map(|s| s.to_string())
                    .map_err(|e| err(&e)),
                (true, None) => Err(Error::invalid_key("this key has no private part")),
                (false, _) => public
                    .to_public_key_pem(LineEnding::LF)
                    .map_err(|e| err(&e)),
            },
            Material::Es256 { public, private } => match (include_private, private) {
                (true, Some(sk)) => sk
                    .to_pkcs8_pem(LineEnding::LF)
                    .map(|s| s.to_string())
                    .map_err(|e| err(&e)),
                (true, None) => Err(Error::invalid_key("this key has no private part")),
                (false, _) => public
                    .to_public_key_pem(LineEnding::LF)
                    .map_err(|e| err(&e)),
            },
        }
    }

    /// The same key without its private part (HMAC keys are returned unchanged).
    pub fn public_key(&self) -> Key {
        match &self.0.material {
            Material::Hmac { .. } => self.clone(),
            Material::Ed25519 { public, .. } => Key::build(
                Alg::EdDSA,
                self.0.kid.clone(),
                Material::Ed25519 {
                    public: *public,
                    private: None,
                },
            ),
            Material::Es256 { public, .. } => Key::build(
                Alg::ES256,
                self.0.kid.clone(),
                Material::Es256 {
                    public: *public,
                    private: None,
                },
            ),
        }
    }

    /// Signs `input` (the JWS signing input). `INVALID_KEY` for a public-only key.
    pub(crate) fn sign(&self, input: &[u8]) -> Result<Vec<u8>> {
        match &self.0.material {
            Material::Hmac { mac, .. } => {
                let mut m = mac.clone();
                m.update(input);
                Ok(m.finalize().into_bytes().to_vec())
            }
            Material::Ed25519 {
                private: Some(sk), ..
            } => {
                use ed25519_dalek::Signer;
                Ok(sk.sign(input).to_bytes().to_vec())
            }
            Material::Es256 {
                private: Some(sk), ..
            } => {
                use p256::ecdsa::signature::Signer;
                let sig: p256::ecdsa::Signature = sk.sign(input);
                Ok(sig.to_bytes().to_vec())
            }
            _ => Err(Error::invalid_key(
                "this key has no private part and cannot sign",
            )),
        }
    }

    /// Verifies a JWS signature over `input`.
    #[inline]
    pub(crate) fn verify(&self, input: &[u8], sig: &[u8]) -> bool {
        match &self.0.material {
            Material::Hmac { mac, .. } => {
                let mut m = mac.clone();
                m.update(input);
                m.verify_slice(sig).is_ok()
            }
            Material::Ed25519 { public, .. } => {
                let Ok(arr) = <[u8; 64]>::try_from(sig) else {
                    return false;
                };
                public
                    .verify_strict(input, &ed25519_dalek::Signature::from_bytes(&arr))
                    .is_ok()
            }
            Material::Es256 { public, .. } => {
                use p256::ecdsa::signature::Verifier;
                let Ok(s) = p256::ecdsa::Signature::from_slice(sig) else {
                    return false;
                };
                public.verify(input, &s).is_ok()
            }
        }
    }
}

/// Several keys, looked up by `kid` (SEMANTICS-tokens §2). Key ids are unique within a set.
/// Cheap to clone: clones share the keys (and, for a fetched set, its refreshes).
#[derive(Clone)]
pub struct KeySet {
    pub(crate) inner: Arc<KeySetInner>,
}

pub(crate) struct KeySetInner {
    pub(crate) keys: RwLock<Arc<Vec<Key>>>,
    pub(crate) remote: Option<crate::jwks::RemoteSource>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("keys", &*self.snapshot())
            .field(
                "remote",
                &self.inner.remote.as_ref().map(|r| r.url.as_str()),
            )
            .finish()
    }
}

pub(crate) fn check_unique_kids(keys: &[Key]) -> Result<()> {
    for (i, k) in keys.iter().enumerate() {
        if let Some(kid) = k.kid() {
            if keys[..i].iter().any(|o| o.kid() == Some(kid)) {
                return Err(Error::invalid_key(format!(
                    "duplicate kid {kid:?} in key set"
                )));
            }
        }
    }
    Ok(())
}

/// Parses the keys of a JWKS document (see [`KeySet::from_jwks`]).
pub(crate) fn parse_jwks_keys(v: &Json) -> Result<Vec<Key>> {
    let arr = v
        .get("keys")
        .and_then(Json::as_arr)
        .ok_or_else(|| Error::invalid_key("a JWKS is an object with a \"keys\" array"))?;
    let mut keys = Vec::new();
    for k in arr {
        let kty = k.get("kty").and_then(Json::as_str);
        let crv = k.get("crv").and_then(Json::as_str);
        let supported = matches!(
            (kty, crv),
            (Some("oct"), _) | (Some("OKP"), Some("Ed25519")) | (Some("EC"), Some("P-256"))
        );
        let enc = k.get("use").and_then(Json::as_str) == Some("enc");
        if !supported || enc {
            continue;
        }
        keys.push(Key::from_jwk_value(k)?);
    }
    if keys.is_empty() {
        return Err(Error::invalid_key("the JWKS holds no usable key"));
    }
    check_unique_kids(&keys)?;
    Ok(keys)
}

impl KeySet {
    pub(crate) fn from_parts(keys: Vec<Key>, remote: Option<crate::jwks::RemoteSource>) -> KeySet {
        KeySet {
            inner: Arc::new(KeySetInner {
                keys: RwLock::new(Arc::new(keys)),
                remote,
            }),
        }
    }

    /// A set of keys; `INVALID_KEY` for duplicate key ids, `VALIDATION_ERROR` for an empty set.
    pub fn new(keys: Vec<Key>) -> Result<KeySet> {
        if keys.is_empty() {
            return Err(Error::validation("a key set needs at least one key"));
        }
        check_unique_kids(&keys)?;
        Ok(KeySet::from_parts(keys, None))
    }

    /// Parses a JWKS document `{"keys": [...]}`. Keys of unsupported types (RSA, other curves,
    /// `use: "enc"`) are skipped as RFC 7517 §5 allows; a malformed supported key fails the set.
    pub fn from_jwks(json: &str) -> Result<KeySet> {
        let v = Json::parse(json)
            .map_err(|e| Error::invalid_key(format!("JWKS is not valid JSON: {e}")))?;
        KeySet::from_jwks_value(&v)
    }

    /// Parses a JWKS already decoded as JSON.
    pub fn from_jwks_value(v: &Json) -> Result<KeySet> {
        Ok(KeySet::from_parts(parse_jwks_keys(v)?, None))
    }

    /// The current keys (a snapshot; a fetched set may be refreshed later).
    pub fn snapshot(&self) -> Arc<Vec<Key>> {
        self.inner
            .keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The public JWKS of this set (HMAC keys are left out).
    pub fn to_public_jwks(&self) -> String {
        let keys = self
            .snapshot()
            .iter()
            .filter(|k| k.alg() != Alg::HS256)
            .map(|k| k.to_jwk_value(false))
            .collect();
        Json::Obj(vec![("keys".into(), Json::Arr(keys))]).to_compact()
    }

    /// The keys, in order (a snapshot).
    pub fn keys(&self) -> Vec<Key> {
        self.snapshot().to_vec()
    }

    /// The key with this id.
    pub fn get(&self, kid: &str) -> Option<Key> {
        self.snapshot()
            .iter()
            .find(|k| k.kid() == Some(kid))
            .cloned()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.snapshot().len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.snapshot().is_empty()
    }

    /// Selects the key for a token header: by `kid`, or the single key of `alg` when there is no
    /// `kid`. Errors are `INVALID_TOKEN` reasons.
    #[inline]
    pub(crate) fn select(
        &self,
        kid: Option<&str>,
        alg: Alg,
    ) -> std::result::Result<Key, &'static str> {
        let guard = self.inner.keys.read().unwrap_or_else(|e| e.into_inner());
        let r = match kid {
            Some(kid) => match guard.iter().find(|k| k.kid() == Some(kid)) {
                Some(k) if k.alg() == alg => Ok(k.clone()),
                Some(_) => Err("alg_key_mismatch"),
                None => Err("unknown_kid"),
            },
            None => {
                let mut it = guard.iter().filter(|k| k.alg() == alg);
                match (it.next(), it.next()) {
                    (Some(k), None) => Ok(k.clone()),
                    (Some(_), Some(_)) => Err("unknown_kid"),
                    (None, _) => Err("alg_key_mismatch"),
                }
            }
        };
        drop(guard);
        if let Some(remote) = &self.inner.remote {
            remote.after_lookup(self, r.is_err());
        }
        r
    }
}

impl From<Key> for KeySet {
    fn from(k: Key) -> KeySet {
        KeySet::from_parts(vec![k], None)
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn f<T: Send + Sync>() {}
    f::<Key>();
    f::<KeySet>();
    let _ = ErrorCode::InvalidKey;
}
