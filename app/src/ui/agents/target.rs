//! Where an action acts: its target (a backbone link, a data-center cluster, a metro, or a
//! factory group `<province>/<industry>`) resolved against the snapshot, the plant points and the
//! basemap's province label points, and a small map that shows it and fits the view to it.
//!
//! Reads `State`; emits nothing. The basemap is the shared one (`Basemap::shared`).

use crate::ui::map::camera;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use egui::{RichText, Stroke};
use tianshu_widgets::{LinksLayer, MapLink, MapNode, NodeShape, NodesLayer, OutlineLayer};
use walkers::{Map, MapMemory, Position, lat_lon};

use crate::api::{Action, FactoryPoints, Industry, industry_code};
use crate::i18n::I18n;
use crate::state::{State, World};
use crate::ui::basemap::{Basemap, PROVINCES};
use crate::ui::theme::Theme;

/// Plants of a group drawn at most (the centroid and bounds use them all).
const PLANTS_DRAWN: usize = 2_000;
const MAP_HEIGHT: f32 = 300.0;
/// Id of the highlighted target node/link on the little map.
const TARGET_ID: u64 = u64::MAX;

/// A province's code, names and label point, from the basemap's GeoJSON properties.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvinceLabel {
    pub name_en: String,
    pub name_zh: String,
    pub at: Position,
}

/// Province code (`CN-GD`) → label, parsed once from the shipped basemap.
pub fn province_labels() -> &'static BTreeMap<String, ProvinceLabel> {
    static LABELS: OnceLock<BTreeMap<String, ProvinceLabel>> = OnceLock::new();
    LABELS.get_or_init(|| parse_province_labels(PROVINCES))
}

fn parse_province_labels(geojson: &str) -> BTreeMap<String, ProvinceLabel> {
    let parsed: serde_json::Value = match serde_json::from_str(geojson) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("basemap is not valid GeoJSON: {e}");
            return BTreeMap::new();
        }
    };
    let mut out = BTreeMap::new();
    for feature in parsed["features"].as_array().into_iter().flatten() {
        let p = &feature["properties"];
        let (Some(code), Some(lon), Some(lat)) = (
            p["prov"].as_str(),
            p["label_lon"].as_f64(),
            p["label_lat"].as_f64(),
        ) else {
            continue;
        };
        out.entry(code.to_owned()).or_insert_with(|| ProvinceLabel {
            name_en: p["name_en"].as_str().unwrap_or(code).to_owned(),
            name_zh: p["name_zh_short"]
                .as_str()
                .or(p["name_zh"].as_str())
                .unwrap_or(code)
                .to_owned(),
            at: lat_lon(lat, lon),
        });
    }
    out
}

/// What a target is on the map.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Link {
        from: Position,
        to: Position,
    },
    Site(Position),
    /// A factory group: its label point (the plants' centroid when known, else the province's
    /// label point) and the plants the console holds.
    Group {
        at: Position,
        plants: Vec<Position>,
    },
}

/// A target found on the map, named in the user's language.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub name: String,
    pub place: Place,
}

impl Located {
    /// South-west and north-east corners of everything the target covers.
    pub fn bounds(&self) -> (Position, Position) {
        let points: Vec<Position> = match &self.place {
            Place::Link { from, to } => vec![*from, *to],
            Place::Site(p) => vec![*p],
            Place::Group { at, plants } => {
                std::iter::once(*at).chain(plants.iter().copied()).collect()
            }
        };
        let (mut lo_lat, mut lo_lon, mut hi_lat, mut hi_lon) = (90.0, 180.0, -90.0, -180.0_f64);
        for p in &points {
            lo_lat = f64::min(lo_lat, p.y());
            hi_lat = f64::max(hi_lat, p.y());
            lo_lon = f64::min(lo_lon, p.x());
            hi_lon = f64::max(hi_lon, p.x());
        }
        (lat_lon(lo_lat, lo_lon), lat_lon(hi_lat, hi_lon))
    }
}

