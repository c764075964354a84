//! Overview: the national computing hubs and the backbone on an offline map of China, with the
//! headline figures beside it.

use egui::RichText;
use tianshu_widgets::{
    Attribution, KpiTile, LinksLayer, MapLink, MapNode, NodesLayer, OutlineLayer, RampLegend,
};
use walkers::{Map, MapMemory, lat_lon};

use super::basemap::Basemap;
use super::format;
use super::latency::national_coverage;
use super::theme::{Theme, kpi_style};
use crate::i18n::I18n;
use crate::state::{State, World};

/// Where the map opens: the middle of China's land area.
const HOME_LAT: f64 = 35.5;
const HOME_LON: f64 = 106.0;
/// Longitudes the home view must show (Kashgar to the Yellow Sea).
const HOME_SPAN_LON: f64 = 56.0;

#[derive(Default)]
pub struct OverviewView {
    basemap: Option<Basemap>,
    memory: MapMemory,
    fitted_width: Option<f32>,
    hovered_node: Option<u64>,
    hovered_link: Option<u64>,
}

/// Zoom at which `span_lon` degrees fill `width_px` in Web Mercator (256 px tiles).
pub fn zoom_to_fit(width_px: f32, span_lon: f64) -> f64 {
    let world_px = f64::from(width_px.max(64.0)) * 360.0 / span_lon;
    (world_px / 256.0).log2().clamp(2.0, 18.0)
}

impl OverviewView {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &State, i18n: &I18n, theme: &Theme) {
        let Some(world) = &state.world else {
            ui.label(i18n.tr_args("waiting", &[("url", state.backend_url.clone().into())]));
            return;
        };
        egui::Panel::right("overview_side")
            .default_size(380.0)
            .show(ui, |ui| side_panel(ui, state, world, i18n, theme));
        egui::CentralPanel::default()
            .frame(egui::Frame::new().fill(theme.map_water))
            .show(ui, |ui| self.map_ui(ui, world, i18n, theme));
    }

    fn map_ui(&mut self, ui: &mut egui::Ui, world: &World, i18n: &I18n, theme: &Theme) {
        let basemap = self.basemap.get_or_insert_with(Basemap::load);
        let width = ui.available_width();
        if self
            .fitted_width
            .is_none_or(|w| (w - width).abs() > 1.0 && self.memory.detached().is_none())
        {
            self.memory = MapMemory::default();
            let _ = self.memory.set_zoom(zoom_to_fit(width, HOME_SPAN_LON));
            self.fitted_width = Some(width);
        }
        let nodes: Vec<MapNode> = world
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| MapNode {
                position: lat_lon(c.location.lat, c.location.lon),
                radius: 5.0 + (c.compute_eflops as f32).sqrt() * 1.6,
                color: theme.utilization_colour(c.utilization),
                label: Some(format!(
                    "{} · {} %",
                    i18n.pick(&c.name_en, &c.name_zh),
                    format::percent(c.utilization)
                )),
                id: i as u64,
            })
            .collect();
        let position_of = |id: &str| {
            world
                .clusters
                .iter()
                .find(|c| c.id == id)
                .map(|c| lat_lon(c.location.lat, c.location.lon))
        };
        let links: Vec<MapLink> = world
            .links
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                Some(MapLink {
                    from: position_of(&l.from_cluster)?,
                    to: position_of(&l.to_cluster)?,
                    width: if l.capacity_gbps >= 800 { 4.5 } else { 2.5 },
                    color: theme.utilization_colour(l.utilization),
                    id: i as u64,
                    label: Some(i18n.tr_args(
                        "link-tooltip",
                        &[
                            ("name", l.id.clone().into()),
                            ("capacity", l.capacity_gbps.into()),
                            ("util", format::percent(l.utilization).into()),
                            ("rtt", format!("{:.1}", l.rtt_ms).into()),
                        ],
                    )),
                })
            })
            .collect();
        let map = Map::new(None, &mut self.memory, lat_lon(HOME_LAT, HOME_LON))
            .with_plugin(
                OutlineLayer::new(
                    &basemap.countries,
                    egui::Stroke::new(0.6, theme.map_border.gamma_multiply(0.5)),
                )
                .with_fill(Some(theme.map_country)),
            )
            .with_plugin(
                OutlineLayer::new(&basemap.provinces, egui::Stroke::new(0.8, theme.map_border))
                    .with_fill(Some(theme.map_land))
                    .with_label(i18n.tr("overview-clusters")),
            )
            .with_plugin(OutlineLayer::new(
                &basemap.nanhai,
                egui::Stroke::new(1.0, theme.map_border),
            ))
            .with_plugin(
                LinksLayer::new(&links)
                    .hovered_into(&mut self.hovered_link)
                    .with_name(i18n.tr("overview-links")),
            )
            .with_plugin(
                NodesLayer::new(&nodes)
                    .hovered_into(&mut self.hovered_node)
                    .with_label_color(theme.node_label)
                    .with_label_background(theme.panel.gamma_multiply(0.8))
                    .with_always_label_up_to(20)
                    .with_name(i18n.tr("overview-clusters")),
            )
            .with_plugin(
                Attribution::new(i18n.tr("map-attribution"))
                    .with_text_color(theme.text_dim)
                    .with_background(theme.panel.gamma_multiply(0.8)),
            );
        let map_rect = ui.add(map).rect;
        let reset = ui
            .put(
                egui::Rect::from_min_size(
                    map_rect.left_top() + egui::vec2(8.0, 8.0),
                    egui::vec2(120.0, 28.0),
                ),
                egui::Button::new(i18n.tr("map-reset")),
            )
            .clicked();
        if reset {
            self.fitted_width = None;
        }
    }
}

