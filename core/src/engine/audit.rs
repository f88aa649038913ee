//! The hash-chained audit log (SEMANTICS-engine §14): one chain per workspace; each event's
//! `hash` is the SHA-256 (lower-case hex) of the JCS encoding of the event without `hash`.

#[cfg(test)]
use super::jcs::canonicalize;
use crate::json::Json;
use sha2::{Digest, Sha256};
use std::collections::VecDeque;

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

/// The `detail` of an audit event: a JSON object, or a decision kept as a record (the hot path
/// writes its JCS form directly instead of building a JSON value).
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    /// Any JSON object.
    Json(Json),
    /// A `decision` event: every Decision field, the delegation chain and, in supervised mode,
    /// the input summary.
    Decision(Box<DecisionDetail>),
}

/// The detail of a `decision` audit event.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionDetail {
    /// The decision.
    pub decision: super::model::Decision,
    /// Delegation IDs, root to leaf.
    pub delegation_chain: Vec<String>,
    /// Present in supervised mode only.
    pub input_summary: Option<String>,
}

impl From<Json> for Detail {
    fn from(v: Json) -> Detail {
        Detail::Json(v)
    }
}

impl Detail {
    /// The detail as a JSON object.
    pub fn to_json(&self) -> Json {
        match self {
            Detail::Json(v) => v.clone(),
            Detail::Decision(d) => {
                let mut m = match d.decision.to_json() {
                    Json::Obj(m) => m,
                    _ => Vec::new(),
                };
                m.push((
                    "delegation_chain".into(),
                    Json::Arr(
                        d.delegation_chain
                            .iter()
                            .map(|x| Json::Str(x.clone()))
                            .collect(),
                    ),
                ));
                if let Some(s) = &d.input_summary {
                    m.push(("input_summary".into(), Json::Str(s.clone())));
                }
                Json::Obj(m)
            }
        }
    }

