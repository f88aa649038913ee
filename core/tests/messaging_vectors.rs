//! Replays every case of the four messaging conformance vector files
//! (`../shared/vectors/messaging_*.json`, SEMANTICS-messaging §16) by name against
//! `warden_core::messaging`. Each case is one trial named `{file}::{name}`; an unknown `fn`,
//! `op` or `do` fails its case.

use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use warden_core::engine::ManualClock;
use warden_core::json::Json;
use warden_core::messaging::*;
use warden_core::{Error, ErrorCode};

const FILES: &[&str] = &[
    "messaging_identities.json",
    "messaging_permissions.json",
    "messaging_kv.json",
    "messaging_backoff.json",
];

type R<T> = Result<T, Failed>;

/// `../../shared/vectors` relative to `core/` (the messaging files are copied into
/// `tests/vectors/` once every SDK replays them), or `$WARDEN_MESSAGING_VECTORS_DIR`.
fn vectors_dir() -> PathBuf {
    match std::env::var_os("WARDEN_MESSAGING_VECTORS_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    }
}

// ---------------------------------------------------------------- input helpers

fn field<'a>(c: &'a Json, k: &str) -> R<&'a Json> {
    c.get(k).ok_or_else(|| format!("case lacks {k:?}").into())
}

fn text<'a>(c: &'a Json, k: &str) -> R<&'a str> {
    field(c, k)?
        .as_str()
        .ok_or_else(|| format!("{k:?} is not a string").into())
}

fn opt_text<'a>(c: &'a Json, k: &str) -> R<Option<&'a str>> {
    match c.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| format!("{k:?} is not a string").into()),
    }
}

fn int(c: &Json, k: &str) -> R<i64> {
    field(c, k)?
        .as_i64()
        .ok_or_else(|| format!("{k:?} is not an integer").into())
}

fn opt_int(c: &Json, k: &str) -> R<Option<i64>> {
    match c.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(_) => int(c, k).map(Some),
    }
}

fn num(v: &Json) -> R<f64> {
    match v {
        Json::Int(i) => Ok(*i as f64),
        Json::Float(f) => Ok(*f),
        _ => Err(format!("not a number: {v}").into()),
    }
}

fn arr<'a>(c: &'a Json, k: &str) -> R<&'a [Json]> {
    field(c, k)?
        .as_arr()
        .ok_or_else(|| format!("{k:?} is not an array").into())
}

fn strings(v: &[Json]) -> R<Vec<String>> {
    v.iter()
        .map(|x| {
            x.as_str()
                .map(str::to_string)
                .ok_or_else(|| Failed::from(format!("not a string: {x}")))
        })
        .collect()
}

fn u64_of(v: i64, what: &str) -> R<u64> {
    u64::try_from(v).map_err(|_| format!("{what} is negative").into())
}

fn grants(c: &Json) -> R<Vec<Grant>> {
    let Some(list) = c.get("grants").and_then(Json::as_arr) else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|g| {
            Ok(Grant::new(
                text(g, "principal")?,
                text(g, "workspace")?,
                Right::parse(text(g, "right")?).map_err(|e| e.to_string())?,
            ))
        })
        .collect()
}

fn identity(s: &str) -> R<Identity> {
    parse_identity(s).map_err(|e| format!("fixture identity {s:?}: {e}").into())
}

