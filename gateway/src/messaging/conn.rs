//! One messaging WebSocket connection: `hello` → checks of §3 → identity lock → `welcome` →
//! deliveries (unacknowledged first), requests answered in arrival order, acknowledgements,
//! heartbeat and lock refresh, takeover (`bye{taken_over}`).

use super::store::{Appended, Item, NewSend, Pending, Stored};
use super::{inbox_of, own_inbox, ConnEntry, Hub};
use crate::auth::Principal;
use crate::server::Shared;
use axum::extract::ws::{CloseFrame, Message as WsMessage, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Notify};
use warden_core::json::Json;
use warden_core::messaging::lock::generate_resume_token;
use warden_core::messaging::pattern::pattern_matches;
use warden_core::messaging::send_check::{authorize_send, check_send_frame};
use warden_core::messaging::topic::{Delivery, Topic};
use warden_core::messaging::wire::{
    self, close_code, error_json, get_bytes, get_opt_str, get_str, get_string_map, obj, Message,
    MAX_FRAME_BYTES,
};
use warden_core::messaging::{
    parse_claim, Identity, PrincipalType, SendContext, SendRateLimiter, SendRequest,
};
use warden_core::{Error, ErrorCode, Result};

type Tx = SplitSink<WebSocket, WsMessage>;
type Rx = SplitStream<WebSocket>;

/// `GET /v1/messaging/ws`.
pub(crate) async fn ws_handler(
    State((app, hub)): State<(Shared, Arc<Hub>)>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            let (tx, rx) = socket.split();
            run(app, hub, tx, rx).await;
        })
}

/// What the credential allows (§3).
struct Credential {
    patterns: Vec<String>,
    allow_on_behalf_of: bool,
}

struct Session {
    session_id: String,
    identity: Identity,
    canonical: String,
    inbox: Option<String>,
    credential: Credential,
    rate: SendRateLimiter,
    max_in_flight: usize,
    in_flight: HashSet<String>,
    cursor: i64,
    last_heard: Instant,
    last_notice_ms: i64,
}

/// Frames already received that one read processes as a group (sends stored in one
/// transaction, acknowledgements in another, answers written with one flush).
const MAX_GROUP: usize = 256;

async fn send_json(tx: &mut Tx, v: &Json) -> bool {
    tx.send(WsMessage::Text(Utf8Bytes::from(v.to_compact())))
        .await
        .is_ok()
}

/// Queues a frame without flushing (the caller flushes once for the group).
async fn feed_json(tx: &mut Tx, v: &Json) -> bool {
    tx.feed(WsMessage::Text(Utf8Bytes::from(v.to_compact())))
        .await
        .is_ok()
}

async fn close_with(tx: &mut Tx, reason: &str, error: Option<&Error>, code: u16) {
    let mut m = vec![
        ("type".to_string(), Json::from("bye")),
        ("reason".to_string(), Json::from(reason)),
    ];
    if let Some(e) = error {
        m.push(("error".into(), error_json(e)));
    }
    let _ = send_json(tx, &Json::Obj(m)).await;
    let _ = tx
        .send(WsMessage::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from(reason.to_string()),
        })))
        .await;
    let _ = tx.close().await;
}

/// The next text frame, parsed; `Ok(None)` when the transport ended.
fn parse_ws(m: WsMessage) -> Option<Result<(String, Json)>> {
    match m {
        WsMessage::Text(t) => Some(wire::parse_frame(t.as_str())),
        WsMessage::Binary(_) => Some(Err(Error::with_reason(
            ErrorCode::ValidationError,
            "binary_frame",
            "only JSON text frames are supported",
        ))),
        _ => None,
    }
}

