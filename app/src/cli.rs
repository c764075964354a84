//! The command line: `tianshu [console options]` or `tianshu serve [backend options]`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::ui::View;

#[derive(Debug, Parser)]
#[command(
    name = "tianshu",
    version,
    about = "Tianshu 天枢 — operations console for AI × industrial networks",
    long_about = "Opens the console. Without --backend it starts the embedded reference backend \
                  (simulated data) on 127.0.0.1 and connects to it over HTTP like any remote one."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub console: ConsoleArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the reference backend alone, headless, for many consoles.
    Serve(ServeArgs),
    /// Time the CPU side of every view's frames (headless, no window or GPU needed).
    Bench(BenchArgs),
    /// Write the scorecard of the plans' targets without opening a window (scheduled reports).
    Report(ReportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Csv,
    /// The scorecard drawn as an image (1400 px wide): the targets, then the provinces.
    Png,
    /// The scorecard as a PDF (text as text, font embedded): a page for the targets, one for the
    /// provinces.
    Pdf,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format: csv (one row per target), png or pdf (the scorecard drawn, with the
    /// enterprise target by province).
    #[arg(long, value_enum, default_value_t = ReportFormat::Csv)]
    pub format: ReportFormat,
    /// CSV of the enterprise target by province instead: one row per province (code, name,
    /// actual, target share, deadline, projection, status), worst first.
    #[arg(long)]
    pub provinces: bool,
    /// File to write; `-` for standard output.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The day to review (YYYY-MM-DD, Beijing); default: the latest.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Language of the target names: en or zh-CN.
    #[arg(long, default_value = "en", value_name = "LANG")]
    pub lang: String,
    /// Simulated days to run before reporting (the embedded simulator, headless).
    #[arg(long, default_value_t = 0, value_name = "DAYS")]
    pub days: u32,
    #[command(flatten)]
    pub sim: SimArgs,
}

#[derive(Debug, Args, Clone)]
pub struct BenchArgs {
    /// Frame size in logical points.
    #[arg(long, default_value = "3840x2160", value_name = "WxH")]
    pub size: String,
    /// Frames timed per view.
    #[arg(long, default_value_t = 300)]
    pub frames: usize,
    /// Real milliseconds between simulation steps of the embedded backend (sets the event rate;
    /// default 1 — about 1,000 events/s — for the frame bench, 100 for --soak).
    #[arg(long)]
    pub tick_ms: Option<u64>,
    /// Soak instead of timing frames: run the console's state and client against the embedded
    /// backend for SECONDS, sampling the process's resident memory (`VmRSS`).
    #[arg(long, value_name = "SECONDS")]
    pub soak: Option<u64>,
    /// Seconds between memory samples of --soak.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub sample_every: u64,
    /// --soak against this running backend (`tianshu serve`) instead of the embedded one, so the
    /// console's memory is measured apart from the backend's.
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
    /// Seconds of --soak left out of the drift (buffers and caches filling up).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub warmup: u64,
    /// Flood instead of timing views: feed N events/s through the client's decoding and the
    /// state's reducers while frames are built; reports frame times and events applied per second.
    #[arg(long, value_name = "N")]
    pub events_rate: Option<u32>,
    /// Seconds the --events-rate flood lasts.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub duration: u64,
    /// Time only this view, without the latency measurements (the overview and factories maps get
    /// the pan/zoom sweep).
    #[arg(long, value_enum)]
    pub view: Option<View>,
    /// Write every plant's position (the simulator's, same seed) as JSON to FILE and exit
    /// (for the peer comparison, scripts/peer-compare.sh).
    #[arg(long, value_name = "FILE")]
    pub export_points: Option<PathBuf>,
    /// Also write the results as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Tessellate the basemap on the CPU (as with glow) instead of emitting GPU paint callbacks.
    #[arg(long)]
    pub cpu_shapes: bool,
    /// Time the real-world sources instead of frames: loading an enterprise registry of
    /// --enterprises rows, `serve --world` memory, push throughput and sample → console latency.
    #[arg(long)]
    pub sources: bool,
    /// Time the real window instead (eframe + wgpu on whatever adapter there is; under Xvfb
    /// here): every view's frames end to end, the animated overview, an idle view.
    #[arg(long)]
    pub window: bool,
    /// With --window: the embedded backend never steps (no data events), so the idle phase
    /// shows what an unchanging console costs (0 frames expected).
    #[arg(long, requires = "window")]
    pub paused: bool,
    /// With --window: which renderer draws the window (see `tianshu --renderer`).
    #[arg(long, value_enum, default_value_t = RendererChoice::Auto, requires = "window")]
    pub renderer: RendererChoice,
    /// Rows of the registry --sources loads.
    #[arg(long, default_value_t = 100_000, value_name = "N")]
    pub enterprises: u32,
    #[command(flatten)]
    pub sim: SimArgs,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// URL of a running backend (http:// or https://); omit to start the embedded one.
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
    /// File holding the bearer token for --backend (else the TIANSHU_TOKEN variable, else the
    /// token remembered with --remember-token).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Keep the token given by --token-file or TIANSHU_TOKEN for later runs: in the OS keyring
    /// where one answers, else in a file only you can read (0600) in your config folder.
    #[arg(long)]
    pub remember_token: bool,
    /// Delete the remembered token (keyring and file), then go on.
    #[arg(long, conflicts_with = "remember_token")]
    pub forget_token: bool,
    /// View to open on (default: the settings file's, else overview).
    #[arg(long, value_enum)]
    pub view: Option<View>,
    /// Who the console is for: operator (every view), wall (full screen, playlist, large type),
    /// review (the scorecard of the plans' targets), factory (one plant, with --factory).
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<crate::settings::Profile>,
    /// The plant of --profile factory.
    #[arg(long, value_name = "ID")]
    pub factory: Option<u32>,
    /// Settings file (default: config.toml in the platform's config folder,
    /// e.g. ~/.config/tianshu/config.toml). Flags override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Save a PNG of the window once the first data is drawn, then exit.
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// Seconds to wait for data before --screenshot gives up (it then exits with an error).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub screenshot_timeout: u64,
    /// Interface language: en or zh-CN (default: the settings file's, else en).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Theme: noc-dark, office-light, high-contrast, or a path to a theme .toml (default: the
    /// settings file's, else noc-dark).
    #[arg(long, value_name = "NAME|FILE")]
    pub theme: Option<String>,
    /// Window size in logical points, e.g. 1600x900.
    #[arg(long, default_value = "1600x900", value_name = "WxH")]
    pub size: String,
    /// Draw your own basemap under the overview: an XYZ tile server,
    /// `https://tiles.example/{z}/{x}/{y}.png`, or a local PMTiles or MBTiles file of raster
    /// (PNG/JPEG) tiles, `approved-map.pmtiles` / `approved-map.mbtiles` (the shipped offline
    /// basemap stays the default).
    #[arg(long, value_name = "URL|FILE.pmtiles|FILE.mbtiles")]
    pub tiles: Option<String>,
    /// Attribution text shown on the map for --tiles.
    #[arg(long, default_value = "", value_name = "TEXT")]
    pub tiles_attribution: String,
    /// Open full screen (wall displays).
    #[arg(long)]
    pub fullscreen: bool,
    /// Who draws the window: `gpu` (wgpu), `software` (Tianshu's CPU renderer), or `auto` —
    /// the GPU when wgpu finds a real one, the CPU renderer when its only adapter is a CPU
    /// (a software Vulkan/GL driver) or none.
    #[arg(long, value_enum, default_value_t = RendererChoice::Auto, env = "TIANSHU_RENDERER")]
    pub renderer: RendererChoice,
    #[command(flatten)]
    pub sim: SimArgs,
}

/// Who draws the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RendererChoice {
    /// The GPU when there is one, else the CPU renderer.
    Auto,
    /// wgpu through eframe, whatever its adapter.
    Gpu,
    /// Tianshu's CPU renderer (tianshu-raster + softbuffer).
    Software,
}

