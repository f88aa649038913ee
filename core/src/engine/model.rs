//! Engine records (SEMANTICS-engine §2–§11) and their JSON forms (field names are the wire names).

use super::effect::Effect;
use crate::json::Json;

pub(crate) fn opt_str(v: &Option<String>) -> Json {
    v.as_ref()
        .map(|s| Json::Str(s.clone()))
        .unwrap_or(Json::Null)
}
pub(crate) fn opt_int(v: Option<i64>) -> Json {
    v.map(Json::Int).unwrap_or(Json::Null)
}
pub(crate) fn str_list(v: &[String]) -> Json {
    Json::Arr(v.iter().map(|s| Json::Str(s.clone())).collect())
}
pub(crate) fn pairs(v: &[(String, String)]) -> Json {
    Json::Obj(
        v.iter()
            .map(|(k, s)| (k.clone(), Json::Str(s.clone())))
            .collect(),
    )
}
pub(crate) fn obj(m: Vec<(&str, Json)>) -> Json {
    Json::Obj(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// An agent (§2).
#[derive(Clone, Debug)]
pub struct Agent {
    pub agent_id: String,
    pub name: String,
    pub workspace: String,
    pub framework: String,
    pub capabilities: Vec<String>,
    pub metadata: Vec<(String, String)>,
    pub rate: Vec<(String, String)>,
    pub enforcement: String,
    pub status: String,
    pub public_key: Option<String>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
}

impl Agent {
    /// Wire form.
    pub fn to_json(&self) -> Json {
        obj(vec![
            ("agent_id", self.agent_id.clone().into()),
            ("name", self.name.clone().into()),
            ("workspace", self.workspace.clone().into()),
            ("framework", self.framework.clone().into()),
            ("capabilities", str_list(&self.capabilities)),
            ("metadata", pairs(&self.metadata)),
            ("rate", pairs(&self.rate)),
            ("enforcement", self.enforcement.clone().into()),
            ("status", self.status.clone().into()),
            ("public_key", opt_str(&self.public_key)),
            ("created_at", Json::Int(self.created_at)),
            ("revoked_at", opt_int(self.revoked_at)),
            ("revoke_reason", opt_str(&self.revoke_reason)),
        ])
    }
    pub(crate) fn active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// A session (§4).
#[derive(Clone, Debug)]
pub struct Session {
    pub session_id: String,
    pub workspace: String,
    pub agent_id: String,
    pub server_id: String,
    pub mode: String,
    pub scope_ceiling: Option<std::sync::Arc<Vec<String>>>,
    pub delegation_id: Option<String>,
    pub source: String,
    pub token_jti: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub closed_at: Option<i64>,
    pub total_calls: i64,
    pub read_calls: i64,
    pub write_calls: i64,
    pub denied_calls: i64,
    pub elevated_calls: i64,
    /// The session token's `ati.rate` (source `token`).
    pub token_rate: std::sync::Arc<Vec<(String, String)>>,
}

impl Session {
    /// `closed` once closed or expired.
    pub fn status(&self, now: i64) -> &'static str {
        if self.closed_at.is_some() || now >= self.expires_at {
            "closed"
        } else {
            "open"
        }
    }
    /// Wire form at time `now` (status derived).
    pub fn to_json(&self, now: i64) -> Json {
        let closed_at = self.closed_at.or(if now >= self.expires_at {
            Some(self.expires_at)
        } else {
            None
        });
        obj(vec![
            ("session_id", self.session_id.clone().into()),
            ("workspace", self.workspace.clone().into()),
            ("agent_id", self.agent_id.clone().into()),
            ("server_id", self.server_id.clone().into()),
            ("mode", self.mode.clone().into()),
            (
                "scope_ceiling",
                self.scope_ceiling
                    .as_ref()
                    .map(|c| str_list(c))
                    .unwrap_or(Json::Null),
            ),
            ("delegation_id", opt_str(&self.delegation_id)),
            ("source", self.source.clone().into()),
            ("token_jti", opt_str(&self.token_jti)),
            ("status", self.status(now).into()),
            ("created_at", Json::Int(self.created_at)),
            ("expires_at", Json::Int(self.expires_at)),
            ("closed_at", opt_int(closed_at)),
            ("total_calls", Json::Int(self.total_calls)),
            ("read_calls", Json::Int(self.read_calls)),
            ("write_calls", Json::Int(self.write_calls)),
            ("denied_calls", Json::Int(self.denied_calls)),
            ("elevated_calls", Json::Int(self.elevated_calls)),
        ])
    }
}

/// A delegation (§11).
#[derive(Clone, Debug)]
pub struct Delegation {
    pub delegation_id: String,
    pub workspace: String,
    pub from_agent_id: String,
    pub to_agent_id: String,
    pub scopes: Vec<String>,
    pub effect_ceiling: Effect,
    pub rate: Vec<(String, String)>,
    pub parent_delegation_id: Option<String>,
    pub root_agent_id: String,
    pub depth: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
}

impl Delegation {
    /// Wire form.
    pub fn to_json(&self) -> Json {
        obj(vec![
            ("delegation_id", self.delegation_id.clone().into()),
            ("workspace", self.workspace.clone().into()),
            ("from_agent_id", self.from_agent_id.clone().into()),
            ("to_agent_id", self.to_agent_id.clone().into()),
            ("scopes", str_list(&self.scopes)),
            ("effect_ceiling", self.effect_ceiling.as_str().into()),
            ("rate", pairs(&self.rate)),
            ("parent_delegation_id", opt_str(&self.parent_delegation_id)),
            ("root_agent_id", self.root_agent_id.clone().into()),
            ("depth", Json::Int(self.depth)),
            ("created_at", Json::Int(self.created_at)),
            ("expires_at", Json::Int(self.expires_at)),
            ("revoked_at", opt_int(self.revoked_at)),
            ("revoke_reason", opt_str(&self.revoke_reason)),
        ])
    }
}

/// An approval (§10).
#[derive(Clone, Debug)]
pub struct Approval {
    pub approval_id: String,
    pub workspace: String,
    pub agent_id: String,
    pub session_id: String,
    pub tool: String,
    pub required_scope: String,
    pub effect: Effect,
    pub reason: String,
    pub rule_id: Option<String>,
    pub input_summary: String,
    pub check_id: String,
    pub status: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub note: Option<String>,
    pub window_expires_at: Option<i64>,
}

impl Approval {
    /// The derived status: a pending approval past `expires_at` reads `expired`.
    pub fn status(&self, now: i64) -> &str {
        if self.status == "pending" && now >= self.expires_at {
            "expired"
        } else {
            &self.status
        }
    }
    /// Wire form at time `now`.
    pub fn to_json(&self, now: i64) -> Json {
        obj(vec![
            ("approval_id", self.approval_id.clone().into()),
            ("workspace", self.workspace.clone().into()),
            ("agent_id", self.agent_id.clone().into()),
            ("session_id", self.session_id.clone().into()),
            ("tool", self.tool.clone().into()),
            ("required_scope", self.required_scope.clone().into()),
            ("effect", self.effect.as_str().into()),
            ("reason", self.reason.clone().into()),
            ("rule_id", opt_str(&self.rule_id)),
            ("input_summary", self.input_summary.clone().into()),
            ("check_id", self.check_id.clone().into()),
            ("status", self.status(now).into()),
            ("created_at", Json::Int(self.created_at)),
            ("expires_at", Json::Int(self.expires_at)),
            ("decided_by", opt_str(&self.decided_by)),
            ("decided_at", opt_int(self.decided_at)),
            ("note", opt_str(&self.note)),
            ("window_expires_at", opt_int(self.window_expires_at)),
        ])
    }
}

/// A policy rule (§7).
#[derive(Clone, Debug)]
pub struct Rule {
    pub rule_id: String,
    pub pattern: String,
    pub effects: Vec<Effect>,
    pub action: String,
    pub modes: Vec<String>,
}

impl Rule {
    /// Wire form.
    pub fn to_json(&self) -> Json {
        obj(vec![
            ("rule_id", self.rule_id.clone().into()),
            ("match", self.pattern.clone().into()),
            (
                "effects",
                Json::Arr(
                    self.effects
                        .iter()
                        .map(|e| Json::from(e.as_str()))
                        .collect(),
                ),
            ),
            ("action", self.action.clone().into()),
            ("modes", str_list(&self.modes)),
        ])
    }
}

/// A decision (§9).
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub check_id: String,
    pub allowed: bool,
    pub code: String,
    pub reason: String,
    pub enforced: bool,
    pub source: String,
    pub agent_id: String,
    pub session_id: String,
    pub tool: String,
    pub effect: Option<Effect>,
    pub required_scope: Option<String>,
    pub matched_pattern: Option<String>,
    pub rule_id: Option<String>,
    pub approval_id: Option<String>,
    pub retry_after_ms: Option<i64>,
    pub decided_at: i64,
}

impl Decision {
    /// Wire form.
    pub fn to_json(&self) -> Json {
        obj(vec![
            ("check_id", self.check_id.clone().into()),
            ("allowed", Json::Bool(self.allowed)),
            ("code", self.code.clone().into()),
            ("reason", self.reason.clone().into()),
            ("enforced", Json::Bool(self.enforced)),
            ("source", self.source.clone().into()),
            ("agent_id", self.agent_id.clone().into()),
            (
                "session_id",
                if self.session_id.is_empty() {
                    Json::Null
                } else {
                    self.session_id.clone().into()
                },
            ),
            ("tool", self.tool.clone().into()),
            (
                "effect",
                self.effect
                    .map(|e| Json::from(e.as_str()))
                    .unwrap_or(Json::Null),
            ),
            ("required_scope", opt_str(&self.required_scope)),
            ("matched_pattern", opt_str(&self.matched_pattern)),
            ("rule_id", opt_str(&self.rule_id)),
            ("approval_id", opt_str(&self.approval_id)),
            ("retry_after_ms", opt_int(self.retry_after_ms)),
            ("decided_at", Json::Int(self.decided_at)),
        ])
    }

    /// The typed error of a denial (its code, reason, and this decision attached) — what a guard
    /// raises for an enforced denial.
    pub fn to_error(&self) -> crate::error::Error {
        let code =
            crate::error::ErrorCode::parse(&self.code).unwrap_or(crate::error::ErrorCode::Internal);
        crate::error::Error::with_reason(
            code,
            self.reason.clone(),
            format!("{} denied: {}", self.tool, self.reason),
        )
        .with_decision(self.to_json())
    }

    /// True iff the caller may proceed (`allowed || !enforced`).
    pub fn proceed(&self) -> bool {
        self.allowed || !self.enforced
    }
}

/// A token the engine issued (§3).
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub token: String,
    pub jti: String,
    pub agent_id: String,
    pub scopes: Vec<String>,
    pub session_id: Option<String>,
    pub issued_at: i64,
    pub expires_at: i64,
}

