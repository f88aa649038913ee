//! Topics (SEMANTICS-messaging §2): the topic table (prefix → target workspace, delivery) and
//! `validate_topic`, a full structural check (Warden choice).

use super::identity::SEPARATOR;
use super::segment;
use crate::error::{Error, ErrorCode, Result};

/// The longest topic, in bytes (configurable limits live in [`super::limits`]).
pub const MAX_TOPIC_BYTES: usize = 256;

/// How a topic is delivered (§2.1, §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// Stored in an inbox, at-least-once, redelivered until acknowledged.
    Durable,
    /// Handed only to the recipients connected at acceptance.
    Live,
}

impl Delivery {
    /// `durable` or `live`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Delivery::Durable => "durable",
            Delivery::Live => "live",
        }
    }
}

/// The kind of a topic: one per row of the table in §2.1 (`sv` and `pg` have two shapes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TopicKind {
    /// `ag::{ws}::{impl}::{spec}`
    Agent,
    /// `tu::{ws}::{impl}::{spec}`
    UniqueTask,
    /// `ta::{ws}::{impl}::{id}`
    PooledTask,
    /// `us::{user}::{window}`
    UserSession,
    /// `sv::{impl}::{spec}`
    Service,
    /// `sv::{impl}`: one connected instance, chosen at send time.
    ServiceAny,
    /// `br::{impl}::{spec}`
    Bridge,
    /// `event::{ws}` or `event::*`
    Event,
    /// `metric::{ws}` or `metric::*`
    Metric,
    /// `tb::{ws}::{impl}`
    TaskBroadcast,
    /// `ga::{ws}`
    AgentBroadcast,
    /// `gu::{ws}`
    UserBroadcast,
    /// `uw::{user}::{ws}`
    UserWorkspace,
    /// `uu::{user}`
    UserAllWindows,
    /// `pg::{ws}`
    PageWorkspace,
    /// `pg::us::{user}`
    PageUser,
    /// `tk::{ws}::{task_id}::events` or `::msg`
    TaskLane,
}

impl TopicKind {
    /// The topic's prefix (its first part).
    pub const fn prefix(self) -> &'static str {
        match self {
            TopicKind::Agent => "ag",
            TopicKind::UniqueTask => "tu",
            TopicKind::PooledTask => "ta",
            TopicKind::UserSession => "us",
            TopicKind::Service | TopicKind::ServiceAny => "sv",
            TopicKind::Bridge => "br",
            TopicKind::Event => "event",
            TopicKind::Metric => "metric",
            TopicKind::TaskBroadcast => "tb",
            TopicKind::AgentBroadcast => "ga",
            TopicKind::UserBroadcast => "gu",
            TopicKind::UserWorkspace => "uw",
            TopicKind::UserAllWindows => "uu",
            TopicKind::PageWorkspace | TopicKind::PageUser => "pg",
            TopicKind::TaskLane => "tk",
        }
    }

    /// The delivery of this kind (§2.1).
    pub const fn delivery(self) -> Delivery {
        match self {
            TopicKind::Agent
            | TopicKind::UniqueTask
            | TopicKind::PooledTask
            | TopicKind::UserSession
            | TopicKind::Service
            | TopicKind::ServiceAny
            | TopicKind::Bridge
            | TopicKind::Event
            | TopicKind::Metric => Delivery::Durable,
            _ => Delivery::Live,
        }
    }
}

/// The target workspace of a topic (§2.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TopicWorkspace {
    /// The topic names no workspace.
    None,
    /// `event::*` / `metric::*`: the sender's home workspace, resolved at send time (§4.2).
    SenderHome,
    /// A named workspace.
    Named(String),
}

/// The lane of a `tk` topic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskLane {
    /// `tk::{ws}::{task}::events`
    Events,
    /// `tk::{ws}::{task}::msg`
    Msg,
}

/// A validated topic (§2.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Topic {
    /// The topic text, unchanged.
    pub topic: String,
    /// Its row in the table.
    pub kind: TopicKind,
    /// Its target workspace.
    pub workspace: TopicWorkspace,
    /// `{impl}` of `sv`, `tb`, `ag`, `tu`, `ta`, `br` topics.
    pub implementation: Option<String>,
    /// `{user}` of `us`, `uw`, `uu`, `pg::us` topics.
    pub user_id: Option<String>,
    /// `{task_id}` and lane of `tk` topics.
    pub task: Option<(String, TaskLane)>,
}

impl Topic {
    /// The delivery of this topic.
    pub fn delivery(&self) -> Delivery {
        self.kind.delivery()
    }

    /// True for `sv::{impl}` (ANY).
    pub fn service_any(&self) -> bool {
        self.kind == TopicKind::ServiceAny
    }

    /// The named target workspace, if any (`None` also for `*`).
    pub fn named_workspace(&self) -> Option<&str> {
        match &self.workspace {
            TopicWorkspace::Named(w) => Some(w),
            _ => None,
        }
    }
}

