//! The console: an `eframe::App` that drains the client's events into `State`, draws the shell
//! (top bar, status bar, stale banner) and the current view, and turns the views' intents into
//! commands for the client.
//!
//! Views never touch the network: they return `Command`s. The app repaints only when the client
//! wakes it or something on screen counts down.

pub(crate) mod agents;
mod audience;
mod basemap;
pub(crate) mod factories;
pub mod fonts;
mod format;
mod latency;
mod map;
mod mbtiles;
mod overview;
pub(crate) mod plant;
pub(crate) mod progress;
pub(crate) mod provenance;
pub mod screenshot;
mod shell;
pub mod theme;
pub mod tiles;
mod wall;
mod wall_frame;
pub mod wall_pages;

use tokio::sync::mpsc;

use crate::client::{ClientEvent, Command};
use crate::i18n::{I18n, Lang};
use crate::state::{NoticeKind, State};

/// Province names by code in the operator's language (the scorecard documents use them too).
pub(crate) use self::progress::province_name;
pub use self::screenshot::ScreenshotJob;
use self::theme::Theme;

/// The five views of the top bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum View {
    #[default]
    Overview,
    Latency,
    Factories,
    Agents,
    Progress,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Overview,
        View::Latency,
        View::Factories,
        View::Agents,
        View::Progress,
    ];

    fn label_id(self) -> &'static str {
        match self {
            View::Overview => "nav-overview",
            View::Latency => "nav-latency",
            View::Factories => "nav-factories",
            View::Agents => "nav-agents",
            View::Progress => "nav-progress",
        }
    }
}

/// Most client messages folded per frame; the rest wait for the next frame (which is requested).
const MAX_EVENTS_PER_FRAME: usize = 20_000;

pub struct ConsoleApp {
    pub state: State,
    pub i18n: I18n,
    pub theme: Theme,
    pub view: View,
    commands: mpsc::Sender<Command>,
    events: mpsc::Receiver<ClientEvent>,
    theme_dirty: bool,
    pub(crate) overview: overview::OverviewView,
    latency: latency::LatencyView,
    factories: factories::FactoriesView,
    agents: agents::AgentsView,
    progress: progress::ProgressView,
    /// The sources window is open.
    sources_open: bool,
    /// The window is drawn by a CPU (lavapipe, llvmpipe, WARP): panels leave their fill to the
    /// clear colour (see `Theme::apply_with`).
    renderer: Renderer,
    screenshot: Option<ScreenshotJob>,
    /// Profile (operator, wall, review, factory), settings panel and startup warnings.
    audience: audience::Audience,
    plant: plant::PlantPage,
    /// The last snapshot folded, for wall screens opened later (settings switched to the wall).
    last_snapshot: Option<ClientEvent>,
    /// What the wall's pages asked the backend for.
    wall_feeds: wall_pages::WallFeeds,
    /// The wall's page in the last frame drawn for the wall.
    pub wall_page: Option<wall_pages::WallPage>,
    /// The snapshot count at which the trends' past was last asked for (`/history`).
    trends_asked: Option<u64>,
    /// When the agents' past was last asked for (egui seconds).
    past_asked_at: Option<f64>,
}

impl ConsoleApp {
    pub fn new(
        state: State,
        lang: Lang,
        theme: Theme,
        view: View,
        commands: mpsc::Sender<Command>,
        events: mpsc::Receiver<ClientEvent>,
    ) -> Self {
        Self {
            state,
            i18n: I18n::new(lang),
            theme,
            view,
            commands,
            events,
            theme_dirty: true,
            overview: overview::OverviewView::default(),
            latency: latency::LatencyView::default(),
            factories: factories::FactoriesView::default(),
            agents: agents::AgentsView::default(),
            progress: progress::ProgressView::default(),
            sources_open: false,
            renderer: Renderer::Gpu,
            screenshot: None,
            audience: audience::Audience::default(),
            plant: plant::PlantPage::default(),
            last_snapshot: None,
            wall_feeds: wall_pages::WallFeeds::default(),
            wall_page: None,
            trends_asked: None,
            past_asked_at: None,
        }
    }

    /// Sets the profile and the rest of the settings; `config_path` is where the settings panel
    /// saves; `warnings` (a broken config or theme file) are shown until dismissed.
    pub fn with_settings(
        mut self,
        settings: crate::settings::Settings,
        config_path: Option<std::path::PathBuf>,
        warnings: Vec<String>,
    ) -> Self {
        if settings.profile == crate::settings::Profile::Review {
            self.view = View::Progress;
        }
        self.audience = audience::Audience::new(settings, config_path, warnings);
        self
    }

