//! One replay routine for engine-shaped cases (SEMANTICS-engine §18): the engine conformance
//! vectors (`engine_vectors.rs`) and the parity scenarios (`parity.rs`, tests/parity/README.md).
//! Every step's full result is recorded, so the same run yields the transcript the other
//! languages' runners are compared with.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use warden_core::client::{Client, Fault, Guard, GuardOptions};
use warden_core::engine::*;
use warden_core::json::Json;

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

/// Partial match of `want` against `got` with the vector matchers.
pub fn matches(want: &Json, got: Option<&Json>, path: &str) -> Result<(), String> {
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

/// Checks one result against an expectation; returns the value to bind with `as`.
pub fn check_result(
    expect: Option<&Json>,
    r: &Result<Json, warden_core::Error>,
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
            matches(e, Some(v), "result")?;
            Ok(v.clone())
        }
        (None, Ok(v)) => Ok(v.clone()),
    }
}

fn record(i: usize, op: &str, r: &Result<Json, warden_core::Error>) -> Json {
    let mut m = vec![
        ("i".to_string(), Json::Int(i as i64)),
        ("op".to_string(), Json::from(op)),
    ];
    match r {
        Ok(v) => m.push(("result".into(), v.clone())),
        Err(e) => m.push((
            "error".into(),
            Json::Obj(vec![
                ("code".into(), Json::from(e.code().as_str())),
                (
                    "reason".into(),
                    e.reason().map(Json::from).unwrap_or(Json::Null),
                ),
                (
                    "decision".into(),
                    e.decision().cloned().unwrap_or(Json::Null),
                ),
            ]),
        )),
    }
    Json::Obj(m)
}

fn arg_str<'a>(args: &'a Json, k: &str) -> Option<&'a str> {
    args.get(k).and_then(Json::as_str)
}

/// Runs one scenario case: returns its transcript and every expectation failure.
pub fn run_scenario(case: &Json, clock_s: i64) -> (Vec<Json>, Vec<String>) {
    let (t, f, _) = run_scenario_on(case, clock_s, None);
    (t, f)
}

/// The scenario's engine after the run, with its clock (for state comparisons).
pub type Ran = Option<(Arc<Engine>, Arc<ManualClock>, EngineConfig)>;

/// [`run_scenario`] on an engine opened over `store` (journaled) when one is given.
pub fn run_scenario_on(
    case: &Json,
    clock_s: i64,
    store: Option<Arc<dyn Store>>,
) -> (Vec<Json>, Vec<String>, Ran) {
    run_scenario_with(case, clock_s, Backend::Local(store))
}

/// Where a scenario runs.
pub enum Backend<'a> {
    /// An in-process engine (journaled over the store when one is given).
    Local(Option<Arc<dyn Store>>),
    /// A live gateway in test mode: `test_reset` per case, `test_advance` for `advance`.
    Remote { url: &'a str, api_key: &'a str },
}

