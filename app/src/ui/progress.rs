//! Progress view: each plan target with its current value, the target, the deadline and a bar.

use egui::RichText;
use tianshu_widgets::TargetBar;

use super::theme::Theme;
use crate::api::Target;
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;

#[derive(Default)]
pub struct ProgressView {
    requested: bool,
}

/// A target's value as shown: percentages as percent, counts with separators, ratios plain.
pub fn show_value(target: &Target, value: f64) -> String {
    match target.unit.as_str() {
        "percent" => format!("{value:.1} %"),
        "count" => super::format::thousands(value.max(0.0).round() as u64),
        _ => format!("{value:.2}"),
    }
}

/// True when the target is met now.
pub fn is_met(target: &Target) -> bool {
    if target.lower_is_better {
        target.current <= target.target
    } else {
        target.current >= target.target
    }
}

impl ProgressView {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        if !self.requested && state.world.is_some() {
            self.requested = true;
            commands.push(Command::FetchProgress);
        }
        ui.horizontal(|ui| {
            ui.heading(i18n.tr("progress-title"));
            if ui.button(i18n.tr("progress-refresh")).clicked() {
                commands.push(Command::FetchProgress);
            }
        });
        ui.separator();
        let Some(progress) = &state.progress else {
            ui.label(i18n.tr("progress-loading"));
            return commands;
        };
        egui::Grid::new("targets")
            .striped(true)
            .spacing([24.0, 12.0])
            .show(ui, |ui| {
                for id in [
                    "col-name",
                    "progress-current",
                    "progress-target",
                    "progress-deadline",
                ] {
                    ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
                }
                ui.label("");
                ui.end_row();
                for target in &progress.targets {
                    ui.label(RichText::new(i18n.pick(&target.name_en, &target.name_zh)).strong());
                    let met = is_met(target);
                    ui.label(
                        RichText::new(show_value(target, target.current))
                            .text_style(super::theme::kpi_style())
                            .color(theme.good_or_bad(met)),
                    );
                    let op = if target.lower_is_better { "≤" } else { "≥" };
                    ui.label(format!("{op} {}", show_value(target, target.target)));
                    ui.label(&target.deadline);
                    let (value, goal) = if target.lower_is_better {
                        // Lower is better: show how close to the goal as goal/current.
                        (
                            target.target as f32,
                            target.current.max(f64::EPSILON) as f32,
                        )
                    } else {
                        (target.current as f32, target.target as f32)
                    };
                    ui.add(TargetBar::new(value, goal, theme.good_or_bad(met)).with_width(320.0));
                    ui.end_row();
                }
            });
        commands
    }
}
