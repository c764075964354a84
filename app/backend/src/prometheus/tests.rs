use super::*;
use crate::api::GeoPoint;

fn frames() -> Arc<Vec<MetroFrame>> {
    let frame = |id: &str, lat: f64| MetroFrame {
        summary: MetroSummary {
            id: id.into(),
            name_en: id.into(),
            name_zh: id.into(),
            province: "CN-SH".into(),
            center: GeoPoint { lat, lon: 121.0 },
            population: 100,
            coverage_1ms: 0.0,
            median_rtt_ms: 0.0,
            access_points: 0,
            probes: None,
        },
        origin: GeoPoint {
            lat: lat - 0.02,
            lon: 120.98,
        },
        cell_km: 1.0,
        cols: 4,
        rows: 4,
        population: vec![1.0; 16],
    };
    Arc::new(vec![frame("a", 31.0), frame("b", 40.0)])
}

fn answer(a_seconds: &str) -> String {
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[
        {{"metric":{{"metro":"a","lat":"31.0","lon":"121.0"}},"value":[1,"{a_seconds}"]}},
        {{"metric":{{"metro":"a","lat":"31.0","lon":"121.0"}},"value":[1,"NaN"]}}]}}}}"#
    )
}

#[test]
fn failures_keep_the_last_figures_and_mark_them_stale_until_a_success() {
    let frames = frames();
    let config = PrometheusConfig::new("http://prom:9090");
    let mut m = Measured::new(frames.clone(), &config);
    assert_eq!(m.feed().metros_without_measurements, ["a", "b"]);
    let labels = ProbeLabels::default();
    let first = measure_answer(&frames, answer("0.0004").as_bytes(), &labels, 5.0).unwrap();
    let changed = m.apply(first, 1_000);
    assert_eq!(changed.len(), 1, "only metro a changed");
    assert_eq!(m.summaries()[0].probes, Some(1));
    assert_eq!(
        m.summaries()[0].coverage_1ms,
        1.0,
        "5 km covers the 4 × 4 km grid"
    );
    assert_eq!(m.summaries()[1].probes, Some(0));
    assert_eq!(m.feed().skipped[0].reason, "not_finite");

    m.fail("cannot reach Prometheus".into(), 2_000);
    m.fail("cannot reach Prometheus".into(), 3_000);
    assert_eq!(
        m.feed().stale_since,
        Some(2_000),
        "stale since the first failure"
    );
    assert_eq!(m.summaries()[0].coverage_1ms, 1.0, "figures kept");
    assert_eq!(m.latency_summary().stale_since, Some(2_000));
    let text = m.metrics_text(5_000);
    assert!(text.contains("tianshu_latency_stale 1\n"), "{text}");
    assert!(text.contains("tianshu_latency_stale_seconds 3\n"), "{text}");
    assert!(text.contains("tianshu_latency_series_skipped{reason=\"not_finite\"} 1\n"));

    let slower = measure_answer(&frames, answer("0.0015").as_bytes(), &labels, 5.0).unwrap();
    m.apply(slower, 6_000);
    assert_eq!(m.feed().stale_since, None);
    assert_eq!(m.feed().last_error, None);
    assert_eq!(m.summaries()[0].coverage_1ms, 0.0);
    let g = m.grid("a").unwrap();
    assert!(g.rtt_ms.iter().all(|ms| (*ms - 1.5).abs() < 1e-6));
    assert_eq!(m.latency_summary().source, LatencySource::Prometheus);
}

fn world_measuring() -> Arc<Mutex<World>> {
    let sim = crate::sim::Simulator::new(crate::sim::SimConfig {
        factory_count: 2_000,
        ..Default::default()
    })
    .unwrap();
    let mut world = World::new(sim, Vec::new(), 60.0, 100, 0);
    let frames = Arc::new(world.metro_frames());
    let config = PrometheusConfig::new("http://prom:9090");
    world.measured = Some(Box::new(Measured::new(frames, &config)));
    Arc::new(Mutex::new(world))
}

#[tokio::test]
async fn a_poller_that_dies_marks_the_figures_stale_and_a_stopped_one_does_not() {
    let world = world_measuring();
    let (stop, stop_rx) = watch::channel(false);
    let poller = tokio::spawn(async { panic!("a bug in the poller") });
    watch_poller(poller, world.clone(), stop_rx.clone()).await;
    let feed = world.lock().unwrap().latency_feed();
    assert!(feed.stale_since.is_some(), "no longer LIVE: {feed:?}");
    assert!(feed.last_error.unwrap().contains("panic"));

    let world = world_measuring();
    let _ = stop.send(true);
    watch_poller(tokio::spawn(async {}), world.clone(), stop_rx).await;
    let feed = world.lock().unwrap().latency_feed();
    assert_eq!(feed.stale_since, None, "stopped on purpose: {feed:?}");
}

#[test]
fn one_query_measures_each_grid_once_and_serves_the_same_cells() {
    let frames = frames();
    let config = PrometheusConfig::new("http://prom:9090");
    let mut m = Measured::new(frames.clone(), &config);
    let labels = ProbeLabels::default();
    let answer = measure_answer(&frames, answer("0.0004").as_bytes(), &labels, 5.0).unwrap();
    assert_eq!(answer.grids.len(), frames.len());
    let kept = answer.grids[0].clone();
    m.apply(answer, 1_000);
    let g = m.grid("a").unwrap();
    assert_eq!(g.rtt_ms, kept.rtt_ms, "served from the kept cells");
    assert_eq!(g.nearest_site, kept.nearest_probe);
    assert_eq!(g.coverage_1ms, m.summaries()[0].coverage_1ms);
    assert!(m.grid("nowhere").is_none());
}

#[test]
fn credentials_never_show_in_urls_or_errors() {
    assert_eq!(
        display_url("https://user:secret@prom.example:9090/prom/"),
        "https://prom.example:9090/prom"
    );
    assert_eq!(display_url("http://prom:9090"), "http://prom:9090");
    // Not a URL at all: the credentials still go.
    assert_eq!(display_url("http://user:secret@[bad/x"), "http://[bad/x");
    assert_eq!(display_url("user:secret@prom:9090"), "prom:9090");
    assert_eq!(display_url("prom:9090/a@b"), "prom:9090/a@b");
    for url in [
        "ftp://user:secret@prom:9090",
        "http://user:secret@[bad",
        "user:secret@prom:9090",
    ] {
        let e = PrometheusConfig::new(url).validate().unwrap_err();
        assert!(!e.0.contains("secret"), "{e}");
    }
}

#[test]
fn settings_that_cannot_work_are_refused() {
    let ok = PrometheusConfig::new("http://user:secret@prom:9090/");
    assert!(ok.validate().is_ok());
    assert_eq!(ok.display_url(), "http://prom:9090", "no credentials shown");
    let mut c = PrometheusConfig::new("prom:9090");
    assert!(c.validate().is_err());
    c.url = "http://prom:9090".into();
    c.query = " ".into();
    assert!(c.validate().is_err());
    c.query = DEFAULT_QUERY.into();
    c.interval = Duration::from_millis(100);
    assert!(c.validate().is_err());
    c.interval = Duration::from_secs(15);
    c.probe_radius_km = f64::NAN;
    assert!(c.validate().is_err());
    c.probe_radius_km = 5.0;
    c.labels.metro = "metro\"}".into();
    assert!(c.validate().is_err());
}
