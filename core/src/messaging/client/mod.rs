//! The messaging client (SEMANTICS-messaging §8, §9) over the WebSocket protocol of
//! `docs/protocol.md`: connect/close, automatic reconnect on the [`ReconnectSchedule`], resume,
//! the [`Outbox`] while disconnected, de-duplication with the [`DedupWindow`], a pull primitive
//! ([`MessagingClient::next`]) and KV/checkpoint calls as async request/response. The SDKs wrap
//! this type; callbacks, iterators and channels are sugar over `next`.
//!
//! | file | holds |
//! |---|---|
//! | `mod.rs` | the public API and shared state |
//! | `driver.rs` | the background task: attempts, handshake, the connection loop |
//! | `kv.rs` | typed KV and checkpoint calls |
//! | `tasks.rs` | task calls |

mod driver;
mod kv;
mod tasks;

pub use kv::{KvTarget, KvValueResult};

use super::backoff::{JitterSource, ReconnectOptions};
use super::dedup::{DedupWindow, DEFAULT_DEDUP_WINDOW};
use super::envelope::MessagingLimits;
use super::outbox::{Outbox, SendDisposition, DEFAULT_OFFLINE_QUEUE_LIMIT};
use super::send_check::{client_precheck, SendRequest};
use super::ulid::UlidGen;
use super::wire::{self, obj, Message};
use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify};

/// The credential presented in `hello` (§3).
#[derive(Clone, Debug)]
pub enum Credentials {
    /// A gateway API key (`wk_…`).
    ApiKey(String),
    /// A Warden token.
    Token(String),
}

/// Client options (§8.1).
pub struct ClientOptions {
    /// Reconnect behaviour and backoff.
    pub reconnect: ReconnectOptions,
    /// Uniform values in `[0, 1)` for backoff jitter; `None` = the OS RNG.
    pub jitter: Option<JitterSource>,
    /// Outbox capacity.
    pub offline_queue_limit: usize,
    /// Remembered delivered ids (0 disables de-duplication).
    pub dedup_window: usize,
    /// Acknowledge the previous message at the next `next()` call.
    pub auto_ack: bool,
    /// Unacknowledged deliveries the gateway may have outstanding.
    pub max_in_flight: u32,
    /// Per request, counted from transmission.
    pub request_timeout: Duration,
    /// Users: the initial active workspace.
    pub workspace: Option<String>,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            reconnect: ReconnectOptions::default(),
            jitter: None,
            offline_queue_limit: DEFAULT_OFFLINE_QUEUE_LIMIT,
            dedup_window: DEFAULT_DEDUP_WINDOW,
            auto_ack: true,
            max_in_flight: 256,
            request_timeout: Duration::from_secs(30),
            workspace: None,
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("reconnect", &self.reconnect)
            .field("auto_ack", &self.auto_ack)
            .finish_non_exhaustive()
    }
}

/// Optional send arguments.
#[derive(Clone, Debug, Default)]
pub struct SendOptions {
    /// Message type name (`None` = `OPAQUE`).
    pub message_type: Option<String>,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Services: the user sent for.
    pub on_behalf_of: Option<String>,
}

/// The gateway's answer to a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendResult {
    /// The message id.
    pub message_id: String,
    /// Acceptance time (unix ms).
    pub timestamp_ms: i64,
}

/// What `next()` returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Push {
    /// A delivered message (surfaced once per process, §6.2).
    Message(Message),
    /// A task assignment (the frame's members: `assignment_id`, `kind`, `task`); acknowledged
    /// like a message (auto-ack at the next `next()`, or [`MessagingClient::ack`]).
    Assignment(Json),
    /// A `notice` (`inbox_report`): `kind` and `data`.
    Notice {
        /// The notice kind.
        kind: String,
        /// Its data.
        data: Json,
    },
}

/// Connection facts from the last `welcome`.
#[derive(Clone, Debug)]
pub struct ConnectionInfo {
    /// The messaging session id.
    pub session_id: String,
    /// The canonical identity (pooled `{id}` included).
    pub identity: String,
    /// True when the lock was resumed.
    pub resumed: bool,
    /// Resumes in this chain.
    pub reconnection_count: i64,
    /// `{pending, dropped, dropped_live}` at connect.
    pub inbox_report: Json,
    /// The resume token the next attempt presents (single-use, §7.2).
    pub resume_token: String,
}

struct PendingSend {
    /// The `request{op:"send"}` frame, transmitted again unchanged after a reconnect or a
    /// `RATE_LIMITED` answer.
    frame: String,
    done: Option<oneshot::Sender<Result<SendResult>>>,
}

pub(crate) struct State {
    outbox: Outbox,
    sends: HashMap<String, PendingSend>,
    requests: HashMap<String, oneshot::Sender<Result<Json>>>,
    incoming: VecDeque<Push>,
    dedup: DedupWindow,
    last_returned: Option<String>,
    writer: Option<mpsc::UnboundedSender<Outgoing>>,
    info: Option<ConnectionInfo>,
    resume_token: Option<String>,
    closed: Option<String>,
    next_rid: u64,
    ids: UlidGen,
}

