//! The overview's side panel: the national headline figures, or the selected hub, cluster,
//! link or metro with its KPIs, round-trip times to the other hubs and live history charts.
//!
//! Reads `State` only; what the operator asks for (close, drill down, select another thing)
//! comes back as a [`PanelOut`].

use egui::{Color32, RichText};
use egui_plot::{Line, Plot, PlotPoints};
use tianshu_widgets::{KpiTile, RampLegend};

use super::Selection;
use crate::api::{Cluster, Hub};
use crate::i18n::I18n;
use crate::state::{History, State, World};
use crate::ui::format;
use crate::ui::latency::national_coverage;
use crate::ui::provenance;
use crate::ui::theme::{Theme, kpi_style};

/// Height of one history chart, points.
const CHART_HEIGHT: f32 = 120.0;
/// Milliseconds per hour, for the charts' x axis.
const MS_PER_HOUR: f64 = 3_600_000.0;

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

fn tile<'a>(theme: &Theme, caption: String, value: String) -> KpiTile<'a> {
    KpiTile::new(caption, value)
        .with_value_style(kpi_style())
        .with_value_color(theme.text)
        .with_caption_color(theme.text_dim)
        .with_fill(theme.panel_alt)
        .with_width(170.0)
}

/// A grid of label/value rows.
fn facts(ui: &mut egui::Ui, id: &str, rows: &[(String, String)], theme: &Theme) {
    egui::Grid::new(id)
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (k, v) in rows {
                ui.label(RichText::new(k).color(theme.text_dim));
                ui.label(v);
                ui.end_row();
            }
        });
}

/// A line chart of recent history: x in simulated hours before the newest sample, y in `unit`.
fn chart(
    ui: &mut egui::Ui,
    id: &str,
    title: String,
    series: &[(String, &History, Color32)],
    percent: bool,
) {
    ui.add_space(6.0);
    ui.label(RichText::new(&title).strong());
    let newest = series
        .iter()
        .filter_map(|(_, h, _)| h.iter().last().map(|s| s.0))
        .max()
        .unwrap_or(0);
    let scale = if percent { 100.0 } else { 1.0 };
    let mut plot = Plot::new(id)
        .height(CHART_HEIGHT)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show_background(false)
        .x_axis_formatter(|mark, _| format!("{:.0} h", mark.value))
        .legend(egui_plot::Legend::default());
    if percent {
        plot = plot.include_y(0.0).include_y(100.0);
    }
    plot.show(ui, |plot_ui| {
        for (name, history, colour) in series {
            let points: Vec<[f64; 2]> = history
                .iter()
                .map(|(t, v)| [(*t - newest) as f64 / MS_PER_HOUR, f64::from(*v) * scale])
                .collect();
            plot_ui.line(
                Line::new(name.clone(), PlotPoints::from(points))
                    .color(*colour)
                    .width(1.6),
            );
        }
    });
}

/// Series colours for several lines on one chart.
fn palette(theme: &Theme) -> [Color32; 5] {
    [theme.accent, theme.warn, theme.ok, theme.danger, theme.node]
}

/// Shortest round-trip times over the backbone from cluster `from` to every cluster, ms.
pub fn rtt_from(world: &World, from: usize) -> Vec<f64> {
    let n = world.clusters.len();
    let index = |id: &str| world.clusters.iter().position(|c| c.id == id);
    let mut dist = vec![f64::INFINITY; n];
    let mut done = vec![false; n];
    if from >= n {
        return dist;
    }
    dist[from] = 0.0;
    for _ in 0..n {
        let Some(u) = (0..n)
            .filter(|i| !done[*i] && dist[*i].is_finite())
            .min_by(|a, b| dist[*a].total_cmp(&dist[*b]))
        else {
            break;
        };
        done[u] = true;
        for l in &world.links {
            let (Some(a), Some(b)) = (index(&l.from_cluster), index(&l.to_cluster)) else {
                continue;
            };
            let v = if a == u {
                b
            } else if b == u {
                a
            } else {
                continue;
            };
            dist[v] = dist[v].min(dist[u] + l.rtt_ms);
        }
    }
    dist
}

/// Round-trip time from any of `members` to each other hub (its nearest cluster), ms.
fn rtt_to_hubs(world: &World, members: &[usize]) -> Vec<(usize, f64)> {
    let tables: Vec<Vec<f64>> = members.iter().map(|m| rtt_from(world, *m)).collect();
    world
        .hubs
        .iter()
        .enumerate()
        .filter(|(_, hub)| {
            !members
                .iter()
                .any(|m| world.clusters.get(*m).is_some_and(|c| c.hub_id == hub.id))
        })
        .map(|(h, hub)| {
            let best = world
                .clusters
                .iter()
                .enumerate()
                .filter(|(_, c)| c.hub_id == hub.id)
                .flat_map(|(c, _)| tables.iter().map(move |t| t[c]))
                .fold(f64::INFINITY, f64::min);
            (h, best)
        })
        .collect()
}