    /// Full screen was asked for on the command line: leaving the wall at runtime keeps it.
    pub fn with_fullscreen_flag(mut self, fullscreen: bool) -> Self {
        self.set_fullscreen_flag(fullscreen);
        self
    }

    pub fn set_fullscreen_flag(&mut self, fullscreen: bool) {
        self.audience.fullscreen_flag = fullscreen;
    }

    /// The profile in use.
    pub fn profile(&self) -> crate::settings::Profile {
        self.audience.profile()
    }

    /// Uses an operator's XYZ tiles under the overview's layers.
    pub fn with_tiles(mut self, config: tiles::TileConfig) -> Self {
        self.overview.set_tiles(config);
        self
    }

    pub fn with_screenshot(mut self, job: ScreenshotJob) -> Self {
        self.screenshot = Some(job);
        self
    }

    /// Folds everything the client sent since the last frame.
    pub fn drain_events(&mut self, ctx: &egui::Context) {
        let now = self.state.now();
        let mut folded = 0;
        let mut more = true;
        for _ in 0..MAX_EVENTS_PER_FRAME {
            let Ok(event) = self.events.try_recv() else {
                more = false;
                break;
            };
            if matches!(event, ClientEvent::Snapshot(_)) {
                self.last_snapshot = Some(event.clone());
            }
            // Each wall screen folds the same events into its own state, in its own frame.
            for screen in &self.audience.screens {
                screen.push(&event);
            }
            self.state.apply(event, now);
            folded += 1;
        }
        if folded > 0 {
            for screen in &self.audience.screens {
                ctx.request_repaint_of(screen.viewport_id());
            }
        }
        if more {
            ctx.request_repaint();
        }
    }

