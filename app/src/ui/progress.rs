//! Progress view — the regulator's scorecard (the review profile opens on it): every plan
//! target with its actual value, its trend, a linear projection to the deadline and an
//! on-track / at-risk / off-track status, "as of" any day of the history; the enterprise target
//! by province; and exports of the scorecard as CSV, PNG or PDF (written by the client, off the
//! UI thread, one at a time).
//!
//! The rules live in `crate::review`; this module only draws them.

use egui::RichText;
use tianshu_widgets::Sparkline;

use super::theme::Theme;
use crate::api::review::{self, Row, Status};
use crate::api::{Progress, UnixMs};
use crate::client::Command;
use crate::client::document_export::DocumentJob;
use crate::i18n::I18n;
use crate::scorecard_export::{ScorecardExport, ScorecardFile};
use crate::state::State;

pub fn province_name(code: &str, i18n: &I18n) -> String {
    super::factories::provinces::name(super::factories::provinces::names(), code, i18n)
}

#[derive(Default)]
pub struct ProgressView {
    requested: bool,
    /// Days before the report's day that the scorecard looks at (0: the latest).
    days_back: i64,
    /// While an export runs: how many had finished when it was asked for.
    exporting_after: Option<u64>,
}

/// A target's value as shown: percentages as percent, counts per locale, ratios plain.
pub fn show_value(i18n: &I18n, unit: &str, value: f64) -> String {
    match unit {
        "percent" => format!("{value:.1} %"),
        "count" => i18n.count(value.max(0.0).round()),
        _ => format!("{value:.2}"),
    }
}

pub fn status_colour(theme: &Theme, status: Status) -> egui::Color32 {
    match status {
        Status::OnTrack => theme.ok,
        Status::AtRisk => theme.warn,
        Status::OffTrack => theme.danger,
    }
}

