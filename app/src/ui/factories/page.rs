//! One plant's page: identity, upgrade checklist per technology, network KPIs against what its
//! workloads need (pass/fail per requirement), its recent KPI history, and its agent with the
//! agent's recent and pending actions (a button opens the agents view).

use egui::RichText;

use super::{industry_name, key_of, provinces, stage_id, tech_name};
use crate::api::{Action, FactoryDetail, NetworkKpis, UpgradeStatus, stage_code};
use crate::i18n::I18n;
use crate::state::State;
use crate::ui::format;
use crate::ui::provenance;
use crate::ui::theme::Theme;

/// Actions listed at most.
const ACTIONS_SHOWN: usize = 8;

#[derive(Debug, Default)]
pub struct PageOut {
    pub close: bool,
    pub open_agent: Option<String>,
}

fn date(ms: i64) -> String {
    format::clock(ms).chars().take(10).collect()
}

/// One KPI against its requirement: (label id, measured, required, passes).
pub fn kpi_rows(
    kpis: &NetworkKpis,
    required: &NetworkKpis,
) -> [(&'static str, String, String, bool); 4] {
    [
        (
            "factories-kpi-latency",
            format!("{:.2} ms", kpis.latency_ms),
            format!("≤ {:.2} ms", required.latency_ms),
            kpis.latency_ms <= required.latency_ms,
        ),
        (
            "factories-kpi-jitter",
            format!("{:.2} ms", kpis.jitter_ms),
            format!("≤ {:.2} ms", required.jitter_ms),
            kpis.jitter_ms <= required.jitter_ms,
        ),
        (
            "factories-kpi-reliability",
            format!("{:.5} %", kpis.reliability * 100.0),
            format!("≥ {:.5} %", required.reliability * 100.0),
            kpis.reliability >= required.reliability,
        ),
        (
            "factories-kpi-throughput",
            format!("{:.0} Mbit/s", kpis.throughput_mbps),
            format!("≥ {:.0} Mbit/s", required.throughput_mbps),
            kpis.throughput_mbps >= required.throughput_mbps,
        ),
    ]
}

/// Actions of the plant's agent or on its group, newest first.
pub fn actions_for<'a>(state: &'a State, detail: &FactoryDetail) -> Vec<&'a Action> {
    let f = &detail.factory;
    let group = format!("{}/{}", f.province, key_of(&f.industry));
    let mut out: Vec<&Action> = state
        .actions
        .values()
        .filter(|a| f.agent_id.as_deref() == Some(a.agent_id.as_str()) || a.target == group)
        .collect();
    out.sort_by_key(|a| std::cmp::Reverse(a.id));
    out.truncate(ACTIONS_SHOWN);
    out
}

