//! Overview: the national computing hubs and the backbone on an offline map of China, with the
//! headline figures beside it.
//!
//! Hubs are rings around their clusters, clusters discs sized by compute and coloured by
//! utilization, each backbone channel two lanes (one per direction) with moving dashes. Click
//! selects (side panel with KPIs and live charts), a hub drills down to its clusters and the
//! metros it serves, the time bar replays the last simulated day, the search box flies the map
//! to a hub, cluster, metro, city or plant. Views never fetch: they return `Command`s.

mod legend;
mod overlays;
mod panel;
mod scene;
mod search;
mod timeline;

use crate::ui::map::camera;
use crate::ui::map::flight::Flight;
use crate::ui::map::scene_cache::SceneCache;
use egui::{RichText, Stroke};
use tianshu_widgets::{Attribution, FlowStyle, LinksLayer, NodesLayer, OutlineLayer};
use walkers::{Map, MapMemory, lat_lon};

use self::scene::{Loads, hub_label};
use self::search::{Hit, HitKind};
use self::timeline::Replay;
use super::basemap::Basemap;
use super::theme::Theme;
use crate::api::GeoPoint;
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::{State, World};

/// Where the map opens: the middle of China's land area.
const HOME_LAT: f64 = 35.5;
const HOME_LON: f64 = 106.0;
/// Longitudes the home view must show (Kashgar to the Yellow Sea).
const HOME_SPAN_LON: f64 = 56.0;
/// A hub serves the metros within this distance of one of its clusters.
pub const SERVE_RADIUS_KM: f64 = 600.0;
/// Most metros shown around a hub.
const SERVED_METROS_SHOWN: usize = 12;
/// Node ids: clusters are their index; hubs, metros and the searched place are offset.
const HUB_ID: u64 = 1_000;
const METRO_ID: u64 = 2_000;
const PLACE_ID: u64 = 3_000;
/// How long the map takes to fly to a new view, seconds.
const FLIGHT_S: f64 = 0.6;
/// Zoom when flying to a single place.
const PLACE_ZOOM: f64 = 8.0;
/// Wait this long after the last keystroke before asking the backend for plants, seconds.
const SEARCH_DEBOUNCE_S: f64 = 0.3;

/// What the side panel shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    Hub(usize),
    Cluster(usize),
    /// A backbone channel (both directions).
    Link(usize),
    Metro(usize),
    /// A city or plant found by search.
    Place {
        name: String,
        position: GeoPoint,
    },
}

/// Where the map should go next.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Home,
    Point(GeoPoint, f64),
    Bounds { min: GeoPoint, max: GeoPoint },
}

/// Frames per second of the moving dashes on a GPU.
const FLOW_FPS: f32 = 30.0;
/// … where a software driver rasterises every frame whole (≈1.5 × the frame's CPU cost per
/// second; the dashes then step a quarter of their period per frame,
/// `FlowStyle::effective_speed`).
const SOFTWARE_FLOW_FPS: f32 = 1.5;
/// … and on Tianshu's CPU renderer, which draws again only the tiles the dashes cross.
const CPU_RASTER_FLOW_FPS: f32 = 8.0;
/// … unless data frames come at least this often (seconds): then the dashes move with them.
const DATA_WAIT_S: f32 = 1.5;

pub struct OverviewView {
    basemap: Option<Basemap>,
    /// An operator's own XYZ basemap (`--tiles`), drawn under the layers instead of land fills.
    tile_config: Option<super::tiles::TileConfig>,
    tiles: Option<Box<dyn walkers::Tiles>>,
    memory: MapMemory,
    fitted_width: Option<f32>,
    hovered_node: Option<u64>,
    hovered_link: Option<u64>,
    clicked_node: Option<u64>,
    clicked_link: Option<u64>,
    selection: Option<Selection>,
    /// The hub drilled into, if any.
    focus: Option<usize>,
    target: Option<Target>,
    flight: Option<Flight>,
    animate_flow: bool,
    /// Frames per second of the moving dashes (fewer on a software renderer, where each frame
    /// costs a whole-window rasterisation).
    flow_fps: f32,
    replay: Replay,
    query: String,
    /// Text and keystroke time of the last edit; the plant search waits for a pause.
    typed_at: f64,
    factory_query_sent: String,
    /// The map's scene, built again only when its inputs changed.
    scene: SceneCache<SceneKey, scene::Scene>,
}

