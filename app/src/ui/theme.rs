//! Design tokens: `themes/*.toml` parsed into one `Theme` (egui style + data palettes).
//!
//! The only place in the app where colours are spelled out; views ask the theme.
#![allow(clippy::disallowed_methods)] // clippy.toml refuses colour constructors everywhere else

use std::collections::BTreeMap;
use std::path::Path;

use egui::{Color32, FontFamily, FontId, TextStyle};
use serde::Deserialize;
use tianshu_widgets::ColorRamp;

pub const NOC_DARK: &str = include_str!("../../../themes/noc-dark.toml");
pub const OFFICE_LIGHT: &str = include_str!("../../../themes/office-light.toml");
pub const HIGH_CONTRAST: &str = include_str!("../../../themes/high-contrast.toml");

/// The built-in themes by name.
pub const BUILT_IN: [(&str, &str); 3] = [
    ("noc-dark", NOC_DARK),
    ("office-light", OFFICE_LIGHT),
    ("high-contrast", HIGH_CONTRAST),
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("cannot read theme file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("theme is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("theme colour {key} = {value:?} is not a #rrggbb or #rrggbbaa colour")]
    Colour { key: String, value: String },
    #[error("theme lacks colour {0}")]
    MissingColour(&'static str),
    #[error("theme ramp latency_bands needs five colours: ≤1, ≤2, ≤5, >5 ms and no data")]
    Bands,
    #[error("theme ramp {0} needs at least two colours")]
    Ramp(&'static str),
    #[error("theme size {key} = {value} is outside 6..=96")]
    Size { key: &'static str, value: f32 },
    #[error(
        "no built-in theme {0:?} (choose noc-dark, office-light or high-contrast, or give a .toml file)"
    )]
    Unknown(String),
}

#[derive(Debug, Deserialize)]
struct ThemeFile {
    name: String,
    dark: bool,
    colors: BTreeMap<String, String>,
    ramps: BTreeMap<String, Vec<String>>,
    sizes: Sizes,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Sizes {
    pub body: f32,
    pub small: f32,
    pub heading: f32,
    pub kpi: f32,
    pub button: f32,
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub dark: bool,
    pub background: Color32,
    pub panel: Color32,
    pub panel_alt: Color32,
    pub text: Color32,
    pub text_dim: Color32,
    pub accent: Color32,
    pub ok: Color32,
    pub warn: Color32,
    pub danger: Color32,
    pub stale_fill: Color32,
    pub stale_text: Color32,
    pub simulated_fill: Color32,
    pub simulated_text: Color32,
    pub map_water: Color32,
    pub map_land: Color32,
    pub map_border: Color32,
    pub map_country: Color32,
    pub node: Color32,
    pub node_label: Color32,
    pub utilization: ColorRamp,
    pub latency: ColorRamp,
    /// Factory upgrade stages: planned, assessing, deploying, upgraded.
    pub stages: [Color32; 4],
    /// Discrete latency bands (≤1, ≤2, ≤5, >5 ms) and no data.
    pub latency_bands: LatencyBands,
    pub sizes: Sizes,
}

/// The text style of big KPI numbers.
pub fn kpi_style() -> TextStyle {
    TextStyle::Name("kpi".into())
}

impl Theme {
    pub fn built_in(name: &str) -> Result<Theme, ThemeError> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, src)| Theme::parse(src))
            .unwrap_or_else(|| Err(ThemeError::Unknown(name.to_owned())))
    }

    /// A built-in name, or a path to a `.toml` file.
    pub fn load(name_or_path: &str) -> Result<Theme, ThemeError> {
        if name_or_path.ends_with(".toml") {
            let path = Path::new(name_or_path);
            let text = std::fs::read_to_string(path).map_err(|source| ThemeError::Read {
                path: path.display().to_string(),
                source,
            })?;
            Theme::parse(&text)
        } else {
            Theme::built_in(name_or_path)
        }
    }

    /// Loads a theme; when it is broken, the default theme and a sentence naming the file, the
    /// line and the key (an error only if the default itself cannot be built).
    pub fn load_or_default(name_or_path: &str) -> Result<(Theme, Option<String>), ThemeError> {
        let failure = if name_or_path.ends_with(".toml") {
            match std::fs::read_to_string(name_or_path) {
                Ok(text) => match Theme::parse(&text) {
                    Ok(theme) => return Ok((theme, None)),
                    Err(e) => describe_error(&text, name_or_path, &e),
                },
                Err(source) => ThemeError::Read {
                    path: name_or_path.to_owned(),
                    source,
                }
                .to_string(),
            }
        } else {
            match Theme::built_in(name_or_path) {
                Ok(theme) => return Ok((theme, None)),
                Err(e) => e.to_string(),
            }
        };
        tracing::warn!("{failure}");
        Ok((Theme::built_in(BUILT_IN[0].0)?, Some(failure)))
    }

    pub fn parse(source: &str) -> Result<Theme, ThemeError> {
        let file: ThemeFile = toml::from_str(source)?;
        let colour = |key: &'static str| -> Result<Color32, ThemeError> {
            let value = file.colors.get(key).ok_or(ThemeError::MissingColour(key))?;
            parse_hex(value).ok_or_else(|| ThemeError::Colour {
                key: key.into(),
                value: value.clone(),
            })
        };
        let ramp = |key: &'static str| -> Result<ColorRamp, ThemeError> {
            let values = file.ramps.get(key).ok_or(ThemeError::Ramp(key))?;
            if values.len() < 2 {
                return Err(ThemeError::Ramp(key));
            }
            let colours = values
                .iter()
                .map(|v| {
                    parse_hex(v).ok_or_else(|| ThemeError::Colour {
                        key: format!("ramps.{key}"),
                        value: v.clone(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ColorRamp::evenly_spaced(&colours))
        };
        let s = file.sizes;
        for (key, value) in [
            ("body", s.body),
            ("small", s.small),
            ("heading", s.heading),
            ("kpi", s.kpi),
            ("button", s.button),
        ] {
            if !(6.0..=96.0).contains(&value) {
                return Err(ThemeError::Size { key, value });
            }
        }
        Ok(Theme {
            name: file.name.clone(),
            dark: file.dark,
            background: colour("background")?,
            panel: colour("panel")?,
            panel_alt: colour("panel_alt")?,
            text: colour("text")?,
            text_dim: colour("text_dim")?,
            accent: colour("accent")?,
            ok: colour("ok")?,
            warn: colour("warn")?,
            danger: colour("danger")?,
            stale_fill: colour("stale_fill")?,
            stale_text: colour("stale_text")?,
            simulated_fill: colour("simulated_fill")?,
            simulated_text: colour("simulated_text")?,
            map_water: colour("map_water")?,
            map_land: colour("map_land")?,
            map_border: colour("map_border")?,
            map_country: colour("map_country")?,
            node: colour("node")?,
            node_label: colour("node_label")?,
            utilization: ramp("utilization")?,
            latency: ramp("latency")?,
            stages: stage_colours(file.ramps.get("stages"))?,
            latency_bands: LatencyBands::parse(file.ramps.get("latency_bands"))?,
            sizes: s,
        })
    }

    /// What the window is cleared to before a frame: the panels' colour.
    pub fn clear_colour(&self) -> [f32; 4] {
        self.panel.to_normalized_gamma_f32()
    }

    /// Applies the tokens to egui's style.
    pub fn apply(&self, ctx: &egui::Context) {
        self.apply_with(ctx, false);
    }

    /// Applies the tokens; `clear_panels`: panels draw no fill of their own, the frame's clear
    /// colour ([`Theme::clear_colour`]) shows through them instead — the same picture with one
    /// full-window layer fewer for a software rasteriser to fill.
    pub fn apply_with(&self, ctx: &egui::Context, clear_panels: bool) {
        let mut visuals = if self.dark {
            egui::Visuals::dark()
        } else {
            egui::Visuals::light()
        };
        visuals.panel_fill = if clear_panels {
            Color32::TRANSPARENT
        } else {
            self.panel
        };
        visuals.window_fill = self.panel;
        visuals.extreme_bg_color = self.background;
        visuals.faint_bg_color = self.panel_alt;
        visuals.override_text_color = Some(self.text);
        visuals.hyperlink_color = self.accent;
        visuals.selection.bg_fill = self.accent.gamma_multiply(0.6);
        ctx.set_visuals(visuals);
        let s = self.sizes;
        ctx.global_style_mut(|style| {
            style.text_styles = [
                (
                    TextStyle::Small,
                    FontId::new(s.small, FontFamily::Proportional),
                ),
                (
                    TextStyle::Body,
                    FontId::new(s.body, FontFamily::Proportional),
                ),
                (
                    TextStyle::Button,
                    FontId::new(s.button, FontFamily::Proportional),
                ),
                (
                    TextStyle::Heading,
                    FontId::new(s.heading, FontFamily::Proportional),
                ),
                (
                    TextStyle::Monospace,
                    FontId::new(s.body, FontFamily::Monospace),
                ),
                (kpi_style(), FontId::new(s.kpi, FontFamily::Proportional)),
            ]
            .into();
        });
    }

    /// Green / amber / red for a share of capacity in use.
    pub fn utilization_colour(&self, utilization: f64) -> Color32 {
        self.utilization.sample(utilization.clamp(0.0, 1.0) as f32)
    }

    /// Colour of a round-trip time on the latency ramp (0–3 ms).
    pub fn latency_colour(&self, rtt_ms: f32) -> Color32 {
        self.latency.sample_in(rtt_ms, 0.0, 3.0)
    }

    pub fn good_or_bad(&self, good: bool) -> Color32 {
        if good { self.ok } else { self.warn }
    }
}

/// Upper limits of the latency bands, ms: ≤1, ≤2, ≤5, then everything above.
pub const LATENCY_BAND_LIMITS_MS: [f32; 3] = [1.0, 2.0, 5.0];

/// Colours of the latency bands, best first, and of cells without data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyBands {
    pub bands: [Color32; 4],
    pub no_data: Color32,
}

