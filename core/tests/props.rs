//! Property tests: delegation coverage never widens, round trips hold, and no input panics.

use proptest::prelude::*;
use warden_core::json::Json;
use warden_core::scope::{allows, covers, is_concrete, is_valid_pattern};
use warden_core::*;

/// Scope patterns over a tiny alphabet so that overlaps are frequent.
fn pattern() -> impl Strategy<Value = String> {
    let seg = prop::sample::select(vec!["a", "b", "ab", "a.b", "a-b", "_x", "1"]);
    let body = prop::collection::vec(seg, 1..4).prop_map(|v| v.join(":"));
    prop_oneof![
        Just("*".to_string()),
        Just("help".to_string()),
        (prop::sample::select(vec!["tool", "skill"]), body.clone())
            .prop_map(|(n, b)| format!("{n}:{b}")),
        (prop::sample::select(vec!["tool", "skill"]), body.clone())
            .prop_map(|(n, b)| format!("{n}:{b}:*")),
        (prop::sample::select(vec!["tool", "skill"]), body).prop_map(|(n, b)| format!("{n}:{b}*")),
        prop::sample::select(vec!["tool:*", "skill:*"]).prop_map(str::to_string),
    ]
}

/// Concrete scopes that a pattern may match: its prefix plus a random remainder.
fn concretes_for(p: &str, tails: &[String]) -> Vec<String> {
    let base = p.trim_end_matches('*');
    let mut out: Vec<String> = tails.iter().map(|t| format!("{base}{t}")).collect();
    out.extend(tails.iter().map(|t| format!("tool:{t}")));
    out.push(p.to_string());
    out.into_iter().filter(|s| is_concrete(s)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// covers(P, c) ⇒ every concrete scope c allows is allowed by some single p in P.
    #[test]
    fn coverage_never_widens(parents in prop::collection::vec(pattern(), 1..4), child in pattern(),
                             tails in prop::collection::vec("[ab1_.:-]{1,6}", 1..8)) {
        if covers(&parents, &child) {
            for s in concretes_for(&child, &tails) {
                if allows(&child, &s) {
                    prop_assert!(parents.iter().any(|p| allows(p, &s)), "{child} covered by {parents:?} but {s} escapes");
                }
            }
        }
    }

    /// ScopeSet.allows is exactly check_scope.
    #[test]
    fn scopeset_equals_check_scope(granted in prop::collection::vec(pattern(), 0..20), tails in prop::collection::vec("[ab1_.:-]{1,6}", 1..6)) {
        let set = ScopeSet::lenient(&granted);
        for g in &granted {
            for s in concretes_for(g, &tails) {
                prop_assert_eq!(set.allows(&s), check_scope(&s, &granted));
            }
        }
    }

    /// Coverage is reflexive for valid patterns.
    #[test]
    fn covers_reflexive(p in pattern()) {
        prop_assert!(is_valid_pattern(&p));
        prop_assert!(covers(std::slice::from_ref(&p), &p));
    }

    /// No public parser panics on arbitrary bytes or strings.
    #[test]
    fn no_panics_on_garbage(b in prop::collection::vec(any::<u8>(), 0..600), s in ".{0,300}") {
        let _ = token::inspect(&b);
        let _ = inspect_token(&s);
        let _ = parse_scopes(&s);
        let _ = RateSpec::parse(&s);
        let _ = Key::from_jwk(&s);
        let _ = Key::from_pem(&s, None);
        let _ = KeySet::from_jwks(&s);
        let _ = Json::parse_with_depth(&b, 32);
        let _ = Key::hs256_hex(&s, None);
        let _ = build_scope_string(std::slice::from_ref(&s), std::slice::from_ref(&s), std::slice::from_ref(&s));
        let v = Verifier::with_key(Key::hs256_bytes(&[7u8; 32], None).unwrap(), VerifierOptions::new(vec![Alg::HS256, Alg::EdDSA])).unwrap();
        prop_assert!(v.verify_bytes(&b).is_err());
        prop_assert!(v.verify(&s).is_err());
    }

    /// Tokens with random dot-separated base64url-ish segments never panic the verifier.
    #[test]
    fn no_panics_on_token_shaped_garbage(parts in prop::collection::vec("[A-Za-z0-9_=+/-]{0,80}", 1..6)) {
        let t = parts.join(".");
        let v = Verifier::with_key(Key::hs256_bytes(&[7u8; 32], None).unwrap(), VerifierOptions::new(vec![Alg::HS256])).unwrap();
        prop_assert!(v.verify(&t).is_err());
        let _ = inspect_token(&t);
    }

    /// Issue then verify round-trips every claim, for every algorithm.
    #[test]
    fn issue_verify_roundtrip(sub in "[A-Za-z0-9._:@/-]{1,40}", jti in "[ -~]{1,40}", ttl in 1i64..86400,
                              extra in "\\PC{0,20}", alg in 0usize..3) {
        let key = match alg { 0 => Key::hs256_bytes(&[3u8; 32], None).unwrap(), 1 => Key::generate_ed25519(Some("e")).unwrap(), _ => Key::generate_es256(Some("p")).unwrap() };
        let now = 1_800_000_000;
        let claims = Claims::from_json(Json::Obj(vec![
            ("sub".into(), sub.clone().into()), ("aud".into(), "warden".into()), ("iat".into(), Json::Int(now)),
            ("exp".into(), Json::Int(now + ttl)), ("scope".into(), "tool:a".into()), ("jti".into(), jti.clone().into()),
            ("note".into(), extra.clone().into()),
        ])).unwrap();
        let tok = token::issue(&key, &claims, None).unwrap();
        let mut o = VerifierOptions::new(vec![key.alg()]);
        o.audience = "warden".into();
        o.now = Some(now);
        let got = Verifier::with_key(key.public_key(), o).unwrap().verify(&tok).unwrap();
        prop_assert_eq!(got.sub(), Some(sub.as_str()));
        prop_assert_eq!(got.jti(), Some(jti.as_str()));
        prop_assert_eq!(got.get("note").and_then(Json::as_str), Some(extra.as_str()));
    }

    /// The compact writer and the strict parser round-trip.
    #[test]
    fn json_roundtrip(s in "\\PC{0,40}", i in any::<i64>(), f in -1e300f64..1e300) {
        let v = Json::Obj(vec![("s".into(), s.into()), ("i".into(), Json::Int(i)), ("f".into(), Json::Float(f)), ("a".into(), Json::Arr(vec![Json::Null, Json::Bool(true)]))]);
        let back = Json::parse(&v.to_compact()).unwrap();
        prop_assert_eq!(back, v);
    }
}
