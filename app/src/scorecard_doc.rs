//! The scorecard as a document (issue 7): drawn once as SVG — title, "as of" date, the
//! SIMULATED label, one row per target with actual, target, deadline, projection, a status chip
//! and a trend sparkline, the rule underneath — then rasterised by resvg (PNG) or converted by
//! svg2pdf (PDF, the font embedded as a subset). Text is set in the shipped Noto Sans CJK SC
//! subset only (no system font is looked up), so English and Chinese reports look the same on
//! any machine, with or without a display or GPU. Colours are the `office-light` theme's (paper).
//!
//! Pure: rows in, bytes out. `tianshu report --format png|pdf` and the review view's export use it.

use std::fmt::Write as _;
use std::sync::Arc;

use resvg::tiny_skia;
use resvg::usvg;

use crate::api::UnixMs;
use crate::i18n::{I18n, Lang};
use crate::review::{Row, Status};
use crate::ui::theme::Theme;

/// Page width in CSS pixels (PNG pixels; PDF points at 72 dpi).
pub const WIDTH: u32 = 1400;
const MARGIN: f32 = 40.0;
const HEADER_H: f32 = 150.0;
const ROW_H: f32 = 64.0;
const FOOTER_H: f32 = 90.0;
/// Columns: name, actual, trend, target, deadline, projection, status.
const COL_X: [f32; 7] = [40.0, 470.0, 640.0, 830.0, 990.0, 1080.0, 1220.0];
const NAME_W: f32 = 410.0;
const SPARK_W: f32 = 160.0;
const SPARK_H: f32 = 34.0;
const FONT_SIZE: f32 = 17.0;

#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("the scorecard drawing is not valid SVG: {0}")]
    Svg(String),
    #[error("the scorecard is too large to draw ({0} px high)")]
    TooLarge(u32),
    #[error("cannot encode the PNG: {0}")]
    Png(String),
    #[error("cannot make the PDF: {0}")]
    Pdf(String),
    #[error("the office-light theme is missing: {0}")]
    Theme(String),
}

/// Page height for `rows` targets.
pub fn height(rows: usize) -> u32 {
    (HEADER_H + ROW_H * rows as f32 + FOOTER_H).ceil() as u32
}

fn hex(c: egui::Color32) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r(), c.g(), c.b())
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Rough advance of `c` in ems (CJK full width, Latin about half).
fn advance(c: char) -> f32 {
    if c as u32 >= 0x2E80 {
        1.0
    } else if c.is_ascii_uppercase() || c == 'm' || c == 'w' {
        0.68
    } else {
        0.52
    }
}

