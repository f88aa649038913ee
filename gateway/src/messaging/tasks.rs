//! Tasks (SEMANTICS-messaging §11): creation checks, SELF_ASSIGN / TARGETED / POOL (power of two
//! choices over connected candidates), queueing until a target or candidate connects, the
//! lifecycle, and durable assignments (rows of kind `a` in the assignee's inbox, redelivered
//! until acknowledged; the acknowledgement moves `assigned` to `running`).
//! Not yet: lazy start through orchestrators (`agent_startup`), the `task_grace` failure.

use super::store::MsgStore;
use super::Hub;
use rusqlite::{params, OptionalExtension};
use warden_core::json::Json;
use warden_core::messaging::grants::workspace_allowed;
use warden_core::messaging::wire::{
    bytes_json, get_bytes, get_i64, get_opt_str, get_str, get_string_map, obj, opt_str,
    string_map_json,
};
use warden_core::messaging::{
    parse_identity, validate_headers, validate_segment, Identity, PrincipalType, Right,
};
use warden_core::{Error, ErrorCode, Result};

/// Task payload bound (§11).
pub const MAX_TASK_PAYLOAD: usize = 512 * 1024;

fn db_err(e: rusqlite::Error) -> Error {
    Error::internal(format!("task store: {e}"))
}

fn not_found() -> Error {
    Error::new(ErrorCode::NotFound, "no such task")
}

fn is_terminal(status: &str) -> bool {
    matches!(status, "completed" | "failed" | "cancelled")
}

fn priority_of(args: &Json) -> Result<i64> {
    let p = match args.get("priority") {
        None | Some(Json::Null) => 30,
        Some(Json::Int(i)) => *i,
        Some(Json::Str(s)) => match s.as_str() {
            "XLOW" => 10,
            "LOW" => 20,
            "NORMAL" => 30,
            "HIGH" => 40,
            "PREEMPT" => 50,
            _ => 0,
        },
        Some(_) => 0,
    };
    if [10, 20, 30, 40, 50].contains(&p) {
        Ok(p)
    } else {
        Err(Error::validation(
            "priority must be XLOW, LOW, NORMAL, HIGH, PREEMPT (10-50)",
        ))
    }
}

/// A stored task: its JSON record plus the columns used to find it.
struct Task {
    record: Json,
}

impl Task {
    fn s(&self, k: &str) -> Option<&str> {
        self.record.get(k).and_then(Json::as_str)
    }
    fn set(&mut self, k: &str, v: Json) {
        if let Json::Obj(m) = &mut self.record {
            match m.iter_mut().find(|(n, _)| n == k) {
                Some((_, old)) => *old = v,
                None => m.push((k.to_string(), v)),
            }
        }
    }
    fn visible_to(&self, who: &Identity) -> bool {
        let me = who.canonical.as_deref().unwrap_or_default();
        who.principal_type == PrincipalType::WorkflowEngine
            || self.s("creator") == Some(me)
            || self.s("assigned_to") == Some(me)
    }
    /// The `task` member of an assignment.
    fn assignment_task(&self) -> Json {
        let g = |k: &str| self.record.get(k).cloned().unwrap_or(Json::Null);
        obj([
            ("task_id", g("task_id")),
            ("task_type", g("task_type")),
            ("workspace", g("workspace")),
            ("payload", g("payload")),
            ("metadata", g("metadata")),
            ("priority", g("priority")),
            ("parent_task_id", g("parent_task_id")),
            ("creator", g("creator")),
        ])
    }
}

