//! The wall's "now" page: what needs attention right now, ranked (`state::attention`), one item
//! per line in large type with what kind it is in a word; "all normal" when nothing does.

use egui::{Align, Layout, RichText, Ui};

use super::WallType;
use crate::i18n::{I18n, Lang};
use crate::state::State;
use crate::state::attention::{Item, Kind, attention};
use crate::ui::format;
use crate::ui::theme::Theme;

/// Items listed: as many as fit the screen, within these bounds; the rest are counted.
pub const MIN_ITEMS: usize = 3;
pub const MAX_ITEMS: usize = 14;

pub fn show(ui: &mut Ui, state: &State, i18n: &I18n, theme: &Theme, size: &WallType) {
    let now = state.server_now(state.now()).unwrap_or(0);
    let items = attention(state, now);
    if state.world.is_none() {
        ui.centered_and_justified(|ui| {
            ui.label(
                RichText::new(i18n.tr("wall-waiting-for-data"))
                    .size(size.label)
                    .color(theme.text_dim),
            );
        });
        return;
    }
    if items.is_empty() {
        ui.with_layout(Layout::top_down(Align::Center), |ui| {
            ui.add_space(ui.available_height() * 0.25);
            ui.label(
                RichText::new(i18n.tr("wall-all-normal"))
                    .size(size.figure * 1.2)
                    .strong()
                    .color(theme.ok),
            );
            ui.add(
                egui::Label::new(
                    RichText::new(i18n.tr("wall-all-normal-note"))
                        .size(size.label)
                        .color(theme.text_dim),
                )
                .wrap(),
            );
        });
        return;
    }
    // The headline: how many things need attention, in the page's largest type.
    ui.label(
        RichText::new(i18n.tr_args("wall-attention-count", &[("n", items.len().into())]))
            .size(size.headline)
            .strong()
            .color(theme.warn),
    );
    ui.add_space(size.note * 0.5);
    // As many rows as the screen holds (the first row's height measured, the "+ n more" line
    // kept free), within [MIN_ITEMS, MAX_ITEMS].
    let more_line = size.note * 1.6;
    let mut pitch: Option<f32> = None;
    let mut shown = 0;
    for item in &items {
        let next = pitch.unwrap_or(size.label * 2.5);
        if shown == MAX_ITEMS || (shown >= MIN_ITEMS && ui.available_height() < next + more_line) {
            break;
        }
        let top = ui.cursor().min.y;
        row(ui, item, now, i18n, theme, size);
        pitch.get_or_insert(ui.cursor().min.y - top);
        shown += 1;
    }
    if items.len() > shown {
        ui.label(
            RichText::new(i18n.tr_args("wall-more-items", &[("n", (items.len() - shown).into())]))
                .size(size.note)
                .color(theme.text_dim),
        );
    }
}

fn row(ui: &mut Ui, item: &Item, now: i64, i18n: &I18n, theme: &Theme, size: &WallType) {
    let (tag, colour) = tag(item, i18n, theme);
    let name = match i18n.lang() {
        Lang::ZhCn => &item.name_zh,
        Lang::En => &item.name_en,
    };
    egui::Sides::new().shrink_left().truncate().show(
        ui,
        |ui| {
            ui.label(
                RichText::new(tag)
                    .size(size.label)
                    .strong()
                    .color(theme.background)
                    .background_color(colour),
            );
            ui.add(
                egui::Label::new(RichText::new(name).size(size.label).color(theme.text)).truncate(),
            );
        },
        |ui| {
            ui.label(
                RichText::new(figure(item, now, i18n))
                    .size(size.label)
                    .strong()
                    .color(colour),
            );
        },
    );
    ui.add_space(size.note * 0.4);
}

/// The item's kind in a word, and its colour.
fn tag(item: &Item, i18n: &I18n, theme: &Theme) -> (String, egui::Color32) {
    let (id, colour) = match item.kind {
        Kind::Decision { .. } if item.critical => ("wall-tag-critical", theme.danger),
        Kind::Decision { .. } => ("wall-tag-decide", theme.warn),
        Kind::HotLink { .. } => ("wall-tag-link", theme.danger),
        Kind::MetroBelow { .. } => ("wall-tag-metro", theme.warn),
        Kind::SilentAgent { .. } => ("wall-tag-agent", theme.warn),
        Kind::StaleSource { .. } => ("wall-tag-source", theme.danger),
    };
    (format!(" {} ", i18n.tr(id)), colour)
}

/// The figure that says how pressing it is.
fn figure(item: &Item, now: i64, i18n: &I18n) -> String {
    // Whole minutes left, rounded up: "1 min" in the last minute, never "0 min" while open.
    let minutes = |ms: i64| ((ms.max(0) + 59_999) / 60_000).to_string();
    match item.kind {
        Kind::Decision { expires_at, .. } => i18n.tr_args(
            "wall-expires-in",
            &[("min", minutes(expires_at - now).into())],
        ),
        Kind::HotLink { utilization } => format!("{} %", format::percent(utilization)),
        Kind::MetroBelow {
            coverage, change, ..
        } => i18n.tr_args(
            "wall-coverage-fell",
            &[
                ("pct", format::percent(coverage).into()),
                ("pts", format!("{:.1}", change * 100.0).into()),
            ],
        ),
        Kind::SilentAgent { last_proposal } => match last_proposal {
            Some(t) => i18n.tr_args(
                "wall-silent-since",
                &[("time", format::hour_minute(t).into())],
            ),
            None => i18n.tr("wall-silent"),
        },
        Kind::StaleSource { since } => match since {
            Some(t) => i18n.tr_args(
                "wall-stale-since",
                &[("time", format::hour_minute(t).into())],
            ),
            None => i18n.tr("wall-data-stale"),
        },
    }
}
