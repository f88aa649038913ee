package warden

/*
#include "warden.h"
*/
import "C"

import "errors"

// Code is a stable Warden error code (SEMANTICS-engine §16); its string never changes.
type Code string

// The Warden error codes, in the order of the core's list (ErrorCodes).
const (
	CodeValidationError     Code = "VALIDATION_ERROR"
	CodeInvalidKey          Code = "INVALID_KEY"
	CodeInvalidToken        Code = "INVALID_TOKEN"
	CodeTokenExpired        Code = "TOKEN_EXPIRED"
	CodeTokenNotYetValid    Code = "TOKEN_NOT_YET_VALID"
	CodeTokenRevoked        Code = "TOKEN_REVOKED"
	CodeInvalidScope        Code = "INVALID_SCOPE"
	CodeInvalidRateSpec     Code = "INVALID_RATE_SPEC"
	CodeAuthFailed          Code = "AUTH_FAILED"
	CodeAuthDenied          Code = "AUTH_DENIED"
	CodePermissionDenied    Code = "PERMISSION_DENIED"
	CodeScopeDenied         Code = "SCOPE_DENIED"
	CodeActionDenied        Code = "ACTION_DENIED"
	CodeElevationRequired   Code = "ELEVATION_REQUIRED"
	CodeAgentRevoked        Code = "AGENT_REVOKED"
	CodeDelegationDenied    Code = "DELEGATION_DENIED"
	CodeDelegationRevoked   Code = "DELEGATION_REVOKED"
	CodeDelegationExpired   Code = "DELEGATION_EXPIRED"
	CodeNotFound            Code = "NOT_FOUND"
	CodeConflict            Code = "CONFLICT"
	CodeSessionClosed       Code = "SESSION_CLOSED"
	CodeApprovalExpired     Code = "APPROVAL_EXPIRED"
	CodeDuplicateIdentity   Code = "DUPLICATE_IDENTITY"
	CodeInvalidIdentity     Code = "INVALID_IDENTITY"
	CodeInvalidTopic        Code = "INVALID_TOPIC"
	CodePayloadTooLarge     Code = "PAYLOAD_TOO_LARGE"
	CodeRateLimited         Code = "RATE_LIMITED"
	CodeQueueFull           Code = "QUEUE_FULL"
	CodeInternal            Code = "INTERNAL"
	CodeGuardianUnavailable Code = "GUARDIAN_UNAVAILABLE"
	CodeNetworkError        Code = "NETWORK_ERROR"
	CodeDisconnected        Code = "DISCONNECTED"
	CodeTimeout             Code = "TIMEOUT"
)

// Codes returns every Code this package declares, in the core's order. A test checks that it
// equals ErrorCodes().
func Codes() []Code {
	return []Code{
		CodeValidationError, CodeInvalidKey, CodeInvalidToken, CodeTokenExpired, CodeTokenNotYetValid,
		CodeTokenRevoked, CodeInvalidScope, CodeInvalidRateSpec, CodeAuthFailed, CodeAuthDenied,
		CodePermissionDenied, CodeScopeDenied, CodeActionDenied, CodeElevationRequired, CodeAgentRevoked,
		CodeDelegationDenied, CodeDelegationRevoked, CodeDelegationExpired, CodeNotFound, CodeConflict,
		CodeSessionClosed, CodeApprovalExpired, CodeDuplicateIdentity, CodeInvalidIdentity, CodeInvalidTopic,
		CodePayloadTooLarge, CodeRateLimited, CodeQueueFull, CodeInternal, CodeGuardianUnavailable,
		CodeNetworkError, CodeDisconnected, CodeTimeout,
	}
}

// ErrorCodes returns the core's list of error codes (error_codes()), in table order.
func ErrorCodes() []string {
	var b C.WardenBytes
	var cerr *C.WardenError
	if !C.warden_error_codes(&b, &cerr) {
		panic(takeError(cerr))
	}
	out, err := takeStrings(b)
	if err != nil {
		panic(err)
	}
	return out
}

