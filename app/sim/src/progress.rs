//! The plans' targets and how the simulated world stands against them, with a bounded history:
//! one sample per simulated (Beijing) day, at most [`MAX_SAMPLES`] per target.
//!
//! The history starts [`BACKFILL_DAYS`] before the simulation: a simulated past that ends at the
//! world's first standing, rising at each target's `past_per_year` (with a small deterministic
//! wobble, no draw from the simulator's RNG), so a review has a trend to project from the first
//! minute. Three targets the world does not model (industrial datasets, application scenarios,
//! ICT use cases) follow a simulated programme curve of time alone. Everything here is simulated.

use std::collections::{BTreeMap, VecDeque};

use crate::api::{Factory, KeyCount, Progress, ProvinceSeries, Sample, Target, UnixMs};

use super::clock;

/// Samples kept per target (≈3 simulated years).
pub const MAX_SAMPLES: usize = 1200;

/// Days of simulated past before the simulation starts.
pub const BACKFILL_DAYS: i64 = 365;

/// The world's standing on the targets it models, in [`TARGETS`] order (the rest are
/// [`programme`] curves).
pub type Metrics = [f64; MODELLED];

/// Targets the world models.
const MODELLED: usize = 7;

/// Every target's value, in [`TARGETS`] order.
type AllMetrics = [f64; 10];

/// 2026-01-01T00:00:00+08:00, the origin of the programme curves.
const PROGRAMME_ORIGIN: UnixMs = 1_767_196_800_000;
const MS_PER_YEAR: f64 = 365.25 * 86_400_000.0;

struct TargetSpec {
    id: &'static str,
    name_en: &'static str,
    name_zh: &'static str,
    unit: &'static str,
    target: f64,
    lower_is_better: bool,
    deadline: &'static str,
    /// Change per year of the simulated past (backfill), in the target's unit; for the world's
    /// counts (which scale with the number of plants simulated), a share of the first value.
    past_per_year: f64,
}

/// Plans: ICT × AI (2026–2028), industrial internet + AI (to 2028), AI + manufacturing (to 2027),
/// national hub cluster targets.
const TARGETS: [TargetSpec; 10] = [
    TargetSpec {
        id: "metro_1ms_coverage",
        name_en: "Metros with 1 ms computing access",
        name_zh: "具备 1 毫秒算力时延圈的城市占比",
        unit: "percent",
        target: 75.0,
        lower_is_better: false,
        deadline: "2028",
        past_per_year: 8.0,
    },
    TargetSpec {
        id: "enterprises_upgraded",
        name_en: "Enterprises with upgraded industrial networks",
        name_zh: "完成网络改造升级的企业",
        unit: "count",
        target: 50_000.0,
        lower_is_better: false,
        deadline: "2028",
        past_per_year: 0.48,
    },
    TargetSpec {
        id: "industrial_agents_high_level",
        name_en: "High-level industrial agents (group agents at L3+, plus 1 per 20 of their upgraded plants on edge computing or cloud PLC)",
        name_zh: "高水平工业智能体（L3 及以上行业智能体，及其所辖采用边缘计算或云化 PLC 的已改造企业每 20 家计 1 个）",
        unit: "count",
        target: 1000.0,
        lower_is_better: false,
        deadline: "2027",
        past_per_year: 0.7,
    },
    TargetSpec {
        id: "backbone_800g_share",
        name_en: "Backbone channels at 800G",
        name_zh: "骨干网 800G 通道占比",
        unit: "percent",
        target: 50.0,
        lower_is_better: false,
        deadline: "2028",
        past_per_year: 10.0,
    },
    TargetSpec {
        id: "network_autonomy_l4",
        name_en: "Network agents at autonomy L4 or above",
        name_zh: "达到 L4 及以上自治等级的网络智能体",
        unit: "percent",
        target: 50.0,
        lower_is_better: false,
        deadline: "2028",
        past_per_year: 9.0,
    },
    TargetSpec {
        id: "cluster_pue",
        name_en: "Hub cluster PUE (rack-weighted)",
        name_zh: "枢纽集群 PUE（按机架加权）",
        unit: "ratio",
        target: 1.25,
        lower_is_better: true,
        deadline: "2028",
        past_per_year: -0.02,
    },
    TargetSpec {
        id: "cluster_occupancy",
        name_en: "Hub cluster rack occupancy",
        name_zh: "枢纽集群机架上架率",
        unit: "percent",
        target: 65.0,
        lower_is_better: false,
        deadline: "2028",
        past_per_year: 3.0,
    },
    TargetSpec {
        id: "industrial_datasets",
        name_en: "High-quality industrial datasets",
        name_zh: "高质量工业数据集",
        unit: "count",
        target: 100.0,
        lower_is_better: false,
        deadline: "2027",
        past_per_year: 28.0,
    },
    TargetSpec {
        id: "application_scenarios",
        name_en: "Typical AI application scenarios in industry",
        name_zh: "工业人工智能典型应用场景",
        unit: "count",
        target: 500.0,
        lower_is_better: false,
        deadline: "2027",
        past_per_year: 170.0,
    },
    TargetSpec {
        id: "ict_ai_use_cases",
        name_en: "High-value AI use cases in ICT",
        name_zh: "信息通信业高价值人工智能用例",
        unit: "count",
        target: 30.0,
        lower_is_better: false,
        deadline: "2028",
        past_per_year: 5.0,
    },
];

