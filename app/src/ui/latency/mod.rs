//! Latency view: metro 1 ms computing access, nationally and per metro.
//!
//! National zoom: every metro as a badge with its coverage, coloured by whether it reaches the
//! threshold the backend publishes, the national figure and its definition, the ranking table and
//! coverage over time against the 75 % target. Metro zoom (click a badge or a row): the metro's
//! ≈1 km RTT grid as one texture over the map (uploaded only when the grid changes), hover and
//! click on cells, the RTT distribution, and what-if planning whose answers stay apart from every
//! live figure. Owns only view state; data comes from `State`, requests leave as `Command`s.

mod detail;
mod map;
mod ranking;
mod scene;

use egui::{ColorImage, RichText};

use super::format;
use super::theme::{LatencyBands, Theme};
use crate::api::{GeoPoint, LatencyGrid, LatencySource, LatencySummary, MetroSummary};
use crate::client::Command;
use crate::i18n::I18n;
use crate::state::{State, World};

/// Kilometres per degree of latitude, as the backend's grid geometry uses.
const KM_PER_DEG_LAT: f64 = 111.32;

#[derive(Default)]
pub struct LatencyView {
    /// The metro zoomed into; `None` is the national zoom.
    selected: Option<String>,
    /// Metro and figures the last grid request was for.
    grid_requested: Option<(String, u64)>,
    /// Signature of the world the last summary request was for.
    summary_requested: Option<u64>,
    map: map::LatencyMap,
    ranking: ranking::Ranking,
    detail: detail::Detail,
}

/// Population-weighted national coverage over the metros.
pub fn national_coverage(metros: &[MetroSummary]) -> f64 {
    let people: f64 = metros.iter().map(|m| m.population as f64).sum();
    if people <= 0.0 {
        return 0.0;
    }
    metros
        .iter()
        .map(|m| m.coverage_1ms * m.population as f64)
        .sum::<f64>()
        / people
}

/// One pixel per cell in its latency band, north up (the grid is stored from the south-west
/// corner). `rtt_ms` is the grid's own or a hypothetical one of the same layout.
pub fn rasterise(grid: &LatencyGrid, rtt_ms: &[f32], bands: &LatencyBands) -> ColorImage {
    let (w, h) = (grid.cols as usize, grid.rows as usize);
    let mut image = ColorImage::filled([w, h], bands.no_data);
    for row in 0..h {
        for col in 0..w {
            let rtt = rtt_ms.get(row * w + col).copied().unwrap_or(f32::NAN);
            image.pixels[(h - 1 - row) * w + col] = bands.colour(rtt);
        }
    }
    image
}

/// North-east corner of the grid (the backend lays cells out on a local kilometre frame).
pub fn grid_north_east(grid: &LatencyGrid) -> GeoPoint {
    let (lat_span, center_lat) = grid_lat(grid);
    let km_per_deg_lon = KM_PER_DEG_LAT * center_lat.to_radians().cos().max(0.01);
    GeoPoint {
        lat: grid.origin.lat + lat_span,
        lon: grid.origin.lon + f64::from(grid.cols) * grid.cell_km / km_per_deg_lon,
    }
}

fn grid_lat(grid: &LatencyGrid) -> (f64, f64) {
    let lat_span = f64::from(grid.rows) * grid.cell_km / KM_PER_DEG_LAT;
    (lat_span, grid.origin.lat + lat_span / 2.0)
}

/// The cell under `p`, if inside the grid.
pub fn cell_at(grid: &LatencyGrid, p: GeoPoint) -> Option<usize> {
    let ne = grid_north_east(grid);
    let fx = (p.lon - grid.origin.lon) / (ne.lon - grid.origin.lon);
    let fy = (p.lat - grid.origin.lat) / (ne.lat - grid.origin.lat);
    if !(0.0..1.0).contains(&fx) || !(0.0..1.0).contains(&fy) {
        return None;
    }
    let col = (fx * f64::from(grid.cols)) as usize;
    let row = (fy * f64::from(grid.rows)) as usize;
    Some(row * grid.cols as usize + col)
}

/// Population share of the metro per RTT bin of `bin_ms`, from 0 to `max_ms`; the last bin holds
/// everything slower. Returns `(bin start, share)`.
pub fn rtt_histogram(
    rtt_ms: &[f32],
    population: &[f32],
    bin_ms: f32,
    max_ms: f32,
) -> Vec<(f32, f64)> {
    let bins = (max_ms / bin_ms).ceil().max(1.0) as usize;
    let mut people = vec![0.0f64; bins + 1];
    for (ms, p) in rtt_ms.iter().zip(population) {
        if ms.is_finite() && *ms >= 0.0 {
            let b = ((ms / bin_ms) as usize).min(bins);
            people[b] += f64::from(*p);
        }
    }
    let total: f64 = people.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    people
        .iter()
        .enumerate()
        .map(|(b, p)| (b as f32 * bin_ms, p / total))
        .collect()
}

