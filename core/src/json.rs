//! A small, strict JSON value and parser, plus the compact ASCII writer Warden signs with.
//!
//! The parser implements RFC 8259 and the extra rules of SEMANTICS-tokens §3.3: no BOM, valid
//! UTF-8, no lone surrogates, no duplicate member names, no NaN/Infinity, a depth limit. Objects
//! keep member order (tokens are issued byte-for-byte like ati-client, rate maps keep insertion
//! order). The writer emits the same bytes as Python's `json.dumps(v, separators=(",", ":"))`.

use std::fmt::Write as _;

/// A JSON value. Objects are ordered lists of members (names are unique when parsed).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer literal that fits in `i64`.
    Int(i64),
    /// An integer literal outside `i64` (kept as its exact digits).
    BigInt(String),
    /// A number with a fraction or an exponent.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Json>),
    /// An object, members in document order.
    Obj(Vec<(String, Json)>),
}

/// Why a text is not acceptable JSON (mapped to `INVALID_TOKEN` reasons or `VALIDATION_ERROR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON at all (syntax, trailing data, NaN, control characters in strings …).
    Malformed,
    /// Not UTF-8, a BOM, or a lone surrogate escape.
    InvalidUnicode,
    /// An object repeats a member name.
    DuplicateMember,
    /// Nesting deeper than the limit.
    TooDeep,
}

impl JsonError {
    /// The `INVALID_TOKEN` reason of SEMANTICS-tokens §3.4 for this failure.
    pub fn token_reason(self) -> &'static str {
        match self {
            JsonError::Malformed => "malformed",
            JsonError::InvalidUnicode => "invalid_unicode",
            JsonError::DuplicateMember => "duplicate_member",
            JsonError::TooDeep => "json_too_deep",
        }
    }
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JsonError::Malformed => "malformed JSON",
            JsonError::InvalidUnicode => "invalid Unicode in JSON",
            JsonError::DuplicateMember => "duplicate member name in JSON object",
            JsonError::TooDeep => "JSON nested too deeply",
        })
    }
}

/// The default depth limit for JSON that is not a token (vectors, API arguments).
pub const DEFAULT_MAX_DEPTH: usize = 64;

impl Json {
    /// Parses `text` strictly with the given depth limit (a scalar has depth 0, `[]` depth 1).
    pub fn parse_with_depth(text: &[u8], max_depth: usize) -> Result<Json, JsonError> {
        if text.starts_with(b"\xEF\xBB\xBF") {
            return Err(JsonError::InvalidUnicode);
        }
        let Ok(src) = std::str::from_utf8(text) else {
            return Err(JsonError::InvalidUnicode);
        };
        let mut p = Parser {
            s: src,
            b: text,
            i: 0,
            max_depth,
        };
        p.ws();
        let v = p.value(0)?;
        p.ws();
        if p.i != p.b.len() {
            return Err(JsonError::Malformed);
        }
        Ok(v)
    }

    /// Parses `text` strictly with [`DEFAULT_MAX_DEPTH`].
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        Json::parse_with_depth(text.as_bytes(), DEFAULT_MAX_DEPTH)
    }

    /// The member `name` of an object (None for other kinds or a missing member).
    pub fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an integer literal that fits `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_obj(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Obj(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_arr(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// A short name of the kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Int(_) | Json::BigInt(_) => "integer",
            Json::Float(_) => "number",
            Json::Str(_) => "string",
            Json::Arr(_) => "array",
            Json::Obj(_) => "object",
        }
    }

    /// Compact JSON, non-ASCII escaped as `\uXXXX` (Python `json.dumps` with
    /// `separators=(",", ":")` and `ensure_ascii=True`).
    pub fn to_compact(&self) -> String {
        let mut s = String::with_capacity(64);
        self.write_compact(&mut s);
        s
    }

    /// Appends the compact form to `out`.
    pub fn write_compact(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::BigInt(s) => out.push_str(s),
            Json::Float(f) => write_float(*f, out),
            Json::Str(s) => write_str(s, out),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_compact(out);
                }
                out.push(']');
            }
            Json::Obj(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, out);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }
}

impl std::fmt::Display for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_compact())
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::Str(s.to_string())
    }
}
impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::Str(s)
    }
}
impl From<i64> for Json {
    fn from(i: i64) -> Json {
        Json::Int(i)
    }
}
impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}

/// Writes a JSON string literal with Python's `ensure_ascii` escaping.
pub fn write_str(s: &str, out: &mut String) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if PLAIN[b as usize] {
            i += 1;
            continue;
        }
        out.push_str(&s[start..i]);
        if b < 0x80 {
            escape_ascii(b, out);
            i += 1;
            start = i;
        } else {
            // Non-ASCII: the rest character by character (`\uXXXX`, UTF-16 units).
            write_str_chars(&s[i..], out);
            out.push('"');
            return;
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Bytes written as they are inside a JSON string: printable ASCII except `"` and `\`.
static PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        t[b] = b != b'"' as usize && b != b'\\' as usize;
        b += 1;
    }
    t
};

