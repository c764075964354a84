//! The frame around every view: top bar (title, navigation, language), status bar (backend,
//! connection, SIMULATED badge, clocks, event rate), the stale-data banner and notices.

use std::time::Instant;

use egui::{Align, Layout, RichText};
use tianshu_widgets::StatusPill;

use super::View;
use super::format;
use super::provenance;
use super::theme::Theme;
use crate::client::ConnectionState;
use crate::i18n::I18n;
use crate::state::{NoticeKind, State};

#[derive(Debug, Default)]
pub struct TopBarOut {
    pub toggle_language: bool,
    pub open_settings: bool,
}

pub fn top_bar(ui: &mut egui::Ui, i18n: &I18n, theme: &Theme, view: &mut View) -> TopBarOut {
    let mut out = TopBarOut::default();
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.add_space(4.0);
            ui.label(
                RichText::new(i18n.tr("app-title"))
                    .text_style(egui::TextStyle::Heading)
                    .color(theme.accent)
                    .strong(),
            );
            ui.add_space(16.0);
            for v in View::ALL {
                let label =
                    RichText::new(i18n.tr(v.label_id())).text_style(egui::TextStyle::Heading);
                if ui.selectable_label(*view == v, label).clicked() {
                    *view = v;
                }
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui.button(i18n.tr("settings-open")).clicked() {
                    out.open_settings = true;
                }
                if ui
                    .button(i18n.tr("lang-toggle"))
                    .on_hover_text(i18n.tr("lang-toggle-hint"))
                    .clicked()
                {
                    out.toggle_language = true;
                }
                ui.label(RichText::new(i18n.tr("app-subtitle")).color(theme.text_dim));
            });
        });
    });
    out
}

/// What the status bar asks of the app.
#[derive(Debug, Default)]
pub struct StatusOut {
    /// The sources window was asked for (the SIMULATED badge, a stale pill, "Sources").
    pub open_sources: bool,
}

/// `pending`: open actions the viewer may see (a plant's own in the factory profile).
pub fn status_bar(
    ui: &mut egui::Ui,
    state: &State,
    i18n: &I18n,
    theme: &Theme,
    now: Instant,
    pending: usize,
) -> StatusOut {
    let mut out = StatusOut::default();
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        // The clocks on the right are laid out first; what does not fit on the left is cut
        // short (never drawn under them).
        egui::Sides::new().shrink_left().truncate().show(
            ui,
            |ui| {
                if let Some(world) = &state.world {
                    let hint = if world.simulated_parts.is_empty() {
                        i18n.tr("simulated-hint")
                    } else {
                        i18n.tr_args(
                            "simulated-parts-hint",
                            &[(
                                "parts",
                                provenance::simulated_parts_text(&world.simulated_parts, i18n)
                                    .into(),
                            )],
                        )
                    };
                    let badge = match provenance::badge(world) {
                        provenance::Badge::Simulated => Some(i18n.tr("simulated-badge")),
                        provenance::Badge::PartlySimulated => {
                            Some(i18n.tr("simulated-partly-badge"))
                        }
                        provenance::Badge::None => None,
                    };
                    if let Some(text) = badge {
                        let pill = ui
                            .add(
                                StatusPill::new(text, theme.simulated_fill, theme.simulated_text)
                                    .sense(egui::Sense::click()),
                            )
                            .on_hover_text(hint);
                        if pill.clicked() {
                            out.open_sources = true;
                        }
                    }
                    let stale = provenance::stale_sources(world);
                    if !stale.is_empty() {
                        let names: Vec<&str> = stale.iter().map(|s| s.id.as_str()).collect();
                        let pill = ui
                            .add(
                                StatusPill::new(
                                    i18n.tr_args(
                                        "sources-stale-pill",
                                        &[("count", stale.len().into())],
                                    ),
                                    theme.danger,
                                    theme.background,
                                )
                                .sense(egui::Sense::click()),
                            )
                            .on_hover_text(names.join(", "));
                        if pill.clicked() {
                            out.open_sources = true;
                        }
                    }
                    if world.sources.len() > 1
                        && ui
                            .small_button(i18n.tr("sources-open"))
                            .on_hover_text(i18n.tr("sources-open-hint"))
                            .clicked()
                    {
                        out.open_sources = true;
                    }
                }
                // The reason of a reconnect goes to the hover: the bar stays one short line.
                let (text, colour, why) = match &state.connection {
                    ConnectionState::Connecting => (i18n.tr("conn-connecting"), theme.warn, None),
                    ConnectionState::Connected => (i18n.tr("conn-connected"), theme.ok, None),
                    ConnectionState::Reconnecting {
                        attempt,
                        retry_in,
                        reason,
                    } => (
                        i18n.tr_args(
                            "conn-reconnecting-short",
                            &[
                                ("attempt", (*attempt).into()),
                                ("secs", format!("{:.1}", retry_in.as_secs_f32()).into()),
                            ],
                        ),
                        theme.danger,
                        Some(reason.clone()),
                    ),
                };
                let pill = ui.add(StatusPill::new(text, colour, theme.background));
                if let Some(why) = why {
                    pill.on_hover_text(why);
                }
                ui.label(
                    RichText::new(i18n.tr_args("status-pending", &[("count", pending.into())]))
                        .color(if pending > 0 {
                            theme.warn
                        } else {
                            theme.text_dim
                        })
                        .strong(),
                );
                ui.label(
                    RichText::new(i18n.tr_args(
                        "status-backend",
                        &[("url", state.backend_url.clone().into())],
                    ))
                    .color(theme.text_dim),
                );
                if state.hitl.me.is_some() {
                    ui.separator();
                    ui.label(super::agents::signed_in_text(state, i18n));
                }
            },
            |ui| {
                ui.label(i18n.tr_args(
                    "event-rate",
                    &[(
                        "rate",
                        format!("{:.1}", state.event_rate.per_second(now)).into(),
                    )],
                ));
                ui.separator();
                if let Some(world) = &state.world {
                    ui.label(i18n.tr_args(
                        "sim-clock",
                        &[
                            ("time", format::clock(world.sim_time).into()),
                            ("speed", format!("{}", world.sim_speed).into()),
                        ],
                    ));
                    ui.separator();
                }
                if let Some(server) = state.server_now(now) {
                    // Minutes only, so an idle console draws one frame a minute to keep the
                    // clock true (a wall's clock must never stand still).
                    ui.label(i18n.tr_args(
                        "server-clock",
                        &[("time", format::hour_minute(server).into())],
                    ));
                    ui.ctx()
                        .request_repaint_after(format::until_next_minute(server));
                }
            },
        );
    });
    out
}

