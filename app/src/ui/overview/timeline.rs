//! The overview's clock: live, or replaying the last 24 simulated hours from the frames the
//! backend keeps (`/history`), with play/pause and a slider; "Live" returns to now.
//!
//! While playing it asks for its own frames (~30 per second) and stops asking when paused,
//! live, or not drawn.

use std::time::Duration;

use egui::RichText;
use tianshu_widgets::StatusPill;

use crate::api::{LoadFrame, UnixMs};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;
use crate::ui::format;
use crate::ui::theme::Theme;

/// Simulated time one real second of playback covers: the day in 24 seconds.
pub const PLAY_RATE: f64 = 3_600.0;
/// How far back the slider reaches, ms.
pub const SPAN_MS: i64 = 24 * 3_600_000;
/// Frame interval asked for while playing.
const PLAY_FRAME: Duration = Duration::from_millis(33);
/// History older than this (simulated ms behind the clock) is fetched again on entering replay.
const REFETCH_AFTER_MS: i64 = 30 * 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Replay {
    #[default]
    Live,
    At {
        t: UnixMs,
        playing: bool,
    },
}

impl Replay {
    pub fn is_live(self) -> bool {
        self == Replay::Live
    }

    /// The frame to draw while replaying (none when live or before the history arrives).
    pub fn frame(self, state: &State) -> Option<&LoadFrame> {
        match self {
            Replay::Live => None,
            Replay::At { t, .. } => state.overview.history.as_ref()?.frame_at(t),
        }
    }

    /// The time bar under the map. Returns the fetch to make, if any.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        now_sim: UnixMs,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        let history = state.overview.history.as_ref();
        let (first, last) = history
            .and_then(|h| Some((h.frames.first()?.sim_time, h.frames.last()?.sim_time)))
            .unwrap_or((now_sim - SPAN_MS, now_sim));
        let enter = |commands: &mut Vec<Command>| {
            let stale = history
                .and_then(|h| h.frames.last())
                .is_none_or(|f| now_sim - f.sim_time > REFETCH_AFTER_MS);
            if stale {
                commands.push(Command::FetchHistory {
                    from: None,
                    to: None,
                });
            }
        };
        // On the wall: the live pill and the clock, no replay controls (no pointer there).
        let wall = crate::ui::wall::is_wall(ui);
        ui.horizontal(|ui| {
            match *self {
                Replay::Live => {
                    ui.add(StatusPill::new(
                        i18n.tr("overview-live"),
                        theme.ok,
                        theme.background,
                    ));
                    if !wall
                        && ui
                            .button(i18n.tr("overview-replay"))
                            .on_hover_text(i18n.tr("overview-replay-hint"))
                            .clicked()
                    {
                        enter(&mut commands);
                        *self = Replay::At {
                            t: first.max(now_sim - SPAN_MS),
                            playing: true,
                        };
                    }
                }
                Replay::At { t, playing } => {
                    ui.add(StatusPill::new(
                        i18n.tr("overview-replaying"),
                        theme.warn,
                        theme.background,
                    ));
                    let label = if playing {
                        i18n.tr("overview-pause")
                    } else {
                        i18n.tr("overview-play")
                    };
                    if ui.button(label).clicked() {
                        let restart = !playing && t >= last;
                        *self = Replay::At {
                            t: if restart { first } else { t },
                            playing: !playing,
                        };
                    }
                    if ui.button(i18n.tr("overview-go-live")).clicked() {
                        *self = Replay::Live;
                    }
                }
            }
            let mut t = match *self {
                Replay::Live => now_sim,
                Replay::At { t, .. } => t,
            };
            let was = t;
            ui.spacing_mut().slider_width = (ui.available_width() - 260.0).max(120.0);
            let changed = !wall
                && ui
                    .add(
                        egui::Slider::new(&mut t, first..=last.max(first + 1))
                            .show_value(false)
                            .text(i18n.tr("overview-time")),
                    )
                    .changed();
            if changed && t != was {
                if self.is_live() {
                    enter(&mut commands);
                }
                *self = Replay::At { t, playing: false };
            }
            let shown = match *self {
                Replay::Live => now_sim,
                Replay::At { t, .. } => t,
            };
            ui.label(RichText::new(format::clock(shown)).monospace());
            if history.is_none() && !self.is_live() {
                ui.label(RichText::new(i18n.tr("overview-history-loading")).color(theme.text_dim));
            }
        });
        // Playback.
        if let Replay::At { t, playing: true } = *self
            && history.is_some()
        {
            let dt = f64::from(ui.input(|i| i.stable_dt).min(0.1));
            let next = t + (dt * PLAY_RATE * 1000.0) as i64;
            *self = if next >= last {
                Replay::At {
                    t: last,
                    playing: false,
                }
            } else {
                ui.ctx().request_repaint_after(PLAY_FRAME);
                Replay::At {
                    t: next,
                    playing: true,
                }
            };
        }
        commands
    }
}
