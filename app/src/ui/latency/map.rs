//! The latency map: badges per metro at national zoom; at metro zoom the RTT grid as one texture
//! (uploaded only when the grid, the what-if answer shown or the theme changes), the metro's
//! access points, hypothetical sites, and a probe that turns the pointer into a cell.

use std::sync::Arc;

use egui::{Response, TextureHandle, TextureOptions, Ui};
use tianshu_widgets::{Attribution, GridImageLayer, NodesLayer, OutlineLayer};
use walkers::{Map, MapMemory, Plugin, Projector, lat_lon};

use super::super::basemap::Basemap;
use super::super::theme::Theme;
use super::detail::{Detail, MAX_HYPOTHETICAL_SITES};
use super::scene::{HYPOTHETICAL_ID, badges, cell_text, site_nodes};
use super::{cell_at, grid_north_east, rasterise};
use crate::api::{GeoPoint, LatencyGrid, LatencySummary, MetroSummary};
use crate::i18n::I18n;
use crate::state::{State, World};
use crate::ui::map::scene_cache::SceneCache;

const HOME_LAT: f64 = 35.5;
const HOME_LON: f64 = 106.0;
/// Longitudes the national view shows.
const HOME_SPAN_LON: f64 = 56.0;
/// Kilometres a metro view shows across its shorter side (the 100 km grid and a margin).
const METRO_SPAN_KM: f64 = 115.0;
/// Which raster the texture holds.
#[derive(Debug, Clone, PartialEq)]
struct TextureKey {
    metro_id: String,
    sim_time: i64,
    coverage_bits: u64,
    hypothetical: Option<u64>,
    theme: String,
}

#[derive(Default)]
pub struct LatencyMap {
    basemap: Option<Arc<Basemap>>,
    memory: MapMemory,
    /// The metro (or national view) and width the camera was last fitted to.
    fitted: Option<(Option<String>, f32)>,
    texture: Option<(TextureKey, TextureHandle)>,
    hovered_node: Option<u64>,
    clicked_node: Option<u64>,
    /// The map's nodes (metro badges, or a metro's sites), built again only when their inputs
    /// changed.
    nodes: SceneCache<NodesKey, Vec<tianshu_widgets::MapNode>>,
}

/// What the latency map's nodes are built from, besides the state they read.
#[derive(PartialEq)]
struct NodesKey {
    revision: u64,
    metro: Option<String>,
    add: Vec<GeoPoint>,
    remove: std::collections::BTreeSet<u32>,
    hypothetical: bool,
    theme: String,
    lang: crate::api::Lang,
}

pub struct MapOutput {
    /// `Some(Some(id))`: zoom into a metro; `Some(None)`: back to the national view.
    pub select: Option<Option<String>>,
}

/// Zoom at which `span_deg` degrees of longitude fill `px` pixels (metro grids up to zoom 16).
fn zoom_for(px: f32, span_deg: f64) -> f64 {
    crate::ui::map::camera::zoom_to_span(px, span_deg, 2.0, 16.0)
}

