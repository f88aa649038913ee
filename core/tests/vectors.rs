//! Runs every case of every file in `tests/vectors/` by name (one libtest trial per case).
//! Files without a runner fail, so a copied file can never be silently skipped.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;
use std::sync::Arc;
use warden_core::json::Json;
use warden_core::provision::{session_token_from, Orchestrator, ProvisionArgs};
use warden_core::token;
use warden_core::*;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

/// Unordered, type-strict JSON equality (object member order is irrelevant).
fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Obj(x), Json::Obj(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && json_eq(v, v2)))
        }
        (Json::Arr(x), Json::Arr(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        _ => a == b,
    }
}

/// The claims as seen through the public accessors plus the extra-claims iterator.
fn exposed_claims(c: &Claims) -> Json {
    let mut m: Vec<(String, Json)> = Vec::new();
    let mut put = |k: &str, v: Option<Json>| {
        if let Some(v) = v {
            m.push((k.to_string(), v));
        }
    };
    put("sub", c.sub().map(Json::from));
    put("aud", c.aud().cloned());
    put("iat", c.iat().map(Json::Int));
    put("exp", c.exp().map(Json::Int));
    put("nbf", c.nbf().map(Json::Int));
    put("jti", c.jti().map(Json::from));
    put("iss", c.iss().map(Json::from));
    put("scope", c.scope().map(Json::from));
    put("ati", c.ati().cloned());
    for (k, v) in c.extra() {
        m.push((k.to_string(), v.clone()));
    }
    Json::Obj(m)
}

fn s<'a>(v: &'a Json, k: &str) -> &'a str {
    v.get(k)
        .and_then(Json::as_str)
        .unwrap_or_else(|| panic!("vector field {k} missing"))
}

fn strs(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_arr)
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn expect_error<T: std::fmt::Debug>(r: Result<T>, expect: &Json) -> Result<(), Failed> {
    let want = s(expect, "error");
    match r {
        Ok(v) => Err(format!("expected {want}, got success {v:?}").into()),
        Err(e) => {
            if e.code().as_str() != want {
                return Err(format!("expected {want}, got {e}").into());
            }
            if let Some(reason) = expect.get("reason").and_then(Json::as_str) {
                if e.reason() != Some(reason) {
                    return Err(format!("expected reason {reason}, got {e}").into());
                }
            }
            Ok(())
        }
    }
}

fn check_claims(c: &Claims, expect: &Json) -> Result<(), Failed> {
    let got = exposed_claims(c);
    if json_eq(&got, expect) {
        Ok(())
    } else {
        Err(format!("claims differ:\n got  {got}\n want {expect}").into())
    }
}

fn ati_validate(case: &Json, profile: &Json) -> Result<Claims> {
    let args = ValidateArgs {
        audience: s(profile, "audience").to_string(),
        issuer: profile
            .get("issuer")
            .and_then(Json::as_str)
            .map(str::to_string),
        leeway: profile
            .get("leeway_seconds")
            .and_then(Json::as_i64)
            .unwrap(),
        now: case.get("now").and_then(Json::as_i64),
    };
    let secret = s(case, "secret_hex");
    let token = s(case, "token");
    // The profile's max lifetime equals the default; build through the Verifier to use it.
    let key = Key::hs256_hex(secret, None)?;
    let mut o = VerifierOptions::new(vec![Alg::HS256]);
    o.audience = args.audience.clone();
    o.issuer = args.issuer.clone();
    o.leeway_seconds = args.leeway;
    o.max_lifetime_seconds = profile
        .get("max_lifetime_seconds")
        .and_then(Json::as_i64)
        .unwrap();
    o.now = args.now;
    let via_verifier = Verifier::with_key(key, o)?.verify(token);
    let via_shortcut = validate_token(token, secret, &args);
    assert_eq!(
        via_verifier.as_ref().map_err(|e| e.code()),
        via_shortcut.as_ref().map_err(|e| e.code())
    );
    via_shortcut
}

