//! The overview's side panel: the national headline figures, or the selected hub, cluster,
//! link or metro with its KPIs, round-trip times to the other hubs and live history charts.
//!
//! Reads `State` only; what the operator asks for (close, drill down, select another thing)
//! comes back as a [`PanelOut`].
//!
//! `selected.rs` draws a selected hub, cluster, link or metro; `parts.rs` the tiles, fact grids,
//! charts and RTT table they are made of; `figures.rs` computes what they show from the world.

use egui::RichText;
use tianshu_widgets::RampLegend;

use super::Selection;
use crate::i18n::I18n;
use crate::state::{State, World};
use crate::ui::format;
use crate::ui::latency::national_coverage;
use crate::ui::provenance;
use crate::ui::theme::Theme;

mod figures;
mod parts;
mod selected;

use figures::average_history;
pub use figures::members_of;
use parts::tile;
use selected::{cluster_ui, hub_ui, link_ui, metro_ui};

#[derive(Debug, Default, PartialEq)]
pub struct PanelOut {
    pub close: bool,
    pub drill_into: Option<usize>,
    pub select: Option<Selection>,
}

pub fn side_panel(
    ui: &mut egui::Ui,
    state: &State,
    world: &World,
    selection: Option<&Selection>,
    i18n: &I18n,
    theme: &Theme,
) -> PanelOut {
    let mut out = PanelOut::default();
    egui::ScrollArea::vertical().show(ui, |ui| match selection {
        Some(selection) => {
            ui.horizontal(|ui| {
                if ui.button(i18n.tr("overview-close")).clicked() {
                    out.close = true;
                }
            });
            match selection {
                Selection::Hub(h) => hub_ui(ui, state, world, *h, i18n, theme, &mut out),
                Selection::Cluster(c) => cluster_ui(ui, state, world, *c, i18n, theme, &mut out),
                Selection::Link(l) => link_ui(ui, state, world, *l, i18n, theme, &mut out),
                Selection::Metro(m) => metro_ui(ui, state, world, *m, i18n, theme),
                Selection::Place { name, .. } => {
                    ui.heading(name);
                }
            }
        }
        None => national_ui(ui, state, world, i18n, theme, &mut out),
    });
    out
}

fn national_ui(
    ui: &mut egui::Ui,
    state: &State,
    world: &World,
    i18n: &I18n,
    theme: &Theme,
    out: &mut PanelOut,
) {
    let eflops: f64 = world.clusters.iter().map(|c| c.compute_eflops).sum();
    let racks: f64 = world.clusters.iter().map(|c| f64::from(c.racks)).sum();
    let busy = world
        .clusters
        .iter()
        .map(|c| c.compute_eflops * c.utilization)
        .sum::<f64>()
        / eflops.max(f64::EPSILON);
    let in_use: f64 = world
        .clusters
        .iter()
        .map(|c| f64::from(c.racks) * c.occupancy)
        .sum();
    let pue =
        world.clusters.iter().map(|c| c.pue).sum::<f64>() / world.clusters.len().max(1) as f64;
    let green = world
        .clusters
        .iter()
        .map(|c| c.green_power_share * c.compute_eflops)
        .sum::<f64>()
        / eflops.max(f64::EPSILON);
    let links_800 = world
        .links
        .iter()
        .filter(|l| l.capacity_gbps >= 800)
        .count();
    let avg_history: Vec<f32> = average_history(state);
    let tile = |caption: String, value: String| tile(theme, caption, value);
    ui.horizontal_wrapped(|ui| {
        let family = |kind: &str, metric: &str| provenance::family(world, kind, metric, i18n);
        ui.add(
            tile(i18n.tr("kpi-compute"), format!("{eflops:.0}")).with_unit(i18n.tr("unit-eflops")),
        )
        .on_hover_text(provenance::part(world, "compute", i18n));
        ui.add(
            tile(
                i18n.tr("kpi-utilization"),
                format!("{} %", format::percent(busy)),
            )
            .with_sparkline(&avg_history, theme.accent),
        )
        .on_hover_text(family("cluster", "utilization"));
        ui.add(
            tile(i18n.tr("kpi-racks"), format::millions(in_use))
                .with_unit(format!("/ {}", format::millions(racks))),
        )
        .on_hover_text(family("cluster", "occupancy"));
        ui.add(tile(i18n.tr("kpi-pue"), format!("{pue:.2}")).with_target(
            1.25 / pue as f32,
            1.0,
            theme.good_or_bad(pue <= 1.25),
        ))
        .on_hover_text(family("cluster", "pue"));
        ui.add(tile(
            i18n.tr("kpi-green"),
            format!("{} %", format::percent(green)),
        ))
        .on_hover_text(family("cluster", "green_power_share"));
        ui.add(tile(
            i18n.tr("kpi-backbone"),
            format!("{links_800} / {}", world.links.len()),
        ))
        .on_hover_text(provenance::part(world, "compute", i18n));
        let coverage = national_coverage(&world.metros);
        ui.add(
            tile(
                i18n.tr("kpi-coverage"),
                format!("{} %", format::percent(coverage)),
            )
            .with_target(coverage as f32, 0.75, theme.good_or_bad(coverage >= 0.75)),
        )
        .on_hover_text(family("metro", "coverage_1ms"));
        ui.add(
            tile(
                i18n.tr("kpi-upgraded"),
                format::thousands(world.factories.upgraded),
            )
            .with_target(world.factories.upgraded as f32, 50_000.0, theme.accent),
        )
        .on_hover_text(provenance::part(world, "enterprises", i18n));
        ui.add(tile(
            i18n.tr("kpi-pending"),
            state.open_actions().count().to_string(),
        ));
    });
    ui.add_space(8.0);
    ui.label(RichText::new(i18n.tr("overview-clusters")).strong());
    let server_now = state.server_now(state.now());
    egui::Grid::new("clusters").striped(true).show(ui, |ui| {
        for id in [
            "col-cluster",
            "col-utilization",
            "col-pue",
            "col-green",
            "col-compute",
        ] {
            ui.label(RichText::new(i18n.tr(id)).color(theme.text_dim));
        }
        ui.end_row();
        for (i, c) in world.clusters.iter().enumerate() {
            if ui
                .selectable_label(false, i18n.pick(&c.name_en, &c.name_zh))
                .clicked()
            {
                out.select = Some(Selection::Cluster(i));
            }
            let entity = format!("cluster:{}", c.id);
            let show = |ui: &mut egui::Ui, text: RichText, metric: &str| {
                let p = provenance::of(world, &entity, metric);
                provenance::figure(ui, text, &p, i18n, theme, server_now);
            };
            show(
                ui,
                RichText::new(format!("{} %", format::percent(c.utilization)))
                    .color(theme.utilization_colour(c.utilization)),
                "utilization",
            );
            show(ui, RichText::new(format!("{:.2}", c.pue)), "pue");
            show(
                ui,
                RichText::new(format!("{} %", format::percent(c.green_power_share))),
                "green_power_share",
            );
            ui.label(format!("{:.1}", c.compute_eflops));
            ui.end_row();
        }
    });
    ui.add_space(8.0);
    ui.add(
        RampLegend::new(&theme.utilization, "0 %".to_owned(), "100 %".to_owned())
            .with_caption(i18n.tr("legend-utilization")),
    );
}

#[cfg(test)]
mod tests;