fn write_str_chars(s: &str, out: &mut String) {
    for c in s.chars() {
        if c.is_ascii() {
            let b = c as u8;
            if PLAIN[b as usize] {
                out.push(c);
            } else {
                escape_ascii(b, out);
            }
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{:04x}", u);
            }
        }
    }
}

fn escape_ascii(b: u8, out: &mut String) {
    match b {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        _ => {
            let _ = write!(out, "\\u{:04x}", b);
        }
    }
}

/// Python `repr(float)` for finite values (non-finite values are written as `null`).
fn write_float(f: f64, out: &mut String) {
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    // Shortest round-trip digits and decimal exponent from Rust's `{:e}`.
    let e = format!("{:e}", f);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = (exp + 1) as usize;
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
}

/// Decodes the `XXXX` (and, for a high surrogate, the following `\\uXXXX`) of a `\\u` escape
/// starting at `b[*i]` (just after `\\u`); advances `*i`. Lone or mis-paired surrogates are
/// `InvalidUnicode`. The one place both the parser and the scanner apply these rules.
fn unicode_escape(b: &[u8], i: &mut usize) -> Result<char, JsonError> {
    fn hex4(b: &[u8], i: &mut usize) -> Result<u16, JsonError> {
        let h = b.get(*i..*i + 4).ok_or(JsonError::Malformed)?;
        let mut v: u16 = 0;
        for &c in h {
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(JsonError::Malformed),
            };
            v = (v << 4) | d as u16;
        }
        *i += 4;
        Ok(v)
    }
    let u = hex4(b, i)?;
    let cp = if (0xD800..0xDC00).contains(&u) {
        if b.get(*i) == Some(&b'\\') && b.get(*i + 1) == Some(&b'u') {
            *i += 2;
            let lo = hex4(b, i)?;
            if !(0xDC00..0xE000).contains(&lo) {
                return Err(JsonError::InvalidUnicode);
            }
            0x10000 + (((u as u32) - 0xD800) << 10) + ((lo as u32) - 0xDC00)
        } else {
            return Err(JsonError::InvalidUnicode);
        }
    } else if (0xDC00..0xE000).contains(&u) {
        return Err(JsonError::InvalidUnicode);
    } else {
        u as u32
    };
    char::from_u32(cp).ok_or(JsonError::InvalidUnicode)
}

