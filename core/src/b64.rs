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

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends unpadded base64url of `bytes` to a byte buffer (the token builders' hot path: one
/// reservation, no intermediate buffer).
pub fn encode_into_vec(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let full = bytes.len() / 3;
    let tail = match bytes.len() % 3 {
        0 => 0,
        1 => 2,
        _ => 3,
    };
    out.resize(start + full * 4 + tail, 0);
    let (body, rest) = out[start..].split_at_mut(full * 4);
    for (c, o) in bytes.chunks_exact(3).zip(body.chunks_exact_mut(4)) {
        let n = (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32;
        o[0] = ALPHABET[(n >> 18) as usize & 63];
        o[1] = ALPHABET[(n >> 12) as usize & 63];
        o[2] = ALPHABET[(n >> 6) as usize & 63];
        o[3] = ALPHABET[n as usize & 63];
    }
    match bytes[full * 3..] {
        [a] => {
            rest[0] = ALPHABET[(a >> 2) as usize];
            rest[1] = ALPHABET[((a & 3) << 4) as usize];
        }
        [a, b] => {
            rest[0] = ALPHABET[(a >> 2) as usize];
            rest[1] = ALPHABET[(((a & 3) << 4) | (b >> 4)) as usize];
            rest[2] = ALPHABET[((b & 15) << 2) as usize];
        }
        _ => {}
    }
}

const INVALID: u8 = 0xff;

/// base64url alphabet value of each byte, `INVALID` elsewhere.
static DECODE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decodes canonical unpadded base64url (table-driven; tokens are short and hot).
pub fn decode(seg: &[u8]) -> Result<Vec<u8>, B64Error> {
    let mut out = Vec::new();
    decode_into(seg, &mut out)?;
    Ok(out)
}

/// [`decode`] appending to `out` (one allocation of the exact size, none if `out` has room).
pub fn decode_into(seg: &[u8], out: &mut Vec<u8>) -> Result<(), B64Error> {
    if seg.is_empty() || seg.len() % 4 == 1 {
        return Err(classify(seg).unwrap_or(B64Error::Malformed));
    }
    let start = out.len();
    let full = seg.len() / 4;
    out.reserve_exact(full * 3 + (seg.len() % 4).saturating_sub(1));
    out.resize(start + full * 3, 0);
    let mut chunks = seg.chunks_exact(4);
    for (c, o) in (&mut chunks).zip(out[start..].chunks_exact_mut(3)) {
        let (a, b, cc, d) = (
            DECODE[c[0] as usize],
            DECODE[c[1] as usize],
            DECODE[c[2] as usize],
            DECODE[c[3] as usize],
        );
        if (a | b | cc | d) & 0xc0 != 0 {
            out.truncate(start);
            return Err(classify(seg).unwrap_or(B64Error::Malformed));
        }
        let n = (a as u32) << 18 | (b as u32) << 12 | (cc as u32) << 6 | d as u32;
        o[0] = (n >> 16) as u8;
        o[1] = (n >> 8) as u8;
        o[2] = n as u8;
    }
    let rem = chunks.remainder();
    let mut vals = [0u8; 3];
    for (v, &c) in vals.iter_mut().zip(rem) {
        *v = DECODE[c as usize];
        if *v == INVALID {
            out.truncate(start);
            return Err(classify(seg).unwrap_or(B64Error::Malformed));
        }
    }
    let r = match rem.len() {
        0 => Ok(()),
        2 if vals[1] & 0x0f != 0 => Err(B64Error::NonCanonical),
        2 => {
            out.push(vals[0] << 2 | vals[1] >> 4);
            Ok(())
        }
        3 if vals[2] & 0x03 != 0 => Err(B64Error::NonCanonical),
        3 => {
            out.extend_from_slice(&[vals[0] << 2 | vals[1] >> 4, vals[1] << 4 | vals[2] >> 2]);
            Ok(())
        }
        _ => Err(B64Error::Malformed),
    };
    if r.is_err() {
        out.truncate(start);
    }
    r
}

/// The reason a segment with a byte outside the base64url alphabet fails (None if all are in it).
fn classify(seg: &[u8]) -> Option<B64Error> {
    seg.iter()
        .find(|&&c| DECODE[c as usize] == INVALID)
        .map(|&c| {
            if matches!(c, b'=' | b'+' | b'/') {
                B64Error::NonCanonical
            } else {
                B64Error::Malformed
            }
        })
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
        assert_eq!(decode(b""), Err(B64Error::Malformed));
        for n in 0..64usize {
            let data: Vec<u8> = (0..n as u8).map(|i| i.wrapping_mul(37)).collect();
            if n > 0 {
                assert_eq!(decode(encode(&data).as_bytes()).unwrap(), data);
            }
            let mut v = b"x.".to_vec();
            encode_into_vec(&data, &mut v);
            assert_eq!(&v[2..], encode(&data).as_bytes(), "{n}");
        }
    }
}
