//! Provisioning (SEMANTICS-tokens §6): the orchestrator side and `session_token_from_env`.

use crate::ffi::{
    bytes, call, clear, handle, opt_text, put, text, value, WardenBytes, WardenError,
};
use crate::keys::WardenKey;
use warden_core::json::Json;
use warden_core::{Error, Orchestrator, ProvisionArgs, Result};

/// Issues session tokens for sandboxes. Thread-safe; free with `warden_orchestrator_free`.
pub struct WardenOrchestrator(pub(crate) Orchestrator);

/// `Orchestrator(proxy_url, key, default_aud="ati-proxy", default_iss="ati-orchestrator")`
/// with any signing key (borrowed; the orchestrator keeps its own reference). NULL
/// `default_aud` / `default_iss` take the core defaults. On success `*out` is owned by the
/// caller (`warden_orchestrator_free`).
///
/// # Safety
/// Every `(ptr, len)` readable; `key` NULL or live; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_orchestrator_new(
    proxy_url: *const u8,
    proxy_url_len: usize,
    key: *const WardenKey,
    default_aud: *const u8,
    default_aud_len: usize,
    default_iss: *const u8,
    default_iss_len: usize,
    out: *mut *mut WardenOrchestrator,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let o = Orchestrator::new(
            text(proxy_url, proxy_url_len, "proxy_url")?,
            handle(key, "key")?.0.clone(),
            opt_text(default_aud, default_aud_len, "default_aud")?,
            opt_text(default_iss, default_iss_len, "default_iss")?,
        )?;
        put(out, Box::into_raw(Box::new(WardenOrchestrator(o))), "out")
    })
}

/// `Orchestrator(proxy_url, secret_hex, …)` from the 64-hex ATI secret. On success `*out` is owned by
/// the caller (`warden_orchestrator_free`).
///
/// # Safety
/// As `warden_orchestrator_new`.
#[no_mangle]
pub unsafe extern "C" fn warden_orchestrator_from_secret(
    proxy_url: *const u8,
    proxy_url_len: usize,
    secret_hex: *const u8,
    secret_hex_len: usize,
    default_aud: *const u8,
    default_aud_len: usize,
    default_iss: *const u8,
    default_iss_len: usize,
    out: *mut *mut WardenOrchestrator,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let o = Orchestrator::from_secret(
            text(proxy_url, proxy_url_len, "proxy_url")?,
            text(secret_hex, secret_hex_len, "secret_hex")?,
            opt_text(default_aud, default_aud_len, "default_aud")?,
            opt_text(default_iss, default_iss_len, "default_iss")?,
        )?;
        put(out, Box::into_raw(Box::new(WardenOrchestrator(o))), "out")
    })
}

/// The proxy URL without trailing slashes (owned by the caller).
///
/// # Safety
/// `orchestrator` NULL or live; `url` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_orchestrator_proxy_url(
    orchestrator: *const WardenOrchestrator,
    url: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(url, WardenBytes::NONE);
    call(err, || {
        put(
            url,
            WardenBytes::from_string(
                handle(orchestrator, "orchestrator")?
                    .0
                    .proxy_url()
                    .to_string(),
            ),
            "url",
        )
    })
}

fn strings(v: &Json, k: &str) -> Result<Vec<String>> {
    match v.get(k) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Arr(a)) => a
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::validation(format!("{k} must be a list of strings")))
            })
            .collect(),
        Some(_) => Err(Error::validation(format!("{k} must be a list of strings"))),
    }
}

fn opt_int(v: &Json, k: &str) -> Result<Option<i64>> {
    match v.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Int(i)) => Ok(Some(*i)),
        Some(_) => Err(Error::validation(format!("{k} must be an integer"))),
    }
}

