//! The wall (issue 18): pages designed for distance — every text at least 2.5 % of the screen's
//! height, headline figures at least 6 % — a "now" page that leads the playlist and holds it
//! while something critical is open, a visible dwell, no text over other text, and the wall's
//! other screens; kept as snapshots in English and Chinese.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tianshu::client::{ClientEvent, ConnectionState};
use tianshu::i18n::Lang;
use tianshu::settings::{PlaylistEntry, Profile, Settings};
use tianshu::ui::wall_pages::WallPage;
use tianshu::ui::{ConsoleApp, View};

mod console_support;
use console_support::*;

/// The wall with `views` after a "now" page of `now_dwell_s` (0: none), at its default scale.
fn wall_settings(views: &[(View, u64)], now_dwell_s: u64) -> Settings {
    let mut s = Settings {
        profile: Profile::Wall,
        ..Settings::default()
    };
    s.wall.playlist = views
        .iter()
        .map(|(v, dwell)| PlaylistEntry::new(*v, *dwell))
        .collect();
    s.wall.now_dwell_s = now_dwell_s;
    s
}

/// A wall showing only `page` (the "now" page, or a view's page), fed with every view's data.
fn wall_on(
    page: WallPage,
    lang: Lang,
    size: egui::Vec2,
    pending: bool,
) -> Harness<'static, ConsoleApp> {
    let view = View::ALL
        .into_iter()
        .find(|v| WallPage::for_view(*v) == page);
    let settings = match view {
        Some(v) => wall_settings(&[(v, 600)], 0),
        None => wall_settings(&[(View::Overview, 600)], 600),
    };
    let (mut harness, fixture) = console_with(settings, lang, size, 0.05);
    let snapshot = simulated_snapshot();
    let actions = if pending {
        vec![pending_action(900, snapshot.server_time)]
    } else {
        Vec::new()
    };
    connect(&fixture, snapshot_with(actions));
    every_view_data(&fixture);
    harness.run_steps(3);
    assert_eq!(harness.state().wall_page, Some(page));
    harness
}

const PAGES: [WallPage; 6] = [
    WallPage::Now,
    WallPage::Backbone,
    WallPage::Access,
    WallPage::Industry,
    WallPage::Agents,
    WallPage::Targets,
];

/// Every text the wall draws is at least 2.5 % of the screen's height and the headline figures
/// at least 6 %, on every page, in English and Chinese (the font sizes egui lays out, against
/// the screen's height in the same points).
#[test]
fn every_wall_text_is_readable_at_three_metres() {
    let size = egui::vec2(3840.0, 2160.0);
    for lang in [Lang::En, Lang::ZhCn] {
        for page in PAGES {
            for pending in [false, true] {
                let harness = wall_on(page, lang, size, pending);
                let height = size.y / harness.ctx.pixels_per_point();
                let texts = drawn_texts(harness.output());
                assert!(texts.len() >= 4, "{page:?} {lang:?}: {texts:?}");
                let (smallest, text) = texts.iter().map(|(_, t, s)| (*s, t.clone())).fold(
                    (f32::INFINITY, String::new()),
                    |a, b| {
                        if b.0 < a.0 { b } else { a }
                    },
                );
                assert!(
                    smallest / height >= 0.025,
                    "{page:?} {lang:?}: {text:?} is {:.1} % of the height",
                    100.0 * smallest / height
                );
                let largest = texts.iter().map(|(_, _, s)| *s).fold(0.0, f32::max);
                assert!(
                    largest / height >= 0.06,
                    "{page:?} {lang:?}: headline {largest}"
                );
            }
        }
    }
}

/// No text is drawn over other text on any page, from a laptop to a 4K wall, connected or stale,
/// in both languages.
#[test]
fn no_wall_text_is_drawn_over_other_text() {
    for size in [
        egui::vec2(1280.0, 720.0),
        egui::vec2(1920.0, 1080.0),
        egui::vec2(3840.0, 2160.0),
    ] {
        for lang in [Lang::En, Lang::ZhCn] {
            for page in PAGES {
                let mut harness = wall_on(page, lang, size, true);
                let over = overlapping(&drawn_texts(harness.output()));
                assert!(over.is_empty(), "{size:?} {lang:?} {page:?}: {over:?}");
                // The backend goes away: the header says since when, still nothing overlaps.
                harness.state_mut().state.apply(
                    ClientEvent::Connection(ConnectionState::Reconnecting {
                        attempt: 3,
                        retry_in: Duration::from_secs(8),
                        reason: "connection refused".into(),
                    }),
                    std::time::Instant::now(),
                );
                harness.run_steps(2);
                let texts = drawn_texts(harness.output());
                let stale = if lang == Lang::En {
                    "STALE since"
                } else {
                    "起数据过期"
                };
                assert!(
                    texts.iter().any(|(_, t, _)| t.contains(stale)),
                    "{size:?} {lang:?} {page:?}: {texts:?}"
                );
                let over = overlapping(&texts);
                assert!(
                    over.is_empty(),
                    "{size:?} {lang:?} {page:?} stale: {over:?}"
                );
            }
        }
    }
}

