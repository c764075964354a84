//! The simulator's answers about metro 1 ms access beyond the grids themselves: the national
//! roll-up with its history, and what-if planning on a copy of a metro's sites. A what-if reads
//! the live world and never changes it.

use thiserror::Error;

use crate::api::{GeoPoint, LatencySummary, WhatIfRequest, WhatIfResponse};

use super::Simulator;
use super::metros::MAX_WHATIF_SITES;

/// A what-if the simulator cannot answer.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum WhatIfError {
    #[error("no metro {0}")]
    UnknownMetro(String),
    #[error("{0} hypothetical sites asked; at most {MAX_WHATIF_SITES} per what-if")]
    TooManySites(usize),
    #[error("site ({}, {}) lies outside the metro's 100 km grid", .0.lat, .0.lon)]
    OutsideGrid(GeoPoint),
    #[error("no access point {index}: the metro has {count} (indices 0..{count})")]
    NoSuchSite { index: u32, count: usize },
}

impl Simulator {
    /// The national roll-up of metro 1 ms access with its daily history and projection.
    pub fn latency_summary(&self) -> LatencySummary {
        self.coverage_log.summary(self.now, self.metros.summaries())
    }

    /// A metro's figures with hypothetical sites added or removed, beside the live ones.
    pub fn what_if(
        &self,
        metro_id: &str,
        request: &WhatIfRequest,
    ) -> Result<WhatIfResponse, WhatIfError> {
        let unknown = || WhatIfError::UnknownMetro(metro_id.to_owned());
        let i = self.metros.index(metro_id).ok_or_else(unknown)?;
        if request.add.len() > MAX_WHATIF_SITES {
            return Err(WhatIfError::TooManySites(request.add.len()));
        }
        if let Some(p) = request.add.iter().find(|p| !self.metros.contains(i, **p)) {
            return Err(WhatIfError::OutsideGrid(*p));
        }
        let count = self.metros.site_count(i);
        let mut remove = request.remove.clone();
        remove.sort_unstable();
        remove.dedup();
        if let Some(bad) = remove.iter().find(|k| **k as usize >= count) {
            return Err(WhatIfError::NoSuchSite { index: *bad, count });
        }
        let removed: Vec<usize> = remove.iter().map(|k| *k as usize).collect();
        let before = self.metros.figures(i).ok_or_else(unknown)?;
        let (after, rtt_ms_after) = self
            .metros
            .what_if(i, &request.add, &removed)
            .ok_or_else(unknown)?;
        Ok(WhatIfResponse {
            metro_id: metro_id.to_owned(),
            before,
            after,
            rtt_ms_after,
            request: WhatIfRequest {
                add: request.add.clone(),
                remove,
            },
        })
    }
}