fn obj(members: Vec<(&str, Json)>) -> Json {
    Json::Obj(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn opt_str(v: Option<&str>) -> Json {
    v.map_or(Json::Null, |s| Json::Str(s.to_string()))
}

fn err_json(e: &Error) -> Json {
    obj(vec![("error", Json::Str(e.code().as_str().to_string()))])
}

/// The observed object of a call: its fields plus `error: null`, or `{error: CODE}`.
fn observed(r: Result<Json, Error>) -> Json {
    match r {
        Ok(Json::Obj(mut m)) => {
            if !m.iter().any(|(k, _)| k == "error") {
                m.push(("error".into(), Json::Null));
            }
            Json::Obj(m)
        }
        Ok(other) => other,
        Err(e) => err_json(&e),
    }
}

/// Every key of `expect` must be present in `got` with an equal value.
fn compare(expect: &Json, got: &Json) -> R<()> {
    let Some(members) = expect.as_obj() else {
        return Err(format!("expect is not an object: {expect}").into());
    };
    for (k, want) in members {
        let have = got.get(k).unwrap_or(&Json::Null);
        let missing = got.get(k).is_none() && !want.is_null();
        if missing || have != want {
            return Err(format!("{k}: expected {want}, got {have} (observed {got})").into());
        }
    }
    Ok(())
}

fn check(case: &Json, got: Json) -> R<()> {
    compare(field(case, "expect")?, &got)
}

// ---------------------------------------------------------------- identities

fn identity_json(id: &Identity) -> Json {
    obj(vec![
        (
            "principal_type",
            Json::Str(id.principal_type.as_str().into()),
        ),
        ("workspace", opt_str(id.workspace.as_deref())),
        ("implementation", opt_str(id.implementation.as_deref())),
        ("specifier", opt_str(id.specifier.as_deref())),
        ("user_id", opt_str(id.user_id.as_deref())),
        ("window_id", opt_str(id.window_id.as_deref())),
        ("pooled_id", opt_str(id.pooled_id.as_deref())),
        ("pooled", Json::Bool(id.pooled)),
        ("canonical", opt_str(id.canonical.as_deref())),
        ("own_topic", opt_str(id.own_topic.as_deref())),
    ])
}

fn hex_bytes(s: &str) -> R<Vec<u8>> {
    if s.len() % 2 != 0 {
        return Err("odd hex".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| e.to_string().into()))
        .collect()
}

fn run_validate_segment(c: &Json) -> R<()> {
    let bytes = match c.get("segment_hex") {
        Some(h) => hex_bytes(h.as_str().ok_or("segment_hex")?)?,
        None => text(c, "segment")?.as_bytes().to_vec(),
    };
    let r = validate_segment_bytes(&bytes).map(|_| obj(vec![]));
    check(c, observed(r))
}

fn run_parse(c: &Json, claim: bool) -> R<()> {
    let r = if claim {
        parse_claim(text(c, "claim")?)
    } else {
        parse_identity(text(c, "identity")?)
    };
    let got = observed(r.map(|id| identity_json(&id)));
    // A success must be the whole record: no key of ours may go unchecked.
    if let (Some(e), Some(g)) = (field(c, "expect")?.as_obj(), got.as_obj()) {
        if e.iter().all(|(k, v)| k != "error" || v.is_null()) && e.len() != g.len() {
            return Err(format!("record keys differ: expected {}, got {got}", e.len()).into());
        }
    }
    check(c, got)
}

fn run_send_target(c: &Json) -> R<()> {
    let a = field(c, "args")?;
    let s = |k: &str| text(a, k);
    let target = match text(c, "call")? {
        "send_message_to_agent" => SendTarget::Agent {
            workspace: s("workspace")?,
            implementation: s("implementation")?,
            specifier: s("specifier")?,
        },
        "send_message_to_task" => SendTarget::Task {
            workspace: s("workspace")?,
            implementation: s("implementation")?,
            unique_specifier: opt_text(a, "unique_specifier")?.unwrap_or(""),
        },
        "send_message_to_user_session" => SendTarget::UserSession {
            user_id: s("user_id")?,
            window_id: s("window_id")?,
        },
        "send_message_to_user_workspace" => SendTarget::UserWorkspace {
            user_id: s("user_id")?,
            workspace: s("workspace")?,
        },
        "send_broadcast_to_agents" => SendTarget::BroadcastToAgents {
            workspace: s("workspace")?,
        },
        "send_broadcast_to_users" => SendTarget::BroadcastToUsers {
            workspace: s("workspace")?,
        },
        "send_message_to_service" => SendTarget::Service {
            implementation: s("implementation")?,
            specifier: match s("specifier")? {
                "ANY" => ServiceSpecifier::Any,
                spec => ServiceSpecifier::Instance(spec),
            },
        },
        "send_event" => SendTarget::Event {
            workspace: opt_text(a, "workspace")?,
        },
        "send_metric" => SendTarget::Metric {
            workspace: opt_text(a, "workspace")?,
        },
        other => return Err(format!("unknown send_target call {other:?}").into()),
    };
    let r = send_target(&target).map(|t| obj(vec![("topic", Json::Str(t))]));
    check(c, observed(r))
}

fn topic_json(t: &Topic) -> Json {
    let ws = match &t.workspace {
        TopicWorkspace::None => Json::Null,
        TopicWorkspace::SenderHome => Json::Str("*".into()),
        TopicWorkspace::Named(w) => Json::Str(w.clone()),
    };
    obj(vec![
        ("workspace", ws),
        ("delivery", Json::Str(t.delivery().as_str().into())),
        ("service_any", Json::Bool(t.service_any())),
    ])
}

fn run_validate_topic(c: &Json) -> R<()> {
    let r = validate_topic(text(c, "topic")?).map(|t| topic_json(&t));
    check(c, observed(r))
}

fn lock_record(v: &Json) -> R<Option<LockRecord>> {
    if v.is_null() {
        return Ok(None);
    }
    Ok(Some(LockRecord::new(
        text(v, "session_id")?,
        text(v, "resume_token")?,
        u64_of(int(v, "expires_at_ms")?, "expires_at_ms")?,
        u64_of(int(v, "initial_connection_ms")?, "initial_connection_ms")?,
        u64_of(int(v, "reconnection_count")?, "reconnection_count")?,
    )))
}

fn compare_lock(want: &Json, have: Option<&LockRecord>) -> R<()> {
    match (want.is_null(), have) {
        (true, None) => Ok(()),
        (true, Some(h)) => Err(format!("state_after: expected none, got {h:?}").into()),
        (false, None) => Err(format!("state_after: expected {want}, got none").into()),
        (false, Some(h)) => {
            let ok = h.session_id == text(want, "session_id")?
                && h.token_matches(text(want, "resume_token")?)
                && h.expires_at_ms as i64 == int(want, "expires_at_ms")?
                && h.initial_connection_ms as i64 == int(want, "initial_connection_ms")?
                && h.reconnection_count as i64 == int(want, "reconnection_count")?;
            if ok {
                Ok(())
            } else {
                Err(format!("state_after: expected {want}, got {h:?}").into())
            }
        }
    }
}

fn run_identity_lock(c: &Json) -> R<()> {
    let mut lock = IdentityLock::new(lock_record(field(c, "state")?)?);
    let now = u64_of(int(c, "now_ms")?, "now_ms")?;
    let session = text(c, "session_id")?;
    let got = match text(c, "action")? {
        "acquire" => {
            let r = lock.acquire(
                now,
                session,
                opt_text(c, "resume_token")?,
                text(c, "new_resume_token")?,
            );
            match r {
                Ok(o) => obj(vec![
                    ("outcome", Json::Str(o.as_str().into())),
                    ("error", Json::Null),
                ]),
                Err(e) => obj(vec![
                    ("outcome", Json::Str("rejected".into())),
                    ("error", Json::Str(e.code().as_str().into())),
                ]),
            }
        }
        "refresh" => obj(vec![("refreshed", Json::Bool(lock.refresh(now, session)))]),
        "release" => obj(vec![("released", Json::Bool(lock.release(now, session)))]),
        other => return Err(format!("unknown lock action {other:?}").into()),
    };
    let expect = field(c, "expect")?;
    let Some(members) = expect.as_obj() else {
        return Err("expect is not an object".into());
    };
    let rest: Vec<(String, Json)> = members
        .iter()
        .filter(|(k, _)| k != "state_after")
        .cloned()
        .collect();
    compare(&Json::Obj(rest), &got)?;
    compare_lock(field(expect, "state_after")?, lock.record.as_ref())
}

fn run_match_pattern(c: &Json) -> R<()> {
    let m = match_identity_pattern(text(c, "pattern")?, text(c, "identity")?);
    check(c, obj(vec![("matches", Json::Bool(m))]))
}

fn run_nats(c: &Json) -> R<()> {
    let r = nats_encode(text(c, "topic")?).map(|n| {
        obj(vec![
            ("subject", Json::Str(n.subject)),
            ("name", Json::Str(n.name)),
        ])
    });
    check(c, observed(r))
}

// ---------------------------------------------------------------- permissions

fn run_type_gate(c: &Json) -> R<()> {
    let sender = PrincipalType::parse(text(c, "sender_type")?).map_err(|e| e.to_string())?;
    let topic = validate_topic(text(c, "target_topic")?).map_err(|e| e.to_string())?;
    let r = type_gate(sender, topic.kind);
    let got = match r {
        Ok(()) => obj(vec![("allowed", Json::Bool(true)), ("error", Json::Null)]),
        Err(e) => obj(vec![
            ("allowed", Json::Bool(false)),
            ("error", Json::Str(e.code().as_str().into())),
        ]),
    };
    check(c, got)
}

/// Writes a metric fixture as the JSON text a sender would transmit; string quantities
/// `NaN`/`Infinity`/`-Infinity` become the bare tokens a lenient encoder (Python's) emits.
fn write_metric(v: &Json, in_qty: bool, out: &mut String) {
    match v {
        Json::Str(s) if in_qty && matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => {
            out.push_str(s)
        }
        Json::Arr(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_metric(x, false, out);
            }
            out.push(']');
        }
        Json::Obj(members) => {
            out.push('{');
            for (i, (k, x)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Json::Str(k.clone()).to_compact());
                out.push(':');
                write_metric(x, k == "qty", out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_compact()),
    }
}

fn set_member(o: &mut Json, k: &str, v: Json) -> R<()> {
    let Json::Obj(m) = o else {
        return Err("metric fixture is not an object".into());
    };
    m.retain(|(name, _)| name != k);
    m.push((k.to_string(), v));
    Ok(())
}

fn fill_pairs(f: &Json) -> R<Vec<(String, String)>> {
    let count = int(f, "count")?;
    let prefix = text(f, "key_prefix")?;
    let value = text(f, "value")?;
    Ok((0..count)
        .map(|i| (format!("{prefix}{i}"), value.to_string()))
        .collect())
}

fn pairs_json(p: &[(String, String)]) -> Json {
    Json::Obj(
        p.iter()
            .map(|(k, v)| (k.clone(), Json::Str(v.clone())))
            .collect(),
    )
}

fn send_payload(c: &Json) -> R<Vec<u8>> {
    let mut metric = match (c.get("metric"), c.get("metric_fill")) {
        (Some(m), _) => Some(m.clone()),
        (None, Some(f)) => {
            let mut m = field(f, "base")?.clone();
            let n = int(f, "entries")?;
            let entry = field(f, "entry")?;
            set_member(
                &mut m,
                "entries",
                Json::Arr((0..n).map(|_| entry.clone()).collect()),
            )?;
            Some(m)
        }
        (None, None) => None,
    };
    if let Some(f) = c.get("metric_metadata_fill") {
        let m = metric
            .as_mut()
            .ok_or("metric_metadata_fill without a metric")?;
        set_member(m, "metadata", pairs_json(&fill_pairs(f)?))?;
    }
    if let Some(m) = metric {
        let mut out = String::new();
        write_metric(&m, false, &mut out);
        return Ok(out.into_bytes());
    }
    if let Some(t) = opt_text(c, "payload_text")? {
        return Ok(t.as_bytes().to_vec());
    }
    let n = opt_int(c, "payload_len")?.unwrap_or(0);
    Ok(vec![b'x'; usize::try_from(n).map_err(|_| "payload_len")?])
}

fn run_send_check(c: &Json) -> R<()> {
    let sender = identity(text(c, "sender")?)?;
    let payload = send_payload(c)?;
    let mut headers: Vec<(String, String)> = match c.get("headers").and_then(Json::as_obj) {
        Some(m) => m
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or("header value")?.to_string())))
            .collect::<R<_>>()?,
        None => Vec::new(),
    };
    if let Some(f) = c.get("headers_fill") {
        headers.extend(fill_pairs(f)?);
    }
    let grants = grants(c)?;
    let services = match c.get("connected_services") {
        Some(v) => strings(v.as_arr().ok_or("connected_services")?)?,
        None => Vec::new(),
    };
    let parties: Vec<(String, Vec<String>)> = match c.get("task_parties").and_then(Json::as_obj) {
        Some(m) => m
            .iter()
            .map(|(t, ps)| Ok((t.clone(), strings(ps.as_arr().ok_or("task_parties")?)?)))
            .collect::<R<_>>()?,
        None => Vec::new(),
    };
    let req = SendRequest {
        target: text(c, "target_topic")?,
        message_type: opt_text(c, "message_type")?,
        payload: &payload,
        headers: &headers,
        on_behalf_of: opt_text(c, "on_behalf_of")?,
    };
    let mut ctx = SendContext::new(&sender);
    ctx.allow_on_behalf_of = c
        .get("credential")
        .and_then(|cr| cr.get("allow_on_behalf_of"))
        .and_then(Json::as_bool)
        .unwrap_or(false);
    ctx.grants = &grants;
    ctx.connected_services = &services;
    ctx.task_parties = &parties;
    let r = send_check(&req, &ctx).map(|o| {
        obj(vec![
            ("resolved_target", Json::Str(o.resolved_target)),
            ("workspace", opt_str(o.workspace.as_deref())),
            ("delivery", Json::Str(o.delivery.as_str().into())),
        ])
    });
    check(c, observed(r))
}

