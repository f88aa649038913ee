//! Messaging through the real gateway binary (real WebSocket, real SQLite files), driven by the
//! core's messaging client: handshake and auth codes, identity locks (duplicate, resume, stale
//! takeover), send/receive/ack, redelivery, ordering, retention overflow, broadcast, KV,
//! checkpoints, bad frames, and a gateway restart mid-stream.

use futures_util::{SinkExt, StreamExt};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use warden_core::json::Json;
use warden_core::messaging::backoff::{Backoff, ReconnectOptions};
use warden_core::messaging::client::{
    ClientOptions, Credentials, KvTarget, MessagingClient, Push, SendOptions,
};
use warden_core::messaging::wire::Message;
use warden_core::ErrorCode;

const ADMIN: &str = "wk_messaging_test_bootstrap_key_0123";

struct Gw {
    child: Child,
    http: String,
    ws: String,
    port: u16,
}

impl Drop for Gw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("warden-msg-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(db: &std::path::Path, extra: &[&str], port: Option<u16>) -> Gw {
    let port = port.unwrap_or_else(free_port);
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden-gateway"))
        .args(["serve", "--quiet", "--db", db.to_str().unwrap()])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .env("WARDEN_BOOTSTRAP_KEY", ADMIN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let l = lines.next().expect("gateway exited").unwrap();
        if l.contains("\"listening\"") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Gw {
        child,
        http: format!("http://127.0.0.1:{port}"),
        ws: format!("ws://127.0.0.1:{port}"),
        port,
    }
}

async fn new_key(gw: &Gw, ws: &str) -> String {
    let body = format!(r#"{{"role":"agent","workspace":"{ws}"}}"#);
    let r = reqwest::Client::new()
        .post(format!("{}/v1/keys", gw.http))
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v = Json::parse(&r.text().await.unwrap()).unwrap();
    v.get("api_key").and_then(Json::as_str).unwrap().to_string()
}

async fn metrics(gw: &Gw) -> String {
    reqwest::get(format!("{}/metrics", gw.http))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn fast_options() -> ClientOptions {
    ClientOptions {
        reconnect: ReconnectOptions {
            auto_reconnect: true,
            max_retries: 0,
            backoff: Backoff::new(0.02, 0.2).unwrap(),
        },
        jitter: Some(Box::new(|| 0.5)),
        request_timeout: Duration::from_secs(10),
        ..ClientOptions::default()
    }
}

async fn connect(gw: &Gw, identity: &str, key: &str) -> MessagingClient {
    MessagingClient::connect(
        &gw.ws,
        identity,
        Credentials::ApiKey(key.to_string()),
        fast_options(),
    )
    .await
    .unwrap_or_else(|e| panic!("connect {identity}: {e}"))
}

async fn connect_err(gw: &Gw, identity: &str, key: &str) -> ErrorCode {
    MessagingClient::connect(
        &gw.ws,
        identity,
        Credentials::ApiKey(key.to_string()),
        fast_options(),
    )
    .await
    .map(|_| ())
    .unwrap_err()
    .code()
}

async fn next_message(c: &MessagingClient) -> Message {
    loop {
        match c.next(Some(Duration::from_secs(10))).await.unwrap() {
            Push::Message(m) => return m,
            Push::Notice { .. } | Push::Assignment(_) => {}
        }
    }
}

fn opts(t: &str) -> SendOptions {
    SendOptions {
        message_type: Some(t.to_string()),
        ..SendOptions::default()
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs a test body with a deadline, so a regression fails instead of hanging.
fn run<F: std::future::Future>(f: F) -> F::Output {
    rt().block_on(async {
        tokio::time::timeout(Duration::from_secs(50), f)
            .await
            .expect("test body timed out")
    })
}

/// A raw WebSocket: sends `frames`, returns the first frame the gateway answers and the close
/// code that follows.
async fn raw(gw: &Gw, frames: Vec<WsMessage>) -> (Json, Option<u16>) {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}/v1/messaging/ws", gw.ws))
        .await
        .unwrap();
    for f in frames {
        ws.send(f).await.unwrap();
    }
    let mut first = Json::Null;
    let mut code = None;
    while let Some(m) = ws.next().await {
        match m {
            Ok(WsMessage::Text(t)) if first.is_null() => {
                first = Json::parse(t.as_str()).unwrap();
            }
            Ok(WsMessage::Close(c)) => {
                code = c.map(|c| u16::from(c.code));
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    (first, code)
}

fn err_code(v: &Json) -> &str {
    v.get("error")
        .and_then(|e| e.get("code"))
        .and_then(Json::as_str)
        .unwrap_or("")
}

#[test]
fn handshake_failures_have_stable_codes() {
    let dir = tmp("auth");
    let gw = start(&dir.join("g.db"), &[], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        assert_eq!(
            connect_err(&gw, "ag::acme::bot", &acme).await,
            ErrorCode::InvalidIdentity
        );
        assert_eq!(
            connect_err(&gw, "ag::acme::bot::1", "wk_unknown_unknown_unknown").await,
            ErrorCode::AuthFailed
        );
        assert_eq!(
            connect_err(&gw, "ag::acme::bot::1", "").await,
            ErrorCode::AuthFailed
        );
        // A workspace key claims only its workspace's agents and tasks.
        assert_eq!(
            connect_err(&gw, "ag::beta::bot::1", &acme).await,
            ErrorCode::AuthDenied
        );
        assert_eq!(
            connect_err(&gw, "sv::search::1", &acme).await,
            ErrorCode::AuthDenied
        );
        // A pooled task gets its own {id}.
        let p = connect(&gw, "ta::acme::worker", &acme).await;
        let id = p.identity().unwrap();
        assert!(
            id.starts_with("ta::acme::worker::") && id.len() == 18 + 26,
            "{id}"
        );
        p.close().await;

        // Raw frames: not hello first, bad JSON, binary, deep nesting, wrong version.
        let (f, code) = raw(&gw, vec![WsMessage::text(r#"{"type":"ping"}"#)]).await;
        assert_eq!(
            (err_code(&f), code),
            ("VALIDATION_ERROR", Some(4022)),
            "{f}"
        );
        let (f, code) = raw(&gw, vec![WsMessage::text("{nope")]).await;
        assert_eq!(
            (err_code(&f), code),
            ("VALIDATION_ERROR", Some(1002)),
            "{f}"
        );
        let (f, _) = raw(&gw, vec![WsMessage::binary(vec![1u8, 2, 3])]).await;
        assert_eq!(err_code(&f), "VALIDATION_ERROR", "{f}");
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let (f, _) = raw(&gw, vec![WsMessage::text(deep)]).await;
        assert_eq!(err_code(&f), "VALIDATION_ERROR", "{f}");
        let hello = format!(
            r#"{{"type":"hello","protocol_version":2,"identity":"ag::acme::bot::1","credentials":{{"api_key":"{acme}"}}}}"#
        );
        let (f, code) = raw(&gw, vec![WsMessage::text(hello)]).await;
        assert_eq!(
            (err_code(&f), code),
            ("VALIDATION_ERROR", Some(4022)),
            "{f}"
        );
        let hello = format!(
            r#"{{"type":"hello","protocol_version":1,"identity":"ag::beta::bot::1","credentials":{{"api_key":"{acme}"}}}}"#
        );
        let (f, code) = raw(&gw, vec![WsMessage::text(hello)]).await;
        assert_eq!((err_code(&f), code), ("AUTH_DENIED", Some(4003)), "{f}");

        // A bad frame after the handshake closes that connection with a protocol error.
        let c = connect(&gw, "ag::acme::bot::2", &acme).await;
        let r = c
            .request("no_such_op", Json::Obj(vec![]))
            .await
            .unwrap_err();
        assert_eq!(r.code(), ErrorCode::ValidationError);
        let r = c.request("kv_get", Json::Arr(vec![])).await.unwrap_err();
        assert_eq!(r.code(), ErrorCode::ValidationError);
        c.close().await;
    });
}

#[test]
fn identity_locks_duplicate_resume_and_stale_takeover() {
    let dir = tmp("locks");
    let gw = start(&dir.join("g.db"), &["--messaging-lock-ttl-ms", "900"], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let a = connect(&gw, "ag::acme::bot::1", &acme).await;
        let info = a.connection_info().unwrap();
        assert!(!info.resumed);
        // Duplicate refused while the holder lives (it answers pings, so it stays fresh).
        for _ in 0..3 {
            assert_eq!(
                connect_err(&gw, "ag::acme::bot::1", &acme).await,
                ErrorCode::DuplicateIdentity
            );
        }
        // Resume with the holder's token takes over; the holder is told `taken_over`.
        let hello = format!(
            r#"{{"type":"hello","protocol_version":1,"identity":"ag::acme::bot::1","credentials":{{"api_key":"{acme}"}},"resume_token":"{}"}}"#,
            info.resume_token
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}/v1/messaging/ws", gw.ws))
            .await
            .unwrap();
        ws.send(WsMessage::text(hello)).await.unwrap();
        let welcome = match ws.next().await.unwrap().unwrap() {
            WsMessage::Text(t) => Json::parse(t.as_str()).unwrap(),
            m => panic!("{m:?}"),
        };
        assert_eq!(welcome.get("type").and_then(Json::as_str), Some("welcome"));
        assert_eq!(welcome.get("resumed").and_then(Json::as_bool), Some(true));
        assert_eq!(
            welcome.get("reconnection_count").and_then(Json::as_i64),
            Some(1)
        );
        assert_eq!(a.wait_until_disconnected().await, "taken_over");
        // The raw holder now goes silent (reads nothing, answers no ping): once less than half
        // the TTL remains it is stale and a plain connect takes over.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let b = loop {
            match MessagingClient::connect(
                &gw.ws,
                "ag::acme::bot::1",
                Credentials::ApiKey(acme.clone()),
                fast_options(),
            )
            .await
            {
                Ok(b) => break b,
                Err(e) => {
                    assert_eq!(e.code(), ErrorCode::DuplicateIdentity);
                    assert!(tokio::time::Instant::now() < deadline, "never stale");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        assert!(!b.connection_info().unwrap().resumed);
        drop(ws);
        b.close().await;
        // After a clean close the identity is free at once.
        let c = connect(&gw, "ag::acme::bot::1", &acme).await;
        c.close().await;
    });
}

#[test]
fn send_receive_ack_redelivery_and_order() {
    let dir = tmp("send");
    let gw = start(&dir.join("g.db"), &[], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let a = connect(&gw, "ag::acme::a::1", &acme).await;
        // Mail to an identity that never connected is kept.
        let mut sent = Vec::new();
        for i in 0..40 {
            let r = a
                .send("ag::acme::b::1", format!("m{i}").as_bytes(), opts("CHAT"))
                .await
                .unwrap();
            sent.push(r.message_id);
        }
        let mut sorted = sent.clone();
        sorted.sort();
        assert_eq!(sorted, sent, "ids increase");
        // Send errors come back with stable codes.
        let e = a.send("ag::acme::b", b"x", opts("CHAT")).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidTopic);
        let e = a
            .send("ag::acme::b::1", b"x", opts("NOPE"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::ValidationError);
        let e = a
            .send("ag::beta::b::1", b"x", opts("CHAT"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::PermissionDenied);
        let e = a.send("sv::search", b"x", opts("CHAT")).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);

        let mut o = fast_options();
        o.auto_ack = false;
        let b = MessagingClient::connect(
            &gw.ws,
            "ag::acme::b::1",
            Credentials::ApiKey(acme.clone()),
            o,
        )
        .await
        .unwrap();
        let report = b.connection_info().unwrap().inbox_report;
        assert_eq!(report.get("pending").and_then(Json::as_i64), Some(40));
        for (i, id) in sent.iter().enumerate() {
            let m = next_message(&b).await;
            assert_eq!(&m.message_id, id);
            assert_eq!(m.payload, format!("m{i}").into_bytes());
            assert_eq!(m.source, "ag::acme::a::1");
            assert_eq!(m.workspace.as_deref(), Some("acme"));
            assert!(!m.redelivered);
            if i < 15 {
                b.ack(&m.message_id);
            }
        }
        b.close().await;
        // The 25 unacknowledged ones come back, marked, in order, before new mail.
        let late = a
            .send("ag::acme::b::1", b"late", opts("CHAT"))
            .await
            .unwrap();
        let b = connect(&gw, "ag::acme::b::1", &acme).await;
        for (i, id) in sent.iter().enumerate().skip(15) {
            let m = next_message(&b).await;
            assert_eq!(&m.message_id, id, "#{i}");
            assert!(m.redelivered);
        }
        // (`late` may have reached the closing connection already, so it may be marked.)
        let m = next_message(&b).await;
        assert_eq!(m.message_id, late.message_id);
        // Acked (auto-ack on the next call): nothing is left afterwards.
        assert_eq!(
            b.next(Some(Duration::from_millis(200)))
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Timeout
        );
        b.close().await;
        let b = connect(&gw, "ag::acme::b::1", &acme).await;
        let report = b.connection_info().unwrap().inbox_report;
        assert_eq!(
            report.get("pending").and_then(Json::as_i64),
            Some(0),
            "{report}"
        );
        b.close().await;
        a.close().await;
        let m = metrics(&gw).await;
        assert!(m.contains("warden_inbox_depth 0"), "{m}");
        assert!(m.contains("warden_messages_accepted_total 41"), "{m}");
    });
}

#[test]
fn retention_overflow_is_counted_and_reported() {
    let dir = tmp("overflow");
    let gw = start(&dir.join("g.db"), &["--messaging-inbox-max", "5"], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let a = connect(&gw, "ag::acme::a::1", &acme).await;
        for i in 0..8 {
            a.send("ag::acme::b::1", format!("{i}").as_bytes(), opts("CHAT"))
                .await
                .unwrap();
        }
        let b = connect(&gw, "ag::acme::b::1", &acme).await;
        let r = b.connection_info().unwrap().inbox_report;
        assert_eq!(r.get("pending").and_then(Json::as_i64), Some(5), "{r}");
        assert_eq!(r.get("dropped").and_then(Json::as_i64), Some(3), "{r}");
        for i in 3..8 {
            assert_eq!(next_message(&b).await.payload, format!("{i}").into_bytes());
        }
        let m = metrics(&gw).await;
        assert!(
            m.contains("warden_inbox_dropped_total{reason=\"overflow\"} 3"),
            "{m}"
        );
        b.close().await;
        a.close().await;
    });
}

#[test]
fn broadcast_reaches_connected_recipients_only() {
    let dir = tmp("broadcast");
    let gw = start(&dir.join("g.db"), &[], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let beta = new_key(&gw, "beta").await;
        let a = connect(&gw, "ag::acme::a::1", &acme).await;
        let b = connect(&gw, "ag::acme::b::1", &acme).await;
        let c = connect(&gw, "ag::beta::c::1", &beta).await;
        let r = a
            .send("ga::acme", b"hello all", opts("CHAT"))
            .await
            .unwrap();
        for x in [&a, &b] {
            let m = next_message(x).await;
            assert_eq!(m.message_id, r.message_id);
            assert_eq!(m.target, "ga::acme");
        }
        // C (another workspace) got nothing: the next thing it sees is its own direct mail.
        let d = c
            .send("ag::beta::c::1", b"direct", opts("CHAT"))
            .await
            .unwrap();
        assert_eq!(next_message(&c).await.message_id, d.message_id);
        // Live topics are not kept for absent recipients.
        b.close().await;
        a.send("ga::acme", b"second", opts("CHAT")).await.unwrap();
        let b = connect(&gw, "ag::acme::b::1", &acme).await;
        let d = a
            .send("ag::acme::b::1", b"after", opts("CHAT"))
            .await
            .unwrap();
        assert_eq!(next_message(&b).await.message_id, d.message_id);
        // Pooled tasks: tb reaches every connected member.
        let t1 = connect(&gw, "ta::acme::worker", &acme).await;
        let t2 = connect(&gw, "ta::acme::worker", &acme).await;
        let r = a
            .send("tb::acme::worker", b"job", opts("CONTROL"))
            .await
            .unwrap();
        assert_eq!(next_message(&t1).await.message_id, r.message_id);
        assert_eq!(next_message(&t2).await.message_id, r.message_id);
        for x in [a, b, c, t1, t2] {
            x.close().await;
        }
    });
}

#[test]
fn kv_operations_and_checkpoints() {
    let dir = tmp("kv");
    let gw = start(&dir.join("g.db"), &[], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let a = connect(&gw, "ag::acme::a::1", &acme).await;
        let b = connect(&gw, "ag::acme::b::1", &acme).await;
        let ws = KvTarget::scope("workspace");
        let own = KvTarget::scope("global-exclusive");
        let r1 = a.kv_put(&ws, "k", b"v1", 0).await.unwrap();
        let got = b.kv_get(&ws, "k").await.unwrap();
        assert_eq!((got.value.as_slice(), got.revision), (&b"v1"[..], r1));
        let r2 = b.kv_compare_and_set(&ws, "k", b"v2", r1).await.unwrap();
        assert!(r2 > r1);
        let e = a.kv_compare_and_set(&ws, "k", b"v3", r1).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        assert_eq!(
            a.kv_set_if_absent(&ws, "k", b"x").await.unwrap(),
            (false, r2)
        );
        // Exclusive scopes are private to the caller.
        a.kv_put(&own, "k", b"mine", 0).await.unwrap();
        assert_eq!(
            b.kv_get(&own, "k").await.unwrap_err().code(),
            ErrorCode::NotFound
        );
        // Counters and conditional increments.
        assert_eq!(a.kv_increment(&ws, "n", 5).await.unwrap(), 5);
        assert_eq!(a.kv_increment_if(&ws, "n", 3, 7).await.unwrap(), (5, false));
        assert_eq!(a.kv_increment_if(&ws, "n", 2, 7).await.unwrap(), (7, true));
        let e = a.kv_increment(&ws, "k", 1).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::ValidationError);
        // Paginated listing in byte order.
        for k in ["p/c", "p/a", "p/b", "q"] {
            a.kv_put(&ws, k, b"", 0).await.unwrap();
        }
        let (page, cur) = a.kv_list(&ws, "p/", 2, None).await.unwrap();
        let keys: Vec<&str> = page.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["p/a", "p/b"]);
        let (page, cur2) = a.kv_list(&ws, "p/", 2, cur.as_deref()).await.unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].0, "p/c");
        assert!(cur2.is_none());
        // Delete and compare-and-delete.
        assert!(a.kv_delete(&ws, "q").await.unwrap());
        assert!(!a.kv_delete(&ws, "q").await.unwrap());
        let e = a.kv_compare_and_delete(&ws, "k", r1).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::Conflict);
        a.kv_compare_and_delete(&ws, "k", r2).await.unwrap();
        // Bad scope, other workspace.
        let e = a.kv_get(&KvTarget::scope("nope"), "k").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::ValidationError);
        let other = KvTarget {
            scope: "workspace".into(),
            workspace: Some("beta".into()),
            user_id: None,
        };
        let e = a.kv_get(&other, "k").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::PermissionDenied);
        // TTL: gone once expired.
        a.kv_put(&ws, "t", b"short", 1).await.unwrap();
        assert!(a.kv_get(&ws, "t").await.is_ok());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        loop {
            match a.kv_get(&ws, "t").await {
                Err(e) if e.code() == ErrorCode::NotFound => break,
                Ok(_) => assert!(tokio::time::Instant::now() < deadline, "never expired"),
                Err(e) => panic!("{e}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // Checkpoints, scoped to the identity.
        assert_eq!(
            a.checkpoint_load("default").await.unwrap_err().code(),
            ErrorCode::NotFound
        );
        let at = a
            .checkpoint_save("default", b"state-1", None)
            .await
            .unwrap();
        a.checkpoint_save("b", b"x", Some(0)).await.unwrap();
        assert_eq!(
            a.checkpoint_load("default").await.unwrap(),
            (b"state-1".to_vec(), at)
        );
        assert_eq!(a.checkpoint_list().await.unwrap(), ["b", "default"]);
        assert!(b.checkpoint_list().await.unwrap().is_empty());
        assert!(a.checkpoint_delete("b").await.unwrap());
        assert!(!a.checkpoint_delete("b").await.unwrap());
        a.close().await;
        b.close().await;
        // KV survives a reconnect (it is in SQLite).
        let a = connect(&gw, "ag::acme::a::1", &acme).await;
        assert_eq!(a.kv_get(&own, "k").await.unwrap().value, b"mine");
        // Users may not use KV.
        let u = connect(&gw, "us::bob::w1", ADMIN).await;
        let e = u.kv_get(&KvTarget::scope("global"), "k").await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::AuthDenied);
        u.close().await;
        a.close().await;
    });
}

#[test]
fn gateway_restart_mid_stream_loses_nothing_and_delivers_once() {
    let dir = tmp("restart");
    let db = dir.join("g.db");
    let gw = start(&db, &[], None);
    let port = gw.port;
    let rt = rt();
    let acme = rt.block_on(new_key(&gw, "acme"));
    let (a, b) = rt.block_on(async {
        (
            connect(&gw, "ag::acme::a::1", &acme).await,
            connect(&gw, "ag::acme::b::1", &acme).await,
        )
    });
    let first_session = a.connection_info().unwrap().session_id;
    let a = std::sync::Arc::new(a);
    const N: usize = 150;
    let (half_tx, half_rx) = std::sync::mpsc::channel();
    let sender = {
        let a = a.clone();
        rt.spawn(async move {
            let mut acked = Vec::new();
            for i in 0..N {
                let r = a
                    .send("ag::acme::b::1", format!("{i}").as_bytes(), opts("CHAT"))
                    .await
                    .unwrap();
                acked.push(r.message_id);
                if i == N / 3 {
                    let _ = half_tx.send(());
                }
            }
            acked
        })
    };
    let receiver = rt.spawn(async move {
        let mut got: Vec<Message> = Vec::new();
        while got.len() < N {
            got.push(next_message(&b).await);
        }
        b.close().await;
        got
    });
    half_rx.recv().unwrap();
    drop(gw); // SIGKILL
    let gw = start(&db, &[], Some(port));
    let acked = rt.block_on(sender).unwrap();
    assert_ne!(
        a.connection_info().unwrap().session_id,
        first_session,
        "the sender reconnected"
    );
    let got = rt.block_on(receiver).unwrap();
    let ids: Vec<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), N, "a message was handed over twice");
    let acked_ref: Vec<&str> = acked.iter().map(String::as_str).collect();
    assert_eq!(ids, acked_ref, "every acknowledged message, once, in order");
    for (i, m) in got.iter().enumerate() {
        assert_eq!(m.payload, format!("{i}").into_bytes());
    }
    rt.block_on(async {
        a.close().await;
        // Both clients said bye; the gateway releases them as it reads the frames.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let m = metrics(&gw).await;
            if m.contains("warden_messaging_connections 0") && m.contains("warden_inbox_depth 0") {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{m}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
}

async fn next_assignment(c: &MessagingClient) -> Json {
    loop {
        match c.next(Some(Duration::from_secs(10))).await.unwrap() {
            Push::Assignment(a) => return a,
            Push::Message(_) | Push::Notice { .. } => {}
        }
    }
}

fn task_args(members: Vec<(&str, Json)>) -> Json {
    Json::Obj(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn s<'a>(v: &'a Json, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        cur = cur.get(p).unwrap_or(&Json::Null);
    }
    cur.as_str().unwrap_or("")
}

#[test]
fn tasks_self_targeted_pool_and_lifecycle() {
    let dir = tmp("tasks");
    let gw = start(&dir.join("g.db"), &[], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let a = connect(&gw, "ag::acme::boss::1", &acme).await;
        // SELF_ASSIGN: assigned to the creator and pushed to it.
        let r = a
            .create_task(task_args(vec![
                ("task_type", "sum".into()),
                ("workspace", "acme".into()),
                ("payload", "MSwy".into()),
            ]))
            .await
            .unwrap();
        assert_eq!(s(&r, &["status"]), "assigned");
        assert_eq!(s(&r, &["assigned_to"]), "ag::acme::boss::1");
        let asg = next_assignment(&a).await;
        assert_eq!(s(&asg, &["kind"]), "task");
        assert_eq!(s(&asg, &["task", "task_id"]), s(&r, &["task_id"]));
        assert_eq!(s(&asg, &["task", "payload"]), "MSwy");

        // Checks, with stable codes.
        let bad = |m: Vec<(&str, Json)>| {
            let mut base = vec![("task_type", Json::from("t")), ("workspace", "acme".into())];
            base.extend(m);
            task_args(base)
        };
        let code = |r: warden_core::Result<Json>| r.unwrap_err().code();
        assert_eq!(
            code(
                a.create_task(bad(vec![("target_agent_id", "ag::beta::w::1".into())]))
                    .await
            ),
            ErrorCode::ValidationError
        );
        assert_eq!(
            code(
                a.create_task(bad(vec![("target_agent_id", "sv::x::y".into())]))
                    .await
            ),
            ErrorCode::InvalidIdentity
        );
        assert_eq!(
            code(a.create_task(bad(vec![("priority", Json::Int(35))])).await),
            ErrorCode::ValidationError
        );
        assert_eq!(
            code(
                a.create_task(task_args(vec![
                    ("task_type", "t".into()),
                    ("workspace", "beta".into())
                ]))
                .await
            ),
            ErrorCode::PermissionDenied
        );
        assert_eq!(
            code(
                a.create_task(bad(vec![("parent_task_id", "01NOPE".into())]))
                    .await
            ),
            ErrorCode::NotFound
        );

        // TARGETED at an offline agent: pending until it connects.
        let t = a
            .create_task(bad(vec![
                ("target_agent_id", "ag::acme::worker::1".into()),
                ("priority", "HIGH".into()),
            ]))
            .await
            .unwrap();
        let tid = s(&t, &["task_id"]).to_string();
        assert_eq!(s(&t, &["status"]), "pending");
        let mut o = fast_options();
        o.auto_ack = false;
        let w = MessagingClient::connect(
            &gw.ws,
            "ag::acme::worker::1",
            Credentials::ApiKey(acme.clone()),
            o,
        )
        .await
        .unwrap();
        let asg = next_assignment(&w).await;
        assert_eq!(s(&asg, &["task", "task_id"]), tid);
        assert_eq!(s(&w.get_task(&tid).await.unwrap(), &["status"]), "assigned");
        w.ack(s(&asg, &["assignment_id"]));
        // Requests on one connection are answered in order, after the ack.
        assert_eq!(s(&w.get_task(&tid).await.unwrap(), &["status"]), "running");
        assert_eq!(
            a.fail_task(&tid, "no").await.unwrap_err().code(),
            ErrorCode::PermissionDenied
        );
        let done = w.complete_task(&tid, b"3").await.unwrap();
        assert_eq!(s(&done, &["status"]), "completed");
        assert_eq!(s(&done, &["result"]), "Mw");
        assert_eq!(
            w.complete_task(&tid, b"").await.unwrap_err().code(),
            ErrorCode::Conflict
        );
        // Invisible to others.
        let x = connect(&gw, "ag::acme::other::1", &acme).await;
        assert_eq!(
            x.get_task(&tid).await.unwrap_err().code(),
            ErrorCode::NotFound
        );
        // A task lane reaches the task's creator and assignee only.
        let ev = x
            .send(&format!("tk::acme::{tid}::events"), b"ev", opts("EVENT"))
            .await
            .unwrap();
        assert_eq!(next_message(&a).await.message_id, ev.message_id);
        assert_eq!(next_message(&w).await.message_id, ev.message_id);
        let own = x
            .send("ag::acme::other::1", b"me", opts("CHAT"))
            .await
            .unwrap();
        assert_eq!(next_message(&x).await.message_id, own.message_id);

        // POOL with no candidate waits; the first candidate to connect gets it.
        let pool = |n: i64| {
            task_args(vec![
                ("task_type", "crunch".into()),
                ("workspace", "acme".into()),
                ("target_implementation", "cruncher".into()),
                ("metadata", task_args(vec![("n", n.to_string().into())])),
            ])
        };
        let p0 = a.create_task(pool(0)).await.unwrap();
        assert_eq!(s(&p0, &["status"]), "pending_pool");
        let mut o1 = fast_options();
        o1.auto_ack = false;
        let c1 = MessagingClient::connect(
            &gw.ws,
            "ag::acme::cruncher::1",
            Credentials::ApiKey(acme.clone()),
            o1,
        )
        .await
        .unwrap();
        assert_eq!(
            s(&next_assignment(&c1).await, &["task", "task_id"]),
            s(&p0, &["task_id"])
        );
        let c2 = connect(&gw, "ag::acme::cruncher::2", &acme).await;
        // Two candidates: each new task goes to the less loaded one.
        let mut on1 = vec![s(&p0, &["task_id"]).to_string()];
        let mut on2 = Vec::new();
        for n in 1..5 {
            let r = a.create_task(pool(n)).await.unwrap();
            assert_eq!(s(&r, &["status"]), "assigned");
            let id = s(&r, &["task_id"]).to_string();
            match s(&r, &["assigned_to"]) {
                "ag::acme::cruncher::1" => on1.push(id),
                "ag::acme::cruncher::2" => on2.push(id),
                other => panic!("{other}"),
            }
        }
        assert!(on1.len() >= 2 && on2.len() >= 2, "{on1:?} {on2:?}");
        for _ in 1..on1.len() {
            next_assignment(&c1).await;
        }
        // Cancel one of c2's: it is told.
        let cancel_id = on2[0].clone();
        a.cancel_task(&cancel_id, "changed my mind").await.unwrap();
        let mut seen_cancel = false;
        let mut c2_tasks = std::collections::HashSet::new();
        while !seen_cancel {
            let asg = next_assignment(&c2).await;
            match s(&asg, &["kind"]) {
                "cancelled" => {
                    assert_eq!(s(&asg, &["task", "task_id"]), cancel_id);
                    seen_cancel = true;
                }
                _ => {
                    c2_tasks.insert(s(&asg, &["task", "task_id"]).to_string());
                }
            }
        }
        // c1 leaves without acknowledging: its POOL tasks go to c2.
        c1.close().await;
        let mut moved = std::collections::HashSet::new();
        while moved.len() < on1.len() {
            let asg = next_assignment(&c2).await;
            let id = s(&asg, &["task", "task_id"]).to_string();
            if on1.contains(&id) {
                moved.insert(id);
            }
        }
        let rec = a.get_task(&on1[0]).await.unwrap();
        assert_eq!(s(&rec, &["assigned_to"]), "ag::acme::cruncher::2");
        assert_eq!(
            a.complete_task(&cancel_id, b"").await.unwrap_err().code(),
            ErrorCode::Conflict
        );
        // query_tasks: newest first, paginated.
        let q = a.query_tasks(None, 3, None).await.unwrap();
        let page = q.get("tasks").and_then(Json::as_arr).unwrap();
        assert_eq!(page.len(), 3);
        assert!(s(&page[0], &["task_id"]) > s(&page[1], &["task_id"]));
        let cur = s(&q, &["next_cursor"]).to_string();
        let q2 = a.query_tasks(None, 100, Some(&cur)).await.unwrap();
        let n2 = q2.get("tasks").and_then(Json::as_arr).unwrap().len();
        assert_eq!(3 + n2, 1 + 1 + 5, "self + targeted + 5 pool tasks");
        for c in [a, w, x, c2] {
            c.close().await;
        }
    });
}

#[test]
fn in_flight_window_and_send_rate_pacing() {
    let dir = tmp("window");
    let gw = start(&dir.join("g.db"), &[], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let a = std::sync::Arc::new(connect(&gw, "ag::acme::a::1", &acme).await);
        // 260 concurrent sends exceed the burst of 200: the refused ones are paced and resent
        // with their client_msg_id, so every send succeeds exactly once.
        let mut handles = Vec::new();
        for i in 0..260 {
            let a = a.clone();
            handles.push(tokio::spawn(async move {
                a.send("ag::acme::b::1", format!("{i}").as_bytes(), opts("CHAT"))
                    .await
                    .unwrap()
                    .message_id
            }));
        }
        let mut ids = Vec::new();
        for h in handles {
            ids.push(h.await.unwrap());
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 260);
        // The gateway keeps at most max_in_flight deliveries unacknowledged.
        let mut o = fast_options();
        o.auto_ack = false;
        o.max_in_flight = 2;
        let b = MessagingClient::connect(
            &gw.ws,
            "ag::acme::b::1",
            Credentials::ApiKey(acme.clone()),
            o,
        )
        .await
        .unwrap();
        let m1 = next_message(&b).await;
        let m2 = next_message(&b).await;
        assert_eq!(
            b.next(Some(Duration::from_millis(300)))
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Timeout
        );
        b.ack(&m1.message_id);
        let m3 = next_message(&b).await;
        assert!(m1.message_id < m2.message_id && m2.message_id < m3.message_id);
        b.close().await;
        a.close().await;
    });
}

