//! The client's background task: connection attempts paced by the [`ReconnectSchedule`], the
//! handshake, the outbox flush after `welcome`, and the connection loop (frames in and out,
//! heartbeat, shutdown).

use super::{disconnected, ConnectionInfo, Credentials, Inner, Outgoing, Push, SendResult};
use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use crate::messaging::backoff::{
    ConnectionEvent, JitterSource, ReconnectOptions, ReconnectSchedule, ScheduleStep,
};
use crate::messaging::wire::{self, error_from_json, obj, Message};
use futures_util::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message as WsMessage;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) struct DriverConfig {
    pub url: String,
    pub identity: String,
    pub credentials: Credentials,
    pub max_in_flight: u32,
    pub workspace: Option<String>,
    pub request_timeout: Duration,
}

enum AttemptError {
    Transport(Error),
    Rejected(Error),
}

enum End {
    Lost,
    Stop(String),
    Shutdown,
}

fn hello(inner: &Inner, cfg: &DriverConfig) -> String {
    let cred = match &cfg.credentials {
        Credentials::ApiKey(k) => obj([("api_key", k.as_str().into())]),
        Credentials::Token(t) => obj([("token", t.as_str().into())]),
    };
    let resume = inner.lock().resume_token.clone();
    obj([
        ("type", "hello".into()),
        ("protocol_version", Json::Int(wire::PROTOCOL_VERSION)),
        ("identity", cfg.identity.as_str().into()),
        ("credentials", cred),
        ("resume_token", wire::opt_str(resume.as_deref())),
        (
            "client",
            obj([
                ("sdk", "rust".into()),
                ("version", env!("CARGO_PKG_VERSION").into()),
            ]),
        ),
        (
            "options",
            obj([
                ("max_in_flight", Json::Int(cfg.max_in_flight as i64)),
                ("workspace", wire::opt_str(cfg.workspace.as_deref())),
            ]),
        ),
    ])
    .to_compact()
}

