//! The console under egui_kittest, shared by the console and wall suites: a harness around
//! `ConsoleApp` with a frozen clock, fake client channels, and real simulator data to feed it.

#![allow(dead_code)] // each suite uses its own share

use egui_kittest::Harness;
use tianshu::api::Snapshot;
use tianshu::backend::sim::{SimConfig, Simulator};
use tianshu::backend::ticker::LocalWorld;
use tianshu::backend::world::World;
use tianshu::client::{ClientEvent, Command, ConnectionState};
use tianshu::i18n::Lang;
use tianshu::state::State;
use tianshu::ui::theme::Theme;
use tianshu::ui::{ConsoleApp, View, fonts};
use tokio::sync::mpsc;

pub const NOW: i64 = 1_793_491_200_000;

/// A snapshot from the real simulator with at least one open action (built once per test
/// binary; each caller gets its own copy).
pub fn simulated_snapshot() -> Snapshot {
    static SNAPSHOT: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
    SNAPSHOT.get_or_init(build_simulated_snapshot).clone()
}

fn build_simulated_snapshot() -> Snapshot {
    let sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count: 5_000,
    })
    .expect("sim");
    let local = LocalWorld::new(sim, 600.0, 1000).expect("world");
    for step in 0..2000 {
        local.tick(600.0, NOW + step);
        if !local.world().open_actions().is_empty() {
            break;
        }
    }
    let snapshot = local.world().snapshot(NOW + 2000);
    assert!(
        !snapshot.actions.is_empty(),
        "the simulator proposes actions"
    );
    snapshot
}

pub struct Fixture {
    pub to_ui: mpsc::Sender<ClientEvent>,
    pub from_ui: mpsc::Receiver<Command>,
}

/// A state whose clock stands still, so countdowns, clocks and staleness render the same on
/// every run however slow the machine is.
pub fn frozen_state() -> State {
    let mut state = State::new("http://127.0.0.1:9");
    state.freeze_clock(std::time::Instant::now());
    state
}

pub fn console(view: View, size: egui::Vec2) -> (Harness<'static, ConsoleApp>, Fixture) {
    let (app, fixture) = console_app(view);
    let harness = Harness::builder()
        .with_size(size)
        .with_context_setup(fonts::install)
        .wgpu()
        .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app);
    (harness, fixture)
}

/// The console drawn by another renderer than wgpu (the CPU renderer's comparison).
pub fn console_rendered_by(
    view: View,
    size: egui::Vec2,
    renderer: impl egui_kittest::TestRenderer + 'static,
) -> (Harness<'static, ConsoleApp>, Fixture) {
    let (app, fixture) = console_app(view);
    let harness = Harness::builder()
        .with_size(size)
        .with_context_setup(|ctx| {
            fonts::install(ctx);
            // As in the CPU-rendered window: the map's rings reach the raster as its own primitive.
            tianshu_raster::rings::enable(ctx);
        })
        .renderer(renderer)
        .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app);
    (harness, fixture)
}

/// A console on `view` with a frozen clock, and the channels a test drives it through.
fn console_app(view: View) -> (ConsoleApp, Fixture) {
    let (to_ui, events) = mpsc::channel(1024);
    let (commands, from_ui) = mpsc::channel(1024);
    let app = ConsoleApp::new(
        frozen_state(),
        Lang::En,
        Theme::built_in("noc-dark").expect("theme"),
        view,
        commands,
        events,
    );
    (app, Fixture { to_ui, from_ui })
}

pub fn connect(fixture: &Fixture, snapshot: Snapshot) {
    fixture
        .to_ui
        .try_send(ClientEvent::Connection(ConnectionState::Connected))
        .expect("send");
    fixture
        .to_ui
        .try_send(ClientEvent::Snapshot(Box::new(snapshot)))
        .expect("send");
}