fn run_send_rate_limit(c: &Json) -> R<()> {
    let sends = arr(c, "sends")?;
    let start = sends.first().map_or(Ok(0), |s| int(s, "at_ms"))?;
    let mut bucket = SendRateLimiter::new(
        u64_of(int(c, "rate_per_s")?, "rate_per_s")?,
        u64_of(int(c, "burst")?, "burst")?,
        start,
    )
    .map_err(|e| e.to_string())?;
    let mut groups = Vec::new();
    for s in sends {
        let at = int(s, "at_ms")?;
        let (mut allowed, mut limited, mut first) = (0i64, 0i64, Json::Null);
        for _ in 0..int(s, "count")? {
            match bucket.take(at) {
                None => allowed += 1,
                Some(ms) => {
                    if limited == 0 {
                        first = Json::Int(ms as i64);
                    }
                    limited += 1;
                }
            }
        }
        groups.push(obj(vec![
            ("allowed", Json::Int(allowed)),
            ("rate_limited", Json::Int(limited)),
            ("first_retry_after_ms", first),
        ]));
    }
    check(c, obj(vec![("groups", Json::Arr(groups))]))
}

// ---------------------------------------------------------------- KV

fn run_kv_namespace(c: &Json) -> R<()> {
    let caller = identity(text(c, "caller")?)?;
    let grants = grants(c)?;
    let r = kv_namespace(
        &caller,
        text(c, "scope")?,
        opt_text(c, "workspace")?,
        opt_text(c, "user_id")?,
        &grants,
    )
    .and_then(|ns| {
        let full = ns.full_key("k")?;
        Ok(obj(vec![
            ("namespace", Json::Str(ns.namespace)),
            ("full_key", Json::Str(full)),
        ]))
    });
    check(c, observed(r))
}

