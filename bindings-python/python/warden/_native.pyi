"""Type stubs of ``warden._native`` (hand-written; checked by ``python -m mypy.stubtest``)."""

from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, ClassVar, TypeVar, final

_F = TypeVar("_F", bound=Callable[..., Any])

__version__: str
__all__ = [
    "__version__",
    "WardenError",
    "ValidationError",
    "InvalidKeyError",
    "InvalidTokenError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TokenRevokedError",
    "InvalidScopeError",
    "InvalidRateSpecError",
    "AuthFailedError",
    "AuthDeniedError",
    "PermissionDeniedError",
    "ScopeDeniedError",
    "ActionDeniedError",
    "ElevationRequiredError",
    "AgentRevokedError",
    "DelegationDeniedError",
    "DelegationRevokedError",
    "DelegationExpiredError",
    "NotFoundError",
    "ConflictError",
    "SessionClosedError",
    "ApprovalExpiredError",
    "DuplicateIdentityError",
    "InvalidIdentityError",
    "InvalidTopicError",
    "PayloadTooLargeError",
    "RateLimitedError",
    "QueueFullError",
    "InternalError",
    "GuardianUnavailableError",
    "NetworkError",
    "DisconnectedError",
    "TimeoutError",
    "Key",
    "KeySet",
    "Claims",
    "Verifier",
    "ScopeSet",
    "RateSpec",
    "Orchestrator",
    "error_codes",
    "issue_token",
    "validate_token",
    "inspect_token",
    "parse_scopes",
    "is_valid_scope",
    "build_scope_string",
    "check_scope",
    "matches_wildcard",
    "covers",
    "session_token_from_env",
    "Engine",
    "Client",
    "Decision",
    "Guard",
    "resolve_effect",
    "tool_words",
    "summarize_input",
    "verify_audit_export",
    "_shutdown",
]

# ---- errors -----------------------------------------------------------------------------------

class WardenError(Exception):
    """Base class of every Warden error."""

    code: str
    reason: str | None
    details: Any
    message: str
    decision: dict[str, Any] | None

class ValidationError(WardenError):
    """code ``VALIDATION_ERROR``"""

class InvalidKeyError(WardenError):
    """code ``INVALID_KEY``"""

class InvalidTokenError(WardenError):
    """code ``INVALID_TOKEN``"""

class TokenExpiredError(WardenError):
    """code ``TOKEN_EXPIRED``"""

class TokenNotYetValidError(WardenError):
    """code ``TOKEN_NOT_YET_VALID``"""

class TokenRevokedError(WardenError):
    """code ``TOKEN_REVOKED``"""

class InvalidScopeError(WardenError):
    """code ``INVALID_SCOPE``"""

class InvalidRateSpecError(WardenError):
    """code ``INVALID_RATE_SPEC``"""

class AuthFailedError(WardenError):
    """code ``AUTH_FAILED``"""

class AuthDeniedError(WardenError):
    """code ``AUTH_DENIED``"""

class PermissionDeniedError(WardenError):
    """code ``PERMISSION_DENIED``"""

class ScopeDeniedError(WardenError):
    """code ``SCOPE_DENIED``"""

class ActionDeniedError(WardenError):
    """code ``ACTION_DENIED``"""

class ElevationRequiredError(WardenError):
    """code ``ELEVATION_REQUIRED``"""

class AgentRevokedError(WardenError):
    """code ``AGENT_REVOKED``"""

class DelegationDeniedError(WardenError):
    """code ``DELEGATION_DENIED``"""

class DelegationRevokedError(WardenError):
    """code ``DELEGATION_REVOKED``"""

class DelegationExpiredError(WardenError):
    """code ``DELEGATION_EXPIRED``"""

class NotFoundError(WardenError):
    """code ``NOT_FOUND``"""

class ConflictError(WardenError):
    """code ``CONFLICT``"""

class SessionClosedError(WardenError):
    """code ``SESSION_CLOSED``"""

class ApprovalExpiredError(WardenError):
    """code ``APPROVAL_EXPIRED``"""

class DuplicateIdentityError(WardenError):
    """code ``DUPLICATE_IDENTITY``"""

class InvalidIdentityError(WardenError):
    """code ``INVALID_IDENTITY``"""

class InvalidTopicError(WardenError):
    """code ``INVALID_TOPIC``"""

class PayloadTooLargeError(WardenError):
    """code ``PAYLOAD_TOO_LARGE``"""

class RateLimitedError(WardenError):
    """code ``RATE_LIMITED``"""

class QueueFullError(WardenError):
    """code ``QUEUE_FULL``"""

class InternalError(WardenError):
    """code ``INTERNAL``"""

class GuardianUnavailableError(WardenError):
    """code ``GUARDIAN_UNAVAILABLE``"""

class NetworkError(WardenError):
    """code ``NETWORK_ERROR``"""

class DisconnectedError(WardenError):
    """code ``DISCONNECTED``"""

class TimeoutError(WardenError):
    """code ``TIMEOUT``"""

