//! What floats over the overview map: breadcrumbs and reset (top left), search and the
//! animation switch (top right), the legend (bottom left), the replay pill (top centre). The wall
//! leaves out what needs a pointer.

use super::legend::legend_ui;
use super::scene::hub_label;
use super::timeline::Replay;
use super::{OverviewView, Selection};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::{State, World};
use crate::ui::format;
use crate::ui::theme::Theme;

impl OverviewView {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn overlays_ui(
        &mut self,
        ui: &mut egui::Ui,
        map_rect: egui::Rect,
        state: &State,
        world: &World,
        i18n: &I18n,
        theme: &Theme,
        commands: &mut Vec<Command>,
    ) {
        // Breadcrumbs, reset, search and the animation switch need a pointer: not on the wall.
        let wall = crate::ui::wall::is_wall(ui);
        // Breadcrumbs and the reset button, top left.
        let crumbs_rect = egui::Rect::from_min_size(
            map_rect.left_top() + egui::vec2(8.0, 8.0),
            egui::vec2(map_rect.width() * 0.5, 30.0),
        );
        ui.scope_builder(egui::UiBuilder::new().max_rect(crumbs_rect), |ui| {
            if wall {
                return;
            }
            egui::Frame::new()
                .fill(theme.panel.gamma_multiply(0.88))
                .corner_radius(4.0)
                .inner_margin(4.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if ui.button(i18n.tr("map-reset")).clicked() {
                            self.fitted_width = None;
                            self.flight = None;
                            self.focus = None;
                        }
                        if ui
                            .selectable_label(self.focus.is_none(), i18n.tr("overview-national"))
                            .clicked()
                        {
                            self.go_home();
                        }
                        if let Some(h) = self.focus {
                            ui.label("›");
                            let label = i18n.tr_args(
                                "overview-hub-crumb",
                                &[("hub", hub_label(world, h, i18n).into())],
                            );
                            if ui.selectable_label(true, label).clicked() {
                                self.drill_into(world, h);
                            }
                            if let Some(Selection::Cluster(i)) = &self.selection
                                && let Some(c) = world.clusters.get(*i)
                                && world.hubs.get(h).is_some_and(|hub| hub.id == c.hub_id)
                            {
                                ui.label("›");
                                ui.label(i18n.pick(&c.name_en, &c.name_zh));
                            }
                        }
                    });
                });
        });

        // Search and the animation switch, top right.
        let search_rect = egui::Rect::from_min_size(
            egui::pos2(map_rect.right() - 330.0, map_rect.top() + 8.0),
            egui::vec2(322.0, 300.0),
        );
        if !wall {
            ui.scope_builder(egui::UiBuilder::new().max_rect(search_rect), |ui| {
                self.search_ui(ui, state, world, i18n, theme, commands);
            });
        }

        // The legend, bottom left.
        let legend_rect = egui::Rect::from_min_size(
            egui::pos2(map_rect.left() + 8.0, map_rect.bottom() - 158.0),
            egui::vec2(300.0, 150.0),
        );
        ui.scope_builder(egui::UiBuilder::new().max_rect(legend_rect), |ui| {
            legend_ui(ui, i18n, theme, self.focus.is_some())
        });
        if let Replay::At { t, .. } = self.replay {
            let pill_rect = egui::Rect::from_center_size(
                egui::pos2(map_rect.center().x, map_rect.top() + 24.0),
                egui::vec2(260.0, 28.0),
            );
            ui.put(
                pill_rect,
                tianshu_widgets::StatusPill::new(
                    i18n.tr_args("overview-replay-at", &[("time", format::clock(t).into())]),
                    theme.warn,
                    theme.background,
                ),
            );
        }
    }
}
