package dev.warden;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON conversion the SDK uses at the boundary with the engine (arguments and results of
 * {@link Engine#call}, {@link Client#call} and the typed client methods travel as JSON text).
 *
 * <p>Native values: an object is a {@code Map<String, Object>} (a {@link LinkedHashMap}, member
 * order kept), an array a {@code List<Object>}, an integer a {@link Long} (a {@link BigInteger}
 * beyond 64 bits), any other number a {@link Double}, a string a {@link String}, {@code true}/
 * {@code false} a {@link Boolean}, and {@code null} is {@code null}.
 *
 * <p>{@link #write} also takes any {@link Collection} or array, any {@link Number} and a
 * {@link Decision}; anything else (or a non-finite number, a non-string map key, nesting deeper
 * than {@value #MAX_DEPTH}) is {@code VALIDATION_ERROR}. Pure conversion: the engine validates
 * everything.
 */
public final class Json {
    /** Deepest nesting accepted by {@link #parse} and {@link #write}. */
    public static final int MAX_DEPTH = 512;

    private Json() {}

    // ------------------------------------------------------------------ write

    /** Compact JSON text of a native value; every non-ASCII UTF-16 unit is written as {@code \\uXXXX}. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    private static WardenException bad(String msg) {
        return new WardenException.ValidationError(null, msg);
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        if (depth > MAX_DEPTH) {
            throw bad("value nested deeper than " + MAX_DEPTH + " (or cyclic)");
        }
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw bad("JSON has no NaN or infinity");
            }
            sb.append(d);
        } else if (v instanceof BigDecimal d) {
            sb.append(d.toString());
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw bad("JSON object keys must be strings, got " + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                if (!first) {
                    sb.append(',');
                }
                first = false;
                string(sb, k);
                sb.append(':');
                write(sb, e.getValue(), depth + 1);
            }
            sb.append('}');
        } else if (v instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object x : c) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                write(sb, x, depth + 1);
            }
            sb.append(']');
        } else if (v instanceof Object[] a) {
            write(sb, java.util.Arrays.asList(a), depth);
        } else if (v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> l = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                l.add(java.lang.reflect.Array.get(v, i));
            }
            write(sb, l, depth);
        } else if (v instanceof Decision d) {
            write(sb, d.toMap(), depth);
        } else if (v instanceof GuardStats s) {
            write(sb, s.toMap(), depth);
        } else if (v instanceof ChainCheck c) {
            write(sb, c.toMap(), depth);
        } else {
            throw bad("cannot convert " + v.getClass().getName() + " to JSON");
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append('\\').append('u').append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
            }
        }
        b.append('"');
    }

    // ------------------------------------------------------------------ parse

    /** Parses JSON text (RFC 8259, strict) into native values; {@code VALIDATION_ERROR} when invalid. */
    public static Object parse(String text) {
        Native.req(text, "text");
        Parser p = new Parser(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.i != text.length()) {
            throw p.err("trailing characters");
        }
        return v;
    }

    private static final class Parser {
        final String s;
        int i;

        Parser(String s) {
            this.s = s;
        }

        WardenException err(String m) {
            return bad("invalid JSON at offset " + i + ": " + m);
        }

        void ws() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    i++;
                } else {
                    return;
                }
            }
        }

        char peek() {
            if (i >= s.length()) {
                throw err("unexpected end");
            }
            return s.charAt(i);
        }

        void lit(String w) {
            if (!s.startsWith(w, i)) {
                throw err("unexpected character");
            }
            i += w.length();
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw err("nested deeper than " + MAX_DEPTH);
            }
            char c = peek();
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek() == '}') {
                        i++;
                        return m;
                    }
                    while (true) {
                        ws();
                        if (peek() != '"') {
                            throw err("expected a member name");
                        }
                        String k = str();
                        ws();
                        if (peek() != ':') {
                            throw err("expected ':'");
                        }
                        i++;
                        ws();
                        m.put(k, value(depth + 1));
                        ws();
                        char d = peek();
                        i++;
                        if (d == '}') {
                            return m;
                        }
                        if (d != ',') {
                            i--;
                            throw err("expected ',' or '}'");
                        }
                    }
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek() == ']') {
                        i++;
                        return l;
                    }
                    while (true) {
                        ws();
                        l.add(value(depth + 1));
                        ws();
                        char d = peek();
                        i++;
                        if (d == ']') {
                            return l;
                        }
                        if (d != ',') {
                            i--;
                            throw err("expected ',' or ']'");
                        }
                    }
                }
                case '"':
                    return str();
                case 't':
                    lit("true");
                    return Boolean.TRUE;
                case 'f':
                    lit("false");
                    return Boolean.FALSE;
                case 'n':
                    lit("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw err("unexpected character");
            }
        }

        String str() {
            i++; // opening quote
            StringBuilder b = null;
            int start = i;
            while (true) {
                if (i >= s.length()) {
                    throw err("unterminated string");
                }
                char c = s.charAt(i);
                if (c == '"') {
                    String out = b == null ? s.substring(start, i) : b.append(s, start, i).toString();
                    i++;
                    return out;
                }
                if (c < 0x20) {
                    throw err("control character in string");
                }
                if (c == '\\') {
                    if (b == null) {
                        b = new StringBuilder();
                    }
                    b.append(s, start, i);
                    i++;
                    char e = peek();
                    i++;
                    switch (e) {
                        case '"' -> b.append('"');
                        case '\\' -> b.append('\\');
                        case '/' -> b.append('/');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'n' -> b.append('\n');
                        case 'r' -> b.append('\r');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            if (i + 4 > s.length()) {
                                throw err("short \\u escape");
                            }
                            int x = 0;
                            for (int k = 0; k < 4; k++) {
                                int h = Character.digit(s.charAt(i + k), 16);
                                if (h < 0) {
                                    throw err("bad \\u escape");
                                }
                                x = x * 16 + h;
                            }
                            i += 4;
                            b.append((char) x);
                        }
                        default -> {
                            i--;
                            throw err("bad escape");
                        }
                    }
                    start = i;
                } else {
                    i++;
                }
            }
        }

        Object number() {
            int start = i;
            if (s.charAt(i) == '-') {
                i++;
            }
            if (i >= s.length()) {
                throw err("bad number");
            }
            if (s.charAt(i) == '0') {
                i++;
            } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
                while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
            } else {
                throw err("bad number");
            }
            boolean integral = true;
            if (i < s.length() && s.charAt(i) == '.') {
                integral = false;
                i++;
                digits();
            }
            if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                integral = false;
                i++;
                if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                digits();
            }
            String t = s.substring(start, i);
            if (integral) {
                BigInteger b = new BigInteger(t);
                return b.bitLength() < 64 ? (Object) b.longValue() : b;
            }
            return Double.parseDouble(t);
        }

        void digits() {
            int st = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == st) {
                throw err("bad number");
            }
        }
    }
}
