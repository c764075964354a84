//! The factories map: the basemap with every filtered plant, clustered by the widgets'
//! `ClusteredPointsLayer` and coloured by upgrade stage.

use tianshu_widgets::{
    Attribution, ClusterHit, ClusterPoint, ClusteredPointsLayer, OutlineLayer, PointClusters,
    SwatchLegend,
};
use walkers::{Map, MapMemory, lat_lon};

use super::stage_id;
use crate::api::{FactoryPoints, UpgradeStage};
use crate::i18n::I18n;
use crate::state::provenance::Provenance;
use crate::ui::basemap::Basemap;
use crate::ui::provenance;
use crate::ui::theme::Theme;

const HOME_LAT: f64 = 34.5;
const HOME_LON: f64 = 106.0;
const HOME_SPAN_LON: f64 = 50.0;
/// Zoom a map moves to when a plant is picked in the table.
const FOCUS_ZOOM: f64 = 10.5;

#[derive(Default)]
pub struct FactoryMap {
    basemap: Option<std::sync::Arc<Basemap>>,
    memory: MapMemory,
    fitted_width: Option<f32>,
    clusters: PointClusters,
    hovered: Option<ClusterHit>,
}

impl FactoryMap {
    /// Centre on point `i` and zoom in far enough to see it on its own.
    pub fn center_on(&mut self, points: &FactoryPoints, i: usize) {
        let (Some(lat), Some(lon)) = (points.lat.get(i), points.lon.get(i)) else {
            return;
        };
        self.memory
            .center_at(lat_lon(f64::from(*lat), f64::from(*lon)));
        if self.memory.zoom() < FOCUS_ZOOM {
            let _ = self.memory.set_zoom(FOCUS_ZOOM);
        }
    }

    /// Draws the map of `rows` (indices into `points`); returns a plant clicked on it.
    #[allow(clippy::too_many_arguments)]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        points: &FactoryPoints,
        rows: &[u32],
        generation: u64,
        selected: Option<u32>,
        (i18n, theme): (&I18n, &Theme),
        sources: &[crate::api::SourceStatus],
    ) -> Option<u32> {
        let basemap = self.basemap.get_or_insert_with(Basemap::shared).clone();
        let width = ui.available_width();
        if self
            .fitted_width
            .is_none_or(|w| (w - width).abs() > 1.0 && self.memory.detached().is_none())
        {
            self.memory = MapMemory::default();
            let _ = self
                .memory
                .set_zoom(crate::ui::overview::zoom_to_fit(width, HOME_SPAN_LON));
            self.fitted_width = Some(width);
        }
        self.clusters.set_points(
            generation,
            rows.iter().filter_map(|i| {
                let i = *i as usize;
                Some(ClusterPoint {
                    id: u64::from(*points.ids.get(i)?),
                    position: lat_lon(
                        f64::from(*points.lat.get(i)?),
                        f64::from(*points.lon.get(i)?),
                    ),
                    category: *points.stage.get(i)?,
                })
            }),
        );
        let mut clicked: Option<ClusterHit> = None;
        let frame = egui::Frame::new().fill(theme.map_water);
        let map_response = frame
            .show(ui, |ui| {
                let map = Map::new(None, &mut self.memory, lat_lon(HOME_LAT, HOME_LON))
                    .with_plugin(
                        OutlineLayer::new(
                            &basemap.countries,
                            egui::Stroke::new(0.6, theme.map_border.gamma_multiply(0.5)),
                        )
                        .with_fill(Some(theme.map_country)),
                    )
                    .with_plugin(
                        OutlineLayer::new(
                            &basemap.provinces,
                            egui::Stroke::new(0.8, theme.map_border),
                        )
                        .with_fill(Some(theme.map_land)),
                    )
                    .with_plugin(OutlineLayer::new(
                        &basemap.nanhai,
                        egui::Stroke::new(1.0, theme.map_border),
                    ))
                    .with_plugin(
                        ClusteredPointsLayer::new(
                            &mut self.clusters,
                            &theme.stages,
                            tianshu_widgets::ClusterColors {
                                text: theme.text,
                                cluster_fill: theme.panel.gamma_multiply(0.85),
                                missing: theme.text_dim,
                            },
                        )
                        .with_selected(
                            selected.map(u64::from),
                            egui::Stroke::new(2.0, theme.accent),
                        )
                        .hovered_into(&mut self.hovered)
                        .clicked_into(&mut clicked)
                        .with_name(i18n.tr("factories-map")),
                    )
                    .with_plugin(
                        Attribution::new(i18n.tr("map-attribution"))
                            .with_text_color(theme.text_dim)
                            .with_background(theme.panel),
                    );
                ui.add(map)
            })
            .inner;
        let map_rect = map_response.rect;
        // Legend of the stage colours, top left.
        let legend: Vec<(egui::Color32, String)> = UpgradeStage::ALL
            .iter()
            .enumerate()
            .map(|(k, s)| (theme.stages[k], i18n.tr(stage_id(*s))))
            .collect();
        let legend_rect = egui::Rect::from_min_size(
            map_rect.left_top() + egui::vec2(8.0, 40.0),
            egui::vec2(420.0, 22.0),
        );
        // The backdrop goes under the legend, sized once the legend knows its size.
        let backdrop = ui.painter().add(egui::Shape::Noop);
        let legend_rect = ui
            .scope_builder(egui::UiBuilder::new().max_rect(legend_rect), |ui| {
                ui.add(SwatchLegend::new(&legend).with_text_color(theme.text))
            })
            .inner
            .rect;
        ui.painter().set(
            backdrop,
            egui::Shape::rect_filled(
                legend_rect.expand(4.0),
                4.0,
                theme.panel.gamma_multiply(0.85),
            ),
        );
        let reset = !crate::ui::wall::is_wall(ui)
            && ui
                .put(
                    egui::Rect::from_min_size(
                        map_rect.left_top() + egui::vec2(8.0, 8.0),
                        egui::vec2(120.0, 26.0),
                    ),
                    egui::Button::new(i18n.tr("map-reset")),
                )
                .clicked();
        if reset {
            self.fitted_width = None;
        }
        if let Some(ClusterHit::Point(id)) = self.hovered {
            let name = u32::try_from(id)
                .ok()
                .and_then(|id| points.index_of(id))
                .map(|i| {
                    let name = i18n.pick(
                        points.name_en.get(i).map_or("", String::as_str),
                        points.name_zh.get(i).map_or("", String::as_str),
                    );
                    // Where the plant's KPIs (its compliance) come from.
                    let origin = super::table::kpi_origin(points, i);
                    let p = Provenance::of(origin.as_ref(), sources);
                    format!("{name}\n{}", provenance::short(&p, i18n))
                });
            if let Some(name) = name {
                map_response.on_hover_text_at_pointer(name);
            }
        }
        match clicked? {
            ClusterHit::Point(id) => u32::try_from(id).ok(),
            ClusterHit::Cluster { position, .. } => {
                self.memory.center_at(position);
                let _ = self.memory.set_zoom((self.memory.zoom() + 2.0).min(18.0));
                None
            }
        }
    }
}