async fn run(app: Shared, hub: Arc<Hub>, mut tx: Tx, mut rx: Rx) {
    let first = tokio::time::timeout(hub.cfg.hello_timeout, async {
        loop {
            match rx.next().await {
                None | Some(Err(_)) => return None,
                Some(Ok(WsMessage::Close(_))) => return None,
                Some(Ok(m)) => {
                    if let Some(r) = parse_ws(m) {
                        return Some(r);
                    }
                }
            }
        }
    })
    .await;
    let hello = match first {
        Err(_) => {
            let e = Error::with_reason(
                ErrorCode::Timeout,
                "no_hello",
                "no hello within the time allowed",
            );
            close_with(&mut tx, "error", Some(&e), close_code::TIMEOUT).await;
            return;
        }
        Ok(None) => return,
        Ok(Some(Err(e))) => {
            close_with(&mut tx, "error", Some(&e), close_code::PROTOCOL).await;
            return;
        }
        Ok(Some(Ok(h))) => h,
    };
    let (live_tx, mut live_rx) = mpsc::channel(hub.cfg.live_buffer.max(1));
    let kick = Arc::new(Notify::new());
    let (mut s, welcome) = match handshake(&app, &hub, hello, live_tx, kick.clone()).await {
        Ok(x) => x,
        Err(e) => {
            let code = wire::close_code_for(e.code());
            close_with(&mut tx, "error", Some(&e), code).await;
            return;
        }
    };
    if !send_json(&mut tx, &welcome).await {
        hub.unregister(&s.session_id, &s.canonical);
        return;
    }
    let notify = s.inbox.as_ref().map(|i| hub.inbox_notify(i));
    let beat = Duration::from_millis((hub.cfg.lock_ttl_ms / 3).max(1));
    let mut ticker = tokio::time::interval(beat);
    ticker.tick().await;
    let mut closing = hub.closing.subscribe();
    let mut alive = pull(&hub, &mut s, &mut tx).await;
    while alive {
        if *closing.borrow_and_update() {
            close_with(&mut tx, "server_shutdown", None, close_code::GOING_AWAY).await;
            break;
        }
        tokio::select! {
            _ = closing.changed() => {}
            m = rx.next() => {
                s.last_heard = Instant::now();
                // This frame and those already received after it, processed as one group.
                let mut group = Vec::new();
                let mut ended = false;
                let mut next = Some(m);
                while let Some(m) = next.take() {
                    match m {
                        None | Some(Err(_)) | Some(Ok(WsMessage::Close(_))) => {
                            ended = true;
                            break;
                        }
                        Some(Ok(WsMessage::Ping(_))) | Some(Ok(WsMessage::Pong(_))) => {}
                        Some(Ok(m)) => group.push(m),
                    }
                    if group.len() < MAX_GROUP {
                        next = rx.next().now_or_never();
                    }
                }
                if !group.is_empty() {
                    match on_frames(&hub, &mut s, &mut tx, group).await {
                        Flow::Continue => {}
                        Flow::Stop => break,
                    }
                }
                if ended {
                    break;
                }
            }
            Some(frame) = live_rx.recv() => {
                hub.metrics.delivered.fetch_add(1, Ordering::Relaxed);
                alive = send_json(&mut tx, &frame).await;
            }
            _ = async {
                match &notify {
                    Some(n) => n.notified().await,
                    None => std::future::pending().await,
                }
            } => {
                alive = pull(&hub, &mut s, &mut tx).await;
            }
            _ = kick.notified() => {
                // Displaced by a resume or a stale takeover: no delivery after this point.
                close_with(&mut tx, "taken_over", None, close_code::TAKEN_OVER).await;
                return;
            }
            _ = ticker.tick() => {
                let silent = s.last_heard.elapsed();
                if silent >= Duration::from_millis(hub.cfg.lock_ttl_ms) {
                    let e = Error::with_reason(ErrorCode::Timeout, "heartbeat_timeout", "no frame from the client");
                    close_with(&mut tx, "heartbeat_timeout", Some(&e), close_code::TIMEOUT).await;
                    break;
                }
                if silent < Duration::from_millis(hub.cfg.lock_ttl_ms / 2)
                    && !hub.refresh(&s.session_id, &s.canonical)
                {
                    close_with(&mut tx, "taken_over", None, close_code::TAKEN_OVER).await;
                    return;
                }
                alive = tx.send(WsMessage::Ping(Default::default())).await.is_ok()
                    && notice(&hub, &mut s, &mut tx).await;
            }
        }
    }
    hub.unregister(&s.session_id, &s.canonical);
    let _ = super::tasks::on_disconnect(&hub, &s.canonical);
}

enum Flow {
    Continue,
    Stop,
}

/// A valid `request{op:"send"}` (these are stored as a group).
fn is_send(t: &str, f: &Json) -> bool {
    t == "request"
        && f.get("op").and_then(Json::as_str) == Some("send")
        && matches!(get_str(f, "request_id"), Ok(r) if !r.is_empty() && r.len() <= 128)
}