type Graveyard = std::sync::Arc<std::sync::Mutex<Vec<tokio::net::tcp::OwnedWriteHalf>>>;
type Cutters = std::sync::Arc<std::sync::Mutex<Vec<tokio::sync::oneshot::Sender<()>>>>;

/// A TCP proxy in front of the gateway whose current connections can be cut on the client
/// side only: the client sees its connection close while the gateway's side stays open
/// (half-open, as after a network failure).
async fn proxy(target: u16) -> (u16, Cutters, Graveyard) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let cutters: Cutters = Default::default();
    let graveyard: Graveyard = Default::default();
    let (c2, g2) = (cutters.clone(), graveyard.clone());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(up) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await else {
                continue;
            };
            let (tx, rx) = tokio::sync::oneshot::channel();
            c2.lock().unwrap().push(tx);
            let g = g2.clone();
            tokio::spawn(async move {
                let (mut cr, mut cw) = client.into_split();
                let (mut ur, mut uw) = up.into_split();
                let cut = tokio::select! {
                    _ = tokio::io::copy(&mut cr, &mut uw) => false,
                    _ = tokio::io::copy(&mut ur, &mut cw) => false,
                    _ = rx => true,
                };
                if cut {
                    // Keep the gateway's side open; the client's side closes on drop.
                    g.lock().unwrap().push(uw);
                    std::mem::forget(ur);
                }
            });
        }
    });
    (port, cutters, graveyard)
}

