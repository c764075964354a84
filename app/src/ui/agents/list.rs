//! Every agent: name, kind, scope, autonomy level (TM Forum L0–L5) as a badge, its health
//! (healthy, degraded, silent — the rule is in `state::activity`), its latest proposal, what it
//! proposed and executed, and how many of its actions are open now.

use std::collections::BTreeMap;

use egui::RichText;
use tianshu_widgets::StatusPill;

use crate::api::{AgentScope, AutonomyLevel};
use crate::i18n::I18n;
use crate::state::{AgentHealth, State, agent_activity};
use crate::ui::format;
use crate::ui::theme::Theme;

const ROW_HEIGHT: f32 = 22.0;

pub fn agents_ui(ui: &mut egui::Ui, state: &State, i18n: &I18n, theme: &Theme) {
    let Some(world) = &state.world else {
        return;
    };
    let mut open: BTreeMap<&str, usize> = BTreeMap::new();
    for a in state.open_actions() {
        *open.entry(a.agent_id.as_str()).or_default() += 1;
    }
    let now_ms = state.server_now(state.now()).unwrap_or(world.sim_time);
    let activity = agent_activity(&state.activity, &world.agents, now_ms, world.sim_speed);
    let rule = i18n.tr_args(
        "agents-health-rule",
        &[("hours", crate::state::SILENT_WINDOW_SIM_HOURS.into())],
    );
    ui.horizontal_wrapped(|ui| {
        for health in [
            AgentHealth::Healthy,
            AgentHealth::Degraded,
            AgentHealth::Silent,
        ] {
            let n = activity.values().filter(|a| a.health == health).count();
            ui.add(StatusPill::new(
                format!("{} {n}", i18n.tr(health_id(health))),
                health_colour(health, theme),
                theme.background,
            ))
            .on_hover_text(rule.clone());
        }
        ui.label(RichText::new(rule.clone()).color(theme.text_dim).small());
    });
    let mut agents: Vec<_> = world.agents.iter().collect();
    agents.sort_by(|a, b| a.industrial.cmp(&b.industrial).then(a.id.cmp(&b.id)));
    let widths = [280.0, 90.0, 220.0, 60.0, 90.0, 90.0, 80.0, 80.0, 60.0];
    let header = [
        "agents-col-name",
        "agents-col-kind",
        "agents-col-scope",
        "agents-col-autonomy",
        "agents-col-health",
        "agents-col-last-proposal",
        "agents-col-proposed",
        "agents-col-executed",
        "agents-col-open",
    ];
    ui.horizontal(|ui| {
        for (id, w) in header.iter().zip(widths) {
            ui.add_sized(
                [w, ROW_HEIGHT],
                egui::Label::new(RichText::new(i18n.tr(id)).color(theme.text_dim)),
            );
        }
    });
    egui::ScrollArea::vertical()
        .id_salt("agents_list")
        .show_rows(ui, ROW_HEIGHT, agents.len(), |ui, rows| {
            for agent in &agents[rows] {
                ui.horizontal(|ui| {
                    let cell = |ui: &mut egui::Ui, w: f32, text: String| {
                        ui.add_sized([w, ROW_HEIGHT], egui::Label::new(text).truncate());
                    };
                    cell(
                        ui,
                        widths[0],
                        i18n.pick(&agent.name_en, &agent.name_zh).to_owned(),
                    );
                    cell(
                        ui,
                        widths[1],
                        i18n.tr(if agent.industrial {
                            "agents-kind-industrial"
                        } else {
                            "agents-kind-network"
                        }),
                    );
                    let scope = match &agent.scope {
                        AgentScope::Hub(id) => {
                            i18n.tr_args("agents-scope-hub", &[("id", id.clone().into())])
                        }
                        AgentScope::Backbone => i18n.tr("agents-scope-backbone"),
                        AgentScope::Metro(id) => {
                            i18n.tr_args("agents-scope-metro", &[("id", id.clone().into())])
                        }
                        AgentScope::FactoryGroup(id) => {
                            i18n.tr_args("agents-scope-factories", &[("id", id.clone().into())])
                        }
                    };
                    cell(ui, widths[2], scope);
                    let fill = match agent.autonomy {
                        AutonomyLevel::L0 | AutonomyLevel::L1 | AutonomyLevel::Unknown => {
                            theme.text_dim
                        }
                        AutonomyLevel::L2 | AutonomyLevel::L3 => theme.warn,
                        AutonomyLevel::L4 | AutonomyLevel::L5 => theme.ok,
                    };
                    pill_cell(ui, widths[3], |ui| {
                        ui.add(StatusPill::new(
                            format!("{:?}", agent.autonomy),
                            fill,
                            theme.background,
                        ))
                        .on_hover_text(i18n.tr("agents-autonomy-hint"));
                    });
                    let mine = activity.get(&agent.id).copied().unwrap_or_default();
                    pill_cell(ui, widths[4], |ui| {
                        ui.add(StatusPill::new(
                            i18n.tr(health_id(mine.health)),
                            health_colour(mine.health, theme),
                            theme.background,
                        ))
                        .on_hover_text(i18n.tr_args(
                            "agents-health-detail",
                            &[
                                ("proposals", mine.proposals_in_window.into()),
                                ("hours", crate::state::SILENT_WINDOW_SIM_HOURS.into()),
                                ("refused", mine.refused.into()),
                                ("decided", mine.decided.into()),
                            ],
                        ));
                    });
                    cell(
                        ui,
                        widths[5],
                        mine.last_proposal
                            .map_or_else(|| "—".to_owned(), format::time_of_day),
                    );
                    cell(ui, widths[6], agent.proposed.to_string());
                    cell(ui, widths[7], agent.executed.to_string());
                    cell(
                        ui,
                        widths[8],
                        open.get(agent.id.as_str())
                            .copied()
                            .unwrap_or(0)
                            .to_string(),
                    );
                });
            }
        });
}

pub fn health_id(health: AgentHealth) -> &'static str {
    match health {
        AgentHealth::Healthy => "agents-health-healthy",
        AgentHealth::Degraded => "agents-health-degraded",
        AgentHealth::Silent => "agents-health-silent",
    }
}

fn health_colour(health: AgentHealth, theme: &Theme) -> egui::Color32 {
    match health {
        AgentHealth::Healthy => theme.ok,
        AgentHealth::Degraded => theme.danger,
        AgentHealth::Silent => theme.warn,
    }
}

/// A cell of exactly `width` with its pill centred, so the columns line up with the header.
fn pill_cell(ui: &mut egui::Ui, width: f32, add: impl FnOnce(&mut egui::Ui)) {
    let layout =
        egui::Layout::left_to_right(egui::Align::Center).with_main_align(egui::Align::Center);
    ui.allocate_ui_with_layout(egui::vec2(width, ROW_HEIGHT), layout, |ui| {
        ui.set_min_size(egui::vec2(width, ROW_HEIGHT));
        add(ui);
    });
}
