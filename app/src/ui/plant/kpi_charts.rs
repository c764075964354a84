//! The plant's network KPIs against what its workloads need, over the last 24 hours, 7 days or
//! 30 days (simulated time): one small chart per KPI, the requirement as a dashed line, the
//! plant's history as steps (a KPI holds its value until the next sample).

use egui::RichText;
use egui_plot::{HLine, Line, Plot, PlotPoints};

use crate::api::{FactoryDetail, NetworkKpis, UnixMs};
use crate::i18n::I18n;
use crate::ui::theme::Theme;

const HOUR_MS: i64 = 3_600_000;

/// How far back the charts look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    #[default]
    Day,
    Week,
    Month,
}

impl Window {
    pub const ALL: [Window; 3] = [Window::Day, Window::Week, Window::Month];

    pub fn span_ms(self) -> i64 {
        match self {
            Window::Day => 24 * HOUR_MS,
            Window::Week => 7 * 24 * HOUR_MS,
            Window::Month => 30 * 24 * HOUR_MS,
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Window::Day => "plant-window-day",
            Window::Week => "plant-window-week",
            Window::Month => "plant-window-month",
        }
    }
}

/// One KPI: its name, how to read it from the figures, its unit's scale, and whether lower is
/// better.
struct Kpi {
    label: &'static str,
    pick: fn(&NetworkKpis) -> f64,
    unit: &'static str,
    /// Decimals shown.
    digits: usize,
    lower_is_better: bool,
}

const KPIS: [Kpi; 4] = [
    Kpi {
        label: "factories-kpi-latency",
        digits: 2,
        pick: |k| k.latency_ms,
        unit: "ms",
        lower_is_better: true,
    },
    Kpi {
        label: "factories-kpi-jitter",
        digits: 2,
        pick: |k| k.jitter_ms,
        unit: "ms",
        lower_is_better: true,
    },
    Kpi {
        label: "factories-kpi-reliability",
        digits: 3,
        pick: |k| k.reliability * 100.0,
        unit: "%",
        lower_is_better: false,
    },
    Kpi {
        label: "factories-kpi-throughput",
        digits: 0,
        pick: |k| k.throughput_mbps,
        unit: "Mbit/s",
        lower_is_better: false,
    },
];

/// The KPI history within the window ending at `now` as steps, in hours before `now`: the value
/// in force at the window's start, each change, and the value now.
pub fn steps(
    detail: &FactoryDetail,
    pick: fn(&NetworkKpis) -> f64,
    now: UnixMs,
    window: Window,
) -> Vec<[f64; 2]> {
    let start = now - window.span_ms();
    let hours = |t: UnixMs| (t - now) as f64 / HOUR_MS as f64;
    let mut out = Vec::new();
    let before = detail.kpi_history.iter().rev().find(|s| s.t <= start);
    let mut last = before.map(|s| pick(&s.kpis));
    if let Some(v) = last {
        out.push([hours(start), v]);
    }
    for s in detail
        .kpi_history
        .iter()
        .filter(|s| s.t > start && s.t <= now)
    {
        let v = pick(&s.kpis);
        if let Some(prev) = last {
            out.push([hours(s.t), prev]);
        }
        out.push([hours(s.t), v]);
        last = Some(v);
    }
    if let Some(v) = last {
        out.push([0.0, v]);
    }
    out
}

/// The four charts in a 2 × 2 grid filling `ui`.
pub fn ui(
    ui: &mut egui::Ui,
    detail: &FactoryDetail,
    now: UnixMs,
    window: Window,
    i18n: &I18n,
    theme: &Theme,
) {
    let height = ((ui.available_height() - 70.0) / 2.0).clamp(80.0, 280.0);
    for row in KPIS.chunks(2) {
        ui.columns(2, |cols| {
            for (ui, kpi) in cols.iter_mut().zip(row) {
                chart(ui, detail, kpi, now, window, height, i18n, theme);
            }
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn chart(
    ui: &mut egui::Ui,
    detail: &FactoryDetail,
    kpi: &Kpi,
    now: UnixMs,
    window: Window,
    height: f32,
    i18n: &I18n,
    theme: &Theme,
) {
    let points = steps(detail, kpi.pick, now, window);
    let need = (kpi.pick)(&detail.factory.required);
    let current = (kpi.pick)(&detail.factory.kpis);
    let meets = if kpi.lower_is_better {
        current <= need
    } else {
        current >= need
    };
    let colour = if meets { theme.ok } else { theme.danger };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(i18n.tr(kpi.label)).strong());
        ui.label(
            RichText::new(i18n.tr_args(
                "plant-kpi-against",
                &[
                    (
                        "now",
                        format!("{current:.*} {}", kpi.digits, kpi.unit).into(),
                    ),
                    ("need", format!("{need:.*} {}", kpi.digits, kpi.unit).into()),
                ],
            ))
            .color(colour),
        );
    });
    ui.add_space(4.0);
    let span_h = window.span_ms() as f64 / HOUR_MS as f64;
    Plot::new(("plant_kpi", kpi.label))
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_background(false)
        .include_x(-span_h)
        .include_x(0.0)
        .include_y(need)
        .x_axis_formatter(move |mark, _| {
            if span_h > 48.0 {
                format!("{:.0} d", mark.value / 24.0)
            } else {
                format!("{:.0} h", mark.value)
            }
        })
        .show(ui, |plot| {
            plot.hline(
                HLine::new(i18n.tr("plant-required"), need)
                    .color(theme.warn)
                    .style(egui_plot::LineStyle::dashed_loose()),
            );
            plot.line(
                Line::new(i18n.tr(kpi.label), PlotPoints::from(points))
                    .color(colour)
                    .width(2.0)
                    // Steps share an x at each change: draw them as steps, not as a band.
                    .allow_band(false),
            );
        });
}