#[test]
fn dropped_sender_resumes_and_its_queued_messages_arrive_in_order() {
    let dir = tmp("resume");
    let gw = start(&dir.join("g.db"), &[], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let (pport, cutters, _graveyard) = proxy(gw.port).await;
        let a = std::sync::Arc::new(
            MessagingClient::connect(
                &format!("ws://127.0.0.1:{pport}"),
                "ag::acme::a::1",
                Credentials::ApiKey(acme.clone()),
                fast_options(),
            )
            .await
            .unwrap(),
        );
        let b = connect(&gw, "ag::acme::b::1", &acme).await;
        const N: usize = 60;
        let first = a
            .send("ag::acme::b::1", b"before", opts("CHAT"))
            .await
            .unwrap();
        assert_eq!(next_message(&b).await.message_id, first.message_id);
        // The sender's link dies; the gateway still holds its half-open connection. Sends made
        // now can only be acknowledged through the resumed connection.
        for c in cutters.lock().unwrap().drain(..) {
            let _ = c.send(());
        }
        // All sends are queued in order at once (join_all polls them in order).
        let futs = (0..N).map(|i| {
            let a = a.clone();
            async move {
                a.send("ag::acme::b::1", format!("{i}").as_bytes(), opts("CHAT"))
                    .await
            }
        });
        let results = futures_util::future::join_all(futs).await;
        let acked: Vec<String> = results.into_iter().map(|r| r.unwrap().message_id).collect();
        let mut got = Vec::new();
        while got.len() < N {
            got.push(next_message(&b).await);
        }
        let info = a.connection_info().unwrap();
        assert!(info.resumed, "the sender resumed its own lock");
        assert_eq!(info.reconnection_count, 1);
        let ids: Vec<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
        let acked_ref: Vec<&str> = acked.iter().map(String::as_str).collect();
        assert_eq!(ids, acked_ref, "once each, in send order");
        for (i, m) in got.iter().enumerate() {
            assert_eq!(m.payload, format!("{i}").into_bytes());
        }
        b.close().await;
        a.close().await;
    });
}

