//! Input privacy (SEMANTICS-engine §12.3): what a Guard sends about a call's input.

/// `""` for empty input; otherwise `"[N chars]"` (N = Unicode code points) unless `log_inputs`,
/// in which case the first 200 code points. Invalid text has already become U+FFFD.
pub fn summarize_input(text: &str, log_inputs: bool) -> String {
    if text.is_empty() {
        return String::new();
    }
    if log_inputs {
        truncate_code_points(text, 200).to_string()
    } else {
        format!("[{} chars]", text.chars().count())
    }
}

/// [`summarize_input`] over bytes that may not be UTF-8 (replaced with U+FFFD first).
pub fn summarize_input_bytes(bytes: &[u8], log_inputs: bool) -> String {
    summarize_input(&String::from_utf8_lossy(bytes), log_inputs)
}

/// The first `n` code points of `s`.
pub fn truncate_code_points(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
