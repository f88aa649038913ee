//! Token parsing: arbitrary bytes through inspect and full verification (HS256 + EdDSA keys),
//! and the strict JSON parser. Nothing may panic; invalid input must be an error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use warden_core::json::Json;
use warden_core::*;

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let ks = KeySet::new(vec![
            Key::hs256_bytes(&[1u8; 32], None).unwrap(),
            Key::from_jwk(r#"{"kty":"OKP","crv":"Ed25519","x":"d_klFnMeuGxMPF9VhHCM8HbmFxi0OlK95j81bfGWnqE","kid":"ed-1"}"#).unwrap(),
        ])
        .unwrap();
        let mut o = VerifierOptions::new(vec![Alg::HS256, Alg::EdDSA, Alg::ES256]);
        o.now = Some(1_790_000_000);
        Verifier::new(ks, o).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = token::inspect(data);
    let _ = verifier().verify_bytes(data);
    let parsed = Json::parse_with_depth(data, 32);
    if let Ok(v) = &parsed {
        // What parses must re-serialise and parse back to the same value.
        assert_eq!(&Json::parse_with_depth(v.to_compact().as_bytes(), 33).unwrap(), v);
    }
    // Differential: the zero-copy scanner of the verification hot path agrees with the parser.
    match (&parsed, warden_core::json::scan_object(data, 32)) {
        (Ok(Json::Obj(m)), Ok(raw)) => assert_eq!(m.len(), raw.len()),
        (Ok(Json::Obj(_)), Err(e)) => panic!("scanner rejected a valid object: {e:?}"),
        (Ok(_), Ok(_)) => panic!("scanner accepted a non-object"),
        (Ok(_), Err(_)) => {}
        (Err(a), Err(b)) => assert_eq!(*a, b),
        (Err(a), Ok(_)) => panic!("scanner accepted what the parser rejects: {a:?}"),
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = validate_token(s, "0101010101010101010101010101010101010101010101010101010101010101", &ValidateArgs::default());
    }
});