    /// A string member (`agent_id`, `session_id` …) without building the JSON value.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match self {
            Detail::Json(v) => v.get(key).and_then(Json::as_str),
            Detail::Decision(d) => match key {
                "agent_id" => Some(d.decision.agent_id.as_str()),
                "session_id" => Some(d.decision.session_id.as_str()).filter(|s| !s.is_empty()),
                "check_id" => Some(d.decision.check_id.as_str()),
                "tool" => Some(d.decision.tool.as_str()),
                "code" => Some(d.decision.code.as_str()),
                "reason" => Some(d.decision.reason.as_str()),
                _ => None,
            },
        }
    }

    /// Appends the JCS encoding.
    pub fn write_jcs(&self, out: &mut String) {
        use super::jcs::{write, write_str};
        let Detail::Decision(d) = self else {
            if let Detail::Json(v) = self {
                write(v, out);
            }
            return;
        };
        let x = &d.decision;
        let opt = |out: &mut String, v: Option<&str>| match v {
            Some(s) => write_str(s, out),
            None => out.push_str("null"),
        };
        // Members in JCS (sorted) order.
        out.push_str("{\"agent_id\":");
        write_str(&x.agent_id, out);
        out.push_str(if x.allowed {
            ",\"allowed\":true"
        } else {
            ",\"allowed\":false"
        });
        out.push_str(",\"approval_id\":");
        opt(out, x.approval_id.as_deref());
        out.push_str(",\"check_id\":");
        write_str(&x.check_id, out);
        out.push_str(",\"code\":");
        write_str(&x.code, out);
        out.push_str(",\"decided_at\":");
        out.push_str(&x.decided_at.to_string());
        out.push_str(",\"delegation_chain\":[");
        for (i, c) in d.delegation_chain.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(c, out);
        }
        out.push_str("],\"effect\":");
        opt(out, x.effect.map(|e| e.as_str()));
        out.push_str(if x.enforced {
            ",\"enforced\":true"
        } else {
            ",\"enforced\":false"
        });
        if let Some(s) = &d.input_summary {
            out.push_str(",\"input_summary\":");
            write_str(s, out);
        }
        out.push_str(",\"matched_pattern\":");
        opt(out, x.matched_pattern.as_deref());
        out.push_str(",\"reason\":");
        write_str(&x.reason, out);
        out.push_str(",\"required_scope\":");
        opt(out, x.required_scope.as_deref());
        out.push_str(",\"retry_after_ms\":");
        match x.retry_after_ms {
            Some(v) => out.push_str(&v.to_string()),
            None => out.push_str("null"),
        }
        out.push_str(",\"rule_id\":");
        opt(out, x.rule_id.as_deref());
        out.push_str(",\"session_id\":");
        opt(out, Some(x.session_id.as_str()).filter(|s| !s.is_empty()));
        out.push_str(",\"source\":");
        write_str(&x.source, out);
        out.push_str(",\"tool\":");
        write_str(&x.tool, out);
        out.push('}');
    }
}

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
    pub detail: Detail,
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
            // Members in JCS order, as in the export line (and in a store).
            (
                "detail".to_string(),
                super::jcs::sort_members(self.detail.to_json()),
            ),
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
        self.canonical_split(with_hash).0
    }

    /// [`AuditEvent::canonical`] and the offset where `hash` goes (after `event_id`).
    fn canonical_split(&self, with_hash: bool) -> (String, usize) {
        use super::jcs::write_str;
        let mut out = String::with_capacity(1024);
        out.push_str("{\"actor\":");
        write_str(&self.actor, &mut out);
        out.push_str(",\"at\":");
        out.push_str(&self.at.to_string());
        out.push_str(",\"detail\":");
        self.detail.write_jcs(&mut out);
        out.push_str(",\"event_id\":");
        write_str(&self.event_id, &mut out);
        let split = out.len();
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
        (out, split)
    }

    /// Fills `hash`; with `line`, also returns the export line, from the same encoding.
    fn seal(&mut self, line: bool) -> Option<String> {
        let (body, split) = self.canonical_split(false);
        self.hash = hex(&Sha256::digest(body.as_bytes()));
        line.then(|| {
            let mut l = String::with_capacity(body.len() + 76);
            l.push_str(&body[..split]);
            l.push_str(",\"hash\":\"");
            l.push_str(&self.hash);
            l.push('"');
            l.push_str(&body[split..]);
            l
        })
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
            detail: Detail::Json(v.get("detail")?.clone()),
            prev_hash: s("prev_hash")?,
            hash: s("hash")?,
        })
    }

    /// Parses an export line.
    pub fn from_line(line: &str) -> Option<AuditEvent> {
        Json::parse(line)
            .ok()
            .as_ref()
            .and_then(AuditEvent::from_json)
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

/// Verifies events one at a time, in order (a chain read from a store need not fit in memory).
#[derive(Debug, Default)]
pub struct ChainVerifier {
    prev: Option<(i64, String)>,
    checked: i64,
    broken: Option<i64>,
}

impl ChainVerifier {
    /// A verifier for a chain starting at seq 1, or after it (trusting the first `prev_hash`).
    pub fn new() -> ChainVerifier {
        ChainVerifier::default()
    }

    /// Checks the next event; false once the chain is broken (later events are ignored).
    pub fn push(&mut self, e: &AuditEvent) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let broken = e.compute_hash() != e.hash
            || match &self.prev {
                None => e.seq < 1 || (e.seq == 1 && e.prev_hash != GENESIS),
                Some((pseq, phash)) => e.seq != pseq + 1 || &e.prev_hash != phash,
            };
        if broken {
            self.broken = Some(e.seq);
            return false;
        }
        self.checked += 1;
        self.prev = Some((e.seq, e.hash.clone()));
        true
    }

    /// Marks the chain broken at `seq` (an unreadable event).
    pub fn break_at(&mut self, seq: i64) {
        if self.broken.is_none() {
            self.broken = Some(seq);
        }
    }

    /// The seq the next event must have (1 for an empty chain).
    pub fn next_seq(&self) -> i64 {
        self.prev.as_ref().map(|p| p.0 + 1).unwrap_or(1)
    }

    /// The result.
    pub fn finish(&self) -> ChainCheck {
        ChainCheck {
            ok: self.broken.is_none(),
            checked: self.checked,
            first_broken_seq: self.broken,
        }
    }
}

/// Verifies a sequence of events: hashes, `prev_hash` links and `seq` continuity. A sequence
/// starting after seq 1 trusts its first `prev_hash`.
pub fn verify_events<'a>(events: impl IntoIterator<Item = &'a AuditEvent>) -> ChainCheck {
    let mut v = ChainVerifier::new();
    for e in events {
        if !v.push(e) {
            break;
        }
    }
    v.finish()
}

/// `verify_audit_export(jsonl)`: verifies an export; an unparsable line breaks the chain at the
/// seq that line should have had.
pub fn verify_audit_export(jsonl: &str) -> ChainCheck {
    let mut v = ChainVerifier::new();
    for line in jsonl.split('\n').filter(|l| !l.is_empty()) {
        match AuditEvent::from_line(line) {
            Some(e) => {
                if !v.push(&e) {
                    break;
                }
            }
            None => {
                let seq = v.next_seq();
                v.break_at(seq);
                break;
            }
        }
    }
    v.finish()
}