/// The backend's answer to `GET /me`, as the client would pass it on.
pub fn sign_in(fixture: &Fixture, name: &str, role: tianshu::api::Role, groups: &[&str]) {
    fixture
        .to_ui
        .try_send(ClientEvent::Me(Box::new(tianshu::api::Me {
            name: name.into(),
            role,
            factory_ids: if groups.is_empty() { vec![] } else { vec![42] },
            factory_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            open_mode: false,
        })))
        .expect("send");
}

/// A console with settings; `step_dt` is the egui time of one step (a click needs a short one:
/// egui ignores a press held longer than 0.8 s).
pub fn console_with(
    settings: tianshu::settings::Settings,
    lang: Lang,
    size: egui::Vec2,
    step_dt: f32,
) -> (Harness<'static, ConsoleApp>, Fixture) {
    let (to_ui, events) = mpsc::channel(1024);
    let (commands, from_ui) = mpsc::channel(1024);
    let view = tianshu::settings::parse_view(&settings.view).unwrap_or_default();
    let app = ConsoleApp::new(
        frozen_state(),
        lang,
        Theme::built_in("noc-dark").expect("theme"),
        view,
        commands,
        events,
    )
    .with_settings(settings, None, Vec::new());
    let harness = Harness::builder()
        .with_size(size)
        .with_step_dt(step_dt)
        .with_context_setup(fonts::install)
        .wgpu()
        .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app);
    (harness, Fixture { to_ui, from_ui })
}

/// A snapshot whose queue holds exactly `actions` (the world data stays real).
pub fn snapshot_with(actions: Vec<tianshu::api::Action>) -> Snapshot {
    let mut s = simulated_snapshot();
    s.actions = actions;
    s
}

/// A pending network action on the backbone, one approval, with a bounded parameter.
pub fn pending_action(id: u64, server_time: i64) -> tianshu::api::Action {
    let base = simulated_snapshot()
        .actions
        .into_iter()
        .next()
        .expect("an action");
    tianshu::api::Action {
        id,
        version: 3,
        agent_id: "agent-backbone".into(),
        kind: tianshu::api::ActionKind::Reroute,
        target: "link-x".into(),
        summary_en: format!("Reroute test traffic {id}"),
        risk: tianshu::api::Risk::Medium,
        policy: tianshu::api::Policy::OneApproval,
        params: serde_json::json!({"shift_gbps": 60.0, "via": "c1"}),
        param_bounds: [(
            "shift_gbps".to_string(),
            tianshu::api::ParamBound {
                min: 10.0,
                max: 90.0,
            },
        )]
        .into_iter()
        .collect(),
        state: tianshu::api::ActionState::Pending,
        expires_at: server_time + 600_000,
        veto_until: None,
        industrial: false,
        approvals: vec![],
        ..base
    }
}

/// Every piece of text drawn in a frame, row by row: the rect each row shows on screen (clipped,
/// without a wrapped row's leading space), the whole text and its font size (points).
pub fn drawn_texts(output: &egui::FullOutput) -> Vec<(egui::Rect, String, f32)> {
    fn walk(shape: &egui::Shape, clip: egui::Rect, out: &mut Vec<(egui::Rect, String, f32)>) {
        match shape {
            egui::Shape::Text(t) => {
                if t.galley.text().trim().is_empty() {
                    return;
                }
                let size = t
                    .galley
                    .job
                    .sections
                    .iter()
                    .map(|s| s.format.font_id.size)
                    .fold(f32::INFINITY, f32::min);
                // Row by row, without a wrapped row's leading space (text laid out after other
                // text on the same line starts there, not at the galley's left edge).
                for row in &t.galley.rows {
                    if row.row.glyphs.iter().all(|g| g.chr.is_whitespace()) {
                        continue;
                    }
                    let rect = row
                        .rect_without_leading_space()
                        .translate(t.pos.to_vec2())
                        .intersect(clip);
                    if rect.is_positive() {
                        out.push((rect, t.galley.text().to_owned(), size));
                    }
                }
            }
            egui::Shape::Vec(shapes) => {
                for s in shapes {
                    walk(s, clip, out);
                }
            }
            _ => {}
        }
    }
    let mut all = Vec::new();
    for clipped in &output.shapes {
        // An opaque box painted later hides the text under it (a map label under the map's
        // attribution, content under a panel): hidden text is not text drawn over text.
        if let egui::Shape::Rect(r) = &clipped.shape
            && r.fill.a() == 255
        {
            let cover = r.rect.intersect(clipped.clip_rect);
            all.retain_mut(|(t, _, _)| {
                *t = uncovered(*t, cover);
                t.is_positive()
            });
        }
        walk(&clipped.shape, clipped.clip_rect, &mut all);
    }
    all
}

