package warden

// Tests of Connect against a real gateway: each test starts the warden-gateway binary (path in
// WARDEN_GATEWAY_BIN, set by `make test`, which builds it; a missing binary FAILS the test) on
// a temporary SQLite file and a free port, then checks the glue over HTTP: calls, typed
// errors mapped from HTTP answers, Guard/Do and WaitForDecision over the remote client, TLS
// with a private CA and a client certificate, and an unreachable gateway (NETWORK_ERROR,
// fail-open reads).

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const gatewayKey = "wk_go_sdk_gateway_test_key_0123456789abcdef"

type testGateway struct {
	url  string
	cmd  *exec.Cmd
	once sync.Once
}

// gatewayBin is the gateway binary: $WARDEN_GATEWAY_BIN, else ../target/debug/warden-gateway.
func gatewayBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("WARDEN_GATEWAY_BIN")
	if bin == "" {
		bin = filepath.Join("..", "target", "debug", "warden-gateway")
	}
	if st, err := os.Stat(bin); err != nil || st.IsDir() {
		t.Fatalf("the gateway binary %q is missing (build it with `cargo build -p warden-gateway`; "+
			"`make -C bindings-go test` does and sets WARDEN_GATEWAY_BIN): %v", bin, err)
	}
	return bin
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startGateway runs `warden-gateway serve` on a temporary SQLite file until the test ends,
// waiting for its "listening" log line. extra are more serve flags; scheme is http or https.
func startGateway(t *testing.T, scheme string, extra ...string) *testGateway {
	t.Helper()
	addr := freePort(t)
	args := append([]string{"serve", "--quiet", "--key-rate", "0",
		"--db", filepath.Join(t.TempDir(), "gateway.db"), "--listen", addr}, extra...)
	cmd := exec.Command(gatewayBin(t), args...)
	cmd.Env = append(os.Environ(), "WARDEN_BOOTSTRAP_KEY="+gatewayKey)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the gateway: %v", err)
	}
	gw := &testGateway{url: scheme + "://" + addr, cmd: cmd}
	t.Cleanup(gw.stop)
	ready := make(chan struct{})
	var log strings.Builder
	var logMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		signalled := false
		for sc.Scan() {
			logMu.Lock()
			log.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if !signalled && strings.Contains(sc.Text(), `"listening"`) {
				signalled = true
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		logMu.Lock()
		defer logMu.Unlock()
		t.Fatalf("the gateway did not start within 30 s; its log:\n%s", log.String())
	}
	return gw
}

// stop kills the gateway and waits for it (idempotent).
func (g *testGateway) stop() {
	g.once.Do(func() {
		_ = g.cmd.Process.Kill()
		_ = g.cmd.Wait()
	})
}

