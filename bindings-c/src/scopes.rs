//! Scopes (SEMANTICS-tokens §4) and rate specs (§5). String lists travel as
//! `(data, lens, count)`: item `i` is the next `lens[i]` bytes of `data`.
//!
//! Boolean queries have no error out-parameter: they answer false for NULL or oversized
//! arguments, and treat non-UTF-8 text as an invalid scope (U+FFFD, which the grammar never
//! accepts), so the core gives the same answer as for any other invalid input.

use crate::ffi::{
    call, clear, handle, lossy, lossy_list, put, query, text, text_list, value, WardenBytes,
    WardenError,
};
use warden_core::json::Json;
use warden_core::{scope, RateSpec, ScopeSet};

/// A compiled set of scope patterns for hot paths. Thread-safe; free with
/// `warden_scope_set_free`.
pub struct WardenScopeSet(pub(crate) ScopeSet);

fn str_array(items: impl IntoIterator<Item = String>) -> WardenBytes {
    WardenBytes::from_string(Json::Arr(items.into_iter().map(Json::Str).collect()).to_compact())
}

/// `parse_scopes(claim)`: the tokens of a scope claim as a JSON array of strings (owned by the
/// caller); `INVALID_SCOPE` for an invalid claim.
///
/// # Safety
/// `(claim, claim_len)` readable; `tokens_json` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_parse_scopes(
    claim: *const u8,
    claim_len: usize,
    tokens_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(tokens_json, WardenBytes::NONE);
    call(err, || {
        put(
            tokens_json,
            str_array(warden_core::parse_scopes(text(claim, claim_len, "claim")?)?),
            "tokens_json",
        )
    })
}

/// `is_valid_scope(claim)`. Borrows its argument; nothing to free.
///
/// # Safety
/// `(claim, claim_len)` readable.
#[no_mangle]
pub unsafe extern "C" fn warden_is_valid_scope(claim: *const u8, claim_len: usize) -> bool {
    query(|| lossy(claim, claim_len).is_some_and(|c| warden_core::is_valid_scope(&c)))
}

/// `check_scope(required, granted)`: true iff some entry of `granted` allows `required`.
/// Borrows its arguments; nothing to free.
///
/// # Safety
/// `(required, required_len)` readable; the list as described in this module.
#[no_mangle]
pub unsafe extern "C" fn warden_check_scope(
    required: *const u8,
    required_len: usize,
    granted_data: *const u8,
    granted_lens: *const usize,
    granted_count: usize,
) -> bool {
    query(|| {
        match (
            lossy(required, required_len),
            lossy_list(granted_data, granted_lens, granted_count),
        ) {
            (Some(r), Some(g)) => warden_core::check_scope(&r, &g),
            _ => false,
        }
    })
}

/// `matches_wildcard(name, pattern)`. Borrows its arguments; nothing to free.
///
/// # Safety
/// Both `(ptr, len)` pairs readable.
#[no_mangle]
pub unsafe extern "C" fn warden_matches_wildcard(
    name: *const u8,
    name_len: usize,
    pattern: *const u8,
    pattern_len: usize,
) -> bool {
    query(
        || match (lossy(name, name_len), lossy(pattern, pattern_len)) {
            (Some(n), Some(p)) => warden_core::matches_wildcard(&n, &p),
            _ => false,
        },
    )
}

/// `covers(parents, child)`: true iff one parent pattern matches every concrete scope the
/// child pattern can match. Borrows its arguments; nothing to free.
///
/// # Safety
/// The list as described in this module; `(child, child_len)` readable.
#[no_mangle]
pub unsafe extern "C" fn warden_covers(
    parents_data: *const u8,
    parents_lens: *const usize,
    parents_count: usize,
    child: *const u8,
    child_len: usize,
) -> bool {
    query(|| {
        match (
            lossy_list(parents_data, parents_lens, parents_count),
            lossy(child, child_len),
        ) {
            (Some(p), Some(c)) => scope::covers(&p, &c),
            _ => false,
        }
    })
}

/// `build_scope_string(tools, skills, extra)` (owned by the caller); `VALIDATION_ERROR` when
/// the result would not be a valid scope claim.
///
/// # Safety
/// The three lists as described in this module; `scope` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_build_scope_string(
    tools_data: *const u8,
    tools_lens: *const usize,
    tools_count: usize,
    skills_data: *const u8,
    skills_lens: *const usize,
    skills_count: usize,
    extra_data: *const u8,
    extra_lens: *const usize,
    extra_count: usize,
    scope_out: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(scope_out, WardenBytes::NONE);
    call(err, || {
        let tools = text_list(tools_data, tools_lens, tools_count, "tools")?;
        let skills = text_list(skills_data, skills_lens, skills_count, "skills")?;
        let extra = text_list(extra_data, extra_lens, extra_count, "extra")?;
        put(
            scope_out,
            WardenBytes::from_string(warden_core::build_scope_string(&tools, &skills, &extra)?),
            "scope",
        )
    })
}