fn side_panel(ui: &mut egui::Ui, state: &State, world: &World, i18n: &I18n, theme: &Theme) {
    egui::ScrollArea::vertical().show(ui, |ui| {
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
        let tile = |caption: String, value: String| {
            KpiTile::new(caption, value)
                .with_value_style(kpi_style())
                .with_value_color(theme.text)
                .with_caption_color(theme.text_dim)
                .with_fill(theme.panel_alt)
                .with_width(170.0)
        };
        ui.horizontal_wrapped(|ui| {
            ui.add(
                tile(i18n.tr("kpi-compute"), format!("{eflops:.0}"))
                    .with_unit(i18n.tr("unit-eflops")),
            );
            ui.add(
                tile(
                    i18n.tr("kpi-utilization"),
                    format!("{} %", format::percent(busy)),
                )
                .with_sparkline(&avg_history, theme.accent),
            );
            ui.add(
                tile(i18n.tr("kpi-racks"), format::millions(in_use))
                    .with_unit(format!("/ {}", format::millions(racks))),
            );
            ui.add(tile(i18n.tr("kpi-pue"), format!("{pue:.2}")).with_target(
                1.25 / pue as f32,
                1.0,
                theme.good_or_bad(pue <= 1.25),
            ));
            ui.add(tile(
                i18n.tr("kpi-green"),
                format!("{} %", format::percent(green)),
            ));
            ui.add(tile(
                i18n.tr("kpi-backbone"),
                format!("{links_800} / {}", world.links.len()),
            ));
            let coverage = national_coverage(&world.metros);
            ui.add(
                tile(
                    i18n.tr("kpi-coverage"),
                    format!("{} %", format::percent(coverage)),
                )
                .with_target(
                    coverage as f32,
                    0.75,
                    theme.good_or_bad(coverage >= 0.75),
                ),
            );
            ui.add(
                tile(
                    i18n.tr("kpi-upgraded"),
                    format::thousands(world.factories.upgraded),
                )
                .with_target(
                    world.factories.upgraded as f32,
                    50_000.0,
                    theme.accent,
                ),
            );
            ui.add(tile(
                i18n.tr("kpi-pending"),
                state.open_actions().count().to_string(),
            ));
        });
        ui.add_space(8.0);
        ui.label(RichText::new(i18n.tr("overview-clusters")).strong());
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
            for c in &world.clusters {
                ui.label(i18n.pick(&c.name_en, &c.name_zh));
                ui.label(
                    RichText::new(format!("{} %", format::percent(c.utilization)))
                        .color(theme.utilization_colour(c.utilization)),
                );
                ui.label(format!("{:.2}", c.pue));
                ui.label(format!("{} %", format::percent(c.green_power_share)));
                ui.label(format!("{:.1}", c.compute_eflops));
                ui.end_row();
            }
        });
        ui.add_space(8.0);
        ui.add(
            RampLegend::new(&theme.utilization, "0 %".to_owned(), "100 %".to_owned())
                .with_caption(i18n.tr("legend-utilization")),
        );
    });
}

/// Mean utilization over all clusters, sample by sample, for the headline sparkline.
fn average_history(state: &State) -> Vec<f32> {
    let histories = &state.cluster_utilization;
    let len = histories.iter().map(|h| h.len()).min().unwrap_or(0);
    if len == 0 {
        return Vec::new();
    }
    let mut sums = vec![0.0f32; len];
    for h in histories {
        let values = h.values();
        for (sum, v) in sums.iter_mut().zip(&values[values.len() - len..]) {
            *sum += v;
        }
    }
    sums.iter().map(|s| s / histories.len() as f32).collect()
}
