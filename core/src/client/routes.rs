//! The gateway's REST routes (one table, used by the gateway to serve the engine and by the
//! `Remote` client to reach it, so the two cannot drift).

/// HTTP method of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET: arguments in the query string; idempotent (the client may retry it).
    Get,
    /// POST: arguments in a JSON body.
    Post,
}

/// Type of a query-string argument (query values are text on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryType {
    /// A string.
    Str,
    /// An integer.
    Int,
}

/// One engine operation as a REST route.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// The engine operation (`Engine::call`).
    pub op: &'static str,
    /// The method.
    pub method: Method,
    /// The path template; `{name}` segments are arguments.
    pub path: &'static str,
    /// Query arguments of a GET route.
    pub query: &'static [(&'static str, QueryType)],
    /// OpenAPI tag.
    pub tag: &'static str,
    /// One-line summary (OpenAPI).
    pub summary: &'static str,
}

use Method::*;
use QueryType::*;

macro_rules! r {
    ($op:literal, $m:ident, $p:literal, [$(($q:literal, $t:ident)),*], $tag:literal, $s:literal) => {
        Route { op: $op, method: $m, path: $p, query: &[$(($q, $t)),*], tag: $tag, summary: $s }
    };
}

/// Every route. Test-only routes (`test_*`) are served only by a gateway started in test mode.
pub const ROUTES: &[Route] = &[
    r!(
        "create_agent",
        Post,
        "/v1/agents",
        [],
        "agents",
        "Register an agent"
    ),
    r!(
        "list_agents",
        Get,
        "/v1/agents",
        [
            ("workspace", Str),
            ("status", Str),
            ("cursor", Str),
            ("limit", Int)
        ],
        "agents",
        "List agents"
    ),
    r!(
        "get_agent",
        Get,
        "/v1/agents/{agent_id}",
        [],
        "agents",
        "Get an agent"
    ),
    r!(
        "revoke_agent",
        Post,
        "/v1/agents/{agent_id}/revoke",
        [],
        "agents",
        "Revoke an agent (closes its sessions)"
    ),
    r!(
        "set_enforcement",
        Post,
        "/v1/agents/{agent_id}/enforcement",
        [],
        "agents",
        "Set strict or monitoring enforcement"
    ),
    r!(
        "issue_token",
        Post,
        "/v1/tokens",
        [],
        "tokens",
        "Issue an agent token"
    ),
    r!(
        "introspect_token",
        Post,
        "/v1/tokens/introspect",
        [],
        "tokens",
        "Introspect a token"
    ),
    r!(
        "revoke_token",
        Post,
        "/v1/tokens/revoke",
        [],
        "tokens",
        "Revoke a token"
    ),
    r!(
        "init_session",
        Post,
        "/v1/sessions",
        [],
        "sessions",
        "Open a session"
    ),
    r!(
        "init_token_session",
        Post,
        "/v1/sessions/token",
        [],
        "sessions",
        "Open a session from an agent token"
    ),
    r!(
        "init_delegation_session",
        Post,
        "/v1/sessions/delegation",
        [],
        "sessions",
        "Open a session from a delegation"
    ),
    r!(
        "get_session",
        Get,
        "/v1/sessions/{session_id}",
        [],
        "sessions",
        "Get a session with its counters"
    ),
    r!(
        "close_session",
        Post,
        "/v1/sessions/{session_id}/close",
        [],
        "sessions",
        "Close a session"
    ),
    r!(
        "check",
        Post,
        "/v1/actions/check",
        [],
        "actions",
        "Decide whether an agent may run a tool call"
    ),
    r!(
        "set_policy",
        Post,
        "/v1/policies",
        [],
        "policies",
        "Replace a workspace's policy rules"
    ),
    r!(
        "get_policy",
        Get,
        "/v1/policies",
        [("workspace", Str)],
        "policies",
        "Get a workspace's policy"
    ),
    r!(
        "list_approvals",
        Get,
        "/v1/approvals",
        [
            ("status", Str),
            ("workspace", Str),
            ("agent_id", Str),
            ("cursor", Str),
            ("limit", Int)
        ],
        "approvals",
        "List approvals"
    ),
    r!(
        "get_approval",
        Get,
        "/v1/approvals/{approval_id}",
        [],
        "approvals",
        "Get an approval"
    ),
    r!(
        "wait_for_decision",
        Get,
        "/v1/approvals/{approval_id}/wait",
        [("timeout_seconds", Int)],
        "approvals",
        "Long-poll until an approval is decided or expires"
    ),
    r!(
        "approve",
        Post,
        "/v1/approvals/{approval_id}/approve",
        [],
        "approvals",
        "Approve (opens the elevation window)"
    ),
    r!(
        "deny",
        Post,
        "/v1/approvals/{approval_id}/deny",
        [],
        "approvals",
        "Deny"
    ),
    r!(
        "create_delegation",
        Post,
        "/v1/delegations",
        [],
        "delegations",
        "Delegate a narrowed authority"
    ),
    r!(
        "list_delegations",
        Get,
        "/v1/delegations",
        [
            ("workspace", Str),
            ("agent_id", Str),
            ("cursor", Str),
            ("limit", Int)
        ],
        "delegations",
        "List delegations"
    ),
    r!(
        "get_delegation",
        Get,
        "/v1/delegations/{delegation_id}",
        [],
        "delegations",
        "Get a delegation"
    ),
    r!(
        "revoke_delegation",
        Post,
        "/v1/delegations/{delegation_id}/revoke",
        [],
        "delegations",
        "Revoke a delegation and its descendants"
    ),
    r!(
        "delegation_token",
        Post,
        "/v1/delegations/{delegation_id}/token",
        [],
        "delegations",
        "Issue an RFC 8693 act-chain token"
    ),
    r!(
        "record_telemetry",
        Post,
        "/v1/telemetry",
        [],
        "telemetry",
        "Record telemetry events"
    ),
    r!(
        "query_audit",
        Get,
        "/v1/audit",
        [
            ("workspace", Str),
            ("agent_id", Str),
            ("session_id", Str),
            ("kind", Str),
            ("since", Int),
            ("cursor", Str),
            ("limit", Int)
        ],
        "audit",
        "Query the audit log"
    ),
    r!(
        "verify_chain",
        Get,
        "/v1/audit/verify",
        [("workspace", Str)],
        "audit",
        "Verify the audit hash chain"
    ),
    r!(
        "export_audit",
        Get,
        "/v1/audit/export",
        [("workspace", Str), ("since_seq", Int)],
        "audit",
        "Export the audit log (JSON lines)"
    ),
    r!(
        "jwks",
        Get,
        "/.well-known/jwks.json",
        [],
        "tokens",
        "Public keys of the engine's signing key"
    ),
    r!(
        "test_reset",
        Post,
        "/v1/test/reset",
        [],
        "test",
        "Test mode only: fresh engine (seed 7, manual clock)"
    ),
    r!(
        "test_advance",
        Post,
        "/v1/test/advance",
        [],
        "test",
        "Test mode only: advance the manual clock"
    ),
];

/// The route of an operation.
pub fn route(op: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.op == op)
}

/// The names of a path template's `{param}` segments.
pub fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}
