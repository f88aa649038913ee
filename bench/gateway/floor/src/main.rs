//! The HTTP floor: what axum + hyper + tokio cost on this machine with no work behind them.
//! `POST /v1/actions/check` reads the body and answers a fixed decision of the gateway's shape
//! and size; `GET /health` answers `{"status":"ok"}`. Usage: `warden-http-floor [ADDR]`.

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

const DECISION: &str = r#"{"check_id":"chk_0000000000000000000000000000","allowed":true,"code":"ALLOW","reason":"granted","enforced":true,"source":"engine","agent_id":"agt_0000000000000000000000000000","session_id":"ses_0000000000000000000000000000","tool":"read_file","effect":"read","required_scope":"tool:read_file","matched_pattern":"tool:*","rule_id":null,"approval_id":null,"retry_after_ms":null,"decided_at":1767225600000}"#;

async fn check(body: Bytes) -> impl IntoResponse {
    // Touch the body so the request is fully read, like the gateway does.
    let _ = body.len();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        DECISION,
    )
}

async fn health() -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":"ok"}"#,
    )
}

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8790".to_string());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let app = Router::new()
            .route("/v1/actions/check", post(check))
            .route("/health", get(health));
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .unwrap_or_else(|e| panic!("listen {addr}: {e}"));
        eprintln!("{{\"event\":\"listening\",\"addr\":\"{addr}\"}}");
        axum::serve(listener, app).await.expect("serve");
    });
}
