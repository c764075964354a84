//! Runs every widget and map layer inside a headless `egui::Context`: nothing panics, labels reach
//! AccessKit, map hover/click reach the out-params, and an idle frame asks for no repaint.

use std::time::Duration;

use egui::{
    Color32, Context, Event, FullOutput, PointerButton, Pos2, RawInput, Rect, Stroke, TextureId,
    Ui, ViewportId, vec2,
};
use tianshu_widgets::{
    Attribution, ColorRamp, GridImageLayer, KpiTile, LinksLayer, MapLink, MapNode,
    MercatorTransform, NodesLayer, OutlineLayer, ProjectedShapes, RampLegend, ScaleBar, Sparkline,
    StatusPill, TargetBar,
    geo_layers::{arc_control_point, sample_quadratic_bezier},
};
use walkers::{Map, MapMemory, lat_lon};

fn run_frame(
    ctx: &Context,
    time: f64,
    events: Vec<Event>,
    ui_fn: impl FnMut(&mut Ui),
) -> FullOutput {
    let input = RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1024.0, 768.0))),
        time: Some(time),
        events,
        ..Default::default()
    };
    let mut output = ctx.run_ui(input, ui_fn);
    // No renderer here to apply texture uploads to.
    output.textures_delta.clear();
    output
}

fn repaint_delay(output: &FullOutput) -> Duration {
    output
        .viewport_output
        .get(&ViewportId::ROOT)
        .map_or(Duration::MAX, |v| v.repaint_delay)
}

fn labels(output: &FullOutput) -> Vec<String> {
    output
        .platform_output
        .accesskit_update
        .iter()
        .flat_map(|update| update.nodes.iter())
        // egui puts a `Label`'s text in `value`, everything else's in `label`.
        .filter_map(|(_, node)| node.label().or(node.value()).map(str::to_owned))
        .collect()
}

fn click(pos: Pos2, pressed: bool) -> Event {
    Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Default::default(),
    }
}

#[test]
fn widgets_render_label_themselves_and_stay_idle() {
    let ctx = Context::default();
    ctx.enable_accesskit();
    let ramp = ColorRamp::evenly_spaced(&[Color32::BLUE, Color32::YELLOW]);
    let history = [3.0, 4.0, 3.5, f32::NAN, 5.0, 4.2];
    let mut show = |ui: &mut Ui| {
        ui.add(
            KpiTile::new("Throughput", "42.0")
                .with_unit("Gbps")
                .with_delta("+3 %", Color32::GREEN)
                .with_target(42.0, 50.0, Color32::GREEN)
                .with_sparkline(&history, Color32::LIGHT_BLUE),
        );
        ui.add(KpiTile::new("Empty", "—").with_sparkline(&[], Color32::LIGHT_BLUE));
        ui.add(StatusPill::new(
            "online",
            Color32::DARK_GREEN,
            Color32::WHITE,
        ));
        ui.add(Sparkline::new(&history, Color32::YELLOW).with_label("Load trend"));
        ui.add(RampLegend::new(&ramp, "0 %", "100 %").with_caption("Utilization"));
        ui.add(TargetBar::new(80.0, 100.0, Color32::RED).with_label("Upgrade progress"));
        ui.add(TargetBar::new(f32::NAN, f32::INFINITY, Color32::RED).with_width(50.0));
    };
    let mut output = run_frame(&ctx, 0.0, vec![], &mut show);
    let found = labels(&output);
    for expected in [
        "Throughput: 42.0 Gbps, +3 %, target 50",
        "online",
        "Load trend",
        "Utilization: 0 % to 100 %",
        "Upgrade progress",
    ] {
        assert!(
            found.iter().any(|l| l == expected),
            "{expected:?} not in {found:?}"
        );
    }
    for frame in 1..4 {
        output = run_frame(&ctx, f64::from(frame) * 0.1, vec![], &mut show);
    }
    assert_eq!(
        repaint_delay(&output),
        Duration::MAX,
        "idle widgets asked for a repaint"
    );
}

