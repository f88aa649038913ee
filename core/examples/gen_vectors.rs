//! Generates `tests/vectors/warden_tokens.json`: Warden's own conformance vectors for keys,
//! tokens (every `INVALID_TOKEN` reason, every verifier option, EdDSA, ES256, JWKS), inspect,
//! issue, provisioning and `session_token_from_env`.
//!
//! Deterministic: fixed clock, fixed key material (derived from a fixed seed), fixed `jti`s;
//! Ed25519 and RFC 6979 ECDSA signatures are deterministic. Every expectation is written by hand
//! below and checked against the implementation before the file is written, so a behaviour
//! change fails here instead of silently rewriting the contract.
//!
//! Usage: `cargo run -p warden-core --example gen_vectors -- tests/vectors/warden_tokens.json`

use sha2::{Digest, Sha256};
use warden_core::json::Json;
use warden_core::provision::{session_token_from, Orchestrator, ProvisionArgs};
use warden_core::token::{self, sign_compact};
use warden_core::*;

const T: i64 = 1_790_000_000;
const SEED: &str = "warden-vectors-v1";

fn seed_bytes(label: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(SEED.as_bytes());
    h.update(b"/");
    h.update(label.as_bytes());
    h.finalize().into()
}

fn b64(b: &[u8]) -> String {
    warden_core::b64::encode(b)
}

