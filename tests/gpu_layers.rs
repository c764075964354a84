//! The factories map drawn by wgpu paint callbacks (clusters and points as instanced discs, the
//! basemap as uploaded geometry) against the same view drawn by the CPU mesh path — both through
//! egui_kittest's wgpu renderer (lavapipe here and in CI) — compared pixel by pixel within a
//! tolerance; and the GPU instance cache uploads once per data version, never per frame.
//!
//! One test function on purpose: `gpu_disc_uploads` counts for the whole process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use eframe::egui_wgpu;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use egui_kittest::wgpu::{WgpuTestRenderer, create_render_state, default_wgpu_setup};
use image::RgbaImage;
use tianshu::api::{FactoryPoints, FactoryQuery};
use tianshu::backend::sim::{SimConfig, Simulator};
use tianshu::backend::world::World;
use tianshu::client::{ClientEvent, Command, ConnectionState};
use tianshu::i18n::Lang;
use tianshu::state::State;
use tianshu::ui::theme::Theme;
use tianshu::ui::{ConsoleApp, View, fonts};
use tianshu_widgets::geo_layers::{gpu_disc_uploads, install_gpu_shapes};
use tokio::sync::mpsc;

const NOW: i64 = 1_793_491_200_000;

struct Console {
    harness: Harness<'static, ConsoleApp>,
    to_ui: mpsc::Sender<ClientEvent>,
    _from_ui: mpsc::Receiver<Command>,
}

/// The factories view on a wgpu test renderer, with the GPU layers installed or not.
fn console(gpu: bool) -> Console {
    let (to_ui, events) = mpsc::channel(1024);
    let (commands, from_ui) = mpsc::channel(1024);
    let mut state = State::new("http://127.0.0.1:9");
    state.freeze_clock(std::time::Instant::now());
    let app = ConsoleApp::new(
        state,
        Lang::En,
        Theme::built_in("noc-dark").expect("theme"),
        View::Factories,
        commands,
        events,
    );
    let render_state = create_render_state(
        default_wgpu_setup(),
        egui_wgpu::RendererOptions::PREDICTABLE,
    );
    let for_setup = render_state.clone();
    let harness = Harness::builder()
        .with_size(egui::vec2(1600.0, 900.0))
        .with_context_setup(move |ctx| {
            fonts::install(ctx);
            if gpu {
                // What the console does when eframe gives it a wgpu render state (no MSAA).
                install_gpu_shapes(ctx, &for_setup, 1);
            }
        })
        .renderer(WgpuTestRenderer::from_render_state(render_state))
        .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app);
    Console {
        harness,
        to_ui,
        _from_ui: from_ui,
    }
}

fn data() -> (tianshu::api::Snapshot, FactoryPoints) {
    let sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count: 5_000,
    })
    .expect("sim");
    let world = World::new(sim, Vec::new(), 600.0, 1000, 0);
    let points = world
        .sim
        .factory_points(&FactoryQuery::default())
        .expect("points");
    (world.snapshot(NOW), points)
}

fn feed(console: &mut Console, snapshot: &tianshu::api::Snapshot, points: &FactoryPoints) {
    for event in [
        ClientEvent::Connection(ConnectionState::Connected),
        ClientEvent::Snapshot(Box::new(snapshot.clone())),
    ] {
        console.to_ui.try_send(event).expect("send");
    }
    console.harness.run_steps(3);
    console
        .to_ui
        .try_send(ClientEvent::FactoryPoints(Box::new(points.clone())))
        .expect("send");
    console.harness.run_steps(4);
}

/// The map's drawing area, pixels (points × 1), less the legend/button band and attribution.
fn map_area(console: &Console, what: &str) -> egui::Rect {
    let rect = console.harness.get_by_label_contains(what).rect();
    egui::Rect::from_min_max(
        rect.min + egui::vec2(4.0, 72.0),
        rect.max - egui::vec2(4.0, 26.0),
    )
}

/// Per pixel in `area`: the index of the stage colour it shows, if any.
fn stage_mask(image: &RgbaImage, area: egui::Rect, stages: &[egui::Color32]) -> Vec<Option<u8>> {
    let (x0, y0, x1, y1) = (
        area.min.x as u32,
        area.min.y as u32,
        area.max.x as u32,
        area.max.y as u32,
    );
    let mut mask = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            let p = image.get_pixel(x, y).0;
            let hit = stages.iter().position(|c| {
                let [r, g, b, _] = c.to_array();
                [r, g, b]
                    .iter()
                    .zip(&p[..3])
                    .all(|(a, b)| a.abs_diff(*b) <= 14)
            });
            mask.push(hit.map(|k| k as u8));
        }
    }
    mask
}

