//! Where each figure the console shows came from: the origins the backend sends (snapshot and
//! `figures_measured` events) and the sources' health, folded into one answer per figure:
//! simulated, live from a source, or stale (the source stopped answering) with its age.

use std::collections::BTreeMap;

use crate::api::{FigureOrigin, SourceHealth, SourceStatus, UnixMs};

/// The origins of measured figures, by (entity, metric).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origins {
    by_figure: BTreeMap<(String, String), FigureOrigin>,
}

impl Origins {
    pub fn from_list(list: Vec<FigureOrigin>) -> Self {
        let mut o = Self::default();
        o.extend(list);
        o
    }

    /// Newer origins replace older ones of the same figure.
    pub fn extend(&mut self, list: Vec<FigureOrigin>) {
        for origin in list {
            let key = (origin.entity.clone(), origin.metric.clone());
            match self.by_figure.get(&key) {
                Some(held) if held.measured_at > origin.measured_at => {}
                _ => {
                    self.by_figure.insert(key, origin);
                }
            }
        }
    }

    pub fn get(&self, entity: &str, metric: &str) -> Option<&FigureOrigin> {
        self.by_figure.get(&(entity.to_owned(), metric.to_owned()))
    }

    /// The first of `metrics` that is measured for `entity`.
    pub fn any_of(&self, entity: &str, metrics: &[&str]) -> Option<&FigureOrigin> {
        metrics.iter().find_map(|m| self.get(entity, m))
    }

    pub fn len(&self) -> usize {
        self.by_figure.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_figure.is_empty()
    }
}

/// Shows a measured value at once (it would otherwise arrive with the next tick). Values out
/// of their field's sense (not finite) are ignored; unknown entities or metrics change nothing.
pub fn apply_value(world: &mut crate::World, entity: &str, metric: &str, v: f64) {
    if !v.is_finite() {
        return;
    }
    let Some((kind, id)) = entity.split_once(':') else {
        return;
    };
    match kind {
        "link" => {
            if let Some(l) = world.links.iter_mut().find(|l| l.id == id) {
                match metric {
                    "utilization_forward" => l.utilization_forward = v,
                    "utilization_reverse" => l.utilization_reverse = v,
                    _ => return,
                }
                l.utilization = (l.utilization_forward + l.utilization_reverse) / 2.0;
            }
        }
        "cluster" => {
            if let Some(c) = world.clusters.iter_mut().find(|c| c.id == id) {
                match metric {
                    "utilization" => c.utilization = v,
                    "pue" => c.pue = v,
                    "green_power_share" => c.green_power_share = v,
                    "occupancy" => c.occupancy = v,
                    _ => {}
                }
            }
        }
        // Metros come whole in `metro_updated`.
        _ => {}
    }
}

/// What the console says about one figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// The simulator's model.
    Simulated,
    /// Measured by `source`, which is answering.
    Live { source: String, measured_at: UnixMs },
    /// Measured by `source`, which stopped answering: the last value, greyed, with its age.
    Stale { source: String, measured_at: UnixMs },
}

impl Provenance {
    /// The provenance of a figure with `origin` (none: simulated) given the sources' health.
    pub fn of(origin: Option<&FigureOrigin>, sources: &[SourceStatus]) -> Self {
        let Some(o) = origin else {
            return Self::Simulated;
        };
        let stale = sources
            .iter()
            .find(|s| s.id == o.source)
            .is_some_and(|s| s.health == SourceHealth::Stale);
        if stale {
            Self::Stale {
                source: o.source.clone(),
                measured_at: o.measured_at,
            }
        } else {
            Self::Live {
                source: o.source.clone(),
                measured_at: o.measured_at,
            }
        }
    }

    pub fn is_stale(&self) -> bool {
        matches!(self, Self::Stale { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SourceKind;

    fn origin(source: &str, at: UnixMs) -> FigureOrigin {
        FigureOrigin {
            entity: "link:a-b".into(),
            metric: "utilization_forward".into(),
            source: source.into(),
            measured_at: at,
            value: None,
        }
    }

    fn source(id: &str, health: SourceHealth) -> SourceStatus {
        SourceStatus::new(id, SourceKind::Push, "", health)
    }

    #[test]
    fn a_newer_origin_wins_and_an_older_one_arriving_late_does_not() {
        let mut o = Origins::from_list(vec![origin("push:a", 10)]);
        o.extend(vec![origin("push:b", 5)]);
        assert_eq!(
            o.get("link:a-b", "utilization_forward")
                .map(|x| x.measured_at),
            Some(10)
        );
        o.extend(vec![origin("push:b", 20)]);
        assert_eq!(
            o.get("link:a-b", "utilization_forward")
                .map(|x| x.source.as_str()),
            Some("push:b")
        );
    }

    #[test]
    fn a_figure_is_simulated_live_or_stale_by_its_source() {
        let o = origin("push:a", 10);
        assert_eq!(Provenance::of(None, &[]), Provenance::Simulated);
        let live = Provenance::of(Some(&o), &[source("push:a", SourceHealth::Ok)]);
        assert!(matches!(live, Provenance::Live { .. }));
        let stale = Provenance::of(Some(&o), &[source("push:a", SourceHealth::Stale)]);
        assert!(stale.is_stale());
        // Another source going stale does not touch this figure.
        let other = Provenance::of(Some(&o), &[source("push:b", SourceHealth::Stale)]);
        assert!(!other.is_stale());
    }
}