fn invalid(topic: &str, why: &str) -> Error {
    let shown: String = topic.chars().take(64).collect();
    Error::new(
        ErrorCode::InvalidTopic,
        format!("invalid topic {shown:?}: {why}"),
    )
}

/// Validates `topic` against §2.2 and classifies it; `INVALID_TOPIC` for anything else.
pub fn validate_topic(topic: &str) -> Result<Topic> {
    validate_topic_with_limit(topic, MAX_TOPIC_BYTES)
}

/// [`validate_topic`] with a configured topic length limit (§5.3).
pub fn validate_topic_with_limit(topic: &str, max_bytes: usize) -> Result<Topic> {
    if topic.is_empty() || topic.len() > max_bytes {
        return Err(invalid(topic, "length out of range"));
    }
    let parts: Vec<&str> = topic.split(SEPARATOR).collect();
    let seg = |i: usize| -> Result<String> {
        let p = parts.get(i).copied().unwrap_or_default();
        segment::check(p.as_bytes(), ErrorCode::InvalidTopic, "topic part")?;
        Ok(p.to_string())
    };
    let n = parts.len();
    let shape = |ok: bool| {
        if ok {
            Ok(())
        } else {
            Err(invalid(topic, "wrong part count or literal for its prefix"))
        }
    };
    let mut t = Topic {
        topic: topic.to_string(),
        kind: TopicKind::Agent,
        workspace: TopicWorkspace::None,
        implementation: None,
        user_id: None,
        task: None,
    };
    match parts[0] {
        p @ ("ag" | "tu" | "ta") => {
            shape(n == 4)?;
            t.kind = match p {
                "ag" => TopicKind::Agent,
                "tu" => TopicKind::UniqueTask,
                _ => TopicKind::PooledTask,
            };
            t.workspace = TopicWorkspace::Named(seg(1)?);
            t.implementation = Some(seg(2)?);
            seg(3)?;
        }
        "us" => {
            shape(n == 3)?;
            t.kind = TopicKind::UserSession;
            t.user_id = Some(seg(1)?);
            seg(2)?;
        }
        "sv" => {
            shape(n == 2 || n == 3)?;
            t.implementation = Some(seg(1)?);
            if n == 3 {
                t.kind = TopicKind::Service;
                seg(2)?;
            } else {
                t.kind = TopicKind::ServiceAny;
            }
        }
        "br" => {
            shape(n == 3)?;
            t.kind = TopicKind::Bridge;
            t.implementation = Some(seg(1)?);
            seg(2)?;
        }
        p @ ("event" | "metric") => {
            shape(n == 2)?;
            t.kind = if p == "event" {
                TopicKind::Event
            } else {
                TopicKind::Metric
            };
            t.workspace = if parts[1] == "*" {
                TopicWorkspace::SenderHome
            } else {
                TopicWorkspace::Named(seg(1)?)
            };
        }
        "tb" => {
            shape(n == 3)?;
            t.kind = TopicKind::TaskBroadcast;
            t.workspace = TopicWorkspace::Named(seg(1)?);
            t.implementation = Some(seg(2)?);
        }
        p @ ("ga" | "gu") => {
            shape(n == 2)?;
            t.kind = if p == "ga" {
                TopicKind::AgentBroadcast
            } else {
                TopicKind::UserBroadcast
            };
            t.workspace = TopicWorkspace::Named(seg(1)?);
        }
        "uw" => {
            shape(n == 3)?;
            t.kind = TopicKind::UserWorkspace;
            t.user_id = Some(seg(1)?);
            t.workspace = TopicWorkspace::Named(seg(2)?);
        }
        "uu" => {
            shape(n == 2)?;
            t.kind = TopicKind::UserAllWindows;
            t.user_id = Some(seg(1)?);
        }
        "pg" => {
            shape(n == 2 || (n == 3 && parts[1] == "us"))?;
            if n == 2 {
                t.kind = TopicKind::PageWorkspace;
                t.workspace = TopicWorkspace::Named(seg(1)?);
            } else {
                t.kind = TopicKind::PageUser;
                t.user_id = Some(seg(2)?);
            }
        }
        "tk" => {
            let lane = match parts.get(3).copied() {
                Some("events") => TaskLane::Events,
                Some("msg") => TaskLane::Msg,
                _ => return Err(invalid(topic, "a task topic ends in ::events or ::msg")),
            };
            shape(n == 4)?;
            t.kind = TopicKind::TaskLane;
            t.workspace = TopicWorkspace::Named(seg(1)?);
            t.task = Some((seg(2)?, lane));
        }
        _ => return Err(invalid(topic, "unknown topic prefix")),
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let t = validate_topic("pg::us::bob").unwrap();
        assert_eq!(t.kind, TopicKind::PageUser);
        assert_eq!(t.workspace, TopicWorkspace::None);
        assert_eq!(
            validate_topic("pg::us").unwrap().named_workspace(),
            Some("us")
        );
        assert!(validate_topic("tk::ws::t::msg::x").is_err());
        assert!(validate_topic("event::*::x").is_err());
        assert!(validate_topic("sv::*").is_err());
        assert!(validate_topic("").is_err());
    }
}