fn filled(step: &Json, plain: &str, fill: &str) -> R<Option<String>> {
    if let Some(f) = step.get(fill) {
        let b = text(f, "byte")?;
        let len = usize::try_from(int(f, "len")?).map_err(|_| "len")?;
        return Ok(Some(b.repeat(len)));
    }
    Ok(opt_text(step, plain)?.map(str::to_string))
}

struct KvRun {
    kv: Kv<MemoryKvStore>,
    clock: Arc<ManualClock>,
    captured: HashMap<String, i64>,
    next_cursor: Option<String>,
}

impl KvRun {
    fn revision_arg(&self, v: &Json) -> R<u64> {
        match v {
            Json::Str(s) if s.starts_with('$') => {
                let r = self
                    .captured
                    .get(&s[1..])
                    .ok_or_else(|| format!("nothing captured as {s}"))?;
                u64_of(*r, "revision")
            }
            _ => u64_of(v.as_i64().ok_or("expected_revision")?, "expected_revision"),
        }
    }

    fn step(&mut self, step: &Json, callers: &Json, grants: &[Grant]) -> R<Result<Json, Error>> {
        let caller = identity(text(callers, opt_text(step, "as")?.unwrap_or("A"))?)?;
        let ns = match kv_namespace(
            &caller,
            text(step, "scope")?,
            opt_text(step, "workspace")?,
            opt_text(step, "user_id")?,
            grants,
        ) {
            Ok(ns) => ns,
            Err(e) => return Ok(Err(e)),
        };
        let key = filled(step, "key", "key_fill")?.unwrap_or_default();
        let value = filled(step, "value", "value_fill")?;
        let value = value.as_deref().unwrap_or("").as_bytes();
        let ttl = u64_of(opt_int(step, "ttl_seconds")?.unwrap_or(0), "ttl_seconds")?;
        let delta = opt_int(step, "delta")?;
        let kv = &mut self.kv;
        let rev = |r: u64| Json::Int(r as i64);
        let r = match text(step, "op")? {
            "kv_get" => kv.kv_get(&ns, &key).map(|v| {
                obj(vec![
                    (
                        "value",
                        Json::Str(String::from_utf8_lossy(&v.value).into_owned()),
                    ),
                    ("revision", rev(v.revision)),
                ])
            }),
            "kv_put" => kv
                .kv_put(&ns, &key, value, ttl)
                .map(|r| obj(vec![("revision", rev(r))])),
            "kv_delete" => kv
                .kv_delete(&ns, &key)
                .map(|d| obj(vec![("deleted", Json::Bool(d))])),
            "kv_list" => {
                let limit = opt_int(step, "limit")?.unwrap_or(100);
                let cursor = match opt_text(step, "cursor")? {
                    Some("$next") => Some(
                        self.next_cursor
                            .clone()
                            .ok_or("cursor $next without a previous next_cursor")?,
                    ),
                    Some(other) => Some(other.to_string()),
                    None => None,
                };
                let r = kv.kv_list(
                    &ns,
                    opt_text(step, "prefix")?.unwrap_or(""),
                    usize::try_from(limit).unwrap_or(0),
                    cursor.as_deref(),
                );
                if let Ok(page) = &r {
                    self.next_cursor = page.next_cursor.clone();
                }
                r.map(|page| {
                    obj(vec![
                        (
                            "keys",
                            Json::Arr(page.entries.into_iter().map(|e| Json::Str(e.key)).collect()),
                        ),
                        ("more", Json::Bool(page.next_cursor.is_some())),
                    ])
                })
            }
            "kv_increment" => kv
                .kv_increment(&ns, &key, delta.unwrap_or(1), ttl)
                .map(|v| obj(vec![("value", Json::Int(v))])),
            "kv_decrement" => kv
                .kv_decrement(&ns, &key, delta.unwrap_or(1))
                .map(|v| obj(vec![("value", Json::Int(v))])),
            op @ ("kv_increment_if" | "kv_decrement_if") => {
                let d = delta.ok_or("delta")?;
                let r = if op == "kv_increment_if" {
                    kv.kv_increment_if(&ns, &key, d, int(step, "ceiling")?)
                } else {
                    kv.kv_decrement_if(&ns, &key, d, int(step, "floor")?)
                };
                r.map(|(v, a)| obj(vec![("value", Json::Int(v)), ("applied", Json::Bool(a))]))
            }
            "kv_set_if_absent" => kv
                .kv_set_if_absent(&ns, &key, value, ttl)
                .map(|(a, r)| obj(vec![("applied", Json::Bool(a)), ("revision", rev(r))])),
            "kv_compare_and_set" => {
                let expected = self.revision_arg(field(step, "expected_revision")?)?;
                self.kv
                    .kv_compare_and_set(&ns, &key, value, expected, ttl)
                    .map(|r| obj(vec![("revision", rev(r))]))
            }
            "kv_compare_and_delete" => {
                let expected = self.revision_arg(field(step, "expected_revision")?)?;
                self.kv
                    .kv_compare_and_delete(&ns, &key, expected)
                    .map(|d| obj(vec![("deleted", Json::Bool(d))]))
            }
            other => return Err(format!("unknown kv op {other:?}").into()),
        };
        Ok(r)
    }

