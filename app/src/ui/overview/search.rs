//! The overview's search: hubs, clusters, metros and cities found by their Chinese or English
//! names, forgiving case, spaces, apostrophes, hyphens and pinyin tone marks ("贵安", "Gui'an",
//! "guian" and "GUI AN" all find Gui'an). Plants come from the backend (`/factories?q=`).
//!
//! Pure functions over the world and the shipped city table; no egui here.

use std::sync::OnceLock;

use crate::api::GeoPoint;
use crate::state::World;

const CITIES_CSV: &str = include_str!("../../../../assets/geo/cn_cities.csv");
/// Most hits listed under the box (plants come on top of these, from the backend).
pub const MAX_HITS: usize = 8;

/// What a hit stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HitKind {
    Hub(usize),
    Cluster(usize),
    Metro(usize),
    City(usize),
    Factory(u32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: HitKind,
    pub name_en: String,
    pub name_zh: String,
    pub position: GeoPoint,
    /// 0 exact, 1 prefix, 2 anywhere: lower is better.
    pub rank: u8,
}

/// A city of the shipped table.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    pub name_en: String,
    pub name_zh: String,
    pub position: GeoPoint,
}

/// The shipped city table, parsed once; rows that do not parse are skipped.
pub fn cities() -> &'static [City] {
    static CITIES: OnceLock<Vec<City>> = OnceLock::new();
    CITIES.get_or_init(|| {
        let mut reader = csv::Reader::from_reader(CITIES_CSV.as_bytes());
        reader
            .records()
            .filter_map(Result::ok)
            .filter_map(|r| {
                Some(City {
                    name_en: r.get(0)?.to_owned(),
                    name_zh: r.get(1)?.to_owned(),
                    position: GeoPoint {
                        lat: r.get(5)?.parse().ok()?,
                        lon: r.get(6)?.parse().ok()?,
                    },
                })
            })
            .collect()
    })
}

/// Lower case, without spaces, apostrophes, hyphens, dots and middle dots, and with pinyin tone
/// marks (and ü) folded to plain letters.
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !(c.is_whitespace() || "'’‘`-–—_.·・,".contains(*c)))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'ā' | 'á' | 'ǎ' | 'à' => 'a',
            'ē' | 'é' | 'ě' | 'è' => 'e',
            'ī' | 'í' | 'ǐ' | 'ì' => 'i',
            'ō' | 'ó' | 'ǒ' | 'ò' => 'o',
            'ū' | 'ú' | 'ǔ' | 'ù' => 'u',
            'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' | 'ü' => 'v',
            other => other,
        })
        .collect()
}

/// How well `query` (already folded) matches one of the names, if at all.
pub fn rank(query: &str, names: &[&str]) -> Option<u8> {
    if query.is_empty() {
        return None;
    }
    names
        .iter()
        .filter_map(|name| {
            let name = fold(name);
            if name == query {
                Some(0)
            } else if name.starts_with(query) {
                Some(1)
            } else if name.contains(query) {
                Some(2)
            } else {
                None
            }
        })
        .min()
}

/// Hubs, clusters, metros and cities matching `text`, best first, at most [`MAX_HITS`].
pub fn search(world: &World, text: &str, hub_names: impl Fn(usize) -> String) -> Vec<Hit> {
    let query = fold(text);
    let mut hits = Vec::new();
    let mut push = |kind, en: &str, zh: &str, extra: &str, position| {
        if let Some(rank) = rank(&query, &[en, zh, extra]) {
            hits.push(Hit {
                kind,
                name_en: en.to_owned(),
                name_zh: zh.to_owned(),
                position,
                rank,
            });
        }
    };
    for (i, hub) in world.hubs.iter().enumerate() {
        let members: Vec<GeoPoint> = world
            .clusters
            .iter()
            .filter(|c| c.hub_id == hub.id)
            .map(|c| c.location)
            .collect();
        if let Some(center) = centroid(&members) {
            push(
                HitKind::Hub(i),
                &hub.name_en,
                &hub.name_zh,
                &hub_names(i),
                center,
            );
        }
    }
    for (i, c) in world.clusters.iter().enumerate() {
        push(
            HitKind::Cluster(i),
            &c.name_en,
            &c.name_zh,
            &c.id,
            c.location,
        );
    }
    for (i, m) in world.metros.iter().enumerate() {
        push(HitKind::Metro(i), &m.name_en, &m.name_zh, &m.id, m.center);
    }
    for (i, c) in cities().iter().enumerate() {
        let known = world.metros.iter().any(|m| m.name_zh == c.name_zh);
        if !known {
            push(HitKind::City(i), &c.name_en, &c.name_zh, "", c.position);
        }
    }
    hits.sort_by_key(|h| (h.rank, h.kind));
    hits.truncate(MAX_HITS);
    hits
}

/// Mean of the points (fine for the few hundred km a hub spans).
pub fn centroid(points: &[GeoPoint]) -> Option<GeoPoint> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    Some(GeoPoint {
        lat: points.iter().map(|p| p.lat).sum::<f64>() / n,
        lon: points.iter().map(|p| p.lon).sum::<f64>() / n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Cluster, Hub};

    fn world() -> World {
        let cluster = |id: &str, hub: &str, en: &str, zh: &str| Cluster {
            id: id.into(),
            hub_id: hub.into(),
            name_en: en.into(),
            name_zh: zh.into(),
            location: GeoPoint {
                lat: 26.4,
                lon: 106.3,
            },
            racks: 1,
            occupancy: 0.5,
            compute_eflops: 1.0,
            utilization: 0.5,
            pue: 1.2,
            green_power_share: 0.5,
        };
        World {
            hubs: vec![Hub {
                id: "guizhou".into(),
                name_en: "Guizhou".into(),
                name_zh: "贵州".into(),
                cluster_ids: vec!["guian".into()],
            }],
            clusters: vec![
                cluster("guian", "guizhou", "Gui'an", "贵安"),
                cluster("tianfu", "chengyu", "Tianfu", "天府"),
            ],
            ..World::default()
        }
    }

    #[test]
    fn folding_forgets_case_apostrophes_spaces_and_tones() {
        assert_eq!(fold("Gui'an"), "guian");
        assert_eq!(fold("GUI AN"), "guian");
        assert_eq!(fold("Guì’ān"), "guian");
        assert_eq!(fold("Lǜliang"), "lvliang");
        assert_eq!(fold("贵安"), "贵安");
    }

    #[test]
    fn chinese_and_english_find_the_same_cluster() {
        let w = world();
        for text in ["贵安", "Gui'an", "guian", "GUIAN", " gui an "] {
            let hits = search(&w, text, |_| String::new());
            assert_eq!(
                hits.first().map(|h| h.kind),
                Some(HitKind::Cluster(0)),
                "{text}: {hits:?}"
            );
        }
        let hits = search(&w, "贵", |_| String::new());
        assert!(hits.iter().any(|h| h.kind == HitKind::Hub(0)));
        assert!(search(&w, "", |_| String::new()).is_empty());
    }

    #[test]
    fn cities_come_from_the_shipped_table() {
        assert!(cities().len() > 100);
        let hits = search(&World::default(), "Shenzhen", |_| String::new());
        assert!(
            hits.iter()
                .any(|h| matches!(h.kind, HitKind::City(_)) && h.name_zh == "深圳"),
            "{hits:?}"
        );
        let hits = search(&World::default(), "深圳", |_| String::new());
        assert_eq!(hits.first().map(|h| h.name_en.as_str()), Some("Shenzhen"));
    }
}
