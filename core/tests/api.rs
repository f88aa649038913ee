//! API behaviour not covered by the vectors: revocation, replay protection, claims helpers,
//! provisioning with asymmetric keys, the real-environment token lookup, key export.

use warden_core::json::Json;
use warden_core::provision::session_token_from_env;
use warden_core::token::AtiIssueArgs;
use warden_core::*;

const SECRET: &str = "d12302c0927c6a9e2e57ade41a49c4af9f49d0ca8dec03c98d94603ceebe6a4a";

fn ati_token(jti: &str) -> String {
    let mut a = AtiIssueArgs::new("agent-1", "tool:a tool:b:*");
    a.jti = Some(jti.into());
    a.rate = vec![("tool:b:*".into(), "10/min".into())];
    issue_token(SECRET, &a).unwrap()
}

fn hs_verifier(one_time: bool) -> Verifier {
    let mut o = VerifierOptions::new(vec![Alg::HS256]);
    o.one_time = one_time;
    Verifier::with_key(Key::hs256_hex(SECRET, None).unwrap(), o).unwrap()
}

#[test]
fn revocation_set_and_callback() {
    let v = hs_verifier(false);
    let t = ati_token("j-revoke");
    v.verify(&t).unwrap();
    v.revoke("j-revoke").unwrap();
    let e = v.verify(&t).unwrap_err();
    assert_eq!(
        (e.code(), e.reason()),
        (ErrorCode::TokenRevoked, Some("revoked"))
    );
    assert!(v.is_revoked("j-revoke") && !v.is_revoked("other"));
    assert_eq!(v.revoke("").unwrap_err().code(), ErrorCode::ValidationError);
    let cb = hs_verifier(false)
        .with_revocation_check(std::sync::Arc::new(|jti: &str| jti.starts_with("bad")));
    assert_eq!(
        cb.verify(&ati_token("bad-1")).unwrap_err().code(),
        ErrorCode::TokenRevoked
    );
    cb.verify(&ati_token("good-1")).unwrap();
}

#[test]
fn one_time_tokens_are_not_replayable() {
    let v = hs_verifier(true);
    let t = ati_token("j-once");
    v.verify(&t).unwrap();
    let e = v.verify(&t).unwrap_err();
    assert_eq!(
        (e.code(), e.reason()),
        (ErrorCode::TokenRevoked, Some("replayed"))
    );
    v.verify(&ati_token("j-twice")).unwrap();
}

#[test]
fn claims_helpers() {
    let c = validate_token(&ati_token("j-1"), SECRET, &ValidateArgs::default()).unwrap();
    assert_eq!(c.scopes(), vec!["tool:a", "tool:b:*"]);
    assert!(c.allows("tool:b:x") && !c.allows("tool:c"));
    assert_eq!(
        c.rate_limits(),
        vec![(
            "tool:b:*".to_string(),
            RateSpec {
                count: 10,
                window_seconds: 60
            }
        )]
    );
    assert_eq!(c.audience(), Some("ati-proxy"));
    assert_eq!(c.extra().count(), 0);
    assert_eq!(inspect_token(&ati_token("j-2")).unwrap().jti(), Some("j-2"));
}

#[test]
fn orchestrator_with_eddsa_key_and_verifier_roundtrip() {
    let key = Key::generate_ed25519(Some("orch-1")).unwrap();
    let orch =
        Orchestrator::new("https://proxy/", key.clone(), Some("warden"), Some("orch")).unwrap();
    assert_eq!(orch.proxy_url(), "https://proxy");
    let env = orch
        .provision_sandbox(
            "sandbox:1",
            &ProvisionArgs {
                tools: vec!["web".into()],
                ..Default::default()
            },
        )
        .unwrap();
    let tok = &env
        .iter()
        .find(|(k, _)| k == "ATI_SESSION_TOKEN")
        .unwrap()
        .1;
    let mut o = VerifierOptions::new(vec![Alg::EdDSA]);
    o.audience = "warden".into();
    o.issuer = Some("orch".into());
    o.kid_required = true;
    let c = Verifier::with_key(key.public_key(), o)
        .unwrap()
        .verify(tok)
        .unwrap();
    assert_eq!(c.scope(), Some("tool:web"));
    assert_eq!(
        Orchestrator::new("https://p", key.public_key(), None, None)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidKey
    );
}