fn load(st: &MsgStore, task_id: &str) -> Result<Option<Task>> {
    let text: Option<String> = st
        .conn
        .query_row(
            "SELECT record FROM tasks WHERE task_id=?1",
            params![task_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_err)?;
    match text {
        None => Ok(None),
        Some(t) => Ok(Some(Task {
            record: Json::parse(&t).map_err(|e| Error::internal(format!("task record: {e}")))?,
        })),
    }
}

fn save(st: &MsgStore, t: &Task) -> Result<()> {
    let r = &t.record;
    let s = |k: &str| r.get(k).and_then(Json::as_str);
    st.conn
        .execute(
            "INSERT OR REPLACE INTO tasks(task_id, record, status, mode, workspace, creator, assigned_to, target_agent_id, target_implementation, priority)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
            params![
                s("task_id"),
                r.to_compact(),
                s("status"),
                s("assignment_mode"),
                s("workspace"),
                s("creator"),
                s("assigned_to"),
                s("target_agent_id"),
                s("target_implementation"),
                r.get("priority").and_then(Json::as_i64).unwrap_or(30),
            ],
        )
        .map_err(db_err)?;
    Ok(())
}

/// Assigns `t` to `assignee`: status `assigned` and an assignment row in its inbox.
fn assign(hub: &Hub, st: &MsgStore, t: &mut Task, assignee: &str, now: i64) -> Result<()> {
    let assignment_id = hub.new_id(now)?;
    t.set("status", "assigned".into());
    t.set("assigned_to", assignee.into());
    t.set("assignment_id", assignment_id.as_str().into());
    t.set("updated_ms", Json::Int(now));
    save(st, t)?;
    push_assignment(st, assignee, &assignment_id, "task", t, now)
}

fn push_assignment(
    st: &MsgStore,
    assignee: &str,
    assignment_id: &str,
    kind: &str,
    t: &Task,
    now: i64,
) -> Result<()> {
    let frame = obj([
        ("type", "assignment".into()),
        ("assignment_id", assignment_id.into()),
        ("kind", kind.into()),
        ("task", t.assignment_task()),
    ]);
    st.conn
        .execute(
            "INSERT INTO inbox(inbox, message_id, envelope, created_ms, kind) VALUES (?1,?2,?3,?4,'a')",
            params![assignee, assignment_id, frame.to_compact(), now],
        )
        .map_err(db_err)?;
    Ok(())
}

fn load_of(st: &MsgStore, who: &str) -> Result<i64> {
    st.conn
        .query_row(
            "SELECT COUNT(*) FROM tasks WHERE assigned_to=?1 AND status IN ('assigned','running')",
            params![who],
            |r| r.get(0),
        )
        .map_err(db_err)
}

/// Power of two choices (§11): two distinct random candidates, the less loaded wins, ties to
/// the first pick.
fn pick(st: &MsgStore, candidates: &[String]) -> Result<Option<String>> {
    match candidates.len() {
        0 => Ok(None),
        1 => Ok(Some(candidates[0].clone())),
        n => {
            let i = (super::conn::random_unit() * n as f64) as usize % n;
            let mut j = (super::conn::random_unit() * (n - 1) as f64) as usize % (n - 1);
            if j >= i {
                j += 1;
            }
            let (a, b) = (&candidates[i], &candidates[j]);
            Ok(Some(if load_of(st, b)? < load_of(st, a)? {
                b.clone()
            } else {
                a.clone()
            }))
        }
    }
}

fn with_tx<T>(hub: &Hub, f: impl FnOnce(&MsgStore) -> Result<T>) -> Result<T> {
    let st = hub.store();
    st.conn.execute_batch("BEGIN IMMEDIATE").map_err(db_err)?;
    let r = f(&st).and_then(|v| st.conn.execute_batch("COMMIT").map_err(db_err).map(|_| v));
    if r.is_err() {
        let _ = st.conn.execute_batch("ROLLBACK");
    }
    r
}

/// One task request.
pub(crate) fn request(hub: &Hub, caller: &Identity, op: &str, args: &Json) -> Result<Json> {
    let me = caller.canonical.clone().unwrap_or_default();
    let now = hub.now_ms();
    let mut notify = Vec::new();
    let out = match op {
        "create_task" => create(hub, caller, args, now, &mut notify),
        "get_task" => {
            let id = get_str(args, "task_id")?;
            let st = hub.store();
            match load(&st, id)? {
                Some(t) if t.visible_to(caller) => Ok(t.record),
                _ => Err(not_found()),
            }
        }
        "query_tasks" => query(hub, caller, args),
        "complete_task" | "fail_task" | "cancel_task" => with_tx(hub, |st| {
            let id = get_str(args, "task_id")?;
            let mut t = match load(st, id)? {
                Some(t) if t.visible_to(caller) => t,
                _ => return Err(not_found()),
            };
            let status = t.s("status").unwrap_or("").to_string();
            if is_terminal(&status) {
                return Err(Error::with_reason(
                    ErrorCode::Conflict,
                    "terminal",
                    format!("task is {status}"),
                ));
            }
            let assignee = t.s("assigned_to").map(str::to_string);
            match op {
                "cancel_task" => {
                    t.set("status", "cancelled".into());
                    t.set("error", get_opt_str(args, "reason")?.unwrap_or("").into());
                    t.set("updated_ms", Json::Int(now));
                    save(st, &t)?;
                    if let Some(a) = assignee.filter(|a| *a != me) {
                        let aid = hub.new_id(now)?;
                        push_assignment(st, &a, &aid, "cancelled", &t, now)?;
                        notify.push(a);
                    }
                }
                _ => {
                    if assignee.as_deref() != Some(me.as_str()) {
                        return Err(Error::new(
                            ErrorCode::PermissionDenied,
                            "only the assignee completes or fails a task",
                        ));
                    }
                    if op == "complete_task" {
                        t.set("status", "completed".into());
                        t.set("result", bytes_json(&get_bytes(args, "result")?));
                    } else {
                        t.set("status", "failed".into());
                        t.set("error", get_opt_str(args, "error")?.unwrap_or("").into());
                    }
                    t.set("updated_ms", Json::Int(now));
                    save(st, &t)?;
                }
            }
            Ok(t.record)
        }),
        _ => Err(Error::with_reason(
            ErrorCode::ValidationError,
            "unknown_op",
            "unknown task op",
        )),
    };
    for a in notify {
        hub.inbox_notify(&a).notify_one();
    }
    out
}

fn create(
    hub: &Hub,
    caller: &Identity,
    args: &Json,
    now: i64,
    notify: &mut Vec<String>,
) -> Result<Json> {
    let me = caller.canonical.clone().unwrap_or_default();
    let task_type = get_str(args, "task_type")?;
    let workspace = get_str(args, "workspace")?;
    validate_segment(task_type)
        .map_err(|_| Error::validation("task_type is not a valid segment"))?;
    validate_segment(workspace)
        .map_err(|_| Error::validation("workspace is not a valid segment"))?;
    let payload = get_bytes(args, "payload")?;
    if payload.len() > MAX_TASK_PAYLOAD {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            "task payload exceeds 512 KiB",
        ));
    }
    let metadata = get_string_map(args, "metadata")?;
    validate_headers(&metadata, &hub.limits)?;
    let priority = priority_of(args)?;
    let target = get_opt_str(args, "target_agent_id")?.unwrap_or("");
    let target_impl = get_opt_str(args, "target_implementation")?.unwrap_or("");
    let mut mode = get_opt_str(args, "assignment_mode")?.unwrap_or("SELF_ASSIGN");
    if !matches!(mode, "SELF_ASSIGN" | "TARGETED" | "POOL") {
        return Err(Error::validation(
            "assignment_mode must be SELF_ASSIGN, TARGETED or POOL",
        ));
    }
    if mode == "SELF_ASSIGN" && !target.is_empty() {
        mode = "TARGETED";
    }
    if mode == "SELF_ASSIGN" && !target_impl.is_empty() {
        mode = "POOL";
    }
    match mode {
        "TARGETED" => {
            let t = parse_identity(target).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidIdentity,
                    "target_agent_id is not an identity",
                )
            })?;
            if !matches!(t.principal_type, PrincipalType::Agent | PrincipalType::Task) || t.pooled {
                return Err(Error::new(
                    ErrorCode::InvalidIdentity,
                    "target_agent_id must be an ag or tu identity",
                ));
            }
            if t.workspace.as_deref() != Some(workspace) {
                return Err(Error::validation("target_agent_id is in another workspace"));
            }
        }
        "POOL" => {
            validate_segment(target_impl)
                .map_err(|_| Error::validation("target_implementation is not a valid segment"))?;
        }
        _ => {
            if !matches!(
                caller.principal_type,
                PrincipalType::Agent | PrincipalType::Task | PrincipalType::Service
            ) {
                return Err(Error::validation(
                    "SELF_ASSIGN needs an agent, task or service caller",
                ));
            }
        }
    }
    if caller.principal_type == PrincipalType::MetricsBridge
        || !workspace_allowed(&hub.cfg.grants, caller, Some(workspace), Right::Tasks)
    {
        return Err(Error::new(
            ErrorCode::PermissionDenied,
            "the caller may not create tasks in this workspace",
        ));
    }
    let parent = get_opt_str(args, "parent_task_id")?.unwrap_or("");
    let candidates = if mode == "POOL" {
        hub.pool_candidates(workspace, target_impl)
    } else {
        Vec::new()
    };
    let target_online = mode == "TARGETED" && hub.is_connected(target);
    with_tx(hub, |st| {
        if !parent.is_empty() && !load(st, parent)?.is_some_and(|p| p.visible_to(caller)) {
            return Err(Error::with_reason(
                ErrorCode::NotFound,
                "parent_task",
                "no such parent task",
            ));
        }
        let task_id = hub.new_id(now)?;
        let mut t = Task {
            record: obj([
                ("task_id", task_id.as_str().into()),
                ("task_type", task_type.into()),
                ("workspace", workspace.into()),
                ("assignment_mode", mode.into()),
                ("status", "pending".into()),
                ("assigned_to", Json::Null),
                ("creator", me.as_str().into()),
                ("priority", Json::Int(priority)),
                ("payload", bytes_json(&payload)),
                ("metadata", string_map_json(&metadata)),
                (
                    "parent_task_id",
                    opt_str((!parent.is_empty()).then_some(parent)),
                ),
                (
                    "target_agent_id",
                    opt_str((!target.is_empty()).then_some(target)),
                ),
                (
                    "target_implementation",
                    opt_str((!target_impl.is_empty()).then_some(target_impl)),
                ),
                ("result", Json::Null),
                ("error", Json::Null),
                ("created_ms", Json::Int(now)),
                ("updated_ms", Json::Int(now)),
            ]),
        };
        let assignee = match mode {
            "SELF_ASSIGN" => Some(me.clone()),
            "TARGETED" => target_online.then(|| target.to_string()),
            _ => pick(st, &candidates)?,
        };
        match assignee {
            Some(a) => {
                assign(hub, st, &mut t, &a, now)?;
                notify.push(a);
            }
            None => {
                t.set(
                    "status",
                    if mode == "POOL" {
                        "pending_pool"
                    } else {
                        "pending"
                    }
                    .into(),
                );
                save(st, &t)?;
            }
        }
        Ok(obj([
            ("task_id", task_id.as_str().into()),
            (
                "status",
                t.record.get("status").cloned().unwrap_or(Json::Null),
            ),
            (
                "assigned_to",
                t.record.get("assigned_to").cloned().unwrap_or(Json::Null),
            ),
        ]))
    })
}

