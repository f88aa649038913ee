//! The JSON wire format of the messaging WebSocket (`docs/protocol.md`, SEMANTICS-messaging §13),
//! shared by the gateway and the client core: frame parsing with size and depth bounds, error
//! objects, the delivered envelope, close codes. Bytes travel as unpadded base64url strings.

use super::envelope::MessageType;
use crate::error::{Error, ErrorCode, Result};
use crate::json::Json;

/// The protocol version sent in `hello`.
pub const PROTOCOL_VERSION: i64 = 1;
/// Frames larger than this close the connection (close code 1009).
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;
/// Deepest JSON nesting accepted in a frame.
pub const MAX_FRAME_DEPTH: usize = 16;
/// The endpoint path on the gateway.
pub const WS_PATH: &str = "/v1/messaging/ws";

/// WebSocket close codes used by the gateway (the `bye` frame before them carries the detail).
pub mod close_code {
    /// Normal closure (`bye` from either side).
    pub const NORMAL: u16 = 1000;
    /// The gateway is shutting down.
    pub const GOING_AWAY: u16 = 1001;
    /// A frame that is not a JSON object with a known `type`, or a protocol violation.
    pub const PROTOCOL: u16 = 1002;
    /// A frame over [`super::MAX_FRAME_BYTES`].
    pub const TOO_BIG: u16 = 1009;
    /// Gateway failure.
    pub const INTERNAL: u16 = 1011;
    /// `AUTH_FAILED` at the handshake, or the token expired (`auth_expired`).
    pub const AUTH_FAILED: u16 = 4001;
    /// `AUTH_DENIED` at the handshake.
    pub const AUTH_DENIED: u16 = 4003;
    /// `TIMEOUT`: no `hello` in time, or heartbeat timeout.
    pub const TIMEOUT: u16 = 4008;
    /// `DUPLICATE_IDENTITY` at the handshake.
    pub const DUPLICATE_IDENTITY: u16 = 4009;
    /// Displaced by a resume or a stale takeover (`taken_over`).
    pub const TAKEN_OVER: u16 = 4010;
    /// `INVALID_IDENTITY` or `VALIDATION_ERROR` in `hello`.
    pub const INVALID_HELLO: u16 = 4022;
}

/// The close code for a handshake error.
pub fn close_code_for(code: ErrorCode) -> u16 {
    match code {
        ErrorCode::AuthFailed => close_code::AUTH_FAILED,
        ErrorCode::AuthDenied => close_code::AUTH_DENIED,
        ErrorCode::DuplicateIdentity => close_code::DUPLICATE_IDENTITY,
        ErrorCode::Timeout => close_code::TIMEOUT,
        ErrorCode::Internal => close_code::INTERNAL,
        _ => close_code::INVALID_HELLO,
    }
}

/// Parses one text frame: a JSON object (≤ [`MAX_FRAME_BYTES`], depth ≤ [`MAX_FRAME_DEPTH`])
/// with a string `type`. Returns the type and the object. `VALIDATION_ERROR` otherwise.
pub fn parse_frame(text: &str) -> Result<(String, Json)> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(Error::with_reason(
            ErrorCode::ValidationError,
            "frame_too_large",
            "frame exceeds 4 MiB",
        ));
    }
    let v = Json::parse_with_depth(text.as_bytes(), MAX_FRAME_DEPTH).map_err(|e| {
        Error::with_reason(
            ErrorCode::ValidationError,
            "bad_frame",
            format!("frame is not JSON: {e}"),
        )
    })?;
    let t = v
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| {
            Error::with_reason(
                ErrorCode::ValidationError,
                "bad_frame",
                "frame has no string type",
            )
        })?
        .to_string();
    Ok((t, v))
}