/// The "now" page leads; the pages follow after their dwell; where the wall is shows in its
/// header.
#[test]
fn the_now_page_leads_and_the_pages_rotate_after_their_dwell() {
    let settings = wall_settings(&[(View::Latency, 10), (View::Progress, 20)], 5);
    let (mut harness, fixture) = console_with(settings, Lang::En, egui::vec2(1920.0, 1080.0), 1.0);
    connect(&fixture, simulated_snapshot());
    harness.run_steps(2);
    assert_eq!(harness.state().wall_page, Some(WallPage::Now));
    harness.get_by_label("1 of 3");
    harness.get_by_label("SIMULATED");
    harness.get_by_label("LIVE");
    // One step is one second of egui time: record when the page changes.
    let mut switches = Vec::new();
    let mut last = harness.state().wall_page;
    for _ in 0..80 {
        harness.step();
        let page = harness.state().wall_page;
        if page != last {
            switches.push((harness.ctx.input(|i| i.time), page));
            last = page;
        }
    }
    let pages: Vec<_> = switches.iter().map(|(_, p)| p.unwrap()).collect();
    assert_eq!(
        pages[..4],
        [
            WallPage::Access,
            WallPage::Targets,
            WallPage::Now,
            WallPage::Access
        ],
        "{switches:?}"
    );
    let dwell = |i: usize| switches[i + 1].0 - switches[i].0;
    assert!((dwell(0) - 10.0).abs() <= 1.0, "{switches:?}");
    assert!((dwell(1) - 20.0).abs() <= 1.0, "{switches:?}");
    assert!((dwell(2) - 5.0).abs() <= 1.0, "{switches:?}");
}

fn stream(fixture: &Fixture, id: u64, t: i64, kind: tianshu::api::EventKind) {
    fixture
        .to_ui
        .try_send(ClientEvent::Stream(Box::new(tianshu::api::Event {
            id,
            server_time: t,
            kind,
        })))
        .expect("send");
}

/// Pending decisions are listed oldest first with their countdown; a critical one holds the
/// wall on the "now" page until it is decided; with nothing open it says "all normal".
#[test]
fn a_critical_decision_holds_the_wall_on_the_now_page_until_it_is_decided() {
    let settings = wall_settings(&[(View::Overview, 10)], 5);
    let (mut harness, fixture) = console_with(settings, Lang::En, egui::vec2(1920.0, 1080.0), 1.0);
    let snapshot = simulated_snapshot();
    let t = snapshot.server_time;
    let mut older = pending_action(901, t);
    older.created_at = t - 120_000;
    older.summary_en = "Older reroute".into();
    let mut newer = pending_action(902, t);
    newer.created_at = t - 10_000;
    newer.summary_en = "Newer reroute".into();
    connect(&fixture, snapshot_with(vec![newer, older]));
    harness.run_steps(2);
    harness.get_by_label("2 items need attention");
    let texts = drawn_texts(harness.output());
    let y = |needle: &str| {
        texts
            .iter()
            .find(|(_, t, _)| t.contains(needle))
            .map(|(r, _, _)| r.min.y)
            .unwrap_or_else(|| panic!("{needle} on the page: {texts:?}"))
    };
    assert!(y("Older reroute") < y("Newer reroute"), "oldest first");
    assert!(
        texts.iter().any(|(_, t, _)| t.starts_with("expires in ")),
        "{texts:?}"
    );
    // Nothing critical: the playlist moves on.
    harness.run_steps(6);
    assert_eq!(harness.state().wall_page, Some(WallPage::Backbone));

    // A critical action arrives: the wall goes to the "now" page and stays there.
    let mut critical = pending_action(903, t);
    critical.risk = tianshu::api::Risk::Critical;
    critical.summary_en = "Isolate flooded site".into();
    let proposed = tianshu::api::EventKind::ActionProposed {
        action: critical.clone(),
    };
    stream(&fixture, u64::MAX / 4, t, proposed);
    harness.run_steps(2);
    assert_eq!(harness.state().wall_page, Some(WallPage::Now));
    harness.get_by_label_contains("CRITICAL");
    harness.get_by_label("Critical: playlist held");
    harness.run_steps(30);
    assert_eq!(harness.state().wall_page, Some(WallPage::Now), "held");
    // Decided: the playlist goes on.
    let mut decided = critical;
    decided.state = tianshu::api::ActionState::Rejected;
    decided.version += 1;
    let updated = tianshu::api::EventKind::ActionUpdated { action: decided };
    stream(&fixture, u64::MAX / 4 + 1, t, updated);
    harness.run_steps(7);
    assert_eq!(harness.state().wall_page, Some(WallPage::Backbone));

    // Nothing open: all normal, in large type.
    let (mut calm, fixture) = console_with(
        wall_settings(&[(View::Overview, 10)], 5),
        Lang::ZhCn,
        egui::vec2(1920.0, 1080.0),
        1.0,
    );
    connect(&fixture, snapshot_with(Vec::new()));
    calm.run_steps(2);
    calm.get_by_label("一切正常");
}