/// Values at the programme origin of the targets the world does not model (after the seven
/// [`Metrics`]); they grow by their `past_per_year`.
const PROGRAMME_BASE: [f64; 3] = [40.0, 200.0, 5.0];

/// A target the world does not model, at `t`: a whole count on its simulated programme curve.
fn programme(i: usize, t: UnixMs) -> f64 {
    let years = (t - PROGRAMME_ORIGIN) as f64 / MS_PER_YEAR;
    let spec = &TARGETS[MODELLED + i];
    (PROGRAMME_BASE[i] + spec.past_per_year * years)
        .max(0.0)
        .floor()
}

fn all_metrics(t: UnixMs, metrics: &Metrics) -> AllMetrics {
    let mut all = [0.0; 10];
    all[..metrics.len()].copy_from_slice(metrics);
    for i in 0..PROGRAMME_BASE.len() {
        all[metrics.len() + i] = programme(i, t);
    }
    all
}

/// The simulated past of target `i` `days` before a start where it stood at `now`.
fn past_value(i: usize, spec: &TargetSpec, now: f64, days: i64, t: UnixMs) -> f64 {
    if i >= MODELLED {
        return programme(i - MODELLED, t);
    }
    past_of(spec, now, days, i as u64)
}

/// The simulated past of a modelled quantity that stood at `now`, `days` before; `salt` makes
/// each series' wobble its own.
fn past_of(spec: &TargetSpec, now: f64, days: i64, salt: u64) -> f64 {
    let per_year = if spec.unit == "count" {
        spec.past_per_year * now
    } else {
        spec.past_per_year
    };
    let trend = now - per_year * days as f64 / 365.25;
    // A wobble of ±4 % of a year's change (a hash of day and target, no RNG draw): weather in
    // the reporting, not a trend.
    let hash = (days as u64 ^ (salt << 20)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    let wobble = 0.08 * per_year.abs() * (hash as f64 / (1u64 << 24) as f64 - 0.5);
    let value = (trend + wobble).max(0.0);
    let value = if spec.unit == "percent" {
        value.min(100.0)
    } else {
        value
    };
    if spec.unit == "count" {
        value.round()
    } else {
        value
    }
}

/// History of every target.
#[derive(Debug, Clone)]
pub struct ProgressLog {
    series: Vec<VecDeque<Sample>>,
    /// Upgraded enterprises per province (ISO code), sampled with the targets.
    provinces: BTreeMap<String, VecDeque<Sample>>,
    last_day: i64,
}

/// Index of the enterprise target in [`TARGETS`], the one reported by province.
const ENTERPRISES: usize = 1;
/// Index of the metro 1 ms target in [`TARGETS`].
const METRO_1MS: usize = 0;

/// A stable salt for a province's wobble (FNV-1a of its code).
fn salt_of(code: &str) -> u64 {
    code.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) & 0xFFFF
}