func connect(t *testing.T, url, key string, opts ...ConnectOption) *Client {
	t.Helper()
	c, err := Connect(url, key, opts...)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestConnectOptionsAreChecked(t *testing.T) {
	local := must(LocalClient())
	defer local.Close()
	if local.IsRemote() {
		t.Fatal("a local client is not remote")
	}
	// Nothing is sent on connect: any well-formed URL and options give a client.
	c := connect(t, "http://127.0.0.1:9", "wk_anything", WithRequestTimeout(1500*time.Microsecond),
		WithConnectTimeout(time.Second), WithRetries(0))
	if !c.IsRemote() {
		t.Fatal("Connect gives a remote client")
	}
	ca, _, _ := testCA(t)
	connect(t, "https://127.0.0.1:9", "wk_anything", WithCACertPEM(ca.certPEM),
		WithClientCertPEM(ca.certPEM, ca.keyPEM))
	for name, f := range map[string]func() (*Client, error){
		"scheme":    func() (*Client, error) { return Connect("ftp://127.0.0.1:9", "wk_x") },
		"url":       func() (*Client, error) { return Connect("not a url", "wk_x") },
		"empty key": func() (*Client, error) { return Connect("http://127.0.0.1:9", "") },
		"key space": func() (*Client, error) { return Connect("http://127.0.0.1:9", "wk x") },
		"retries":   func() (*Client, error) { return Connect("http://127.0.0.1:9", "wk_x", WithRetries(11)) },
		"timeout": func() (*Client, error) {
			return Connect("http://127.0.0.1:9", "wk_x", WithRequestTimeout(-time.Second))
		},
		"ca":          func() (*Client, error) { return Connect("http://127.0.0.1:9", "wk_x", WithCACertPEM("not PEM")) },
		"client cert": func() (*Client, error) { return Connect("http://127.0.0.1:9", "wk_x", WithClientCertPEM("x", "y")) },
	} {
		if _, err := f(); err == nil {
			t.Fatalf("%s: want VALIDATION_ERROR", name)
		} else {
			wantCode(t, err, CodeValidationError, "")
		}
	}
}

func TestGatewayCallsAndCheck(t *testing.T) {
	gw := startGateway(t, "http")
	c := connect(t, gw.url, gatewayKey, WithRequestTimeout(10*time.Second), WithRetries(1))
	a := must(c.CreateAgent(Args{"name": "gw-agent", "capabilities": []string{"tool:web_search"},
		"metadata": map[string]string{"team": "ops \u00e9"}}))
	id, _ := a["agent_id"].(string)
	if !strings.HasPrefix(id, "agt_") || a["metadata"].(map[string]any)["team"] != "ops \u00e9" {
		t.Fatalf("agent: %v", a)
	}
	if _, ok := a["created_at"].(int64); !ok {
		t.Fatalf("integers are int64 over the gateway: %T", a["created_at"])
	}
	if got := must(c.GetAgent(Args{"agent_id": id})); got["name"] != "gw-agent" {
		t.Fatalf("get_agent: %v", got)
	}
	s := must(c.InitSession(Args{"agent_id": id, "server_id": "srv"}))
	session := s["session_id"].(string)
	d := must(c.Check(Args{"agent_id": id, "session_id": session, "tool": "web_search"}))
	if !d.Allowed || d.Code != "ALLOW" || d.AgentID != id || d.SessionID != session || d.CheckID == "" {
		t.Fatalf("allowed check: %+v", d)
	}
	// A denial is a decision, not an error, over the gateway as in-process.
	d = must(c.Check(Args{"agent_id": id, "session_id": session, "tool": "delete_repo"}))
	if d.Allowed || d.Code != string(CodeActionDenied) || !d.Enforced {
		t.Fatalf("denied check: %+v", d)
	}
	page := must(c.QueryAudit(Args{"agent_id": id}))
	if items, _ := page["items"].([]any); len(items) < 3 {
		t.Fatalf("audit over the gateway: %v", page)
	}
}

func TestGatewayTypedErrors(t *testing.T) {
	gw := startGateway(t, "http")
	c := connect(t, gw.url, gatewayKey)
	local := must(LocalClient())
	defer local.Close()
	// An unknown agent (a well-formed id from another engine): NOT_FOUND from the HTTP 404
	// body, the same code as in-process.
	other := must(LocalClient())
	defer other.Close()
	unknown := Args{"agent_id": must(other.CreateAgent(Args{"name": "elsewhere"}))["agent_id"]}
	_, lerr := local.GetAgent(unknown)
	_, err := c.GetAgent(unknown)
	wantCode(t, lerr, CodeNotFound, "")
	wantCode(t, err, CodeNotFound, "")
	// Other refusals come back with the same code and reason as in-process.
	for _, args := range []Args{
		{"name": "x", "capabilities": []string{"not a scope!"}},
		{"name": ""},
		{"name": "x", "rate": "10 /hour"},
	} {
		_, err := c.CreateAgent(args)
		_, lerr := local.CreateAgent(args)
		var werr, lwerr *Error
		if !errors.As(err, &werr) || !errors.As(lerr, &lwerr) || werr.Code != lwerr.Code || werr.Reason != lwerr.Reason {
			t.Fatalf("create_agent %v: over the gateway %v, in-process %v", args, err, lerr)
		}
	}
	// A wrong API key: AUTH_FAILED (HTTP 401), for reads and writes alike.
	bad := connect(t, gw.url, "wk_not_the_right_key_0123456789abcdef")
	_, err = bad.CreateAgent(Args{"name": "x"})
	wantCode(t, err, CodeAuthFailed, "")
	_, err = bad.GetAgent(unknown)
	wantCode(t, err, CodeAuthFailed, "")
	if !errors.Is(err, ErrAuthFailed) {
		t.Fatal("errors.Is(err, ErrAuthFailed)")
	}
}

func TestGatewayGuardAndDo(t *testing.T) {
	gw := startGateway(t, "http")
	c := connect(t, gw.url, gatewayKey)
	agent := must(c.CreateAgent(Args{"name": "guarded", "capabilities": []string{"tool:web_search", "tool:read_file"}}))["agent_id"].(string)
	// The guard opens its own session on the gateway at the first check.
	g := must(NewGuard(c, agent, WithFlushTimer(false)))
	defer g.Close()
	d := must(g.Check("web_search", "query"))
	if !d.Allowed || d.Source != "engine" || g.SessionID() == "" || d.SessionID != g.SessionID() {
		t.Fatalf("guard check: %+v (session %q)", d, g.SessionID())
	}
	ctx := context.Background()
	ran := false
	noErr(t, g.Do(ctx, "read_file", func(context.Context) error { ran = true; return nil }, DoEffect("read")))
	if !ran {
		t.Fatal("an allowed Do runs fn")
	}
	ran = false
	err := g.Do(ctx, "delete_repo", func(context.Context) error { ran = true; return nil })
	if werr := wantCode(t, err, CodeActionDenied, ""); ran || werr.Decision == nil || werr.Decision.Tool != "delete_repo" {
		t.Fatalf("a denied Do must not run fn: %v", err)
	}
	// block_on_deny=false: Check returns the denial, Do (admit) still refuses.
	m := must(NewGuard(c, agent, WithBlockOnDeny(false), WithFlushTimer(false)))
	defer m.Close()
	if d := must(m.Check("delete_repo", "")); d.Allowed {
		t.Fatal("denied decision")
	}
	err = m.Do(ctx, "delete_repo", func(context.Context) error { ran = true; return nil })
	if wantCode(t, err, CodeActionDenied, ""); ran {
		t.Fatal("Do never runs fn after an enforced denial")
	}
	// Telemetry reaches the gateway.
	g.Report("web_search", true, 12)
	g.Flush()
	if s := g.Stats(); s.Sent == 0 || s.Buffered != 0 || s.FailedFlushes != 0 {
		t.Fatalf("telemetry over the gateway: %+v", s)
	}
}

func TestGatewayWaitForDecisionApprovedElsewhere(t *testing.T) {
	gw := startGateway(t, "http")
	c := connect(t, gw.url, gatewayKey)
	agent, session := agentAndSession(t, c, "supervised", "tool:*")
	d := must(c.Check(Args{"agent_id": agent, "session_id": session, "tool": "delete_file"}))
	if d.Code != string(CodeElevationRequired) || d.ApprovalID == "" {
		t.Fatalf("elevation: %+v", d)
	}
	approval := d.ApprovalID
	// Another client (another goroutine) approves while this one waits.
	approver := connect(t, gw.url, gatewayKey)
	approved := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, err := approver.Approve(Args{"approval_id": approval, "decided_by": "alice@example.com"})
		approved <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	got, err := c.WaitForDecision(ctx, Args{"approval_id": approval, "timeout_seconds": 20})
	noErr(t, err)
	noErr(t, <-approved)
	if got["status"] != "approved" || got["approval_id"] != approval || time.Since(start) < 250*time.Millisecond {
		t.Fatalf("wait_for_decision: %v after %v", got, time.Since(start))
	}
	d = must(c.Check(Args{"agent_id": agent, "session_id": session, "tool": "delete_file"}))
	if !d.Allowed || d.Reason != "elevated" {
		t.Fatalf("elevated check: %+v", d)
	}
	// ctx ends first: ctx.Err() at once (the native wait ends on its own timeout).
	d = must(c.Check(Args{"agent_id": agent, "session_id": session, "tool": "drop_table"}))
	short, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if _, err := c.WaitForDecision(short, Args{"approval_id": d.ApprovalID, "timeout_seconds": 1}); err != context.DeadlineExceeded {
		t.Fatalf("ctx deadline: %v", err)
	}
}

func TestGatewayStoppedIsNetworkErrorAndFailOpenReads(t *testing.T) {
	gw := startGateway(t, "http")
	c := connect(t, gw.url, gatewayKey, WithRetries(0), WithConnectTimeout(time.Second))
	agent, session := agentAndSession(t, c, "open", "tool:*")
	open := must(NewGuard(c, agent, WithSessionID(session), WithFailOpen(true), WithFlushTimer(false)))
	defer open.Close()
	closed := must(NewGuard(c, agent, WithSessionID(session), WithFlushTimer(false)))
	defer closed.Close()
	if d := must(open.Check("web_search", "")); d.Source != "engine" {
		t.Fatalf("reachable: %+v", d)
	}
	gw.stop()

	_, err := c.GetAgent(Args{"agent_id": agent})
	wantCode(t, err, CodeNetworkError, "")
	_, err = c.Check(Args{"agent_id": agent, "session_id": session, "tool": "web_search"})
	wantCode(t, err, CodeNetworkError, "")
	// fail_open allows a read, with the guard's own decision.
	d := must(open.Check("web_search", "", "read"))
	if !d.Allowed || d.Reason != "fail_open" || d.Source != "fail_open" || d.Code != "ALLOW" {
		t.Fatalf("fail-open read: %+v", d)
	}
	ran := false
	noErr(t, open.Do(context.Background(), "read_file", func(context.Context) error { ran = true; return nil }, DoEffect("read")))
	if !ran {
		t.Fatal("Do runs a fail-open read")
	}
	// …but not a write, and a guard without fail_open allows nothing.
	_, err = open.Check("db_write", "", "mutating")
	if werr := wantCode(t, err, CodeGuardianUnavailable, "unreachable"); werr.Decision == nil {
		t.Fatal("the outage decision is attached")
	}
	_, err = closed.Check("web_search", "", "read")
	wantCode(t, err, CodeGuardianUnavailable, "unreachable")
	ran = false
	err = closed.Do(context.Background(), "read_file", func(context.Context) error { ran = true; return nil }, DoEffect("read"))
	if wantCode(t, err, CodeGuardianUnavailable, "unreachable"); ran {
		t.Fatal("Do must not run fn when the engine is unreachable without fail_open")
	}
}

// ---- TLS: a private CA, a server certificate for 127.0.0.1, a client certificate ----

type pemPair struct {
	certPEM, keyPEM string
	cert            *x509.Certificate
	key             *ecdsa.PrivateKey
}

func newCert(t *testing.T, tmpl *x509.Certificate, parent *pemPair) pemPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pemPair{
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})),
		cert:    cert, key: key,
	}
}