/// A second screen runs its own playlist of pages (no "now" page), from the main window's data.
#[test]
fn a_second_wall_screen_runs_its_own_playlist() {
    use tianshu::settings::ScreenSettings;
    let mut settings = wall_settings(&[(View::Latency, 10), (View::Progress, 20)], 5);
    settings.wall.scale = 1.0;
    settings.wall.screens = vec![ScreenSettings::on_monitor(
        1,
        vec![
            PlaylistEntry::new(View::Agents, 15),
            PlaylistEntry::new(View::Overview, 15),
            PlaylistEntry::new(View::Factories, 15),
        ],
    )];
    let (mut harness, fixture) = console_with(settings, Lang::En, egui::vec2(1600.0, 900.0), 1.0);
    connect(&fixture, simulated_snapshot());
    harness.run_steps(2);
    // Under test the second window is embedded in the first: both headers are there.
    assert_eq!(harness.query_all_by_label("1 of 3").count(), 2);
    harness.get_by_label("Agents and decisions");
    // The screen folds the main window's events into its own state: live too.
    assert_eq!(harness.query_all_by_label("SIMULATED").count(), 2);
    assert_eq!(harness.query_all_by_label("LIVE").count(), 2);
    harness.run_steps(16);
    harness.get_by_label("Backbone and hubs");
}

/// Every page at 3840×2160, in English and Chinese, as the wall shows it.
#[test]
fn wall_pages_snapshots() {
    let mut results = egui_kittest::SnapshotResults::new();
    for lang in [Lang::En, Lang::ZhCn] {
        for page in PAGES {
            let mut harness = wall_on(page, lang, egui::vec2(3840.0, 2160.0), true);
            let tag = if lang == Lang::En { "en" } else { "zh" };
            harness.snapshot(format!("wall_{page:?}_{tag}").to_lowercase());
            results.extend_harness(&mut harness);
        }
    }
}

/// The last `Fullscreen` command any viewport got in the harness's last frame.
fn fullscreen_command(harness: &Harness<'static, ConsoleApp>) -> Option<bool> {
    harness
        .output()
        .viewport_output
        .values()
        .flat_map(|v| v.commands.iter())
        .find_map(|c| match c {
            egui::ViewportCommand::Fullscreen(on) => Some(*on),
            _ => None,
        })
}

fn step_until_fullscreen_command(harness: &mut Harness<'static, ConsoleApp>) -> Option<bool> {
    for _ in 0..4 {
        harness.step();
        if let Some(on) = fullscreen_command(harness) {
            return Some(on);
        }
    }
    None
}