// Error is every error Warden returns. Compare Code (and Reason), never Message.
//
//	var werr *warden.Error
//	if errors.As(err, &werr) && werr.Code == warden.CodeInvalidToken { … werr.Reason … }
//	if errors.Is(err, warden.ErrTokenExpired) { … }
type Error struct {
	// Code is the stable error code.
	Code Code
	// Reason is the stable snake_case sub-code ("bad_signature", …) or "".
	Reason string
	// Message is human-readable text; it is not stable.
	Message string
	// Decision is the guard decision attached to the error (a Guard denial with
	// block_on_deny, or the Guard's outage decision), or nil.
	Decision *Decision
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return "warden: [" + string(e.Code) + ":" + e.Reason + "] " + e.Message
	}
	return "warden: [" + string(e.Code) + "] " + e.Message
}

// Is reports whether target is a *Error with the same Code and, when target has a Reason, the
// same Reason. So errors.Is(err, ErrInvalidToken) matches every INVALID_TOKEN, and
// errors.Is(err, &Error{Code: CodeInvalidToken, Reason: "bad_signature"}) only that reason.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) || t == nil {
		return false
	}
	return t.Code == e.Code && (t.Reason == "" || t.Reason == e.Reason)
}

// Sentinels for errors.Is, one per code.
var (
	ErrValidationError     = &Error{Code: CodeValidationError}
	ErrInvalidKey          = &Error{Code: CodeInvalidKey}
	ErrInvalidToken        = &Error{Code: CodeInvalidToken}
	ErrTokenExpired        = &Error{Code: CodeTokenExpired}
	ErrTokenNotYetValid    = &Error{Code: CodeTokenNotYetValid}
	ErrTokenRevoked        = &Error{Code: CodeTokenRevoked}
	ErrInvalidScope        = &Error{Code: CodeInvalidScope}
	ErrInvalidRateSpec     = &Error{Code: CodeInvalidRateSpec}
	ErrAuthFailed          = &Error{Code: CodeAuthFailed}
	ErrAuthDenied          = &Error{Code: CodeAuthDenied}
	ErrPermissionDenied    = &Error{Code: CodePermissionDenied}
	ErrScopeDenied         = &Error{Code: CodeScopeDenied}
	ErrActionDenied        = &Error{Code: CodeActionDenied}
	ErrElevationRequired   = &Error{Code: CodeElevationRequired}
	ErrAgentRevoked        = &Error{Code: CodeAgentRevoked}
	ErrDelegationDenied    = &Error{Code: CodeDelegationDenied}
	ErrDelegationRevoked   = &Error{Code: CodeDelegationRevoked}
	ErrDelegationExpired   = &Error{Code: CodeDelegationExpired}
	ErrNotFound            = &Error{Code: CodeNotFound}
	ErrConflict            = &Error{Code: CodeConflict}
	ErrSessionClosed       = &Error{Code: CodeSessionClosed}
	ErrApprovalExpired     = &Error{Code: CodeApprovalExpired}
	ErrDuplicateIdentity   = &Error{Code: CodeDuplicateIdentity}
	ErrInvalidIdentity     = &Error{Code: CodeInvalidIdentity}
	ErrInvalidTopic        = &Error{Code: CodeInvalidTopic}
	ErrPayloadTooLarge     = &Error{Code: CodePayloadTooLarge}
	ErrRateLimited         = &Error{Code: CodeRateLimited}
	ErrQueueFull           = &Error{Code: CodeQueueFull}
	ErrInternal            = &Error{Code: CodeInternal}
	ErrGuardianUnavailable = &Error{Code: CodeGuardianUnavailable}
	ErrNetworkError        = &Error{Code: CodeNetworkError}
	ErrDisconnected        = &Error{Code: CodeDisconnected}
	ErrTimeout             = &Error{Code: CodeTimeout}
)

// takeError converts a WardenError into a *Error and frees it.
func takeError(e *C.WardenError) error {
	if e == nil {
		return &Error{Code: CodeInternal, Message: "the call failed without reporting an error"}
	}
	err := &Error{Code: Code(C.GoString(e.code_name)), Message: C.GoString(e.message)}
	if e.reason != nil {
		err.Reason = C.GoString(e.reason)
	}
	if e.decision != nil {
		d := new(Decision)
		if derr := d.UnmarshalJSON([]byte(C.GoString(e.decision))); derr == nil {
			err.Decision = d
		} else {
			err.Message += " (the attached decision could not be decoded: " + derr.Error() + ")"
		}
	}
	C.warden_error_free(e)
	return err
}

// codeName is the C ABI's name for a WardenErrorCode value ("" when it is not a code).
func codeName(v int32) string {
	p := C.warden_error_code_name(C.int32_t(v))
	if p == nil {
		return ""
	}
	return C.GoString(p)
}
