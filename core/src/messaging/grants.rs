//! Authorization (SEMANTICS-messaging §4): layer 1, the principal-type gate (as the peer
//! implements it), and layer 2, workspaces and grants.

use super::identity::{Identity, PrincipalType};
use super::pattern::pattern_matches;
use super::topic::TopicKind;
use crate::error::{Error, ErrorCode, Result};

/// The right a grant confers (§4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Right {
    /// Sending to topics of the workspace.
    Messaging,
    /// The `workspace` KV scope.
    Kv,
    /// Creating tasks in the workspace.
    Tasks,
    /// Negative `qty` in METRIC payloads (Warden choice).
    MetricCredit,
}

impl Right {
    /// `messaging`, `kv`, `tasks` or `metric_credit`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Right::Messaging => "messaging",
            Right::Kv => "kv",
            Right::Tasks => "tasks",
            Right::MetricCredit => "metric_credit",
        }
    }

    /// Parses the name; `VALIDATION_ERROR` otherwise.
    pub fn parse(s: &str) -> Result<Right> {
        [
            Right::Messaging,
            Right::Kv,
            Right::Tasks,
            Right::MetricCredit,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| Error::validation(format!("unknown right {s:?}")))
    }
}

/// A grant (§4.2): `principal` (an identity pattern, §3) may use `right` on `workspace`
/// (a name or `*`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Grant {
    /// Identity pattern.
    pub principal: String,
    /// Workspace name or `*`.
    pub workspace: String,
    /// The right.
    pub right: Right,
}

impl Grant {
    /// A grant.
    pub fn new(principal: impl Into<String>, workspace: impl Into<String>, right: Right) -> Grant {
        Grant {
            principal: principal.into(),
            workspace: workspace.into(),
            right,
        }
    }

    fn covers_workspace(&self, workspace: Option<&str>) -> bool {
        self.workspace == "*" || Some(self.workspace.as_str()) == workspace
    }
}

/// True iff some grant whose pattern matches `identity` gives `right` on `workspace`
/// (`None` = a message with no workspace: only `*` grants cover it).
pub fn has_grant(
    grants: &[Grant],
    identity: &Identity,
    workspace: Option<&str>,
    right: Right,
) -> bool {
    grants.iter().any(|g| {
        g.right == right && g.covers_workspace(workspace) && pattern_matches(&g.principal, identity)
    })
}

/// True iff a grant of user `user_id` gives `right` on `workspace`: only grants whose principal
/// is literally `*`, `us::{user}::*` or `us::*::*` count (§4.3, `on_behalf_of`).
pub fn user_has_grant(
    grants: &[Grant],
    user_id: &str,
    workspace: Option<&str>,
    right: Right,
) -> bool {
    let own = format!("us::{user_id}::*");
    grants.iter().any(|g| {
        g.right == right
            && g.covers_workspace(workspace)
            && (g.principal == "*" || g.principal == own || g.principal == "us::*::*")
    })
}

fn denied(why: &str) -> Error {
    Error::with_reason(ErrorCode::PermissionDenied, "type_gate", why.to_string())
}

/// Layer 1 (§4.1): may a `sender` principal send to a topic of this kind at all? Workspaces are
/// ignored here. `PERMISSION_DENIED` otherwise.
pub fn type_gate(sender: PrincipalType, target: TopicKind) -> Result<()> {
    use PrincipalType as P;
    use TopicKind as K;
    match (sender, target) {
        (P::MetricsBridge, _) => Err(denied("the metrics bridge is receive-only")),
        (P::Service | P::WorkflowEngine | P::Bridge, K::UserAllWindows) => Ok(()),
        (_, K::UserAllWindows) => Err(denied(
            "uu:: topics are for services, bridges and the workflow engine",
        )),
        (P::User, K::Event | K::Metric | K::PageWorkspace | K::PageUser) => {
            Err(denied("users may not send to event, metric or pg topics"))
        }
        (P::Orchestrator, K::Agent | K::UniqueTask | K::PooledTask | K::TaskBroadcast) => Ok(()),
        (P::Orchestrator, _) => Err(denied(
            "orchestrators send only to ag, tu, ta and tb topics",
        )),
        _ => Ok(()),
    }
}

/// Layer 2 (§4.2) for `sender` and a resolved target workspace `target_ws` with `right`:
/// allowed iff there is no target workspace, it is the sender's home workspace, the sender is the
/// workflow engine, or a grant covers it. (The `tk::…::msg` party rule is the send pipeline's.)
pub fn workspace_allowed(
    grants: &[Grant],
    sender: &Identity,
    target_ws: Option<&str>,
    right: Right,
) -> bool {
    match target_ws {
        None => true,
        Some(ws) => {
            sender.home_workspace() == Some(ws)
                || sender.principal_type == PrincipalType::WorkflowEngine
                || has_grant(grants, sender, Some(ws), right)
        }
    }
}
