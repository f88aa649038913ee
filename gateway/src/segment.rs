//! The SQLite journal's on-disk unit: one row per commit round (a *segment*) holding every
//! journal entry of the batch and the audit records they wrote, in a compact binary form
//! compressed with LZ4. One B-tree insert per batch instead of two per operation, and about a
//! fifth of the bytes in the WAL: the audit lines of a batch repeat the same keys and ids.
//!
//! Layout (little-endian), before compression:
//! `entry*` where `entry = i64 seq, i64 at_ms, str op, str args, u8 has_actor, [str actor],
//! u32 n, n × (str workspace, i64 seq, str line)` and `str = u32 len, len bytes (UTF-8)`.

use warden_core::engine::{AuditRecord, JournalEntry};

/// Encodes and compresses a batch.
pub fn encode(entries: &[JournalEntry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * 1024);
    for e in entries {
        out.extend_from_slice(&e.seq.to_le_bytes());
        out.extend_from_slice(&e.at_ms.to_le_bytes());
        put_str(&mut out, &e.op);
        put_str(&mut out, &e.args);
        match &e.actor {
            Some(a) => {
                out.push(1);
                put_str(&mut out, a);
            }
            None => out.push(0),
        }
        out.extend_from_slice(&(e.audit.len() as u32).to_le_bytes());
        for r in &e.audit {
            put_str(&mut out, &r.workspace);
            out.extend_from_slice(&r.seq.to_le_bytes());
            put_str(&mut out, &r.line);
        }
    }
    lz4_flex::compress_prepend_size(&out)
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Decompresses and decodes a segment; `None` when it is corrupt.
pub fn decode(data: &[u8]) -> Option<Vec<JournalEntry>> {
    // A segment never holds more than a few MiB; refuse absurd sizes before allocating.
    if data.len() < 4 || u32::from_le_bytes(data[..4].try_into().ok()?) > 256 << 20 {
        return None;
    }
    let raw = lz4_flex::decompress_size_prepended(data).ok()?;
    let mut r = Reader { b: &raw, at: 0 };
    let mut out = Vec::new();
    while r.at < raw.len() {
        let seq = r.i64()?;
        let at_ms = r.i64()?;
        let op = r.str()?;
        let args = r.str()?;
        let actor = match r.u8()? {
            0 => None,
            1 => Some(r.str()?),
            _ => return None,
        };
        let n = r.u32()? as usize;
        let mut e = JournalEntry::new(seq, at_ms, &op, args, actor);
        for _ in 0..n {
            let workspace = r.str()?;
            let seq = r.i64()?;
            let line = r.str()?;
            e.audit.push(AuditRecord {
                workspace,
                seq,
                line,
            });
        }
        out.push(e);
    }
    Some(out)
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn str(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption() {
        let mut a = JournalEntry::new(7, 1_700_000_000_000, "check", "{\"x\":1}".into(), None);
        a.audit.push(AuditRecord {
            workspace: "default".into(),
            seq: 41,
            line: "{\"kind\":\"decision\",\"é\":\"\\n\"}".into(),
        });
        let b = JournalEntry::new(
            8,
            1_700_000_000_001,
            "create_agent",
            "{}".into(),
            Some("key_1".into()),
        );
        let data = encode(&[a.clone(), b.clone()]);
        assert_eq!(decode(&data), Some(vec![a, b]));
        assert_eq!(decode(&encode(&[])), Some(vec![]));
        // Truncated, bit-flipped, garbage and empty inputs are refused, never a panic.
        for cut in 0..data.len() {
            let _ = decode(&data[..cut]);
        }
        let mut flipped = data.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0x5a;
            let _ = decode(&flipped);
            flipped[i] ^= 0x5a;
        }
        assert_eq!(decode(&[]), None);
        assert_eq!(decode(&[0xff, 0xff, 0xff, 0xff, 1, 2]), None);
    }
}
