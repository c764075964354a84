//! Filtering and paging of the factory list for `GET /factories`. A linear scan: a few
//! milliseconds for 60,000 plants. The cursor is the id of the last plant served, in decimal.

use thiserror::Error;

use crate::api::{Factory, FactoryPage, FactoryQuery};

use super::factories::FactoryBook;

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
        let parts: Vec<f64> = text
            .split(',')
            .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
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

/// One page of the plants matching `q`.
pub(crate) fn query(book: &FactoryBook, q: &FactoryQuery) -> Result<FactoryPage, QueryError> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(QueryError::BadLimit(limit));
    }
    let bbox = q.bbox.as_deref().map(Bbox::parse).transpose()?;
    let total_plants = book.all().len();
    // Ids are 1-based and stored in order, so "after id n" starts at index n.
    let start = match q.cursor.as_deref() {
        None => 0,
        Some(c) => match c.trim().parse::<usize>() {
            Ok(n) if n <= total_plants => n,
            _ => return Err(QueryError::BadCursor(c.to_owned())),
        },
    };
    let needle =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
    let province = q
        .province
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());

    let mut items = Vec::with_capacity(limit as usize);
    let mut total = 0u64;
    let mut more = false;
    for (i, (f, hay)) in book.all().iter().zip(book.haystacks()).enumerate() {
        let matches = province.is_none_or(|p| f.province.eq_ignore_ascii_case(p))
            && q.industry.is_none_or(|x| f.industry == x)
            && q.stage.is_none_or(|x| f.stage == x)
            && q.tech.is_none_or(|x| f.technologies.contains(&x))
            && bbox.is_none_or(|b| b.contains(f))
            && needle.as_deref().is_none_or(|n| hay.contains(n));
        if !matches {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use rand::SeedableRng as _;

    use super::*;
    use crate::api::{Industry, UpgradeStage};
    use crate::backend::sim::draw::SimRng;
    use crate::backend::sim::geo;

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