    /// Compares a step's observation; `revision` expectations capture / compare by name.
    fn expect(&mut self, want: &Json, got: &Json) -> R<()> {
        let members = want.as_obj().ok_or("step expectation is not an object")?;
        let plain: Vec<(String, Json)> = members
            .iter()
            .filter(|(k, _)| k != "revision")
            .cloned()
            .collect();
        compare(&Json::Obj(plain), got)?;
        let Some(spec) = want.get("revision") else {
            return Ok(());
        };
        let have = got
            .get("revision")
            .and_then(Json::as_i64)
            .ok_or_else(|| format!("no revision in {got}"))?;
        if have < 1 {
            return Err(format!("revision {have} < 1").into());
        }
        for (k, v) in spec.as_obj().ok_or("revision spec")? {
            let name = v.as_str().ok_or("revision name")?;
            match k.as_str() {
                "capture" => {
                    self.captured.insert(name.to_string(), have);
                }
                "eq" | "gt" => {
                    let other = *self
                        .captured
                        .get(name)
                        .ok_or_else(|| format!("nothing captured as {name}"))?;
                    let ok = if k == "eq" {
                        have == other
                    } else {
                        have > other
                    };
                    if !ok {
                        return Err(format!("revision {have} not {k} {name}={other}").into());
                    }
                }
                other => return Err(format!("unknown revision check {other:?}").into()),
            }
        }
        Ok(())
    }
}