#[test]
fn session_token_from_real_env() {
    std::env::set_var("WARDEN_API_TEST_TOKEN", "  from-env  ");
    assert_eq!(
        session_token_from_env(Some("WARDEN_API_TEST_TOKEN")).unwrap(),
        "from-env"
    );
    std::env::remove_var("WARDEN_API_TEST_TOKEN");
    let path = std::env::temp_dir().join(format!("warden-api-{}", std::process::id()));
    std::fs::write(&path, "rotated-1\n").unwrap();
    std::env::set_var("WARDEN_API_TEST_TOKEN_FILE", &path);
    assert_eq!(
        session_token_from_env(Some("WARDEN_API_TEST_TOKEN")).unwrap(),
        "rotated-1"
    );
    std::fs::write(&path, "rotated-2").unwrap();
    assert_eq!(
        session_token_from_env(Some("WARDEN_API_TEST_TOKEN")).unwrap(),
        "rotated-2",
        "re-read on every call"
    );
    std::env::remove_var("WARDEN_API_TEST_TOKEN_FILE");
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        session_token_from_env(Some("WARDEN_API_TEST_TOKEN"))
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn key_export_roundtrips() {
    for k in [
        Key::generate_ed25519(Some("a")).unwrap(),
        Key::generate_es256(Some("b")).unwrap(),
    ] {
        let back = Key::from_jwk(&k.to_jwk(true).unwrap()).unwrap();
        assert_eq!(back.to_jwk(true).unwrap(), k.to_jwk(true).unwrap());
        let pem = Key::from_pem(&k.to_pem(true).unwrap(), Some("a")).unwrap();
        assert_eq!(
            pem.public_jwk()
                .unwrap()
                .replace("\"kid\":\"b\"", "\"kid\":\"a\""),
            k.public_jwk()
                .unwrap()
                .replace("\"kid\":\"b\"", "\"kid\":\"a\"")
        );
        assert!(!k.public_key().has_private());
        assert!(
            format!("{k:?}").contains("private: true")
                && !format!("{k:?}").contains(&k.to_jwk(true).unwrap())
        );
    }
    let hs = Key::hs256_hex(SECRET, Some("h")).unwrap();
    assert_eq!(hs.public_jwk().unwrap_err().code(), ErrorCode::InvalidKey);
    let ks = KeySet::new(vec![hs, Key::generate_ed25519(Some("e")).unwrap()]).unwrap();
    let pub_jwks = Json::parse(&ks.to_public_jwks()).unwrap();
    assert_eq!(
        pub_jwks.get("keys").unwrap().as_arr().unwrap().len(),
        1,
        "HMAC keys never published"
    );
}

#[test]
fn errors_display_code_and_reason() {
    let e = validate_token("x.y", SECRET, &ValidateArgs::default()).unwrap_err();
    assert_eq!(
        e.to_string().split(']').next().unwrap(),
        "[INVALID_TOKEN:malformed"
    );
    assert_eq!(error_codes().len(), ErrorCode::ALL.len());
}

#[test]
fn connect_validates_its_arguments() {
    use warden_core::client::Client;
    use warden_core::json::Json;
    let bad = |url: &str, key: &str, opts: &str| {
        let o = Json::parse(opts).unwrap();
        Client::connect(url, key, &o).unwrap_err().code()
    };
    let v = warden_core::ErrorCode::ValidationError;
    assert_eq!(bad("ftp://x", "wk_k", "null"), v);
    assert_eq!(bad("not a url", "wk_k", "null"), v);
    assert_eq!(bad("http://127.0.0.1:1", "", "null"), v);
    assert_eq!(bad("http://127.0.0.1:1", "wk\nk", "null"), v);
    assert_eq!(
        bad("http://127.0.0.1:1", "wk_k", "{\"ca_pem\":\"not a pem\"}"),
        v
    );
    assert_eq!(bad("http://127.0.0.1:1", "wk_k", "{\"timeout_ms\":-1}"), v);
    assert_eq!(bad("http://127.0.0.1:1", "wk_k", "{\"nope\":1}"), v);
    assert_eq!(
        bad("http://127.0.0.1:1", "wk_k", "{\"client_cert_pem\":\"x\"}"),
        v
    );
    assert_eq!(bad("http://127.0.0.1:1", "wk_k", "[]"), v);
    // Nothing listens on port 1: a transport error, typed.
    let c = Client::connect("http://127.0.0.1:1", "wk_k", &Json::Null).unwrap();
    assert!(c.is_remote());
    let e = c.call("list_agents", &Json::Null).unwrap_err();
    assert_eq!(e.code(), warden_core::ErrorCode::NetworkError);
    let e = c.call("no_such_op", &Json::Null).unwrap_err();
    assert_eq!(e.code(), v);
}
