//! Core benchmarks, each beside the same operation done by the bare peer crate in the same run:
//! HS256 verify/issue of an ATI-shaped token (vs `jsonwebtoken`), EdDSA verify (vs bare
//! `ed25519-dalek` over the same signing input, and vs `jsonwebtoken`), ES256 verify (vs
//! `jsonwebtoken`), and `ScopeSet.allows` over 20 patterns (vs the per-call `check_scope` and a
//! naive loop). `bench/rust/ratios.py` turns the output into the ratio table of BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use warden_core::json::Json;
use warden_core::token::{self, AtiIssueArgs};
use warden_core::*;

const NOW: i64 = 1_790_000_000;
const SECRET_HEX: &str = "d12302c0927c6a9e2e57ade41a49c4af9f49d0ca8dec03c98d94603ceebe6a4a";

#[derive(Debug, Serialize, Deserialize)]
struct AtiNs {
    v: u8,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    rate: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct AtiClaims {
    sub: String,
    aud: String,
    iat: i64,
    exp: i64,
    scope: String,
    iss: String,
    jti: String,
    ati: AtiNs,
}

fn ati_args() -> AtiIssueArgs {
    let mut a = AtiIssueArgs::new(
        "sandbox:wdn-bench-01",
        "tool:ledger_export tool:kanban:* tool:web_search skill:triage-* help",
    );
    a.jti = Some("8195e911-42e2-435d-a168-44de33032812".into());
    a.rate = vec![("tool:kanban:*".into(), "20/hour".into())];
    a.now = Some(NOW);
    a
}

fn hex_secret() -> Vec<u8> {
    (0..32)
        .map(|i| u8::from_str_radix(&SECRET_HEX[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn jwt_validation(alg: jsonwebtoken::Algorithm, aud: &str) -> jsonwebtoken::Validation {
    let mut v = jsonwebtoken::Validation::new(alg);
    v.set_audience(&[aud]);
    v
}

fn bench_hs256(c: &mut Criterion) {
    let key = Key::hs256_hex(SECRET_HEX, None).unwrap();
    let token = token::issue_ati(&key, &ati_args()).unwrap();
    let mut o = VerifierOptions::new(vec![Alg::HS256]);
    o.issuer = Some("ati-orchestrator".into());
    let verifier = Verifier::with_key(key.clone(), o).unwrap();
    // jsonwebtoken checks exp against the real clock: give it (and us) a token valid now.
    let mut live = ati_args();
    live.now = None;
    let token_live = token::issue_ati(&key, &live).unwrap();
    assert!(verifier.verify(&token_live).is_ok());
    let _ = token;
    let dk = jsonwebtoken::DecodingKey::from_secret(&hex_secret());
    let val = jwt_validation(jsonwebtoken::Algorithm::HS256, "ati-proxy");
    assert!(jsonwebtoken::decode::<AtiClaims>(&token_live, &dk, &val).is_ok());

    let mut g = c.benchmark_group("hs256_verify_ati");
    g.bench_function("warden_verifier", |b| {
        b.iter(|| verifier.verify(black_box(&token_live)).unwrap())
    });
    g.bench_function("warden_validate_token_shortcut", |b| {
        b.iter(|| {
            validate_token(black_box(&token_live), SECRET_HEX, &ValidateArgs::default()).unwrap()
        })
    });
    g.bench_function("jsonwebtoken_struct", |b| {
        b.iter(|| jsonwebtoken::decode::<AtiClaims>(black_box(&token_live), &dk, &val).unwrap())
    });
    g.bench_function("jsonwebtoken_value", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<serde_json::Value>(black_box(&token_live), &dk, &val).unwrap()
        })
    });
    g.finish();

    let ek = jsonwebtoken::EncodingKey::from_secret(&hex_secret());
    let claims = AtiClaims {
        sub: "sandbox:wdn-bench-01".into(),
        aud: "ati-proxy".into(),
        iat: NOW,
        exp: NOW + 3600,
        scope: "tool:ledger_export tool:kanban:* tool:web_search skill:triage-* help".into(),
        iss: "ati-orchestrator".into(),
        jti: "8195e911-42e2-435d-a168-44de33032812".into(),
        ati: AtiNs {
            v: 1,
            rate: [("tool:kanban:*".to_string(), "20/hour".to_string())].into(),
        },
    };
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let args = ati_args();
    let mut g = c.benchmark_group("hs256_issue_ati");
    g.bench_function("warden_issue_ati", |b| {
        b.iter(|| token::issue_ati(&key, black_box(&args)).unwrap())
    });
    g.bench_function("jsonwebtoken_encode", |b| {
        b.iter(|| jsonwebtoken::encode(&header, black_box(&claims), &ek).unwrap())
    });
    g.finish();
}

fn bench_eddsa(c: &mut Criterion) {
    let key = Key::generate_ed25519(Some("ed-1")).unwrap();
    let claims = Claims::from_json(
        Json::parse(&format!(
            r#"{{"sub":"agt_01J0000000000000000000000","aud":"warden","iat":{},"exp":{},"scope":"tool:ledger_export tool:kanban:*","iss":"warden","jti":"tok_01J0000000000000000000000"}}"#,
            token::now_seconds(),
            token::now_seconds() + 3600
        ))
        .unwrap(),
    )
    .unwrap();
    let tok = token::issue(&key, &claims, None).unwrap();
    let mut o = VerifierOptions::new(vec![Alg::EdDSA]);
    o.audience = "warden".into();
    let verifier = Verifier::with_key(key.public_key(), o).unwrap();
    verifier.verify(&tok).unwrap();
    // The same signing input and signature, verified by bare ed25519-dalek.
    let (input, sig_b64) = tok.rsplit_once('.').unwrap();
    let sig_bytes: [u8; 64] = warden_core::b64::decode(sig_b64.as_bytes())
        .unwrap()
        .try_into()
        .unwrap();
    let sig = ed25519_dalek::Signature::from_bytes(&sig_bytes);
    let jwk = Json::parse(&key.public_jwk().unwrap()).unwrap();
    let x = jwk.get("x").unwrap().as_str().unwrap().to_string();
    let x_bytes: [u8; 32] = warden_core::b64::decode(x.as_bytes())
        .unwrap()
        .try_into()
        .unwrap();
    let vk = ed25519_dalek::VerifyingKey::from_bytes(&x_bytes).unwrap();
    vk.verify_strict(input.as_bytes(), &sig).unwrap();
    let dk = jsonwebtoken::DecodingKey::from_ed_components(&x).unwrap();
    let val = jwt_validation(jsonwebtoken::Algorithm::EdDSA, "warden");
    assert!(jsonwebtoken::decode::<serde_json::Value>(&tok, &dk, &val).is_ok());

    let mut g = c.benchmark_group("eddsa_verify");
    g.bench_function("warden_verifier", |b| {
        b.iter(|| verifier.verify(black_box(&tok)).unwrap())
    });
    g.bench_function("ed25519_dalek_verify_strict", |b| {
        b.iter(|| {
            vk.verify_strict(black_box(input.as_bytes()), black_box(&sig))
                .unwrap()
        })
    });
    g.bench_function("ed25519_dalek_verify", |b| {
        use ed25519_dalek::Verifier as _;
        b.iter(|| {
            vk.verify(black_box(input.as_bytes()), black_box(&sig))
                .unwrap()
        })
    });
    g.bench_function("jsonwebtoken_value", |b| {
        b.iter(|| jsonwebtoken::decode::<serde_json::Value>(black_box(&tok), &dk, &val).unwrap())
    });
    g.finish();
}

fn bench_es256(c: &mut Criterion) {
    let key = Key::generate_es256(Some("es-1")).unwrap();
    let claims = Claims::from_json(
        Json::parse(&format!(
            r#"{{"sub":"agt_1","aud":"warden","iat":{},"exp":{},"scope":"tool:a","jti":"j-1"}}"#,
            token::now_seconds(),
            token::now_seconds() + 3600
        ))
        .unwrap(),
    )
    .unwrap();
    let tok = token::issue(&key, &claims, None).unwrap();
    let mut o = VerifierOptions::new(vec![Alg::ES256]);
    o.audience = "warden".into();
    let verifier = Verifier::with_key(key.public_key(), o).unwrap();
    verifier.verify(&tok).unwrap();
    let jwk = Json::parse(&key.public_jwk().unwrap()).unwrap();
    let dk = jsonwebtoken::DecodingKey::from_ec_components(
        jwk.get("x").unwrap().as_str().unwrap(),
        jwk.get("y").unwrap().as_str().unwrap(),
    )
    .unwrap();
    let val = jwt_validation(jsonwebtoken::Algorithm::ES256, "warden");
    assert!(jsonwebtoken::decode::<serde_json::Value>(&tok, &dk, &val).is_ok());
    let mut g = c.benchmark_group("es256_verify");
    g.bench_function("warden_verifier", |b| {
        b.iter(|| verifier.verify(black_box(&tok)).unwrap())
    });
    g.bench_function("jsonwebtoken_value", |b| {
        b.iter(|| jsonwebtoken::decode::<serde_json::Value>(black_box(&tok), &dk, &val).unwrap())
    });
    g.finish();
}

/// Twenty realistic patterns: exact tools, separator and partial wildcards.
pub fn twenty_patterns() -> Vec<String> {
    let mut v: Vec<String> = (0..12)
        .map(|i| format!("tool:service_{i:02}_action"))
        .collect();
    v.extend((0..4).map(|i| format!("tool:ns{i}:*")));
    v.extend((0..3).map(|i| format!("skill:research-{i}*")));
    v.push("help".into());
    v
}

fn naive_allows(patterns: &[String], required: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => {
            required.len() > prefix.len()
                && required.starts_with(prefix)
                && (prefix.ends_with(':') || !required[prefix.len()..].contains(':'))
        }
        None => p == required,
    })
}

fn bench_scopes(c: &mut Criterion) {
    let pats = twenty_patterns();
    let set = ScopeSet::new(&pats).unwrap();
    // A mix: a late exact hit, a wildcard hit, and a miss (the worst case: every pattern checked).
    let reqs = [
        "tool:service_11_action",
        "tool:ns3:deploy:prod",
        "tool:unknown_tool",
    ];
    for r in reqs {
        assert_eq!(set.allows(r), check_scope(r, &pats));
        assert_eq!(set.allows(r), naive_allows(&pats, r));
    }
    let mut g = c.benchmark_group("scope_allows_20_patterns");
    g.bench_function("warden_scopeset", |b| {
        b.iter(|| reqs.iter().filter(|r| set.allows(black_box(r))).count())
    });
    g.bench_function("warden_check_scope_uncompiled", |b| {
        b.iter(|| {
            reqs.iter()
                .filter(|r| check_scope(black_box(r), &pats))
                .count()
        })
    });
    g.bench_function("naive_wildcard_loop_no_validation", |b| {
        b.iter(|| {
            reqs.iter()
                .filter(|r| naive_allows(&pats, black_box(r)))
                .count()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench_hs256, bench_eddsa, bench_es256, bench_scopes
}
criterion_main!(benches);
