//! Message types, header rules and the configurable limits of sending
//! (SEMANTICS-messaging §5.1–§5.3; sent to clients in `welcome.limits`).

use crate::error::{Error, ErrorCode, Result};

/// The message types of §5.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// `CHAT`
    Chat,
    /// `CONTROL`
    Control,
    /// `TOOL_CALL`
    ToolCall,
    /// `EVENT`
    Event,
    /// `METRIC` (payload checked, §5.4)
    Metric,
    /// `OPAQUE` (the default)
    Opaque,
}

impl MessageType {
    /// Every type.
    pub const ALL: &'static [MessageType] = &[
        MessageType::Chat,
        MessageType::Control,
        MessageType::ToolCall,
        MessageType::Event,
        MessageType::Metric,
        MessageType::Opaque,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageType::Chat => "CHAT",
            MessageType::Control => "CONTROL",
            MessageType::ToolCall => "TOOL_CALL",
            MessageType::Event => "EVENT",
            MessageType::Metric => "METRIC",
            MessageType::Opaque => "OPAQUE",
        }
    }

    /// Parses the wire name (exact case); `VALIDATION_ERROR` / `unknown_message_type` otherwise.
    pub fn parse(s: &str) -> Result<MessageType> {
        MessageType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                Error::with_reason(
                    ErrorCode::ValidationError,
                    "unknown_message_type",
                    "message_type must be CHAT, CONTROL, TOOL_CALL, EVENT, METRIC or OPAQUE",
                )
            })
    }
}

/// The limits of §5.2/§5.3 (configurable; defaults as the text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessagingLimits {
    /// Topic length in bytes (256).
    pub max_topic_bytes: usize,
    /// Payload size in bytes (1 MiB).
    pub max_payload_bytes: usize,
    /// Header entries (64).
    pub max_headers: usize,
    /// Header key length in bytes (128).
    pub max_header_key_bytes: usize,
    /// Header value length in bytes (4096).
    pub max_header_value_bytes: usize,
}

impl Default for MessagingLimits {
    fn default() -> MessagingLimits {
        MessagingLimits {
            max_topic_bytes: 256,
            max_payload_bytes: 1024 * 1024,
            max_headers: 64,
            max_header_key_bytes: 128,
            max_header_value_bytes: 4096,
        }
    }
}

/// The reserved header-name prefix (any case, §4.3).
pub const RESERVED_HEADER_PREFIX: &str = "warden-";

fn header_error(reason: &'static str, message: String) -> Error {
    Error::with_reason(ErrorCode::ValidationError, reason, message)
}

/// Checks headers against §5.2 step 3 (also task metadata, §11): at most `max_headers`
/// entries; keys 1–`max_header_key_bytes` bytes of `[A-Za-z0-9._-]`, not starting with
/// `warden-` in any case; values at most `max_header_value_bytes` bytes. `VALIDATION_ERROR`.
pub fn validate_headers(headers: &[(String, String)], limits: &MessagingLimits) -> Result<()> {
    if headers.len() > limits.max_headers {
        return Err(header_error(
            "too_many_headers",
            format!("at most {} headers", limits.max_headers),
        ));
    }
    for (k, v) in headers {
        let kb = k.as_bytes();
        if kb.is_empty()
            || kb.len() > limits.max_header_key_bytes
            || !kb
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(header_error(
                "invalid_header_key",
                format!(
                    "header keys are 1-{} bytes of [A-Za-z0-9._-]",
                    limits.max_header_key_bytes
                ),
            ));
        }
        if kb.len() >= RESERVED_HEADER_PREFIX.len()
            && kb[..RESERVED_HEADER_PREFIX.len()]
                .eq_ignore_ascii_case(RESERVED_HEADER_PREFIX.as_bytes())
        {
            return Err(header_error(
                "reserved_header",
                "header names starting with warden- are reserved".to_string(),
            ));
        }
        if v.len() > limits.max_header_value_bytes {
            return Err(header_error(
                "header_value_too_large",
                format!(
                    "header values are at most {} bytes",
                    limits.max_header_value_bytes
                ),
            ));
        }
    }
    Ok(())
}
