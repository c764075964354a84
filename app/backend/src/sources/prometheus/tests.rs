//! Over 600 lines on purpose: the sources file, answer reading and the poller lifecycle of one adapter share fixtures (a sample file, series builders, a world); each test reads on its own.

use std::collections::BTreeMap;
use std::time::Duration;

use super::*;
use crate::api::{EventKind, SourceHealth, SourceKind, UnixMs};
use crate::sources::telemetry::Metric;

const GOOD: &str = r#"
[push]
stale_after_s = 120

[[prometheus]]
id = "backbone"
url = "http://user:secret@prometheus:9090"
interval_s = 30
timeout_s = 2.5

[[prometheus.metrics]]
metric = "link.utilization_forward"
query = 'tianshu_link_utilization{direction="forward"}'
entity_label = "link"

[[prometheus.metrics]]
metric = "metro.median_rtt_ms"
query = 'histogram_quantile(0.5, sum by (le, metro) (rate(rtt_seconds_bucket[5m])))'
entity_label = "metro"
scale = 1000

[[prometheus]]
id = "dc-power_2"
url = "https://prom.example/prom/"

[[prometheus.metrics]]
metric = "cluster.pue"
query = "dc_pue"
entity_label = "cluster"
"#;

#[test]
fn a_good_sources_toml_reads_with_defaults() {
    let f = parse_sources_toml(GOOD).unwrap();
    assert_eq!(f.push_stale_after, Some(Duration::from_secs(120)));
    assert_eq!(f.prometheus.len(), 2);
    let b = &f.prometheus[0];
    assert_eq!(b.source_id(), "prometheus:backbone");
    assert_eq!(b.interval, Duration::from_secs(30));
    assert_eq!(b.timeout, Duration::from_millis(2500));
    assert_eq!(b.display_url(), "http://prometheus:9090", "no credentials");
    assert_eq!(b.metrics[0].metric, Metric::LinkForward);
    assert_eq!(b.metrics[0].scale, 1.0);
    assert_eq!(b.metrics[1].metric, Metric::MetroMedianRtt);
    assert_eq!(b.metrics[1].scale, 1000.0);
    assert_eq!(
        b.provides(),
        vec!["link.utilization_forward", "metro.median_rtt_ms"]
    );
    let d = &f.prometheus[1];
    assert_eq!(d.interval, Duration::from_secs(15));
    assert_eq!(d.timeout, Duration::from_secs(5));
    let base = d.validate().unwrap();
    assert_eq!(
        query_endpoint(&base).as_str(),
        "https://prom.example/prom/api/v1/query"
    );
    let base = reqwest::Url::parse("http://p:9090").unwrap();
    assert_eq!(query_endpoint(&base).as_str(), "http://p:9090/api/v1/query");

    // An empty file is fine: nothing polled, push defaults.
    assert_eq!(parse_sources_toml("").unwrap(), SourcesFile::default());
    // A short interval without a timeout gets half of it.
    let f = parse_sources_toml(
        "[[prometheus]]\nid = \"a\"\nurl = \"http://p\"\ninterval_s = 1\n\
         [[prometheus.metrics]]\nmetric = \"cluster.pue\"\nquery = \"x\"\nentity_label = \"c\"\n",
    )
    .unwrap();
    assert_eq!(f.prometheus[0].timeout, Duration::from_millis(500));
}

/// One source with `field` lines in the source and `metric` lines in its one metric.
fn one(source: &str, metric: &str) -> Result<SourcesFile, String> {
    parse_sources_toml(&format!(
        "[[prometheus]]\n{source}\n[[prometheus.metrics]]\n{metric}\n"
    ))
}

const SOURCE: &str = "id = \"a\"\nurl = \"http://p:9090\"";
const METRIC: &str = "metric = \"cluster.pue\"\nquery = \"dc_pue\"\nentity_label = \"cluster\"";

#[track_caller]
fn refused(result: Result<SourcesFile, String>, needle: &str) {
    match result {
        Ok(f) => panic!("accepted, expected an error with {needle:?}: {f:?}"),
        Err(e) => assert!(e.contains(needle), "{needle:?} not in: {e}"),
    }
}

