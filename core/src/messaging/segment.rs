//! The segment rule of messaging (SEMANTICS-messaging §1.2): every variable part of an identity
//! or topic is 1–128 bytes, each in `[A-Za-z0-9._@+-]`. No trimming, case folding or
//! normalisation. The same rule yields `INVALID_IDENTITY` for identities and claims and
//! `INVALID_TOPIC` for topics and send targets.

use crate::error::{Error, ErrorCode, Result};

/// The longest segment, in bytes.
pub const MAX_SEGMENT_BYTES: usize = 128;

/// True iff `b` may appear in a segment.
#[inline]
pub fn is_segment_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'+' | b'-')
}

/// True iff `bytes` is a valid segment (the allow-list implies ASCII, hence valid UTF-8).
pub fn is_valid_segment(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes.len() <= MAX_SEGMENT_BYTES
        && bytes.iter().all(|&b| is_segment_byte(b))
}

/// `INVALID_IDENTITY` unless `segment` passes §1.2.
pub fn validate_segment(segment: &str) -> Result<()> {
    validate_segment_bytes(segment.as_bytes())
}

/// [`validate_segment`] over raw bytes (invalid UTF-8 is simply not in the allow-list).
pub fn validate_segment_bytes(segment: &[u8]) -> Result<()> {
    check(segment, ErrorCode::InvalidIdentity, "segment")
}

/// The segment check with the code the caller's context calls for (§1.2).
pub(crate) fn check(segment: &[u8], code: ErrorCode, what: &str) -> Result<()> {
    if is_valid_segment(segment) {
        return Ok(());
    }
    let reason = if segment.is_empty() {
        "segment_empty"
    } else if segment.len() > MAX_SEGMENT_BYTES {
        "segment_too_long"
    } else {
        "segment_invalid_byte"
    };
    Err(Error::with_reason(
        code,
        reason,
        format!(
            "{what} must be 1-{MAX_SEGMENT_BYTES} bytes of [A-Za-z0-9._@+-] (got {} bytes)",
            segment.len()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list() {
        assert!(validate_segment("alice@example.com").is_ok());
        assert!(validate_segment("a:b").is_err());
        assert!(validate_segment("").is_err());
        assert!(validate_segment_bytes(b"a\xffb").is_err());
        assert!(validate_segment(&"x".repeat(128)).is_ok());
        assert!(validate_segment(&"x".repeat(129)).is_err());
    }
}
