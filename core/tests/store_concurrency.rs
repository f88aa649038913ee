//! Group commit under concurrency, and failing stores: every acknowledged write is in the
//! journal, the journal has no gaps, replay rebuilds the same state, and a store failure fails
//! closed (no acknowledgement without durability).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use warden_core::engine::*;
use warden_core::json::Json;
use warden_core::{ErrorCode, Result};

fn obj(p: Vec<(&str, Json)>) -> Json {
    Json::Obj(p.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

#[test]
fn concurrent_writers_are_all_journaled_in_order() {
    let store = Arc::new(MemoryStore::new());
    let engine = Arc::new(
        Engine::open(
            EngineConfig::default(),
            Arc::new(SystemClock),
            store.clone(),
        )
        .unwrap(),
    );
    let agent = engine
        .call(
            "create_agent",
            &obj(vec![
                ("name", "a".into()),
                ("capabilities", Json::Arr(vec!["tool:*".into()])),
            ]),
        )
        .unwrap();
    let aid = agent
        .get("agent_id")
        .and_then(Json::as_str)
        .unwrap()
        .to_string();
    let sid = engine
        .call(
            "init_session",
            &obj(vec![
                ("agent_id", aid.as_str().into()),
                ("server_id", "s".into()),
            ]),
        )
        .unwrap()
        .get("session_id")
        .and_then(Json::as_str)
        .unwrap()
        .to_string();
    let acked = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (engine, aid, sid, acked) =
                (engine.clone(), aid.clone(), sid.clone(), acked.clone());
            std::thread::spawn(move || {
                for i in 0..200 {
                    if i % 10 == 0 {
                        let a = engine
                            .call(
                                "create_agent",
                                &obj(vec![("name", format!("w{t}-{i}").into())]),
                            )
                            .unwrap();
                        acked.lock().unwrap().push(
                            a.get("agent_id")
                                .and_then(Json::as_str)
                                .unwrap()
                                .to_string(),
                        );
                    } else {
                        let d = engine.check(&aid, &sid, "web_search", "", None);
                        assert!(d.allowed, "{d:?}");
                    }
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    // 2 setup writes + 1600 operations, no gaps (Engine::open checks seq continuity).
    assert_eq!(store.len(), 2 + 8 * 200);
    let before = engine.call("export_audit", &Json::Null).unwrap();
    let reopened = Engine::open(
        EngineConfig::default(),
        Arc::new(SystemClock),
        store.clone(),
    )
    .unwrap();
    assert_eq!(reopened.call("export_audit", &Json::Null).unwrap(), before);
    for id in acked.lock().unwrap().iter() {
        reopened
            .call("get_agent", &obj(vec![("agent_id", id.as_str().into())]))
            .unwrap();
    }
    let s = reopened
        .call(
            "get_session",
            &obj(vec![("session_id", sid.as_str().into())]),
        )
        .unwrap();
    assert_eq!(s.get("total_calls").and_then(Json::as_i64), Some(8 * 180));
}

/// A store that fails every append after `ok` successful entries.
struct FailingStore {
    inner: MemoryStore,
    ok: usize,
    appended: AtomicUsize,
}

impl Store for FailingStore {
    fn meta_get(&self, k: &str) -> Result<Option<String>> {
        self.inner.meta_get(k)
    }
    fn meta_set(&self, k: &str, v: &str) -> Result<()> {
        self.inner.meta_set(k, v)
    }
    fn load(&self, f: &mut dyn FnMut(JournalEntry) -> Result<()>) -> Result<()> {
        self.inner.load(f)
    }
    fn append(&self, e: &JournalEntry) -> Result<()> {
        if self.appended.fetch_add(1, Ordering::SeqCst) >= self.ok {
            return Err(warden_core::Error::new(ErrorCode::Internal, "disk full"));
        }
        self.inner.append(e)
    }
}

#[test]
fn a_failing_store_fails_closed() {
    let store = Arc::new(FailingStore {
        inner: MemoryStore::new(),
        ok: 3,
        appended: AtomicUsize::new(0),
    });
    let engine = Engine::open(
        EngineConfig::default(),
        Arc::new(SystemClock),
        store.clone(),
    )
    .unwrap();
    let mut acked = Vec::new();
    let mut refused = 0;
    for i in 0..6 {
        match engine.call("create_agent", &obj(vec![("name", format!("a{i}").into())])) {
            Ok(a) => acked.push(
                a.get("agent_id")
                    .and_then(Json::as_str)
                    .unwrap()
                    .to_string(),
            ),
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::GuardianUnavailable, "{e}");
                refused += 1;
            }
        }
    }
    assert_eq!((acked.len(), refused), (3, 3));
    // Decisions fail closed too.
    let d = engine.check(
        &acked[0],
        "ses_01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "web_search",
        "",
        None,
    );
    assert!(!d.allowed && d.code == "GUARDIAN_UNAVAILABLE", "{d:?}");
    let reopened = Engine::open(
        EngineConfig::default(),
        Arc::new(SystemClock),
        Arc::new(store.inner_clone()),
    )
    .unwrap();
    for id in &acked {
        reopened
            .call("get_agent", &obj(vec![("agent_id", id.as_str().into())]))
            .unwrap();
    }
}

impl FailingStore {
    fn inner_clone(&self) -> MemoryStore {
        let m = MemoryStore::new();
        for k in ["engine_config", "engine_seed"] {
            if let Some(v) = self.inner.meta_get(k).unwrap() {
                m.meta_set(k, &v).unwrap();
            }
        }
        self.inner.load(&mut |e| m.append(&e)).unwrap();
        m
    }
}

#[test]
fn async_writers_wait_for_durability_and_see_store_failures() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = Arc::new(MemoryStore::new());
    let engine = Arc::new(
        Engine::open(
            EngineConfig::default(),
            Arc::new(SystemClock),
            store.clone(),
        )
        .unwrap(),
    );
    let ids: Vec<String> = rt.block_on(async {
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let e = engine.clone();
                tokio::spawn(async move {
                    let a = e
                        .call_async_as(
                            Some("key_test"),
                            "create_agent",
                            &obj(vec![("name", format!("n{i}").into())]),
                        )
                        .await
                        .unwrap();
                    a.get("agent_id")
                        .and_then(Json::as_str)
                        .unwrap()
                        .to_string()
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    });
    assert_eq!(store.len(), 64, "every acknowledged write is in the store");
    let reopened = Engine::open(
        EngineConfig::default(),
        Arc::new(SystemClock),
        store.clone(),
    )
    .unwrap();
    for id in &ids {
        reopened
            .call("get_agent", &obj(vec![("agent_id", id.as_str().into())]))
            .unwrap();
    }
    // The actor was journaled and replayed into the audit log.
    let ev = reopened
        .call("query_audit", &obj(vec![("kind", "agent.created".into())]))
        .unwrap();
    let first = &ev.get("items").and_then(Json::as_arr).unwrap()[0];
    assert_eq!(first.get("actor").and_then(Json::as_str), Some("key_test"));

    let failing = Arc::new(FailingStore {
        inner: MemoryStore::new(),
        ok: 1,
        appended: AtomicUsize::new(0),
    });
    let engine = Engine::open(EngineConfig::default(), Arc::new(SystemClock), failing).unwrap();
    rt.block_on(async {
        engine
            .call_async("create_agent", &obj(vec![("name", "a".into())]))
            .await
            .unwrap();
        let e = engine
            .call_async("create_agent", &obj(vec![("name", "b".into())]))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::GuardianUnavailable);
        let e = engine
            .call_async("create_agent", &obj(vec![("name", "c".into())]))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::GuardianUnavailable);
        // Reads still work (from memory).
        engine.call_async("list_agents", &Json::Null).await.unwrap();
    });
}

/// A store whose appends take a while, so commit rounds overlap with new writes.
struct SlowStore {
    inner: MemoryStore,
}

impl Store for SlowStore {
    fn meta_get(&self, k: &str) -> Result<Option<String>> {
        self.inner.meta_get(k)
    }
    fn meta_set(&self, k: &str, v: &str) -> Result<()> {
        self.inner.meta_set(k, v)
    }
    fn load(&self, f: &mut dyn FnMut(JournalEntry) -> Result<()>) -> Result<()> {
        self.inner.load(f)
    }
    fn append(&self, e: &JournalEntry) -> Result<()> {
        self.inner.append(e)
    }
    fn append_batch(&self, entries: &[JournalEntry]) -> Result<()> {
        std::thread::sleep(std::time::Duration::from_millis(2));
        entries.iter().try_for_each(|e| self.inner.append(e))
    }
}

/// Callers commit their own batches (leader commit); a caller that goes away while waiting —
/// even one just chosen to lead the next round — leaves nothing uncommitted, and everyone else
/// still gets an answer.
#[test]
fn cancelled_async_writers_leave_nothing_pending() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = Arc::new(SlowStore {
        inner: MemoryStore::new(),
    });
    let engine = Arc::new(
        Engine::open(
            EngineConfig::default(),
            Arc::new(SystemClock),
            store.clone(),
        )
        .unwrap(),
    );
    let finished = rt.block_on(async {
        let mut kept = Vec::new();
        for round in 0..20u64 {
            let mut handles = Vec::new();
            for i in 0..16 {
                let e = engine.clone();
                handles.push(tokio::spawn(async move {
                    e.call_async(
                        "create_agent",
                        &obj(vec![("name", format!("r{round}n{i}").into())]),
                    )
                    .await
                }));
            }
            // Cancel every other writer at some point of its wait.
            tokio::time::sleep(std::time::Duration::from_micros(300 * (round % 7))).await;
            for (i, h) in handles.into_iter().enumerate() {
                if i % 2 == 0 {
                    h.abort();
                } else {
                    kept.push(h);
                }
            }
        }
        let mut ok = 0;
        for h in kept {
            h.await.unwrap().unwrap();
            ok += 1;
        }
        ok
    });
    assert_eq!(finished, 160);
    // Entries of cancelled writers are committed too (by a later round or the fallback).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while store.inner.len() as i64 != engine.journal_len() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} journaled, {} in the store",
            engine.journal_len(),
            store.inner.len()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(engine.journal_len() >= 160);
}
