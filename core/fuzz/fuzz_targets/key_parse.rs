//! Key material parsing: JWK, JWKS, PEM and hex secrets. Nothing may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use warden_core::*;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(k) = Key::from_jwk(s) {
        let _ = k.to_jwk(true);
        let _ = k.public_jwk();
    }
    let _ = KeySet::from_jwks(s);
    let _ = Key::from_pem(s, Some("k"));
    let _ = Key::hs256_hex(s, None);
});
