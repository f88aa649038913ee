//! Property tests of `warden_core::messaging`: parse/format round trips, totality on arbitrary
//! input (no panics), and invariants of the rate limiter, the KV revisions, the outbox and the
//! de-duplication window.

use proptest::prelude::*;
use std::sync::Arc;
use warden_core::engine::ManualClock;
use warden_core::messaging::nats::nats_escape;
use warden_core::messaging::*;

fn segment() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._@+-]{1,20}"
}

/// Arbitrary text biased towards the separator and the allow-list.
fn messy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("::".to_string()),
            Just(":".to_string()),
            Just("*".to_string()),
            "[a-z]{1,3}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..12,
    )
    .prop_map(|v| v.concat())
}

fn identity_text() -> impl Strategy<Value = String> {
    (0usize..8, segment(), segment(), segment()).prop_map(|(k, a, b, c)| match k {
        0 => format!("ag::{a}::{b}::{c}"),
        1 => format!("tu::{a}::{b}::{c}"),
        2 => format!("ta::{a}::{b}::{c}"),
        3 => format!("us::{a}::{b}"),
        4 => format!("sv::{a}::{b}"),
        5 => format!("br::{a}::{b}"),
        6 => format!("orc::{a}"),
        _ => format!("orc::{a}::{b}"),
    })
}

