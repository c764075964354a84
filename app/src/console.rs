//! Starting the console: a tokio runtime on its own threads for the client (and the embedded
//! backend when no `--backend` is given), then the eframe window on this thread.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::backend::{self, BackendConfig};
use crate::cli::{ConsoleArgs, SimArgs, parse_size};
use crate::client::{self, ApiClient};
use crate::i18n::Lang;
use crate::state::State;
use crate::ui::screenshot::{ScreenshotOutcome, ScreenshotStatus};
use crate::ui::{ConsoleApp, ScreenshotJob, fonts, theme::Theme};

/// Messages from the client arriving this close together are drawn in one frame.
pub const WAKE_COALESCE: Duration = Duration::from_millis(2);

/// The client's wake-up call: one frame soon after a message arrives. A non-zero delay makes egui
/// draw one frame per wake-up (`request_repaint` with no delay draws two) and folds the events of
/// one simulation step, which arrive within a millisecond or two, into that frame.
pub fn ui_waker(ctx: &egui::Context) -> client::Waker {
    let ctx = ctx.clone();
    Arc::new(move || ctx.request_repaint_after(WAKE_COALESCE))
}

/// Builds the simulator configuration from the command line.
pub fn sim_config(args: &SimArgs) -> anyhow::Result<backend::sim::SimConfig> {
    let start = match &args.sim_start {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .with_context(|| {
                format!("--sim-start {text:?} is not an RFC 3339 time such as 2026-11-01T00:00:00Z")
            })?
            .timestamp_millis(),
        None => {
            let now = chrono::Utc::now().timestamp_millis();
            now - now.rem_euclid(60_000)
        }
    };
    if !(args.speed.is_finite() && args.speed > 0.0 && args.speed <= 1_000_000.0) {
        bail!(
            "--speed must be between 0 and 1,000,000 simulated seconds per second, not {}",
            args.speed
        );
    }
    if !(1..=500_000).contains(&args.factories) {
        bail!(
            "--factories must be between 1 and 500,000, not {}",
            args.factories
        );
    }
    Ok(backend::sim::SimConfig {
        seed: args.seed,
        start,
        factory_count: args.factories,
    })
}

fn read_token(args: &ConsoleArgs) -> anyhow::Result<Option<String>> {
    use crate::client::token_store;
    if args.forget_token {
        let store = token_store::Store::standard()?;
        let gone = store.forget()?;
        if let Some(why) = &gone.keyring_error {
            tracing::warn!("could not ask the OS keyring to forget the token: {why}");
        }
        tracing::info!(
            "forgot the remembered token (OS keyring: {}, file {}: {})",
            if gone.keyring {
                "removed"
            } else {
                "none there"
            },
            store.file().display(),
            if gone.file { "removed" } else { "none there" },
        );
    }
    let given = if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read token file {}", path.display()))?;
        let token = text.trim().to_owned();
        if token.is_empty() {
            bail!("token file {} is empty", path.display());
        }
        Some(token)
    } else {
        std::env::var("TIANSHU_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
    };
    if args.remember_token {
        let Some(token) = &given else {
            bail!("--remember-token needs a token from --token-file or TIANSHU_TOKEN");
        };
        let kept = token_store::Store::standard()?.remember(token)?;
        if let Some(why) = &kept.keyring_error {
            tracing::warn!("no OS keyring answered ({why}); using the file instead");
        }
        if kept.keyring_may_hold {
            tracing::warn!(
                "the OS keyring may still store the token after all (it was given up, not \
                 refused): it may hold a second copy; --forget-token removes both"
            );
        }
        tracing::info!("token remembered in {}", kept.place);
    }
    if given.is_some() || args.backend.is_none() {
        return Ok(given);
    }
    let Ok(store) = token_store::Store::standard() else {
        return Ok(None);
    };
    let found = store.recall()?;
    if let Some(why) = &found.keyring_error {
        tracing::info!("no OS keyring answered ({why}); looked in the token file");
    }
    if let Some(place) = &found.place {
        tracing::info!("using the token remembered in {place}");
    }
    Ok(found.token)
}

