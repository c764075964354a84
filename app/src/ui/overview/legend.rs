//! The overview map's legend: every encoding on the map (marker size and shape, colour, line
//! width, lanes and moving dashes), drawn over the map's corner and always visible.

use egui::{Color32, Pos2, RichText, Sense, Stroke, Vec2};
use tianshu_widgets::RampLegend;

use crate::i18n::I18n;
use crate::ui::theme::Theme;

/// Marker radius of a cluster with `eflops` of compute, points (the map and the legend agree).
pub fn cluster_radius(eflops: f64) -> f32 {
    5.0 + (eflops.max(0.0) as f32).sqrt() * 1.6
}

/// Line width of one direction of a channel of `capacity_gbps`, points.
pub fn link_width(capacity_gbps: u32) -> f32 {
    if capacity_gbps >= 800 { 3.6 } else { 2.0 }
}

/// Draws the legend; `drill` adds the metro marker.
pub fn legend_ui(ui: &mut egui::Ui, i18n: &I18n, theme: &Theme, drill: bool) {
    egui::Frame::new()
        .fill(theme.panel.gamma_multiply(0.88))
        .corner_radius(4.0)
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.spacing_mut().item_spacing.y = 3.0;
            let sample = theme.utilization_colour(0.5);
            ui.horizontal(|ui| {
                for eflops in [20.0, 50.0] {
                    let r = cluster_radius(eflops);
                    let (rect, _) =
                        ui.allocate_exact_size(Vec2::splat(2.0 * r + 2.0), Sense::hover());
                    ui.painter().circle_filled(rect.center(), r, sample);
                    ui.label(RichText::new(format!("{eflops:.0}")).small());
                }
                ui.label(RichText::new(i18n.tr("overview-legend-size")).small());
            });
            ui.horizontal(|ui| {
                let (rect, _) = ui.allocate_exact_size(Vec2::splat(20.0), Sense::hover());
                ui.painter()
                    .circle_stroke(rect.center(), 8.0, Stroke::new(2.5, sample));
                ui.label(RichText::new(i18n.tr("overview-legend-hub")).small());
                if drill {
                    let (rect, _) = ui.allocate_exact_size(Vec2::splat(14.0), Sense::hover());
                    diamond(ui, rect.center(), 5.0, theme.node);
                    ui.label(RichText::new(i18n.tr("overview-legend-metro")).small());
                }
            });
            ui.add(
                RampLegend::new(&theme.utilization, "0 %", "100 %")
                    .with_caption(i18n.tr("legend-utilization"))
                    .with_bar_size(Vec2::new(150.0, 8.0))
                    .with_text_color(theme.text),
            );
            ui.horizontal(|ui| {
                for capacity in [400, 800] {
                    let (rect, _) = ui.allocate_exact_size(Vec2::new(28.0, 12.0), Sense::hover());
                    ui.painter().line_segment(
                        [rect.left_center(), rect.right_center()],
                        Stroke::new(link_width(capacity), theme.text_dim),
                    );
                    ui.label(RichText::new(format!("{capacity}G")).small());
                }
                ui.label(RichText::new(i18n.tr("overview-legend-width")).small());
            });
            ui.horizontal(|ui| {
                let (rect, _) = ui.allocate_exact_size(Vec2::new(28.0, 12.0), Sense::hover());
                let painter = ui.painter();
                for (dy, colour) in [(-2.5, sample), (2.5, theme.utilization_colour(0.8))] {
                    let y = rect.center().y + dy;
                    painter.line_segment(
                        [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)],
                        Stroke::new(2.0, colour),
                    );
                }
                ui.label(RichText::new(i18n.tr("overview-legend-lanes")).small());
            });
        });
}

fn diamond(ui: &egui::Ui, c: Pos2, r: f32, colour: Color32) {
    ui.painter().add(egui::Shape::convex_polygon(
        vec![
            c + Vec2::new(0.0, -r),
            c + Vec2::new(r, 0.0),
            c + Vec2::new(0.0, r),
            c + Vec2::new(-r, 0.0),
        ],
        colour,
        Stroke::NONE,
    ));
}