/// The "as of" time `days_back` days before the report (the end of that Beijing day).
fn as_of(progress: &Progress, days_back: i64) -> Option<UnixMs> {
    if days_back <= 0 {
        return None;
    }
    let day = review::day_of(progress.sim_time)? - chrono::Days::new(days_back as u64);
    review::end_of_day_ms(day)
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
        let Some(progress) = &state.progress else {
            ui.heading(i18n.tr("review-title"));
            ui.label(i18n.tr("progress-loading"));
            return commands;
        };
        let max_back = review::first_day(progress)
            .zip(review::day_of(progress.sim_time))
            .map_or(0, |(first, last)| (last - first).num_days().max(0));
        self.days_back = self.days_back.clamp(0, max_back);
        let as_of = as_of(progress, self.days_back);
        let mut rows = review::scorecard(progress, as_of);
        let simulated = state.world.as_ref().is_some_and(|w| w.simulated);
        let no_parts = Vec::new();
        let simulated_parts = state
            .world
            .as_ref()
            .map_or(&no_parts, |w| &w.simulated_parts);
        review::mark_simulated(&mut rows, simulated_parts, simulated);
        // A document names the simulated parts only when some are measured (else: all simulated).
        let measured_somewhere = rows.iter().any(|r| !r.simulated);
        let simulated_parts_text = if measured_somewhere {
            crate::ui::provenance::simulated_parts_text(simulated_parts, i18n)
        } else {
            String::new()
        };

        ui.horizontal_wrapped(|ui| {
            ui.heading(i18n.tr("review-title"));
            ui.separator();
            let shown = as_of.unwrap_or(progress.sim_time);
            ui.label(
                RichText::new(i18n.tr_args("review-as-of", &[("date", i18n.date(shown).into())]))
                    .strong(),
            );
            // The wall shows today's scorecard: no date controls, refresh or export there.
            if crate::ui::wall::is_wall(ui) {
                return;
            }
            // Slider to the left means further back: show it as "days ago" but draw it so
            // that today is on the right.
            let mut day_index = max_back - self.days_back;
            let slider = egui::Slider::new(&mut day_index, 0..=max_back)
                .show_value(false)
                .text(i18n.tr("review-as-of-slider"));
            if ui.add(slider).changed() {
                self.days_back = max_back - day_index;
            }
            if ui.button(i18n.tr("review-day-back")).clicked() {
                self.days_back = (self.days_back + 1).min(max_back);
            }
            if ui.button(i18n.tr("review-day-forward")).clicked() {
                self.days_back = (self.days_back - 1).max(0);
            }
            if ui
                .add_enabled(
                    self.days_back > 0,
                    egui::Button::new(i18n.tr("review-latest")),
                )
                .clicked()
            {
                self.days_back = 0;
            }
            ui.separator();
            if ui.button(i18n.tr("progress-refresh")).clicked() {
                commands.push(Command::FetchProgress);
            }
            // One export at a time; the same drawing `tianshu report --format png|pdf` writes.
            if self
                .exporting_after
                .is_some_and(|done| state.scorecard_exports_done > done)
            {
                self.exporting_after = None;
            }
            let idle = self.exporting_after.is_none();
            for (id, file) in [
                ("review-export-csv", ScorecardFile::Csv),
                (
                    "secrep-export-png",
                    ScorecardFile::Document(crate::scorecard_doc::Format::Png),
                ),
                (
                    "secrep-export-pdf",
                    ScorecardFile::Document(crate::scorecard_doc::Format::Pdf),
                ),
            ] {
                let button = ui
                    .add_enabled(idle, egui::Button::new(i18n.tr(id)))
                    .on_disabled_hover_text(i18n.tr("review-exporting"));
                if button.clicked() {
                    self.exporting_after = Some(state.scorecard_exports_done);
                    commands.push(Command::ExportDocument(DocumentJob::new(ScorecardExport {
                        file,
                        rows: rows.clone(),
                        // The documents show the provinces too (the CSV stays one row per target).
                        provinces: match file {
                            ScorecardFile::Csv => Vec::new(),
                            ScorecardFile::Document(_) => review::provinces(progress, as_of),
                        },
                        provinces_own_history: review::provinces_have_history(progress),
                        lang: i18n.lang(),
                        as_of: as_of.unwrap_or(progress.sim_time),
                        simulated,
                        simulated_parts: simulated_parts_text.clone(),
                    })));
                }
            }
        });
        export_line(ui, state, self.exporting_after.is_some(), i18n, theme);
        let counts = [Status::OnTrack, Status::AtRisk, Status::OffTrack]
            .map(|s| rows.iter().filter(|r| r.status == s).count());
        ui.horizontal(|ui| {
            for (status, n) in [Status::OnTrack, Status::AtRisk, Status::OffTrack]
                .into_iter()
                .zip(counts)
            {
                ui.label(
                    RichText::new(format!("{} {n}", i18n.tr(status.label_id())))
                        .color(status_colour(theme, status))
                        .strong(),
                );
                ui.add_space(12.0);
            }
            ui.label(RichText::new(i18n.tr("review-rule")).color(theme.text_dim));
        });
        ui.separator();

        // Side by side when there is room (provinces on the right), else one under the other.
        if ui.available_width() >= SIDE_BY_SIDE_WIDTH {
            egui::Panel::right("scorecard_provinces_panel")
                .resizable(false)
                .exact_size(PROVINCES_WIDTH)
                .show(ui, |ui| {
                    egui::ScrollArea::vertical()
                        .id_salt("scorecard_provinces_scroll")
                        .auto_shrink([false, false])
                        .show(ui, |ui| provinces_ui(ui, progress, as_of, i18n, theme));
                });
            egui::ScrollArea::vertical()
                .id_salt("scorecard_scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| scorecard_grid(ui, &rows, i18n, theme));
        } else {
            egui::ScrollArea::vertical()
                .id_salt("scorecard_scroll")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    scorecard_grid(ui, &rows, i18n, theme);
                    ui.add_space(16.0);
                    provinces_ui(ui, progress, as_of, i18n, theme);
                });
        }
        commands
    }
}

