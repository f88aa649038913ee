package dev.warden;

import java.util.Optional;

/**
 * The closed list of Warden error codes (SEMANTICS-engine §16). The constant names are the stable
 * UPPER_SNAKE strings of the core; {@code ErrorCodesTest} checks that they equal
 * {@link Warden#errorCodes()} exactly, in order.
 */
public enum ErrorCode {
    /** {@code VALIDATION_ERROR} */
    VALIDATION_ERROR,
    /** {@code INVALID_KEY} */
    INVALID_KEY,
    /** {@code INVALID_TOKEN} */
    INVALID_TOKEN,
    /** {@code TOKEN_EXPIRED} */
    TOKEN_EXPIRED,
    /** {@code TOKEN_NOT_YET_VALID} */
    TOKEN_NOT_YET_VALID,
    /** {@code TOKEN_REVOKED} */
    TOKEN_REVOKED,
    /** {@code INVALID_SCOPE} */
    INVALID_SCOPE,
    /** {@code INVALID_RATE_SPEC} */
    INVALID_RATE_SPEC,
    /** {@code AUTH_FAILED} */
    AUTH_FAILED,
    /** {@code AUTH_DENIED} */
    AUTH_DENIED,
    /** {@code PERMISSION_DENIED} */
    PERMISSION_DENIED,
    /** {@code SCOPE_DENIED} */
    SCOPE_DENIED,
    /** {@code ACTION_DENIED} */
    ACTION_DENIED,
    /** {@code ELEVATION_REQUIRED} */
    ELEVATION_REQUIRED,
    /** {@code AGENT_REVOKED} */
    AGENT_REVOKED,
    /** {@code DELEGATION_DENIED} */
    DELEGATION_DENIED,
    /** {@code DELEGATION_REVOKED} */
    DELEGATION_REVOKED,
    /** {@code DELEGATION_EXPIRED} */
    DELEGATION_EXPIRED,
    /** {@code NOT_FOUND} */
    NOT_FOUND,
    /** {@code CONFLICT} */
    CONFLICT,
    /** {@code SESSION_CLOSED} */
    SESSION_CLOSED,
    /** {@code APPROVAL_EXPIRED} */
    APPROVAL_EXPIRED,
    /** {@code DUPLICATE_IDENTITY} */
    DUPLICATE_IDENTITY,
    /** {@code INVALID_IDENTITY} */
    INVALID_IDENTITY,
    /** {@code INVALID_TOPIC} */
    INVALID_TOPIC,
    /** {@code PAYLOAD_TOO_LARGE} */
    PAYLOAD_TOO_LARGE,
    /** {@code RATE_LIMITED} */
    RATE_LIMITED,
    /** {@code QUEUE_FULL} */
    QUEUE_FULL,
    /** {@code INTERNAL} */
    INTERNAL,
    /** {@code GUARDIAN_UNAVAILABLE} */
    GUARDIAN_UNAVAILABLE,
    /** {@code NETWORK_ERROR} */
    NETWORK_ERROR,
    /** {@code DISCONNECTED} */
    DISCONNECTED,
    /** {@code TIMEOUT} */
    TIMEOUT;

    /** The stable string form (the same in every Warden SDK). */
    public String code() {
        return name();
    }

    /** Parses the stable string form; empty for anything not in the list. */
    public static Optional<ErrorCode> parse(String code) {
        if (code == null) {
            return Optional.empty();
        }
        for (ErrorCode c : values()) {
            if (c.name().equals(code)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