impl IssuedToken {
    /// Wire form.
    pub fn to_json(&self) -> Json {
        obj(vec![
            ("token", self.token.clone().into()),
            ("jti", self.jti.clone().into()),
            ("agent_id", self.agent_id.clone().into()),
            ("scopes", str_list(&self.scopes)),
            ("session_id", opt_str(&self.session_id)),
            ("issued_at", Json::Int(self.issued_at)),
            ("expires_at", Json::Int(self.expires_at)),
        ])
    }
}

impl Decision {
    /// Parses the wire form (as returned by `check` through any backend).
    pub fn from_json(v: &Json) -> Option<Decision> {
        let s = |k: &str| v.get(k).and_then(Json::as_str).map(str::to_string);
        Some(Decision {
            check_id: s("check_id")?,
            allowed: v.get("allowed")?.as_bool()?,
            code: s("code")?,
            reason: s("reason")?,
            enforced: v.get("enforced")?.as_bool()?,
            source: s("source")?,
            agent_id: s("agent_id").unwrap_or_default(),
            session_id: s("session_id").unwrap_or_default(),
            tool: s("tool").unwrap_or_default(),
            effect: s("effect").and_then(|e| Effect::parse(&e).ok()),
            required_scope: s("required_scope"),
            matched_pattern: s("matched_pattern"),
            rule_id: s("rule_id"),
            approval_id: s("approval_id"),
            retry_after_ms: v.get("retry_after_ms").and_then(Json::as_i64),
            decided_at: v.get("decided_at").and_then(Json::as_i64).unwrap_or(0),
        })
    }
}
