//! The gateway as a black box (the real binary, real HTTP, real SQLite files): auth, roles,
//! workspace isolation (404, no existence leak), agent-token credentials, limits, key
//! revocation, restart durability, rate limiting, metrics/OpenAPI, TLS with client certificates.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use warden_core::client::Client;
use warden_core::json::Json;
use warden_core::ErrorCode;

const ADMIN: &str = "wk_api_test_bootstrap_key_0123456789";

struct Gw {
    child: Child,
    url: String,
    port: u16,
}

impl Drop for Gw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("warden-api-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(db: &std::path::Path, extra: &[&str], port: Option<u16>) -> Gw {
    let port = port.unwrap_or_else(free_port);
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden-gateway"))
        .args(["serve", "--quiet", "--db", db.to_str().unwrap()])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(extra)
        .env("WARDEN_BOOTSTRAP_KEY", ADMIN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    loop {
        let l = lines.next().expect("gateway exited").unwrap();
        if l.contains("\"listening\"") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let scheme = if extra.contains(&"--tls-cert") {
        "https"
    } else {
        "http"
    };
    Gw {
        child,
        url: format!("{scheme}://127.0.0.1:{port}"),
        port,
    }
}

fn obj(p: Vec<(&str, Json)>) -> Json {
    Json::Obj(p.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn strs(v: &[&str]) -> Json {
    Json::Arr(v.iter().map(|s| Json::from(*s)).collect())
}

/// Raw HTTP: (status, headers, body).
fn raw(
    method: &str,
    url: &str,
    key: Option<&str>,
    body: Option<Vec<u8>>,
) -> (u16, Vec<(String, String)>, Json) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let mut r = if method == "GET" {
            c.get(url)
        } else {
            c.post(url)
        };
        if let Some(k) = key {
            r = r.header("authorization", format!("Bearer {k}"));
        }
        if let Some(b) = body {
            r = r.body(b);
        }
        let resp = match r.send().await {
            Ok(r) => r,
            // The server may answer an oversized upload and close before the client has
            // finished sending it (HTTP/1.1); report "no response" and let the caller retry.
            Err(_) => return (0, Vec::new(), Json::Null),
        };
        let st = resp.status().as_u16();
        let h = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = resp.text().await.unwrap();
        (st, h, Json::parse(&text).unwrap_or(Json::Str(text)))
    })
}

fn code(v: &Json) -> &str {
    v.get("error")
        .and_then(|e| e.get("code"))
        .and_then(Json::as_str)
        .unwrap_or("")
}

fn new_key(url: &str, role: &str, ws: &str) -> String {
    let (st, _, v) = raw(
        "POST",
        &format!("{url}/v1/keys"),
        Some(ADMIN),
        Some(
            obj(vec![("role", role.into()), ("workspace", ws.into())])
                .to_compact()
                .into_bytes(),
        ),
    );
    assert_eq!(st, 200, "{v}");
    v.get("api_key").and_then(Json::as_str).unwrap().to_string()
}

#[test]
fn auth_roles_workspaces_tokens_limits_and_restart() {
    let dir = tmp("main");
    let db = dir.join("g.db");
    let gw = start(&db, &[], None);
    let url = gw.url.clone();

    // No credential / unknown key → 401 AUTH_FAILED.
    let (st, _, v) = raw("GET", &format!("{url}/v1/agents"), None, None);
    assert_eq!((st, code(&v)), (401, "AUTH_FAILED"));
    let (st, _, v) = raw(
        "GET",
        &format!("{url}/v1/agents"),
        Some("wk_nope_nope_nope_nope_nope"),
        None,
    );
    assert_eq!((st, code(&v)), (401, "AUTH_FAILED"));

    let admin = Client::connect(&url, ADMIN, &Json::Null).unwrap();
    let a_default = admin
        .call(
            "create_agent",
            &obj(vec![
                ("name", "d-agent".into()),
                ("capabilities", strs(&["tool:*"])),
            ]),
        )
        .unwrap();
    let a_default_id = a_default
        .get("agent_id")
        .and_then(Json::as_str)
        .unwrap()
        .to_string();

    // A workspace-bound operator: its workspace is filled in; the other workspace is invisible.
    let op_key = new_key(&url, "agent-operator", "acme");
    let op = Client::connect(&url, &op_key, &Json::Null).unwrap();
    let a = op
        .call(
            "create_agent",
            &obj(vec![
                ("name", "acme-bot".into()),
                ("capabilities", strs(&["tool:*"])),
            ]),
        )
        .unwrap();
    assert_eq!(a.get("workspace").and_then(Json::as_str), Some("acme"));
    let acme_id = a
        .get("agent_id")
        .and_then(Json::as_str)
        .unwrap()
        .to_string();
    let e = op
        .call(
            "get_agent",
            &obj(vec![("agent_id", a_default_id.as_str().into())]),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    let missing = op
        .call(
            "get_agent",
            &obj(vec![("agent_id", "agt_01ARZ3NDEKTSV4RRFFQ69G5FAV".into())]),
        )
        .unwrap_err();
    assert_eq!(
        e.reason(),
        missing.reason(),
        "foreign and missing look the same"
    );
    let e = op
        .call("list_agents", &obj(vec![("workspace", "default".into())]))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    let e = op
        .call(
            "revoke_agent",
            &obj(vec![("agent_id", a_default_id.as_str().into())]),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    let listed = op.call("list_agents", &Json::Null).unwrap();
    assert_eq!(
        listed.get("items").and_then(Json::as_arr).map(|a| a.len()),
        Some(1)
    );

    // Roles.
    let e = op
        .call(
            "approve",
            &obj(vec![
                ("approval_id", "apr_01ARZ3NDEKTSV4RRFFQ69G5FAV".into()),
                ("decided_by", "x@y".into()),
            ]),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuthDenied);
    let appr = Client::connect(&url, &new_key(&url, "approver", "acme"), &Json::Null).unwrap();
    let e = appr
        .call("create_agent", &obj(vec![("name", "x".into())]))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuthDenied);
    let s = op
        .call(
            "init_session",
            &obj(vec![
                ("agent_id", acme_id.as_str().into()),
                ("server_id", "srv".into()),
                ("mode", "supervised".into()),
            ]),
        )
        .unwrap();
    let sid = s
        .get("session_id")
        .and_then(Json::as_str)
        .unwrap()
        .to_string();
    let d = op.check(&acme_id, &sid, "delete_file", "", None).unwrap();
    assert_eq!(d.code, "ELEVATION_REQUIRED");
    let ap = appr
        .call(
            "approve",
            &obj(vec![
                ("approval_id", d.approval_id.clone().unwrap().into()),
                ("decided_by", "boss@acme".into()),
            ]),
        )
        .unwrap();
    assert_eq!(ap.get("status").and_then(Json::as_str), Some("approved"));
    assert!(
        op.check(&acme_id, &sid, "delete_file", "", None)
            .unwrap()
            .allowed
    );
    // Non-admins cannot manage keys.
    let (st, _, v) = raw("GET", &format!("{url}/v1/keys"), Some(&op_key), None);
    assert_eq!((st, code(&v)), (403, "AUTH_DENIED"));

    // An agent's own Warden token is a credential for that agent only.
    let tok = admin
        .call(
            "issue_token",
            &obj(vec![
                ("agent_id", acme_id.as_str().into()),
                ("scopes", strs(&["tool:web_search"])),
            ]),
        )
        .unwrap();
    let tok = tok.get("token").and_then(Json::as_str).unwrap().to_string();
    let agent = Client::connect(&url, &tok, &Json::Null).unwrap();
    assert!(
        agent
            .check(&acme_id, &sid, "web_search", "", None)
            .unwrap()
            .allowed
    );
    let e = agent
        .check(&a_default_id, &sid, "web_search", "", None)
        .unwrap_err();
    assert!(
        matches!(e.code(), ErrorCode::AuthDenied | ErrorCode::NotFound),
        "{e}"
    );
    let e = agent
        .call("create_agent", &obj(vec![("name", "x".into())]))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuthDenied);
    admin
        .call("revoke_token", &obj(vec![("token", tok.as_str().into())]))
        .unwrap();
    let e = agent
        .check(&acme_id, &sid, "web_search", "", None)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuthFailed);

    // Limits: body cap, JSON depth, shape, unknown arguments, path + body clash.
    let big = vec![b' '; (1 << 20) + 10];
    let (st, v) = (0..10)
        .map(|_| {
            raw(
                "POST",
                &format!("{url}/v1/agents"),
                Some(ADMIN),
                Some(big.clone()),
            )
        })
        .find(|r| r.0 != 0)
        .map(|(s, _, v)| (s, v))
        .expect("no response to an oversized body in 10 tries");
    assert_eq!((st, code(&v)), (413, "VALIDATION_ERROR"));
    let deep = format!("{{\"name\":{}1{}}}", "[".repeat(100), "]".repeat(100));
    let (st, _, v) = raw(
        "POST",
        &format!("{url}/v1/agents"),
        Some(ADMIN),
        Some(deep.into_bytes()),
    );
    assert_eq!((st, code(&v)), (400, "VALIDATION_ERROR"));
    let (st, _, v) = raw(
        "POST",
        &format!("{url}/v1/agents"),
        Some(ADMIN),
        Some(b"[1]".to_vec()),
    );
    assert_eq!((st, code(&v)), (400, "VALIDATION_ERROR"));
    let (st, _, v) = raw(
        "POST",
        &format!("{url}/v1/agents"),
        Some(ADMIN),
        Some(b"{\"name\":\"a\",\"bogus\":1}".to_vec()),
    );
    assert_eq!((st, code(&v)), (400, "VALIDATION_ERROR"));
    let (st, _, v) = raw("GET", &format!("{url}/v1/agents?nope=1"), Some(ADMIN), None);
    assert_eq!((st, code(&v)), (400, "VALIDATION_ERROR"));
    let (st, _, v) = raw("GET", &format!("{url}/v1/nothing"), Some(ADMIN), None);
    assert_eq!((st, code(&v)), (404, "NOT_FOUND"));
    let (st, _, _) = raw(
        "POST",
        &format!("{url}/v1/test/reset"),
        Some(ADMIN),
        Some(b"{}".to_vec()),
    );
    assert_eq!(st, 404, "test routes exist only in test mode");

    // Key revocation takes effect at once.
    let k = new_key(&url, "admin", "acme");
    let (_, _, list) = raw("GET", &format!("{url}/v1/keys"), Some(ADMIN), None);
    let kid = list
        .get("items")
        .and_then(Json::as_arr)
        .unwrap()
        .iter()
        .filter(|i| {
            i.get("role").and_then(Json::as_str) == Some("admin")
                && i.get("workspace").and_then(Json::as_str) == Some("acme")
        })
        .find_map(|i| i.get("key_id").and_then(Json::as_str))
        .unwrap()
        .to_string();
    assert!(
        !list.to_compact().contains("hash"),
        "key hashes never leave the gateway"
    );
    let (st, _, _) = raw("GET", &format!("{url}/v1/agents"), Some(&k), None);
    assert_eq!(st, 200);
    let (st, _, _) = raw(
        "POST",
        &format!("{url}/v1/keys/{kid}/revoke"),
        Some(ADMIN),
        Some(vec![]),
    );
    assert_eq!(st, 200);
    let (st, _, v) = raw("GET", &format!("{url}/v1/agents"), Some(&k), None);
    assert_eq!((st, code(&v)), (401, "AUTH_FAILED"));

    // Ops endpoints.
    let (st, _, m) = raw("GET", &format!("{url}/metrics"), None, None);
    assert_eq!(st, 200);
    let m = m.as_str().unwrap().to_string();
    assert!(
        m.contains("warden_check_duration_microseconds_count 3"),
        "{m}"
    );
    let (st, _, doc) = raw("GET", &format!("{url}/openapi.json"), None, None);
    assert_eq!(st, 200);
    assert_eq!(doc.get("openapi").and_then(Json::as_str), Some("3.1.0"));
    assert!(doc
        .get("paths")
        .and_then(|p| p.get("/v1/actions/check"))
        .is_some());
    let (st, _, _) = raw("GET", &format!("{url}/ready"), None, None);
    assert_eq!(st, 200);
    let (st, _, jwks) = raw(
        "GET",
        &format!("{url}/.well-known/jwks.json"),
        Some(ADMIN),
        None,
    );
    assert_eq!(st, 200);
    assert!(jwks.get("keys").is_some());

    // Audit events name the API key that acted (SEMANTICS-engine §14), never the secret.
    let ev = admin
        .call(
            "query_audit",
            &obj(vec![
                ("workspace", "acme".into()),
                ("kind", "agent.created".into()),
            ]),
        )
        .unwrap();
    let actor = ev
        .get("items")
        .and_then(Json::as_arr)
        .and_then(|a| a.first())
        .and_then(|e| e.get("actor"))
        .and_then(Json::as_str)
        .unwrap()
        .to_string();
    assert!(actor.starts_with("key_"), "{actor}");
    assert!(!admin
        .call("export_audit", &obj(vec![("workspace", "acme".into())]))
        .unwrap()
        .to_compact()
        .contains(&op_key));

    // Restart on the same file: everything acknowledged is there, keys still work, chain ok.
    let before = admin
        .call("export_audit", &obj(vec![("workspace", "acme".into())]))
        .unwrap();
    let port = gw.port;
    drop(gw);
    let gw2 = start(&db, &[], Some(port));
    let admin2 = Client::connect(&gw2.url, ADMIN, &Json::Null).unwrap();
    let after = admin2
        .call("export_audit", &obj(vec![("workspace", "acme".into())]))
        .unwrap();
    assert_eq!(before, after, "audit log identical after restart");
    let v = admin2
        .call("verify_chain", &obj(vec![("workspace", "acme".into())]))
        .unwrap();
    assert_eq!(v.get("ok").and_then(Json::as_bool), Some(true));
    let op2 = Client::connect(&gw2.url, &op_key, &Json::Null).unwrap();
    assert!(
        op2.check(&acme_id, &sid, "delete_file", "", None)
            .unwrap()
            .allowed,
        "elevation window survived"
    );
    let (st, _, v) = raw("GET", &format!("{}/v1/agents", gw2.url), Some(&k), None);
    assert_eq!(
        (st, code(&v)),
        (401, "AUTH_FAILED"),
        "revoked key stays revoked"
    );
}

