//! The scorecard as a document (issue 7): drawn once as SVG — title, "as of" date, the
//! SIMULATED label, one row per target with actual, target, deadline, projection, a status chip
//! and a trend sparkline, the rule underneath — then rasterised by resvg (PNG) or converted by
//! svg2pdf (PDF, the font embedded as a subset). Text is set in the shipped Noto Sans CJK SC
//! subset only (no system font is looked up), so English and Chinese reports look the same on
//! any machine, with or without a display or GPU. Colours are the `office-light` theme's (paper).
//!
//! Pure: rows in, bytes out. `tianshu report --format png|pdf` and the review view's export use it.
//!
//! The page geometry and type scale stay here with the two page bodies that use them, so the
//! coordinates that must agree are in one place; `draw.rs` holds the SVG pieces they are built
//! from (text, wrapping, chips, sparklines, rules), `encode.rs` turns the SVG into PNG or PDF.

use std::fmt::Write as _;

use crate::api::UnixMs;
use crate::api::review::{ProvinceRow, Row};
use crate::i18n::{I18n, Lang};
use crate::ui::theme::Theme;

pub(crate) mod draw;
mod encode;

use draw::{
    chip, column_heads, count, hex, open_svg, page_head, rule, sparkline, status_colour,
    status_counts, stripe, text, value_text, wrap,
};
pub use encode::{pdf, png};

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
/// The province section: header (title, date, counts, note, heads), row height, footer.
const P_HEADER_H: f32 = 210.0;
const P_ROW_H: f32 = 36.0;
const P_FOOTER_H: f32 = 60.0;
const P_FONT_SIZE: f32 = 16.0;
/// Columns: province, upgraded now, share of the target, share reached (bar), projection, status.
const P_COL_X: [f32; 6] = [40.0, 300.0, 480.0, 660.0, 1010.0, 1190.0];
const BAR_W: f32 = 250.0;
const BAR_H: f32 = 14.0;

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

/// What the document shows: the national targets and, when the backend reports them, the
/// enterprise target by province (a second page in the PDF, a second section in the PNG).
#[derive(Debug, Clone, Copy)]
pub struct Scorecard<'a> {
    pub rows: &'a [Row],
    /// Worst first, as [`crate::api::review::provinces`] sorts them; empty: no province section.
    pub provinces: &'a [ProvinceRow],
    /// Whether the provinces were judged on their own history (else on the national trend).
    pub provinces_own_history: bool,
    pub lang: Lang,
    pub as_of: UnixMs,
    pub simulated: bool,
    /// What is still simulated, in the document's language (empty: everything, or nothing,
    /// as `simulated` says). With it the badge reads PARTLY SIMULATED and the foot names them.
    pub simulated_parts: &'a str,
}

/// Height of the province section for `n` provinces (0 when there are none).
pub fn provinces_height(n: usize) -> u32 {
    if n == 0 {
        return 0;
    }
    (P_HEADER_H + P_ROW_H * n as f32 + P_FOOTER_H).ceil() as u32
}

