//! Factories view: the programme's national roll-up and a filtered, paged table of enterprises
//! fetched from `/factories` (the backend filters; the console never holds all 60,000).

use egui::RichText;

use super::format;
use super::theme::Theme;
use crate::api::{FactoryQuery, Industry, Technology, UpgradeStage};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;

const PAGE_SIZE: u32 = 100;

#[derive(Default)]
pub struct FactoriesView {
    industry: Option<Industry>,
    stage: Option<UpgradeStage>,
    search: String,
    /// Cursors of the pages before the current one (for "previous").
    cursors: Vec<Option<String>>,
    cursor: Option<String>,
    requested: Option<FactoryQuery>,
}

pub fn stage_id(stage: UpgradeStage) -> &'static str {
    match stage {
        UpgradeStage::Planned => "stage-planned",
        UpgradeStage::Assessing => "stage-assessing",
        UpgradeStage::Deploying => "stage-deploying",
        UpgradeStage::Upgraded => "stage-upgraded",
    }
}

/// The serde name of a domain enum value (`five_g`, `steel`, …), also its translation suffix.
pub fn key_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn industry_name(i18n: &I18n, industry: Industry) -> String {
    i18n.tr(&format!("industry-{}", key_of(&industry)))
}

pub fn tech_name(i18n: &I18n, tech: Technology) -> String {
    i18n.tr(&format!("tech-{}", key_of(&tech)))
}

impl FactoriesView {
    fn query(&self) -> FactoryQuery {
        let q = self.search.trim();
        FactoryQuery {
            industry: self.industry,
            stage: self.stage,
            q: (!q.is_empty()).then(|| q.to_owned()),
            cursor: self.cursor.clone(),
            limit: Some(PAGE_SIZE),
            ..FactoryQuery::default()
        }
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.heading(i18n.tr("factories-title"));
        if let Some(world) = &state.world {
            let f = &world.factories;
            ui.horizontal(|ui| {
                ui.label(format!(
                    "{}: {}",
                    i18n.tr("factories-total"),
                    format::thousands(f.total)
                ));
                ui.separator();
                ui.label(
                    RichText::new(format!(
                        "{}: {}",
                        i18n.tr("factories-upgraded"),
                        format::thousands(f.upgraded)
                    ))
                    .color(theme.accent)
                    .strong(),
                );
                for kc in &f.by_stage {
                    ui.separator();
                    ui.label(format!(
                        "{}: {}",
                        i18n.tr(&format!("stage-{}", kc.key)),
                        format::thousands(kc.count)
                    ));
                }
            });
        }
        let filters_before = (self.industry, self.stage, self.search.clone());
        ui.horizontal(|ui| {
            let any = i18n.tr("filter-any");
            let industry_label = self
                .industry
                .map_or(any.clone(), |i| industry_name(i18n, i));
            egui::ComboBox::from_label(i18n.tr("filter-industry"))
                .selected_text(industry_label)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.industry, None, any.clone());
                    for industry in Industry::ALL {
                        ui.selectable_value(
                            &mut self.industry,
                            Some(industry),
                            industry_name(i18n, industry),
                        );
                    }
                });
            let stage_label = self.stage.map_or(any.clone(), |s| i18n.tr(stage_id(s)));
            egui::ComboBox::from_label(i18n.tr("filter-stage"))
                .selected_text(stage_label)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.stage, None, any.clone());
                    for stage in UpgradeStage::ALL {
                        ui.selectable_value(&mut self.stage, Some(stage), i18n.tr(stage_id(stage)));
                    }
                });
            let label = ui.label(i18n.tr("filter-search"));
            ui.add(egui::TextEdit::singleline(&mut self.search).desired_width(220.0))
                .labelled_by(label.id);
        });
        if filters_before != (self.industry, self.stage, self.search.clone()) {
            // A new filter starts again from the first page.
            self.cursors.clear();
            self.cursor = None;
        }
        let page = state.factory_page.as_ref();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    !self.cursors.is_empty(),
                    egui::Button::new(i18n.tr("page-prev")),
                )
                .clicked()
            {
                self.cursor = self.cursors.pop().flatten();
            }
            let next = page.and_then(|p| p.next_cursor.clone());
            if ui
                .add_enabled(next.is_some(), egui::Button::new(i18n.tr("page-next")))
                .clicked()
            {
                self.cursors.push(self.cursor.take());
                self.cursor = next;
            }
            if let Some(p) = page {
                ui.label(i18n.tr_args(
                    "page-status",
                    &[
                        ("shown", p.items.len().into()),
                        ("total", format::thousands(p.total).into()),
                    ],
                ));
            }
        });
        let wanted = self.query();
        if self.requested.as_ref() != Some(&wanted) && state.world.is_some() {
            commands.push(Command::FetchFactories(wanted.clone()));
            self.requested = Some(wanted);
        }
        ui.separator();
        let Some(page) = page else {
            ui.label(i18n.tr("factories-loading"));
            return commands;
        };
        egui::ScrollArea::both().show(ui, |ui| {
            egui::Grid::new("factory_table")
                .striped(true)
                .show(ui, |ui| {
                    for id in [
                        "col-name",
                        "col-province",
                        "col-industry",
                        "col-stage",
                        "col-tech",
                        "col-latency",
                        "col-required",
                    ] {
                        ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
                    }
                    ui.end_row();
                    for f in &page.items {
                        ui.label(i18n.pick(&f.name_en, &f.name_zh));
                        ui.label(i18n.pick(&f.city_en, &f.city_zh));
                        ui.label(industry_name(i18n, f.industry));
                        ui.label(i18n.tr(stage_id(f.stage)));
                        let techs: Vec<String> =
                            f.technologies.iter().map(|t| tech_name(i18n, *t)).collect();
                        ui.label(techs.join(", "));
                        let meets = f.kpis.latency_ms <= f.required.latency_ms;
                        ui.label(
                            RichText::new(format!("{:.1} ms", f.kpis.latency_ms))
                                .color(theme.good_or_bad(meets)),
                        );
                        ui.label(format!("≤ {:.1} ms", f.required.latency_ms));
                        ui.end_row();
                    }
                });
        });
        commands
    }
}