impl LatencyMap {
    #[allow(clippy::too_many_arguments)]
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        world: &World,
        summary: Option<&LatencySummary>,
        metro: Option<&MetroSummary>,
        grid: Option<&LatencyGrid>,
        detail: &mut Detail,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> MapOutput {
        let mut out = MapOutput { select: None };
        let basemap = self.basemap.get_or_insert_with(Basemap::shared).clone();
        let size = ui.available_size();
        let target = (metro.map(|m| m.id.clone()), size.x);
        let refit = match &self.fitted {
            None => true,
            Some((id, width)) => {
                *id != target.0
                    || ((width - size.x).abs() > 1.0 && self.memory.detached().is_none())
            }
        };
        if refit {
            self.memory = MapMemory::default();
            match metro {
                Some(m) => {
                    let span_lon =
                        METRO_SPAN_KM / (111.32 * m.center.lat.to_radians().cos().max(0.01));
                    let px = size
                        .x
                        .min(size.y * span_lon as f32 / (METRO_SPAN_KM / 111.32) as f32);
                    let _ = self.memory.set_zoom(zoom_for(px, span_lon));
                    self.memory.center_at(lat_lon(m.center.lat, m.center.lon));
                }
                None => {
                    let _ = self.memory.set_zoom(zoom_for(size.x, HOME_SPAN_LON));
                }
            }
            self.fitted = Some(target);
        }

        let texture = match (metro, grid) {
            (Some(_), Some(g)) => Some(self.texture_for(ui, g, detail, state, theme)),
            _ => None,
        };
        let threshold = summary.map(|s| s.coverage_threshold);
        let key = NodesKey {
            revision: state.revision,
            metro: metro.map(|m| m.id.clone()),
            add: detail.add.clone(),
            remove: detail.remove.clone(),
            hypothetical: detail.show_hypothetical,
            theme: theme.name.clone(),
            lang: i18n.lang(),
        };
        let nodes = self.nodes.get(key, || match (metro, grid) {
            (Some(_), Some(g)) => site_nodes(g, detail, i18n, theme),
            (Some(_), None) => Vec::new(),
            (None, _) => badges(world, threshold, i18n, theme),
        });
        let mut probe = Probe::default();
        let mut map = Map::new(None, &mut self.memory, lat_lon(HOME_LAT, HOME_LON))
            .with_plugin(
                OutlineLayer::new(
                    &basemap.countries,
                    egui::Stroke::new(0.6, theme.map_border.gamma_multiply(0.5)),
                )
                .with_fill(Some(theme.map_country)),
            )
            .with_plugin(
                OutlineLayer::new(&basemap.provinces, egui::Stroke::new(0.8, theme.map_border))
                    .with_fill(Some(theme.map_land)),
            )
            .with_plugin(OutlineLayer::new(
                &basemap.nanhai,
                egui::Stroke::new(1.0, theme.map_border),
            ));
        if let (Some(texture), Some(g)) = (texture, grid) {
            let ne = grid_north_east(g);
            map = map.with_plugin(
                GridImageLayer::new(
                    texture,
                    lat_lon(g.origin.lat, g.origin.lon),
                    lat_lon(ne.lat, ne.lon),
                )
                .with_alpha(0.85)
                .with_label(i18n.tr("latency-grid-label")),
            );
        }
        let layer_name = if metro.is_some() {
            i18n.tr("latency-sites-label")
        } else {
            i18n.tr("latency-badges-label")
        };
        let map = map
            .with_plugin(ProbePlugin { out: &mut probe })
            .with_plugin(
                NodesLayer::new(&nodes)
                    .hovered_into(&mut self.hovered_node)
                    .clicked_into(&mut self.clicked_node)
                    .with_label_color(theme.node_label)
                    .with_label_background(theme.panel.gamma_multiply(0.85))
                    .with_always_label_up_to(if metro.is_some() { 0 } else { 64 })
                    .with_label_min_zoom(30.0)
                    .with_name(layer_name),
            )
            .with_plugin(
                Attribution::new(i18n.tr("map-attribution"))
                    .with_text_color(theme.text_dim)
                    .with_background(theme.panel),
            );
        let response = ui.add(map);
        let map_rect = response.rect;

        match (metro, grid) {
            (None, _) => {
                if let Some(id) = self.clicked_node.and_then(|i| world.metros.get(i as usize)) {
                    out.select = Some(Some(id.id.clone()));
                }
            }
            (Some(_), Some(g)) => {
                detail.hovered_cell = probe.hovered.and_then(|p| cell_at(g, p));
                self.metro_clicks(g, &probe, detail);
                if self.hovered_node.is_none()
                    && let Some(cell) = detail.hovered_cell
                {
                    cell_tooltip(&response, g, cell, i18n);
                }
            }
            (Some(_), None) => {}
        }

        let button_rect = egui::Rect::from_min_size(
            map_rect.left_top() + egui::vec2(8.0, 8.0),
            egui::vec2(170.0, 28.0),
        );
        if crate::ui::wall::is_wall(ui) {
            // No pointer on the wall: no back or reset button.
        } else if metro.is_some() {
            if ui
                .put(button_rect, egui::Button::new(i18n.tr("latency-back")))
                .clicked()
            {
                out.select = Some(None);
            }
        } else if ui
            .put(button_rect, egui::Button::new(i18n.tr("map-reset")))
            .clicked()
        {
            self.fitted = None;
        }
        out
    }

