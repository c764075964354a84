//! `tianshu serve --config FILE`: the backend's settings for a NOC deployment in one TOML file,
//! under the command line's flags (a flag given on the command line always wins).
//!
//! ```toml
//! listen = "0.0.0.0:8443"
//! db = "/var/lib/tianshu/backend.sqlite"   # or: memory = true, or "postgres://user@host/db"
//! users = "/etc/tianshu/users.toml"
//! rate_limit = 50.0
//! world = "/etc/tianshu/world"              # --world
//! sources = "/etc/tianshu/sources.toml"     # --sources
//!
//! [tls]
//! cert = "/etc/tianshu/tls/fullchain.pem"
//! key = "/etc/tianshu/tls/privkey.pem"
//!
//! [simulator]
//! enabled = true        # the reference backend's data is its simulator: false is refused
//! seed = 42
//! speed = 60.0
//! factories = 60000
//! ```
//!
//! Relative paths are taken from the config file's folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::CommandFactory as _;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::cli::{Cli, ServeArgs};

/// Largest config file read (a config is a few hundred bytes).
const MAX_CONFIG_BYTES: u64 = 1 << 20;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeFile {
    pub listen: Option<SocketAddr>,
    pub db: Option<PathBuf>,
    pub memory: Option<bool>,
    pub users: Option<PathBuf>,
    pub rate_limit: Option<f64>,
    pub tls: Option<TlsSection>,
    pub simulator: Option<SimulatorSection>,
    pub latency: Option<LatencySection>,
    /// The world directory (`--world`), relative to the config file.
    pub world: Option<PathBuf>,
    /// The sources file (`--sources`), relative to the config file.
    pub sources: Option<PathBuf>,
}

