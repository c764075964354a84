//! The plant's network as built — each technology of its upgrade checklist with what it does
//! there and how far it is — and the AI and control workloads the network carries, each with
//! what it needs and whether the plant's KPIs serve it.

use egui::RichText;

use crate::api::{FactoryDetail, UpgradeStatus};
use crate::i18n::I18n;
use crate::ui::factories::{key_of, tech_name};
use crate::ui::theme::Theme;

/// The checklist as a table: technology, its role in a plant, state, date.
pub fn as_built_ui(ui: &mut egui::Ui, detail: &FactoryDetail, i18n: &I18n, theme: &Theme) {
    ui.label(RichText::new(i18n.tr("plant-as-built")).strong());
    if detail.checklist.is_empty() {
        ui.label(RichText::new(i18n.tr("plant-as-built-none")).color(theme.text_dim));
        return;
    }
    for u in &detail.checklist {
        let (id, colour) = status(u.status, theme);
        egui::Sides::new().shrink_left().show(
            ui,
            |ui| {
                ui.vertical(|ui| {
                    ui.label(RichText::new(tech_name(i18n, u.technology)).strong());
                    ui.add(
                        egui::Label::new(
                            RichText::new(
                                i18n.tr(&format!("plant-role-{}", key_of(&u.technology))),
                            )
                            .small()
                            .color(theme.text_dim),
                        )
                        .wrap(),
                    );
                });
            },
            |ui| {
                ui.label(i18n.date(u.date));
                ui.label(RichText::new(i18n.tr(id)).color(colour).strong());
            },
        );
        ui.add_space(4.0);
    }
}

pub fn status(s: UpgradeStatus, theme: &Theme) -> (&'static str, egui::Color32) {
    match s {
        UpgradeStatus::Done => ("plant-done", theme.ok),
        UpgradeStatus::InProgress => ("plant-in-progress", theme.warn),
        UpgradeStatus::Planned => ("plant-planned", theme.text_dim),
    }
}

/// The workloads, what each needs, and whether the network serves it now (and if not, which
/// figure falls short).
pub fn workloads_ui(ui: &mut egui::Ui, detail: &FactoryDetail, i18n: &I18n, theme: &Theme) {
    ui.label(RichText::new(i18n.tr("plant-workloads")).strong());
    if detail.workloads.is_empty() {
        ui.label(RichText::new(i18n.tr("plant-workloads-none")).color(theme.text_dim));
        return;
    }
    for w in &detail.workloads {
        let short = w.shortfalls(&detail.factory.kpis);
        let verdict = if short.is_empty() {
            RichText::new(i18n.tr("plant-served")).color(theme.ok)
        } else {
            let what: Vec<String> = short
                .iter()
                .map(|k| i18n.tr(&format!("plant-short-{k}")))
                .collect();
            RichText::new(i18n.tr_args("plant-not-served", &[("what", what.join(", ").into())]))
                .color(theme.danger)
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(i18n.tr(&format!("workload-{}", w.id))).strong());
            ui.label(verdict.strong());
        });
        ui.add(
            egui::Label::new(
                RichText::new(needs_line(w, i18n))
                    .small()
                    .color(theme.text_dim),
            )
            .wrap(),
        );
        ui.add_space(4.0);
    }
}

/// "≤ 4 ms · jitter ≤ 1 ms · ≥ 99.999 % · ≥ 1000 Mbit/s".
pub fn needs_line(w: &crate::api::Workload, i18n: &I18n) -> String {
    let n = &w.needs;
    i18n.tr_args(
        "plant-needs",
        &[
            ("latency", format!("{:.1}", n.latency_ms).into()),
            ("jitter", format!("{:.1}", n.jitter_ms).into()),
            (
                "reliability",
                format!("{:.3}", n.reliability * 100.0).into(),
            ),
            ("throughput", format!("{:.0}", n.throughput_mbps).into()),
        ],
    )
}