    /// A click on a site or cell: place or remove hypothetical sites while planning, else pick
    /// the cell.
    fn metro_clicks(&mut self, grid: &LatencyGrid, probe: &Probe, detail: &mut Detail) {
        if let Some(id) = self.clicked_node.take() {
            if detail.placing {
                if id >= HYPOTHETICAL_ID {
                    let j = (id - HYPOTHETICAL_ID) as usize;
                    if j < detail.add.len() {
                        detail.add.remove(j);
                    }
                } else if let Ok(k) = u32::try_from(id)
                    && !detail.remove.remove(&k)
                {
                    detail.remove.insert(k);
                }
            }
            return;
        }
        let Some(point) = probe.clicked else {
            return;
        };
        let Some(cell) = cell_at(grid, point) else {
            return;
        };
        if detail.placing {
            if detail.add.len() < MAX_HYPOTHETICAL_SITES {
                detail.add.push(point);
            }
        } else {
            detail.selected_cell = Some(cell);
        }
    }

    fn texture_for(
        &mut self,
        ui: &Ui,
        grid: &LatencyGrid,
        detail: &Detail,
        state: &State,
        theme: &Theme,
    ) -> egui::TextureId {
        let what_if = state
            .latency
            .what_if
            .as_ref()
            .filter(|w| detail.show_hypothetical && w.metro_id == grid.metro_id)
            .filter(|w| w.rtt_ms_after.len() == grid.rtt_ms.len());
        let key = TextureKey {
            metro_id: grid.metro_id.clone(),
            sim_time: grid.sim_time,
            coverage_bits: grid.coverage_1ms.to_bits(),
            hypothetical: what_if.map(|w| w.after.coverage_1ms.to_bits()),
            theme: theme.name.clone(),
        };
        match &self.texture {
            Some((k, handle)) if *k == key => handle.id(),
            _ => {
                let rtt = what_if.map_or(&grid.rtt_ms, |w| &w.rtt_ms_after);
                let image = rasterise(grid, rtt, &theme.latency_bands);
                let handle = ui
                    .ctx()
                    .load_texture("latency_grid", image, TextureOptions::NEAREST);
                let id = handle.id();
                self.texture = Some((key, handle));
                id
            }
        }
    }
}

fn cell_tooltip(response: &Response, grid: &LatencyGrid, cell: usize, i18n: &I18n) {
    let text = cell_text(grid, cell, i18n);
    response.clone().on_hover_ui_at_pointer(|ui| {
        ui.label(text);
    });
}

/// Where the pointer is over the map, as a geographic point.
#[derive(Default)]
struct Probe {
    hovered: Option<GeoPoint>,
    clicked: Option<GeoPoint>,
}

struct ProbePlugin<'a> {
    out: &'a mut Probe,
}

impl Plugin for ProbePlugin<'_> {
    fn run(
        self: Box<Self>,
        _ui: &mut Ui,
        response: &Response,
        projector: &Projector,
        _: &MapMemory,
    ) {
        let to_geo = |p: egui::Pos2| {
            let q = projector.unproject(p.to_vec2());
            GeoPoint {
                lat: q.y(),
                lon: q.x(),
            }
        };
        let clip = projector.clip_rect();
        self.out.hovered = if response.dragged() {
            None
        } else {
            response
                .hover_pos()
                .filter(|p| clip.contains(*p))
                .map(to_geo)
        };
        self.out.clicked = if response.clicked() {
            response.interact_pointer_pos().map(to_geo)
        } else {
            None
        };
    }
}