async fn attempt(inner: &Inner, cfg: &DriverConfig) -> Result<(Ws, Json), AttemptError> {
    let transport = |e: String| AttemptError::Transport(disconnected(&e));
    let mut ws_cfg = WebSocketConfig::default();
    ws_cfg.max_message_size = Some(wire::MAX_FRAME_BYTES);
    ws_cfg.max_frame_size = Some(wire::MAX_FRAME_BYTES);
    // TCP_NODELAY: small request and ack frames must not wait for Nagle (measured: 10 ms per
    // message with it on, `bench/messaging`).
    let connect =
        tokio_tungstenite::connect_async_with_config(cfg.url.as_str(), Some(ws_cfg), true);
    let (mut ws, _) = tokio::time::timeout(cfg.request_timeout, connect)
        .await
        .map_err(|_| transport("connect timed out".into()))?
        .map_err(|e| transport(format!("connect: {e}")))?;
    ws.send(WsMessage::text(hello(inner, cfg)))
        .await
        .map_err(|e| transport(format!("hello: {e}")))?;
    let first = tokio::time::timeout(cfg.request_timeout, async {
        loop {
            match ws.next().await {
                Some(Ok(WsMessage::Text(t))) => return Some(t.to_string()),
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .map_err(|_| transport("no welcome in time".into()))?
    .ok_or_else(|| transport("closed during the handshake".into()))?;
    let (t, f) = wire::parse_frame(&first).map_err(|e| transport(e.message().to_string()))?;
    match t.as_str() {
        "welcome" => Ok((ws, f)),
        "bye" => match f.get("error") {
            Some(e) => Err(AttemptError::Rejected(error_from_json(e))),
            None => Err(transport("refused without an error".into())),
        },
        _ => Err(transport(format!("unexpected frame {t:?}"))),
    }
}

/// Applies `welcome`: connection facts, a new writer, and the outbox flush (unacknowledged
/// sends first, then queued ones, each with its original `client_msg_id`).
fn install(inner: &Inner, welcome: &Json) -> mpsc::UnboundedReceiver<Outgoing> {
    let (tx, rx) = mpsc::unbounded_channel();
    let s = |k: &str| {
        welcome
            .get(k)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut st = inner.lock();
    st.info = Some(ConnectionInfo {
        session_id: s("session_id"),
        identity: s("identity"),
        resumed: welcome.get("resumed").and_then(Json::as_bool) == Some(true),
        reconnection_count: welcome
            .get("reconnection_count")
            .and_then(Json::as_i64)
            .unwrap_or(0),
        inbox_report: welcome.get("inbox_report").cloned().unwrap_or(Json::Null),
        resume_token: s("resume_token"),
    });
    st.resume_token = Some(s("resume_token"));
    let ids = if st.outbox.connected().is_ok() {
        Vec::new()
    } else if st.outbox.begin_flush().is_ok() {
        st.outbox.complete_flush()
    } else {
        Vec::new()
    };
    for id in ids {
        if let Some(p) = st.sends.get(&id) {
            let _ = tx.send(Outgoing::Frame(p.frame.clone()));
        }
    }
    st.writer = Some(tx.clone());
    drop(st);
    inner.wake.notify_waiters();
    rx
}

fn teardown(inner: &Inner) {
    let mut st = inner.lock();
    st.writer = None;
    st.outbox.connection_lost();
    for (_, tx) in st.requests.drain() {
        let _ = tx.send(Err(disconnected("connection lost")));
    }
    drop(st);
    inner.wake.notify_waiters();
}

fn finish(inner: &Inner, reason: &str) {
    let mut st = inner.lock();
    st.writer = None;
    st.closed = Some(reason.to_string());
    let failed = st.outbox.close();
    for (id, code) in failed {
        if let Some(mut p) = st.sends.remove(&id) {
            if let Some(d) = p.done.take() {
                let _ = d.send(Err(Error::new(code, "the client closed")));
            }
        }
    }
    for (_, mut p) in st.sends.drain() {
        if let Some(d) = p.done.take() {
            let _ = d.send(Err(disconnected("the client closed")));
        }
    }
    for (_, tx) in st.requests.drain() {
        let _ = tx.send(Err(disconnected("the client closed")));
    }
    drop(st);
    inner.wake.notify_waiters();
}

pub(crate) async fn run(
    inner: Arc<Inner>,
    cfg: DriverConfig,
    reconnect: ReconnectOptions,
    jitter: JitterSource,
    first: oneshot::Sender<Result<()>>,
) {
    let mut first = Some(first);
    let mut schedule = ReconnectSchedule::new(reconnect, jitter);
    let closed = ScheduleStep::Closed {
        gave_up: false,
        stopped_by: None,
    };
    let mut step = schedule.start_connect().unwrap_or(closed);
    let mut last_error: Option<Error> = None;
    let reason = loop {
        match step {
            ScheduleStep::Wait(d) => {
                let d = Duration::from_secs_f64(if d.is_finite() {
                    d.clamp(0.0, 86_400.0)
                } else {
                    0.0
                });
                tokio::select! {
                    _ = tokio::time::sleep(d) => {}
                    _ = inner.shutdown.notified() => break "client_closed".to_string(),
                }
            }
            ScheduleStep::Closed { stopped_by, .. } => {
                break match stopped_by {
                    Some(code) => format!("rejected:{}", code.as_str()),
                    None => "transport_lost".to_string(),
                };
            }
            ScheduleStep::Connected => {}
        }
        let r = tokio::select! {
            r = attempt(&inner, &cfg) => r,
            _ = inner.shutdown.notified() => break "client_closed".to_string(),
        };
        let event = match r {
            Ok((ws, welcome)) => {
                let _ = schedule.on_event(ConnectionEvent::Ok);
                let heartbeat = welcome
                    .get("heartbeat_interval_ms")
                    .and_then(Json::as_i64)
                    .unwrap_or(10_000)
                    .clamp(100, 60_000) as u64;
                let rx = install(&inner, &welcome);
                if let Some(f) = first.take() {
                    let _ = f.send(Ok(()));
                }
                let end = connection(&inner, ws, rx, Duration::from_millis(heartbeat)).await;
                teardown(&inner);
                match end {
                    End::Lost => ConnectionEvent::Loss,
                    End::Stop(r) => break r,
                    End::Shutdown => break "client_closed".to_string(),
                }
            }
            Err(AttemptError::Transport(e)) => {
                last_error = Some(e);
                ConnectionEvent::Fail
            }
            Err(AttemptError::Rejected(e)) => {
                let code = e.code();
                last_error = Some(e);
                // A refusal no retry can change (a bad option, a missing grant) stops at once;
                // the schedule decides for the codes of §9 and the retryable ones.
                if !matches!(
                    code,
                    ErrorCode::DuplicateIdentity
                        | ErrorCode::AuthFailed
                        | ErrorCode::AuthDenied
                        | ErrorCode::InvalidIdentity
                        | ErrorCode::Timeout
                        | ErrorCode::Internal
                        | ErrorCode::Disconnected
                        | ErrorCode::RateLimited
                ) {
                    break format!("rejected:{}", code.as_str());
                }
                ConnectionEvent::Reject(code)
            }
        };
        step = schedule.on_event(event).unwrap_or(closed);
    };
    if let Some(f) = first.take() {
        let e = match (&last_error, reason.as_str()) {
            (Some(e), r) if r.starts_with("rejected:") => e.clone(),
            _ => disconnected(&format!(
                "could not connect: {}",
                last_error
                    .as_ref()
                    .map(|e| e.message().to_string())
                    .unwrap_or_else(|| reason.clone())
            )),
        };
        let _ = f.send(Err(e));
    }
    finish(&inner, &reason);
}

enum Handled {
    Continue,
    Lost,
    Stop(String),
}

async fn connection(
    inner: &Arc<Inner>,
    ws: Ws,
    mut out: mpsc::UnboundedReceiver<Outgoing>,
    heartbeat: Duration,
) -> End {
    let (mut sink, mut stream) = ws.split();
    let mut ticker = tokio::time::interval(heartbeat);
    ticker.tick().await;
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            f = out.recv() => match f {
                Some(first) => {
                    // This frame and those queued behind it, written with one flush; one yield
                    // first lets tasks that are about to queue a frame do so (fewer writes
                    // under load, no wait when idle).
                    if write_queued(&mut sink, first, &mut out).await.is_err() {
                        return End::Lost;
                    }
                    tokio::task::yield_now().await;
                    if let Ok(more) = out.try_recv() {
                        if write_queued(&mut sink, more, &mut out).await.is_err() {
                            return End::Lost;
                        }
                    }
                    if sink.flush().await.is_err() {
                        return End::Lost;
                    }
                }
                None => return End::Lost,
            },
            m = stream.next() => {
                last_heard = Instant::now();
                match m {
                    None | Some(Err(_)) | Some(Ok(WsMessage::Close(_))) => return End::Lost,
                    Some(Ok(WsMessage::Text(t))) => match handle(inner, t.as_str()) {
                        Handled::Continue => {}
                        Handled::Lost => return End::Lost,
                        Handled::Stop(r) => return End::Stop(r),
                    },
                    Some(Ok(_)) => {}
                }
            }
            _ = ticker.tick() => {
                if last_heard.elapsed() >= heartbeat * 3 {
                    return End::Lost;
                }
                if sink.send(WsMessage::Ping(Default::default())).await.is_err() {
                    return End::Lost;
                }
            }
            _ = inner.shutdown.notified() => {
                // Frames already queued (acknowledgements) go out before `bye`.
                if let Ok(first) = out.try_recv() {
                    if write_queued(&mut sink, first, &mut out).await.is_err() {
                        return End::Shutdown;
                    }
                }
                let bye = obj([("type", "bye".into()), ("reason", "client_closed".into())]);
                let _ = sink.send(WsMessage::text(bye.to_compact())).await;
                let _ = sink.close().await;
                return End::Shutdown;
            }
        }
    }
}

/// Frames written at most per flush.
const MAX_WRITE_GROUP: usize = 256;

fn ack_frame(ids: &mut Vec<String>) -> WsMessage {
    let ids = std::mem::take(ids).into_iter().map(Json::Str).collect();
    WsMessage::text(obj([("type", "ack".into()), ("ids", Json::Arr(ids))]).to_compact())
}

/// Queues `first` and what is already queued behind it on `sink` without flushing, in order;
/// consecutive acknowledgements become one `ack` frame.
async fn write_queued(
    sink: &mut futures_util::stream::SplitSink<Ws, WsMessage>,
    first: Outgoing,
    out: &mut mpsc::UnboundedReceiver<Outgoing>,
) -> std::result::Result<(), tokio_tungstenite::tungstenite::Error> {
    let mut acks = Vec::new();
    let mut next = Some(first);
    let mut n = 0;
    while let Some(o) = next.take() {
        match o {
            Outgoing::Ack(id) => acks.push(id),
            Outgoing::Frame(text) => {
                if !acks.is_empty() {
                    sink.feed(ack_frame(&mut acks)).await?;
                }
                sink.feed(WsMessage::text(text)).await?;
            }
        }
        n += 1;
        if n < MAX_WRITE_GROUP {
            next = out.try_recv().ok();
        }
    }
    if !acks.is_empty() {
        sink.feed(ack_frame(&mut acks)).await?;
    }
    Ok(())
}

fn write(inner: &Inner, frame: Json) {
    if let Some(w) = &inner.lock().writer {
        let _ = w.send(Outgoing::Frame(frame.to_compact()));
    }
}

fn handle(inner: &Arc<Inner>, text: &str) -> Handled {
    let Ok((t, f)) = wire::parse_frame(text) else {
        return Handled::Continue;
    };
    match t.as_str() {
        "response" => {
            let rid = f.get("request_id").and_then(Json::as_str).unwrap_or("");
            let outcome: Result<Json> = match f.get("error") {
                Some(e) => Err(error_from_json(e)),
                None => Ok(f.get("result").cloned().unwrap_or(Json::Null)),
            };
            if let Some(cmid) = rid.strip_prefix("s:") {
                on_send_response(inner, cmid, outcome);
            } else if let Some(tx) = inner.lock().requests.remove(rid) {
                let _ = tx.send(outcome);
            }
        }
        "deliver" => {
            let Ok(m) = Message::from_json(&f) else {
                return Handled::Continue;
            };
            let mut st = inner.lock();
            if st.dedup.observe(&m.message_id) {
                st.incoming.push_back(Push::Message(m));
                drop(st);
                inner.wake.notify_waiters();
            } else if let Some(w) = &st.writer {
                // Seen before: acknowledged, not surfaced (§6.2).
                let _ = w.send(Outgoing::Ack(m.message_id));
            }
        }
        "assignment" => {
            let id = f
                .get("assignment_id")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string();
            let mut st = inner.lock();
            if st.dedup.observe(&id) {
                st.incoming.push_back(Push::Assignment(f));
                drop(st);
                inner.wake.notify_waiters();
            } else if let Some(w) = &st.writer {
                let _ = w.send(Outgoing::Ack(id));
            }
        }
        "notice" => {
            let kind = f
                .get("kind")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string();
            let data = f.get("data").cloned().unwrap_or(Json::Null);
            inner.lock().incoming.push_back(Push::Notice { kind, data });
            inner.wake.notify_waiters();
        }
        "ping" => {
            let nonce = f.get("nonce").cloned().unwrap_or(Json::Null);
            write(inner, obj([("type", "pong".into()), ("nonce", nonce)]));
        }
        "bye" => {
            let reason = f
                .get("reason")
                .and_then(Json::as_str)
                .unwrap_or("server_shutdown");
            return match reason {
                "taken_over" | "kicked" | "auth_expired" => Handled::Stop(reason.to_string()),
                _ => Handled::Lost,
            };
        }
        _ => {}
    }
    Handled::Continue
}

fn on_send_response(inner: &Arc<Inner>, cmid: &str, outcome: Result<Json>) {
    if let Err(e) = &outcome {
        if e.code() == ErrorCode::RateLimited {
            // Pace: retransmit the same send (same client_msg_id) after retry_after_ms.
            let ms = e
                .details_json()
                .and_then(|d| d.get("retry_after_ms"))
                .and_then(Json::as_i64)
                .unwrap_or(10)
                .clamp(1, 60_000) as u64;
            let inner = inner.clone();
            let cmid = cmid.to_string();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                let st = inner.lock();
                if let (Some(p), Some(w)) = (st.sends.get(&cmid), &st.writer) {
                    let _ = w.send(Outgoing::Frame(p.frame.clone()));
                }
            });
            return;
        }
    }
    let mut st = inner.lock();
    st.outbox.acknowledge(cmid);
    if let Some(mut p) = st.sends.remove(cmid) {
        if let Some(d) = p.done.take() {
            let r = outcome.and_then(|v| {
                Ok(SendResult {
                    message_id: wire::get_str(&v, "message_id")?.to_string(),
                    timestamp_ms: wire::get_i64(&v, "timestamp_ms", 0)?,
                })
            });
            let _ = d.send(r);
        }
    }
    drop(st);
    inner.wake.notify_waiters();
}
