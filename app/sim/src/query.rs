//! Filtering and paging of the factory list for `GET /factories`. A linear scan: a few
//! milliseconds for 60,000 plants. The cursor is the id of the last plant served, in decimal.

use thiserror::Error;

use std::collections::BTreeMap;

use crate::api::{
    Factory, FactoryPage, FactoryPoints, FactoryQuery, industry_code, needle_is_id, stage_code,
};

use super::factories::FactoryBook;
use super::labels::wire_key;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

/// A factory query the simulator cannot answer.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum QueryError {
    #[error(
        "bbox must be four numbers `min_lon,min_lat,max_lon,max_lat` with min ≤ max, got `{0}`"
    )]
    BadBbox(String),
    #[error("cursor `{0}` is not one this server handed out; start again without a cursor")]
    BadCursor(String),
    #[error("limit must be between 1 and {MAX_LIMIT}, got {0}")]
    BadLimit(u32),
    #[error("unknown {0}: see the values listed in /api/v1/openapi.json")]
    UnknownValue(&'static str),
}

#[derive(Debug, Clone, Copy)]
struct Bbox {
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
}

impl Bbox {
    fn parse(text: &str) -> Result<Self, QueryError> {
        let bad = || QueryError::BadBbox(text.to_owned());
        // Plain decimals only, as the OpenAPI pattern says (no spaces, exponents or `inf`).
        let parts: Vec<f64> = text
            .split(',')
            .enumerate()
            .map(|(i, p)| {
                let int_digits = if i % 2 == 0 { 3 } else { 2 };
                if !crate::api::validate::is_plain_decimal(p, int_digits) {
                    return Err(bad());
                }
                p.parse::<f64>().map_err(|_| bad())
            })
            .collect::<Result<_, _>>()?;
        let [min_lon, min_lat, max_lon, max_lat] = parts[..] else {
            return Err(bad());
        };
        let lon_ok = |x: f64| (-180.0..=180.0).contains(&x);
        let lat_ok = |x: f64| (-90.0..=90.0).contains(&x);
        let valid = lon_ok(min_lon) && lon_ok(max_lon) && lat_ok(min_lat) && lat_ok(max_lat);
        if !valid || min_lon > max_lon || min_lat > max_lat {
            return Err(bad());
        }
        Ok(Self {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        })
    }

    fn contains(&self, f: &Factory) -> bool {
        (self.min_lon..=self.max_lon).contains(&f.location.lon)
            && (self.min_lat..=self.max_lat).contains(&f.location.lat)
    }
}

/// The filters of a `FactoryQuery`, parsed once (paging left out).
pub struct Matcher {
    q: FactoryQuery,
    province: Option<String>,
    bbox: Option<Bbox>,
    needle: Option<String>,
}

impl Matcher {
    pub fn new(q: &FactoryQuery) -> Result<Self, QueryError> {
        // Values this server does not know decode as `Unknown`; as a filter they are a mistake.
        if q.stage == Some(crate::api::UpgradeStage::Unknown) {
            return Err(QueryError::UnknownValue("stage"));
        }
        if q.industry == Some(crate::api::Industry::Unknown) {
            return Err(QueryError::UnknownValue("industry"));
        }
        if q.tech == Some(crate::api::Technology::Unknown) {
            return Err(QueryError::UnknownValue("technology"));
        }
        // Paging is checked against the documented bounds even where it is ignored (points, CSV),
        // so one query string means the same everywhere.
        if let Some(limit) = q.limit.filter(|l| !(1..=MAX_LIMIT).contains(l)) {
            return Err(QueryError::BadLimit(limit));
        }
        if let Some(c) = q
            .cursor
            .as_deref()
            .filter(|c| !crate::api::validate::is_digits(c, 10))
        {
            return Err(QueryError::BadCursor(c.to_owned()));
        }
        Ok(Self {
            q: q.clone(),
            province: q
                .province
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            bbox: q.bbox.as_deref().map(Bbox::parse).transpose()?,
            needle: q
                .q
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_lowercase),
        })
    }

    /// `hay` is the plant's lower-case search text (`FactoryBook::haystacks`).
    pub fn matches(&self, f: &Factory, hay: &str) -> bool {
        let q = &self.q;
        self.province
            .as_deref()
            .is_none_or(|p| f.province.eq_ignore_ascii_case(p))
            && q.industry.is_none_or(|x| f.industry == x)
            && q.stage.is_none_or(|x| f.stage == x)
            && q.tech.is_none_or(|x| f.technologies.contains(&x))
            && q.compliant.is_none_or(|c| f.is_compliant() == c)
            && self.bbox.is_none_or(|b| b.contains(f))
            && self
                .needle
                .as_deref()
                .is_none_or(|n| needle_is_id(n, f.id) || hay.contains(n))
    }
}

