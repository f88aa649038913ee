//! Engine properties: delegation never widens authority, and the audit chain detects any single
//! altered, dropped or reordered event.

use proptest::prelude::*;
use std::sync::Arc;
use warden_core::engine::*;
use warden_core::json::Json;
use warden_core::scope::{allows, is_concrete};

fn pattern() -> impl Strategy<Value = String> {
    let seg = prop::sample::select(vec!["a", "b", "ab", "a.b", "x-1"]);
    let body = prop::collection::vec(seg, 1..3).prop_map(|v| v.join(":"));
    prop_oneof![
        (prop::sample::select(vec!["tool", "skill"]), body.clone())
            .prop_map(|(n, b)| format!("{n}:{b}")),
        (prop::sample::select(vec!["tool", "skill"]), body.clone())
            .prop_map(|(n, b)| format!("{n}:{b}:*")),
        (prop::sample::select(vec!["tool", "skill"]), body).prop_map(|(n, b)| format!("{n}:{b}*")),
        prop::sample::select(vec!["tool:*", "skill:*", "*"]).prop_map(str::to_string),
    ]
}

fn engine() -> Engine {
    Engine::new(
        EngineConfig {
            seed: Some(3),
            strict_mode: false,
            ..EngineConfig::default()
        },
        Arc::new(ManualClock::new(1_767_225_600_000)),
    )
    .unwrap()
}

fn call(e: &Engine, op: &str, args: Json) -> Result<Json, warden_core::Error> {
    e.call(op, &args)
}

fn obj(m: Vec<(&str, Json)>) -> Json {
    Json::Obj(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn list(v: &[String]) -> Json {
    Json::Arr(v.iter().map(|s| Json::Str(s.clone())).collect())
}

fn concretes(patterns: &[String], tails: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for p in patterns {
        let base = p.trim_end_matches('*');
        for t in tails {
            out.push(format!("{base}{t}"));
        }
        out.push(p.clone());
    }
    out.into_iter().filter(|s| is_concrete(s)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    /// For random parent capabilities and child scopes, a delegation the engine accepts (root
    /// and second level) never lets the child reach a scope its parent could not.
    #[test]
    fn delegation_never_widens(caps in prop::collection::vec(pattern(), 1..5),
                               child in prop::collection::vec(pattern(), 1..4),
                               grandchild in prop::collection::vec(pattern(), 1..4),
                               tails in prop::collection::vec("[ab1_.:-]{1,5}", 1..6)) {
        let e = engine();
        let a = call(&e, "create_agent", obj(vec![("name", "a".into()), ("capabilities", list(&caps))])).unwrap();
        let b = call(&e, "create_agent", obj(vec![("name", "b".into())])).unwrap();
        let c = call(&e, "create_agent", obj(vec![("name", "c".into())])).unwrap();
        let id = |v: &Json| v.get("agent_id").unwrap().clone();
        let d1 = call(&e, "create_delegation", obj(vec![("from_agent_id", id(&a)), ("to_agent_id", id(&b)), ("scopes", list(&child))]));
        if let Ok(d1) = d1 {
            for s in concretes(&child, &tails) {
                if child.iter().any(|p| allows(p, &s)) {
                    prop_assert!(caps.iter().any(|p| allows(p, &s)), "child {child:?} reaches {s} beyond {caps:?}");
                }
            }
            let d2 = call(&e, "create_delegation", obj(vec![("from_agent_id", id(&b)), ("to_agent_id", id(&c)), ("scopes", list(&grandchild)), ("parent_delegation_id", d1.get("delegation_id").unwrap().clone())]));
            if d2.is_ok() {
                for s in concretes(&grandchild, &tails) {
                    if grandchild.iter().any(|p| allows(p, &s)) {
                        prop_assert!(child.iter().any(|p| allows(p, &s)) && caps.iter().any(|p| allows(p, &s)));
                    }
                }
                // And the engine's own decisions agree: a delegation session never allows
                // what the root's capabilities do not.
                let ses = call(&e, "init_delegation_session", obj(vec![("delegation_id", d2.unwrap().get("delegation_id").unwrap().clone())])).unwrap();
                for s in concretes(&grandchild, &tails) {
                    let Some(tool) = s.strip_prefix("tool:") else { continue };
                    let d = call(&e, "check", obj(vec![("agent_id", id(&c)), ("session_id", ses.get("session_id").unwrap().clone()), ("tool", tool.into())])).unwrap();
                    if d.get("allowed") == Some(&Json::Bool(true)) {
                        prop_assert!(caps.iter().any(|p| allows(p, &s)));
                    }
                }
            }
        }
    }

    /// Any single edit, drop or swap of exported audit lines is detected.
    #[test]
    fn audit_chain_detects_tampering(n_checks in 3usize..12, victim in 0usize..100, mode in 0usize..4, byte in 0usize..1000) {
        let e = engine();
        let a = call(&e, "create_agent", obj(vec![("name", "a".into()), ("capabilities", list(&["tool:db:*".to_string()]))])).unwrap();
        let s = call(&e, "init_session", obj(vec![("agent_id", a.get("agent_id").unwrap().clone()), ("server_id", "s".into())])).unwrap();
        for i in 0..n_checks {
            let tool = if i % 2 == 0 { "db:query" } else { "rm_rf" };
            call(&e, "check", obj(vec![("agent_id", a.get("agent_id").unwrap().clone()), ("session_id", s.get("session_id").unwrap().clone()), ("tool", tool.into())])).unwrap();
        }
        let export = call(&e, "export_audit", obj(vec![])).unwrap();
        let text = export.as_str().unwrap();
        prop_assert!(verify_audit_export(text).ok);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let v = victim % lines.len();
        match mode {
            0 => {
                // Alter one character of one line (keeping it JSON when possible).
                let line = &mut lines[v];
                let pos = byte % line.len();
                let ch = line.as_bytes()[pos];
                let repl = if ch == b'a' { 'b' } else { 'a' };
                line.replace_range(pos..pos + 1, &repl.to_string());
            }
            1 => {
                lines.remove(v);
            }
            2 => {
                let w = (v + 1) % lines.len();
                lines.swap(v, w);
            }
            _ => {
                // Re-hash nothing but change the detail: an edited decision.
                lines[v] = lines[v].replacen("\"allowed\":false", "\"allowed\":true", 1).replacen("\"kind\":\"", "\"kind\":\"x", 1);
            }
        }
        let tampered = lines.join("\n") + "\n";
        // Dropping the first or the last line leaves a valid sub-chain: an export that starts
        // after seq 1 trusts its first prev_hash (SEMANTICS-engine §14), and an export states no
        // length. An auditor who asked for `since_seq=1` sees the first seq, and the engine's own
        // verify_chain (below) always starts at seq 1; the count exposes a dropped tail.
        let check = verify_audit_export(&tampered);
        if mode == 1 && (v == 0 || v == lines.len()) {
            let first_seq = lines.first().and_then(|l| Json::parse(l).ok()).and_then(|j| j.get("seq").and_then(Json::as_i64));
            prop_assert!(check.checked == (text.lines().count() - 1) as i64);
            prop_assert!(v != 0 || first_seq == Some(2));
        } else {
            prop_assert!(!check.ok, "undetected tampering (mode {mode}, line {v})");
        }
    }
}
