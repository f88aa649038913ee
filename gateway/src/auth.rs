//! API keys (stored hashed, scoped to a workspace — or `*` for the bootstrap admin — and a role)
//! and the role → operation table.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use warden_core::json::Json;
use warden_core::{Error, ErrorCode, Result};

/// A role of an API key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Admin,
    /// Approve/deny and read approvals, agents and audit.
    Approver,
    /// Manage agents, tokens, sessions, delegations; check; read.
    AgentOperator,
    /// What an agent does for itself: sessions, check, telemetry, wait for its approvals.
    Agent,
}

impl Role {
    /// Parses `admin|approver|agent-operator|agent`.
    pub fn parse(s: &str) -> Result<Role> {
        Ok(match s {
            "admin" => Role::Admin,
            "approver" => Role::Approver,
            "agent-operator" => Role::AgentOperator,
            "agent" => Role::Agent,
            _ => {
                return Err(Error::validation(
                    "role must be admin, approver, agent-operator or agent",
                ))
            }
        })
    }
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Approver => "approver",
            Role::AgentOperator => "agent-operator",
            Role::Agent => "agent",
        }
    }
    /// May this role run `op`?
    pub fn allows(self, op: &str) -> bool {
        const READ: &[&str] = &[
            "get_agent",
            "list_agents",
            "get_session",
            "get_policy",
            "get_approval",
            "list_approvals",
            "wait_for_decision",
            "get_delegation",
            "list_delegations",
            "query_audit",
            "verify_chain",
            "export_audit",
            "jwks",
            "introspect_token",
        ];
        const AGENT: &[&str] = &[
            "init_session",
            "init_token_session",
            "init_delegation_session",
            "get_session",
            "close_session",
            "check",
            "record_telemetry",
            "get_approval",
            "wait_for_decision",
            "introspect_token",
            "jwks",
            "get_agent",
        ];
        match self {
            Role::Admin => true,
            Role::Approver => READ.contains(&op) || op == "approve" || op == "deny",
            Role::AgentOperator => {
                READ.contains(&op) || !matches!(op, "approve" | "deny" | "set_policy" | "keys")
            }
            Role::Agent => AGENT.contains(&op),
        }
    }
}

/// One API key (the secret itself is never stored).
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub key_id: String,
    pub hash: String,
    pub workspace: String,
    pub role: Role,
    pub name: String,
    pub created_at: i64,
    pub revoked: bool,
}

impl ApiKey {
    pub fn to_json(&self, with_hash: bool) -> Json {
        let mut m = vec![
            ("key_id".to_string(), Json::from(self.key_id.as_str())),
            ("workspace".into(), self.workspace.as_str().into()),
            ("role".into(), self.role.as_str().into()),
            ("name".into(), self.name.as_str().into()),
            ("created_at".into(), Json::Int(self.created_at)),
            ("revoked".into(), Json::Bool(self.revoked)),
        ];
        if with_hash {
            m.push(("hash".into(), self.hash.as_str().into()));
        }
        Json::Obj(m)
    }

    pub fn from_json(v: &Json) -> Option<ApiKey> {
        let s = |k: &str| v.get(k).and_then(Json::as_str).map(str::to_string);
        Some(ApiKey {
            key_id: s("key_id")?,
            hash: s("hash")?,
            workspace: s("workspace")?,
            role: Role::parse(&s("role")?).ok()?,
            name: s("name").unwrap_or_default(),
            created_at: v.get("created_at").and_then(Json::as_i64).unwrap_or(0),
            revoked: v.get("revoked").and_then(Json::as_bool).unwrap_or(false),
        })
    }
}

/// SHA-256 hex of a key.
pub fn hash_key(secret: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let d = Sha256::digest(secret.as_bytes());
    let mut s = String::with_capacity(64);
    for b in d {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// A fresh secret: `wk_` + 32 random bytes base64url, and its public id.
pub fn new_secret() -> Result<(String, String)> {
    use base64::Engine as _;
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).map_err(|_| Error::internal("no OS randomness"))?;
    let secret = format!(
        "wk_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    );
    let id = format!("key_{}", &hash_key(&secret)[..16]);
    Ok((secret, id))
}

/// The key table (in memory; persisted as one metadata value).
#[derive(Default)]
pub struct Keys {
    pub by_hash: HashMap<String, ApiKey>,
}

impl Keys {
    pub fn from_meta(text: Option<String>) -> Keys {
        let mut k = Keys::default();
        if let Some(t) = text {
            if let Ok(Json::Arr(items)) = Json::parse(&t) {
                for it in items.iter().filter_map(ApiKey::from_json) {
                    k.by_hash.insert(it.hash.clone(), it);
                }
            }
        }
        k
    }
    pub fn to_meta(&self) -> String {
        let mut v: Vec<&ApiKey> = self.by_hash.values().collect();
        v.sort_by(|a, b| (a.created_at, &a.key_id).cmp(&(b.created_at, &b.key_id)));
        Json::Arr(v.into_iter().map(|k| k.to_json(true)).collect()).to_compact()
    }
}

/// Who is calling.
#[derive(Clone, Debug)]
pub enum Principal {
    Key {
        key_id: String,
        workspace: String,
        role: Role,
    },
    Agent {
        agent_id: String,
        workspace: String,
    },
}

impl Principal {
    pub fn role(&self) -> Role {
        match self {
            Principal::Key { role, .. } => *role,
            Principal::Agent { .. } => Role::Agent,
        }
    }
    /// `None` = every workspace (the bootstrap admin).
    pub fn workspace(&self) -> Option<&str> {
        let w = match self {
            Principal::Key { workspace, .. } | Principal::Agent { workspace, .. } => workspace,
        };
        (w != "*").then_some(w.as_str())
    }
    pub fn label(&self) -> String {
        match self {
            Principal::Key { key_id, .. } => key_id.clone(),
            Principal::Agent { agent_id, .. } => agent_id.clone(),
        }
    }
}

pub fn auth_failed(reason: &'static str, msg: &str) -> Error {
    Error::with_reason(ErrorCode::AuthFailed, reason, msg)
}
