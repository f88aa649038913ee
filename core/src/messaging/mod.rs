//! Messaging (SEMANTICS-messaging): the pure, deterministic parts — identities, topics,
//! authorization, the send pipeline, rate limiting, identity locks, KV, reconnect timing, the
//! outbox, de-duplication and dispatch order. Every time comes from the caller (`now_ms` or a
//! [`crate::engine::Clock`]) and every random choice from an injected source, so the same rules
//! run in the gateway, the client core and the conformance vectors.
//!
//! | file | holds |
//! |---|---|
//! | `segment` | the §1.2 segment rule |
//! | `identity` | principal types, `parse_identity`, `parse_claim` (§1) |
//! | `pattern` | identity patterns, `match_identity_pattern` (§3) |
//! | `topic` | the topic table and `validate_topic` (§2) |
//! | `send_target` | topics of the convenience send calls (§8.3) |
//! | `nats` | NATS subjects and names (§14) |
//! | `lock` | the identity lock state machine (§7.2, §7.3) |
//! | `grants` | rights, grants, layer 1 `type_gate`, layer 2 (§4) |
//! | `envelope` | message types, header rules, limits (§5.1–§5.3) |
//! | `metric` | METRIC payloads (§5.4) |
//! | `send_check` | the send pipeline (§5.2) |
//! | `send_rate` | the per-connection token bucket (§5.3) |
//! | `kv_namespace` | KV scopes, namespaces, key and value rules (§10) |
//! | `kv_store` | the KV backend trait and the in-memory backend (§10) |
//! | `kv` | the KV operations (§10) |
//! | `backoff` | `backoff_delay` and the reconnect schedule (§9) |
//! | `outbox` | the outbox / offline queue (§9) |
//! | `dedup` | the client de-duplication window (§6.2) |
//! | `dispatch` | callback dispatch order (§8.2) |
//! | `ulid` | monotonic ULIDs for message, session and client message ids |
//! | `wire` | the JSON frames of the WebSocket protocol (`docs/protocol.md`) |
//! | `client` | the messaging client: connection, reconnect, outbox, pull (§8, §9) |

pub mod backoff;
pub mod client;
pub mod dedup;
pub mod dispatch;
pub mod envelope;
pub mod grants;
pub mod identity;
pub mod kv;
pub mod kv_namespace;
pub mod kv_store;
pub mod lock;
pub mod metric;
pub mod nats;
pub mod outbox;
pub mod pattern;
pub mod segment;
pub mod send_check;
pub mod send_rate;
pub mod send_target;
pub mod topic;
pub mod ulid;
pub mod wire;

pub use backoff::{
    backoff_delay, Backoff, ConnectionEvent, JitterSource, ReconnectOptions, ReconnectSchedule,
    ScheduleStep,
};
pub use dedup::DedupWindow;
pub use dispatch::{dispatch_order, MessageHandler};
pub use envelope::{validate_headers, MessageType, MessagingLimits};
pub use grants::{type_gate, Grant, Right};
pub use identity::{parse_claim, parse_identity, Identity, PrincipalType};
pub use kv::{Kv, KvListEntry, KvListPage, KvValue};
pub use kv_namespace::{kv_namespace, KvNamespace, KvScope};
pub use kv_store::{KvEntry, KvStore, KvWrite, MemoryKvStore};
pub use lock::{AcquireOutcome, IdentityLock, LockConfig, LockRecord};
pub use metric::{parse_metric_payload, MetricEntry, MetricPayload};
pub use nats::{nats_encode, NatsNames};
pub use outbox::{LinkState, Outbox, SendDisposition};
pub use pattern::match_identity_pattern;
pub use segment::{validate_segment, validate_segment_bytes};
pub use send_check::{send_check, SendContext, SendOutcome, SendRequest};
pub use send_rate::SendRateLimiter;
pub use send_target::{send_target, SendTarget, ServiceSpecifier};
pub use topic::{validate_topic, Delivery, Topic, TopicKind, TopicWorkspace};
