package warden

// Conversions between native Go values and the JSON text that crosses the C ABI for
// Engine.Call and Client.Call: arguments are encoded with encoding/json after a check that
// every string is valid UTF-8 (encoding/json would silently replace invalid bytes); results
// are decoded to map[string]any, []any, string, bool, nil and int64 (float64 for a number with
// a fraction or exponent, json.Number for an integer beyond int64).

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Args are the arguments of an engine operation, with the wire (snake_case) names of
// SEMANTICS-engine: Args{"agent_id": id, "tool": "web_search"}.
type Args = map[string]any

// encodeArgs is the JSON text of an argument value (nil → "null").
func encodeArgs(v any) ([]byte, error) {
	if err := checkUTF8(v, 0); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, &Error{Code: CodeValidationError, Message: "arguments cannot be encoded as JSON: " + err.Error()}
	}
	return b, nil
}

func badUTF8() error {
	return &Error{Code: CodeValidationError, Message: "an argument string is not valid UTF-8"}
}

// checkUTF8 walks the usual argument shapes; other types are left to encoding/json.
func checkUTF8(v any, depth int) error {
	if depth > 256 {
		return &Error{Code: CodeValidationError, Message: "arguments are nested too deeply"}
	}
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return badUTF8()
		}
	case []string:
		for _, s := range x {
			if !utf8.ValidString(s) {
				return badUTF8()
			}
		}
	case map[string]string:
		for k, s := range x {
			if !utf8.ValidString(k) || !utf8.ValidString(s) {
				return badUTF8()
			}
		}
	case map[string]any:
		for k, e := range x {
			if !utf8.ValidString(k) {
				return badUTF8()
			}
			if err := checkUTF8(e, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkUTF8(e, depth+1); err != nil {
				return err
			}
		}
	case []map[string]any:
		for _, e := range x {
			if err := checkUTF8(e, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeValue converts the core's JSON text into native values.
func decodeValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "cannot decode a result from the core: " + err.Error()}
	}
	return nativeNumbers(v), nil
}

// nativeNumbers replaces json.Number values: int64 for integers, float64 for numbers with a
// fraction or exponent; an integer beyond int64 stays a json.Number (exact).
func nativeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
			return x
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = nativeNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = nativeNumbers(e)
		}
		return x
	default:
		return v
	}
}

// asObject is a result that must be a JSON object.
func asObject(v any, err error) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &Error{Code: CodeInternal, Message: "the core answered with a non-object result"}
	}
	return m, nil
}
