//! `warden-gateway`: the server (`serve`) and a small admin CLI over a running gateway.

/// mimalloc: the server allocates many small short-lived buffers per request (JSON, audit
/// records); glibc malloc showed ~12 % of CPU under load in perf.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod auth;
mod listen;
mod messaging;
mod openapi;
mod segment;
mod server;
mod store;

use clap::{Args, Parser, Subcommand};
use std::sync::Arc;
use std::time::Duration;
use warden_core::client::Client;
use warden_core::engine::EngineConfig;
use warden_core::json::Json;

#[derive(Parser)]
#[command(
    name = "warden-gateway",
    version,
    about = "Warden gateway: the engine as a REST server, and its admin CLI"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Args, Clone)]
struct Remote {
    /// Gateway URL.
    #[arg(long, env = "WARDEN_URL", default_value = "http://127.0.0.1:8780")]
    url: String,
    /// API key (wk_…) or agent token.
    #[arg(long, env = "WARDEN_API_KEY", hide_env_values = true)]
    api_key: String,
    /// Extra trusted CA (PEM file) for https.
    #[arg(long)]
    ca: Option<String>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the server.
    Serve(Serve),
    /// Print the OpenAPI document.
    Openapi {
        #[arg(long)]
        test_mode: bool,
    },
    /// API keys: create, list, revoke.
    Keys {
        #[command(subcommand)]
        cmd: KeysCmd,
        #[command(flatten)]
        remote: Remote,
    },
    /// Agents: create, list, get, revoke.
    Agents {
        #[command(subcommand)]
        cmd: AgentsCmd,
        #[command(flatten)]
        remote: Remote,
    },
    /// Approvals: list, approve, deny.
    Approvals {
        #[command(subcommand)]
        cmd: ApprovalsCmd,
        #[command(flatten)]
        remote: Remote,
    },
    /// Tokens: issue (through the gateway), inspect (offline, unverified).
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// Audit: verify the hash chain (on the gateway, or an exported file offline).
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
}

#[derive(Args)]
struct Serve {
    /// Listen address.
    #[arg(long, env = "WARDEN_LISTEN", default_value = "127.0.0.1:8780")]
    listen: String,
    /// SQLite database file (the embedded default).
    #[arg(long, env = "WARDEN_DB", default_value = "warden.db")]
    db: String,
    /// PostgreSQL instead of SQLite: postgres://user:pass@host:port/db
    #[arg(long, env = "WARDEN_DATABASE_URL")]
    database_url: Option<String>,
    /// SQLite synchronous=FULL (survives power loss, slower); default NORMAL (survives crashes).
    #[arg(long)]
    sqlite_full_sync: bool,
    /// Audit events per workspace kept in memory; older ones are read from the database.
    #[arg(long, default_value_t = store::DEFAULT_AUDIT_MEMORY as u32, value_parser = clap::value_parser!(u32).range(1..))]
    audit_memory: u32,
    /// TLS certificate chain (PEM).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<String>,
    /// TLS private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<String>,
    /// Require client certificates signed by this CA (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_client_ca: Option<String>,
    /// Engine configuration as JSON (SEMANTICS-engine §17 names); fixed per database.
    #[arg(long, default_value = "{}")]
    engine: String,
    /// Requests per second per credential (0 = unlimited).
    #[arg(long, default_value_t = 5000.0)]
    key_rate: f64,
    /// Request timeout, seconds.
    #[arg(long, default_value_t = 60)]
    request_timeout: u64,
    /// Do not log one JSON line per request.
    #[arg(long)]
    quiet: bool,
    /// Test mode: adds /v1/test/reset and /v1/test/advance (manual clock, seed 7). Never in production.
    #[arg(long)]
    test_mode: bool,
    /// Bootstrap admin key to create on first start (else one is generated and printed once).
    #[arg(long, env = "WARDEN_BOOTSTRAP_KEY", hide_env_values = true)]
    bootstrap_key: Option<String>,
    /// Messaging: most unacknowledged messages kept per inbox (oldest dropped and counted).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(i64).range(1..))]
    messaging_inbox_max: i64,
    /// Messaging: longest an inbox message is kept, seconds.
    #[arg(long, default_value_t = 86_400, value_parser = clap::value_parser!(i64).range(1..))]
    messaging_inbox_max_age: i64,
    /// Messaging: identity lock TTL in ms (stale below half; heartbeat every third).
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(300..))]
    messaging_lock_ttl_ms: u64,
    /// Messaging: sends per second per connection (token bucket, SEMANTICS-messaging §5.3).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    messaging_send_rate: u64,
    /// Messaging: burst of the per-connection send bucket.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..))]
    messaging_send_burst: u64,
    /// Messaging: grants as a JSON file `[{"principal","workspace","right"}]`.
    #[arg(long)]
    messaging_grants: Option<String>,
    /// Worker threads of the server's runtime; 0 = one per CPU.
    #[arg(long, env = "WARDEN_THREADS", default_value_t = 0)]
    threads: u32,
}

