//! The metro panel: the metro's figures, the band legend, the hovered and clicked cell (RTT,
//! nearest site, distance, recent history), the metro's RTT distribution, and what-if planning
//! with live and hypothetical figures side by side. Hypothetical figures are shown only here,
//! labelled as such, and never reach the ranking, the badges or the national figure.

use std::collections::BTreeSet;

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Line, Plot, PlotPoints, VLine};
use tianshu_widgets::SwatchLegend;

use super::super::format;
use super::super::theme::{LatencyBands, Theme};
use super::rtt_histogram;
use super::scene::cell_text;
use crate::api::{GeoPoint, GridFigures, LatencyGrid, LatencySummary, MetroSummary, WhatIfRequest};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;

/// As many hypothetical sites as the backend accepts in one what-if.
pub const MAX_HYPOTHETICAL_SITES: usize = 20;
/// Width of a histogram bin, ms, and where the last (open) bin starts.
const BIN_MS: f32 = 0.25;
const HISTOGRAM_MAX_MS: f32 = 5.0;

/// What the operator is doing in one metro; reset when another metro is chosen.
#[derive(Debug, Default)]
pub struct Detail {
    pub hovered_cell: Option<usize>,
    pub selected_cell: Option<usize>,
    /// Clicks on the map place or remove hypothetical sites.
    pub placing: bool,
    pub add: Vec<GeoPoint>,
    pub remove: BTreeSet<u32>,
    /// Draw the what-if answer's grid instead of the live one.
    pub show_hypothetical: bool,
}

pub struct DetailOutput {
    pub commands: Vec<Command>,
}

