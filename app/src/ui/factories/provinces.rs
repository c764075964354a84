//! Province names by ISO code, read once from the shipped basemap's feature properties.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::i18n::I18n;

/// (short Chinese name, English name) by code, e.g. `CN-GD` → (广东, Guangdong).
pub type Names = BTreeMap<String, (String, String)>;

pub fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| parse(crate::ui::basemap::PROVINCES))
}

fn parse(geojson: &str) -> Names {
    let parsed: serde_json::Value = serde_json::from_str(geojson).unwrap_or_default();
    let mut out = Names::new();
    for f in parsed["features"].as_array().into_iter().flatten() {
        let p = &f["properties"];
        if let (Some(code), Some(zh), Some(en)) = (
            p["prov"].as_str(),
            p["name_zh_short"].as_str(),
            p["name_en"].as_str(),
        ) {
            out.entry(code.to_owned())
                .or_insert_with(|| (zh.to_owned(), en.to_owned()));
        }
    }
    out
}

/// The province's name in the operator's language; the code itself when unknown.
pub fn name(names: &Names, code: &str, i18n: &I18n) -> String {
    names
        .get(code)
        .map_or_else(|| code.to_owned(), |(zh, en)| i18n.pick(en, zh).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mainland_province_has_both_names() {
        let n = names();
        assert!(n.len() >= 31, "{}", n.len());
        assert_eq!(
            n.get("CN-GD").map(|(zh, en)| (zh.as_str(), en.as_str())),
            Some(("广东", "Guangdong"))
        );
        assert!(parse("not json").is_empty());
    }
}