#[derive(Subcommand)]
enum KeysCmd {
    Create {
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "default")]
        workspace: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    List,
    Revoke {
        key_id: String,
    },
}

#[derive(Subcommand)]
enum AgentsCmd {
    Create {
        name: String,
        #[arg(long, default_value = "default")]
        workspace: String,
        /// Capability patterns (repeat).
        #[arg(long = "cap")]
        caps: Vec<String>,
    },
    List {
        #[arg(long, default_value = "default")]
        workspace: String,
    },
    Get {
        agent_id: String,
    },
    Revoke {
        agent_id: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand)]
enum ApprovalsCmd {
    List {
        #[arg(long, default_value = "pending")]
        status: String,
    },
    Approve {
        approval_id: String,
        #[arg(long)]
        by: String,
        #[arg(long)]
        note: Option<String>,
    },
    Deny {
        approval_id: String,
        #[arg(long)]
        by: String,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCmd {
    Issue {
        agent_id: String,
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[arg(long)]
        ttl: Option<i64>,
        #[command(flatten)]
        remote: Remote,
    },
    Inspect {
        token: String,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    Verify {
        /// Verify an exported JSONL file offline instead of asking the gateway.
        #[arg(long)]
        file: Option<String>,
        #[arg(long, default_value = "default")]
        workspace: String,
        #[arg(long, env = "WARDEN_URL", default_value = "http://127.0.0.1:8780")]
        url: String,
        #[arg(long, env = "WARDEN_API_KEY", hide_env_values = true)]
        api_key: Option<String>,
    },
}

fn obj(pairs: Vec<(&str, Json)>) -> Json {
    Json::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn connect(r: &Remote) -> Result<Client, String> {
    let mut o = vec![];
    if let Some(ca) = &r.ca {
        o.push((
            "ca_pem",
            Json::from(std::fs::read_to_string(ca).map_err(|e| format!("{ca}: {e}"))?),
        ));
    }
    Client::connect(&r.url, &r.api_key, &obj(o)).map_err(|e| e.to_string())
}

fn print(v: Result<Json, warden_core::Error>) -> Result<(), String> {
    match v {
        Ok(v) => {
            println!("{}", v.to_compact());
            Ok(())
        }
        Err(e) => Err(e.to_string()),
    }
}

fn keys_http(r: &Remote, method: &str, path: &str, body: Option<Json>) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        let url = format!("{}{}", r.url.trim_end_matches('/'), path);
        let req = if method == "GET" {
            http.get(url)
        } else {
            http.post(url)
                .body(body.unwrap_or(Json::Obj(vec![])).to_compact())
        };
        let resp = req
            .header("authorization", format!("Bearer {}", r.api_key))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let ok = resp.status().is_success();
        let text = resp.text().await.map_err(|e| e.to_string())?;
        if ok {
            println!("{text}");
            Ok(())
        } else {
            Err(text)
        }
    })
}

fn main() {
    let cli = Cli::parse();
    let r = match cli.cmd {
        Cmd::Serve(s) => serve(s),
        Cmd::Openapi { test_mode } => {
            println!("{}", pretty(&openapi::document(test_mode)));
            Ok(())
        }
        Cmd::Keys { cmd, remote } => match cmd {
            KeysCmd::Create {
                role,
                workspace,
                name,
            } => keys_http(
                &remote,
                "POST",
                "/v1/keys",
                Some(obj(vec![
                    ("role", role.into()),
                    ("workspace", workspace.into()),
                    ("name", name.into()),
                ])),
            ),
            KeysCmd::List => keys_http(&remote, "GET", "/v1/keys", None),
            KeysCmd::Revoke { key_id } => keys_http(
                &remote,
                "POST",
                &format!(
                    "/v1/keys/{}/revoke",
                    warden_core::client::percent_encode(&key_id)
                ),
                None,
            ),
        },
        Cmd::Agents { cmd, remote } => connect(&remote).and_then(|c| match cmd {
            AgentsCmd::Create {
                name,
                workspace,
                caps,
            } => print(c.call(
                "create_agent",
                &obj(vec![
                    ("name", name.into()),
                    ("workspace", workspace.into()),
                    (
                        "capabilities",
                        Json::Arr(caps.into_iter().map(Json::Str).collect()),
                    ),
                ]),
            )),
            AgentsCmd::List { workspace } => {
                print(c.call("list_agents", &obj(vec![("workspace", workspace.into())])))
            }
            AgentsCmd::Get { agent_id } => {
                print(c.call("get_agent", &obj(vec![("agent_id", agent_id.into())])))
            }
            AgentsCmd::Revoke { agent_id, reason } => print(c.call(
                "revoke_agent",
                &obj(vec![
                    ("agent_id", agent_id.into()),
                    ("reason", reason.map(Json::Str).unwrap_or(Json::Null)),
                ]),
            )),
        }),
        Cmd::Approvals { cmd, remote } => connect(&remote).and_then(|c| match cmd {
            ApprovalsCmd::List { status } => {
                print(c.call("list_approvals", &obj(vec![("status", status.into())])))
            }
            ApprovalsCmd::Approve {
                approval_id,
                by,
                note,
            } => print(c.call(
                "approve",
                &obj(vec![
                    ("approval_id", approval_id.into()),
                    ("decided_by", by.into()),
                    ("note", note.map(Json::Str).unwrap_or(Json::Null)),
                ]),
            )),
            ApprovalsCmd::Deny {
                approval_id,
                by,
                note,
            } => print(c.call(
                "deny",
                &obj(vec![
                    ("approval_id", approval_id.into()),
                    ("decided_by", by.into()),
                    ("note", note.map(Json::Str).unwrap_or(Json::Null)),
                ]),
            )),
        }),
        Cmd::Token { cmd } => match cmd {
            TokenCmd::Issue {
                agent_id,
                scopes,
                ttl,
                remote,
            } => connect(&remote).and_then(|c| {
                print(c.call(
                    "issue_token",
                    &obj(vec![
                        ("agent_id", agent_id.into()),
                        (
                            "scopes",
                            Json::Arr(scopes.into_iter().map(Json::Str).collect()),
                        ),
                        ("ttl_seconds", ttl.map(Json::Int).unwrap_or(Json::Null)),
                    ]),
                ))
            }),
            TokenCmd::Inspect { token } => {
                print(warden_core::token::inspect(token.as_bytes()).map(|c| c.to_json()))
            }
        },
        Cmd::Audit { cmd } => match cmd {
            AuditCmd::Verify { file: Some(f), .. } => std::fs::read_to_string(&f)
                .map_err(|e| format!("{f}: {e}"))
                .and_then(|t| {
                    let c = warden_core::engine::verify_audit_export(&t);
                    println!("{}", c.to_json().to_compact());
                    if c.ok {
                        Ok(())
                    } else {
                        Err("audit chain broken".into())
                    }
                }),
            AuditCmd::Verify {
                file: None,
                workspace,
                url,
                api_key,
            } => {
                let remote = Remote {
                    url,
                    api_key: api_key.unwrap_or_default(),
                    ca: None,
                };
                connect(&remote).and_then(|c| {
                    print(c.call("verify_chain", &obj(vec![("workspace", workspace.into())])))
                })
            }
        },
    };
    if let Err(e) = r {
        eprintln!("warden-gateway: {e}");
        std::process::exit(1);
    }
}

fn pretty(v: &Json) -> String {
    // Stable, diff-friendly: the compact form re-indented by a tiny printer.
    fn go(v: &Json, ind: usize, out: &mut String) {
        let pad = |n: usize| " ".repeat(n);
        match v {
            Json::Obj(m) if !m.is_empty() => {
                out.push_str("{\n");
                for (i, (k, x)) in m.iter().enumerate() {
                    out.push_str(&pad(ind + 2));
                    out.push_str(&Json::Str(k.clone()).to_compact());
                    out.push_str(": ");
                    go(x, ind + 2, out);
                    if i + 1 < m.len() {
                        out.push(',');
                    }
                    out.push('\n');
                }
                out.push_str(&pad(ind));
                out.push('}');
            }
            Json::Arr(a) if !a.is_empty() => {
                out.push_str("[\n");
                for (i, x) in a.iter().enumerate() {
                    out.push_str(&pad(ind + 2));
                    go(x, ind + 2, out);
                    if i + 1 < a.len() {
                        out.push(',');
                    }
                    out.push('\n');
                }
                out.push_str(&pad(ind));
                out.push(']');
            }
            other => out.push_str(&other.to_compact()),
        }
    }
    let mut s = String::new();
    go(v, 0, &mut s);
    s
}

fn load_tls(s: &Serve) -> Result<Option<rustls::ServerConfig>, String> {
    let (Some(cert), Some(key)) = (&s.tls_cert, &s.tls_key) else {
        return Ok(None);
    };
    let read = |p: &str| std::fs::read(p).map_err(|e| format!("{p}: {e}"));
    let certs: Vec<_> = rustls_pemfile::certs(&mut &read(cert)?[..])
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{cert}: {e}"))?;
    let key = rustls_pemfile::private_key(&mut &read(key)?[..])
        .map_err(|e| e.to_string())?
        .ok_or("no private key in --tls-key")?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match &s.tls_client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in rustls_pemfile::certs(&mut &read(ca)?[..]) {
                roots
                    .add(c.map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            }
            let v = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| e.to_string())?;
            builder.with_client_cert_verifier(v)
        }
        None => builder.with_no_client_auth(),
    };
    let mut cfg = builder
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())?;
    cfg.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Some(cfg))
}

