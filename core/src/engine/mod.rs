//! The engine (SEMANTICS-engine): agents, tokens, sessions, guard decisions, approvals,
//! delegations, enforcement, telemetry and the audit log. This module holds its pure parts;
//! the stateful engine is built on them.

mod args;
pub mod audit;
pub mod effect;
#[allow(clippy::module_inception)]
mod engine;
pub mod ids;
pub mod jcs;
#[allow(missing_docs)]
pub mod model;
pub mod store;
pub mod summary;

pub use audit::{verify_audit_export, AuditChain, AuditEvent, ChainCheck, ChainVerifier};
pub use effect::{classify, resolve_effect, tool_words, validate_tool, Effect};
pub use engine::{
    check_args, fork_seed, strict_mode_from, Clock, Engine, EngineConfig, JournalStats,
    ManualClock, SystemClock,
};
pub use model::{Agent, Approval, Decision, Delegation, IssuedToken, Rule, Session};
pub use store::{AuditRecord, JournalEntry, MemoryStore, Store};
pub use summary::summarize_input;
