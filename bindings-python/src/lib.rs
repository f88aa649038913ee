//! Placeholder: filled in by the bindings-python issue.
