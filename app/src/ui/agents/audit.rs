//! The audit trail as the console holds it (the newest entries, bounded): filters by event,
//! actor and action, older pages on demand, and CSV export of what the filters show (written by
//! the client, off the UI thread).

use egui::{RichText, ScrollArea};

use super::state_id;
use crate::api::AuditEntry;
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;
use crate::ui::format;
use crate::ui::theme::Theme;

const EVENTS: [&str; 9] = [
    "propose",
    "auto_execute",
    "approve",
    "reject",
    "override",
    "veto",
    "veto_window_closed",
    "expire",
    "",
];

#[derive(Default)]
pub struct AuditState {
    /// Empty: every event.
    event: String,
    actor: String,
    action: String,
}

impl AuditState {
    fn matches(&self, e: &AuditEntry) -> bool {
        (self.event.is_empty() || e.event == self.event)
            && (self.actor.trim().is_empty()
                || e.actor
                    .to_lowercase()
                    .contains(&self.actor.trim().to_lowercase()))
            && (self.action.trim().is_empty()
                || self.action.trim().trim_start_matches('#') == e.action_id.to_string())
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        let shown: Vec<&AuditEntry> = state
            .audit
            .iter()
            .rev()
            .filter(|e| self.matches(e))
            .collect();
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(i18n.tr("agents-audit-event"));
            let current = if self.event.is_empty() {
                i18n.tr("agents-audit-all")
            } else {
                i18n.tr(&format!("event-{}", self.event))
            };
            egui::ComboBox::from_id_salt("audit_event")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for event in EVENTS.iter().rev() {
                        let text = if event.is_empty() {
                            i18n.tr("agents-audit-all")
                        } else {
                            i18n.tr(&format!("event-{event}"))
                        };
                        ui.selectable_value(&mut self.event, (*event).to_owned(), text);
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label(i18n.tr("agents-audit-actor"));
            ui.add(egui::TextEdit::singleline(&mut self.actor).desired_width(120.0))
                .labelled_by(label.id);
            let label = ui.label(i18n.tr("agents-audit-action"));
            ui.add(egui::TextEdit::singleline(&mut self.action).desired_width(70.0))
                .labelled_by(label.id);
            ui.label(
                RichText::new(i18n.tr_args(
                    "agents-audit-count",
                    &[
                        ("shown", shown.len().into()),
                        ("held", state.audit.len().into()),
                    ],
                ))
                .color(theme.text_dim),
            );
            if ui
                .add_enabled(
                    !shown.is_empty(),
                    egui::Button::new(i18n.tr("agents-audit-export")),
                )
                .clicked()
            {
                commands.push(Command::ExportAuditCsv {
                    entries: shown.iter().map(|e| (*e).clone()).collect(),
                });
            }
            let oldest = state.audit.iter().map(|e| e.id).min();
            if ui
                .add_enabled(
                    oldest.is_some(),
                    egui::Button::new(i18n.tr("agents-audit-older")),
                )
                .clicked()
            {
                commands.push(Command::FetchAudit {
                    cursor: oldest.map(|id| id.to_string()),
                });
            }
        });
        if let Some((path, result)) = &state.hitl.export {
            let (text, colour) = match result {
                Ok(rows) => (
                    i18n.tr_args(
                        "agents-audit-exported",
                        &[
                            ("rows", (*rows).into()),
                            ("path", path.display().to_string().into()),
                        ],
                    ),
                    theme.ok,
                ),
                Err(e) => (
                    i18n.tr_args("agents-audit-export-failed", &[("error", e.clone().into())]),
                    theme.danger,
                ),
            };
            ui.label(RichText::new(text).color(colour));
        }
        ui.separator();
        ScrollArea::both().id_salt("audit").show(ui, |ui| {
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
                for entry in shown.iter().take(300) {
                    ui.label(format::time_of_day(entry.at));
                    ui.label(format!("#{}", entry.action_id));
                    ui.label(i18n.tr(&format!("event-{}", entry.event)));
                    ui.label(format!("{} ({})", entry.actor, entry.role));
                    ui.label(format!(
                        "{} → {}",
                        i18n.tr(state_id(entry.from_state)),
                        i18n.tr(state_id(entry.to_state))
                    ));
                    ui.label(&entry.reason);
                    ui.end_row();
                }
            });
        });
        commands
    }
}
