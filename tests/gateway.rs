//! The agent gateway end to end (issue 15): the real `tianshu serve` with a users file holding
//! agents and operators, driven over HTTP as an agent and an operator would, and by the shipped
//! Python agent (`examples/agents/agent.py`, standard library only).
//!
//! Over 600 lines on purpose: one end-to-end suite of the agent gateway over one `serve` fixture and its users file (REST, MCP, the Python agent).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tianshu::backend::auth::token_digest;

mod support;
use support::runtime;

const OPERATOR: &str = "op-token-1";
const OPERATOR_2: &str = "op-token-2";
const AGENT: &str = "agent-token-backbone";
const AGENT_L4: &str = "agent-token-autonomous";
const VIEWER: &str = "viewer-token";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tianshu-gateway-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn users_file(dir: &Path) -> PathBuf {
    let path = dir.join("users.toml");
    let text = format!(
        r#"
[[user]]
name = "li.wei"
role = "operator"
token_sha256 = "{op}"

[[user]]
name = "wang.fang"
role = "operator"
token_sha256 = "{op2}"

[[user]]
name = "wall"
role = "viewer"
token_sha256 = "{viewer}"

[[user]]
name = "backbone-controller"
role = "agent"
token_sha256 = "{agent}"
agent_id = "agent-backbone-ctl"
autonomy = "L3"
kinds = ["backbone.*"]
targets = ["link:*"]

[[user]]
name = "edge-autopilot"
role = "agent"
token_sha256 = "{l4}"
agent_id = "agent-edge-auto"
autonomy = "L4"
kinds = ["backbone.*", "compute.*"]
targets = ["link:*", "cluster:*"]
"#,
        op = token_digest(OPERATOR),
        op2 = token_digest(OPERATOR_2),
        viewer = token_digest(VIEWER),
        agent = token_digest(AGENT),
        l4 = token_digest(AGENT_L4),
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// `tianshu serve` on `port` (0: one of its choosing), paused (no simulated proposals of its own).
struct Serve {
    process: support::ServeProcess,
    url: String,
}

impl Serve {
    fn start(db: &Path, users: &Path, port: u16) -> Self {
        let listen = format!("127.0.0.1:{port}");
        let process = support::ServeProcess::start([
            "--listen".as_ref(),
            listen.as_ref(),
            "--db".as_ref(),
            db.as_os_str(),
            "--users".as_ref(),
            users.as_os_str(),
            "--seed".as_ref(),
            "7".as_ref(),
            "--factories".as_ref(),
            "2000".as_ref(),
            "--paused".as_ref(),
        ]);
        let url = process.base_url.clone();
        Self { process, url }
    }

    fn kill9(&mut self) {
        self.process.kill9();
    }
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{base}/api/v1"),
        }
    }

    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn decide(&self, token: &str, action: &Value, decision: &str, extra: Value) -> Value {
        let mut body = json!({
            "decision": decision,
            "reason": format!("test {decision}"),
            "expected_version": action["version"],
            "idempotency_key": format!("d-{}-{decision}-{}", action["id"], action["version"]),
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let id = action["id"].as_u64().unwrap();
        let (status, answer) = self
            .post(token, &format!("/actions/{id}/decision"), &body)
            .await;
        assert_eq!(status, 200, "{decision}: {answer}");
        answer["action"].clone()
    }
}

fn link_proposal(key: &str, link: &str) -> Value {
    json!({
        "idempotency_key": key,
        "kind": "backbone.reroute",
        "target": format!("link:{link}"),
        "summary_en": "Shift 10 % of east-bound traffic to the Wuhu path",
        "rationale_en": "East-bound utilisation above 85 % for 20 minutes",
        "evidence": [{"label": "p95 utilisation, 15 min", "value": "91 %"}],
        "confidence": 0.8,
        "risk": "medium",
        "predicted": [{"metric": "utilisation", "before": 91.0, "after": 81.0, "unit": "%"}],
        "params": {"shift_pct": 10},
        "param_bounds": {"shift_pct": {"min": 0, "max": 30}},
        "rollback_en": "Shift the traffic back",
        "mode": "ask_first"
    })
}

async fn first_link(api: &Api) -> String {
    let (status, snapshot) = api.get(OPERATOR, "/snapshot").await;
    assert_eq!(status, 200);
    snapshot["links"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn an_agent_proposes_waits_is_approved_reports_and_nothing_is_doubled() {
    let dir = temp_dir("rest");
    let users = users_file(&dir);
    let serve = Serve::start(&dir.join("db.sqlite"), &users, 0);
    let rt = runtime();
    rt.block_on(async {
        let api = Api::new(&serve.url);
        let link = first_link(&api).await;

        // Propose, and the retry returns the same action.
        let body = link_proposal("k-1", &link);
        let (status, first) = api.post(AGENT, "/actions", &body).await;
        assert_eq!(status, 201, "{first}");
        let action = first["action"].clone();
        assert_eq!(action["state"], "pending");
        assert_eq!(action["policy"], "one_approval", "medium risk: one approval");
        assert_eq!(action["kind_name"], "backbone.reroute");
        assert_eq!(action["protocol"], "rest");
        assert_eq!(action["agent_id"], "agent-backbone-ctl");
        let (status, again) = api.post(AGENT, "/actions", &body).await;
        assert_eq!(status, 200);
        assert_eq!(again["replayed"], true);
        assert_eq!(again["action"]["id"], action["id"]);
        // The same key with another body is refused.
        let mut changed = body.clone();
        changed["params"]["shift_pct"] = json!(12);
        let (status, err) = api.post(AGENT, "/actions", &changed).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(err["code"], "idempotency_key_reused");

        // Scope, unknown targets, roles.
        let mut outside = link_proposal("k-2", &link);
        outside["kind"] = json!("compute.scale");
        let (status, err) = api.post(AGENT, "/actions", &outside).await;
        assert_eq!((status, err["code"].as_str()), (403, Some("out_of_scope")));
        let unknown = link_proposal("k-3", "no-such-link");
        let (status, err) = api.post(AGENT, "/actions", &unknown).await;
        assert_eq!((status, err["code"].as_str()), (422, Some("unknown_target")));
        let (status, err) = api.post(OPERATOR, "/actions", &link_proposal("k-4", &link)).await;
        assert_eq!((status, err["code"].as_str()), (403, Some("not_an_agent")));
        let mut bad = link_proposal("k-5", &link);
        bad["confidence"] = json!(1.5);
        let (status, err) = api.post(AGENT, "/actions", &bad).await;
        assert_eq!((status, err["details"]["field"].as_str()), (422, Some("confidence")));
        let (status, err) = api
            .post(AGENT, "/actions", &json!({"idempotency_key": "x"}))
            .await;
        assert_eq!(status, 422, "{err}");
        assert!(err["message"].is_string());
        // An agent decides nothing.
        let id = action["id"].as_u64().unwrap();
        let (status, err) = api
            .post(
                AGENT,
                &format!("/actions/{id}/decision"),
                &json!({"decision": "approve", "reason": "self", "expected_version": 1, "idempotency_key": "self-1"}),
            )
            .await;
        assert_eq!(status, 403, "{err}");

        // Wait: held until the operator decides, then told exactly what to apply.
        let waiter = {
            let api = Api::new(&serve.url);
            tokio::spawn(async move {
                let started = Instant::now();
                let (status, a) = api
                    .get(AGENT, &format!("/actions/{id}?wait=20&version=1"))
                    .await;
                (status, a, started.elapsed())
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        let decided = api
            .decide(OPERATOR, &action, "override", json!({"params": {"shift_pct": 20}}))
            .await;
        assert_eq!(decided["state"], "approved", "the agent's turn now");
        let (status, seen, waited) = waiter.await.unwrap();
        assert_eq!(status, 200);
        assert_eq!(seen["state"], "approved");
        assert_eq!(seen["params"]["shift_pct"], 20);
        assert_eq!(seen["overridden"], true);
        assert!(waited < Duration::from_secs(10), "woken by the decision, {waited:?}");
        // A wait with nothing to wait for times out with the action as it is.
        let (status, same) = api
            .get(AGENT, &format!("/actions/{id}?wait=1&version={}", seen["version"]))
            .await;
        assert_eq!((status, same["version"].clone()), (200, seen["version"].clone()));

        // Report: executing, then executed with the measured effect; each exactly once.
        let report = |key: &str, status: &str| {
            json!({"idempotency_key": key, "status": status, "details": "applied", "measured": {"shift_pct": 20},
                   "effects": [{"metric": "utilisation", "before": 91.0, "after": 79.5, "unit": "%"}]})
        };
        let path = format!("/actions/{id}/outcome");
        let (status, a) = api.post(AGENT, &path, &report("o-1", "executing")).await;
        assert_eq!((status, a["action"]["state"].as_str()), (200, Some("approved")));
        let (status, a) = api.post(AGENT, &path, &report("o-2", "executed")).await;
        assert_eq!((status, a["action"]["state"].as_str()), (200, Some("executed")));
        assert_eq!(a["action"]["outcome"]["effects"][0]["after"], 79.5);
        let (status, a) = api.post(AGENT, &path, &report("o-2", "executed")).await;
        assert_eq!((status, a["replayed"].as_bool()), (200, Some(true)));
        let (status, err) = api.post(AGENT, &path, &report("o-3", "failed")).await;
        assert_eq!((status, err["code"].as_str()), (409, Some("outcome_not_allowed")));
        let (status, err) = api.post(AGENT_L4, &path, &report("o-4", "executed")).await;
        assert_eq!((status, err["code"].as_str()), (403, Some("not_your_action")));

        // The audit trail names every principal.
        let (status, audit) = api.get(OPERATOR, "/audit?limit=50").await;
        assert_eq!(status, 200);
        let trail: Vec<(String, String)> = audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action_id"].as_u64() == Some(id))
            .map(|e| {
                (
                    e["event"].as_str().unwrap().to_owned(),
                    e["actor"].as_str().unwrap().to_owned(),
                )
            })
            .rev()
            .collect();
        let expected = [
            ("propose", "agent-backbone-ctl"),
            ("override", "li.wei"),
            ("outcome_executing", "agent-backbone-ctl"),
            ("outcome_executed", "agent-backbone-ctl"),
        ];
        assert_eq!(
            trail,
            expected.map(|(a, b)| (a.to_owned(), b.to_owned())),
            "audit"
        );

        // An agent sees its own actions only.
        let (_, other) = api.post(AGENT_L4, "/actions", &{
            let mut p = link_proposal("l4-1", &link);
            p["risk"] = json!("high");
            p
        }).await;
        let other_id = other["action"]["id"].clone();
        assert_eq!(other["action"]["policy"], "two_approvals", "high risk: four eyes");
        let (_, mine) = api.get(AGENT, "/actions").await;
        assert!(mine.as_array().unwrap().iter().all(|a| a["agent_id"] == "agent-backbone-ctl"));
        let (status, _) = api.get(AGENT, &format!("/actions/{other_id}")).await;
        assert_eq!(status, 404);

        // Connected agents, with when each was last heard from.
        let (_, agents) = api.get(VIEWER, "/gateway/agents").await;
        let agents = agents.as_array().unwrap();
        assert_eq!(agents.len(), 2);
        assert!(agents.iter().all(|a| a["last_seen"].is_i64()), "{agents:?}");
    });
}

#[test]
fn acting_now_stays_vetoable_and_a_veto_waits_for_the_rollback() {
    let dir = temp_dir("veto");
    let users = users_file(&dir);
    let serve = Serve::start(&dir.join("db.sqlite"), &users, 0);
    runtime().block_on(async {
        let api = Api::new(&serve.url);
        let link = first_link(&api).await;
        let mut body = link_proposal("n-1", &link);
        body["risk"] = json!("low");
        body["mode"] = json!("act_now");
        // L3 may not act at once: it waits for one approval.
        let (_, slow) = api.post(AGENT, "/actions", &body).await;
        assert_eq!(slow["action"]["state"], "pending");
        // L4 may: approved at once, vetoable until the window closes.
        let (status, fast) = api.post(AGENT_L4, "/actions", &body).await;
        assert_eq!(status, 201, "{fast}");
        let action = fast["action"].clone();
        assert_eq!(action["state"], "approved");
        assert!(action["veto_until"].is_i64());
        let id = action["id"].as_u64().unwrap();
        let (_, executed) = api
            .post(
                AGENT_L4,
                &format!("/actions/{id}/outcome"),
                &json!({"idempotency_key": "e-1", "status": "executed", "measured": {"shift_pct": 10}}),
            )
            .await;
        let executed = executed["action"].clone();
        assert_eq!(executed["state"], "executed");
        let vetoed = api.decide(OPERATOR, &executed, "veto", json!({})).await;
        assert_eq!(vetoed["state"], "rollback_pending");
        assert!(vetoed["rollback_due"].is_i64());
        let (_, rolled) = api
            .post(
                AGENT_L4,
                &format!("/actions/{id}/outcome"),
                &json!({"idempotency_key": "r-1", "status": "rolled_back", "details": "traffic shifted back"}),
            )
            .await;
        assert_eq!(rolled["action"]["state"], "rolled_back");
    });
}

#[test]
fn a_proposal_survives_kill_9_before_its_decision() {
    let dir = temp_dir("kill");
    let users = users_file(&dir);
    let db = dir.join("db.sqlite");
    let port = support::free_port();
    let mut serve = Serve::start(&db, &users, port);
    let rt = runtime();
    let (link, action) = rt.block_on(async {
        let api = Api::new(&serve.url);
        let link = first_link(&api).await;
        let (status, a) = api
            .post(AGENT, "/actions", &link_proposal("kk-1", &link))
            .await;
        assert_eq!(status, 201);
        (link, a["action"].clone())
    });
    serve.kill9();
    let serve = Serve::start(&db, &users, port);
    rt.block_on(async {
        let api = Api::new(&serve.url);
        let id = action["id"].as_u64().unwrap();
        let (status, now) = api.get(AGENT, &format!("/actions/{id}")).await;
        assert_eq!((status, now["state"].as_str()), (200, Some("pending")));
        let (status, again) = api
            .post(AGENT, "/actions", &link_proposal("kk-1", &link))
            .await;
        assert_eq!(
            (status, again["action"]["id"].as_u64()),
            (200, Some(id)),
            "{again}"
        );
        let decided = api.decide(OPERATOR, &now, "approve", json!({})).await;
        assert_eq!(decided["state"], "approved");
    });
}

/// The shipped Python agent (standard library only) against the real backend: proposes, waits,
/// is overridden by an operator, applies exactly the operator's parameters and reports.
#[test]
fn the_python_example_agent_runs_the_whole_protocol() {
    if Command::new("python3").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is needed for the example agent test"
        );
        eprintln!("skipped: no python3");
        return;
    }
    let dir = temp_dir("python");
    let users = users_file(&dir);
    let serve = Serve::start(&dir.join("db.sqlite"), &users, 0);
    let token_file = dir.join("agent.token");
    std::fs::write(&token_file, AGENT).unwrap();
    let rt = runtime();
    let link = rt.block_on(first_link(&Api::new(&serve.url)));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/agents/agent.py");
    let l4_token_file = dir.join("l4.token");
    std::fs::write(&l4_token_file, AGENT_L4).unwrap();
    let run_as = |token_file: &Path, extra: &[&str]| {
        Command::new("python3")
            .arg(&script)
            .args(["--backend", &serve.url, "--token-file"])
            .arg(token_file)
            .args([
                "--kind",
                "backbone.reroute",
                "--target",
                &format!("link:{link}"),
            ])
            .args(["--summary", "Shift east-bound traffic"])
            .args(["--param", "shift_pct=10", "--bound", "shift_pct=0:30"])
            .args(["--wait-total", "60", "--act-seconds", "0.2", "--json"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 runs")
    };
    let run = |extra: &[&str]| {
        let mut args = vec!["--risk", "medium"];
        args.extend_from_slice(extra);
        run_as(&token_file, &args)
    };
    // The operator's side: find the agent's pending action and decide it.
    let decide_pending = |decision: &'static str, extra: Value| {
        rt.block_on(async {
            let api = Api::new(&serve.url);
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let (_, pending) = api.get(OPERATOR, "/actions?state=pending").await;
                if let Some(a) = pending
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|a| a["agent_id"] == "agent-backbone-ctl")
                {
                    return api.decide(OPERATOR, a, decision, extra.clone()).await;
                }
                assert!(Instant::now() < deadline, "the agent proposed nothing");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let last_json = |child: Child| {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "agent failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = stdout.lines().last().unwrap_or_default().to_owned();
        serde_json::from_str::<Value>(&line).unwrap()
    };

    let child = run(&[]);
    decide_pending("override", json!({"params": {"shift_pct": 25}}));
    let end = last_json(child);
    assert_eq!(end["final_state"], "executed", "{end}");
    assert_eq!(
        end["applied_params"]["shift_pct"], 25,
        "the operator's value"
    );

    let child = run(&[]);
    decide_pending("reject", json!({}));
    let end = last_json(child);
    assert_eq!(end["final_state"], "rejected", "{end}");
    assert!(end["applied_params"].is_null());

    let child = run(&["--simulate-failure"]);
    decide_pending("approve", json!({}));
    let end = last_json(child);
    assert_eq!(end["final_state"], "failed", "{end}");

    // Acting at once (L4, low risk), then vetoed: the agent rolls back and says so.
    let child = run_as(&l4_token_file, &["--risk", "low", "--mode", "act_now"]);
    rt.block_on(async {
        let api = Api::new(&serve.url);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, all) = api.get(OPERATOR, "/actions").await;
            if let Some(a) = all.as_array().unwrap().iter().find(|a| {
                a["agent_id"] == "agent-edge-auto"
                    && a["state"] == "executed"
                    && a["veto_until"].is_i64()
            }) {
                api.decide(OPERATOR, a, "veto", json!({})).await;
                break;
            }
            assert!(Instant::now() < deadline, "the agent did not act");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let end = last_json(child);
    assert_eq!(end["final_state"], "rolled_back", "{end}");
    assert_eq!(end["applied_params"]["shift_pct"], 10);
}

/// An MCP client (the official Rust SDK) against `/mcp`: the tools are listed with schemas, an
/// LLM agent's round trip works through them, and a bad token is refused like on REST.
#[test]
fn an_mcp_client_proposes_waits_and_reports_through_the_tools() {
    use rmcp::ServiceExt as _;
    use rmcp::model::{CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation};
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

    let dir = temp_dir("mcp");
    let users = users_file(&dir);
    let serve = Serve::start(&dir.join("db.sqlite"), &users, 0);
    runtime().block_on(async {
        let api = Api::new(&serve.url);
        let link = first_link(&api).await;
        let connect = |token: &str| {
            let transport = StreamableHttpClientTransport::from_config(
                StreamableHttpClientTransportConfig::with_uri(format!("{}/mcp", serve.url))
                    .auth_header(token.to_owned()),
            );
            ClientConfig::new(
                ClientCapabilities::default(),
                Implementation::new("tianshu-test", "0"),
            )
            .serve(transport)
        };
        assert!(connect("wrong-token").await.is_err(), "a bad token is refused");

        let client = connect(AGENT).await.expect("initialize");
        let tools = client.list_all_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        for expected in [
            "propose_action",
            "wait_for_decision",
            "report_outcome",
            "list_my_actions",
            "network_state",
            "metro_latency",
            "factory_kpis",
        ] {
            assert!(names.contains(&expected), "{expected} in {names:?}");
        }
        let propose = tools.iter().find(|t| t.name == "propose_action").unwrap();
        let schema = serde_json::to_value(&propose.input_schema).unwrap();
        assert!(
            schema["required"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "idempotency_key"),
            "{schema}"
        );

        let call = |name: &'static str, args: Value| {
            let client = &client;
            async move {
                let result = client
                    .call_tool(
                        CallToolRequestParams::new(name)
                            .with_arguments(args.as_object().cloned().unwrap()),
                    )
                    .await
                    .unwrap();
                let text = result.content[0].as_text().unwrap().text.clone();
                (result.is_error == Some(true), serde_json::from_str::<Value>(&text).unwrap())
            }
        };
        let (failed, state) = call("network_state", json!({})).await;
        assert!(!failed);
        assert_eq!(state["links"][0]["id"], link.as_str());

        let (failed, proposed) = call("propose_action", link_proposal("m-1", &link)).await;
        assert!(!failed, "{proposed}");
        assert_eq!(proposed["action"]["protocol"], "mcp");
        let action = proposed["action"].clone();
        let id = action["id"].as_u64().unwrap();
        // A refusal is a tool error with the API's body.
        let (failed, refused) = call("propose_action", link_proposal("m-2", "nowhere")).await;
        assert!(failed);
        assert_eq!(refused["code"], "unknown_target");

        api.decide(OPERATOR, &action, "approve", json!({})).await;
        let (_, waited) = call(
            "wait_for_decision",
            json!({"action_id": id, "version": 1, "wait_seconds": 5}),
        )
        .await;
        assert_eq!(waited["action"]["state"], "approved", "{waited}");
        assert!(waited["next_step"].as_str().unwrap().contains("apply exactly"));
        let (failed, reported) = call(
            "report_outcome",
            json!({"action_id": id, "idempotency_key": "mo-1", "status": "executed", "measured": {"shift_pct": 10}}),
        )
        .await;
        assert!(!failed, "{reported}");
        assert_eq!(reported["action"]["state"], "executed");
        let (_, open) = call("list_my_actions", json!({})).await;
        assert!(open.as_array().unwrap().iter().all(|a| a["action"]["id"] != id));
        client.cancel().await.unwrap();
    });
}

/// An agent's own event stream carries its actions and nobody else's.
#[test]
fn an_agents_event_stream_carries_only_its_own_actions() {
    use futures_util::StreamExt as _;
    let dir = temp_dir("stream");
    let users = users_file(&dir);
    let serve = Serve::start(&dir.join("db.sqlite"), &users, 0);
    runtime().block_on(async {
        let api = Api::new(&serve.url);
        let link = first_link(&api).await;
        let stream = reqwest::Client::new()
            .get(format!("{}/api/v1/events", serve.url))
            .bearer_auth(AGENT)
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), 200);
        let mut bytes = stream.bytes_stream();
        let (_, theirs) = api
            .post(AGENT_L4, "/actions", &link_proposal("s-1", &link))
            .await;
        let (_, mine) = api
            .post(AGENT, "/actions", &link_proposal("s-2", &link))
            .await;
        let mut text = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while !text.contains(&format!("\"id\":{}", mine["action"]["id"])) {
            match tokio::time::timeout_at(deadline, bytes.next()).await {
                Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => break,
            }
        }
        let actions: Vec<Value> = text
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .filter_map(|d| serde_json::from_str::<Value>(d.trim()).ok())
            .filter(|e| e["type"] == "action_proposed" || e["type"] == "action_updated")
            .map(|e| e["action"].clone())
            .collect();
        assert!(
            actions.iter().any(|a| a["id"] == mine["action"]["id"]),
            "its own proposal came: {text}"
        );
        assert!(
            actions
                .iter()
                .all(|a| a["agent_id"] == "agent-backbone-ctl"),
            "another agent's action leaked: {actions:?}"
        );
        assert!(!actions.iter().any(|a| a["id"] == theirs["action"]["id"]));
    });
}
