//! The overview map as data: from what the console knows (the world, live or replayed loads, the
//! hub in focus, the selection) to the nodes, shapes and links its layers draw. Pure: no egui
//! state, no I/O; unit-tested without a window.

use egui::Color32;
use tianshu_widgets::geo_layers::normalized;
use tianshu_widgets::{MapLink, MapNode, NodeShape};
use walkers::lat_lon;

use super::legend::{cluster_radius, link_width};
use super::timeline::Replay;
use super::{HUB_ID, METRO_ID, PLACE_ID, Selection, panel, search};
use crate::api::GeoPoint;
use crate::i18n::I18n;
use crate::state::{State, World};
use crate::ui::format;
use crate::ui::provenance;
use crate::ui::theme::Theme;

/// What the map's layers draw.
pub struct Scene {
    pub nodes: Vec<MapNode>,
    pub shapes: Vec<NodeShape>,
    pub links: Vec<MapLink>,
    pub highlight_node: Option<u64>,
    pub highlight_links: Vec<u64>,
}

pub fn hub_label(world: &World, h: usize, i18n: &I18n) -> String {
    let Some(hub) = world.hubs.get(h) else {
        return String::new();
    };
    let short = match hub.id.as_str() {
        "gba" => "Greater Bay Area",
        "chengyu" => "Chengdu–Chongqing",
        "jjj" => "Beijing–Tianjin–Hebei",
        "yrd" => "Yangtze River Delta",
        _ => &hub.name_en,
    };
    i18n.pick(short, &hub.name_zh).to_owned()
}

/// Utilization per cluster and per link direction, live or from the replayed frame.
pub struct Loads {
    pub cluster: Vec<f64>,
    pub forward: Vec<f64>,
    pub reverse: Vec<f64>,
}

impl Loads {
    pub fn new(world: &World, replay: Replay, state: &State) -> Self {
        let mut loads = Loads {
            cluster: world.clusters.iter().map(|c| c.utilization).collect(),
            forward: world.links.iter().map(|l| l.utilization_forward).collect(),
            reverse: world.links.iter().map(|l| l.utilization_reverse).collect(),
        };
        if let Some(frame) = replay.frame(state) {
            for c in &frame.clusters {
                if let Some(u) = loads.cluster.get_mut(c.index as usize) {
                    *u = c.utilization;
                }
            }
            for l in &frame.links {
                let i = l.index as usize;
                if let (Some(f), Some(r)) = (loads.forward.get_mut(i), loads.reverse.get_mut(i)) {
                    *f = l.utilization_forward;
                    *r = l.utilization_reverse;
                }
            }
        }
        loads
    }

    /// Compute-weighted utilization of a hub's members.
    fn hub(&self, world: &World, members: &[usize]) -> f64 {
        let (mut busy, mut total) = (0.0, 0.0);
        for &i in members {
            let eflops = world.clusters[i].compute_eflops;
            busy += eflops * self.cluster.get(i).copied().unwrap_or(0.0);
            total += eflops;
        }
        busy / f64::max(total, f64::EPSILON)
    }
}

