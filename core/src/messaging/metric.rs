//! METRIC payloads (SEMANTICS-messaging §5.4): a UTF-8 JSON object
//! `{trace_id?, entries: [{name, kind?, qty}], metadata?, client_timestamp_ms?}` with 1–1024
//! entries, at most 64 metadata keys, non-empty names and finite quantities. Failures are
//! `VALIDATION_ERROR` with reason `metric_invalid`, `metric_empty` or `metric_invalid_entry`.

use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;

/// Most entries in one payload.
pub const MAX_METRIC_ENTRIES: usize = 1024;
/// Most metadata keys in one payload.
pub const MAX_METRIC_METADATA_KEYS: usize = 64;

/// One metric entry.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricEntry {
    /// Non-empty name.
    pub name: String,
    /// Optional kind.
    pub kind: Option<String>,
    /// Finite quantity (negative needs a `metric_credit` grant, §5.2 step 8).
    pub qty: f64,
}

/// A parsed METRIC payload.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricPayload {
    /// Optional trace id.
    pub trace_id: Option<String>,
    /// 1–1024 entries.
    pub entries: Vec<MetricEntry>,
    /// Up to 64 string pairs.
    pub metadata: Vec<(String, String)>,
    /// Optional client time.
    pub client_timestamp_ms: Option<i64>,
}

impl MetricPayload {
    /// True iff some entry has a negative quantity.
    pub fn has_negative_qty(&self) -> bool {
        self.entries.iter().any(|e| e.qty < 0.0)
    }
}

fn bad(reason: &'static str, message: &str) -> Error {
    Error::with_reason(ErrorCode::ValidationError, reason, message.to_string())
}

fn qty_of(v: &Json) -> Option<f64> {
    let q = match v {
        Json::Int(i) => *i as f64,
        Json::BigInt(digits) => digits.parse::<f64>().ok()?,
        Json::Float(f) => *f,
        _ => return None,
    };
    q.is_finite().then_some(q)
}

/// Parses and checks a METRIC payload (§5.4).
pub fn parse_metric_payload(payload: &[u8]) -> Result<MetricPayload> {
    let invalid = |m: &str| bad("metric_invalid", m);
    let doc = Json::parse_with_depth(payload, crate::json::DEFAULT_MAX_DEPTH)
        .map_err(|_| invalid("a METRIC payload is a UTF-8 JSON object"))?;
    let Json::Obj(members) = &doc else {
        return Err(invalid("a METRIC payload is a JSON object"));
    };
    let mut out = MetricPayload {
        trace_id: None,
        entries: Vec::new(),
        metadata: Vec::new(),
        client_timestamp_ms: None,
    };
    let mut saw_entries = false;
    for (k, v) in members {
        match k.as_str() {
            "trace_id" => {
                out.trace_id = Some(
                    v.as_str()
                        .ok_or_else(|| invalid("trace_id is a string"))?
                        .to_string(),
                )
            }
            "client_timestamp_ms" => {
                out.client_timestamp_ms = Some(
                    v.as_i64()
                        .ok_or_else(|| invalid("client_timestamp_ms is an integer"))?,
                )
            }
            "metadata" => {
                let m = v.as_obj().ok_or_else(|| invalid("metadata is an object"))?;
                if m.len() > MAX_METRIC_METADATA_KEYS {
                    return Err(invalid("at most 64 metadata keys"));
                }
                for (mk, mv) in m {
                    let s = mv
                        .as_str()
                        .ok_or_else(|| invalid("metadata values are strings"))?;
                    out.metadata.push((mk.clone(), s.to_string()));
                }
            }
            "entries" => {
                saw_entries = true;
                let arr = v.as_arr().ok_or_else(|| invalid("entries is an array"))?;
                if arr.len() > MAX_METRIC_ENTRIES {
                    return Err(invalid("at most 1024 entries"));
                }
                for e in arr {
                    out.entries.push(entry(e)?);
                }
            }
            _ => {}
        }
    }
    if !saw_entries || out.entries.is_empty() {
        return Err(bad("metric_empty", "a METRIC payload has 1-1024 entries"));
    }
    Ok(out)
}

fn entry(e: &Json) -> Result<MetricEntry> {
    let bad_entry = |m: &str| bad("metric_invalid_entry", m);
    let name = e
        .get("name")
        .and_then(Json::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| bad_entry("every entry has a non-empty string name"))?;
    let kind = match e.get("kind") {
        None | Some(Json::Null) => None,
        Some(k) => Some(
            k.as_str()
                .ok_or_else(|| bad_entry("kind is a string"))?
                .to_string(),
        ),
    };
    let qty = e
        .get("qty")
        .and_then(qty_of)
        .ok_or_else(|| bad_entry("every entry has a finite numeric qty"))?;
    Ok(MetricEntry {
        name: name.to_string(),
        kind,
        qty,
    })
}