struct Parser<'a> {
    /// The input as text (validated UTF-8 once); slices at ASCII positions are char boundaries.
    s: &'a str,
    b: &'a [u8],
    i: usize,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    #[inline]
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn lit(&mut self, word: &[u8], v: Json) -> Result<Json, JsonError> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(JsonError::Malformed)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        match self.peek().ok_or(JsonError::Malformed)? {
            b'{' => {
                if depth + 1 > self.max_depth {
                    return Err(JsonError::TooDeep);
                }
                self.i += 1;
                let mut members: Vec<(String, Json)> = Vec::with_capacity(8);
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(JsonError::Malformed);
                    }
                    let k = self.string()?;
                    if members.iter().any(|(n, _)| *n == k) {
                        return Err(JsonError::DuplicateMember);
                    }
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(JsonError::Malformed);
                    }
                    self.i += 1;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    members.push((k, v));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(members));
                        }
                        _ => return Err(JsonError::Malformed),
                    }
                }
            }
            b'[' => {
                if depth + 1 > self.max_depth {
                    return Err(JsonError::TooDeep);
                }
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(JsonError::Malformed),
                    }
                }
            }
            b'"' => Ok(Json::Str(self.string()?)),
            b't' => self.lit(b"true", Json::Bool(true)),
            b'f' => self.lit(b"false", Json::Bool(false)),
            b'n' => self.lit(b"null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(JsonError::Malformed),
        }
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
            }
            _ => return Err(JsonError::Malformed),
        }
        let mut is_int = true;
        if self.peek() == Some(b'.') {
            is_int = false;
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(JsonError::Malformed);
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            is_int = false;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(JsonError::Malformed);
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        let text = self.s.get(start..self.i).ok_or(JsonError::Malformed)?;
        if is_int {
            match text.parse::<i64>() {
                Ok(i) => Ok(Json::Int(i)),
                Err(_) => Ok(Json::BigInt(text.to_string())),
            }
        } else {
            match text.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(Json::Float(f)),
                _ => Err(JsonError::Malformed),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        debug_assert_eq!(self.b[self.i], b'"');
        self.i += 1;
        let start = self.i;
        // Fast path: no escapes.
        match find_string_special(&self.b[self.i..]) {
            Some(off) => {
                self.i += off;
                match self.b[self.i] {
                    b'"' => {
                        // The whole input is valid UTF-8 and both ends sit on ASCII bytes.
                        let s = self.s.get(start..self.i).ok_or(JsonError::InvalidUnicode)?;
                        self.i += 1;
                        return Ok(s.to_string());
                    }
                    b'\\' => {}
                    _ => return Err(JsonError::Malformed),
                }
            }
            None => return Err(JsonError::Malformed),
        }
        let mut out = String::from(self.s.get(start..self.i).ok_or(JsonError::InvalidUnicode)?);
        loop {
            let c = *self.b.get(self.i).ok_or(JsonError::Malformed)?;
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    let e = *self.b.get(self.i).ok_or(JsonError::Malformed)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(unicode_escape(self.b, &mut self.i)?),
                        _ => return Err(JsonError::Malformed),
                    }
                }
                c if c < 0x20 => return Err(JsonError::Malformed),
                _ => {
                    // Copy one UTF-8 sequence (input already validated).
                    let len = utf8_len(c);
                    let end = self.i + len;
                    let s = self.s.get(self.i..end).ok_or(JsonError::InvalidUnicode)?;
                    out.push_str(s);
                    self.i = end;
                }
            }
        }
    }
}

