//! Placeholder: filled in by the bindings-java issue.