fn obj(members: Vec<(&str, Json)>) -> Json {
    Json::Obj(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn arr(items: &[&str]) -> Json {
    Json::Arr(items.iter().map(|s| Json::from(*s)).collect())
}

fn parse(s: &str) -> Json {
    Json::parse(s).unwrap_or_else(|e| panic!("bad json in generator: {e}: {s}"))
}

struct Keys {
    jwks: Vec<(String, Json)>,
}

impl Keys {
    fn key(&self, name: &str) -> Key {
        Key::from_jwk_value(&self.jwks.iter().find(|(n, _)| n == name).unwrap().1).unwrap()
    }
}

fn make_keys() -> Keys {
    let mut jwks = Vec::new();
    let oct = |label: &str, kid: Option<&str>| {
        let mut m = vec![
            ("kty", Json::from("oct")),
            ("k", Json::from(b64(&seed_bytes(label)))),
        ];
        if let Some(k) = kid {
            m.push(("kid", Json::from(k)));
        }
        obj(m)
    };
    jwks.push(("hs_a".to_string(), oct("hs_a", None)));
    jwks.push(("hs_b".to_string(), oct("hs_b", Some("hs-b"))));
    for (name, kid) in [("ed_1", "ed-1"), ("ed_2", "ed-2")] {
        let sk = ed25519_dalek::SigningKey::from_bytes(&seed_bytes(name));
        jwks.push((
            name.to_string(),
            obj(vec![
                ("kty", "OKP".into()),
                ("crv", "Ed25519".into()),
                ("x", b64(sk.verifying_key().as_bytes()).into()),
                ("d", b64(&sk.to_bytes()).into()),
                ("kid", kid.into()),
            ]),
        ));
    }
    let sk = p256::ecdsa::SigningKey::from_slice(&seed_bytes("es_1")).unwrap();
    let pt = sk.verifying_key().to_encoded_point(false);
    jwks.push((
        "es_1".to_string(),
        obj(vec![
            ("kty", "EC".into()),
            ("crv", "P-256".into()),
            ("x", b64(pt.x().unwrap()).into()),
            ("y", b64(pt.y().unwrap()).into()),
            ("d", b64(&sk.to_bytes()).into()),
            ("kid", "es-1".into()),
        ]),
    ));
    Keys { jwks }
}

fn base_payload(jti: &str) -> Vec<(String, Json)> {
    vec![
        ("sub".into(), "wdn-gen-agent".into()),
        ("aud".into(), "ati-proxy".into()),
        ("iat".into(), Json::Int(T)),
        ("exp".into(), Json::Int(T + 3600)),
        ("scope".into(), "tool:ledger_export tool:kanban:*".into()),
        ("iss".into(), "ati-orchestrator".into()),
        ("jti".into(), jti.into()),
        ("ati".into(), parse(r#"{"v":1}"#)),
    ]
}

fn with(mut p: Vec<(String, Json)>, k: &str, v: Json) -> Vec<(String, Json)> {
    if let Some(slot) = p.iter_mut().find(|(n, _)| n == k) {
        slot.1 = v;
    } else {
        p.push((k.to_string(), v));
    }
    p
}

fn without(mut p: Vec<(String, Json)>, k: &str) -> Vec<(String, Json)> {
    p.retain(|(n, _)| n != k);
    p
}

fn header(alg: &str, kid: Option<&str>) -> String {
    match kid {
        Some(k) => format!(r#"{{"alg":"{alg}","typ":"JWT","kid":"{k}"}}"#),
        None => format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#),
    }
}

fn sign(key: &Key, header: &str, payload: &[(String, Json)]) -> String {
    sign_compact(
        key,
        header.as_bytes(),
        Json::Obj(payload.to_vec()).to_compact().as_bytes(),
    )
    .unwrap()
}

fn opts(extra: Vec<(&str, Json)>) -> Json {
    let mut m = vec![
        ("algorithms", arr(&["HS256", "EdDSA", "ES256"])),
        ("now", Json::Int(T + 10)),
    ];
    for (k, v) in extra {
        m.retain(|(n, _)| *n != k);
        m.push((k, v));
    }
    obj(m)
}

fn err(code: &str, reason: Option<&str>) -> Json {
    let mut m = vec![("error", Json::from(code))];
    if let Some(r) = reason {
        m.push(("reason", r.into()));
    }
    obj(m)
}

fn claims_expect(p: &[(String, Json)]) -> Json {
    obj(vec![("claims", Json::Obj(p.to_vec()))])
}

struct Gen {
    keys: Keys,
    verify: Vec<Json>,
    inspect: Vec<Json>,
    issue: Vec<Json>,
    keyops: Vec<Json>,
    provision: Vec<Json>,
    env: Vec<Json>,
    names: std::collections::HashSet<String>,
}

fn verify_case(
    name: &str,
    keys: Json,
    options: Json,
    token: &str,
    expect: Json,
    note: &str,
) -> Json {
    let mut m = vec![
        ("name", Json::from(name)),
        ("keys", keys),
        ("options", options),
        ("token", token.into()),
        ("expect", expect),
    ];
    if !note.is_empty() {
        m.push(("note", note.into()));
    }
    obj(m)
}

impl Gen {
    fn name(&mut self, n: &str) {
        assert!(self.names.insert(n.to_string()), "duplicate case name {n}");
    }

    fn v(
        &mut self,
        name: &str,
        keys: &[&str],
        options: Json,
        token: &str,
        expect: Json,
        note: &str,
    ) {
        self.name(name);
        self.verify
            .push(verify_case(name, arr(keys), options, token, expect, note));
    }

    fn v_jwks(
        &mut self,
        name: &str,
        jwks: &str,
        options: Json,
        token: &str,
        expect: Json,
        note: &str,
    ) {
        self.name(name);
        let mut c = verify_case(name, Json::Arr(vec![]), options, token, expect, note);
        if let Json::Obj(m) = &mut c {
            m.retain(|(k, _)| k != "keys");
            m.insert(1, ("jwks".into(), jwks.into()));
        }
        self.verify.push(c);
    }
}

fn raw_token(h: &[u8], p: &[u8], key: &Key) -> String {
    sign_compact(key, h, p).unwrap()
}

fn gen_verify(g: &mut Gen) {
    let hs = g.keys.key("hs_a");
    let ed1 = g.keys.key("ed_1");
    let ed2 = g.keys.key("ed_2");
    let es = g.keys.key("es_1");
    let p = base_payload("wdn-gen-jti-0001");
    let ok = |p: &[(String, Json)]| claims_expect(p);

    // ---- accepted
    let t = sign(&hs, &header("HS256", None), &p);
    g.v("hs256_accept", &["hs_a"], opts(vec![]), &t, ok(&p), "");
    let t = sign(&ed1, &header("EdDSA", Some("ed-1")), &p);
    g.v(
        "eddsa_accept_by_kid",
        &["ed_1", "ed_2"],
        opts(vec![]),
        &t,
        ok(&p),
        "",
    );
    let t2 = sign(&ed2, &header("EdDSA", Some("ed-2")), &p);
    g.v(
        "eddsa_second_kid",
        &["ed_1", "ed_2"],
        opts(vec![]),
        &t2,
        ok(&p),
        "",
    );
    let t = sign(&ed1, &header("EdDSA", None), &p);
    g.v(
        "eddsa_no_kid_single_key_of_alg",
        &["ed_1", "hs_a"],
        opts(vec![]),
        &t,
        ok(&p),
        "kid absent: the single key of the algorithm is used",
    );
    g.v(
        "eddsa_no_kid_two_keys_of_alg",
        &["ed_1", "ed_2"],
        opts(vec![]),
        &t,
        err("INVALID_TOKEN", Some("unknown_kid")),
        "kid absent and two keys of the algorithm: ambiguous",
    );
    let t = sign(&es, &header("ES256", Some("es-1")), &p);
    g.v("es256_accept", &["es_1"], opts(vec![]), &t, ok(&p), "");
    let jwks = format!(
        r#"{{"keys":[{{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"rsa-1"}},{},{}]}}"#,
        ed1.public_jwk().unwrap(),
        es.public_jwk().unwrap()
    );
    g.v_jwks(
        "jwks_eddsa_accept",
        &jwks,
        opts(vec![]),
        &sign(&ed1, &header("EdDSA", Some("ed-1")), &p),
        ok(&p),
        "unsupported key types in a JWKS are skipped",
    );
    g.v_jwks(
        "jwks_es256_accept",
        &jwks,
        opts(vec![]),
        &sign(&es, &header("ES256", Some("es-1")), &p),
        ok(&p),
        "",
    );
    g.v_jwks(
        "jwks_unknown_kid",
        &jwks,
        opts(vec![]),
        &sign(&ed2, &header("EdDSA", Some("ed-2")), &p),
        err("INVALID_TOKEN", Some("unknown_kid")),
        "",
    );
    let t = sign(&hs, r#"{"alg":"HS256","typ":"jwt"}"#, &p);
    g.v(
        "typ_case_insensitive",
        &["hs_a"],
        opts(vec![]),
        &t,
        ok(&p),
        "",
    );
    let t = sign(
        &hs,
        r#"{"alg":"HS256","typ":"JWT","x-custom":{"a":[1,2]}}"#,
        &p,
    );
    g.v(
        "unknown_header_member_ignored",
        &["hs_a"],
        opts(vec![]),
        &t,
        ok(&p),
        "",
    );
    let pu = with(p.clone(), "note", "caf\u{e9} \u{1f600} </script>".into());
    g.v(
        "extra_unicode_preserved",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &pu),
        ok(&pu),
        "",
    );
    let pn = with(p.clone(), "nbf", Json::Int(T + 60));
    g.v(
        "nbf_within_leeway",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &pn),
        ok(&pn),
        "",
    );
    g.v(
        "issuer_checked_ok",
        &["hs_a"],
        opts(vec![("issuer", "ati-orchestrator".into())]),
        &sign(&hs, &header("HS256", None), &p),
        ok(&p),
        "",
    );
    let pa = with(p.clone(), "aud", "warden".into());
    g.v(
        "audience_option",
        &["hs_a"],
        opts(vec![("audience", "warden".into())]),
        &sign(&hs, &header("HS256", None), &pa),
        ok(&pa),
        "",
    );
    let ps = without(p.clone(), "scope");
    g.v(
        "required_claims_reduced",
        &["hs_a"],
        opts(vec![(
            "required_claims",
            arr(&["sub", "aud", "iat", "exp", "jti"]),
        )]),
        &sign(&hs, &header("HS256", None), &ps),
        ok(&ps),
        "",
    );
    g.v(
        "required_claims_default_needs_scope",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &ps),
        err("INVALID_TOKEN", Some("missing_claim")),
        "",
    );
    let psid = with(p.clone(), "sid", "ses_1".into());
    g.v(
        "required_custom_claim_present",
        &["hs_a"],
        opts(vec![(
            "required_claims",
            arr(&["sub", "aud", "iat", "exp", "jti", "scope", "sid"]),
        )]),
        &sign(&hs, &header("HS256", None), &psid),
        ok(&psid),
        "",
    );
    g.v(
        "required_custom_claim_missing",
        &["hs_a"],
        opts(vec![(
            "required_claims",
            arr(&["sub", "aud", "iat", "exp", "jti", "scope", "sid"]),
        )]),
        &sign(&hs, &header("HS256", None), &p),
        err("INVALID_TOKEN", Some("missing_claim")),
        "",
    );
    let t = sign(&hs, &header("HS256", None), &p);
    g.v(
        "leeway_zero_last_second",
        &["hs_a"],
        opts(vec![
            ("leeway_seconds", Json::Int(0)),
            ("now", Json::Int(T + 3599)),
        ]),
        &t,
        ok(&p),
        "",
    );
    g.v(
        "leeway_zero_expired",
        &["hs_a"],
        opts(vec![
            ("leeway_seconds", Json::Int(0)),
            ("now", Json::Int(T + 3600)),
        ]),
        &t,
        err("TOKEN_EXPIRED", None),
        "",
    );
    g.v(
        "leeway_300_still_valid",
        &["hs_a"],
        opts(vec![
            ("leeway_seconds", Json::Int(300)),
            ("now", Json::Int(T + 3899)),
        ]),
        &t,
        ok(&p),
        "",
    );
    g.v(
        "iat_future_beyond_leeway",
        &["hs_a"],
        opts(vec![("now", Json::Int(T - 61))]),
        &t,
        err("TOKEN_NOT_YET_VALID", None),
        "",
    );
    g.v(
        "iat_future_at_leeway",
        &["hs_a"],
        opts(vec![("now", Json::Int(T - 60))]),
        &t,
        ok(&p),
        "",
    );
    let pn2 = with(p.clone(), "nbf", Json::Int(T + 500));
    g.v(
        "nbf_beyond_leeway",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &pn2),
        err("TOKEN_NOT_YET_VALID", None),
        "",
    );
    g.v(
        "kid_required_present",
        &["ed_1"],
        opts(vec![("kid_required", true.into())]),
        &sign(&ed1, &header("EdDSA", Some("ed-1")), &p),
        ok(&p),
        "",
    );
    g.v(
        "max_token_bytes_exact",
        &["hs_a"],
        opts(vec![("max_token_bytes", Json::Int(t.len() as i64))]),
        &t,
        ok(&p),
        "",
    );
    g.v(
        "max_lifetime_custom_ok",
        &["hs_a"],
        opts(vec![("max_lifetime_seconds", Json::Int(3600))]),
        &t,
        ok(&p),
        "",
    );
    let aud_list = with(p.clone(), "aud", parse(r#"["ati-proxy"]"#));
    g.v(
        "aud_one_element_list",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &aud_list),
        ok(&aud_list),
        "",
    );
    let big = with(p.clone(), "big", parse("123456789012345678901234567890"));
    g.v(
        "extra_big_integer_preserved",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &big),
        ok(&big),
        "",
    );
    let fl = with(p.clone(), "ratio", Json::Float(0.25));
    g.v(
        "extra_float_preserved",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &fl),
        ok(&fl),
        "",
    );
    let deep31 = with(
        p.clone(),
        "deep",
        parse(&format!("{}1{}", "[".repeat(30), "]".repeat(30))),
    );
    g.v(
        "json_depth_at_limit",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &deep31),
        ok(&deep31),
        "payload object (1) + 30 arrays = depth 31 <= 32",
    );

    // ---- INVALID_TOKEN, one reason at a time
    let good = sign(&hs, &header("HS256", None), &p);
    let segs: Vec<&str> = good.split('.').collect();
    let r = |x: &str| err("INVALID_TOKEN", Some(x));
    g.v(
        "malformed_two_segments",
        &["hs_a"],
        opts(vec![]),
        &format!("{}.{}", segs[0], segs[1]),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_four_segments",
        &["hs_a"],
        opts(vec![]),
        &format!("{good}.{}", segs[2]),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_empty_signature",
        &["hs_a"],
        opts(vec![]),
        &format!("{}.{}.", segs[0], segs[1]),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_empty_string",
        &["hs_a"],
        opts(vec![]),
        "",
        r("malformed"),
        "",
    );
    g.v(
        "malformed_bad_char",
        &["hs_a"],
        opts(vec![]),
        &format!("{}.{}!.{}", segs[0], segs[1], segs[2]),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_non_ascii",
        &["hs_a"],
        opts(vec![]),
        &format!("{}.{}\u{e9}.{}", segs[0], segs[1], segs[2]),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_header_array",
        &["hs_a"],
        opts(vec![]),
        &raw_token(b"[]", Json::Obj(p.clone()).to_compact().as_bytes(), &hs),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_alg_not_string",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            br#"{"alg":1}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_alg_missing",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            br#"{"typ":"JWT"}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_payload_nan",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            header("HS256", None).as_bytes(),
            br#"{"sub":"a","x":NaN}"#,
            &hs,
        ),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_payload_trailing",
        &["hs_a"],
        opts(vec![]),
        &raw_token(header("HS256", None).as_bytes(), br#"{"sub":"a"} {}"#, &hs),
        r("malformed"),
        "",
    );
    g.v(
        "malformed_payload_string",
        &["hs_a"],
        opts(vec![]),
        &raw_token(header("HS256", None).as_bytes(), br#""x""#, &hs),
        r("malformed"),
        "",
    );
    g.v(
        "non_canonical_padding",
        &["hs_a"],
        opts(vec![]),
        &format!("{}.{}.{}=", segs[0], segs[1], segs[2]),
        r("non_canonical_encoding"),
        "",
    );
    g.v(
        "non_canonical_std_alphabet",
        &["hs_a"],
        opts(vec![]),
        &format!(
            "{}.{}.{}",
            segs[0],
            segs[1],
            segs[2].replace('-', "+").replace('_', "/") + "+"
        ),
        r("non_canonical_encoding"),
        "",
    );
    // Trailing bits: a 43-char HS256 signature has 2 unused bits; set them.
    let sig = segs[2];
    let last = sig.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let idx = alphabet.find(last).unwrap();
    let bumped = alphabet.chars().nth(idx | 1).unwrap();
    let nc = format!(
        "{}.{}.{}{}",
        segs[0],
        segs[1],
        &sig[..sig.len() - 1],
        bumped
    );
    g.v(
        "non_canonical_trailing_bits",
        &["hs_a"],
        opts(vec![]),
        &nc,
        r("non_canonical_encoding"),
        "the unused low bits of the last character are not zero",
    );
    g.v(
        "oversized",
        &["hs_a"],
        opts(vec![("max_token_bytes", Json::Int(good.len() as i64 - 1))]),
        &good,
        r("oversized"),
        "",
    );
    g.v(
        "invalid_unicode_payload_bytes",
        &["hs_a"],
        opts(vec![]),
        &raw_token(header("HS256", None).as_bytes(), b"{\"sub\":\"\xff\"}", &hs),
        r("invalid_unicode"),
        "",
    );
    g.v(
        "invalid_unicode_lone_surrogate",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            header("HS256", None).as_bytes(),
            br#"{"sub":"\ud800"}"#,
            &hs,
        ),
        r("invalid_unicode"),
        "",
    );
    g.v(
        "invalid_unicode_bom",
        &["hs_a"],
        opts(vec![]),
        &raw_token(header("HS256", None).as_bytes(), b"\xEF\xBB\xBF{}", &hs),
        r("invalid_unicode"),
        "",
    );
    let dup = format!(
        r#"{{"sub":"wdn-gen-agent","sub":"other",{}"#,
        &Json::Obj(without(p.clone(), "sub")).to_compact()[1..]
    );
    g.v(
        "duplicate_member_payload",
        &["hs_a"],
        opts(vec![]),
        &raw_token(header("HS256", None).as_bytes(), dup.as_bytes(), &hs),
        r("duplicate_member"),
        "",
    );
    g.v(
        "duplicate_member_header",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            br#"{"alg":"HS256","alg":"HS256"}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        r("duplicate_member"),
        "",
    );
    let deep = with(
        p.clone(),
        "deep",
        parse(&format!("{}1{}", "[".repeat(32), "]".repeat(32))),
    );
    g.v(
        "json_too_deep",
        &["hs_a"],
        opts(vec![]),
        &sign(&hs, &header("HS256", None), &deep),
        r("json_too_deep"),
        "payload object + 32 arrays = depth 33 > 32",
    );
    g.v(
        "json_too_deep_custom_limit",
        &["hs_a"],
        opts(vec![("max_json_depth", Json::Int(16))]),
        &sign(&hs, &header("HS256", None), &deep31),
        r("json_too_deep"),
        "depth 31 > a custom limit of 16",
    );
    for (n, alg) in [
        ("alg_none", "none"),
        ("alg_none_case", "None"),
        ("alg_hs256_lowercase", "hs256"),
        ("alg_rs256", "RS256"),
        ("alg_hs512", "HS512"),
    ] {
        g.v(
            n,
            &["hs_a"],
            opts(vec![]),
            &raw_token(
                format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes(),
                Json::Obj(p.clone()).to_compact().as_bytes(),
                &hs,
            ),
            r("alg_not_allowed"),
            "",
        );
    }
    g.v(
        "alg_eddsa_not_in_allow_list",
        &["ed_1"],
        opts(vec![("algorithms", arr(&["HS256"]))]),
        &sign(&ed1, &header("EdDSA", Some("ed-1")), &p),
        r("alg_not_allowed"),
        "",
    );
    g.v(
        "alg_key_mismatch_by_kid",
        &["ed_1", "hs_b"],
        opts(vec![]),
        &raw_token(
            header("HS256", Some("ed-1")).as_bytes(),
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &g.keys.key("hs_b"),
        ),
        r("alg_key_mismatch"),
        "the kid names an Ed25519 key but the header says HS256",
    );
    g.v(
        "alg_key_mismatch_no_key_of_alg",
        &["ed_1"],
        opts(vec![]),
        &good,
        r("alg_key_mismatch"),
        "no kid and no key of the algorithm",
    );
    g.v(
        "unknown_kid",
        &["ed_1"],
        opts(vec![]),
        &sign(&ed1, &header("EdDSA", Some("nope")), &p),
        r("unknown_kid"),
        "",
    );
    g.v(
        "kid_not_byte_equal",
        &["ed_1"],
        opts(vec![]),
        &sign(&ed1, &header("EdDSA", Some("ED-1")), &p),
        r("unknown_kid"),
        "kid compares byte for byte",
    );
    g.v(
        "kid_invalid_number",
        &["ed_1"],
        opts(vec![]),
        &raw_token(
            br#"{"alg":"EdDSA","kid":7}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &ed1,
        ),
        r("kid_invalid"),
        "",
    );
    g.v(
        "kid_invalid_empty",
        &["ed_1"],
        opts(vec![]),
        &raw_token(
            br#"{"alg":"EdDSA","kid":""}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &ed1,
        ),
        r("kid_invalid"),
        "",
    );
    g.v(
        "kid_required_absent",
        &["ed_1"],
        opts(vec![("kid_required", true.into())]),
        &sign(&ed1, &header("EdDSA", None), &p),
        r("kid_invalid"),
        "",
    );
    for (n, h) in [
        (
            "header_jku",
            r#"{"alg":"HS256","jku":"https://attacker.example/jwks"}"#,
        ),
        (
            "header_jwk",
            r#"{"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}}"#,
        ),
        (
            "header_x5u",
            r#"{"alg":"HS256","x5u":"https://attacker.example/c"}"#,
        ),
        ("header_x5c", r#"{"alg":"HS256","x5c":["MIIB"]}"#),
        ("header_x5t", r#"{"alg":"HS256","x5t":"abc"}"#),
        ("header_crit", r#"{"alg":"HS256","crit":["exp"]}"#),
        ("header_b64", r#"{"alg":"HS256","b64":false}"#),
        ("header_zip", r#"{"alg":"HS256","zip":"DEF"}"#),
        ("header_cty_other", r#"{"alg":"HS256","cty":"text/plain"}"#),
    ] {
        g.v(
            n,
            &["hs_a"],
            opts(vec![]),
            &raw_token(
                h.as_bytes(),
                Json::Obj(p.clone()).to_compact().as_bytes(),
                &hs,
            ),
            r("unsupported_header"),
            "",
        );
    }
    g.v(
        "typ_mismatch",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            br#"{"alg":"HS256","typ":"secevent+jwt"}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        r("typ_mismatch"),
        "",
    );
    g.v(
        "typ_not_string",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            br#"{"alg":"HS256","typ":1}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        r("typ_mismatch"),
        "",
    );
    g.v(
        "typ_allowed_custom",
        &["hs_a"],
        opts(vec![("allowed_typ", arr(&["JWT"]))]),
        &raw_token(
            br#"{"alg":"HS256","typ":"at+jwt"}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        r("typ_mismatch"),
        "allowed_typ narrowed to JWT",
    );
    g.v(
        "nested_jwt",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            br#"{"alg":"HS256","cty":"JWT"}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        r("nested_jwt"),
        "",
    );
    g.v(
        "jwe_five_segments",
        &["hs_a"],
        opts(vec![]),
        "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d",
        r("jwe_not_accepted"),
        "",
    );
    g.v(
        "jwe_enc_header",
        &["hs_a"],
        opts(vec![]),
        &raw_token(
            br#"{"alg":"HS256","enc":"A256GCM"}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        r("jwe_not_accepted"),
        "",
    );
    g.v(
        "bad_signature_other_key",
        &["hs_a"],
        opts(vec![]),
        &sign(&g.keys.key("hs_b").public_key(), &header("HS256", None), &p),
        r("bad_signature"),
        "",
    );
    g.v(
        "bad_signature_truncated",
        &["hs_a"],
        opts(vec![]),
        &format!("{}.{}.{}", segs[0], segs[1], &segs[2][..40]),
        r("bad_signature"),
        "",
    );
    let ed1_tok = sign(&ed1, &header("EdDSA", Some("ed-1")), &p);
    let swapped = format!(
        "{}.{}",
        &ed1_tok[..ed1_tok.rfind('.').unwrap()],
        t2.rsplit('.').next().unwrap()
    );
    g.v(
        "bad_signature_eddsa_swapped",
        &["ed_1", "ed_2"],
        opts(vec![]),
        &swapped,
        r("bad_signature"),
        "an ed-2 signature presented under kid ed-1",
    );
    let es_tok = sign(&es, &header("ES256", Some("es-1")), &p);
    let es_segs: Vec<&str> = es_tok.split('.').collect();
    let mut es_sig = warden_core::b64::decode(es_segs[2].as_bytes()).unwrap();
    es_sig[10] ^= 1;
    g.v(
        "bad_signature_es256_flipped",
        &["es_1"],
        opts(vec![]),
        &format!("{}.{}.{}", es_segs[0], es_segs[1], b64(&es_sig)),
        r("bad_signature"),
        "",
    );
    let sig_der = format!(
        "{}.{}.{}",
        es_segs[0],
        es_segs[1],
        b64(&[0x30, 0x44, 0x02, 0x20])
    );
    g.v(
        "bad_signature_es256_der",
        &["es_1"],
        opts(vec![]),
        &sig_der,
        r("bad_signature"),
        "JWS ES256 signatures are raw r||s, never DER",
    );
    g.v(
        "missing_claim_iss_when_issuer_set",
        &["hs_a"],
        opts(vec![("issuer", "ati-orchestrator".into())]),
        &sign(&hs, &header("HS256", None), &without(p.clone(), "iss")),
        r("missing_claim"),
        "",
    );
    for (n, k, v) in [
        ("claim_type_sub_space", "sub", Json::from("a b")),
        ("claim_type_sub_empty", "sub", Json::from("")),
        ("claim_type_sub_257", "sub", Json::from("a".repeat(257))),
        ("claim_type_jti_129", "jti", Json::from("j".repeat(129))),
        ("claim_type_jti_control", "jti", Json::from("a\u{1}")),
        ("claim_type_exp_negative", "exp", Json::Int(-1)),
        ("claim_type_exp_2_53", "exp", Json::Int(1 << 53)),
        ("claim_type_exp_float_exponent", "exp", parse("1.79e9")),
        ("claim_type_iat_bool", "iat", Json::Bool(true)),
        ("claim_type_aud_number", "aud", Json::Int(1)),
        ("claim_type_aud_list_number", "aud", parse("[1]")),
        ("claim_type_iss_number", "iss", Json::Int(3)),
        ("claim_type_nbf_null", "nbf", Json::Null),
    ] {
        g.v(
            n,
            &["hs_a"],
            opts(vec![]),
            &sign(&hs, &header("HS256", None), &with(p.clone(), k, v)),
            r("claim_type_invalid"),
            "",
        );
    }
    g.v(
        "aud_mismatch",
        &["hs_a"],
        opts(vec![("audience", "warden".into())]),
        &good,
        r("aud_mismatch"),
        "",
    );
    g.v(
        "aud_multiple",
        &["hs_a"],
        opts(vec![]),
        &sign(
            &hs,
            &header("HS256", None),
            &with(p.clone(), "aud", parse(r#"["ati-proxy","ati-proxy"]"#)),
        ),
        r("aud_multiple"),
        "",
    );
    g.v(
        "iss_mismatch",
        &["hs_a"],
        opts(vec![("issuer", "warden".into())]),
        &good,
        r("iss_mismatch"),
        "",
    );
    g.v(
        "inconsistent_times_nbf_after_exp",
        &["hs_a"],
        opts(vec![]),
        &sign(
            &hs,
            &header("HS256", None),
            &with(p.clone(), "nbf", Json::Int(T + 3600)),
        ),
        r("inconsistent_times"),
        "nbf >= exp can never be valid",
    );
    g.v(
        "inconsistent_times_exp_eq_iat",
        &["hs_a"],
        opts(vec![]),
        &sign(
            &hs,
            &header("HS256", None),
            &with(p.clone(), "exp", Json::Int(T)),
        ),
        r("inconsistent_times"),
        "",
    );
    g.v(
        "lifetime_too_long_custom",
        &["hs_a"],
        opts(vec![("max_lifetime_seconds", Json::Int(3599))]),
        &good,
        r("lifetime_too_long"),
        "",
    );
    g.v(
        "scope_invalid_double_space",
        &["hs_a"],
        opts(vec![]),
        &sign(
            &hs,
            &header("HS256", None),
            &with(p.clone(), "scope", "tool:a  tool:b".into()),
        ),
        r("scope_invalid"),
        "",
    );
    g.v(
        "ati_rate_bad_unit",
        &["hs_a"],
        opts(vec![]),
        &sign(
            &hs,
            &header("HS256", None),
            &with(
                p.clone(),
                "ati",
                parse(r#"{"v":1,"rate":{"tool:a":"5/week"}}"#),
            ),
        ),
        r("ati_namespace_invalid"),
        "",
    );
    g.v(
        "ati_missing_v",
        &["hs_a"],
        opts(vec![]),
        &sign(
            &hs,
            &header("HS256", None),
            &with(p.clone(), "ati", parse(r#"{"rate":{}}"#)),
        ),
        r("ati_namespace_invalid"),
        "",
    );
    g.v(
        "ati_rate_65_entries",
        &["hs_a"],
        opts(vec![]),
        &sign(
            &hs,
            &header("HS256", None),
            &with(p.clone(), "ati", {
                let m: Vec<(String, Json)> = (0..65)
                    .map(|i| (format!("tool:t{i}"), Json::from("1/s")))
                    .collect();
                Json::Obj(vec![
                    ("v".into(), Json::Int(1)),
                    ("rate".into(), Json::Obj(m)),
                ])
            }),
        ),
        r("ati_namespace_invalid"),
        "a rate map holds at most 64 entries",
    );

    // ---- bad options → VALIDATION_ERROR
    let ve = err("VALIDATION_ERROR", None);
    g.v(
        "options_leeway_301",
        &["hs_a"],
        opts(vec![("leeway_seconds", Json::Int(301))]),
        &good,
        ve.clone(),
        "",
    );
    g.v(
        "options_leeway_negative",
        &["hs_a"],
        opts(vec![("leeway_seconds", Json::Int(-1))]),
        &good,
        ve.clone(),
        "",
    );
    g.v(
        "options_algorithms_empty",
        &["hs_a"],
        opts(vec![("algorithms", arr(&[]))]),
        &good,
        ve.clone(),
        "",
    );
    g.v(
        "options_algorithm_unknown",
        &["hs_a"],
        opts(vec![("algorithms", arr(&["HS256", "RS256"]))]),
        &good,
        ve.clone(),
        "",
    );
    g.v(
        "options_unknown_option",
        &["hs_a"],
        opts(vec![("leeway_secs", Json::Int(1))]),
        &good,
        ve.clone(),
        "",
    );
    g.v(
        "options_audience_number",
        &["hs_a"],
        opts(vec![("audience", Json::Int(1))]),
        &good,
        ve.clone(),
        "",
    );
    g.v(
        "options_max_depth_zero",
        &["hs_a"],
        opts(vec![("max_json_depth", Json::Int(0))]),
        &good,
        ve,
        "",
    );
}

fn gen_inspect(g: &mut Gen) {
    let hs = g.keys.key("hs_a");
    let p = base_payload("wdn-gen-jti-0002");
    let add = |g: &mut Gen, name: &str, token: String, expect: Json| {
        g.name(name);
        g.inspect.push(obj(vec![
            ("name", name.into()),
            ("token", token.into()),
            ("expect", expect),
        ]));
    };
    let expired = with(p.clone(), "exp", Json::Int(1000));
    add(
        g,
        "inspect_expired_bad_times_ok",
        sign(&hs, &header("HS256", None), &expired),
        claims_expect(&expired),
    );
    let minimal = vec![("x".to_string(), Json::Int(1))];
    add(
        g,
        "inspect_missing_claims_ok",
        sign(&hs, &header("HS256", None), &minimal),
        claims_expect(&minimal),
    );
    let other = sign(&g.keys.key("hs_b"), &header("HS256", None), &p);
    add(
        g,
        "inspect_unverified_signature_ok",
        other,
        claims_expect(&p),
    );
    let ed = sign(&g.keys.key("ed_1"), &header("EdDSA", Some("ed-1")), &p);
    add(g, "inspect_eddsa_ok", ed, claims_expect(&p));
    add(
        g,
        "inspect_alg_none_rejected",
        raw_token(
            br#"{"alg":"none"}"#,
            Json::Obj(p.clone()).to_compact().as_bytes(),
            &hs,
        ),
        err("INVALID_TOKEN", Some("alg_not_allowed")),
    );
    add(
        g,
        "inspect_malformed",
        "abc".to_string(),
        err("INVALID_TOKEN", Some("malformed")),
    );
    add(
        g,
        "inspect_jwe",
        "a.b.c.d.e".to_string(),
        err("INVALID_TOKEN", Some("jwe_not_accepted")),
    );
    add(
        g,
        "inspect_duplicate_member",
        raw_token(header("HS256", None).as_bytes(), br#"{"a":1,"a":2}"#, &hs),
        err("INVALID_TOKEN", Some("duplicate_member")),
    );
    add(
        g,
        "inspect_jku_rejected",
        raw_token(br#"{"alg":"HS256","jku":"x"}"#, b"{}", &hs),
        err("INVALID_TOKEN", Some("unsupported_header")),
    );
}

fn gen_issue(g: &mut Gen) {
    let add = |g: &mut Gen, name: &str, key: &str, claims: Json, now: Option<i64>, expect: Json| {
        g.name(name);
        let mut m = vec![
            ("name", Json::from(name)),
            ("key", key.into()),
            ("claims", claims),
        ];
        if let Some(n) = now {
            m.push(("now", Json::Int(n)));
        }
        m.push(("expect", expect));
        g.issue.push(obj(m));
    };
    let issue_ok = |g: &Gen, key: &str, claims: &Json, now: Option<i64>| -> Json {
        let k = g.keys.key(key);
        let tok = token::issue(&k, &Claims::from_json(claims.clone()).unwrap(), now).unwrap();
        obj(vec![("token", tok.into())])
    };
    let c = parse(&format!(
        r#"{{"jti":"wdn-gen-jti-0100","scope":"tool:a","exp":{},"iat":{},"aud":"ati-proxy","sub":"agent-1","iss":"ati-orchestrator","ati":{{"v":1}}}}"#,
        T + 600,
        T
    ));
    let e = issue_ok(g, "hs_a", &c, None);
    add(g, "issue_hs256_canonical_order", "hs_a", c, None, e);
    let c = parse(&format!(
        r#"{{"sub":"agent-1","aud":"warden","exp":{},"scope":"tool:a tool:b:*","jti":"wdn-gen-jti-0101"}}"#,
        T + 300
    ));
    let e = issue_ok(g, "ed_1", &c, Some(T));
    add(
        g,
        "issue_eddsa_kid_header_iat_from_now",
        "ed_1",
        c,
        Some(T),
        e,
    );
    let c = parse(&format!(
        r#"{{"sub":"agent-1","aud":"warden","iat":{T},"exp":{},"nbf":{T},"scope":"help","jti":"wdn-gen-jti-0102","job_id":"j-1","z":[1,{{"b":true}}],"a":null}}"#,
        T + 300
    ));
    let e = issue_ok(g, "es_1", &c, None);
    add(g, "issue_es256_nbf_and_extras_in_order", "es_1", c, None, e);
    let c = parse(&format!(
        r#"{{"sub":"agent-1","aud":"ati-proxy","iat":{T},"exp":{},"scope":"tool:a","jti":"wdn-gen-jti-0103","ati":{{"v":1,"rate":{{"tool:a":"5/min","tool:*":"100/hour"}}}}}}"#,
        T + 300
    ));
    let e = issue_ok(g, "hs_b", &c, None);
    add(g, "issue_hs256_with_kid_and_rate", "hs_b", c, None, e);
    let base = |extra: &str| {
        parse(&format!(
            r#"{{"sub":"agent-1","aud":"ati-proxy","iat":{T},"exp":{},"scope":"tool:a","jti":"wdn-gen-jti-0104"{extra}}}"#,
            T + 300
        ))
    };
    add(
        g,
        "issue_scope_invalid",
        "hs_a",
        parse(&format!(
            r#"{{"sub":"agent-1","aud":"ati-proxy","iat":{T},"exp":{},"scope":"Tool:a","jti":"j"}}"#,
            T + 300
        )),
        None,
        err("INVALID_SCOPE", None),
    );
    add(
        g,
        "issue_rate_spec_invalid",
        "hs_a",
        base(r#","ati":{"v":1,"rate":{"tool:a":"5/week"}}"#),
        None,
        err("INVALID_RATE_SPEC", None),
    );
    add(
        g,
        "issue_rate_key_invalid",
        "hs_a",
        base(r#","ati":{"v":1,"rate":{"tool:a b":"5/min"}}"#),
        None,
        err("INVALID_SCOPE", None),
    );
    add(
        g,
        "issue_ati_version_2",
        "hs_a",
        base(r#","ati":{"v":2}"#),
        None,
        err("VALIDATION_ERROR", None),
    );
    add(
        g,
        "issue_exp_before_iat",
        "hs_a",
        parse(&format!(
            r#"{{"sub":"agent-1","aud":"ati-proxy","iat":{T},"exp":{T},"scope":"tool:a","jti":"j"}}"#
        )),
        None,
        err("VALIDATION_ERROR", None),
    );
    add(
        g,
        "issue_missing_exp",
        "hs_a",
        parse(r#"{"sub":"agent-1","aud":"ati-proxy","scope":"tool:a","jti":"j"}"#),
        None,
        err("VALIDATION_ERROR", None),
    );
    add(
        g,
        "issue_sub_invalid",
        "hs_a",
        parse(&format!(
            r#"{{"sub":"agent 1","aud":"ati-proxy","iat":{T},"exp":{},"scope":"tool:a","jti":"j"}}"#,
            T + 1
        )),
        None,
        err("VALIDATION_ERROR", None),
    );
    add(
        g,
        "issue_exp_float",
        "hs_a",
        parse(&format!(
            r#"{{"sub":"agent-1","aud":"ati-proxy","iat":{T},"exp":{}.0,"scope":"tool:a","jti":"j"}}"#,
            T + 1
        )),
        None,
        err("VALIDATION_ERROR", None),
    );
    add(
        g,
        "issue_aud_list_refused",
        "hs_a",
        parse(&format!(
            r#"{{"sub":"agent-1","aud":["ati-proxy"],"iat":{T},"exp":{},"scope":"tool:a","jti":"j"}}"#,
            T + 1
        )),
        None,
        err("VALIDATION_ERROR", None),
    );
    add(
        g,
        "issue_public_key_cannot_sign",
        "ed_1_public",
        parse(&format!(
            r#"{{"sub":"agent-1","aud":"warden","iat":{T},"exp":{},"scope":"tool:a","jti":"j"}}"#,
            T + 1
        )),
        None,
        err("INVALID_KEY", None),
    );
}

fn gen_keys(g: &mut Gen) {
    let add =
        |g: &mut Gen, name: &str, op: &str, input: String, kid: Option<&str>, expect: Json| {
            g.name(name);
            let mut m = vec![
                ("name", Json::from(name)),
                ("op", op.into()),
                ("input", input.into()),
            ];
            if let Some(k) = kid {
                m.push(("kid", k.into()));
            }
            m.push(("expect", expect));
            g.keyops.push(obj(m));
        };
    let ok = |alg: &str, kid: Option<&str>, public_jwk: Option<String>| {
        let mut m = vec![
            ("alg", Json::from(alg)),
            ("kid", kid.map(Json::from).unwrap_or(Json::Null)),
        ];
        if let Some(p) = public_jwk {
            m.push(("public_jwk", parse(&p)));
        }
        obj(m)
    };
    let ik = err("INVALID_KEY", None);
    let hex: String = seed_bytes("hs_a")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    add(
        g,
        "hs256_hex_ok",
        "hs256_hex",
        hex.clone(),
        Some("k1"),
        ok("HS256", Some("k1"), None),
    );
    add(
        g,
        "hs256_hex_uppercase_ok",
        "hs256_hex",
        hex.to_uppercase(),
        None,
        ok("HS256", None, None),
    );
    add(
        g,
        "hs256_hex_63",
        "hs256_hex",
        hex[..63].to_string(),
        None,
        ik.clone(),
    );
    add(
        g,
        "hs256_hex_0x_prefix",
        "hs256_hex",
        format!("0x{}", &hex[..62]),
        None,
        ik.clone(),
    );
    add(
        g,
        "hs256_hex_non_hex",
        "hs256_hex",
        format!("{}g", &hex[..63]),
        None,
        ik.clone(),
    );
    add(
        g,
        "hs256_hex_bad_kid",
        "hs256_hex",
        hex.clone(),
        Some(""),
        err("VALIDATION_ERROR", None),
    );
    let ed1 = g.keys.key("ed_1");
    let es = g.keys.key("es_1");
    add(
        g,
        "jwk_ed25519_public",
        "from_jwk",
        ed1.public_jwk().unwrap(),
        None,
        ok("EdDSA", Some("ed-1"), Some(ed1.public_jwk().unwrap())),
    );
    add(
        g,
        "jwk_ed25519_private",
        "from_jwk",
        ed1.to_jwk(true).unwrap(),
        None,
        ok("EdDSA", Some("ed-1"), Some(ed1.public_jwk().unwrap())),
    );
    add(
        g,
        "jwk_es256_private",
        "from_jwk",
        es.to_jwk(true).unwrap(),
        None,
        ok("ES256", Some("es-1"), Some(es.public_jwk().unwrap())),
    );
    add(
        g,
        "jwk_oct_ok",
        "from_jwk",
        g.keys.key("hs_b").to_jwk(true).unwrap(),
        None,
        ok("HS256", Some("hs-b"), None),
    );
    add(
        g,
        "jwk_oct_16_bytes",
        "from_jwk",
        format!(r#"{{"kty":"oct","k":"{}"}}"#, b64(&[7u8; 16])),
        None,
        ik.clone(),
    );
    let mut ident = [0u8; 32];
    ident[0] = 1;
    add(
        g,
        "jwk_ed25519_small_order_identity",
        "from_jwk",
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64(&ident)),
        None,
        ik.clone(),
    );
    let mut order2 = [0xffu8; 32];
    order2[0] = 0xec;
    order2[31] = 0x7f;
    add(
        g,
        "jwk_ed25519_small_order_minus_one",
        "from_jwk",
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64(&order2)),
        None,
        ik.clone(),
    );
    let mut noncanon = [0xffu8; 32];
    noncanon[0] = 0xee;
    noncanon[31] = 0x7f;
    add(
        g,
        "jwk_ed25519_non_canonical",
        "from_jwk",
        format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
            b64(&noncanon)
        ),
        None,
        ik.clone(),
    );
    add(
        g,
        "jwk_ed25519_short",
        "from_jwk",
        format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#,
            b64(&[9u8; 31])
        ),
        None,
        ik.clone(),
    );
    let pj = Json::parse(&es.public_jwk().unwrap()).unwrap();
    let x = pj.get("x").unwrap().as_str().unwrap().to_string();
    add(
        g,
        "jwk_ec_off_curve",
        "from_jwk",
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{x}","y":"{x}"}}"#),
        None,
        ik.clone(),
    );
    add(
        g,
        "jwk_alg_mismatch",
        "from_jwk",
        ed1.public_jwk()
            .unwrap()
            .replace("\"alg\":\"EdDSA\"", "\"alg\":\"ES256\""),
        None,
        ik.clone(),
    );
    let other = g.keys.key("ed_2").to_jwk(true).unwrap();
    let d2 = Json::parse(&other)
        .unwrap()
        .get("d")
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    add(
        g,
        "jwk_private_public_mismatch",
        "from_jwk",
        format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}","d":"{d2}"}}"#,
            Json::parse(&ed1.public_jwk().unwrap())
                .unwrap()
                .get("x")
                .unwrap()
                .as_str()
                .unwrap()
        ),
        None,
        ik.clone(),
    );
    add(
        g,
        "jwk_rsa_unsupported",
        "from_jwk",
        r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#.into(),
        None,
        ik.clone(),
    );
    add(
        g,
        "jwk_not_json",
        "from_jwk",
        "{kty:oct}".into(),
        None,
        ik.clone(),
    );
    add(
        g,
        "jwk_x_padded",
        "from_jwk",
        ed1.public_jwk().unwrap().replace(
            &format!(
                "\"x\":\"{}",
                Json::parse(&ed1.public_jwk().unwrap())
                    .unwrap()
                    .get("x")
                    .unwrap()
                    .as_str()
                    .unwrap()
            ),
            &format!(
                "\"x\":\"{}=",
                Json::parse(&ed1.public_jwk().unwrap())
                    .unwrap()
                    .get("x")
                    .unwrap()
                    .as_str()
                    .unwrap()
            ),
        ),
        None,
        ik.clone(),
    );
    add(
        g,
        "pem_ed25519_public",
        "from_pem",
        ed1.to_pem(false).unwrap(),
        Some("p1"),
        ok("EdDSA", Some("p1"), None),
    );
    add(
        g,
        "pem_ed25519_private",
        "from_pem",
        ed1.to_pem(true).unwrap(),
        None,
        ok("EdDSA", None, None),
    );
    add(
        g,
        "pem_es256_private",
        "from_pem",
        es.to_pem(true).unwrap(),
        Some("p2"),
        ok("ES256", Some("p2"), None),
    );
    add(
        g,
        "pem_es256_public",
        "from_pem",
        es.to_pem(false).unwrap(),
        None,
        ok("ES256", None, None),
    );
    add(
        g,
        "pem_garbage",
        "from_pem",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".into(),
        None,
        ik.clone(),
    );
    add(
        g,
        "pem_not_pem",
        "from_pem",
        "hello".into(),
        None,
        ik.clone(),
    );
    add(
        g,
        "pem_rsa_label",
        "from_pem",
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n".into(),
        None,
        ik.clone(),
    );
    let jwks = format!(
        r#"{{"keys":[{{"kty":"RSA","n":"AQAB","e":"AQAB"}},{}]}}"#,
        ed1.public_jwk().unwrap()
    );
    add(
        g,
        "jwks_skips_unsupported",
        "from_jwks",
        jwks,
        None,
        ok("EdDSA", Some("ed-1"), None),
    );
    add(
        g,
        "jwks_duplicate_kid",
        "from_jwks",
        format!(r#"{{"keys":[{0},{0}]}}"#, ed1.public_jwk().unwrap()),
        None,
        ik.clone(),
    );
    add(
        g,
        "jwks_empty",
        "from_jwks",
        r#"{"keys":[]}"#.into(),
        None,
        ik.clone(),
    );
    add(g, "jwks_not_object", "from_jwks", "[]".into(), None, ik);
}

fn gen_provision(g: &mut Gen) {
    let secret: String = seed_bytes("prov")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let add = |g: &mut Gen, name: &str, proxy: &str, secret: &str, args: Json, jti: &str| {
        g.name(name);
        let a = &args;
        let strs = |k: &str| {
            a.get(k)
                .and_then(Json::as_arr)
                .map(|x| x.iter().map(|s| s.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        let r = Orchestrator::from_secret(proxy, secret, None, None).and_then(|o| {
            o.provision_sandbox(
                a.get("agent_id").unwrap().as_str().unwrap(),
                &ProvisionArgs {
                    tools: strs("tools"),
                    skills: strs("skills"),
                    extra_scopes: strs("extra_scopes"),
                    ttl_seconds: a.get("ttl_seconds").and_then(Json::as_i64),
                    rate: a
                        .get("rate")
                        .and_then(Json::as_obj)
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    now: Some(T),
                    jti: Some(jti.to_string()),
                },
            )
        });
        let expect = match r {
            Ok(env) => obj(vec![(
                "env",
                Json::Obj(env.into_iter().map(|(k, v)| (k, Json::Str(v))).collect()),
            )]),
            Err(e) => err(e.code().as_str(), None),
        };
        g.provision.push(obj(vec![
            ("name", name.into()),
            ("proxy_url", proxy.into()),
            ("secret_hex", secret.into()),
            ("args", args),
            ("now", Json::Int(T)),
            ("jti", jti.into()),
            ("expect", expect),
        ]));
    };
    add(
        g,
        "provision_full",
        "https://proxy.example/",
        &secret,
        parse(
            r#"{"agent_id":"sandbox:wdn-1","tools":["ledger_export","kanban:*"],"skills":["triage-*"],"extra_scopes":["help"],"ttl_seconds":7200,"rate":{"tool:kanban:*":"10/hour"}}"#,
        ),
        "wdn-gen-prov-1",
    );
    add(
        g,
        "provision_trailing_slashes_removed",
        "http://127.0.0.1:8080///",
        &secret,
        parse(r#"{"agent_id":"agent-2","tools":["a"]}"#),
        "wdn-gen-prov-2",
    );
    add(
        g,
        "provision_nothing_granted",
        "https://p",
        &secret,
        parse(r#"{"agent_id":"agent-3"}"#),
        "wdn-gen-prov-3",
    );
    add(
        g,
        "provision_ttl_too_long",
        "https://p",
        &secret,
        parse(r#"{"agent_id":"agent-4","tools":["a"],"ttl_seconds":86401}"#),
        "wdn-gen-prov-4",
    );
    add(
        g,
        "provision_bad_rate",
        "https://p",
        &secret,
        parse(r#"{"agent_id":"agent-5","tools":["a"],"rate":{"tool:a":"1/week"}}"#),
        "wdn-gen-prov-5",
    );
    add(
        g,
        "provision_bad_secret",
        "https://p",
        "abc",
        parse(r#"{"agent_id":"agent-6","tools":["a"]}"#),
        "wdn-gen-prov-6",
    );
    add(
        g,
        "provision_bad_agent_id",
        "https://p",
        &secret,
        parse(r#"{"agent_id":"agent 7","tools":["a"]}"#),
        "wdn-gen-prov-7",
    );
    add(
        g,
        "provision_empty_url",
        "///",
        &secret,
        parse(r#"{"agent_id":"agent-8","tools":["a"]}"#),
        "wdn-gen-prov-8",
    );
}

fn gen_env(g: &mut Gen) {
    let add = |g: &mut Gen,
               name: &str,
               var: &str,
               env: Vec<(&str, &str)>,
               file: Option<&str>,
               expect: Json| {
        g.name(name);
        let envj = Json::Obj(
            env.iter()
                .map(|(k, v)| (k.to_string(), Json::from(*v)))
                .collect(),
        );
        // Check the expectation against the implementation.
        let dir = std::env::temp_dir().join(format!("warden-gen-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut full: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(c) = file {
            std::fs::write(dir.join("token"), c).unwrap();
            full.push((
                format!("{var}_FILE"),
                dir.join("token").display().to_string(),
            ));
        }
        let r = session_token_from(
            var,
            |k| full.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
            &dir.join("absent"),
        );
        let _ = std::fs::remove_dir_all(&dir);
        let got = match &r {
            Ok(t) => obj(vec![("token", t.as_str().into())]),
            Err(e) => err(e.code().as_str(), None),
        };
        assert_eq!(got, expect, "session_token_from_env case {name}");
        let mut m = vec![
            ("name", Json::from(name)),
            ("var", var.into()),
            ("env", envj),
        ];
        if let Some(c) = file {
            m.push(("file_content", c.into()));
        }
        m.push(("expect", expect));
        g.env.push(obj(m));
    };
    let tok = |t: &str| obj(vec![("token", t.into())]);
    add(
        g,
        "env_value_trimmed",
        "WDN_VEC_TOKEN_A",
        vec![("WDN_VEC_TOKEN_A", "  tok-a \n")],
        None,
        tok("tok-a"),
    );
    add(
        g,
        "env_value_wins_over_file",
        "WDN_VEC_TOKEN_B",
        vec![("WDN_VEC_TOKEN_B", "tok-b")],
        Some("tok-file"),
        tok("tok-b"),
    );
    add(
        g,
        "env_blank_falls_back_to_file",
        "WDN_VEC_TOKEN_C",
        vec![("WDN_VEC_TOKEN_C", "   ")],
        Some("\ntok-c\n"),
        tok("tok-c"),
    );
    add(
        g,
        "file_only",
        "WDN_VEC_TOKEN_D",
        vec![],
        Some("tok-d"),
        tok("tok-d"),
    );
    add(
        g,
        "file_blank_not_found",
        "WDN_VEC_TOKEN_E",
        vec![],
        Some(" \n "),
        err("NOT_FOUND", None),
    );
    add(
        g,
        "nothing_not_found",
        "WDN_VEC_TOKEN_F",
        vec![],
        None,
        err("NOT_FOUND", None),
    );
    add(
        g,
        "file_var_points_nowhere",
        "WDN_VEC_TOKEN_G",
        vec![("WDN_VEC_TOKEN_G_FILE", "/nonexistent/warden/token")],
        None,
        err("NOT_FOUND", None),
    );
    add(
        g,
        "invalid_var_name",
        "1BAD-NAME",
        vec![],
        None,
        err("VALIDATION_ERROR", None),
    );
    add(
        g,
        "empty_var_name",
        "",
        vec![],
        None,
        err("VALIDATION_ERROR", None),
    );
}

/// Checks every verify/inspect/issue/keys expectation against the implementation.
fn self_check(doc: &Json) {
    let keys = doc.get("keys").unwrap();
    let key = |n: &str, public: bool| -> Key {
        let k = Key::from_jwk_value(keys.get(n).unwrap()).unwrap();
        if public {
            k.public_key()
        } else {
            k
        }
    };
    let outcome = |r: Result<Claims>| -> Json {
        match r {
            Ok(c) => claims_expect(c.members()),
            Err(e) => err(e.code().as_str(), e.reason()),
        }
    };
    let norm = |want: &Json| -> Json {
        // An expectation without a reason matches any reason.
        match (want.get("error"), want.get("reason")) {
            (Some(_), None) => want.clone(),
            _ => want.clone(),
        }
    };
    for c in doc.get("verify").unwrap().as_arr().unwrap() {
        let name = c.get("name").unwrap().as_str().unwrap();
        let ks = match c.get("jwks") {
            Some(j) => KeySet::from_jwks(j.as_str().unwrap()),
            None => KeySet::new(
                c.get("keys")
                    .unwrap()
                    .as_arr()
                    .unwrap()
                    .iter()
                    .map(|k| key(k.as_str().unwrap(), true))
                    .collect(),
            ),
        };
        let r = ks
            .and_then(|ks| {
                Verifier::new(ks, VerifierOptions::from_json(c.get("options").unwrap())?)
            })
            .and_then(|v| v.verify(c.get("token").unwrap().as_str().unwrap()));
        let mut got = outcome(r);
        let want = norm(c.get("expect").unwrap());
        if want.get("error").is_some() && want.get("reason").is_none() {
            got = err(
                got.get("error").and_then(Json::as_str).unwrap_or("OK"),
                None,
            );
        }
        assert_eq!(got, want, "verify case {name}");
    }
    for c in doc.get("inspect").unwrap().as_arr().unwrap() {
        let got = outcome(inspect_token(c.get("token").unwrap().as_str().unwrap()));
        assert_eq!(
            &got,
            c.get("expect").unwrap(),
            "inspect case {}",
            c.get("name").unwrap()
        );
    }
    for c in doc.get("issue").unwrap().as_arr().unwrap() {
        let kname = c.get("key").unwrap().as_str().unwrap();
        let k = match kname.strip_suffix("_public") {
            Some(base) => key(base, true),
            None => key(kname, false),
        };
        let r = token::issue(
            &k,
            &Claims::from_json(c.get("claims").unwrap().clone()).unwrap(),
            c.get("now").and_then(Json::as_i64),
        );
        let got = match r {
            Ok(t) => {
                // Every issued token verifies with the matching public key.
                let v = Verifier::with_key(k.public_key(), {
                    let mut o = VerifierOptions::new(vec![k.alg()]);
                    o.audience = c
                        .get("claims")
                        .unwrap()
                        .get("aud")
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string();
                    o.now = Some(T);
                    o
                })
                .unwrap();
                v.verify(&t).unwrap_or_else(|e| {
                    panic!(
                        "issued token of {} does not verify: {e}",
                        c.get("name").unwrap()
                    )
                });
                obj(vec![("token", t.into())])
            }
            Err(e) => err(e.code().as_str(), None),
        };
        assert_eq!(
            &got,
            c.get("expect").unwrap(),
            "issue case {}",
            c.get("name").unwrap()
        );
    }
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/vectors/warden_tokens.json".into());
    let keys = make_keys();
    let mut g = Gen {
        keys,
        verify: vec![],
        inspect: vec![],
        issue: vec![],
        keyops: vec![],
        provision: vec![],
        env: vec![],
        names: Default::default(),
    };
    gen_verify(&mut g);
    gen_inspect(&mut g);
    gen_issue(&mut g);
    gen_keys(&mut g);
    gen_provision(&mut g);
    gen_env(&mut g);
    let mut key_members: Vec<(String, Json)> = g.keys.jwks.clone();
    // A public-only twin of ed_1 for the "cannot sign" case.
    key_members.push((
        "ed_1_public".into(),
        Json::parse(&g.keys.key("ed_1").public_jwk().unwrap()).unwrap(),
    ));
    let counts = obj(vec![
        ("verify", Json::Int(g.verify.len() as i64)),
        ("inspect", Json::Int(g.inspect.len() as i64)),
        ("issue", Json::Int(g.issue.len() as i64)),
        ("keys", Json::Int(g.keyops.len() as i64)),
        ("provision", Json::Int(g.provision.len() as i64)),
        ("session_token_from_env", Json::Int(g.env.len() as i64)),
    ]);
    let doc = obj(vec![
        ("name", "warden_tokens".into()),
        ("format_version", Json::Int(1)),
        ("description", "Warden's own token/key/provisioning vectors (SEMANTICS-tokens). Generated by `cargo run -p warden-core --example gen_vectors`; see tests/vectors/README.md for the case shapes.".into()),
        ("produced_with", obj(vec![("generator", "core/examples/gen_vectors.rs".into()), ("seed", SEED.into()), ("clock", Json::Int(T))])),
        ("counts", counts),
        ("keys", Json::Obj(key_members)),
        ("verify", Json::Arr(g.verify)),
        ("inspect", Json::Arr(g.inspect)),
        ("issue", Json::Arr(g.issue)),
        ("keys_ops", Json::Arr(g.keyops)),
        ("provision", Json::Arr(g.provision)),
        ("session_token_from_env", Json::Arr(g.env)),
    ]);
    self_check(&doc);
    let text = pretty(&doc, 0);
    std::fs::write(&out, text + "\n").expect("write vectors");
    eprintln!("wrote {out}");
}

/// Stable, readable output (2-space indent, one case member per line).
fn pretty(v: &Json, ind: usize) -> String {
    let pad = "  ".repeat(ind + 1);
    let end = "  ".repeat(ind);
    match v {
        Json::Obj(m) if !m.is_empty() && ind < 3 => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{pad}{}: {}",
                        Json::Str(k.clone()).to_compact(),
                        pretty(v, ind + 1)
                    )
                })
                .collect();
            format!("{{\n{}\n{end}}}", items.join(",\n"))
        }
        Json::Arr(a) if !a.is_empty() && ind < 2 => {
            let items: Vec<String> = a
                .iter()
                .map(|v| format!("{pad}{}", pretty(v, ind + 1)))
                .collect();
            format!("[\n{}\n{end}]", items.join(",\n"))
        }
        other => other.to_compact(),
    }
}
