//! Who the console is set up for (the profile), and what that changes around the views: the
//! wall's playlist, scale and burn-in shift, its dimmed last picture when the backend is gone;
//! the settings panel that edits and saves the config file; and the startup warnings (a broken
//! settings or theme file) that say why the defaults are in use.
//!
//! The views themselves are unchanged; this module decides which one shows and how.

use std::path::PathBuf;
use std::time::Duration;

use egui::{RichText, Vec2};

use super::View;
use super::theme::Theme;
use crate::i18n::{I18n, Lang};
use crate::settings::{PlaylistEntry, Profile, Settings, parse_view, view_name};

/// Longest playlist the settings panel lets one build.
const MAX_PLAYLIST: usize = 12;
/// Most user theme files the settings panel lists.
const MAX_THEME_FILES: usize = 32;

/// Where the user's own theme files live: `themes/` beside the settings file.
pub fn user_themes_dir(config_path: &std::path::Path) -> Option<PathBuf> {
    config_path.parent().map(|dir| dir.join("themes"))
}

/// The `.toml` files in `dir` (sorted by name, at most [`MAX_THEME_FILES`]); none when the
/// folder does not exist or cannot be read.
pub fn theme_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .take(MAX_THEME_FILES * 4)
        .collect();
    files.sort();
    files.truncate(MAX_THEME_FILES);
    files
}

/// The profile and its running state.
#[derive(Default)]
pub struct Audience {
    pub settings: Settings,
    /// Where "Save" writes; `None`: no home folder (saving is then refused with a message).
    pub config_path: Option<PathBuf>,
    /// Sentences shown until dismissed (a broken config or theme file).
    pub warnings: Vec<String>,
    pub settings_open: bool,
    /// The form of the settings panel, applied on "Apply".
    draft: Option<Settings>,
    /// What the last save did: the file, or why not (`None`: no home folder).
    saved: Option<Result<String, Option<String>>>,
    /// Where the main window's playlist is.
    playlist: super::wall::Playlist,
    /// The wall's other monitors.
    pub screens: Vec<super::wall::WallScreen>,
    zoom_applied: Option<f32>,
    animation_applied: Option<bool>,
    /// The profile the window and the extra screens are set up for (`None`: not yet).
    pub window_profile: Option<Profile>,
    /// Full screen asked for on the command line: leaving the wall keeps it.
    pub fullscreen_flag: bool,
    /// The user's theme files, listed when the settings panel opens.
    theme_files: Vec<PathBuf>,
}

/// What the settings panel asks the app to change.
#[derive(Debug, Default)]
pub struct Applied {
    pub language: Option<Lang>,
    pub theme: Option<Theme>,
}

impl Audience {
    pub fn new(settings: Settings, config_path: Option<PathBuf>, warnings: Vec<String>) -> Self {
        Self {
            settings,
            config_path,
            warnings,
            ..Self::default()
        }
    }

    pub fn profile(&self) -> Profile {
        self.settings.profile
    }

    /// Opens the settings panel, or closes it and forgets the unapplied form.
    pub fn toggle_settings(&mut self) {
        self.settings_open = !self.settings_open;
        if !self.settings_open {
            self.draft = None;
            self.saved = None;
        }
    }

    /// Scales the wall (once, and again when the setting changes); other profiles at 1.
    pub fn apply_zoom(&mut self, ctx: &egui::Context) {
        let zoom = if self.profile() == Profile::Wall {
            self.settings.wall.scale
        } else {
            1.0
        };
        if self.zoom_applied != Some(zoom) {
            self.zoom_applied = Some(zoom);
            ctx.set_zoom_factor(zoom);
        }
        // Animations off: egui's transitions end at once (views with animations of their own,
        // like the overview's moving dashes, keep their own switch).
        let animation = self.settings.animation;
        if self.animation_applied != Some(animation) {
            self.animation_applied = Some(animation);
            ctx.global_style_mut(|style| {
                style.animation_time = if animation { 0.2 } else { 0.0 };
            });
        }
    }