/// Every plant matching `q` (paging ignored), in id order.
pub fn matching<'b>(
    book: &'b FactoryBook,
    q: &FactoryQuery,
) -> Result<impl Iterator<Item = &'b Factory> + use<'b>, QueryError> {
    let m = Matcher::new(q)?;
    Ok(book
        .all()
        .iter()
        .zip(book.haystacks())
        .filter(move |(f, hay)| m.matches(f, hay))
        .map(|(f, _)| f))
}

/// One page of the plants matching `q`.
pub fn query(book: &FactoryBook, q: &FactoryQuery) -> Result<FactoryPage, QueryError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(QueryError::BadLimit(limit));
    }
    let matcher = Matcher::new(q)?;
    // Plants are stored in ascending id order (a registry's are sorted when loaded), so "after
    // id n" starts at the first plant with a larger id.
    let last_id = book.all().last().map_or(0, |f| f.id);
    let start = match q.cursor.as_deref() {
        None => 0,
        Some(c) => match c.parse::<u32>() {
            Ok(n) if n <= last_id && crate::api::validate::is_digits(c, 10) => {
                book.all().partition_point(|f| f.id <= n)
            }
            _ => return Err(QueryError::BadCursor(c.to_owned())),
        },
    };

    let mut items = Vec::with_capacity(limit as usize);
    let mut total = 0u64;
    let mut more = false;
    for (i, (f, hay)) in book.all().iter().zip(book.haystacks()).enumerate() {
        if !matcher.matches(f, hay) {
            continue;
        }
        total += 1;
        if i >= start {
            if items.len() < limit as usize {
                items.push(f.clone());
            } else {
                more = true;
            }
        }
    }
    let next_cursor = if more {
        items.last().map(|f| f.id.to_string())
    } else {
        None
    };
    Ok(FactoryPage {
        items,
        total,
        next_cursor,
    })
}

/// All plants matching `q` as compact parallel arrays (cursor and limit ignored).
pub fn points(book: &FactoryBook, q: &FactoryQuery) -> Result<FactoryPoints, QueryError> {
    let matcher = Matcher::new(q)?;
    let mut out = FactoryPoints::default();
    let mut province_index: BTreeMap<&str, u16> = BTreeMap::new();
    for (f, hay) in book.all().iter().zip(book.haystacks()) {
        if !matcher.matches(f, hay) {
            continue;
        }
        let next = province_index.len() as u16;
        let p = *province_index
            .entry(f.province.as_str())
            .or_insert_with(|| {
                out.provinces.push(f.province.clone());
                next
            });
        out.ids.push(f.id);
        out.lat.push(f.location.lat as f32);
        out.lon.push(f.location.lon as f32);
        out.stage.push(stage_code(f.stage));
        out.industry.push(industry_code(f.industry));
        out.province.push(p);
        out.tech.push(f.tech_mask());
        out.compliant.push(f.is_compliant());
        out.name_en.push(f.name_en.clone());
        out.name_zh.push(f.name_zh.clone());
    }
    Ok(out)
}

/// Header of the CSV export.
pub const CSV_HEADER: [&str; 16] = [
    "id",
    "name_en",
    "name_zh",
    "province",
    "city_en",
    "city_zh",
    "industry",
    "stage",
    "technologies",
    "lat",
    "lon",
    "latency_ms",
    "jitter_ms",
    "reliability",
    "throughput_mbps",
    "compliant",
];