#[test]
fn blinking_pill_schedules_its_next_frame_only() {
    let ctx = Context::default();
    let mut show = |ui: &mut Ui| {
        ui.add(StatusPill::new("alarm", Color32::RED, Color32::WHITE).with_blink(true));
    };
    let mut output = run_frame(&ctx, 0.0, vec![], &mut show);
    for frame in 1..4 {
        output = run_frame(&ctx, 0.1 * f64::from(frame), vec![], &mut show);
    }
    let delay = repaint_delay(&output);
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_millis(600),
        "{delay:?}"
    );
}

struct MapScene {
    memory: MapMemory,
    shapes: ProjectedShapes,
    nodes: Vec<MapNode>,
    links: Vec<MapLink>,
    hovered_node: Option<u64>,
    clicked_node: Option<u64>,
    hovered_link: Option<u64>,
    clicked_link: Option<u64>,
    hovered_ring: Option<usize>,
    transform: Option<MercatorTransform>,
}

impl MapScene {
    fn new() -> Self {
        let mut memory = MapMemory::default();
        assert!(memory.set_zoom(8.0).is_ok());
        let square = |lat: f64, lon: f64, d: f64| {
            vec![
                lat_lon(lat - d, lon - d),
                lat_lon(lat - d, lon + d),
                lat_lon(lat + d, lon + d),
                lat_lon(lat + d, lon - d),
            ]
        };
        let l_shape = vec![
            lat_lon(29.0, 119.0),
            lat_lon(29.0, 120.0),
            lat_lon(29.5, 120.0),
            lat_lon(29.5, 119.5),
            lat_lon(30.0, 119.5),
            lat_lon(30.0, 119.0),
        ];
        let shapes = ProjectedShapes::from_rings(vec![square(31.23, 121.47, 0.2), l_shape])
            .with_fill_triangles();
        let nodes = vec![
            MapNode {
                position: lat_lon(31.23, 121.47),
                radius: 6.0,
                color: Color32::LIGHT_BLUE,
                label: Some("Shanghai".to_owned()),
                id: 1,
            },
            MapNode {
                position: lat_lon(30.27, 120.15),
                radius: 6.0,
                color: Color32::LIGHT_BLUE,
                label: Some("Hangzhou".to_owned()),
                id: 2,
            },
        ];
        let links = vec![MapLink {
            from: lat_lon(30.27, 120.15),
            to: lat_lon(32.06, 118.80),
            width: 2.0,
            color: Color32::GOLD,
            id: 7,
            label: Some("Hangzhou–Nanjing".to_owned()),
        }];
        Self {
            memory,
            shapes,
            nodes,
            links,
            hovered_node: None,
            clicked_node: None,
            hovered_link: None,
            clicked_link: None,
            hovered_ring: None,
            transform: None,
        }
    }

    fn ui(&mut self, ui: &mut Ui) {
        let map = Map::new(None, &mut self.memory, lat_lon(31.23, 121.47))
            .with_plugin(
                GridImageLayer::new(
                    TextureId::default(),
                    lat_lon(29.0, 119.0),
                    lat_lon(33.0, 123.0),
                )
                .with_alpha(0.4),
            )
            .with_plugin(
                OutlineLayer::new(&self.shapes, Stroke::new(1.0, Color32::GRAY))
                    .with_fill(Some(Color32::DARK_GRAY))
                    .hovered_into(&mut self.hovered_ring),
            )
            .with_plugin(
                LinksLayer::new(&self.links)
                    .hovered_into(&mut self.hovered_link)
                    .clicked_into(&mut self.clicked_link),
            )
            .with_plugin(
                NodesLayer::new(&self.nodes)
                    .with_stroke(Stroke::new(1.0, Color32::WHITE))
                    .with_highlight(Some(2), Stroke::new(2.0, Color32::WHITE))
                    .hovered_into(&mut self.hovered_node)
                    .clicked_into(&mut self.clicked_node),
            )
            .with_plugin(ScaleBar::new())
            .with_plugin(Attribution::new("© OpenStreetMap contributors"));
        let response = map.show(ui, |_, _, projector, _| {
            MercatorTransform::from_projector(projector)
        });
        self.transform = Some(response.inner);
    }
}

