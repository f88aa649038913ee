//! Scopes and rate specs (SEMANTICS-tokens §4, §5): the free functions, the compiled `ScopeSet`
//! (the form for hot paths) and `RateSpec`.

use crate::error::run;
use crate::fast::ScopeSetHandle;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use std::sync::Arc;

/// Parses a whole scope claim into its tokens; `INVALID_SCOPE` unless it is valid.
#[napi]
pub fn parse_scopes(claim: String) -> napi::Result<Vec<String>> {
    run(|| warden_core::parse_scopes(&claim))
}

/// True iff `claim` is a valid scope claim (1..64 tokens separated by single spaces).
#[napi]
pub fn is_valid_scope(claim: String) -> bool {
    warden_core::is_valid_scope(&claim)
}

/// ATI-compatible: true iff some entry of `granted` allows `required` (invalid entries grant
/// nothing, the others still apply).
#[napi]
pub fn check_scope(required: String, granted: Vec<String>) -> bool {
    warden_core::check_scope(&required, &granted)
}

/// ATI-compatible: `matchesWildcard(name, pattern)` is `allows(pattern, name)`.
#[napi]
pub fn matches_wildcard(name: String, pattern: String) -> bool {
    warden_core::matches_wildcard(&name, &pattern)
}

/// True iff one of `parents` matches every concrete scope `child` can match.
#[napi]
pub fn covers(parents: Vec<String>, child: String) -> bool {
    warden_core::covers(&parents, &child)
}

/// ATI-compatible scope string: tools (`tool:` added unless present), then skills (`skill:`),
/// then extra, joined by spaces; `VALIDATION_ERROR` unless the result is a valid claim.
#[napi]
pub fn build_scope_string(
    tools: Option<Vec<String>>,
    skills: Option<Vec<String>>,
    extra: Option<Vec<String>>,
) -> napi::Result<String> {
    run(|| {
        warden_core::build_scope_string(
            &tools.unwrap_or_default(),
            &skills.unwrap_or_default(),
            &extra.unwrap_or_default(),
        )
    })
}

/// A compiled set of scope patterns, built once and queried on hot paths.
#[napi]
pub struct ScopeSet {
    inner: Arc<warden_core::ScopeSet>,
}

#[napi]
impl ScopeSet {
    /// Compiles a list of patterns strictly: `INVALID_SCOPE` for an ungrammatical pattern,
    /// `VALIDATION_ERROR` for more than 64.
    #[napi(constructor)]
    pub fn new(patterns: Vec<String>) -> napi::Result<ScopeSet> {
        run(|| {
            Ok(ScopeSet {
                inner: Arc::new(warden_core::ScopeSet::new(&patterns)?),
            })
        })
    }

    /// Compiles a list where invalid entries are kept but grant nothing (`checkScope` semantics).
    #[napi(factory)]
    pub fn lenient(patterns: Vec<String>) -> ScopeSet {
        ScopeSet {
            inner: Arc::new(warden_core::ScopeSet::lenient(&patterns)),
        }
    }

    /// Parses a scope claim (space-separated); `INVALID_SCOPE` if invalid.
    #[napi(factory)]
    pub fn from_claim(claim: String) -> napi::Result<ScopeSet> {
        run(|| {
            Ok(ScopeSet {
                inner: Arc::new(warden_core::ScopeSet::from_claim(&claim)?),
            })
        })
    }

    /// The handle `fastApi().allows(handle, required)` queries (the TypeScript `ScopeSet`
    /// takes it once).
    #[napi(ts_return_type = "ScopeSetHandle")]
    pub fn handle(&self) -> ScopeSetHandle {
        ScopeSetHandle(self.inner.clone())
    }

    /// True iff some pattern allows the concrete scope `required`.
    #[napi]
    pub fn allows(&self, required: String) -> bool {
        self.inner.allows(&required)
    }

    /// True iff one pattern of the set covers every scope `pattern` can match.
    #[napi]
    pub fn covers(&self, pattern: String) -> bool {
        self.inner.covers(&pattern)
    }

    /// The patterns, in the order given.
    #[napi]
    pub fn patterns(&self) -> Vec<String> {
        self.inner.patterns().to_vec()
    }

    /// Number of patterns.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.inner.len() as u32
    }
}

/// A parsed rate spec `<count>/<unit>`: at most `count` calls per `windowSeconds`.
#[napi]
pub struct RateSpec {
    inner: warden_core::RateSpec,
}

#[napi]
impl RateSpec {
    /// Parses `10/hour` and friends; `INVALID_RATE_SPEC` for anything outside the grammar.
    #[napi(factory, ts_args_type = "spec: string")]
    pub fn parse(spec: Unknown<'_>) -> napi::Result<RateSpec> {
        run(|| {
            Ok(RateSpec {
                inner: warden_core::RateSpec::parse(&crate::convert::string_arg(&spec, "spec")?)?,
            })
        })
    }

    /// Calls allowed per window (0 always denies).
    #[napi(getter)]
    pub fn count(&self) -> u32 {
        self.inner.count
    }

    /// The window length in seconds (1, 60, 3600 or 86400).
    #[napi(getter)]
    pub fn window_seconds(&self) -> u32 {
        self.inner.window_seconds
    }

    /// True iff this spec allows strictly more calls per unit of time than `other`.
    #[napi]
    pub fn is_looser_than(&self, other: &RateSpec) -> bool {
        self.inner.is_looser_than(&other.inner)
    }

    /// `{count, windowSeconds}`.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ count: number; windowSeconds: number }"
    )]
    pub fn to_json(&self) -> crate::convert::JsonOut {
        use warden_core::Json;
        crate::convert::JsonOut(Json::Obj(vec![
            ("count".into(), Json::Int(self.inner.count as i64)),
            (
                "windowSeconds".into(),
                Json::Int(self.inner.window_seconds as i64),
            ),
        ]))
    }
}
