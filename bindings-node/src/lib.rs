//! Placeholder: filled in by the bindings-node issue.
