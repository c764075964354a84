//! Latency view: metros ranked by 1 ms coverage, and the selected metro's RTT grid rasterised
//! into one texture (uploaded only when the grid changes).

use egui::{ColorImage, RichText, TextureHandle, TextureOptions};
use tianshu_widgets::RampLegend;

use super::format;
use super::theme::Theme;
use crate::api::{LatencyGrid, MetroSummary};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;

#[derive(Default)]
pub struct LatencyView {
    selected: Option<String>,
    requested: Option<String>,
    texture: Option<(String, f64, TextureHandle)>,
}

/// Population-weighted national coverage over the metros.
pub fn national_coverage(metros: &[MetroSummary]) -> f64 {
    let people: f64 = metros.iter().map(|m| m.population as f64).sum();
    if people <= 0.0 {
        return 0.0;
    }
    metros
        .iter()
        .map(|m| m.coverage_1ms * m.population as f64)
        .sum::<f64>()
        / people
}

/// One pixel per cell, north up (the grid is stored from the south-west corner).
pub fn rasterise(grid: &LatencyGrid, theme: &Theme) -> ColorImage {
    let (w, h) = (grid.cols as usize, grid.rows as usize);
    let mut image = ColorImage::filled([w, h], theme.background);
    for row in 0..h {
        for col in 0..w {
            if let Some(rtt) = grid.rtt_ms.get(row * w + col) {
                image.pixels[(h - 1 - row) * w + col] = theme.latency_colour(*rtt);
            }
        }
    }
    image
}

impl LatencyView {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(world) = &state.world else {
            ui.label(i18n.tr_args("waiting", &[("url", state.backend_url.clone().into())]));
            return commands;
        };
        let mut metros: Vec<&MetroSummary> = world.metros.iter().collect();
        metros.sort_by(|a, b| {
            b.population
                .cmp(&a.population)
                .then_with(|| a.id.cmp(&b.id))
        });
        if self.selected.is_none() {
            self.selected = metros.first().map(|m| m.id.clone());
        }
        if self.selected != self.requested {
            if let Some(id) = &self.selected {
                commands.push(Command::FetchMetroLatency(id.clone()));
            }
            self.requested = self.selected.clone();
        }
        ui.heading(i18n.tr("latency-title"));
        ui.label(
            RichText::new(i18n.tr_args(
                "latency-national",
                &[(
                    "pct",
                    format::percent(national_coverage(&world.metros)).into(),
                )],
            ))
            .text_style(egui::TextStyle::Heading)
            .color(theme.accent),
        );
        ui.separator();
        egui::Panel::left("metro_list")
            .default_size(440.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    egui::Grid::new("metro_grid").striped(true).show(ui, |ui| {
                        for id in ["col-metro", "col-coverage", "col-median", "col-access"] {
                            ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
                        }
                        ui.end_row();
                        for m in &metros {
                            let selected = self.selected.as_deref() == Some(m.id.as_str());
                            if ui
                                .selectable_label(selected, i18n.pick(&m.name_en, &m.name_zh))
                                .clicked()
                            {
                                self.selected = Some(m.id.clone());
                            }
                            ui.label(
                                RichText::new(format!("{} %", format::percent(m.coverage_1ms)))
                                    .color(theme.good_or_bad(m.coverage_1ms >= 0.75)),
                            );
                            ui.label(format!("{:.2} ms", m.median_rtt_ms));
                            ui.label(m.access_points.to_string());
                            ui.end_row();
                        }
                    });
                });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            let grid = state
                .metro_grid
                .as_ref()
                .filter(|g| Some(&g.metro_id) == self.selected.as_ref());
            let Some(grid) = grid else {
                let name = self.selected.clone().unwrap_or_default();
                ui.label(i18n.tr_args("latency-loading", &[("metro", name.into())]));
                return;
            };
            let stale = self
                .texture
                .as_ref()
                .is_none_or(|(id, cov, _)| id != &grid.metro_id || *cov != grid.coverage_1ms);
            if stale {
                let image = rasterise(grid, theme);
                let handle = ui
                    .ctx()
                    .load_texture("latency_grid", image, TextureOptions::NEAREST);
                self.texture = Some((grid.metro_id.clone(), grid.coverage_1ms, handle));
            }
            if let Some((_, _, texture)) = &self.texture {
                let side = ui.available_height().min(ui.available_width()) - 60.0;
                ui.add(
                    egui::Image::new(texture)
                        .fit_to_exact_size(egui::vec2(side.max(100.0), side.max(100.0))),
                );
            }
            ui.add(
                RampLegend::new(&theme.latency, "0".to_owned(), "3".to_owned())
                    .with_caption(i18n.tr("legend-rtt")),
            );
        });
        commands
    }
}