pub fn page_ui(ui: &mut egui::Ui, state: &State, id: u32, i18n: &I18n, theme: &Theme) -> PageOut {
    let mut out = PageOut::default();
    ui.horizontal(|ui| {
        ui.label(RichText::new(i18n.tr("factories-page-title")).strong());
        ui.label(RichText::new(format!("#{id}")).color(theme.text_dim));
        if ui.button(i18n.tr("factories-close")).clicked() {
            out.close = true;
        }
    });
    let Some(detail) = state.factory_detail.as_ref().filter(|d| d.factory.id == id) else {
        ui.label(RichText::new(i18n.tr("factories-loading")).color(theme.text_dim));
        return out;
    };
    let f = &detail.factory;
    ui.label(
        RichText::new(i18n.pick(&f.name_en, &f.name_zh))
            .text_style(egui::TextStyle::Heading)
            .color(theme.text),
    );
    let stage_colour = theme.stages[usize::from(stage_code(f.stage)).min(3)];
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "{} · {}",
            i18n.pick(&f.city_en, &f.city_zh),
            provinces::name(provinces::names(), &f.province, i18n)
        ));
        ui.separator();
        ui.label(industry_name(i18n, f.industry));
        ui.separator();
        ui.label(RichText::new(format!("● {}", i18n.tr(stage_id(f.stage)))).color(stage_colour));
    });

    ui.add_space(6.0);
    ui.label(RichText::new(i18n.tr("factories-checklist")).strong());
    egui::Grid::new("factory_checklist")
        .striped(true)
        .show(ui, |ui| {
            for u in &detail.checklist {
                ui.label(tech_name(i18n, u.technology));
                let (id, colour) = match u.status {
                    UpgradeStatus::Done => ("factories-status-done", theme.ok),
                    UpgradeStatus::InProgress => ("factories-status-in-progress", theme.warn),
                    UpgradeStatus::Planned => ("factories-status-planned", theme.text_dim),
                };
                ui.label(RichText::new(i18n.tr(id)).color(colour));
                ui.label(date(u.date));
                ui.end_row();
            }
        });

    ui.add_space(6.0);
    let compliant = f.is_compliant();
    ui.horizontal(|ui| {
        ui.label(RichText::new(i18n.tr("factories-kpis")).strong());
        let id = if compliant {
            "factories-meets"
        } else {
            "factories-misses"
        };
        ui.label(RichText::new(i18n.tr(id)).color(theme.good_or_bad(compliant)));
    });
    egui::Grid::new("factory_kpis")
        .striped(true)
        .show(ui, |ui| {
            for id in [
                "factories-col-kpi",
                "factories-col-measured",
                "factories-col-required",
                "factories-col-result",
            ] {
                ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
            }
            ui.end_row();
            let server_now = state.server_now(state.now());
            let sources = state
                .world
                .as_ref()
                .map_or(&[][..], |w| w.sources.as_slice());
            let metrics = ["latency_ms", "jitter_ms", "reliability", "throughput_mbps"];
            for ((label, measured, required, pass), metric) in
                kpi_rows(&f.kpis, &f.required).into_iter().zip(metrics)
            {
                ui.label(i18n.tr(label));
                let origin = f.origins.iter().find(|o| o.metric == metric);
                let p = crate::state::provenance::Provenance::of(origin, sources);
                provenance::figure(ui, RichText::new(measured), &p, i18n, theme, server_now);
                ui.label(required);
                let verdict = if pass {
                    i18n.tr("factories-pass")
                } else {
                    i18n.tr("factories-fail")
                };
                ui.label(
                    RichText::new(verdict)
                        .color(theme.good_or_bad(pass))
                        .strong(),
                );
                ui.end_row();
            }
        });

    ui.add_space(6.0);
    ui.label(RichText::new(i18n.tr("factories-history")).strong());
    egui::Grid::new("factory_kpi_history")
        .striped(true)
        .show(ui, |ui| {
            for id in [
                "factories-col-date",
                "factories-kpi-latency",
                "factories-kpi-jitter",
                "factories-kpi-reliability",
            ] {
                ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
            }
            ui.end_row();
            for s in detail.kpi_history.iter().rev() {
                ui.label(date(s.t));
                ui.label(format!("{:.2} ms", s.kpis.latency_ms));
                ui.label(format!("{:.2} ms", s.kpis.jitter_ms));
                ui.label(format!("{:.5} %", s.kpis.reliability * 100.0));
                ui.end_row();
            }
        });

    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(i18n.tr("factories-agent")).strong());
        match &f.agent_id {
            Some(agent_id) => {
                let name = state
                    .world
                    .as_ref()
                    .and_then(|w| w.agents.iter().find(|a| &a.id == agent_id))
                    .map_or(agent_id.clone(), |a| {
                        i18n.pick(&a.name_en, &a.name_zh).to_owned()
                    });
                ui.label(name);
                if ui.button(i18n.tr("factories-open-agent")).clicked() {
                    out.open_agent = Some(agent_id.clone());
                }
            }
            None => {
                ui.label(RichText::new(i18n.tr("factories-no-agent")).color(theme.text_dim));
            }
        }
    });
    let actions = actions_for(state, detail);
    if actions.is_empty() {
        ui.label(RichText::new(i18n.tr("factories-no-actions")).color(theme.text_dim));
    } else {
        egui::Grid::new("factory_actions")
            .striped(true)
            .show(ui, |ui| {
                for a in actions {
                    ui.label(format::clock(a.created_at));
                    let state_key = key_of(&a.state);
                    let colour = if a.is_open() {
                        theme.warn
                    } else {
                        theme.text_dim
                    };
                    ui.label(RichText::new(i18n.tr(&format!("state-{state_key}"))).color(colour));
                    ui.label(i18n.pick(&a.summary_en, &a.summary_zh));
                    ui.end_row();
                }
            });
    }
    out
}