/// An object from members.
pub fn obj<const N: usize>(members: [(&str, Json); N]) -> Json {
    Json::Obj(
        members
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

/// `value` as JSON, or null.
pub fn opt_str(v: Option<&str>) -> Json {
    v.map(Json::from).unwrap_or(Json::Null)
}

/// Bytes as an unpadded base64url string.
pub fn bytes_json(b: &[u8]) -> Json {
    Json::Str(crate::b64::encode(b))
}

/// Decodes the base64url member `name` of `args` (absent or null = empty).
pub fn get_bytes(args: &Json, name: &str) -> Result<Vec<u8>> {
    match args.get(name) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Str(s)) if s.is_empty() => Ok(Vec::new()),
        Some(Json::Str(s)) => crate::b64::decode(s.as_bytes())
            .map_err(|_| Error::validation(format!("{name} must be unpadded base64url"))),
        Some(_) => Err(Error::validation(format!("{name} must be a string"))),
    }
}

/// The string member `name`, if present and a string; `VALIDATION_ERROR` if of another type.
pub fn get_opt_str<'a>(args: &'a Json, name: &str) -> Result<Option<&'a str>> {
    match args.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s)),
        Some(_) => Err(Error::validation(format!("{name} must be a string"))),
    }
}

/// The required string member `name`.
pub fn get_str<'a>(args: &'a Json, name: &str) -> Result<&'a str> {
    get_opt_str(args, name)?.ok_or_else(|| Error::validation(format!("{name} is required")))
}

/// The integer member `name` (absent or null = `default`).
pub fn get_i64(args: &Json, name: &str, default: i64) -> Result<i64> {
    match args.get(name) {
        None | Some(Json::Null) => Ok(default),
        Some(Json::Int(i)) => Ok(*i),
        Some(_) => Err(Error::validation(format!("{name} must be an integer"))),
    }
}

/// The non-negative integer member `name` (absent or null = `default`).
pub fn get_u64(args: &Json, name: &str, default: u64) -> Result<u64> {
    match args.get(name) {
        None | Some(Json::Null) => Ok(default),
        Some(Json::Int(i)) if *i >= 0 => Ok(*i as u64),
        Some(_) => Err(Error::validation(format!(
            "{name} must be a non-negative integer"
        ))),
    }
}

/// A string map member (`headers`, `metadata`), in document order.
pub fn get_string_map(args: &Json, name: &str) -> Result<Vec<(String, String)>> {
    match args.get(name) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Obj(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Json::Str(s) => Ok((k.clone(), s.clone())),
                _ => Err(Error::validation(format!("{name} values must be strings"))),
            })
            .collect(),
        Some(_) => Err(Error::validation(format!("{name} must be an object"))),
    }
}

/// A string map as a JSON object.
pub fn string_map_json(m: &[(String, String)]) -> Json {
    Json::Obj(
        m.iter()
            .map(|(k, v)| (k.clone(), Json::Str(v.clone())))
            .collect(),
    )
}

/// The wire form of an error: `{code, message, reason?, retry_after_ms?, details?}`.
pub fn error_json(e: &Error) -> Json {
    let mut m = vec![
        ("code".to_string(), Json::from(e.code().as_str())),
        ("message".to_string(), Json::from(e.message())),
    ];
    if let Some(r) = e.reason() {
        m.push(("reason".into(), Json::from(r)));
    }
    if let Some(d) = e.details_json() {
        if let Some(ms) = d.get("retry_after_ms").and_then(Json::as_i64) {
            m.push(("retry_after_ms".into(), Json::Int(ms)));
        }
        m.push(("details".into(), d.clone()));
    }
    Json::Obj(m)
}

/// An error from its wire form (an unknown code becomes `INTERNAL`).
pub fn error_from_json(v: &Json) -> Error {
    let code = v
        .get("code")
        .and_then(Json::as_str)
        .and_then(ErrorCode::parse)
        .unwrap_or(ErrorCode::Internal);
    let message = v
        .get("message")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_string();
    let mut e = match v.get("reason").and_then(Json::as_str) {
        Some(r) => Error::with_reason(code, r.to_string(), message),
        None => Error::new(code, message),
    };
    if let Some(d) = v.get("details") {
        e = e.details(d.clone());
    } else if let Some(ms) = v.get("retry_after_ms").and_then(Json::as_i64) {
        e = e.details(obj([("retry_after_ms", Json::Int(ms))]));
    }
    e
}

