//! The hash-chained audit log (SEMANTICS-engine §14): one chain per workspace; each event's
//! `hash` is the SHA-256 (lower-case hex) of the JCS encoding of the event without `hash`.

#[cfg(test)]
use super::jcs::canonicalize;
use crate::json::Json;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The closed list of event kinds.
pub const KINDS: [&str; 17] = [
    "agent.created",
    "agent.revoked",
    "agent.enforcement_changed",
    "token.issued",
    "token.revoked",
    "session.opened",
    "session.closed",
    "decision",
    "decision.fail_open",
    "approval.created",
    "approval.approved",
    "approval.denied",
    "approval.rejected",
    "delegation.created",
    "delegation.revoked",
    "delegation.rejected",
    "policy.updated",
];

/// One audit event.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEvent {
    /// `evt_` id.
    pub event_id: String,
    /// 1, 2, 3 … without gaps, per workspace.
    pub seq: i64,
    /// Unix milliseconds.
    pub at: i64,
    /// One of [`KINDS`].
    pub kind: String,
    /// Who did it (`local`, an API key id, an agent id, a `decided_by`).
    pub actor: String,
    /// The primary id concerned.
    pub subject: String,
    /// Structured details (no floats).
    pub detail: Json,
    /// The previous event's hash (64 zeros for seq 1).
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl AuditEvent {
    fn body(&self, with_hash: bool) -> Json {
        let mut m = vec![
            ("event_id".to_string(), Json::Str(self.event_id.clone())),
            ("seq".to_string(), Json::Int(self.seq)),
            ("at".to_string(), Json::Int(self.at)),
            ("kind".to_string(), Json::Str(self.kind.clone())),
            ("actor".to_string(), Json::Str(self.actor.clone())),
            ("subject".to_string(), Json::Str(self.subject.clone())),
            ("detail".to_string(), self.detail.clone()),
            ("prev_hash".to_string(), Json::Str(self.prev_hash.clone())),
        ];
        if with_hash {
            m.push(("hash".to_string(), Json::Str(self.hash.clone())));
        }
        Json::Obj(m)
    }

    /// The event as JSON (with `hash`).
    pub fn to_json(&self) -> Json {
        self.body(true)
    }

    /// The JCS encoding written directly (members in sorted order), without building a value.
    fn canonical(&self, with_hash: bool) -> String {
        use super::jcs::{write, write_str};
        let mut out = String::with_capacity(1024);
        out.push_str("{\"actor\":");
        write_str(&self.actor, &mut out);
        out.push_str(",\"at\":");
        out.push_str(&self.at.to_string());
        out.push_str(",\"detail\":");
        write(&self.detail, &mut out);
        out.push_str(",\"event_id\":");
        write_str(&self.event_id, &mut out);
        if with_hash {
            out.push_str(",\"hash\":");
            write_str(&self.hash, &mut out);
        }
        out.push_str(",\"kind\":");
        write_str(&self.kind, &mut out);
        out.push_str(",\"prev_hash\":");
        write_str(&self.prev_hash, &mut out);
        out.push_str(",\"seq\":");
        out.push_str(&self.seq.to_string());
        out.push_str(",\"subject\":");
        write_str(&self.subject, &mut out);
        out.push('}');
        out
    }

    /// The hash this event should have.
    pub fn compute_hash(&self) -> String {
        hex(&Sha256::digest(self.canonical(false).as_bytes()))
    }

    /// The JCS line of an export (with `hash`, no trailing newline).
    pub fn export_line(&self) -> String {
        self.canonical(true)
    }

    /// Parses an event from JSON (an export line).
    pub fn from_json(v: &Json) -> Option<AuditEvent> {
        let s = |k: &str| v.get(k).and_then(Json::as_str).map(str::to_string);
        Some(AuditEvent {
            event_id: s("event_id")?,
            seq: v.get("seq")?.as_i64()?,
            at: v.get("at")?.as_i64()?,
            kind: s("kind")?,
            actor: s("actor")?,
            subject: s("subject")?,
            detail: v.get("detail")?.clone(),
            prev_hash: s("prev_hash")?,
            hash: s("hash")?,
        })
    }
}

fn hex(b: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(H[(x >> 4) as usize] as char);
        s.push(H[(x & 15) as usize] as char);
    }
    s
}

/// Result of a chain verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainCheck {
    /// True iff every event verified.
    pub ok: bool,
    /// Events checked.
    pub checked: i64,
    /// The first failing `seq` (None when ok).
    pub first_broken_seq: Option<i64>,
}

impl ChainCheck {
    /// As JSON.
    pub fn to_json(&self) -> Json {
        Json::Obj(vec![
            ("ok".into(), Json::Bool(self.ok)),
            ("checked".into(), Json::Int(self.checked)),
            (
                "first_broken_seq".into(),
                self.first_broken_seq.map(Json::Int).unwrap_or(Json::Null),
            ),
        ])
    }
}