/// How the last export went (or that one is running).
fn export_line(ui: &mut egui::Ui, state: &State, running: bool, i18n: &I18n, theme: &Theme) {
    if running {
        ui.label(RichText::new(i18n.tr("review-exporting")).color(theme.text_dim));
        return;
    }
    match &state.scorecard_export {
        Some(Ok(path)) => {
            ui.label(
                RichText::new(i18n.tr_args(
                    "review-exported",
                    &[("path", path.display().to_string().into())],
                ))
                .color(theme.ok),
            );
        }
        Some(Err(why)) => {
            ui.label(
                RichText::new(i18n.tr_args("review-export-failed", &[("why", why.clone().into())]))
                    .color(theme.danger),
            );
        }
        None => {}
    }
}

/// Room needed for the scorecard (≈1,000 points in English) and the provinces beside it.
const SIDE_BY_SIDE_WIDTH: f32 = 1560.0;
const PROVINCES_WIDTH: f32 = 560.0;

/// Width of the target names (long ones wrap).
const NAME_WIDTH: f32 = 300.0;

fn scorecard_grid(ui: &mut egui::Ui, rows: &[Row], i18n: &I18n, theme: &Theme) {
    egui::Grid::new("scorecard")
        .striped(true)
        .spacing([20.0, 10.0])
        .show(ui, |ui| {
            for id in review::SCORECARD_COLUMNS {
                ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
            }
            ui.end_row();
            for row in rows {
                let colour = status_colour(theme, row.status);
                ui.scope(|ui| {
                    ui.set_width(NAME_WIDTH);
                    ui.add(
                        egui::Label::new(RichText::new(row.name(i18n.lang())).strong())
                            .wrap_mode(egui::TextWrapMode::Wrap),
                    );
                });
                ui.label(
                    RichText::new(show_value(i18n, &row.unit, row.actual))
                        .text_style(super::theme::kpi_style())
                        .color(theme.text),
                );
                ui.add(Sparkline::new(&row.trend, colour).with_size(egui::vec2(160.0, 32.0)));
                let op = if row.lower_is_better { "≤" } else { "≥" };
                ui.label(format!("{op} {}", show_value(i18n, &row.unit, row.target)));
                ui.label(&row.deadline);
                ui.label(
                    row.projection
                        .map_or_else(|| "—".into(), |p| show_value(i18n, &row.unit, p)),
                );
                ui.label(
                    RichText::new(i18n.tr(row.status.label_id()))
                        .color(colour)
                        .strong(),
                );
                ui.end_row();
            }
        });
}

fn provinces_ui(
    ui: &mut egui::Ui,
    progress: &Progress,
    as_of: Option<UnixMs>,
    i18n: &I18n,
    theme: &Theme,
) {
    let rows = review::provinces(progress, as_of);
    if rows.is_empty() {
        return;
    }
    ui.label(RichText::new(i18n.tr("review-provinces-title")).text_style(egui::TextStyle::Heading));
    let note = if review::provinces_have_history(progress) {
        "review-provinces-note-own"
    } else {
        "review-provinces-note"
    };
    ui.label(RichText::new(i18n.tr(note)).color(theme.text_dim));
    egui::Grid::new("scorecard_provinces")
        .striped(true)
        .spacing([20.0, 6.0])
        .show(ui, |ui| {
            for id in [
                "review-province",
                "progress-current",
                "review-province-target",
                "review-projection",
                "review-status",
            ] {
                ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
            }
            ui.end_row();
            for r in &rows {
                ui.label(province_name(&r.code, i18n));
                ui.label(i18n.count(r.actual));
                ui.label(format!("≥ {}", i18n.count(r.target.round())));
                ui.label(
                    r.projection
                        .map_or_else(|| "—".into(), |p| i18n.count(p.round())),
                );
                ui.label(
                    RichText::new(i18n.tr(r.status.label_id()))
                        .color(status_colour(theme, r.status)),
                );
                ui.end_row();
            }
        });
}
