//! `tianshu report`: the scorecard of the plans' targets written without a window, from the
//! embedded backend's simulator run headless (for scheduled reports). The rules are
//! `crate::review`'s, the same the console's review draws.

use std::io::Write as _;

use anyhow::{Context as _, bail};

use crate::api::review;
use crate::backend::sim::Simulator;
use crate::cli::{ReportArgs, ReportFormat};
use crate::i18n::Lang;

/// Simulated seconds per step while running `--days` forward (one sample a day is kept).
const STEP_S: f64 = 3_600.0;

pub fn run_report(args: ReportArgs) -> anyhow::Result<()> {
    let lang = Lang::parse(&args.lang)
        .with_context(|| format!("--lang {:?}: choose en or zh-CN", args.lang))?;
    if args.days > 3_650 {
        bail!("--days must be at most 3650, not {}", args.days);
    }
    if args.provinces && args.format != ReportFormat::Csv {
        bail!("--provinces is for --format csv; the PNG and PDF always show the provinces");
    }
    check_out(&args.out)?;
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
    let provinces = review::provinces(&progress, as_of);
    if args.provinces {
        return write_provinces(&args, &progress, &provinces, lang, at);
    }
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
        ReportFormat::Png | ReportFormat::Pdf => {
            let format = if args.format == ReportFormat::Png {
                crate::scorecard_doc::Format::Png
            } else {
                crate::scorecard_doc::Format::Pdf
            };
            let started = std::time::Instant::now();
            let doc = crate::scorecard_doc::Scorecard {
                rows: &rows,
                provinces: &provinces,
                provinces_own_history: review::provinces_have_history(&progress),
                lang,
                as_of: at,
                simulated: true,
                simulated_parts: "",
            };
            let bytes = crate::scorecard_doc::render(&doc, format)?;
            let drawn_ms = started.elapsed().as_millis();
            if args.out.as_os_str() == "-" {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(&bytes)
                    .context("cannot write to standard output")?;
                stdout.flush().context("cannot write to standard output")?;
            } else {
                write_file(&args.out, &bytes)?;
                eprintln!(
                    "tianshu: wrote the scorecard of {} targets and {} provinces (simulated data, \
                     as of {}) as {} ({} bytes, drawn in {drawn_ms} ms) to {}",
                    rows.len(),
                    provinces.len(),
                    review::day_of(at)
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    format.extension().to_uppercase(),
                    bytes.len(),
                    args.out.display()
                );
            }
        }
    }
    Ok(())
}

/// `--provinces`: the enterprise target by province as CSV.
fn write_provinces(
    args: &ReportArgs,
    progress: &crate::api::Progress,
    provinces: &[review::ProvinceRow],
    lang: Lang,
    at: crate::api::UnixMs,
) -> anyhow::Result<()> {
    if provinces.is_empty() {
        bail!("the simulated world reports no enterprises by province");
    }
    let deadline = progress
        .targets
        .iter()
        .find(|t| t.id == review::ENTERPRISE_TARGET)
        .map(|t| t.deadline.clone())
        .unwrap_or_default();
    let i18n = crate::i18n::I18n::new(lang);
    let name = |code: &str| crate::ui::province_name(code, &i18n);
    if args.out.as_os_str() == "-" {
        let stdout = std::io::stdout();
        review::write_provinces_csv(provinces, name, &deadline, at, true, stdout.lock())?;
        return Ok(());
    }
    let mut bytes = Vec::new();
    review::write_provinces_csv(provinces, name, &deadline, at, true, &mut bytes)?;
    write_file(&args.out, &bytes)?;
    eprintln!(
        "tianshu: wrote {} provinces (simulated data, as of {}) to {}",
        provinces.len(),
        review::day_of(at)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        args.out.display()
    );
    Ok(())
}