/// Simulator settings (used by `serve` and by the embedded backend).
#[derive(Debug, Args, Clone)]
pub struct SimArgs {
    /// Seed of the simulator: the same seed gives the same world.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Simulated seconds per real second.
    #[arg(long, default_value_t = 60.0)]
    pub speed: f64,
    /// Simulated start time (RFC 3339, e.g. 2026-11-01T00:00:00Z); default: now.
    #[arg(long, value_name = "TIME")]
    pub sim_start: Option<String>,
    /// Enterprises simulated.
    #[arg(long, default_value_t = 60_000)]
    pub factories: u32,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML file of these settings (listen, db, memory, users, rate_limit, [tls] cert/key,
    /// [simulator] seed/speed/factories); flags given on the command line override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// SQLite file for actions, decisions and the audit trail (created if missing), or
    /// postgres://user[:password]@host[:port]/database: a store shared by several replicas.
    #[arg(long, value_name = "FILE|URL")]
    pub db: Option<PathBuf>,
    /// Keep decisions in memory only (lost at exit).
    #[arg(long, conflicts_with = "db")]
    pub memory: bool,
    /// TOML file of users: [[user]] name, role (viewer|regulator|operator|factory_manager|admin|agent|source),
    /// token_sha256, factories (factory managers). Without it every caller is a local operator
    /// (fine on 127.0.0.1, not on a network). `--tokens` (the older [[token]] file) also works.
    #[arg(long, visible_alias = "tokens", value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Serve HTTPS with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Never step the simulation: the data stays as it started and no event is published (the
    /// event stream carries only keep-alives). For measuring an idle console.
    #[arg(long)]
    pub paused: bool,
    /// Requests per second each token may make (bursts of 4×); beyond, 429. 0 turns it off.
    #[arg(long, default_value_t = 50.0, value_name = "N")]
    pub rate_limit: f64,
    /// The operator's inventory: a directory of hubs.geojson, clusters.geojson, links.geojson,
    /// metros.csv|geojson, sites.csv|geojson, enterprises.csv (see examples/world/README.md).
    /// Parts it lacks come from the simulator. Watched: changes are loaded while serving.
    #[arg(long, value_name = "DIR")]
    pub world: Option<PathBuf>,
    /// sources.toml: Prometheus queries per metric and push settings (see examples/sources.toml)
    #[arg(long, value_name = "FILE")]
    pub sources: Option<PathBuf>,
    /// A push source (role `source`) silent for longer than this goes stale, e.g. 300s or 5m.
    #[arg(long, default_value = "300s", value_name = "DURATION", value_parser = parse_push_stale)]
    pub push_stale_after: std::time::Duration,
    #[command(flatten)]
    pub sim: SimArgs,
    #[command(flatten)]
    pub latency: LatencyArgs,
}

/// Where `serve` takes metro latency from (issue 10: bring your own data).
#[derive(Debug, Args, Clone)]
pub struct LatencyArgs {
    /// `simulator` (the reference model) or `prometheus` (probes read from --prometheus-url).
    #[arg(long, value_enum, default_value_t = LatencySourceArg::Simulator)]
    pub latency_source: LatencySourceArg,
    /// Prometheus base URL, e.g. http://prometheus:9090.
    #[arg(long, value_name = "URL")]
    pub prometheus_url: Option<String>,
    /// PromQL instant query giving one series per probe, labelled with its metro (id, English or
    /// Chinese name) and position (lat, lon), value = RTT in seconds. Default:
    /// avg by (metro, lat, lon) (probe_icmp_duration_seconds{phase="rtt"})
    #[arg(long, value_name = "PROMQL")]
    pub prometheus_query: Option<String>,
    /// Time between queries, e.g. 15s, 500ms, 1m (1 s to 1 h).
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = parse_interval)]
    pub prometheus_interval: std::time::Duration,
    /// A grid cell takes the RTT of its nearest probe within this many km; farther: no data.
    #[arg(long, value_name = "KM", default_value_t = 5.0)]
    pub probe_radius_km: f64,
    /// Names of the labels carrying a probe's metro, latitude and longitude.
    #[arg(long, value_name = "METRO,LAT,LON", default_value = "metro,lat,lon")]
    pub prometheus_labels: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencySourceArg {
    Simulator,
    Prometheus,
}

