//! Over 600 lines on purpose: one hostile-input suite against one backend setup (users, roles, rate limits); each test reads on its own.
//!
//! Hostile input and who may do what (issue 9): every route walked with every role, oversized and
//! malformed bodies, traversal attempts, huge URLs, CORS, security headers, rate limits, TLS, and a
//! client that meets a newer or broken backend.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use tianshu::api::{
    ActionKind, Decision, DecisionRequest, Event, EventKind, Policy, Risk, Role, Snapshot,
};
use tianshu::backend::auth::{Principal, TokenTable};
use tianshu::backend::guard::RateLimit;
use tianshu::backend::http::now_ms;
use tianshu::backend::sim::{Proposal, SimConfig, Simulator};
use tianshu::backend::{self, BackendConfig, RunningBackend};

const START: i64 = 1_793_491_200_000;

fn sim_config() -> SimConfig {
    SimConfig {
        seed: 11,
        start: START,
        factory_count: 3_000,
    }
}

/// The five roles and two impostors, by token ("" = no Authorization header).
const CALLERS: [(&str, &str); 7] = [
    ("viewer", "t-viewer"),
    ("regulator", "t-regulator"),
    ("operator", "t-operator"),
    ("factory_manager", "t-manager"),
    ("admin", "t-admin"),
    ("no token", ""),
    ("bad token", "t-forged"),
];

fn users() -> TokenTable {
    let sim = Simulator::new(sim_config()).unwrap();
    let mut t = TokenTable::default();
    t.insert("t-viewer", Principal::new("wall", Role::Viewer));
    t.insert("t-regulator", Principal::new("miit", Role::Regulator));
    t.insert("t-operator", Principal::new("li.wei", Role::Operator));
    let mut manager = Principal::new("zhang.min", Role::FactoryManager);
    manager.factory_ids = vec![sim.factories()[0].id];
    t.insert("t-manager", manager);
    t.insert("t-admin", Principal::new("root", Role::Admin));
    t
}

async fn start(rate_limit: RateLimit) -> RunningBackend {
    let config = BackendConfig {
        sim: sim_config(),
        tick: Duration::from_secs(3600),
        tokens: users(),
        rate_limit,
        ..BackendConfig::default()
    };
    backend::start(config).await.expect("backend starts")
}

/// A network action any operator or admin may reject.
async fn propose_network_action(b: &RunningBackend) -> tianshu::api::Action {
    let cluster = b.state.world.lock().unwrap().sim.clusters()[0].id.clone();
    let agent = b
        .state
        .world
        .lock()
        .unwrap()
        .sim
        .agents()
        .iter()
        .find(|a| a.id.starts_with("agent-hub-"))
        .unwrap()
        .id
        .clone();
    let p = Proposal {
        agent_id: agent,
        kind: ActionKind::ScaleCompute,
        target: cluster.clone(),
        summary_en: "walk".into(),
        summary_zh: "测试".into(),
        rationale_en: "walk".into(),
        rationale_zh: "测试".into(),
        confidence: 0.8,
        risk: Risk::Medium,
        policy: Policy::OneApproval,
        predicted_impact_en: "walk".into(),
        predicted_impact_zh: "测试".into(),
        params: serde_json::json!({ "cluster": cluster, "add_eflops": 2.0 }),
        ttl_s: 600,
    };
    let id = tianshu::backend::ticker::propose(&b.state.store, &b.state.world, p, now_ms())
        .await
        .unwrap()
        .expect("the gateway takes a hub agent's proposal for its cluster");
    b.state.world.lock().unwrap().action(id).unwrap()
}