#[test]
fn per_key_rate_limit() {
    let dir = tmp("rate");
    let gw = start(&dir.join("g.db"), &["--key-rate", "5"], None);
    let mut limited = None;
    for _ in 0..40 {
        let (st, h, v) = raw("GET", &format!("{}/v1/agents", gw.url), Some(ADMIN), None);
        if st == 429 {
            limited = Some((h, v));
            break;
        }
    }
    let (h, v) = limited.expect("no 429 within 40 requests at 5/s");
    assert_eq!(code(&v), "RATE_LIMITED");
    assert!(h.iter().any(|(k, v)| k == "retry-after" && v == "1"));
}

#[test]
fn tls_with_client_certificates() {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let dir = tmp("tls");
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_p = CertificateParams::new(vec![]).unwrap();
    ca_p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_p.self_signed(&ca_key).unwrap();
    let srv_key = KeyPair::generate().unwrap();
    let srv = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
        .unwrap()
        .signed_by(&srv_key, &ca, &ca_key)
        .unwrap();
    let cli_key = KeyPair::generate().unwrap();
    let cli = CertificateParams::new(vec!["agent-1".into()])
        .unwrap()
        .signed_by(&cli_key, &ca, &ca_key)
        .unwrap();
    let w = |n: &str, s: String| {
        let p = dir.join(n);
        std::fs::write(&p, s).unwrap();
        p.to_str().unwrap().to_string()
    };
    let ca_pem = ca.pem();
    let ca_f = w("ca.pem", ca_pem.clone());
    let cert_f = w("srv.pem", srv.pem());
    let key_f = w("srv.key", srv_key.serialize_pem());
    let gw = start(
        &dir.join("g.db"),
        &[
            "--tls-cert",
            &cert_f,
            "--tls-key",
            &key_f,
            "--tls-client-ca",
            &ca_f,
        ],
        None,
    );
    let url = format!("https://localhost:{}", gw.port);
    let with_cert = obj(vec![
        ("ca_pem", ca_pem.as_str().into()),
        ("client_cert_pem", cli.pem().into()),
        ("client_key_pem", cli_key.serialize_pem().into()),
    ]);
    let c = Client::connect(&url, ADMIN, &with_cert).unwrap();
    let a = c
        .call("create_agent", &obj(vec![("name", "tls-agent".into())]))
        .unwrap();
    assert_eq!(a.get("name").and_then(Json::as_str), Some("tls-agent"));
    // Without a client certificate the handshake fails: a transport error, never a success.
    let no_cert =
        Client::connect(&url, ADMIN, &obj(vec![("ca_pem", ca_pem.as_str().into())])).unwrap();
    let e = no_cert.call("list_agents", &Json::Null).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NetworkError, "{e}");
    // Without the CA the server certificate is not trusted.
    let untrusted = Client::connect(&url, ADMIN, &Json::Null).unwrap();
    assert_eq!(
        untrusted
            .call("list_agents", &Json::Null)
            .unwrap_err()
            .code(),
        ErrorCode::NetworkError
    );
}

