//! Principals and identities (SEMANTICS-messaging §1): the principal types, `parse_identity`
//! (canonical identities), `parse_claim` (what a client claims at connect) and the parsed
//! [`Identity`] record.

use super::segment;
use crate::error::{Error, ErrorCode, Result};
use std::fmt;

/// The separator between the parts of identities and topics.
pub const SEPARATOR: &str = "::";

/// The canonical identity of the workflow engine (cluster singleton).
pub const WORKFLOW_ENGINE_IDENTITY: &str = "wfe::shard0";
/// The canonical identity of the metrics bridge (cluster singleton).
pub const METRICS_BRIDGE_IDENTITY: &str = "metrics::shard0";
/// The inbox topic of the workflow engine.
pub const WORKFLOW_ENGINE_TOPIC: &str = "event::receiver0";
/// The inbox topic of the metrics bridge.
pub const METRICS_BRIDGE_TOPIC: &str = "metric::receiver0";

/// The kinds of principal (§1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalType {
    /// `ag::{ws}::{impl}::{spec}`
    Agent,
    /// `tu::…` (unique) and `ta::…` (pooled)
    Task,
    /// `us::{user}::{window}`
    User,
    /// `sv::{impl}::{spec}`
    Service,
    /// `br::{impl}::{spec}`
    Bridge,
    /// `orc::{impl}` or `orc::{impl}::{spec}`
    Orchestrator,
    /// `wfe::shard0`
    WorkflowEngine,
    /// `metrics::shard0`
    MetricsBridge,
}

impl PrincipalType {
    /// Every principal type, in the order of §1.1.
    pub const ALL: &'static [PrincipalType] = &[
        PrincipalType::Agent,
        PrincipalType::Task,
        PrincipalType::User,
        PrincipalType::Service,
        PrincipalType::Bridge,
        PrincipalType::Orchestrator,
        PrincipalType::WorkflowEngine,
        PrincipalType::MetricsBridge,
    ];

    /// The snake_case name (`agent`, `task`, … `metrics_bridge`).
    pub const fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Agent => "agent",
            PrincipalType::Task => "task",
            PrincipalType::User => "user",
            PrincipalType::Service => "service",
            PrincipalType::Bridge => "bridge",
            PrincipalType::Orchestrator => "orchestrator",
            PrincipalType::WorkflowEngine => "workflow_engine",
            PrincipalType::MetricsBridge => "metrics_bridge",
        }
    }

    /// Parses the snake_case name; `VALIDATION_ERROR` for anything else.
    pub fn parse(s: &str) -> Result<PrincipalType> {
        PrincipalType::ALL
            .iter()
            .copied()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| Error::validation(format!("unknown principal_type {s:?}")))
    }
}

impl fmt::Display for PrincipalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed identity or claim (§1.3). Absent fields are `None`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The kind of principal.
    pub principal_type: PrincipalType,
    /// `{ws}` of agents and tasks (their home workspace).
    pub workspace: Option<String>,
    /// `{impl}` of agents, tasks, services, bridges, orchestrators.
    pub implementation: Option<String>,
    /// `{spec}` of agents, unique tasks, services, bridges and 3-part orchestrators.
    pub specifier: Option<String>,
    /// `{user}` of users.
    pub user_id: Option<String>,
    /// `{window}` of users.
    pub window_id: Option<String>,
    /// `{id}` of a pooled task once assigned (canonical form only).
    pub pooled_id: Option<String>,
    /// True for pooled tasks (`ta`), claimed or canonical.
    pub pooled: bool,
    /// The canonical identity; `None` for a pooled claim (until the gateway assigns `{id}`).
    pub canonical: Option<String>,
    /// The principal's own inbox topic; `None` for orchestrators and pooled claims.
    pub own_topic: Option<String>,
}

impl Identity {
    fn empty(principal_type: PrincipalType) -> Identity {
        Identity {
            principal_type,
            workspace: None,
            implementation: None,
            specifier: None,
            user_id: None,
            window_id: None,
            pooled_id: None,
            pooled: false,
            canonical: None,
            own_topic: None,
        }
    }

    /// The home workspace (§1.1): `{ws}` for agents and tasks, `None` for everyone else.
    pub fn home_workspace(&self) -> Option<&str> {
        match self.principal_type {
            PrincipalType::Agent | PrincipalType::Task => self.workspace.as_deref(),
            _ => None,
        }
    }

    /// The form identity patterns are matched against (§3): the canonical identity, except that
    /// a pooled task is `ta::{ws}::{impl}` whether or not its `{id}` is assigned.
    pub fn claim_form(&self) -> String {
        if self.pooled {
            format!(
                "ta::{}::{}",
                self.workspace.as_deref().unwrap_or_default(),
                self.implementation.as_deref().unwrap_or_default()
            )
        } else {
            self.canonical.clone().unwrap_or_default()
        }
    }

    /// This pooled claim with the gateway-assigned `{id}` (§1.1); `INVALID_IDENTITY` if `self` is
    /// not a pooled claim or `id` is not a valid segment.
    pub fn with_pooled_id(&self, id: &str) -> Result<Identity> {
        if !self.pooled || self.pooled_id.is_some() {
            return Err(Error::new(
                ErrorCode::InvalidIdentity,
                "only a pooled task claim takes an assigned id",
            ));
        }
        segment::check(id.as_bytes(), ErrorCode::InvalidIdentity, "pooled id")?;
        let canonical = format!("{}::{id}", self.claim_form());
        let mut out = self.clone();
        out.pooled_id = Some(id.to_string());
        out.own_topic = Some(canonical.clone());
        out.canonical = Some(canonical);
        Ok(out)
    }
}

