//! The compute part: hubs, clusters, links.

use super::{Fixture, assert_at, collection, error, feature, point};

fn hub(id: &str) -> String {
    feature(
        &format!(r#""id": "{id}", "name_en": "Hub {id}", "name_zh": "枢纽""#),
        "null",
    )
}

fn cluster(id: &str, hub: &str, lon: f64, lat: f64) -> String {
    let properties = format!(
        r#""id": "{id}", "hub": "{hub}", "name_en": "C {id}", "name_zh": "集群", "racks": 1000, "compute_eflops": 2.5"#
    );
    feature(&properties, &point(lon, lat))
}

fn link(id: &str, from: &str, to: &str, coordinates: &str) -> String {
    let properties =
        format!(r#""id": "{id}", "from": "{from}", "to": "{to}", "capacity_gbps": 400"#);
    feature(
        &properties,
        &format!(r#"{{"type": "LineString", "coordinates": {coordinates}}}"#),
    )
}

/// Two hubs (`a`, `b`) and three clusters (`a1`, `a2` in `a`; `b1` in `b`).
fn base() -> (String, String) {
    let hubs = collection(&[hub("a"), hub("b")]);
    let clusters = collection(&[
        cluster("a1", "a", 116.0, 40.0),
        cluster("b1", "b", 104.0, 30.0),
        cluster("a2", "a", 117.0, 39.0),
    ]);
    (hubs, clusters)
}

/// Loads the base hubs and clusters with `links`; must fail.
fn links_error(links: &[String]) -> crate::LoadError {
    let (hubs, clusters) = base();
    let links = collection(links);
    error(&[
        ("hubs.geojson", &hubs),
        ("clusters.geojson", &clusters),
        ("links.geojson", &links),
    ])
}

/// Loads the base hubs with `clusters`; must fail.
fn clusters_error(clusters: &[String]) -> crate::LoadError {
    let hubs = collection(&[hub("a"), hub("b")]);
    error(&[
        ("hubs.geojson", &hubs),
        ("clusters.geojson", &collection(clusters)),
    ])
}

#[test]
fn hubs_clusters_and_links_load_with_cluster_ids_in_file_order() {
    let (hubs, clusters) = base();
    let links = collection(&[
        link("a1-b1", "a1", "b1", "[[116, 40], [104, 30]]"),
        link("a1-a2", "a1", "a2", "[[116, 40], [116.5, 39.5], [117, 39]]"),
    ]);
    let fixture = Fixture::new(&[
        ("hubs.geojson", &hubs),
        ("clusters.geojson", &clusters),
        ("links.geojson", &links),
    ]);
    let loaded = fixture.load().unwrap();
    let compute = loaded.inventory.compute.unwrap();
    assert_eq!(compute.hubs[0].cluster_ids, ["a1", "a2"]);
    assert_eq!(compute.hubs[1].cluster_ids, ["b1"]);
    assert_eq!(compute.clusters[1].location.lat, 30.0);
    assert_eq!(compute.clusters[1].location.lon, 104.0);
    assert_eq!(compute.clusters[0].occupancy, None);
    assert_eq!(
        compute.links[0].route_km, None,
        "two positions: the simulator's 1.4 × straight line"
    );
    let km = compute.links[1].route_km.unwrap();
    assert!((km - 141.5).abs() < 2.0, "{km}");
    let names: Vec<_> = loaded
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.records))
        .collect();
    assert_eq!(
        names,
        [
            ("hubs.geojson", 2),
            ("clusters.geojson", 3),
            ("links.geojson", 2)
        ]
    );
    assert!(loaded.inventory.metros.is_none() && loaded.inventory.enterprises.is_none());
}

#[test]
fn without_links_there_are_none() {
    let (hubs, clusters) = base();
    let fixture = Fixture::new(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    let loaded = fixture.load().unwrap();
    assert!(loaded.inventory.compute.unwrap().links.is_empty());
    assert_eq!(loaded.files.len(), 2);
}

#[test]
fn a_missing_companion_file_is_named() {
    let (hubs, clusters) = base();
    let e = error(&[("hubs.geojson", &hubs)]);
    assert_at(&e, "clusters.geojson", 0, 0, None);
    assert!(
        e.to_string().starts_with("clusters.geojson: missing"),
        "{e}"
    );
    assert_at(
        &error(&[("clusters.geojson", &clusters)]),
        "hubs.geojson",
        0,
        0,
        None,
    );
    let links = collection(&[]);
    assert_at(
        &error(&[("links.geojson", &links)]),
        "hubs.geojson",
        0,
        0,
        None,
    );
}

#[test]
fn syntax_errors_are_at_serde_json_position() {
    let (hubs, _) = base();
    let e = error(&[
        ("hubs.geojson", &hubs),
        (
            "clusters.geojson",
            "{\"type\": \"FeatureCollection\",\n  \"features\": [,]}",
        ),
    ]);
    assert_at(&e, "clusters.geojson", 2, 16, None);
    assert!(!e.reason.contains(" at line "), "{e}");
    let e = error(&[
        ("hubs.geojson", &hubs),
        (
            "clusters.geojson",
            "{\"type\": \"Feature\", \"features\": []}",
        ),
    ]);
    assert_at(&e, "clusters.geojson", 1, 1, Some("type"));
}

#[test]
fn bad_hub_properties_point_at_the_feature() {
    let (_, clusters) = base();
    let bad = feature(r#""id": "b", "name_en": "B", "name_zh": "  ""#, "null");
    let hubs = collection(&[hub("a"), bad]);
    let e = error(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    assert_eq!(
        e.to_string(),
        "hubs.geojson:3:3: field `name_zh`: must not be empty"
    );

    let bad = feature(r#""id": "Bad Id", "name_en": "B", "name_zh": "乙""#, "null");
    let hubs = collection(&[hub("a"), bad]);
    let e = error(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    assert_at(&e, "hubs.geojson", 3, 3, Some("id"));

    let bad = feature(r#""id": "b", "name_zh": "乙""#, "null");
    let hubs = collection(&[hub("a"), bad]);
    let e = error(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    assert_at(&e, "hubs.geojson", 3, 3, Some("name_en"));
    assert_eq!(e.reason, "missing");

    let bad = feature(
        r#""id": "b", "name_en": "B", "name_zh": "乙""#,
        r#"{"type": "LineString", "coordinates": []}"#,
    );
    let hubs = collection(&[hub("a"), bad]);
    let e = error(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    assert_at(&e, "hubs.geojson", 3, 3, Some("geometry"));
}

#[test]
fn duplicate_ids_point_at_the_second() {
    let (_, clusters) = base();
    let hubs = collection(&[hub("a"), hub("b"), hub("a")]);
    let e = error(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    assert_at(&e, "hubs.geojson", 4, 3, Some("id"));

    let e = clusters_error(&[
        cluster("a1", "a", 116.0, 40.0),
        cluster("b1", "b", 104.0, 30.0),
        cluster("a1", "a", 117.0, 39.0),
    ]);
    assert_at(&e, "clusters.geojson", 4, 3, Some("id"));

    let same = link("x", "a1", "b1", "[[116, 40], [104, 30]]");
    assert_at(
        &links_error(&[same.clone(), same]),
        "links.geojson",
        3,
        3,
        Some("id"),
    );
}

#[test]
fn a_hub_without_clusters_is_refused() {
    let hubs = collection(&[hub("a"), hub("b"), hub("c")]);
    let (_, clusters) = base();
    let e = error(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    assert_at(&e, "hubs.geojson", 4, 3, Some("id"));
    assert!(e.reason.contains("`c`"), "{e}");
}

#[test]
fn bad_clusters_are_refused_at_their_feature() {
    let e = clusters_error(&[
        cluster("a1", "a", 116.0, 40.0),
        cluster("b1", "zz", 104.0, 30.0),
    ]);
    assert_at(&e, "clusters.geojson", 3, 3, Some("hub"));

    let e = clusters_error(&[
        cluster("a1", "a", 116.0, 40.0),
        cluster("b1", "b", 190.0, 30.0),
    ]);
    assert_at(&e, "clusters.geojson", 3, 3, Some("geometry"));
    let e = clusters_error(&[
        cluster("a1", "a", 116.0, 40.0),
        cluster("b1", "b", 100.0, -91.0),
    ]);
    assert_at(&e, "clusters.geojson", 3, 3, Some("geometry"));

    let no_point = cluster("b1", "b", 104.0, 30.0).replace(&point(104.0, 30.0), "null");
    let e = clusters_error(&[cluster("a1", "a", 116.0, 40.0), no_point]);
    assert_at(&e, "clusters.geojson", 3, 3, Some("geometry"));

    let with = |from: &str, to: &str| cluster("b1", "b", 104.0, 30.0).replace(from, to);
    for (bad, field) in [
        (with("\"racks\": 1000", "\"racks\": -1"), "racks"),
        (with("\"racks\": 1000", "\"racks\": 10.5"), "racks"),
        (with("\"racks\": 1000", "\"racks\": \"1000\""), "racks"),
        (
            with("\"compute_eflops\": 2.5", "\"compute_eflops\": -0.1"),
            "compute_eflops",
        ),
        (with("\"racks\": 1000, ", ""), "racks"),
        (
            with("\"racks\": 1000", "\"racks\": 1000, \"pue\": 0.9"),
            "pue",
        ),
        (
            with("\"racks\": 1000", "\"racks\": 1000, \"occupancy\": 1.2"),
            "occupancy",
        ),
        (
            with(
                "\"racks\": 1000",
                "\"racks\": 1000, \"green_power_share\": -0.5",
            ),
            "green_power_share",
        ),
    ] {
        let e = clusters_error(&[cluster("a1", "a", 116.0, 40.0), bad.clone()]);
        assert_at(&e, "clusters.geojson", 3, 3, Some(field));
    }

    let ok = with(
        "\"racks\": 1000",
        "\"racks\": 1000, \"pue\": 1.3, \"occupancy\": null",
    );
    let hubs = collection(&[hub("a"), hub("b")]);
    let clusters = collection(&[cluster("a1", "a", 116.0, 40.0), ok]);
    let fixture = Fixture::new(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    let compute = fixture.load().unwrap().inventory.compute.unwrap();
    assert_eq!(
        (compute.clusters[1].pue, compute.clusters[1].occupancy),
        (Some(1.3), None)
    );
}

#[test]
fn bad_links_are_refused_at_their_feature() {
    let good = link("a1-b1", "a1", "b1", "[[116, 40], [104, 30]]");
    for (bad, field) in [
        (link("x", "a1", "nope", "[[116, 40], [104, 30]]"), "to"),
        (link("x", "nope", "a1", "[[116, 40], [104, 30]]"), "from"),
        (link("x", "a1", "a1", "[[116, 40], [104, 30]]"), "to"),
        (link("x", "a1", "b1", "[[116, 40]]"), "geometry"),
        (
            link("x", "a1", "b1", "[[116, 40], [104, \"30\"]]"),
            "geometry",
        ),
        (
            link("x", "a1", "b1", "[[116, 40], [104, 30]]").replace("400", "0"),
            "capacity_gbps",
        ),
        (
            link("x", "a1", "b1", "[]").replace(
                r#"{"type": "LineString", "coordinates": []}"#,
                &point(1.0, 2.0),
            ),
            "geometry",
        ),
    ] {
        let e = links_error(&[good.clone(), bad]);
        assert_at(&e, "links.geojson", 3, 3, Some(field));
    }
}

#[test]
fn feature_positions_count_characters_and_lines() {
    // Features spread over lines, one starting mid-line after Chinese text.
    let (_, clusters) = base();
    let hubs = format!(
        "{{\"type\": \"FeatureCollection\", \"name\": \"枢纽\",\n\"features\": [\n{},\n\n    {}, {}]}}",
        hub("a"),
        hub("b"),
        feature(r#""id": "c", "name_en": "", "name_zh": "丙""#, "null"),
    );
    let e = error(&[("hubs.geojson", &hubs), ("clusters.geojson", &clusters)]);
    let column = 5 + hub("b").chars().count() + 2;
    assert_at(&e, "hubs.geojson", 5, column as u64, Some("name_en"));
}
