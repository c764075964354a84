//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::*;

#[test]
fn defaults_round_trip_through_the_file() {
    let s = Settings::default();
    let back = Settings::parse(&s.to_toml(), "x").unwrap();
    assert_eq!(back, s);
    assert_eq!(Settings::parse("", "x").unwrap(), s);
}

#[test]
fn a_partial_file_keeps_the_rest_default_and_flags_win() {
    let text = "language = \"zh-CN\"\nprofile = \"wall\"\n\n[wall]\nplaylist = [\n  { view = \"latency\", dwell_s = 20 },\n  { view = \"progress\", dwell_s = 40 },\n]\n";
    let s = Settings::parse(text, "config.toml").unwrap();
    assert_eq!(s.language, Lang::ZhCn);
    assert_eq!(s.profile, Profile::Wall);
    assert_eq!(s.theme, "noc-dark");
    assert_eq!(s.playlist(), [(View::Latency, 20), (View::Progress, 40)]);
    let merged = s.merged(&Overrides {
        language: Some(Lang::En),
        theme: Some("office-light".into()),
        ..Overrides::default()
    });
    assert_eq!(merged.language, Lang::En);
    assert_eq!(merged.theme, "office-light");
    assert_eq!(merged.profile, Profile::Wall, "no flag: the file's value");
}

#[test]
fn errors_name_file_line_and_key() {
    let bad_type = "language = \"en\"\ntheme = 7\n";
    let e = Settings::parse(bad_type, "/home/x/config.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("/home/x/config.toml"), "{e}");
    assert!(e.contains("line 2"), "{e}");
    assert!(e.contains("`theme`"), "{e}");

    let unknown = "language = \"en\"\n\n[wall]\nscale = 2.0\nblink = true\n";
    let e = Settings::parse(unknown, "c.toml").unwrap_err().to_string();
    assert!(e.contains("line 5"), "{e}");
    assert!(e.contains("blink"), "{e}");

    let bad_lang = "language = \"fr\"\n";
    let e = Settings::parse(bad_lang, "c.toml").unwrap_err().to_string();
    assert!(e.contains("line 1") && e.contains("`language`"), "{e}");

    let bad_view = "[wall]\nplaylist = [{ view = \"nowhere\", dwell_s = 30 }]\n";
    let e = Settings::parse(bad_view, "c.toml").unwrap_err().to_string();
    assert!(e.contains("line 2") && e.contains("nowhere"), "{e}");

    let screens = "[wall]\nscale = 2.0\n\n[[wall.screens]]\nmonitor = 1\nplaylist = [{ view = \"latency\", dwell_s = 20 }]\n\n[[wall.screens]]\nmonitor = 2\nplaylist = [{ view = \"nowhere\", dwell_s = 20 }]\n";
    let e = Settings::parse(screens, "c.toml").unwrap_err().to_string();
    assert!(e.contains("line 10") && e.contains("nowhere"), "{e}");
    let ok = screens.replace("nowhere", "agents");
    let s = Settings::parse(&ok, "c.toml").unwrap();
    assert_eq!(s.wall.screens.len(), 2);
    assert_eq!(
        resolve_playlist(&s.wall.screens[1].playlist),
        [(View::Agents, 20)]
    );

    // A screen by rectangle: position and size together, a size a window can have.
    let rect = "[[wall.screens]]\nposition = [3840.0, 0.0]\nsize = [3840.0, 2160.0]\nplaylist = [{ view = \"latency\", dwell_s = 20 }]\n";
    let s = Settings::parse(rect, "c.toml").unwrap();
    assert_eq!(s.wall.screens[0].position, Some([3840.0, 0.0]));
    let tiny = rect.replace("[3840.0, 2160.0]", "[10.0, 10.0]");
    let e = Settings::parse(&tiny, "c.toml").unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("`size`"), "{e}");
    let alone = rect.replace("size = [3840.0, 2160.0]\n", "");
    let e = Settings::parse(&alone, "c.toml").unwrap_err().to_string();
    assert!(e.contains("`position`") && e.contains("give `size"), "{e}");

    let short = "[wall]\nplaylist = [{ view = \"agents\", dwell_s = 1 }]\n";
    let e = Settings::parse(short, "c.toml").unwrap_err().to_string();
    assert!(e.contains("dwell_s"), "{e}");

    assert!(Settings::parse("not [ toml", "c.toml").is_err());
}

#[test]
fn a_broken_file_falls_back_to_defaults_and_saving_round_trips() {
    let dir = std::env::temp_dir().join(format!("tianshu-settings-{}", std::process::id()));
    let path = dir.join("sub").join("config.toml");
    let (s, warning) = Settings::load_or_default(&path);
    assert_eq!(s, Settings::default());
    assert!(warning.is_none(), "a missing file is not an error");

    let mut s = Settings {
        language: Lang::ZhCn,
        ..Settings::default()
    };
    s.wall.playlist = vec![PlaylistEntry::new(View::Agents, 15)];
    s.save(&path).unwrap();
    assert_eq!(Settings::load(&path).unwrap(), s);

    std::fs::write(&path, "language = \n").unwrap();
    let (s, warning) = Settings::load_or_default(&path);
    assert_eq!(s, Settings::default());
    let warning = warning.unwrap();
    assert!(
        warning.contains("config.toml") && warning.contains("line 1"),
        "{warning}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
