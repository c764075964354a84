//! The enterprise part: `enterprises.csv`.

use std::fmt::Write as _;

use tianshu_api::{Industry, Technology, UpgradeStage};

use super::{Fixture, assert_at, error};

const HEADER: &str = "id,name_en,name_zh,province,city_en,city_zh,lat,lon,industry,stage,technologies,started_on,upgraded_on\n";
const ROW: &str = "7,Foshan Ceramics Works No. 12,佛山陶瓷厂12号,CN-GD,Foshan,佛山,23.02,113.12,building_materials,upgraded,five_g; edge_computing,2025-03-01,2025-11-30\n";

fn csv(rows: &[&str]) -> String {
    let mut text = HEADER.to_owned();
    for row in rows {
        text.push_str(row);
    }
    text
}

#[test]
fn a_row_loads_with_every_field() {
    let fixture = Fixture::new(&[("enterprises.csv", &csv(&[ROW]))]);
    let loaded = fixture.load().unwrap();
    let list = loaded.inventory.enterprises.unwrap();
    let e = &list[0];
    assert_eq!(
        (e.id, e.name_zh.as_str(), e.city_en.as_str()),
        (7, "佛山陶瓷厂12号", "Foshan")
    );
    assert_eq!(
        (e.industry, e.stage),
        (Industry::BuildingMaterials, UpgradeStage::Upgraded)
    );
    assert_eq!(
        e.technologies,
        [Technology::FiveG, Technology::EdgeComputing]
    );
    assert_eq!(
        e.started_on,
        Some(1_740_787_200_000),
        "2025-03-01T00:00:00Z"
    );
    assert_eq!(
        e.upgraded_on,
        Some(1_764_460_800_000),
        "2025-11-30T00:00:00Z"
    );
    assert_eq!((e.location.lat, e.location.lon), (23.02, 113.12));
    assert_eq!(loaded.files[0].name, "enterprises.csv");
    assert_eq!(loaded.files[0].records, 1);
}

#[test]
fn columns_are_found_by_name_and_optional_ones_may_be_missing() {
    let text = "stage , lat,lon,extra,industry,province,id,name_zh\n\
                planned,30.5,114.3,x,steel,CN-HB,3,武汉钢铁厂\n";
    let fixture = Fixture::new(&[("enterprises.csv", text)]);
    let list = fixture.load().unwrap().inventory.enterprises.unwrap();
    let e = &list[0];
    assert_eq!(
        (e.name_en.as_str(), e.name_zh.as_str()),
        ("武汉钢铁厂", "武汉钢铁厂")
    );
    assert_eq!((e.city_en.as_str(), e.technologies.len()), ("", 0));
    assert_eq!((e.started_on, e.upgraded_on), (None, None));
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let fixture = Fixture::new(&[("enterprises.csv", &format!("\u{feff}{}", csv(&[ROW])))]);
    assert_eq!(
        fixture.load().unwrap().inventory.enterprises.unwrap()[0].id,
        7
    );
}

#[test]
fn a_missing_column_is_named_at_line_one() {
    let e = error(&[(
        "enterprises.csv",
        &csv(&[ROW]).replace(",industry,", ",sector,"),
    )]);
    assert_at(&e, "enterprises.csv", 1, 0, Some("industry"));
    let e = error(&[("enterprises.csv", "id,province,lat,lon,industry,stage\n")]);
    assert_at(&e, "enterprises.csv", 1, 0, Some("name_en"));
    let e = error(&[("enterprises.csv", "")]);
    assert_at(&e, "enterprises.csv", 1, 0, None);
}

#[test]
fn bad_fields_point_at_line_column_and_header() {
    let with = |from: &str, to: &str| ROW.replacen(from, to, 1);
    let cases = [
        (with("7,", "0,"), 1, "id"),
        (with("7,", "x7,"), 1, "id"),
        (with("7,", "4294967296,"), 1, "id"),
        (
            with("Foshan Ceramics Works No. 12,佛山陶瓷厂12号", ","),
            2,
            "name_en",
        ),
        (with("CN-GD", "Guangdong"), 4, "province"),
        (
            with(",佛山,", &format!(",{},", "佛".repeat(201))),
            6,
            "city_zh",
        ),
        (with("23.02", "inf"), 7, "lat"),
        (with("113.12", "-181"), 8, "lon"),
        (with("building_materials", "ceramics"), 9, "industry"),
        (with("building_materials", "unknown"), 9, "industry"),
        (with("upgraded", "done"), 10, "stage"),
        (
            with("five_g; edge_computing", "five_g;6g"),
            11,
            "technologies",
        ),
        (with("2025-03-01", "2025-02-30"), 12, "started_on"),
        (with("2025-03-01", "01/03/2025"), 12, "started_on"),
        (with("2025-11-30", "2025-02-01"), 13, "upgraded_on"),
    ];
    for (row, column, field) in cases {
        let e = error(&[(
            "enterprises.csv",
            &csv(&[ROW.replacen("7,", "1,", 1).as_str(), &row]),
        )]);
        assert_at(&e, "enterprises.csv", 3, column, Some(field));
    }
}

#[test]
fn duplicate_ids_and_ragged_rows_are_refused() {
    let e = error(&[("enterprises.csv", &csv(&[ROW, ROW]))]);
    assert_at(&e, "enterprises.csv", 3, 1, Some("id"));
    let e = error(&[("enterprises.csv", &csv(&[ROW, "8,only,three\n"]))]);
    assert_at(&e, "enterprises.csv", 3, 0, None);
}

#[test]
fn a_hundred_thousand_rows_load() {
    let mut text = HEADER.to_owned();
    let industries = ["steel", "electronics", "textiles", "automotive"];
    let stages = ["planned", "assessing", "deploying", "upgraded"];
    for i in 1..=100_000u32 {
        let (industry, stage) = (industries[i as usize % 4], stages[i as usize % 3]);
        let lat = 20.0 + f64::from(i % 2000) * 0.01;
        writeln!(
            text,
            "{i},Plant {i},工厂{i}号,CN-GD,Foshan,佛山,{lat},113.1,{industry},{stage},five_g;tsn,2025-01-0{},",
            1 + i % 9
        )
        .unwrap();
    }
    let fixture = Fixture::new(&[("enterprises.csv", &text)]);
    let loaded = fixture.load().unwrap();
    let list = loaded.inventory.enterprises.unwrap();
    assert_eq!(list.len(), 100_000);
    assert_eq!(list[99_999].id, 100_000);
    assert_eq!(loaded.files[0].records, 100_000);
}