/// Processes received frames in order: a run of sends is stored in one transaction and a run
/// of acknowledgements removed in one (followed by the next deliveries), other frames one by
/// one; the answers go out with one flush.
async fn on_frames(hub: &Hub, s: &mut Session, tx: &mut Tx, group: Vec<WsMessage>) -> Flow {
    let mut frames = Vec::with_capacity(group.len());
    let mut bad = None;
    for m in group {
        match parse_ws(m) {
            None => {}
            Some(Ok(f)) => frames.push(f),
            Some(Err(e)) => {
                bad = Some(e);
                break;
            }
        }
    }
    let mut i = 0;
    while i < frames.len() {
        let (t, f) = &frames[i];
        let ok = if is_send(t, f) {
            let mut j = i + 1;
            while j < frames.len() && is_send(&frames[j].0, &frames[j].1) {
                j += 1;
            }
            let ok = send_group(hub, s, tx, &frames[i..j]).await;
            i = j;
            ok
        } else if t == "ack" {
            let mut j = i + 1;
            while j < frames.len() && frames[j].0 == "ack" {
                j += 1;
            }
            let ok = ack_group(hub, s, tx, &frames[i..j]).await;
            i = j;
            ok
        } else {
            i += 1;
            match on_frame(hub, s, tx, t, f).await {
                Flow::Continue => true,
                Flow::Stop => return Flow::Stop,
            }
        };
        if !ok {
            return Flow::Stop;
        }
    }
    if let Some(e) = bad {
        close_with(tx, "protocol_error", Some(&e), close_code::PROTOCOL).await;
        return Flow::Stop;
    }
    if tx.flush().await.is_err() {
        return Flow::Stop;
    }
    Flow::Continue
}

/// A run of sends: checked and given ids in order, stored in one transaction (answered only
/// after its commit), then delivered (inbox wake-ups, live fan-out) and answered in order.
async fn send_group(hub: &Hub, s: &mut Session, tx: &mut Tx, frames: &[(String, Json)]) -> bool {
    let empty = Json::Obj(Vec::new());
    let prepared: Vec<(&str, Result<Prepared>)> = frames
        .iter()
        .map(|(_, f)| {
            let rid = get_str(f, "request_id").unwrap_or_default();
            let args = f.get("args").unwrap_or(&empty);
            let p = if matches!(args, Json::Obj(_)) {
                prepare_send(hub, s, args)
            } else {
                Err(Error::validation("args must be an object"))
            };
            (rid, p)
        })
        .collect();
    let new: Vec<NewSend<'_>> = prepared
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok())
        .map(|p| NewSend {
            inbox: p.inbox.as_deref(),
            source: &s.canonical,
            client_msg_id: &p.client_msg_id,
            message: &p.message,
        })
        .collect();
    let stored = if new.is_empty() {
        Ok((Vec::new(), Appended::default()))
    } else {
        let now = hub.now_ms();
        hub.store().store_sends(&new, now, hub.cfg.retention)
    };
    drop(new);
    let mut stored = stored.map(|(v, a)| {
        hub.count_drops(a.dropped_overflow, a.dropped_expired);
        v.into_iter()
    });
    let mut woken: Vec<&str> = Vec::new();
    let mut answers = Vec::with_capacity(prepared.len());
    for (rid, p) in &prepared {
        let r = match (p, stored.as_mut()) {
            (Err(e), _) => Err(e.clone()),
            (Ok(_), Err(e)) => Err(e.clone()),
            (Ok(p), Ok(it)) => match it.next() {
                Some(Stored::Duplicate(id, ts)) => Ok(obj([
                    ("message_id", id.into()),
                    ("timestamp_ms", Json::Int(ts)),
                    ("duplicate", Json::Bool(true)),
                ])),
                Some(Stored::New) => {
                    match (&p.inbox, &p.live) {
                        (Some(inbox), _) => {
                            if !woken.contains(&inbox.as_str()) {
                                woken.push(inbox);
                            }
                        }
                        (None, Some((topic, parties))) => {
                            hub.fan_out(topic, parties, &p.message.deliver_frame());
                        }
                        (None, None) => {}
                    }
                    hub.metrics.accepted.fetch_add(1, Ordering::Relaxed);
                    Ok(obj([
                        ("message_id", p.message.message_id.as_str().into()),
                        ("timestamp_ms", Json::Int(p.message.timestamp_ms)),
                        ("duplicate", Json::Bool(false)),
                    ]))
                }
                None => Err(Error::internal("send group: missing store result")),
            },
        };
        answers.push(response_frame(rid, r));
    }
    for inbox in woken {
        hub.inbox_notify(inbox).notify_one();
    }
    for a in &answers {
        if !feed_json(tx, a).await {
            return false;
        }
    }
    true
}