    /// The wall's view now: the playlist moves on when the current view's dwell time is over,
    /// and a repaint is asked for at the next switch (nothing sooner).
    /// The wall's page now and where it is in the playlist: the "now" page leads; `critical`
    /// holds the wall on it until nothing critical is open.
    pub fn wall_page(
        &mut self,
        ctx: &egui::Context,
        critical: bool,
    ) -> (super::wall_pages::WallPage, super::wall_pages::Dwell) {
        use super::wall_pages::{Dwell, WallPage, playlist};
        let entries = playlist(&self.settings.playlist(), self.settings.wall.now_dwell_s);
        let now = ctx.input(|i| i.time);
        if critical {
            self.playlist.hold(now);
            let (_, len) = self.playlist.position(entries.len());
            return (
                WallPage::Now,
                Dwell {
                    position: 1,
                    len,
                    gone: 1.0,
                    held: true,
                },
            );
        }
        let page = self.playlist.current(&entries, WallPage::Now, ctx);
        let (position, len) = self.playlist.position(entries.len());
        (
            page,
            Dwell {
                position,
                len,
                gone: self.playlist.gone(&entries, now),
                held: false,
            },
        )
    }

    /// The shift of the whole wall against burn-in: a step around a small square every
    /// `shift_every_s` seconds (with a repaint asked for at the next step).
    pub fn burn_in_offset(&self, ctx: &egui::Context) -> Vec2 {
        let w = &self.settings.wall;
        if self.profile() != Profile::Wall || w.shift_px <= 0.0 {
            return Vec2::ZERO;
        }
        let now = ctx.input(|i| i.time);
        let every = w.shift_every_s.max(1) as f64;
        let step = (now / every).floor() as i64;
        let next = (step + 1) as f64 * every - now;
        ctx.request_repaint_after(Duration::from_secs_f64(next.max(0.05)));
        // Eight positions around the square, so every pixel rests in turn.
        const PATH: [(f32, f32); 8] = [
            (0.0, 0.0),
            (1.0, 0.0),
            (1.0, 1.0),
            (0.0, 1.0),
            (-1.0, 1.0),
            (-1.0, 0.0),
            (-1.0, -1.0),
            (0.0, -1.0),
        ];
        let (x, y) = PATH[step.rem_euclid(PATH.len() as i64) as usize];
        egui::vec2(x, y) * w.shift_px
    }

