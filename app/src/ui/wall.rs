//! The wall's moving parts: a playlist that moves on after each view's dwell time (asking for a
//! repaint at the next switch only); the wall flag the views read to leave out what needs a
//! pointer; and the extra screens — one window per monitor, each an egui *deferred* viewport
//! with its own playlist, its own view instances, its own copy of the state and its own repaints.
//!
//! A screen's state is fed by the main window: every client event the main window folds is
//! queued (cloned) for each screen, and that screen alone is asked to repaint. The screens never
//! touch the network: what their pages need beyond the snapshot comes from the main window's
//! requests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::theme::Theme;
use super::wall_pages::{Dwell, WallPage, playlist};
use crate::client::ClientEvent;
use crate::i18n::{I18n, Lang};
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

    /// The entry on screen now; moves on when its dwell time is over and asks for a repaint at
    /// the next step of the dwell indicator (a twelfth of the dwell, at least 2 s) — nothing
    /// sooner. `fallback` when the list is empty.
    pub fn current<T: Copy>(
        &mut self,
        entries: &[(T, u64)],
        fallback: T,
        ctx: &egui::Context,
    ) -> T {
        if entries.is_empty() {
            return fallback;
        }
        let now = ctx.input(|i| i.time);
        let since = *self.since.get_or_insert(now);
        self.index %= entries.len();
        let mut left = entries[self.index].1 as f64 - (now - since);
        if left <= 0.0 {
            self.index = (self.index + 1) % entries.len();
            self.since = Some(now);
            left = entries[self.index].1 as f64;
        }
        let dwell = entries[self.index].1 as f64;
        let step = (dwell / 12.0).max(2.0);
        let to_step = step - ((dwell - left) % step);
        ctx.request_repaint_after(Duration::from_secs_f64(to_step.min(left).max(0.05)));
        entries[self.index].0
    }

    /// Share of the current entry's dwell time gone at `now` (egui seconds), 0..1, in the
    /// indicator's steps.
    pub fn gone<T>(&self, entries: &[(T, u64)], now: f64) -> f32 {
        let (Some(since), Some(entry)) =
            (self.since, entries.get(self.index % entries.len().max(1)))
        else {
            return 0.0;
        };
        let dwell = entry.1.max(1) as f64;
        let step = (dwell / 12.0).max(2.0);
        let gone = ((now - since) / step).floor() * step;
        (gone / dwell).clamp(0.0, 1.0) as f32
    }

    /// Holds the playlist where it is: the current entry starts its dwell again when released.
    pub fn hold(&mut self, now: f64) {
        self.since = Some(now);
    }

    /// (position from 1, length).
    pub fn position(&self, len: usize) -> (usize, usize) {
        (self.index % len.max(1) + 1, len)
    }
}

fn wall_flag_id() -> egui::Id {
    egui::Id::unique("tianshu_wall_profile")
}

/// Marks this frame as drawn for the wall (or not): views read it with [`is_wall`].
pub fn set_wall(ctx: &egui::Context, wall: bool) {
    ctx.data_mut(|d| d.insert_temp(wall_flag_id(), wall));
}

/// True on the wall: views leave out what needs a pointer (buttons, search boxes, filters,
/// sliders, check boxes) and show the state those controls would show instead.
pub fn is_wall(ui: &egui::Ui) -> bool {
    ui.ctx()
        .data(|d| d.get_temp::<bool>(wall_flag_id()))
        .unwrap_or(false)
}

/// Most client events queued for one screen between two of its frames; past that the oldest
/// are dropped and the screen starts again from the last snapshot (see `ScreenFeed::push`).
const MAX_QUEUED_EVENTS: usize = 20_000;

/// The window of screen `n`: its title, and either borderless full screen on its monitor or,
/// with `position` and `size`, exactly that rectangle of the desktop, undecorated.
pub fn screen_viewport(n: usize, screen: &ScreenSettings, title: &str) -> egui::ViewportBuilder {
    let builder = egui::ViewportBuilder::default().with_title(format!(
        "{title} · {} {}",
        n + 2,
        screen.monitor
    ));
    match (screen.position, screen.size) {
        (Some(pos), Some(size)) => builder
            .with_position(pos)
            .with_inner_size(size)
            .with_decorations(false),
        _ => builder.with_monitor(screen.monitor).with_fullscreen(true),
    }
}

/// What a screen's window draws from, behind one lock shared with the main window.
struct ScreenFeed {
    state: State,
    /// Events the main window folded and this screen has not yet.
    queue: VecDeque<ClientEvent>,
    /// The last snapshot seen, to start again from when the queue overflowed.
    resync: Option<ClientEvent>,
    /// Its own playlist of pages (the "now" page leads the main window's only).
    entries: Vec<(WallPage, u64)>,
    playlist: Playlist,
    i18n: I18n,
    theme: Theme,
}

impl ScreenFeed {
    fn push(&mut self, event: &ClientEvent) {
        if matches!(event, ClientEvent::Snapshot(_)) {
            self.resync = Some(event.clone());
        }
        if self.queue.len() >= MAX_QUEUED_EVENTS {
            // The screen fell far behind (it draws only when shown): start over from the last
            // snapshot; the views fetch again what they miss.
            self.queue.clear();
            self.queue.extend(self.resync.clone());
            if matches!(event, ClientEvent::Snapshot(_)) {
                return;
            }
        }
        self.queue.push_back(event.clone());
    }

    fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        let now = self.state.now();
        while let Some(event) = self.queue.pop_front() {
            self.state.apply(event, now);
        }
        set_wall(&ctx, true);
        let page = self
            .playlist
            .current(&self.entries, WallPage::Backbone, &ctx);
        let (position, len) = self.playlist.position(self.entries.len());
        let dwell = Dwell {
            position,
            len,
            gone: self.playlist.gone(&self.entries, ctx.input(|i| i.time)),
            held: false,
        };
        let (state, i18n, theme) = (&self.state, &self.i18n, &self.theme);
        // What the pages need beyond the snapshot reaches this screen from the main window's
        // requests (every event it folds is queued here too).
        let central = egui::CentralPanel::default().show(ui, |ui| {
            super::wall_pages::show(ui, page, state, i18n, theme, dwell);
        });
        if state.is_stale(now) && state.world.is_some() {
            super::audience::dim_overlay(ui, central.response.rect, theme);
        }
        if let Some(t) = state.server_now(now) {
            ctx.request_repaint_after(super::format::until_next_minute(t));
        }
    }
}

/// One more wall screen on a monitor of its own.
pub struct WallScreen {
    id: egui::ViewportId,
    builder: egui::ViewportBuilder,
    feed: Arc<Mutex<ScreenFeed>>,
}

impl WallScreen {
    /// Screen `n` of the settings; `main` is the main window's state (its clock and backend
    /// are copied), `last_snapshot` the snapshot to start from when the wall is switched on
    /// after data came.
    pub fn new(
        n: usize,
        settings: &ScreenSettings,
        main: &State,
        last_snapshot: Option<&ClientEvent>,
        lang: Lang,
        theme: &Theme,
    ) -> Self {
        let i18n = I18n::new(lang);
        let builder = screen_viewport(n, settings, &i18n.tr("app-title"));
        let mut state = State::new(main.backend_url.clone());
        if main.clock_frozen() {
            state.freeze_clock(main.now());
        }
        let mut feed = ScreenFeed {
            state,
            queue: VecDeque::new(),
            resync: None,
            entries: playlist(&resolve_playlist(&settings.playlist), 0),
            playlist: Playlist::default(),
            i18n,
            theme: theme.clone(),
        };
        feed.push(&ClientEvent::Connection(main.connection.clone()));
        if let Some(snapshot) = last_snapshot {
            feed.push(snapshot);
        }
        Self {
            id: egui::ViewportId::from_hash_of(("tianshu_wall_screen", n)),
            builder,
            feed: Arc::new(Mutex::new(feed)),
        }
    }

    pub fn viewport_id(&self) -> egui::ViewportId {
        self.id
    }

    /// Queues an event the main window folded; the caller asks this screen to repaint.
    pub fn push(&self, event: &ClientEvent) {
        self.feed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event);
    }

    /// Follows the main window's language and theme.
    pub fn follow(&self, lang: Lang, theme: &Theme) {
        let mut feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
        if feed.i18n.lang() != lang {
            feed.i18n.set_lang(lang);
        }
        if feed.theme.name != theme.name {
            feed.theme = theme.clone();
        }
    }

    /// Keeps the screen's window open this frame. egui calls its drawing on its own schedule
    /// (a deferred viewport: it repaints when its data or its playlist say so, not with the
    /// main window); embedded in the main window where the backend has one window only.
    pub fn show(&self, ctx: &egui::Context) {
        let feed = Arc::clone(&self.feed);
        ctx.show_viewport_deferred(self.id, self.builder.clone(), move |ui, _class| {
            feed.lock().unwrap_or_else(PoisonError::into_inner).ui(ui);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::PlaylistEntry;
    use crate::ui::View;

    #[test]
    fn a_screen_on_a_monitor_goes_full_screen_there_with_its_own_title() {
        let screen = ScreenSettings::on_monitor(2, vec![PlaylistEntry::new(View::Agents, 20)]);
        let b = screen_viewport(0, &screen, "Tianshu");
        assert_eq!(b.monitor, Some(2));
        assert_eq!(b.fullscreen, Some(true));
        assert_eq!(b.title.as_deref(), Some("Tianshu · 2 2"));
        assert_eq!(b.position, None);
    }

    #[test]
    fn a_screen_with_a_rectangle_covers_exactly_it_undecorated() {
        let screen = ScreenSettings {
            monitor: 0,
            position: Some([3840.0, 0.0]),
            size: Some([3840.0, 2160.0]),
            playlist: vec![PlaylistEntry::new(View::Latency, 20)],
        };
        let b = screen_viewport(1, &screen, "Tianshu");
        assert_eq!(b.position, Some(egui::pos2(3840.0, 0.0)));
        assert_eq!(b.inner_size, Some(egui::vec2(3840.0, 2160.0)));
        assert_eq!(b.decorations, Some(false));
        assert_eq!(b.fullscreen, None);
        assert_eq!(b.monitor, None);
        assert_eq!(b.title.as_deref(), Some("Tianshu · 3 0"));
    }

    #[test]
    fn a_screen_that_falls_behind_starts_again_from_the_last_snapshot() {
        let main = State::new("http://127.0.0.1:9");
        let theme = Theme::built_in("noc-dark").unwrap();
        let screen = WallScreen::new(
            0,
            &ScreenSettings::on_monitor(1, Vec::new()),
            &main,
            None,
            Lang::En,
            &theme,
        );
        let connected = ClientEvent::Connection(crate::client::ConnectionState::Connected);
        for _ in 0..MAX_QUEUED_EVENTS + 10 {
            screen.push(&connected);
        }
        let feed = screen.feed.lock().unwrap();
        assert!(feed.queue.len() <= MAX_QUEUED_EVENTS, "bounded");
        // The playlist falls back to the overview's page when the settings list none; the "now"
        // page leads the main window's playlist only.
        assert_eq!(feed.entries, vec![(WallPage::Backbone, 60)]);
    }
}
