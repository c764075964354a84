//! The latency map as data: the national badges (one per metro, coloured by reaching the 1 ms
//! threshold) and a metro's sites, hypothetical sites and probes as map nodes, and the words for
//! one grid cell. Pure: no egui state, unit-tested without a window.

use tianshu_widgets::MapNode;
use walkers::lat_lon;

use super::detail::Detail;
use crate::api::LatencyGrid;
use crate::i18n::I18n;
use crate::state::World;
use crate::ui::format;
use crate::ui::provenance;
use crate::ui::theme::Theme;

/// Node ids of hypothetical sites start here (real sites use their index).
pub const HYPOTHETICAL_ID: u64 = 1 << 32;
/// Node ids of a measured grid's probes start here (never sites, never hypothetical).
pub const PROBE_ID: u64 = 1 << 40;

/// Every metro as a badge: sized by population, coloured by reaching the threshold.
pub fn badges(world: &World, threshold: Option<f64>, i18n: &I18n, theme: &Theme) -> Vec<MapNode> {
    world
        .metros
        .iter()
        .enumerate()
        .map(|(i, m)| {
            // A stale measurement is greyed and says so; its last value stands.
            let stale =
                provenance::of(world, &format!("metro:{}", m.id), "coverage_1ms").is_stale();
            MapNode {
                position: lat_lon(m.center.lat, m.center.lon),
                radius: 4.0 + (m.population as f32 / 1.0e6).sqrt() * 1.6,
                color: match threshold {
                    _ if m.probes == Some(0) || stale => theme.text_dim,
                    Some(t) => theme.good_or_bad(m.coverage_1ms >= t),
                    None => theme.text_dim,
                },
                label: Some(if m.probes == Some(0) {
                    format!(
                        "{} · {}",
                        i18n.pick(&m.name_en, &m.name_zh),
                        i18n.tr("prom-latency-no-measurements")
                    )
                } else {
                    format!(
                        "{} {} %{}",
                        i18n.pick(&m.name_en, &m.name_zh),
                        format::percent(m.coverage_1ms),
                        if stale {
                            format!(" · {}", i18n.tr("sources-stale"))
                        } else {
                            String::new()
                        }
                    )
                }),
                id: i as u64,
            }
        })
        .collect()
}

/// The metro's sites (those marked for removal in the danger colour) and hypothetical ones.
pub fn site_nodes(grid: &LatencyGrid, detail: &Detail, i18n: &I18n, theme: &Theme) -> Vec<MapNode> {
    let live = grid.access_points.iter().enumerate().map(|(k, p)| {
        let removed = detail.remove.contains(&(k as u32));
        MapNode {
            position: lat_lon(p.lat, p.lon),
            radius: if removed { 5.0 } else { 3.5 },
            color: if removed { theme.danger } else { theme.node },
            label: Some(i18n.tr_args("latency-site", &[("n", (k + 1).into())])),
            id: k as u64,
        }
    });
    let hypothetical = detail.add.iter().enumerate().map(|(j, p)| MapNode {
        position: lat_lon(p.lat, p.lon),
        radius: 6.0,
        color: theme.accent,
        label: Some(i18n.tr("latency-site-hypothetical")),
        id: HYPOTHETICAL_ID + j as u64,
    });
    // A measured grid's probes (it has no sites): where each RTT was taken.
    let probes = grid.probes.iter().enumerate().map(|(k, p)| MapNode {
        position: lat_lon(p.location.lat, p.location.lon),
        radius: 3.5,
        color: theme.node,
        label: Some(i18n.tr_args(
            "prom-latency-probe",
            &[
                ("n", (k + 1).into()),
                ("rtt", format!("{:.2}", p.rtt_ms).into()),
            ],
        )),
        id: PROBE_ID + k as u64,
    });
    live.chain(hypothetical).chain(probes).collect()
}

/// "RTT 0.84 ms · nearest site #3, 2.1 km" (or "no data").
pub fn cell_text(grid: &LatencyGrid, cell: usize, i18n: &I18n) -> String {
    // Negative RTT: no measurement (a measured grid's cell without a probe in reach).
    let rtt = grid
        .rtt_ms
        .get(cell)
        .copied()
        .filter(|r| r.is_finite() && *r >= 0.0);
    let measured = grid.source == crate::api::LatencySource::Prometheus;
    let sites = if measured {
        grid.probes.len()
    } else {
        grid.access_points.len()
    };
    let site = grid
        .nearest_site
        .get(cell)
        .copied()
        .filter(|k| (*k as usize) < sites);
    let km = grid
        .site_distance_km
        .get(cell)
        .copied()
        .filter(|d| d.is_finite());
    match (rtt, site, km) {
        (Some(rtt), Some(probe), Some(km)) if measured => i18n.tr_args(
            "prom-latency-cell-probe",
            &[
                ("rtt", format!("{rtt:.2}").into()),
                ("probe", (probe + 1).into()),
                ("km", format!("{km:.1}").into()),
            ],
        ),
        (Some(rtt), Some(site), Some(km)) => i18n.tr_args(
            "latency-cell",
            &[
                ("rtt", format!("{rtt:.2}").into()),
                ("site", (site + 1).into()),
                ("km", format!("{km:.1}").into()),
            ],
        ),
        (Some(rtt), _, _) => {
            i18n.tr_args("latency-cell-rtt", &[("rtt", format!("{rtt:.2}").into())])
        }
        _ => i18n.tr("latency-no-data"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use tianshu_sim::{SimConfig, Simulator};

    fn setup() -> (Simulator, World, Theme, I18n) {
        let sim = Simulator::new(SimConfig {
            factory_count: 200,
            ..SimConfig::default()
        })
        .unwrap();
        let world = World {
            metros: sim.metros().to_vec(),
            ..World::default()
        };
        let theme = Theme::parse(crate::ui::theme::NOC_DARK).unwrap();
        (sim, world, theme, I18n::default())
    }

    #[test]
    fn a_badge_per_metro_coloured_by_the_threshold() {
        let (_, world, theme, i18n) = setup();
        let nodes = badges(&world, Some(0.75), &i18n, &theme);
        assert_eq!(nodes.len(), world.metros.len());
        for (node, metro) in nodes.iter().zip(&world.metros) {
            assert_eq!(node.color, theme.good_or_bad(metro.coverage_1ms >= 0.75));
            assert!(node.label.as_ref().unwrap().contains('%'));
        }
        let unknown = badges(&world, None, &i18n, &theme);
        assert!(
            unknown.iter().all(|n| n.color == theme.text_dim),
            "no threshold yet"
        );
    }

    #[test]
    fn removed_sites_stand_out_and_hypothetical_ones_get_their_own_ids() {
        let (sim, world, theme, i18n) = setup();
        let grid = sim.latency_grid(&world.metros[0].id).unwrap();
        assert!(!grid.access_points.is_empty());
        let mut detail = Detail::default();
        detail.remove.insert(0);
        detail.add.push(grid.access_points[0]);
        let nodes = site_nodes(&grid, &detail, &i18n, &theme);
        assert_eq!(nodes.len(), grid.access_points.len() + 1);
        assert_eq!(nodes[0].color, theme.danger);
        let last = nodes.last().unwrap();
        assert_eq!((last.id, last.color), (HYPOTHETICAL_ID, theme.accent));
        assert!(!cell_text(&grid, 0, &i18n).is_empty());
        assert_eq!(
            cell_text(&grid, usize::MAX, &i18n),
            i18n.tr("latency-no-data")
        );
    }
}