fn run_kv_sequence(c: &Json) -> R<()> {
    let clock = Arc::new(ManualClock::new(int(c, "start_ms")?));
    let mut run = KvRun {
        kv: Kv::new(MemoryKvStore::new(), clock.clone()),
        clock,
        captured: HashMap::new(),
        next_cursor: None,
    };
    let callers = field(c, "callers")?;
    let grants = grants(c)?;
    let steps = arr(c, "steps")?;
    let expects = arr(field(c, "expect")?, "steps")?;
    if steps.len() != expects.len() {
        return Err("steps and expect.steps differ in length".into());
    }
    for (i, (step, want)) in steps.iter().zip(expects).enumerate() {
        let res = (|| -> R<()> {
            if text(step, "op")? == "advance_clock" {
                run.clock.advance(int(step, "ms")?);
                return if want.is_null() {
                    Ok(())
                } else {
                    Err("advance_clock expects null".into())
                };
            }
            let got = observed(run.step(step, callers, &grants)?);
            run.expect(want, &got)
        })();
        res.map_err(|e| format!("step {i}: {}", e.message().unwrap_or("failed")))?;
    }
    Ok(())
}

// ---------------------------------------------------------------- backoff, queue, dedup, dispatch

fn close_enough(want: &[Json], got: &[f64], what: &str) -> R<()> {
    let ok = want.len() == got.len()
        && want
            .iter()
            .zip(got)
            .all(|(w, g)| num(w).is_ok_and(|w| (w - g).abs() <= 1e-9));
    if ok {
        Ok(())
    } else {
        Err(format!("{what}: expected {}, got {got:?}", Json::Arr(want.to_vec())).into())
    }
}

fn run_backoff_delay(c: &Json) -> R<()> {
    let b = Backoff::new(
        num(field(c, "initial_backoff")?)?,
        num(field(c, "max_backoff")?)?,
    )
    .map_err(|e| e.to_string())?;
    let jitter: Vec<f64> = arr(c, "jitter")?.iter().map(num).collect::<R<_>>()?;
    let mut drawn = 0usize;
    let mut source = || {
        let r = jitter.get(drawn).copied().unwrap_or(f64::NAN);
        drawn += 1;
        r
    };
    let mut delays = Vec::new();
    for a in arr(c, "attempts")? {
        let n = u32::try_from(a.as_i64().ok_or("attempt")?).map_err(|_| "attempt")?;
        delays.push(backoff_delay(&b, n, &mut source));
    }
    if drawn != jitter.len() {
        return Err(format!(
            "drew {drawn} jitter values, the case gives {}",
            jitter.len()
        )
        .into());
    }
    close_enough(
        arr(field(c, "expect")?, "delays_seconds")?,
        &delays,
        "delays_seconds",
    )
}