/// Share of `a`'s stage pixels that have the same stage in `b` within `reach` pixels.
fn covered(a: &[Option<u8>], b: &[Option<u8>], width: usize, reach: i64) -> f64 {
    let height = a.len() / width;
    let (mut total, mut found) = (0usize, 0usize);
    for (i, stage) in a.iter().enumerate() {
        let Some(stage) = stage else { continue };
        total += 1;
        let (x, y) = ((i % width) as i64, (i / width) as i64);
        let near = (-reach..=reach).any(|dy| {
            (-reach..=reach).any(|dx| {
                let (nx, ny) = (x + dx, y + dy);
                nx >= 0
                    && ny >= 0
                    && (nx as usize) < width
                    && (ny as usize) < height
                    && b[ny as usize * width + nx as usize] == Some(*stage)
            })
        });
        found += usize::from(near);
    }
    if total == 0 {
        0.0
    } else {
        found as f64 / total as f64
    }
}

/// The two renderers' pictures of `area` agree: about as many stage-coloured pixels, each near
/// one of the same stage in the other picture.
fn assert_same_picture(gpu: &RgbaImage, cpu: &RgbaImage, area: egui::Rect, what: &str) {
    let stages = Theme::built_in("noc-dark").expect("theme").stages;
    let (g, c) = (
        stage_mask(gpu, area, &stages),
        stage_mask(cpu, area, &stages),
    );
    let count = |m: &[Option<u8>]| m.iter().filter(|s| s.is_some()).count();
    let (ng, nc) = (count(&g), count(&c));
    assert!(nc >= 100, "{what}: the CPU picture shows {nc} stage pixels");
    let ratio = ng as f64 / nc as f64;
    assert!(
        (0.7..=1.45).contains(&ratio),
        "{what}: GPU {ng} vs CPU {nc} stage-coloured pixels"
    );
    let width = area.width() as usize;
    let (gc, cg) = (covered(&g, &c, width, 2), covered(&c, &g, width, 2));
    assert!(
        gc >= 0.9 && cg >= 0.9,
        "{what}: GPU pixels near CPU ones {gc:.3}, CPU near GPU {cg:.3}"
    );
}

fn dump(image: &RgbaImage, name: &str) {
    if let Some(dir) = std::env::var_os("TIANSHU_DUMP_DIR") {
        image
            .save(std::path::Path::new(&dir).join(format!("{name}.png")))
            .expect("dump");
    }
}

#[test]
fn gpu_points_and_clusters_match_the_cpu_picture_and_upload_once_per_version() {
    let (snapshot, points) = data();
    let mut gpu = console(true);
    let mut cpu = console(false);
    feed(&mut gpu, &snapshot, &points);
    feed(&mut cpu, &snapshot, &points);

    // National zoom: clusters with their category rings and counts.
    let area = map_area(&gpu, "clusters shown of");
    assert_eq!(area, map_area(&cpu, "clusters shown of"));
    let uploads_before = gpu_disc_uploads();
    let (g, c) = (
        gpu.harness.render().expect("gpu"),
        cpu.harness.render().expect("cpu"),
    );
    dump(&g, "clusters_gpu");
    dump(&c, "clusters_cpu");
    assert_same_picture(&g, &c, area, "clusters");
    assert_eq!(gpu_disc_uploads(), uploads_before + 1, "the cluster set");

    // Pick a plant in the table: the map zooms in far enough to draw every point on its own.
    let first = points.index_of(1).expect("plant 1");
    for console in [&mut gpu, &mut cpu] {
        console.harness.get_by_label(&points.name_en[first]).click();
        console.harness.run_steps(3);
    }
    let area = map_area(&gpu, "points shown of");
    let (g, c) = (
        gpu.harness.render().expect("gpu"),
        cpu.harness.render().expect("cpu"),
    );
    dump(&g, "points_gpu");
    dump(&c, "points_cpu");
    assert_same_picture(&g, &c, area, "points");
    let uploaded = gpu_disc_uploads();
    assert_eq!(uploaded, uploads_before + 2, "the point set, once");

    // Unchanged data: frames write a uniform, they upload nothing.
    for _ in 0..5 {
        gpu.harness.run_steps(1);
        gpu.harness.render().expect("gpu");
    }
    assert_eq!(gpu_disc_uploads(), uploaded);

    // A new data version (a filter changes the set): uploaded once, then kept.
    gpu.harness.get_by_label("Search name, city or id").focus();
    gpu.harness.run_steps(1);
    gpu.harness
        .get_by_label("Search name, city or id")
        .type_text("#1");
    gpu.harness.run_steps(3);
    for _ in 0..3 {
        gpu.harness.render().expect("gpu");
        gpu.harness.run_steps(1);
    }
    assert_eq!(gpu_disc_uploads(), uploaded + 1);
}
