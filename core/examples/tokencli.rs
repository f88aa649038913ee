//! A line-oriented JSON driver over the core, used by the peer interop script
//! (`tests/interop/ati_pyjwt_interop.py`): one JSON request per stdin line, one JSON answer per
//! stdout line. Requests:
//! - `{"op":"issue_ati","secret":HEX,"args":{issue_token keyword args}}` → `{"token":…}`
//! - `{"op":"validate","secret":HEX,"token":…,"issuer"?:…,"now"?:…}` → `{"claims":{…}}`
//! - `{"op":"issue","jwk":{…},"claims":{…}}` → `{"token":…}`
//! - `{"op":"verify","jwks":{…}|"jwk":{…},"options":{…},"token":…}` → `{"claims":{…}}`
//! - `{"op":"generate","alg":"EdDSA"|"ES256","kid":…}` → `{"jwk":{private JWK}}`
//!
//! Errors answer `{"error":CODE,"reason":…}`.

use std::io::{BufRead, Write};
use warden_core::json::Json;
use warden_core::*;

fn answer(r: Result<Json>) -> Json {
    match r {
        Ok(v) => v,
        Err(e) => {
            let mut m = vec![
                ("error".to_string(), Json::from(e.code().as_str())),
                ("message".to_string(), Json::from(e.message())),
            ];
            if let Some(r) = e.reason() {
                m.push(("reason".into(), Json::from(r)));
            }
            Json::Obj(m)
        }
    }
}

fn field<'a>(v: &'a Json, k: &str) -> Result<&'a Json> {
    v.get(k)
        .ok_or_else(|| Error::validation(format!("missing {k}")))
}

fn text<'a>(v: &'a Json, k: &str) -> Result<&'a str> {
    field(v, k)?
        .as_str()
        .ok_or_else(|| Error::validation(format!("{k} must be a string")))
}

fn handle(req: &Json) -> Result<Json> {
    let one = |k: &str, v: Json| Json::Obj(vec![(k.to_string(), v)]);
    match text(req, "op")? {
        "issue_ati" => Ok(one(
            "token",
            issue_token_json(text(req, "secret")?, field(req, "args")?)?.into(),
        )),
        "validate" => {
            let args = ValidateArgs {
                issuer: req.get("issuer").and_then(Json::as_str).map(str::to_string),
                now: req.get("now").and_then(Json::as_i64),
                ..ValidateArgs::default()
            };
            let c = validate_token(text(req, "token")?, text(req, "secret")?, &args)?;
            Ok(one("claims", c.to_json()))
        }
        "issue" => {
            let key = Key::from_jwk_value(field(req, "jwk")?)?;
            let t = token::issue(
                &key,
                &Claims::from_json(field(req, "claims")?.clone())?,
                None,
            )?;
            Ok(one("token", t.into()))
        }
        "verify" => {
            let ks = match req.get("jwks") {
                Some(j) => KeySet::from_jwks_value(j)?,
                None => KeySet::from(Key::from_jwk_value(field(req, "jwk")?)?),
            };
            let v = Verifier::new(ks, VerifierOptions::from_json(field(req, "options")?)?)?;
            Ok(one("claims", v.verify(text(req, "token")?)?.to_json()))
        }
        "generate" => {
            let kid = req.get("kid").and_then(Json::as_str);
            let k = match text(req, "alg")? {
                "EdDSA" => Key::generate_ed25519(kid)?,
                "ES256" => Key::generate_es256(kid)?,
                other => return Err(Error::validation(format!("cannot generate {other}"))),
            };
            Ok(one("jwk", k.to_jwk_value(true)))
        }
        other => Err(Error::validation(format!("unknown op {other}"))),
    }
}

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let resp = match Json::parse(&line) {
            Ok(req) => answer(catch_panic(|| handle(&req))),
            Err(e) => answer(Err(Error::validation(format!("bad request JSON: {e}")))),
        };
        let _ = writeln!(out, "{}", resp.to_compact());
        let _ = out.flush();
    }
}
