//! The gateway's send pipeline (SEMANTICS-messaging §5.2), steps 1–3 and 5–10, as pure
//! functions. Step 4 (the per-connection rate limit) is [`super::send_rate::SendRateLimiter`],
//! which the gateway applies between [`check_send_frame`] and [`authorize_send`]; steps 11–12
//! (de-duplication, id assignment, storage) belong to the gateway's stores.
//! The client core runs [`client_precheck`] (steps 1–3 and 8's shape check) before transmitting.

use super::envelope::{validate_headers, MessageType, MessagingLimits};
use super::grants::{has_grant, type_gate, user_has_grant, workspace_allowed, Grant, Right};
use super::identity::{parse_identity, Identity, PrincipalType};
use super::metric::parse_metric_payload;
use super::segment;
use super::topic::{
    validate_topic_with_limit, Delivery, TaskLane, Topic, TopicKind, TopicWorkspace,
};
use crate::error::{Error, ErrorCode, Result};

/// A send frame's arguments (§13 `send`), as the gateway receives them.
#[derive(Clone, Debug, Default)]
pub struct SendRequest<'a> {
    /// The target topic.
    pub target: &'a str,
    /// The message type name; `None` = `OPAQUE`.
    pub message_type: Option<&'a str>,
    /// The payload.
    pub payload: &'a [u8],
    /// Headers, in order.
    pub headers: &'a [(String, String)],
    /// A user id, for a service sending on a user's behalf (§4.3).
    pub on_behalf_of: Option<&'a str>,
}

/// What the gateway knows about the sender's connection and the world at send time.
#[derive(Clone, Debug)]
pub struct SendContext<'a> {
    /// The sender's canonical identity (the authenticated connection).
    pub sender: &'a Identity,
    /// The sender's credential has `allow_on_behalf_of` (services only, §4.3).
    pub allow_on_behalf_of: bool,
    /// Grants in force.
    pub grants: &'a [Grant],
    /// Canonical identities of connected services (for `sv::{impl}` ANY).
    pub connected_services: &'a [String],
    /// `(task_id, parties)`: creator and assignee identities of known tasks (`tk::…::msg`).
    pub task_parties: &'a [(String, Vec<String>)],
    /// A uniform value in `[0, 1)` choosing among ANY candidates (index `floor(r·n)`).
    pub service_choice: f64,
    /// Configured limits.
    pub limits: MessagingLimits,
}

impl<'a> SendContext<'a> {
    /// A context for `sender` with no grants, no connected services, no tasks, default limits.
    pub fn new(sender: &'a Identity) -> SendContext<'a> {
        SendContext {
            sender,
            allow_on_behalf_of: false,
            grants: &[],
            connected_services: &[],
            task_parties: &[],
            service_choice: 0.0,
            limits: MessagingLimits::default(),
        }
    }
}

/// A frame that passed steps 1–3.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedSend {
    /// The validated target.
    pub topic: Topic,
    /// The message type.
    pub message_type: MessageType,
}

/// The accepted send: what the envelope (§5.1) will carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendOutcome {
    /// The topic after `*` and `sv` ANY resolution.
    pub resolved_target: String,
    /// Target workspace, else the sender's home workspace, else `None`.
    pub workspace: Option<String>,
    /// Durable or live.
    pub delivery: Delivery,
}

/// Steps 1–3: topic, payload size, message type and headers.
pub fn check_send_frame(req: &SendRequest<'_>, limits: &MessagingLimits) -> Result<CheckedSend> {
    let topic = validate_topic_with_limit(req.target, limits.max_topic_bytes)?;
    if req.payload.len() > limits.max_payload_bytes {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            format!("payload exceeds {} bytes", limits.max_payload_bytes),
        ));
    }
    let message_type = MessageType::parse(req.message_type.unwrap_or("OPAQUE"))?;
    validate_headers(req.headers, limits)?;
    Ok(CheckedSend {
        topic,
        message_type,
    })
}

/// What the client core checks before transmitting: steps 1–3 and the METRIC shape (step 8).
pub fn client_precheck(req: &SendRequest<'_>, limits: &MessagingLimits) -> Result<CheckedSend> {
    let checked = check_send_frame(req, limits)?;
    if checked.message_type == MessageType::Metric {
        parse_metric_payload(req.payload)?;
    }
    Ok(checked)
}

fn denied(reason: &'static str, message: &str) -> Error {
    Error::with_reason(ErrorCode::PermissionDenied, reason, message.to_string())
}