// testCA returns a CA, a server certificate for 127.0.0.1 and a client certificate it signed.
func testCA(t *testing.T) (ca, server, client pemPair) {
	t.Helper()
	now := time.Now()
	ca = newCert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "warden test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}, nil)
	server = newCert(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, &ca)
	client = newCert(t, &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "warden go sdk"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, &ca)
	return ca, server, client
}

func TestGatewayTLSWithCAAndClientCertificate(t *testing.T) {
	ca, server, client := testCA(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gw := startGateway(t, "https", "--tls-cert", write("server.pem", server.certPEM),
		"--tls-key", write("server.key", server.keyPEM), "--tls-client-ca", write("ca.pem", ca.certPEM))
	c := connect(t, gw.url, gatewayKey, WithCACertPEM(ca.certPEM), WithClientCertPEM(client.certPEM, client.keyPEM), WithRetries(0))
	a := must(c.CreateAgent(Args{"name": "over-tls"}))
	if a["name"] != "over-tls" {
		t.Fatalf("over TLS: %v", a)
	}
	// Without the private CA the server is not trusted; without the client certificate the
	// server refuses the handshake: both are transport failures.
	noCA := connect(t, gw.url, gatewayKey, WithClientCertPEM(client.certPEM, client.keyPEM), WithRetries(0))
	_, err := noCA.GetAgent(Args{"agent_id": a["agent_id"]})
	wantCode(t, err, CodeNetworkError, "")
	noCert := connect(t, gw.url, gatewayKey, WithCACertPEM(ca.certPEM), WithRetries(0))
	_, err = noCert.GetAgent(Args{"agent_id": a["agent_id"]})
	wantCode(t, err, CodeNetworkError, "")
}
