//! The console's settings: a TOML file in the platform's config folder
//! (`~/.config/tianshu/config.toml` on Linux), read at start, merged under the command line's
//! flags, edited in the settings panel and written back.
//!
//! A broken file never stops the console: its error names the file, the line and the key, and
//! the console starts with the defaults and shows that sentence. Knows nothing of egui.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::ui::View;

/// Who the console is set up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Every view, for the operator at a desk.
    #[default]
    Operator,
    /// Full screen, a playlist of views, large type, no pointer needed.
    Wall,
    /// The regulator's scorecard of the plans' targets.
    Review,
    /// One plant only (`--factory ID`).
    Factory,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Operator,
        Profile::Wall,
        Profile::Review,
        Profile::Factory,
    ];

    /// Translation id.
    pub fn label_id(self) -> &'static str {
        match self {
            Profile::Operator => "settings-profile-operator",
            Profile::Wall => "settings-profile-wall",
            Profile::Review => "settings-profile-review",
            Profile::Factory => "settings-profile-factory",
        }
    }
}

/// One stop of the wall's playlist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistEntry {
    /// overview, latency, factories, agents or progress.
    pub view: String,
    /// Seconds the view stays on screen (5 to 3600).
    pub dwell_s: u64,
}

impl PlaylistEntry {
    pub fn new(view: View, dwell_s: u64) -> Self {
        Self {
            view: view_name(view),
            dwell_s,
        }
    }

    /// The view, if the name is one.
    pub fn view(&self) -> Option<View> {
        parse_view(&self.view)
    }
}

/// The wall profile's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WallSettings {
    pub playlist: Vec<PlaylistEntry>,
    /// Seconds the "now" page (what needs attention) shows before the playlist, each round;
    /// 0: only when something critical holds the wall on it.
    pub now_dwell_s: u64,
    /// How much larger everything is drawn (2.0: a 3840×2160 screen lays out like 1920×1080).
    pub scale: f32,
    /// Largest shift of the content against burn-in, pixels (0: none).
    pub shift_px: f32,
    /// Seconds between shifts.
    pub shift_every_s: u64,
    /// Monitor (index in the system's order) of the main window; absent: where it opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor: Option<usize>,
    /// More monitors, one full-screen window each with its own playlist.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub screens: Vec<ScreenSettings>,
}

/// One more wall screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenSettings {
    /// Monitor index in the system's order (0 is the first): the window goes borderless full
    /// screen there.
    #[serde(default)]
    pub monitor: usize,
    /// Top-left corner on the desktop, logical pixels: with `size`, the window covers exactly
    /// that rectangle (undecorated) instead of going full screen on `monitor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<[f32; 2]>,
    /// Width and height with `position`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<[f32; 2]>,
    pub playlist: Vec<PlaylistEntry>,
}

impl ScreenSettings {
    /// A screen full screen on `monitor` with this playlist.
    pub fn on_monitor(monitor: usize, playlist: Vec<PlaylistEntry>) -> Self {
        Self {
            monitor,
            position: None,
            size: None,
            playlist,
        }
    }
}

/// Most extra wall screens.
pub const MAX_SCREENS: usize = 8;

/// The entries that name a view, with dwell times clamped (never empty).
pub fn resolve_playlist(entries: &[PlaylistEntry]) -> Vec<(View, u64)> {
    let list: Vec<(View, u64)> = entries
        .iter()
        .filter_map(|e| Some((e.view()?, e.dwell_s.clamp(5, 3600))))
        .collect();
    if list.is_empty() {
        vec![(View::Overview, 60)]
    } else {
        list
    }
}

impl Default for WallSettings {
    fn default() -> Self {
        Self {
            playlist: vec![
                PlaylistEntry::new(View::Overview, 60),
                PlaylistEntry::new(View::Latency, 30),
                PlaylistEntry::new(View::Factories, 30),
                PlaylistEntry::new(View::Progress, 30),
                PlaylistEntry::new(View::Agents, 30),
            ],
            now_dwell_s: 20,
            scale: 2.0,
            shift_px: 4.0,
            shift_every_s: 180,
            monitor: None,
            screens: Vec::new(),
        }
    }
}

/// Everything the file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub language: Lang,
    /// noc-dark, office-light, high-contrast, or a path to a theme .toml.
    pub theme: String,
    pub profile: Profile,
    /// The plant of the factory profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factory: Option<u32>,
    /// URL of a remote backend; absent: the embedded, simulated one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<String>,
    /// The view the console opens on (operator profile).
    pub view: String,
    /// Animations (map pulses, transitions); off saves power on walls and remote desktops.
    pub animation: bool,
    pub wall: WallSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            language: Lang::En,
            theme: "noc-dark".into(),
            profile: Profile::Operator,
            factory: None,
            backend: None,
            view: view_name(View::Overview),
            animation: true,
            wall: WallSettings::default(),
        }
    }
}

