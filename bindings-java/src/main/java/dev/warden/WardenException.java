package dev.warden;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;

/**
 * The one exception type of the Warden SDK. {@link #code()} is the stable UPPER_SNAKE code,
 * {@link #reason()} the stable snake_case sub-code where the core gives one (for example the
 * {@code INVALID_TOKEN} reasons of SEMANTICS-tokens §3.4), {@link #getMessage()} human text that is
 * not stable. There is one subclass per code, so callers can {@code catch (WardenException.TokenExpired e)}.
 * Unchecked, so it passes through lambdas and {@link java.util.concurrent.CompletableFuture}.
 */
public abstract sealed class WardenException extends RuntimeException permits
        WardenException.ValidationError,
        WardenException.InvalidKey,
        WardenException.InvalidToken,
        WardenException.TokenExpired,
        WardenException.TokenNotYetValid,
        WardenException.TokenRevoked,
        WardenException.InvalidScope,
        WardenException.InvalidRateSpec,
        WardenException.AuthFailed,
        WardenException.AuthDenied,
        WardenException.PermissionDenied,
        WardenException.ScopeDenied,
        WardenException.ActionDenied,
        WardenException.ElevationRequired,
        WardenException.AgentRevoked,
        WardenException.DelegationDenied,
        WardenException.DelegationRevoked,
        WardenException.DelegationExpired,
        WardenException.NotFound,
        WardenException.Conflict,
        WardenException.SessionClosed,
        WardenException.ApprovalExpired,
        WardenException.DuplicateIdentity,
        WardenException.InvalidIdentity,
        WardenException.InvalidTopic,
        WardenException.PayloadTooLarge,
        WardenException.RateLimited,
        WardenException.QueueFull,
        WardenException.Internal,
        WardenException.GuardianUnavailable,
        WardenException.NetworkError,
        WardenException.Disconnected,
        WardenException.Timeout {

    private final ErrorCode errorCode;
    private final String reason;
    private Map<String, Object> decision;

    WardenException(ErrorCode errorCode, String reason, String message) {
        super(message);
        this.errorCode = errorCode;
        this.reason = reason;
    }

    /** The stable code string, e.g. {@code "INVALID_TOKEN"}. */
    public String code() {
        return errorCode.name();
    }

    /** The stable code as an enum constant. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** The stable reason, e.g. {@code "bad_signature"}, or {@code null} when the core gives none. */
    public String reason() {
        return reason;
    }

    /**
     * The guard decision this error reports (a guard denial, SEMANTICS-engine §12.1) as its wire
     * map ({@code check_id}, {@code allowed}, {@code code}, …), or {@code null} for any other error.
     * {@link Decision#fromMap} turns it into a typed {@link Decision}.
     */
    public Map<String, Object> decision() {
        return decision;
    }

    /** {@link #decision()} as a typed {@link Decision}, if there is one. */
    public Optional<Decision> typedDecision() {
        return decision == null ? Optional.empty() : Optional.of(Decision.fromMap(decision));
    }

    WardenException withDecision(Map<String, Object> d) {
        this.decision = d == null ? null : Collections.unmodifiableMap(d);
        return this;
    }

    /** {@link #reason()} as an {@link Optional}. */
    public Optional<String> reasonOptional() {
        return Optional.ofNullable(reason);
    }

    @Override
    public String toString() {
        return getClass().getName() + "[" + code() + (reason == null ? "" : ":" + reason) + "]: " + getMessage();
    }

    /**
     * The exception of the given code. The switch has one arm per code and no default, so adding a
     * code to {@link ErrorCode} without a subclass does not compile.
     */
    public static WardenException of(ErrorCode code, String reason, String message) {
        return switch (code) {
            case VALIDATION_ERROR -> new ValidationError(reason, message);
            case INVALID_KEY -> new InvalidKey(reason, message);
            case INVALID_TOKEN -> new InvalidToken(reason, message);
            case TOKEN_EXPIRED -> new TokenExpired(reason, message);
            case TOKEN_NOT_YET_VALID -> new TokenNotYetValid(reason, message);
            case TOKEN_REVOKED -> new TokenRevoked(reason, message);
            case INVALID_SCOPE -> new InvalidScope(reason, message);
            case INVALID_RATE_SPEC -> new InvalidRateSpec(reason, message);
            case AUTH_FAILED -> new AuthFailed(reason, message);
            case AUTH_DENIED -> new AuthDenied(reason, message);
            case PERMISSION_DENIED -> new PermissionDenied(reason, message);
            case SCOPE_DENIED -> new ScopeDenied(reason, message);
            case ACTION_DENIED -> new ActionDenied(reason, message);
            case ELEVATION_REQUIRED -> new ElevationRequired(reason, message);
            case AGENT_REVOKED -> new AgentRevoked(reason, message);
            case DELEGATION_DENIED -> new DelegationDenied(reason, message);
            case DELEGATION_REVOKED -> new DelegationRevoked(reason, message);
            case DELEGATION_EXPIRED -> new DelegationExpired(reason, message);
            case NOT_FOUND -> new NotFound(reason, message);
            case CONFLICT -> new Conflict(reason, message);
            case SESSION_CLOSED -> new SessionClosed(reason, message);
            case APPROVAL_EXPIRED -> new ApprovalExpired(reason, message);
            case DUPLICATE_IDENTITY -> new DuplicateIdentity(reason, message);
            case INVALID_IDENTITY -> new InvalidIdentity(reason, message);
            case INVALID_TOPIC -> new InvalidTopic(reason, message);
            case PAYLOAD_TOO_LARGE -> new PayloadTooLarge(reason, message);
            case RATE_LIMITED -> new RateLimited(reason, message);
            case QUEUE_FULL -> new QueueFull(reason, message);
            case INTERNAL -> new Internal(reason, message);
            case GUARDIAN_UNAVAILABLE -> new GuardianUnavailable(reason, message);
            case NETWORK_ERROR -> new NetworkError(reason, message);
            case DISCONNECTED -> new Disconnected(reason, message);
            case TIMEOUT -> new Timeout(reason, message);
        };
    }

    /** The exception of the given code carrying a guard decision (its wire map, may be {@code null}). */
    public static WardenException of(ErrorCode code, String reason, String message, Map<String, Object> decision) {
        return of(code, reason, message).withDecision(decision);
    }

    /** The exception for a code string from the core; an unknown string becomes {@code INTERNAL}. */
    public static WardenException of(String code, String reason, String message) {
        return ErrorCode.parse(code)
                .map(c -> of(c, reason, message))
                .orElseGet(() -> new Internal(null, "unknown error code " + code + ": " + message));
    }

    /** {@code VALIDATION_ERROR}. */
    public static final class ValidationError extends WardenException {
        ValidationError(String reason, String message) {
            super(ErrorCode.VALIDATION_ERROR, reason, message);
        }
    }

    /** {@code INVALID_KEY}. */
    public static final class InvalidKey extends WardenException {
        InvalidKey(String reason, String message) {
            super(ErrorCode.INVALID_KEY, reason, message);
        }
    }

    /** {@code INVALID_TOKEN}. */
    public static final class InvalidToken extends WardenException {
        InvalidToken(String reason, String message) {
            super(ErrorCode.INVALID_TOKEN, reason, message);
        }
    }

    /** {@code TOKEN_EXPIRED}. */
    public static final class TokenExpired extends WardenException {
        TokenExpired(String reason, String message) {
            super(ErrorCode.TOKEN_EXPIRED, reason, message);
        }
    }

    /** {@code TOKEN_NOT_YET_VALID}. */
    public static final class TokenNotYetValid extends WardenException {
        TokenNotYetValid(String reason, String message) {
            super(ErrorCode.TOKEN_NOT_YET_VALID, reason, message);
        }
    }

    /** {@code TOKEN_REVOKED}. */
    public static final class TokenRevoked extends WardenException {
        TokenRevoked(String reason, String message) {
            super(ErrorCode.TOKEN_REVOKED, reason, message);
        }
    }

    /** {@code INVALID_SCOPE}. */
    public static final class InvalidScope extends WardenException {
        InvalidScope(String reason, String message) {
            super(ErrorCode.INVALID_SCOPE, reason, message);
        }
    }

    /** {@code INVALID_RATE_SPEC}. */
    public static final class InvalidRateSpec extends WardenException {
        InvalidRateSpec(String reason, String message) {
            super(ErrorCode.INVALID_RATE_SPEC, reason, message);
        }
    }

    /** {@code AUTH_FAILED}. */
    public static final class AuthFailed extends WardenException {
        AuthFailed(String reason, String message) {
            super(ErrorCode.AUTH_FAILED, reason, message);
        }
    }

    /** {@code AUTH_DENIED}. */
    public static final class AuthDenied extends WardenException {
        AuthDenied(String reason, String message) {
            super(ErrorCode.AUTH_DENIED, reason, message);
        }
    }

    /** {@code PERMISSION_DENIED}. */
    public static final class PermissionDenied extends WardenException {
        PermissionDenied(String reason, String message) {
            super(ErrorCode.PERMISSION_DENIED, reason, message);
        }
    }

    /** {@code SCOPE_DENIED}. */
    public static final class ScopeDenied extends WardenException {
        ScopeDenied(String reason, String message) {
            super(ErrorCode.SCOPE_DENIED, reason, message);
        }
    }

    /** {@code ACTION_DENIED}. */
    public static final class ActionDenied extends WardenException {
        ActionDenied(String reason, String message) {
            super(ErrorCode.ACTION_DENIED, reason, message);
        }
    }

    /** {@code ELEVATION_REQUIRED}. */
    public static final class ElevationRequired extends WardenException {
        ElevationRequired(String reason, String message) {
            super(ErrorCode.ELEVATION_REQUIRED, reason, message);
        }
    }

    /** {@code AGENT_REVOKED}. */
    public static final class AgentRevoked extends WardenException {
        AgentRevoked(String reason, String message) {
            super(ErrorCode.AGENT_REVOKED, reason, message);
        }
    }

    /** {@code DELEGATION_DENIED}. */
    public static final class DelegationDenied extends WardenException {
        DelegationDenied(String reason, String message) {
            super(ErrorCode.DELEGATION_DENIED, reason, message);
        }
    }

    /** {@code DELEGATION_REVOKED}. */
    public static final class DelegationRevoked extends WardenException {
        DelegationRevoked(String reason, String message) {
            super(ErrorCode.DELEGATION_REVOKED, reason, message);
        }
    }

    /** {@code DELEGATION_EXPIRED}. */
    public static final class DelegationExpired extends WardenException {
        DelegationExpired(String reason, String message) {
            super(ErrorCode.DELEGATION_EXPIRED, reason, message);
        }
    }

    /** {@code NOT_FOUND}. */
    public static final class NotFound extends WardenException {
        NotFound(String reason, String message) {
            super(ErrorCode.NOT_FOUND, reason, message);
        }
    }

    /** {@code CONFLICT}. */
    public static final class Conflict extends WardenException {
        Conflict(String reason, String message) {
            super(ErrorCode.CONFLICT, reason, message);
        }
    }

    /** {@code SESSION_CLOSED}. */
    public static final class SessionClosed extends WardenException {
        SessionClosed(String reason, String message) {
            super(ErrorCode.SESSION_CLOSED, reason, message);
        }
    }

    /** {@code APPROVAL_EXPIRED}. */
    public static final class ApprovalExpired extends WardenException {
        ApprovalExpired(String reason, String message) {
            super(ErrorCode.APPROVAL_EXPIRED, reason, message);
        }
    }

    /** {@code DUPLICATE_IDENTITY}. */
    public static final class DuplicateIdentity extends WardenException {
        DuplicateIdentity(String reason, String message) {
            super(ErrorCode.DUPLICATE_IDENTITY, reason, message);
        }
    }

    /** {@code INVALID_IDENTITY}. */
    public static final class InvalidIdentity extends WardenException {
        InvalidIdentity(String reason, String message) {
            super(ErrorCode.INVALID_IDENTITY, reason, message);
        }
    }

    /** {@code INVALID_TOPIC}. */
    public static final class InvalidTopic extends WardenException {
        InvalidTopic(String reason, String message) {
            super(ErrorCode.INVALID_TOPIC, reason, message);
        }
    }

    /** {@code PAYLOAD_TOO_LARGE}. */
    public static final class PayloadTooLarge extends WardenException {
        PayloadTooLarge(String reason, String message) {
            super(ErrorCode.PAYLOAD_TOO_LARGE, reason, message);
        }
    }

    /** {@code RATE_LIMITED}. */
    public static final class RateLimited extends WardenException {
        RateLimited(String reason, String message) {
            super(ErrorCode.RATE_LIMITED, reason, message);
        }
    }

    /** {@code QUEUE_FULL}. */
    public static final class QueueFull extends WardenException {
        QueueFull(String reason, String message) {
            super(ErrorCode.QUEUE_FULL, reason, message);
        }
    }

    /** {@code INTERNAL}. */
    public static final class Internal extends WardenException {
        Internal(String reason, String message) {
            super(ErrorCode.INTERNAL, reason, message);
        }
    }

    /** {@code GUARDIAN_UNAVAILABLE}. */
    public static final class GuardianUnavailable extends WardenException {
        GuardianUnavailable(String reason, String message) {
            super(ErrorCode.GUARDIAN_UNAVAILABLE, reason, message);
        }
    }

    /** {@code NETWORK_ERROR}. */
    public static final class NetworkError extends WardenException {
        NetworkError(String reason, String message) {
            super(ErrorCode.NETWORK_ERROR, reason, message);
        }
    }

    /** {@code DISCONNECTED}. */
    public static final class Disconnected extends WardenException {
        Disconnected(String reason, String message) {
            super(ErrorCode.DISCONNECTED, reason, message);
        }
    }

    /** {@code TIMEOUT}. */
    public static final class Timeout extends WardenException {
        Timeout(String reason, String message) {
            super(ErrorCode.TIMEOUT, reason, message);
        }
    }
}