fn query(hub: &Hub, caller: &Identity, args: &Json) -> Result<Json> {
    let limit = get_i64(args, "limit", 100)?;
    if !(1..=1000).contains(&limit) {
        return Err(Error::validation("limit is 1-1000"));
    }
    let status = get_opt_str(args, "status")?;
    let cursor = get_opt_str(args, "cursor")?.unwrap_or("\u{10FFFF}");
    let me = caller.canonical.as_deref().unwrap_or_default();
    let all = caller.principal_type == PrincipalType::WorkflowEngine;
    let st = hub.store();
    let mut q = st
        .conn
        .prepare_cached(
            "SELECT record FROM tasks WHERE (?1 OR creator=?2 OR assigned_to=?2)
             AND (?3 IS NULL OR status=?3) AND task_id < ?4 ORDER BY task_id DESC LIMIT ?5",
        )
        .map_err(db_err)?;
    let rows: Vec<String> = q
        .query_map(params![all, me, status, cursor, limit + 1], |r| r.get(0))
        .map_err(db_err)?
        .collect::<std::result::Result<_, _>>()
        .map_err(db_err)?;
    let more = rows.len() as i64 > limit;
    let mut tasks = Vec::new();
    for r in rows.iter().take(limit as usize) {
        tasks.push(Json::parse(r).map_err(|e| Error::internal(format!("task record: {e}")))?);
    }
    let next = if more {
        tasks
            .last()
            .and_then(|t| t.get("task_id"))
            .cloned()
            .unwrap_or(Json::Null)
    } else {
        Json::Null
    };
    Ok(obj([("tasks", Json::Arr(tasks)), ("next_cursor", next)]))
}