/// What the overview's scene is built from, besides the world it reads.
#[derive(PartialEq)]
struct SceneKey {
    revision: u64,
    replay: Replay,
    focus: Option<usize>,
    selection: Option<Selection>,
    zoom_bits: u64,
    theme: String,
    lang: crate::api::Lang,
}

impl Default for OverviewView {
    fn default() -> Self {
        Self {
            basemap: None,
            tile_config: None,
            tiles: None,
            memory: MapMemory::default(),
            fitted_width: None,
            hovered_node: None,
            hovered_link: None,
            clicked_node: None,
            clicked_link: None,
            selection: None,
            focus: None,
            target: None,
            flight: None,
            animate_flow: true,
            flow_fps: FLOW_FPS,
            replay: Replay::Live,
            query: String::new(),
            typed_at: 0.0,
            factory_query_sent: String::new(),
            scene: SceneCache::default(),
        }
    }
}

/// Zoom at which `span_lon` degrees fill `width_px` (the national views' home).
pub fn zoom_to_fit(width_px: f32, span_lon: f64) -> f64 {
    camera::zoom_to_span(width_px, span_lon, 2.0, 18.0)
}

/// A hub and its surroundings: a wide margin, from province to national scale.
const HUB_FIT: camera::Fit = camera::Fit {
    margin: egui::vec2(160.0, 160.0),
    min_area: egui::vec2(100.0, 100.0),
    min_zoom: 3.0,
    max_zoom: 9.0,
};

/// Great-circle distance, km.
pub fn distance_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// Metros within [`SERVE_RADIUS_KM`] of one of the hub's clusters, nearest first.
pub fn served_metros(world: &World, hub: usize) -> Vec<usize> {
    let Some(hub) = world.hubs.get(hub) else {
        return Vec::new();
    };
    let members: Vec<GeoPoint> = world
        .clusters
        .iter()
        .filter(|c| c.hub_id == hub.id)
        .map(|c| c.location)
        .collect();
    let mut near: Vec<(usize, f64)> = world
        .metros
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let d = members
                .iter()
                .map(|p| distance_km(*p, m.center))
                .fold(f64::INFINITY, f64::min);
            (d <= SERVE_RADIUS_KM).then_some((i, d))
        })
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    near.truncate(SERVED_METROS_SHOWN);
    near.into_iter().map(|(i, _)| i).collect()
}

/// A short name for a hub's label (the full name is in the panel).
impl OverviewView {
    /// Draws the operator's XYZ tiles under the layers (land fills are then left out).
    pub fn set_tiles(&mut self, config: super::tiles::TileConfig) {
        self.tile_config = Some(config);
        self.tiles = None;
    }

