//! Factories view: all enterprises of the upgrade programme on a clustered map, in a sortable
//! virtual table and against the 2028 target, with filters that drive all three at once and a
//! page per plant.
//!
//! The console holds every plant as compact points (`GET /factories/points`, fetched once, then
//! kept current by `FactoriesProgressed` events) and filters them itself, so the map, the
//! counts and the table follow a filter in the same frame. The backend's count for the same
//! filter is fetched alongside and shown, so a disagreement would be visible. Owns no network
//! code: it returns `Command`s and, to open the agents view, an intent.

mod charts;
mod map;
pub(crate) mod page;
pub(crate) mod provinces;
mod table;

use egui::RichText;

use super::format;
use super::theme::Theme;
use crate::api::{FactoryPoints, FactoryQuery, Industry, Technology, UpgradeStage};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::State;

pub use table::{SortColumn, sort_rows};

pub fn stage_id(stage: UpgradeStage) -> &'static str {
    match stage {
        UpgradeStage::Unknown => "stage-unknown",
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

/// The operator's filters; every one narrows the list (AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub province: Option<String>,
    pub industry: Option<Industry>,
    pub stage: Option<UpgradeStage>,
    pub tech: Option<Technology>,
    pub compliant: Option<bool>,
    pub search: String,
}

impl Filters {
    /// The same filter as the backend understands it.
    pub fn query(&self) -> FactoryQuery {
        let q = self.search.trim();
        FactoryQuery {
            province: self.province.clone(),
            industry: self.industry,
            stage: self.stage,
            tech: self.tech,
            compliant: self.compliant,
            q: (!q.is_empty()).then(|| q.to_owned()),
            ..FactoryQuery::default()
        }
    }
}

/// What the view asks of the app besides commands.
#[derive(Debug, Default)]
pub struct FactoriesOut {
    pub commands: Vec<Command>,
    /// Open the agents view on this agent.
    pub open_agent: Option<String>,
}

/// The filtered rows, recomputed only when the points or the filters change.
#[derive(Default)]
struct Rows {
    /// Key: points version, filters, sort.
    key: Option<(u64, Filters, SortColumn, bool)>,
    /// Indices into the points, in table order.
    sorted: Vec<u32>,
    /// Bumped whenever the set (not only the order) changes: the map's data version.
    generation: u64,
    set_key: Option<(u64, Filters)>,
}

#[derive(Default)]
pub struct FactoriesView {
    filters: Filters,
    /// Column and descending.
    sort: (SortColumn, bool),
    rows: Rows,
    /// Selected plant id.
    selected: Option<u32>,
    /// Scroll the table to the selection next frame (it was picked on the map).
    scroll_to_selected: bool,
    map: map::FactoryMap,
    breakdown: charts::Breakdown,
    /// The snapshot (by `State::snapshots_applied`) the points were last asked for after.
    points_for_snapshot: Option<u64>,
    requested_progress: bool,
    /// Backend count request last sent.
    counted: Option<FactoryQuery>,
    /// Plant whose page was last asked for.
    detail_for: Option<u32>,
    export_counter: u32,
}

