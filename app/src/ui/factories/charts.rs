//! The programme's charts: upgraded enterprises over simulated time against the 50,000 target
//! with a straight-line projection to the end of 2028, and clickable breakdowns of the filtered
//! plants by province, industry or technology.

use egui::RichText;
use egui_plot::{
    Bar, BarChart, Corner, HLine, Legend, Line, LineStyle, Plot, PlotPoints, VLine,
    uniform_grid_spacer,
};

use super::{industry_name, provinces, tech_name};
use crate::api::{FactoryPoints, Industry, Sample, Technology, UpgradeStage, stage_code, tech_bit};
use crate::i18n::I18n;
use crate::state::State;
use crate::ui::format;
use crate::ui::theme::Theme;

/// Id of the target in `/progress`.
pub const TARGET_ID: &str = "enterprises_upgraded";
/// 2029-01-01T00:00Z: the end of the plans' 2028.
const END_OF_2028_MS: i64 = 1_861_920_000_000;
const MS_PER_YEAR: f64 = 365.25 * 86_400_000.0;
/// Samples the projection is fitted to (the most recent ones: days).
const FIT_SAMPLES: usize = 90;
/// No projection from less history than this (a trend of minutes says nothing).
const MIN_FIT_SPAN_MS: i64 = 7 * 86_400_000;

/// A year with its fraction, for the x axis.
fn year_of(t_ms: i64) -> f64 {
    1970.0 + t_ms as f64 / MS_PER_YEAR
}

/// Least-squares line through `samples` (t in ms), evaluated at `at_ms`; `None` with fewer than
/// two distinct times.
pub fn project(samples: &[Sample], at_ms: i64) -> Option<f64> {
    let n = samples.len();
    if n < 2 {
        return None;
    }
    let t0 = samples[0].t as f64;
    let xs = samples.iter().map(|s| (s.t as f64 - t0) / 86_400_000.0);
    let mean_x = xs.clone().sum::<f64>() / n as f64;
    let mean_y = samples.iter().map(|s| s.value).sum::<f64>() / n as f64;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, s) in xs.zip(samples) {
        sxy += (x - mean_x) * (s.value - mean_y);
        sxx += (x - mean_x) * (x - mean_x);
    }
    if sxx <= f64::EPSILON {
        return None;
    }
    let slope = sxy / sxx;
    let x = (at_ms as f64 - t0) / 86_400_000.0;
    Some(mean_y + slope * (x - mean_x))
}

/// Upgraded enterprises over time against the target, projected to 2028's end.
pub fn progress_ui(ui: &mut egui::Ui, state: &State, i18n: &I18n, theme: &Theme) {
    ui.label(RichText::new(i18n.tr("factories-progress-title")).strong());
    let target = state
        .progress
        .as_ref()
        .and_then(|p| p.targets.iter().find(|t| t.id == TARGET_ID));
    let Some(target) = target else {
        ui.label(RichText::new(i18n.tr("progress-loading")).color(theme.text_dim));
        return;
    };
    // The live count from the event stream extends the fetched series.
    let mut series: Vec<Sample> = target.series.clone();
    if let Some(world) = &state.world
        && series.last().is_none_or(|s| s.t < world.sim_time)
    {
        series.push(Sample {
            t: world.sim_time,
            value: world.factories.upgraded as f64,
        });
    }
    let fit = &series[series.len().saturating_sub(FIT_SAMPLES)..];
    let span = fit.last().map_or(0, |l| l.t) - fit.first().map_or(0, |f| f.t);
    let projected = if span >= MIN_FIT_SPAN_MS {
        project(fit, END_OF_2028_MS)
    } else {
        None
    };
    let current = series.last().map_or(target.current, |s| s.value);
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format::thousands(current.max(0.0) as u64))
                .text_style(crate::ui::theme::kpi_style())
                .color(theme.stages[3]),
        );
        ui.label(format!(
            "/ {}",
            format::thousands(target.target.max(0.0) as u64)
        ));
        match projected {
            Some(p) => {
                let on_track = p >= target.target;
                ui.label(
                    RichText::new(i18n.tr_args(
                        "factories-projection",
                        &[("count", format::thousands(p.max(0.0) as u64).into())],
                    ))
                    .color(theme.good_or_bad(on_track)),
                );
            }
            None => {
                ui.label(
                    RichText::new(i18n.tr("factories-projection-later")).color(theme.text_dim),
                );
            }
        }
    });
    let actual: Vec<[f64; 2]> = series.iter().map(|s| [year_of(s.t), s.value]).collect();
    // The straight path from the first sample to the target at the deadline.
    let path: Vec<[f64; 2]> = series
        .first()
        .map(|f| {
            vec![
                [year_of(f.t), f.value],
                [year_of(END_OF_2028_MS), target.target],
            ]
        })
        .unwrap_or_default();
    let projection: Vec<[f64; 2]> = match (series.last(), projected) {
        (Some(last), Some(p)) => vec![[year_of(last.t), last.value], [year_of(END_OF_2028_MS), p]],
        _ => Vec::new(),
    };
    Plot::new("factories_progress")
        .height(170.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .include_y(target.target * 1.08)
        .include_x(year_of(END_OF_2028_MS))
        .x_axis_formatter(|mark, _| format!("{:.0}", mark.value.floor()))
        .y_axis_formatter(|mark, _| format!("{}k", (mark.value / 1000.0).round()))
        .legend(Legend::default().position(Corner::LeftTop))
        .show(ui, |plot| {
            if !path.is_empty() {
                plot.line(
                    Line::new(i18n.tr("factories-target-path"), PlotPoints::from(path))
                        .color(theme.text_dim)
                        .style(LineStyle::dashed_loose()),
                );
            }
            plot.hline(
                HLine::new(i18n.tr("factories-target"), target.target)
                    .color(theme.accent)
                    .style(LineStyle::dashed_loose()),
            );
            plot.vline(VLine::new("2028", year_of(END_OF_2028_MS)).color(theme.text_dim));
            plot.line(
                Line::new(i18n.tr("factories-upgraded"), PlotPoints::from(actual))
                    .color(theme.stages[3])
                    .width(2.0),
            );
            if !projection.is_empty() {
                plot.line(
                    Line::new(i18n.tr("factories-projected"), PlotPoints::from(projection))
                        .color(theme.stages[2])
                        .style(LineStyle::dashed_dense()),
                );
            }
        });
}