/// Verifies a sequence of events: hashes, `prev_hash` links and `seq` continuity. A sequence
/// starting after seq 1 trusts its first `prev_hash`.
pub fn verify_events(events: &[AuditEvent]) -> ChainCheck {
    let mut prev: Option<(i64, &str)> = None;
    for (i, e) in events.iter().enumerate() {
        let broken = e.compute_hash() != e.hash
            || match prev {
                None => e.seq < 1 || (e.seq == 1 && e.prev_hash != GENESIS),
                Some((pseq, phash)) => e.seq != pseq + 1 || e.prev_hash != phash,
            };
        if broken {
            return ChainCheck {
                ok: false,
                checked: i as i64,
                first_broken_seq: Some(e.seq),
            };
        }
        prev = Some((e.seq, &e.hash));
    }
    ChainCheck {
        ok: true,
        checked: events.len() as i64,
        first_broken_seq: None,
    }
}

/// `verify_audit_export(jsonl)`: verifies an export; an unparsable line breaks the chain at the
/// seq that line should have had.
pub fn verify_audit_export(jsonl: &str) -> ChainCheck {
    let mut events = Vec::new();
    for (i, line) in jsonl.split('\n').filter(|l| !l.is_empty()).enumerate() {
        match Json::parse(line)
            .ok()
            .as_ref()
            .and_then(AuditEvent::from_json)
        {
            Some(e) => events.push(e),
            None => {
                let expected = events.last().map(|e: &AuditEvent| e.seq + 1).unwrap_or(1);
                let head = verify_events(&events);
                if !head.ok {
                    return head;
                }
                return ChainCheck {
                    ok: false,
                    checked: i as i64,
                    first_broken_seq: Some(expected),
                };
            }
        }
    }
    verify_events(&events)
}

/// One workspace's chain.
#[derive(Clone, Debug, Default)]
pub struct AuditChain {
    /// The events in seq order.
    pub events: Vec<AuditEvent>,
}

impl AuditChain {
    /// Appends an event, filling `seq`, `prev_hash` and `hash`.
    pub fn append(
        &mut self,
        event_id: String,
        at: i64,
        kind: &str,
        actor: &str,
        subject: &str,
        detail: Json,
    ) -> &AuditEvent {
        let (seq, prev_hash) = match self.events.last() {
            Some(l) => (l.seq + 1, l.hash.clone()),
            None => (1, GENESIS.to_string()),
        };
        let mut e = AuditEvent {
            event_id,
            seq,
            at,
            kind: kind.to_string(),
            actor: actor.to_string(),
            subject: subject.to_string(),
            detail,
            prev_hash,
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        self.events.push(e);
        self.events.last().expect("just pushed")
    }

    /// JSON Lines export from `since_seq`.
    pub fn export(&self, since_seq: i64) -> String {
        let mut out = String::new();
        for e in self.events.iter().filter(|e| e.seq >= since_seq) {
            out.push_str(&e.export_line());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> AuditChain {
        let mut c = AuditChain::default();
        for i in 0..n {
            c.append(
                format!("evt_{i}"),
                1000 + i as i64,
                "decision",
                "local",
                &format!("chk_{i}"),
                Json::Obj(vec![("n".into(), Json::Int(i as i64))]),
            );
        }
        c
    }

    #[test]
    fn detects_edit_drop_reorder() {
        let c = chain(5);
        assert!(verify_events(&c.events).ok);
        assert!(verify_audit_export(&c.export(1)).ok);
        assert!(
            verify_audit_export(&c.export(3)).ok,
            "a suffix trusts its first prev_hash"
        );
        let mut edited = c.events.clone();
        edited[2].actor = "mallory".into();
        assert_eq!(verify_events(&edited).first_broken_seq, Some(3));
        let mut dropped = c.events.clone();
        dropped.remove(1);
        assert_eq!(verify_events(&dropped).first_broken_seq, Some(3));
        let mut swapped = c.events.clone();
        swapped.swap(3, 4);
        assert_eq!(verify_events(&swapped).first_broken_seq, Some(5));
    }
}

#[cfg(test)]
mod canonical_tests {
    use super::*;
    #[test]
    fn direct_writer_equals_jcs_of_the_value() {
        let mut c = AuditChain::default();
        let d = Json::parse(
            r#"{"z":[1,{"b":"\u00e9\n","a":null}],"a":"x\"y","\u20ac":1,"\ud83d\ude00":2}"#,
        )
        .unwrap();
        let e = c
            .append("evt_1".into(), 5, "decision", "local", "chk_1", d)
            .clone();
        assert_eq!(e.canonical(false), canonicalize(&e.body(false)));
        assert_eq!(e.canonical(true), canonicalize(&e.body(true)));
    }
}
