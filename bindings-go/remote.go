package warden

// Connect: a Client whose backend is a Warden gateway (the same API as the in-process client;
// the core sends each operation over HTTP(S) and maps error answers to the typed *Error).

/*
#include "warden.h"
*/
import "C"

import (
	"runtime"
	"time"
)

// ConnectOption configures Connect.
type ConnectOption func(map[string]any)

// durationMs is a positive duration in whole milliseconds (at least 1, so a sub-millisecond
// timeout is not read as "none"); zero and negative values are passed on for the core to refuse.
func durationMs(d time.Duration) int64 {
	ms := d.Milliseconds()
	if d > 0 && ms == 0 {
		ms = 1
	}
	return ms
}

// WithRequestTimeout bounds each whole request (default 10 s).
func WithRequestTimeout(d time.Duration) ConnectOption {
	return func(o map[string]any) { o["timeout_ms"] = durationMs(d) }
}

// WithConnectTimeout bounds connection set-up (default 2 s).
func WithConnectTimeout(d time.Duration) ConnectOption {
	return func(o map[string]any) { o["connect_timeout_ms"] = durationMs(d) }
}

// WithRetries sets how often an idempotent (GET) call is retried after a network error or an
// HTTP 502/503/504 (default 2, at most 10). Calls that change state are never retried.
func WithRetries(n int) ConnectOption {
	return func(o map[string]any) { o["retries"] = n }
}

// WithCACertPEM adds a trusted root certificate (PEM text) for an https:// gateway, on top of
// the built-in roots.
func WithCACertPEM(pem string) ConnectOption {
	return func(o map[string]any) { o["ca_pem"] = pem }
}

// WithClientCertPEM authenticates the connection with a client certificate (mTLS): the
// certificate chain and its private key, both PEM text.
func WithClientCertPEM(certPEM, keyPEM string) ConnectOption {
	return func(o map[string]any) {
		o["client_cert_pem"] = certPEM
		o["client_key_pem"] = keyPEM
	}
}

// Connect is Client.connect(url, api_key, options): a client over the gateway at url
// ("http://host:port" or "https://…") with the API key apiKey. Nothing is sent until the
// first call, so an unreachable gateway shows up there (CodeNetworkError, CodeTimeout);
// the gateway's error answers come back typed (CodeNotFound, CodeAuthFailed, …). A malformed
// URL, key or option is VALIDATION_ERROR.
//
//	c, err := warden.Connect("https://warden.internal:8443", os.Getenv("WARDEN_API_KEY"),
//		warden.WithRequestTimeout(5*time.Second), warden.WithCACertPEM(caPEM))
func Connect(url, apiKey string, opts ...ConnectOption) (*Client, error) {
	var optsJSON []byte
	var op *C.uint8_t
	var ol C.size_t
	if len(opts) > 0 {
		m := map[string]any{}
		for _, f := range opts {
			f(m)
		}
		var err error
		if optsJSON, err = encodeArgs(m); err != nil {
			return nil, err
		}
		op, ol = byts(optsJSON)
	}
	var p *C.WardenClient
	var cerr *C.WardenError
	u, ul := str(url)
	k, kl := str(apiKey)
	ok := C.warden_client_connect(u, ul, k, kl, op, ol, &p, &cerr)
	if !ok {
		return nil, takeError(cerr)
	}
	return newClient(p), nil
}

// IsRemote reports whether the client's backend is a gateway (Connect) rather than an
// in-process engine.
func (c *Client) IsRemote() bool {
	v := bool(C.warden_client_is_remote(c.handle()))
	runtime.KeepAlive(c)
	return v
}
