//! A plant's page: its per-technology upgrade checklist and a short KPI history.
//!
//! The history is real but small: every stage change the simulator makes is logged with its
//! simulated time, at most [`SAMPLES_PER_PLANT`] per plant, and only for plants that changed
//! (60,000 × 8 samples ≈ 20 MB in the worst case after years of simulated time). Dates of work
//! that happened before the simulation started, or is still to come, are derived from the plant
//! id, so the same world always shows the same page. Knows nothing of HTTP.

use std::collections::{BTreeMap, VecDeque};

use crate::api::{
    Factory, FactoryDetail, FactoryStageChange, KpiSample, TechUpgrade, Technology, UnixMs,
    UpgradeStage, UpgradeStatus,
};

/// KPI samples kept per plant.
pub const SAMPLES_PER_PLANT: usize = 8;
const DAY_MS: i64 = 86_400_000;

/// When each plant's KPIs changed, bounded per plant.
#[derive(Debug, Default, Clone)]
pub struct KpiLog {
    by_plant: BTreeMap<u32, VecDeque<(UnixMs, UpgradeStage, KpiSample)>>,
}

impl KpiLog {
    /// Logs the plants of `changes` with their figures now.
    pub fn record(
        &mut self,
        now: UnixMs,
        changes: &[FactoryStageChange],
        get: impl Fn(u32) -> Option<Factory>,
    ) {
        for c in changes {
            let Some(f) = get(c.id) else { continue };
            let log = self.by_plant.entry(c.id).or_default();
            if log.len() == SAMPLES_PER_PLANT {
                log.pop_front();
            }
            log.push_back((
                now,
                c.stage,
                KpiSample {
                    t: now,
                    kpis: f.kpis,
                },
            ));
        }
    }

    fn when_reached(&self, id: u32, stage: UpgradeStage) -> Option<UnixMs> {
        self.by_plant
            .get(&id)?
            .iter()
            .find(|(_, s, _)| *s == stage)
            .map(|(t, _, _)| *t)
    }

    /// The plant's page at simulated time `now` (the simulation began at `start`).
    pub fn detail(&self, f: &Factory, start: UnixMs, now: UnixMs) -> FactoryDetail {
        let checklist = self.checklist(f, start, now);
        let mut kpi_history: Vec<KpiSample> = self
            .by_plant
            .get(&f.id)
            .map(|log| log.iter().map(|(_, _, s)| *s).collect())
            .unwrap_or_default();
        if kpi_history.is_empty() {
            kpi_history = modelled_past(f, &checklist, start);
        }
        if kpi_history
            .last()
            .is_none_or(|s| s.kpis != f.kpis || s.t < now)
        {
            kpi_history.push(KpiSample {
                t: now,
                kpis: f.kpis,
            });
        }
        FactoryDetail {
            workloads: crate::factories::workloads(f.industry),
            factory: f.clone(),
            checklist,
            kpi_history,
        }
    }