/// A run of acknowledgements: removed in one transaction that also takes the next deliveries
/// the freed window allows; those go out at once.
async fn ack_group(hub: &Hub, s: &mut Session, tx: &mut Tx, frames: &[(String, Json)]) -> bool {
    let mut ids: Vec<String> = Vec::new();
    for (_, f) in frames {
        if let Some(a) = f.get("ids").and_then(Json::as_arr) {
            ids.extend(a.iter().filter_map(|x| x.as_str().map(str::to_string)));
        }
    }
    for id in &ids {
        s.in_flight.remove(id);
    }
    let Some(inbox) = s.inbox.clone() else {
        return true;
    };
    if ids.is_empty() {
        return pull(hub, s, tx).await;
    }
    // A displaced connection gets no delivery once the takeover happened (§7.2).
    let room = if hub.is_registered(&s.session_id) {
        s.max_in_flight
            .saturating_sub(s.in_flight.len())
            .min(MAX_TAKE)
    } else {
        0
    };
    let r = hub.store().ack_and_take(&inbox, &ids, s.cursor, room);
    let r = r.and_then(|(n, frames, taken)| {
        hub.metrics.acked.fetch_add(n as u64, Ordering::Relaxed);
        super::tasks::on_acked(hub, &s.canonical, &frames).map(|_| taken)
    });
    let taken = match r {
        Ok(t) => t,
        Err(e) => {
            close_with(tx, "error", Some(&e), close_code::INTERNAL).await;
            return false;
        }
    };
    let full = room > 0 && taken.len() == room;
    if !deliver(hub, s, tx, taken).await {
        return false;
    }
    // Fewer rows than asked for: the inbox had no more; a later append wakes this connection.
    if full {
        pull(hub, s, tx).await
    } else {
        true
    }
}

fn response_frame(rid: &str, r: Result<Json>) -> Json {
    match r {
        Ok(v) => obj([
            ("type", "response".into()),
            ("request_id", rid.into()),
            ("result", v),
        ]),
        Err(e) => obj([
            ("type", "response".into()),
            ("request_id", rid.into()),
            ("error", error_json(&e)),
        ]),
    }
}

async fn on_frame(hub: &Hub, s: &mut Session, tx: &mut Tx, t: &str, f: &Json) -> Flow {
    let ok = match t {
        "request" => {
            let rid = match get_str(f, "request_id") {
                Ok(r) if !r.is_empty() && r.len() <= 128 => r.to_string(),
                _ => {
                    let e = Error::with_reason(
                        ErrorCode::ValidationError,
                        "bad_request_id",
                        "request_id must be a string of 1-128 bytes",
                    );
                    close_with(tx, "protocol_error", Some(&e), close_code::PROTOCOL).await;
                    return Flow::Stop;
                }
            };
            let empty = Json::Obj(Vec::new());
            let args = f.get("args").unwrap_or(&empty);
            let r = match f.get("op").and_then(Json::as_str) {
                Some(op) => request(hub, s, op, args),
                None => Err(Error::validation("op is required")),
            };
            send_json(tx, &response_frame(&rid, r)).await
        }
        "ack" => ack_group(hub, s, tx, &[(t.to_string(), f.clone())]).await,
        "ping" => {
            let nonce = f.get("nonce").cloned().unwrap_or(Json::Null);
            send_json(tx, &obj([("type", "pong".into()), ("nonce", nonce)])).await
        }
        "pong" => true,
        "bye" => {
            let _ = tx
                .send(WsMessage::Close(Some(CloseFrame {
                    code: close_code::NORMAL,
                    reason: Utf8Bytes::from_static("bye"),
                })))
                .await;
            return Flow::Stop;
        }
        other => {
            let e = Error::with_reason(
                ErrorCode::ValidationError,
                "unknown_frame",
                format!(
                    "unknown frame type {:?}",
                    other.chars().take(32).collect::<String>()
                ),
            );
            close_with(tx, "protocol_error", Some(&e), close_code::PROTOCOL).await;
            return Flow::Stop;
        }
    };
    if ok {
        Flow::Continue
    } else {
        Flow::Stop
    }
}