/// Greedy wrap into at most `max_lines` lines of `width` px (Latin at spaces, CJK anywhere);
/// the last line ends in "…" when the text does not fit.
fn wrap(text: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut w = 0.0;
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c == ' ' || c as u32 >= 0x2E80 {
            if !word.is_empty() {
                tokens.push(std::mem::take(&mut word));
            }
            tokens.push(c.to_string());
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    for token in tokens {
        let tw: f32 = token.chars().map(advance).sum::<f32>() * size;
        if w + tw > width && !line.trim().is_empty() {
            lines.push(line.trim_end().to_owned());
            line = String::new();
            w = 0.0;
            if token == " " {
                continue;
            }
        }
        line.push_str(&token);
        w += tw;
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

/// A target's value as the review view shows it.
fn value_text(lang: Lang, unit: &str, value: f64) -> String {
    match unit {
        "percent" => format!("{value:.1} %"),
        "count" => crate::i18n::count_in(lang, value.max(0.0).round()),
        _ => format!("{value:.2}"),
    }
}

fn status_colour(theme: &Theme, status: Status) -> egui::Color32 {
    match status {
        Status::OnTrack => theme.ok,
        Status::AtRisk => theme.warn,
        Status::OffTrack => theme.danger,
    }
}

fn text(out: &mut String, x: f32, y: f32, size: f32, fill: &str, body: &str) {
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" fill="{fill}">{}</text>"#,
        esc(body)
    );
}

fn sparkline(out: &mut String, x: f32, y: f32, values: &[f32], colour: &str) {
    let finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.len() < 2 {
        return;
    }
    let (lo, hi) = finite
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let span = if hi - lo > f32::EPSILON { hi - lo } else { 1.0 };
    let step = SPARK_W / (finite.len() - 1) as f32;
    let mut points = String::new();
    for (i, v) in finite.iter().enumerate() {
        let px = x + i as f32 * step;
        let py = y + SPARK_H - (v - lo) / span * SPARK_H;
        let _ = write!(points, "{px:.1},{py:.1} ");
    }
    let _ = writeln!(
        out,
        r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>"#,
        points.trim_end()
    );
}

/// The scorecard as an SVG document (`WIDTH` × `height(rows.len())`).
pub fn svg(rows: &[Row], lang: Lang, as_of: UnixMs, simulated: bool, theme: &Theme) -> String {
    let i18n = I18n::new(lang);
    let h = height(rows.len());
    let bg = hex(theme.background);
    let fg = hex(theme.text);
    let dim = hex(theme.text_dim);
    let stripe = hex(theme.panel_alt);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{h}" viewBox="0 0 {WIDTH} {h}">"#
    );
    let _ = writeln!(
        out,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{h}" fill="{bg}"/>"#
    );
    text(&mut out, MARGIN, 58.0, 30.0, &fg, &i18n.tr("review-title"));
    let as_of_text = i18n.tr_args("review-as-of", &[("date", i18n.date(as_of).into())]);
    text(&mut out, MARGIN, 96.0, 19.0, &fg, &as_of_text);
    if simulated {
        let label = i18n.tr("simulated-badge");
        let w = label.chars().map(advance).sum::<f32>() * 15.0 + 24.0;
        let x = WIDTH as f32 - MARGIN - w;
        let warn = hex(theme.warn);
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="36" width="{w:.1}" height="30" rx="6" fill="none" stroke="{warn}" stroke-width="2"/>"#
        );
        text(&mut out, x + 12.0, 57.0, 15.0, &warn, &label);
    }
    // Counts per status under the date.
    let mut cx = MARGIN;
    for status in [Status::OnTrack, Status::AtRisk, Status::OffTrack] {
        let n = rows.iter().filter(|r| r.status == status).count();
        let label = format!("{} {n}", i18n.tr(status.label_id()));
        text(
            &mut out,
            cx,
            118.0,
            16.0,
            &hex(status_colour(theme, status)),
            &label,
        );
        cx += label.chars().map(advance).sum::<f32>() * 16.0 + 28.0;
    }
    // Column heads.
    let heads = [
        "col-name",
        "progress-current",
        "review-trend",
        "progress-target",
        "progress-deadline",
        "review-projection",
        "review-status",
    ];
    for (k, (id, x)) in heads.iter().zip(COL_X).enumerate() {
        // A head longer than its column wraps upwards onto a second line.
        let width = COL_X
            .get(k + 1)
            .map_or(WIDTH as f32 - MARGIN, |next| next - 12.0)
            - x;
        let lines = wrap(&i18n.tr(id), 14.0, width, 2);
        let n = lines.len() as f32;
        for (j, line) in lines.iter().enumerate() {
            let y = HEADER_H - 6.0 - (n - 1.0 - j as f32) * 17.0;
            text(&mut out, x, y, 14.0, &dim, line);
        }
    }
    let _ = writeln!(
        out,
        r#"<line x1="{MARGIN}" y1="{HEADER_H}" x2="{}" y2="{HEADER_H}" stroke="{dim}" stroke-width="1"/>"#,
        WIDTH as f32 - MARGIN
    );
    for (i, row) in rows.iter().enumerate() {
        let top = HEADER_H + i as f32 * ROW_H;
        if i % 2 == 1 {
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{top}" width="{}" height="{ROW_H}" fill="{stripe}"/>"#,
                MARGIN - 10.0,
                WIDTH as f32 - 2.0 * MARGIN + 20.0
            );
        }
        let colour = hex(status_colour(theme, row.status));
        let mid = top + ROW_H / 2.0;
        let lines = wrap(row.name(lang), FONT_SIZE, NAME_W, 2);
        let first = mid + 6.0 - (lines.len() as f32 - 1.0) * 10.0;
        for (k, line) in lines.iter().enumerate() {
            text(
                &mut out,
                COL_X[0],
                first + k as f32 * 21.0,
                FONT_SIZE,
                &fg,
                line,
            );
        }
        text(
            &mut out,
            COL_X[1],
            mid + 8.0,
            22.0,
            &fg,
            &value_text(lang, &row.unit, row.actual),
        );
        sparkline(&mut out, COL_X[2], mid - SPARK_H / 2.0, &row.trend, &colour);
        let op = if row.lower_is_better { "≤" } else { "≥" };
        let target = format!("{op} {}", value_text(lang, &row.unit, row.target));
        text(&mut out, COL_X[3], mid + 6.0, FONT_SIZE, &fg, &target);
        text(&mut out, COL_X[4], mid + 6.0, FONT_SIZE, &fg, &row.deadline);
        let projection = row
            .projection
            .map_or_else(|| "—".into(), |p| value_text(lang, &row.unit, p));
        text(&mut out, COL_X[5], mid + 6.0, FONT_SIZE, &fg, &projection);
        let label = i18n.tr(row.status.label_id());
        let w = label.chars().map(advance).sum::<f32>() * 16.0 + 20.0;
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{}" width="{w:.1}" height="30" rx="15" fill="{colour}" fill-opacity="0.14" stroke="{colour}" stroke-width="1.5"/>"#,
            COL_X[6],
            mid - 15.0
        );
        text(&mut out, COL_X[6] + 10.0, mid + 6.0, 16.0, &colour, &label);
    }
    let foot = HEADER_H + rows.len() as f32 * ROW_H;
    let _ = writeln!(
        out,
        r#"<line x1="{MARGIN}" y1="{foot}" x2="{}" y2="{foot}" stroke="{dim}" stroke-width="1"/>"#,
        WIDTH as f32 - MARGIN
    );
    let rule = wrap(
        &i18n.tr("review-rule"),
        14.0,
        WIDTH as f32 - 2.0 * MARGIN,
        2,
    );
    for (k, line) in rule.iter().enumerate() {
        text(
            &mut out,
            MARGIN,
            foot + 30.0 + k as f32 * 20.0,
            14.0,
            &dim,
            line,
        );
    }
    if simulated {
        text(
            &mut out,
            MARGIN,
            foot + 74.0,
            13.0,
            &dim,
            &i18n.tr("simulated-hint"),
        );
    }
    out.push_str("</svg>\n");
    out
}