impl Detail {
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    #[allow(clippy::too_many_arguments)]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        metro: &MetroSummary,
        grid: Option<&LatencyGrid>,
        summary: Option<&LatencySummary>,
        i18n: &I18n,
        theme: &Theme,
    ) -> DetailOutput {
        let mut out = DetailOutput {
            commands: Vec::new(),
        };
        egui::ScrollArea::vertical()
            .id_salt("latency_metro_scroll")
            .show(ui, |ui| {
                ui.heading(i18n.pick(&metro.name_en, &metro.name_zh));
                let threshold = summary.map_or(f64::NAN, |s| s.coverage_threshold);
                let figures = match metro.probes {
                    Some(0) => i18n.tr("prom-latency-no-measurements"),
                    Some(probes) => i18n.tr_args(
                        "prom-latency-metro-figures",
                        &[
                            ("pct", format::percent(metro.coverage_1ms).into()),
                            ("median", format!("{:.2}", metro.median_rtt_ms).into()),
                            ("probes", probes.into()),
                        ],
                    ),
                    None => i18n.tr_args(
                        "latency-metro-figures",
                        &[
                            ("pct", format::percent(metro.coverage_1ms).into()),
                            ("median", format!("{:.2}", metro.median_rtt_ms).into()),
                            ("sites", metro.access_points.into()),
                        ],
                    ),
                };
                ui.label(
                    RichText::new(figures)
                        .color(theme.good_or_bad(metro.coverage_1ms >= threshold)),
                );
                legend_ui(ui, &theme.latency_bands, i18n, theme);
                let Some(grid) = grid else {
                    ui.label(i18n.tr_args(
                        "latency-loading",
                        &[("metro", i18n.pick(&metro.name_en, &metro.name_zh).into())],
                    ));
                    return;
                };
                ui.separator();
                // The wall has no pointer: no hover line, no what-if sites to place.
                let wall = crate::ui::wall::is_wall(ui);
                if !wall {
                    let hovered = self.hovered_cell.map_or_else(
                        || i18n.tr("latency-hover-hint"),
                        |c| cell_text(grid, c, i18n),
                    );
                    ui.label(RichText::new(hovered).color(theme.text_dim));
                }
                histogram_ui(ui, grid, i18n, theme);
                if let Some(cell) = self.selected_cell {
                    self.cell_ui(ui, state, grid, cell, i18n, theme);
                }
                if grid.source == crate::api::LatencySource::Prometheus {
                    // Measured latency has no site model to plan on (the backend answers 409).
                    ui.separator();
                    ui.label(
                        RichText::new(i18n.tr("prom-latency-whatif-off")).color(theme.text_dim),
                    );
                } else if !wall {
                    ui.separator();
                    out.commands
                        .extend(self.what_if_ui(ui, state, grid, i18n, theme));
                }
            });
        out
    }

    fn cell_ui(
        &self,
        ui: &mut egui::Ui,
        state: &State,
        grid: &LatencyGrid,
        cell: usize,
        i18n: &I18n,
        theme: &Theme,
    ) {
        let (col, row) = (
            cell % grid.cols.max(1) as usize,
            cell / grid.cols.max(1) as usize,
        );
        ui.label(
            RichText::new(i18n.tr_args(
                "latency-cell-selected",
                &[("col", (col + 1).into()), ("row", (row + 1).into())],
            ))
            .strong(),
        );
        ui.label(cell_text(grid, cell, i18n));
        let history = state.latency.cell_history(&grid.metro_id, cell);
        if history.len() < 2 {
            let since = history.first().map_or(grid.sim_time, |h| h.0);
            ui.label(
                RichText::new(i18n.tr_args(
                    "latency-history-flat",
                    &[("since", format::clock(since).into())],
                ))
                .small()
                .color(theme.text_dim),
            );
            return;
        }
        let t0 = history.first().map_or(0, |h| h.0);
        // A step line: each value holds until the next change, then up to now.
        let mut points: Vec<[f64; 2]> = Vec::with_capacity(2 * history.len() + 1);
        for (i, (t, ms)) in history.iter().enumerate() {
            let x = (t - t0) as f64 / 86_400_000.0;
            if i > 0 {
                points.push([x, points.last().map_or(f64::from(*ms), |p| p[1])]);
            }
            points.push([x, f64::from(*ms)]);
        }
        if let Some(last) = points.last().copied() {
            let now = (grid.sim_time.max(t0) - t0) as f64 / 86_400_000.0;
            points.push([now.max(last[0]), last[1]]);
        }
        ui.label(RichText::new(i18n.tr("latency-history")).small());
        Plot::new("latency_cell_history")
            .height(110.0)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .include_y(0.0)
            .x_axis_label(i18n.tr("latency-days"))
            .show(ui, |plot| {
                plot.hline(
                    egui_plot::HLine::new(i18n.tr("latency-band-1"), 1.0).color(theme.text_dim),
                );
                plot.line(
                    Line::new(i18n.tr("legend-rtt"), PlotPoints::from(points)).color(theme.accent),
                );
            });
    }

    fn what_if_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        grid: &LatencyGrid,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.label(RichText::new(i18n.tr("latency-whatif")).strong());
        ui.checkbox(&mut self.placing, i18n.tr("latency-whatif-place"));
        ui.label(
            RichText::new(i18n.tr_args(
                "latency-whatif-pending",
                &[
                    ("add", self.add.len().into()),
                    ("remove", self.remove.len().into()),
                ],
            ))
            .color(theme.text_dim),
        );
        ui.horizontal(|ui| {
            let any = !self.add.is_empty() || !self.remove.is_empty();
            if ui
                .add_enabled(any, egui::Button::new(i18n.tr("latency-whatif-run")))
                .clicked()
            {
                commands.push(Command::WhatIf {
                    metro_id: grid.metro_id.clone(),
                    request: WhatIfRequest {
                        add: self.add.clone(),
                        remove: self.remove.iter().copied().collect(),
                    },
                });
            }
            if ui
                .add_enabled(any, egui::Button::new(i18n.tr("latency-whatif-clear")))
                .clicked()
            {
                self.add.clear();
                self.remove.clear();
                self.show_hypothetical = false;
            }
        });
        if let Some(error) = &state.latency.what_if_error {
            ui.label(RichText::new(error).color(theme.danger));
        }
        let Some(answer) = state
            .latency
            .what_if
            .as_ref()
            .filter(|w| w.metro_id == grid.metro_id)
        else {
            return commands;
        };
        ui.label(
            RichText::new(i18n.tr("latency-whatif-note"))
                .small()
                .color(theme.warn),
        );
        egui::Grid::new("latency_whatif_grid")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                ui.label("");
                ui.label(RichText::new(i18n.tr("latency-whatif-live")).strong());
                ui.label(
                    RichText::new(i18n.tr("latency-whatif-hypothetical"))
                        .strong()
                        .color(theme.accent),
                );
                ui.end_row();
                figures_rows(ui, &answer.before, &answer.after, i18n, theme);
            });
        ui.checkbox(&mut self.show_hypothetical, i18n.tr("latency-whatif-show"));
        commands
    }
}