/// Rows taken from the inbox at a time.
const MAX_TAKE: usize = 64;

/// Pushes inbox messages up to the in-flight window; false when the transport failed.
async fn pull(hub: &Hub, s: &mut Session, tx: &mut Tx) -> bool {
    let Some(inbox) = s.inbox.clone() else {
        return true;
    };
    loop {
        // A displaced connection gets no delivery once the takeover happened (§7.2).
        if !hub.is_registered(&s.session_id) {
            break;
        }
        let room = s.max_in_flight.saturating_sub(s.in_flight.len());
        if room == 0 {
            break;
        }
        let want = room.min(MAX_TAKE);
        let batch = {
            let mut st = hub.store();
            st.take(&inbox, s.cursor, want)
        };
        let batch = match batch {
            Ok(b) => b,
            Err(e) => {
                close_with(tx, "error", Some(&e), close_code::INTERNAL).await;
                return false;
            }
        };
        let more = batch.len() == want;
        if !deliver(hub, s, tx, batch).await {
            return false;
        }
        // Fewer rows than asked for: the inbox had no more; a later append wakes this
        // connection.
        if !more {
            break;
        }
    }
    tx.flush().await.is_ok()
}

/// Queues the frames of taken inbox rows (the caller flushes) and counts them in flight.
async fn deliver(hub: &Hub, s: &mut Session, tx: &mut Tx, batch: Vec<Pending>) -> bool {
    for p in batch {
        s.cursor = p.seq;
        let frame = match p.item {
            Item::Message {
                id,
                frame,
                redelivered,
            } => {
                s.in_flight.insert(id);
                hub.metrics.delivered.fetch_add(1, Ordering::Relaxed);
                if redelivered {
                    hub.metrics.redelivered.fetch_add(1, Ordering::Relaxed);
                }
                frame
            }
            Item::Assignment(id, frame) => {
                s.in_flight.insert(id);
                frame.to_compact()
            }
        };
        if tx
            .feed(WsMessage::Text(Utf8Bytes::from(frame)))
            .await
            .is_err()
        {
            return false;
        }
    }
    true
}

/// While connected: a `notice{inbox_report}` when drops happened, at most every interval.
async fn notice(hub: &Hub, s: &mut Session, tx: &mut Tx) -> bool {
    let Some(inbox) = &s.inbox else { return true };
    let now = hub.now_ms();
    if now - s.last_notice_ms < hub.cfg.notice_interval_ms {
        return true;
    }
    let report = {
        let mut st = hub.store();
        let _ = st
            .expire(inbox, now, hub.cfg.retention)
            .map(|n| hub.count_drops(0, n));
        st.report(inbox, false)
    };
    let Ok((pending, dropped, dropped_live)) = report else {
        return true;
    };
    if dropped == 0 && dropped_live == 0 {
        return true;
    }
    let _ = hub.store().report(inbox, true);
    s.last_notice_ms = now;
    send_json(
        tx,
        &obj([
            ("type", "notice".into()),
            ("kind", "inbox_report".into()),
            ("data", inbox_report_json(pending, dropped, dropped_live)),
        ]),
    )
    .await
}

fn inbox_report_json(pending: i64, dropped: i64, dropped_live: i64) -> Json {
    obj([
        ("pending", Json::Int(pending)),
        ("dropped", Json::Int(dropped)),
        ("dropped_live", Json::Int(dropped_live)),
    ])
}

