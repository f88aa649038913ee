//! `KeySet.fetch` against a real HTTP server on loopback: caching, background refresh on an
//! unknown `kid` (rate-limited), rotation, and every failure mode mapped to its code.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use warden_core::json::Json;
use warden_core::*;

struct Server {
    url: String,
    body: Arc<Mutex<(u16, String)>>,
    hits: Arc<AtomicUsize>,
}

async fn serve() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body = Arc::new(Mutex::new((200u16, String::new())));
    let hits = Arc::new(AtomicUsize::new(0));
    let (b, h) = (body.clone(), hits.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (b, h) = (b.clone(), h.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                h.fetch_add(1, Ordering::SeqCst);
                let (status, text) = b.lock().unwrap().clone();
                let resp = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}", text.len());
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    Server {
        url: format!("http://{addr}/.well-known/jwks.json"),
        body,
        hits,
    }
}

fn jwks(keys: &[&Key]) -> String {
    Json::Obj(vec![(
        "keys".into(),
        Json::Arr(keys.iter().map(|k| k.to_jwk_value(false)).collect()),
    )])
    .to_compact()
}

fn verifier(ks: KeySet) -> Verifier {
    let mut o = VerifierOptions::new(vec![Alg::EdDSA, Alg::ES256]);
    o.audience = "warden".into();
    Verifier::new(ks, o).unwrap()
}

fn tok(k: &Key) -> String {
    let now = token::now_seconds();
    let c = Claims::from_json(
        Json::parse(&format!(
            r#"{{"sub":"a","aud":"warden","iat":{now},"exp":{},"scope":"tool:a","jti":"j"}}"#,
            now + 60
        ))
        .unwrap(),
    )
    .unwrap();
    token::issue(k, &c, None).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetch_cache_and_refresh_on_unknown_kid() {
    let s = serve().await;
    let k1 = Key::generate_ed25519(Some("k1")).unwrap();
    let k2 = Key::generate_es256(Some("k2")).unwrap();
    s.body.lock().unwrap().1 = jwks(&[&k1]);
    let ks = KeySet::fetch_with_interval(&s.url, 300, Duration::from_millis(200))
        .await
        .unwrap();
    assert_eq!(s.hits.load(Ordering::SeqCst), 1);
    assert_eq!(ks.url(), Some(s.url.as_str()));
    let v = verifier(ks.clone());
    for _ in 0..20 {
        v.verify(&tok(&k1)).unwrap();
    }
    assert_eq!(
        s.hits.load(Ordering::SeqCst),
        1,
        "cached: no fetch per verify"
    );
    // Rotate: the server now has k2. The first verify fails and starts one refresh.
    s.body.lock().unwrap().1 = jwks(&[&k1, &k2]);
    let e = v.verify(&tok(&k2)).unwrap_err();
    assert_eq!(
        (e.code(), e.reason()),
        (ErrorCode::InvalidToken, Some("unknown_kid"))
    );
    let mut ok = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if v.verify(&tok(&k2)).is_ok() {
            ok = true;
            break;
        }
    }
    assert!(ok, "refresh brought in the rotated key");
    assert_eq!(s.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kid_refresh_is_rate_limited() {
    let s = serve().await;
    let k1 = Key::generate_ed25519(Some("k1")).unwrap();
    let stranger = Key::generate_ed25519(Some("nope")).unwrap();
    s.body.lock().unwrap().1 = jwks(&[&k1]);
    let ks = KeySet::fetch(&s.url, 300).await.unwrap();
    let v = verifier(ks);
    for _ in 0..50 {
        assert!(v.verify(&tok(&stranger)).is_err());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        s.hits.load(Ordering::SeqCst),
        2,
        "one initial fetch + at most one refresh per 30 s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_refresh_and_failures() {
    let s = serve().await;
    let k1 = Key::generate_ed25519(Some("k1")).unwrap();
    s.body.lock().unwrap().1 = jwks(&[&k1]);
    let ks = KeySet::fetch(&s.url, 1).await.unwrap();
    // A failed refresh keeps the old keys.
    *s.body.lock().unwrap() = (500, "{}".into());
    assert_eq!(
        ks.refresh().await.unwrap_err().code(),
        ErrorCode::NetworkError
    );
    assert_eq!(ks.len(), 1);
    *s.body.lock().unwrap() = (200, "not json".into());
    assert_eq!(
        ks.refresh().await.unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    assert_eq!(
        KeySet::fetch(&s.url, 300).await.unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    *s.body.lock().unwrap() = (404, "".into());
    let e = KeySet::fetch(&s.url, 300).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::NetworkError);
    assert_eq!(
        e.details_json()
            .and_then(|d| d.get("status"))
            .and_then(Json::as_i64),
        Some(404)
    );
    *s.body.lock().unwrap() = (
        200,
        r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#.into(),
    );
    assert_eq!(
        KeySet::fetch(&s.url, 300).await.unwrap_err().code(),
        ErrorCode::InvalidKey
    );
    // A static set cannot be refreshed.
    assert_eq!(
        KeySet::from(k1.public_key())
            .refresh()
            .await
            .unwrap_err()
            .code(),
        ErrorCode::ValidationError
    );
}

#[tokio::test]
async fn fetch_rejects_bad_urls_and_dead_servers() {
    for (url, code) in [
        ("http://example.com/jwks", ErrorCode::ValidationError),
        ("ftp://127.0.0.1/jwks", ErrorCode::ValidationError),
        ("not a url", ErrorCode::ValidationError),
        ("", ErrorCode::ValidationError),
    ] {
        assert_eq!(
            KeySet::fetch(url, 300).await.unwrap_err().code(),
            code,
            "{url}"
        );
    }
    assert_eq!(
        KeySet::fetch("http://127.0.0.1:9/jwks", 0)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::ValidationError
    );
    // Nothing listens on port 9 (discard) here: connection refused.
    assert_eq!(
        KeySet::fetch("http://127.0.0.1:9/jwks", 300)
            .await
            .unwrap_err()
            .code(),
        ErrorCode::NetworkError
    );
}
