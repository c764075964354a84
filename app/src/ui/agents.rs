//! Agents view: actions awaiting a decision (approve, reject, veto with a reason), recently
//! closed actions and the audit trail. Emits `Command::Decide`; never calls the network.

use std::collections::BTreeMap;

use egui::{RichText, ScrollArea};

use super::format;
use super::theme::Theme;
use crate::api::{Action, ActionState, Decision, DecisionRequest, Policy, Risk};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;

#[derive(Default)]
pub struct AgentsView {
    /// Reason typed per action, kept until the decision is sent.
    reasons: BTreeMap<u64, String>,
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
    }
}

fn decision_id(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "decision-approve",
        Decision::Reject => "decision-reject",
        Decision::Override => "decision-override",
        Decision::Veto => "decision-veto",
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
        self.reasons
            .retain(|id, _| state.actions.get(id).is_some_and(|a| a.state.is_open()));
        if !self.audit_requested && state.world.is_some() {
            self.audit_requested = true;
            commands.push(Command::FetchAudit { cursor: None });
        }
        ui.heading(i18n.tr("agents-title"));
        if let Some(world) = &state.world {
            let industrial = world.agents.iter().filter(|a| a.industrial).count();
            ui.label(i18n.tr_args(
                "agents-count",
                &[
                    ("network", (world.agents.len() - industrial).into()),
                    ("industrial", industrial.into()),
                ],
            ));
        }
        ui.separator();
        let now_ms = state.server_now(std::time::Instant::now()).unwrap_or(0);
        ui.columns(2, |cols| {
            cols[0].label(RichText::new(i18n.tr("agents-pending")).strong());
            ScrollArea::vertical()
                .id_salt("pending")
                .show(&mut cols[0], |ui| {
                    let open: Vec<&Action> = state.open_actions().collect();
                    if open.is_empty() {
                        ui.label(RichText::new(i18n.tr("agents-none")).color(theme.text_dim));
                    }
                    for action in open.into_iter().rev() {
                        if let Some(c) = self.action_card(ui, action, state, i18n, theme, now_ms) {
                            commands.push(c);
                        }
                    }
                });
            audit_ui(&mut cols[1], state, i18n, theme);
        });
        commands
    }

    fn action_card(
        &mut self,
        ui: &mut egui::Ui,
        action: &Action,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
        now_ms: i64,
    ) -> Option<Command> {
        let mut command = None;
        egui::Frame::group(ui.style())
            .fill(theme.panel_alt)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    ui.label(RichText::new(format!("#{}", action.id)).color(theme.text_dim));
                    ui.label(
                        RichText::new(i18n.pick(&action.summary_en, &action.summary_zh)).strong(),
                    );
                });
                ui.label(
                    RichText::new(i18n.pick(&action.rationale_en, &action.rationale_zh))
                        .color(theme.text_dim),
                );
                ui.label(i18n.pick(&action.predicted_impact_en, &action.predicted_impact_zh));
                ui.horizontal_wrapped(|ui| {
                    let risk_colour = match action.risk {
                        Risk::Low => theme.ok,
                        Risk::Medium => theme.warn,
                        Risk::High | Risk::Critical => theme.danger,
                    };
                    ui.label(
                        RichText::new(format!(
                            "{}: {}",
                            i18n.tr("col-risk"),
                            i18n.tr(risk_id(action.risk))
                        ))
                        .color(risk_colour),
                    );
                    ui.label(format!("· {}", i18n.tr(policy_id(action.policy))));
                    ui.label(format!(
                        "· {}",
                        i18n.tr_args(
                            "action-confidence",
                            &[("pct", format!("{:.0}", action.confidence * 100.0).into())]
                        )
                    ));
                    if action.policy == Policy::TwoApprovals {
                        ui.label(format!(
                            "· {}",
                            i18n.tr_args(
                                "action-approvals",
                                &[("have", action.approvals.len().into()), ("need", 2.into())]
                            )
                        ));
                    }
                    let secs = ((action.expires_at - now_ms) / 1000).max(0);
                    ui.label(format!(
                        "· {}",
                        i18n.tr_args("action-expires", &[("secs", secs.into())])
                    ));
                });
                if let Some(flight) = state.decision_in_flight(action.id) {
                    let what = i18n.tr(decision_id(flight.decision));
                    ui.label(
                        RichText::new(i18n.tr_args("action-sending", &[("decision", what.into())]))
                            .color(theme.accent),
                    );
                    return;
                }
                let reason = self.reasons.entry(action.id).or_default();
                ui.add(
                    egui::TextEdit::singleline(reason)
                        .hint_text(i18n.tr("action-reason-hint"))
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(ui.label(i18n.tr("action-reason")).id);
                let has_reason = !reason.trim().is_empty();
                ui.horizontal(|ui| {
                    let mut decide = |decision: Decision| {
                        command = Some(Command::Decide {
                            action_id: action.id,
                            request: DecisionRequest {
                                decision,
                                params: None,
                                reason: reason.trim().to_owned(),
                                expected_version: action.version,
                                idempotency_key: uuid::Uuid::new_v4().to_string(),
                            },
                        });
                    };
                    if action.policy == Policy::AutoWithVeto
                        && ui
                            .add_enabled(has_reason, egui::Button::new(i18n.tr("action-veto")))
                            .clicked()
                    {
                        decide(Decision::Veto);
                    }
                    if ui
                        .add_enabled(has_reason, egui::Button::new(i18n.tr("action-approve")))
                        .clicked()
                    {
                        decide(Decision::Approve);
                    }
                    if ui
                        .add_enabled(has_reason, egui::Button::new(i18n.tr("action-reject")))
                        .clicked()
                    {
                        decide(Decision::Reject);
                    }
                });
            });
        if command.is_some() {
            self.reasons.remove(&action.id);
        }
        ui.add_space(6.0);
        command
    }
}

fn audit_ui(ui: &mut egui::Ui, state: &State, i18n: &I18n, theme: &Theme) {
    ui.label(RichText::new(i18n.tr("agents-audit")).strong());
    ScrollArea::vertical().id_salt("audit").show(ui, |ui| {
        egui::Grid::new("audit_grid").striped(true).show(ui, |ui| {
            for id in [
                "col-time",
                "col-action",
                "col-event",
                "col-actor",
                "col-state",
                "col-reason",
            ] {
                ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
            }
            ui.end_row();
            for entry in state.audit.iter().rev().take(200) {
                ui.label(format::time_of_day(entry.at));
                ui.label(format!("#{}", entry.action_id));
                ui.label(i18n.tr(&format!("event-{}", entry.event)));
                ui.label(format!("{} ({})", entry.actor, entry.role));
                ui.label(i18n.tr(state_id(entry.to_state)));
                ui.label(&entry.reason);
                ui.end_row();
            }
        });
    });
}
