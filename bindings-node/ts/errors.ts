// Hand-written: the Warden error classes and the conversion of native errors into them.
//
// napi async functions cannot carry a custom error code, so the native layer (src/error.rs,
// src/fast.rs) puts `WARDEN_ERROR {"code","message","reason"?,"details"?,"decision"?}` in the message of
// every error, sync or async; `fromNative` turns it into the subclass for that code.
// One subclass per code of the core's `error_codes()`; test/errors.test.mjs checks the list.

/** Every stable Warden error code (SEMANTICS-engine §16). */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'INVALID_KEY'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'TOKEN_REVOKED'
  | 'INVALID_SCOPE'
  | 'INVALID_RATE_SPEC'
  | 'AUTH_FAILED'
  | 'AUTH_DENIED'
  | 'PERMISSION_DENIED'
  | 'SCOPE_DENIED'
  | 'ACTION_DENIED'
  | 'ELEVATION_REQUIRED'
  | 'AGENT_REVOKED'
  | 'DELEGATION_DENIED'
  | 'DELEGATION_REVOKED'
  | 'DELEGATION_EXPIRED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'SESSION_CLOSED'
  | 'APPROVAL_EXPIRED'
  | 'DUPLICATE_IDENTITY'
  | 'INVALID_IDENTITY'
  | 'INVALID_TOPIC'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'QUEUE_FULL'
  | 'INTERNAL'
  | 'GUARDIAN_UNAVAILABLE'
  | 'NETWORK_ERROR'
  | 'DISCONNECTED'
  | 'TIMEOUT'

/** Options of a `WardenError`. */
export interface WardenErrorOptions {
  /** Stable snake_case sub-code (for `INVALID_TOKEN`, the reasons of SEMANTICS-tokens §3.4). */
  reason?: string
  /** Structured data (for `TOKEN_EXPIRED`: `{exp, now}`). */
  details?: unknown
  /** The error this one was converted from. */
  cause?: unknown
  /** The guard decision this error reports (wire form), for guard denials. */
  decision?: Record<string, unknown> | null
}

/** The base class of every Warden error: a stable `code`, an optional stable `reason` and
 * optional structured `details`. `message` is human text and not stable. */
export class WardenError extends Error {
  /** The stable UPPER_SNAKE code. */
  readonly code: ErrorCode
  /** The stable snake_case reason, if any. */
  readonly reason: string | undefined
  /** Structured details, if any. */
  readonly details: unknown
  /** The guard decision this error reports, as its wire-form object (snake_case members, every
   * field, `null` for absent optionals), or `null`. Set on `Guard.check` denials and on
   * `GUARDIAN_UNAVAILABLE` from an unreachable engine. */
  readonly decision: Record<string, unknown> | null

  constructor(code: ErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.reason = options.reason
    this.details = options.details
    this.decision = options.decision ?? null
  }
}

/** `VALIDATION_ERROR` */
export class ValidationError extends WardenError {
  static readonly code = 'VALIDATION_ERROR' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('VALIDATION_ERROR', message, options)
  }
}

/** `INVALID_KEY` */
export class InvalidKeyError extends WardenError {
  static readonly code = 'INVALID_KEY' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('INVALID_KEY', message, options)
  }
}

/** `INVALID_TOKEN` */
export class InvalidTokenError extends WardenError {
  static readonly code = 'INVALID_TOKEN' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('INVALID_TOKEN', message, options)
  }
}

/** `TOKEN_EXPIRED` */
export class TokenExpiredError extends WardenError {
  static readonly code = 'TOKEN_EXPIRED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('TOKEN_EXPIRED', message, options)
  }
}

/** `TOKEN_NOT_YET_VALID` */
export class TokenNotYetValidError extends WardenError {
  static readonly code = 'TOKEN_NOT_YET_VALID' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('TOKEN_NOT_YET_VALID', message, options)
  }
}

/** `TOKEN_REVOKED` */
export class TokenRevokedError extends WardenError {
  static readonly code = 'TOKEN_REVOKED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('TOKEN_REVOKED', message, options)
  }
}

/** `INVALID_SCOPE` */
export class InvalidScopeError extends WardenError {
  static readonly code = 'INVALID_SCOPE' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('INVALID_SCOPE', message, options)
  }
}

/** `INVALID_RATE_SPEC` */
export class InvalidRateSpecError extends WardenError {
  static readonly code = 'INVALID_RATE_SPEC' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('INVALID_RATE_SPEC', message, options)
  }
}

/** `AUTH_FAILED` */
export class AuthFailedError extends WardenError {
  static readonly code = 'AUTH_FAILED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('AUTH_FAILED', message, options)
  }
}

/** `AUTH_DENIED` */
export class AuthDeniedError extends WardenError {
  static readonly code = 'AUTH_DENIED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('AUTH_DENIED', message, options)
  }
}

/** `PERMISSION_DENIED` */
export class PermissionDeniedError extends WardenError {
  static readonly code = 'PERMISSION_DENIED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('PERMISSION_DENIED', message, options)
  }
}

/** `SCOPE_DENIED` */
export class ScopeDeniedError extends WardenError {
  static readonly code = 'SCOPE_DENIED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('SCOPE_DENIED', message, options)
  }
}

/** `ACTION_DENIED` */
export class ActionDeniedError extends WardenError {
  static readonly code = 'ACTION_DENIED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('ACTION_DENIED', message, options)
  }
}

/** `ELEVATION_REQUIRED` */
export class ElevationRequiredError extends WardenError {
  static readonly code = 'ELEVATION_REQUIRED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('ELEVATION_REQUIRED', message, options)
  }
}