/// Finds `target` in the snapshot: a link id, a cluster id, a metro id, or a factory group —
/// bare as the simulator names them, or as a gateway agent does (`link:ID`, `group:P/I`).
pub fn locate(
    target: &str,
    world: &World,
    points: Option<&FactoryPoints>,
    i18n: &I18n,
) -> Option<Located> {
    let target = ["link:", "cluster:", "hub:", "metro:", "group:"]
        .iter()
        .find_map(|p| target.strip_prefix(p))
        .unwrap_or(target);
    let cluster = |id: &str| world.clusters.iter().find(|c| c.id == id);
    if let Some(link) = world.links.iter().find(|l| l.id == target) {
        let (a, b) = (cluster(&link.from_cluster)?, cluster(&link.to_cluster)?);
        return Some(Located {
            name: i18n.tr_args(
                "agents-target-link",
                &[
                    ("from", i18n.pick(&a.name_en, &a.name_zh).to_owned().into()),
                    ("to", i18n.pick(&b.name_en, &b.name_zh).to_owned().into()),
                ],
            ),
            place: Place::Link {
                from: lat_lon(a.location.lat, a.location.lon),
                to: lat_lon(b.location.lat, b.location.lon),
            },
        });
    }
    if let Some(c) = cluster(target) {
        return Some(Located {
            name: i18n.tr_args(
                "agents-target-cluster",
                &[("name", i18n.pick(&c.name_en, &c.name_zh).to_owned().into())],
            ),
            place: Place::Site(lat_lon(c.location.lat, c.location.lon)),
        });
    }
    if let Some(m) = world.metros.iter().find(|m| m.id == target) {
        return Some(Located {
            name: i18n.tr_args(
                "agents-target-metro",
                &[("name", i18n.pick(&m.name_en, &m.name_zh).to_owned().into())],
            ),
            place: Place::Site(lat_lon(m.center.lat, m.center.lon)),
        });
    }
    let (province, key) = target.split_once('/')?;
    let industry = crate::state::industry_from_key(key)?;
    let label = province_labels().get(province);
    let plants = group_plants(points, province, industry);
    let at = centroid(&plants).or(label.map(|l| l.at))?;
    let province_name = label.map_or(province, |l| i18n.pick(&l.name_en, &l.name_zh));
    Some(Located {
        name: i18n.tr_args(
            "agents-target-group",
            &[
                ("province", province_name.to_owned().into()),
                ("industry", i18n.tr(&format!("industry-{key}")).into()),
            ],
        ),
        place: Place::Group { at, plants },
    })
}

fn group_plants(
    points: Option<&FactoryPoints>,
    province: &str,
    industry: Industry,
) -> Vec<Position> {
    let Some(points) = points else {
        return Vec::new();
    };
    let Some(p) = points.provinces.iter().position(|p| p == province) else {
        return Vec::new();
    };
    let industry = industry_code(industry);
    (0..points.ids.len())
        .filter(|&i| {
            points.province.get(i).is_some_and(|v| usize::from(*v) == p)
                && points.industry.get(i) == Some(&industry)
        })
        .filter_map(|i| {
            Some(lat_lon(
                f64::from(*points.lat.get(i)?),
                f64::from(*points.lon.get(i)?),
            ))
        })
        .collect()
}

fn centroid(points: &[Position]) -> Option<Position> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let (lat, lon) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), p| (a + p.y(), b + p.x()));
    Some(lat_lon(lat / n, lon / n))
}

/// What the little map draws: every backbone link and cluster, dim, for context; the target on
/// top in the accent colour (a link, a site ring, or a group's plants and its ring).
pub struct TargetScene {
    pub links: Vec<MapLink>,
    pub nodes: Vec<MapNode>,
    pub shapes: Vec<NodeShape>,
}

