//! Provisioning (SEMANTICS-tokens §6): the orchestrator side (`Orchestrator.provision_sandbox`)
//! and the agent side (`session_token_from_env`).

use crate::error::{Error, ErrorCode, Result};
use crate::key::Key;
use crate::scope::build_scope_string;
use crate::token::{self, AtiIssueArgs};
use std::path::Path;

/// Where `session_token_from_env` looks last.
pub const DEFAULT_TOKEN_PATH: &str = "/run/ati/session_token";
/// The default environment variable name.
pub const DEFAULT_TOKEN_ENV: &str = "ATI_SESSION_TOKEN";
/// Largest token file read.
const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// Issues session tokens for sandboxes, with ati-client's environment contract.
#[derive(Clone, Debug)]
pub struct Orchestrator {
    proxy_url: String,
    key: Key,
    default_aud: String,
    default_iss: String,
}

/// Arguments of `provision_sandbox`, with ati-client's defaults.
#[derive(Clone, Debug, Default)]
pub struct ProvisionArgs {
    /// Tools (prefixed `tool:` unless present).
    pub tools: Vec<String>,
    /// Skills (prefixed `skill:` unless present).
    pub skills: Vec<String>,
    /// Extra scopes, verbatim.
    pub extra_scopes: Vec<String>,
    /// Lifetime in seconds (default 3600).
    pub ttl_seconds: Option<i64>,
    /// Rate limits `{pattern: spec}`, in order.
    pub rate: Vec<(String, String)>,
    /// Fixed clock (unix seconds).
    pub now: Option<i64>,
    /// Fixed token id (default a random UUIDv4).
    pub jti: Option<String>,
}

impl Orchestrator {
    /// `Orchestrator(proxy_url, key, default_aud="ati-proxy", default_iss="ati-orchestrator")`;
    /// trailing slashes of `proxy_url` are removed. The key must be able to sign.
    pub fn new(
        proxy_url: &str,
        key: Key,
        default_aud: Option<&str>,
        default_iss: Option<&str>,
    ) -> Result<Orchestrator> {
        let url = proxy_url.trim_end_matches('/');
        if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::validation(
                "proxy_url must be a non-empty URL without whitespace",
            ));
        }
        if !key.has_private() {
            return Err(Error::invalid_key(
                "the orchestrator key must be able to sign",
            ));
        }
        let aud = default_aud.unwrap_or("ati-proxy");
        let iss = default_iss.unwrap_or("ati-orchestrator");
        if aud.is_empty() || iss.is_empty() {
            return Err(Error::validation(
                "default_aud and default_iss must be non-empty",
            ));
        }
        Ok(Orchestrator {
            proxy_url: url.to_string(),
            key,
            default_aud: aud.into(),
            default_iss: iss.into(),
        })
    }

    /// The orchestrator from the 64-hex ATI secret.
    pub fn from_secret(
        proxy_url: &str,
        secret_hex: &str,
        default_aud: Option<&str>,
        default_iss: Option<&str>,
    ) -> Result<Orchestrator> {
        Orchestrator::new(
            proxy_url,
            Key::hs256_hex(secret_hex, None)?,
            default_aud,
            default_iss,
        )
    }

    /// The proxy URL without trailing slashes.
    pub fn proxy_url(&self) -> &str {
        &self.proxy_url
    }

    /// `provision_sandbox(agent_id, tools=[], skills=[], extra_scopes=[], ttl_seconds=3600,
    /// rate=None)` → `[("ATI_PROXY_URL", url), ("ATI_SESSION_TOKEN", token)]`.
    pub fn provision_sandbox(
        &self,
        agent_id: &str,
        args: &ProvisionArgs,
    ) -> Result<Vec<(String, String)>> {
        let scope = build_scope_string(&args.tools, &args.skills, &args.extra_scopes)?;
        let mut a = AtiIssueArgs::new(agent_id, scope);
        a.ttl_seconds = args.ttl_seconds.unwrap_or(3600);
        a.aud = self.default_aud.clone();
        a.iss = Some(self.default_iss.clone());
        a.jti = args.jti.clone();
        a.rate = args.rate.clone();
        a.now = args.now;
        let token = token::issue_ati(&self.key, &a)?;
        Ok(vec![
            ("ATI_PROXY_URL".into(), self.proxy_url.clone()),
            ("ATI_SESSION_TOKEN".into(), token),
        ])
    }
}

fn valid_env_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

fn read_token_file(path: &Path) -> Option<String> {
    use std::io::Read;
    let f = std::fs::File::open(path).ok()?;
    let mut s = String::new();
    f.take(MAX_TOKEN_FILE_BYTES).read_to_string(&mut s).ok()?;
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// `session_token_from_env(name="ATI_SESSION_TOKEN")`: the first non-empty trimmed value of
/// `$NAME`, then the file named by `$NAME_FILE` (re-read on every call), then
/// `/run/ati/session_token`; none → `NOT_FOUND`.
pub fn session_token_from_env(name: Option<&str>) -> Result<String> {
    session_token_from(
        name.unwrap_or(DEFAULT_TOKEN_ENV),
        |k| std::env::var(k).ok(),
        Path::new(DEFAULT_TOKEN_PATH),
    )
}

/// [`session_token_from_env`] with an injected environment and fallback path (for tests).
pub fn session_token_from(
    name: &str,
    getenv: impl Fn(&str) -> Option<String>,
    fallback: &Path,
) -> Result<String> {
    if !valid_env_name(name) {
        return Err(Error::validation(
            "the variable name must match [A-Za-z_][A-Za-z0-9_]*",
        ));
    }
    if let Some(v) = getenv(name) {
        let t = v.trim();
        if !t.is_empty() {
            return Ok(t.to_string());
        }
    }
    if let Some(file) = getenv(&format!("{name}_FILE")) {
        let file = file.trim();
        if !file.is_empty() {
            if let Some(t) = read_token_file(Path::new(file)) {
                return Ok(t);
            }
        }
    }
    if let Some(t) = read_token_file(fallback) {
        return Ok(t);
    }
    Err(Error::new(
        ErrorCode::NotFound,
        format!(
            "no session token in ${name}, ${name}_FILE or {}",
            fallback.display()
        ),
    ))
}
