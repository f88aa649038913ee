//! In-process `guard.check` latency (decision + audit append + counters), p50/p99, single thread
//! and under 8 concurrent callers, on the Local engine. Prints one line per scenario.

use std::sync::Arc;
use std::time::Instant;
use warden_core::client::{Client, Guard, GuardOptions};
use warden_core::json::Json;

fn pct(v: &mut [u64], p: f64) -> u64 {
    v.sort_unstable();
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn setup() -> (Client, String, String) {
    let client = Client::local().unwrap();
    let a = client.call("create_agent", &Json::parse(r#"{"name":"bench","capabilities":["tool:web_search","tool:db:*","tool:kanban:*"]}"#).unwrap()).unwrap();
    let agent = a.get("agent_id").unwrap().as_str().unwrap().to_string();
    let s = client
        .call(
            "init_session",
            &Json::parse(&format!(
                r#"{{"agent_id":"{agent}","server_id":"bench","mode":"open"}}"#
            ))
            .unwrap(),
        )
        .unwrap();
    (
        client,
        agent,
        s.get("session_id").unwrap().as_str().unwrap().to_string(),
    )
}

fn run(threads: usize, per_thread: usize) -> (u64, u64, f64) {
    let (client, agent, session) = setup();
    let mut o = GuardOptions::new(agent);
    o.session_id = Some(session);
    o.flush_timer = false;
    let guard = Arc::new(Guard::new(client, o).unwrap());
    // Warm-up.
    for _ in 0..2000 {
        guard.check("db:query", "", None).unwrap();
    }
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let g = guard.clone();
            std::thread::spawn(move || {
                let mut lat = Vec::with_capacity(per_thread);
                let tools = ["web_search", "db:query", "kanban:list_cards"];
                for i in 0..per_thread {
                    let t0 = Instant::now();
                    let d = g.check(tools[(i + t) % 3], "", None).unwrap();
                    lat.push(t0.elapsed().as_nanos() as u64);
                    assert!(d.allowed);
                }
                lat
            })
        })
        .collect();
    let mut all: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let wall = start.elapsed().as_secs_f64();
    let n = all.len() as f64;
    (pct(&mut all, 0.50), pct(&mut all, 0.99), n / wall)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    println!("guard.check in-process (Local engine; decision + audit append + counters)");
    for (threads, n) in [(1usize, 100_000usize), (8, 25_000)] {
        let (p50, p99, rate) = run(threads, n);
        println!(
            "guard_check/{threads}_threads  p50 {:.2} us  p99 {:.2} us  throughput {:.0} checks/s",
            p50 as f64 / 1000.0,
            p99 as f64 / 1000.0,
            rate
        );
    }
}
