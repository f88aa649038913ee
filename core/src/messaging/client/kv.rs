//! Typed KV (§10) and checkpoint (§12) calls over [`MessagingClient::request`].

use super::MessagingClient;
use crate::error::Result;
use crate::json::Json;
use crate::messaging::wire::{bytes_json, get_bytes, get_i64, get_opt_str, get_str, obj};

/// Where a KV call acts: `scope` plus the optional workspace and user id.
#[derive(Clone, Debug, Default)]
pub struct KvTarget {
    /// `global`, `workspace`, `user`, `user-workspace`, `global-exclusive`,
    /// `workspace-exclusive`.
    pub scope: String,
    /// Defaults to the caller's home workspace.
    pub workspace: Option<String>,
    /// For the user scopes.
    pub user_id: Option<String>,
}

impl KvTarget {
    /// A target with only a scope.
    pub fn scope(scope: &str) -> KvTarget {
        KvTarget {
            scope: scope.to_string(),
            ..KvTarget::default()
        }
    }

    fn args(&self, key: Option<&str>, more: Vec<(&str, Json)>) -> Json {
        let mut m = vec![("scope".to_string(), Json::from(self.scope.as_str()))];
        if let Some(w) = &self.workspace {
            m.push(("workspace".into(), w.as_str().into()));
        }
        if let Some(u) = &self.user_id {
            m.push(("user_id".into(), u.as_str().into()));
        }
        if let Some(k) = key {
            m.push(("key".into(), k.into()));
        }
        m.extend(more.into_iter().map(|(k, v)| (k.to_string(), v)));
        Json::Obj(m)
    }
}

/// A KV value and its revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvValueResult {
    /// The bytes.
    pub value: Vec<u8>,
    /// The revision.
    pub revision: u64,
}

fn rev(v: &Json) -> Result<u64> {
    Ok(get_i64(v, "revision", 0)?.max(0) as u64)
}

fn flag(v: &Json, name: &str) -> bool {
    v.get(name).and_then(Json::as_bool) == Some(true)
}

impl MessagingClient {
    /// `kv_get` → value and revision, or `NOT_FOUND`.
    pub async fn kv_get(&self, t: &KvTarget, key: &str) -> Result<KvValueResult> {
        let v = self.request("kv_get", t.args(Some(key), vec![])).await?;
        Ok(KvValueResult {
            value: get_bytes(&v, "value")?,
            revision: rev(&v)?,
        })
    }

    /// `kv_put` → the new revision.
    pub async fn kv_put(
        &self,
        t: &KvTarget,
        key: &str,
        value: &[u8],
        ttl_seconds: u64,
    ) -> Result<u64> {
        let args = t.args(
            Some(key),
            vec![
                ("value", bytes_json(value)),
                (
                    "ttl_seconds",
                    Json::Int(ttl_seconds.min(i64::MAX as u64) as i64),
                ),
            ],
        );
        rev(&self.request("kv_put", args).await?)
    }

    /// `kv_delete` → whether the key existed.
    pub async fn kv_delete(&self, t: &KvTarget, key: &str) -> Result<bool> {
        let v = self.request("kv_delete", t.args(Some(key), vec![])).await?;
        Ok(flag(&v, "deleted"))
    }