/// One workspace's chain. Every event is kept in memory unless the engine's store keeps the
/// audit log ([`super::store::Store::audit_memory`]); then only the newest events are, and the
/// older ones are read from the store.
#[derive(Clone, Debug, Default)]
pub struct AuditChain {
    /// The events held in memory, in seq order (the newest; all of them without a store that
    /// keeps the audit log).
    pub events: VecDeque<AuditEvent>,
    /// The journal seq of the operation that wrote each event in `events` (0 = replayed).
    jseqs: VecDeque<i64>,
    /// seq and hash of the newest event (in memory or not).
    last: Option<(i64, String)>,
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
        detail: impl Into<Detail>,
    ) -> &AuditEvent {
        self.append_journaled(event_id, at, kind, actor, subject, detail, 0, false)
            .0
    }

    /// [`AuditChain::append`] for an event written by journal entry `jseq`; with `with_line`,
    /// also returns its export line (for a store that keeps the audit log).
    #[allow(clippy::too_many_arguments)]
    pub fn append_journaled(
        &mut self,
        event_id: String,
        at: i64,
        kind: &str,
        actor: &str,
        subject: &str,
        detail: impl Into<Detail>,
        jseq: i64,
        with_line: bool,
    ) -> (&AuditEvent, Option<String>) {
        let (seq, prev_hash) = match self.last.take() {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS.to_string()),
        };
        let mut e = AuditEvent {
            event_id,
            seq,
            at,
            kind: kind.to_string(),
            actor: actor.to_string(),
            subject: subject.to_string(),
            detail: detail.into(),
            prev_hash,
            hash: String::new(),
        };
        let line = e.seal(with_line);
        self.last = Some((seq, e.hash.clone()));
        self.events.push_back(e);
        self.jseqs.push_back(jseq);
        (self.events.back().expect("just pushed"), line)
    }

    /// The seq of the newest event (0 when empty).
    pub fn last_seq(&self) -> i64 {
        self.last.as_ref().map(|l| l.0).unwrap_or(0)
    }

    /// The seq of the oldest event held in memory (`last_seq() + 1` when none is).
    pub fn first_in_memory(&self) -> i64 {
        self.events
            .front()
            .map(|e| e.seq)
            .unwrap_or(self.last_seq() + 1)
    }

    /// Drops the oldest events from memory while more than `keep` are held, but only those
    /// written by journal entries up to `durable` (the store has them).
    pub fn trim(&mut self, keep: usize, durable: i64) {
        while self.events.len() > keep && self.jseqs.front().is_some_and(|j| *j <= durable) {
            self.events.pop_front();
            self.jseqs.pop_front();
        }
    }

    /// JSON Lines export from `since_seq` (of the events in memory).
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
        let mut edited: Vec<AuditEvent> = c.events.iter().cloned().collect();
        edited[2].actor = "mallory".into();
        assert_eq!(verify_events(&edited).first_broken_seq, Some(3));
        let mut dropped: Vec<AuditEvent> = c.events.iter().cloned().collect();
        dropped.remove(1);
        assert_eq!(verify_events(&dropped).first_broken_seq, Some(3));
        let mut swapped: Vec<AuditEvent> = c.events.iter().cloned().collect();
        swapped.swap(3, 4);
        assert_eq!(verify_events(&swapped).first_broken_seq, Some(5));
    }
}

#[cfg(test)]
mod canonical_tests {
    use super::*;
    #[test]
    fn decision_detail_writer_equals_jcs_of_the_value() {
        use super::super::model::Decision;
        use super::super::Effect;
        for (summary, chain, sid) in [
            (None, vec![], "ses_1"),
            (
                Some("[3 chars]".to_string()),
                vec!["dlg_1".to_string(), "dlg_\"2".to_string()],
                "",
            ),
        ] {
            let d = Decision {
                check_id: "chk_1".into(),
                allowed: false,
                code: "RATE_LIMITED".into(),
                reason: "rate_limit".into(),
                enforced: true,
                source: "engine".into(),
                agent_id: "agt_é".into(),
                session_id: sid.into(),
                tool: "db:query".into(),
                effect: Some(Effect::Read),
                required_scope: Some("tool:db:query".into()),
                matched_pattern: None,
                rule_id: None,
                approval_id: Some("apr_1".into()),
                retry_after_ms: Some(40000),
                decided_at: 1767225600000,
            };
            let det = Detail::Decision(Box::new(DecisionDetail {
                decision: d,
                delegation_chain: chain,
                input_summary: summary,
            }));
            let mut direct = String::new();
            det.write_jcs(&mut direct);
            assert_eq!(direct, canonicalize(&det.to_json()));
        }
    }

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
        let mut sealed = e.clone();
        assert_eq!(sealed.seal(true).as_deref(), Some(e.export_line().as_str()));
        assert_eq!(sealed.hash, e.hash);
        assert_eq!(e.canonical(true), canonicalize(&e.body(true)));
    }
}
