//! Provisioning (SEMANTICS-tokens §6): `Orchestrator.provisionSandbox` and
//! `sessionTokenFromEnv`.

use crate::convert::{opt_to_json, to_json, JsonOut};
use crate::error::run;
use crate::keys::Key;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use warden_core::{Error, Json, ProvisionArgs, Result};

fn strings(v: &Json, what: &str) -> Result<Vec<String>> {
    match v {
        Json::Null => Ok(Vec::new()),
        Json::Arr(a) => a
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::validation(format!("{what} must be a list of strings")))
            })
            .collect(),
        _ => Err(Error::validation(format!(
            "{what} must be a list of strings"
        ))),
    }
}

/// Converts the JS arguments of `provisionSandbox` (camelCase or the core's snake_case names).
fn provision_args(v: Option<Json>) -> Result<ProvisionArgs> {
    let mut a = ProvisionArgs::default();
    let members = match v {
        None | Some(Json::Null) => return Ok(a),
        Some(Json::Obj(m)) => m,
        Some(_) => {
            return Err(Error::validation(
                "provisionSandbox arguments must be an object",
            ))
        }
    };
    for (k, val) in &members {
        let int = |what: &str| match val {
            Json::Null => Ok(None),
            Json::Int(i) => Ok(Some(*i)),
            _ => Err(Error::validation(format!("{what} must be an integer"))),
        };
        match k.as_str() {
            "tools" => a.tools = strings(val, "tools")?,
            "skills" => a.skills = strings(val, "skills")?,
            "extraScopes" | "extra_scopes" => a.extra_scopes = strings(val, "extraScopes")?,
            "ttlSeconds" | "ttl_seconds" => a.ttl_seconds = int("ttlSeconds")?,
            "now" => a.now = int("now")?,
            "jti" => {
                a.jti = match val {
                    Json::Null => None,
                    Json::Str(s) => Some(s.clone()),
                    _ => return Err(Error::validation("jti must be a string")),
                }
            }
            "rate" => {
                a.rate = match val {
                    Json::Null => Vec::new(),
                    Json::Obj(m) => m
                        .iter()
                        .map(|(p, s)| {
                            s.as_str()
                                .map(|s| (p.clone(), s.to_string()))
                                .ok_or_else(|| Error::validation("rate specs are strings"))
                        })
                        .collect::<Result<_>>()?,
                    _ => {
                        return Err(Error::validation(
                            "rate must be an object of pattern -> rate spec",
                        ))
                    }
                }
            }
            other => {
                return Err(Error::validation(format!(
                    "unknown provisionSandbox argument {other:?}"
                )))
            }
        }
    }
    Ok(a)
}

/// Issues session tokens for sandboxes with ati-client's environment contract.
#[napi]
pub struct Orchestrator {
    inner: warden_core::Orchestrator,
}

#[napi]
impl Orchestrator {
    /// `new Orchestrator(proxyUrl, key, defaultAud="ati-proxy", defaultIss="ati-orchestrator")`;
    /// trailing slashes of `proxyUrl` are removed; the key must be able to sign.
    #[napi(constructor)]
    pub fn new(
        proxy_url: String,
        key: &Key,
        default_aud: Option<String>,
        default_iss: Option<String>,
    ) -> napi::Result<Orchestrator> {
        run(|| {
            Ok(Orchestrator {
                inner: warden_core::Orchestrator::new(
                    &proxy_url,
                    key.inner.clone(),
                    default_aud.as_deref(),
                    default_iss.as_deref(),
                )?,
            })
        })
    }

    /// The orchestrator from the 64-hex ATI secret (`INVALID_KEY` otherwise).
    #[napi(factory)]
    pub fn from_secret(
        proxy_url: String,
        secret_hex: String,
        default_aud: Option<String>,
        default_iss: Option<String>,
    ) -> napi::Result<Orchestrator> {
        run(|| {
            Ok(Orchestrator {
                inner: warden_core::Orchestrator::from_secret(
                    &proxy_url,
                    &secret_hex,
                    default_aud.as_deref(),
                    default_iss.as_deref(),
                )?,
            })
        })
    }

    /// The proxy URL without trailing slashes.
    #[napi(getter)]
    pub fn proxy_url(&self) -> String {
        self.inner.proxy_url().to_string()
    }

    /// `provisionSandbox(agentId, {tools, skills, extraScopes, ttlSeconds=3600, rate, now, jti})`
    /// → `{ATI_PROXY_URL, ATI_SESSION_TOKEN}`.
    #[napi(
        ts_args_type = "agentId: string, args?: Record<string, unknown> | null",
        ts_return_type = "{ ATI_PROXY_URL: string; ATI_SESSION_TOKEN: string }"
    )]
    pub fn provision_sandbox(
        &self,
        agent_id: Unknown<'_>,
        args: Option<Unknown<'_>>,
    ) -> napi::Result<JsonOut> {
        run(|| {
            let id = match to_json(&agent_id)? {
                Json::Str(s) => s,
                _ => return Err(Error::validation("agentId must be a string")),
            };
            let a = provision_args(opt_to_json(&args)?)?;
            let env = self.inner.provision_sandbox(&id, &a)?;
            Ok(JsonOut(Json::Obj(
                env.into_iter().map(|(k, v)| (k, Json::Str(v))).collect(),
            )))
        })
    }
}

/// The agent-side session token: the first non-empty trimmed value of `$name`, then the file
/// named by `$name_FILE` (re-read on every call), then `/run/ati/session_token`; none →
/// `NOT_FOUND`. `name` defaults to `ATI_SESSION_TOKEN`.
#[napi]
pub fn session_token_from_env(name: Option<String>) -> napi::Result<String> {
    run(|| warden_core::session_token_from_env(name.as_deref()))
}
