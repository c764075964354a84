//! The action queue: open actions by urgency, each a card with everything needed to decide, and
//! the decisions the signed-in user may take. A card shows a decision as taken only when the
//! backend confirmed it (the state folds `DecisionDone`); until then it says "sending".

use std::collections::BTreeMap;

use egui::{RichText, ScrollArea};
use tianshu_widgets::StatusPill;

use super::{policy_id, risk_colour, risk_id, state_id};
use crate::api::decisions::{self, DecisionError};
use crate::api::{Action, Decision, DecisionRequest, Policy, Risk};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;
use crate::ui::format;
use crate::ui::theme::Theme;

/// Recently closed actions listed under the queue.
const CLOSED_SHOWN: usize = 12;

#[derive(Default)]
pub struct QueueState {
    /// Reason typed per action, kept until the decision is sent.
    reasons: BTreeMap<u64, String>,
    /// Override editors open, with the values being edited.
    overrides: BTreeMap<u64, BTreeMap<String, f64>>,
    /// The action shown on the map (picked in the queue or on the timeline).
    pub selected: Option<u64>,
    /// Scroll the selected card into view on the next frame.
    pub scroll_to_selected: bool,
}

/// Seconds until an action's deadline: its expiry, or the end of its veto window.
fn seconds_left(action: &Action, now_ms: i64) -> i64 {
    let deadline = action.veto_until.unwrap_or(action.expires_at);
    ((deadline - now_ms) / 1000).max(0)
}

/// Most urgent first: time left shrunk by risk (a critical action with ten minutes left comes
/// before a low one with two), then by id.
pub fn urgency_order(actions: &mut [&Action], now_ms: i64) {
    let weight = |r: Risk| match r {
        Risk::Low => 1.0,
        Risk::Medium => 2.0,
        Risk::High => 4.0,
        Risk::Critical | Risk::Unknown => 8.0,
    };
    let score = |a: &Action| seconds_left(a, now_ms) as f64 / weight(a.risk);
    actions.sort_by(|a, b| score(a).total_cmp(&score(b)).then(a.id.cmp(&b.id)));
}

/// Open actions, most urgent first.
pub fn open_by_urgency(state: &State, now_ms: i64) -> Vec<&Action> {
    let mut open: Vec<&Action> = state.open_actions().collect();
    urgency_order(&mut open, now_ms);
    open
}

/// The sentence that explains why a decision is not open to this user.
pub fn why_not(error: &DecisionError, i18n: &I18n) -> String {
    match error {
        DecisionError::Forbidden { role, .. } => {
            i18n.tr_args("agents-why-read-only", &[("role", (*role).into())])
        }
        DecisionError::IndustrialAction => i18n.tr("agents-why-industrial"),
        DecisionError::OutOfScope { target } => i18n.tr_args(
            "agents-why-out-of-scope",
            &[("target", target.clone().into())],
        ),
        DecisionError::AlreadyApproved(_) => i18n.tr("agents-why-already-approved"),
        DecisionError::VetoWindowClosed => i18n.tr("agents-why-veto-closed"),
        DecisionError::NotOpen(_) | DecisionError::Expired => i18n.tr("agents-why-closed"),
        DecisionError::MissingReason => i18n.tr("agents-why-reason"),
        other => other.to_string(),
    }
}