#[test]
fn users_grants_and_user_topics() {
    let dir = tmp("users");
    let grants = dir.join("grants.json");
    std::fs::write(
        &grants,
        r#"[{"principal":"us::bob::*","workspace":"acme","right":"messaging"}]"#,
    )
    .unwrap();
    let gw = start(
        &dir.join("g.db"),
        &["--messaging-grants", grants.to_str().unwrap()],
        None,
    );
    run(async {
        let acme = new_key(&gw, "acme").await;
        let a = connect(&gw, "ag::acme::a::1", &acme).await;
        let u = connect(&gw, "us::bob::w1", ADMIN).await;
        assert_eq!(
            u.switch_workspace("beta").await.unwrap_err().code(),
            ErrorCode::PermissionDenied
        );
        u.switch_workspace("acme").await.unwrap();
        // Live: users active on acme; durable: the window's inbox.
        let r1 = a
            .send("gu::acme", b"all users", opts("CHAT"))
            .await
            .unwrap();
        let r2 = a
            .send("us::bob::w1", b"direct", opts("CHAT"))
            .await
            .unwrap();
        let mut got = vec![
            next_message(&u).await.message_id,
            next_message(&u).await.message_id,
        ];
        got.sort();
        assert_eq!(got, [r1.message_id, r2.message_id]);
        // Layer 2 for a user: the grant covers acme only.
        let r = u.send("ag::acme::a::1", b"hi", opts("CHAT")).await.unwrap();
        assert_eq!(next_message(&a).await.message_id, r.message_id);
        assert_eq!(
            u.send("ag::beta::x::1", b"hi", opts("CHAT"))
                .await
                .unwrap_err()
                .code(),
            ErrorCode::PermissionDenied
        );
        // Users may not send to event topics (layer 1).
        assert_eq!(
            u.send("event::acme", b"{}", opts("EVENT"))
                .await
                .unwrap_err()
                .code(),
            ErrorCode::PermissionDenied
        );
        let mut o = fast_options();
        o.workspace = Some("beta".into());
        let e =
            MessagingClient::connect(&gw.ws, "us::bob::w2", Credentials::ApiKey(ADMIN.into()), o)
                .await
                .unwrap_err();
        assert_eq!(e.code(), ErrorCode::PermissionDenied);
        u.close().await;
        a.close().await;
    });
}

