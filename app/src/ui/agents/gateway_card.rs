//! What an action from the agent gateway adds to its queue card: how it arrived (REST or MCP)
//! and under which kind, whose turn it is after the decision (the agent's outcome or rollback),
//! the evidence, and the predicted effect beside the measured one.

use egui::RichText;

use crate::api::{Action, ActionState, OutcomeStatus, Protocol};
use crate::i18n::I18n;
use crate::ui::theme::Theme;

fn protocol_id(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Simulator => "protocol-simulator",
        Protocol::Rest => "protocol-rest",
        Protocol::Mcp => "protocol-mcp",
        Protocol::Unknown => "reliability-unknown",
    }
}

fn outcome_id(status: OutcomeStatus) -> &'static str {
    match status {
        OutcomeStatus::Executing => "outcome-executing",
        OutcomeStatus::Executed => "outcome-executed",
        OutcomeStatus::Failed => "outcome-failed",
        OutcomeStatus::RolledBack => "outcome-rolled_back",
    }
}

/// Draws the gateway's part of a card; nothing for the simulator's own actions.
pub fn gateway_ui(
    ui: &mut egui::Ui,
    action: &Action,
    state: &crate::state::State,
    i18n: &I18n,
    theme: &Theme,
) {
    if action.protocol == Protocol::Simulator && !action.awaits_outcome {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(i18n.tr_args(
                "agents-via",
                &[
                    ("protocol", i18n.tr(protocol_id(action.protocol)).into()),
                    ("kind", action.kind_label().into()),
                ],
            ))
            .color(theme.text_dim),
        );
        // When an agent of the gateway was last heard from, and whether it has gone silent.
        let known = state
            .gateway_agents
            .as_ref()
            .and_then(|list| list.iter().find(|a| a.agent_id == action.agent_id));
        if let (Some(agent), Some(now_ms)) = (known, state.server_now(state.now())) {
            let silent = super::gateway_list::is_silent(agent, now_ms);
            let text = format!(
                "· {}",
                super::gateway_list::last_seen_text(agent, now_ms, i18n)
            );
            let colour = if silent { theme.warn } else { theme.text_dim };
            ui.label(RichText::new(text).color(colour));
            if silent {
                ui.label(RichText::new(i18n.tr("agents-health-silent")).color(theme.warn));
            }
        }
    });
    match action.state {
        ActionState::Approved => {
            ui.label(RichText::new(i18n.tr("agents-awaiting-outcome")).color(theme.accent));
        }
        ActionState::RollbackPending => {
            let (id, colour) = if action.rollback_overdue {
                ("agents-rollback-overdue", theme.danger)
            } else {
                ("agents-awaiting-rollback", theme.warn)
            };
            ui.label(RichText::new(i18n.tr(id)).color(colour).strong());
        }
        _ => {}
    }
    for e in &action.evidence {
        ui.label(RichText::new(format!("• {}: {}", e.label, e.value)).color(theme.text_dim));
    }
    if let Some(outcome) = &action.outcome {
        let text = if outcome.details.is_empty() {
            i18n.tr(outcome_id(outcome.status))
        } else {
            format!(
                "{} — {}",
                i18n.tr(outcome_id(outcome.status)),
                outcome.details
            )
        };
        ui.label(i18n.tr_args("agents-outcome", &[("outcome", text.into())]));
    }
    effects_ui(ui, action, i18n);
}

/// "91 → 81 %": an effect's before and after in its unit.
fn change(e: &crate::api::Effect) -> String {
    format!("{} → {} {}", e.before, e.after, e.unit)
}

/// Predicted against measured, one row per metric the agent predicted or measured.
fn effects_ui(ui: &mut egui::Ui, action: &Action, i18n: &I18n) {
    let measured = action.outcome.as_ref().map_or(&[][..], |o| &o.effects[..]);
    if action.predicted.is_empty() && measured.is_empty() {
        return;
    }
    let mut metrics: Vec<&str> = action.predicted.iter().map(|e| e.metric.as_str()).collect();
    for m in measured {
        if !metrics.contains(&m.metric.as_str()) {
            metrics.push(&m.metric);
        }
    }
    egui::Grid::new(("effects", action.id))
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            ui.label(RichText::new(i18n.tr("agents-effect-metric")).strong());
            ui.label(RichText::new(i18n.tr("agents-effect-predicted")).strong());
            ui.label(RichText::new(i18n.tr("agents-effect-measured")).strong());
            ui.end_row();
            let shown = |e: Option<&crate::api::Effect>| e.map_or_else(|| "—".to_owned(), change);
            for metric in metrics {
                ui.label(metric);
                ui.label(shown(action.predicted.iter().find(|e| e.metric == metric)));
                ui.label(shown(measured.iter().find(|e| e.metric == metric)));
                ui.end_row();
            }
        });
}

/// One line for a closed action's row: each predicted effect beside what the agent measured,
/// e.g. "utilisation: predicted 91 → 81 %, measured 91 → 79.5 %". `None` when the agent
/// predicted and measured nothing.
pub fn effect_summary(action: &Action, i18n: &I18n) -> Option<String> {
    let measured = action.outcome.as_ref().map_or(&[][..], |o| &o.effects[..]);
    let parts: Vec<String> = action
        .predicted
        .iter()
        .map(|p| {
            let seen = measured
                .iter()
                .find(|m| m.metric == p.metric)
                .map_or_else(|| "—".to_owned(), change);
            i18n.tr_args(
                "agents-effect-line",
                &[
                    ("metric", p.metric.clone().into()),
                    (
                        "predicted",
                        format!("{} → {} {}", p.before, p.after, p.unit).into(),
                    ),
                    ("measured", seen.into()),
                ],
            )
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}
