//! The plans' targets and how the simulated world stands against them, with a bounded history:
//! one sample per simulated (Beijing) day, at most [`MAX_SAMPLES`] per target.

use std::collections::VecDeque;

use crate::api::{KeyCount, Progress, Sample, Target, UnixMs};

use super::clock;

/// Samples kept per target (≈3 simulated years).
pub(crate) const MAX_SAMPLES: usize = 1200;

/// The world's standing on every target, in [`TARGETS`] order.
pub(crate) type Metrics = [f64; 7];

struct TargetSpec {
    id: &'static str,
    name_en: &'static str,
    name_zh: &'static str,
    unit: &'static str,
    target: f64,
    lower_is_better: bool,
    deadline: &'static str,
}

/// Plans: ICT × AI (2026–2028), industrial internet + AI (to 2028), AI + manufacturing (to 2027),
/// national hub cluster targets.
const TARGETS: [TargetSpec; 7] = [
    TargetSpec {
        id: "metro_1ms_coverage",
        name_en: "Metro population within 1 ms of computing access",
        name_zh: "城市算力网 1 毫秒时延圈覆盖率",
        unit: "percent",
        target: 75.0,
        lower_is_better: false,
        deadline: "2028",
    },
    TargetSpec {
        id: "enterprises_upgraded",
        name_en: "Enterprises with upgraded industrial networks",
        name_zh: "完成网络改造升级的企业",
        unit: "count",
        target: 50_000.0,
        lower_is_better: false,
        deadline: "2028",
    },
    TargetSpec {
        id: "industrial_agents_high_level",
        name_en: "High-level industrial agents (group agents at L3+, plus 1 per 20 of their upgraded plants on edge computing or cloud PLC)",
        name_zh: "高水平工业智能体（L3 及以上行业智能体，及其所辖采用边缘计算或云化 PLC 的已改造企业每 20 家计 1 个）",
        unit: "count",
        target: 1000.0,
        lower_is_better: false,
        deadline: "2027",
    },
    TargetSpec {
        id: "backbone_800g_share",
        name_en: "Backbone channels at 800G",
        name_zh: "骨干网 800G 通道占比",
        unit: "percent",
        target: 50.0,
        lower_is_better: false,
        deadline: "2028",
    },
    TargetSpec {
        id: "network_autonomy_l4",
        name_en: "Network agents at autonomy L4 or above",
        name_zh: "达到 L4 及以上自治等级的网络智能体",
        unit: "percent",
        target: 50.0,
        lower_is_better: false,
        deadline: "2028",
    },
    TargetSpec {
        id: "cluster_pue",
        name_en: "Hub cluster PUE (rack-weighted)",
        name_zh: "枢纽集群 PUE（按机架加权）",
        unit: "ratio",
        target: 1.25,
        lower_is_better: true,
        deadline: "2028",
    },
    TargetSpec {
        id: "cluster_occupancy",
        name_en: "Hub cluster rack occupancy",
        name_zh: "枢纽集群机架上架率",
        unit: "percent",
        target: 65.0,
        lower_is_better: false,
        deadline: "2028",
    },
];

/// History of every target.
#[derive(Debug, Clone)]
pub(crate) struct ProgressLog {
    series: Vec<VecDeque<Sample>>,
    last_day: i64,
}

impl ProgressLog {
    /// A log with its first sample at `t`.
    pub fn new(t: UnixMs, metrics: &Metrics) -> Self {
        let mut log = Self {
            series: vec![VecDeque::new(); TARGETS.len()],
            last_day: clock::beijing_day(t),
        };
        log.push(t, metrics);
        log
    }

    /// Record a sample if `t` is in a later simulated day than the last one.
    pub fn observe(&mut self, t: UnixMs, metrics: &Metrics) {
        let day = clock::beijing_day(t);
        if day > self.last_day {
            self.last_day = day;
            self.push(t, metrics);
        }
    }

    fn push(&mut self, t: UnixMs, metrics: &Metrics) {
        for (series, value) in self.series.iter_mut().zip(metrics) {
            if series.len() >= MAX_SAMPLES {
                series.pop_front();
            }
            series.push_back(Sample {
                t,
                value: (value * 1e4).round() / 1e4,
            });
        }
    }

    pub fn report(
        &self,
        t: UnixMs,
        metrics: &Metrics,
        upgraded_by_province: Vec<KeyCount>,
    ) -> Progress {
        let targets = TARGETS
            .iter()
            .zip(metrics)
            .zip(&self.series)
            .map(|((spec, current), series)| Target {
                id: spec.id.to_owned(),
                name_en: spec.name_en.to_owned(),
                name_zh: spec.name_zh.to_owned(),
                unit: spec.unit.to_owned(),
                target: spec.target,
                lower_is_better: spec.lower_is_better,
                deadline: spec.deadline.to_owned(),
                current: (current * 1e4).round() / 1e4,
                series: series.iter().copied().collect(),
            })
            .collect();
        Progress {
            sim_time: t,
            targets,
            upgraded_by_province,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_day_and_bounded() {
        let start = clock::DEFAULT_START;
        let metrics = [1.0; 7];
        let mut log = ProgressLog::new(start, &metrics);
        for h in 1..=48 {
            log.observe(start + h * clock::MS_PER_HOUR, &metrics);
        }
        let report = log.report(start, &metrics, Vec::new());
        assert_eq!(report.targets.len(), 7);
        assert_eq!(report.targets[0].series.len(), 3);
        for d in 3..2000 {
            log.observe(start + d * clock::MS_PER_DAY, &metrics);
        }
        let report = log.report(start, &metrics, Vec::new());
        assert!(report.targets.iter().all(|t| t.series.len() == MAX_SAMPLES));
        let s = &report.targets[0].series;
        assert!(s.windows(2).all(|w| w[0].t < w[1].t));
    }
}