/// `[latency]`: where metro latency comes from (see `backend::prometheus`).
///
/// ```toml
/// [latency]
/// source = "prometheus"            # or "simulator" (the default)
/// url = "http://prometheus:9090"
/// query = 'avg by (metro, lat, lon) (probe_icmp_duration_seconds{phase="rtt"})'
/// interval_s = 15
/// probe_radius_km = 5.0
/// labels = ["metro", "lat", "lon"]  # metro, latitude, longitude label names
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencySection {
    pub source: Option<crate::cli::LatencySourceArg>,
    pub url: Option<String>,
    pub query: Option<String>,
    pub interval_s: Option<f64>,
    pub probe_radius_km: Option<f64>,
    pub labels: Option<[String; 3]>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatorSection {
    pub enabled: Option<bool>,
    pub seed: Option<u64>,
    pub speed: Option<f64>,
    pub start: Option<String>,
    pub factories: Option<u32>,
}

impl ServeFile {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let file: Self = toml::from_str(text)?;
        if file.memory == Some(true) && file.db.is_some() {
            bail!("`db` and `memory = true` cannot both be set");
        }
        if file.simulator.as_ref().and_then(|s| s.enabled) == Some(false) {
            bail!(
                "`[simulator] enabled = false` is not supported: the reference backend's data \
                 comes from its simulator. To serve real data, implement API v1 in your own \
                 backend (see docs/ARCHITECTURE.md) and point the consoles at it with --backend"
            );
        }
        Ok(file)
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let meta = std::fs::metadata(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        if meta.len() > MAX_CONFIG_BYTES {
            bail!(
                "config file {} is {} bytes; at most {MAX_CONFIG_BYTES} are read",
                path.display(),
                meta.len()
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("config file {}", path.display()))
    }
}

/// `args` with the file's values for every setting the command line did not give.
/// `given(id)` says whether the clap argument `id` came from the command line.
pub fn merge(
    mut args: ServeArgs,
    file: ServeFile,
    base: &Path,
    given: &dyn Fn(&str) -> bool,
) -> ServeArgs {
    let path = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
    if let Some(listen) = file.listen.filter(|_| !given("listen")) {
        args.listen = listen;
    }
    // `--db` and `--memory` on the command line each override both file keys.
    if !given("db") && !given("memory") {
        if file.memory == Some(true) {
            args.memory = true;
            args.db = None;
        } else if let Some(db) = file.db {
            // A PostgreSQL URL is not a path under the config's folder.
            let url = db.to_str().is_some_and(crate::backend::pg::is_url);
            args.db = Some(if url { db } else { path(db) });
        }
    }
    if let Some(world) = file.world.filter(|_| !given("world")) {
        args.world = Some(path(world));
    }
    if let Some(sources) = file.sources.filter(|_| !given("sources")) {
        args.sources = Some(path(sources));
    }
    if let Some(users) = file.users.filter(|_| !given("users")) {
        args.users = Some(path(users));
    }
    if let Some(limit) = file.rate_limit.filter(|_| !given("rate_limit")) {
        args.rate_limit = limit;
    }
    if let Some(tls) = file.tls.filter(|_| !given("tls_cert") && !given("tls_key")) {
        args.tls_cert = Some(path(tls.cert));
        args.tls_key = Some(path(tls.key));
    }
    if let Some(latency) = file.latency {
        let l = &mut args.latency;
        if let Some(source) = latency.source.filter(|_| !given("latency_source")) {
            l.latency_source = source;
        }
        if let Some(url) = latency.url.filter(|_| !given("prometheus_url")) {
            l.prometheus_url = Some(url);
        }
        if let Some(query) = latency.query.filter(|_| !given("prometheus_query")) {
            l.prometheus_query = Some(query);
        }
        if let Some(s) = latency.interval_s.filter(|_| !given("prometheus_interval")) {
            // Out-of-range values are refused later by the source's own check.
            l.prometheus_interval =
                std::time::Duration::try_from_secs_f64(s).unwrap_or(std::time::Duration::ZERO);
        }
        if let Some(km) = latency
            .probe_radius_km
            .filter(|_| !given("probe_radius_km"))
        {
            l.probe_radius_km = km;
        }
        if let Some(labels) = latency.labels.filter(|_| !given("prometheus_labels")) {
            l.prometheus_labels = labels.join(",");
        }
    }
    if let Some(sim) = file.simulator {
        if let Some(seed) = sim.seed.filter(|_| !given("seed")) {
            args.sim.seed = seed;
        }
        if let Some(speed) = sim.speed.filter(|_| !given("speed")) {
            args.sim.speed = speed;
        }
        if let Some(start) = sim.start.filter(|_| !given("sim_start")) {
            args.sim.sim_start = Some(start);
        }
        if let Some(factories) = sim.factories.filter(|_| !given("factories")) {
            args.sim.factories = factories;
        }
    }
    args
}

/// Applies `args.config` (if any), telling the flags given on this process's command line from
/// clap's defaults.
pub fn apply(args: ServeArgs) -> anyhow::Result<ServeArgs> {
    apply_with_argv(args, std::env::args_os())
}

pub fn apply_with_argv<I, T>(args: ServeArgs, argv: I) -> anyhow::Result<ServeArgs>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let Some(config) = args.config.clone() else {
        return Ok(args);
    };
    let file = ServeFile::load(&config)?;
    let matches = Cli::command()
        .try_get_matches_from(argv)
        .context("cannot re-read the command line")?;
    let serve = matches.subcommand_matches("serve");
    let given = |id: &str| {
        serve.is_some_and(|m| {
            m.try_contains_id(id).unwrap_or(false)
                && m.value_source(id) == Some(ValueSource::CommandLine)
        })
    };
    let base = config
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok(merge(args, file, &base, &given))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn serve_args(argv: &[&str]) -> ServeArgs {
        match Cli::try_parse_from(argv).expect("parses").command {
            Some(crate::cli::Command::Serve(args)) => args,
            other => panic!("not serve: {other:?}"),
        }
    }

    const FILE: &str = r#"
listen = "0.0.0.0:9443"
db = "state/backend.sqlite"
users = "/etc/tianshu/users.toml"
rate_limit = 20.0

[tls]
cert = "tls/cert.pem"
key = "tls/key.pem"

[simulator]
enabled = true
seed = 7
factories = 1000
"#;

    #[test]
    fn file_fills_what_the_command_line_does_not_give() {
        let dir = std::env::temp_dir().join(format!("tianshu-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("serve.toml");
        std::fs::write(&path, FILE).expect("write");
        let p = path.to_str().expect("utf-8");

        let argv = ["tianshu", "serve", "--config", p];
        let args = apply_with_argv(serve_args(&argv), argv).expect("applies");
        assert_eq!(args.listen, "0.0.0.0:9443".parse().expect("addr"));
        assert_eq!(args.db, Some(dir.join("state/backend.sqlite")));
        assert_eq!(args.users, Some(PathBuf::from("/etc/tianshu/users.toml")));
        assert_eq!(args.rate_limit, 20.0);
        assert_eq!(args.tls_cert, Some(dir.join("tls/cert.pem")));
        assert_eq!(args.tls_key, Some(dir.join("tls/key.pem")));
        assert_eq!(args.sim.seed, 7);
        assert_eq!(args.sim.factories, 1000);
        assert_eq!(
            args.sim.speed, 60.0,
            "not in the file: clap's default stays"
        );

        // Flags given on the command line win, even when equal to clap's default.
        let argv = [
            "tianshu",
            "serve",
            "--config",
            p,
            "--listen",
            "127.0.0.1:8080",
            "--memory",
            "--seed",
            "9",
            "--rate-limit",
            "50",
        ];
        let args = apply_with_argv(serve_args(&argv), argv).expect("applies");
        assert_eq!(args.listen, "127.0.0.1:8080".parse().expect("addr"));
        assert!(args.memory);
        assert_eq!(args.db, None);
        assert_eq!(args.sim.seed, 9);
        assert_eq!(args.rate_limit, 50.0);
        assert_eq!(args.sim.factories, 1000);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let e = ServeFile::parse("[simulator]\nenabled = false\n").expect_err("refused");
        assert!(e.to_string().contains("not supported"), "{e}");
        let e = ServeFile::parse("listen = \"nowhere\"\n").expect_err("refused");
        assert!(e.to_string().contains("listen"), "{e}");
        let e = ServeFile::parse("lisen = \"0.0.0.0:1\"\n").expect_err("refused");
        assert!(e.to_string().contains("unknown field"), "{e}");
        let e = ServeFile::parse("db = \"x.sqlite\"\nmemory = true\n").expect_err("refused");
        assert!(e.to_string().contains("cannot both"), "{e}");
        assert!(
            ServeFile::parse("").is_ok(),
            "an empty file is all defaults"
        );
        let e = ServeFile::load(Path::new("/nonexistent/tianshu.toml")).expect_err("refused");
        assert!(e.to_string().contains("/nonexistent/tianshu.toml"), "{e}");
    }

    #[test]
    fn a_postgres_url_is_kept_as_given() {
        let file =
            ServeFile::parse("db = \"postgres://noc@db.example:5432/tianshu\"\n").expect("parses");
        let argv = ["tianshu", "serve"];
        let args = merge(serve_args(&argv), file, Path::new("/etc/tianshu"), &|_| {
            false
        });
        assert_eq!(
            args.db,
            Some(PathBuf::from("postgres://noc@db.example:5432/tianshu"))
        );
    }

    #[test]
    fn latency_section_chooses_prometheus_and_flags_still_win() {
        let file = ServeFile::parse(
            "[latency]\nsource = \"prometheus\"\nurl = \"http://prom:9090\"\n\
             query = 'max by (metro, lat, lon) (rtt_seconds)'\ninterval_s = 30\n\
             probe_radius_km = 3.0\nlabels = [\"city\", \"y\", \"x\"]\n",
        )
        .expect("parses");
        let argv = ["tianshu", "serve", "--prometheus-interval", "5s"];
        let given = |id: &str| id == "prometheus_interval";
        let args = merge(serve_args(&argv), file, Path::new("/etc/tianshu"), &given);
        let p = args
            .latency
            .prometheus()
            .expect("valid")
            .expect("prometheus");
        assert_eq!(p.url, "http://prom:9090");
        assert_eq!(p.query, "max by (metro, lat, lon) (rtt_seconds)");
        assert_eq!(p.interval, std::time::Duration::from_secs(5));
        assert_eq!(p.probe_radius_km, 3.0);
        assert_eq!(p.labels.metro, "city");
        assert_eq!(p.labels.lon, "x");
        let e = ServeFile::parse("[latency]\nsource = \"carrier-pigeon\"\n").expect_err("refused");
        assert!(e.to_string().contains("source"), "{e}");
        // Prometheus without a URL, or a URL without Prometheus, is refused with a reason.
        let argv = ["tianshu", "serve", "--latency-source", "prometheus"];
        let e = serve_args(&argv).latency.prometheus().expect_err("refused");
        assert!(e.contains("--prometheus-url"), "{e}");
        let argv = ["tianshu", "serve", "--prometheus-url", "http://p:9090"];
        assert!(serve_args(&argv).latency.prometheus().is_err());
        let argv = [
            "tianshu",
            "serve",
            "--latency-source",
            "prometheus",
            "--prometheus-url",
            "ftp://p:9090",
        ];
        assert!(serve_args(&argv).latency.prometheus().is_err());
        assert!(
            serve_args(&["tianshu", "serve"])
                .latency
                .prometheus()
                .expect("ok")
                .is_none()
        );
        assert_eq!(
            crate::cli::parse_interval("500ms"),
            Ok(std::time::Duration::from_millis(500))
        );
        assert!(crate::cli::parse_interval("-3s").is_err());
        assert!(crate::cli::parse_interval("3 fortnights").is_err());
    }

    #[test]
    fn without_config_nothing_changes() {
        let argv = ["tianshu", "serve", "--listen", "127.0.0.1:1234"];
        let args = apply_with_argv(serve_args(&argv), argv).expect("applies");
        assert_eq!(args.listen.port(), 1234);
    }
}