impl fmt::Display for Identity {
    /// The canonical identity, or the claim form of an unassigned pooled claim.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.canonical {
            Some(c) => f.write_str(c),
            None => f.write_str(&self.claim_form()),
        }
    }
}

fn invalid(s: &str, why: &str) -> Error {
    let shown: String = s.chars().take(64).collect();
    Error::new(
        ErrorCode::InvalidIdentity,
        format!("invalid identity {shown:?}: {why}"),
    )
}

/// Parses a canonical identity (§1.3); `INVALID_IDENTITY` for anything else.
pub fn parse_identity(s: &str) -> Result<Identity> {
    parse(s, false)
}

/// Parses a connect claim (§1.3): as [`parse_identity`], except that a pooled task claims exactly
/// `ta::{ws}::{impl}` (a 4-part `ta` claim is `INVALID_IDENTITY`).
pub fn parse_claim(s: &str) -> Result<Identity> {
    parse(s, true)
}

fn parse(s: &str, claim: bool) -> Result<Identity> {
    let parts: Vec<&str> = s.split(SEPARATOR).collect();
    let n = parts.len();
    let expect = |ok: bool, why: &str| if ok { Ok(()) } else { Err(invalid(s, why)) };
    for p in &parts[1..] {
        if !segment::is_valid_segment(p.as_bytes()) {
            return Err(invalid(s, "a part violates the segment rule"));
        }
    }
    let own = |id: &mut Identity| {
        id.canonical = Some(s.to_string());
        id.own_topic = Some(s.to_string());
    };
    let part = |i: usize| parts.get(i).map(|p| p.to_string());
    let id = match parts[0] {
        "ag" | "tu" => {
            expect(n == 4, "expected 4 parts")?;
            let pt = if parts[0] == "ag" {
                PrincipalType::Agent
            } else {
                PrincipalType::Task
            };
            let mut id = Identity::empty(pt);
            id.workspace = part(1);
            id.implementation = part(2);
            id.specifier = part(3);
            own(&mut id);
            id
        }
        "ta" => {
            if claim {
                expect(n == 3, "a pooled task claims ta::{ws}::{impl}")?;
            } else {
                expect(n == 4, "expected 4 parts")?;
            }
            let mut id = Identity::empty(PrincipalType::Task);
            id.pooled = true;
            id.workspace = part(1);
            id.implementation = part(2);
            if !claim {
                id.pooled_id = part(3);
                own(&mut id);
            }
            id
        }
        "us" => {
            expect(n == 3, "expected 3 parts")?;
            let mut id = Identity::empty(PrincipalType::User);
            id.user_id = part(1);
            id.window_id = part(2);
            own(&mut id);
            id
        }
        "sv" | "br" => {
            expect(n == 3, "expected 3 parts")?;
            let pt = if parts[0] == "sv" {
                PrincipalType::Service
            } else {
                PrincipalType::Bridge
            };
            let mut id = Identity::empty(pt);
            id.implementation = part(1);
            id.specifier = part(2);
            own(&mut id);
            id
        }
        "orc" => {
            expect(n == 2 || n == 3, "expected 2 or 3 parts")?;
            let mut id = Identity::empty(PrincipalType::Orchestrator);
            id.implementation = part(1);
            id.specifier = if n == 3 { part(2) } else { None };
            id.canonical = Some(s.to_string());
            id
        }
        "wfe" => {
            expect(n == 2, "expected 2 parts")?;
            let mut id = Identity::empty(PrincipalType::WorkflowEngine);
            id.canonical = Some(WORKFLOW_ENGINE_IDENTITY.to_string());
            id.own_topic = Some(WORKFLOW_ENGINE_TOPIC.to_string());
            id
        }
        "metrics" => {
            expect(n == 2, "expected 2 parts")?;
            let mut id = Identity::empty(PrincipalType::MetricsBridge);
            id.canonical = Some(METRICS_BRIDGE_IDENTITY.to_string());
            id.own_topic = Some(METRICS_BRIDGE_TOPIC.to_string());
            id
        }
        _ => return Err(invalid(s, "unknown identity prefix")),
    };
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooled_claim_then_assignment() {
        let c = parse_claim("ta::ws::proc").unwrap();
        assert!(c.canonical.is_none() && c.pooled);
        let a = c.with_pooled_id("01J9Z3K4Q5R6S7T8V9W0XYZABC").unwrap();
        assert_eq!(
            a,
            parse_identity("ta::ws::proc::01J9Z3K4Q5R6S7T8V9W0XYZABC").unwrap()
        );
        assert!(a.with_pooled_id("x").is_err());
        assert_eq!(a.claim_form(), "ta::ws::proc");
    }

    #[test]
    fn shapes() {
        assert!(parse_identity("ta::ws::proc").is_err());
        assert!(parse_claim("ta::ws::proc::x").is_err());
        assert_eq!(
            parse_identity("wfe::x").unwrap().canonical.as_deref(),
            Some("wfe::shard0")
        );
        assert!(parse_identity("orc::a::b::c").is_err());
        assert_eq!(
            parse_identity("tu::w::i::s").unwrap().principal_type,
            PrincipalType::Task
        );
    }
}