impl LatencyBands {
    fn parse(values: Option<&Vec<String>>) -> Result<Self, ThemeError> {
        let values = values.ok_or(ThemeError::Bands)?;
        let colours = values
            .iter()
            .map(|v| {
                parse_hex(v).ok_or_else(|| ThemeError::Colour {
                    key: "ramps.latency_bands".into(),
                    value: v.clone(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        match colours[..] {
            [a, b, c, d, no_data] => Ok(Self {
                bands: [a, b, c, d],
                no_data,
            }),
            _ => Err(ThemeError::Bands),
        }
    }

    /// Band of a round-trip time (0 = ≤1 ms … 3 = >5 ms); `None` for no data (NaN, negative).
    pub fn band(rtt_ms: f32) -> Option<usize> {
        if rtt_ms.is_nan() || rtt_ms < 0.0 {
            return None;
        }
        Some(
            LATENCY_BAND_LIMITS_MS
                .iter()
                .position(|limit| rtt_ms <= *limit)
                .unwrap_or(LATENCY_BAND_LIMITS_MS.len()),
        )
    }

    pub fn colour(&self, rtt_ms: f32) -> Color32 {
        Self::band(rtt_ms).map_or(self.no_data, |b| self.bands[b])
    }
}

fn stage_colours(values: Option<&Vec<String>>) -> Result<[Color32; 4], ThemeError> {
    let values = values.ok_or(ThemeError::Ramp("stages"))?;
    let colours = values
        .iter()
        .map(|v| {
            parse_hex(v).ok_or_else(|| ThemeError::Colour {
                key: "ramps.stages".into(),
                value: v.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    <[Color32; 4]>::try_from(colours).map_err(|_| ThemeError::Ramp("stages"))
}

/// A theme error as a sentence naming the file, the line and the key:
/// `theme file my.toml, line 12, key `colors.accent`: …`.
pub fn describe_error(source: &str, path: &str, err: &ThemeError) -> String {
    use crate::settings::{line_of_key, locate};
    let section_line = |name: &str| {
        source
            .lines()
            .position(|l| l.trim() == format!("[{name}]"))
            .map_or(0, |i| i + 1)
    };
    let (line, key) = match err {
        ThemeError::Toml(e) => locate(source, e.span().map(|s| s.start), e.message()),
        ThemeError::Colour { key, .. } => {
            let last = key.rsplit('.').next().unwrap_or(key);
            let full = if key.contains('.') {
                key.clone()
            } else {
                format!("colors.{key}")
            };
            (line_of_key(source, last), full)
        }
        ThemeError::MissingColour(key) => (section_line("colors"), format!("colors.{key}")),
        ThemeError::Bands => (
            line_of_key(source, "latency_bands"),
            "ramps.latency_bands".into(),
        ),
        ThemeError::Ramp(key) => (line_of_key(source, key), format!("ramps.{key}")),
        ThemeError::Size { key, .. } => (line_of_key(source, key), format!("sizes.{key}")),
        ThemeError::Read { .. } | ThemeError::Unknown(_) => return err.to_string(),
    };
    let what = match err {
        ThemeError::Toml(e) => e.message().lines().next().unwrap_or_default().to_owned(),
        other => other.to_string(),
    };
    format!("theme file {path}, line {line}, key `{key}`: {what}; using the default theme")
}

fn parse_hex(text: &str) -> Option<Color32> {
    let hex = text.trim().strip_prefix('#')?;
    if !(hex.len() == 6 || hex.len() == 8) || !hex.is_ascii() {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    let (r, g, b) = (byte(0)?, byte(2)?, byte(4)?);
    let a = if hex.len() == 8 { byte(6)? } else { 255 };
    Some(Color32::from_rgba_unmultiplied(r, g, b, a))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // test colours
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse() {
        for (name, _) in BUILT_IN {
            let theme = Theme::built_in(name).expect(name);
            assert_eq!(theme.name, name);
        }
    }

    #[test]
    fn bad_themes_say_what_is_wrong() {
        let broken = NOC_DARK.replace("accent = \"#3fa7ff\"", "accent = \"blue\"");
        let err = Theme::parse(&broken).expect_err("bad colour");
        assert!(err.to_string().contains("accent"), "{err}");
        let missing = NOC_DARK.replace("accent = \"#3fa7ff\"\n", "");
        assert!(matches!(
            Theme::parse(&missing),
            Err(ThemeError::MissingColour("accent"))
        ));
        assert!(matches!(
            Theme::parse("not toml ["),
            Err(ThemeError::Toml(_))
        ));
        let huge = NOC_DARK.replace("kpi = 30.0", "kpi = 900.0");
        assert!(matches!(Theme::parse(&huge), Err(ThemeError::Size { .. })));
        assert!(matches!(Theme::load("nope"), Err(ThemeError::Unknown(_))));
    }

    #[test]
    fn theme_errors_name_file_line_and_key_and_fall_back() {
        let line_of = |needle: &str, text: &str| {
            text.lines().position(|l| l.starts_with(needle)).unwrap() + 1
        };
        let broken = NOC_DARK.replace("accent = \"#3fa7ff\"", "accent = \"blue\"");
        let msg = describe_error(&broken, "my.toml", &Theme::parse(&broken).unwrap_err());
        let line = line_of("accent", &broken);
        assert!(msg.contains("my.toml"), "{msg}");
        assert!(msg.contains(&format!("line {line}")), "{msg}");
        assert!(msg.contains("`colors.accent`"), "{msg}");

        let syntax = NOC_DARK.replace("kpi = 30.0", "kpi = = 30.0");
        let msg = describe_error(&syntax, "my.toml", &Theme::parse(&syntax).unwrap_err());
        let line = line_of("kpi", &syntax);
        assert!(msg.contains(&format!("line {line}")), "{msg}");
        assert!(msg.contains("sizes.kpi"), "{msg}");

        let huge = NOC_DARK.replace("kpi = 30.0", "kpi = 900.0");
        let msg = describe_error(&huge, "my.toml", &Theme::parse(&huge).unwrap_err());
        assert!(
            msg.contains(&format!("line {line}")) && msg.contains("sizes.kpi"),
            "{msg}"
        );

        let dir = std::env::temp_dir().join(format!("tianshu-theme-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("broken.toml");
        std::fs::write(&path, &broken).unwrap();
        let (theme, warning) = Theme::load_or_default(path.to_str().unwrap()).unwrap();
        assert_eq!(theme.name, "noc-dark");
        assert!(warning.unwrap().contains("broken.toml"));
        let (_, warning) = Theme::load_or_default("office-light").unwrap();
        assert!(warning.is_none());
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn latency_bands_cut_at_1_2_5_ms() {
        let theme = Theme::built_in("noc-dark").unwrap();
        let b = theme.latency_bands;
        for (ms, band) in [
            (0.0, Some(0)),
            (0.99, Some(0)),
            (1.0, Some(0)),
            (1.01, Some(1)),
            (2.0, Some(1)),
            (4.9, Some(2)),
            (5.0, Some(2)),
            (5.01, Some(3)),
            (80.0, Some(3)),
            (f32::INFINITY, Some(3)),
            (f32::NAN, None),
            (-1.0, None),
        ] {
            assert_eq!(LatencyBands::band(ms), band, "{ms}");
        }
        assert_eq!(b.colour(f32::NAN), b.no_data);
        assert_eq!(b.colour(0.5), b.bands[0]);
        assert_eq!(b.colour(9.0), b.bands[3]);
        // Every theme's bands are distinct colours, and distinct from no data.
        for (name, _) in BUILT_IN {
            let b = Theme::built_in(name).unwrap().latency_bands;
            let mut all: Vec<Color32> = b.bands.to_vec();
            all.push(b.no_data);
            for (i, x) in all.iter().enumerate() {
                assert!(all[i + 1..].iter().all(|y| y != x), "{name}");
            }
        }
        let four = NOC_DARK.replace(", \"#3a4256\"]", "]");
        assert!(
            matches!(Theme::parse(&four), Err(ThemeError::Bands)),
            "{four}"
        );
    }

    #[test]
    fn hex_colours() {
        assert_eq!(parse_hex("#ff0000"), Some(Color32::from_rgb(255, 0, 0)));
        assert_eq!(parse_hex("#zz0000"), None);
        assert_eq!(parse_hex("#ff00"), None);
        assert_eq!(parse_hex("#ééé"), None);
    }
}