/// Runs one scenario case on a backend.
pub fn run_scenario_with(
    case: &Json,
    clock_s: i64,
    backend: Backend,
) -> (Vec<Json>, Vec<String>, Ran) {
    let mut transcript = Vec::new();
    let mut failures = Vec::new();
    let cfg = match case.get("engine") {
        Some(e) => match EngineConfig::from_json(e) {
            Ok(c) => c,
            Err(e) => return (transcript, vec![format!("engine config: {e}")], None),
        },
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
    let cfg_used = cfg.clone();
    let (client, engine) = match backend {
        Backend::Remote { url, api_key } => {
            let c = match Client::connect(url, api_key, &Json::Null) {
                Ok(c) => c,
                Err(e) => return (transcript, vec![format!("connect: {e}")], None),
            };
            let reset = Json::Obj(vec![
                (
                    "engine".into(),
                    case.get("engine").cloned().unwrap_or(Json::Null),
                ),
                ("clock_ms".into(), Json::Int(clock_s * 1000)),
            ]);
            if let Err(e) = c.call("test_reset", &reset) {
                return (transcript, vec![format!("test_reset: {e}")], None);
            }
            (c, None)
        }
        Backend::Local(store) => {
            let opened = match store {
                Some(st) => Engine::open(EngineConfig { seed: None, ..cfg }, clock.clone(), st),
                None => Engine::new(cfg, clock.clone()),
            };
            match opened {
                Ok(e) => {
                    let e = Arc::new(e);
                    (Client::with_engine(e.clone()), Some(e))
                }
                Err(e) => return (transcript, vec![format!("engine: {e}")], None),
            }
        }
    };
    let mut guards: HashMap<String, Guard> = HashMap::new();
    let mut aliases: HashMap<String, Json> = HashMap::new();
    let empty = Vec::new();
    let steps = case.get("steps").and_then(Json::as_arr).unwrap_or(&empty);
    for (i, step) in steps.iter().enumerate() {
        let op = step.get("op").and_then(Json::as_str).unwrap_or_default();
        if op == "advance" {
            let secs = step.get("seconds").and_then(Json::as_i64).unwrap_or(0);
            clock.advance(secs * 1000);
            if engine.is_none() {
                let a = Json::Obj(vec![("seconds".into(), Json::Int(secs))]);
                if let Err(e) = client.call("test_advance", &a) {
                    failures.push(format!("step {i}: test_advance: {e}"));
                }
            }
            transcript.push(record(i, op, &Ok(Json::Null)));
            continue;
        }
        let args = resolve(step.get("args").unwrap_or(&Json::Null), &aliases);
        let expect = step.get("expect").map(|e| resolve(e, &aliases));
        let fault = match step.get("fault").and_then(Json::as_str).map(Fault::parse) {
            None => None,
            Some(Ok(f)) => Some(f),
            Some(Err(e)) => {
                failures.push(format!("step {i} ({op}): bad fault: {e}"));
                continue;
            }
        };
        client.set_fault(fault);
        let guard = || {
            let name = arg_str(&args, "guard")
                .and_then(|s| s.strip_prefix("guard:"))
                .unwrap_or_default();
            guards
                .get(name)
                .cloned()
                .ok_or_else(|| warden_core::Error::validation("unknown guard"))
        };
        let r: Result<Json, warden_core::Error> = match op {
            "new_guard" => (|| {
                let mut o = GuardOptions::new(arg_str(&args, "agent_id").unwrap_or_default());
                o.session_id = arg_str(&args, "session_id").map(str::to_string);
                o.block_on_deny = args
                    .get("block_on_deny")
                    .and_then(Json::as_bool)
                    .unwrap_or(true);
                o.fail_open = args
                    .get("fail_open")
                    .and_then(Json::as_bool)
                    .unwrap_or(false);
                o.default_effect = arg_str(&args, "default_effect")
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
            })(),
            "guard_check" => guard().and_then(|g| {
                g.check(
                    arg_str(&args, "tool").unwrap_or_default(),
                    arg_str(&args, "input_summary").unwrap_or_default(),
                    arg_str(&args, "effect"),
                )
                .map(|d| d.to_json())
            }),
            "guard_report" => guard().map(|g| {
                g.report(
                    arg_str(&args, "tool").unwrap_or_default(),
                    args.get("success").and_then(Json::as_bool).unwrap_or(false),
                    args.get("duration_ms").and_then(Json::as_i64).unwrap_or(0),
                    arg_str(&args, "error_type"),
                );
                Json::Null
            }),
            "guard_flush" => guard().map(|g| {
                g.flush();
                Json::Null
            }),
            "guard_close" => guard().map(|g| {
                g.close();
                Json::Null
            }),
            "guard_stats" => guard().map(|g| {
                let s = g.stats();
                Json::Obj(vec![
                    ("buffered".into(), Json::Int(s.buffered as i64)),
                    ("sent".into(), Json::Int(s.sent as i64)),
                    ("dropped".into(), Json::Int(s.dropped as i64)),
                    ("invalid".into(), Json::Int(s.invalid as i64)),
                    ("failed_flushes".into(), Json::Int(s.failed_flushes as i64)),
                ])
            }),
            "check" => client
                .check(
                    arg_str(&args, "agent_id").unwrap_or_default(),
                    arg_str(&args, "session_id").unwrap_or_default(),
                    arg_str(&args, "tool").unwrap_or_default(),
                    arg_str(&args, "input_summary").unwrap_or_default(),
                    arg_str(&args, "effect"),
                )
                .map(|d| d.to_json()),
            _ => client.call(op, &args),
        };
        client.set_fault(None);
        transcript.push(record(i, op, &r));
        match check_result(expect.as_ref(), &r) {
            Ok(v) => {
                if let Some(name) = step.get("as").and_then(Json::as_str) {
                    aliases.insert(name.to_string(), v);
                }
            }
            Err(e) => failures.push(format!("step {i} ({op}): {e}")),
        }
    }
    let ran = engine.map(|e| (e, clock, cfg_used));
    (transcript, failures, ran)
}
