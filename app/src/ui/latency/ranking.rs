//! The metro ranking table (sortable by coverage, population, median RTT and 30-day change) and
//! national coverage over time against the target, with the backend's projection.

use egui::RichText;
use egui_plot::{Corner, HLine, Legend, Line, LineStyle, Plot, PlotPoints, VLine};

use super::super::format;
use super::super::provenance;
use super::super::theme::Theme;
use crate::api::{LatencySummary, MetroSummary, UnixMs};
use crate::i18n::I18n;
use crate::state::World;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Coverage,
    Population,
    MedianRtt,
    Change,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranking {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Ranking {
    fn default() -> Self {
        Self {
            key: SortKey::Coverage,
            descending: true,
        }
    }
}

/// Coverage change of a metro from the summary (0 when unknown).
fn change_of(summary: Option<&LatencySummary>, id: &str) -> f64 {
    summary
        .and_then(|s| s.metros.iter().find(|t| t.id == id))
        .map_or(0.0, |t| t.coverage_change)
}

/// Metros in table order; ties broken by id so the order never flickers.
pub fn sorted<'a>(
    metros: &'a [MetroSummary],
    summary: Option<&LatencySummary>,
    ranking: Ranking,
) -> Vec<&'a MetroSummary> {
    let mut rows: Vec<&MetroSummary> = metros.iter().collect();
    rows.sort_by(|a, b| {
        let order = match ranking.key {
            SortKey::Coverage => a.coverage_1ms.total_cmp(&b.coverage_1ms),
            SortKey::Population => a.population.cmp(&b.population),
            SortKey::MedianRtt => a.median_rtt_ms.total_cmp(&b.median_rtt_ms),
            SortKey::Change => change_of(summary, &a.id).total_cmp(&change_of(summary, &b.id)),
        };
        let order = if ranking.descending {
            order.reverse()
        } else {
            order
        };
        order.then_with(|| a.id.cmp(&b.id))
    });
    rows
}

impl Ranking {
    /// The table; returns the metro clicked.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        world: &World,
        summary: Option<&LatencySummary>,
        selected: Option<&str>,
        (i18n, theme): (&I18n, &Theme),
        server_now: Option<UnixMs>,
    ) -> Option<String> {
        let mut clicked = None;
        let threshold = summary.map(|s| s.coverage_threshold);
        // No "click one" on the wall (no pointer).
        let title = if crate::ui::wall::is_wall(ui) {
            "audiences-wall-ranking"
        } else {
            "latency-ranking"
        };
        ui.label(RichText::new(i18n.tr(title)).strong());
        egui::ScrollArea::vertical()
            .id_salt("latency_ranking_scroll")
            .max_height((ui.available_height() - 270.0).max(160.0))
            .show(ui, |ui| {
                egui::Grid::new("latency_ranking_grid")
                    .striped(true)
                    .num_columns(5)
                    .show(ui, |ui| {
                        ui.label(RichText::new(i18n.tr("col-metro")).color(theme.text_dim));
                        for (key, id) in [
                            (SortKey::Coverage, "col-coverage"),
                            (SortKey::Population, "latency-col-population"),
                            (SortKey::MedianRtt, "col-median"),
                            (SortKey::Change, "latency-col-change"),
                        ] {
                            let active = self.key == key;
                            let arrow = match (active, self.descending) {
                                (false, _) => "",
                                (true, true) => " ↓",
                                (true, false) => " ↑",
                            };
                            let text = format!("{}{arrow}", i18n.tr(id));
                            if ui.selectable_label(active, text).clicked() {
                                if active {
                                    self.descending = !self.descending;
                                } else {
                                    self.key = key;
                                    self.descending = key != SortKey::MedianRtt;
                                }
                            }
                        }
                        ui.end_row();
                        for m in sorted(&world.metros, summary, *self) {
                            let is_selected = selected == Some(m.id.as_str());
                            if ui
                                .selectable_label(is_selected, i18n.pick(&m.name_en, &m.name_zh))
                                .clicked()
                            {
                                clicked = Some(m.id.clone());
                            }
                            let colour = match threshold {
                                Some(t) => theme.good_or_bad(m.coverage_1ms >= t),
                                None => theme.text,
                            };
                            // A measured metro without probes has no figures, not zero ones.
                            let unmeasured = m.probes == Some(0);
                            let entity = format!("metro:{}", m.id);
                            let coverage = provenance::of(world, &entity, "coverage_1ms");
                            provenance::figure(
                                ui,
                                if unmeasured {
                                    RichText::new(i18n.tr("prom-latency-no-measurements"))
                                        .color(theme.text_dim)
                                } else {
                                    RichText::new(format!("{} %", format::percent(m.coverage_1ms)))
                                        .color(colour)
                                },
                                &coverage,
                                i18n,
                                theme,
                                server_now,
                            );
                            ui.label(format::millions(m.population as f64));
                            let median = provenance::of(world, &entity, "median_rtt_ms");
                            provenance::figure(
                                ui,
                                RichText::new(if unmeasured {
                                    "—".to_owned()
                                } else {
                                    format!("{:.2} ms", m.median_rtt_ms)
                                }),
                                &median,
                                i18n,
                                theme,
                                server_now,
                            );
                            let change = change_of(summary, &m.id);
                            ui.label(RichText::new(signed_points(change)).color(if change > 0.0 {
                                theme.ok
                            } else {
                                theme.text_dim
                            }));
                            ui.end_row();
                        }
                    });
            });
        if let Some(s) = summary {
            let note = if s.change_window_days < 1.0 {
                i18n.tr("latency-change-none")
            } else {
                i18n.tr_args(
                    "latency-change-note",
                    &[("days", format!("{:.0}", s.change_window_days).into())],
                )
            };
            ui.label(RichText::new(note).small().color(theme.text_dim));
        }
        clicked
    }
}

