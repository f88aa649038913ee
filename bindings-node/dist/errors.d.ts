/** Every stable Warden error code (SEMANTICS-engine §16). */
export type ErrorCode = 'VALIDATION_ERROR' | 'INVALID_KEY' | 'INVALID_TOKEN' | 'TOKEN_EXPIRED' | 'TOKEN_NOT_YET_VALID' | 'TOKEN_REVOKED' | 'INVALID_SCOPE' | 'INVALID_RATE_SPEC' | 'AUTH_FAILED' | 'AUTH_DENIED' | 'PERMISSION_DENIED' | 'SCOPE_DENIED' | 'ACTION_DENIED' | 'ELEVATION_REQUIRED' | 'AGENT_REVOKED' | 'DELEGATION_DENIED' | 'DELEGATION_REVOKED' | 'DELEGATION_EXPIRED' | 'NOT_FOUND' | 'CONFLICT' | 'SESSION_CLOSED' | 'APPROVAL_EXPIRED' | 'DUPLICATE_IDENTITY' | 'INVALID_IDENTITY' | 'INVALID_TOPIC' | 'PAYLOAD_TOO_LARGE' | 'RATE_LIMITED' | 'QUEUE_FULL' | 'INTERNAL' | 'GUARDIAN_UNAVAILABLE' | 'NETWORK_ERROR' | 'DISCONNECTED' | 'TIMEOUT';
/** Options of a `WardenError`. */
export interface WardenErrorOptions {
    /** Stable snake_case sub-code (for `INVALID_TOKEN`, the reasons of SEMANTICS-tokens §3.4). */
    reason?: string;
    /** Structured data (for `TOKEN_EXPIRED`: `{exp, now}`). */
    details?: unknown;
    /** The error this one was converted from. */
    cause?: unknown;
}
/** The base class of every Warden error: a stable `code`, an optional stable `reason` and
 * optional structured `details`. `message` is human text and not stable. */
export declare class WardenError extends Error {
    /** The stable UPPER_SNAKE code. */
    readonly code: ErrorCode;
    /** The stable snake_case reason, if any. */
    readonly reason: string | undefined;
    /** Structured details, if any. */
    readonly details: unknown;
    constructor(code: ErrorCode, message: string, options?: WardenErrorOptions);
}
/** `VALIDATION_ERROR` */
export declare class ValidationError extends WardenError {
    static readonly code: "VALIDATION_ERROR";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `INVALID_KEY` */
export declare class InvalidKeyError extends WardenError {
    static readonly code: "INVALID_KEY";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `INVALID_TOKEN` */
export declare class InvalidTokenError extends WardenError {
    static readonly code: "INVALID_TOKEN";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `TOKEN_EXPIRED` */
export declare class TokenExpiredError extends WardenError {
    static readonly code: "TOKEN_EXPIRED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `TOKEN_NOT_YET_VALID` */
export declare class TokenNotYetValidError extends WardenError {
    static readonly code: "TOKEN_NOT_YET_VALID";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `TOKEN_REVOKED` */
export declare class TokenRevokedError extends WardenError {
    static readonly code: "TOKEN_REVOKED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `INVALID_SCOPE` */
export declare class InvalidScopeError extends WardenError {
    static readonly code: "INVALID_SCOPE";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `INVALID_RATE_SPEC` */
export declare class InvalidRateSpecError extends WardenError {
    static readonly code: "INVALID_RATE_SPEC";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `AUTH_FAILED` */
export declare class AuthFailedError extends WardenError {
    static readonly code: "AUTH_FAILED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `AUTH_DENIED` */
export declare class AuthDeniedError extends WardenError {
    static readonly code: "AUTH_DENIED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `PERMISSION_DENIED` */
export declare class PermissionDeniedError extends WardenError {
    static readonly code: "PERMISSION_DENIED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `SCOPE_DENIED` */
export declare class ScopeDeniedError extends WardenError {
    static readonly code: "SCOPE_DENIED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `ACTION_DENIED` */
export declare class ActionDeniedError extends WardenError {
    static readonly code: "ACTION_DENIED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `ELEVATION_REQUIRED` */
export declare class ElevationRequiredError extends WardenError {
    static readonly code: "ELEVATION_REQUIRED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `AGENT_REVOKED` */
export declare class AgentRevokedError extends WardenError {
    static readonly code: "AGENT_REVOKED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `DELEGATION_DENIED` */
export declare class DelegationDeniedError extends WardenError {
    static readonly code: "DELEGATION_DENIED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `DELEGATION_REVOKED` */
export declare class DelegationRevokedError extends WardenError {
    static readonly code: "DELEGATION_REVOKED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `DELEGATION_EXPIRED` */
export declare class DelegationExpiredError extends WardenError {
    static readonly code: "DELEGATION_EXPIRED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `NOT_FOUND` */
export declare class NotFoundError extends WardenError {
    static readonly code: "NOT_FOUND";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `CONFLICT` */
export declare class ConflictError extends WardenError {
    static readonly code: "CONFLICT";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `SESSION_CLOSED` */
export declare class SessionClosedError extends WardenError {
    static readonly code: "SESSION_CLOSED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `APPROVAL_EXPIRED` */
export declare class ApprovalExpiredError extends WardenError {
    static readonly code: "APPROVAL_EXPIRED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `DUPLICATE_IDENTITY` */
export declare class DuplicateIdentityError extends WardenError {
    static readonly code: "DUPLICATE_IDENTITY";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `INVALID_IDENTITY` */
export declare class InvalidIdentityError extends WardenError {
    static readonly code: "INVALID_IDENTITY";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `INVALID_TOPIC` */
export declare class InvalidTopicError extends WardenError {
    static readonly code: "INVALID_TOPIC";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `PAYLOAD_TOO_LARGE` */
export declare class PayloadTooLargeError extends WardenError {
    static readonly code: "PAYLOAD_TOO_LARGE";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `RATE_LIMITED` */
export declare class RateLimitedError extends WardenError {
    static readonly code: "RATE_LIMITED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `QUEUE_FULL` */
export declare class QueueFullError extends WardenError {
    static readonly code: "QUEUE_FULL";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `INTERNAL` */
export declare class InternalError extends WardenError {
    static readonly code: "INTERNAL";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `GUARDIAN_UNAVAILABLE` */
export declare class GuardianUnavailableError extends WardenError {
    static readonly code: "GUARDIAN_UNAVAILABLE";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `NETWORK_ERROR` */
export declare class NetworkError extends WardenError {
    static readonly code: "NETWORK_ERROR";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `DISCONNECTED` */
export declare class DisconnectedError extends WardenError {
    static readonly code: "DISCONNECTED";
    constructor(message: string, options?: WardenErrorOptions);
}
/** `TIMEOUT` */
export declare class TimeoutError extends WardenError {
    static readonly code: "TIMEOUT";
    constructor(message: string, options?: WardenErrorOptions);
}
/** The subclass for each code (exactly the codes of `errorCodes()`). */
export declare const ERROR_CLASSES: {
    readonly [C in ErrorCode]: new (message: string, options?: WardenErrorOptions) => WardenError;
};
/** Converts anything a native call threw into a `WardenError` (idempotent). */
export declare function fromNative(e: unknown): WardenError;
/** Runs a native call and rethrows its error as a `WardenError`. */
export declare function call<T>(f: () => T): T;
