//! Replays the engine conformance vectors (SEMANTICS-engine §18) by name against the in-process
//! engine. Reads `../shared/vectors/` until the SDKs replay them too (then they move to
//! `tests/vectors/`).

use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use warden_core::client::{Client, Fault, Guard, GuardOptions};
use warden_core::engine::*;
use warden_core::json::Json;

fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

const FILES: [&str; 4] = [
    "effects.json",
    "guard_decisions.json",
    "delegation_public.json",
    "approvals_public.json",
];

fn primary(v: &Json) -> Json {
    let has = |k: &str| v.get(k).is_some();
    let key = if has("check_id") && has("allowed") {
        "check_id"
    } else if has("token") && has("jti") {
        "token"
    } else if has("approval_id") && has("status") && has("tool") {
        "approval_id"
    } else if has("delegation_id") && has("from_agent_id") {
        "delegation_id"
    } else if has("session_id") && has("server_id") {
        "session_id"
    } else if has("agent_id") && has("name") {
        "agent_id"
    } else {
        return v.clone();
    };
    v.get(key).cloned().unwrap_or(Json::Null)
}

fn resolve(v: &Json, aliases: &HashMap<String, Json>) -> Json {
    match v {
        Json::Str(s) if s.starts_with('$') => {
            let path: Vec<&str> = s[1..].split('.').collect();
            let Some(base) = aliases.get(path[0]) else {
                return v.clone();
            };
            if path.len() == 1 {
                return primary(base);
            }
            let mut cur = base.clone();
            for f in &path[1..] {
                cur = cur.get(f).cloned().unwrap_or(Json::Null);
            }
            cur
        }
        Json::Arr(a) => Json::Arr(a.iter().map(|x| resolve(x, aliases)).collect()),
        Json::Obj(m) => Json::Obj(
            m.iter()
                .map(|(k, x)| (k.clone(), resolve(x, aliases)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn matches(want: &Json, got: Option<&Json>, path: &str) -> Result<(), String> {
    match want {
        Json::Null => match got {
            None | Some(Json::Null) => Ok(()),
            Some(g) => Err(format!("{path}: want null, got {g}")),
        },
        Json::Str(s) if s == "<non-null>" => match got {
            None | Some(Json::Null) => Err(format!("{path}: want non-null")),
            _ => Ok(()),
        },
        Json::Obj(m) if m.len() == 1 && m[0].0 == "$ne" => match got {
            None | Some(Json::Null) => Err(format!("{path}: want non-null")),
            Some(g) if *g == m[0].1 => Err(format!("{path}: want != {g}")),
            _ => Ok(()),
        },
        Json::Obj(m) => {
            let g = got.ok_or_else(|| format!("{path}: missing object"))?;
            for (k, w) in m {
                matches(w, g.get(k), &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        Json::Arr(a) => {
            let g = got
                .and_then(Json::as_arr)
                .ok_or_else(|| format!("{path}: want array"))?;
            if g.len() != a.len() {
                return Err(format!(
                    "{path}: want {} elements, got {}",
                    a.len(),
                    g.len()
                ));
            }
            for (i, (w, x)) in a.iter().zip(g).enumerate() {
                matches(w, Some(x), &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        other => match got {
            Some(g) if g == other => Ok(()),
            g => Err(format!(
                "{path}: want {other}, got {}",
                g.map(|x| x.to_compact()).unwrap_or("absent".into())
            )),
        },
    }
}

fn check_result(
    expect: Option<&Json>,
    r: Result<Json, warden_core::Error>,
) -> Result<Json, String> {
    match (expect, r) {
        (Some(e), Err(err)) if e.get("error").is_some() => {
            matches(
                e.get("error").unwrap(),
                Some(&Json::from(err.code().as_str())),
                "error",
            )?;
            if let Some(reason) = e.get("reason") {
                matches(reason, err.reason().map(Json::from).as_ref(), "reason")?;
            }
            if let Some(d) = e.get("decision") {
                matches(d, err.decision(), "decision")?;
            }
            Ok(Json::Null)
        }
        (Some(e), Ok(v)) if e.get("error").is_some() => Err(format!(
            "want error {}, got success {v}",
            e.get("error").unwrap()
        )),
        (_, Err(err)) => Err(format!("unexpected error {err}")),
        (Some(e), Ok(v)) => {
            matches(e, Some(&v), "result")?;
            Ok(v)
        }
        (None, Ok(v)) => Ok(v),
    }
}

fn run_scenario(case: &Json, clock_s: i64) -> Result<(), Failed> {
    let cfg = match case.get("engine") {
        Some(e) => EngineConfig::from_json(e)?,
        None => EngineConfig {
            strict_mode: false,
            ..EngineConfig::default()
        },
    };
    let cfg = EngineConfig {
        seed: Some(7),
        ..cfg
    };
    let clock = Arc::new(ManualClock::new(clock_s * 1000));
    let strict = cfg.strict_mode;
    let engine = Arc::new(Engine::new(cfg, clock.clone())?);
    let client = Client::with_engine(engine.clone());
    let mut guards: HashMap<String, Guard> = HashMap::new();
    let mut aliases: HashMap<String, Json> = HashMap::new();
    for (i, step) in case
        .get("steps")
        .and_then(Json::as_arr)
        .unwrap()
        .iter()
        .enumerate()
    {
        let op = step.get("op").and_then(Json::as_str).unwrap();
        if op == "advance" {
            clock.advance(step.get("seconds").and_then(Json::as_i64).unwrap() * 1000);
            continue;
        }
        let args = resolve(step.get("args").unwrap_or(&Json::Null), &aliases);
        let expect = step.get("expect").map(|e| resolve(e, &aliases));
        let fault = step
            .get("fault")
            .and_then(Json::as_str)
            .map(Fault::parse)
            .transpose()?;
        client.set_fault(fault);
        let r = match op {
            "new_guard" => {
                let mut o = GuardOptions::new(
                    args.get("agent_id")
                        .and_then(Json::as_str)
                        .unwrap_or_default(),
                );
                o.session_id = args
                    .get("session_id")
                    .and_then(Json::as_str)
                    .map(str::to_string);
                o.block_on_deny = args
                    .get("block_on_deny")
                    .and_then(Json::as_bool)
                    .unwrap_or(true);
                o.fail_open = args
                    .get("fail_open")
                    .and_then(Json::as_bool)
                    .unwrap_or(false);
                o.default_effect = args
                    .get("default_effect")
                    .and_then(Json::as_str)
                    .map(Effect::parse)
                    .transpose()?;
                o.strict_mode = strict;
                o.flush_timer = false;
                let g = Guard::new(client.clone(), o)?;
                let name = step
                    .get("as")
                    .and_then(Json::as_str)
                    .unwrap_or("_guard")
                    .to_string();
                guards.insert(name.clone(), g);
                Ok(Json::Str(format!("guard:{name}")))
            }
            "guard_check" | "guard_close" => {
                let gname = args
                    .get("guard")
                    .and_then(Json::as_str)
                    .and_then(|s| s.strip_prefix("guard:"))
                    .unwrap_or_default()
                    .to_string();
                let g = guards
                    .get(&gname)
                    .ok_or_else(|| format!("step {i}: unknown guard"))?;
                if op == "guard_close" {
                    g.close();
                    Ok(Json::Null)
                } else {
                    let tool = args.get("tool").and_then(Json::as_str).unwrap_or_default();
                    let input = args
                        .get("input_summary")
                        .and_then(Json::as_str)
                        .unwrap_or_default();
                    g.check(tool, input, args.get("effect").and_then(Json::as_str))
                        .map(|d| d.to_json())
                }
            }
            _ => client.call(op, &args),
        };
        client.set_fault(None);
        let v = check_result(expect.as_ref(), r).map_err(|e| format!("step {i} ({op}): {e}"))?;
        if let Some(name) = step.get("as").and_then(Json::as_str) {
            aliases.insert(name.to_string(), v);
        }
    }
    Ok(())
}

fn run_pure(file: &str, case: &Json) -> Result<(), Failed> {
    let expect = case.get("expect").unwrap();
    if file == "effects.json" {
        let tool = case.get("tool").and_then(Json::as_str).unwrap();
        let eff = case.get("effect").and_then(Json::as_str);
        let r = eff
            .map(Effect::parse)
            .transpose()
            .and_then(|e| resolve_effect(tool, e))
            .map(|e| {
                Json::Obj(vec![
                    ("effect".into(), e.as_str().into()),
                    (
                        "words".into(),
                        Json::Arr(tool_words(tool).into_iter().map(Json::Str).collect()),
                    ),
                ])
            });
        return check_result(Some(expect), r)
            .map(|_| ())
            .map_err(Into::into);
    }
    let args = case.get("args").unwrap();
    let value = match case.get("op").and_then(Json::as_str).unwrap() {
        "summarize_input" => Json::Str(summarize_input(
            args.get("text").and_then(Json::as_str).unwrap(),
            args.get("log_inputs").and_then(Json::as_bool).unwrap(),
        )),
        "covers" => {
            let parents: Vec<String> = args
                .get("parent_patterns")
                .and_then(Json::as_arr)
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect();
            Json::Bool(warden_core::covers(
                &parents,
                args.get("child_pattern").and_then(Json::as_str).unwrap(),
            ))
        }
        other => return Err(format!("no pure runner for {other}").into()),
    };
    check_result(Some(expect), Ok(Json::Obj(vec![("value".into(), value)])))
        .map(|_| ())
        .map_err(Into::into)
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for file in FILES {
        let text = std::fs::read_to_string(shared_dir().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let doc = Arc::new(Json::parse_with_depth(text.as_bytes(), 64).unwrap());
        let clock = doc.get("clock").and_then(Json::as_i64).unwrap_or(0);
        for (i, case) in doc
            .get("cases")
            .and_then(Json::as_arr)
            .unwrap()
            .iter()
            .enumerate()
        {
            let name = case.get("name").and_then(Json::as_str).unwrap().to_string();
            let doc = doc.clone();
            trials.push(Trial::test(format!("{file}::{name}"), move || {
                let case = &doc.get("cases").unwrap().as_arr().unwrap()[i];
                if case.get("steps").is_some() {
                    run_scenario(case, clock)
                } else {
                    run_pure(file, case)
                }
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
