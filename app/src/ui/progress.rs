//! Progress view — the regulator's scorecard (the review profile opens on it): every plan
//! target with its actual value, its trend, a linear projection to the deadline and an
//! on-track / at-risk / off-track status, "as of" any day of the history; the enterprise target
//! by province; and an export of the scorecard as CSV (written on a thread of its own).
//!
//! The rules live in `crate::review`; this module only draws them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use egui::RichText;
use tianshu_widgets::Sparkline;

use super::theme::Theme;
use crate::api::{Progress, UnixMs};
use crate::client::Command;
use crate::i18n::I18n;
use crate::review::{self, Row, Status};
use crate::state::State;

pub fn province_name(code: &str, i18n: &I18n) -> String {
    super::factories::provinces::name(super::factories::provinces::names(), code, i18n)
}

/// Where an export ended: the file, or why it failed.
type ExportResult = Arc<Mutex<Option<Result<PathBuf, String>>>>;

#[derive(Default)]
pub struct ProgressView {
    requested: bool,
    /// Days before the report's day that the scorecard looks at (0: the latest).
    days_back: i64,
    export: ExportResult,
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

/// Where "Export CSV" writes: the user's downloads folder, else the current folder.
fn export_path(progress: &Progress, as_of: Option<UnixMs>, extension: &str) -> PathBuf {
    let day = review::day_of(as_of.unwrap_or(progress.sim_time))
        .map(|d| d.to_string())
        .unwrap_or_default();
    let dir = directories::UserDirs::new()
        .and_then(|u| u.download_dir().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join(format!("tianshu-scorecard-{day}.{extension}"))
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
        let rows = review::scorecard(progress, as_of);
        let simulated = state.world.as_ref().is_some_and(|w| w.simulated);

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
            if ui.button(i18n.tr("review-export-csv")).clicked() {
                self.start_export(ui.ctx(), progress, &rows, as_of, simulated, i18n, None);
            }
            // The same drawing `tianshu report --format png|pdf` writes, made on the export thread.
            for (id, format) in [
                ("secrep-export-png", crate::scorecard_doc::Format::Png),
                ("secrep-export-pdf", crate::scorecard_doc::Format::Pdf),
            ] {
                if ui.button(i18n.tr(id)).clicked() {
                    self.start_export(
                        ui.ctx(),
                        progress,
                        &rows,
                        as_of,
                        simulated,
                        i18n,
                        Some(format),
                    );
                }
            }
        });
        self.export_line(ui, i18n, theme);
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

    #[allow(clippy::too_many_arguments)] // the view's state, plus which export
    fn start_export(
        &mut self,
        ctx: &egui::Context,
        progress: &Progress,
        rows: &[Row],
        as_of: Option<UnixMs>,
        simulated: bool,
        i18n: &I18n,
        document: Option<crate::scorecard_doc::Format>,
    ) {
        let path = export_path(progress, as_of, document.map_or("csv", |f| f.extension()));
        let rows = rows.to_vec();
        let lang = i18n.lang();
        let at = as_of.unwrap_or(progress.sim_time);
        let slot = Arc::clone(&self.export);
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = match document {
                None => std::fs::File::create(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|file| {
                        review::write_csv(&rows, lang, at, simulated, std::io::BufWriter::new(file))
                            .map_err(|e| e.to_string())
                    }),
                Some(format) => crate::scorecard_doc::render(&rows, lang, at, simulated, format)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| std::fs::write(&path, bytes).map_err(|e| e.to_string())),
            }
            .map(|()| path.clone())
            .map_err(|e| format!("{}: {e}", path.display()));
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(result);
            }
            ctx.request_repaint();
        });
    }

    fn export_line(&self, ui: &mut egui::Ui, i18n: &I18n, theme: &Theme) {
        let Ok(slot) = self.export.lock() else {
            return;
        };
        match slot.as_ref() {
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
                    RichText::new(
                        i18n.tr_args("review-export-failed", &[("why", why.clone().into())]),
                    )
                    .color(theme.danger),
                );
            }
            None => {}
        }
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
            for id in [
                "col-name",
                "progress-current",
                "review-trend",
                "progress-target",
                "progress-deadline",
                "review-projection",
                "review-status",
            ] {
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