fn with_token(r: reqwest::RequestBuilder, token: &str) -> reqwest::RequestBuilder {
    if token.is_empty() {
        r
    } else {
        r.bearer_auth(token)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_with_every_role_gets_the_right_status() {
    let b = start(RateLimit::off()).await;
    let base = b.base_url();
    let http = reqwest::Client::new();
    let doc: serde_json::Value = http
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let metro = b.state.world.lock().unwrap().sim.metros()[0].id.clone();
    let public = ["/api/v1/health", "/api/v1/openapi.json"];
    let mut table: BTreeMap<String, BTreeMap<&str, u16>> = BTreeMap::new();
    let mut walked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            for (role, token) in CALLERS {
                let decision = path == "/api/v1/actions/{id}/decision";
                // A fresh action per caller, so one caller's decision cannot close it for the next.
                let action = if decision {
                    Some(propose_network_action(&b).await)
                } else {
                    None
                };
                let id = match path.as_str() {
                    p if p.starts_with("/api/v1/metros/") => metro.clone(),
                    _ => action.as_ref().map_or("1".into(), |a| a.id.to_string()),
                };
                let url = format!("{base}{}", path.replace("{id}", &id));
                let request = match method.as_str() {
                    "get" => http.get(&url),
                    "post" if decision => http.post(&url).json(&DecisionRequest {
                        decision: Decision::Reject,
                        params: None,
                        reason: "role walk".into(),
                        expected_version: action.as_ref().unwrap().version,
                        idempotency_key: format!("walk-{role}"),
                    }),
                    "post" => http.post(&url).json(&serde_json::json!({})),
                    other => panic!("{other} {path}: add this method to the role walk"),
                };
                let response = with_token(request, token)
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                walked += 1;
                table
                    .entry(format!("{} {path}", method.to_uppercase()))
                    .or_default()
                    .insert(role, status);
                let impostor = token.is_empty() || token == "t-forged";
                let expected: Option<u16> = if public.contains(&path.as_str()) {
                    Some(200)
                } else if impostor {
                    Some(401)
                } else if path.starts_with("/api/v1/ingest") {
                    // Only users with role `source` push figures; none of these callers is one.
                    Some(403)
                } else if decision {
                    Some(match role {
                        "operator" | "admin" => 200,
                        _ => 403, // viewers and regulators decide nothing; managers only their plants
                    })
                } else {
                    None
                };
                match expected {
                    Some(e) => assert_eq!(status, e, "{method} {path} as {role}"),
                    // Every other route is read-only for every role: never refused, never broken.
                    None => assert!(
                        (200..300).contains(&status) || status == 404 || status == 422,
                        "{method} {path} as {role}: {status}"
                    ),
                }
                if status >= 400 {
                    let content_type = response
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    assert!(
                        content_type.starts_with("application/json"),
                        "{path} {role}"
                    );
                }
            }
        }
    }
    assert!(walked >= 7 * 20, "walked only {walked} requests");
    for (route, statuses) in &table {
        eprintln!("{route:45} {statuses:?}");
    }
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_factory_manager_sees_only_their_plants_actions() {
    let b = start(RateLimit::off()).await;
    propose_network_action(&b).await;
    let http = reqwest::Client::new();
    let actions: Vec<tianshu::api::Action> = http
        .get(format!("{}/api/v1/actions", b.base_url()))
        .bearer_auth("t-manager")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        actions.iter().all(|a| a.industrial),
        "no network action is shown to a factory manager"
    );
    let me: serde_json::Value = http
        .get(format!("{}/api/v1/me", b.base_url()))
        .bearer_auth("t-manager")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "factory_manager");
    b.shutdown().await;
}

