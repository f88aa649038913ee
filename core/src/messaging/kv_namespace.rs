//! KV scopes and namespaces (SEMANTICS-messaging §10): who may use KV, which stored namespace a
//! `(caller, scope, workspace, user_id)` resolves to, and the key and value rules.
//! Check order: caller type, scope, workspace, user, pooled, layer 2, key, value.

use super::grants::{workspace_allowed, Grant, Right};
use super::identity::{Identity, PrincipalType};
use super::segment;
use crate::error::{Error, ErrorCode, Result};

/// Longest KV key in bytes.
pub const MAX_KV_KEY_BYTES: usize = 256;
/// Largest KV value in bytes (1 MiB).
pub const MAX_KV_VALUE_BYTES: usize = 1024 * 1024;

/// The KV scopes of §10.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KvScope {
    /// `kv:global`, shared by every KV caller.
    Global,
    /// `kv:ws:{W}`, shared by callers allowed on `W`.
    Workspace,
    /// `kv:own:{P}:user:{U}`, caller-private.
    User,
    /// `kv:own:{P}:user:{U}:ws:{W}`, caller-private.
    UserWorkspace,
    /// `kv:own:{P}:global`, caller-private.
    GlobalExclusive,
    /// `kv:own:{P}:ws:{W}`, caller-private.
    WorkspaceExclusive,
}

impl KvScope {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            KvScope::Global => "global",
            KvScope::Workspace => "workspace",
            KvScope::User => "user",
            KvScope::UserWorkspace => "user-workspace",
            KvScope::GlobalExclusive => "global-exclusive",
            KvScope::WorkspaceExclusive => "workspace-exclusive",
        }
    }

    /// Parses the wire name; `VALIDATION_ERROR` / `invalid_scope` otherwise.
    pub fn parse(s: &str) -> Result<KvScope> {
        [
            KvScope::Global,
            KvScope::Workspace,
            KvScope::User,
            KvScope::UserWorkspace,
            KvScope::GlobalExclusive,
            KvScope::WorkspaceExclusive,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| {
            Error::with_reason(
                ErrorCode::ValidationError,
                "invalid_scope",
                format!("unknown KV scope {s:?}"),
            )
        })
    }

    fn needs_workspace(self) -> bool {
        matches!(
            self,
            KvScope::Workspace | KvScope::UserWorkspace | KvScope::WorkspaceExclusive
        )
    }

    fn needs_user(self) -> bool {
        matches!(self, KvScope::User | KvScope::UserWorkspace)
    }

    /// True for the four caller-private scopes.
    pub fn is_private(self) -> bool {
        !matches!(self, KvScope::Global | KvScope::Workspace)
    }
}

/// A resolved KV namespace; stored keys are `{namespace}:{key}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KvNamespace {
    /// E.g. `kv:ws:ws1` or `kv:own:ag|ws1|billing|v1:global`.
    pub namespace: String,
}

impl KvNamespace {
    /// The stored key of `key` after checking it ([`validate_kv_key`]).
    pub fn full_key(&self, key: &str) -> Result<String> {
        validate_kv_key(key)?;
        Ok(self.join(key))
    }

    /// `{namespace}:{key}` without checks (prefixes of listings).
    pub fn join(&self, key: &str) -> String {
        let mut out = String::with_capacity(self.namespace.len() + 1 + key.len());
        out.push_str(&self.namespace);
        out.push(':');
        out.push_str(key);
        out
    }
}

/// `VALIDATION_ERROR` unless `key` is 1–256 bytes without C0 controls or DEL.
pub fn validate_kv_key(key: &str) -> Result<()> {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > MAX_KV_KEY_BYTES || b.iter().any(|&c| c < 0x20 || c == 0x7f) {
        return Err(Error::with_reason(
            ErrorCode::ValidationError,
            "invalid_key",
            "KV keys are 1-256 bytes of UTF-8 without control characters",
        ));
    }
    Ok(())
}

/// `PAYLOAD_TOO_LARGE` for a value over 1 MiB (empty is a value).
pub fn validate_kv_value(value: &[u8]) -> Result<()> {
    if value.len() > MAX_KV_VALUE_BYTES {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            "KV values are at most 1 MiB",
        ));
    }
    Ok(())
}

/// The private-namespace principal `P`: the canonical identity with `::` replaced by `|`.
pub fn kv_principal(caller: &Identity) -> String {
    caller
        .canonical
        .as_deref()
        .unwrap_or_default()
        .replace("::", "|")
}

/// Resolves the namespace of a KV call (§10). `workspace` defaults to the caller's home
/// workspace; `grants` decide layer 2 for the `workspace` scope (right `kv`).
pub fn kv_namespace(
    caller: &Identity,
    scope: &str,
    workspace: Option<&str>,
    user_id: Option<&str>,
    grants: &[Grant],
) -> Result<KvNamespace> {
    if matches!(
        caller.principal_type,
        PrincipalType::User | PrincipalType::Orchestrator | PrincipalType::Bridge
    ) || caller.canonical.is_none()
    {
        return Err(Error::with_reason(
            ErrorCode::AuthDenied,
            "kv_not_allowed",
            format!("{} principals may not use KV", caller.principal_type),
        ));
    }
    let scope = KvScope::parse(scope)?;
    let missing = |what: &str| {
        Error::with_reason(
            ErrorCode::ValidationError,
            "missing_argument",
            format!("scope {} needs {what}", scope.as_str()),
        )
    };
    let ws = if scope.needs_workspace() {
        let w = workspace
            .or(caller.home_workspace())
            .ok_or_else(|| missing("a workspace"))?;
        segment::check(w.as_bytes(), ErrorCode::ValidationError, "workspace")?;
        w
    } else {
        ""
    };
    let user = if scope.needs_user() {
        let u = user_id.ok_or_else(|| missing("a user_id"))?;
        segment::check(u.as_bytes(), ErrorCode::ValidationError, "user_id")?;
        u
    } else {
        ""
    };
    if scope.is_private() && caller.pooled {
        return Err(Error::with_reason(
            ErrorCode::ValidationError,
            "pooled_private_scope",
            "pooled tasks may not use caller-private KV scopes",
        ));
    }
    if scope == KvScope::Workspace && !workspace_allowed(grants, caller, Some(ws), Right::Kv) {
        return Err(Error::with_reason(
            ErrorCode::PermissionDenied,
            "workspace",
            "the caller may not use KV of this workspace",
        ));
    }
    let p = kv_principal(caller);
    let namespace = match scope {
        KvScope::Global => "kv:global".to_string(),
        KvScope::Workspace => format!("kv:ws:{ws}"),
        KvScope::User => format!("kv:own:{p}:user:{user}"),
        KvScope::UserWorkspace => format!("kv:own:{p}:user:{user}:ws:{ws}"),
        KvScope::GlobalExclusive => format!("kv:own:{p}:global"),
        KvScope::WorkspaceExclusive => format!("kv:own:{p}:ws:{ws}"),
    };
    Ok(KvNamespace { namespace })
}