#[test]
fn sigterm_closes_messaging_connections_with_server_shutdown() {
    let dir = tmp("sigterm");
    let mut gw = start(&dir.join("g.db"), &[], None);
    let rt = rt();
    let acme = rt.block_on(new_key(&gw, "acme"));
    let mut o = fast_options();
    o.reconnect.auto_reconnect = false;
    let c = rt
        .block_on(MessagingClient::connect(
            &gw.ws,
            "ag::acme::a::1",
            Credentials::ApiKey(acme),
            o,
        ))
        .unwrap();
    let st = Command::new("kill")
        .args(["-TERM", &gw.child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    // The client is told (server_shutdown → it would reconnect; here auto_reconnect is off).
    let reason = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), c.wait_until_disconnected())
            .await
            .expect("not disconnected")
    });
    assert_eq!(reason, "transport_lost");
    // And the gateway does not wait for the messaging connection to drain.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if gw.child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "gateway still running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends from 16 concurrent tasks of one client (the gateway stores them in groups, one
/// transaction per group) with a SIGKILL mid-stream: every acknowledged send arrives, once,
/// and each task's messages arrive in the order it sent them.
#[test]
fn gateway_restart_during_grouped_sends_loses_nothing_and_keeps_order() {
    let dir = tmp("restart-grouped");
    let db = dir.join("g.db");
    let gw = start(&db, &["--messaging-send-rate", "100000"], None);
    let port = gw.port;
    let rt = rt();
    let acme = rt.block_on(new_key(&gw, "acme"));
    let (a, b) = rt.block_on(async {
        (
            connect(&gw, "ag::acme::a::1", &acme).await,
            connect(&gw, "ag::acme::b::1", &acme).await,
        )
    });
    let a = std::sync::Arc::new(a);
    const TASKS: usize = 16;
    const EACH: usize = 40;
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let senders: Vec<_> = (0..TASKS)
        .map(|t| {
            let (a, sent) = (a.clone(), sent.clone());
            rt.spawn(async move {
                let mut acked = Vec::new();
                for i in 0..EACH {
                    let r = a
                        .send(
                            "ag::acme::b::1",
                            format!("{t}:{i}").as_bytes(),
                            opts("CHAT"),
                        )
                        .await
                        .unwrap();
                    acked.push(r.message_id);
                    sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                acked
            })
        })
        .collect();
    let receiver = rt.spawn(async move {
        let mut got: Vec<Message> = Vec::new();
        while got.len() < TASKS * EACH {
            got.push(next_message(&b).await);
        }
        b.close().await;
        got
    });
    while sent.load(std::sync::atomic::Ordering::Relaxed) < TASKS * EACH / 3 {
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(gw); // SIGKILL
    let _gw = start(&db, &["--messaging-send-rate", "100000"], Some(port));
    let acked: Vec<Vec<String>> = senders
        .into_iter()
        .map(|s| rt.block_on(s).unwrap())
        .collect();
    let got = rt.block_on(receiver).unwrap();
    let mut ids: Vec<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), TASKS * EACH, "a message was handed over twice");
    for (t, acked) in acked.iter().enumerate() {
        let mine: Vec<&Message> = got
            .iter()
            .filter(|m| m.payload.starts_with(format!("{t}:").as_bytes()))
            .collect();
        let order: Vec<&str> = mine.iter().map(|m| m.message_id.as_str()).collect();
        let acked: Vec<&str> = acked.iter().map(String::as_str).collect();
        assert_eq!(
            order, acked,
            "task {t}: every acknowledged send, once, in order"
        );
        for (i, m) in mine.iter().enumerate() {
            assert_eq!(m.payload, format!("{t}:{i}").into_bytes());
        }
    }
    rt.block_on(a.close());
}