/// What a breakdown groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dimension {
    #[default]
    Province,
    Industry,
    Technology,
}

/// A bar clicked: set this filter.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterClick {
    Province(String),
    Industry(Industry),
    Tech(Technology),
}

/// Filtered plants per key: (key, upgraded, not yet upgraded).
pub fn breakdown(points: &FactoryPoints, rows: &[u32], dim: Dimension) -> Vec<(usize, u64, u64)> {
    let keys = match dim {
        Dimension::Province => points.provinces.len(),
        Dimension::Industry => Industry::ALL.len(),
        Dimension::Technology => Technology::ALL.len(),
    };
    let upgraded = stage_code(UpgradeStage::Upgraded);
    let mut counts = vec![(0u64, 0u64); keys];
    for &i in rows {
        let i = i as usize;
        let done = points.stage.get(i) == Some(&upgraded);
        let mut add = |k: usize| {
            if let Some(c) = counts.get_mut(k) {
                if done {
                    c.0 += 1;
                } else {
                    c.1 += 1;
                }
            }
        };
        match dim {
            Dimension::Province => add(points
                .province
                .get(i)
                .map_or(usize::MAX, |p| usize::from(*p))),
            Dimension::Industry => add(points
                .industry
                .get(i)
                .map_or(usize::MAX, |p| usize::from(*p))),
            Dimension::Technology => {
                let mask = points.tech.get(i).copied().unwrap_or(0);
                for (k, t) in Technology::ALL.iter().enumerate() {
                    if mask & tech_bit(*t) != 0 {
                        add(k);
                    }
                }
            }
        }
    }
    let mut out: Vec<(usize, u64, u64)> = counts
        .into_iter()
        .enumerate()
        .filter(|(_, (a, b))| a + b > 0)
        .map(|(k, (a, b))| (k, a, b))
        .collect();
    // Biggest first; ties by key so the order never flickers.
    out.sort_by(|x, y| (y.1 + y.2).cmp(&(x.1 + x.2)).then(x.0.cmp(&y.0)));
    out
}

/// Bars of a breakdown: (key, upgraded, not yet upgraded), biggest first.
type Bars = Vec<(usize, u64, u64)>;

#[derive(Default)]
pub struct Breakdown {
    dim: Dimension,
    /// The last breakdown and the (rows version, dimension) it was counted for: an unchanged
    /// frame does not walk the rows again.
    counted: Option<((u64, Dimension), Bars)>,
}

/// Bars shown at most (the rest are the long tail).
const MAX_BARS: usize = 16;

