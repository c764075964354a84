//! Agents view: the action queue (sorted by urgency, with rationale, confidence, risk, impact,
//! policy and countdown; approve, reject, override within bounds, veto), the agents with their
//! autonomy levels and health, and the audit trail with filters and CSV export. Above the queue
//! and the agents list, a live activity timeline (one lane per agent group); beside the queue, a
//! small map of where the selected action acts. Emits `Command`s; never calls the network. Buttons a user may not press say why, with the backend's own rules
//! (`backend::decisions::availability`).

mod alert;
mod audit;
pub(crate) mod gateway_card;
mod gateway_list;
mod list;
mod queue;
/// The queue's action cards and decisions, also used by the factory profile's plant page.
pub use queue::QueueState;
mod target;
mod timeline;

use egui::RichText;

pub use self::alert::critical_banner;
use super::theme::Theme;
use crate::api::{ActionState, Policy, Risk, Role};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;

/// The three tabs of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Queue,
    Agents,
    Audit,
}

#[derive(Default)]
pub struct AgentsView {
    tab: Tab,
    queue: queue::QueueState,
    audit: audit::AuditState,
    audit_requested: bool,
    timeline: timeline::ActivityTimeline,
    map: target::TargetMap,
    /// Plant points asked for once, for the map of an industrial action's factory group.
    points_requested: bool,
    gateway_agents: gateway_list::GatewayAgents,
}

pub fn risk_id(risk: Risk) -> &'static str {
    match risk {
        Risk::Low => "risk-low",
        Risk::Medium => "risk-medium",
        Risk::High => "risk-high",
        Risk::Critical => "risk-critical",
        Risk::Unknown => "reliability-unknown",
    }
}

pub fn policy_id(policy: Policy) -> &'static str {
    match policy {
        Policy::AutoWithVeto => "policy-auto_with_veto",
        Policy::OneApproval => "policy-one_approval",
        Policy::TwoApprovals => "policy-two_approvals",
        Policy::Unknown => "reliability-unknown",
    }
}

pub fn state_id(state: ActionState) -> &'static str {
    match state {
        ActionState::Pending => "state-pending",
        ActionState::Executed => "state-executed",
        ActionState::Rejected => "state-rejected",
        ActionState::Vetoed => "state-vetoed",
        ActionState::Expired => "state-expired",
        ActionState::RolledBack => "state-rolled_back",
        ActionState::Approved => "state-approved",
        ActionState::Failed => "state-failed",
        ActionState::RollbackPending => "state-rollback_pending",
        ActionState::Unknown => "reliability-unknown",
    }
}

pub fn decision_id(decision: crate::api::Decision) -> &'static str {
    use crate::api::Decision;
    match decision {
        Decision::Approve => "decision-approve",
        Decision::Reject => "decision-reject",
        Decision::Override => "decision-override",
        Decision::Veto => "decision-veto",
    }
}

pub fn role_id(role: Role) -> &'static str {
    match role {
        Role::Viewer => "agents-role-viewer",
        Role::Regulator => "agents-role-regulator",
        Role::Operator => "agents-role-operator",
        Role::FactoryManager => "agents-role-factory_manager",
        Role::Admin => "agents-role-admin",
        Role::Agent => "agents-role-agent",
        Role::Source => "agents-role-source",
    }
}

fn risk_colour(risk: Risk, theme: &Theme) -> egui::Color32 {
    match risk {
        Risk::Low => theme.ok,
        Risk::Medium => theme.warn,
        Risk::High | Risk::Critical | Risk::Unknown => theme.danger,
    }
}

/// "Signed in as li.wei (Operator)", as the status bar and this view's header show it.
pub fn signed_in_text(state: &State, i18n: &I18n) -> String {
    match &state.hitl.me {
        Some(me) => i18n.tr_args(
            "agents-signed-in",
            &[
                ("name", me.name.clone().into()),
                ("role", i18n.tr(role_id(me.role)).into()),
            ],
        ),
        None => i18n.tr("agents-signed-in-unknown"),
    }
}