/// Two sends with one `client_msg_id` written together (one group on the gateway): the second
/// is answered as a duplicate of the first, and one message is stored.
#[test]
fn repeated_client_msg_id_within_one_group_is_a_duplicate() {
    let dir = tmp("dup-group");
    let gw = start(&dir.join("g.db"), &[], None);
    run(async {
        let acme = new_key(&gw, "acme").await;
        let b = connect(&gw, "ag::acme::b::1", &acme).await;
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}/v1/messaging/ws", gw.ws))
            .await
            .unwrap();
        let hello = format!(
            r#"{{"type":"hello","protocol_version":1,"identity":"ag::acme::a::1","credentials":{{"api_key":"{acme}"}}}}"#
        );
        ws.send(WsMessage::text(hello)).await.unwrap();
        let welcome = ws.next().await.unwrap().unwrap();
        assert!(welcome.to_text().unwrap().contains("\"welcome\""));
        for rid in ["r1", "r2"] {
            let f = format!(
                r#"{{"type":"request","request_id":"{rid}","op":"send","args":{{"client_msg_id":"c-1","target":"ag::acme::b::1","message_type":"CHAT","payload":"aGk"}}}}"#
            );
            ws.feed(WsMessage::text(f)).await.unwrap();
        }
        ws.flush().await.unwrap();
        let mut answers = Vec::new();
        while answers.len() < 2 {
            if let WsMessage::Text(t) = ws.next().await.unwrap().unwrap() {
                let v = Json::parse(t.as_str()).unwrap();
                if v.get("type").and_then(Json::as_str) == Some("response") {
                    answers.push(v);
                }
            }
        }
        assert!(
            answers.iter().all(|a| a.get("error").is_none()),
            "{answers:?}"
        );
        let field = |v: &Json, k: &str| v.get("result").and_then(|r| r.get(k)).cloned();
        assert_eq!(
            answers[0].get("request_id").and_then(Json::as_str),
            Some("r1")
        );
        assert_eq!(field(&answers[0], "duplicate"), Some(Json::Bool(false)));
        assert_eq!(field(&answers[1], "duplicate"), Some(Json::Bool(true)));
        assert_eq!(
            field(&answers[0], "message_id"),
            field(&answers[1], "message_id")
        );
        let m = next_message(&b).await;
        assert_eq!(m.payload, b"hi".to_vec());
        assert!(matches!(
            b.next(Some(Duration::from_millis(300))).await,
            Err(e) if e.code() == ErrorCode::Timeout
        ));
        b.close().await;
    });
}