/// Converts the JSON form of the keyword arguments into `ProvisionArgs` (types only; values are
/// checked by the core).
fn provision_args(v: &Json) -> Result<ProvisionArgs> {
    let obj = v
        .as_obj()
        .ok_or_else(|| Error::validation("provision_sandbox arguments must be an object"))?;
    for (k, _) in obj {
        if !matches!(
            k.as_str(),
            "tools" | "skills" | "extra_scopes" | "ttl_seconds" | "rate" | "now" | "jti"
        ) {
            return Err(Error::validation(format!(
                "unknown provision_sandbox argument {k:?}"
            )));
        }
    }
    let rate = match v.get("rate") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Obj(m)) => m
            .iter()
            .map(|(k, s)| {
                s.as_str()
                    .map(|s| (k.clone(), s.to_string()))
                    .ok_or_else(|| Error::validation("rate specs are strings"))
            })
            .collect::<Result<_>>()?,
        Some(_) => {
            return Err(Error::validation(
                "rate must be an object of pattern -> rate spec",
            ))
        }
    };
    let jti = match v.get("jti") {
        None | Some(Json::Null) => None,
        Some(Json::Str(s)) => Some(s.clone()),
        Some(_) => return Err(Error::validation("jti must be a string")),
    };
    Ok(ProvisionArgs {
        tools: strings(v, "tools")?,
        skills: strings(v, "skills")?,
        extra_scopes: strings(v, "extra_scopes")?,
        ttl_seconds: opt_int(v, "ttl_seconds")?,
        rate,
        now: opt_int(v, "now")?,
        jti,
    })
}

/// `provision_sandbox(agent_id, tools=[], skills=[], extra_scopes=[], ttl_seconds=3600,
/// rate=None)`. `args_json` is a JSON object with those keyword names (each optional) plus the
/// test arguments `now` (unix seconds) and `jti`; `rate` is an object `{pattern: spec}` whose
/// order is kept. On success `*env_json` is the JSON object `{"ATI_PROXY_URL": …,
/// "ATI_SESSION_TOKEN": …}`, owned by the caller.
///
/// # Safety
/// `orchestrator` NULL or live; every `(ptr, len)` readable; `env_json` valid; `err` NULL or
/// valid.
#[no_mangle]
pub unsafe extern "C" fn warden_orchestrator_provision_sandbox(
    orchestrator: *const WardenOrchestrator,
    agent_id: *const u8,
    agent_id_len: usize,
    args_json: *const u8,
    args_json_len: usize,
    env_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(env_json, WardenBytes::NONE);
    call(err, || {
        let o = handle(orchestrator, "orchestrator")?;
        let agent = text(agent_id, agent_id_len, "agent_id")?;
        let raw = bytes(args_json, args_json_len, "args_json")?;
        let args = if raw.is_empty() {
            ProvisionArgs::default()
        } else {
            provision_args(
                &Json::parse_with_depth(raw, 16)
                    .map_err(|e| Error::validation(format!("args_json is not valid JSON: {e}")))?,
            )?
        };
        let env = o.0.provision_sandbox(agent, &args)?;
        let obj = Json::Obj(env.into_iter().map(|(k, v)| (k, Json::Str(v))).collect());
        put(
            env_json,
            WardenBytes::from_string(obj.to_compact()),
            "env_json",
        )
    })
}

/// Frees an orchestrator. NULL-safe.
///
/// # Safety
/// `orchestrator` must be NULL or live, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn warden_orchestrator_free(orchestrator: *mut WardenOrchestrator) {
    value((), || {
        if !orchestrator.is_null() {
            drop(Box::from_raw(orchestrator));
        }
    })
}

/// `session_token_from_env(name="ATI_SESSION_TOKEN")`: `$NAME`, then the file named by
/// `$NAME_FILE`, then `/run/ati/session_token`; `NOT_FOUND` when none holds a token. NULL
/// `name` takes the default. On success `*token` is owned by the caller.
///
/// # Safety
/// `(name, name_len)` readable; `token` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_session_token_from_env(
    name: *const u8,
    name_len: usize,
    token_out: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(token_out, WardenBytes::NONE);
    call(err, || {
        put(
            token_out,
            WardenBytes::from_string(warden_core::session_token_from_env(opt_text(
                name, name_len, "name",
            )?)?),
            "token",
        )
    })
}
