//! The Rust parity runner (tests/parity/README.md): replays every scenario of
//! `tests/parity/scenarios/*.json` by name, checks its expectations, and writes the transcripts
//! (`tests/parity/out/rust/<file stem>.json`, or `$WARDEN_PARITY_OUT`) that every other
//! language's transcripts are compared with.

mod replay;

use libtest_mimic::{Arguments, Trial};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use warden_core::json::Json;

type Transcripts = Arc<Mutex<BTreeMap<String, Vec<(String, Json)>>>>;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/parity");
    let out = std::env::var_os("WARDEN_PARITY_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("out/rust"));
    let args = Arguments::from_args();
    let transcripts: Transcripts = Arc::default();
    let mut trials = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root.join("scenarios"))
        .expect("tests/parity/scenarios")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no parity scenarios");
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = Arc::new(
            Json::parse_with_depth(text.as_bytes(), 64).unwrap_or_else(|e| panic!("{stem}: {e}")),
        );
        let clock = doc.get("clock").and_then(Json::as_i64).expect("clock");
        let cases = doc.get("cases").and_then(Json::as_arr).expect("cases");
        transcripts
            .lock()
            .unwrap()
            .insert(stem.clone(), Vec::with_capacity(cases.len()));
        for (i, case) in cases.iter().enumerate() {
            let name = case.get("name").and_then(Json::as_str).unwrap().to_string();
            let (doc, stem, ts) = (doc.clone(), stem.clone(), transcripts.clone());
            trials.push(Trial::test(format!("{stem}::{name}"), move || {
                let case = &doc.get("cases").unwrap().as_arr().unwrap()[i];
                let (t, failures) = replay::run_scenario(case, clock);
                ts.lock()
                    .unwrap()
                    .get_mut(&stem)
                    .unwrap()
                    .push((name, Json::Arr(t)));
                match failures.is_empty() {
                    true => Ok(()),
                    false => Err(failures.join("\n").into()),
                }
            }));
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    std::fs::create_dir_all(&out).unwrap();
    for (stem, mut cases) in std::mem::take(&mut *transcripts.lock().unwrap()) {
        if cases.is_empty() {
            continue;
        }
        cases.sort_by(|a, b| a.0.cmp(&b.0));
        let doc = Json::Obj(cases);
        std::fs::write(out.join(format!("{stem}.json")), doc.to_compact() + "\n").unwrap();
    }
    conclusion.exit();
}
