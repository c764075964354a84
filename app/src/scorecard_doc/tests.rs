//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::draw::wrap;
use super::encode::tree;
use super::*;
use crate::api::review::Status;

fn rows() -> Vec<Row> {
    [Status::OnTrack, Status::AtRisk, Status::OffTrack]
        .into_iter()
        .enumerate()
        .map(|(i, status)| Row {
            id: format!("t{i}"),
            name_en: format!("Metros with 1 ms computing access & more, target number {i}"),
            name_zh: format!("算力时延圈覆盖的城市 {i}"),
            unit: if i == 0 { "percent" } else { "count" }.into(),
            lower_is_better: false,
            actual: 40.0 + i as f64 * 1000.0,
            target: 75.0 + i as f64 * 50_000.0,
            deadline: "2028".into(),
            projection: (i != 2).then_some(80.0),
            status,
            trend: (0..30).map(|d| d as f32 * (i as f32 + 1.0)).collect(),
            simulated: true,
        })
        .collect()
}

#[test]
fn long_names_wrap_into_two_lines_with_an_ellipsis() {
    let lines = wrap(&"word ".repeat(80), 17.0, 410.0, 2);
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with('…'));
    let zh = wrap(&"城".repeat(60), 17.0, 410.0, 2);
    assert_eq!(zh.len(), 2);
    assert_eq!(wrap("short", 17.0, 410.0, 2), vec!["short".to_owned()]);
}

fn doc<'a>(rows: &'a [Row], provinces: &'a [ProvinceRow], lang: Lang) -> Scorecard<'a> {
    Scorecard {
        rows,
        provinces,
        provinces_own_history: true,
        lang,
        as_of: 1_790_000_000_000,
        simulated: true,
        simulated_parts: "",
    }
}

/// Guangdong at risk, Beijing on track, Tibet off track — given worst first.
fn provinces() -> Vec<ProvinceRow> {
    [
        ("CN-XZ", Status::OffTrack, 3.0, None),
        ("CN-GD", Status::AtRisk, 4_100.0, Some(4_600.0)),
        ("CN-BJ", Status::OnTrack, 2_400.0, Some(2_900.0)),
    ]
    .into_iter()
    .map(|(code, status, actual, projection)| ProvinceRow {
        code: code.into(),
        actual,
        target: 2_500.0,
        projection,
        status,
    })
    .collect()
}

#[test]
fn the_svg_escapes_names_and_has_one_row_per_target() {
    let theme = Theme::built_in("office-light").unwrap();
    let rows = rows();
    let svg = svg(&doc(&rows, &[], Lang::En), &theme);
    assert!(svg.contains("&amp; more"));
    assert_eq!(svg.matches("<polyline").count(), 3);
    assert!(svg.contains("SIMULATED"));
    assert!(svg.contains(&format!(r#"height="{}""#, height(3))));
    assert!(
        !svg.contains("by province"),
        "no province section without provinces"
    );
    assert!(tree(&svg).is_ok());
    assert_eq!(pages(&doc(&rows, &[], Lang::En), &theme).len(), 1);
}

#[test]
fn provinces_add_a_section_below_and_a_second_page() {
    let theme = Theme::built_in("office-light").unwrap();
    let (rows, provinces) = (rows(), provinces());
    let en = svg(&doc(&rows, &provinces, Lang::En), &theme);
    let h = height(3) + provinces_height(3);
    assert!(provinces_height(3) > 300);
    assert!(en.contains(&format!(r#"height="{h}""#)), "not {h} high");
    assert!(en.contains("by province"));
    // Names in the report's language, worst first as given.
    let at = |hay: &str, needle: &str| hay.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at(&en, "Tibet") < at(&en, "Guangdong") && at(&en, "Guangdong") < at(&en, "Beijing"));
    assert!(en.contains("≥ 2,500") && en.contains("4,600") && en.contains("164 %"));
    let tree = tree(&en).unwrap();
    assert_eq!(tree.size().to_int_size().height(), h);

    let zh_doc = doc(&rows, &provinces, Lang::ZhCn);
    let zh = svg(&zh_doc, &theme);
    for name in ["西藏", "广东", "北京", "分省完成网络改造升级的企业"] {
        assert!(zh.contains(name), "{name} not in the zh-CN drawing");
    }
    assert!(!zh.contains("Guangdong"));

    let pages = pages(&zh_doc, &theme);
    assert_eq!(pages.len(), 2);
    assert!(!pages[0].contains("广东") && pages[1].contains("广东"));
    assert!(pages[1].contains(&format!(r#"height="{}""#, provinces_height(3))));
    let bytes = pdf(&pages).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("/Count 2"));
    let n = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert_eq!(n, 2);
}

#[test]
fn a_province_with_no_target_share_draws_an_empty_bar() {
    let theme = Theme::built_in("office-light").unwrap();
    let rows = rows();
    let mut provinces = provinces();
    provinces[0].target = 0.0;
    provinces[0].actual = f64::NAN;
    let svg = svg(&doc(&rows, &provinces, Lang::En), &theme);
    assert!(svg.contains(">0 %<"));
    assert!(!svg.contains("NaN"), "a NaN leaked into the drawing");
    assert!(tree(&svg).is_ok());
}

#[test]
fn a_partly_simulated_scorecard_says_so_and_names_the_simulated_parts() {
    let theme = Theme::built_in("office-light").unwrap();
    let rows = rows();
    let mut d = doc(&rows, &[], Lang::En);
    d.simulated_parts = "PUE, plant latency";
    let svg = svg(&d, &theme);
    assert!(svg.contains("PARTLY SIMULATED"), "the badge");
    assert!(
        svg.contains("PUE, plant latency"),
        "the foot names the parts"
    );
    assert!(tree(&svg).is_ok());
}