fn rtt_table(ui: &mut egui::Ui, world: &World, members: &[usize], i18n: &I18n, theme: &Theme) {
    ui.add_space(6.0);
    ui.label(RichText::new(i18n.tr("overview-rtt-to-hubs")).strong());
    let rows: Vec<(String, String)> = rtt_to_hubs(world, members)
        .into_iter()
        .map(|(h, ms)| {
            let hub = &world.hubs[h];
            let value = if ms.is_finite() {
                format!("{ms:.1} ms")
            } else {
                "—".to_owned()
            };
            (i18n.pick(&hub.name_en, &hub.name_zh).to_owned(), value)
        })
        .collect();
    facts(ui, "rtt_to_hubs", &rows, theme);
}

pub fn members_of(world: &World, hub: &Hub) -> Vec<usize> {
    world
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, c)| c.hub_id == hub.id)
        .map(|(i, _)| i)
        .collect()
}

fn cluster_rows(clusters: &[&Cluster], i18n: &I18n) -> Vec<(String, String)> {
    let eflops: f64 = clusters.iter().map(|c| c.compute_eflops).sum();
    let racks: f64 = clusters.iter().map(|c| f64::from(c.racks)).sum();
    let weighted = |f: &dyn Fn(&Cluster) -> f64, w: &dyn Fn(&Cluster) -> f64, total: f64| {
        clusters.iter().map(|c| f(c) * w(c)).sum::<f64>() / total.max(f64::EPSILON)
    };
    let by_compute = |c: &Cluster| c.compute_eflops;
    let by_racks = |c: &Cluster| f64::from(c.racks);
    vec![
        (
            i18n.tr("kpi-compute"),
            format!("{eflops:.1} {}", i18n.tr("unit-eflops")),
        ),
        (
            i18n.tr("overview-racks"),
            format!(
                "{} · {} %",
                format::millions(racks),
                format::percent(weighted(&|c| c.occupancy, &by_racks, racks))
            ),
        ),
        (
            i18n.tr("kpi-utilization"),
            format!(
                "{} %",
                format::percent(weighted(&|c| c.utilization, &by_compute, eflops))
            ),
        ),
        (
            i18n.tr("kpi-pue"),
            format!("{:.2}", weighted(&|c| c.pue, &by_racks, racks)),
        ),
        (
            i18n.tr("kpi-green"),
            format!(
                "{} %",
                format::percent(weighted(&|c| c.green_power_share, &by_compute, eflops))
            ),
        ),
    ]
}

fn hub_ui(
    ui: &mut egui::Ui,
    state: &State,
    world: &World,
    h: usize,
    i18n: &I18n,
    theme: &Theme,
    out: &mut PanelOut,
) {
    let Some(hub) = world.hubs.get(h) else {
        return;
    };
    ui.label(RichText::new(i18n.tr("overview-kind-hub")).color(theme.text_dim));
    ui.heading(i18n.pick(&hub.name_en, &hub.name_zh));
    if ui.button(i18n.tr("overview-drill")).clicked() {
        out.drill_into = Some(h);
    }
    let members = members_of(world, hub);
    let clusters: Vec<&Cluster> = members.iter().map(|i| &world.clusters[*i]).collect();
    facts(ui, "hub_facts", &cluster_rows(&clusters, i18n), theme);
    ui.horizontal_wrapped(|ui| {
        for &i in &members {
            let c = &world.clusters[i];
            if ui.link(i18n.pick(&c.name_en, &c.name_zh)).clicked() {
                out.select = Some(Selection::Cluster(i));
            }
        }
    });
    let colours = palette(theme);
    let series: Vec<(String, &History, Color32)> = members
        .iter()
        .enumerate()
        .filter_map(|(k, i)| {
            let c = &world.clusters[*i];
            Some((
                i18n.pick(&c.name_en, &c.name_zh).to_owned(),
                state.cluster_utilization.get(*i)?,
                colours[k % colours.len()],
            ))
        })
        .collect();
    chart(
        ui,
        "hub_util",
        i18n.tr("overview-chart-utilization"),
        &series,
        true,
    );
    rtt_table(ui, world, &members, i18n, theme);
}

