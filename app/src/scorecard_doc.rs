//! The scorecard as a document (issue 7): drawn once as SVG — title, "as of" date, the
//! SIMULATED label, one row per target with actual, target, deadline, projection, a status chip
//! and a trend sparkline, the rule underneath — then rasterised by resvg (PNG) or converted by
//! svg2pdf (PDF, the font embedded as a subset). Text is set in the shipped Noto Sans CJK SC
//! subset only (no system font is looked up), so English and Chinese reports look the same on
//! any machine, with or without a display or GPU. Colours are the `office-light` theme's (paper).
//!
//! Pure: rows in, bytes out. `tianshu report --format png|pdf` and the review view's export use it.
//!
//! Over 600 lines on purpose: one document laid out in one place — every section shares the page geometry and type scale, and split files would scatter the coordinates that must agree.

use std::fmt::Write as _;
use std::sync::Arc;

use resvg::tiny_skia;
use resvg::usvg;

use crate::api::UnixMs;
use crate::api::review::{ProvinceRow, Row, Status};
use crate::i18n::{I18n, Lang};
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

/// A whole count per locale, never below zero; "—" for a value that is not a number.
fn count(i18n: &I18n, value: f64) -> String {
    if value.is_finite() {
        i18n.count(value.max(0.0).round())
    } else {
        "—".into()
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

/// The title, the "as of" date and the SIMULATED badge at the top of a page.
fn page_head(out: &mut String, doc: &Scorecard, i18n: &I18n, theme: &Theme, title_id: &str) {
    let fg = hex(theme.text);
    text(out, MARGIN, 58.0, 30.0, &fg, &i18n.tr(title_id));
    let as_of_text = i18n.tr_args("review-as-of", &[("date", i18n.date(doc.as_of).into())]);
    text(out, MARGIN, 96.0, 19.0, &fg, &as_of_text);
    if doc.simulated {
        let label = if doc.simulated_parts.is_empty() {
            i18n.tr("simulated-badge")
        } else {
            i18n.tr("simulated-partly-badge")
        };
        let w = label.chars().map(advance).sum::<f32>() * 15.0 + 24.0;
        let x = WIDTH as f32 - MARGIN - w;
        let warn = hex(theme.warn);
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="36" width="{w:.1}" height="30" rx="6" fill="none" stroke="{warn}" stroke-width="2"/>"#
        );
        text(out, x + 12.0, 57.0, 15.0, &warn, &label);
    }
}

/// "● On track 3   ▲ At risk 2   ◆ Off track 5" at `y`.
fn status_counts(
    out: &mut String,
    y: f32,
    statuses: impl Iterator<Item = Status> + Clone,
    i18n: &I18n,
    theme: &Theme,
) {
    let mut cx = MARGIN;
    for status in [Status::OnTrack, Status::AtRisk, Status::OffTrack] {
        let n = statuses.clone().filter(|s| *s == status).count();
        let label = format!("{} {n}", i18n.tr(status.label_id()));
        text(out, cx, y, 16.0, &hex(status_colour(theme, status)), &label);
        cx += label.chars().map(advance).sum::<f32>() * 16.0 + 28.0;
    }
}

/// Column heads ending at `bottom` (a head longer than its column wraps upwards), then a rule.
fn column_heads(out: &mut String, heads: &[(&str, f32)], bottom: f32, i18n: &I18n, dim: &str) {
    for (k, (id, x)) in heads.iter().enumerate() {
        let width = heads
            .get(k + 1)
            .map_or(WIDTH as f32 - MARGIN, |(_, next)| next - 12.0)
            - x;
        let lines = wrap(&i18n.tr(id), 14.0, width, 2);
        let n = lines.len() as f32;
        for (j, line) in lines.iter().enumerate() {
            let y = bottom - 6.0 - (n - 1.0 - j as f32) * 17.0;
            text(out, *x, y, 14.0, dim, line);
        }
    }
    rule(out, bottom, dim);
}

fn rule(out: &mut String, y: f32, dim: &str) {
    let _ = writeln!(
        out,
        r#"<line x1="{MARGIN}" y1="{y}" x2="{}" y2="{y}" stroke="{dim}" stroke-width="1"/>"#,
        WIDTH as f32 - MARGIN
    );
}

fn stripe(out: &mut String, top: f32, h: f32, fill: &str) {
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{top}" width="{}" height="{h}" fill="{fill}"/>"#,
        MARGIN - 10.0,
        WIDTH as f32 - 2.0 * MARGIN + 20.0
    );
}

/// A status chip whose left edge is `x`, centred on `mid`.
fn chip(out: &mut String, x: f32, mid: f32, size: f32, status: Status, i18n: &I18n, theme: &Theme) {
    let colour = hex(status_colour(theme, status));
    let label = i18n.tr(status.label_id());
    let w = label.chars().map(advance).sum::<f32>() * size + 20.0;
    let h = size + 14.0;
    let _ = writeln!(
        out,
        r#"<rect x="{x}" y="{}" width="{w:.1}" height="{h}" rx="{}" fill="{colour}" fill-opacity="0.14" stroke="{colour}" stroke-width="1.5"/>"#,
        mid - h / 2.0,
        h / 2.0
    );
    text(out, x + 10.0, mid + size * 0.37, size, &colour, &label);
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

fn open_svg(out: &mut String, h: u32, bg: &str) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{h}" viewBox="0 0 {WIDTH} {h}">"#
    );
    let _ = writeln!(
        out,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{h}" fill="{bg}"/>"#
    );
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

/// The pages as one PDF, a page each at its own size (CSS pixels as points), text as text (the
/// font embedded as a subset in each page's chunk).
pub fn pdf(pages: &[String]) -> Result<Vec<u8>, DocError> {
    use pdf_writer::{Content, Finish as _, Name, Pdf, Rect, Ref, TextStr};

    let mut alloc = Ref::new(1);
    let catalog_id = alloc.bump();
    let tree_id = alloc.bump();
    let mut pdf = Pdf::new();
    let mut page_ids = Vec::with_capacity(pages.len());
    let name = Name(b"S1");
    for svg in pages {
        let tree = tree(svg)?;
        let (w, h) = (tree.size().width(), tree.size().height());
        let (chunk, svg_id) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| DocError::Pdf(e.to_string()))?;
        let mut map = std::collections::HashMap::new();
        let chunk = chunk.renumber(|old| *map.entry(old).or_insert_with(|| alloc.bump()));
        let svg_id = *map
            .get(&svg_id)
            .ok_or_else(|| DocError::Pdf("the drawing's object was lost".into()))?;
        let page_id = alloc.bump();
        let content_id = alloc.bump();
        page_ids.push(page_id);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h));
        page.parent(tree_id);
        page.contents(content_id);
        page.resources().x_objects().pair(name, svg_id);
        page.finish();
        // The drawing is a 1 × 1 pt form: scale it to the page.
        let mut content = Content::new();
        content
            .save_state()
            .transform([w, 0.0, 0.0, h, 0.0, 0.0])
            .x_object(name)
            .restore_state();
        pdf.stream(content_id, &content.finish());
        pdf.extend(&chunk);
    }
    pdf.catalog(catalog_id).pages(tree_id);
    let count =
        i32::try_from(page_ids.len()).map_err(|_| DocError::Pdf("too many pages".into()))?;
    pdf.pages(tree_id).kids(page_ids).count(count);
    let info_id = alloc.bump();
    pdf.document_info(info_id)
        .producer(TextStr("tianshu (svg2pdf)"));
    Ok(pdf.finish())
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