    fn checklist(&self, f: &Factory, start: UnixMs, now: UnixMs) -> Vec<TechUpgrade> {
        // A spread of 0..span days that is the same for the same plant and technology.
        let spread = |salt: u64, span: i64| -> i64 {
            let h = (u64::from(f.id) ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .wrapping_mul(0xBF58_476D_1CE4_E5B9);
            (h >> 33) as i64 % span.max(1)
        };
        let salt = |t: Technology| Technology::ALL.iter().position(|x| *x == t).unwrap_or(0) as u64;
        let mut out = Vec::new();
        for t in &f.technologies {
            let (status, date) = match f.stage {
                UpgradeStage::Upgraded => (
                    UpgradeStatus::Done,
                    self.when_reached(f.id, UpgradeStage::Upgraded)
                        .unwrap_or_else(|| start - (30 + spread(salt(*t), 500)) * DAY_MS),
                ),
                UpgradeStage::Deploying => (
                    UpgradeStatus::InProgress,
                    now + (20 + spread(salt(*t), 200)) * DAY_MS,
                ),
                // A legacy link from before the programme.
                UpgradeStage::Planned | UpgradeStage::Assessing | UpgradeStage::Unknown => (
                    UpgradeStatus::Done,
                    start - (400 + spread(salt(*t), 900)) * DAY_MS,
                ),
            };
            out.push(TechUpgrade {
                technology: *t,
                status,
                date,
            });
        }
        // What comes next: one or two technologies the plant does not have yet.
        let wanted = match f.stage {
            UpgradeStage::Upgraded => usize::from(f.technologies.len() < 3),
            UpgradeStage::Deploying => 1,
            UpgradeStage::Planned | UpgradeStage::Assessing | UpgradeStage::Unknown => 2,
        };
        let base_days = match f.stage {
            UpgradeStage::Planned | UpgradeStage::Unknown => 240,
            UpgradeStage::Assessing => 150,
            UpgradeStage::Deploying | UpgradeStage::Upgraded => 120,
        };
        let first = spread(99, Technology::ALL.len() as i64) as usize;
        let next = (0..Technology::ALL.len())
            .map(|k| Technology::ALL[(first + k) % Technology::ALL.len()])
            .filter(|t| !f.technologies.contains(t))
            .take(wanted);
        for t in next {
            out.push(TechUpgrade {
                technology: t,
                status: UpgradeStatus::Planned,
                date: now + (base_days + spread(salt(t) + 7, 300)) * DAY_MS,
            });
        }
        out
    }
}

/// A plant's KPIs before the simulation began, from the model: an upgraded plant had the
/// figures of a deploying one until its upgrade was done (the checklist's latest date), a
/// deploying one those of an assessing one; others have not changed. Never better than now.
fn modelled_past(f: &Factory, checklist: &[TechUpgrade], start: UnixMs) -> Vec<KpiSample> {
    let mut rng = <crate::draw::SimRng as rand::SeedableRng>::seed_from_u64(
        0x005E_ED0F_1A57 ^ u64::from(f.id),
    );
    let before = |stage: UpgradeStage, rng: &mut crate::draw::SimRng| {
        let then = crate::factories::kpis_for(stage, &f.technologies, None, rng);
        crate::api::NetworkKpis {
            latency_ms: then.latency_ms.max(f.kpis.latency_ms),
            jitter_ms: then.jitter_ms.max(f.kpis.jitter_ms),
            reliability: then.reliability.min(f.kpis.reliability),
            throughput_mbps: then.throughput_mbps.min(f.kpis.throughput_mbps),
        }
    };
    match f.stage {
        UpgradeStage::Upgraded => {
            let done = checklist
                .iter()
                .filter(|u| u.status == UpgradeStatus::Done)
                .map(|u| u.date)
                .max()
                .unwrap_or(start - 60 * DAY_MS)
                .min(start);
            vec![
                KpiSample {
                    t: done - 60 * DAY_MS,
                    kpis: before(UpgradeStage::Deploying, &mut rng),
                },
                KpiSample {
                    t: done,
                    kpis: f.kpis,
                },
            ]
        }
        UpgradeStage::Deploying => vec![KpiSample {
            t: start - 90 * DAY_MS,
            kpis: before(UpgradeStage::Assessing, &mut rng),
        }],
        UpgradeStage::Planned | UpgradeStage::Assessing | UpgradeStage::Unknown => {
            vec![KpiSample {
                t: start - 90 * DAY_MS,
                kpis: f.kpis,
            }]
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::api::{GeoPoint, Industry, NetworkKpis};

    fn plant(id: u32, stage: UpgradeStage, technologies: Vec<Technology>) -> Factory {
        let kpis = NetworkKpis {
            latency_ms: 5.0,
            jitter_ms: 1.0,
            reliability: 0.9999,
            throughput_mbps: 100.0,
        };
        Factory {
            id,
            name_en: "A".into(),
            name_zh: "甲".into(),
            province: "CN-GD".into(),
            city_zh: "广州".into(),
            city_en: "Guangzhou".into(),
            industry: Industry::Steel,
            stage,
            technologies,
            location: GeoPoint {
                lat: 23.0,
                lon: 113.0,
            },
            kpis,
            required: kpis,
            agent_id: None,
            origins: Vec::new(),
        }
    }

    #[test]
    fn checklist_matches_stage_and_dates_are_ordered() {
        let log = KpiLog::default();
        let (start, now) = (1_000 * DAY_MS, 1_100 * DAY_MS);
        let up = log.detail(
            &plant(7, UpgradeStage::Upgraded, vec![Technology::Tsn]),
            start,
            now,
        );
        assert_eq!(up.checklist[0].status, UpgradeStatus::Done);
        assert!(up.checklist[0].date < start);
        assert!(
            up.checklist[1..]
                .iter()
                .all(|u| u.status == UpgradeStatus::Planned && u.date > now)
        );
        let dep = log.detail(
            &plant(8, UpgradeStage::Deploying, vec![Technology::FiveG]),
            start,
            now,
        );
        assert_eq!(dep.checklist[0].status, UpgradeStatus::InProgress);
        assert!(dep.checklist[0].date > now);
        let planned = log.detail(&plant(9, UpgradeStage::Planned, vec![]), start, now);
        assert_eq!(planned.checklist.len(), 2);
        // Nothing changed at a planned plant: its modelled past is today's figures.
        assert_eq!(planned.kpi_history.len(), 2);
        assert_eq!(planned.kpi_history[0].kpis, planned.kpi_history[1].kpis);
        // Same plant, same page.
        assert_eq!(
            planned,
            log.detail(&plant(9, UpgradeStage::Planned, vec![]), start, now)
        );
    }

    #[test]
    fn history_is_bounded_and_dates_the_upgrade() {
        let mut log = KpiLog::default();
        let f = plant(3, UpgradeStage::Upgraded, vec![Technology::Tsn]);
        for k in 0..20 {
            let change = FactoryStageChange {
                id: 3,
                stage: UpgradeStage::Upgraded,
                technologies: vec![],
                compliant: true,
            };
            log.record(k * DAY_MS, &[change], |_| Some(f.clone()));
        }
        let d = log.detail(&f, 0, 30 * DAY_MS);
        assert!(d.kpi_history.len() <= SAMPLES_PER_PLANT + 1);
        assert!(d.kpi_history.windows(2).all(|w| w[0].t <= w[1].t));
        assert_eq!(d.checklist[0].date, 12 * DAY_MS);
    }

    #[test]
    fn a_plant_upgraded_before_the_start_has_a_modelled_past_no_better_than_now() {
        let log = KpiLog::default();
        let (start, now) = (1_000 * DAY_MS, 1_001 * DAY_MS);
        let f = plant(7, UpgradeStage::Upgraded, vec![Technology::Tsn]);
        let d = log.detail(&f, start, now);
        // Before the upgrade, at the upgrade, now: no single dot on first start.
        assert_eq!(d.kpi_history.len(), 3);
        assert!(d.kpi_history.windows(2).all(|w| w[0].t <= w[1].t));
        let (then, at) = (d.kpi_history[0].kpis, d.kpi_history[1].kpis);
        assert!(then.latency_ms >= f.kpis.latency_ms && then.jitter_ms >= f.kpis.jitter_ms);
        assert!(then.reliability <= f.kpis.reliability);
        assert_eq!(at, f.kpis);
        assert_eq!(
            d.kpi_history[1].t, d.checklist[0].date,
            "dated by the checklist"
        );
        assert_eq!(d, log.detail(&f, start, now), "the same page every time");
    }
}