/// All audit pages of `ws` (limit 7 per page), following the cursors.
fn all_audit(c: &Client, ws: &str, kind: Option<&str>) -> Vec<Json> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut args = vec![("workspace", ws.into()), ("limit", Json::Int(7))];
        if let Some(k) = kind {
            args.push(("kind", k.into()));
        }
        if let Some(cur) = &cursor {
            args.push(("cursor", cur.as_str().into()));
        }
        let page = c.call("query_audit", &obj(args)).unwrap();
        out.extend(
            page.get("items")
                .and_then(Json::as_arr)
                .unwrap()
                .iter()
                .cloned(),
        );
        match page.get("next_cursor").and_then(Json::as_str) {
            Some(n) => cursor = Some(n.to_string()),
            None => return out,
        }
    }
}

#[test]
fn audit_log_lives_in_the_database_with_bounded_memory() {
    let dir = tmp("audit-memory");
    let db = dir.join("g.db");
    let mem = ["--audit-memory", "1"];
    let gw = start(&db, &mem, None);
    let admin = Client::connect(&gw.url, ADMIN, &Json::Null).unwrap();
    let agent = admin
        .call(
            "create_agent",
            &obj(vec![
                ("name", "a1".into()),
                ("capabilities", strs(&["tool:*"])),
            ]),
        )
        .unwrap();
    let aid = agent
        .get("agent_id")
        .and_then(Json::as_str)
        .unwrap()
        .to_string();
    let ses = admin
        .call(
            "init_session",
            &obj(vec![
                ("agent_id", aid.as_str().into()),
                ("server_id", "s".into()),
                ("mode", "open".into()),
            ]),
        )
        .unwrap();
    let sid = ses
        .get("session_id")
        .and_then(Json::as_str)
        .unwrap()
        .to_string();
    for _ in 0..30 {
        assert!(
            admin
                .check(&aid, &sid, "read_file", "", None)
                .unwrap()
                .allowed
        );
    }
    let ws = "default";
    let export = |c: &Client| {
        c.call("export_audit", &obj(vec![("workspace", ws.into())]))
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    };
    let verify = |c: &Client| {
        c.call("verify_chain", &obj(vec![("workspace", ws.into())]))
            .unwrap()
    };
    let before = export(&admin);
    let events = before.lines().count();
    assert_eq!(events, 32, "agent.created + session.opened + 30 decisions");
    assert_eq!(
        verify(&admin).get("checked").and_then(Json::as_i64),
        Some(32)
    );
    let pages = all_audit(&admin, ws, None);
    assert_eq!(pages.len(), 32);
    let seqs: Vec<i64> = pages
        .iter()
        .map(|e| e.get("seq").and_then(Json::as_i64).unwrap())
        .collect();
    assert_eq!(seqs, (1..=32).collect::<Vec<_>>());
    assert_eq!(all_audit(&admin, ws, Some("decision")).len(), 30);
    let tail = admin
        .call(
            "export_audit",
            &obj(vec![("workspace", ws.into()), ("since_seq", Json::Int(31))]),
        )
        .unwrap();
    assert_eq!(tail.as_str().unwrap().lines().count(), 2);

    // Restart: the same log, from the database.
    let port = gw.port;
    drop(gw);
    let gw = start(&db, &mem, Some(port));
    let admin = Client::connect(&gw.url, ADMIN, &Json::Null).unwrap();
    assert_eq!(export(&admin), before);

    // A database whose audit index lacks the events (as one from before the audit log was
    // stored): replay writes them again at start, as rows of the `audit` table.
    drop(gw);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("DELETE FROM audit_segments", [])
        .unwrap();
    let gw = start(&db, &mem, Some(port));
    let admin = Client::connect(&gw.url, ADMIN, &Json::Null).unwrap();
    assert_eq!(export(&admin), before);
    assert_eq!(verify(&admin).get("ok").and_then(Json::as_bool), Some(true));
    let rows: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 32, "backfilled");

    // An edited row in the database is detected at its seq; a missing one is a gap.
    drop(gw);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE audit SET line = replace(line, '\"read_file\"', '\"rm_file\"') WHERE seq = 10",
        [],
    )
    .unwrap();
    drop(conn);
    let gw = start(&db, &mem, Some(port));
    let admin = Client::connect(&gw.url, ADMIN, &Json::Null).unwrap();
    let v = verify(&admin);
    assert_eq!(v.get("ok").and_then(Json::as_bool), Some(false), "{v}");
    assert_eq!(
        v.get("first_broken_seq").and_then(Json::as_i64),
        Some(10),
        "{v}"
    );
    drop(gw);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM audit WHERE seq = 5", []).unwrap();
    drop(conn);
    let gw = start(&db, &mem, Some(port));
    let admin = Client::connect(&gw.url, ADMIN, &Json::Null).unwrap();
    let v = verify(&admin);
    assert_eq!(
        v.get("first_broken_seq").and_then(Json::as_i64),
        Some(5),
        "{v}"
    );
    let e = admin
        .call("export_audit", &obj(vec![("workspace", ws.into())]))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Internal, "{e}");
}

