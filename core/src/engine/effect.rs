//! Effects of actions (SEMANTICS-engine §1.3, §5): tool-name validation, `tool_words`,
//! `classify`, `resolve_effect`. One closed table in the core, so every SDK and the gateway agree.

use crate::error::{Error, ErrorCode, Result};
use std::fmt;

/// The effect of a call, totally ordered `read < mutating < destructive < admin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// Reads only.
    Read,
    /// Changes state.
    Mutating,
    /// Destroys state.
    Destructive,
    /// Changes permissions or the system.
    Admin,
}

impl Effect {
    /// Every effect in order.
    pub const ALL: [Effect; 4] = [
        Effect::Read,
        Effect::Mutating,
        Effect::Destructive,
        Effect::Admin,
    ];

    /// The wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Effect::Read => "read",
            Effect::Mutating => "mutating",
            Effect::Destructive => "destructive",
            Effect::Admin => "admin",
        }
    }

    /// Parses an exact lower-case effect; anything else → `VALIDATION_ERROR` / `invalid_effect`.
    pub fn parse(s: &str) -> Result<Effect> {
        match s {
            "read" => Ok(Effect::Read),
            "mutating" => Ok(Effect::Mutating),
            "destructive" => Ok(Effect::Destructive),
            "admin" => Ok(Effect::Admin),
            _ => Err(Error::with_reason(
                ErrorCode::ValidationError,
                "invalid_effect",
                "effect must be read, mutating, destructive or admin",
            )),
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Validates a tool name: `seg *( ":" seg )`, 1–128 bytes, each segment starting with a letter,
/// digit or `_` and continuing with letters, digits, `_`, `.`, `-`.
pub fn validate_tool(tool: &str) -> Result<()> {
    let b = tool.as_bytes();
    let bad = || {
        Error::with_reason(
            ErrorCode::ValidationError,
            "invalid_tool",
            "invalid tool name",
        )
    };
    if b.is_empty() || b.len() > 128 {
        return Err(bad());
    }
    let mut at_start = true;
    for &c in b {
        if at_start {
            if !(c.is_ascii_alphanumeric() || c == b'_') {
                return Err(bad());
            }
            at_start = false;
        } else if c == b':' {
            at_start = true;
        } else if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-') {
            return Err(bad());
        }
    }
    if at_start {
        return Err(bad());
    }
    Ok(())
}

/// Splits a tool name into lower-case words (§5): on every non-alphanumeric byte, then at
/// lower→Upper and UPPER→Upper-lower boundaries.
pub fn tool_words(tool: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in tool.split(|c: char| !c.is_ascii_alphanumeric()) {
        let b = piece.as_bytes();
        let mut start = 0;
        for i in 1..b.len() {
            let prev = b[i - 1];
            let cur = b[i];
            let boundary = ((prev.is_ascii_lowercase() || prev.is_ascii_digit())
                && cur.is_ascii_uppercase())
                || (prev.is_ascii_uppercase()
                    && cur.is_ascii_uppercase()
                    && b.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
            if boundary {
                out.push(piece[start..i].to_ascii_lowercase());
                start = i;
            }
        }
        if start < b.len() {
            out.push(piece[start..].to_ascii_lowercase());
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

const ADMIN: &[&str] = &[
    "acl",
    "acls",
    "admin",
    "administer",
    "chgrp",
    "chmod",
    "chown",
    "escalate",
    "grant",
    "iam",
    "impersonate",
    "permission",
    "permissions",
    "policies",
    "policy",
    "poweroff",
    "privilege",
    "privileges",
    "reboot",
    "role",
    "roles",
    "shutdown",
    "sudo",
    "superuser",
];
const DESTRUCTIVE: &[&str] = &[
    "del",
    "delete",
    "destroy",
    "drop",
    "erase",
    "kill",
    "overwrite",
    "purge",
    "remove",
    "reset",
    "revoke",
    "rm",
    "rmdir",
    "shred",
    "terminate",
    "truncate",
    "uninstall",
    "unlink",
    "wipe",
];
const MUTATING: &[&str] = &[
    "add",
    "append",
    "apply",
    "approve",
    "archive",
    "assign",
    "attach",
    "cancel",
    "change",
    "clone",
    "close",
    "commit",
    "copy",
    "cp",
    "create",
    "decrement",
    "deploy",
    "detach",
    "disable",
    "downgrade",
    "edit",
    "enable",
    "exec",
    "execute",
    "fork",
    "import",
    "increment",
    "insert",
    "install",
    "invite",
    "invoke",
    "merge",
    "mkdir",
    "modify",
    "move",
    "mv",
    "patch",
    "pay",
    "post",
    "publish",
    "push",
    "put",
    "refund",
    "register",
    "reject",
    "rename",
    "replace",
    "reply",
    "restart",
    "restore",
    "rollback",
    "rotate",
    "run",
    "save",
    "send",
    "set",
    "spawn",
    "start",
    "stop",
    "submit",
    "subscribe",
    "sync",
    "toggle",
    "touch",
    "transfer",
    "trigger",
    "unlock",
    "unsubscribe",
    "update",
    "upgrade",
    "upload",
    "upsert",
    "write",
];
const READ: &[&str] = &[
    "browse", "cat", "check", "count", "describe", "diff", "download", "explain", "fetch", "find",
    "get", "grep", "head", "info", "inspect", "list", "lookup", "ls", "peek", "poll", "preview",
    "query", "read", "retrieve", "scan", "search", "select", "show", "stat", "stats", "status",
    "tail", "validate", "verify", "view",
];

fn word_class(w: &str) -> Option<Effect> {
    if ADMIN.contains(&w) {
        Some(Effect::Admin)
    } else if DESTRUCTIVE.contains(&w) {
        Some(Effect::Destructive)
    } else if MUTATING.contains(&w) {
        Some(Effect::Mutating)
    } else if READ.contains(&w) {
        Some(Effect::Read)
    } else {
        None
    }
}

/// The highest class of any word; `mutating` when no word is known (fail-safe).
pub fn classify(tool: &str) -> Effect {
    tool_words(tool)
        .iter()
        .filter_map(|w| word_class(w))
        .max()
        .unwrap_or(Effect::Mutating)
}

/// `resolve_effect(tool, effect)`: validates the tool, then `max(classify(tool), effect)`.
pub fn resolve_effect(tool: &str, effect: Option<Effect>) -> Result<Effect> {
    validate_tool(tool)?;
    let c = classify(tool);
    Ok(match effect {
        Some(e) => c.max(e),
        None => c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn words() {
        assert_eq!(tool_words("getHTTPResponse"), ["get", "http", "response"]);
        assert_eq!(
            tool_words("ec2TerminateInstances"),
            ["ec2", "terminate", "instances"]
        );
        assert_eq!(tool_words("kill9"), ["kill9"]);
        assert_eq!(tool_words("get2FACode"), ["get2", "fa", "code"]);
        assert_eq!(classify("undelete"), Effect::Mutating);
        assert_eq!(classify("getAdminToken"), Effect::Admin);
        assert_eq!(classify("list_deleted_items"), Effect::Read);
    }
}
