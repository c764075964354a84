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
    if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read token file {}", path.display()))?;
        let token = text.trim().to_owned();
        if token.is_empty() {
            bail!("token file {} is empty", path.display());
        }
        return Ok(Some(token));
    }
    Ok(std::env::var("TIANSHU_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty()))
}

pub fn run_console(args: ConsoleArgs) -> anyhow::Result<()> {
    let lang = Lang::parse(&args.lang)
        .with_context(|| format!("--lang {:?}: choose en or zh-CN", args.lang))?;
    let theme = Theme::load(&args.theme).context("--theme")?;
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
    let view = args.view;
    let tiles = match &args.tiles {
        Some(url) => Some(crate::ui::tiles::TileConfig::parse(url, &args.tiles_attribution).context("--tiles")?),
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
    if args.fullscreen {
        viewport = viewport.with_fullscreen(true);
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    let handle = runtime.handle().clone();
    eframe::run_native(
        "tianshu",
        options,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            let ctx = cc.egui_ctx.clone();
            let wake: client::Waker = Arc::new(move || ctx.request_repaint());
            let client = client::spawn(&handle, api, wake);
            let state = State::new(client.base_url.clone());
            let mut app = ConsoleApp::new(state, lang, theme, view, client.commands, client.events);
            if let Some(tiles) = tiles {
                app = app.with_tiles(tiles);
            }
            if let Some(job) = screenshot {
                app = app.with_screenshot(job);
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))?;

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
    let tokens = match &args.users {
        Some(path) => backend::auth::TokenTable::load(path)?,
        None => {
            tracing::warn!("no --users file: every caller acts as the local operator");
            backend::auth::TokenTable::default()
        }
    };
    let db = if args.memory {
        None
    } else {
        Some(match &args.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        })
    };
    let config = BackendConfig {
        listen: args.listen,
        db: db.clone(),
        sim: sim_config(&args.sim)?,
        speed: args.sim.speed,
        tokens,
        ..BackendConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let running = backend::start(config).await?;
        println!(
            "tianshu backend on {} (store: {})",
            running.base_url(),
            db.map_or("memory".into(), |p| p.display().to_string())
        );
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        running.shutdown().await;
        Ok(())
    })
}

fn default_db_path() -> anyhow::Result<std::path::PathBuf> {
    let dirs = directories::ProjectDirs::from("cn", "tianshu", "tianshu")
        .context("no home directory to keep the database in; pass --db FILE")?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir.join("backend.sqlite"))
}