fn serve(s: Serve) -> Result<(), String> {
    let engine_json = Json::parse(&s.engine).map_err(|e| format!("--engine: {e}"))?;
    let mut cfg = EngineConfig::from_json(&engine_json).map_err(|e| format!("--engine: {e}"))?;
    if engine_json.get("env").is_none() {
        cfg.strict_mode = EngineConfig::default().strict_mode;
    }
    let store: Arc<dyn store::GatewayStore> = match &s.database_url {
        Some(url) => Arc::new(
            store::PgStore::connect(url, s.audit_memory as usize).map_err(|e| e.to_string())?,
        ),
        None => Arc::new(
            store::SqliteStore::open(&s.db, s.sqlite_full_sync, s.audit_memory as usize)
                .map_err(|e| e.to_string())?,
        ),
    };
    let settings = server::Settings {
        test_mode: s.test_mode,
        log_requests: !s.quiet,
        key_rate: s.key_rate,
        request_timeout: Duration::from_secs(s.request_timeout.max(1)),
    };
    let (app, bootstrap) = server::App::open(store, cfg, settings, s.bootstrap_key.clone())
        .map_err(|e| e.to_string())?;
    if let Some(k) = bootstrap {
        // Printed once, on stdout, on the first start of a fresh store.
        println!("bootstrap admin API key (shown once): {k}");
    }
    let hub = messaging::Hub::open(messaging_config(&s)?).map_err(|e| e.to_string())?;
    let tls = load_tls(&s)?;
    let addr: std::net::SocketAddr = s.listen.parse().map_err(|e| format!("--listen: {e}"))?;
    let threads = match s.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n as usize,
    };
    // Bind before announcing, so "listening" means connections are accepted.
    let listener = listen::bind(addr)?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let router = server::router(app.clone()).merge(messaging::router(app, hub.clone()));
    server::log_line(&[
        ("event", Json::from("listening")),
        ("addr", Json::from(addr.to_string())),
        ("tls", Json::Bool(tls.is_some())),
        ("threads", Json::Int(threads as i64)),
    ]);
    let shutdown = async move {
        shutdown_signal().await;
        hub.shutdown();
        server::log_line(&[
            ("event", Json::from("shutdown")),
            ("drain_seconds", Json::Int(30)),
        ]);
    };
    listen::serve(
        listener,
        router,
        tls.map(Arc::new),
        threads,
        shutdown,
        Duration::from_secs(30),
    )
}

fn messaging_config(s: &Serve) -> Result<messaging::MessagingConfig, String> {
    let mut c = messaging::MessagingConfig::for_db(&s.db);
    c.retention.max_messages = s.messaging_inbox_max;
    c.retention.max_age_ms = s.messaging_inbox_max_age.saturating_mul(1000);
    c.lock_ttl_ms = s.messaging_lock_ttl_ms;
    c.send_rate = s.messaging_send_rate;
    c.send_burst = s.messaging_send_burst;
    if let Some(p) = &s.messaging_grants {
        let text = std::fs::read_to_string(p).map_err(|e| format!("--messaging-grants: {e}"))?;
        c.grants =
            messaging::parse_grants(&text).map_err(|e| format!("--messaging-grants: {e}"))?;
    }
    Ok(c)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
