//! The wall's pages, designed for distance rather than desktop views scaled up: a handful of
//! figures per page in type sized from the screen's height (every text at least 2.5 % of it, the
//! headline figures at least 6 %), each figure with a status word so colour never carries the
//! meaning alone. A "now" page leads the playlist: what needs attention right now, ranked, or
//! "all normal" in large type (`now.rs`); the other pages' figures are data (`figures.rs`).

mod figures;
mod now;

use egui::{Align, Layout, RichText, Ui, UiBuilder};

pub use self::figures::{Figure, MAX_FIGURES, Status, figures};
use super::View;
use super::format;
use super::theme::Theme;
use crate::i18n::I18n;
use crate::state::State;

/// One page of the wall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WallPage {
    /// What needs attention right now.
    Now,
    /// National hubs and the backbone.
    Backbone,
    /// Metro access to computing within 1 ms.
    Access,
    /// Enterprises on upgraded industrial networks.
    Industry,
    /// Agents and the decisions they wait for.
    Agents,
    /// The plan's targets.
    Targets,
}

impl WallPage {
    /// The page a playlist's view stands for on the wall.
    pub fn for_view(view: View) -> Self {
        match view {
            View::Overview => WallPage::Backbone,
            View::Latency => WallPage::Access,
            View::Factories => WallPage::Industry,
            View::Agents => WallPage::Agents,
            View::Progress => WallPage::Targets,
        }
    }

    fn title_id(self) -> &'static str {
        match self {
            WallPage::Now => "wall-page-now",
            WallPage::Backbone => "wall-page-backbone",
            WallPage::Access => "wall-page-access",
            WallPage::Industry => "wall-page-industry",
            WallPage::Agents => "wall-page-agents",
            WallPage::Targets => "wall-page-targets",
        }
    }
}

/// The wall's playlist: the "now" page first (for `now_dwell_s`, none when 0), then a page per
/// view of the settings' playlist.
pub fn playlist(views: &[(View, u64)], now_dwell_s: u64) -> Vec<(WallPage, u64)> {
    let now = (now_dwell_s > 0).then_some((WallPage::Now, now_dwell_s.clamp(5, 3600)));
    now.into_iter()
        .chain(views.iter().map(|(v, s)| (WallPage::for_view(*v), *s)))
        .collect()
}

/// Where the page is in its playlist, for the dwell indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dwell {
    /// Position from 1, and the playlist's length.
    pub position: usize,
    pub len: usize,
    /// Share of the page's dwell time gone, 0..1.
    pub gone: f32,
    /// A critical item holds the playlist on the "now" page.
    pub held: bool,
}

/// Type sizes from the height of the wall (points): every text at least 2.5 % of it, the
/// headline figures at least 6 %.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WallType {
    pub title: f32,
    /// A page's one-line headline (the "now" page's count).
    pub headline: f32,
    pub figure: f32,
    pub label: f32,
    pub note: f32,
}

impl WallType {
    pub fn for_height(h: f32) -> Self {
        Self {
            title: 0.05 * h,
            headline: 0.065 * h,
            figure: 0.085 * h,
            label: 0.034 * h,
            note: 0.027 * h,
        }
    }
}

/// Draws `page` filling `ui`.
pub fn show(ui: &mut Ui, page: WallPage, state: &State, i18n: &I18n, theme: &Theme, dwell: Dwell) {
    let size = WallType::for_height(ui.available_height());
    header(ui, page, state, i18n, theme, dwell, &size);
    ui.add_space(size.note * 0.6);
    match page {
        WallPage::Now => now::show(ui, state, i18n, theme, &size),
        _ => {
            let figures = figures(page, state, i18n);
            if figures.is_empty() {
                ui.centered_and_justified(|ui| {
                    ui.label(
                        RichText::new(i18n.tr("wall-waiting-for-data"))
                            .size(size.label)
                            .color(theme.text_dim),
                    );
                });
            } else {
                figure_grid(ui, &figures, theme, i18n, &size);
            }
        }
    }
}

/// The page's title, where the playlist is (position and a dwell bar), the clock and whether the
/// data is live and simulated — in words.
fn header(
    ui: &mut Ui,
    page: WallPage,
    state: &State,
    i18n: &I18n,
    theme: &Theme,
    dwell: Dwell,
    size: &WallType,
) {
    let now = state.now();
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(i18n.tr(page.title_id()))
                .size(size.title)
                .strong()
                .color(theme.accent),
        );
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if let Some(t) = state.server_now(now) {
                ui.label(
                    RichText::new(format::hour_minute(t))
                        .size(size.title)
                        .color(theme.text),
                );
            }
            let (word, colour) = if state.is_stale(now) {
                let word = match state.server_time {
                    Some((t, _)) => i18n.tr_args(
                        "wall-stale-since",
                        &[("time", format::hour_minute(t).into())],
                    ),
                    None => i18n.tr("wall-data-stale"),
                };
                (word, theme.danger)
            } else {
                (i18n.tr("wall-data-live"), theme.ok)
            };
            ui.label(RichText::new(word).size(size.label).strong().color(colour));
            let badge = state.world.as_ref().map(super::provenance::badge);
            let badge = match badge {
                Some(super::provenance::Badge::Simulated) => Some("simulated-badge"),
                Some(super::provenance::Badge::PartlySimulated) => Some("simulated-partly-badge"),
                _ => None,
            };
            if let Some(badge) = badge {
                ui.label(
                    RichText::new(i18n.tr(badge))
                        .size(size.label)
                        .color(theme.simulated_text)
                        .background_color(theme.simulated_fill),
                );
            }
            let where_ = if dwell.held {
                i18n.tr("wall-held")
            } else {
                i18n.tr_args(
                    "wall-position",
                    &[("n", dwell.position.into()), ("of", dwell.len.into())],
                )
            };
            ui.label(RichText::new(where_).size(size.label).color(theme.text_dim));
        });
    });
    // The dwell bar: how much of this page's time is gone (full while held).
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), size.note * 0.25),
        egui::Sense::hover(),
    );
    let painter = ui.painter();
    painter.rect_filled(rect, 0.0, theme.panel_alt);
    let gone = if dwell.held {
        1.0
    } else {
        dwell.gone.clamp(0.0, 1.0)
    };
    let mut done = rect;
    done.set_width(rect.width() * gone);
    painter.rect_filled(
        done,
        0.0,
        if dwell.held {
            theme.danger
        } else {
            theme.accent
        },
    );
}