    /// Startup warnings, each with a button to dismiss it.
    pub fn warnings_ui(&mut self, ui: &mut egui::Ui, i18n: &I18n, theme: &Theme) {
        if self.warnings.is_empty() {
            return;
        }
        let mut dismiss = None;
        egui::Panel::top("settings_warnings").show(ui, |ui| {
            for (i, w) in self.warnings.iter().enumerate() {
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        RichText::new(i18n.tr("settings-warning"))
                            .color(theme.warn)
                            .strong(),
                    );
                    ui.label(RichText::new(w).color(theme.text));
                    if !super::wall::is_wall(ui)
                        && ui.small_button(i18n.tr("notice-dismiss")).clicked()
                    {
                        dismiss = Some(i);
                    }
                });
            }
        });
        if let Some(i) = dismiss {
            self.warnings.remove(i);
        }
    }

    /// The settings panel; returns what to apply to the running console.
    pub fn settings_ui(&mut self, ui: &mut egui::Ui, i18n: &I18n, theme: &Theme) -> Applied {
        let mut applied = Applied::default();
        if self.draft.is_none() {
            // Listed once per opening of the panel: a small local folder.
            self.theme_files = self
                .config_path
                .as_deref()
                .and_then(user_themes_dir)
                .map(|dir| theme_files(&dir))
                .unwrap_or_default();
        }
        let draft = self.draft.get_or_insert_with(|| self.settings.clone());
        ui.horizontal(|ui| {
            ui.heading(i18n.tr("settings-title"));
            if let Some(path) = &self.config_path {
                ui.label(
                    RichText::new(i18n.tr_args(
                        "settings-file",
                        &[("path", path.display().to_string().into())],
                    ))
                    .color(theme.text_dim),
                );
            }
        });
        ui.separator();
        egui::Grid::new("settings_form")
            .num_columns(2)
            .spacing([24.0, 12.0])
            .show(ui, |ui| {
                ui.label(i18n.tr("settings-language"));
                ui.horizontal(|ui| {
                    ui.radio_value(&mut draft.language, Lang::En, "English");
                    ui.radio_value(&mut draft.language, Lang::ZhCn, "简体中文");
                });
                ui.end_row();

                ui.label(i18n.tr("settings-theme"));
                ui.vertical(|ui| {
                    ui.horizontal_wrapped(|ui| {
                        for (name, _) in super::theme::BUILT_IN {
                            ui.radio_value(&mut draft.theme, name.to_owned(), name);
                        }
                        // The user's files, by file name; a file given by flag or in the
                        // settings file elsewhere is listed too.
                        let mut files: Vec<String> = self
                            .theme_files
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect();
                        if draft.theme.ends_with(".toml") && !files.contains(&draft.theme) {
                            files.push(draft.theme.clone());
                        }
                        for path in files {
                            let name = std::path::Path::new(&path)
                                .file_name()
                                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
                            ui.radio_value(&mut draft.theme, path.clone(), name)
                                .on_hover_text(&path);
                        }
                    });
                    if let Some(dir) = self.config_path.as_deref().and_then(user_themes_dir) {
                        ui.label(
                            RichText::new(i18n.tr_args(
                                "audiences-theme-folder",
                                &[("path", dir.display().to_string().into())],
                            ))
                            .color(theme.text_dim),
                        );
                    }
                });
                ui.end_row();

                ui.label(i18n.tr("settings-profile"));
                ui.horizontal(|ui| {
                    for p in Profile::ALL {
                        ui.radio_value(&mut draft.profile, p, i18n.tr(p.label_id()));
                    }
                });
                ui.end_row();

                let label = ui.label(i18n.tr("settings-factory"));
                let mut id = draft.factory.unwrap_or(0);
                if ui
                    .add(egui::DragValue::new(&mut id).range(0..=u32::MAX))
                    .labelled_by(label.id)
                    .changed()
                {
                    draft.factory = (id > 0).then_some(id);
                }
                ui.end_row();

                ui.label(i18n.tr("settings-animation"));
                ui.checkbox(&mut draft.animation, i18n.tr("settings-animation-on"));
                ui.end_row();

                let label = ui.label(i18n.tr("settings-backend"));
                let mut url = draft.backend.clone().unwrap_or_default();
                if ui
                    .add(
                        egui::TextEdit::singleline(&mut url)
                            .hint_text(i18n.tr("settings-backend-embedded"))
                            .desired_width(360.0),
                    )
                    .labelled_by(label.id)
                    .changed()
                {
                    draft.backend = (!url.trim().is_empty()).then(|| url.trim().to_owned());
                }
                ui.end_row();

                ui.label(i18n.tr("settings-playlist"));
                playlist_ui(ui, &mut draft.wall.playlist, i18n);
                ui.end_row();

                let label = ui.label(i18n.tr("settings-wall-scale"));
                ui.add(egui::Slider::new(&mut draft.wall.scale, 1.0..=3.0).step_by(0.1))
                    .labelled_by(label.id);
                ui.end_row();
            });
        ui.label(RichText::new(i18n.tr("settings-restart-note")).color(theme.text_dim));
        ui.separator();
        let mut close = false;
        ui.horizontal(|ui| {
            if ui.button(i18n.tr("settings-apply-save")).clicked() {
                let draft = self.draft.clone().unwrap_or_default();
                if draft.language != self.settings.language {
                    applied.language = Some(draft.language);
                }
                if draft.theme != self.settings.theme {
                    match Theme::load_or_default(&draft.theme) {
                        Ok((theme, warning)) => {
                            applied.theme = Some(theme);
                            self.warnings.extend(warning);
                        }
                        Err(e) => self.warnings.push(e.to_string()),
                    }
                }
                if draft.wall.playlist != self.settings.wall.playlist {
                    self.playlist.restart();
                }
                self.settings = draft;
                self.saved = Some(match &self.config_path {
                    // A few hundred bytes: written at once, through a temporary file.
                    Some(path) => self
                        .settings
                        .save(path)
                        .map(|()| path.display().to_string())
                        .map_err(|e| Some(e.to_string())),
                    None => Err(None),
                });
            }
            if ui.button(i18n.tr("settings-close")).clicked() {
                close = true;
            }
        });
        match &self.saved {
            Some(Ok(path)) => {
                ui.label(
                    RichText::new(i18n.tr_args("settings-saved", &[("path", path.clone().into())]))
                        .color(theme.ok),
                );
            }
            Some(Err(why)) => {
                let why = why.clone().unwrap_or_else(|| i18n.tr("settings-no-home"));
                ui.label(RichText::new(why).color(theme.danger));
            }
            None => {}
        }
        if close {
            self.settings_open = false;
            self.draft = None;
            self.saved = None;
        }
        applied
    }
}