#[test]
fn every_refusal_says_why() {
    assert!(one(SOURCE, METRIC).is_ok());
    refused(
        parse_sources_toml("[push]\nstale_after_s = 5\n"),
        "stale_after_s",
    );
    refused(parse_sources_toml("[push]\nstale = 60\n"), "unknown field");
    refused(parse_sources_toml("colour = 1\n"), "unknown field");
    refused(parse_sources_toml("[[prometheus]]\nid = \"a\"\n"), "url");
    refused(one(&format!("{SOURCE}\nport = 1"), METRIC), "unknown field");
    refused(
        one(&format!("{SOURCE}\ninterval_s = 0.5"), METRIC),
        "interval_s",
    );
    refused(
        one(&format!("{SOURCE}\ninterval_s = 7200"), METRIC),
        "interval_s",
    );
    refused(
        one(&format!("{SOURCE}\ninterval_s = -1"), METRIC),
        "interval_s",
    );
    refused(
        one(&format!("{SOURCE}\ntimeout_s = 0.1"), METRIC),
        "timeout_s",
    );
    refused(
        one(&format!("{SOURCE}\ntimeout_s = 90"), METRIC),
        "timeout_s",
    );
    refused(
        one(&format!("{SOURCE}\ninterval_s = 5\ntimeout_s = 5"), METRIC),
        "less than interval_s",
    );
    refused(one("id = \"Backbone\"\nurl = \"http://p\"", METRIC), "id");
    refused(one("id = \"\"\nurl = \"http://p\"", METRIC), "id");
    refused(
        one(
            &format!("id = \"{}\"\nurl = \"http://p\"", "a".repeat(41)),
            METRIC,
        ),
        "1 to 40",
    );
    refused(one("id = \"a b\"\nurl = \"http://p\"", METRIC), "id");
    refused(one("id = \"a\"\nurl = \"ftp://p\"", METRIC), "http://");
    refused(
        one("id = \"a\"\nurl = \"prometheus:9090\"", METRIC),
        "http://",
    );
    refused(one("id = \"a\"\nurl = \"not a url\"", METRIC), "url");
    // A refused URL never shows its password.
    let e = one("id = \"a\"\nurl = \"ftp://u:hunter2@p\"", METRIC).unwrap_err();
    assert!(!e.contains("hunter2"), "{e}");
    refused(
        parse_sources_toml("[[prometheus]]\nid = \"a\"\nurl = \"http://p\"\n"),
        "at least one metric",
    );
    refused(
        one(
            SOURCE,
            "metric = \"pue\"\nquery = \"x\"\nentity_label = \"c\"",
        ),
        "kind.name",
    );
    refused(
        one(
            SOURCE,
            "metric = \"dc.pue\"\nquery = \"x\"\nentity_label = \"c\"",
        ),
        "link, cluster, metro or factory",
    );
    refused(
        one(
            SOURCE,
            "metric = \"cluster.temperature\"\nquery = \"x\"\nentity_label = \"c\"",
        ),
        "utilization, pue",
    );
    refused(
        one(
            SOURCE,
            "metric = \"cluster.pue\"\nquery = \" \"\nentity_label = \"c\"",
        ),
        "query",
    );
    let long = format!(
        "metric = \"cluster.pue\"\nquery = \"{}\"\nentity_label = \"c\"",
        "x".repeat(4097)
    );
    refused(one(SOURCE, &long), "4096 bytes");
    refused(
        one(
            SOURCE,
            "metric = \"cluster.pue\"\nquery = \"x\"\nentity_label = \"0c\"",
        ),
        "label name",
    );
    refused(
        one(
            SOURCE,
            "metric = \"cluster.pue\"\nquery = \"x\"\nentity_label = \"a-b\"",
        ),
        "label name",
    );
    refused(one(SOURCE, &format!("{METRIC}\nscale = 0")), "scale");
    refused(one(SOURCE, &format!("{METRIC}\nscale = nan")), "scale");
    refused(
        one(SOURCE, &format!("{METRIC}\nhelp = \"x\"")),
        "unknown field",
    );
    refused(
        one(
            SOURCE,
            &format!("{METRIC}\n[[prometheus.metrics]]\n{METRIC}"),
        ),
        "twice",
    );
    let twice = format!(
        "[[prometheus]]\n{SOURCE}\n[[prometheus.metrics]]\n{METRIC}\n\
         [[prometheus]]\n{SOURCE}\n[[prometheus.metrics]]\n{METRIC}\n"
    );
    refused(parse_sources_toml(&twice), "unique");
    // Errors name the source by position.
    refused(
        one("id = \"a\"\nurl = \"ftp://p\"", METRIC),
        "[[prometheus]] #1",
    );
}