/// The creator and assignee of `task_id` (empty if unknown), for `tk` topics.
pub(crate) fn parties(hub: &Hub, task_id: &str) -> Result<Vec<String>> {
    let st = hub.store();
    Ok(match load(&st, task_id)? {
        Some(t) => ["creator", "assigned_to"]
            .iter()
            .filter_map(|k| t.s(k).map(str::to_string))
            .collect(),
        None => Vec::new(),
    })
}

/// Acknowledged assignment frames of `assignee`: `assigned` → `running` (§11).
pub(crate) fn on_acked(hub: &Hub, assignee: &str, frames: &[Json]) -> Result<()> {
    if frames.is_empty() {
        return Ok(());
    }
    let now = hub.now_ms();
    with_tx(hub, |st| {
        for f in frames {
            if f.get("kind").and_then(Json::as_str) != Some("task") {
                continue;
            }
            let Some(id) = f
                .get("task")
                .and_then(|t| t.get("task_id"))
                .and_then(Json::as_str)
            else {
                continue;
            };
            if let Some(mut t) = load(st, id)? {
                if t.s("status") == Some("assigned") && t.s("assigned_to") == Some(assignee) {
                    t.set("status", "running".into());
                    t.set("updated_ms", Json::Int(now));
                    save(st, &t)?;
                }
            }
        }
        Ok(())
    })
}