fn clock_mm_ss(secs: i64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

impl QueueState {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        self.reasons
            .retain(|id, _| state.actions.get(id).is_some_and(Action::is_open));
        self.overrides
            .retain(|id, _| state.actions.get(id).is_some_and(|a| a.state.is_open()));
        let now_ms = state.server_now(state.now()).unwrap_or(0);
        let open = open_by_urgency(state, now_ms);
        ScrollArea::vertical().id_salt("queue").show(ui, |ui| {
            if open.is_empty() {
                ui.label(RichText::new(i18n.tr("agents-none")).color(theme.text_dim));
            }
            for action in open {
                if let Some(c) = self.card(ui, action, state, i18n, theme, now_ms) {
                    commands.push(c);
                }
            }
            ui.add_space(8.0);
            ui.label(RichText::new(i18n.tr("agents-recent")).strong());
            let mut closed: Vec<&Action> =
                state.actions.values().filter(|a| !a.is_open()).collect();
            closed.sort_by_key(|a| std::cmp::Reverse(a.decided_at.unwrap_or(a.created_at)));
            egui::Grid::new("closed_grid").striped(true).show(ui, |ui| {
                for a in closed.into_iter().take(CLOSED_SHOWN) {
                    let label = format!("#{}", a.id);
                    if ui
                        .selectable_label(self.selected == Some(a.id), label)
                        .on_hover_text(i18n.tr("agents-select-hint"))
                        .clicked()
                    {
                        self.selected = Some(a.id);
                    }
                    ui.label(i18n.pick(&a.summary_en, &a.summary_zh));
                    ui.label(i18n.tr(state_id(a.state)));
                    ui.label(a.decided_by.clone().unwrap_or_default());
                    ui.label(a.decided_at.map(format::time_of_day).unwrap_or_default());
                    ui.label(super::gateway_card::effect_summary(a, i18n).unwrap_or_default());
                    ui.end_row();
                }
            });
        });
        commands
    }

    /// Cards for these open actions only (most urgent first), with the same decisions as the
    /// queue: the factory profile's plant page lists its plant's actions with it.
    pub fn cards_ui(
        &mut self,
        ui: &mut egui::Ui,
        mut actions: Vec<&Action>,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        self.reasons
            .retain(|id, _| state.actions.get(id).is_some_and(Action::is_open));
        self.overrides
            .retain(|id, _| state.actions.get(id).is_some_and(|a| a.state.is_open()));
        let now_ms = state.server_now(state.now()).unwrap_or(0);
        urgency_order(&mut actions, now_ms);
        let mut commands = Vec::new();
        for action in actions {
            commands.extend(self.card(ui, action, state, i18n, theme, now_ms));
        }
        commands
    }

    fn card(
        &mut self,
        ui: &mut egui::Ui,
        action: &Action,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
        now_ms: i64,
    ) -> Option<Command> {
        let mut command = None;
        let selected = self.selected == Some(action.id);
        let mut frame = egui::Frame::group(ui.style()).fill(theme.panel_alt);
        if selected {
            frame = frame.stroke(egui::Stroke::new(2.0, theme.accent));
        }
        let shown = frame.show(ui, |ui| {
            ui.set_width(ui.available_width());
            if header_ui(ui, action, state, selected, i18n, theme) {
                self.selected = Some(action.id);
            }
            ui.label(
                RichText::new(i18n.pick(&action.rationale_en, &action.rationale_zh))
                    .color(theme.text_dim),
            );
            ui.label(
                i18n.tr_args(
                    "agents-impact",
                    &[(
                        "impact",
                        i18n.pick(&action.predicted_impact_en, &action.predicted_impact_zh)
                            .to_owned()
                            .into(),
                    )],
                ),
            );
            facts_ui(ui, action, i18n, theme, now_ms);
            super::gateway_card::gateway_ui(ui, action, state, i18n, theme);
            if let Some(conflict) = state.hitl.conflicts.get(&action.id) {
                ui.label(
                    RichText::new(i18n.tr("agents-conflict"))
                        .color(theme.warn)
                        .strong(),
                );
                for (field, before, after) in conflict.changes() {
                    ui.label(
                        RichText::new(format!("  {field}: {before} → {after}")).color(theme.warn),
                    );
                }
            }
            if let Some(flight) = state.decision_in_flight(action.id) {
                let what = i18n.tr(super::decision_id(flight.decision));
                ui.label(
                    RichText::new(i18n.tr_args("action-sending", &[("decision", what.into())]))
                        .color(theme.accent),
                );
                if let Some(reason) = &flight.unconfirmed {
                    // The backend has not answered: say so, and that it will be sent again.
                    ui.label(
                        RichText::new(i18n.tr_args(
                            "reliability-decision-unconfirmed",
                            &[("id", action.id.into())],
                        ))
                        .color(theme.warn),
                    );
                    ui.label(RichText::new(reason).color(theme.text_dim));
                }
                return;
            }
            // The wall shows what waits and for how long; deciding needs a pointer and a desk.
            if !crate::ui::wall::is_wall(ui) {
                command = self.decisions_ui(ui, action, state, i18n, theme, now_ms);
            }
        });
        if selected && self.scroll_to_selected {
            shown.response.scroll_to_me(Some(egui::Align::Center));
            self.scroll_to_selected = false;
        }
        if command.is_some() {
            self.reasons.remove(&action.id);
            self.overrides.remove(&action.id);
        }
        ui.add_space(6.0);
        command
    }

    fn decisions_ui(
        &mut self,
        ui: &mut egui::Ui,
        action: &Action,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
        now_ms: i64,
    ) -> Option<Command> {
        let who = state.hitl.principal();
        let allowed = |d: Decision| -> Result<(), String> {
            match &who {
                None => Err(i18n.tr("agents-why-signing-in")),
                Some(p) => {
                    decisions::availability(action, p, d, now_ms).map_err(|e| why_not(&e, i18n))
                }
            }
        };
        let offered: Vec<Decision> = if action.state.is_open() {
            let mut d = vec![Decision::Approve, Decision::Reject];
            if !action.param_bounds.is_empty() {
                d.push(Decision::Override);
            }
            if action.policy == Policy::AutoWithVeto {
                d.push(Decision::Veto);
            }
            d
        } else {
            vec![Decision::Veto]
        };
        let verdicts: Vec<(Decision, Result<(), String>)> =
            offered.iter().map(|d| (*d, allowed(*d))).collect();
        let any_allowed = verdicts.iter().any(|(_, v)| v.is_ok());
        let mut reason_text = self.reasons.get(&action.id).cloned().unwrap_or_default();
        if any_allowed {
            let label = ui.label(i18n.tr("action-reason"));
            ui.add(
                egui::TextEdit::singleline(&mut reason_text)
                    .hint_text(i18n.tr("action-reason-hint"))
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            self.reasons.insert(action.id, reason_text.clone());
        }
        let has_reason = !reason_text.trim().is_empty();
        let mut chosen = None;
        let mut reasons_shown: Vec<String> = Vec::new();
        ui.horizontal_wrapped(|ui| {
            for (decision, verdict) in &verdicts {
                let label = match decision {
                    Decision::Approve => i18n.tr("action-approve"),
                    Decision::Reject => i18n.tr("action-reject"),
                    Decision::Override => i18n.tr("agents-override"),
                    Decision::Veto => i18n.tr("action-veto"),
                };
                let why = match verdict {
                    Err(why) => Some(why.clone()),
                    Ok(()) if !has_reason && *decision != Decision::Override => {
                        Some(i18n.tr("agents-why-reason"))
                    }
                    Ok(()) => None,
                };
                let response = ui.add_enabled(why.is_none(), egui::Button::new(label));
                if let Some(why) = &why {
                    response.on_disabled_hover_text(why.clone());
                    if !reasons_shown.contains(why) {
                        reasons_shown.push(why.clone());
                    }
                } else if response.clicked() {
                    chosen = Some(*decision);
                }
            }
        });
        for why in &reasons_shown {
            ui.label(
                RichText::new(format!("ⓘ {why}"))
                    .color(theme.text_dim)
                    .small(),
            );
        }
        if chosen == Some(Decision::Override) {
            if self.overrides.remove(&action.id).is_none() {
                let values = action
                    .param_bounds
                    .iter()
                    .map(|(k, b)| {
                        let v = action.params.get(k).and_then(serde_json::Value::as_f64);
                        (k.clone(), v.unwrap_or(b.min).clamp(b.min, b.max))
                    })
                    .collect();
                self.overrides.insert(action.id, values);
            }
            chosen = None;
        }
        let mut params = None;
        if let Some(values) = self.overrides.get_mut(&action.id) {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(RichText::new(i18n.tr("agents-override-title")).strong());
                egui::Grid::new(("override", action.id)).show(ui, |ui| {
                    for (key, value) in values.iter_mut() {
                        let Some(bound) = action.param_bounds.get(key) else {
                            continue;
                        };
                        let label = ui.label(key);
                        let speed = ((bound.max - bound.min) / 200.0).max(1e-3);
                        ui.add(
                            egui::DragValue::new(value)
                                .range(bound.min..=bound.max)
                                .speed(speed),
                        )
                        .labelled_by(label.id);
                        ui.label(
                            RichText::new(i18n.tr_args(
                                "agents-override-range",
                                &[
                                    ("min", bound.min.to_string().into()),
                                    ("max", bound.max.to_string().into()),
                                ],
                            ))
                            .color(theme.text_dim),
                        );
                        ui.end_row();
                    }
                });
                let enabled = has_reason;
                let apply = ui
                    .add_enabled(enabled, egui::Button::new(i18n.tr("agents-override-apply")))
                    .on_disabled_hover_text(i18n.tr("agents-why-reason"));
                if apply.clicked() {
                    let object: serde_json::Map<String, serde_json::Value> = values
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::json!(v)))
                        .collect();
                    params = Some(serde_json::Value::Object(object));
                }
            });
        }
        if params.is_some() {
            chosen = Some(Decision::Override);
        }
        let decision = chosen?;
        Some(Command::Decide {
            action_id: action.id,
            request: DecisionRequest {
                decision,
                params,
                reason: reason_text.trim().to_owned(),
                expected_version: action.version,
                idempotency_key: uuid::Uuid::new_v4().to_string(),
            },
        })
    }
}