/// A cheap fingerprint of the metros' figures: changes when any metro's coverage or sites do.
pub(crate) fn metros_signature(metros: &[MetroSummary]) -> u64 {
    metros.iter().fold(0xcbf2_9ce4_8422_2325, |h, m| {
        // The median too: a measured RTT can change without moving coverage.
        let x = m.coverage_1ms.to_bits()
            ^ u64::from(m.access_points).rotate_left(40)
            ^ m.median_rtt_ms.to_bits().rotate_left(7);
        (h ^ x).wrapping_mul(0x0100_0000_01b3)
    })
}

fn metro_signature(m: &MetroSummary) -> u64 {
    metros_signature(std::slice::from_ref(m))
}

impl LatencyView {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &State,
        i18n: &I18n,
        theme: &Theme,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        let Some(world) = &state.world else {
            ui.label(i18n.tr_args("waiting", &[("url", state.backend_url.clone().into())]));
            return commands;
        };
        // LIVE / STALE needs no polling: the backend sends `LatencyStale` when it changes.
        self.request_data(state, world, &mut commands);
        let summary = state.latency.summary.as_ref();
        header_ui(ui, world, summary, i18n, theme);

        let mut select: Option<Option<String>> = None;
        let server_now = state.server_now(state.now());
        egui::Panel::left("latency_ranking")
            .default_size(470.0)
            .show(ui, |ui| {
                if let Some(id) = self.ranking.ui(
                    ui,
                    world,
                    summary,
                    self.selected.as_deref(),
                    (i18n, theme),
                    server_now,
                ) {
                    select = Some(Some(id));
                }
                ui.separator();
                ranking::national_chart_ui(ui, summary, i18n, theme);
            });
        let selected_metro = self
            .selected
            .as_ref()
            .and_then(|id| world.metros.iter().find(|m| &m.id == id));
        let grid = state
            .metro_grid
            .as_ref()
            .filter(|g| Some(&g.metro_id) == self.selected.as_ref());
        if let Some(metro) = selected_metro {
            egui::Panel::right("latency_metro")
                .default_size(380.0)
                .show(ui, |ui| {
                    let out = self.detail.ui(ui, state, metro, grid, summary, i18n, theme);
                    commands.extend(out.commands);
                });
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::new().fill(theme.map_water))
            .show(ui, |ui| {
                let out = self.map.ui(
                    ui,
                    world,
                    summary,
                    selected_metro,
                    grid,
                    &mut self.detail,
                    state,
                    i18n,
                    theme,
                );
                if let Some(choice) = out.select {
                    select = Some(choice);
                }
            });
        if let Some(choice) = select
            && choice != self.selected
        {
            self.selected = choice;
            self.detail.reset();
            self.request_data(state, world, &mut commands);
        }
        commands
    }

    /// Asks for the national summary when the metros changed or a simulated day passed, and for
    /// the selected metro's grid when it is missing or its figures moved (a `MetroUpdated`).
    fn request_data(&mut self, state: &State, world: &World, commands: &mut Vec<Command>) {
        let day = world.sim_time.div_euclid(86_400_000) as u64;
        // A new snapshot (a resync) asks again: the stale/recovered events may have been skipped.
        let signature = metros_signature(&world.metros)
            ^ day.rotate_left(17)
            ^ state.snapshots_applied.rotate_left(41);
        if self.summary_requested != Some(signature) {
            commands.push(Command::FetchLatencySummary);
            self.summary_requested = Some(signature);
        }
        let Some(id) = &self.selected else {
            return;
        };
        let Some(metro) = world.metros.iter().find(|m| &m.id == id) else {
            return;
        };
        let key = (id.clone(), metro_signature(metro));
        let have = state.metro_grid.as_ref().is_some_and(|g| {
            &g.metro_id == id
                && g.coverage_1ms == metro.coverage_1ms
                && (metro.probes.is_none() || g.median_rtt_ms == metro.median_rtt_ms)
        });
        if !have && self.grid_requested.as_ref() != Some(&key) {
            commands.push(Command::FetchMetroLatency(id.clone()));
            self.grid_requested = Some(key);
        }
    }
}

/// Where the latency figures come from: measured (LIVE, or STALE since when) or simulated.
fn source_ui(ui: &mut egui::Ui, world: &World, s: &LatencySummary, i18n: &I18n, theme: &Theme) {
    use tianshu_widgets::StatusPill;
    match (s.source, s.stale_since) {
        (LatencySource::Prometheus, Some(since)) => {
            let text = i18n.tr_args(
                "prom-latency-stale",
                &[("time", format::time_of_day(since).into())],
            );
            ui.add(StatusPill::new(text, theme.stale_fill, theme.stale_text))
                .on_hover_text(i18n.tr("prom-latency-stale-hint"));
        }
        (LatencySource::Prometheus, None) => {
            ui.add(StatusPill::new(
                i18n.tr("prom-latency-live"),
                theme.ok,
                theme.background,
            ))
            .on_hover_text(i18n.tr("prom-latency-live-hint"));
        }
        _ if world.simulated => {
            ui.label(RichText::new(i18n.tr("latency-simulated")).color(theme.text_dim));
        }
        _ => {}
    }
}

