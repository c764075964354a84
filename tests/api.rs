//! API v1 end to end: the reference backend on port 0, driven by the console's real client.
//!
//! Over 600 lines on purpose: one end-to-end suite of API v1 against one running backend; each test reads on its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use tianshu::api::{
    Action, ActionState, Decision, DecisionRequest, Event, FactoryQuery, UpgradeStage,
};
use tianshu::backend::{self, BackendConfig, RunningBackend};
use tianshu::client::{self, ApiClient, ClientError, ClientEvent, ConnectionState};
use tianshu::state::State;

const START: i64 = 1_793_491_200_000; // 2026-11-01T00:00:00Z

async fn start_backend() -> RunningBackend {
    let mut config = BackendConfig {
        speed: 1800.0,
        tick: Duration::from_millis(40),
        ..BackendConfig::default()
    };
    config.sim.seed = 7;
    config.sim.start = START;
    config.sim.factory_count = 20_000;
    backend::start(config).await.expect("backend starts")
}

async fn next_events<S>(stream: &mut S, n: usize) -> Vec<Event>
where
    S: futures_util::Stream<Item = Result<Event, ClientError>> + Unpin,
{
    let mut out = Vec::new();
    while out.len() < n {
        let item = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .expect("events keep coming")
            .expect("stream open")
            .expect("event decodes");
        out.push(item);
    }
    out
}

