//! Every agent: name, kind, scope, autonomy level (TM Forum L0–L5) as a badge, what it proposed
//! and executed, and how many of its actions are open now.

use std::collections::BTreeMap;

use egui::RichText;
use tianshu_widgets::StatusPill;

use crate::api::{AgentScope, AutonomyLevel};
use crate::i18n::I18n;
use crate::state::State;
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
    let mut agents: Vec<_> = world.agents.iter().collect();
    agents.sort_by(|a, b| a.industrial.cmp(&b.industrial).then(a.id.cmp(&b.id)));
    let widths = [280.0, 90.0, 220.0, 60.0, 80.0, 80.0, 60.0];
    let header = [
        "agents-col-name",
        "agents-col-kind",
        "agents-col-scope",
        "agents-col-autonomy",
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
                        AutonomyLevel::L0 | AutonomyLevel::L1 => theme.text_dim,
                        AutonomyLevel::L2 | AutonomyLevel::L3 => theme.warn,
                        AutonomyLevel::L4 | AutonomyLevel::L5 => theme.ok,
                    };
                    ui.allocate_ui(egui::vec2(widths[3], ROW_HEIGHT), |ui| {
                        ui.add(StatusPill::new(
                            format!("{:?}", agent.autonomy),
                            fill,
                            theme.background,
                        ))
                        .on_hover_text(i18n.tr("agents-autonomy-hint"));
                    });
                    cell(ui, widths[4], agent.proposed.to_string());
                    cell(ui, widths[5], agent.executed.to_string());
                    cell(
                        ui,
                        widths[6],
                        open.get(agent.id.as_str())
                            .copied()
                            .unwrap_or(0)
                            .to_string(),
                    );
                });
            }
        });
}