/// The national figure from the backend, its definition and the population share beside it.
fn header_ui(
    ui: &mut egui::Ui,
    world: &World,
    summary: Option<&LatencySummary>,
    i18n: &I18n,
    theme: &Theme,
) {
    ui.horizontal_wrapped(|ui| {
        ui.heading(i18n.tr("latency-title"));
        let Some(s) = summary else {
            ui.label(RichText::new(i18n.tr("latency-summary-loading")).color(theme.text_dim));
            return;
        };
        let reached = s.metro_share >= s.target_share;
        ui.label(
            RichText::new(i18n.tr_args(
                "latency-national-metros",
                &[
                    ("meeting", s.metros_meeting.into()),
                    ("total", s.metros_total.into()),
                    ("pct", format::percent(s.metro_share).into()),
                    ("target", format::percent(s.target_share).into()),
                    ("year", s.target_year.into()),
                ],
            ))
            .text_style(egui::TextStyle::Heading)
            .color(theme.good_or_bad(reached)),
        );
        ui.label(
            RichText::new(i18n.tr_args(
                "latency-national-people",
                &[("pct", format::percent(s.population_share).into())],
            ))
            .color(theme.text),
        );
        source_ui(ui, world, s, i18n, theme);
    });
    if let Some(s) = summary {
        ui.label(
            RichText::new(i18n.tr_args(
                "latency-definition",
                &[
                    ("rtt", format!("{}", s.covered_rtt_ms).into()),
                    ("threshold", format::percent(s.coverage_threshold).into()),
                ],
            ))
            .small()
            .color(theme.text_dim),
        );
        if s.source == LatencySource::Prometheus {
            ui.label(
                RichText::new(i18n.tr("prom-latency-measured-note"))
                    .small()
                    .color(theme.text_dim),
            );
        }
    }
    ui.separator();
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn grid() -> LatencyGrid {
        LatencyGrid {
            metro_id: "m".into(),
            origin: GeoPoint {
                lat: 39.0,
                lon: 116.0,
            },
            cell_km: 1.0,
            cols: 2,
            rows: 2,
            rtt_ms: vec![0.5, 1.5, 3.0, f32::NAN],
            population: vec![10.0, 20.0, 30.0, 40.0],
            coverage_1ms: 0.1,
            access_points: vec![],
            median_rtt_ms: 1.5,
            nearest_site: vec![],
            site_distance_km: vec![],
            sim_time: 0,
            source: Default::default(),
            probes: vec![],
        }
    }

    #[test]
    fn raster_is_north_up_in_bands() {
        let theme = Theme::built_in("noc-dark").unwrap();
        let b = theme.latency_bands;
        let g = grid();
        let image = rasterise(&g, &g.rtt_ms, &b);
        assert_eq!(image.size, [2, 2]);
        // Bottom row of the image is the grid's southern row 0.
        assert_eq!(image.pixels[2], b.bands[0]);
        assert_eq!(image.pixels[3], b.bands[1]);
        assert_eq!(image.pixels[0], b.bands[2]);
        assert_eq!(image.pixels[1], b.no_data);
    }

    #[test]
    fn cells_are_found_by_position() {
        let g = grid();
        let ne = grid_north_east(&g);
        assert!((ne.lat - (39.0 + 2.0 / KM_PER_DEG_LAT)).abs() < 1e-12);
        let at = |fx: f64, fy: f64| {
            cell_at(
                &g,
                GeoPoint {
                    lat: g.origin.lat + fy * (ne.lat - g.origin.lat),
                    lon: g.origin.lon + fx * (ne.lon - g.origin.lon),
                },
            )
        };
        assert_eq!(at(0.25, 0.25), Some(0));
        assert_eq!(at(0.75, 0.25), Some(1));
        assert_eq!(at(0.25, 0.75), Some(2));
        assert_eq!(at(1.5, 0.5), None);
        assert_eq!(at(0.5, -0.1), None);
    }

    #[test]
    fn histogram_weighs_people_and_ignores_no_data() {
        let g = grid();
        let h = rtt_histogram(&g.rtt_ms, &g.population, 1.0, 2.0);
        // Bins [0,1), [1,2), ≥2; the NaN cell's 40 people count nowhere.
        assert_eq!(h.len(), 3);
        assert!((h[0].1 - 10.0 / 60.0).abs() < 1e-9);
        assert!((h[1].1 - 20.0 / 60.0).abs() < 1e-9);
        assert!((h[2].1 - 30.0 / 60.0).abs() < 1e-9);
    }
}