/// The national page's elements (`WIDTH` × `height(rows)`, origin at its top left).
fn national_body(out: &mut String, doc: &Scorecard, i18n: &I18n, theme: &Theme) {
    let lang = doc.lang;
    let rows = doc.rows;
    let fg = hex(theme.text);
    let dim = hex(theme.text_dim);
    let stripe_fill = hex(theme.panel_alt);
    page_head(out, doc, i18n, theme, "review-title");
    status_counts(out, 118.0, rows.iter().map(|r| r.status), i18n, theme);
    let heads: Vec<(&str, f32)> = crate::api::review::SCORECARD_COLUMNS
        .into_iter()
        .zip(COL_X)
        .collect();
    column_heads(out, &heads, HEADER_H, i18n, &dim);
    for (i, row) in rows.iter().enumerate() {
        let top = HEADER_H + i as f32 * ROW_H;
        if i % 2 == 1 {
            stripe(out, top, ROW_H, &stripe_fill);
        }
        let colour = hex(status_colour(theme, row.status));
        let mid = top + ROW_H / 2.0;
        let lines = wrap(row.name(lang), FONT_SIZE, NAME_W, 2);
        let first = mid + 6.0 - (lines.len() as f32 - 1.0) * 10.0;
        for (k, line) in lines.iter().enumerate() {
            text(out, COL_X[0], first + k as f32 * 21.0, FONT_SIZE, &fg, line);
        }
        text(
            out,
            COL_X[1],
            mid + 8.0,
            22.0,
            &fg,
            &value_text(lang, &row.unit, row.actual),
        );
        sparkline(out, COL_X[2], mid - SPARK_H / 2.0, &row.trend, &colour);
        let op = if row.lower_is_better { "≤" } else { "≥" };
        let target = format!("{op} {}", value_text(lang, &row.unit, row.target));
        text(out, COL_X[3], mid + 6.0, FONT_SIZE, &fg, &target);
        text(out, COL_X[4], mid + 6.0, FONT_SIZE, &fg, &row.deadline);
        let projection = row
            .projection
            .map_or_else(|| "—".into(), |p| value_text(lang, &row.unit, p));
        text(out, COL_X[5], mid + 6.0, FONT_SIZE, &fg, &projection);
        chip(out, COL_X[6], mid, 16.0, row.status, i18n, theme);
    }
    let foot = HEADER_H + rows.len() as f32 * ROW_H;
    rule(out, foot, &dim);
    let lines = wrap(
        &i18n.tr("review-rule"),
        14.0,
        WIDTH as f32 - 2.0 * MARGIN,
        2,
    );
    for (k, line) in lines.iter().enumerate() {
        text(out, MARGIN, foot + 30.0 + k as f32 * 20.0, 14.0, &dim, line);
    }
    if doc.simulated {
        text(
            out,
            MARGIN,
            foot + 74.0,
            13.0,
            &dim,
            &simulated_note(doc, i18n),
        );
    }
}

/// The province page's elements (`WIDTH` × `provinces_height(n)`, origin at its top left): the
/// enterprise target by province, worst first — name, upgraded now, its share of the target, a
/// bar of the share reached, the projection to the deadline and the status chip.
fn provinces_body(out: &mut String, doc: &Scorecard, i18n: &I18n, theme: &Theme) {
    let fg = hex(theme.text);
    let dim = hex(theme.text_dim);
    let stripe_fill = hex(theme.panel_alt);
    page_head(out, doc, i18n, theme, "review-provinces-title");
    status_counts(
        out,
        124.0,
        doc.provinces.iter().map(|r| r.status),
        i18n,
        theme,
    );
    let note = if doc.provinces_own_history {
        "review-provinces-note-own"
    } else {
        "review-provinces-note"
    };
    for (k, line) in wrap(&i18n.tr(note), 14.0, WIDTH as f32 - 2.0 * MARGIN, 2)
        .iter()
        .enumerate()
    {
        text(out, MARGIN, 150.0 + k as f32 * 19.0, 14.0, &dim, line);
    }
    let heads: Vec<(&str, f32)> = [
        "review-province",
        "progress-current",
        "review-province-target",
        "provreport-reached",
        "review-projection",
        "review-status",
    ]
    .into_iter()
    .zip(P_COL_X)
    .collect();
    column_heads(out, &heads, P_HEADER_H, i18n, &dim);
    for (i, r) in doc.provinces.iter().enumerate() {
        let top = P_HEADER_H + i as f32 * P_ROW_H;
        if i % 2 == 1 {
            stripe(out, top, P_ROW_H, &stripe_fill);
        }
        let mid = top + P_ROW_H / 2.0;
        let base = mid + P_FONT_SIZE * 0.37;
        let colour = hex(status_colour(theme, r.status));
        let name = crate::ui::province_name(&r.code, i18n);
        text(out, P_COL_X[0], base, P_FONT_SIZE, &fg, &name);
        text(
            out,
            P_COL_X[1],
            base,
            P_FONT_SIZE,
            &fg,
            &count(i18n, r.actual),
        );
        let target = format!("≥ {}", count(i18n, r.target));
        text(out, P_COL_X[2], base, P_FONT_SIZE, &fg, &target);
        // The share of the target reached: a bar (full at 100 %) and the percentage.
        let reached = if r.target > 0.0 && r.actual.is_finite() {
            r.actual / r.target
        } else {
            0.0
        };
        let fill = (reached.clamp(0.0, 1.0) as f32) * BAR_W;
        let bar_top = mid - BAR_H / 2.0;
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{bar_top}" width="{BAR_W}" height="{BAR_H}" fill="none" stroke="{dim}" stroke-width="1"/>"#,
            P_COL_X[3]
        );
        if fill > 0.0 {
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{bar_top}" width="{fill:.1}" height="{BAR_H}" fill="{colour}" fill-opacity="0.75"/>"#,
                P_COL_X[3]
            );
        }
        text(
            out,
            P_COL_X[3] + BAR_W + 10.0,
            base,
            P_FONT_SIZE,
            &fg,
            &format!("{:.0} %", (reached * 100.0).max(0.0)),
        );
        let projection = r.projection.map_or_else(|| "—".into(), |p| count(i18n, p));
        text(out, P_COL_X[4], base, P_FONT_SIZE, &fg, &projection);
        chip(out, P_COL_X[5], mid, 15.0, r.status, i18n, theme);
    }
    let foot = P_HEADER_H + doc.provinces.len() as f32 * P_ROW_H;
    rule(out, foot, &dim);
    if doc.simulated {
        text(
            out,
            MARGIN,
            foot + 32.0,
            13.0,
            &dim,
            &simulated_note(doc, i18n),
        );
    }
}