impl AgentsView {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        // Cards say when a gateway agent was last heard from: keep the list fresh while any is
        // in the queue.
        if state.open_actions().any(|a| {
            matches!(
                a.protocol,
                crate::api::Protocol::Rest | crate::api::Protocol::Mcp
            )
        }) {
            commands.extend(self.gateway_agents.refresh(state));
        }
        if !self.audit_requested && state.world.is_some() {
            self.audit_requested = true;
            commands.push(Command::FetchAudit { cursor: None });
        }
        ui.horizontal(|ui| {
            ui.heading(i18n.tr("agents-title"));
            ui.add_space(12.0);
            ui.label(RichText::new(signed_in_text(state, i18n)).color(theme.accent));
            if let Some(me) = &state.hitl.me
                && !me.factory_groups.is_empty()
            {
                ui.label(
                    RichText::new(i18n.tr_args(
                        "agents-scope",
                        &[("groups", me.factory_groups.join(", ").into())],
                    ))
                    .color(theme.text_dim),
                );
            }
        });
        ui.horizontal(|ui| {
            let open = state.open_actions().count();
            let agents = state.world.as_ref().map_or(0, |w| w.agents.len());
            for (tab, label) in [
                (
                    Tab::Queue,
                    i18n.tr_args("agents-tab-queue", &[("n", open.into())]),
                ),
                (
                    Tab::Agents,
                    i18n.tr_args("agents-tab-agents", &[("n", agents.into())]),
                ),
                (Tab::Audit, i18n.tr("agents-tab-audit")),
            ] {
                if crate::ui::wall::is_wall(ui) {
                    // The wall shows the counts as text (no pointer to switch tabs).
                    let text = RichText::new(label);
                    ui.label(if self.tab == tab { text.strong() } else { text });
                } else if ui.selectable_label(self.tab == tab, label).clicked() {
                    self.tab = tab;
                }
            }
        });
        if self.tab != Tab::Audit {
            self.timeline_ui(ui, state, i18n, theme);
        }
        ui.separator();
        match self.tab {
            Tab::Queue => {
                commands.extend(self.where_ui(ui, state, i18n, theme));
                commands.extend(self.queue.ui(ui, state, i18n, theme));
            }
            Tab::Agents => {
                commands.extend(self.gateway_agents.ui(ui, state, i18n, theme));
                ui.separator();
                list::agents_ui(ui, state, i18n, theme);
            }
            Tab::Audit => commands.extend(self.audit.ui(ui, state, i18n, theme)),
        }
        commands
    }
}

impl AgentsView {
    /// The activity timeline, collapsible; a click on a glyph selects its action in the queue.
    fn timeline_ui(&mut self, ui: &mut egui::Ui, state: &State, i18n: &I18n, theme: &Theme) {
        egui::CollapsingHeader::new(i18n.tr("agents-timeline"))
            .id_salt("agents_timeline")
            .default_open(true)
            .show(ui, |ui| {
                let clicked = self
                    .timeline
                    .ui(ui, state, self.queue.selected, i18n, theme);
                if let Some(id) = clicked {
                    self.queue.selected = Some(id);
                    self.queue.scroll_to_selected = true;
                    self.tab = Tab::Queue;
                }
            });
    }

    /// Beside the queue: where the selected action (or else the most urgent one) acts.
    fn where_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Option<Command> {
        if self
            .queue
            .selected
            .is_some_and(|id| !state.actions.contains_key(&id))
        {
            self.queue.selected = None;
        }
        let now_ms = state.server_now(state.now()).unwrap_or(0);
        let shown = match self.queue.selected {
            Some(id) => state.actions.get(&id),
            None => queue::open_by_urgency(state, now_ms).first().copied(),
        };
        let mut command = None;
        if shown.is_some_and(|a| a.industrial)
            && state.factory_points.is_none()
            && !self.points_requested
        {
            self.points_requested = true;
            command = Some(Command::FetchFactoryPoints(
                crate::api::FactoryQuery::default(),
            ));
        }
        egui::Panel::right("agents_where")
            .default_size(380.0)
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("agents_where_scroll")
                    .show(ui, |ui| {
                        self.where_contents_ui(ui, shown, state, i18n, theme)
                    });
            });
        command
    }

    fn where_contents_ui(
        &mut self,
        ui: &mut egui::Ui,
        shown: Option<&crate::api::Action>,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) {
        match shown {
            Some(action) => {
                if self.queue.selected.is_none() {
                    ui.label(
                        RichText::new(i18n.tr("agents-map-most-urgent"))
                            .color(theme.text_dim)
                            .small(),
                    );
                }
                ui.label(RichText::new(i18n.tr(state_id(action.state))).color(theme.text_dim));
                self.map.ui(ui, action, state, i18n, theme);
            }
            None => {
                let none = if crate::ui::wall::is_wall(ui) {
                    "audiences-wall-map-none"
                } else {
                    "agents-map-none"
                };
                ui.label(RichText::new(i18n.tr(none)).color(theme.text_dim));
            }
        }
    }
}