/// What the command line says; every `Some` wins over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub language: Option<Lang>,
    pub theme: Option<String>,
    pub profile: Option<Profile>,
    pub factory: Option<u32>,
    pub backend: Option<String>,
    pub view: Option<View>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("settings file {path}, line {line}, key `{key}`: {message}")]
    Invalid {
        path: String,
        line: usize,
        key: String,
        message: String,
    },
    #[error("cannot write the settings file {path}: {message}")]
    Write { path: String, message: String },
}

/// `~/.config/tianshu/config.toml` (or the platform's equivalent); `None` without a home.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "tianshu", "tianshu")
        .map(|d| d.config_dir().join("config.toml"))
}

pub fn view_name(view: View) -> String {
    clap::ValueEnum::to_possible_value(&view)
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

pub fn parse_view(name: &str) -> Option<View> {
    <View as clap::ValueEnum>::from_str(name.trim(), true).ok()
}

impl Settings {
    /// Reads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Settings::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(source) => Err(SettingsError::Read {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// Reads `path`, or gives the defaults and the sentence saying why they are used.
    pub fn load_or_default(path: &Path) -> (Settings, Option<String>) {
        match Settings::load(path) {
            Ok(s) => (s, None),
            Err(e) => {
                tracing::warn!("{e}");
                (Settings::default(), Some(e.to_string()))
            }
        }
    }

    /// Parses the text of a settings file called `path` (for messages) and checks its values.
    pub fn parse(text: &str, path: &str) -> Result<Settings, SettingsError> {
        let settings: Settings = toml::from_str(text).map_err(|e| {
            let (line, key) = locate(text, e.span().map(|s| s.start), e.message());
            SettingsError::Invalid {
                path: path.to_owned(),
                line,
                key,
                message: first_line(e.message()),
            }
        })?;
        settings
            .check()
            .map_err(|(key, value, message)| SettingsError::Invalid {
                path: path.to_owned(),
                line: line_of_setting(text, key, value.as_deref()),
                key: key.to_owned(),
                message,
            })?;
        Ok(settings)
    }

    /// Values serde cannot judge: (key, the value as written if it helps to find the line,
    /// what is wrong).
    fn check(&self) -> Result<(), (&'static str, Option<String>, String)> {
        if self.theme.trim().is_empty() {
            return Err(("theme", None, "give a theme name or a .toml file".into()));
        }
        if !self.theme.ends_with(".toml")
            && !crate::ui::theme::BUILT_IN
                .iter()
                .any(|(n, _)| *n == self.theme)
        {
            return Err((
                "theme",
                None,
                format!(
                    "{:?} is not a built-in theme (noc-dark, office-light, high-contrast) or a .toml file",
                    self.theme
                ),
            ));
        }
        if parse_view(&self.view).is_none() {
            return Err(("view", None, format!("{:?} is not a view", self.view)));
        }
        if self.wall.screens.len() > MAX_SCREENS {
            return Err((
                "screens",
                None,
                format!(
                    "at most {MAX_SCREENS} extra screens, not {}",
                    self.wall.screens.len()
                ),
            ));
        }
        for screen in &self.wall.screens {
            if screen.monitor > 63 {
                return Err((
                    "monitor",
                    Some(screen.monitor.to_string()),
                    format!("{} is not a monitor index (0 to 63)", screen.monitor),
                ));
            }
            let finite = |v: &Option<[f32; 2]>| v.is_none_or(|p| p.iter().all(|x| x.is_finite()));
            if !finite(&screen.position) {
                return Err(("position", None, "give two finite numbers [x, y]".into()));
            }
            match (screen.position, screen.size) {
                (Some(_), Some([w, h]))
                    if !(w >= 200.0 && h >= 200.0 && w <= 16384.0 && h <= 16384.0) =>
                {
                    return Err((
                        "size",
                        None,
                        format!("[{w}, {h}] is not a window size (200 to 16384 each way)"),
                    ));
                }
                (Some(_), None) => {
                    return Err((
                        "position",
                        None,
                        "give `size = [w, h]` with `position`".into(),
                    ));
                }
                (None, Some(_)) => {
                    return Err(("size", None, "give `position = [x, y]` with `size`".into()));
                }
                _ => {}
            }
        }
        let every_entry = self
            .wall
            .playlist
            .iter()
            .chain(self.wall.screens.iter().flat_map(|s| &s.playlist));
        for entry in every_entry {
            if entry.view().is_none() {
                return Err((
                    "view",
                    Some(format!("{:?}", entry.view)),
                    format!(
                        "{:?} is not a view (overview, latency, factories, agents, progress)",
                        entry.view
                    ),
                ));
            }
            if !(5..=3600).contains(&entry.dwell_s) {
                return Err((
                    "dwell_s",
                    Some(entry.dwell_s.to_string()),
                    format!("{} is outside 5..=3600 seconds", entry.dwell_s),
                ));
            }
        }
        if !(self.wall.scale.is_finite() && (0.5..=4.0).contains(&self.wall.scale)) {
            return Err((
                "scale",
                None,
                format!("{} is outside 0.5..=4", self.wall.scale),
            ));
        }
        if !(self.wall.shift_px.is_finite() && (0.0..=32.0).contains(&self.wall.shift_px)) {
            return Err((
                "shift_px",
                None,
                format!("{} is outside 0..=32 pixels", self.wall.shift_px),
            ));
        }
        if !(10..=86_400).contains(&self.wall.shift_every_s) {
            return Err((
                "shift_every_s",
                None,
                format!("{} is outside 10..=86400 seconds", self.wall.shift_every_s),
            ));
        }
        if let Some(url) = &self.backend
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err((
                "backend",
                None,
                format!("{url:?} is not an http:// or https:// URL"),
            ));
        }
        Ok(())
    }

    /// The file with the command line's flags on top.
    pub fn merged(mut self, o: &Overrides) -> Settings {
        if let Some(v) = o.language {
            self.language = v;
        }
        if let Some(v) = &o.theme {
            self.theme = v.clone();
        }
        if let Some(v) = o.profile {
            self.profile = v;
        }
        if let Some(v) = o.factory {
            self.factory = Some(v);
        }
        if let Some(v) = &o.backend {
            self.backend = Some(v.clone());
        }
        if let Some(v) = o.view {
            self.view = view_name(v);
        }
        self
    }

    /// The playlist's views that exist, with their dwell times (never empty).
    pub fn playlist(&self) -> Vec<(View, u64)> {
        resolve_playlist(&self.wall.playlist)
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string_pretty(self).unwrap_or_default();
        format!(
            "# Tianshu console settings. Command-line flags override these.\n\
             # language: en | zh-CN; theme: noc-dark | office-light | high-contrast | FILE.toml;\n\
             # profile: operator | wall | review | factory (with factory = ID).\n{body}"
        )
    }

    /// Writes the file (creating its folder) through a temporary file, so a crash never leaves
    /// half a file.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let err = |message: String| SettingsError::Write {
            path: path.display().to_string(),
            message,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, self.to_toml()).map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