impl ProgressLog {
    /// A log whose simulated past ends with the sample at `t`; `upgraded` is the upgraded
    /// enterprises per province at `t`.
    pub fn new(t: UnixMs, metrics: &Metrics, upgraded: &[KeyCount]) -> Self {
        let now = all_metrics(t, metrics);
        let mut series = vec![VecDeque::new(); TARGETS.len()];
        let mut provinces: BTreeMap<String, VecDeque<Sample>> = upgraded
            .iter()
            .map(|k| (k.key.clone(), VecDeque::new()))
            .collect();
        for days in (1..=BACKFILL_DAYS).rev() {
            let at = t - days * clock::MS_PER_DAY;
            for (i, (spec, s)) in TARGETS.iter().zip(&mut series).enumerate() {
                s.push_back(Sample {
                    t: at,
                    value: round4(past_value(i, spec, now[i], days, at)),
                });
            }
            for k in upgraded {
                if let Some(s) = provinces.get_mut(&k.key) {
                    let past =
                        past_of(&TARGETS[ENTERPRISES], k.count as f64, days, salt_of(&k.key));
                    s.push_back(Sample {
                        t: at,
                        value: past.min(k.count as f64),
                    });
                }
            }
        }
        let mut log = Self {
            series,
            provinces,
            last_day: clock::beijing_day(t),
        };
        log.push(t, metrics, upgraded);
        log
    }

    /// The metro 1 ms target's past as the metro model's own history says it (`days`: time and
    /// share of metros, 0..1), so the scorecard and the latency view tell one story; older days
    /// keep the scorecard's modelled curve, shifted to join it without a step.
    pub fn align_metro_history(&mut self, days: &[(UnixMs, f64)]) {
        let Some(series) = self.series.get_mut(METRO_1MS) else {
            return;
        };
        let Some(&(first_t, first_share)) = days.first() else {
            return;
        };
        let first_day = clock::beijing_day(first_t);
        let joined = series
            .iter()
            .find(|s| clock::beijing_day(s.t) == first_day)
            .map(|s| 100.0 * first_share - s.value);
        for sample in series.iter_mut() {
            let day = clock::beijing_day(sample.t);
            match days.iter().find(|(t, _)| clock::beijing_day(*t) == day) {
                Some((_, share)) => sample.value = round4(100.0 * share),
                None if day < first_day => {
                    if let Some(offset) = joined {
                        sample.value = round4((sample.value + offset).clamp(0.0, 100.0));
                    }
                }
                None => {}
            }
        }
    }

    /// Record a sample if `t` is in a later simulated day than the last one.
    pub fn observe(&mut self, t: UnixMs, metrics: &Metrics, upgraded: &[KeyCount]) {
        let day = clock::beijing_day(t);
        if day > self.last_day {
            self.last_day = day;
            self.push(t, metrics, upgraded);
        }
    }

    fn push(&mut self, t: UnixMs, metrics: &Metrics, upgraded: &[KeyCount]) {
        let bounded_push = |series: &mut VecDeque<Sample>, value: f64| {
            if series.len() >= MAX_SAMPLES {
                series.pop_front();
            }
            series.push_back(Sample {
                t,
                value: round4(value),
            });
        };
        for (series, value) in self.series.iter_mut().zip(all_metrics(t, metrics)) {
            bounded_push(series, value);
        }
        // A province missing from `upgraded` has none upgraded; one seen for the first time
        // starts its series here.
        for k in upgraded {
            self.provinces.entry(k.key.clone()).or_default();
        }
        for (code, series) in &mut self.provinces {
            let count = upgraded
                .iter()
                .find(|k| &k.key == code)
                .map_or(0, |k| k.count);
            bounded_push(series, count as f64);
        }
    }