fn query(metric: Metric, label: &str, scale: f64) -> MetricQuery {
    MetricQuery {
        metric,
        query: "q".into(),
        entity_label: label.into(),
        scale,
    }
}

fn series(label: &str, id: &str, value: &str) -> String {
    format!(r#"{{"metric":{{"__name__":"m","{label}":"{id}"}},"value":[1700000000.25,"{value}"]}}"#)
}

fn vector(series: &[String]) -> String {
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
        series.join(",")
    )
}

#[test]
fn a_vector_reads_one_sample_per_entity() {
    let q = query(Metric::LinkForward, "link", 1.0);
    let body = vector(&[
        series("link", "zhangjiakou-horinger", "0.91"),
        series("link", "link:wuhu-guian", " 0.5 "),
    ]);
    let v = parse_vector(body.as_bytes(), &q).unwrap();
    assert!(v.skipped.is_empty(), "{:?}", v.skipped);
    assert_eq!(
        v.samples,
        vec![
            Sample {
                entity_id: "zhangjiakou-horinger".into(),
                metric: Metric::LinkForward,
                value: 0.91,
                measured_at: 1_700_000_000_250,
            },
            Sample {
                entity_id: "wuhu-guian".into(),
                metric: Metric::LinkForward,
                value: 0.5,
                measured_at: 1_700_000_000_250,
            },
        ]
    );
    // Percent scaled to a share; seconds to milliseconds.
    let q = query(Metric::ClusterUtilization, "dc", 0.01);
    let v = parse_vector(vector(&[series("dc", "wuhu", "73")]).as_bytes(), &q).unwrap();
    assert!((v.samples[0].value - 0.73).abs() < 1e-12);
    let q = query(Metric::MetroMedianRtt, "metro", 1000.0);
    let v = parse_vector(
        vector(&[series("metro", "beijing", "0.0042")]).as_bytes(),
        &q,
    )
    .unwrap();
    assert!((v.samples[0].value - 4.2).abs() < 1e-9);
    // An empty vector is a good answer with nothing in it.
    assert_eq!(
        parse_vector(vector(&[]).as_bytes(), &q).unwrap(),
        Vector::default()
    );
}

#[test]
fn bad_series_are_skipped_by_reason() {
    let q = query(Metric::ClusterPue, "cluster", 1.0);
    let body = vector(&[
        series("cluster", "wuhu", "1.31"),
        series("cluster", "wuhu", "1.32"),
        series("dc", "guian", "1.2"),
        series("cluster", "", "1.2"),
        series("cluster", "cluster:", "1.2"),
        series("cluster", "a", "NaN"),
        series("cluster", "b", "+Inf"),
        series("cluster", "c", "low"),
        series("cluster", "d", "0.9"),
        series("cluster", "e", "7"),
        r#"{"metric":{"cluster":"f"},"value":[1,1.2]}"#.into(),
        r#"{"metric":{"cluster":"g"},"value":["soon","1.2"]}"#.into(),
        r#"{"metric":{"cluster":"h"}}"#.into(),
        r#"{"metric":{"cluster":7},"value":[1,"1.2"]}"#.into(),
        r#""a string""#.into(),
        series("cluster", "zhongwei", "1.18"),
    ]);
    let v = parse_vector(body.as_bytes(), &q).unwrap();
    let ids: Vec<&str> = v.samples.iter().map(|s| s.entity_id.as_str()).collect();
    assert_eq!(ids, ["wuhu", "zhongwei"]);
    assert_eq!(
        v.samples[0].value, 1.31,
        "the first series of an entity wins"
    );
    let count = |r: &str| v.skipped.get(r).copied().unwrap_or(0);
    assert_eq!(count("duplicate_entity"), 1);
    assert_eq!(count("missing_label"), 5);
    assert_eq!(count("not_finite"), 2);
    assert_eq!(count("not_a_number"), 2);
    assert_eq!(count("out_of_range"), 2);
    assert_eq!(count("bad_timestamp"), 2);
    assert_eq!(v.skipped.values().sum::<u64>(), 14);
    assert_eq!(
        skip_summary(&v.skipped).unwrap(),
        "14 series skipped: 2 bad_timestamp, 1 duplicate_entity, 5 missing_label, \
         2 not_a_number, 2 not_finite, 2 out_of_range"
    );
    assert_eq!(skip_summary(&BTreeMap::new()), None);
    // A scale that pushes a good value out of range.
    let q = query(Metric::LinkForward, "link", 100.0);
    let v = parse_vector(vector(&[series("link", "x", "0.5")]).as_bytes(), &q).unwrap();
    assert_eq!(v.skipped.get("out_of_range"), Some(&1));
}