/// usvg options whose only font is the shipped CJK subset (no system font lookup).
fn options() -> usvg::Options<'static> {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(crate::ui::fonts::CJK_FONT.to_vec());
    let family = db
        .faces()
        .next()
        .and_then(|f| f.families.first().map(|(name, _)| name.clone()))
        .unwrap_or_else(|| "Noto Sans CJK SC".to_owned());
    let mut options = usvg::Options {
        font_family: family,
        ..usvg::Options::default()
    };
    options.fontdb = Arc::new(db);
    options
}

fn tree(svg: &str) -> Result<usvg::Tree, DocError> {
    usvg::Tree::from_str(svg, &options()).map_err(|e| DocError::Svg(e.to_string()))
}

/// The SVG as PNG, at its own size.
pub fn png(svg: &str) -> Result<Vec<u8>, DocError> {
    let tree = tree(svg)?;
    let size = tree.size().to_int_size();
    if size.height() > 20_000 {
        return Err(DocError::TooLarge(size.height()));
    }
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or(DocError::TooLarge(size.height()))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| DocError::Png(e.to_string()))
}

/// The SVG as a one-page PDF with its text as text (the font embedded as a subset).
pub fn pdf(svg: &str) -> Result<Vec<u8>, DocError> {
    let tree = tree(svg)?;
    svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| DocError::Pdf(e.to_string()))
}

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Pdf => "pdf",
        }
    }
}

/// The scorecard as PNG or PDF bytes, drawn in the `office-light` theme.
pub fn render(
    rows: &[Row],
    lang: Lang,
    as_of: UnixMs,
    simulated: bool,
    format: Format,
) -> Result<Vec<u8>, DocError> {
    let theme = Theme::built_in("office-light").map_err(|e| DocError::Theme(e.to_string()))?;
    let svg = svg(rows, lang, as_of, simulated, &theme);
    match format {
        Format::Png => png(&svg),
        Format::Pdf => pdf(&svg),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rows() -> Vec<Row> {
        [Status::OnTrack, Status::AtRisk, Status::OffTrack]
            .into_iter()
            .enumerate()
            .map(|(i, status)| Row {
                id: format!("t{i}"),
                name_en: format!("Metros with 1 ms computing access & more, target number {i}"),
                name_zh: format!("算力时延圈覆盖的城市 {i}"),
                unit: if i == 0 { "percent" } else { "count" }.into(),
                lower_is_better: false,
                actual: 40.0 + i as f64 * 1000.0,
                target: 75.0 + i as f64 * 50_000.0,
                deadline: "2028".into(),
                projection: (i != 2).then_some(80.0),
                status,
                trend: (0..30).map(|d| d as f32 * (i as f32 + 1.0)).collect(),
            })
            .collect()
    }

    #[test]
    fn long_names_wrap_into_two_lines_with_an_ellipsis() {
        let lines = wrap(&"word ".repeat(80), 17.0, 410.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        let zh = wrap(&"城".repeat(60), 17.0, 410.0, 2);
        assert_eq!(zh.len(), 2);
        assert_eq!(wrap("short", 17.0, 410.0, 2), vec!["short".to_owned()]);
    }

    #[test]
    fn the_svg_escapes_names_and_has_one_row_per_target() {
        let theme = Theme::built_in("office-light").unwrap();
        let svg = svg(&rows(), Lang::En, 1_790_000_000_000, true, &theme);
        assert!(svg.contains("&amp; more"));
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert!(svg.contains("SIMULATED"));
        assert!(tree(&svg).is_ok());
    }
}