/// A full-width red band that no one can miss while the data is not live.
pub fn stale_banner(ui: &mut egui::Ui, state: &State, i18n: &I18n, theme: &Theme, now: Instant) {
    if !state.is_stale(now) {
        return;
    }
    let text = match state.data_age(now) {
        Some(age) => i18n.tr_args("stale-banner", &[("age", age.as_secs().into())]),
        None => i18n.tr_args(
            "stale-banner-nodata",
            &[("url", state.backend_url.clone().into())],
        ),
    };
    // Since when, on the server's clock: the time of the last data that arrived.
    let since = state
        .server_time
        .filter(|_| state.last_data_at.is_some())
        .map(|(t, _)| i18n.tr_args("stale-since", &[("time", format::time_of_day(t).into())]));
    egui::Panel::top("stale_banner")
        .frame(egui::Frame::new().fill(theme.stale_fill).inner_margin(10.0))
        .show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.label(
                    RichText::new(text)
                        .text_style(egui::TextStyle::Heading)
                        .color(theme.stale_text)
                        .strong(),
                );
                if let Some(since) = since {
                    ui.label(RichText::new(since).color(theme.stale_text));
                }
            });
        });
}

pub fn notices(ui: &mut egui::Ui, state: &mut State, i18n: &I18n, theme: &Theme) {
    if state.notices.is_empty() {
        return;
    }
    let mut dismiss = None;
    egui::Panel::top("notices").show(ui, |ui| {
        for (i, notice) in state.notices.iter().enumerate().rev().take(3) {
            ui.horizontal(|ui| {
                let headline = match &notice.kind {
                    NoticeKind::DecisionFailed { action_id } => {
                        i18n.tr_args("notice-decision-failed", &[("id", (*action_id).into())])
                    }
                    NoticeKind::DecisionUnconfirmed { action_id } => i18n.tr_args(
                        "reliability-decision-unconfirmed",
                        &[("id", (*action_id).into())],
                    ),
                    NoticeKind::RequestFailed(what) => {
                        let what = i18n.tr(match what {
                            crate::client::RequestKind::MetroLatency => "request-metro",
                            crate::client::RequestKind::History => "overview-request-history",
                            crate::client::RequestKind::ActivityPast => "agents-request-past",
                            crate::client::RequestKind::FactorySearch => "overview-request-search",
                            crate::client::RequestKind::LatencySummary => "latency-request-summary",
                            crate::client::RequestKind::WhatIf => "latency-request-whatif",
                            crate::client::RequestKind::Factories => "request-factories",
                            crate::client::RequestKind::Progress => "request-progress",
                            crate::client::RequestKind::Audit => "request-audit",
                            crate::client::RequestKind::GatewayAgents => "request-gateway-agents",
                        });
                        i18n.tr_args("notice-request-failed", &[("what", what.into())])
                    }
                };
                ui.label(RichText::new(headline).color(theme.danger).strong());
                ui.label(RichText::new(&notice.detail).color(theme.text_dim));
                if !super::wall::is_wall(ui) && ui.small_button(i18n.tr("notice-dismiss")).clicked()
                {
                    dismiss = Some(i);
                }
            });
        }
    });
    if let Some(i) = dismiss {
        state.notices.remove(i);
    }
}
