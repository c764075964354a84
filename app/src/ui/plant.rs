//! The factory profile's one page (`--profile factory --factory ID`): the plant's pending
//! actions first, then its network KPIs against what its workloads need, and its agent — and
//! nothing from any other plant. The backend scopes a factory manager's token the same way;
//! this page also holds to it against an operator's token.

use egui::RichText;

use super::factories::{industry_name, key_of, stage_id, tech_name};
use super::theme::Theme;
use crate::api::{Action, Factory, FactoryDetail, NetworkKpis, UpgradeStatus};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;

/// Seconds between refreshes of the plant's page.
const REFRESH_S: f64 = 30.0;
/// Actions listed at most.
const ACTIONS_SHOWN: usize = 12;

#[derive(Default)]
pub struct PlantPage {
    last_fetch: Option<f64>,
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
        .filter(|a| factory.agent_id.as_deref() == Some(a.agent_id.as_str()) || a.target == group)
        .collect();
    out.sort_by_key(|a| (!a.is_open(), std::cmp::Reverse(a.id)));
    out.truncate(ACTIONS_SHOWN);
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

/// The plant's KPIs against its requirements (the same rows as the factories view's page).
fn kpi_rows(f: &Factory) -> [(&'static str, String, String, bool); 4] {
    super::factories::page::kpi_rows(&f.kpis, &f.required)
}

/// One KPI's recent history, oldest first (index as in [`kpi_rows`]).
fn kpi_history(detail: &FactoryDetail, k: usize) -> Vec<f32> {
    let pick = |n: &NetworkKpis| match k {
        0 => n.latency_ms,
        1 => n.jitter_ms,
        2 => n.reliability,
        _ => n.throughput_mbps,
    };
    detail
        .kpi_history
        .iter()
        .map(|s| pick(&s.kpis) as f32)
        .collect()
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
        ui.horizontal_wrapped(|ui| {
            ui.heading(RichText::new(i18n.pick(&f.name_en, &f.name_zh)).strong());
            ui.label(RichText::new(format!("#{id}")).color(theme.text_dim));
            ui.separator();
            ui.label(format!(
                "{} · {}",
                i18n.pick(&f.city_en, &f.city_zh),
                super::progress::province_name(&f.province, i18n)
            ));
            ui.separator();
            ui.label(industry_name(i18n, f.industry));
            ui.separator();
            ui.label(i18n.tr(stage_id(f.stage)));
        });
        ui.separator();

        let actions = actions_of(state, f);
        let open = actions.iter().filter(|a| a.is_open()).count();
        ui.label(
            RichText::new(i18n.tr_args("plant-pending", &[("count", open.into())]))
                .text_style(egui::TextStyle::Heading)
                .color(if open > 0 { theme.warn } else { theme.ok }),
        );
        if actions.is_empty() {
            ui.label(RichText::new(i18n.tr("plant-no-actions")).color(theme.text_dim));
        }
        // Open actions as the queue's cards, with approve / reject / override / veto and the
        // reason, sent as the same `Decide` commands; decided ones in a table below.
        let (open_actions, closed): (Vec<&Action>, Vec<&Action>) =
            actions.iter().partition(|a| a.is_open());
        if !open_actions.is_empty() {
            egui::ScrollArea::vertical()
                .id_salt("plant_queue")
                .max_height(ui.available_height() * 0.55)
                .show(ui, |ui| {
                    commands.extend(self.queue.cards_ui(ui, open_actions, state, i18n, theme));
                });
        }
        let now_ms = state.server_now(state.now()).unwrap_or(0);
        egui::Grid::new("plant_actions")
            .striped(true)
            .spacing([18.0, 6.0])
            .show(ui, |ui| {
                for a in &closed {
                    let state_text = i18n.tr(super::agents::state_id(a.state));
                    let colour = if a.is_open() {
                        theme.warn
                    } else {
                        theme.text_dim
                    };
                    ui.label(RichText::new(format!("#{}", a.id)).color(colour));
                    ui.label(RichText::new(state_text).color(colour));
                    ui.label(i18n.pick(&a.summary_en, &a.summary_zh));
                    ui.label(i18n.tr(super::agents::risk_id(a.risk)));
                    if a.is_open() && a.expires_at > now_ms && now_ms > 0 {
                        ui.label(i18n.tr_args(
                            "action-expires",
                            &[("secs", ((a.expires_at - now_ms) / 1000).into())],
                        ));
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        ui.separator();

        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            ui.label(RichText::new(i18n.tr("plant-kpis")).strong());
            egui::Grid::new("plant_kpis")
                .striped(true)
                .spacing([18.0, 6.0])
                .show(ui, |ui| {
                    for id in [
                        "plant-kpi",
                        "plant-measured",
                        "plant-required",
                        "plant-verdict",
                        "plant-history",
                    ] {
                        ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
                    }
                    ui.end_row();
                    for (k, (label, measured, required, pass)) in
                        kpi_rows(f).into_iter().enumerate()
                    {
                        ui.label(i18n.tr(label));
                        ui.label(RichText::new(measured).strong());
                        ui.label(required);
                        let (text, colour) = if pass {
                            ("plant-pass", theme.ok)
                        } else {
                            ("plant-fail", theme.danger)
                        };
                        ui.label(RichText::new(i18n.tr(text)).color(colour).strong());
                        let history = kpi_history(detail, k);
                        ui.add(
                            tianshu_widgets::Sparkline::new(&history, colour)
                                .with_size(egui::vec2(160.0, 28.0)),
                        );
                        ui.end_row();
                    }
                });
            ui.add_space(10.0);
            ui.label(RichText::new(i18n.tr("plant-checklist")).strong());
            egui::Grid::new("plant_checklist")
                .striped(true)
                .spacing([18.0, 6.0])
                .show(ui, |ui| {
                    for u in &detail.checklist {
                        ui.label(tech_name(i18n, u.technology));
                        let (id, colour) = match u.status {
                            UpgradeStatus::Done => ("plant-done", theme.ok),
                            UpgradeStatus::InProgress => ("plant-in-progress", theme.warn),
                            UpgradeStatus::Planned => ("plant-planned", theme.text_dim),
                        };
                        ui.label(RichText::new(i18n.tr(id)).color(colour));
                        ui.label(i18n.date(u.date));
                        ui.end_row();
                    }
                });

            let ui = &mut cols[1];
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
        });
        commands
    }
}
