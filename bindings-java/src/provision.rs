//! Provisioning (SEMANTICS-tokens §6): the orchestrator and the agent-side token lookup.

use crate::error::{run, FfiResult};
use crate::key::FfiKey;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use warden_core::provision::{session_token_from, DEFAULT_TOKEN_PATH};
use warden_core::{Orchestrator, ProvisionArgs};

/// A name/value pair (environment variables, rate map entries), order preserved.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FfiPair {
    pub name: String,
    pub value: String,
}

/// The arguments of `provision_sandbox` (all optional except the agent id, given separately).
#[derive(Debug, Clone, uniffi::Record)]
pub struct FfiProvisionArgs {
    pub tools: Vec<String>,
    pub skills: Vec<String>,
    pub extra_scopes: Vec<String>,
    pub ttl_seconds: Option<i64>,
    /// `pattern -> rate spec`, in insertion order.
    pub rate: Vec<FfiPair>,
    pub now: Option<i64>,
    pub jti: Option<String>,
}

#[derive(uniffi::Object)]
pub struct FfiOrchestrator(Orchestrator);

#[uniffi::export]
impl FfiOrchestrator {
    #[uniffi::constructor]
    pub fn new(proxy_url: String, key: Arc<FfiKey>, default_aud: Option<String>, default_iss: Option<String>) -> FfiResult<Arc<FfiOrchestrator>> {
        run(|| Orchestrator::new(&proxy_url, key.0.clone(), default_aud.as_deref(), default_iss.as_deref())).map(|o| Arc::new(FfiOrchestrator(o)))
    }

    #[uniffi::constructor]
    pub fn from_secret(proxy_url: String, secret_hex: String, default_aud: Option<String>, default_iss: Option<String>) -> FfiResult<Arc<FfiOrchestrator>> {
        run(|| Orchestrator::from_secret(&proxy_url, &secret_hex, default_aud.as_deref(), default_iss.as_deref())).map(|o| Arc::new(FfiOrchestrator(o)))
    }

    pub fn proxy_url(&self) -> String {
        self.0.proxy_url().to_string()
    }

    pub fn provision_sandbox(&self, agent_id: String, args: FfiProvisionArgs) -> FfiResult<Vec<FfiPair>> {
        run(|| {
            let a = ProvisionArgs {
                tools: args.tools,
                skills: args.skills,
                extra_scopes: args.extra_scopes,
                ttl_seconds: args.ttl_seconds,
                rate: args.rate.into_iter().map(|p| (p.name, p.value)).collect(),
                now: args.now,
                jti: args.jti,
            };
            self.0.provision_sandbox(&agent_id, &a)
        })
        .map(|env| env.into_iter().map(|(name, value)| FfiPair { name, value }).collect())
    }
}

/// `session_token_from_env(name="ATI_SESSION_TOKEN")` against the process environment.
#[uniffi::export]
pub fn session_token_from_env(name: Option<String>) -> FfiResult<String> {
    run(|| warden_core::session_token_from_env(name.as_deref()))
}

/// The same lookup against an explicit environment map and fallback file (None = the default
/// `/run/ati/session_token`): the JVM cannot set its own environment variables.
#[uniffi::export]
pub fn session_token_from_map(name: String, env: HashMap<String, String>, fallback_path: Option<String>) -> FfiResult<String> {
    run(|| session_token_from(&name, |k| env.get(k).cloned(), Path::new(fallback_path.as_deref().unwrap_or(DEFAULT_TOKEN_PATH))))
}
