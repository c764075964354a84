//! `tianshu report`: the scorecard of the plans' targets written without a window, from the
//! embedded backend's simulator run headless (for scheduled reports). The rules are
//! `crate::review`'s, the same the console's review draws.

use std::io::Write as _;

use anyhow::{Context as _, bail};

use crate::backend::sim::Simulator;
use crate::cli::{ReportArgs, ReportFormat};
use crate::i18n::Lang;
use crate::review;

/// Simulated seconds per step while running `--days` forward (one sample a day is kept).
const STEP_S: f64 = 3_600.0;

pub fn run_report(args: ReportArgs) -> anyhow::Result<()> {
    let lang = Lang::parse(&args.lang)
        .with_context(|| format!("--lang {:?}: choose en or zh-CN", args.lang))?;
    if args.days > 3_650 {
        bail!("--days must be at most 3650, not {}", args.days);
    }
    let as_of = match &args.as_of {
        Some(text) => {
            let day = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .with_context(|| format!("--as-of {text:?} is not a date such as 2026-10-01"))?;
            Some(review::end_of_day_ms(day).context("--as-of is out of range")?)
        }
        None => None,
    };
    let mut sim = Simulator::new(crate::console::sim_config(&args.sim)?)
        .context("cannot start the simulator")?;
    for _ in 0..u64::from(args.days) * 24 {
        sim.step(STEP_S);
    }
    let progress = sim.progress();
    if let Some(t) = as_of
        && t > progress.sim_time
    {
        bail!(
            "--as-of is after the simulated now ({}); give an earlier day or more --days",
            review::day_of(progress.sim_time)
                .map(|d| d.to_string())
                .unwrap_or_default()
        );
    }
    let rows = review::scorecard(&progress, as_of);
    if rows.is_empty() {
        bail!(
            "no target has data on or before --as-of (the history starts {})",
            review::first_day(&progress)
                .map(|d| d.to_string())
                .unwrap_or_default()
        );
    }
    let at = as_of.unwrap_or(progress.sim_time);
    match args.format {
        ReportFormat::Csv => {
            if args.out.as_os_str() == "-" {
                let stdout = std::io::stdout();
                review::write_csv(&rows, lang, at, true, stdout.lock())?;
            } else {
                let file = std::fs::File::create(&args.out)
                    .with_context(|| format!("cannot create {}", args.out.display()))?;
                let mut out = std::io::BufWriter::new(file);
                review::write_csv(&rows, lang, at, true, &mut out)?;
                out.flush()
                    .with_context(|| format!("cannot write {}", args.out.display()))?;
                eprintln!(
                    "tianshu: wrote {} targets (simulated data, as of {}) to {}",
                    rows.len(),
                    review::day_of(at)
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    args.out.display()
                );
            }
        }
    }
    Ok(())
}
