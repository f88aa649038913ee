"use strict";
// Hand-written: the Warden error classes and the conversion of native errors into them.
//
// napi async functions cannot carry a custom error code, so the native layer (src/error.rs,
// src/fast.rs) puts `WARDEN_ERROR {"code","message","reason"?,"details"?}` in the message of
// every error, sync or async; `fromNative` turns it into the subclass for that code.
// One subclass per code of the core's `error_codes()`; test/errors.test.mjs checks the list.
Object.defineProperty(exports, "__esModule", { value: true });
exports.ERROR_CLASSES = exports.TimeoutError = exports.DisconnectedError = exports.NetworkError = exports.GuardianUnavailableError = exports.InternalError = exports.QueueFullError = exports.RateLimitedError = exports.PayloadTooLargeError = exports.InvalidTopicError = exports.InvalidIdentityError = exports.DuplicateIdentityError = exports.ApprovalExpiredError = exports.SessionClosedError = exports.ConflictError = exports.NotFoundError = exports.DelegationExpiredError = exports.DelegationRevokedError = exports.DelegationDeniedError = exports.AgentRevokedError = exports.ElevationRequiredError = exports.ActionDeniedError = exports.ScopeDeniedError = exports.PermissionDeniedError = exports.AuthDeniedError = exports.AuthFailedError = exports.InvalidRateSpecError = exports.InvalidScopeError = exports.TokenRevokedError = exports.TokenNotYetValidError = exports.TokenExpiredError = exports.InvalidTokenError = exports.InvalidKeyError = exports.ValidationError = exports.WardenError = void 0;
exports.fromNative = fromNative;
exports.call = call;
/** The base class of every Warden error: a stable `code`, an optional stable `reason` and
 * optional structured `details`. `message` is human text and not stable. */