#[test]
fn bad_answers_fail_the_query_with_a_reason() {
    let q = query(Metric::ClusterPue, "cluster", 1.0);
    let parse = |body: &str| parse_vector(body.as_bytes(), &q);
    assert!(matches!(
        parse("<html>502</html>"),
        Err(VectorError::NotJson(_))
    ));
    assert!(matches!(parse(""), Err(VectorError::NotJson(_))));
    assert!(matches!(
        parse(r#"{"status":"success"}"#),
        Err(VectorError::NotJson(_))
    ));
    let e = parse(r#"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#)
        .unwrap_err();
    assert_eq!(
        e,
        VectorError::Refused {
            kind: "bad_data".into(),
            message: "parse error at char 4".into()
        }
    );
    let e =
        parse(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#).unwrap_err();
    assert!(e.to_string().contains("matrix"), "{e}");
    let e = parse(r#"{"status":"success","data":{"resultType":"scalar","result":[1,"2"]}}"#);
    assert!(matches!(
        e,
        Err(VectorError::NotJson(_)) | Err(VectorError::NotVector(_))
    ));
    let long = format!(
        r#"{{"status":"error","errorType":"x","error":"{}"}}"#,
        "广".repeat(400)
    );
    let Err(VectorError::Refused { message, .. }) = parse(&long) else {
        panic!("an error answer is refused");
    };
    assert_eq!(message.chars().count(), 300);
}

#[test]
fn answers_are_bounded() {
    let q = query(Metric::FactoryLatency, "plant", 1.0);
    let many: Vec<String> = (0..MAX_SERIES + 3)
        .map(|i| series("plant", &i.to_string(), "3.5"))
        .collect();
    let v = parse_vector(vector(&many).as_bytes(), &q).unwrap();
    assert_eq!(v.samples.len(), MAX_SERIES);
    assert_eq!(v.skipped.get("too_many"), Some(&3));
}

#[test]
fn backoff_doubles_to_a_minute_or_the_interval() {
    let s = Duration::from_secs;
    assert_eq!(backoff(s(15), 0), s(15));
    assert_eq!(backoff(s(15), 1), s(30));
    assert_eq!(backoff(s(15), 2), s(60));
    assert_eq!(backoff(s(15), 3), s(60));
    assert_eq!(backoff(s(1), 5), s(32));
    assert_eq!(backoff(s(1), 40), s(60));
    assert_eq!(backoff(s(600), 3), s(600));
}

fn world() -> World {
    let sim = crate::sim::Simulator::new(crate::sim::SimConfig {
        factory_count: 2_000,
        ..Default::default()
    })
    .unwrap();
    World::new(sim, Vec::new(), 60.0, 1_000, 0)
}

fn sample(id: &str, metric: Metric, value: f64, t: UnixMs) -> Sample {
    Sample {
        entity_id: id.into(),
        metric,
        value,
        measured_at: t,
    }
}

#[test]
fn a_polled_source_is_pending_then_ok_then_stale_with_its_figures_kept() {
    let mut w = world();
    let id = "prometheus:backbone";
    w.register_polled(
        id,
        "http://prom:9090".into(),
        15.0,
        vec!["link.utilization_forward".into(), "cluster.pue".into()],
    );
    let s = w.sources_report();
    let st = s.sources.iter().find(|s| s.id == id).unwrap();
    assert_eq!(st.health, SourceHealth::Pending);
    assert_eq!(st.kind, SourceKind::Prometheus);
    assert_eq!(st.interval_s, Some(15.0));

    let metro = w.sim.metros()[0].id.clone();
    let plant = w.sim.factories()[0].id;
    let mut sub = w.subscribe(Some(w.last_event_id()), 1_000);
    let skipped = BTreeMap::from([("out_of_range", 2u64)]);
    let taken = w.apply_polled(
        id,
        vec![
            sample("zhangjiakou-horinger", Metric::LinkForward, 0.91, 9_000),
            sample("zhangjiakou", Metric::ClusterPue, 1.17, 9_000),
            sample(&metro, Metric::MetroMedianRtt, 4.2, 9_000),
            sample(&plant.to_string(), Metric::FactoryLatency, 3.5, 9_000),
            sample("atlantis", Metric::ClusterPue, 1.5, 9_000),
            sample("99999999", Metric::FactoryLatency, 3.5, 9_000),
            // Ahead of our clock: taken as measured now.
            sample("wuhu-guian", Metric::LinkForward, 0.4, 99_000),
        ],
        skipped,
        10_000,
    );
    assert_eq!(taken, 5);
    let snap = w.snapshot(10_000);
    let link = snap
        .links
        .iter()
        .find(|l| l.id == "zhangjiakou-horinger")
        .unwrap();
    assert_eq!(link.utilization_forward, 0.91);
    let cluster = snap
        .clusters
        .iter()
        .find(|c| c.id == "zhangjiakou")
        .unwrap();
    assert_eq!(cluster.pue, 1.17);
    assert_eq!(
        snap.metros
            .iter()
            .find(|m| m.id == metro)
            .unwrap()
            .median_rtt_ms,
        4.2
    );
    assert_eq!(w.sim.factory(plant).unwrap().kpis.latency_ms, 3.5);
    let origin = snap
        .origins
        .iter()
        .find(|o| o.entity == "link:zhangjiakou-horinger")
        .unwrap();
    assert_eq!(origin.source, id);
    assert_eq!(origin.metric, "utilization_forward");
    assert_eq!(origin.measured_at, 9_000);
    let ahead = snap
        .origins
        .iter()
        .find(|o| o.entity == "link:wuhu-guian")
        .unwrap();
    assert_eq!(ahead.measured_at, 10_000);
    let st = snap.sources.iter().find(|s| s.id == id).unwrap().clone();
    assert_eq!(st.health, SourceHealth::Ok);
    assert_eq!(st.last_ok, Some(10_000));
    assert_eq!(st.delivered, 5);
    assert_eq!(
        st.last_error.as_deref(),
        Some("4 series skipped: 2 out_of_range, 2 unknown_entity")
    );

    let mut kinds = Vec::new();
    while let Ok(e) = sub.live.try_recv() {
        kinds.push(e.kind);
    }
    let figures = kinds
        .iter()
        .find_map(|k| match k {
            EventKind::FiguresMeasured { origins } => Some(origins.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(figures.len(), 4, "link, link, cluster, metro: {figures:?}");
    assert!(kinds.iter().any(
        |k| matches!(k, EventKind::MetroUpdated { metro: m } if m.id == metro && m.median_rtt_ms == 4.2)
    ));
    let changes = |kinds: &[EventKind]| {
        kinds
            .iter()
            .filter(|k| matches!(k, EventKind::SourcesChanged { .. }))
            .count()
    };
    assert_eq!(changes(&kinds), 1, "pending → ok is published");

    // A second good round: counters move, nothing about the sources is published.
    w.apply_polled(
        id,
        vec![sample("zhangjiakou", Metric::ClusterPue, 1.2, 11_000)],
        BTreeMap::new(),
        11_000,
    );
    let st = w
        .sources_report()
        .sources
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    assert_eq!(st.delivered, 6);
    assert_eq!(st.last_error, None);

    // Failures: stale since the first, published once, figures kept.
    w.fail_polled(id, "cannot reach Prometheus".into(), 12_000);
    w.fail_polled(id, "cannot reach Prometheus again".into(), 13_000);
    let st = w
        .sources_report()
        .sources
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    assert_eq!(st.health, SourceHealth::Stale);
    assert_eq!(st.stale_since, Some(12_000));
    assert_eq!(
        st.last_error.as_deref(),
        Some("cannot reach Prometheus again")
    );
    let snap = w.snapshot(13_000);
    assert_eq!(
        snap.clusters
            .iter()
            .find(|c| c.id == "zhangjiakou")
            .unwrap()
            .pue,
        1.2,
        "the last figure stays"
    );
    let sim = snap.sources.iter().find(|s| s.id == "simulator").unwrap();
    assert_eq!(sim.health, SourceHealth::Ok);

    // Recovery.
    w.apply_polled(id, Vec::new(), BTreeMap::new(), 14_000);
    let st = w
        .sources_report()
        .sources
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    assert_eq!(st.health, SourceHealth::Ok);
    assert_eq!(st.stale_since, None);
    assert_eq!(st.last_error, None);

    let mut kinds = Vec::new();
    while let Ok(e) = sub.live.try_recv() {
        kinds.push(e.kind);
    }
    assert_eq!(changes(&kinds), 2, "ok → stale and stale → ok, once each");
}

#[tokio::test]
async fn start_registers_pending_sources_and_refuses_bad_ones() {
    let world = Arc::new(Mutex::new(world()));
    let (stop, stop_rx) = watch::channel(false);
    let source = parse_sources_toml(&format!(
        "[[prometheus]]\nid = \"a\"\nurl = \"http://127.0.0.1:9\"\ninterval_s = 60\n\
         [[prometheus.metrics]]\n{METRIC}\n"
    ))
    .unwrap()
    .prometheus;
    let e = start(
        world.clone(),
        vec![source[0].clone(), source[0].clone()],
        stop_rx.clone(),
    )
    .unwrap_err();
    assert!(e.0.contains("unique"), "{e}");
    let mut bad = source[0].clone();
    bad.url = "gopher://x".into();
    assert!(start(world.clone(), vec![bad], stop_rx.clone()).is_err());
    assert!(world.lock().unwrap().sources.get("prometheus:a").is_none());

    start(world.clone(), source, stop_rx).unwrap();
    let st = world
        .lock()
        .unwrap()
        .sources
        .get("prometheus:a")
        .cloned()
        .unwrap();
    assert!(matches!(
        st.health,
        SourceHealth::Pending | SourceHealth::Stale
    ));
    assert_eq!(st.location, "http://127.0.0.1:9");
    assert_eq!(st.provides, vec!["cluster.pue"]);
    // Nothing listens on port 9: the first round fails and the source goes stale.
    for _ in 0..100 {
        if world.lock().unwrap().sources.is_stale("prometheus:a") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let st = world
        .lock()
        .unwrap()
        .sources
        .get("prometheus:a")
        .cloned()
        .unwrap();
    assert_eq!(st.health, SourceHealth::Stale);
    assert!(st.stale_since.is_some());
    assert!(
        st.last_error
            .as_deref()
            .is_some_and(|e| e.starts_with("cluster.pue: cannot reach")),
        "{st:?}"
    );
    let _ = stop.send(true);
}

#[tokio::test]
async fn a_poller_that_dies_marks_its_source_stale_and_a_stopped_one_does_not() {
    let world = Arc::new(Mutex::new(world()));
    world
        .lock()
        .unwrap()
        .register_polled("prometheus:x", "http://p".into(), 15.0, Vec::new());
    let (stop, stop_rx) = watch::channel(false);
    let poller = tokio::spawn(async { panic!("a bug in the poller") });
    watch_poller(
        poller,
        world.clone(),
        "prometheus:x".into(),
        stop_rx.clone(),
    )
    .await;
    let st = world
        .lock()
        .unwrap()
        .sources
        .get("prometheus:x")
        .cloned()
        .unwrap();
    assert_eq!(st.health, SourceHealth::Stale);
    assert!(st.last_error.unwrap().contains("panic"));

    let world = Arc::new(Mutex::new(self::world()));
    let _ = stop.send(true);
    watch_poller(
        tokio::spawn(async {}),
        world.clone(),
        "prometheus:x".into(),
        stop_rx,
    )
    .await;
    assert!(world.lock().unwrap().sources.get("prometheus:x").is_none());
}

#[test]
fn the_example_sources_toml_reads() {
    let f = parse_sources_toml(include_str!("../../../../../examples/sources.toml")).unwrap();
    assert_eq!(f.push_stale_after, Some(Duration::from_secs(300)));
    let p = &f.prometheus[0];
    assert_eq!(p.source_id(), "prometheus:backbone");
    assert_eq!(
        p.provides(),
        vec![
            "link.utilization_forward",
            "link.utilization_reverse",
            "cluster.utilization",
            "cluster.pue",
            "cluster.green_power_share",
            "metro.median_rtt_ms",
            "factory.latency_ms",
        ]
    );
}

#[test]
fn the_latency_adapter_folds_into_sources_toml() {
    let file = parse_sources_toml(
        "[latency]\nurl = \"http://prom:9090\"\ninterval_s = 5\nlabels = [\"city\", \"y\", \"x\"]\n",
    )
    .unwrap();
    let latency = file.latency.expect("[latency] read");
    assert_eq!(latency.url, "http://prom:9090");
    assert_eq!(latency.interval, Duration::from_secs(5));
    assert_eq!(latency.labels.metro, "city");
    assert_eq!(latency.query, crate::prometheus::DEFAULT_QUERY);
    let bad = parse_sources_toml("[latency]\nurl = \"ftp://prom\"\n").unwrap_err();
    assert!(bad.starts_with("[latency]"), "{bad}");
    assert!(parse_sources_toml("").unwrap().latency.is_none());
}
