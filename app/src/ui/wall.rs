//! The wall's moving parts: a playlist that moves on after each view's dwell time (asking for a
//! repaint at the next switch only), and the extra screens — one full-screen window per monitor
//! (an egui immediate viewport), each with its own playlist and its own view instances, drawing
//! the same `State`.

use std::time::Duration;

use super::View;
use super::theme::Theme;
use crate::client::Command;
use crate::i18n::I18n;
use crate::settings::{ScreenSettings, resolve_playlist};
use crate::state::State;

/// Where a playlist is: the entry on screen and since when (egui seconds).
#[derive(Debug, Default)]
pub struct Playlist {
    index: usize,
    since: Option<f64>,
}

impl Playlist {
    /// Back to the first entry.
    pub fn restart(&mut self) {
        *self = Self::default();
    }

    /// The view on screen now; moves on when its dwell time is over and asks for a repaint at
    /// the next switch (nothing sooner).
    pub fn current(&mut self, entries: &[(View, u64)], ctx: &egui::Context) -> View {
        let Some(&(first, _)) = entries.first() else {
            return View::Overview;
        };
        let now = ctx.input(|i| i.time);
        let since = *self.since.get_or_insert(now);
        self.index %= entries.len();
        let mut left = entries[self.index].1 as f64 - (now - since);
        if left <= 0.0 {
            self.index = (self.index + 1) % entries.len();
            self.since = Some(now);
            left = entries[self.index].1 as f64;
        }
        ctx.request_repaint_after(Duration::from_secs_f64(left.max(0.05)));
        entries.get(self.index).map_or(first, |e| e.0)
    }

    /// (position from 1, length).
    pub fn position(&self, len: usize) -> (usize, usize) {
        (self.index % len.max(1) + 1, len)
    }
}

/// Its own instance of every view, so two screens never share a map's pan or a table's scroll.
#[derive(Default)]
struct Views {
    overview: super::overview::OverviewView,
    latency: super::latency::LatencyView,
    factories: super::factories::FactoriesView,
    agents: super::agents::AgentsView,
    progress: super::progress::ProgressView,
}

/// One more wall screen on a monitor of its own.
pub struct WallScreen {
    id: egui::ViewportId,
    monitor: usize,
    entries: Vec<(View, u64)>,
    playlist: Playlist,
    views: Views,
}

impl WallScreen {
    pub fn new(n: usize, settings: &ScreenSettings) -> Self {
        Self {
            id: egui::ViewportId::from_hash_of(("tianshu_wall_screen", n)),
            monitor: settings.monitor,
            entries: resolve_playlist(&settings.playlist),
            playlist: Playlist::default(),
            views: Views::default(),
        }
    }

    /// Shows the screen's window (full screen on its monitor) and draws its current view;
    /// returns the view's commands.
    pub fn show(
        &mut self,
        ctx: &egui::Context,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
        pending: usize,
    ) -> Vec<Command> {
        let builder = egui::ViewportBuilder::default()
            .with_title(format!("{} · {}", i18n.tr("app-title"), self.monitor))
            .with_monitor(self.monitor)
            .with_fullscreen(true);
        ctx.show_viewport_immediate(self.id, builder, |ui, _class| {
            let ctx = ui.ctx().clone();
            let view = self.playlist.current(&self.entries, &ctx);
            let pos = self.playlist.position(self.entries.len());
            let now = state.now();
            super::audience::wall_top_bar(ui, i18n, theme, view, pos);
            super::shell::status_bar(ui, state, i18n, theme, now, pending);
            super::shell::stale_banner(ui, state, i18n, theme, now);
            let v = &mut self.views;
            let central = egui::CentralPanel::default().show(ui, |ui| match view {
                View::Overview => v.overview.ui(ui, state, i18n, theme),
                View::Latency => v.latency.ui(ui, state, i18n, theme),
                View::Factories => v.factories.ui(ui, state, i18n, theme).commands,
                View::Agents => v.agents.ui(ui, state, i18n, theme),
                View::Progress => v.progress.ui(ui, state, i18n, theme),
            });
            if state.is_stale(now) && state.world.is_some() {
                super::audience::dim_overlay(ui, central.response.rect, theme);
            }
            if state.is_stale(now) {
                ctx.request_repaint_after(Duration::from_secs(1));
            }
            central.inner
        })
    }
}