/// A user reference (`on_behalf_of`).
pub fn principal_ref_json(user_id: Option<&str>) -> Json {
    match user_id {
        Some(u) => obj([("principal_type", "user".into()), ("id", u.into())]),
        None => Json::Null,
    }
}

/// A delivered message (the envelope of §5.1).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// ULID assigned by the gateway.
    pub message_id: String,
    /// Canonical identity of the sender.
    pub source: String,
    /// The topic, after `*` and `sv` ANY resolution.
    pub target: String,
    /// The message type.
    pub message_type: MessageType,
    /// The payload.
    pub payload: Vec<u8>,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// Target workspace, else the sender's home workspace, else none.
    pub workspace: Option<String>,
    /// Acceptance time (unix ms).
    pub timestamp_ms: i64,
    /// The user a service sent for.
    pub on_behalf_of: Option<String>,
    /// Delivered before without acknowledgement.
    pub redelivered: bool,
}

impl Message {
    /// The envelope members (without `type`).
    pub fn envelope_json(&self) -> Json {
        obj([
            ("message_id", self.message_id.as_str().into()),
            ("source", self.source.as_str().into()),
            ("target", self.target.as_str().into()),
            ("message_type", self.message_type.as_str().into()),
            ("payload", bytes_json(&self.payload)),
            ("headers", string_map_json(&self.headers)),
            ("workspace", opt_str(self.workspace.as_deref())),
            ("timestamp_ms", Json::Int(self.timestamp_ms)),
            (
                "on_behalf_of",
                principal_ref_json(self.on_behalf_of.as_deref()),
            ),
            ("redelivered", Json::Bool(self.redelivered)),
        ])
    }

    /// The `deliver` frame.
    pub fn deliver_frame(&self) -> Json {
        let mut m = vec![("type".to_string(), Json::from("deliver"))];
        if let Json::Obj(e) = self.envelope_json() {
            m.extend(e);
        }
        Json::Obj(m)
    }

    /// Reads an envelope (a `deliver` frame or a stored envelope).
    pub fn from_json(v: &Json) -> Result<Message> {
        Ok(Message {
            message_id: get_str(v, "message_id")?.to_string(),
            source: get_str(v, "source")?.to_string(),
            target: get_str(v, "target")?.to_string(),
            message_type: MessageType::parse(get_opt_str(v, "message_type")?.unwrap_or("OPAQUE"))?,
            payload: get_bytes(v, "payload")?,
            headers: get_string_map(v, "headers")?,
            workspace: get_opt_str(v, "workspace")?.map(str::to_string),
            timestamp_ms: get_i64(v, "timestamp_ms", 0)?,
            on_behalf_of: v
                .get("on_behalf_of")
                .and_then(|o| o.get("id"))
                .and_then(Json::as_str)
                .map(str::to_string),
            redelivered: v
                .get("redelivered")
                .and_then(Json::as_bool)
                .unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_errors_round_trip() {
        assert!(parse_frame("[]").is_err());
        assert!(parse_frame(&"[".repeat(40)).is_err());
        let (t, _) = parse_frame(r#"{"type":"ping","nonce":"1"}"#).unwrap();
        assert_eq!(t, "ping");
        let e = Error::with_reason(ErrorCode::RateLimited, "send_rate", "slow down")
            .details(obj([("retry_after_ms", Json::Int(10))]));
        let back = error_from_json(&error_json(&e));
        assert_eq!(back.code(), ErrorCode::RateLimited);
        assert_eq!(back.reason(), Some("send_rate"));
        let m = Message {
            message_id: "01".into(),
            source: "ag::w::i::s".into(),
            target: "ag::w::i::t".into(),
            message_type: MessageType::Chat,
            payload: b"\x00hi".to_vec(),
            headers: vec![("a".into(), "b".into())],
            workspace: Some("w".into()),
            timestamp_ms: 5,
            on_behalf_of: None,
            redelivered: true,
        };
        assert_eq!(Message::from_json(&m.deliver_frame()).unwrap(), m);
    }
}