def error_codes() -> list[str]: ...

# ---- keys -------------------------------------------------------------------------------------

@final
class Key:
    @staticmethod
    def hs256_hex(secret_hex: str, kid: str | None = None) -> Key: ...
    @staticmethod
    def hs256_bytes(secret: bytes, kid: str | None = None) -> Key: ...
    @staticmethod
    def generate_ed25519(kid: str | None = None) -> Key: ...
    @staticmethod
    def generate_es256(kid: str | None = None) -> Key: ...
    @staticmethod
    def from_jwk(jwk: str | Mapping[str, Any]) -> Key: ...
    @staticmethod
    def from_pem(pem: str, kid: str | None = None) -> Key: ...
    @property
    def alg(self) -> str: ...
    @property
    def kid(self) -> str | None: ...
    @property
    def has_private(self) -> bool: ...
    def public_jwk(self) -> str: ...
    def to_jwk(self, include_private: bool = False) -> str: ...
    def to_pem(self, include_private: bool = False) -> str: ...
    def public_key(self) -> Key: ...

@final
class KeySet:
    def __new__(cls, keys: Key | str | Iterable[Key] | KeySet) -> KeySet: ...
    @staticmethod
    def from_jwks(jwks: str | Mapping[str, Any]) -> KeySet: ...
    @staticmethod
    async def fetch(url: str, ttl_seconds: int = 300) -> KeySet: ...
    async def refresh(self) -> None: ...
    def keys(self) -> list[Key]: ...
    def get(self, kid: str) -> Key | None: ...
    def to_public_jwks(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    def __len__(self) -> int: ...

# ---- tokens -----------------------------------------------------------------------------------

@final
class Claims:
    def __new__(cls, claims: Mapping[str, Any]) -> Claims: ...
    @property
    def sub(self) -> str | None: ...
    @property
    def aud(self) -> str | list[Any] | None: ...
    @property
    def audience(self) -> str | None: ...
    @property
    def iat(self) -> int | None: ...
    @property
    def exp(self) -> int | None: ...
    @property
    def nbf(self) -> int | None: ...
    @property
    def jti(self) -> str | None: ...
    @property
    def iss(self) -> str | None: ...
    @property
    def scope(self) -> str | None: ...
    @property
    def ati(self) -> dict[str, Any] | None: ...
    @property
    def extra(self) -> dict[str, Any]: ...
    def scopes(self) -> list[str]: ...
    def rate_limits(self) -> dict[str, RateSpec]: ...
    def allows(self, required: str) -> bool: ...
    def get(self, name: str, default: Any = None) -> Any: ...
    def __getitem__(self, key: str, /) -> Any: ...
    def __contains__(self, key: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def keys(self) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class Verifier:
    def __new__(
        cls,
        keys: Key | str | Iterable[Key] | KeySet,
        options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Verifier: ...
    def verify(self, token: str | bytes) -> Claims: ...
    def revoke(self, jti: str) -> None: ...
    def is_revoked(self, jti: str) -> bool: ...

def issue_token(
    secret: str | Key,
    sub: str | Mapping[str, Any] | Claims,
    scope: str | None = None,
    ttl_seconds: int = 3600,
    aud: str = "ati-proxy",
    iss: str | None = "ati-orchestrator",
    jti: str | None = None,
    rate: Mapping[str, str] | None = None,
    *,
    now: int | None = None,
) -> str: ...
def validate_token(
    token: str | bytes,
    secret: str,
    audience: str = "ati-proxy",
    issuer: str | None = None,
    leeway: int = 60,
    *,
    now: int | None = None,
) -> Claims: ...
def inspect_token(token: str | bytes) -> Claims: ...

# ---- scopes and rate specs --------------------------------------------------------------------

def parse_scopes(claim: str) -> list[str]: ...
def is_valid_scope(claim: str) -> bool: ...
def build_scope_string(
    tools: Iterable[str] | None = None,
    skills: Iterable[str] | None = None,
    extra: Iterable[str] | None = None,
) -> str: ...
def check_scope(required: str, granted: Iterable[str]) -> bool: ...
def matches_wildcard(name: str, pattern: str) -> bool: ...
def covers(parents: Iterable[str], child: str) -> bool: ...

@final
class ScopeSet:
    def __new__(cls, patterns: Iterable[str], *, strict: bool = False) -> ScopeSet: ...
    @staticmethod
    def from_claim(claim: str) -> ScopeSet: ...
    def allows(self, required: str) -> bool: ...
    def covers(self, pattern: str) -> bool: ...
    def patterns(self) -> list[str]: ...
    def __contains__(self, key: str, /) -> bool: ...
    def __len__(self) -> int: ...

@final
class RateSpec:
    @staticmethod
    def parse(spec: str) -> RateSpec: ...
    @property
    def count(self) -> int: ...
    @property
    def window_seconds(self) -> int: ...
    def window_ms(self) -> int: ...
    def is_looser_than(self, other: RateSpec) -> bool: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

# ---- provisioning -----------------------------------------------------------------------------

@final
class Orchestrator:
    def __new__(
        cls,
        proxy_url: str,
        key_or_secret: str | Key | None = None,
        default_aud: str | None = None,
        default_iss: str | None = None,
        *,
        secret: str | Key | None = None,
    ) -> Orchestrator: ...
    @property
    def proxy_url(self) -> str: ...
    def provision_sandbox(
        self,
        agent_id: str,
        tools: Iterable[str] | None = None,
        skills: Iterable[str] | None = None,
        extra_scopes: Iterable[str] | None = None,
        ttl_seconds: int = 3600,
        rate: Mapping[str, str] | None = None,
        *,
        now: int | None = None,
        jti: str | None = None,
    ) -> dict[str, str]: ...

def session_token_from_env(name: str = "ATI_SESSION_TOKEN") -> str: ...

# ---- engine, client, guard (SEMANTICS-engine) -----------------------------------------------

@final
class Engine:
    def __new__(cls, config: Mapping[str, Any] | None = None, clock_ms: int | None = None) -> Engine: ...
    def advance(self, ms: int) -> None: ...
    def now_ms(self) -> int: ...
    @property
    def manual_clock(self) -> bool: ...
    @property
    def strict_mode(self) -> bool: ...
    def call(self, op: str, args: Mapping[str, Any] | None = None) -> Any: ...
    def jwks(self) -> str: ...

@final
class Decision:
    @property
    def check_id(self) -> str: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def code(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def enforced(self) -> bool: ...
    @property
    def source(self) -> str: ...
    @property
    def agent_id(self) -> str: ...
    @property
    def session_id(self) -> str | None: ...
    @property
    def tool(self) -> str: ...
    @property
    def effect(self) -> str | None: ...
    @property
    def required_scope(self) -> str | None: ...
    @property
    def matched_pattern(self) -> str | None: ...
    @property
    def rule_id(self) -> str | None: ...
    @property
    def approval_id(self) -> str | None: ...
    @property
    def retry_after_ms(self) -> int | None: ...
    @property
    def decided_at(self) -> int: ...
    @property
    def proceed(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def to_error(self) -> WardenError: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

_Args = Mapping[str, Any] | None

@final
class Client:
    @staticmethod
    def local(engine: Engine | None = None) -> Client: ...
    @staticmethod
    def with_engine(engine: Engine) -> Client: ...
    @staticmethod
    def connect(
        url: str,
        api_key: str,
        *,
        timeout_ms: int | None = None,
        connect_timeout_ms: int | None = None,
        retries: int | None = None,
        ca_pem: str | None = None,
        client_cert_pem: str | None = None,
        client_key_pem: str | None = None,
    ) -> Client: ...
    @property
    def is_remote(self) -> bool: ...
    def set_fault(self, fault: str | None) -> None: ...
    def now_ms(self) -> int: ...
    def call(self, op: str, args: Mapping[str, Any] | None = None) -> Any: ...
    def check(
        self,
        agent_id: str,
        session_id: str | None,
        tool: str,
        input_summary: str = "",
        effect: str | None = None,
    ) -> Decision: ...
    async def wait_for_decision(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def create_agent(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def get_agent(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def revoke_agent(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def issue_token(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def introspect_token(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def revoke_token(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def init_session(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def approve(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def deny(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def get_approval(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def list_approvals(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def create_delegation(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def revoke_delegation(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def delegation_token(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def set_policy(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def query_audit(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def verify_chain(self, args: _Args = None, /, **kwargs: Any) -> dict[str, Any]: ...
    def export_audit(self, args: _Args = None, /, **kwargs: Any) -> str: ...

@final
class Guard:
    def __new__(
        cls,
        client: Client,
        agent_id: str,
        *,
        session_id: str | None = None,
        block_on_deny: bool = True,
        fail_open: bool = False,
        default_effect: str | None = None,
        log_inputs: bool = False,
        strict_mode: bool | None = None,
        flush_timer: bool = True,
    ) -> Guard: ...
    def check(self, tool: str, input_summary: str = "", effect: str | None = None) -> Decision: ...
    def admit(self, tool: str, effect: str | None = None) -> Decision: ...
    def report(self, tool: str, success: bool, duration_ms: int, error_type: str | None = None) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...
    def stats(self) -> dict[str, int]: ...
    @property
    def session_id(self) -> str | None: ...
    @property
    def agent_id(self) -> str: ...
    @property
    def client(self) -> Client: ...
    def protect(self, tool: str | None = None, effect: str | None = None) -> Callable[[_F], _F]: ...
    def __enter__(self) -> Guard: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> bool: ...

def resolve_effect(tool: str, effect: str | None = None) -> str: ...
def tool_words(tool: str) -> list[str]: ...
def summarize_input(text: str, log_inputs: bool = False) -> str: ...
def verify_audit_export(jsonl: str) -> dict[str, Any]: ...
def _shutdown() -> None: ...