#[test]
fn switching_to_the_wall_at_runtime_goes_full_screen_at_once_and_back_when_leaving() {
    use tianshu::settings::Profile;
    // Large enough for the settings panel at the wall's 2× scale.
    let (mut harness, fixture) = console(View::Overview, egui::vec2(2400.0, 1800.0));
    connect(&fixture, simulated_snapshot());
    harness.run_steps(2);
    assert_eq!(
        fullscreen_command(&harness),
        None,
        "nothing at start: the window was built for its profile"
    );
    harness.get_by_label("Settings").click();
    harness.run_steps(2);
    harness.get_by_label("Wall").click();
    harness.run_steps(1);
    harness.get_by_label("Apply and save").click();
    assert_eq!(step_until_fullscreen_command(&mut harness), Some(true));
    assert_eq!(harness.state().profile(), Profile::Wall);
    // The wall's 2× scale may push the panel's Close button off screen: the keyboard closes it.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
    harness.run_steps(2);
    // The wall: no navigation, no settings button, no map controls.
    assert!(harness.query_by_label("Settings").is_none());
    assert!(harness.query_by_label("Reset view").is_none());
    harness.get_by_label_contains(" of 6");
    // From the keyboard: Ctrl+, opens the settings; back to the operator's desk.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
    harness.run_steps(2);
    harness.get_by_label("Operator").click();
    harness.run_steps(1);
    harness.get_by_label("Apply and save").click();
    assert_eq!(step_until_fullscreen_command(&mut harness), Some(false));
    assert_eq!(harness.state().profile(), Profile::Operator);
    harness.get_by_label("Close").click();
    harness.run_steps(2);
    harness.get_by_label("Reset view");
}

#[test]
fn leaving_the_wall_keeps_full_screen_asked_for_on_the_command_line() {
    let (mut harness, fixture) = console(View::Overview, egui::vec2(2400.0, 1800.0));
    harness.state_mut().set_fullscreen_flag(true);
    connect(&fixture, simulated_snapshot());
    harness.run_steps(2);
    for (profile, expected) in [("Wall", true), ("Operator", true)] {
        if profile == "Operator" {
            harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
        } else {
            harness.get_by_label("Settings").click();
        }
        harness.run_steps(2);
        harness.get_by_label(profile).click();
        harness.run_steps(1);
        harness.get_by_label("Apply and save").click();
        assert_eq!(
            step_until_fullscreen_command(&mut harness),
            Some(expected),
            "{profile}"
        );
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
        harness.run_steps(2);
    }
}

/// The wall needs no pointer: no page shows a button, a field, a slider, a list or a check box.
#[test]
fn no_wall_page_shows_a_control_that_needs_a_pointer() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::{By, NodeT as _};
    for page in PAGES {
        let harness = wall_on(page, Lang::En, egui::vec2(1920.0, 1080.0), true);
        let controls: Vec<String> = harness
            .query_all(By::new().predicate(|n| {
                matches!(
                    n.role(),
                    Role::Button
                        | Role::CheckBox
                        | Role::RadioButton
                        | Role::TextInput
                        | Role::Slider
                        | Role::SpinButton
                        | Role::ComboBox
                )
            }))
            .map(|n| format!("{:?}", n.accesskit_node().label()))
            .collect();
        assert_eq!(controls, Vec::<String>::new(), "{page:?}");
    }
}

/// With many things open the "now" page lists as many as the screen holds — every row on screen,
/// none over another — and counts the rest.
#[test]
fn the_now_page_fills_the_screen_and_counts_the_rest() {
    for size in [egui::vec2(1280.0, 720.0), egui::vec2(3840.0, 2160.0)] {
        let settings = wall_settings(&[(View::Overview, 600)], 600);
        let (mut harness, fixture) = console_with(settings, Lang::En, size, 0.05);
        let t = simulated_snapshot().server_time;
        let actions = (0..30)
            .map(|i| {
                let mut a = pending_action(1_000 + i, t);
                a.created_at = t - 1_000 * i as i64;
                a
            })
            .collect();
        connect(&fixture, snapshot_with(actions));
        harness.run_steps(3);
        harness.get_by_label("30 items need attention");
        let texts = drawn_texts(harness.output());
        let rows = texts
            .iter()
            .filter(|(_, t, _)| t.starts_with("Reroute test traffic"))
            .count();
        assert!((3..=14).contains(&rows), "{size:?}: {rows} rows");
        let more = format!("+ {} more", 30 - rows);
        assert!(
            texts.iter().any(|(_, t, _)| *t == more),
            "{size:?}: {more:?} in {texts:?}"
        );
        let height = size.y / harness.ctx.pixels_per_point();
        // Nothing cut off at the bottom: every row is whole (a clipped row is shorter than its
        // font) and above the screen's edge.
        assert!(
            texts
                .iter()
                .all(|(r, _, font)| r.max.y <= height && r.height() >= font * 0.9),
            "{size:?}: all on screen, whole"
        );
        assert_eq!(overlapping(&texts), Vec::<String>::new(), "{size:?}");
    }
}
