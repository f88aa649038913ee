//! The OpenAPI 3.1 document, generated from the core route table (the same table the server
//! routes and the Remote client call through).

use warden_core::client::routes::{self, Method, QueryType};
use warden_core::json::Json;

fn o(pairs: Vec<(&str, Json)>) -> Json {
    Json::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn s(x: &str) -> Json {
    Json::from(x)
}

fn error_ref() -> Json {
    o(vec![(
        "content",
        o(vec![(
            "application/json",
            o(vec![(
                "schema",
                o(vec![("$ref", s("#/components/schemas/Error"))]),
            )]),
        )]),
    )])
}

/// The document (test-mode routes only when `test_mode`).
pub fn document(test_mode: bool) -> Json {
    let mut paths: Vec<(String, Json)> = Vec::new();
    for r in routes::ROUTES {
        if r.op.starts_with("test_") && !test_mode {
            continue;
        }
        let mut params: Vec<Json> = routes::path_params(r.path)
            .map(|p| {
                o(vec![
                    ("name", s(p)),
                    ("in", s("path")),
                    ("required", Json::Bool(true)),
                    (
                        "schema",
                        o(vec![("type", s("string")), ("minLength", Json::Int(1))]),
                    ),
                ])
            })
            .collect();
        for (q, t) in r.query {
            params.push(o(vec![
                ("name", s(q)),
                ("in", s("query")),
                ("required", Json::Bool(false)),
                (
                    "schema",
                    o(vec![(
                        "type",
                        s(if *t == QueryType::Int {
                            "integer"
                        } else {
                            "string"
                        }),
                    )]),
                ),
            ]));
        }
        let mut op = vec![
            ("operationId", s(r.op)),
            ("summary", s(r.summary)),
            ("tags", Json::Arr(vec![s(r.tag)])),
            ("parameters", Json::Arr(params)),
            (
                "responses",
                o(vec![
                    (
                        "200",
                        o(vec![
                            ("description", s("The operation's result")),
                            (
                                "content",
                                o(vec![(
                                    "application/json",
                                    o(vec![("schema", o(vec![("type", s("object"))]))]),
                                )]),
                            ),
                        ]),
                    ),
                    ("400", {
                        let mut e = error_ref();
                        if let Json::Obj(m) = &mut e {
                            m.push((
                                "description".into(),
                                s("VALIDATION_ERROR and the token/scope codes"),
                            ));
                        }
                        e
                    }),
                    ("401", {
                        let mut e = error_ref();
                        if let Json::Obj(m) = &mut e {
                            m.push(("description".into(), s("AUTH_FAILED")));
                        }
                        e
                    }),
                    ("403", {
                        let mut e = error_ref();
                        if let Json::Obj(m) = &mut e {
                            m.push(("description".into(), s("AUTH_DENIED or a denial code")));
                        }
                        e
                    }),
                    ("404", {
                        let mut e = error_ref();
                        if let Json::Obj(m) = &mut e {
                            m.push((
                                "description".into(),
                                s("NOT_FOUND (also any object outside the caller's workspace)"),
                            ));
                        }
                        e
                    }),
                    ("409", {
                        let mut e = error_ref();
                        if let Json::Obj(m) = &mut e {
                            m.push((
                                "description".into(),
                                s("CONFLICT, SESSION_CLOSED, APPROVAL_EXPIRED"),
                            ));
                        }
                        e
                    }),
                    ("429", {
                        let mut e = error_ref();
                        if let Json::Obj(m) = &mut e {
                            m.push(("description".into(), s("RATE_LIMITED (Retry-After header)")));
                        }
                        e
                    }),
                ]),
            ),
            (
                "security",
                Json::Arr(vec![o(vec![("bearer", Json::Arr(vec![]))])]),
            ),
        ];
        if r.method == Method::Post {
            op.push((
                "requestBody",
                o(vec![
                    ("required", Json::Bool(false)),
                    (
                        "content",
                        o(vec![(
                            "application/json",
                            o(vec![(
                                "schema",
                                o(vec![
                                    ("type", s("object")),
                                    ("maxProperties", Json::Int(64)),
                                ]),
                            )]),
                        )]),
                    ),
                ]),
            ));
        }
        let method = if r.method == Method::Get {
            "get"
        } else {
            "post"
        };
        match paths.iter_mut().find(|(p, _)| p == r.path) {
            Some((_, Json::Obj(m))) => m.push((method.into(), o(op))),
            _ => paths.push((r.path.to_string(), o(vec![(method, o(op))]))),
        }
    }
    for (p, summary) in [
        ("/health", "Liveness"),
        ("/ready", "Readiness (store reachable)"),
    ] {
        paths.push((
            p.to_string(),
            o(vec![(
                "get",
                o(vec![
                    ("operationId", s(&p[1..])),
                    ("summary", s(summary)),
                    ("security", Json::Arr(vec![])),
                    (
                        "responses",
                        o(vec![("200", o(vec![("description", s("OK"))]))]),
                    ),
                ]),
            )]),
        ));
    }
    o(vec![
        ("openapi", s("3.1.0")),
        (
            "info",
            o(vec![
                ("title", s("Warden gateway")),
                ("version", s(env!("CARGO_PKG_VERSION"))),
                ("description", s("The Warden engine over REST: agents, tokens, sessions, action checks, approvals, delegations, policies, telemetry and the audit log. Errors: {error: {code, reason, message, details, decision?}} with the codes of SEMANTICS-engine s16.")),
            ]),
        ),
        ("paths", Json::Obj(paths)),
        (
            "components",
            o(vec![
                (
                    "securitySchemes",
                    o(vec![(
                        "bearer",
                        o(vec![
                            ("type", s("http")),
                            ("scheme", s("bearer")),
                            ("description", s("An API key (wk_...) or an agent's Warden token")),
                        ]),
                    )]),
                ),
                (
                    "schemas",
                    o(vec![(
                        "Error",
                        o(vec![
                            ("type", s("object")),
                            ("required", Json::Arr(vec![s("error")])),
                            (
                                "properties",
                                o(vec![(
                                    "error",
                                    o(vec![
                                        ("type", s("object")),
                                        ("required", Json::Arr(vec![s("code"), s("message")])),
                                        (
                                            "properties",
                                            o(vec![
                                                ("code", o(vec![("type", s("string"))])),
                                                ("reason", o(vec![("type", Json::Arr(vec![s("string"), s("null")]))])),
                                                ("message", o(vec![("type", s("string"))])),
                                                ("details", o(vec![])),
                                                ("decision", o(vec![("type", s("object"))])),
                                            ]),
                                        ),
                                    ]),
                                )]),
                            ),
                        ]),
                    )]),
                ),
            ]),
        ),
    ])
}
