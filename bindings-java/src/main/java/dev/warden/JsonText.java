package dev.warden;

import java.util.List;
import java.util.Map;

/**
 * Writes the JSON text the core's JSON-taking entry points read (verifier options, claims, issue
 * arguments). Pure serialisation: the core parses and validates everything.
 */
final class JsonText {
    private final StringBuilder sb = new StringBuilder("{");
    private boolean first = true;

    private JsonText name(String n) {
        if (!first) {
            sb.append(',');
        }
        first = false;
        string(sb, n);
        sb.append(':');
        return this;
    }

    JsonText str(String n, String v) {
        name(n);
        if (v == null) {
            sb.append("null");
        } else {
            string(sb, v);
        }
        return this;
    }

    JsonText num(String n, long v) {
        name(n).sb.append(v);
        return this;
    }

    JsonText bool(String n, boolean v) {
        name(n).sb.append(v);
        return this;
    }

    JsonText nul(String n) {
        name(n).sb.append("null");
        return this;
    }

    /** A member whose value is already JSON text (checked by the core's parser). */
    JsonText raw(String n, String json) {
        name(n).sb.append(json);
        return this;
    }

    JsonText strs(String n, List<String> v) {
        name(n).sb.append('[');
        for (int i = 0; i < v.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            string(sb, v.get(i));
        }
        sb.append(']');
        return this;
    }

    JsonText strMap(String n, Map<String, String> v) {
        name(n).sb.append('{');
        boolean f = true;
        for (Map.Entry<String, String> e : v.entrySet()) {
            if (!f) {
                sb.append(',');
            }
            f = false;
            string(sb, e.getKey());
            sb.append(':');
            string(sb, e.getValue());
        }
        sb.append('}');
        return this;
    }

    String end() {
        return sb.append('}').toString();
    }

    /** A JSON string literal; every UTF-16 unit outside printable ASCII is escaped as-is. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        string(b, s);
        return b.toString();
    }

    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        b.append('"');
    }
}