/// The target map as data (pure: no egui state).
pub fn scene(located: &Located, world: &World, theme: &Theme) -> TargetScene {
    // Context: every backbone link and cluster, dim; the target on top, in the accent colour.
    let dim = theme.text_dim.gamma_multiply(0.6);
    let position_of = |id: &str| {
        world
            .clusters
            .iter()
            .find(|c| c.id == id)
            .map(|c| lat_lon(c.location.lat, c.location.lon))
    };
    let mut links: Vec<MapLink> = world
        .links
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            Some(MapLink {
                from: position_of(&l.from_cluster)?,
                to: position_of(&l.to_cluster)?,
                width: 1.0,
                color: dim,
                id: i as u64,
                label: None,
            })
        })
        .collect();
    let mut nodes: Vec<MapNode> = world
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| MapNode {
            position: lat_lon(c.location.lat, c.location.lon),
            radius: 3.0,
            color: dim,
            label: None,
            id: i as u64,
        })
        .collect();
    let mut shapes = vec![NodeShape::Disc; nodes.len()];
    match &located.place {
        Place::Link { from, to } => links.push(MapLink {
            from: *from,
            to: *to,
            width: 4.0,
            color: theme.accent,
            id: TARGET_ID,
            label: Some(located.name.clone()),
        }),
        Place::Site(at) => {
            nodes.push(MapNode {
                position: *at,
                radius: 8.0,
                color: theme.accent,
                label: Some(located.name.clone()),
                id: TARGET_ID,
            });
            shapes.push(NodeShape::Ring);
        }
        Place::Group { at, plants } => {
            let step = plants.len().div_ceil(PLANTS_DRAWN).max(1);
            for (k, p) in plants.iter().step_by(step).enumerate() {
                nodes.push(MapNode {
                    position: *p,
                    radius: 2.0,
                    color: theme.accent.gamma_multiply(0.8),
                    label: None,
                    id: 1_000_000 + k as u64,
                });
                shapes.push(NodeShape::Disc);
            }
            nodes.push(MapNode {
                position: *at,
                radius: 12.0,
                color: theme.accent,
                label: Some(located.name.clone()),
                id: TARGET_ID,
            });
            shapes.push(NodeShape::Ring);
        }
    }
    TargetScene {
        links,
        nodes,
        shapes,
    }
}

/// The little map's fit: a single site still shows its province and neighbours.
const TARGET_FIT: camera::Fit = camera::Fit {
    margin: egui::vec2(80.0, 80.0),
    min_area: egui::vec2(60.0, 60.0),
    min_zoom: 3.0,
    max_zoom: 5.5,
};

/// The little map of the selected action's target.
#[derive(Default)]
pub struct TargetMap {
    memory: MapMemory,
    /// What the view was last fitted to: action id, target, map width.
    fitted: Option<(u64, String, i32)>,
    /// The map's scene, built again only when the state, the action or the theme changed.
    scene: crate::ui::map::scene_cache::SceneCache<(u64, u64, String, String), TargetScene>,
}