/// A change of share as signed points, "0.0" for no change (never "-0.0").
fn signed_points(change: f64) -> String {
    let points = (change * 1000.0).round() / 10.0;
    if points == 0.0 {
        "0.0".to_owned()
    } else {
        format!("{points:+.1}")
    }
}

/// Years since 1970 as a fractional calendar year (for the time axis).
fn year_of(t: UnixMs) -> f64 {
    1970.0 + t as f64 / (365.2425 * 86_400_000.0)
}

/// National share of metros with 1 ms access (and of people) over time, the target line and the
/// projection to the deadline.
pub fn national_chart_ui(
    ui: &mut egui::Ui,
    summary: Option<&LatencySummary>,
    i18n: &I18n,
    theme: &Theme,
) {
    ui.label(RichText::new(i18n.tr("latency-chart-title")).strong());
    let Some(s) = summary else {
        return;
    };
    let metros: Vec<[f64; 2]> = s
        .history
        .iter()
        .map(|p| [year_of(p.t), 100.0 * p.metro_share])
        .chain(std::iter::once([
            year_of(s.sim_time),
            100.0 * s.metro_share,
        ]))
        .collect();
    let people: Vec<[f64; 2]> = s
        .history
        .iter()
        .map(|p| [year_of(p.t), 100.0 * p.population_share])
        .chain(std::iter::once([
            year_of(s.sim_time),
            100.0 * s.population_share,
        ]))
        .collect();
    let now = year_of(s.sim_time);
    let deadline = year_of(s.target_deadline);
    Plot::new("latency_national_chart")
        .height(170.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .include_y(0.0)
        .include_y(100.0)
        .include_x(now.floor())
        .include_x(deadline)
        .legend(Legend::default().position(Corner::RightBottom))
        .show(ui, |plot| {
            plot.hline(
                HLine::new(i18n.tr("latency-chart-target"), 100.0 * s.target_share)
                    .color(theme.warn)
                    .style(LineStyle::dashed_loose()),
            );
            plot.vline(
                VLine::new(i18n.tr("latency-chart-deadline"), deadline).color(theme.text_dim),
            );
            plot.line(
                Line::new(i18n.tr("latency-chart-metros"), PlotPoints::from(metros))
                    .color(theme.accent)
                    .width(2.0),
            );
            plot.line(
                Line::new(i18n.tr("latency-chart-people"), PlotPoints::from(people))
                    .color(theme.text_dim),
            );
            if let Some(p) = s.projected_metro_share {
                plot.line(
                    Line::new(
                        i18n.tr("latency-chart-projection"),
                        PlotPoints::from(vec![[now, 100.0 * s.metro_share], [deadline, 100.0 * p]]),
                    )
                    .color(theme.accent)
                    .style(LineStyle::dashed_dense()),
                );
            }
        });
    let note = match s.projected_metro_share {
        Some(p) => i18n.tr_args(
            "latency-projection",
            &[
                ("pct", format::percent(p).into()),
                ("year", s.target_year.into()),
            ],
        ),
        None => i18n.tr("latency-projection-none"),
    };
    ui.label(RichText::new(note).small().color(theme.text_dim));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{GeoPoint, MetroTrend};

    fn metro(id: &str, population: u64, coverage: f64, median: f64) -> MetroSummary {
        MetroSummary {
            id: id.into(),
            name_en: id.into(),
            name_zh: id.into(),
            province: "CN-BJ".into(),
            center: GeoPoint { lat: 0.0, lon: 0.0 },
            population,
            coverage_1ms: coverage,
            median_rtt_ms: median,
            access_points: 1,
            probes: None,
        }
    }

    #[test]
    fn ranking_sorts_by_each_key() {
        let metros = [
            metro("a", 300, 0.4, 1.2),
            metro("b", 100, 0.7, 0.8),
            metro("c", 200, 0.5, 1.0),
        ];
        let summary = LatencySummary {
            sim_time: 0,
            covered_rtt_ms: 1.0,
            coverage_threshold: 0.5,
            target_share: 0.75,
            target_year: 2028,
            target_deadline: 0,
            metros_total: 3,
            metros_meeting: 2,
            metro_share: 2.0 / 3.0,
            population_share: 0.5,
            history: vec![],
            projected_metro_share: None,
            projected_population_share: None,
            metros: ["a", "b", "c"]
                .iter()
                .zip([0.02, -0.01, 0.05])
                .map(|(id, change)| MetroTrend {
                    id: (*id).into(),
                    coverage_1ms: 0.0,
                    coverage_change: change,
                    meets_threshold: false,
                })
                .collect(),
            change_window_days: 30.0,
            source: Default::default(),
            stale_since: None,
        };
        let order = |key, descending| {
            sorted(&metros, Some(&summary), Ranking { key, descending })
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(order(SortKey::Coverage, true), ["b", "c", "a"]);
        assert_eq!(order(SortKey::Population, true), ["a", "c", "b"]);
        assert_eq!(order(SortKey::MedianRtt, false), ["b", "c", "a"]);
        assert_eq!(order(SortKey::Change, true), ["c", "a", "b"]);
        assert_eq!(order(SortKey::Change, false), ["b", "a", "c"]);
        assert_eq!(signed_points(-0.0), "0.0");
        assert_eq!(signed_points(-0.00001), "0.0");
        assert_eq!(signed_points(0.0123), "+1.2");
        assert_eq!(signed_points(-0.05), "-5.0");
    }
}
