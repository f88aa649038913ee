"""Warden: AI-agent identity and authorization over one Rust core.

Everything here is implemented in ``warden._native`` (the PyO3 glue over ``warden-core``); this
module re-exports it, adds ati-client's ``AtiOrchestrator`` alias and stops the core runtime at
interpreter exit (``atexit``), which avoids the known PyO3/tokio exit crash.
"""

from __future__ import annotations

import atexit as _atexit

from . import _native
from ._native import (
    ActionDeniedError,
    AgentRevokedError,
    ApprovalExpiredError,
    AuthDeniedError,
    AuthFailedError,
    Claims,
    ConflictError,
    DelegationDeniedError,
    DelegationExpiredError,
    DelegationRevokedError,
    DisconnectedError,
    DuplicateIdentityError,
    ElevationRequiredError,
    GuardianUnavailableError,
    InternalError,
    InvalidIdentityError,
    InvalidKeyError,
    InvalidRateSpecError,
    InvalidScopeError,
    InvalidTokenError,
    InvalidTopicError,
    Key,
    KeySet,
    NetworkError,
    NotFoundError,
    Orchestrator,
    PayloadTooLargeError,
    PermissionDeniedError,
    QueueFullError,
    RateLimitedError,
    RateSpec,
    ScopeDeniedError,
    ScopeSet,
    SessionClosedError,
    TimeoutError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenRevokedError,
    ValidationError,
    Verifier,
    WardenError,
    build_scope_string,
    check_scope,
    covers,
    error_codes,
    inspect_token,
    is_valid_scope,
    issue_token,
    matches_wildcard,
    parse_scopes,
    session_token_from_env,
    validate_token,
    __version__,
)

#: ati-client's name for the orchestrator (same keywords: ``proxy_url``, ``secret``).
AtiOrchestrator = Orchestrator

#: The exception class of each core error code, e.g. ``ERROR_CLASSES["TOKEN_EXPIRED"]``.
ERROR_CLASSES: dict[str, type[WardenError]] = {
    cls.code: cls for cls in WardenError.__subclasses__() if cls.__module__ == "warden"
}

_atexit.register(_native._shutdown)

__all__ = [
    "ActionDeniedError",
    "AgentRevokedError",
    "ApprovalExpiredError",
    "AtiOrchestrator",
    "AuthDeniedError",
    "AuthFailedError",
    "Claims",
    "ConflictError",
    "DelegationDeniedError",
    "DelegationExpiredError",
    "DelegationRevokedError",
    "DisconnectedError",
    "DuplicateIdentityError",
    "ERROR_CLASSES",
    "ElevationRequiredError",
    "GuardianUnavailableError",
    "InternalError",
    "InvalidIdentityError",
    "InvalidKeyError",
    "InvalidRateSpecError",
    "InvalidScopeError",
    "InvalidTokenError",
    "InvalidTopicError",
    "Key",
    "KeySet",
    "NetworkError",
    "NotFoundError",
    "Orchestrator",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "QueueFullError",
    "RateLimitedError",
    "RateSpec",
    "ScopeDeniedError",
    "ScopeSet",
    "SessionClosedError",
    "TimeoutError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TokenRevokedError",
    "ValidationError",
    "Verifier",
    "WardenError",
    "build_scope_string",
    "check_scope",
    "covers",
    "error_codes",
    "inspect_token",
    "is_valid_scope",
    "issue_token",
    "matches_wildcard",
    "parse_scopes",
    "session_token_from_env",
    "validate_token",
    "__version__",
]