/// One gateway process per SQLite file: a second `serve` on the same database is refused at
/// start (it would interleave journal entries) and the first keeps serving.
#[test]
fn a_second_gateway_on_the_same_database_is_refused() {
    let dir = tmp("second-gateway");
    let db = dir.join("g.db");
    let gw = start(&db, &[], None);
    let out = Command::new(env!("CARGO_BIN_EXE_warden-gateway"))
        .args(["serve", "--quiet", "--db", db.to_str().unwrap()])
        .args(["--listen", &format!("127.0.0.1:{}", free_port())])
        .env("WARDEN_BOOTSTRAP_KEY", ADMIN)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("in use by another warden-gateway process"),
        "{err}"
    );
    let c = Client::connect(&gw.url, ADMIN, &Json::Null).unwrap();
    c.call("create_agent", &obj(vec![("name", "still-here".into())]))
        .unwrap();
    // Once the first is gone, the file can be served again.
    let port = gw.port;
    drop(gw);
    let gw = start(&db, &[], Some(port));
    let c = Client::connect(&gw.url, ADMIN, &Json::Null).unwrap();
    assert_eq!(
        c.call("list_agents", &Json::Null)
            .unwrap()
            .get("items")
            .and_then(Json::as_arr)
            .map(|a| a.len()),
        Some(1)
    );
}
