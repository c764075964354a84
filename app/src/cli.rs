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
    #[command(flatten)]
    pub sim: SimArgs,
}

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// URL of a running backend (http:// or https://); omit to start the embedded one.
    #[arg(long, value_name = "URL")]
    pub backend: Option<String>,
    /// File holding the bearer token for --backend (else the TIANSHU_TOKEN variable).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// View to open on.
    #[arg(long, value_enum, default_value_t = View::Overview)]
    pub view: View,
    /// Save a PNG of the window once the first data is drawn, then exit.
    #[arg(long, value_name = "FILE.png")]
    pub screenshot: Option<PathBuf>,
    /// Seconds to wait for data before --screenshot gives up (it then exits with an error).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub screenshot_timeout: u64,
    /// Interface language: en or zh-CN.
    #[arg(long, default_value = "en", value_name = "LANG")]
    pub lang: String,
    /// Theme: noc-dark, office-light, high-contrast, or a path to a theme .toml.
    #[arg(long, default_value = "noc-dark", value_name = "NAME|FILE")]
    pub theme: String,
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
        assert_eq!(cli.console.view, View::Agents);
        assert!(Cli::try_parse_from(["tianshu", "--view", "nowhere"]).is_err());
    }
}
