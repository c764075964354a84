//! The factory desk (`--profile factory --factory ID`), one page filling a workstation: the
//! plant's pending decisions first, its KPIs against what its workloads need over 24 h / 7 days /
//! 30 days, its network as built, the workloads it carries and whether they are served, its
//! actions with predicted against measured effect, and the page as a PDF — nothing from any
//! other plant. The backend scopes a factory manager's token the same way;
//! this page also holds to it against an operator's token.

mod kpi_charts;
pub(crate) mod network;

use egui::RichText;

use super::factories::{industry_name, key_of, stage_id};
use super::theme::Theme;
use crate::api::{Action, Factory};
use crate::client::Command;
use crate::client::document_export::DocumentJob;
use crate::i18n::I18n;
use crate::state::State;

/// Seconds between refreshes of the plant's page.
const REFRESH_S: f64 = 30.0;
/// Actions listed at most when fewer are open (every open action is listed).
const ACTIONS_SHOWN: usize = 12;

#[derive(Default)]
pub struct PlantPage {
    last_fetch: Option<f64>,
    /// How far back the KPI charts look.
    window: kpi_charts::Window,
    /// The export count when this page asked for its PDF.
    exporting_after: Option<u64>,
    /// The open actions' cards and decisions: the agents view's own queue widgets and state
    /// (reason, override values), so the plant's manager decides here the same way.
    queue: super::agents::QueueState,
}

/// The plant's agent's actions and those on its group, open ones first, then newest first.
pub fn actions_of<'a>(state: &'a State, factory: &Factory) -> Vec<&'a Action> {
    let group = format!("{}/{}", factory.province, key_of(&factory.industry));
    let mut out: Vec<&Action> = state
        .actions
        .values()
        .filter(|a| {
            factory.agent_id.as_deref() == Some(a.agent_id.as_str())
                || crate::api::gateway_rules::entity_id(&a.target) == group
        })
        .collect();
    // Every open one (they wait for this manager), then the newest closed ones.
    out.sort_by_key(|a| (!a.is_open(), std::cmp::Reverse(a.id)));
    let open = out.iter().filter(|a| a.is_open()).count();
    out.truncate(open.max(ACTIONS_SHOWN));
    out
}

/// Open actions that concern the plant (for the status bar's count).
pub fn pending_count(state: &State, factory_id: u32) -> usize {
    state
        .factory_detail
        .as_ref()
        .filter(|d| d.factory.id == factory_id)
        .map_or(0, |d| {
            actions_of(state, &d.factory)
                .iter()
                .filter(|a| a.is_open())
                .count()
        })
}

impl PlantPage {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        factory_id: Option<u32>,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(id) = factory_id else {
            ui.heading(i18n.tr("plant-none"));
            return commands;
        };
        let now = ui.input(|i| i.time);
        let due = self.last_fetch.is_none_or(|t| now - t >= REFRESH_S);
        if state.world.is_some() && due {
            self.last_fetch = Some(now);
            commands.push(Command::FetchFactoryDetail(id));
        }
        if let Some(t) = self.last_fetch {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs_f64(
                    (t + REFRESH_S - now).max(1.0),
                ));
        }
        let Some(detail) = state.factory_detail.as_ref().filter(|d| d.factory.id == id) else {
            ui.heading(i18n.tr_args("plant-loading", &[("id", id.into())]));
            return commands;
        };
        let f = &detail.factory;
        let now_sim = state.world.as_ref().map_or(0, |w| w.sim_time);
        let actions = actions_of(state, f);
        egui::Sides::new().shrink_left().truncate().show(
            ui,
            |ui| {
                ui.heading(RichText::new(i18n.pick(&f.name_en, &f.name_zh)).strong());
                ui.label(RichText::new(format!("#{id}")).color(theme.text_dim));
                ui.label(format!(
                    "{} · {} · {} · {}",
                    i18n.pick(&f.city_en, &f.city_zh),
                    super::progress::province_name(&f.province, i18n),
                    industry_name(i18n, f.industry),
                    i18n.tr(stage_id(f.stage)),
                ));
            },
            |ui| {
                if ui.button(i18n.tr("plant-export-pdf")).clicked() {
                    self.exporting_after = Some(state.scorecard_exports_done);
                    commands.push(Command::ExportDocument(DocumentJob::new(
                        crate::plant_doc::PlantDeskExport {
                            detail: detail.clone(),
                            actions: actions.iter().map(|a| (*a).clone()).collect(),
                            lang: i18n.lang(),
                            as_of: now_sim,
                            simulated: state.world.as_ref().is_some_and(|w| w.simulated),
                        },
                    )));
                }
                self.export_status(ui, state, i18n, theme);
            },
        );
        ui.separator();

        // Top: the plant's decisions first, its KPIs against their requirement beside them.
        let top = ui.available_height() * 0.6;
        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            commands.extend(self.decisions_ui(ui, state, &actions, top * 0.75, i18n, theme));
            ui.add_space(10.0);
            agent_ui(ui, state, f, i18n, theme);
            let ui = &mut cols[1];
            ui.horizontal(|ui| {
                ui.label(RichText::new(i18n.tr("plant-kpis")).strong());
                for w in kpi_charts::Window::ALL {
                    ui.selectable_value(&mut self.window, w, i18n.tr(w.label_id()));
                }
            });
            ui.allocate_ui(egui::vec2(ui.available_width(), top - 24.0), |ui| {
                kpi_charts::ui(ui, detail, now_sim, self.window, i18n, theme);
            });
        });
        ui.separator();
        // Below: the network as built, the workloads it carries, and what was done to it.
        ui.columns(3, |cols| {
            network::as_built_ui(&mut cols[0], detail, i18n, theme);
            network::workloads_ui(&mut cols[1], detail, i18n, theme);
            effects_ui(&mut cols[2], &actions, i18n, theme);
        });
        commands
    }
}