/// Steps 5–10 for a frame that passed steps 1–3 (and the rate limit).
pub fn authorize_send(
    req: &SendRequest<'_>,
    checked: &CheckedSend,
    ctx: &SendContext<'_>,
) -> Result<SendOutcome> {
    let sender = ctx.sender;
    if sender.canonical.is_none() {
        return Err(Error::internal(
            "send from a connection without a canonical identity",
        ));
    }
    let topic = &checked.topic;
    // 5. Layer 1.
    type_gate(sender.principal_type, topic.kind)?;
    // 6. on_behalf_of.
    if let Some(user) = req.on_behalf_of {
        if sender.principal_type != PrincipalType::Service || !ctx.allow_on_behalf_of {
            return Err(denied(
                "on_behalf_of",
                "only a service whose credential allows it may send on behalf of a user",
            ));
        }
        segment::check(user.as_bytes(), ErrorCode::ValidationError, "on_behalf_of")?;
    }
    // 7. Resolve `*`.
    let home = sender.home_workspace();
    let (resolved, target_ws) = match &topic.workspace {
        TopicWorkspace::SenderHome => {
            let ws = home.ok_or_else(|| {
                Error::with_reason(
                    ErrorCode::ValidationError,
                    "no_home_workspace",
                    "event::* and metric::* need a sender with a home workspace",
                )
            })?;
            (
                format!("{}::{ws}", topic.kind.prefix()),
                Some(ws.to_string()),
            )
        }
        TopicWorkspace::Named(ws) => (topic.topic.clone(), Some(ws.clone())),
        TopicWorkspace::None => (topic.topic.clone(), None),
    };
    let workspace = target_ws.clone().or_else(|| home.map(str::to_string));
    // 8. METRIC payloads, on any topic.
    if checked.message_type == MessageType::Metric {
        let metric = parse_metric_payload(req.payload)?;
        if metric.has_negative_qty() {
            let ws = workspace.as_deref();
            let ok = match req.on_behalf_of {
                Some(user) => user_has_grant(ctx.grants, user, ws, Right::MetricCredit),
                None => has_grant(ctx.grants, sender, ws, Right::MetricCredit),
            };
            if !ok {
                return Err(denied(
                    "metric_credit",
                    "a negative qty needs a metric_credit grant on the message's workspace",
                ));
            }
        }
    }
    // 9. Layer 2.
    let ws = target_ws.as_deref();
    let allowed = match req.on_behalf_of {
        Some(user) => ws.is_none() || user_has_grant(ctx.grants, user, ws, Right::Messaging),
        None => {
            workspace_allowed(ctx.grants, sender, ws, Right::Messaging)
                || is_task_party(topic, sender, ctx.task_parties)
        }
    };
    if !allowed {
        return Err(denied(
            "workspace",
            "the sender may not send to this workspace",
        ));
    }
    // 10. sv ANY.
    let resolved = if topic.kind == TopicKind::ServiceAny {
        pick_service(topic, ctx)?
    } else {
        resolved
    };
    Ok(SendOutcome {
        resolved_target: resolved,
        workspace,
        delivery: topic.delivery(),
    })
}

/// Steps 1–3 and 5–10 in order, first failure wins.
pub fn send_check(req: &SendRequest<'_>, ctx: &SendContext<'_>) -> Result<SendOutcome> {
    let checked = check_send_frame(req, &ctx.limits)?;
    authorize_send(req, &checked, ctx)
}

fn is_task_party(topic: &Topic, sender: &Identity, parties: &[(String, Vec<String>)]) -> bool {
    let Some((task_id, TaskLane::Msg)) = &topic.task else {
        return false;
    };
    let me = sender.canonical.as_deref().unwrap_or_default();
    parties
        .iter()
        .any(|(t, ps)| t == task_id && ps.iter().any(|p| p == me))
}

fn pick_service(topic: &Topic, ctx: &SendContext<'_>) -> Result<String> {
    let implementation = topic.implementation.as_deref().unwrap_or_default();
    let candidates: Vec<&String> = ctx
        .connected_services
        .iter()
        .filter(|s| {
            parse_identity(s).is_ok_and(|id| {
                id.principal_type == PrincipalType::Service
                    && id.implementation.as_deref() == Some(implementation)
            })
        })
        .collect();
    if candidates.is_empty() {
        return Err(Error::with_reason(
            ErrorCode::NotFound,
            "no_service_instance",
            format!("no connected instance of service {implementation:?}"),
        ));
    }
    let r = ctx.service_choice;
    let r = if r.is_finite() {
        r.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let i = ((r * candidates.len() as f64) as usize).min(candidates.len() - 1);
    Ok(candidates[i].clone())
}