    /// Follows a change of profile (settings panel): the window goes full screen for the wall
    /// and back when leaving it, and the wall's extra screens open or close. At start the
    /// window was built for the profile already.
    fn follow_profile(&mut self, ctx: &egui::Context) {
        use crate::settings::Profile;
        let profile = self.audience.profile();
        if self.audience.window_profile == Some(profile) {
            return;
        }
        let starting = self.audience.window_profile.is_none();
        self.audience.window_profile = Some(profile);
        let wall = profile == Profile::Wall;
        if !starting {
            ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(
                wall || self.audience.fullscreen_flag,
            ));
            if profile == Profile::Review {
                self.view = View::Progress;
            }
        }
        self.audience.screens = if wall {
            let settings = &self.audience.settings;
            settings
                .wall
                .screens
                .iter()
                .enumerate()
                .map(|(n, s)| {
                    wall::WallScreen::new(
                        n,
                        s,
                        &self.state,
                        self.last_snapshot.as_ref(),
                        self.i18n.lang(),
                        &self.theme,
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
    }

    fn send(&mut self, commands: Vec<Command>) {
        let now = self.state.now();
        for command in commands {
            if let Command::Decide { action_id, request } = &command {
                self.state.begin_decision(*action_id, request, now);
            }
            if let Err(err) = self.commands.try_send(command) {
                // Nothing is dropped silently: the operator sees that the request did not leave.
                let command = err.into_inner();
                if let Command::Decide { action_id, request } = command {
                    self.state.in_flight.remove(&request.idempotency_key);
                    self.state.notify(
                        now,
                        NoticeKind::DecisionFailed { action_id },
                        "the console's connection is busy or closed; try again",
                    );
                }
            }
        }
    }

    /// Draws one frame into `ui` (the whole window).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        // `RUST_LOG=tianshu::frames=debug` logs every frame (scripts/idle-cpu.sh counts them).
        tracing::debug!(target: "tianshu::frames", pass = ctx.cumulative_pass_nr(), "frame");
        self.drain_events(&ctx);
        if self.theme_dirty {
            self.theme.apply_with(&ctx, self.software_renderer());
            self.theme_dirty = false;
        }
        self.audience.apply_zoom(&ctx);
        // The wall moves by a few pixels now and then so that nothing burns in.
        let offset = self.audience.burn_in_offset(&ctx);
        if offset == egui::Vec2::ZERO {
            self.frame_ui(ui);
        } else {
            let margin = self.audience.settings.wall.shift_px;
            let rect = ui.max_rect().shrink(margin).translate(offset);
            let mut child = ui.new_child(egui::UiBuilder::new().max_rect(rect));
            self.frame_ui(&mut child);
        }
    }

    fn frame_ui(&mut self, ui: &mut egui::Ui) {
        use crate::settings::Profile;
        let ctx = ui.ctx().clone();
        let now = self.state.now();
        self.follow_profile(&ctx);
        // After every snapshot: the backend's last simulated day, so no trend starts empty.
        if self.state.world.is_some() && self.trends_asked != Some(self.state.snapshots_applied) {
            self.trends_asked = Some(self.state.snapshots_applied);
            self.send(vec![
                Command::FetchHistory {
                    from: None,
                    to: None,
                },
                Command::FetchActivityPast,
            ]);
            self.past_asked_at = Some(ctx.input(|i| i.time));
        }
        // The backend is still modelling the agents' past: ask again every two seconds.
        if self.state.activity.past_pending() {
            let t = ctx.input(|i| i.time);
            let asked = self.past_asked_at.unwrap_or(t);
            if t - asked >= 2.0 {
                self.past_asked_at = Some(t);
                self.send(vec![Command::FetchActivityPast]);
            }
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(
                (asked + 2.0 - t).max(0.1),
            ));
        }
        let profile = self.audience.profile();
        wall::set_wall(&ctx, profile == Profile::Wall);
        let factory_id = self.audience.settings.factory;
        // Ctrl+, opens the settings in every profile: the wall has no button for them (no
        // pointer), and that is how one leaves it from the keyboard.
        let settings_key = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::Comma);
        if profile == Profile::Wall && !self.audience.settings_open {
            if ctx.input_mut(|i| i.consume_shortcut(&settings_key)) {
                self.audience.toggle_settings();
            }
            let mut feeds = std::mem::take(&mut self.wall_feeds);
            self.wall_frame(ui, &mut feeds);
            self.wall_feeds = feeds;
            return;
        }
        let shell_out = match profile {
            Profile::Wall => shell::TopBarOut::default(),
            Profile::Factory => audience::plant_top_bar(ui, &self.i18n, &self.theme, factory_id),
            Profile::Operator | Profile::Review => {
                shell::top_bar(ui, &self.i18n, &self.theme, &mut self.view)
            }
        };
        if shell_out.toggle_language {
            let other = self.i18n.lang().other();
            self.i18n.set_lang(other);
        }
        if shell_out.open_settings || ctx.input_mut(|i| i.consume_shortcut(&settings_key)) {
            self.audience.toggle_settings();
        }
        // A plant's manager sees the count of that plant's open actions only.
        let pending = match (profile, factory_id) {
            (Profile::Factory, Some(id)) => plant::pending_count(&self.state, id),
            (Profile::Factory, None) => 0,
            _ => self.state.open_actions().count(),
        };
        let status = shell::status_bar(ui, &self.state, &self.i18n, &self.theme, now, pending);
        if status.open_sources {
            self.sources_open = !self.sources_open;
        }
        provenance::sources_window(
            ui.ctx(),
            &self.state,
            &self.i18n,
            &self.theme,
            &mut self.sources_open,
            now,
        );
        shell::stale_banner(ui, &self.state, &self.i18n, &self.theme, now);
        shell::notices(ui, &mut self.state, &self.i18n, &self.theme);
        self.audience.warnings_ui(ui, &self.i18n, &self.theme);
        if profile != Profile::Factory
            && agents::critical_banner(ui, &mut self.state, &self.i18n, &self.theme)
            && profile != Profile::Wall
        {
            self.view = View::Agents;
        }

        let mut open_agents = false;
        let settings_open = self.audience.settings_open;
        let central = egui::CentralPanel::default().show(ui, |ui| {
            if settings_open {
                let applied = self.audience.settings_ui(ui, &self.i18n, &self.theme);
                if let Some(lang) = applied.language {
                    self.i18n.set_lang(lang);
                }
                if let Some(theme) = applied.theme {
                    self.theme = theme;
                    self.theme_dirty = true;
                }
                return Vec::new();
            }
            if profile == Profile::Factory {
                return self
                    .plant
                    .ui(ui, &self.state, factory_id, &self.i18n, &self.theme);
            }
            match self.view {
                View::Overview => self.overview.ui(ui, &self.state, &self.i18n, &self.theme),
                View::Latency => self.latency.ui(ui, &self.state, &self.i18n, &self.theme),
                View::Factories => {
                    let out = self.factories.ui(ui, &self.state, &self.i18n, &self.theme);
                    open_agents = out.open_agent.is_some();
                    out.commands
                }
                View::Agents => self.agents.ui(ui, &self.state, &self.i18n, &self.theme),
                View::Progress => self.progress.ui(ui, &self.state, &self.i18n, &self.theme),
            }
        });
        // On the wall the last picture stays, greyed, while the data is not live.
        if profile == Profile::Wall && self.state.is_stale(now) && self.state.world.is_some() {
            audience::dim_overlay(ui, central.response.rect, &self.theme);
        }
        let commands = central.inner;
        // The wall's other monitors, each a window with its own playlist and repaints.
        for screen in &self.audience.screens {
            screen.follow(self.i18n.lang(), &self.theme);
            screen.show(&ctx);
        }
        self.send(commands);
        if open_agents {
            self.view = View::Agents;
        }

        // Clocks and countdowns tick once a second; nothing else repaints without new data.
        if self.state.is_stale(now)
            || (self.view == View::Agents && self.state.open_actions().next().is_some())
        {
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
        let ready = self.state.world.is_some()
            && match profile {
                Profile::Factory => self
                    .state
                    .factory_detail
                    .as_ref()
                    .is_some_and(|d| Some(d.factory.id) == factory_id),
                _ => self.view_has_data(),
            };
        if let Some(job) = self.screenshot.as_mut() {
            job.frame(&ctx, ready);
        }
    }

    /// The current view has what it needs to be worth a screenshot.
    pub fn view_has_data(&self) -> bool {
        match self.view {
            View::Overview => true,
            // The timeline with the backend's past (modelled, or where its record starts).
            View::Agents => self.state.activity.past().is_some(),
            // The national figure and badges come with the backend's summary.
            View::Latency => self.state.latency.summary.is_some(),
            // The clustered map and table (points) and the progress chart.
            View::Factories => self.state.factory_points.is_some() && self.state.progress.is_some(),
            View::Progress => self.state.progress.is_some(),
        }
    }
}

/// Who draws the console's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    /// wgpu on a GPU.
    Gpu,
    /// wgpu on a software Vulkan/GL driver (every pixel of every frame through a JIT shader).
    SoftwareDriver,
    /// Tianshu's CPU renderer (tianshu-raster: only what changed is drawn again).
    CpuRaster,
}