/// `ScopeSet(patterns)`, strict: `INVALID_SCOPE` for an ungrammatical pattern,
/// `VALIDATION_ERROR` for more than 64. On success `*out` is owned by the caller.
///
/// # Safety
/// The list as described in this module; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_scope_set_new(
    patterns_data: *const u8,
    patterns_lens: *const usize,
    patterns_count: usize,
    out: *mut *mut WardenScopeSet,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let p = text_list(patterns_data, patterns_lens, patterns_count, "patterns")?;
        put(
            out,
            Box::into_raw(Box::new(WardenScopeSet(ScopeSet::new(&p)?))),
            "out",
        )
    })
}

/// `ScopeSet` with `check_scope` semantics: invalid entries are kept in `patterns` but grant
/// nothing. On success `*out` is owned by the caller
/// (`warden_scope_set_free`).
///
/// # Safety
/// As `warden_scope_set_new`.
#[no_mangle]
pub unsafe extern "C" fn warden_scope_set_new_lenient(
    patterns_data: *const u8,
    patterns_lens: *const usize,
    patterns_count: usize,
    out: *mut *mut WardenScopeSet,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        let p = text_list(patterns_data, patterns_lens, patterns_count, "patterns")?;
        put(
            out,
            Box::into_raw(Box::new(WardenScopeSet(ScopeSet::lenient(&p)))),
            "out",
        )
    })
}

/// `ScopeSet.from_claim(claim)`: a set from a space-separated scope claim; `INVALID_SCOPE` for
/// an invalid claim. On success `*out` is owned by the caller
/// (`warden_scope_set_free`).
///
/// # Safety
/// `(claim, claim_len)` readable; `out` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_scope_set_from_claim(
    claim: *const u8,
    claim_len: usize,
    out: *mut *mut WardenScopeSet,
    err: *mut *mut WardenError,
) -> bool {
    clear(out, std::ptr::null_mut());
    call(err, || {
        put(
            out,
            Box::into_raw(Box::new(WardenScopeSet(ScopeSet::from_claim(text(
                claim, claim_len, "claim",
            )?)?))),
            "out",
        )
    })
}

/// `set.allows(required)`: the same answer as `check_scope(required, patterns)`. Borrows
/// `set`; false for NULL.
///
/// # Safety
/// `set` NULL or live; `(required, required_len)` readable.
#[no_mangle]
pub unsafe extern "C" fn warden_scope_set_allows(
    set: *const WardenScopeSet,
    required: *const u8,
    required_len: usize,
) -> bool {
    query(|| match (set.as_ref(), lossy(required, required_len)) {
        (Some(s), Some(r)) => s.0.allows(&r),
        _ => false,
    })
}

/// `set.covers(pattern)` (= `covers(patterns, pattern)`). Borrows `set`; false for NULL.
///
/// # Safety
/// As `warden_scope_set_allows`.
#[no_mangle]
pub unsafe extern "C" fn warden_scope_set_covers(
    set: *const WardenScopeSet,
    pattern: *const u8,
    pattern_len: usize,
) -> bool {
    query(|| match (set.as_ref(), lossy(pattern, pattern_len)) {
        (Some(s), Some(p)) => s.0.covers(&p),
        _ => false,
    })
}

/// The number of patterns (0 for NULL). Borrows `set`.
///
/// # Safety
/// `set` NULL or live.
#[no_mangle]
pub unsafe extern "C" fn warden_scope_set_len(set: *const WardenScopeSet) -> usize {
    value(0, || set.as_ref().map(|s| s.0.len()).unwrap_or(0))
}

/// `set.patterns()` as a JSON array of strings, owned by the caller.
///
/// # Safety
/// `set` NULL or live; `patterns_json` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_scope_set_patterns(
    set: *const WardenScopeSet,
    patterns_json: *mut WardenBytes,
    err: *mut *mut WardenError,
) -> bool {
    clear(patterns_json, WardenBytes::NONE);
    call(err, || {
        put(
            patterns_json,
            str_array(handle(set, "set")?.0.patterns().to_vec()),
            "patterns_json",
        )
    })
}

/// Frees a scope set. NULL-safe.
///
/// # Safety
/// `set` must be NULL or live, not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn warden_scope_set_free(set: *mut WardenScopeSet) {
    value((), || {
        if !set.is_null() {
            drop(Box::from_raw(set));
        }
    })
}

/// `RateSpec.parse(spec)`: `*count` and `*window_seconds` on success, `INVALID_RATE_SPEC`
/// otherwise. Borrows `spec`; the results are plain integers (nothing to free).
///
/// # Safety
/// `(spec, spec_len)` readable; `count`, `window_seconds` valid; `err` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn warden_rate_spec_parse(
    spec: *const u8,
    spec_len: usize,
    count: *mut u32,
    window_seconds: *mut u32,
    err: *mut *mut WardenError,
) -> bool {
    call(err, || {
        let r = RateSpec::parse(text(spec, spec_len, "spec")?)?;
        put(count, r.count, "count")?;
        put(window_seconds, r.window_seconds, "window_seconds")
    })
}