fn run_reconnect_schedule(c: &Json) -> R<()> {
    let options = ReconnectOptions {
        auto_reconnect: field(c, "auto_reconnect")?
            .as_bool()
            .ok_or("auto_reconnect")?,
        max_retries: u32::try_from(int(c, "max_retries")?).map_err(|_| "max_retries")?,
        backoff: Backoff::new(
            num(field(c, "initial_backoff")?)?,
            num(field(c, "max_backoff")?)?,
        )
        .map_err(|e| e.to_string())?,
    };
    let r = num(field(c, "jitter_constant")?)?;
    let jitter: JitterSource = Box::new(move || r);
    let mut waits = Vec::new();
    let mut last = None;
    let mut sched = match text(c, "phase")? {
        "reconnect" => ReconnectSchedule::connected(options, jitter),
        "connect" => {
            let mut s = ReconnectSchedule::new(options, jitter);
            last = Some(s.start_connect().map_err(|e| e.to_string())?);
            s
        }
        other => return Err(format!("unknown phase {other:?}").into()),
    };
    if let Some(ScheduleStep::Wait(w)) = last {
        waits.push(w);
    }
    for e in strings(arr(c, "events")?)? {
        let event = match e.as_str() {
            "loss" => ConnectionEvent::Loss,
            "fail" => ConnectionEvent::Fail,
            "ok" => ConnectionEvent::Ok,
            other => match other.strip_prefix("reject:").and_then(ErrorCode::parse) {
                Some(code) => ConnectionEvent::Reject(code),
                None => return Err(format!("unknown event {other:?}").into()),
            },
        };
        let step = sched.on_event(event).map_err(|e| e.to_string())?;
        if let ScheduleStep::Wait(w) = step {
            waits.push(w);
        }
        last = Some(step);
    }
    let (state, gave_up, stopped_by) = match last {
        Some(ScheduleStep::Closed {
            gave_up,
            stopped_by,
        }) => ("closed", gave_up, stopped_by),
        Some(ScheduleStep::Connected) => ("connected", false, None),
        _ if sched.is_connected() => ("connected", false, None),
        _ => ("reconnecting", false, None),
    };
    let expect = field(c, "expect")?;
    close_enough(arr(expect, "waits_seconds")?, &waits, "waits_seconds")?;
    compare(
        &Json::Obj(
            expect
                .as_obj()
                .ok_or("expect")?
                .iter()
                .filter(|(k, _)| k != "waits_seconds")
                .cloned()
                .collect(),
        ),
        &obj(vec![
            ("final_state", Json::Str(state.into())),
            ("gave_up", Json::Bool(gave_up)),
            ("stopped_by", opt_str(stopped_by.map(|c| c.as_str()))),
        ]),
    )
}

fn disposition(r: Result<SendDisposition, Error>) -> Json {
    Json::Str(
        match r {
            Ok(SendDisposition::Transmitted) => "transmitted",
            Ok(SendDisposition::Queued) => "queued",
            Err(e) => e.code().as_str(),
        }
        .into(),
    )
}

fn failed_json(mut f: Vec<(String, ErrorCode)>) -> Json {
    f.sort();
    let mut m: Vec<(String, Json)> = f
        .into_iter()
        .map(|(id, code)| (id, Json::Str(code.as_str().into())))
        .collect();
    m.sort_by(|a, b| a.0.cmp(&b.0));
    obj(vec![("failed", Json::Obj(m))])
}

fn sorted_obj(v: &Json) -> Json {
    match v {
        Json::Obj(m) => {
            let mut m: Vec<(String, Json)> =
                m.iter().map(|(k, x)| (k.clone(), sorted_obj(x))).collect();
            m.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Obj(m)
        }
        other => other.clone(),
    }
}

fn run_offline_queue(c: &Json) -> R<()> {
    let limit = usize::try_from(int(c, "offline_queue_limit")?).map_err(|_| "limit")?;
    let steps = arr(c, "steps")?;
    let expects = arr(field(c, "expect")?, "steps")?;
    if steps.len() != expects.len() {
        return Err("steps and expect.steps differ in length".into());
    }
    let mut q = Outbox::new(limit);
    // A script that loses a connection starts connected; one that never does models the client
    // before its first connect() (vector convention, see the report).
    let mut has_loss = false;
    for s in steps {
        has_loss |= text(s, "do")? == "connection_lost";
    }
    if has_loss {
        q.connected().map_err(|e| e.to_string())?;
    }
    for (i, (step, want)) in steps.iter().zip(expects).enumerate() {
        let action = text(step, "do")?;
        // The gateway answers promptly: while connected, everything in flight is acknowledged
        // before the next step, except what a `connection_lost` names as unacknowledged.
        if q.state() == LinkState::Connected {
            let keep = match (action, step.get("unacknowledged")) {
                ("connection_lost", Some(v)) => strings(v.as_arr().ok_or("unacknowledged")?)?,
                _ => Vec::new(),
            };
            let acked: Vec<String> = q
                .in_flight()
                .filter(|id| !keep.iter().any(|k| k == id))
                .map(str::to_string)
                .collect();
            for id in acked {
                q.acknowledge(&id);
            }
        }
        let got = match action {
            "connection_lost" => {
                q.connection_lost();
                None
            }
            "send" => Some(obj(vec![(
                "result",
                disposition(q.send(text(step, "id")?)),
            )])),
            "send_many" => {
                let n = int(step, "count")?;
                let results: Vec<Json> = (0..n)
                    .map(|k| disposition(q.send(format!("M{k}"))))
                    .collect();
                let first = results.first().cloned().unwrap_or(Json::Null);
                if results.iter().any(|r| *r != first) {
                    return Err(format!("step {i}: send_many results differ").into());
                }
                Some(obj(vec![("result", first)]))
            }
            "kv_get" => Some(obj(vec![(
                "result",
                Json::Str(match q.check_request() {
                    Ok(()) => "ok".into(),
                    Err(e) => e.code().as_str().into(),
                }),
            )])),
            "reconnected" => {
                q.begin_flush().map_err(|e| e.to_string())?;
                let sent = q.complete_flush();
                Some(obj(vec![(
                    "transmitted",
                    Json::Arr(sent.into_iter().map(Json::Str).collect()),
                )]))
            }
            "reconnected_flush_pending" => {
                q.begin_flush().map_err(|e| e.to_string())?;
                None
            }
            "flush_completes" => {
                let sent = q.complete_flush();
                Some(obj(vec![(
                    "transmitted",
                    Json::Arr(sent.into_iter().map(Json::Str).collect()),
                )]))
            }
            "gave_up" => Some(failed_json(q.gave_up())),
            "close" => Some(failed_json(q.close())),
            other => return Err(format!("step {i}: unknown do {other:?}").into()),
        };
        match got {
            None if want.is_null() => {}
            None => {
                return Err(format!("step {i}: expected {want}, the step yields nothing").into())
            }
            Some(g) => {
                if sorted_obj(&g) != sorted_obj(want) {
                    return Err(format!("step {i}: expected {want}, got {g}").into());
                }
            }
        }
    }
    Ok(())
}