/// The card's first lines; returns true when its id was clicked (select it).
fn header_ui(
    ui: &mut egui::Ui,
    action: &Action,
    state: &State,
    selected: bool,
    i18n: &I18n,
    theme: &Theme,
) -> bool {
    let mut clicked = false;
    ui.horizontal_wrapped(|ui| {
        ui.add(StatusPill::new(
            i18n.tr(risk_id(action.risk)),
            risk_colour(action.risk, theme),
            theme.background,
        ));
        clicked = ui
            .selectable_label(selected, format!("#{}", action.id))
            .on_hover_text(i18n.tr("agents-select-hint"))
            .clicked();
        ui.label(RichText::new(i18n.pick(&action.summary_en, &action.summary_zh)).strong());
    });
    let agent = state
        .world
        .as_ref()
        .and_then(|w| w.agents.iter().find(|a| a.id == action.agent_id));
    let agent_name = agent.map_or(action.agent_id.as_str(), |a| {
        i18n.pick(&a.name_en, &a.name_zh)
    });
    let level = agent.map_or(String::new(), |a| format!(" · {:?}", a.autonomy));
    ui.label(
        RichText::new(i18n.tr_args(
            "agents-proposed-by",
            &[
                ("agent", format!("{agent_name}{level}").into()),
                ("target", action.target.clone().into()),
            ],
        ))
        .color(theme.text_dim),
    );
    clicked
}