fn figures_rows(
    ui: &mut egui::Ui,
    before: &GridFigures,
    after: &GridFigures,
    i18n: &I18n,
    theme: &Theme,
) {
    let better = |b: bool| if b { theme.ok } else { theme.text };
    ui.label(i18n.tr("col-coverage"));
    ui.label(format!("{} %", format::percent(before.coverage_1ms)));
    ui.label(
        RichText::new(format!("{} %", format::percent(after.coverage_1ms)))
            .color(better(after.coverage_1ms > before.coverage_1ms)),
    );
    ui.end_row();
    ui.label(i18n.tr("col-median"));
    ui.label(format!("{:.2} ms", before.median_rtt_ms));
    ui.label(
        RichText::new(format!("{:.2} ms", after.median_rtt_ms))
            .color(better(after.median_rtt_ms < before.median_rtt_ms)),
    );
    ui.end_row();
    ui.label(i18n.tr("col-access"));
    ui.label(before.access_points.to_string());
    ui.label(after.access_points.to_string());
    ui.end_row();
    let yes_no = |b: bool| i18n.tr(if b { "latency-yes" } else { "latency-no" });
    ui.label(i18n.tr("latency-meets"));
    ui.label(yes_no(before.meets_threshold));
    ui.label(yes_no(after.meets_threshold));
    ui.end_row();
}

/// The band legend: ≤1, ≤2, ≤5, >5 ms and no data.
fn legend_ui(ui: &mut egui::Ui, bands: &LatencyBands, i18n: &I18n, theme: &Theme) {
    let classes: Vec<(Color32, String)> = vec![
        (bands.bands[0], i18n.tr("latency-band-1")),
        (bands.bands[1], i18n.tr("latency-band-2")),
        (bands.bands[2], i18n.tr("latency-band-5")),
        (bands.bands[3], i18n.tr("latency-band-over")),
        (bands.no_data, i18n.tr("latency-no-data")),
    ];
    ui.add(
        SwatchLegend::new(&classes)
            .with_caption(i18n.tr("legend-rtt"))
            .with_text_color(theme.text)
            .with_outline(egui::Stroke::new(1.0, theme.text_dim)),
    );
}

/// The metro's people by RTT, in bins coloured by band.
fn histogram_ui(ui: &mut egui::Ui, grid: &LatencyGrid, i18n: &I18n, theme: &Theme) {
    let bins = rtt_histogram(&grid.rtt_ms, &grid.population, BIN_MS, HISTOGRAM_MAX_MS);
    let bars: Vec<Bar> = bins
        .iter()
        .map(|(start, share)| {
            let mid = start + BIN_MS / 2.0;
            Bar::new(f64::from(mid), 100.0 * share)
                .width(f64::from(BIN_MS) * 0.9)
                .fill(theme.latency_bands.colour(mid))
        })
        .collect();
    ui.label(RichText::new(i18n.tr("latency-histogram")).small());
    Plot::new("latency_rtt_histogram")
        .height(140.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_label(i18n.tr("legend-rtt"))
        .y_axis_label(i18n.tr("latency-histogram-y"))
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(i18n.tr("latency-histogram"), bars));
            plot.vline(VLine::new(i18n.tr("latency-band-1"), 1.0).color(theme.text));
        });
}
