//! Replays every engine-shaped conformance vector file in `tests/vectors/` (top level `suite` +
//! `clock`; SEMANTICS-engine §18) by name against the in-process engine. The token-shaped files
//! are `vectors.rs`'s.

use libtest_mimic::{Arguments, Failed, Trial};
mod replay;

use replay::check_result;
use std::path::PathBuf;
use std::sync::Arc;
use warden_core::engine::*;
use warden_core::json::Json;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn run_case(case: &Json, clock_s: i64) -> Result<(), Failed> {
    let (_, failures) = replay::run_scenario(case, clock_s);
    match failures.first() {
        None => Ok(()),
        Some(f) => Err(f.clone().into()),
    }
}

fn run_pure(case: &Json) -> Result<(), Failed> {
    let expect = case.get("expect").unwrap();
    if case.get("op").is_none() {
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
        return check_result(Some(expect), &r)
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
    check_result(Some(expect), &Ok(Json::Obj(vec![("value".into(), value)])))
        .map(|_| ())
        .map_err(Into::into)
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
        let file: &'static str = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string()
            .leak();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let doc = Arc::new(Json::parse_with_depth(text.as_bytes(), 64).unwrap());
        if doc.get("suite").is_none() || doc.get("clock").is_none() {
            continue;
        }
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
                    run_case(case, clock)
                } else {
                    run_pure(case)
                }
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