impl LatencyArgs {
    /// The Prometheus source these flags ask for (`None`: the simulator), or why they cannot work.
    pub fn prometheus(
        &self,
    ) -> Result<Option<crate::backend::prometheus::PrometheusConfig>, String> {
        use crate::backend::prometheus::{PrometheusConfig, parse::ProbeLabels};
        if self.latency_source == LatencySourceArg::Simulator {
            if self.prometheus_url.is_some() || self.prometheus_query.is_some() {
                return Err(
                    "--prometheus-url and --prometheus-query need --latency-source prometheus"
                        .into(),
                );
            }
            return Ok(None);
        }
        let url = self.prometheus_url.clone().ok_or(
            "--latency-source prometheus needs --prometheus-url (e.g. http://localhost:9090)",
        )?;
        let labels: Vec<&str> = self.prometheus_labels.split(',').map(str::trim).collect();
        let [metro, lat, lon] = labels[..] else {
            return Err(format!(
                "--prometheus-labels takes three names, METRO,LAT,LON, not {:?}",
                self.prometheus_labels
            ));
        };
        let mut config = PrometheusConfig::new(url);
        if let Some(q) = &self.prometheus_query {
            config.query = q.clone();
        }
        config.interval = self.prometheus_interval;
        config.probe_radius_km = self.probe_radius_km;
        config.labels = ProbeLabels {
            metro: metro.into(),
            lat: lat.into(),
            lon: lon.into(),
        };
        config.validate().map_err(|e| e.to_string())?;
        Ok(Some(config))
    }
}