async fn wait_for_open_action(api: &ApiClient) -> Action {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let snapshot = api.snapshot().await.expect("snapshot");
        if let Some(action) = snapshot.actions.into_iter().find(|a| {
            // The embedded backend's local operator decides network actions only.
            a.state == ActionState::Pending
                && !a.industrial
                && a.expires_at > snapshot.server_time + 60_000
        }) {
            return action;
        }
        assert!(
            Instant::now() < deadline,
            "the simulator proposed no action in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_answers_json_and_openapi_lists_them() {
    let backend = start_backend().await;
    let base = backend.base_url();
    let http = reqwest::Client::new();
    let snapshot: serde_json::Value = http
        .get(format!("{base}/api/v1/snapshot"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let metro = snapshot["metros"][0]["id"]
        .as_str()
        .expect("a metro")
        .to_owned();
    let paths = [
        "/api/v1/health".to_owned(),
        "/api/v1/openapi.json".to_owned(),
        "/api/v1/snapshot".to_owned(),
        "/api/v1/metros".to_owned(),
        format!("/api/v1/metros/{metro}/latency"),
        "/api/v1/factories?stage=upgraded&limit=5".to_owned(),
        "/api/v1/factories/1".to_owned(),
        "/api/v1/progress".to_owned(),
        "/api/v1/agents".to_owned(),
        "/api/v1/actions".to_owned(),
        "/api/v1/audit".to_owned(),
        "/api/v1/agents/activity-past".to_owned(),
    ];
    for path in &paths {
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let body: serde_json::Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(body.is_object() || body.is_array(), "{path}");
    }
    let doc: serde_json::Value = http
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let listed: BTreeSet<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .map(String::as_str)
        .collect();
    for expected in [
        "/api/v1/health",
        "/api/v1/openapi.json",
        "/api/v1/snapshot",
        "/api/v1/metros",
        "/api/v1/metros/{id}/latency",
        "/api/v1/factories",
        "/api/v1/factories/{id}",
        "/api/v1/progress",
        "/api/v1/agents",
        "/api/v1/actions",
        "/api/v1/actions/{id}/decision",
        "/api/v1/audit",
        "/api/v1/events",
    ] {
        assert!(
            listed.contains(expected),
            "openapi.json lacks {expected}: {listed:?}"
        );
    }
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_one_json_shape_with_the_right_status() {
    let backend = start_backend().await;
    let base = backend.base_url();
    let http = reqwest::Client::new();
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (http.get(format!("{base}/api/v1/nope")), 404, "not_found"),
        (
            http.put(format!("{base}/api/v1/snapshot")),
            405,
            "method_not_allowed",
        ),
        (
            http.get(format!("{base}/api/v1/metros/atlantis/latency")),
            404,
            "not_found",
        ),
        (
            http.get(format!("{base}/api/v1/factories/99999999")),
            404,
            "not_found",
        ),
        (
            http.get(format!("{base}/api/v1/factories/abc")),
            400,
            "bad_path",
        ),
        (
            http.get(format!("{base}/api/v1/factories?bbox=1,2,3")),
            422,
            "bad_filter",
        ),
        (
            // A value this server does not know is refused as a filter, not matched as "unknown".
            http.get(format!("{base}/api/v1/factories?stage=flying")),
            422,
            "bad_filter",
        ),
        (
            http.get(format!("{base}/api/v1/factories?limit=lots")),
            400,
            "bad_query",
        ),
        (
            http.get(format!("{base}/api/v1/audit?cursor=zzz")),
            400,
            "bad_cursor",
        ),
        (
            http.get(format!("{base}/api/v1/events"))
                .header("Last-Event-ID", "x"),
            400,
            "bad_last_event_id",
        ),
        (
            http.post(format!("{base}/api/v1/actions/1/decision"))
                .header("content-type", "application/json")
                .body("{not json"),
            422,
            "bad_body",
        ),
        (
            http.post(format!("{base}/api/v1/actions/999999/decision"))
                .json(&DecisionRequest {
                    decision: Decision::Approve,
                    params: None,
                    reason: "r".into(),
                    expected_version: 1,
                    idempotency_key: "k-missing".into(),
                }),
            404,
            "not_found",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{code}");
        let body: tianshu::api::ApiError = response.json().await.expect("error body is JSON");
        assert_eq!(body.code, code);
        assert!(!body.message.is_empty());
    }
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_stream_resumes_exactly_after_a_dropped_connection() {
    let backend = start_backend().await;
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let snapshot = api.snapshot().await.unwrap();
    let mut stream = Box::pin(api.events(Some(snapshot.seq)).await.unwrap());
    let first = next_events(&mut stream, 30).await;
    assert_eq!(
        first[0].id,
        snapshot.seq + 1,
        "the stream starts right after the snapshot"
    );
    backend.drop_event_streams();
    // The old stream ends; whatever it still delivered counts as applied.
    let mut applied: Vec<u64> = first.iter().map(|e| e.id).collect();
    while let Ok(Some(Ok(e))) = tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
        applied.push(e.id);
    }
    // Let events pile up while disconnected, then resume.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let last = *applied.last().unwrap();
    let mut resumed = Box::pin(api.events(Some(last)).await.unwrap());
    let more = next_events(&mut resumed, 40).await;
    applied.extend(more.iter().map(|e| e.id));
    let expected: Vec<u64> = (snapshot.seq + 1..=*applied.last().unwrap()).collect();
    assert_eq!(
        applied, expected,
        "no gap and no duplicate across the reconnect"
    );
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decision_round_trip_is_idempotent_and_audited() {
    let backend = start_backend().await;
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let action = wait_for_open_action(&api).await;
    let decision = if action.policy == tianshu::api::Policy::AutoWithVeto {
        Decision::Veto
    } else {
        Decision::Reject
    };
    let request = DecisionRequest {
        decision,
        params: None,
        reason: "end-to-end test".into(),
        expected_version: action.version,
        idempotency_key: format!("test-{}", action.id),
    };
    let first = api
        .decide(action.id, &request)
        .await
        .expect("decision accepted");
    assert!(!first.replayed);
    assert_eq!(first.action.version, action.version + 1);
    assert!(matches!(
        first.action.state,
        ActionState::Rejected | ActionState::Vetoed
    ));
    // A retry of the same decision is answered from the record, not applied again.
    let again = api
        .decide(action.id, &request)
        .await
        .expect("retry answered");
    assert!(again.replayed);
    assert_eq!(again.action, first.action);
    assert_eq!(again.audit_id, first.audit_id);
    // A new decision on the old version is refused as stale.
    let stale = DecisionRequest {
        idempotency_key: "other".into(),
        ..request.clone()
    };
    match api.decide(action.id, &stale).await {
        Err(ClientError::Api { status: 409, body }) => assert_eq!(body.code, "not_open"),
        other => panic!("expected 409, got {other:?}"),
    }
    // Same key, different content: refused, not replayed.
    let reused = DecisionRequest {
        reason: "something else".into(),
        ..request.clone()
    };
    assert!(matches!(
        api.decide(action.id, &reused).await,
        Err(ClientError::Api { status: 422, .. })
    ));
    let audit = api.audit(None).await.unwrap();
    let entries: Vec<_> = audit
        .items
        .iter()
        .filter(|e| e.action_id == action.id && e.actor != "system" && e.role != "agent")
        .collect();
    assert_eq!(entries.len(), 1, "exactly one audit entry for the decision");
    assert_eq!(entries[0].reason, "end-to-end test");
    backend.shutdown().await;
}

#[test]
fn the_real_client_feeds_state_and_resumes_after_a_drop() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let backend = runtime.block_on(start_backend());
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let wakes = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = wakes.clone();
    let mut handle = client::spawn(
        runtime.handle(),
        api,
        Arc::new(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }),
    );
    let mut state = State::new(handle.base_url.clone());
    let mut stream_ids = Vec::new();
    let mut snapshots = 0;
    let mut pump = |state: &mut State,
                    until: &dyn Fn(&State, &[u64]) -> bool,
                    ids: &mut Vec<u64>,
                    snapshots: &mut u32| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !until(state, ids) {
            assert!(
                Instant::now() < deadline,
                "timed out; connection {:?}",
                state.connection
            );
            match handle.events.try_recv() {
                Ok(event) => {
                    if let ClientEvent::Stream(e) = &event {
                        ids.push(e.id);
                    }
                    if matches!(event, ClientEvent::Snapshot(_)) {
                        *snapshots += 1;
                    }
                    state.apply(event, Instant::now());
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    };
    pump(
        &mut state,
        &|s, ids| s.connection == ConnectionState::Connected && ids.len() >= 20,
        &mut stream_ids,
        &mut snapshots,
    );
    let world = state.world.as_ref().expect("snapshot applied");
    assert_eq!(world.clusters.len(), 10);
    assert!(world.simulated);
    backend.drop_event_streams();
    pump(
        &mut state,
        &|s, ids| ids.len() >= 60 && s.connection == ConnectionState::Connected,
        &mut stream_ids,
        &mut snapshots,
    );
    assert_eq!(snapshots, 1, "a resume needs no new snapshot");
    let first = stream_ids[0];
    let expected: Vec<u64> = (first..first + stream_ids.len() as u64).collect();
    assert_eq!(stream_ids, expected, "contiguous ids across the drop");
    assert_eq!(state.last_event_id, *stream_ids.last().unwrap());
    assert!(
        wakes.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "the UI was woken"
    );
    runtime.block_on(backend.shutdown());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn factories_filter_and_page_through_the_api() {
    let backend = start_backend().await;
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let mut query = FactoryQuery {
        stage: Some(UpgradeStage::Upgraded),
        limit: Some(500),
        ..Default::default()
    };
    let mut seen = BTreeSet::new();
    let mut total = None;
    loop {
        let page = api.factories(&query).await.unwrap();
        total.get_or_insert(page.total);
        for f in &page.items {
            assert_eq!(f.stage, UpgradeStage::Upgraded);
            assert!(seen.insert(f.id), "factory {} on two pages", f.id);
        }
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, total.unwrap());
    assert!(seen.len() > 1000);
    backend.shutdown().await;
}

#[test]
fn a_client_with_a_bad_url_says_so() {
    assert!(matches!(
        ApiClient::new("ftp://x", None),
        Err(ClientError::BadUrl(..))
    ));
    assert!(matches!(
        ApiClient::new("not a url", None),
        Err(ClientError::BadUrl(..))
    ));
}

/// The console filters its own copy of every plant (`FactoryPoints::filter`); for every
/// combination of filters it must count exactly what the backend counts, and the backend's
/// points and CSV must list the same plants.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_side_factory_filters_agree_with_the_backend() {
    use tianshu::api::{Industry, Technology};
    // A world that stands still: the first step happens only after an hour.
    let mut config = BackendConfig {
        speed: 60.0,
        tick: Duration::from_secs(3600),
        ..BackendConfig::default()
    };
    config.sim.seed = 7;
    config.sim.start = START;
    config.sim.factory_count = 20_000;
    let backend = backend::start(config).await.expect("backend starts");
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let all = api.factory_points(&FactoryQuery::default()).await.unwrap();
    assert!(all.is_consistent());
    assert_eq!(all.len(), 20_000);
    assert!(all.provinces.len() >= 30, "{}", all.provinces.len());

    let q = |f: &dyn Fn(&mut FactoryQuery)| {
        let mut q = FactoryQuery::default();
        f(&mut q);
        q
    };
    let queries = [
        q(&|q| q.province = Some("CN-GD".into())),
        q(&|q| {
            q.province = Some("cn-gd".into());
            q.industry = Some(Industry::Electronics);
        }),
        q(&|q| {
            q.stage = Some(UpgradeStage::Upgraded);
            q.tech = Some(Technology::Tsn);
        }),
        q(&|q| q.compliant = Some(true)),
        q(&|q| {
            q.compliant = Some(false);
            q.province = Some("CN-JS".into());
            q.stage = Some(UpgradeStage::Deploying);
        }),
        q(&|q| q.q = Some("Foshan".into())),
        q(&|q| q.q = Some("汽车".into())),
        q(&|q| q.q = Some("#123".into())),
        q(&|q| {
            q.q = Some("plant 00".into());
            q.industry = Some(Industry::Steel);
            q.compliant = Some(true);
        }),
        q(&|q| q.province = Some("CN-XX".into())),
    ];
    let mut nonzero = 0;
    for query in &queries {
        let local: Vec<u32> = all.filter(query).into_iter().map(|i| all.ids[i]).collect();
        let counted = api
            .factories(&FactoryQuery {
                limit: Some(1),
                ..query.clone()
            })
            .await
            .unwrap()
            .total;
        assert_eq!(local.len() as u64, counted, "{query:?}");
        let served = api.factory_points(query).await.unwrap();
        assert_eq!(served.ids, local, "{query:?}");
        let csv = api.factories_csv(query).await.unwrap();
        let lines = String::from_utf8(csv).unwrap().lines().count();
        assert_eq!(
            lines as u64,
            counted + 1,
            "{query:?}: header + one line per plant"
        );
        nonzero += usize::from(counted > 0);
    }
    assert!(nonzero >= 8, "most queries match something");

    // A plant's page: checklist and history; a missing one is a 404.
    let detail = api.factory_detail(123).await.unwrap();
    assert_eq!(detail.factory.id, 123);
    assert!(!detail.checklist.is_empty() && !detail.kpi_history.is_empty());
    assert!(matches!(
        api.factory_detail(999_999).await,
        Err(ClientError::Api { status: 404, .. })
    ));
    assert!(matches!(
        api.factory_points(&FactoryQuery {
            bbox: Some("1,2".into()),
            ..Default::default()
        })
        .await,
        Err(ClientError::Api { status: 422, .. })
    ));
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_replays_the_last_simulated_day_and_refuses_a_reversed_range() {
    let backend = start_backend().await;
    let api = ApiClient::new(&backend.base_url(), None).expect("client");
    let snapshot = api.snapshot().await.expect("snapshot");
    // A fresh backend already has yesterday (backfilled), one frame per 5 simulated minutes.
    let day = api.history(None, None).await.expect("history");
    assert!(day.frames.len() >= 280, "{}", day.frames.len());
    assert_eq!(day.step_ms, 300_000);
    let first = &day.frames[0];
    assert!(first.sim_time >= snapshot.sim_time - 24 * 3_600_000 - 300_000);
    assert_eq!(first.clusters.len(), snapshot.clusters.len());
    assert_eq!(first.links.len(), snapshot.links.len());
    assert!(day.frames.windows(2).all(|w| w[0].sim_time < w[1].sim_time));
    for l in &first.links {
        assert!((0.0..=1.0).contains(&l.utilization_forward));
        assert!((0.0..=1.0).contains(&l.utilization_reverse));
    }
    // A window holds only its frames (one from the middle: the oldest frames age out as we go).
    let from = day.frames[100].sim_time;
    let to = from + 3_600_000;
    let hour = api.history(Some(from), Some(to)).await.expect("an hour");
    assert_eq!(hour.frames.len(), 13);
    assert!(
        hour.frames
            .iter()
            .all(|f| (from..=to).contains(&f.sim_time))
    );
    // The clock moves on and new frames join (1800× speed: 5 simulated minutes every 0.17 s).
    tokio::time::sleep(Duration::from_millis(600)).await;
    let later = api.history(None, None).await.expect("later");
    assert!(
        later.frames.last().expect("frames").sim_time > day.frames.last().expect("frames").sim_time
    );
    assert!(later.frames.len() <= 289);
    // from > to is refused with the one error shape.
    let http = reqwest::Client::new();
    let response = http
        .get(format!(
            "{}/api/v1/history?from=10&to=5",
            backend.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "bad_range");
    let response = http
        .get(format!("{}/api/v1/history?from=soon", backend.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // The OpenAPI document lists it.
    let doc: serde_json::Value = http
        .get(format!("{}/api/v1/openapi.json", backend.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/history"].is_object());
    backend.shutdown().await;
}

/// `GET /metrics` (issue 10): Prometheus text with requests by route template and status,
/// events published, open event streams and pending actions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_prometheus_text_and_count_what_happens() {
    let backend = start_backend().await;
    let base = backend.base_url();
    let http = reqwest::Client::new();
    for _ in 0..2 {
        let r = http
            .get(format!("{base}/api/v1/health"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = http
        .get(format!("{base}/no/such/thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let stream = http
        .get(format!("{base}/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut body = stream.bytes_stream();
    let first = tokio::time::timeout(Duration::from_secs(20), body.next()).await;
    assert!(matches!(first, Ok(Some(Ok(_)))), "the stream delivers");

    let scrape = || async {
        let r = http.get(format!("{base}/metrics")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
        r.text().await.unwrap()
    };
    let sample = |text: &str, series: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {series} in\n{text}"))
    };
    let text = scrape().await;
    assert!(
        sample(
            &text,
            "tianshu_http_requests_total{route=\"/api/v1/health\",status=\"200\"}"
        ) >= 2.0
    );
    assert!(
        sample(
            &text,
            "tianshu_http_requests_total{route=\"unmatched\",status=\"404\"}"
        ) >= 1.0
    );
    assert_eq!(sample(&text, "tianshu_event_stream_clients"), 1.0);
    assert!(sample(&text, "tianshu_events_published_total") >= 1.0);
    assert!(sample(&text, "tianshu_actions_pending") >= 0.0);
    assert_eq!(
        sample(&text, "tianshu_decisions_total{decision=\"approve\"}"),
        0.0
    );
    assert!(text.contains("# TYPE tianshu_http_requests_total counter"));

    // A console that goes away leaves the gauge (the server notices at its next write).
    drop(body);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = scrape().await;
        if sample(&text, "tianshu_event_stream_clients") == 0.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed stream is still counted"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    backend.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_reports_each_provinces_own_history() {
    let backend = start_backend().await;
    let api = ApiClient::new(&backend.base_url(), None).unwrap();
    let progress = api.progress().await.expect("progress");
    assert!(
        progress.upgraded_by_province_series.len() >= 25,
        "{} provinces with a history",
        progress.upgraded_by_province_series.len()
    );
    for now in &progress.upgraded_by_province {
        let series = progress
            .upgraded_by_province_series
            .iter()
            .find(|s| s.key == now.key)
            .unwrap_or_else(|| panic!("{} has no history", now.key));
        let last = series.series.last().expect("samples");
        assert_eq!(last.value, now.count as f64, "{}", now.key);
        assert!(series.series.len() > 300, "{}: a year back", now.key);
        assert!(series.series.windows(2).all(|w| w[0].t < w[1].t));
        assert!(series.series[0].value <= last.value, "{}", now.key);
    }
    let rows = tianshu::review::provinces(&progress, None);
    assert_eq!(rows.len(), progress.enterprises_by_province.len());
    assert!(rows.iter().filter(|r| r.projection.is_some()).count() >= 25);
}

/// On first start the agents' timeline does not start empty: the backend models its agents'
/// activity before the start (labelled modelled), every point before where its own record
/// begins, each outcome after a proposal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agents_past_is_modelled_before_the_start() {
    let backend = start_backend().await;
    let base = backend.base_url();
    let http = reqwest::Client::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let past = loop {
        let past: tianshu::api::ActivityPast = http
            .get(format!("{base}/api/v1/agents/activity-past"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if past.modelled || std::time::Instant::now() > deadline {
            break past;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        past.modelled,
        "the model's past arrives (in the background)"
    );
    assert!(past.points.len() >= 10, "{}", past.points.len());
    assert!(past.points.iter().all(|p| p.at < past.starts_at));
    assert!(past.points.windows(2).all(|w| w[0].at <= w[1].at));
    let proposed = past
        .points
        .iter()
        .filter(|p| p.kind == tianshu::api::PastActivityKind::Proposed)
        .count();
    assert!(proposed * 2 >= past.points.len());
    backend.shutdown().await;
}
