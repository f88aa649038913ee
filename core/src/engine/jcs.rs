//! RFC 8785 (JCS) canonical JSON for the audit chain. Audit details hold no floats, so numbers
//! are integers; object members are sorted by their UTF-16 code units; strings escape only what
//! JSON requires (`"`, `\`, and control characters, with the short forms where they exist).

use crate::json::Json;
use std::fmt::Write as _;

/// The JCS encoding of `v`.
pub fn canonicalize(v: &Json) -> String {
    let mut out = String::with_capacity(256);
    write(v, &mut out);
    out
}

/// `v` with the members of every object in JCS order (the order an export line has), so an
/// event reads the same whether it comes from memory or from a store.
pub fn sort_members(v: Json) -> Json {
    match v {
        Json::Obj(m) => {
            let mut m: Vec<(String, Json)> =
                m.into_iter().map(|(k, x)| (k, sort_members(x))).collect();
            m.sort_by(|a, b| key_cmp(&a.0, &b.0));
            Json::Obj(m)
        }
        Json::Arr(a) => Json::Arr(a.into_iter().map(sort_members).collect()),
        other => other,
    }
}

/// Appends the JCS encoding of `v`.
pub fn write(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Json::BigInt(s) => out.push_str(s),
        Json::Float(f) => {
            // Not used by the audit log; ECMAScript-like shortest form for completeness.
            if f.fract() == 0.0 && f.abs() < 1e21 {
                let _ = write!(out, "{}", *f as i64);
            } else {
                let _ = write!(out, "{f}");
            }
        }
        Json::Str(s) => write_str(s, out),
        Json::Arr(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, out);
            }
            out.push(']');
        }
        Json::Obj(m) => {
            let mut members: Vec<&(String, Json)> = m.iter().collect();
            if members.iter().all(|(k, _)| k.bytes().all(|c| c < 0xEE)) {
                // Byte order equals UTF-16 order here (see `key_cmp`).
                members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            } else {
                members.sort_by(|a, b| key_cmp(&a.0, &b.0));
            }
            out.push('{');
            for (i, (k, x)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write(x, out);
            }
            out.push('}');
        }
    }
}

/// RFC 8785 orders member names by UTF-16 code units. UTF-8 byte order agrees with it except
/// between characters at or above U+E000 (surrogate pairs sort below U+E000–U+FFFF in UTF-16),
/// whose UTF-8 lead bytes are 0xEE and above.
pub fn key_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let plain = |s: &str| s.bytes().all(|c| c < 0xEE);
    if plain(a) && plain(b) {
        a.as_bytes().cmp(b.as_bytes())
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// Writes a JCS string literal.
pub fn write_str(s: &str, out: &mut String) {
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sorted_and_minimal() {
        let v =
            Json::parse(r#"{"b":1,"a":"é\n\u0001","\u20ac":null,"\ud83d\ude00":true}"#).unwrap();
        // UTF-16 order: U+20AC sorts before the surrogate pair of U+1F600.
        assert_eq!(
            canonicalize(&v),
            "{\"a\":\"é\\n\\u0001\",\"b\":1,\"€\":null,\"\u{1f600}\":true}"
        );
    }
}