fn credential_for(app: &Shared, hello: &Json) -> Result<Credential> {
    let c = hello.get("credentials");
    let secret = c
        .and_then(|c| c.get("api_key").or_else(|| c.get("token")))
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            Error::with_reason(
                ErrorCode::AuthFailed,
                "missing_credential",
                "credentials.api_key or credentials.token is required",
            )
        })?;
    let mut headers = HeaderMap::new();
    let v = axum::http::HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| {
        Error::with_reason(ErrorCode::AuthFailed, "malformed", "invalid credential")
    })?;
    headers.insert("authorization", v);
    let p = crate::server::authenticate(app, &headers).map_err(|e| {
        if e.code() == ErrorCode::AuthFailed {
            e
        } else {
            Error::with_reason(ErrorCode::AuthFailed, "invalid", "invalid credential")
        }
    })?;
    Ok(match p {
        // An API key: its workspace's agents and tasks; the bootstrap key (`*`): anyone.
        Principal::Key { workspace, .. } if workspace == "*" => Credential {
            patterns: vec!["*".into()],
            allow_on_behalf_of: false,
        },
        Principal::Key { workspace, .. } => Credential {
            patterns: vec![
                format!("ag::{workspace}::*::*"),
                format!("tu::{workspace}::*::*"),
                format!("ta::{workspace}::*"),
            ],
            allow_on_behalf_of: false,
        },
        // A Warden token: its subject as one exact pattern.
        Principal::Agent { agent_id, .. } => Credential {
            patterns: vec![agent_id],
            allow_on_behalf_of: false,
        },
    })
}