/// `15s`, `500ms`, `2m`, `1h` or plain seconds → a duration.
pub fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 15s, 500ms or 2m"))?;
    let seconds = match unit.trim() {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        other => return Err(format!("unknown unit {other:?} in {text:?} (ms, s, m, h)")),
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
        return Err(format!(
            "{text:?} is not a positive duration of at most a day"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// `1600x900` → (1600, 900).
pub fn parse_size(text: &str) -> Option<(f32, f32)> {
    let (w, h) = text.split_once(['x', 'X'])?;
    let (w, h) = (w.trim().parse::<f32>().ok()?, h.trim().parse::<f32>().ok()?);
    ((320.0..=16384.0).contains(&w) && (240.0..=16384.0).contains(&h)).then_some((w, h))
}

/// `--push-stale-after`: 1 s to 1 day, written `90s`, `5m` or `1h`.
fn parse_push_stale(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 90s, 5m or 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("{text:?}: the unit must be s, m or h")),
    };
    if !(1..=86_400).contains(&secs) {
        return Err(format!("{text:?} must be from 1 s to 1 day"));
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1600x900"), Some((1600.0, 900.0)));
        assert_eq!(parse_size("10x10"), None);
        assert_eq!(parse_size("wide"), None);
    }

    #[test]
    fn serve_and_console_parse() {
        let cli = Cli::try_parse_from([
            "tianshu",
            "serve",
            "--listen",
            "0.0.0.0:9000",
            "--seed",
            "7",
        ])
        .expect("parses");
        assert!(matches!(cli.command, Some(Command::Serve(ref s)) if s.sim.seed == 7));
        let cli = Cli::try_parse_from(["tianshu", "--view", "agents", "--screenshot", "x.png"])
            .expect("parses");
        assert_eq!(cli.console.view, Some(View::Agents));
        let cli = Cli::try_parse_from(["tianshu", "--profile", "factory", "--factory", "12"])
            .expect("parses");
        assert_eq!(cli.console.profile, Some(crate::settings::Profile::Factory));
        assert_eq!(cli.console.factory, Some(12));
        let cli = Cli::try_parse_from(["tianshu", "report", "--format", "csv", "--out", "x.csv"])
            .expect("parses");
        assert!(matches!(cli.command, Some(Command::Report(_))));
        assert!(Cli::try_parse_from(["tianshu", "--view", "nowhere"]).is_err());
    }
}
