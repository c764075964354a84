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
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format (csv; png and pdf are not done yet).
    #[arg(long, value_enum, default_value_t = ReportFormat::Csv)]
    pub format: ReportFormat,
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

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Frame size in logical points.
    #[arg(long, default_value = "3840x2160", value_name = "WxH")]
    pub size: String,
    /// Frames timed per view.
    #[arg(long, default_value_t = 300)]
    pub frames: usize,
    /// Real milliseconds between simulation steps of the embedded backend (sets the event rate).
    #[arg(long, default_value_t = 5)]
    pub tick_ms: u64,
    /// Also write the results as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Tessellate the basemap on the CPU (as with glow) instead of emitting GPU paint callbacks.
    #[arg(long)]
    pub cpu_shapes: bool,
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
    /// Keep the token given by --token-file or TIANSHU_TOKEN for later runs, in a file only you
    /// can read (0600) in your config folder.
    #[arg(long)]
    pub remember_token: bool,
    /// Delete the remembered token, then go on.
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
    /// Draw an XYZ tile basemap under the overview, e.g. your approved map server:
    /// `https://tiles.example/{z}/{x}/{y}.png` (the shipped offline basemap stays the default).
    #[arg(long, value_name = "URL")]
    pub tiles: Option<String>,
    /// Attribution text shown on the map for --tiles.
    #[arg(long, default_value = "", value_name = "TEXT")]
    pub tiles_attribution: String,
    /// Open full screen (wall displays).
    #[arg(long)]
    pub fullscreen: bool,
    #[command(flatten)]
    pub sim: SimArgs,
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
    /// SQLite file for actions, decisions and the audit trail (created if missing).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Keep decisions in memory only (lost at exit).
    #[arg(long, conflicts_with = "db")]
    pub memory: bool,
    /// TOML file of users: [[user]] name, role (viewer|regulator|operator|factory_manager|admin),
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
    /// Requests per second each token may make (bursts of 4×); beyond, 429. 0 turns it off.
    #[arg(long, default_value_t = 50.0, value_name = "N")]
    pub rate_limit: f64,
    #[command(flatten)]
    pub sim: SimArgs,
}

/// `1600x900` → (1600, 900).
pub fn parse_size(text: &str) -> Option<(f32, f32)> {
    let (w, h) = text.split_once(['x', 'X'])?;
    let (w, h) = (w.trim().parse::<f32>().ok()?, h.trim().parse::<f32>().ok()?);
    ((320.0..=16384.0).contains(&w) && (240.0..=16384.0).contains(&h)).then_some((w, h))
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