    /// On the CPU the moving dashes step less often: the same direction, slower, in coarser
    /// steps (see `flow_style`).
    pub fn set_renderer(&mut self, renderer: super::Renderer) {
        self.flow_fps = match renderer {
            super::Renderer::Gpu => FLOW_FPS,
            super::Renderer::SoftwareDriver => SOFTWARE_FLOW_FPS,
            super::Renderer::CpuRaster => CPU_RASTER_FLOW_FPS,
        };
    }

    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let Some(world) = &state.world else {
            ui.label(i18n.tr_args("waiting", &[("url", state.backend_url.clone().into())]));
            return Vec::new();
        };
        let mut commands = Vec::new();
        let out = egui::Panel::right("overview_side")
            .default_size(380.0)
            .show(ui, |ui| {
                panel::side_panel(ui, state, world, self.selection.as_ref(), i18n, theme)
            })
            .inner;
        if out.close {
            self.selection = None;
        }
        if let Some(h) = out.drill_into {
            self.drill_into(world, h);
        }
        if let Some(selection) = out.select {
            self.select(world, selection, false);
        }
        egui::Panel::bottom("overview_timeline").show(ui, |ui| {
            commands.extend(self.replay.ui(ui, state, world.sim_time, i18n, theme));
        });
        egui::CentralPanel::default()
            .frame(egui::Frame::new().fill(theme.map_water))
            .show(ui, |ui| {
                self.map_ui(ui, state, world, i18n, theme, &mut commands);
            });
        commands
    }

    fn drill_into(&mut self, world: &World, h: usize) {
        let Some(hub) = world.hubs.get(h) else {
            return;
        };
        self.focus = Some(h);
        let mut points: Vec<GeoPoint> = panel::members_of(world, hub)
            .into_iter()
            .map(|i| world.clusters[i].location)
            .collect();
        points.extend(
            served_metros(world, h)
                .into_iter()
                .map(|m| world.metros[m].center),
        );
        let min = GeoPoint {
            lat: points.iter().map(|p| p.lat).fold(f64::INFINITY, f64::min),
            lon: points.iter().map(|p| p.lon).fold(f64::INFINITY, f64::min),
        };
        let max = GeoPoint {
            lat: points
                .iter()
                .map(|p| p.lat)
                .fold(f64::NEG_INFINITY, f64::max),
            lon: points
                .iter()
                .map(|p| p.lon)
                .fold(f64::NEG_INFINITY, f64::max),
        };
        if min.lat.is_finite() && max.lat.is_finite() {
            self.target = Some(Target::Bounds { min, max });
        }
    }

    /// Back to the national view, as "Reset view" does (the window bench before it watches the
    /// animated overview: a sweep's momentum may have slid the map off the backbone).
    pub fn go_home(&mut self) {
        self.focus = None;
        self.target = Some(Target::Home);
    }

    /// Selects something and, when `fly`, takes the map to it.
    fn select(&mut self, world: &World, selection: Selection, fly: bool) {
        if fly {
            let point = match &selection {
                Selection::Hub(h) => {
                    self.drill_into(world, *h);
                    None
                }
                Selection::Cluster(i) => world.clusters.get(*i).map(|c| c.location),
                Selection::Metro(m) => world.metros.get(*m).map(|m| m.center),
                Selection::Place { position, .. } => Some(*position),
                Selection::Link(_) => None,
            };
            if let Some(point) = point {
                self.target = Some(Target::Point(point, PLACE_ZOOM - 1.0));
            }
        }
        self.selection = Some(selection);
    }

    fn hit_selected(&mut self, world: &World, hit: &Hit) {
        let selection = match hit.kind {
            HitKind::Hub(h) => Selection::Hub(h),
            HitKind::Cluster(i) => Selection::Cluster(i),
            HitKind::Metro(m) => Selection::Metro(m),
            HitKind::City(_) | HitKind::Factory(_) => Selection::Place {
                name: format!("{} {}", hit.name_zh, hit.name_en),
                position: hit.position,
            },
        };
        self.select(world, selection, true);
        if let HitKind::City(_) | HitKind::Factory(_) = hit.kind {
            self.target = Some(Target::Point(hit.position, PLACE_ZOOM));
        }
        self.query.clear();
    }

    fn map_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        world: &World,
        i18n: &I18n,
        theme: &Theme,
        commands: &mut Vec<Command>,
    ) {
        let basemap = self.basemap.get_or_insert_with(Basemap::load);
        let size = ui.available_size();
        let width = size.x;
        let now = ui.input(|i| i.time);
        if self
            .fitted_width
            .is_none_or(|w| (w - width).abs() > 1.0 && self.memory.detached().is_none())
        {
            self.memory = MapMemory::default();
            let _ = self.memory.set_zoom(zoom_to_fit(width, HOME_SPAN_LON));
            self.fitted_width = Some(width);
        }
        let home = lat_lon(HOME_LAT, HOME_LON);
        if let Some(target) = self.target.take() {
            let to = match target {
                Target::Home => (home, zoom_to_fit(width, HOME_SPAN_LON)),
                Target::Point(p, zoom) => (lat_lon(p.lat, p.lon), zoom),
                Target::Bounds { min, max } => (
                    lat_lon((min.lat + max.lat) / 2.0, (min.lon + max.lon) / 2.0),
                    camera::zoom_to_bounds(
                        size,
                        lat_lon(min.lat, min.lon),
                        lat_lon(max.lat, max.lon),
                        HUB_FIT,
                    ),
                ),
            };
            self.flight = Some(Flight::new(&self.memory, home, to, now, FLIGHT_S));
        }
        if let Some(flight) = self.flight {
            if flight.step(&mut self.memory, now) {
                ui.ctx().request_repaint();
            } else {
                self.flight = None;
            }
        }

        let key = SceneKey {
            revision: state.revision,
            replay: self.replay,
            focus: self.focus,
            selection: self.selection.clone(),
            zoom_bits: self.memory.zoom().to_bits(),
            theme: theme.name.clone(),
            lang: i18n.lang(),
        };
        let (replay, focus, zoom) = (self.replay, self.focus, self.memory.zoom());
        let selection = self.selection.as_ref();
        let scene = self.scene.get(key, || {
            let loads = Loads::new(world, replay, state);
            scene::build(world, &loads, focus, selection, zoom, theme, i18n)
        });
        let flow_fps = self.flow_fps;
        let flow = self
            .animate_flow
            .then(|| flow_style(flow_fps, state, ui.ctx(), theme));
        let ring = Stroke::new(2.0, theme.text);

        if let (Some(config), None) = (&self.tile_config, &self.tiles) {
            self.tiles = Some(config.layer(ui.ctx().clone()));
        }
        let tiled = self.tiles.is_some();
        let attribution = match &self.tile_config {
            Some(c) if !c.attribution.is_empty() => {
                format!("{} · {}", c.attribution, i18n.tr("map-attribution"))
            }
            _ => i18n.tr("map-attribution"),
        };
        let tiles = self
            .tiles
            .as_mut()
            .map(|t| t.as_mut() as &mut dyn walkers::Tiles);
        let map = Map::new(tiles, &mut self.memory, home)
            .with_plugin(
                OutlineLayer::new(
                    &basemap.countries,
                    Stroke::new(0.6, theme.map_border.gamma_multiply(0.5)),
                )
                .with_fill((!tiled).then_some(theme.map_country)),
            )
            .with_plugin(
                OutlineLayer::new(&basemap.provinces, Stroke::new(0.8, theme.map_border))
                    .with_fill((!tiled).then_some(theme.map_land))
                    .with_label(i18n.tr("overview-provinces")),
            )
            .with_plugin(OutlineLayer::new(
                &basemap.nanhai,
                Stroke::new(1.0, theme.map_border),
            ))
            .with_plugin(
                LinksLayer::new(&scene.links)
                    .with_bulge(0.06)
                    .with_lanes(Some(1.0))
                    .with_flow(flow)
                    .with_highlights(&scene.highlight_links, ring)
                    .with_tooltips(self.hovered_node.is_none())
                    .hovered_into(&mut self.hovered_link)
                    .clicked_into(&mut self.clicked_link)
                    .with_name(i18n.tr("overview-links")),
            )
            .with_plugin(
                NodesLayer::new(&scene.nodes)
                    .with_shapes(&scene.shapes)
                    .with_highlight(scene.highlight_node, ring)
                    .hovered_into(&mut self.hovered_node)
                    .clicked_into(&mut self.clicked_node)
                    .with_label_color(theme.node_label)
                    .with_label_background(theme.panel.gamma_multiply(0.8))
                    .with_always_label_up_to(40)
                    .with_name(i18n.tr("overview-clusters")),
            )
            .with_plugin(
                Attribution::new(attribution)
                    .with_text_color(theme.text_dim)
                    .with_background(theme.panel),
            );
        let map_response = ui.add(map);
        let map_rect = map_response.rect;
        if map_response.dragged() {
            self.flight = None;
        }

        // What was clicked on the map: a marker wins over a link.
        if let Some(id) = self.clicked_node.take() {
            self.clicked_link = None;
            let selection = match id {
                PLACE_ID => None,
                id if id >= METRO_ID => Some(Selection::Metro((id - METRO_ID) as usize)),
                id if id >= HUB_ID => Some(Selection::Hub((id - HUB_ID) as usize)),
                id => Some(Selection::Cluster(id as usize)),
            };
            if let Some(selection) = selection {
                self.select(world, selection, false);
            }
        } else if let Some(id) = self.clicked_link.take() {
            self.select(world, Selection::Link((id / 2) as usize), false);
        }

        self.overlays_ui(ui, map_rect, state, world, i18n, theme, commands);
    }

    fn search_ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        world: &World,
        i18n: &I18n,
        theme: &Theme,
        commands: &mut Vec<Command>,
    ) {
        let now = ui.input(|i| i.time);
        egui::Frame::new()
            .fill(theme.panel.gamma_multiply(0.92))
            .corner_radius(4.0)
            .inner_margin(4.0)
            .show(ui, |ui| {
                let mut enter = false;
                ui.horizontal(|ui| {
                    let label = ui.label(i18n.tr("overview-search"));
                    let edit = egui::TextEdit::singleline(&mut self.query)
                        .hint_text(i18n.tr("overview-search-hint"))
                        .desired_width(150.0);
                    let response = ui.add(edit).labelled_by(label.id);
                    if response.changed() {
                        self.typed_at = now;
                    }
                    enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    ui.checkbox(&mut self.animate_flow, i18n.tr("overview-animate"))
                        .on_hover_text(i18n.tr("overview-animate-hint"));
                });
                let text = self.query.trim().to_owned();
                if text.is_empty() {
                    return;
                }
                let mut hits = search::search(world, &text, |h| hub_label(world, h, i18n));
                if let Some((asked, page)) = &state.overview.factory_hits
                    && asked == &text
                {
                    hits.extend(page.items.iter().map(|f| Hit {
                        kind: HitKind::Factory(f.id),
                        name_en: f.name_en.clone(),
                        name_zh: f.name_zh.clone(),
                        position: f.location,
                        rank: 3,
                    }));
                }
                // Plants come from the backend once the typing pauses.
                if text.chars().count() >= 2 && text != self.factory_query_sent {
                    if now - self.typed_at >= SEARCH_DEBOUNCE_S {
                        commands.push(Command::SearchFactories(text.clone()));
                        self.factory_query_sent = text.clone();
                    } else {
                        ui.ctx()
                            .request_repaint_after(std::time::Duration::from_secs_f64(
                                SEARCH_DEBOUNCE_S,
                            ));
                    }
                }
                if enter && let Some(first) = hits.first().cloned() {
                    self.hit_selected(world, &first);
                    return;
                }
                if hits.is_empty() {
                    ui.label(RichText::new(i18n.tr("overview-search-none")).color(theme.text_dim));
                }
                for hit in &hits {
                    let kind = match hit.kind {
                        HitKind::Hub(_) => "overview-kind-hub",
                        HitKind::Cluster(_) => "overview-kind-cluster",
                        HitKind::Metro(_) => "overview-kind-metro",
                        HitKind::City(_) => "overview-kind-city",
                        HitKind::Factory(_) => "overview-kind-factory",
                    };
                    let text = format!(
                        "{} · {}",
                        i18n.pick(&hit.name_en, &hit.name_zh),
                        i18n.tr(kind)
                    );
                    if ui.selectable_label(false, text).clicked() {
                        self.hit_selected(world, hit);
                    }
                }
            });
    }
}

/// The moving dashes. Where a software driver draws every frame whole (`flow_fps` at
/// `SOFTWARE_FLOW_FPS`), they are slower and ride on the frames the data brings: while data
/// arrives (about once a second) they ask for no frame of their own; after `DATA_WAIT_S` without
/// data they step at `flow_fps` again. A step stays within a quarter of their period either way
/// (they never seem to run back).
fn flow_style(flow_fps: f32, state: &State, ctx: &egui::Context, theme: &Theme) -> FlowStyle {
    let mut flow = FlowStyle {
        fps: flow_fps,
        ..FlowStyle::new(theme.node_label.gamma_multiply(0.85))
    };
    if flow_fps <= SOFTWARE_FLOW_FPS {
        flow.speed = flow.speed.min((flow.dash + flow.gap) / 4.0 / DATA_WAIT_S);
        if let Some(last) = state.last_data_at {
            let since = state.now().saturating_duration_since(last).as_secs_f32();
            if since < DATA_WAIT_S {
                flow.fps = 0.0;
                ctx.request_repaint_after(std::time::Duration::from_secs_f32(DATA_WAIT_S - since));
            }
        }
    }
    flow
}