/// A connection for `identity` began: its pending TARGETED tasks, and POOL tasks waiting for
/// a candidate like it, are assigned (highest priority first, then oldest).
pub(crate) fn on_connect(hub: &Hub, identity: &Identity) -> Result<()> {
    let Some(me) = identity.canonical.clone() else {
        return Ok(());
    };
    let now = hub.now_ms();
    let mut notify = Vec::new();
    with_tx(hub, |st| {
        let ids: Vec<String> = {
            let mut q = st
                .conn
                .prepare_cached(
                    "SELECT task_id FROM tasks WHERE status='pending' AND target_agent_id=?1 ORDER BY priority DESC, task_id",
                )
                .map_err(db_err)?;
            let r = q
                .query_map(params![me], |r| r.get(0))
                .map_err(db_err)?
                .collect::<std::result::Result<_, _>>()
                .map_err(db_err)?;
            r
        };
        for id in ids {
            if let Some(mut t) = load(st, &id)? {
                assign(hub, st, &mut t, &me, now)?;
                notify.push(me.clone());
            }
        }
        Ok(())
    })?;
    let pool_ws = match identity.principal_type {
        PrincipalType::Agent => identity.workspace.clone(),
        _ => None,
    };
    if let (Some(ws), Some(imp)) = (pool_ws, identity.implementation.clone()) {
        assign_pool_pending(hub, &ws, &imp, &mut notify)?;
    }
    for a in notify {
        hub.inbox_notify(&a).notify_one();
    }
    Ok(())
}

fn assign_pool_pending(hub: &Hub, ws: &str, imp: &str, notify: &mut Vec<String>) -> Result<()> {
    let candidates = hub.pool_candidates(ws, imp);
    if candidates.is_empty() {
        return Ok(());
    }
    let now = hub.now_ms();
    with_tx(hub, |st| {
        let ids: Vec<String> = {
            let mut q = st
                .conn
                .prepare_cached(
                    "SELECT task_id FROM tasks WHERE status='pending_pool' AND workspace=?1 AND target_implementation=?2 ORDER BY priority DESC, task_id",
                )
                .map_err(db_err)?;
            let r = q
                .query_map(params![ws, imp], |r| r.get(0))
                .map_err(db_err)?
                .collect::<std::result::Result<_, _>>()
                .map_err(db_err)?;
            r
        };
        for id in ids {
            if let (Some(mut t), Some(a)) = (load(st, &id)?, pick(st, &candidates)?) {
                assign(hub, st, &mut t, &a, now)?;
                notify.push(a);
            }
        }
        Ok(())
    })
}

/// A connection of `canonical` ended for good: its POOL tasks not yet acknowledged go back to
/// `pending_pool` (their assignments withdrawn) and are offered to the other candidates.
pub(crate) fn on_disconnect(hub: &Hub, canonical: &str) -> Result<()> {
    let now = hub.now_ms();
    let back: Vec<(String, String)> = with_tx(hub, |st| {
        let ids: Vec<String> = {
            let mut q = st
                .conn
                .prepare_cached(
                    "SELECT task_id FROM tasks WHERE assigned_to=?1 AND status='assigned' AND mode='POOL'",
                )
                .map_err(db_err)?;
            let r = q
                .query_map(params![canonical], |r| r.get(0))
                .map_err(db_err)?
                .collect::<std::result::Result<_, _>>()
                .map_err(db_err)?;
            r
        };
        let mut back = Vec::new();
        for id in ids {
            if let Some(mut t) = load(st, &id)? {
                if let Some(aid) = t.s("assignment_id") {
                    st.conn
                        .execute(
                            "DELETE FROM inbox WHERE inbox=?1 AND message_id=?2",
                            params![canonical, aid],
                        )
                        .map_err(db_err)?;
                }
                t.set("status", "pending_pool".into());
                t.set("assigned_to", Json::Null);
                t.set("updated_ms", Json::Int(now));
                save(st, &t)?;
                back.push((
                    t.s("workspace").unwrap_or("").to_string(),
                    t.s("target_implementation").unwrap_or("").to_string(),
                ));
            }
        }
        Ok(back)
    })?;
    let mut notify = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (ws, imp) in back {
        if seen.insert((ws.clone(), imp.clone())) {
            assign_pool_pending(hub, &ws, &imp, &mut notify)?;
        }
    }
    for a in notify {
        hub.inbox_notify(&a).notify_one();
    }
    Ok(())
}