#[test]
fn map_layers_report_hover_and_click_and_label_themselves() {
    let ctx = Context::default();
    ctx.enable_accesskit();
    let mut scene = MapScene::new();
    let output = run_frame(&ctx, 0.0, vec![], |ui| scene.ui(ui));
    let found = labels(&output);
    for expected in [
        "Shanghai",
        "Hangzhou",
        "Hangzhou–Nanjing",
        "© OpenStreetMap contributors",
    ] {
        assert!(
            found.iter().any(|l| l == expected),
            "{expected:?} not in {found:?}"
        );
    }
    assert!(
        found.iter().any(|l| l.starts_with("Map points: 2 shown")),
        "{found:?}"
    );
    assert!(found.iter().any(|l| l.starts_with("Scale: ")), "{found:?}");

    let Some(transform) = scene.transform else {
        panic!("map did not run");
    };
    let shanghai = transform.project(lat_lon(31.23, 121.47));

    // Hover the Shanghai point, inside the first ring.
    run_frame(&ctx, 0.1, vec![Event::PointerMoved(shanghai)], |ui| {
        scene.ui(ui)
    });
    assert_eq!(scene.hovered_node, Some(1));
    assert_eq!(scene.hovered_ring, Some(0));
    assert_eq!(scene.hovered_link, None);
    assert_eq!(scene.clicked_node, None);

    // Click it.
    run_frame(&ctx, 0.2, vec![click(shanghai, true)], |ui| scene.ui(ui));
    run_frame(&ctx, 0.25, vec![click(shanghai, false)], |ui| scene.ui(ui));
    assert_eq!(scene.clicked_node, Some(1));
    assert_eq!(scene.clicked_link, None);

    // Hover the middle of the link's arc.
    let (a, b) = (
        transform.project(lat_lon(30.27, 120.15)),
        transform.project(lat_lon(32.06, 118.80)),
    );
    let mut arc = Vec::new();
    sample_quadratic_bezier(a, arc_control_point(a, b, 0.15), b, 16, &mut arc);
    let middle = arc[8] + vec2(0.0, 3.0);
    run_frame(&ctx, 1.0, vec![Event::PointerMoved(middle)], |ui| {
        scene.ui(ui)
    });
    assert_eq!(scene.hovered_link, Some(7));
    assert_eq!(scene.hovered_node, None);
    assert_eq!(
        scene.clicked_node, None,
        "clicks are reported for one frame only"
    );

    // Pointer leaves: the map goes idle.
    let mut output = run_frame(&ctx, 2.0, vec![Event::PointerGone], |ui| scene.ui(ui));
    for frame in 0..3 {
        output = run_frame(&ctx, 3.0 + f64::from(frame), vec![], |ui| scene.ui(ui));
    }
    assert_eq!(scene.hovered_link, None);
    assert_eq!(
        repaint_delay(&output),
        Duration::MAX,
        "idle map asked for a repaint"
    );
}

#[test]
fn map_layers_survive_extreme_views() {
    let ctx = Context::default();
    for zoom in [0.0, 3.0, 20.0, 26.0] {
        let mut scene = MapScene::new();
        assert!(scene.memory.set_zoom(zoom).is_ok());
        for frame in 0..2 {
            let _ = run_frame(&ctx, f64::from(frame), vec![], |ui| scene.ui(ui));
        }
    }
    // Empty inputs and poles.
    let shapes = ProjectedShapes::from_rings(vec![
        vec![
            lat_lon(-90.0, -180.0),
            lat_lon(-90.0, 180.0),
            lat_lon(-60.0, 0.0),
        ],
        vec![],
    ]);
    let mut memory = MapMemory::default();
    let _ = run_frame(&ctx, 10.0, vec![], |ui| {
        Map::new(None, &mut memory, lat_lon(0.0, 0.0))
            .with_plugin(OutlineLayer::new(&shapes, Stroke::new(1.0, Color32::GRAY)))
            .with_plugin(NodesLayer::new(&[]))
            .with_plugin(LinksLayer::new(&[]))
            .show(ui, |_, _, _, _| ());
    });
}