/// Refuses an output path that cannot be written before the simulator runs: a missing folder,
/// a folder given as the file.
fn check_out(out: &std::path::Path) -> anyhow::Result<()> {
    if out.as_os_str() == "-" {
        return Ok(());
    }
    if out.is_dir() {
        bail!("--out {} is a folder; give a file name", out.display());
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if !parent.is_dir() {
        bail!(
            "--out {}: the folder {} does not exist",
            out.display(),
            parent.display()
        );
    }
    Ok(())
}

/// Writes beside and renames over: a failed run never leaves half a report.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}", path.display())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use clap::Parser as _;

    use crate::cli::{Cli, Command};

    fn report(args: &[&str]) -> anyhow::Result<()> {
        let mut all = vec!["tianshu", "report", "--factories", "3000"];
        all.extend_from_slice(args);
        let Some(Command::Report(args)) = Cli::try_parse_from(all).unwrap().command else {
            panic!("not a report command");
        };
        super::run_report(args)
    }

    /// Provinces with enterprises in the test world (3,000 factories leave one out; the default
    /// world has all 31), from the same simulator the report runs.
    fn world_provinces() -> usize {
        let Some(Command::Report(args)) =
            Cli::try_parse_from(["tianshu", "report", "--factories", "3000", "--out", "-"])
                .unwrap()
                .command
        else {
            panic!("not a report command");
        };
        let sim =
            crate::backend::sim::Simulator::new(crate::console::sim_config(&args.sim).unwrap())
                .unwrap();
        let n = sim.progress().enterprises_by_province.len();
        assert!((28..=31).contains(&n), "{n} provinces");
        n
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tianshu-report-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Decodes a PNG: (width, height, distinct colours, share of pixels unlike the corner's).
    fn look(path: &std::path::Path) -> (u32, u32, usize, f64) {
        let img = image::load_from_memory_with_format(
            &std::fs::read(path).unwrap(),
            image::ImageFormat::Png,
        )
        .unwrap()
        .to_rgba8();
        let corner = *img.get_pixel(0, 0);
        let colours: std::collections::HashSet<[u8; 4]> = img.pixels().map(|p| p.0).collect();
        let inked = img.pixels().filter(|p| **p != corner).count();
        let share = inked as f64 / (img.width() * img.height()) as f64;
        (img.width(), img.height(), colours.len(), share)
    }

    #[test]
    fn png_reports_in_english_and_chinese_are_drawn() {
        let dir = scratch("png");
        let en = dir.join("en.png");
        let zh = dir.join("zh.png");
        let started = std::time::Instant::now();
        report(&["--format", "png", "--out", en.to_str().unwrap()]).unwrap();
        eprintln!("png report (en) in {:?}", started.elapsed());
        report(&[
            "--format",
            "png",
            "--lang",
            "zh-CN",
            "--out",
            zh.to_str().unwrap(),
        ])
        .unwrap();
        let provinces = world_provinces();
        for path in [&en, &zh] {
            let (w, h, colours, inked) = look(path);
            assert_eq!(w, crate::scorecard_doc::WIDTH);
            // Ten targets in the default world (a header, ten rows and the rule), then the
            // section of the enterprise target by province, one row per province.
            assert_eq!(
                h,
                crate::scorecard_doc::height(10)
                    + crate::scorecard_doc::provinces_height(provinces),
                "{}",
                path.display()
            );
            assert!(colours > 50, "{colours} colours in {}", path.display());
            assert!(
                inked > 0.03 && inked < 0.6,
                "{inked} inked in {}",
                path.display()
            );
        }
        assert_ne!(std::fs::read(&en).unwrap(), std::fs::read(&zh).unwrap());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_pdf_report_is_two_pages_with_its_font_embedded() {
        let dir = scratch("pdf");
        let out = dir.join("scorecard.pdf");
        report(&[
            "--format",
            "pdf",
            "--lang",
            "zh-CN",
            "--out",
            out.to_str().unwrap(),
        ])
        .unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/FontFile"), "no embedded font program");
        assert!(text.contains("NotoSansCJK"), "not the shipped font");
        // The targets, then the provinces.
        assert!(text.contains("/Count 2"), "not two pages");
        let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
        assert_eq!(pages, 2);
        assert!(!dir.join("scorecard.part").exists());
        let _ = std::fs::remove_dir_all(dir);
    }

    fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = csv::Reader::from_path(path).unwrap();
        let head = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        (head, rows)
    }

    #[test]
    fn csv_provinces_has_one_row_per_province_worst_first() {
        let dir = scratch("provinces");
        let out = dir.join("provinces.csv");
        let targets = dir.join("targets.csv");
        report(&[
            "--provinces",
            "--lang",
            "zh-CN",
            "--days",
            "30",
            "--out",
            out.to_str().unwrap(),
        ])
        .unwrap();
        report(&["--days", "30", "--out", targets.to_str().unwrap()]).unwrap();
        let (head, rows) = read_csv(&out);
        assert_eq!(
            head,
            [
                "province",
                "name",
                "actual",
                "target",
                "deadline",
                "projection",
                "status",
                "as_of",
                "simulated"
            ]
        );
        assert_eq!(rows.len(), world_provinces(), "one row per province");
        let codes: std::collections::HashSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(codes.len(), rows.len());
        assert!(codes.iter().all(|c| c.starts_with("CN-")), "{codes:?}");
        assert!(codes.contains("CN-GD") && codes.contains("CN-BJ"));
        let rank = |s: &str| match s {
            "on_track" => 0,
            "at_risk" => 1,
            "off_track" => 2,
            other => panic!("status {other:?}"),
        };
        let ranks: Vec<i32> = rows.iter().map(|r| rank(&r[6])).collect();
        assert!(
            ranks.windows(2).all(|w| w[0] >= w[1]),
            "not worst first: {ranks:?}"
        );
        let gd = rows.iter().find(|r| r[0] == "CN-GD").unwrap();
        assert_eq!(gd[1], "广东");
        assert_eq!(gd[4], "2028");
        assert_eq!(gd[8], "true");
        // The province targets share out the national one; the actuals add up to the nation's.
        let sum = |col: usize| -> f64 { rows.iter().map(|r| r[col].parse::<f64>().unwrap()).sum() };
        assert!((sum(3) - 50_000.0).abs() < 1.0, "{}", sum(3));
        let (_, national) = read_csv(&targets);
        assert_eq!(
            national.len(),
            10,
            "the default CSV stays one row per target"
        );
        let enterprises = national
            .iter()
            .find(|r| r[0] == crate::api::review::ENTERPRISE_TARGET)
            .unwrap();
        assert!((sum(2) - enterprises[2].parse::<f64>().unwrap()).abs() < 1.0);
        assert_eq!(rows[0][7], enterprises[8], "the same as_of");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn provinces_is_refused_for_png_and_pdf() {
        let dir = scratch("provinces-png");
        let err = report(&[
            "--provinces",
            "--format",
            "png",
            "--out",
            dir.join("x.png").to_str().unwrap(),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("--provinces is for --format csv"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_bad_out_path_is_refused_clearly_before_any_work() {
        let dir = scratch("bad");
        let missing = dir.join("no-such-folder").join("x.png");
        let err = report(&["--format", "png", "--out", missing.to_str().unwrap()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not exist"), "{err}");
        let err = report(&["--format", "pdf", "--out", dir.to_str().unwrap()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a folder"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