class WardenError extends Error {
    /** The stable UPPER_SNAKE code. */
    code;
    /** The stable snake_case reason, if any. */
    reason;
    /** Structured details, if any. */
    details;
    constructor(code, message, options = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = new.target.name;
        this.code = code;
        this.reason = options.reason;
        this.details = options.details;
    }
}
exports.WardenError = WardenError;
/** `VALIDATION_ERROR` */
class ValidationError extends WardenError {
    static code = 'VALIDATION_ERROR';
    constructor(message, options) {
        super('VALIDATION_ERROR', message, options);
    }
}
exports.ValidationError = ValidationError;
/** `INVALID_KEY` */
class InvalidKeyError extends WardenError {
    static code = 'INVALID_KEY';
    constructor(message, options) {
        super('INVALID_KEY', message, options);
    }
}
exports.InvalidKeyError = InvalidKeyError;
/** `INVALID_TOKEN` */
class InvalidTokenError extends WardenError {
    static code = 'INVALID_TOKEN';
    constructor(message, options) {
        super('INVALID_TOKEN', message, options);
    }
}
exports.InvalidTokenError = InvalidTokenError;
/** `TOKEN_EXPIRED` */
class TokenExpiredError extends WardenError {
    static code = 'TOKEN_EXPIRED';
    constructor(message, options) {
        super('TOKEN_EXPIRED', message, options);
    }
}
exports.TokenExpiredError = TokenExpiredError;
/** `TOKEN_NOT_YET_VALID` */
class TokenNotYetValidError extends WardenError {
    static code = 'TOKEN_NOT_YET_VALID';
    constructor(message, options) {
        super('TOKEN_NOT_YET_VALID', message, options);
    }
}
exports.TokenNotYetValidError = TokenNotYetValidError;
/** `TOKEN_REVOKED` */
class TokenRevokedError extends WardenError {
    static code = 'TOKEN_REVOKED';
    constructor(message, options) {
        super('TOKEN_REVOKED', message, options);
    }
}
exports.TokenRevokedError = TokenRevokedError;
/** `INVALID_SCOPE` */
class InvalidScopeError extends WardenError {
    static code = 'INVALID_SCOPE';
    constructor(message, options) {
        super('INVALID_SCOPE', message, options);
    }
}
exports.InvalidScopeError = InvalidScopeError;
/** `INVALID_RATE_SPEC` */
class InvalidRateSpecError extends WardenError {
    static code = 'INVALID_RATE_SPEC';
    constructor(message, options) {
        super('INVALID_RATE_SPEC', message, options);
    }
}
exports.InvalidRateSpecError = InvalidRateSpecError;
/** `AUTH_FAILED` */
class AuthFailedError extends WardenError {
    static code = 'AUTH_FAILED';
    constructor(message, options) {
        super('AUTH_FAILED', message, options);
    }
}
exports.AuthFailedError = AuthFailedError;
/** `AUTH_DENIED` */
class AuthDeniedError extends WardenError {
    static code = 'AUTH_DENIED';
    constructor(message, options) {
        super('AUTH_DENIED', message, options);
    }
}
exports.AuthDeniedError = AuthDeniedError;
/** `PERMISSION_DENIED` */
class PermissionDeniedError extends WardenError {
    static code = 'PERMISSION_DENIED';
    constructor(message, options) {
        super('PERMISSION_DENIED', message, options);
    }
}
exports.PermissionDeniedError = PermissionDeniedError;
/** `SCOPE_DENIED` */
class ScopeDeniedError extends WardenError {
    static code = 'SCOPE_DENIED';
    constructor(message, options) {
        super('SCOPE_DENIED', message, options);
    }
}
exports.ScopeDeniedError = ScopeDeniedError;
/** `ACTION_DENIED` */
class ActionDeniedError extends WardenError {
    static code = 'ACTION_DENIED';
    constructor(message, options) {
        super('ACTION_DENIED', message, options);
    }
}
exports.ActionDeniedError = ActionDeniedError;
/** `ELEVATION_REQUIRED` */
class ElevationRequiredError extends WardenError {
    static code = 'ELEVATION_REQUIRED';
    constructor(message, options) {
        super('ELEVATION_REQUIRED', message, options);
    }
}
exports.ElevationRequiredError = ElevationRequiredError;
/** `AGENT_REVOKED` */
class AgentRevokedError extends WardenError {
    static code = 'AGENT_REVOKED';
    constructor(message, options) {
        super('AGENT_REVOKED', message, options);
    }
}
exports.AgentRevokedError = AgentRevokedError;
/** `DELEGATION_DENIED` */
class DelegationDeniedError extends WardenError {
    static code = 'DELEGATION_DENIED';
    constructor(message, options) {
        super('DELEGATION_DENIED', message, options);
    }
}
exports.DelegationDeniedError = DelegationDeniedError;
/** `DELEGATION_REVOKED` */
class DelegationRevokedError extends WardenError {
    static code = 'DELEGATION_REVOKED';
    constructor(message, options) {
        super('DELEGATION_REVOKED', message, options);
    }
}
exports.DelegationRevokedError = DelegationRevokedError;
/** `DELEGATION_EXPIRED` */
class DelegationExpiredError extends WardenError {
    static code = 'DELEGATION_EXPIRED';
    constructor(message, options) {
        super('DELEGATION_EXPIRED', message, options);
    }
}
exports.DelegationExpiredError = DelegationExpiredError;
/** `NOT_FOUND` */
class NotFoundError extends WardenError {
    static code = 'NOT_FOUND';
    constructor(message, options) {
        super('NOT_FOUND', message, options);
    }
}
exports.NotFoundError = NotFoundError;
/** `CONFLICT` */
class ConflictError extends WardenError {
    static code = 'CONFLICT';
    constructor(message, options) {
        super('CONFLICT', message, options);
    }
}
exports.ConflictError = ConflictError;
/** `SESSION_CLOSED` */
class SessionClosedError extends WardenError {
    static code = 'SESSION_CLOSED';
    constructor(message, options) {
        super('SESSION_CLOSED', message, options);
    }
}
exports.SessionClosedError = SessionClosedError;
/** `APPROVAL_EXPIRED` */
class ApprovalExpiredError extends WardenError {
    static code = 'APPROVAL_EXPIRED';
    constructor(message, options) {
        super('APPROVAL_EXPIRED', message, options);
    }
}
exports.ApprovalExpiredError = ApprovalExpiredError;
/** `DUPLICATE_IDENTITY` */
class DuplicateIdentityError extends WardenError {
    static code = 'DUPLICATE_IDENTITY';
    constructor(message, options) {
        super('DUPLICATE_IDENTITY', message, options);
    }
}
exports.DuplicateIdentityError = DuplicateIdentityError;
/** `INVALID_IDENTITY` */
class InvalidIdentityError extends WardenError {
    static code = 'INVALID_IDENTITY';
    constructor(message, options) {
        super('INVALID_IDENTITY', message, options);
    }
}
exports.InvalidIdentityError = InvalidIdentityError;
/** `INVALID_TOPIC` */
class InvalidTopicError extends WardenError {
    static code = 'INVALID_TOPIC';
    constructor(message, options) {
        super('INVALID_TOPIC', message, options);
    }
}
exports.InvalidTopicError = InvalidTopicError;
/** `PAYLOAD_TOO_LARGE` */
class PayloadTooLargeError extends WardenError {
    static code = 'PAYLOAD_TOO_LARGE';
    constructor(message, options) {
        super('PAYLOAD_TOO_LARGE', message, options);
    }
}
exports.PayloadTooLargeError = PayloadTooLargeError;
/** `RATE_LIMITED` */
class RateLimitedError extends WardenError {
    static code = 'RATE_LIMITED';
    constructor(message, options) {
        super('RATE_LIMITED', message, options);
    }
}
exports.RateLimitedError = RateLimitedError;
/** `QUEUE_FULL` */
class QueueFullError extends WardenError {
    static code = 'QUEUE_FULL';
    constructor(message, options) {
        super('QUEUE_FULL', message, options);
    }
}
exports.QueueFullError = QueueFullError;
/** `INTERNAL` */
class InternalError extends WardenError {
    static code = 'INTERNAL';
    constructor(message, options) {
        super('INTERNAL', message, options);
    }
}
exports.InternalError = InternalError;
/** `GUARDIAN_UNAVAILABLE` */
class GuardianUnavailableError extends WardenError {
    static code = 'GUARDIAN_UNAVAILABLE';
    constructor(message, options) {
        super('GUARDIAN_UNAVAILABLE', message, options);
    }
}
exports.GuardianUnavailableError = GuardianUnavailableError;
/** `NETWORK_ERROR` */
class NetworkError extends WardenError {
    static code = 'NETWORK_ERROR';
    constructor(message, options) {
        super('NETWORK_ERROR', message, options);
    }
}
exports.NetworkError = NetworkError;
/** `DISCONNECTED` */
class DisconnectedError extends WardenError {
    static code = 'DISCONNECTED';
    constructor(message, options) {
        super('DISCONNECTED', message, options);
    }
}
exports.DisconnectedError = DisconnectedError;
/** `TIMEOUT` */
class TimeoutError extends WardenError {
    static code = 'TIMEOUT';
    constructor(message, options) {
        super('TIMEOUT', message, options);
    }
}
exports.TimeoutError = TimeoutError;
/** The subclass for each code (exactly the codes of `errorCodes()`). */
exports.ERROR_CLASSES = {
    VALIDATION_ERROR: ValidationError,
    INVALID_KEY: InvalidKeyError,
    INVALID_TOKEN: InvalidTokenError,
    TOKEN_EXPIRED: TokenExpiredError,
    TOKEN_NOT_YET_VALID: TokenNotYetValidError,
    TOKEN_REVOKED: TokenRevokedError,
    INVALID_SCOPE: InvalidScopeError,
    INVALID_RATE_SPEC: InvalidRateSpecError,
    AUTH_FAILED: AuthFailedError,
    AUTH_DENIED: AuthDeniedError,
    PERMISSION_DENIED: PermissionDeniedError,
    SCOPE_DENIED: ScopeDeniedError,
    ACTION_DENIED: ActionDeniedError,
    ELEVATION_REQUIRED: ElevationRequiredError,
    AGENT_REVOKED: AgentRevokedError,
    DELEGATION_DENIED: DelegationDeniedError,
    DELEGATION_REVOKED: DelegationRevokedError,
    DELEGATION_EXPIRED: DelegationExpiredError,
    NOT_FOUND: NotFoundError,
    CONFLICT: ConflictError,
    SESSION_CLOSED: SessionClosedError,
    APPROVAL_EXPIRED: ApprovalExpiredError,
    DUPLICATE_IDENTITY: DuplicateIdentityError,
    INVALID_IDENTITY: InvalidIdentityError,
    INVALID_TOPIC: InvalidTopicError,
    PAYLOAD_TOO_LARGE: PayloadTooLargeError,
    RATE_LIMITED: RateLimitedError,
    QUEUE_FULL: QueueFullError,
    INTERNAL: InternalError,
    GUARDIAN_UNAVAILABLE: GuardianUnavailableError,
    NETWORK_ERROR: NetworkError,
    DISCONNECTED: DisconnectedError,
    TIMEOUT: TimeoutError,
};
const PREFIX = 'WARDEN_ERROR ';
/** napi-rs argument-conversion statuses: a JS argument of the wrong type. */
const NAPI_TYPE_ERRORS = new Set([
    'InvalidArg',
    'ObjectExpected',
    'StringExpected',
    'NameExpected',
    'FunctionExpected',
    'NumberExpected',
    'BooleanExpected',
    'ArrayExpected',
    'BigintExpected',
    'DateExpected',
    'ArrayBufferExpected',
]);
/** Converts anything a native call threw into a `WardenError` (idempotent). */
function fromNative(e) {
    if (e instanceof WardenError)
        return e;
    const err = e;
    const message = typeof err?.message === 'string' ? err.message : String(e);
    if (message.startsWith(PREFIX)) {
        try {
            const info = JSON.parse(message.slice(PREFIX.length));
            const Cls = exports.ERROR_CLASSES[info.code];
            if (Cls)
                return new Cls(info.message, { reason: info.reason, details: info.details });
            return new InternalError(`unknown error code ${info.code}: ${info.message}`, { cause: e });
        }
        catch {
            return new InternalError(message, { cause: e });
        }
    }
    if (typeof err?.code === 'string' && NAPI_TYPE_ERRORS.has(err.code)) {
        return new ValidationError(message, { cause: e });
    }
    if (e instanceof TypeError)
        return new ValidationError(message, { cause: e });
    return new InternalError(message, { cause: e });
}
/** Runs a native call and rethrows its error as a `WardenError`. */
function call(f) {
    try {
        return f();
    }
    catch (e) {
        throw fromNative(e);
    }
}