/// One plant as a CSV record (fields in `CSV_HEADER` order).
pub fn csv_record(f: &Factory) -> [String; 16] {
    let techs: Vec<String> = f.technologies.iter().map(wire_key).collect();
    [
        f.id.to_string(),
        f.name_en.clone(),
        f.name_zh.clone(),
        f.province.clone(),
        f.city_en.clone(),
        f.city_zh.clone(),
        wire_key(&f.industry),
        wire_key(&f.stage),
        techs.join(";"),
        f.location.lat.to_string(),
        f.location.lon.to_string(),
        f.kpis.latency_ms.to_string(),
        f.kpis.jitter_ms.to_string(),
        f.kpis.reliability.to_string(),
        f.kpis.throughput_mbps.to_string(),
        f.is_compliant().to_string(),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use rand::SeedableRng as _;

    use super::*;
    use crate::api::{Industry, UpgradeStage};
    use crate::draw::SimRng;
    use crate::geo;

    fn book() -> FactoryBook {
        let cities = geo::mainland_cities().unwrap();
        FactoryBook::generate(&cities, 8_000, &mut SimRng::seed_from_u64(5))
    }

    #[test]
    fn filters_combine() {
        let b = book();
        let q = FactoryQuery {
            province: Some("cn-gd".into()),
            stage: Some(UpgradeStage::Upgraded),
            limit: Some(1000),
            ..Default::default()
        };
        let page = query(&b, &q).unwrap();
        assert!(page.total > 0);
        assert!(
            page.items
                .iter()
                .all(|f| f.province == "CN-GD" && f.stage == UpgradeStage::Upgraded)
        );
        let text = query(
            &b,
            &FactoryQuery {
                q: Some("FOSHAN".into()),
                limit: Some(5),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(text.total > 0 && text.items.iter().all(|f| f.city_en == "Foshan"));
        let zh = query(
            &b,
            &FactoryQuery {
                q: Some("汽车".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(zh.items.iter().all(|f| f.industry == Industry::Automotive));
        let bbox = FactoryQuery {
            bbox: Some("113,22,115,24".into()),
            ..Default::default()
        };
        let page = query(&b, &bbox).unwrap();
        assert!(page.total > 0);
        assert!(
            page.items
                .iter()
                .all(|f| (113.0..=115.0).contains(&f.location.lon)
                    && (22.0..=24.0).contains(&f.location.lat))
        );
    }

    #[test]
    fn pages_cover_all_matches_once() {
        let b = book();
        let mut q = FactoryQuery {
            industry: Some(Industry::Electronics),
            limit: Some(97),
            ..Default::default()
        };
        let mut seen = Vec::new();
        let mut total = None;
        loop {
            let page = query(&b, &q).unwrap();
            assert!(total.is_none_or(|t| t == page.total));
            total = Some(page.total);
            seen.extend(page.items.iter().map(|f| f.id));
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        let n = seen.len();
        assert_eq!(n as u64, total.unwrap());
        seen.dedup();
        assert_eq!(seen.len(), n);
        assert!(seen.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn bad_input_is_refused() {
        let b = book();
        for bbox in ["1,2,3", "a,b,c,d", "10,10,5,5", "0,0,200,10"] {
            let q = FactoryQuery {
                bbox: Some(bbox.into()),
                ..Default::default()
            };
            assert!(
                matches!(query(&b, &q), Err(QueryError::BadBbox(_))),
                "{bbox}"
            );
        }
        let q = FactoryQuery {
            cursor: Some("x".into()),
            ..Default::default()
        };
        assert!(matches!(query(&b, &q), Err(QueryError::BadCursor(_))));
        let q = FactoryQuery {
            cursor: Some("999999".into()),
            ..Default::default()
        };
        assert!(matches!(query(&b, &q), Err(QueryError::BadCursor(_))));
        for limit in [0, 1001] {
            let q = FactoryQuery {
                limit: Some(limit),
                ..Default::default()
            };
            assert_eq!(query(&b, &q), Err(QueryError::BadLimit(limit)));
        }
        let last = query(
            &b,
            &FactoryQuery {
                cursor: Some("8000".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(last.items.is_empty() && last.next_cursor.is_none());
    }
}
