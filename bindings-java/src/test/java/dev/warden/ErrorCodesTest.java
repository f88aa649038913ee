package dev.warden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Java error classes cover exactly the core's code list (ARCHITECTURE: no wildcard arm). */
class ErrorCodesTest {
    @Test
    void codesEqualTheCoreList() {
        List<String> java = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList();
        assertEquals(Warden.errorCodes(), java);
        assertEquals(33, java.size());
    }

    @Test
    void oneSubclassPerCode() {
        Set<Class<?>> classes = new HashSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            WardenException e = WardenException.of(c.code(), "r", "m");
            assertEquals(c.code(), e.code());
            assertEquals(c, e.errorCode());
            assertEquals("r", e.reason());
            assertEquals("m", e.getMessage());
            assertEquals(WardenException.class, e.getClass().getSuperclass());
            classes.add(e.getClass());
        }
        assertEquals(ErrorCode.values().length, classes.size());
        // The sealed hierarchy permits exactly one subclass per code.
        assertEquals(ErrorCode.values().length, WardenException.class.getPermittedSubclasses().length);
    }

    @Test
    void unknownCodeIsInternal() {
        WardenException e = WardenException.of("NOT_A_CODE", null, "x");
        assertInstanceOf(WardenException.Internal.class, e);
        assertNull(e.reason());
    }

    @Test
    void coreErrorsArriveTyped() {
        WardenException e = org.junit.jupiter.api.Assertions.assertThrows(WardenException.TokenExpired.class, () -> {
            String secret = "a".repeat(64);
            String tok = Warden.issueToken(secret, IssueArgs.builder("agent-1", "tool:x").ttlSeconds(60).now(1_000_000L).jti("j").build());
            Warden.validateToken(tok, secret, new ValidateOptions(null, null, null, 2_000_000L));
        });
        assertEquals("TOKEN_EXPIRED", e.code());
        WardenException bad = org.junit.jupiter.api.Assertions.assertThrows(WardenException.InvalidToken.class,
                () -> Warden.inspectToken("a.b"));
        assertEquals("INVALID_TOKEN", bad.code());
        assertEquals("malformed", bad.reason());
    }
}
