//! `make demo` until the gateway lands (issue #8): the token lifecycle end to end, in process.
//! An orchestrator provisions a sandbox, the agent picks its token up from the environment, the
//! tool proxy verifies it and checks each tool call's scope and rate limit, and tampered, expired
//! and over-scoped requests are refused with stable codes.

use warden_core::provision::session_token_from;
use warden_core::*;

fn main() -> Result<()> {
    let secret = "17332cf135d362f79a2ed700b13e1215978be1d6ae6e133d25b6b3f21fa10299";
    println!("1. orchestrator: provision a sandbox (ati-client compatible)");
    let orch = Orchestrator::from_secret("https://ati-proxy.example.com/", secret, None, None)?;
    let env = orch.provision_sandbox(
        "sandbox:demo-42",
        &ProvisionArgs {
            tools: vec!["web_search".into(), "github:*".into()],
            skills: vec!["research-*".into()],
            ttl_seconds: Some(600),
            rate: vec![("tool:github:*".into(), "10/hour".into())],
            ..Default::default()
        },
    )?;
    for (k, v) in &env {
        println!(
            "   {k}={}",
            if v.len() > 60 {
                format!("{}…", &v[..60])
            } else {
                v.clone()
            }
        );
    }

    println!("2. agent: read ATI_SESSION_TOKEN from its environment");
    let token = session_token_from(
        "ATI_SESSION_TOKEN",
        |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
        std::path::Path::new("/nonexistent"),
    )?;

    println!("3. tool proxy: verify once, then check every tool call against the compiled scopes");
    let mut opts = VerifierOptions::new(vec![Alg::HS256]);
    opts.issuer = Some("ati-orchestrator".into());
    let verifier = Verifier::with_key(Key::hs256_hex(secret, None)?, opts)?;
    let claims = verifier.verify(&token)?;
    println!(
        "   sub={} scopes={:?} rate={:?}",
        claims.sub().unwrap_or("?"),
        claims.scopes(),
        claims.rate_limits()
    );
    let scopes = ScopeSet::from_claim(claims.scope().unwrap_or(""))?;
    for tool in [
        "web_search",
        "github:search_repos",
        "github:repos:delete",
        "shell_exec",
    ] {
        let required = format!("tool:{tool}");
        println!(
            "   {required:<26} -> {}",
            if scopes.allows(&required) {
                "ALLOW"
            } else {
                "DENY (SCOPE)"
            }
        );
    }

    println!("4. refusals carry stable codes");
    // Widen the scope in the payload but keep the signature: the signature no longer verifies.
    let parts: Vec<&str> = token.split('.').collect();
    let payload = String::from_utf8(warden_core::b64::decode(parts[1].as_bytes()).expect("b64"))
        .expect("utf8");
    let widened = payload.replace("tool:web_search", "*");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        warden_core::b64::encode(widened.as_bytes()),
        parts[2]
    );
    for (what, t) in [
        ("tampered token", tampered.as_str()),
        ("JWE-shaped token", "a.b.c.d.e"),
        ("alg=none token", "eyJhbGciOiJub25lIn0.e30.x"),
    ] {
        let e = verifier.verify(t).unwrap_err();
        println!(
            "   {what:<17} -> {} ({})",
            e.code(),
            e.reason().unwrap_or("-")
        );
    }
    let mut late = verifier.options().clone();
    late.now = Some(claims.exp().unwrap_or(0) + 61);
    let e = Verifier::with_key(Key::hs256_hex(secret, None)?, late)?
        .verify(&token)
        .unwrap_err();
    println!("   {:<17} -> {}", "expired token", e.code());
    let e = Key::hs256_hex("deadbeef", None).unwrap_err();
    println!("   {:<17} -> {}", "short secret", e.code());
    println!(
        "done: the gateway demo (SQLite gateway + example agent + approver) arrives with issue #8"
    );
    Ok(())
}