    pub fn report(
        &self,
        t: UnixMs,
        metrics: &Metrics,
        upgraded_by_province: Vec<KeyCount>,
        factories: &[Factory],
    ) -> Progress {
        let targets = TARGETS
            .iter()
            .zip(all_metrics(t, metrics))
            .zip(&self.series)
            .map(|((spec, current), series)| Target {
                id: spec.id.to_owned(),
                name_en: spec.name_en.to_owned(),
                name_zh: spec.name_zh.to_owned(),
                unit: spec.unit.to_owned(),
                target: spec.target,
                lower_is_better: spec.lower_is_better,
                deadline: spec.deadline.to_owned(),
                current: round4(current),
                series: series.iter().copied().collect(),
            })
            .collect();
        let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
        for f in factories {
            *totals.entry(f.province.as_str()).or_default() += 1;
        }
        Progress {
            sim_time: t,
            targets,
            upgraded_by_province_series: self
                .provinces
                .iter()
                .map(|(key, series)| ProvinceSeries {
                    key: key.clone(),
                    series: series.iter().copied().collect(),
                })
                .collect(),
            upgraded_by_province,
            enterprises_by_province: totals
                .into_iter()
                .map(|(key, count)| KeyCount {
                    key: key.to_owned(),
                    count,
                })
                .collect(),
        }
    }
}

fn round4(value: f64) -> f64 {
    (value * 1e4).round() / 1e4
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_day_and_bounded() {
        let start = clock::DEFAULT_START;
        let metrics = [1.0; 7];
        let mut log = ProgressLog::new(start, &metrics, &[]);
        for h in 1..=48 {
            log.observe(start + h * clock::MS_PER_HOUR, &metrics, &[]);
        }
        let report = log.report(start, &metrics, Vec::new(), &[]);
        assert_eq!(report.targets.len(), 10);
        assert_eq!(report.targets[0].series.len(), BACKFILL_DAYS as usize + 3);
        for d in 3..2000 {
            log.observe(start + d * clock::MS_PER_DAY, &metrics, &[]);
        }
        let report = log.report(start, &metrics, Vec::new(), &[]);
        assert!(report.targets.iter().all(|t| t.series.len() == MAX_SAMPLES));
        let s = &report.targets[0].series;
        assert!(s.windows(2).all(|w| w[0].t < w[1].t));
    }

    #[test]
    fn the_simulated_past_ends_at_the_first_standing_and_rises_toward_it() {
        let start = clock::DEFAULT_START;
        let metrics = [55.0, 22_000.0, 380.0, 30.0, 20.0, 1.27, 62.0];
        let report =
            ProgressLog::new(start, &metrics, &[]).report(start, &metrics, Vec::new(), &[]);
        for target in &report.targets {
            let first = target.series[0].value;
            let last = target.series.last().unwrap();
            assert_eq!(last.t, start);
            assert_eq!(last.value, target.current, "{}", target.id);
            if target.lower_is_better {
                assert!(first > last.value, "{}", target.id);
            } else {
                assert!(first < last.value, "{}", target.id);
            }
            assert!(target.series.iter().all(|s| s.value >= 0.0));
        }
        let ids: Vec<&str> = report.targets.iter().map(|t| t.id.as_str()).collect();
        for id in [
            "industrial_datasets",
            "application_scenarios",
            "ict_ai_use_cases",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        // 2026-11-01: datasets ≈ 40 + 28 × 0.83.
        assert_eq!(report.targets[7].current, 63.0);
    }
}
