//! The metro part: metros and their sites, from CSV or GeoJSON.

use super::{Fixture, assert_at, collection, error, feature, point};

const METROS: &str = "id,name_en,name_zh,province,lat,lon,population
beijing,Beijing,北京,CN-BJ,39.9042,116.4074,18960000
wuhan, Wuhan ,武汉,CN-HB,30.5928,114.3055,10600000
";

const SITES: &str = "metro,lat,lon
wuhan,30.60,114.30
beijing,39.95,116.40
beijing,39.85,116.45
";

#[test]
fn metros_and_sites_load_from_csv() {
    let fixture = Fixture::new(&[("metros.csv", METROS), ("sites.csv", SITES)]);
    let loaded = fixture.load().unwrap();
    let metros = loaded.inventory.metros.unwrap();
    assert_eq!(metros.len(), 2);
    assert_eq!(metros[1].name_en, "Wuhan", "trimmed");
    assert_eq!(metros[0].province, "CN-BJ");
    assert_eq!(metros[0].population, 18_960_000);
    assert_eq!(metros[0].sites.len(), 2);
    assert_eq!(metros[0].sites[1].lon, 116.45, "file order");
    assert_eq!(metros[1].sites.len(), 1);
    let files: Vec<_> = loaded
        .files
        .iter()
        .map(|f| (f.name.as_str(), f.records))
        .collect();
    assert_eq!(files, [("metros.csv", 2), ("sites.csv", 3)]);
}

#[test]
fn metros_and_sites_load_from_geojson() {
    let metros = collection(&[feature(
        r#""id": "wuhan", "name_en": "Wuhan", "name_zh": "武汉", "province": "CN-HB", "population": 10600000"#,
        &point(114.3055, 30.5928),
    )]);
    let sites = collection(&[feature(r#""metro": "wuhan""#, &point(114.2, 30.5))]);
    let fixture = Fixture::new(&[("metros.geojson", &metros), ("sites.geojson", &sites)]);
    let metros = fixture.load().unwrap().inventory.metros.unwrap();
    assert_eq!(metros[0].center.lat, 30.5928);
    assert_eq!(metros[0].sites.len(), 1);
    assert!(metros[0].sites.iter().all(|s| s.lon == 114.2));

    // Without sites a metro has none.
    let only = collection(&[feature(
        r#""id": "wuhan", "name_en": "Wuhan", "name_zh": "武汉", "province": "CN-HB", "population": 1"#,
        &point(114.3, 30.6),
    )]);
    let fixture = Fixture::new(&[("metros.geojson", &only)]);
    assert!(
        fixture.load().unwrap().inventory.metros.unwrap()[0]
            .sites
            .is_empty()
    );
}

#[test]
fn both_forms_of_a_file_are_refused() {
    let geojson = collection(&[]);
    let e = error(&[("metros.csv", METROS), ("metros.geojson", &geojson)]);
    assert_at(&e, "metros.csv", 0, 0, None);
    assert!(e.reason.contains("metros.geojson"), "{e}");
    let e = error(&[
        ("metros.csv", METROS),
        ("sites.csv", SITES),
        ("sites.geojson", &geojson),
    ]);
    assert_at(&e, "sites.csv", 0, 0, None);
}

#[test]
fn sites_without_metros_are_refused() {
    let e = error(&[("sites.csv", SITES)]);
    assert_at(&e, "sites.csv", 0, 0, None);
    assert!(e.reason.contains("metros.csv"), "{e}");
}

#[test]
fn bad_metro_rows_point_at_the_field() {
    let with = |from: &str, to: &str| METROS.replace(from, to);
    for (text, column, field) in [
        (with("CN-HB", "CN-hb"), 4, "province"),
        (with("CN-HB", "HB"), 4, "province"),
        (with("10600000", "0"), 7, "population"),
        (with("10600000", "1.5e7"), 7, "population"),
        (with("30.5928", "95"), 5, "lat"),
        (with("30.5928", "NaN"), 5, "lat"),
        (with("114.3055", "east"), 6, "lon"),
        (with(",武汉,", ",,"), 3, "name_zh"),
        (with("wuhan,", "beijing,"), 1, "id"),
    ] {
        let e = error(&[("metros.csv", &text)]);
        assert_at(&e, "metros.csv", 3, column, Some(field));
    }
    let e = error(&[("metros.csv", &with("population", "people"))]);
    assert_at(&e, "metros.csv", 1, 0, Some("population"));
    assert_eq!(
        e.to_string(),
        "metros.csv:1: field `population`: missing column"
    );
    let e = error(&[("metros.csv", &with("18960000\n", "18960000,extra\n"))]);
    assert_at(&e, "metros.csv", 2, 0, None);
}

#[test]
fn bad_sites_point_at_the_field() {
    let e = error(&[
        ("metros.csv", METROS),
        ("sites.csv", &SITES.replace("wuhan,", "nanjing,")),
    ]);
    assert_at(&e, "sites.csv", 2, 1, Some("metro"));
    // Wuhan's centre is 30.59 N; 31.2 N is about 68 km away.
    let e = error(&[
        ("metros.csv", METROS),
        ("sites.csv", &SITES.replace("30.60", "31.20")),
    ]);
    assert_at(&e, "sites.csv", 2, 2, Some("lat"));
    assert!(e.reason.contains("km from the centre of `wuhan`"), "{e}");

    let sites = collection(&[
        feature(r#""metro": "wuhan""#, &point(114.3, 30.6)),
        feature(r#""metro": "wuhan""#, &point(115.3, 30.6)),
    ]);
    let e = error(&[("metros.csv", METROS), ("sites.geojson", &sites)]);
    assert_at(&e, "sites.geojson", 3, 3, Some("geometry"));
    let sites = collection(&[feature(r#""metro": 7"#, &point(114.3, 30.6))]);
    let e = error(&[("metros.csv", METROS), ("sites.geojson", &sites)]);
    assert_at(&e, "sites.geojson", 2, 3, Some("metro"));
}