fn cluster_ui(
    ui: &mut egui::Ui,
    state: &State,
    world: &World,
    i: usize,
    i18n: &I18n,
    theme: &Theme,
    out: &mut PanelOut,
) {
    let Some(c) = world.clusters.get(i) else {
        return;
    };
    ui.label(RichText::new(i18n.tr("overview-kind-cluster")).color(theme.text_dim));
    ui.heading(i18n.pick(&c.name_en, &c.name_zh));
    if let Some((h, hub)) = world
        .hubs
        .iter()
        .enumerate()
        .find(|(_, hub)| hub.id == c.hub_id)
        && ui.link(i18n.pick(&hub.name_en, &hub.name_zh)).clicked()
    {
        out.select = Some(Selection::Hub(h));
    }
    facts(ui, "cluster_facts", &cluster_rows(&[c], i18n), theme);
    if let Some(h) = state.cluster_utilization.get(i) {
        chart(
            ui,
            "cluster_util",
            i18n.tr("overview-chart-utilization"),
            &[(i18n.tr("kpi-utilization"), h, theme.accent)],
            true,
        );
    }
    if let (Some(pue), Some(green)) = (
        state.overview.cluster_pue.get(i),
        state.overview.cluster_green.get(i),
    ) {
        chart(
            ui,
            "cluster_pue",
            i18n.tr("kpi-pue"),
            &[(i18n.tr("kpi-pue"), pue, theme.warn)],
            false,
        );
        chart(
            ui,
            "cluster_green",
            i18n.tr("kpi-green"),
            &[(i18n.tr("kpi-green"), green, theme.ok)],
            true,
        );
    }
    rtt_table(ui, world, &[i], i18n, theme);
}

fn link_ui(
    ui: &mut egui::Ui,
    state: &State,
    world: &World,
    i: usize,
    i18n: &I18n,
    theme: &Theme,
    out: &mut PanelOut,
) {
    let Some(l) = world.links.get(i) else {
        return;
    };
    let name = |id: &str| {
        world.clusters.iter().position(|c| c.id == id).map(|k| {
            (
                k,
                i18n.pick(&world.clusters[k].name_en, &world.clusters[k].name_zh),
            )
        })
    };
    let (Some((a, a_name)), Some((b, b_name))) = (name(&l.from_cluster), name(&l.to_cluster))
    else {
        return;
    };
    ui.label(RichText::new(i18n.tr("overview-kind-link")).color(theme.text_dim));
    ui.heading(format!("{a_name} ⇄ {b_name}"));
    ui.horizontal(|ui| {
        if ui.link(a_name).clicked() {
            out.select = Some(Selection::Cluster(a));
        }
        if ui.link(b_name).clicked() {
            out.select = Some(Selection::Cluster(b));
        }
    });
    let forward = format!("{a_name} → {b_name}");
    let reverse = format!("{b_name} → {a_name}");
    let rows = vec![
        (
            i18n.tr("overview-capacity"),
            format!("{} G", l.capacity_gbps),
        ),
        (
            forward.clone(),
            format!("{} %", format::percent(l.utilization_forward)),
        ),
        (
            reverse.clone(),
            format!("{} %", format::percent(l.utilization_reverse)),
        ),
        (i18n.tr("overview-route"), format!("{:.0} km", l.route_km)),
        (i18n.tr("overview-rtt"), format!("{:.1} ms", l.rtt_ms)),
    ];
    facts(ui, "link_facts", &rows, theme);
    let entity = format!("link:{}", l.id);
    let p = provenance::of_any(
        world,
        &entity,
        &["utilization_forward", "utilization_reverse"],
    );
    provenance::figure(
        ui,
        RichText::new(provenance::describe(
            &p,
            i18n,
            state.server_now(state.now()),
        ))
        .small()
        .color(theme.text_dim),
        &p,
        i18n,
        theme,
        None,
    );
    if let (Some(f), Some(r)) = (
        state.overview.link_forward.get(i),
        state.overview.link_reverse.get(i),
    ) {
        chart(
            ui,
            "link_util",
            i18n.tr("overview-chart-utilization"),
            &[(forward, f, theme.accent), (reverse, r, theme.warn)],
            true,
        );
    }
}

fn metro_ui(ui: &mut egui::Ui, state: &State, world: &World, i: usize, i18n: &I18n, theme: &Theme) {
    let Some(m) = world.metros.get(i) else {
        return;
    };
    let p = provenance::of_any(
        world,
        &format!("metro:{}", m.id),
        &["median_rtt_ms", "coverage_1ms"],
    );
    ui.label(
        RichText::new(provenance::describe(
            &p,
            i18n,
            state.server_now(state.now()),
        ))
        .small()
        .color(if p.is_stale() {
            theme.danger
        } else {
            theme.text_dim
        }),
    );
    ui.heading(i18n.pick(&m.name_en, &m.name_zh));
    egui::Grid::new("metro_facts")
        .num_columns(2)
        .show(ui, |ui| {
            ui.label(i18n.tr("overview-population"));
            ui.label(format::millions(m.population as f64));
            ui.end_row();
            ui.label(i18n.tr("kpi-coverage"));
            ui.label(format!("{} %", format::percent(m.coverage_1ms)));
            ui.end_row();
            ui.label(i18n.tr("overview-median-rtt"));
            ui.label(format!("{:.2} ms", m.median_rtt_ms));
            ui.end_row();
        });
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

#[cfg(test)]
mod tests;
