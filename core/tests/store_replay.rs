//! Durability by journal replay: every engine vector scenario and every parity scenario runs on
//! an engine opened over a `MemoryStore` (so every write is journaled, on a pinned clock), must
//! still meet all its expectations, and an engine re-opened from the same store must hold
//! exactly the same state (audit chains, agents, approvals, delegations, sessions).

mod replay;

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;
use std::sync::Arc;
use warden_core::engine::*;
use warden_core::json::Json;

fn collect(v: &Json, key: &str, out: &mut Vec<String>) {
    match v {
        Json::Obj(m) => {
            for (k, x) in m {
                if k == key {
                    if let Some(s) = x.as_str() {
                        if !out.iter().any(|o| o == s) {
                            out.push(s.to_string());
                        }
                    }
                }
                collect(x, key, out);
            }
        }
        Json::Arr(a) => a.iter().for_each(|x| collect(x, key, out)),
        _ => {}
    }
}

fn dump(e: &Engine, workspaces: &[String], sessions: &[String]) -> Json {
    let mut out = Vec::new();
    let call = |op: &str, args: Json| match e.call(op, &args) {
        Ok(v) => v,
        Err(err) => Json::Str(format!("error {}", err.code().as_str())),
    };
    for ws in workspaces {
        let w = || ("workspace".to_string(), Json::from(ws.as_str()));
        let lim = || ("limit".to_string(), Json::Int(100));
        out.push(call("export_audit", Json::Obj(vec![w()])));
        out.push(call("verify_chain", Json::Obj(vec![w()])));
        out.push(call("list_agents", Json::Obj(vec![w(), lim()])));
        out.push(call("list_approvals", Json::Obj(vec![w(), lim()])));
        out.push(call("list_delegations", Json::Obj(vec![w(), lim()])));
        out.push(call("get_policy", Json::Obj(vec![w()])));
    }
    for s in sessions {
        out.push(call(
            "get_session",
            Json::Obj(vec![("session_id".into(), s.as_str().into())]),
        ));
    }
    Json::Arr(out)
}

/// What [`run`] leaves: the state dump, the store, and what re-opening the store takes.
struct Ran {
    dump: Json,
    store: Arc<MemoryStore>,
    cfg: EngineConfig,
    now: i64,
    workspaces: Vec<String>,
    sessions: Vec<String>,
}

/// Runs the scenario journaled, re-opens the store and compares; returns the state dump.
fn run(case: &Json, clock: i64, audit_in_store: Option<usize>) -> Result<Ran, Failed> {
    let store = Arc::new(match audit_in_store {
        Some(n) => MemoryStore::with_audit(n),
        None => MemoryStore::new(),
    });
    // One seed for both runs of `run_audit_in_store`, so their ids and hashes can be compared.
    store.meta_set("engine_seed", "424242")?;
    let (transcript, failures, ran) = replay::run_scenario_on(case, clock, Some(store.clone()));
    if let Some(f) = failures.first() {
        return Err(format!("journaled engine: {f}").into());
    }
    let (engine, clk, cfg) = ran.ok_or("no engine")?;
    let t = Json::Arr(transcript);
    let mut workspaces = vec!["default".to_string()];
    collect(&t, "workspace", &mut workspaces);
    let mut sessions = Vec::new();
    collect(&t, "session_id", &mut sessions);
    sessions.retain(|s| s.starts_with("ses_"));
    let before = dump(&engine, &workspaces, &sessions);
    let journaled = engine.journal_len();
    drop(engine);
    let clock2 = Arc::new(ManualClock::new(clk.now_ms()));
    let reopened = Engine::open(EngineConfig { seed: None, ..cfg }, clock2, store.clone())?;
    if reopened.journal_len() != journaled || journaled as usize != store.len() {
        return Err(format!(
            "journal length {journaled} vs reopened {} vs store {}",
            reopened.journal_len(),
            store.len()
        )
        .into());
    }
    let after = dump(&reopened, &workspaces, &sessions);
    if before != after {
        let (b, a) = (before.to_compact(), after.to_compact());
        let at = b.bytes().zip(a.bytes()).take_while(|(x, y)| x == y).count();
        return Err(format!(
            "state differs after replay at byte {at}: before …{}… after …{}…",
            &b[at.saturating_sub(80)..(at + 80).min(b.len())],
            &a[at.saturating_sub(80)..(at + 80).min(a.len())]
        )
        .into());
    }
    Ok(Ran {
        dump: after,
        store,
        cfg: EngineConfig {
            seed: None,
            ..reopened.config().clone()
        },
        now: clk.now_ms(),
        workspaces,
        sessions,
    })
}

/// The same scenario with the audit log kept in the store and at most `keep` events per
/// workspace in memory: every expectation still holds, and the whole state (audit exports,
/// chain checks …) equals that of the engine holding every event in memory.
fn run_audit_in_store(case: &Json, clock: i64, keep: usize) -> Result<(), Failed> {
    let full = run(case, clock, None)?;
    let spilled = run(case, clock, Some(keep)).map_err(|e| format!("audit in store: {e:?}"))?;
    compare(&full.dump, &spilled.dump, keep, "store")?;
    // A database from before the store kept the audit log: its journal, no audit records.
    // Opening it writes the events replay regenerates, and the state is the same again.
    let migrated = Arc::new(MemoryStore::with_audit(keep));
    migrated.meta_set("engine_seed", "424242")?;
    full.store.load(&mut |e| migrated.append(&e))?;
    let reopened = Engine::open(
        full.cfg.clone(),
        Arc::new(ManualClock::new(full.now)),
        migrated,
    )?;
    let backfilled = dump(&reopened, &full.workspaces, &full.sessions);
    compare(&full.dump, &backfilled, keep, "backfilled store")
}

fn compare(full: &Json, spilled: &Json, keep: usize, what: &str) -> Result<(), Failed> {
    if full != spilled {
        let (b, a) = (full.to_compact(), spilled.to_compact());
        let at = b.bytes().zip(a.bytes()).take_while(|(x, y)| x == y).count();
        return Err(format!(
            "audit in {what} (keep {keep}) differs at byte {at}: memory …{}… store …{}…",
            &b[at.saturating_sub(80)..(at + 80).min(b.len())],
            &a[at.saturating_sub(80)..(at + 80).min(a.len())]
        )
        .into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut trials = Vec::new();
    for dir in ["tests/vectors", "tests/parity/scenarios"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let doc = Arc::new(Json::parse_with_depth(text.as_bytes(), 64).unwrap());
            let Some(clock) = doc.get("clock").and_then(Json::as_i64) else {
                continue;
            };
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            for (i, case) in doc
                .get("cases")
                .unwrap()
                .as_arr()
                .unwrap()
                .iter()
                .enumerate()
            {
                if case.get("steps").is_none() {
                    continue; // pure cases have no state
                }
                let name = case.get("name").and_then(Json::as_str).unwrap();
                let d = doc.clone();
                trials.push(Trial::test(format!("{stem}::{name}"), move || {
                    run(&d.get("cases").unwrap().as_arr().unwrap()[i], clock, None).map(|_| ())
                }));
                let d = doc.clone();
                trials.push(Trial::test(
                    format!("audit_in_store::{stem}::{name}"),
                    move || {
                        run_audit_in_store(&d.get("cases").unwrap().as_arr().unwrap()[i], clock, 1)
                    },
                ));
            }
        }
    }
    assert!(
        trials.len() > 150,
        "too few scenarios found: {}",
        trials.len()
    );
    libtest_mimic::run(&args, trials).exit();
}
