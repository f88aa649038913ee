package warden

/*
#include "warden.h"
*/
import "C"

import (
	"encoding/json"
	"runtime"
)

// Orchestrator issues session tokens for sandboxes with ati-client's environment contract.
// Close it when done.
type Orchestrator struct {
	ptr     *C.WardenOrchestrator
	cleanup runtime.Cleanup
}

// OrchestratorOption is an optional argument of NewOrchestrator.
type OrchestratorOption func(*orchOpts)

type orchOpts struct{ aud, iss *string }

// DefaultAud sets the audience of issued tokens (default "ati-proxy").
func DefaultAud(aud string) OrchestratorOption { return func(o *orchOpts) { o.aud = &aud } }

// DefaultIss sets the issuer of issued tokens (default "ati-orchestrator").
func DefaultIss(iss string) OrchestratorOption { return func(o *orchOpts) { o.iss = &iss } }

func newOrchestrator(p *C.WardenOrchestrator, ok C.bool, cerr *C.WardenError) (*Orchestrator, error) {
	if !ok {
		return nil, takeError(cerr)
	}
	o := &Orchestrator{ptr: p}
	o.cleanup = runtime.AddCleanup(o, func(p *C.WardenOrchestrator) { C.warden_orchestrator_free(p) }, p)
	return o, nil
}

// NewOrchestrator is Orchestrator(proxy_url, secret_hex, …) from the 64-hex ATI secret;
// trailing slashes of proxyURL are removed.
func NewOrchestrator(proxyURL, secretHex string, opts ...OrchestratorOption) (*Orchestrator, error) {
	var o orchOpts
	for _, f := range opts {
		f(&o)
	}
	u, ul := str(proxyURL)
	s, sl := str(secretHex)
	a, al := optStr(o.aud)
	i, il := optStr(o.iss)
	var p *C.WardenOrchestrator
	var cerr *C.WardenError
	ok := C.warden_orchestrator_from_secret(u, ul, s, sl, a, al, i, il, &p, &cerr)
	return newOrchestrator(p, ok, cerr)
}

// NewOrchestratorWithKey is Orchestrator(proxy_url, key, …) with any signing key.
func NewOrchestratorWithKey(proxyURL string, key *Key, opts ...OrchestratorOption) (*Orchestrator, error) {
	var o orchOpts
	for _, f := range opts {
		f(&o)
	}
	u, ul := str(proxyURL)
	a, al := optStr(o.aud)
	i, il := optStr(o.iss)
	var p *C.WardenOrchestrator
	var cerr *C.WardenError
	ok := C.warden_orchestrator_new(u, ul, key.handle(), a, al, i, il, &p, &cerr)
	runtime.KeepAlive(key)
	return newOrchestrator(p, ok, cerr)
}

// Close frees the orchestrator. Idempotent.
func (o *Orchestrator) Close() error {
	if o != nil && o.ptr != nil {
		o.cleanup.Stop()
		C.warden_orchestrator_free(o.ptr)
		o.ptr = nil
	}
	return nil
}

func (o *Orchestrator) handle() *C.WardenOrchestrator {
	if o == nil {
		return nil
	}
	return o.ptr
}

// ProxyURL is the proxy URL without trailing slashes.
func (o *Orchestrator) ProxyURL() string {
	var b C.WardenBytes
	var cerr *C.WardenError
	ok := C.warden_orchestrator_proxy_url(o.handle(), &b, &cerr)
	runtime.KeepAlive(o)
	if !ok {
		C.warden_error_free(cerr)
		return ""
	}
	return takeString(b)
}

// RateEntry is one rate limit: a scope pattern and a rate spec such as "10/hour".
type RateEntry struct {
	Pattern string
	Spec    string
}

// ProvisionArgs are the optional arguments of ProvisionSandbox. Zero values take the core's
// defaults (no tools/skills/extra scopes, ttl 3600 s, no rate limits, system clock, random
// jti).
type ProvisionArgs struct {
	Tools       []string
	Skills      []string
	ExtraScopes []string
	// TTLSeconds is the token lifetime, 1..86400 (0 = the default 3600).
	TTLSeconds int64
	// Rate holds the rate limits, in order.
	Rate []RateEntry
	// Now fixes the clock (unix seconds); a test argument (0 = the system clock).
	Now int64
	// JTI fixes the token id; a test argument ("" = a random UUIDv4).
	JTI string
}

// The environment variable names of the provisioning contract.
const (
	EnvProxyURL     = "ATI_PROXY_URL"
	EnvSessionToken = "ATI_SESSION_TOKEN"
)

// ProvisionSandbox is provision_sandbox(agent_id, …): the environment
// {ATI_PROXY_URL: url, ATI_SESSION_TOKEN: token} for a sandbox.
func (o *Orchestrator) ProvisionSandbox(agentID string, args ProvisionArgs) (map[string]string, error) {
	var obj object
	if args.Tools != nil {
		obj.strs("tools", "tools", args.Tools)
	}
	if args.Skills != nil {
		obj.strs("skills", "skills", args.Skills)
	}
	if args.ExtraScopes != nil {
		obj.strs("extra_scopes", "extra_scopes", args.ExtraScopes)
	}
	if args.TTLSeconds != 0 {
		obj.value("ttl_seconds", args.TTLSeconds)
	}
	if args.Rate != nil {
		var r object
		for _, e := range args.Rate {
			r.str(e.Pattern, "rate spec", e.Spec)
		}
		rb, err := r.bytes()
		if err != nil {
			return nil, err
		}
		obj.raw("rate", rb)
	}
	if args.Now != 0 {
		obj.value("now", args.Now)
	}
	if args.JTI != "" {
		obj.str("jti", "jti", args.JTI)
	}
	js, err := obj.bytes()
	if err != nil {
		return nil, err
	}
	a, al := str(agentID)
	j, jl := byts(js)
	var b C.WardenBytes
	var cerr *C.WardenError
	ok := C.warden_orchestrator_provision_sandbox(o.handle(), a, al, j, jl, &b, &cerr)
	runtime.KeepAlive(o)
	if !ok {
		return nil, takeError(cerr)
	}
	env := map[string]string{}
	if err := json.Unmarshal(takeBytes(b), &env); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "provision_sandbox result: " + err.Error()}
	}
	return env, nil
}

// SessionToken is session_token_from_env() with the default variable name ATI_SESSION_TOKEN.
func SessionToken() (string, error) { return sessionToken(nil, 0) }

// SessionTokenFromEnv is session_token_from_env(name): $NAME, then the file named by
// $NAME_FILE (re-read on every call), then /run/ati/session_token; NOT_FOUND when none holds a
// token, VALIDATION_ERROR for an invalid variable name.
func SessionTokenFromEnv(name string) (string, error) {
	n, nl := optStr(&name)
	return sessionToken(n, nl)
}

func sessionToken(n *C.uint8_t, nl C.size_t) (string, error) {
	var b C.WardenBytes
	var cerr *C.WardenError
	if !C.warden_session_token_from_env(n, nl, &b, &cerr) {
		return "", takeError(cerr)
	}
	return takeString(b), nil
}
