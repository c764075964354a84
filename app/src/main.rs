//! `tianshu`: the console, or with `serve` the reference backend alone.

use clap::Parser as _;
use tianshu::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,wgpu=warn,naga=warn,eframe=warn,egui_wgpu=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Serve(args)) => tianshu::console::run_serve(args),
        Some(Command::Bench(args)) => tianshu::bench::run_bench(args),
        Some(Command::Report(args)) => tianshu::report::run_report(args),
        None => tianshu::console::run_console(cli.console),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tianshu: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
