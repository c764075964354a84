//! The SVG pieces the scorecard's pages are built from: escaped text, greedy wrapping, value
//! and count formats, the page head, status counts and chips, column heads, rules, stripes and
//! sparklines.

use std::fmt::Write as _;

use crate::api::review::Status;
use crate::i18n::{I18n, Lang};
use crate::ui::theme::Theme;

use super::{MARGIN, SPARK_H, SPARK_W, Scorecard, WIDTH};

pub(crate) fn hex(c: egui::Color32) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r(), c.g(), c.b())
}

pub(crate) fn esc(text: &str) -> String {
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
pub(crate) fn advance(c: char) -> f32 {
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
pub(crate) fn wrap(text: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
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
pub(super) fn value_text(lang: Lang, unit: &str, value: f64) -> String {
    match unit {
        "percent" => format!("{value:.1} %"),
        "count" => crate::i18n::count_in(lang, value.max(0.0).round()),
        _ => format!("{value:.2}"),
    }
}

/// A whole count per locale, never below zero; "—" for a value that is not a number.
pub(super) fn count(i18n: &I18n, value: f64) -> String {
    if value.is_finite() {
        i18n.count(value.max(0.0).round())
    } else {
        "—".into()
    }
}

pub(super) fn status_colour(theme: &Theme, status: Status) -> egui::Color32 {
    match status {
        Status::OnTrack => theme.ok,
        Status::AtRisk => theme.warn,
        Status::OffTrack => theme.danger,
    }
}

pub(crate) fn text(out: &mut String, x: f32, y: f32, size: f32, fill: &str, body: &str) {
    let _ = writeln!(
        out,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" fill="{fill}">{}</text>"#,
        esc(body)
    );
}

pub(super) fn sparkline(out: &mut String, x: f32, y: f32, values: &[f32], colour: &str) {
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

/// The title, the "as of" date and the SIMULATED badge at the top of a page.
pub(super) fn page_head(
    out: &mut String,
    doc: &Scorecard,
    i18n: &I18n,
    theme: &Theme,
    title_id: &str,
) {
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
pub(super) fn status_counts(
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
pub(super) fn column_heads(
    out: &mut String,
    heads: &[(&str, f32)],
    bottom: f32,
    i18n: &I18n,
    dim: &str,
) {
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

pub(super) fn rule(out: &mut String, y: f32, dim: &str) {
    let _ = writeln!(
        out,
        r#"<line x1="{MARGIN}" y1="{y}" x2="{}" y2="{y}" stroke="{dim}" stroke-width="1"/>"#,
        WIDTH as f32 - MARGIN
    );
}

pub(super) fn stripe(out: &mut String, top: f32, h: f32, fill: &str) {
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{top}" width="{}" height="{h}" fill="{fill}"/>"#,
        MARGIN - 10.0,
        WIDTH as f32 - 2.0 * MARGIN + 20.0
    );
}

/// A status chip whose left edge is `x`, centred on `mid`.
pub(super) fn chip(
    out: &mut String,
    x: f32,
    mid: f32,
    size: f32,
    status: Status,
    i18n: &I18n,
    theme: &Theme,
) {
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

pub(super) fn open_svg(out: &mut String, h: u32, bg: &str) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{h}" viewBox="0 0 {WIDTH} {h}">"#
    );
    let _ = writeln!(
        out,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{h}" fill="{bg}"/>"#
    );
}
