//! Canonical unpadded base64url (RFC 7515 §2, SEMANTICS-tokens §3.3).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// Why a segment is not canonical unpadded base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum B64Error {
    /// A byte outside every base64 alphabet, an empty segment, or an impossible length.
    Malformed,
    /// Padding, the standard alphabet (`+`, `/`) or non-zero trailing bits.
    NonCanonical,
}

/// Encodes bytes as unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends unpadded base64url of `bytes` to `out`.
pub fn encode_into(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out)
}

/// Decodes canonical unpadded base64url.
pub fn decode(seg: &[u8]) -> Result<Vec<u8>, B64Error> {
    if seg.is_empty() {
        return Err(B64Error::Malformed);
    }
    for &c in seg {
        if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' {
            continue;
        }
        return Err(if matches!(c, b'=' | b'+' | b'/') { B64Error::NonCanonical } else { B64Error::Malformed });
    }
    if seg.len() % 4 == 1 {
        return Err(B64Error::Malformed);
    }
    URL_SAFE_NO_PAD.decode(seg).map_err(|_| B64Error::NonCanonical)
}

/// Decodes canonical base64url into a fixed-size array.
pub fn decode_exact<const N: usize>(seg: &str) -> Option<[u8; N]> {
    let v = decode(seg.as_bytes()).ok()?;
    v.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn canonical() {
        assert_eq!(decode(b"YQ"), Ok(b"a".to_vec()));
        assert_eq!(decode(b"YR"), Err(B64Error::NonCanonical));
        assert_eq!(decode(b"YQ=="), Err(B64Error::NonCanonical));
        assert_eq!(decode(b"Y"), Err(B64Error::Malformed));
        assert_eq!(decode(b"Y.Q"), Err(B64Error::Malformed));
        assert_eq!(decode(b"a+b/"), Err(B64Error::NonCanonical));
    }
}