impl Breakdown {
    /// `version` changes whenever `rows` (the filtered set) does.
    #[allow(clippy::too_many_arguments)]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        points: &FactoryPoints,
        rows: &[u32],
        version: u64,
        i18n: &I18n,
        theme: &Theme,
    ) -> Option<FilterClick> {
        ui.horizontal(|ui| {
            ui.label(RichText::new(i18n.tr("factories-breakdown")).strong());
            for (dim, id) in [
                (Dimension::Province, "filter-province"),
                (Dimension::Industry, "filter-industry"),
                (Dimension::Technology, "factories-filter-tech"),
            ] {
                ui.selectable_value(&mut self.dim, dim, i18n.tr(id));
            }
        });
        let key = (version, self.dim);
        if self.counted.as_ref().is_none_or(|(k, _)| *k != key) {
            self.counted = Some((key, breakdown(points, rows, self.dim)));
        }
        let data = self.counted.as_ref().map_or(&[][..], |(_, d)| d.as_slice());
        let shown: Vec<(usize, u64, u64)> = data.iter().take(MAX_BARS).copied().collect();
        let names = provinces::names();
        let label_of = |k: usize| -> String {
            match self.dim {
                Dimension::Province => points
                    .provinces
                    .get(k)
                    .map(|p| provinces::name(names, p, i18n))
                    .unwrap_or_default(),
                Dimension::Industry => Industry::ALL
                    .get(k)
                    .map(|x| industry_name(i18n, *x))
                    .unwrap_or_default(),
                Dimension::Technology => Technology::ALL
                    .get(k)
                    .map(|x| tech_name(i18n, *x))
                    .unwrap_or_default(),
            }
        };
        let labels: Vec<String> = shown.iter().map(|(k, _, _)| label_of(*k)).collect();
        let n = shown.len();
        // Top bar first: bar j sits at y = n − 1 − j.
        let y_of = |j: usize| (n - 1 - j) as f64;
        let done: Vec<Bar> = shown
            .iter()
            .enumerate()
            .map(|(j, (_, a, _))| Bar::new(y_of(j), *a as f64).name(&labels[j]).width(0.7))
            .collect();
        let rest: Vec<Bar> = shown
            .iter()
            .enumerate()
            .map(|(j, (_, _, b))| Bar::new(y_of(j), *b as f64).name(&labels[j]).width(0.7))
            .collect();
        let done = BarChart::new(i18n.tr("stage-upgraded"), done)
            .horizontal()
            .color(theme.stages[3]);
        let rest = BarChart::new(i18n.tr("factories-not-yet"), rest)
            .horizontal()
            .color(theme.stages[0])
            .stack_on(&[&done]);
        let axis_labels = labels.clone();
        let response = Plot::new(("factories_breakdown", self.dim as u8))
            .height((n as f32 * 20.0 + 40.0).max(80.0))
            .y_grid_spacer(uniform_grid_spacer(|_| [1.0, 5.0, 10.0]))
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .show_grid([true, false])
            .include_x(0.0)
            .legend(Legend::default().position(Corner::RightBottom))
            .y_axis_min_width(110.0)
            .y_axis_formatter(move |mark, _| {
                let v = mark.value;
                if (v - v.round()).abs() > 1e-6 || v < 0.0 {
                    return String::new();
                }
                let j = n.checked_sub(1 + v.round() as usize);
                j.and_then(|j| axis_labels.get(j))
                    .cloned()
                    .unwrap_or_default()
            })
            .show(ui, |plot| {
                plot.bar_chart(done);
                plot.bar_chart(rest);
                if plot.response().clicked() {
                    plot.pointer_coordinate()
                } else {
                    None
                }
            });
        let point = response.inner?;
        let y = point.y.round();
        if y < 0.0 || (y - point.y).abs() > 0.4 {
            return None;
        }
        let j = n.checked_sub(1 + y as usize)?;
        let (k, _, _) = *shown.get(j)?;
        match self.dim {
            Dimension::Province => points.provinces.get(k).cloned().map(FilterClick::Province),
            Dimension::Industry => Industry::ALL.get(k).copied().map(FilterClick::Industry),
            Dimension::Technology => Technology::ALL.get(k).copied().map(FilterClick::Tech),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_follows_a_straight_line() {
        let day = 86_400_000;
        let samples: Vec<Sample> = (0..10)
            .map(|k| Sample {
                t: k * day,
                value: 100.0 + 10.0 * k as f64,
            })
            .collect();
        let p = project(&samples, 20 * day).unwrap();
        assert!((p - 300.0).abs() < 1e-6, "{p}");
        assert_eq!(project(&samples[..1], day), None);
        let flat_time = [samples[0], samples[0]];
        assert_eq!(project(&flat_time, day), None);
    }

    #[test]
    fn breakdown_counts_filtered_rows_biggest_first() {
        let points = FactoryPoints {
            ids: vec![1, 2, 3],
            lat: vec![0.0; 3],
            lon: vec![0.0; 3],
            stage: vec![3, 0, 3],
            industry: vec![1, 1, 4],
            province: vec![0, 1, 1],
            tech: vec![0b11, 0b1, 0],
            compliant: vec![true; 3],
            name_en: vec![String::new(); 3],
            name_zh: vec![String::new(); 3],
            provinces: vec!["CN-A".into(), "CN-B".into()],
            ..FactoryPoints::default()
        };
        assert_eq!(
            breakdown(&points, &[0, 1, 2], Dimension::Province),
            [(1, 1, 1), (0, 1, 0)]
        );
        assert_eq!(
            breakdown(&points, &[0, 1, 2], Dimension::Industry),
            [(1, 1, 1), (4, 1, 0)]
        );
        assert_eq!(
            breakdown(&points, &[0, 1], Dimension::Technology),
            [(0, 1, 1), (1, 1, 0)]
        );
        assert!(breakdown(&points, &[], Dimension::Province).is_empty());
    }
}
