//! The critical-action banner: shown on every view while a critical action proposed during this
//! session still waits for a decision.

use egui::RichText;

use crate::i18n::I18n;
use crate::state::State;
use crate::ui::theme::Theme;

/// Draws the banner when there is something to show; true when the user asked to open the queue.
pub fn critical_banner(ui: &mut egui::Ui, state: &mut State, i18n: &I18n, theme: &Theme) -> bool {
    let live: Vec<(u64, String)> = state
        .hitl
        .live_alerts(&state.actions)
        .map(|a| (a.id, i18n.pick(&a.summary_en, &a.summary_zh).to_owned()))
        .collect();
    let Some((id, summary)) = live.last().cloned() else {
        return false;
    };
    let (mut open, mut dismiss) = (false, false);
    egui::Panel::top("agents-critical-banner")
        .frame(egui::Frame::new().fill(theme.danger).inner_margin(8.0))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new(i18n.tr_args(
                        "agents-alert-critical",
                        &[
                            ("n", live.len().into()),
                            ("id", id.into()),
                            ("summary", summary.into()),
                        ],
                    ))
                    .color(theme.background)
                    .strong(),
                );
                if crate::ui::wall::is_wall(ui) {
                    // The wall has no pointer: the banner stays until the action is decided.
                    return;
                }
                if ui.button(i18n.tr("agents-alert-open")).clicked() {
                    open = true;
                }
                if ui.button(i18n.tr("agents-alert-dismiss")).clicked() {
                    dismiss = true;
                }
            });
        });
    if dismiss || open {
        state.hitl.dismiss_alerts();
    }
    open
}