async fn raw(addr: std::net::SocketAddr, request: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_get_clear_json_errors_and_change_nothing() {
    let b = start(RateLimit::off()).await;
    let base = b.base_url();
    let http = reqwest::Client::new();
    let action = propose_network_action(&b).await;
    let decide_url = format!("{base}/api/v1/actions/{}/decision", action.id);
    let post = |body: Vec<u8>| {
        http.post(&decide_url)
            .bearer_auth("t-operator")
            .header("content-type", "application/json")
            .body(body)
    };
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "truncated JSON",
            post(br#"{"decision":"reject","rea"#.to_vec()),
            422,
            "bad_body",
        ),
        (
            "deeply nested JSON",
            post(deep.into_bytes()),
            422,
            "bad_body",
        ),
        (
            "wrong types",
            post(
                br#"{"decision":7,"reason":[],"expected_version":"x","idempotency_key":{}}"#
                    .to_vec(),
            ),
            422,
            "bad_body",
        ),
        (
            "unknown decision",
            post(
                br#"{"decision":"launch","reason":"r","expected_version":1,"idempotency_key":"k"}"#
                    .to_vec(),
            ),
            422,
            "bad_body",
        ),
        (
            "not JSON at all",
            post(b"\xff\xfe\x00garbage".to_vec()),
            422,
            "bad_body",
        ),
        (
            "wrong method",
            http.delete(&decide_url).bearer_auth("t-operator"),
            405,
            "method_not_allowed",
        ),
        (
            "huge query string",
            http.get(format!("{base}/api/v1/factories?q={}", "x".repeat(20_000)))
                .bearer_auth("t-operator"),
            414,
            "uri_too_long",
        ),
        (
            "huge headers",
            http.get(format!("{base}/api/v1/health"))
                .header("x-padding", "x".repeat(40_000))
                .bearer_auth("t-operator"),
            431,
            "headers_too_large",
        ),
        (
            "encoded traversal in a path parameter",
            http.get(format!(
                "{base}/api/v1/metros/..%2F..%2F..%2Fetc%2Fpasswd/latency"
            ))
            .bearer_auth("t-operator"),
            404,
            "not_found",
        ),
        (
            // Found by schemathesis: this once overflowed and dropped the connection.
            "extreme history range",
            http.get(format!("{base}/api/v1/history?to=-9223372036854775808"))
                .bearer_auth("t-operator"),
            200,
            "",
        ),
        (
            "negative id",
            http.get(format!("{base}/api/v1/factories/-1"))
                .bearer_auth("t-operator"),
            400,
            "bad_path",
        ),
    ];
    for (what, request, status, code) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{what}");
        let body: serde_json::Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        if status == 200 {
            continue;
        }
        assert_eq!(body["code"], code, "{what}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}"
        );
    }
    // An oversized body is refused from its Content-Length, before the backend reads it all
    // (raw, because the server closes the connection while a client would still be sending).
    let (status, text) = raw(
        b.addr,
        &format!(
            "POST /api/v1/actions/{}/decision HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t-operator\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            action.id,
            200 * 1024,
            " ".repeat(1024)
        ),
    )
    .await;
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("body_too_large"), "{text}");
    // Literal traversal, as a hostile client would send it (reqwest would normalise the dots).
    for target in [
        "/api/v1/../../../../etc/passwd",
        "/../../etc/passwd",
        "/api/v1/%2e%2e/%2e%2e/etc/passwd",
        "/api/v1/factories/..%2f..%2fCargo.toml",
    ] {
        let (status, text) = raw(
            b.addr,
            &format!(
                "GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t-admin\r\n\
                 Connection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(matches!(status, 400 | 404), "{target}: {status}");
        assert!(!text.contains("root:"), "{target} leaked a file");
        assert!(
            text.contains("\"code\""),
            "{target}: JSON error expected: {text}"
        );
    }
    // None of it changed the action.
    let now = b.state.world.lock().unwrap().action(action.id).unwrap();
    assert_eq!(now, action);
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_no_cors_and_per_token_rate_limits() {
    let b = start(RateLimit {
        per_second: 1.0,
        burst: 5.0,
    })
    .await;
    let base = b.base_url();
    let http = reqwest::Client::new();
    for (url, token) in [
        (format!("{base}/api/v1/snapshot"), "t-viewer"),
        (format!("{base}/api/v1/snapshot"), ""),
        (format!("{base}/api/v1/nowhere"), "t-admin"),
    ] {
        let response = with_token(http.get(&url), token)
            .header("Origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(h["cache-control"], "no-store", "{url}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
        assert!(
            h.get("access-control-allow-origin").is_none(),
            "CORS is off: {url}"
        );
    }
    // A CORS preflight gets no permission either.
    let preflight = http
        .request(
            reqwest::Method::OPTIONS,
            format!("{base}/api/v1/actions/1/decision"),
        )
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert!(preflight.status().is_client_error());

    // The viewer spent 1 of its 5 above; 4 more pass, then 429 with Retry-After.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = http
            .get(format!("{base}/api/v1/health"))
            .bearer_auth("t-viewer")
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            assert!(r.headers().get("retry-after").is_some());
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["code"], "rate_limited");
        }
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429], "{statuses:?}");
    // Another token has its own bucket.
    let other = http
        .get(format!("{base}/api/v1/health"))
        .bearer_auth("t-operator")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_speaks_tls_with_a_certificate_it_is_given() {
    let dir = std::env::temp_dir().join(format!("tianshu-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert_pem, key_pem) = (cert.cert.pem(), cert.signing_key.serialize_pem());
    std::fs::write(dir.join("cert.pem"), &cert_pem).unwrap();
    std::fs::write(dir.join("key.pem"), &key_pem).unwrap();
    let config = BackendConfig {
        sim: sim_config(),
        tick: Duration::from_secs(3600),
        tls: Some(backend::tls::TlsFiles {
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }),
        ..BackendConfig::default()
    };
    let b = backend::start(config).await.expect("TLS backend starts");
    assert!(b.base_url().starts_with("https://"));
    let url = format!("https://localhost:{}/api/v1/health", b.addr.port());
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let health: serde_json::Value = trusting
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    // A client that does not trust the certificate gets nowhere; plain HTTP gets no API.
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{}/api/v1/health", b.addr.port()))
        .timeout(Duration::from_secs(5))
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
    b.shutdown().await;

    // Broken files are refused at start, with the file named.
    std::fs::write(dir.join("bad.pem"), "not a certificate").unwrap();
    let config = BackendConfig {
        sim: sim_config(),
        tls: Some(backend::tls::TlsFiles {
            cert: dir.join("bad.pem"),
            key: dir.join("key.pem"),
        }),
        ..BackendConfig::default()
    };
    let err = backend::start(config).await.err().expect("refused");
    assert!(err.to_string().contains("bad.pem"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_newer_or_broken_backend_does_not_break_decoding() {
    // A newer backend adds an event type: it decodes as Unknown and is skipped, not fatal.
    let event: Event = serde_json::from_str(
        r#"{"id":5,"server_time":1,"type":"satellite_link_added","link":{"id":"x"}}"#,
    )
    .unwrap();
    assert_eq!(event.kind, EventKind::Unknown);
    // … and new values in enums the console shows.
    let kind: ActionKind = serde_json::from_str(r#""launch_satellite""#).unwrap();
    assert_eq!(kind, ActionKind::Unknown);
    let risk: Risk = serde_json::from_str(r#""extreme""#).unwrap();
    assert_eq!(risk, Risk::Unknown);
    // A plant from a newer backend with a stage, industry and technology this console lacks.
    let stage: tianshu::api::UpgradeStage = serde_json::from_str(r#""certified""#).unwrap();
    assert_eq!(stage, tianshu::api::UpgradeStage::Unknown);
    let industry: tianshu::api::Industry = serde_json::from_str(r#""semiconductors""#).unwrap();
    assert_eq!(industry, tianshu::api::Industry::Unknown);
    let techs: Vec<tianshu::api::Technology> = serde_json::from_str(r#"["tsn","six_g"]"#).unwrap();
    assert_eq!(
        techs,
        vec![
            tianshu::api::Technology::Tsn,
            tianshu::api::Technology::Unknown
        ]
    );
    // Truncated, wrong-typed, huge or deeply nested snapshots are errors, never panics.
    let good = serde_json::to_string(&Snapshot {
        seq: 1,
        server_time: 0,
        sim_time: 0,
        sim_speed: 60.0,
        simulated: true,
        hubs: vec![],
        clusters: vec![],
        links: vec![],
        metros: vec![],
        factories: Default::default(),
        agents: vec![],
        actions: vec![],
        sources: vec![],
        simulated_parts: vec![],
        origins: vec![],
    })
    .unwrap();
    for bad in [
        good[..good.len() / 2].to_owned(),
        good.replace("\"seq\":1", "\"seq\":-1"),
        good.replace("\"sim_speed\":60.0", "\"sim_speed\":\"fast\""),
        good.replace("\"sim_speed\":60.0", "\"sim_speed\":1e999"),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        assert!(serde_json::from_str::<Snapshot>(&bad).is_err());
    }
}