fn ati_issue(case: &Json, defaults: &Json) -> Result<String> {
    // Start from the file's issue_defaults, then apply issue_args (order-preserving).
    let mut obj: Vec<(String, Json)> = defaults.as_obj().unwrap().to_vec();
    for (k, v) in case.get("issue_args").and_then(Json::as_obj).unwrap() {
        obj.retain(|(n, _)| n != k);
        obj.push((k.clone(), v.clone()));
    }
    obj.push(("now".into(), case.get("issue_now").cloned().unwrap()));
    issue_token_json(s(case, "secret_hex"), &Json::Obj(obj))
}

fn ati_trials(file: &str, v: Arc<Json>) -> Vec<Trial> {
    let mut out = Vec::new();
    for (i, case) in v
        .get("accept")
        .and_then(Json::as_arr)
        .unwrap()
        .iter()
        .enumerate()
    {
        let v = v.clone();
        out.push(Trial::test(
            format!("{file}::accept::{}", s(case, "name")),
            move || {
                let case = &v.get("accept").unwrap().as_arr().unwrap()[i];
                let claims = ati_validate(case, v.get("profile").unwrap())?;
                check_claims(&claims, case.get("expect").unwrap().get("claims").unwrap())?;
                if case.get("reissue_identical").and_then(Json::as_bool) == Some(true) {
                    let tok = ati_issue(case, v.get("issue_defaults").unwrap())?;
                    if tok != s(case, "token") {
                        return Err(format!(
                            "re-issued token differs:\n got  {tok}\n want {}",
                            s(case, "token")
                        )
                        .into());
                    }
                }
                Ok(())
            },
        ));
    }
    for (i, case) in v
        .get("reject")
        .and_then(Json::as_arr)
        .unwrap()
        .iter()
        .enumerate()
    {
        let v = v.clone();
        out.push(Trial::test(
            format!("{file}::reject::{}", s(case, "name")),
            move || {
                let case = &v.get("reject").unwrap().as_arr().unwrap()[i];
                let expect = case.get("expect").unwrap();
                match s(case, "stage") {
                    "validate" => {
                        expect_error(ati_validate(case, v.get("profile").unwrap()), expect)
                    }
                    "issue" => {
                        expect_error(ati_issue(case, v.get("issue_defaults").unwrap()), expect)
                    }
                    other => Err(format!("unknown stage {other}").into()),
                }
            },
        ));
    }
    out
}

fn scope_trials(file: &str, v: Arc<Json>) -> Vec<Trial> {
    let mut out = Vec::new();
    let sections = [
        "parse",
        "match",
        "covers",
        "build_scope_string",
        "rate_specs",
    ];
    for sec in sections {
        for (i, case) in v
            .get(sec)
            .and_then(Json::as_arr)
            .unwrap_or_else(|| panic!("{sec}"))
            .iter()
            .enumerate()
        {
            let v = v.clone();
            out.push(Trial::test(
                format!("{file}::{sec}::{}", s(case, "name")),
                move || {
                    let case = &v.get(sec).unwrap().as_arr().unwrap()[i];
                    let expect = case.get("expect").unwrap();
                    match sec {
                        "parse" => {
                            let input = s(case, "input");
                            let r = parse_scopes(input);
                            if expect.get("valid").and_then(Json::as_bool) == Some(true) {
                                let want = strs(expect.get("tokens"));
                                let got = r?;
                                if got != want || !is_valid_scope(input) {
                                    return Err(format!("got {got:?}, want {want:?}").into());
                                }
                                Ok(())
                            } else {
                                if is_valid_scope(input) {
                                    return Err("is_valid_scope said true".into());
                                }
                                expect_error(
                                    r,
                                    &Json::Obj(vec![("error".into(), "INVALID_SCOPE".into())]),
                                )
                            }
                        }
                        "match" => {
                            let granted = strs(case.get("granted"));
                            let required = s(case, "required");
                            let want = expect.as_bool().unwrap();
                            let a = check_scope(required, &granted);
                            let b = ScopeSet::lenient(&granted).allows(required);
                            if a != want || b != want {
                                return Err(format!(
                                    "check_scope={a} ScopeSet.allows={b}, want {want}"
                                )
                                .into());
                            }
                            Ok(())
                        }
                        "covers" => {
                            let parent = strs(case.get("parent"));
                            let child = strs(case.get("child"));
                            let want = expect.as_bool().unwrap();
                            let got = child.iter().all(|c| covers(&parent, c));
                            let set = ScopeSet::lenient(&parent);
                            let got2 = child.iter().all(|c| set.covers(c));
                            if got != want || got2 != want {
                                return Err(format!("covers={got}/{got2}, want {want}").into());
                            }
                            Ok(())
                        }
                        "build_scope_string" => {
                            let args = case.get("args").unwrap();
                            let r = build_scope_string(
                                &strs(args.get("tools")),
                                &strs(args.get("skills")),
                                &strs(args.get("extra")),
                            );
                            match expect.get("scope") {
                                Some(want) => {
                                    let got = r?;
                                    if got != want.as_str().unwrap() {
                                        return Err(format!("got {got:?}").into());
                                    }
                                    Ok(())
                                }
                                None => expect_error(r, expect),
                            }
                        }
                        "rate_specs" => {
                            let r = RateSpec::parse(s(case, "input"));
                            if expect.get("valid").and_then(Json::as_bool) == Some(true) {
                                let got = r?;
                                let (c, w) = (
                                    expect.get("count").unwrap().as_i64().unwrap(),
                                    expect.get("window_seconds").unwrap().as_i64().unwrap(),
                                );
                                if got.count as i64 != c || got.window_seconds as i64 != w {
                                    return Err(format!("got {got:?}").into());
                                }
                                Ok(())
                            } else {
                                expect_error(
                                    r,
                                    &Json::Obj(vec![("error".into(), "INVALID_RATE_SPEC".into())]),
                                )
                            }
                        }
                        _ => unreachable!(),
                    }
                },
            ));
        }
    }
    out
}