/// What of `text` stays visible beside an opaque `cover` painted over it: trimmed where the
/// cover spans the text's whole width (from above or below) or height (from a side); as it is
/// otherwise (conservatively: a cover in its middle hides less than it seems).
fn uncovered(text: egui::Rect, cover: egui::Rect) -> egui::Rect {
    if !text.intersects(cover) {
        return text;
    }
    if cover.contains_rect(text) {
        return egui::Rect::NOTHING;
    }
    let mut t = text;
    if cover.min.x <= t.min.x && cover.max.x >= t.max.x {
        if cover.min.y <= t.min.y {
            t.min.y = cover.max.y;
        } else if cover.max.y >= t.max.y {
            t.max.y = cover.min.y;
        }
    } else if cover.min.y <= t.min.y && cover.max.y >= t.max.y {
        if cover.min.x <= t.min.x {
            t.min.x = cover.max.x;
        } else if cover.max.x >= t.max.x {
            t.max.x = cover.min.x;
        }
    }
    t
}

/// Pairs of text rows drawn over each other (more than 2 square points shared).
pub fn overlapping(texts: &[(egui::Rect, String, f32)]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (a, ta, _)) in texts.iter().enumerate() {
        for (b, tb, _) in &texts[i + 1..] {
            if ta == tb {
                continue; // rows of one text (or the same words twice) never count
            }
            let overlap = a.intersect(*b);
            if overlap.is_positive() && overlap.area() > 2.0 {
                out.push(format!("{ta:?} at {a:?} over {tb:?} at {b:?}"));
            }
        }
    }
    out
}

/// The real simulator's world (seed 3) and one of its plants that an agent serves.
pub fn world_with_an_agents_plant() -> (World, tianshu::api::Factory) {
    let world = simulated_world(5_000);
    let plant = world
        .sim
        .factories()
        .iter()
        .find(|f| f.agent_id.is_some())
        .expect("a plant with an agent")
        .clone();
    (world, plant)
}

/// What every view asks for, from the real simulator (built once per test binary).
pub fn every_view_data(fixture: &Fixture) {
    static DATA: std::sync::OnceLock<Vec<ClientEvent>> = std::sync::OnceLock::new();
    for event in DATA.get_or_init(build_every_view_data) {
        fixture.to_ui.try_send(event.clone()).expect("send");
    }
}

fn build_every_view_data() -> Vec<ClientEvent> {
    let mut sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count: 5_000,
    })
    .expect("sim");
    sim.step(3600.0);
    let points = sim
        .factory_points(&tianshu::api::FactoryQuery::default())
        .expect("points");
    vec![
        ClientEvent::LatencySummary(Box::new(sim.latency_summary())),
        ClientEvent::FactoryPoints(Box::new(points)),
        ClientEvent::Progress(Box::new(sim.progress())),
    ]
}

/// The real simulator's world (seed 3, starting at `NOW`) with `factory_count` plants.
pub fn simulated_world(factory_count: u32) -> World {
    let sim = Simulator::new(SimConfig {
        seed: 3,
        start: NOW,
        factory_count,
    })
    .expect("sim");
    World::new(sim, Vec::new(), 600.0, 1000, 0)
}

/// The backend went away: the client says it is reconnecting (and why).
pub fn reconnecting(fixture: &Fixture, reason: &str) {
    fixture
        .to_ui
        .try_send(ClientEvent::Connection(ConnectionState::Reconnecting {
            attempt: 4,
            retry_in: std::time::Duration::from_secs(8),
            reason: reason.into(),
        }))
        .expect("send");
}
