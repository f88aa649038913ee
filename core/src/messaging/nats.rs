//! NATS names for the multi-node mode (SEMANTICS-messaging §14, as the peer's codec): a subject
//! is the topic's parts joined by `.`, and every byte outside `[A-Za-z0-9-]` of a variable part
//! is written `_XX_` (upper-case hex). Consumer and KV names escape the whole topic the same way.

use super::identity::{parse_identity, SEPARATOR};
use super::topic::validate_topic;
use crate::error::Result;

/// The NATS forms of a topic.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NatsNames {
    /// The subject (`ag.ws.impl.spec`).
    pub subject: String,
    /// The consumer / KV name (`ag_3A__3A_ws_3A__3A_impl_3A__3A_spec`).
    pub name: String,
}

/// Escapes `s`: bytes outside `[A-Za-z0-9-]` become `_XX_` (upper-case hex).
pub fn nats_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(b as char);
        } else {
            out.push('_');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
            out.push('_');
        }
    }
    out
}

fn subject_of(text: &str) -> String {
    text.split(SEPARATOR)
        .enumerate()
        .map(|(i, p)| {
            if i == 0 {
                p.to_string()
            } else {
                nats_escape(p)
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The NATS subject and name of a valid topic; `INVALID_TOPIC` otherwise.
pub fn nats_encode(topic: &str) -> Result<NatsNames> {
    validate_topic(topic)?;
    Ok(NatsNames {
        subject: subject_of(topic),
        name: nats_escape(topic),
    })
}

/// The subject form of an identity (lock keys, §14: e.g. `sv.{impl}.{spec}`), from its canonical
/// form; `INVALID_IDENTITY` for an invalid identity.
pub fn nats_identity_subject(identity: &str) -> Result<String> {
    let id = parse_identity(identity)?;
    Ok(subject_of(id.canonical.as_deref().unwrap_or(identity)))
}