/// The foot's provenance line: everything simulated, or which parts still are.
fn simulated_note(doc: &Scorecard, i18n: &I18n) -> String {
    if doc.simulated_parts.is_empty() {
        i18n.tr("simulated-hint")
    } else {
        i18n.tr_args(
            "report-simulated-parts",
            &[("parts", doc.simulated_parts.to_owned().into())],
        )
    }
}

/// The whole scorecard as one SVG image (`WIDTH` × `height(rows) + provinces_height(provinces)`):
/// the national targets, then the provinces below them. The PNG is drawn from it.
pub fn svg(doc: &Scorecard, theme: &Theme) -> String {
    let i18n = I18n::new(doc.lang);
    let national_h = height(doc.rows.len());
    let h = national_h + provinces_height(doc.provinces.len());
    let mut out = String::new();
    open_svg(&mut out, h, &hex(theme.background));
    national_body(&mut out, doc, &i18n, theme);
    if !doc.provinces.is_empty() {
        let _ = writeln!(out, r#"<g transform="translate(0 {national_h})">"#);
        // Where the national page ends and the provinces begin.
        let _ = writeln!(
            out,
            r#"<line x1="0" y1="0" x2="{WIDTH}" y2="0" stroke="{}" stroke-width="3"/>"#,
            hex(theme.text_dim)
        );
        provinces_body(&mut out, doc, &i18n, theme);
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// The scorecard as pages, one SVG each: the national targets, then (when there are any) the
/// provinces. The PDF is made of them.
pub fn pages(doc: &Scorecard, theme: &Theme) -> Vec<String> {
    let i18n = I18n::new(doc.lang);
    let bg = hex(theme.background);
    let mut national = String::new();
    open_svg(&mut national, height(doc.rows.len()), &bg);
    national_body(&mut national, doc, &i18n, theme);
    national.push_str("</svg>\n");
    let mut pages = vec![national];
    if !doc.provinces.is_empty() {
        let mut page = String::new();
        open_svg(&mut page, provinces_height(doc.provinces.len()), &bg);
        provinces_body(&mut page, doc, &i18n, theme);
        page.push_str("</svg>\n");
        pages.push(page);
    }
    pages
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

/// The scorecard as PNG (one image) or PDF (a page for the targets, one for the provinces),
/// drawn in the `office-light` theme.
pub fn render(doc: &Scorecard, format: Format) -> Result<Vec<u8>, DocError> {
    let theme = Theme::built_in("office-light").map_err(|e| DocError::Theme(e.to_string()))?;
    match format {
        Format::Png => png(&svg(doc, &theme)),
        Format::Pdf => pdf(&pages(doc, &theme)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
