//! Scope parsing and matching: arbitrary strings through the grammar, the matcher, coverage and
//! rate specs. Checks invariants, not just absence of panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use warden_core::scope::{allows, covers, is_concrete, is_valid_pattern};
use warden_core::*;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = RateSpec::parse(s);
    let parsed = parse_scopes(s);
    assert_eq!(parsed.is_ok(), is_valid_scope(s));
    let parts: Vec<&str> = s.split('\n').collect();
    let set = ScopeSet::lenient(&parts);
    for req in &parts {
        assert_eq!(set.allows(req), check_scope(req, &parts));
        if !is_concrete(req) {
            assert!(!set.allows(req));
        }
        for p in &parts {
            if covers(&[*p], req) {
                assert!(is_valid_pattern(p) && is_valid_pattern(req));
                if is_concrete(req) {
                    assert!(allows(p, req));
                }
            }
        }
    }
    let _ = build_scope_string(&parts, &parts, &parts);
});
