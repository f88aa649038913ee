//! JWT tokens (SEMANTICS-tokens §3): [`Claims`], issuing, the [`Verifier`] and `inspect`.

mod claims;
mod issue;
mod verify;

pub use claims::{is_valid_jti, is_valid_sub, Claims, MAX_TIME, STANDARD_CLAIMS};
pub use issue::{
    canonical_claims, issue, issue_ati, now_seconds, sign_compact, uuid4, AtiIssueArgs,
};
pub use verify::{inspect, RevocationCheck, Verifier, VerifierOptions};