impl PlantPage {
    /// The plant's open actions as the queue's cards (approve, reject, override, veto with the
    /// reason, sent as the same `Decide` commands), or that none waits.
    fn decisions_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        actions: &[&Action],
        height: f32,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let open: Vec<&Action> = actions.iter().copied().filter(|a| a.is_open()).collect();
        ui.label(
            RichText::new(i18n.tr_args("plant-pending", &[("count", open.len().into())]))
                .text_style(egui::TextStyle::Heading)
                .color(if open.is_empty() {
                    theme.ok
                } else {
                    theme.warn
                }),
        );
        if open.is_empty() {
            ui.label(RichText::new(i18n.tr("plant-no-actions")).color(theme.text_dim));
            return Vec::new();
        }
        egui::ScrollArea::vertical()
            .id_salt("plant_queue")
            .max_height(height)
            .show(ui, |ui| self.queue.cards_ui(ui, open, state, i18n, theme))
            .inner
    }

    /// Where the last export went, or why it failed (after this page asked for one).
    fn export_status(&self, ui: &mut egui::Ui, state: &State, i18n: &I18n, theme: &Theme) {
        let Some(asked) = self.exporting_after else {
            return;
        };
        if state.scorecard_exports_done <= asked {
            ui.label(RichText::new(i18n.tr("plant-exporting")).color(theme.text_dim));
            return;
        }
        match &state.scorecard_export {
            Some(Ok(path)) => {
                ui.label(
                    RichText::new(i18n.tr_args(
                        "plant-exported",
                        &[("path", path.display().to_string().into())],
                    ))
                    .color(theme.ok),
                );
            }
            Some(Err(e)) => {
                ui.label(RichText::new(e.clone()).color(theme.danger));
            }
            None => {}
        }
    }
}

/// The plant's agent: its name, autonomy and what it did.
fn agent_ui(ui: &mut egui::Ui, state: &State, f: &Factory, i18n: &I18n, theme: &Theme) {
    ui.label(RichText::new(i18n.tr("plant-agent")).strong());
    let agent = f.agent_id.as_deref().and_then(|id| {
        state
            .world
            .as_ref()
            .and_then(|w| w.agents.iter().find(|a| a.id == id))
    });
    match agent {
        Some(a) => {
            ui.label(RichText::new(i18n.pick(&a.name_en, &a.name_zh)).strong());
            ui.label(i18n.tr_args(
                "plant-agent-line",
                &[
                    ("level", format!("{:?}", a.autonomy).into()),
                    ("proposed", a.proposed.into()),
                    ("executed", a.executed.into()),
                ],
            ));
        }
        None => {
            ui.label(RichText::new(i18n.tr("plant-no-agent")).color(theme.text_dim));
        }
    }
}

/// The plant's actions, newest first, each with its predicted effect beside the measured one
/// (the agent's report), or its predicted impact as the agent wrote it.
fn effects_ui(ui: &mut egui::Ui, actions: &[&Action], i18n: &I18n, theme: &Theme) {
    ui.label(RichText::new(i18n.tr("plant-actions-effect")).strong());
    if actions.is_empty() {
        ui.label(RichText::new(i18n.tr("plant-no-actions")).color(theme.text_dim));
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("plant_effects")
        .show(ui, |ui| {
            for a in actions {
                let colour = if a.is_open() {
                    theme.warn
                } else {
                    theme.text_dim
                };
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(format!("#{}", a.id)).color(colour));
                    ui.label(
                        RichText::new(i18n.tr(super::agents::state_id(a.state))).color(colour),
                    );
                    ui.label(i18n.pick(&a.summary_en, &a.summary_zh));
                });
                let effect =
                    super::agents::gateway_card::effect_summary(a, i18n).unwrap_or_else(|| {
                        i18n.tr_args(
                            "plant-predicted",
                            &[(
                                "impact",
                                i18n.pick(&a.predicted_impact_en, &a.predicted_impact_zh)
                                    .into(),
                            )],
                        )
                    });
                ui.label(RichText::new(effect).small().color(theme.text_dim));
                ui.add_space(4.0);
            }
        });
}