pub fn run_console(mut args: ConsoleArgs) -> anyhow::Result<()> {
    let (settings, config_path, mut warnings) = console_settings(&args)?;
    if args.backend.is_none() {
        args.backend = settings.backend.clone();
    }
    let lang = settings.language;
    // A broken theme file: the default theme, and a notice naming its file, line and key.
    let (theme, theme_warning) = Theme::load_or_default(&settings.theme).context("--theme")?;
    warnings.extend(theme_warning);
    let (width, height) = parse_size(&args.size)
        .with_context(|| format!("--size {:?}: give WIDTHxHEIGHT, e.g. 1600x900", args.size))?;
    let token = read_token(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tianshu-io")
        .enable_all()
        .build()
        .context("cannot start the I/O runtime")?;

    let (base_url, _embedded) = match &args.backend {
        Some(url) => (url.clone(), None),
        None => {
            let config = BackendConfig {
                sim: sim_config(&args.sim)?,
                speed: args.sim.speed,
                replay_capacity: backend::events::EMBEDDED_REPLAY_CAPACITY,
                ..BackendConfig::default()
            };
            let running = runtime
                .block_on(backend::start(config))
                .context("cannot start the embedded backend")?;
            (running.base_url(), Some(running))
        }
    };
    let api = ApiClient::new(&base_url, token.as_deref())?;

    let screenshot_status = ScreenshotStatus::default();
    let view = crate::settings::parse_view(&settings.view).unwrap_or_default();
    let tiles = match &args.tiles {
        Some(url) => Some(
            crate::ui::tiles::TileConfig::parse(url, &args.tiles_attribution).context("--tiles")?,
        ),
        None => None,
    };
    let screenshot = args.screenshot.clone().map(|path| {
        ScreenshotJob::new(
            path,
            Duration::from_secs(args.screenshot_timeout),
            screenshot_status.clone(),
        )
    });
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Tianshu 天枢")
        .with_inner_size([width, height])
        .with_min_inner_size([800.0, 500.0]);
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let fullscreen_flag = args.fullscreen;
    if args.fullscreen || settings.profile == crate::settings::Profile::Wall {
        viewport = viewport.with_fullscreen(true);
    }
    if let (crate::settings::Profile::Wall, Some(monitor)) =
        (settings.profile, settings.wall.monitor)
    {
        viewport = viewport.with_monitor(monitor);
    }
    let handle = runtime.handle().clone();
    // Wall screens of their own open more windows, which only the wgpu path does.
    let more_windows = !settings.wall.screens.is_empty();
    // Everything the console needs once its window's egui context exists.
    let make_app = move |ctx: &egui::Context| {
        fonts::install(ctx);
        let client = client::spawn(&handle, api, ui_waker(ctx));
        let state = State::new(client.base_url.clone());
        let mut app = ConsoleApp::new(state, lang, theme, view, client.commands, client.events)
            .with_settings(settings, config_path, warnings)
            .with_fullscreen_flag(fullscreen_flag);
        if let Some(tiles) = tiles {
            app = app.with_tiles(tiles);
        }
        if let Some(job) = screenshot {
            app = app.with_screenshot(job);
        }
        app
    };
    let (software, why) = if more_windows && args.renderer == crate::cli::RendererChoice::Auto {
        (
            false,
            "[[wall.screens]] open windows of their own, which only wgpu draws".to_owned(),
        )
    } else {
        crate::software_window::wants_software(args.renderer)
    };
    if software && more_windows {
        tracing::warn!(
            "--renderer software draws one window: the [[wall.screens]] pages show inside it"
        );
    }
    if software {
        tracing::info!("drawing the window on the CPU ({why})");
    } else {
        tracing::info!("drawing the window with wgpu ({why})");
    }
    crate::window::run("tianshu", viewport, software, move |ctx| Ok(make_app(ctx)))?;

    if args.screenshot.is_some() {
        match screenshot_status.get() {
            ScreenshotOutcome::Saved => {}
            ScreenshotOutcome::Failed => {
                bail!("the screenshot was not taken with data on screen (see the log)")
            }
            ScreenshotOutcome::Pending => {
                bail!("the window closed before the screenshot was taken")
            }
        }
    }
    runtime.shutdown_timeout(Duration::from_secs(2));
    Ok(())
}

pub fn run_serve(args: crate::cli::ServeArgs) -> anyhow::Result<()> {
    let args = crate::serve_config::apply(args)?;
    let tokens = match &args.users {
        Some(path) => backend::auth::TokenTable::load(path)?,
        None => {
            tracing::warn!("no --users file: every caller acts as the local operator");
            backend::auth::TokenTable::default()
        }
    };
    // `--db postgres://…`: a store shared by several replicas (backend::pg).
    let postgres = args
        .db
        .as_ref()
        .and_then(|p| p.to_str())
        .filter(|text| backend::pg::is_url(text))
        .map(str::to_owned);
    if postgres.is_some() && args.memory {
        anyhow::bail!(
            "--memory keeps everything in this process, --db names a shared PostgreSQL store: \
             choose one"
        );
    }
    if postgres.is_some() && args.paused {
        anyhow::bail!(
            "--paused is not supported with a shared PostgreSQL store (--db postgres://…): \
             replicas share actions, so one cannot stand still alone"
        );
    }
    let db = if args.memory || postgres.is_some() {
        None
    } else {
        Some(match &args.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        })
    };
    let store_label = match (&postgres, &db) {
        (Some(url), _) => backend::pg::describe_url(url),
        (None, Some(path)) => path.display().to_string(),
        (None, None) => "memory".into(),
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(backend::tls::TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ => None,
    };
    if !(args.rate_limit.is_finite() && args.rate_limit >= 0.0) {
        bail!("--rate-limit must be 0 (off) or a positive number of requests per second");
    }
    let rate_limit = if args.rate_limit == 0.0 {
        backend::guard::RateLimit::off()
    } else {
        backend::guard::RateLimit::per_second(args.rate_limit)
    };
    let sources = match &args.sources {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the sources file {}", path.display()))?;
            backend::sources::prometheus::parse_sources_toml(&text)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("sources file {}", path.display()))?
        }
        None => backend::sources::prometheus::SourcesFile::default(),
    };
    // `--push-stale-after` on the command line wins over the file's `[push] stale_after_s`.
    let push_stale_given = std::env::args_os().any(|a| {
        a.to_str()
            .is_some_and(|a| a == "--push-stale-after" || a.starts_with("--push-stale-after="))
    });
    let push_stale_after = match sources.push_stale_after {
        Some(d) if !push_stale_given => d,
        _ => args.push_stale_after,
    };
    let config = BackendConfig {
        listen: args.listen,
        db,
        postgres,
        tls,
        rate_limit,
        sim: sim_config(&args.sim)?,
        speed: args.sim.speed,
        paused: args.paused,
        tokens,
        // `--latency-source prometheus` on the command line wins over the file's `[latency]`.
        latency: args
            .latency
            .prometheus()
            .map_err(anyhow::Error::msg)?
            .or(sources.latency),
        world: args.world.clone(),
        push_stale_after,
        sources: sources.prometheus,
        ..BackendConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let running = backend::start(config).await?;
        if running.tls {
            tracing::info!("serving HTTPS");
        }
        println!(
            "tianshu backend on {} (store: {store_label})",
            running.base_url(),
        );
        shutdown_signal().await?;
        running.shutdown().await;
        Ok(())
    })
}