fn run_dedup(c: &Json) -> R<()> {
    let mut w = DedupWindow::new(usize::try_from(int(c, "window")?).map_err(|_| "window")?);
    let delivered = strings(arr(c, "delivered")?)?;
    let mut surfaced = Vec::new();
    let mut acknowledged = Vec::new();
    for id in &delivered {
        if w.observe(id) {
            surfaced.push(Json::Str(id.clone()));
        }
        acknowledged.push(Json::Str(id.clone()));
    }
    check(
        c,
        obj(vec![
            ("surfaced", Json::Arr(surfaced)),
            ("acknowledged", Json::Arr(acknowledged)),
        ]),
    )
}

fn run_dispatch(c: &Json) -> R<()> {
    let registered: Vec<MessageHandler> = strings(arr(c, "registered")?)?
        .iter()
        .map(|h| MessageHandler::parse(h).ok_or_else(|| Failed::from(format!("handler {h:?}"))))
        .collect::<R<_>>()?;
    let mut calls = Vec::new();
    for t in strings(arr(c, "delivered_types")?)? {
        let mt = MessageType::parse(&t).map_err(|e| e.to_string())?;
        for h in dispatch_order(&registered, mt) {
            calls.push(Json::Arr(vec![
                Json::Str(h.as_str().into()),
                Json::Str(t.clone()),
            ]));
        }
    }
    check(c, obj(vec![("calls", Json::Arr(calls))]))
}

// ---------------------------------------------------------------- main

fn run(case: &Json) -> R<()> {
    match text(case, "fn")? {
        "validate_segment" => run_validate_segment(case),
        "parse_identity" => run_parse(case, false),
        "parse_claim" => run_parse(case, true),
        "send_target" => run_send_target(case),
        "validate_topic" => run_validate_topic(case),
        "identity_lock" => run_identity_lock(case),
        "match_identity_pattern" => run_match_pattern(case),
        "nats_encode" => run_nats(case),
        "type_gate" => run_type_gate(case),
        "send_check" => run_send_check(case),
        "send_rate_limit" => run_send_rate_limit(case),
        "kv_namespace" => run_kv_namespace(case),
        "kv_sequence" => run_kv_sequence(case),
        "backoff_delay" => run_backoff_delay(case),
        "reconnect_schedule" => run_reconnect_schedule(case),
        "offline_queue" => run_offline_queue(case),
        "dedup_window" => run_dedup(case),
        "dispatch_order" => run_dispatch(case),
        other => Err(format!("unknown fn {other:?}: no runner").into()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    // The known files must be there, and every other `messaging_*.json` is replayed too (an
    // unknown `fn` fails its case), so a newly copied file is never skipped.
    let mut files: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    for e in std::fs::read_dir(vectors_dir())
        .expect("vectors dir")
        .flatten()
    {
        let n = e.file_name().to_string_lossy().to_string();
        if n.starts_with("messaging_") && n.ends_with(".json") && !files.contains(&n) {
            files.push(n);
        }
    }
    for file in files {
        let file = file.as_str();
        let path = vectors_dir().join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc = Arc::new(Json::parse_with_depth(text.as_bytes(), 64).expect("vector JSON"));
        assert_eq!(
            doc.get("version").and_then(Json::as_i64),
            Some(1),
            "{file}: version"
        );
        let cases = doc.get("cases").and_then(Json::as_arr).expect("cases");
        let mut names = std::collections::HashSet::new();
        for (i, case) in cases.iter().enumerate() {
            let name = case
                .get("name")
                .and_then(Json::as_str)
                .expect("name")
                .to_string();
            assert!(
                names.insert(name.clone()),
                "{file}: duplicate case name {name:?}"
            );
            let doc = doc.clone();
            trials.push(Trial::test(format!("{file}::{name}"), move || {
                run(&doc.get("cases").and_then(Json::as_arr).expect("cases")[i])
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