impl crate::software_window::SoftwareApp for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui) {
        ConsoleApp::ui(self, ui);
    }

    fn clear_colour(&self) -> egui::Color32 {
        self.theme.panel
    }

    fn drawn_by_cpu_raster(&mut self) {
        self.set_renderer(Renderer::CpuRaster);
    }
}

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.note_adapter(frame);
        ConsoleApp::ui(self, ui);
    }

    fn clear_color(&self, _visuals: &egui::Visuals) -> [f32; 4] {
        self.theme.clear_colour()
    }
}

impl ConsoleApp {
    /// Adapts to a software renderer once its adapter is known (the same picture, cheaper).
    pub fn note_adapter(&mut self, frame: &eframe::Frame) {
        let cpu = frame
            .wgpu_render_state()
            .is_some_and(|rs| rs.adapter.get_info().device_type == eframe::wgpu::DeviceType::Cpu);
        self.set_renderer(if cpu {
            Renderer::SoftwareDriver
        } else {
            Renderer::Gpu
        });
    }

    /// Who draws the window: on the CPU the panels leave their fill to the clear colour and the
    /// moving dashes step slower (the same picture, cheaper).
    pub fn set_renderer(&mut self, renderer: Renderer) {
        if renderer != self.renderer {
            self.renderer = renderer;
            self.theme_dirty = true;
            self.overview.set_renderer(renderer);
        }
    }

    /// The window is drawn on the CPU.
    pub fn software_renderer(&self) -> bool {
        self.renderer != Renderer::Gpu
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod layering {
    /// The views know the backend only through the client and the state (the crates keep
    /// client and state free of egui; this keeps the UI free of the backend, which the console
    /// crate links only to embed it).
    #[test]
    fn no_view_reaches_into_the_backend() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
        let mut stack = vec![root];
        let mut offenders = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    if text.contains(concat!("crate::", "backend"))
                        || text.contains(concat!("tianshu_", "backend"))
                    {
                        offenders.push(path.display().to_string());
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "the UI imports the backend: {offenders:?}"
        );
    }
}