impl FactoriesView {
    fn refresh_rows(&mut self, points: &FactoryPoints, version: u64, i18n: &I18n) {
        let key = (version, self.filters.clone(), self.sort.0, self.sort.1);
        if self.rows.key.as_ref() == Some(&key) {
            return;
        }
        let set_key = (version, self.filters.clone());
        if self.rows.set_key.as_ref() != Some(&set_key) {
            self.rows.generation += 1;
            self.rows.set_key = Some(set_key);
        }
        let mut rows: Vec<u32> = points
            .filter(&self.filters.query())
            .into_iter()
            .map(|i| i as u32)
            .collect();
        sort_rows(points, &mut rows, self.sort.0, !self.sort.1, i18n.lang());
        self.rows.sorted = rows;
        self.rows.key = Some(key);
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> FactoriesOut {
        let mut out = FactoriesOut::default();
        if state.world.is_none() {
            ui.label(i18n.tr_args("waiting", &[("url", state.backend_url.clone().into())]));
            return out;
        }
        // Once per snapshot: a new one (a reconnect, a reloaded world) may bring other plants.
        if self.points_for_snapshot != Some(state.snapshots_applied) {
            self.points_for_snapshot = Some(state.snapshots_applied);
            out.commands
                .push(Command::FetchFactoryPoints(FactoryQuery::default()));
        }
        if !self.requested_progress && state.progress.is_none() {
            self.requested_progress = true;
            out.commands.push(Command::FetchProgress);
        }
        let query = self.filters.query();
        if self.counted.as_ref() != Some(&query) {
            // The backend's own count of the same filter, shown next to ours.
            out.commands.push(Command::FetchFactories(FactoryQuery {
                limit: Some(1),
                ..query.clone()
            }));
            self.counted = Some(query.clone());
        }

        self.header_ui(ui, state, i18n, theme, &mut out);
        let Some(points) = state.factory_points.as_ref() else {
            ui.separator();
            ui.label(i18n.tr("factories-loading"));
            return out;
        };
        self.refresh_rows(points, state.factory_points_version, i18n);

        let mut clicked_filter: Option<charts::FilterClick> = None;
        egui::Panel::right("factories_side")
            .default_size(460.0)
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    if let Some(id) = self.selected {
                        let page_out = page::page_ui(ui, state, id, i18n, theme);
                        if page_out.close {
                            self.selected = None;
                        }
                        if page_out.open_agent.is_some() {
                            out.open_agent = page_out.open_agent;
                        }
                        ui.separator();
                    }
                    charts::progress_ui(ui, state, i18n, theme);
                    ui.add_space(6.0);
                    clicked_filter = self.breakdown.ui(
                        ui,
                        points,
                        &self.rows.sorted,
                        self.rows.generation,
                        i18n,
                        theme,
                    );
                });
            });
        if let Some(click) = clicked_filter {
            match click {
                charts::FilterClick::Province(p) => self.filters.province = Some(p),
                charts::FilterClick::Industry(i) => self.filters.industry = Some(i),
                charts::FilterClick::Tech(t) => self.filters.tech = Some(t),
            }
        }

        let available = ui.available_height();
        let map_height = (available * 0.55).max(200.0);
        let picked = ui
            .allocate_ui(egui::vec2(ui.available_width(), map_height), |ui| {
                self.map.ui(
                    ui,
                    points,
                    &self.rows.sorted,
                    self.rows.generation,
                    self.selected,
                    (i18n, theme),
                    state
                        .world
                        .as_ref()
                        .map_or(&[][..], |w| w.sources.as_slice()),
                )
            })
            .inner;
        if let Some(id) = picked {
            self.selected = Some(id);
            self.scroll_to_selected = true;
        }
        ui.separator();
        let table_out = ui
            .scope(|ui| {
                table::table_ui(
                    ui,
                    points,
                    &self.rows.sorted,
                    &mut self.sort,
                    self.selected,
                    std::mem::take(&mut self.scroll_to_selected),
                    (i18n, theme),
                    (
                        state
                            .world
                            .as_ref()
                            .map_or(&[][..], |w| w.sources.as_slice()),
                        state.server_now(state.now()),
                    ),
                )
            })
            .inner;
        if let Some(id) = table_out.clicked {
            self.selected = Some(id);
            if let Some(i) = points.index_of(id) {
                self.map.center_on(points, i);
            }
        }

        // The page of the selected plant.
        if self.selected != self.detail_for {
            self.detail_for = self.selected;
            if let Some(id) = self.selected {
                out.commands.push(Command::FetchFactoryDetail(id));
            }
        }
        out
    }

    fn header_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
        out: &mut FactoriesOut,
    ) {
        ui.horizontal(|ui| {
            ui.heading(i18n.tr("factories-title"));
            ui.add_space(12.0);
            if let Some(world) = &state.world {
                let f = &world.factories;
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
            }
        });
        ui.horizontal_wrapped(|ui| {
            // Filters, search and export need a pointer and a keyboard: not on the wall.
            if crate::ui::wall::is_wall(ui) {
                return;
            }
            let any = i18n.tr("filter-any");
            let names = provinces::names();
            let province_label = self
                .filters
                .province
                .as_deref()
                .map_or(any.clone(), |p| provinces::name(names, p, i18n));
            let combo_label = ui.label(i18n.tr("filter-province"));
            egui::ComboBox::from_id_salt("factories_filter-province")
                .selected_text(province_label)
                .height(400.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filters.province, None, any.clone());
                    let codes: Vec<&str> = state
                        .factory_points
                        .as_ref()
                        .map(|p| {
                            let mut v: Vec<&str> = p.provinces.iter().map(String::as_str).collect();
                            v.sort_unstable();
                            v
                        })
                        .unwrap_or_default();
                    for code in codes {
                        ui.selectable_value(
                            &mut self.filters.province,
                            Some(code.to_owned()),
                            provinces::name(names, code, i18n),
                        );
                    }
                })
                .response
                .labelled_by(combo_label.id);
            let industry_label = self
                .filters
                .industry
                .map_or(any.clone(), |i| industry_name(i18n, i));
            let combo_label = ui.label(i18n.tr("filter-industry"));
            egui::ComboBox::from_id_salt("factories_filter-industry")
                .selected_text(industry_label)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filters.industry, None, any.clone());
                    for industry in Industry::ALL {
                        ui.selectable_value(
                            &mut self.filters.industry,
                            Some(industry),
                            industry_name(i18n, industry),
                        );
                    }
                })
                .response
                .labelled_by(combo_label.id);
            let stage_label = self
                .filters
                .stage
                .map_or(any.clone(), |s| i18n.tr(stage_id(s)));
            let combo_label = ui.label(i18n.tr("filter-stage"));
            egui::ComboBox::from_id_salt("factories_filter-stage")
                .selected_text(stage_label)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filters.stage, None, any.clone());
                    for stage in UpgradeStage::ALL {
                        ui.selectable_value(
                            &mut self.filters.stage,
                            Some(stage),
                            i18n.tr(stage_id(stage)),
                        );
                    }
                })
                .response
                .labelled_by(combo_label.id);
            let tech_label = self
                .filters
                .tech
                .map_or(any.clone(), |t| tech_name(i18n, t));
            let combo_label = ui.label(i18n.tr("factories-filter-tech"));
            egui::ComboBox::from_id_salt("factories_factories-filter-tech")
                .selected_text(tech_label)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filters.tech, None, any.clone());
                    for tech in Technology::ALL {
                        ui.selectable_value(
                            &mut self.filters.tech,
                            Some(tech),
                            tech_name(i18n, tech),
                        );
                    }
                })
                .response
                .labelled_by(combo_label.id);
            let compliant_label = match self.filters.compliant {
                None => any.clone(),
                Some(true) => i18n.tr("factories-compliant-yes"),
                Some(false) => i18n.tr("factories-compliant-no"),
            };
            let combo_label = ui.label(i18n.tr("factories-filter-compliant"));
            egui::ComboBox::from_id_salt("factories_factories-filter-compliant")
                .selected_text(compliant_label)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filters.compliant, None, any.clone());
                    ui.selectable_value(
                        &mut self.filters.compliant,
                        Some(true),
                        i18n.tr("factories-compliant-yes"),
                    );
                    ui.selectable_value(
                        &mut self.filters.compliant,
                        Some(false),
                        i18n.tr("factories-compliant-no"),
                    );
                })
                .response
                .labelled_by(combo_label.id);
            let label = ui.label(i18n.tr("factories-search"));
            ui.add(egui::TextEdit::singleline(&mut self.filters.search).desired_width(180.0))
                .labelled_by(label.id);
            if ui
                .add_enabled(
                    self.filters != Filters::default(),
                    egui::Button::new(i18n.tr("factories-clear")),
                )
                .clicked()
            {
                self.filters = Filters::default();
            }
            if ui.button(i18n.tr("factories-export")).clicked() {
                self.export_counter += 1;
                let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
                let name = format!("tianshu-factories-{stamp}-{}.csv", self.export_counter);
                let dir = directories::UserDirs::new()
                    .and_then(|d| d.download_dir().map(std::path::Path::to_path_buf))
                    .unwrap_or_else(std::env::temp_dir);
                out.commands.push(Command::ExportFactoriesCsv {
                    query: self.filters.query(),
                    path: dir.join(name),
                });
            }
        });
        ui.horizontal(|ui| {
            let shown = self.rows.sorted.len() as u64;
            let total = state.factory_points.as_ref().map_or(0, |p| p.len() as u64);
            ui.label(
                RichText::new(i18n.tr_args(
                    "factories-matching",
                    &[
                        ("shown", format::thousands(shown).into()),
                        ("total", format::thousands(total).into()),
                    ],
                ))
                .strong(),
            );
            // The backend's count of the same filter (its answer to the last count request).
            if let Some(page) = &state.factory_page
                && state.factory_points.is_some()
            {
                let agrees = page.total == shown;
                ui.label(
                    RichText::new(i18n.tr_args(
                        "factories-backend-count",
                        &[("count", format::thousands(page.total).into())],
                    ))
                    .color(if agrees { theme.text_dim } else { theme.warn }),
                );
            }
            if let Some((path, result)) = &state.factory_export {
                let text = match result {
                    Ok(bytes) => i18n.tr_args(
                        "factories-exported",
                        &[
                            ("path", path.display().to_string().into()),
                            ("size", format::thousands(*bytes / 1024).into()),
                        ],
                    ),
                    Err(e) => {
                        i18n.tr_args("factories-export-failed", &[("reason", e.clone().into())])
                    }
                };
                ui.separator();
                ui.label(RichText::new(text).color(theme.text_dim));
            }
        });
    }
}
