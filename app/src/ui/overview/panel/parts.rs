//! The pieces the side panel is made of: KPI tiles, label/value grids, history charts with their
//! colours, and the table of round-trip times to the other hubs.

use egui::{Color32, RichText};
use egui_plot::{Line, Plot, PlotPoints};
use tianshu_widgets::KpiTile;

use super::figures::rtt_to_hubs;
use crate::i18n::I18n;
use crate::state::{History, World};
use crate::ui::theme::{Theme, kpi_style};

/// Height of one history chart, points.
const CHART_HEIGHT: f32 = 120.0;
/// Milliseconds per hour, for the charts' x axis.
const MS_PER_HOUR: f64 = 3_600_000.0;

pub(super) fn tile<'a>(theme: &Theme, caption: String, value: String) -> KpiTile<'a> {
    KpiTile::new(caption, value)
        .with_value_style(kpi_style())
        .with_value_color(theme.text)
        .with_caption_color(theme.text_dim)
        .with_fill(theme.panel_alt)
        .with_width(170.0)
}

/// A grid of label/value rows.
pub(super) fn facts(ui: &mut egui::Ui, id: &str, rows: &[(String, String)], theme: &Theme) {
    egui::Grid::new(id)
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (k, v) in rows {
                ui.label(RichText::new(k).color(theme.text_dim));
                ui.label(v);
                ui.end_row();
            }
        });
}

/// A line chart of recent history: x in simulated hours before the newest sample, y in `unit`.
pub(super) fn chart(
    ui: &mut egui::Ui,
    id: &str,
    title: String,
    series: &[(String, &History, Color32)],
    percent: bool,
) {
    ui.add_space(6.0);
    ui.label(RichText::new(&title).strong());
    let newest = series
        .iter()
        .filter_map(|(_, h, _)| h.iter().last().map(|s| s.0))
        .max()
        .unwrap_or(0);
    let scale = if percent { 100.0 } else { 1.0 };
    let mut plot = Plot::new(id)
        .height(CHART_HEIGHT)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show_background(false)
        .x_axis_formatter(|mark, _| format!("{:.0} h", mark.value))
        .legend(egui_plot::Legend::default());
    if percent {
        plot = plot.include_y(0.0).include_y(100.0);
    }
    plot.show(ui, |plot_ui| {
        for (name, history, colour) in series {
            let points: Vec<[f64; 2]> = history
                .iter()
                .map(|(t, v)| [(*t - newest) as f64 / MS_PER_HOUR, f64::from(*v) * scale])
                .collect();
            plot_ui.line(
                Line::new(name.clone(), PlotPoints::from(points))
                    .color(*colour)
                    .width(1.6),
            );
        }
    });
}

/// Series colours for several lines on one chart.
pub(super) fn palette(theme: &Theme) -> [Color32; 5] {
    [theme.accent, theme.warn, theme.ok, theme.danger, theme.node]
}

pub(super) fn rtt_table(
    ui: &mut egui::Ui,
    world: &World,
    members: &[usize],
    i18n: &I18n,
    theme: &Theme,
) {
    ui.add_space(6.0);
    ui.label(RichText::new(i18n.tr("overview-rtt-to-hubs")).strong());
    let rows: Vec<(String, String)> = rtt_to_hubs(world, members)
        .into_iter()
        .map(|(h, ms)| {
            let hub = &world.hubs[h];
            let value = if ms.is_finite() {
                format!("{ms:.1} ms")
            } else {
                "—".to_owned()
            };
            (i18n.pick(&hub.name_en, &hub.name_zh).to_owned(), value)
        })
        .collect();
    facts(ui, "rtt_to_hubs", &rows, theme);
}

/// Under the charts of a figure a real source measures: where its history starts (the model's
/// past is not put before measurements).
pub(super) fn history_starts(
    ui: &mut egui::Ui,
    world: &World,
    entity: &str,
    metrics: &[&str],
    history: Option<&History>,
    i18n: &I18n,
    theme: &Theme,
) {
    if world.origins.any_of(entity, metrics).is_none() {
        return;
    }
    let Some(first) = history.and_then(History::first_t) else {
        return;
    };
    ui.label(
        RichText::new(i18n.tr_args(
            "overview-history-starts",
            &[("time", crate::ui::format::clock(first).into())],
        ))
        .small()
        .color(theme.text_dim),
    );
}