fn facts_ui(ui: &mut egui::Ui, action: &Action, i18n: &I18n, theme: &Theme, now_ms: i64) {
    ui.horizontal_wrapped(|ui| {
        ui.label(i18n.tr_args(
            "action-confidence",
            &[("pct", format!("{:.0}", action.confidence * 100.0).into())],
        ));
        ui.label(format!("· {}", i18n.tr(policy_id(action.policy))));
        if action.policy != Policy::AutoWithVeto {
            ui.label(format!(
                "· {}",
                i18n.tr_args(
                    "action-approvals",
                    &[
                        ("have", action.approvals.len().into()),
                        ("need", decisions::approvals_needed(action.policy).into())
                    ]
                )
            ));
        }
        // Decided and the agent's turn (gateway_card says so): no clock runs for people.
        let decided_for_agent = action.awaits_agent() && action.veto_until.is_none();
        if !decided_for_agent {
            let left = clock_mm_ss(seconds_left(action, now_ms));
            let (id, colour) = if action.veto_until.is_some() {
                ("agents-veto-left", theme.warn)
            } else {
                ("agents-expires-in", theme.text)
            };
            ui.label(RichText::new(i18n.tr_args(id, &[("left", left.into())])).color(colour));
        }
        let default = match action.on_expiry {
            crate::api::ExpiryDefault::NotExecuted => i18n.tr("agents-default-not-executed"),
            crate::api::ExpiryDefault::Executed => i18n.tr("agents-default-executed"),
        };
        if action.state.is_open() {
            ui.label(RichText::new(format!("· {default}")).color(theme.text_dim));
        } else if action.awaits_agent() {
            if !decided_for_agent {
                ui.label(
                    RichText::new(format!("· {}", i18n.tr("agents-agent-acted-at-once")))
                        .color(theme.text_dim),
                );
            }
        } else {
            ui.label(
                RichText::new(format!("· {}", i18n.tr("agents-ran-at-once"))).color(theme.text_dim),
            );
        }
        if !action.approvals.is_empty() {
            ui.label(
                RichText::new(i18n.tr_args(
                    "agents-approved-by",
                    &[("names", action.approvals.join(", ").into())],
                ))
                .color(theme.text_dim),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urgency_puts_risky_and_late_first() {
        let base = crate::api::Action {
            id: 1,
            version: 1,
            agent_id: String::new(),
            kind: crate::api::ActionKind::Reroute,
            target: String::new(),
            summary_en: String::new(),
            summary_zh: String::new(),
            rationale_en: String::new(),
            rationale_zh: String::new(),
            confidence: 0.5,
            risk: Risk::Low,
            policy: Policy::OneApproval,
            predicted_impact_en: String::new(),
            predicted_impact_zh: String::new(),
            params: serde_json::json!({}),
            state: crate::api::ActionState::Pending,
            created_at: 0,
            expires_at: 120_000,
            approvals: vec![],
            decided_by: None,
            decided_at: None,
            overridden: false,
            industrial: false,
            veto_until: None,
            param_bounds: Default::default(),
            on_expiry: Default::default(),
            ..Default::default()
        };
        let critical_later = Action {
            id: 2,
            risk: Risk::Critical,
            expires_at: 600_000,
            ..base.clone()
        };
        let medium_later = Action {
            id: 3,
            risk: Risk::Medium,
            expires_at: 600_000,
            ..base.clone()
        };
        let mut list = vec![&medium_later, &base, &critical_later];
        urgency_order(&mut list, 0);
        let ids: Vec<u64> = list.iter().map(|a| a.id).collect();
        assert_eq!(ids, [2, 1, 3]);
    }
}
