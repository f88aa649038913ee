//! End to end through a live gateway (the real binary, on a real SQLite file — or PostgreSQL
//! when `WARDEN_E2E_DATABASE_URL` is set): every parity scenario must give exactly the
//! transcript of `tests/parity/expected/` (the local backend's), and every engine conformance
//! vector scenario must meet its expectations. Cases run one at a time (the test-mode gateway
//! holds one engine, reset per case).

#[path = "../../core/tests/replay/mod.rs"]
mod replay;

use libtest_mimic::{Arguments, Trial};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use warden_core::json::Json;

const KEY: &str = "wk_e2e_bootstrap_key_0123456789abcdef";

struct Gateway {
    child: Child,
    url: String,
    _dir: PathBuf,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Gateway {
    let dir = std::env::temp_dir().join(format!("warden-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warden-gateway"));
    // Two audit events per workspace in memory: every audit read past them goes to the store.
    cmd.args([
        "serve",
        "--test-mode",
        "--quiet",
        "--key-rate",
        "0",
        "--audit-memory",
        "2",
    ])
    .args(["--listen", &format!("127.0.0.1:{port}")])
    .env("WARDEN_BOOTSTRAP_KEY", KEY)
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    match std::env::var("WARDEN_E2E_DATABASE_URL") {
        Ok(url) if !url.is_empty() => cmd.args(["--database-url", &url]),
        _ => cmd.args(["--db", dir.join("e2e.db").to_str().unwrap()]),
    };
    let mut child = cmd.spawn().expect("spawn warden-gateway");
    let err = child.stderr.take().unwrap();
    let mut lines = BufReader::new(err).lines();
    loop {
        let line = lines
            .next()
            .expect("gateway exited before listening")
            .unwrap();
        if line.contains("\"listening\"") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Gateway {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    }
}

fn files(dir: &str) -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(dir);
    let mut v: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

fn main() {
    let mut args = Arguments::from_args();
    args.test_threads = Some(1);
    let gw = Arc::new(start());
    let mut trials = Vec::new();
    let expected_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/parity/expected");
    for path in files("tests/parity/scenarios") {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let doc = Arc::new(Json::parse(&std::fs::read_to_string(&path).unwrap()).unwrap());
        let expected = Arc::new(
            Json::parse(
                &std::fs::read_to_string(expected_dir.join(format!("{stem}.json"))).unwrap(),
            )
            .unwrap(),
        );
        let clock = doc.get("clock").and_then(Json::as_i64).unwrap();
        for (i, case) in doc
            .get("cases")
            .unwrap()
            .as_arr()
            .unwrap()
            .iter()
            .enumerate()
        {
            let name = case.get("name").and_then(Json::as_str).unwrap().to_string();
            let (doc, expected, gw) = (doc.clone(), expected.clone(), gw.clone());
            trials.push(Trial::test(format!("parity/{stem}::{name}"), move || {
                let case = &doc.get("cases").unwrap().as_arr().unwrap()[i];
                let (t, failures, _) = replay::run_scenario_with(
                    case,
                    clock,
                    replay::Backend::Remote {
                        url: &gw.url,
                        api_key: KEY,
                    },
                );
                if let Some(f) = failures.first() {
                    return Err(f.clone().into());
                }
                let want = expected
                    .get(&name)
                    .and_then(Json::as_arr)
                    .ok_or("case missing from expected/")?;
                for (k, (w, g)) in want.iter().zip(&t).enumerate() {
                    if w != g {
                        return Err(format!(
                            "step {k} differs from the local transcript:\n want {}\n got  {}",
                            w.to_compact(),
                            g.to_compact()
                        )
                        .into());
                    }
                }
                if want.len() != t.len() {
                    return Err(format!("{} steps, expected {}", t.len(), want.len()).into());
                }
                Ok(())
            }));
        }
    }
    for path in files("tests/vectors") {
        let doc = Arc::new(
            Json::parse_with_depth(std::fs::read_to_string(&path).unwrap().as_bytes(), 64).unwrap(),
        );
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
                continue;
            }
            let name = case.get("name").and_then(Json::as_str).unwrap().to_string();
            let (doc, gw) = (doc.clone(), gw.clone());
            trials.push(Trial::test(format!("vectors/{stem}::{name}"), move || {
                let case = &doc.get("cases").unwrap().as_arr().unwrap()[i];
                let (_, failures, _) = replay::run_scenario_with(
                    case,
                    clock,
                    replay::Backend::Remote {
                        url: &gw.url,
                        api_key: KEY,
                    },
                );
                match failures.first() {
                    None => Ok(()),
                    Some(f) => Err(f.clone().into()),
                }
            }));
        }
    }
    let c = libtest_mimic::run(&args, trials);
    drop(gw);
    c.exit();
}