/// The window's icon: the packaged Big Dipper mark (packaging/icons), compiled in.
fn window_icon() -> Option<egui::IconData> {
    const PNG: &[u8] = include_bytes!("../../packaging/icons/tianshu-128.png");
    let image = image::load_from_memory(PNG)
        .inspect_err(|e| tracing::warn!("window icon: {e}"))
        .ok()?
        .to_rgba8();
    Some(egui::IconData {
        width: image.width(),
        height: image.height(),
        rgba: image.into_raw(),
    })
}

/// Ctrl-C, or SIGTERM (what systemd and `docker stop` send): either stops `serve` cleanly.
async fn shutdown_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
            _ = term.recv() => tracing::info!("SIGTERM: stopping"),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    Ok(())
}

fn default_db_path() -> anyhow::Result<std::path::PathBuf> {
    let dirs = directories::ProjectDirs::from("cn", "tianshu", "tianshu")
        .context("no home directory to keep the database in; pass --db FILE")?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir.join("backend.sqlite"))
}

/// The settings file (`--config`, else the platform's config folder) under the command line's
/// flags, where "Save" writes, and the warnings to show (a broken file: the defaults are used).
fn console_settings(
    args: &ConsoleArgs,
) -> anyhow::Result<(
    crate::settings::Settings,
    Option<std::path::PathBuf>,
    Vec<String>,
)> {
    use crate::settings::{Overrides, Profile, Settings};
    let path = args.config.clone().or_else(crate::settings::default_path);
    let (file, warning) = match &path {
        Some(p) => Settings::load_or_default(p),
        None => (Settings::default(), None),
    };
    let language = match &args.lang {
        Some(text) => Some(
            Lang::parse(text).with_context(|| format!("--lang {text:?}: choose en or zh-CN"))?,
        ),
        None => None,
    };
    let settings = file.merged(&Overrides {
        language,
        theme: args.theme.clone(),
        profile: args.profile,
        factory: args.factory,
        backend: args.backend.clone(),
        view: args.view,
    });
    if settings.profile == Profile::Factory && settings.factory.is_none() {
        bail!(
            "--profile factory needs the plant: --factory ID (or factory = ID in the settings file)"
        );
    }
    Ok((settings, path, warning.into_iter().collect()))
}
