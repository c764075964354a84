//! The side panel for one selected thing: a hub (its clusters, their history and RTTs), a cluster,
//! a backbone link or a metro, each with its KPIs and where its figures come from.

use egui::{Color32, RichText};

use super::figures::{cluster_rows, members_of};
use super::parts::{chart, facts, history_starts, palette, rtt_table};
use super::{PanelOut, Selection};
use crate::api::Cluster;
use crate::i18n::I18n;
use crate::state::{History, State, World};
use crate::ui::format;
use crate::ui::provenance;
use crate::ui::theme::Theme;

pub(super) fn hub_ui(
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

pub(super) fn cluster_ui(
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
    let metrics = ["utilization", "pue", "green_power_share"];
    let history = state.cluster_utilization.get(i);
    let entity = format!("cluster:{}", c.id);
    history_starts(ui, world, &entity, &metrics, history, i18n, theme);
    rtt_table(ui, world, &[i], i18n, theme);
}

pub(super) fn link_ui(
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
        let metrics = ["utilization_forward", "utilization_reverse"];
        history_starts(ui, world, &entity, &metrics, Some(f), i18n, theme);
    }
}

pub(super) fn metro_ui(
    ui: &mut egui::Ui,
    state: &State,
    world: &World,
    i: usize,
    i18n: &I18n,
    theme: &Theme,
) {
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