/// The scene at `zoom` (hub rings enclose their clusters in screen pixels).
pub fn build(
    world: &World,
    loads: &Loads,
    focus: Option<usize>,
    selection: Option<&Selection>,
    zoom: f64,
    theme: &Theme,
    i18n: &I18n,
) -> Scene {
    let focus_hub = focus.and_then(|h| world.hubs.get(h));
    let in_focus = |hub_id: &str| focus_hub.is_none_or(|f| f.id == hub_id);
    let dim = |keep: bool, c: Color32| if keep { c } else { c.gamma_multiply(0.3) };
    let scale = 256.0 * 2f64.powf(zoom);

    let mut nodes: Vec<MapNode> = Vec::new();
    let mut shapes: Vec<NodeShape> = Vec::new();
    for (h, hub) in world.hubs.iter().enumerate() {
        let members = panel::members_of(world, hub);
        let points: Vec<GeoPoint> = members
            .iter()
            .map(|i| world.clusters[*i].location)
            .collect();
        let Some(center) = search::centroid(&points) else {
            continue;
        };
        let c = normalized(lat_lon(center.lat, center.lon));
        let spread = members
            .iter()
            .map(|i| {
                let cl = &world.clusters[*i];
                let p = normalized(lat_lon(cl.location.lat, cl.location.lon));
                ((p[0] - c[0]).hypot(p[1] - c[1]) * scale) as f32
                    + cluster_radius(cl.compute_eflops)
            })
            .fold(0.0_f32, f32::max);
        let util = loads.hub(world, &members);
        nodes.push(MapNode {
            position: lat_lon(center.lat, center.lon),
            radius: spread + 5.0,
            color: dim(in_focus(&hub.id), theme.utilization_colour(util)),
            label: Some(hub_label(world, h, i18n)),
            id: HUB_ID + h as u64,
        });
        shapes.push(NodeShape::Ring);
    }
    for (i, c) in world.clusters.iter().enumerate() {
        let util = loads.cluster.get(i).copied().unwrap_or(c.utilization);
        // A stale measurement is greyed and says so; its last value stands.
        let stale = provenance::of(world, &format!("cluster:{}", c.id), "utilization").is_stale();
        let colour = if stale {
            theme.text_dim
        } else {
            theme.utilization_colour(util)
        };
        nodes.push(MapNode {
            position: lat_lon(c.location.lat, c.location.lon),
            radius: cluster_radius(c.compute_eflops),
            color: dim(in_focus(&c.hub_id), colour),
            label: Some(format!(
                "{} · {} %{}",
                i18n.pick(&c.name_en, &c.name_zh),
                format::percent(util),
                if stale {
                    format!(" · {}", i18n.tr("sources-stale"))
                } else {
                    String::new()
                }
            )),
            id: i as u64,
        });
        shapes.push(NodeShape::Disc);
    }
    let mut metros: Vec<usize> = focus
        .map(|h| super::served_metros(world, h))
        .unwrap_or_default();
    if let Some(Selection::Metro(m)) = selection
        && !metros.contains(m)
    {
        metros.push(*m);
    }
    for m in metros {
        let Some(metro) = world.metros.get(m) else {
            continue;
        };
        nodes.push(MapNode {
            position: lat_lon(metro.center.lat, metro.center.lon),
            radius: 5.0,
            color: theme.node,
            label: Some(i18n.pick(&metro.name_en, &metro.name_zh).to_owned()),
            id: METRO_ID + m as u64,
        });
        shapes.push(NodeShape::Diamond);
    }
    if let Some(Selection::Place { name, position }) = selection {
        nodes.push(MapNode {
            position: lat_lon(position.lat, position.lon),
            radius: 6.0,
            color: theme.accent,
            label: Some(name.clone()),
            id: PLACE_ID,
        });
        shapes.push(NodeShape::Diamond);
    }
    let highlight_node = match selection {
        Some(Selection::Hub(h)) => Some(HUB_ID + *h as u64),
        Some(Selection::Cluster(i)) => Some(*i as u64),
        Some(Selection::Metro(m)) => Some(METRO_ID + *m as u64),
        Some(Selection::Place { .. }) => Some(PLACE_ID),
        _ => None,
    };

    let cluster_of = |id: &str| world.clusters.iter().find(|c| c.id == id);
    let mut links: Vec<MapLink> = Vec::with_capacity(2 * world.links.len());
    for (i, l) in world.links.iter().enumerate() {
        let (Some(a), Some(b)) = (cluster_of(&l.from_cluster), cluster_of(&l.to_cluster)) else {
            continue;
        };
        let keep = in_focus(&a.hub_id) || in_focus(&b.hub_id);
        let (pa, pb) = (
            lat_lon(a.location.lat, a.location.lon),
            lat_lon(b.location.lat, b.location.lon),
        );
        let directions = [
            (
                pa,
                pb,
                loads.forward.get(i),
                &a.name_en,
                &a.name_zh,
                &b.name_en,
                &b.name_zh,
            ),
            (
                pb,
                pa,
                loads.reverse.get(i),
                &b.name_en,
                &b.name_zh,
                &a.name_en,
                &a.name_zh,
            ),
        ];
        let entity = format!("link:{}", l.id);
        for (k, (from, to, util, fe, fz, te, tz)) in directions.into_iter().enumerate() {
            let util = util.copied().unwrap_or(l.utilization);
            let metric = if k == 0 {
                "utilization_forward"
            } else {
                "utilization_reverse"
            };
            let origin = provenance::of(world, &entity, metric);
            // A stale measurement is greyed: its last value stands, but not as live.
            let colour = if origin.is_stale() {
                theme.text_dim
            } else {
                theme.utilization_colour(util)
            };
            let tooltip = i18n.tr_args(
                "overview-link-tooltip",
                &[
                    ("from", i18n.pick(fe, fz).to_owned().into()),
                    ("to", i18n.pick(te, tz).to_owned().into()),
                    ("capacity", l.capacity_gbps.into()),
                    ("util", format::percent(util).into()),
                    ("rtt", format!("{:.1}", l.rtt_ms).into()),
                ],
            );
            links.push(MapLink {
                from,
                to,
                width: link_width(l.capacity_gbps),
                color: dim(keep, colour),
                id: (2 * i + k) as u64,
                label: Some(format!("{tooltip}\n{}", provenance::short(&origin, i18n))),
            });
        }
    }
    let highlight_links: Vec<u64> = match selection {
        Some(Selection::Link(i)) => vec![2 * *i as u64, 2 * *i as u64 + 1],
        _ => Vec::new(),
    };
    Scene {
        nodes,
        shapes,
        links,
        highlight_node,
        highlight_links,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use tianshu_sim::{SimConfig, Simulator};

    fn world() -> World {
        let sim = Simulator::new(SimConfig {
            factory_count: 200,
            ..SimConfig::default()
        })
        .unwrap();
        World {
            hubs: sim.hubs().to_vec(),
            clusters: sim.clusters().to_vec(),
            links: sim.links().to_vec(),
            metros: sim.metros().to_vec(),
            ..World::default()
        }
    }

    fn live(world: &World) -> Loads {
        Loads {
            cluster: world.clusters.iter().map(|c| c.utilization).collect(),
            forward: world.links.iter().map(|l| l.utilization_forward).collect(),
            reverse: world.links.iter().map(|l| l.utilization_reverse).collect(),
        }
    }

    #[test]
    fn the_national_scene_has_every_hub_cluster_and_both_lanes_of_every_link() {
        let (world, theme, i18n) = (
            world(),
            Theme::parse(crate::ui::theme::NOC_DARK).unwrap(),
            I18n::default(),
        );
        let scene = build(&world, &live(&world), None, None, 4.0, &theme, &i18n);
        let rings = scene
            .shapes
            .iter()
            .filter(|s| **s == NodeShape::Ring)
            .count();
        let discs = scene
            .shapes
            .iter()
            .filter(|s| **s == NodeShape::Disc)
            .count();
        assert_eq!((rings, discs), (world.hubs.len(), world.clusters.len()));
        assert_eq!(scene.nodes.len(), scene.shapes.len());
        assert_eq!(scene.links.len(), 2 * world.links.len());
        assert!(!scene.shapes.contains(&NodeShape::Diamond), "no metros");
        assert_eq!(
            (scene.highlight_node, scene.highlight_links.len()),
            (None, 0)
        );
        // Every cluster is coloured by its utilization.
        let first = 0;
        let disc = &scene.nodes[world.hubs.len() + first];
        assert_eq!(
            disc.color,
            theme.utilization_colour(world.clusters[first].utilization)
        );
    }

    #[test]
    fn a_stale_measured_cluster_and_link_are_greyed_and_say_where_they_came_from() {
        use crate::api::{FigureOrigin, SourceHealth, SourceKind, SourceStatus};
        let (mut world, theme, i18n) = (
            world(),
            Theme::parse(crate::ui::theme::NOC_DARK).unwrap(),
            I18n::default(),
        );
        let (cluster, link) = (world.clusters[0].id.clone(), world.links[0].id.clone());
        let origin = |entity: String, metric: &str| FigureOrigin {
            entity,
            metric: metric.into(),
            source: "push:mes".into(),
            measured_at: 1,
            value: None,
        };
        world.origins = crate::state::provenance::Origins::from_list(vec![
            origin(format!("cluster:{cluster}"), "utilization"),
            origin(format!("link:{link}"), "utilization_forward"),
        ]);
        let mut source = SourceStatus::new("push:mes", SourceKind::Push, "", SourceHealth::Ok);
        world.sources = vec![source.clone()];
        let live_scene = build(&world, &live(&world), None, None, 4.0, &theme, &i18n);
        let disc = &live_scene.nodes[world.hubs.len()];
        assert_eq!(
            disc.color,
            theme.utilization_colour(world.clusters[0].utilization)
        );
        let lane = live_scene.links[0].label.clone().unwrap();
        assert!(lane.contains("push:mes"), "{lane}");
        // The source stops answering: the same figures, greyed, labelled stale.
        source.health = SourceHealth::Stale;
        world.sources = vec![source];
        let stale = build(&world, &live(&world), None, None, 4.0, &theme, &i18n);
        let disc = &stale.nodes[world.hubs.len()];
        assert_eq!(disc.color, theme.text_dim);
        assert!(
            disc.label
                .as_deref()
                .unwrap()
                .contains(&i18n.tr("sources-stale"))
        );
        assert_eq!(stale.links[0].color, theme.text_dim);
        // The reverse lane of that link is the simulator's, and stays live.
        assert_ne!(stale.links[1].color, theme.text_dim);
        assert!(
            stale.links[1]
                .label
                .as_deref()
                .unwrap()
                .contains(&i18n.tr("provenance-short-simulated"))
        );
    }

    #[test]
    fn a_hub_in_focus_brings_its_metros_and_dims_the_rest() {
        let (world, theme, i18n) = (
            world(),
            Theme::parse(crate::ui::theme::NOC_DARK).unwrap(),
            I18n::default(),
        );
        let hub = 0;
        let scene = build(&world, &live(&world), Some(hub), None, 6.0, &theme, &i18n);
        let metros = scene
            .shapes
            .iter()
            .filter(|s| **s == NodeShape::Diamond)
            .count();
        assert_eq!(metros, super::super::served_metros(&world, hub).len());
        let hub_id = &world.hubs[hub].id;
        for (i, c) in world.clusters.iter().enumerate() {
            let node = &scene.nodes[world.hubs.len() + i];
            let full = theme.utilization_colour(c.utilization);
            assert_eq!(node.color == full, &c.hub_id == hub_id, "cluster {}", c.id);
        }
    }

    #[test]
    fn a_selected_link_highlights_both_lanes_and_rings_grow_with_zoom() {
        let (world, theme, i18n) = (
            world(),
            Theme::parse(crate::ui::theme::NOC_DARK).unwrap(),
            I18n::default(),
        );
        let link = Selection::Link(1);
        let near = build(&world, &live(&world), None, Some(&link), 7.0, &theme, &i18n);
        assert_eq!(near.highlight_links, vec![2, 3]);
        let far = build(&world, &live(&world), None, None, 4.0, &theme, &i18n);
        let rings = |scene: &Scene| -> f32 {
            scene
                .nodes
                .iter()
                .zip(&scene.shapes)
                .filter(|(_, s)| **s == NodeShape::Ring)
                .map(|(n, _)| n.radius)
                .sum()
        };
        assert!(
            rings(&near) > rings(&far),
            "hub rings enclose their clusters on screen"
        );
    }
}