impl TargetMap {
    /// The panel for `action`: its summary, what it acts on, and the map fitted to it.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        action: &Action,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) {
        ui.label(RichText::new(i18n.tr("agents-map-title")).strong());
        ui.label(
            RichText::new(format!(
                "#{} · {}",
                action.id,
                i18n.pick(&action.summary_en, &action.summary_zh)
            ))
            .color(theme.text_dim),
        );
        let Some(world) = &state.world else {
            return;
        };
        let located = locate(&action.target, world, state.factory_points.as_ref(), i18n);
        let Some(located) = located else {
            ui.label(
                RichText::new(i18n.tr_args(
                    "agents-target-unknown",
                    &[("target", action.target.clone().into())],
                ))
                .color(theme.warn),
            );
            return;
        };
        ui.label(
            RichText::new(i18n.tr_args(
                "agents-map-acts-on",
                &[("target", located.name.clone().into())],
            ))
            .color(theme.accent)
            .strong(),
        );
        if let Place::Group { plants, .. } = &located.place {
            let text = if plants.is_empty() {
                i18n.tr("agents-map-plants-loading")
            } else {
                i18n.tr_args("agents-map-plants", &[("n", plants.len().into())])
            };
            ui.label(RichText::new(text).color(theme.text_dim).small());
        }
        let key = (
            state.revision,
            action.id,
            action.target.clone(),
            theme.name.clone(),
        );
        let scene = self.scene.get(key, || scene(&located, world, theme));
        self.map_ui(ui, action.id, &action.target, &located, &scene, i18n, theme);
    }

    #[allow(clippy::too_many_arguments)]
    fn map_ui(
        &mut self,
        ui: &mut egui::Ui,
        action_id: u64,
        target: &str,
        located: &Located,
        scene: &TargetScene,
        i18n: &I18n,
        theme: &Theme,
    ) {
        let basemap = Basemap::shared();
        let size = egui::vec2(ui.available_width().max(120.0), MAP_HEIGHT);
        let key = (action_id, target.to_owned(), size.x as i32);
        if self.fitted.as_ref() != Some(&key) {
            let (sw, ne) = located.bounds();
            let center = lat_lon((sw.y() + ne.y()) / 2.0, (sw.x() + ne.x()) / 2.0);
            self.memory = MapMemory::default();
            self.memory.center_at(center);
            let _ = self
                .memory
                .set_zoom(camera::zoom_to_bounds(size, sw, ne, TARGET_FIT));
            self.fitted = Some(key);
        }
        let TargetScene {
            links,
            nodes,
            shapes,
        } = scene;
        let frame = egui::Frame::new().fill(theme.map_water);
        ui.allocate_ui(size, |ui| {
            ui.set_min_size(size);
            frame.show(ui, |ui| {
                let map = Map::new(None, &mut self.memory, lat_lon(34.5, 106.0))
                    .with_plugin(
                        OutlineLayer::new(
                            &basemap.countries,
                            Stroke::new(0.6, theme.map_border.gamma_multiply(0.5)),
                        )
                        .with_fill(Some(theme.map_country)),
                    )
                    .with_plugin(
                        OutlineLayer::new(&basemap.provinces, Stroke::new(0.8, theme.map_border))
                            .with_fill(Some(theme.map_land)),
                    )
                    .with_plugin(OutlineLayer::new(
                        &basemap.nanhai,
                        Stroke::new(1.0, theme.map_border),
                    ))
                    .with_plugin(
                        LinksLayer::new(links)
                            .with_bulge(0.06)
                            .with_name(i18n.tr("agents-map-links")),
                    )
                    .with_plugin(
                        NodesLayer::new(nodes)
                            .with_shapes(shapes)
                            .with_always_label_up_to(0)
                            .with_label_min_zoom(30.0)
                            .with_label_color(theme.node_label)
                            .with_name(i18n.tr("agents-map-sites")),
                    );
                ui.add_sized(size, map);
            });
        });
        if !crate::ui::wall::is_wall(ui) && ui.button(i18n.tr("agents-map-fit")).clicked() {
            self.fitted = None;
        }
        // Too long to sit on a map this small: under it, wrapped.
        ui.label(
            RichText::new(i18n.tr("map-attribution"))
                .color(theme.text_dim)
                .small(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_province_has_a_label_point_inside_china() {
        let labels = province_labels();
        assert!(labels.len() >= 31, "{}", labels.len());
        let gd = &labels["CN-GD"];
        assert_eq!(gd.name_en, "Guangdong");
        assert!((20.0..26.0).contains(&gd.at.y()) && (109.0..118.0).contains(&gd.at.x()));
    }

    #[test]
    fn a_group_without_plants_sits_on_its_province_label() {
        let world = World::default();
        let i18n = I18n::new(crate::i18n::Lang::En);
        let located = locate("CN-GD/automotive", &world, None, &i18n).expect("found");
        assert!(located.name.contains("Guangdong"), "{}", located.name);
        assert!(located.name.contains("Automotive"), "{}", located.name);
        assert_eq!(
            located.place,
            Place::Group {
                at: province_labels()["CN-GD"].at,
                plants: vec![]
            }
        );
        // An agent of the gateway names the same group as `group:…`.
        let prefixed = locate("group:CN-GD/automotive", &world, None, &i18n).expect("found");
        assert_eq!(prefixed.place, located.place);
        assert!(locate("nowhere", &world, None, &i18n).is_none());
        // The group's ring is the one accented node; nothing else is.
        let theme = Theme::parse(crate::ui::theme::NOC_DARK).unwrap();
        let drawn = scene(&located, &world, &theme);
        let accented: Vec<_> = drawn
            .nodes
            .iter()
            .filter(|n| n.color == theme.accent)
            .collect();
        assert_eq!(accented.len(), 1);
        assert_eq!(accented[0].id, TARGET_ID);
        assert_eq!(drawn.nodes.len(), drawn.shapes.len());
        assert!(locate("CN-GD/unknown_industry", &world, None, &i18n).is_none());
    }
}