fn playlist_ui(ui: &mut egui::Ui, playlist: &mut Vec<PlaylistEntry>, i18n: &I18n) {
    ui.vertical(|ui| {
        let mut remove = None;
        for (i, entry) in playlist.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                let current = parse_view(&entry.view).unwrap_or_default();
                let mut chosen = current;
                // The stop's number names its view picker (screen readers, tests).
                let number = ui.label(format!("{}.", i + 1));
                egui::ComboBox::from_id_salt(("playlist_view", i))
                    .selected_text(i18n.tr(current.label_id()))
                    .show_ui(ui, |ui| {
                        for v in View::ALL {
                            ui.selectable_value(&mut chosen, v, i18n.tr(v.label_id()));
                        }
                    })
                    .response
                    .labelled_by(number.id);
                if chosen != current {
                    entry.view = view_name(chosen);
                }
                let label = ui.label(i18n.tr("settings-dwell"));
                ui.add(egui::DragValue::new(&mut entry.dwell_s).range(5..=3600))
                    .labelled_by(label.id);
                if ui.small_button(i18n.tr("settings-remove")).clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            playlist.remove(i);
        }
        if playlist.len() < MAX_PLAYLIST && ui.button(i18n.tr("settings-add-view")).clicked() {
            playlist.push(PlaylistEntry::new(View::Overview, 30));
        }
    });
}

/// Greys the last picture while the data is not live (drawn over `rect`).
pub fn dim_overlay(ui: &egui::Ui, rect: egui::Rect, theme: &Theme) {
    ui.painter()
        .rect_filled(rect, 0.0, theme.background.gamma_multiply(0.6));
}

/// The factory profile's top line: title and the one plant — no way to other plants' views;
/// language and settings stay.
pub fn plant_top_bar(
    ui: &mut egui::Ui,
    i18n: &I18n,
    theme: &Theme,
    factory: Option<u32>,
) -> super::shell::TopBarOut {
    let mut out = super::shell::TopBarOut::default();
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(i18n.tr("app-title"))
                    .text_style(egui::TextStyle::Heading)
                    .color(theme.accent)
                    .strong(),
            );
            ui.add_space(16.0);
            let title = match factory {
                Some(id) => i18n.tr_args("plant-nav", &[("id", id.into())]),
                None => i18n.tr("plant-none"),
            };
            ui.label(
                RichText::new(title)
                    .text_style(egui::TextStyle::Heading)
                    .strong(),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(i18n.tr("settings-open")).clicked() {
                    out.open_settings = true;
                }
                if ui.button(i18n.tr("lang-toggle")).clicked() {
                    out.toggle_language = true;
                }
            });
        });
    });
    out
}
