//! Agents view: the action queue (sorted by urgency, with rationale, confidence, risk, impact,
//! policy and countdown; approve, reject, override within bounds, veto), the agents with their
//! autonomy levels, and the audit trail with filters and CSV export. Emits `Command`s; never calls
//! the network. Buttons a user may not press say why, with the backend's own rules
//! (`backend::decisions::availability`).

mod alert;
mod audit;
mod list;
mod queue;

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
}

pub fn risk_id(risk: Risk) -> &'static str {
    match risk {
        Risk::Low => "risk-low",
        Risk::Medium => "risk-medium",
        Risk::High => "risk-high",
        Risk::Critical => "risk-critical",
    }
}

pub fn policy_id(policy: Policy) -> &'static str {
    match policy {
        Policy::AutoWithVeto => "policy-auto_with_veto",
        Policy::OneApproval => "policy-one_approval",
        Policy::TwoApprovals => "policy-two_approvals",
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
    }
}

fn risk_colour(risk: Risk, theme: &Theme) -> egui::Color32 {
    match risk {
        Risk::Low => theme.ok,
        Risk::Medium => theme.warn,
        Risk::High | Risk::Critical => theme.danger,
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
                if ui.selectable_label(self.tab == tab, label).clicked() {
                    self.tab = tab;
                }
            }
        });
        ui.separator();
        match self.tab {
            Tab::Queue => commands.extend(self.queue.ui(ui, state, i18n, theme)),
            Tab::Agents => list::agents_ui(ui, state, i18n, theme),
            Tab::Audit => commands.extend(self.audit.ui(ui, state, i18n, theme)),
        }
        commands
    }
}