/** `AGENT_REVOKED` */
export class AgentRevokedError extends WardenError {
  static readonly code = 'AGENT_REVOKED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('AGENT_REVOKED', message, options)
  }
}

/** `DELEGATION_DENIED` */
export class DelegationDeniedError extends WardenError {
  static readonly code = 'DELEGATION_DENIED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('DELEGATION_DENIED', message, options)
  }
}

/** `DELEGATION_REVOKED` */
export class DelegationRevokedError extends WardenError {
  static readonly code = 'DELEGATION_REVOKED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('DELEGATION_REVOKED', message, options)
  }
}

/** `DELEGATION_EXPIRED` */
export class DelegationExpiredError extends WardenError {
  static readonly code = 'DELEGATION_EXPIRED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('DELEGATION_EXPIRED', message, options)
  }
}

/** `NOT_FOUND` */
export class NotFoundError extends WardenError {
  static readonly code = 'NOT_FOUND' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('NOT_FOUND', message, options)
  }
}

/** `CONFLICT` */
export class ConflictError extends WardenError {
  static readonly code = 'CONFLICT' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('CONFLICT', message, options)
  }
}

/** `SESSION_CLOSED` */
export class SessionClosedError extends WardenError {
  static readonly code = 'SESSION_CLOSED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('SESSION_CLOSED', message, options)
  }
}

/** `APPROVAL_EXPIRED` */
export class ApprovalExpiredError extends WardenError {
  static readonly code = 'APPROVAL_EXPIRED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('APPROVAL_EXPIRED', message, options)
  }
}

/** `DUPLICATE_IDENTITY` */
export class DuplicateIdentityError extends WardenError {
  static readonly code = 'DUPLICATE_IDENTITY' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('DUPLICATE_IDENTITY', message, options)
  }
}

/** `INVALID_IDENTITY` */
export class InvalidIdentityError extends WardenError {
  static readonly code = 'INVALID_IDENTITY' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('INVALID_IDENTITY', message, options)
  }
}

/** `INVALID_TOPIC` */
export class InvalidTopicError extends WardenError {
  static readonly code = 'INVALID_TOPIC' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('INVALID_TOPIC', message, options)
  }
}

/** `PAYLOAD_TOO_LARGE` */
export class PayloadTooLargeError extends WardenError {
  static readonly code = 'PAYLOAD_TOO_LARGE' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('PAYLOAD_TOO_LARGE', message, options)
  }
}

/** `RATE_LIMITED` */
export class RateLimitedError extends WardenError {
  static readonly code = 'RATE_LIMITED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('RATE_LIMITED', message, options)
  }
}

/** `QUEUE_FULL` */
export class QueueFullError extends WardenError {
  static readonly code = 'QUEUE_FULL' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('QUEUE_FULL', message, options)
  }
}

/** `INTERNAL` */
export class InternalError extends WardenError {
  static readonly code = 'INTERNAL' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('INTERNAL', message, options)
  }
}

/** `GUARDIAN_UNAVAILABLE` */
export class GuardianUnavailableError extends WardenError {
  static readonly code = 'GUARDIAN_UNAVAILABLE' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('GUARDIAN_UNAVAILABLE', message, options)
  }
}

/** `NETWORK_ERROR` */
export class NetworkError extends WardenError {
  static readonly code = 'NETWORK_ERROR' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('NETWORK_ERROR', message, options)
  }
}

/** `DISCONNECTED` */
export class DisconnectedError extends WardenError {
  static readonly code = 'DISCONNECTED' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('DISCONNECTED', message, options)
  }
}

/** `TIMEOUT` */
export class TimeoutError extends WardenError {
  static readonly code = 'TIMEOUT' as const
  constructor(message: string, options?: WardenErrorOptions) {
    super('TIMEOUT', message, options)
  }
}

/** The subclass for each code (exactly the codes of `errorCodes()`). */
export const ERROR_CLASSES: { readonly [C in ErrorCode]: new (message: string, options?: WardenErrorOptions) => WardenError } = {
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
}

const PREFIX = 'WARDEN_ERROR '

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
])

/** Converts anything a native call threw into a `WardenError` (idempotent). */
export function fromNative(e: unknown): WardenError {
  if (e instanceof WardenError) return e
  const err = e as { message?: unknown; code?: unknown } | null
  const message = typeof err?.message === 'string' ? err.message : String(e)
  if (message.startsWith(PREFIX)) {
    try {
      const info = JSON.parse(message.slice(PREFIX.length)) as {
        code: string
        message: string
        reason?: string
        details?: unknown
        decision?: Record<string, unknown>
      }
      const Cls = (ERROR_CLASSES as Record<string, (typeof ERROR_CLASSES)[ErrorCode] | undefined>)[info.code]
      if (Cls) return new Cls(info.message, { reason: info.reason, details: info.details, decision: info.decision })
      return new InternalError(`unknown error code ${info.code}: ${info.message}`, { cause: e })
    } catch {
      return new InternalError(message, { cause: e })
    }
  }
  if (typeof err?.code === 'string' && NAPI_TYPE_ERRORS.has(err.code)) {
    return new ValidationError(message, { cause: e })
  }
  if (e instanceof TypeError) return new ValidationError(message, { cause: e })
  return new InternalError(message, { cause: e })
}

/** Runs a native call and rethrows its error as a `WardenError`. */
export function call<T>(f: () => T): T {
  try {
    return f()
  } catch (e) {
    throw fromNative(e)
  }
}