    /// `kv_list` → `(key, revision)` entries and the next cursor.
    pub async fn kv_list(
        &self,
        t: &KvTarget,
        prefix: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<(Vec<(String, u64)>, Option<String>)> {
        let mut more = vec![
            ("prefix", Json::from(prefix)),
            ("limit", Json::Int(limit as i64)),
        ];
        if let Some(c) = cursor {
            more.push(("cursor", c.into()));
        }
        let v = self.request("kv_list", t.args(None, more)).await?;
        let mut entries = Vec::new();
        for e in v.get("entries").and_then(Json::as_arr).unwrap_or(&[]) {
            entries.push((get_str(e, "key")?.to_string(), rev(e)?));
        }
        Ok((entries, get_opt_str(&v, "next_cursor")?.map(str::to_string)))
    }

    /// `kv_increment` (negative `delta` decrements) → the new value.
    pub async fn kv_increment(&self, t: &KvTarget, key: &str, delta: i64) -> Result<i64> {
        let v = self
            .request(
                "kv_increment",
                t.args(Some(key), vec![("delta", Json::Int(delta))]),
            )
            .await?;
        get_i64(&v, "value", 0)
    }

    /// `kv_increment_if` → `(value, applied)`.
    pub async fn kv_increment_if(
        &self,
        t: &KvTarget,
        key: &str,
        delta: i64,
        ceiling: i64,
    ) -> Result<(i64, bool)> {
        let v = self
            .request(
                "kv_increment_if",
                t.args(
                    Some(key),
                    vec![("delta", Json::Int(delta)), ("ceiling", Json::Int(ceiling))],
                ),
            )
            .await?;
        Ok((get_i64(&v, "value", 0)?, flag(&v, "applied")))
    }

    /// `kv_set_if_absent` → `(applied, revision)`.
    pub async fn kv_set_if_absent(
        &self,
        t: &KvTarget,
        key: &str,
        value: &[u8],
    ) -> Result<(bool, u64)> {
        let v = self
            .request(
                "kv_set_if_absent",
                t.args(Some(key), vec![("value", bytes_json(value))]),
            )
            .await?;
        Ok((flag(&v, "applied"), rev(&v)?))
    }

    /// `kv_compare_and_set` → the new revision, or `CONFLICT`.
    pub async fn kv_compare_and_set(
        &self,
        t: &KvTarget,
        key: &str,
        value: &[u8],
        expected_revision: u64,
    ) -> Result<u64> {
        let v = self
            .request(
                "kv_compare_and_set",
                t.args(
                    Some(key),
                    vec![
                        ("value", bytes_json(value)),
                        (
                            "expected_revision",
                            Json::Int(expected_revision.min(i64::MAX as u64) as i64),
                        ),
                    ],
                ),
            )
            .await?;
        rev(&v)
    }

    /// `kv_compare_and_delete`: `NOT_FOUND` or `CONFLICT` unless deleted.
    pub async fn kv_compare_and_delete(
        &self,
        t: &KvTarget,
        key: &str,
        expected_revision: u64,
    ) -> Result<()> {
        self.request(
            "kv_compare_and_delete",
            t.args(
                Some(key),
                vec![(
                    "expected_revision",
                    Json::Int(expected_revision.min(i64::MAX as u64) as i64),
                )],
            ),
        )
        .await
        .map(|_| ())
    }

    /// `checkpoint_save` → `saved_at_ms`. `ttl_seconds` `None` = the gateway default (7 days).
    pub async fn checkpoint_save(
        &self,
        key: &str,
        data: &[u8],
        ttl_seconds: Option<u64>,
    ) -> Result<i64> {
        let mut m = vec![("key", Json::from(key)), ("data", bytes_json(data))];
        if let Some(t) = ttl_seconds {
            m.push(("ttl_seconds", Json::Int(t.min(i64::MAX as u64) as i64)));
        }
        let args = Json::Obj(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
        let v = self.request("checkpoint_save", args).await?;
        get_i64(&v, "saved_at_ms", 0)
    }

    /// `checkpoint_load` → `(data, saved_at_ms)`, or `NOT_FOUND`.
    pub async fn checkpoint_load(&self, key: &str) -> Result<(Vec<u8>, i64)> {
        let v = self
            .request("checkpoint_load", obj([("key", key.into())]))
            .await?;
        Ok((get_bytes(&v, "data")?, get_i64(&v, "saved_at_ms", 0)?))
    }

    /// `checkpoint_list` → keys in byte order.
    pub async fn checkpoint_list(&self) -> Result<Vec<String>> {
        let v = self.request("checkpoint_list", Json::Obj(vec![])).await?;
        Ok(v.get("keys")
            .and_then(Json::as_arr)
            .unwrap_or(&[])
            .iter()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect())
    }

    /// `checkpoint_delete` → whether it existed.
    pub async fn checkpoint_delete(&self, key: &str) -> Result<bool> {
        let v = self
            .request("checkpoint_delete", obj([("key", key.into())]))
            .await?;
        Ok(flag(&v, "deleted"))
    }
}
