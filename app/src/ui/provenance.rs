//! Provenance on screen (issue 16): every measured figure says where it came from and when,
//! a stale one is greyed with its age, and the status bar names what is still simulated and
//! opens the sources window (health, last load, last refused change).

use egui::RichText;

use crate::api::{SourceHealth, SourceKind, SourceStatus, UnixMs};
use crate::i18n::I18n;
use crate::state::provenance::Provenance;
use crate::state::{State, World};
use crate::ui::format;
use crate::ui::theme::Theme;

/// The provenance of `metric` of `entity` (`link:ID`, …) as the console knows it.
pub fn of(world: &World, entity: &str, metric: &str) -> Provenance {
    Provenance::of(world.origins.get(entity, metric), &world.sources)
}

/// The provenance of the first measured of `metrics`.
pub fn of_any(world: &World, entity: &str, metrics: &[&str]) -> Provenance {
    Provenance::of(world.origins.any_of(entity, metrics), &world.sources)
}

/// An age for people: "12 s", "5 min", "3 h", "2 d".
pub fn age(ms: i64) -> String {
    let s = (ms.max(0) / 1000) as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s / 60),
        3600..=86_399 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

/// One sentence: simulated, measured by whom and when, or stale since when.
pub fn describe(p: &Provenance, i18n: &I18n, server_now: Option<UnixMs>) -> String {
    let ago = |at: UnixMs| server_now.map_or_else(String::new, |now| age(now - at));
    match p {
        Provenance::Simulated => i18n.tr("provenance-simulated"),
        Provenance::Live {
            source,
            measured_at,
        } => i18n.tr_args(
            "provenance-live",
            &[
                ("source", source.clone().into()),
                ("age", ago(*measured_at).into()),
            ],
        ),
        Provenance::Stale {
            source,
            measured_at,
        } => i18n.tr_args(
            "provenance-stale",
            &[
                ("source", source.clone().into()),
                ("age", ago(*measured_at).into()),
            ],
        ),
    }
}

/// A few words for a tooltip on a map element: simulated, or the source (and STALE).
pub fn short(p: &Provenance, i18n: &I18n) -> String {
    match p {
        Provenance::Simulated => i18n.tr("provenance-short-simulated"),
        Provenance::Live { source, .. } => i18n.tr_args(
            "provenance-short-live",
            &[("source", source.clone().into())],
        ),
        Provenance::Stale { source, .. } => i18n.tr_args(
            "provenance-short-stale",
            &[("source", source.clone().into())],
        ),
    }
}

/// Draws a figure with its provenance: greyed when stale, the source on hover.
pub fn figure(
    ui: &mut egui::Ui,
    text: RichText,
    p: &Provenance,
    i18n: &I18n,
    theme: &Theme,
    server_now: Option<UnixMs>,
) -> egui::Response {
    let text = match p {
        Provenance::Stale { measured_at, .. } => {
            let age =
                server_now.map_or_else(String::new, |now| format!(" ({})", age(now - measured_at)));
            RichText::new(format!("{}{age}", text.text())).color(theme.text_dim)
        }
        _ => text,
    };
    ui.label(text).on_hover_text(describe(p, i18n, server_now))
}

/// Where an aggregate figure comes from (a national tile over many entities): how many of the
/// entities of `kind` (`cluster`, `link`, `metro`) have `metric` measured, by which sources,
/// how many of those are stale; or the inventory `part` behind a count.
pub fn family(world: &World, kind: &str, metric: &str, i18n: &I18n) -> String {
    let ids: Vec<&str> = match kind {
        "cluster" => world.clusters.iter().map(|c| c.id.as_str()).collect(),
        "link" => world.links.iter().map(|l| l.id.as_str()).collect(),
        "metro" => world.metros.iter().map(|m| m.id.as_str()).collect(),
        _ => Vec::new(),
    };
    let mut sources: Vec<&str> = Vec::new();
    let (mut measured, mut stale) = (0, 0);
    for id in &ids {
        let p = of(world, &format!("{kind}:{id}"), metric);
        match &p {
            Provenance::Simulated => continue,
            Provenance::Live { source, .. } | Provenance::Stale { source, .. } => {
                measured += 1;
                stale += usize::from(p.is_stale());
                if let Some(s) = world.sources.iter().find(|s| &s.id == source)
                    && !sources.contains(&s.id.as_str())
                {
                    sources.push(&s.id);
                }
            }
        }
    }
    if measured == 0 {
        return i18n.tr("provenance-simulated");
    }
    i18n.tr_args(
        "provenance-family",
        &[
            ("measured", measured.into()),
            ("total", ids.len().into()),
            ("sources", sources.join(", ").into()),
            ("stale", stale.into()),
        ],
    )
}

/// Where an inventory part (`compute`, `metros`, `enterprises`) comes from.
pub fn part(world: &World, part: &str, i18n: &I18n) -> String {
    let from_file = world
        .sources
        .iter()
        .any(|s| s.kind == SourceKind::World && s.provides.iter().any(|p| p == part));
    if from_file {
        i18n.tr("provenance-part-world")
    } else {
        i18n.tr("provenance-simulated")
    }
}