async fn handshake(
    app: &Shared,
    hub: &Arc<Hub>,
    (t, hello): (String, Json),
    live_tx: mpsc::Sender<Json>,
    kick: Arc<Notify>,
) -> Result<(Session, Json)> {
    if t != "hello" {
        return Err(Error::with_reason(
            ErrorCode::ValidationError,
            "hello_expected",
            "the first frame must be hello",
        ));
    }
    if hello.get("protocol_version").and_then(Json::as_i64) != Some(wire::PROTOCOL_VERSION) {
        return Err(Error::with_reason(
            ErrorCode::ValidationError,
            "protocol_version",
            "protocol_version must be 1",
        ));
    }
    let claim_text = get_str(&hello, "identity")
        .map_err(|_| Error::new(ErrorCode::InvalidIdentity, "identity is required"))?;
    let claim = parse_claim(claim_text)?;
    let app2 = app.clone();
    let hello2 = hello.clone();
    let credential = tokio::task::spawn_blocking(move || credential_for(&app2, &hello2))
        .await
        .map_err(|_| Error::internal("authentication task failed"))??;
    if !credential
        .patterns
        .iter()
        .any(|p| pattern_matches(p, &claim))
    {
        return Err(Error::with_reason(
            ErrorCode::AuthDenied,
            "identity_not_allowed",
            "the credential may not claim this identity",
        ));
    }
    let resume = get_opt_str(&hello, "resume_token")
        .map_err(|_| Error::validation("resume_token must be a string"))?
        .filter(|t| !t.is_empty());
    let options = hello
        .get("options")
        .cloned()
        .unwrap_or(Json::Obj(Vec::new()));
    let max_in_flight = wire::get_u64(&options, "max_in_flight", 256)?;
    if !(1..=10_000).contains(&max_in_flight) {
        return Err(Error::validation("options.max_in_flight must be 1-10000"));
    }
    let workspace = get_opt_str(&options, "workspace")?.map(str::to_string);
    if let Some(ws) = &workspace {
        if claim.principal_type != PrincipalType::User {
            return Err(Error::validation("options.workspace is for users only"));
        }
        user_may_use(hub, &claim, ws)?;
    }
    let pool_consumer = match options.get("pool_consumer") {
        None | Some(Json::Null) => true,
        Some(Json::Bool(b)) => *b,
        Some(_) => return Err(Error::validation("options.pool_consumer must be a boolean")),
    };
    let identity = if claim.pooled {
        let canonical = resume
            .and_then(|r| hub.pooled_for_token(r))
            .filter(|c| parse_claim_of(c).as_deref() == Some(claim_text));
        match canonical {
            Some(c) => warden_core::messaging::parse_identity(&c)?,
            None => claim.with_pooled_id(&hub.new_id(hub.now_ms())?)?,
        }
    } else {
        claim
    };
    let canonical = identity
        .canonical
        .clone()
        .ok_or_else(|| Error::internal("identity has no canonical form"))?;
    let session_id = format!("ms_{}", hub.new_id(hub.now_ms())?);
    let new_token = generate_resume_token()?;
    let entry = ConnEntry {
        session_id: session_id.clone(),
        identity: identity.clone(),
        canonical: canonical.clone(),
        active_workspace: workspace,
        pool_consumer,
        live_tx,
        kick,
    };
    let (outcome, record) = hub.acquire_and_register(entry, resume, &new_token)?;
    if let Err(e) = super::tasks::on_connect(hub, &identity) {
        hub.unregister(&session_id, &canonical);
        return Err(e);
    }
    let inbox = own_inbox(&identity);
    let now = hub.now_ms();
    let report = match &inbox {
        Some(i) => {
            let mut st = hub.store();
            let expired = st.expire(i, now, hub.cfg.retention);
            let r = expired.and_then(|n| {
                hub.count_drops(0, n);
                st.report(i, true)
            });
            drop(st);
            match r {
                Ok(r) => r,
                Err(e) => {
                    hub.unregister(&session_id, &canonical);
                    return Err(e);
                }
            }
        }
        None => (0, 0, 0),
    };
    let l = hub.limits;
    let welcome = obj([
        ("type", "welcome".into()),
        ("session_id", session_id.as_str().into()),
        ("identity", canonical.as_str().into()),
        ("resume_token", new_token.as_str().into()),
        (
            "resumed",
            Json::Bool(outcome == warden_core::messaging::AcquireOutcome::Resumed),
        ),
        ("lock_outcome", outcome.as_str().into()),
        (
            "reconnection_count",
            Json::Int(record.reconnection_count as i64),
        ),
        (
            "initial_connection_ms",
            Json::Int(record.initial_connection_ms as i64),
        ),
        (
            "heartbeat_interval_ms",
            Json::Int((hub.cfg.lock_ttl_ms / 3) as i64),
        ),
        ("lock_ttl_ms", Json::Int(hub.cfg.lock_ttl_ms as i64)),
        (
            "limits",
            obj([
                ("max_topic_bytes", Json::Int(l.max_topic_bytes as i64)),
                ("max_payload_bytes", Json::Int(l.max_payload_bytes as i64)),
                ("max_headers", Json::Int(l.max_headers as i64)),
                (
                    "max_header_key_bytes",
                    Json::Int(l.max_header_key_bytes as i64),
                ),
                (
                    "max_header_value_bytes",
                    Json::Int(l.max_header_value_bytes as i64),
                ),
                ("max_frame_bytes", Json::Int(MAX_FRAME_BYTES as i64)),
                ("max_in_flight", Json::Int(max_in_flight as i64)),
                ("send_rate_per_s", Json::Int(hub.cfg.send_rate as i64)),
                ("send_burst", Json::Int(hub.cfg.send_burst as i64)),
            ]),
        ),
        (
            "inbox_report",
            inbox_report_json(report.0, report.1, report.2),
        ),
    ]);
    let s = Session {
        session_id,
        identity,
        canonical,
        inbox,
        credential,
        // Validated at start (`--messaging-send-rate`/`-burst` ≥ 1); the default bucket else.
        rate: SendRateLimiter::new(hub.cfg.send_rate, hub.cfg.send_burst, now)
            .unwrap_or_else(|_| SendRateLimiter::default_at(now)),
        max_in_flight: max_in_flight as usize,
        in_flight: HashSet::new(),
        cursor: 0,
        last_heard: Instant::now(),
        last_notice_ms: now,
    };
    Ok((s, welcome))
}

fn parse_claim_of(canonical: &str) -> Option<String> {
    warden_core::messaging::parse_identity(canonical)
        .ok()
        .map(|i| i.claim_form())
}

/// A user window may make `ws` its active workspace: a valid segment and a `messaging` grant
/// (§8.1).
fn user_may_use(hub: &Hub, user: &Identity, ws: &str) -> Result<()> {
    warden_core::messaging::validate_segment(ws)
        .map_err(|_| Error::validation("workspace is not a valid segment"))?;
    if !warden_core::messaging::grants::has_grant(
        &hub.cfg.grants,
        user,
        Some(ws),
        warden_core::messaging::Right::Messaging,
    ) {
        return Err(Error::new(
            ErrorCode::PermissionDenied,
            "no messaging grant on this workspace",
        ));
    }
    Ok(())
}

pub(crate) fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        return 0.0;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