// ---- warden_tokens.json (generated by `cargo run -p warden-core --example gen_vectors`) ----

fn key_from_spec(v: &Json, keys: &Json, public_only: bool) -> Result<Key> {
    let name = v.as_str().unwrap();
    let jwk = keys
        .get(name)
        .unwrap_or_else(|| panic!("unknown key {name}"));
    let k = Key::from_jwk_value(jwk)?;
    Ok(if public_only { k.public_key() } else { k })
}

fn keyset_for(case: &Json, keys: &Json) -> Result<KeySet> {
    if let Some(jwks) = case.get("jwks") {
        return KeySet::from_jwks(jwks.as_str().unwrap());
    }
    let list: Result<Vec<Key>> = case
        .get("keys")
        .unwrap()
        .as_arr()
        .unwrap()
        .iter()
        .map(|k| key_from_spec(k, keys, true))
        .collect();
    KeySet::new(list?)
}

fn run_warden_case(sec: &str, case: &Json, root: &Json) -> Result<(), Failed> {
    let keys = root.get("keys").unwrap();
    let expect = case.get("expect").unwrap();
    match sec {
        "verify" => {
            let r = (|| {
                let ks = keyset_for(case, keys)?;
                let opts = VerifierOptions::from_json(case.get("options").unwrap())?;
                Verifier::new(ks, opts)?.verify(s(case, "token"))
            })();
            match expect.get("claims") {
                Some(c) => check_claims(&r?, c),
                None => expect_error(r, expect),
            }
        }
        "inspect" => {
            let r = inspect_token(s(case, "token"));
            match expect.get("claims") {
                Some(c) => check_claims(&r?, c),
                None => expect_error(r, expect),
            }
        }
        "issue" => {
            let r = (|| {
                let key = key_from_spec(case.get("key").unwrap(), keys, false)?;
                let claims = Claims::from_json(case.get("claims").unwrap().clone())?;
                token::issue(&key, &claims, case.get("now").and_then(Json::as_i64))
            })();
            match expect.get("token") {
                Some(t) => {
                    let got = r?;
                    if got != t.as_str().unwrap() {
                        return Err(format!("got {got}").into());
                    }
                    Ok(())
                }
                None => expect_error(r, expect),
            }
        }
        "keys_ops" => {
            let input = s(case, "input");
            let kid = case.get("kid").and_then(Json::as_str);
            let r = match s(case, "op") {
                "hs256_hex" => Key::hs256_hex(input, kid),
                "from_jwk" => Key::from_jwk(input),
                "from_pem" => Key::from_pem(input, kid),
                "from_jwks" => KeySet::from_jwks(input).map(|ks| ks.keys()[0].clone()),
                other => return Err(format!("unknown key op {other}").into()),
            };
            match expect.get("alg") {
                Some(alg) => {
                    let k = r?;
                    if k.alg().as_str() != alg.as_str().unwrap()
                        || k.kid() != expect.get("kid").and_then(Json::as_str)
                    {
                        return Err(format!("got {k:?}").into());
                    }
                    if let Some(pj) = expect.get("public_jwk") {
                        let got = Json::parse(&k.public_jwk()?).unwrap();
                        if !json_eq(&got, pj) {
                            return Err(format!("public jwk {got}").into());
                        }
                    }
                    Ok(())
                }
                None => expect_error(r, expect),
            }
        }
        "provision" => {
            let r = (|| {
                let orch = Orchestrator::from_secret(
                    s(case, "proxy_url"),
                    s(case, "secret_hex"),
                    None,
                    None,
                )?;
                let a = case.get("args").unwrap();
                let args = ProvisionArgs {
                    tools: strs(a.get("tools")),
                    skills: strs(a.get("skills")),
                    extra_scopes: strs(a.get("extra_scopes")),
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
                    now: case.get("now").and_then(Json::as_i64),
                    jti: case.get("jti").and_then(Json::as_str).map(str::to_string),
                };
                orch.provision_sandbox(s(a, "agent_id"), &args)
            })();
            match expect.get("env") {
                Some(env) => {
                    let got = Json::Obj(r?.into_iter().map(|(k, v)| (k, Json::Str(v))).collect());
                    if !json_eq(&got, env) {
                        return Err(format!("got {got}").into());
                    }
                    Ok(())
                }
                None => expect_error(r, expect),
            }
        }
        "session_token_from_env" => {
            let dir = std::env::temp_dir().join(format!(
                "warden-vec-{}-{}",
                std::process::id(),
                s(case, "name")
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let mut env: Vec<(String, String)> = case
                .get("env")
                .and_then(Json::as_obj)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(content) = case.get("file_content").and_then(Json::as_str) {
                let p = dir.join("token");
                std::fs::write(&p, content).unwrap();
                env.push((format!("{}_FILE", s(case, "var")), p.display().to_string()));
            }
            let r = session_token_from(
                s(case, "var"),
                |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
                &dir.join("absent"),
            );
            let _ = std::fs::remove_dir_all(&dir);
            match expect.get("token") {
                Some(t) => {
                    let got = r?;
                    if got != t.as_str().unwrap() {
                        return Err(format!("got {got:?}").into());
                    }
                    Ok(())
                }
                None => expect_error(r, expect),
            }
        }
        other => Err(format!("no runner for section {other}").into()),
    }
}

fn warden_trials(file: &str, v: Arc<Json>) -> Vec<Trial> {
    let mut out = Vec::new();
    for (sec, cases) in v.as_obj().unwrap() {
        let Some(cases) = cases.as_arr() else {
            continue;
        };
        if sec == "notes" {
            continue;
        }
        for (i, case) in cases.iter().enumerate() {
            let v = v.clone();
            let sec = sec.clone();
            out.push(Trial::test(
                format!("{file}::{sec}::{}", s(case, "name")),
                move || {
                    let case = &v.get(&sec).unwrap().as_arr().unwrap()[i];
                    run_warden_case(&sec, case, &v)
                },
            ));
        }
    }
    out
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let v = Arc::new(
            Json::parse_with_depth(text.as_bytes(), 64).unwrap_or_else(|e| panic!("{name}: {e}")),
        );
        match name.as_str() {
            "ati_interop.json" => trials.extend(ati_trials(&name, v)),
            "scopes.json" => trials.extend(scope_trials(&name, v)),
            "warden_tokens.json" => trials.extend(warden_trials(&name, v)),
            // Engine-shaped files (`suite` + `clock`) are replayed by `engine_vectors.rs`.
            _ if v.get("suite").is_some() && v.get("clock").is_some() => {}
            // Messaging-shaped files (`suite` + `cases` of `fn`) are replayed by
            // `messaging_vectors.rs`, which fails on any file of its list that is missing.
            _ if v.get("suite").is_some() && name.starts_with("messaging_") => {}
            _ => trials.push(Trial::test(format!("{name}::runner"), move || {
                Err(format!("no Rust runner for {name}").into())
            })),
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