/// Up to four figures in a 2 × 2 grid (one column of rows when fewer than three).
fn figure_grid(ui: &mut Ui, figures: &[Figure], theme: &Theme, i18n: &I18n, size: &WallType) {
    let area = ui.available_rect_before_wrap();
    let columns = if figures.len() >= 3 { 2 } else { 1 };
    let rows = figures.len().div_ceil(columns);
    let gap = size.note;
    let cell = egui::vec2(
        (area.width() - gap * (columns as f32 - 1.0)) / columns as f32,
        (area.height() - gap * (rows as f32 - 1.0)) / rows as f32,
    );
    for (i, figure) in figures.iter().enumerate() {
        let (row, col) = (i / columns, i % columns);
        let min = area.min + egui::vec2(col as f32 * (cell.x + gap), row as f32 * (cell.y + gap));
        let rect = egui::Rect::from_min_size(min, cell);
        ui.painter().rect_filled(rect, size.note * 0.3, theme.panel);
        let inner = rect.shrink(size.note);
        let mut card = ui.new_child(
            UiBuilder::new()
                .max_rect(inner)
                .layout(Layout::top_down(Align::Min)),
        );
        figure_card(&mut card, figure, theme, i18n, size);
    }
    ui.allocate_rect(area, egui::Sense::hover());
}

fn figure_card(ui: &mut Ui, figure: &Figure, theme: &Theme, i18n: &I18n, size: &WallType) {
    // Label, figure, status and note, then the bar to the target — at the same height in every
    // card of a row.
    ui.add_space(ui.available_height() * 0.15);
    ui.add(
        egui::Label::new(
            RichText::new(&figure.label)
                .size(size.label)
                .color(theme.text_dim),
        )
        .truncate(),
    );
    let colour = status_colour(figure.status, theme);
    ui.add(
        egui::Label::new(
            RichText::new(&figure.value)
                .size(size.figure)
                .strong()
                .color(colour),
        )
        .truncate(),
    );
    ui.horizontal(|ui| {
        if let Some(word) = figure.status.word_id() {
            ui.label(
                RichText::new(i18n.tr(word))
                    .size(size.note)
                    .strong()
                    .color(colour),
            );
        }
        ui.add(
            egui::Label::new(
                RichText::new(&figure.note)
                    .size(size.note)
                    .color(theme.text),
            )
            .truncate(),
        );
    });
    if let Some(progress) = figure.progress {
        ui.add_space(size.note * 0.5);
        let (rect, _) = ui.allocate_exact_size(
            egui::vec2(ui.available_width(), size.note * 0.8),
            egui::Sense::hover(),
        );
        let painter = ui.painter();
        painter.rect_filled(rect, 0.0, theme.panel_alt);
        let mut done = rect;
        done.set_width(rect.width() * progress.clamp(0.0, 1.0) as f32);
        painter.rect_filled(done, 0.0, colour);
    }
}

pub fn status_colour(status: Status, theme: &Theme) -> egui::Color32 {
    match status {
        Status::Good | Status::OnTrack => theme.ok,
        Status::Watch => theme.warn,
        Status::Alert => theme.danger,
        Status::Neutral => theme.text,
    }
}

/// What the wall's pages need beyond the snapshot, asked for again when it may have moved: the
/// national 1 ms summary (when the metros' figures change, or after a resync) and the plan's
/// progress (once per simulated day, or after a resync).
#[derive(Debug, Default)]
pub struct WallFeeds {
    summary_signature: Option<u64>,
    progress_signature: Option<u64>,
}

impl WallFeeds {
    pub fn requests(&mut self, state: &State) -> Vec<crate::client::Command> {
        use crate::client::Command;
        let Some(world) = &state.world else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let resyncs = state.snapshots_applied.rotate_left(41);
        let summary = super::latency::metros_signature(&world.metros) ^ resyncs;
        if self.summary_signature != Some(summary) {
            self.summary_signature = Some(summary);
            out.push(Command::FetchLatencySummary);
        }
        let day = world.sim_time.div_euclid(86_400_000) as u64;
        if self.progress_signature != Some(day ^ resyncs) {
            self.progress_signature = Some(day ^ resyncs);
            out.push(Command::FetchProgress);
        }
        out
    }
}