fn request(hub: &Hub, s: &mut Session, op: &str, args: &Json) -> Result<Json> {
    if !matches!(args, Json::Obj(_)) {
        return Err(Error::validation("args must be an object"));
    }
    match op {
        // Valid sends are stored in groups (`send_group`); this is the one-send group.
        "send" => Err(Error::internal("send outside a send group")),
        "switch_workspace" => {
            if s.identity.principal_type != PrincipalType::User {
                return Err(Error::validation("switch_workspace is for users only"));
            }
            let ws = get_str(args, "workspace")?;
            user_may_use(hub, &s.identity, ws)?;
            hub.set_active_workspace(&s.session_id, Some(ws.to_string()));
            Ok(obj([("workspace", ws.into())]))
        }
        op if op.starts_with("kv_") => super::ops::kv(hub, &s.identity, op, args),
        "create_task" | "get_task" | "query_tasks" | "complete_task" | "fail_task"
        | "cancel_task" => super::tasks::request(hub, &s.identity, op, args),
        op if op.starts_with("checkpoint_") => super::ops::checkpoint(hub, &s.identity, op, args),
        _ => Err(Error::with_reason(
            ErrorCode::ValidationError,
            "unknown_op",
            format!(
                "unknown or unsupported op {:?}",
                op.chars().take(32).collect::<String>()
            ),
        )),
    }
}

/// A send that passed the checks of §5.2, with its id, waiting to be stored.
struct Prepared {
    client_msg_id: String,
    message: Message,
    /// The durable inbox it lands in, or, for a live target, its topic and task parties.
    inbox: Option<String>,
    live: Option<(Topic, Vec<String>)>,
}

fn prepare_send(hub: &Hub, s: &mut Session, args: &Json) -> Result<Prepared> {
    let client_msg_id = get_str(args, "client_msg_id")?;
    if client_msg_id.is_empty() || client_msg_id.len() > 128 {
        return Err(Error::validation("client_msg_id must be 1-128 bytes"));
    }
    let target = get_str(args, "target")?;
    let message_type = get_opt_str(args, "message_type")?;
    let payload = get_bytes(args, "payload")?;
    let headers = get_string_map(args, "headers")?;
    let on_behalf_of = get_opt_str(args, "on_behalf_of")?;
    let req = SendRequest {
        target,
        message_type,
        payload: &payload,
        headers: &headers,
        on_behalf_of,
    };
    let checked = check_send_frame(&req, &hub.limits)?;
    let now = hub.now_ms();
    s.rate.try_take(now)?;
    let services = if checked.topic.service_any() {
        hub.connected_services()
    } else {
        Vec::new()
    };
    let parties: Vec<(String, Vec<String>)> = match &checked.topic.task {
        Some((task_id, _)) => vec![(task_id.clone(), super::tasks::parties(hub, task_id)?)],
        None => Vec::new(),
    };
    let ctx = SendContext {
        sender: &s.identity,
        allow_on_behalf_of: s.credential.allow_on_behalf_of,
        grants: &hub.cfg.grants,
        connected_services: &services,
        task_parties: &parties,
        // Only an `sv` ANY target draws (a system call per draw otherwise).
        service_choice: if checked.topic.service_any() {
            random_unit()
        } else {
            0.0
        },
        limits: hub.limits,
    };
    let out = authorize_send(&req, &checked, &ctx)?;
    let message_id = hub.new_id(now)?;
    let timestamp_ms = warden_core::messaging::ulid::time_ms(&message_id).unwrap_or(now);
    let (inbox, live) = match out.delivery {
        Delivery::Durable => (Some(inbox_of(&checked.topic, &out.resolved_target)), None),
        Delivery::Live => {
            let p = parties
                .into_iter()
                .next()
                .map(|(_, p)| p)
                .unwrap_or_default();
            (None, Some((checked.topic.clone(), p)))
        }
    };
    let message = Message {
        message_id,
        source: s.canonical.clone(),
        target: out.resolved_target,
        message_type: checked.message_type,
        payload,
        headers,
        workspace: out.workspace,
        timestamp_ms,
        on_behalf_of: on_behalf_of.map(str::to_string),
        redelivered: false,
    };
    Ok(Prepared {
        client_msg_id: client_msg_id.to_string(),
        message,
        inbox,
        live,
    })
}