pub(crate) struct Inner {
    state: Mutex<State>,
    wake: Notify,
    shutdown: Notify,
    options_auto_ack: bool,
    request_timeout: Duration,
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn disconnected(why: &str) -> Error {
    Error::new(ErrorCode::Disconnected, why.to_string())
}

/// What the connection task writes: a whole frame, or one acknowledged id (the task merges
/// the ids queued together into one `ack` frame).
pub(crate) enum Outgoing {
    Frame(String),
    Ack(String),
}

fn send_frame(client_msg_id: &str, args: Json) -> String {
    obj([
        ("type", "request".into()),
        ("request_id", format!("s:{client_msg_id}").into()),
        ("op", "send".into()),
        ("args", args),
    ])
    .to_compact()
}

/// A messaging connection to a gateway.
pub struct MessagingClient {
    inner: Arc<Inner>,
    driver: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl std::fmt::Debug for MessagingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessagingClient")
            .field("identity", &self.identity())
            .finish_non_exhaustive()
    }
}

impl MessagingClient {
    /// Connects (§8.1): resolves after `welcome`, or fails with `INVALID_IDENTITY`,
    /// `AUTH_FAILED`, `AUTH_DENIED`, `DUPLICATE_IDENTITY`, or `DISCONNECTED` once the transport
    /// attempts are exhausted. `url` is the gateway's base (`ws://host:port`) or the full
    /// endpoint URL.
    pub async fn connect(
        url: &str,
        identity: &str,
        credentials: Credentials,
        options: ClientOptions,
    ) -> Result<MessagingClient> {
        super::identity::parse_claim(identity)?;
        let url = if url.contains("/v1/") {
            url.to_string()
        } else {
            format!("{}{}", url.trim_end_matches('/'), wire::WS_PATH)
        };
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(Error::validation("url must start with ws:// or wss://"));
        }
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                outbox: Outbox::new(options.offline_queue_limit),
                sends: HashMap::new(),
                requests: HashMap::new(),
                incoming: VecDeque::new(),
                dedup: DedupWindow::new(options.dedup_window),
                last_returned: None,
                writer: None,
                info: None,
                resume_token: None,
                closed: None,
                next_rid: 0,
                ids: UlidGen::new(),
            }),
            wake: Notify::new(),
            shutdown: Notify::new(),
            options_auto_ack: options.auto_ack,
            request_timeout: options.request_timeout,
        });
        let (first_tx, first_rx) = oneshot::channel();
        let cfg = driver::DriverConfig {
            url,
            identity: identity.to_string(),
            credentials,
            max_in_flight: options.max_in_flight,
            workspace: options.workspace,
            request_timeout: options.request_timeout,
        };
        let jitter: JitterSource = options.jitter.unwrap_or_else(|| Box::new(os_jitter));
        let h = tokio::spawn(driver::run(
            inner.clone(),
            cfg,
            options.reconnect,
            jitter,
            first_tx,
        ));
        let client = MessagingClient {
            inner,
            driver: Mutex::new(Some(h)),
        };
        match first_rx.await {
            Ok(Ok(())) => Ok(client),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::internal("messaging driver ended")),
        }
    }

    /// The canonical identity from the last `welcome`.
    pub fn identity(&self) -> Option<String> {
        self.inner.lock().info.as_ref().map(|i| i.identity.clone())
    }

    /// Facts of the last `welcome`.
    pub fn connection_info(&self) -> Option<ConnectionInfo> {
        self.inner.lock().info.clone()
    }

    /// True while a connection is up.
    pub fn is_connected(&self) -> bool {
        self.inner.lock().writer.is_some()
    }

    /// Sends `payload` to `topic` (§8.3): resolves with the gateway's acknowledgement, after the
    /// message is stored. While disconnected the send waits in the outbox (`QUEUE_FULL` when
    /// it is full); it fails with `DISCONNECTED` if the client closes first.
    pub async fn send(
        &self,
        topic: &str,
        payload: &[u8],
        options: SendOptions,
    ) -> Result<SendResult> {
        client_precheck(
            &SendRequest {
                target: topic,
                message_type: options.message_type.as_deref(),
                payload,
                headers: &options.headers,
                on_behalf_of: options.on_behalf_of.as_deref(),
            },
            &MessagingLimits::default(),
        )?;
        let rx = {
            let mut st = self.inner.lock();
            let now = crate::engine::Clock::now_ms(&crate::engine::SystemClock);
            let cmid = st.ids.next(now)?;
            let args = obj([
                ("client_msg_id", cmid.as_str().into()),
                ("target", topic.into()),
                (
                    "message_type",
                    options.message_type.as_deref().unwrap_or("OPAQUE").into(),
                ),
                ("payload", wire::bytes_json(payload)),
                ("headers", wire::string_map_json(&options.headers)),
                (
                    "on_behalf_of",
                    wire::opt_str(options.on_behalf_of.as_deref()),
                ),
            ]);
            let disposition = st.outbox.send(cmid.clone())?;
            let frame = send_frame(&cmid, args);
            if disposition == SendDisposition::Transmitted {
                if let Some(w) = &st.writer {
                    let _ = w.send(Outgoing::Frame(frame.clone()));
                }
            }
            let (tx, rx) = oneshot::channel();
            st.sends.insert(
                cmid,
                PendingSend {
                    frame,
                    done: Some(tx),
                },
            );
            rx
        };
        rx.await
            .unwrap_or_else(|_| Err(disconnected("the client closed")))
    }

    /// The next message or push (§8.2 pull primitive). With `auto_ack` the message returned by
    /// the previous call is acknowledged first. `TIMEOUT` after `timeout`; `DISCONNECTED` once
    /// closed for good and nothing is left.
    pub async fn next(&self, timeout: Option<Duration>) -> Result<Push> {
        if self.inner.options_auto_ack {
            let prev = self.inner.lock().last_returned.take();
            if let Some(id) = prev {
                self.ack(&id);
            }
        }
        let wait = async {
            loop {
                let n = self.inner.wake.notified();
                tokio::pin!(n);
                n.as_mut().enable();
                {
                    let mut st = self.inner.lock();
                    if let Some(p) = st.incoming.pop_front() {
                        st.last_returned = match &p {
                            Push::Message(m) => Some(m.message_id.clone()),
                            Push::Assignment(a) => a
                                .get("assignment_id")
                                .and_then(Json::as_str)
                                .map(str::to_string),
                            Push::Notice { .. } => None,
                        };
                        return Ok(p);
                    }
                    if let Some(reason) = &st.closed {
                        return Err(disconnected(&format!("closed: {reason}")));
                    }
                }
                n.await;
            }
        };
        match timeout {
            None => wait.await,
            Some(t) => tokio::time::timeout(t, wait)
                .await
                .unwrap_or_else(|_| Err(Error::new(ErrorCode::Timeout, "no message in time"))),
        }
    }

    /// Acknowledges a delivery by id (with `auto_ack=false`; harmless otherwise). Sent at once
    /// when connected; otherwise the gateway redelivers it and de-duplication hides it.
    pub fn ack(&self, message_id: &str) {
        let st = self.inner.lock();
        if let Some(w) = &st.writer {
            let _ = w.send(Outgoing::Ack(message_id.to_string()));
        }
    }

    /// A raw request (`op`, `args`) → its result (§13). `DISCONNECTED` unless connected;
    /// `TIMEOUT` after `request_timeout`.
    pub async fn request(&self, op: &str, args: Json) -> Result<Json> {
        let (rid, rx) = {
            let mut st = self.inner.lock();
            st.outbox.check_request()?;
            let Some(w) = st.writer.clone() else {
                return Err(disconnected("not connected"));
            };
            st.next_rid += 1;
            let rid = format!("r:{}", st.next_rid);
            let (tx, rx) = oneshot::channel();
            st.requests.insert(rid.clone(), tx);
            let frame = obj([
                ("type", "request".into()),
                ("request_id", rid.as_str().into()),
                ("op", op.into()),
                ("args", args),
            ]);
            if w.send(Outgoing::Frame(frame.to_compact())).is_err() {
                st.requests.remove(&rid);
                return Err(disconnected("not connected"));
            }
            (rid, rx)
        };
        match tokio::time::timeout(self.inner.request_timeout, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(disconnected("connection lost")),
            Err(_) => {
                self.inner.lock().requests.remove(&rid);
                Err(Error::new(ErrorCode::Timeout, "no response in time"))
            }
        }
    }

    /// Users: sets the active workspace (§8.1).
    pub async fn switch_workspace(&self, workspace: &str) -> Result<()> {
        self.request("switch_workspace", obj([("workspace", workspace.into())]))
            .await
            .map(|_| ())
    }

    /// Closes (§8.1, idempotent): waits up to 5 s for outstanding send acknowledgements, sends
    /// `bye`, releases the lock; sends still queued fail with `DISCONNECTED`.
    pub async fn close(&self) {
        if self.inner.options_auto_ack {
            let prev = self.inner.lock().last_returned.take();
            if let Some(id) = prev {
                self.ack(&id);
            }
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let n = self.inner.wake.notified();
            tokio::pin!(n);
            n.as_mut().enable();
            let busy = {
                let st = self.inner.lock();
                st.writer.is_some() && st.outbox.in_flight().next().is_some()
            };
            if !busy || tokio::time::timeout_at(deadline, n).await.is_err() {
                break;
            }
        }
        self.inner.shutdown.notify_one();
        let h = self.driver.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = h {
            let _ = h.await;
        }
    }

    /// Resolves with the final reason once the client is closed for good.
    pub async fn wait_until_disconnected(&self) -> String {
        loop {
            let n = self.inner.wake.notified();
            tokio::pin!(n);
            n.as_mut().enable();
            if let Some(r) = self.inner.lock().closed.clone() {
                return r;
            }
            n.await;
        }
    }
}

impl Drop for MessagingClient {
    fn drop(&mut self) {
        self.inner.shutdown.notify_one();
    }
}

fn os_jitter() -> f64 {
    let mut b = [0u8; 8];
    if getrandom::getrandom(&mut b).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}
