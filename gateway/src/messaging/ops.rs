//! KV (§10) and checkpoint (§12) requests: arguments from the wire, rules from
//! `warden_core::messaging::{kv, kv_namespace}`, storage in the messaging SQLite file.

use super::Hub;
use std::sync::Arc;
use warden_core::json::Json;
use warden_core::messaging::kv_namespace::{kv_principal, validate_kv_key};
use warden_core::messaging::wire::{
    bytes_json, get_bytes, get_i64, get_opt_str, get_str, get_u64, obj,
};
use warden_core::messaging::{kv_namespace, Identity, Kv};
use warden_core::{Error, ErrorCode, Result};

/// Checkpoint data bound (§12).
pub const MAX_CHECKPOINT_BYTES: usize = 1024 * 1024;
/// Checkpoint keys per identity (§12).
pub const MAX_CHECKPOINT_KEYS: i64 = 1000;
/// Default checkpoint TTL: 7 days.
pub const DEFAULT_CHECKPOINT_TTL_SECONDS: u64 = 7 * 24 * 3600;

/// One `kv_*` request.
pub(crate) fn kv(hub: &Hub, caller: &Identity, op: &str, args: &Json) -> Result<Json> {
    let scope = get_str(args, "scope")?;
    let ns = kv_namespace(
        caller,
        scope,
        get_opt_str(args, "workspace")?,
        get_opt_str(args, "user_id")?,
        &hub.cfg.grants,
    )?;
    let clock: Arc<dyn warden_core::engine::Clock> = hub.clock.clone();
    let mut st = hub.store();
    let mut kv = Kv::new(st.kv(), clock);
    let key = || get_str(args, "key");
    let ttl = || get_u64(args, "ttl_seconds", 0);
    Ok(match op {
        "kv_get" => {
            let v = kv.kv_get(&ns, key()?)?;
            obj([
                ("value", bytes_json(&v.value)),
                ("revision", Json::Int(v.revision as i64)),
            ])
        }
        "kv_put" => {
            let r = kv.kv_put(&ns, key()?, &get_bytes(args, "value")?, ttl()?)?;
            obj([("revision", Json::Int(r as i64))])
        }
        "kv_delete" => obj([("deleted", Json::Bool(kv.kv_delete(&ns, key()?)?))]),
        "kv_list" => {
            let limit = get_i64(args, "limit", 100)?;
            let limit = usize::try_from(limit).unwrap_or(0);
            let page = kv.kv_list(
                &ns,
                get_opt_str(args, "prefix")?.unwrap_or(""),
                limit,
                get_opt_str(args, "cursor")?,
            )?;
            obj([
                (
                    "entries",
                    Json::Arr(
                        page.entries
                            .iter()
                            .map(|e| {
                                obj([
                                    ("key", e.key.as_str().into()),
                                    ("revision", Json::Int(e.revision as i64)),
                                ])
                            })
                            .collect(),
                    ),
                ),
                (
                    "next_cursor",
                    page.next_cursor.map(Json::Str).unwrap_or(Json::Null),
                ),
            ])
        }
        "kv_increment" => {
            let v = kv.kv_increment(&ns, key()?, get_i64(args, "delta", 1)?, ttl()?)?;
            obj([("value", Json::Int(v))])
        }
        "kv_decrement" => {
            let v = kv.kv_decrement(&ns, key()?, get_i64(args, "delta", 1)?)?;
            obj([("value", Json::Int(v))])
        }
        "kv_increment_if" | "kv_decrement_if" => {
            let delta = get_i64(args, "delta", 1)?;
            let (v, applied) = if op == "kv_increment_if" {
                let ceiling = required_i64(args, "ceiling")?;
                kv.kv_increment_if(&ns, key()?, delta, ceiling)?
            } else {
                let floor = required_i64(args, "floor")?;
                kv.kv_decrement_if(&ns, key()?, delta, floor)?
            };
            obj([("value", Json::Int(v)), ("applied", Json::Bool(applied))])
        }
        "kv_set_if_absent" => {
            let (applied, r) =
                kv.kv_set_if_absent(&ns, key()?, &get_bytes(args, "value")?, ttl()?)?;
            obj([
                ("applied", Json::Bool(applied)),
                ("revision", Json::Int(r as i64)),
            ])
        }
        "kv_compare_and_set" => {
            let expected = get_u64(args, "expected_revision", 0)?;
            let r =
                kv.kv_compare_and_set(&ns, key()?, &get_bytes(args, "value")?, expected, ttl()?)?;
            obj([("revision", Json::Int(r as i64))])
        }
        "kv_compare_and_delete" => {
            let expected = get_u64(args, "expected_revision", 0)?;
            kv.kv_compare_and_delete(&ns, key()?, expected)?;
            obj([("deleted", Json::Bool(true))])
        }
        _ => {
            return Err(Error::with_reason(
                ErrorCode::ValidationError,
                "unknown_op",
                "unknown kv op",
            ))
        }
    })
}

fn required_i64(args: &Json, name: &str) -> Result<i64> {
    match args.get(name) {
        Some(Json::Int(i)) => Ok(*i),
        _ => Err(Error::validation(format!("{name} is a required integer"))),
    }
}

/// One `checkpoint_*` request, scoped to the caller's canonical identity.
pub(crate) fn checkpoint(hub: &Hub, caller: &Identity, op: &str, args: &Json) -> Result<Json> {
    if caller.pooled {
        return Err(Error::with_reason(
            ErrorCode::ValidationError,
            "pooled_task",
            "pooled tasks have no checkpoints",
        ));
    }
    let owner = kv_principal(caller);
    let now = hub.now_ms();
    let key_of = || -> Result<String> {
        let k = get_opt_str(args, "key")?.unwrap_or("default");
        validate_kv_key(k)?;
        Ok(k.to_string())
    };
    Ok(match op {
        "checkpoint_save" => {
            let key = key_of()?;
            let data = get_bytes(args, "data")?;
            if data.len() > MAX_CHECKPOINT_BYTES {
                return Err(Error::new(
                    ErrorCode::PayloadTooLarge,
                    "checkpoint data exceeds 1 MiB",
                ));
            }
            let ttl = get_u64(args, "ttl_seconds", DEFAULT_CHECKPOINT_TTL_SECONDS)?;
            let expires = (ttl > 0).then(|| {
                now.saturating_add(i64::try_from(ttl.saturating_mul(1000)).unwrap_or(i64::MAX))
            });
            hub.store()
                .checkpoint_save(&owner, &key, &data, now, expires, MAX_CHECKPOINT_KEYS)?;
            obj([("key", key.into()), ("saved_at_ms", Json::Int(now))])
        }
        "checkpoint_load" => {
            let key = key_of()?;
            match hub.store().checkpoint_load(&owner, &key, now)? {
                Some((data, at)) => {
                    obj([("data", bytes_json(&data)), ("saved_at_ms", Json::Int(at))])
                }
                None => return Err(Error::new(ErrorCode::NotFound, "no such checkpoint")),
            }
        }
        "checkpoint_list" => {
            let keys = hub.store().checkpoint_list(&owner, now)?;
            obj([("keys", Json::Arr(keys.into_iter().map(Json::Str).collect()))])
        }
        "checkpoint_delete" => {
            let key = key_of()?;
            obj([(
                "deleted",
                Json::Bool(hub.store().checkpoint_delete(&owner, &key, now)?),
            )])
        }
        _ => {
            return Err(Error::with_reason(
                ErrorCode::ValidationError,
                "unknown_op",
                "unknown checkpoint op",
            ))
        }
    })
}
