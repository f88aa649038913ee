//! Scopes and rate specs (SEMANTICS-tokens §4, §5).

use crate::error::{run, FfiResult};
use std::sync::Arc;
use warden_core::{RateSpec, ScopeSet};

#[uniffi::export]
pub fn parse_scopes(claim: String) -> FfiResult<Vec<String>> {
    run(|| warden_core::parse_scopes(&claim))
}

#[uniffi::export]
pub fn is_valid_scope(claim: String) -> bool {
    warden_core::is_valid_scope(&claim)
}

#[uniffi::export]
pub fn build_scope_string(tools: Vec<String>, skills: Vec<String>, extra: Vec<String>) -> FfiResult<String> {
    run(|| warden_core::build_scope_string(&tools, &skills, &extra))
}

#[uniffi::export]
pub fn check_scope(required: String, granted: Vec<String>) -> bool {
    warden_core::check_scope(&required, &granted)
}

#[uniffi::export]
pub fn matches_wildcard(name: String, pattern: String) -> bool {
    warden_core::matches_wildcard(&name, &pattern)
}

#[uniffi::export]
pub fn covers(parents: Vec<String>, child: String) -> bool {
    warden_core::covers(&parents, &child)
}

/// A parsed rate spec.
#[derive(Debug, Clone, Copy, uniffi::Record)]
pub struct FfiRateSpec {
    pub count: u32,
    pub window_seconds: u32,
}

#[uniffi::export]
pub fn parse_rate_spec(spec: String) -> FfiResult<FfiRateSpec> {
    run(|| RateSpec::parse(&spec)).map(|r| FfiRateSpec { count: r.count, window_seconds: r.window_seconds })
}

/// A compiled set of scope patterns.
#[derive(uniffi::Object)]
pub struct FfiScopeSet(ScopeSet);

#[uniffi::export]
impl FfiScopeSet {
    /// Strict: `INVALID_SCOPE` for an ungrammatical pattern.
    #[uniffi::constructor]
    pub fn new(patterns: Vec<String>) -> FfiResult<Arc<FfiScopeSet>> {
        run(|| ScopeSet::new(&patterns)).map(|s| Arc::new(FfiScopeSet(s)))
    }

    /// Lenient: invalid entries grant nothing (the `check_scope` semantics).
    #[uniffi::constructor]
    pub fn lenient(patterns: Vec<String>) -> Arc<FfiScopeSet> {
        Arc::new(FfiScopeSet(ScopeSet::lenient(&patterns)))
    }

    /// From a scope claim (space-separated).
    #[uniffi::constructor]
    pub fn from_claim(claim: String) -> FfiResult<Arc<FfiScopeSet>> {
        run(|| ScopeSet::from_claim(&claim)).map(|s| Arc::new(FfiScopeSet(s)))
    }

    pub fn allows(&self, required: String) -> bool {
        self.0.allows(&required)
    }

    pub fn covers(&self, pattern: String) -> bool {
        self.0.covers(&pattern)
    }

    pub fn patterns(&self) -> Vec<String> {
        self.0.patterns().to_vec()
    }

    pub fn len(&self) -> u64 {
        self.0.len() as u64
    }
}