#[inline]
fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness() {
        assert_eq!(
            Json::parse(r#"{"a":1,"a":2}"#),
            Err(JsonError::DuplicateMember)
        );
        assert_eq!(Json::parse(r#"{"a":NaN}"#), Err(JsonError::Malformed));
        assert_eq!(Json::parse(r#""\ud800""#), Err(JsonError::InvalidUnicode));
        assert_eq!(Json::parse(r#""\udc00x""#), Err(JsonError::InvalidUnicode));
        assert_eq!(Json::parse("\u{feff}{}"), Err(JsonError::InvalidUnicode));
        assert_eq!(Json::parse("{} x"), Err(JsonError::Malformed));
        assert_eq!(Json::parse("1e999"), Err(JsonError::Malformed));
        assert_eq!(Json::parse("01"), Err(JsonError::Malformed));
        assert_eq!(Json::parse("\"a\u{1}\""), Err(JsonError::Malformed));
        assert_eq!(
            Json::parse_with_depth(b"[[[]]]", 2),
            Err(JsonError::TooDeep)
        );
        assert!(Json::parse_with_depth(b"[[]]", 2).is_ok());
        assert_eq!(
            Json::parse_with_depth(b"\xff", 2),
            Err(JsonError::InvalidUnicode)
        );
        assert_eq!(Json::parse(r#""\ud83d\ude00""#), Ok(Json::Str("😀".into())));
        assert_eq!(
            Json::parse("99999999999999999999"),
            Ok(Json::BigInt("99999999999999999999".into()))
        );
    }

    #[test]
    fn python_compatible_output() {
        let v = Json::parse(
            r#"{"a":"é</>&\"\\\u0001\u007f","b":[1,2.5,1780003600.0,1e16,1e-5,0.0001]}"#,
        )
        .unwrap();
        assert_eq!(
            v.to_compact(),
            r#"{"a":"\u00e9</>&\"\\\u0001\u007f","b":[1,2.5,1780003600.0,1e+16,1e-05,0.0001]}"#
        );
        assert_eq!(Json::Str("😀".into()).to_compact(), r#""\ud83d\ude00""#);
    }
}

/// The first byte that ends the plain run of a JSON string (`"`, `\\` or a control
/// character). Works in 16-byte blocks so the compiler can vectorise the common case.
#[inline]
pub(crate) fn find_string_special(b: &[u8]) -> Option<usize> {
    let mut base = 0;
    let mut chunks = b.chunks_exact(16);
    for c in &mut chunks {
        let hit = c.iter().fold(false, |acc, &x| {
            acc | (x == b'"') | (x == b'\\') | (x < 0x20)
        });
        if hit {
            return c
                .iter()
                .position(|&x| x == b'"' || x == b'\\' || x < 0x20)
                .map(|p| base + p);
        }
        base += 16;
    }
    chunks
        .remainder()
        .iter()
        .position(|&x| x == b'"' || x == b'\\' || x < 0x20)
        .map(|p| base + p)
}

/// The kind of a scanned value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawKind {
    /// A string; `escaped` when it holds at least one backslash escape.
    Str {
        /// The literal contains escapes (decode before use).
        escaped: bool,
    },
    /// An integer literal.
    Int,
    /// A number with a fraction or exponent.
    Float,
    /// `true`/`false`.
    Bool,
    /// `null`.
    Null,
    /// An array.
    Arr,
    /// An object.
    Obj,
}

/// One top-level member of a scanned object: byte ranges into the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawMember {
    /// The key literal without its quotes (escaped form).
    pub key: std::ops::Range<usize>,
    /// The key contains escapes.
    pub key_escaped: bool,
    /// The whole value literal (strings include their quotes).
    pub value: std::ops::Range<usize>,
    /// The value's kind.
    pub kind: RawKind,
}

/// Validates `text` with exactly the rules of [`Json::parse_with_depth`] (same errors) without
/// building values, and returns the members of the top-level object (`Malformed` if the document
/// is not an object). Used on the verification hot path.
pub fn scan_object(text: &[u8], max_depth: usize) -> Result<Vec<RawMember>, JsonError> {
    if text.starts_with(b"\xEF\xBB\xBF") {
        return Err(JsonError::InvalidUnicode);
    }
    let Ok(src) = std::str::from_utf8(text) else {
        return Err(JsonError::InvalidUnicode);
    };
    scan_object_str(src, max_depth)
}

/// [`scan_object`] over text already known to be UTF-8 (a BOM is still refused).
pub fn scan_object_str(src: &str, max_depth: usize) -> Result<Vec<RawMember>, JsonError> {
    let text = src.as_bytes();
    if text.starts_with(b"\xEF\xBB\xBF") {
        return Err(JsonError::InvalidUnicode);
    }
    let mut s = Scanner {
        s: src,
        b: text,
        i: 0,
        max_depth,
    };
    s.ws();
    if s.peek() != Some(b'{') {
        // Still report the right error for non-object documents.
        let mut p = Parser {
            s: src,
            b: text,
            i: 0,
            max_depth,
        };
        p.ws();
        p.value(0)?;
        p.ws();
        return Err(JsonError::Malformed);
    }
    let mut top = Vec::with_capacity(12);
    s.object(0, Some(&mut top))?;
    s.ws();
    if s.i != s.b.len() {
        return Err(JsonError::Malformed);
    }
    Ok(top)
}

struct Scanner<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    max_depth: usize,
}

impl<'a> Scanner<'a> {
    #[inline]
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Scans a string literal; returns (inner range, escaped).
    fn string(&mut self) -> Result<(std::ops::Range<usize>, bool), JsonError> {
        self.i += 1;
        let start = self.i;
        let mut escaped = false;
        loop {
            let off = find_string_special(&self.b[self.i..]).ok_or(JsonError::Malformed)?;
            self.i += off;
            match self.b[self.i] {
                b'"' => {
                    let r = start..self.i;
                    self.i += 1;
                    return Ok((r, escaped));
                }
                b'\\' => {
                    escaped = true;
                    let e = *self.b.get(self.i + 1).ok_or(JsonError::Malformed)?;
                    self.i += 2;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            unicode_escape(self.b, &mut self.i)?;
                        }
                        _ => return Err(JsonError::Malformed),
                    }
                }
                _ => return Err(JsonError::Malformed),
            }
        }
    }

    fn key_text(
        &self,
        r: &std::ops::Range<usize>,
        escaped: bool,
    ) -> Result<std::borrow::Cow<'a, str>, JsonError> {
        let raw = self.s.get(r.clone()).ok_or(JsonError::InvalidUnicode)?;
        if !escaped {
            return Ok(std::borrow::Cow::Borrowed(raw));
        }
        let lit = self
            .s
            .get(r.start - 1..r.end + 1)
            .ok_or(JsonError::Malformed)?;
        match Json::parse_with_depth(lit.as_bytes(), 1)? {
            Json::Str(s) => Ok(std::borrow::Cow::Owned(s)),
            _ => Err(JsonError::Malformed),
        }
    }

    fn object(
        &mut self,
        depth: usize,
        mut top: Option<&mut Vec<RawMember>>,
    ) -> Result<(), JsonError> {
        if depth + 1 > self.max_depth {
            return Err(JsonError::TooDeep);
        }
        self.i += 1;
        // Duplicate detection without allocating for the usual small object of plain keys.
        let mut small: [&'a str; 16] = [""; 16];
        let mut n_small = 0usize;
        let mut keys: Vec<std::borrow::Cow<'a, str>> = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(JsonError::Malformed);
            }
            let (kr, kesc) = self.string()?;
            let k = self.key_text(&kr, kesc)?;
            match k {
                std::borrow::Cow::Borrowed(b) if keys.is_empty() && n_small < small.len() => {
                    if small[..n_small].contains(&b) {
                        return Err(JsonError::DuplicateMember);
                    }
                    small[n_small] = b;
                    n_small += 1;
                }
                k => {
                    if keys.is_empty() {
                        keys.extend(
                            small[..n_small]
                                .iter()
                                .map(|x| std::borrow::Cow::Borrowed(*x)),
                        );
                    }
                    if keys.contains(&k) {
                        return Err(JsonError::DuplicateMember);
                    }
                    keys.push(k);
                }
            }
            self.ws();
            if self.peek() != Some(b':') {
                return Err(JsonError::Malformed);
            }
            self.i += 1;
            self.ws();
            let vstart = self.i;
            let kind = self.value(depth + 1)?;
            if let Some(t) = top.as_deref_mut() {
                t.push(RawMember {
                    key: kr,
                    key_escaped: kesc,
                    value: vstart..self.i,
                    kind,
                });
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(JsonError::Malformed),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<RawKind, JsonError> {
        match self.peek().ok_or(JsonError::Malformed)? {
            b'{' => self.object(depth, None).map(|_| RawKind::Obj),
            b'[' => {
                if depth + 1 > self.max_depth {
                    return Err(JsonError::TooDeep);
                }
                self.i += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(RawKind::Arr);
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(RawKind::Arr);
                        }
                        _ => return Err(JsonError::Malformed),
                    }
                }
            }
            b'"' => self.string().map(|(_, escaped)| RawKind::Str { escaped }),
            b't' => self.lit(b"true", RawKind::Bool),
            b'f' => self.lit(b"false", RawKind::Bool),
            b'n' => self.lit(b"null", RawKind::Null),
            b'-' | b'0'..=b'9' => {
                // Reuse the value parser's number rules (validation and finiteness).
                let mut p = Parser {
                    s: self.s,
                    b: self.b,
                    i: self.i,
                    max_depth: self.max_depth,
                };
                let v = p.number()?;
                self.i = p.i;
                Ok(if matches!(v, Json::Float(_)) {
                    RawKind::Float
                } else {
                    RawKind::Int
                })
            }
            _ => Err(JsonError::Malformed),
        }
    }

    fn lit(&mut self, word: &[u8], k: RawKind) -> Result<RawKind, JsonError> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(k)
        } else {
            Err(JsonError::Malformed)
        }
    }
}

#[cfg(test)]
mod scan_tests {
    use super::*;

    #[test]
    fn scanner_agrees_with_parser() {
        for doc in [
            r#"{"a":1,"b":"x","c":[1,{"d":null}],"e":{"f":true}}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"{"a":{"b":1,"b":2}}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":NaN}"#,
            r#"{"a":1e999}"#,
            r#"{"a":1} x"#,
            "[1]",
            "\"s\"",
            r#"{"a":[[[[1]]]]}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":"\q"}"#,
            r#"{"k\"ey":"v\\al"}"#,
        ] {
            let p = Json::parse_with_depth(doc.as_bytes(), 4);
            let s = scan_object(doc.as_bytes(), 4);
            match (&p, &s) {
                (Ok(Json::Obj(m)), Ok(raw)) => assert_eq!(m.len(), raw.len(), "{doc}"),
                (Ok(_), Err(JsonError::Malformed)) => {}
                (Err(a), Err(b)) => assert_eq!(a, b, "{doc}"),
                _ => panic!("{doc}: parser {p:?} scanner {s:?}"),
            }
        }
    }
}