/// The 1-based line of a byte offset and the key written there (with its table), or the key a
/// message names (`unknown field `x``, `missing field `x``).
pub fn locate(text: &str, offset: Option<usize>, message: &str) -> (usize, String) {
    let named = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field"))
        .map(str::to_owned);
    let Some(offset) = offset.map(|o| o.min(text.len())) else {
        return (0, named.unwrap_or_default());
    };
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let mut table = String::new();
    for l in before.lines() {
        let l = l.trim();
        if l.starts_with('[') && l.ends_with(']') {
            table = l.trim_matches(['[', ']']).trim().to_owned();
        }
    }
    let key = named.unwrap_or_else(|| {
        text.lines()
            .nth(line - 1)
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim().trim_matches('"').to_owned())
            .unwrap_or_default()
    });
    let key = if table.is_empty() || key.is_empty() {
        key
    } else {
        format!("{table}.{key}")
    };
    (line, key)
}

/// The first line that sets `key` — inline tables too — to something containing `value` when
/// given (1-based), or 0.
pub fn line_of_setting(text: &str, key: &str, value: Option<&str>) -> usize {
    text.lines()
        .position(|l| {
            let sets_key = l.match_indices(key).any(|(i, _)| {
                let before = l[..i].chars().next_back();
                let after = l[i + key.len()..].trim_start();
                before.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) && after.starts_with('=')
            });
            sets_key && value.is_none_or(|v| l.contains(v))
        })
        .map_or(0, |i| i + 1)
}

/// The first line that sets `key` (1-based), or 0.
pub fn line_of_key(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.split_once('=')
                .is_some_and(|(k, _)| k.trim().trim_matches('"') == key)
        })
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests;