/// The names of simulated parts, translated, joined for a tooltip.
pub fn simulated_parts_text(parts: &[String], i18n: &I18n) -> String {
    parts
        .iter()
        .map(|p| {
            let id = format!("part-{}", p.replace(['.', '_'], "-"));
            let translated = i18n.tr(&id);
            // A part this console has no name for (a newer backend) shows as sent.
            if translated == id {
                p.clone()
            } else {
                translated
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the status bar shows about the data's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Badge {
    /// Everything is the simulator's (or an older backend that only says "simulated").
    Simulated,
    /// Some parts are simulated, some measured.
    PartlySimulated,
    /// Nothing is simulated: no badge.
    None,
}

pub fn badge(world: &World) -> Badge {
    if !world.simulated {
        return Badge::None;
    }
    // Something real is in: a world directory that gave a part, or a source that delivered.
    let anything_measured = !world.origins.is_empty()
        || world
            .sources
            .iter()
            .any(|s| s.kind != SourceKind::Simulator && s.last_ok.is_some() && (s.delivered > 0));
    if world.simulated_parts.is_empty() || !anything_measured {
        Badge::Simulated
    } else {
        Badge::PartlySimulated
    }
}

/// Sources whose figures are stale now.
pub fn stale_sources(world: &World) -> Vec<&SourceStatus> {
    world
        .sources
        .iter()
        .filter(|s| s.health == SourceHealth::Stale)
        .collect()
}

/// The sources window: every source, its health, its last read and its last refused change.
pub fn sources_window(
    ctx: &egui::Context,
    state: &State,
    i18n: &I18n,
    theme: &Theme,
    open: &mut bool,
    now: std::time::Instant,
) {
    let Some(world) = &state.world else {
        return;
    };
    let server_now = state.server_now(now);
    egui::Window::new(i18n.tr("sources-title"))
        .open(open)
        .default_width(560.0)
        // Above the status bar it was opened from, clear of the top bar.
        .default_pos(egui::pos2(12.0, 80.0))
        .show(ctx, |ui| {
            if !world.simulated_parts.is_empty() {
                ui.label(
                    RichText::new(i18n.tr_args(
                        "sources-simulated",
                        &[(
                            "parts",
                            simulated_parts_text(&world.simulated_parts, i18n).into(),
                        )],
                    ))
                    .color(theme.text_dim),
                );
                ui.separator();
            }
            egui::Grid::new("sources_grid")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for col in [
                        "sources-col-source",
                        "sources-col-health",
                        "sources-col-last",
                        "sources-col-provides",
                    ] {
                        ui.label(RichText::new(i18n.tr(col)).color(theme.text_dim));
                    }
                    ui.end_row();
                    for s in &world.sources {
                        ui.label(RichText::new(&s.id).strong())
                            .on_hover_text(&s.location);
                        let (health, colour) = match s.health {
                            SourceHealth::Ok => (i18n.tr("sources-ok"), theme.ok),
                            SourceHealth::Pending => (i18n.tr("sources-pending"), theme.warn),
                            SourceHealth::Stale => (i18n.tr("sources-stale"), theme.danger),
                            SourceHealth::Unknown => (i18n.tr("sources-unknown"), theme.text_dim),
                        };
                        ui.label(RichText::new(health).color(colour));
                        let last = match (s.last_ok, server_now) {
                            (Some(t), Some(now)) => {
                                i18n.tr_args("sources-ago", &[("age", age(now - t).into())])
                            }
                            (Some(t), None) => format::clock(t),
                            (None, _) => "—".to_owned(),
                        };
                        ui.label(last);
                        let provides = if s.kind == SourceKind::Simulator {
                            simulated_parts_text(&s.provides, i18n)
                        } else {
                            s.provides.join(", ")
                        };
                        ui.add(egui::Label::new(provides).wrap());
                        ui.end_row();
                        if let Some(e) = &s.last_error {
                            ui.label("");
                            ui.label(RichText::new(i18n.tr("sources-error")).color(theme.text_dim));
                            ui.label("");
                            ui.add(egui::Label::new(RichText::new(e).color(theme.warn)).wrap());
                            ui.end_row();
                        }
                        if let Some(r) = &s.last_refused {
                            ui.label("");
                            ui.label(
                                RichText::new(i18n.tr("sources-refused")).color(theme.text_dim),
                            );
                            ui.label(format::clock(r.at));
                            let field = r
                                .field
                                .as_deref()
                                .map(|f| format!(" `{f}`"))
                                .unwrap_or_default();
                            ui.add(
                                egui::Label::new(
                                    RichText::new(format!(
                                        "{}:{}:{}{field}: {}",
                                        r.file, r.line, r.column, r.reason
                                    ))
                                    .color(theme.danger),
                                )
                                .wrap(),
                            );
                            ui.end_row();
                        }
                    }
                });
        });
}
