//! A frame of the console on the wall: the page of the playlist (or the "now" page, held while
//! something critical is open) filling the window in type sized for distance — no desktop
//! shell, no notices or windows that need a pointer — and the wall's other monitors.

use super::wall_pages::{self, WallFeeds};
use super::{ConsoleApp, audience};
use crate::state::attention;

impl ConsoleApp {
    pub(super) fn wall_frame(&mut self, ui: &mut egui::Ui, feeds: &mut WallFeeds) {
        let ctx = ui.ctx().clone();
        let now = self.state.now();
        let server_now = self.state.server_now(now).unwrap_or(0);
        let critical = attention::any_critical(&attention::attention(&self.state, server_now));
        let (page, dwell) = self.audience.wall_page(&ctx, critical);
        self.wall_page = Some(page);
        let commands = feeds.requests(&self.state);
        let central = egui::CentralPanel::default().show(ui, |ui| {
            wall_pages::show(ui, page, &self.state, &self.i18n, &self.theme, dwell);
        });
        // The last picture stays, greyed, while the data is not live.
        if self.state.is_stale(now) && self.state.world.is_some() {
            audience::dim_overlay(ui, central.response.rect, &self.theme);
        }
        for screen in &self.audience.screens {
            screen.follow(self.i18n.lang(), &self.theme);
            screen.show(&ctx);
        }
        self.send(commands);
        // The clock in the header shows minutes: one frame at the next minute, nothing sooner.
        if let Some(t) = self.state.server_now(now) {
            ctx.request_repaint_after(super::format::until_next_minute(t));
        }
        let ready = self.state.world.is_some()
            && (page != wall_pages::WallPage::Targets || self.state.progress.is_some())
            && (page != wall_pages::WallPage::Access || self.state.latency.summary.is_some());
        if let Some(job) = self.screenshot.as_mut() {
            job.frame(&ctx, ready);
        }
    }
}
