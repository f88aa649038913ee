//! The topics of the convenience send calls (SEMANTICS-messaging §8.3). Every variable segment
//! passes §1.2 or the call fails with `INVALID_TOPIC`.

use super::segment;
use crate::error::{ErrorCode, Result};

/// The specifier of `send_message_to_service`: one instance, or ANY connected instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceSpecifier<'a> {
    /// `sv::{impl}::{spec}`
    Instance(&'a str),
    /// `sv::{impl}`: one connected instance, chosen by the gateway.
    Any,
}

/// A convenience send call and its arguments (§8.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SendTarget<'a> {
    /// `send_message_to_agent(workspace, implementation, specifier)` → `ag::…`
    Agent {
        /// `{ws}`
        workspace: &'a str,
        /// `{impl}`
        implementation: &'a str,
        /// `{spec}`
        specifier: &'a str,
    },
    /// `send_message_to_task(workspace, implementation, unique_specifier)` → `tu::…`, or
    /// `tb::{ws}::{impl}` when `unique_specifier` is empty (Warden choice).
    Task {
        /// `{ws}`
        workspace: &'a str,
        /// `{impl}`
        implementation: &'a str,
        /// `{spec}` or empty
        unique_specifier: &'a str,
    },
    /// `send_message_to_user_session(user_id, window_id)` → `us::…`
    UserSession {
        /// `{user}`
        user_id: &'a str,
        /// `{window}`
        window_id: &'a str,
    },
    /// `send_message_to_user_workspace(user_id, workspace)` → `uw::…`
    UserWorkspace {
        /// `{user}`
        user_id: &'a str,
        /// `{ws}`
        workspace: &'a str,
    },
    /// `send_broadcast_to_agents(workspace)` → `ga::{ws}`
    BroadcastToAgents {
        /// `{ws}`
        workspace: &'a str,
    },
    /// `send_broadcast_to_users(workspace)` → `gu::{ws}`
    BroadcastToUsers {
        /// `{ws}`
        workspace: &'a str,
    },
    /// `send_message_to_service(implementation, specifier or ANY)` → `sv::…`
    Service {
        /// `{impl}`
        implementation: &'a str,
        /// one instance or ANY
        specifier: ServiceSpecifier<'a>,
    },
    /// `send_event(workspace=None)` → `event::{ws}` or `event::*`
    Event {
        /// `None` = the sender's home workspace
        workspace: Option<&'a str>,
    },
    /// `send_metric(metric, workspace=None)` → `metric::{ws}` or `metric::*`
    Metric {
        /// `None` = the sender's home workspace
        workspace: Option<&'a str>,
    },
}

fn join(prefix: &str, parts: &[&str]) -> Result<String> {
    let mut out = String::from(prefix);
    for p in parts {
        segment::check(p.as_bytes(), ErrorCode::InvalidTopic, "send target part")?;
        out.push_str("::");
        out.push_str(p);
    }
    Ok(out)
}

/// The topic a convenience send call targets; `INVALID_TOPIC` for an invalid segment.
pub fn send_target(target: &SendTarget<'_>) -> Result<String> {
    match *target {
        SendTarget::Agent {
            workspace,
            implementation,
            specifier,
        } => join("ag", &[workspace, implementation, specifier]),
        SendTarget::Task {
            workspace,
            implementation,
            unique_specifier: "",
        } => join("tb", &[workspace, implementation]),
        SendTarget::Task {
            workspace,
            implementation,
            unique_specifier,
        } => join("tu", &[workspace, implementation, unique_specifier]),
        SendTarget::UserSession { user_id, window_id } => join("us", &[user_id, window_id]),
        SendTarget::UserWorkspace { user_id, workspace } => join("uw", &[user_id, workspace]),
        SendTarget::BroadcastToAgents { workspace } => join("ga", &[workspace]),
        SendTarget::BroadcastToUsers { workspace } => join("gu", &[workspace]),
        SendTarget::Service {
            implementation,
            specifier: ServiceSpecifier::Any,
        } => join("sv", &[implementation]),
        SendTarget::Service {
            implementation,
            specifier: ServiceSpecifier::Instance(spec),
        } => join("sv", &[implementation, spec]),
        SendTarget::Event { workspace: None } => Ok("event::*".to_string()),
        SendTarget::Event {
            workspace: Some(ws),
        } => join("event", &[ws]),
        SendTarget::Metric { workspace: None } => Ok("metric::*".to_string()),
        SendTarget::Metric {
            workspace: Some(ws),
        } => join("metric", &[ws]),
    }
}