proptest! {
    #[test]
    fn identity_round_trip(s in identity_text()) {
        let id = parse_identity(&s).unwrap();
        prop_assert_eq!(id.canonical.as_deref(), Some(s.as_str()));
        prop_assert_eq!(id.to_string(), s.clone());
        prop_assert!(match_identity_pattern(&s, &s) || id.pooled);
        prop_assert!(match_identity_pattern("*", &s));
        if id.principal_type != PrincipalType::Orchestrator {
            // Every inbox identity is also a valid topic with the same NATS subject.
            prop_assert_eq!(id.own_topic.as_deref(), Some(s.as_str()));
            let t = validate_topic(&s).unwrap();
            prop_assert_eq!(t.delivery(), Delivery::Durable);
            let n = nats_encode(&s).unwrap();
            prop_assert_eq!(n.subject, nats::nats_identity_subject(&s).unwrap());
        }
        if id.pooled {
            let claim = parse_claim(&id.claim_form()).unwrap();
            let again = claim.with_pooled_id(id.pooled_id.as_deref().unwrap()).unwrap();
            prop_assert_eq!(again, id);
        } else {
            prop_assert_eq!(parse_claim(&s).unwrap(), id);
        }
    }

    #[test]
    fn parsers_are_total(s in messy(), p in messy()) {
        let _ = validate_segment(&s);
        let _ = parse_identity(&s);
        let _ = parse_claim(&s);
        let _ = match_identity_pattern(&p, &s);
        let _ = pattern::is_valid_identity_pattern(&p);
        let _ = nats::nats_identity_subject(&s);
        if let Ok(t) = validate_topic(&s) {
            prop_assert!(!s.is_empty() && s.len() <= 256);
            prop_assert_eq!(t.topic, s.clone());
            let n = nats_encode(&s).unwrap();
            prop_assert!(n.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
        } else {
            prop_assert!(nats_encode(&s).is_err());
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        let _ = validate_topic(&s);
        let _ = parse_identity(&s);
        let _ = parse_claim(&s);
        let _ = match_identity_pattern(&s, &s);
        let _ = parse_metric_payload(s.as_bytes());
        let _ = validate_segment_bytes(s.as_bytes());
    }

    #[test]
    fn nats_escape_is_injective(a in ".{0,12}", b in ".{0,12}") {
        prop_assume!(a != b);
        prop_assert_ne!(nats_escape(&a), nats_escape(&b));
    }

    #[test]
    fn send_check_is_total(
        sender in identity_text(),
        target in messy(),
        mt in prop::option::of("[A-Z_]{0,10}"),
        headers in prop::collection::vec(("[ -~]{0,10}", "[ -~]{0,10}"), 0..4),
        payload in prop::collection::vec(any::<u8>(), 0..64),
        obo in prop::option::of(segment()),
    ) {
        let id = parse_identity(&sender).unwrap();
        let grants = vec![Grant::new("*", "*", Right::Messaging)];
        let services = vec!["sv::a::b".to_string()];
        let mut ctx = SendContext::new(&id);
        ctx.grants = &grants;
        ctx.connected_services = &services;
        ctx.allow_on_behalf_of = true;
        let req = SendRequest {
            target: &target,
            message_type: mt.as_deref(),
            payload: &payload,
            headers: &headers,
            on_behalf_of: obo.as_deref(),
        };
        if let Ok(out) = send_check(&req, &ctx) {
            prop_assert!(validate_topic(&out.resolved_target).is_ok());
        }
    }

    #[test]
    fn send_targets_validate(ws in segment(), im in segment(), sp in prop::option::of(segment())) {
        let spec = sp.as_deref().unwrap_or("");
        for t in [
            SendTarget::Agent { workspace: &ws, implementation: &im, specifier: spec },
            SendTarget::Task { workspace: &ws, implementation: &im, unique_specifier: spec },
            SendTarget::Event { workspace: sp.as_deref() },
            SendTarget::Service { implementation: &im, specifier: ServiceSpecifier::Any },
        ] {
            if let Ok(topic) = send_target(&t) {
                prop_assert!(validate_topic(&topic).is_ok(), "{}", topic);
            }
        }
    }

    #[test]
    fn rate_limiter_never_over_admits(
        rate in 1u64..500,
        burst in 1u64..300,
        gaps in prop::collection::vec((0i64..50, 0u32..20), 1..40),
    ) {
        let mut b = SendRateLimiter::new(rate, burst, 0).unwrap();
        let (mut now, mut allowed) = (0i64, 0u64);
        for (gap, n) in gaps {
            now += gap;
            for _ in 0..n {
                match b.take(now) {
                    None => allowed += 1,
                    Some(ms) => prop_assert!(ms >= 1 && ms <= 1000_u64.div_ceil(rate)),
                }
            }
        }
        // At most the burst plus what the elapsed time refilled.
        prop_assert!(allowed as u128 * 1000 <= burst as u128 * 1000 + now as u128 * rate as u128);
    }

    #[test]
    fn kv_revisions_only_increase(ops in prop::collection::vec((0u8..6, "[ab]{1,2}", 0u64..3, 0i64..3000), 1..60)) {
        let clock = Arc::new(ManualClock::new(1_700_000_000_000));
        let mut kv = Kv::new(MemoryKvStore::new(), clock.clone());
        let caller = parse_identity("ag::ws::i::s").unwrap();
        let ns = kv_namespace(&caller, "workspace", None, None, &[]).unwrap();
        let mut last = 0u64;
        for (op, key, ttl, advance) in ops {
            clock.advance(advance);
            let wrote = match op {
                0 => kv.kv_put(&ns, &key, b"v", ttl).is_ok(),
                1 => {
                    let _ = kv.kv_delete(&ns, &key);
                    false
                }
                2 => kv.kv_increment(&ns, &key, 1, ttl).is_ok(),
                3 => kv.kv_set_if_absent(&ns, &key, b"v", ttl).is_ok_and(|r| r.0),
                4 => kv.kv_compare_and_set(&ns, &key, b"w", 0, ttl).is_ok(),
                _ => {
                    let _ = kv.kv_list(&ns, "", 1000, None);
                    false
                }
            };
            if let Ok(v) = kv.kv_get(&ns, &key) {
                if wrote {
                    prop_assert!(v.revision > last);
                    last = v.revision;
                } else {
                    prop_assert!(v.revision <= last);
                }
            } else {
                prop_assert!(!wrote);
            }
        }
        let page = kv.kv_list(&ns, "", 1000, None).unwrap();
        let keys: Vec<&str> = page.entries.iter().map(|e| e.key.as_str()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        prop_assert_eq!(keys, sorted);
    }

    #[test]
    fn outbox_is_bounded_and_ordered(limit in 1usize..6, script in prop::collection::vec(0u8..5, 0..40)) {
        let mut q = Outbox::new(limit);
        q.connected().unwrap();
        let mut next = 0;
        let mut transmitted: Vec<String> = Vec::new();
        for s in script {
            match s {
                0 | 1 => {
                    let id = format!("m{next}");
                    next += 1;
                    if let Ok(SendDisposition::Transmitted) = q.send(id.clone()) {
                        transmitted.push(id);
                    }
                }
                2 => q.connection_lost(),
                3 => {
                    if q.begin_flush().is_ok() {
                        transmitted.extend(q.complete_flush());
                    }
                }
                _ => {
                    let first = q.in_flight().next().map(str::to_string);
                    if let Some(id) = first {
                        q.acknowledge(&id);
                    }
                }
            }
            prop_assert!(q.len() <= limit);
        }
        // First transmissions happen in send order (resends repeat earlier ids only).
        let mut firsts: Vec<usize> = Vec::new();
        for id in &transmitted {
            let n: usize = id[1..].parse().unwrap();
            if !firsts.contains(&n) {
                firsts.push(n);
            }
        }
        let mut sorted = firsts.clone();
        sorted.sort();
        prop_assert_eq!(firsts, sorted);
    }

    #[test]
    fn dedup_surfaces_each_id_once_within_window(ids in prop::collection::vec("[a-e]", 0..40)) {
        let mut w = DedupWindow::new(5);
        let mut surfaced = Vec::new();
        for id in &ids {
            if w.observe(id) {
                surfaced.push(id.clone());
            }
        }
        let mut distinct = ids.clone();
        distinct.dedup();
        let mut seen = Vec::new();
        for id in &ids {
            if !seen.contains(id) {
                seen.push(id.clone());
            }
        }
        // With at most 5 distinct ids and a window of 5, each id surfaces exactly once.
        prop_assert_eq!(surfaced, seen);
    }

    #[test]
    fn backoff_delay_is_bounded(initial in 0.0f64..10.0, max in 0.0f64..100.0, n in 0u32..5000, r in -1.0f64..2.0) {
        let b = Backoff::new(initial, max).unwrap();
        let d = backoff_delay(&b, n, &mut || r);
        prop_assert!(d.is_finite() && d >= 0.0 && d <= 1.25 * max + 1e-9);
    }
}
