//! Task calls (§11) over [`MessagingClient::request`]. Results are the gateway's JSON records
//! (`task_id`, `status`, `assigned_to`, …; see `docs/protocol.md`).

use super::MessagingClient;
use crate::error::Result;
use crate::json::Json;
use crate::messaging::wire::{bytes_json, obj};

impl MessagingClient {
    /// `create_task(args)` → `{task_id, status, assigned_to}`. `args`: `task_type`,
    /// `workspace`, `assignment_mode`, `target_agent_id`, `target_implementation`, `payload`
    /// (base64url), `metadata`, `priority`, `parent_task_id`.
    pub async fn create_task(&self, args: Json) -> Result<Json> {
        self.request("create_task", args).await
    }

    /// `get_task(task_id)` → the task record.
    pub async fn get_task(&self, task_id: &str) -> Result<Json> {
        self.request("get_task", obj([("task_id", task_id.into())]))
            .await
    }

    /// `query_tasks(status, limit, cursor)` → `{tasks, next_cursor}`, newest first.
    pub async fn query_tasks(
        &self,
        status: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<Json> {
        let mut m = vec![("limit".to_string(), Json::Int(limit as i64))];
        if let Some(s) = status {
            m.push(("status".into(), s.into()));
        }
        if let Some(c) = cursor {
            m.push(("cursor".into(), c.into()));
        }
        self.request("query_tasks", Json::Obj(m)).await
    }

    /// `complete_task(task_id, result)` by the assignee → the task record.
    pub async fn complete_task(&self, task_id: &str, result: &[u8]) -> Result<Json> {
        self.request(
            "complete_task",
            obj([("task_id", task_id.into()), ("result", bytes_json(result))]),
        )
        .await
    }

    /// `fail_task(task_id, error)` by the assignee → the task record.
    pub async fn fail_task(&self, task_id: &str, error: &str) -> Result<Json> {
        self.request(
            "fail_task",
            obj([("task_id", task_id.into()), ("error", error.into())]),
        )
        .await
    }

    /// `cancel_task(task_id, reason)` by the creator or the assignee → the task record.
    pub async fn cancel_task(&self, task_id: &str, reason: &str) -> Result<Json> {
        self.request(
            "cancel_task",
            obj([("task_id", task_id.into()), ("reason", reason.into())]),
        )
        .await
    }
}
