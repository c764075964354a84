//! The real binary in a real window: start `tianshu --screenshot` under Xvfb (Mesa renders it
//! without a GPU) and check the picture shows something.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Display {
    name: String,
    server: Option<Child>,
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(server) = self.server.as_mut() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

/// The display to use: `$DISPLAY` if set, else a private Xvfb started here.
fn display() -> Option<Display> {
    if let Ok(name) = std::env::var("DISPLAY")
        && !name.is_empty()
    {
        return Some(Display { name, server: None });
    }
    let number = 90 + std::process::id() % 100;
    let server = Command::new("Xvfb")
        .args([
            format!(":{number}"),
            "-screen".into(),
            "0".into(),
            "1600x1000x24".into(),
            "-nolisten".into(),
            "tcp".into(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !socket.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Display {
        name: format!(":{number}"),
        server: Some(server),
    })
}

#[test]
fn the_console_window_shows_the_map_with_data() {
    let Some(display) = display() else {
        if std::env::var("TIANSHU_SKIP_GUI").is_ok_and(|v| v == "1") {
            eprintln!("skipped: no DISPLAY and no Xvfb (TIANSHU_SKIP_GUI=1)");
            return;
        }
        panic!(
            "no DISPLAY and no Xvfb: install xvfb and mesa-vulkan-drivers (see README), or set TIANSHU_SKIP_GUI=1 to skip"
        );
    };
    let dir = std::env::temp_dir().join(format!("tianshu-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let png = dir.join("overview.png");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_tianshu"))
        .args([
            "--view",
            "overview",
            "--size",
            "1280x800",
            "--speed",
            "600",
            "--factories",
            "20000",
            "--screenshot",
        ])
        .arg(&png)
        .env("DISPLAY", &display.name)
        .env("XDG_RUNTIME_DIR", &dir)
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tianshu --screenshot failed: {stderr}"
    );
    eprintln!(
        "screenshot taken in {:.1} s",
        started.elapsed().as_secs_f32()
    );
    let image = image::open(&png).expect("a PNG was written").to_rgba8();
    assert!(
        image.width() >= 1000 && image.height() >= 600,
        "{}x{}",
        image.width(),
        image.height()
    );
    let mut counts: HashMap<[u8; 4], u32> = HashMap::new();
    for p in image.pixels() {
        *counts.entry(p.0).or_default() += 1;
    }
    let total = image.width() * image.height();
    let most = counts.values().max().copied().unwrap_or(0);
    assert!(
        counts.len() > 200,
        "only {} colours: blank window?",
        counts.len()
    );
    assert!(
        most < total * 9 / 10,
        "one colour covers {} of {} pixels",
        most,
        total
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--view latency --screenshot` waits for the backend's national summary and shows the metro
/// badges: many pixels in the theme's "meets" / "below" colours (noc-dark `ok` and `warn`).
#[test]
fn the_latency_screenshot_shows_the_national_badges() {
    let Some(display) = display() else {
        if std::env::var("TIANSHU_SKIP_GUI").is_ok_and(|v| v == "1") {
            eprintln!("skipped: no DISPLAY and no Xvfb (TIANSHU_SKIP_GUI=1)");
            return;
        }
        panic!("no DISPLAY and no Xvfb: install xvfb and mesa-vulkan-drivers (see README)");
    };
    let dir = std::env::temp_dir().join(format!("tianshu-smoke-latency-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let png = dir.join("latency.png");
    let output = Command::new(env!("CARGO_BIN_EXE_tianshu"))
        .args([
            "--view",
            "latency",
            "--size",
            "1280x800",
            "--factories",
            "5000",
            "--screenshot",
        ])
        .arg(&png)
        .env("DISPLAY", &display.name)
        .env("XDG_RUNTIME_DIR", &dir)
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tianshu --view latency --screenshot failed: {stderr}"
    );
    let image = image::open(&png).expect("a PNG was written").to_rgba8();
    let (ok, warn) = ([0x2e, 0xcc, 0x71, 0xff], [0xf5, 0xb8, 0x2e, 0xff]);
    let badge_pixels = image
        .pixels()
        .filter(|p| p.0 == ok || p.0 == warn)
        .count();
    assert!(badge_pixels > 500, "only {badge_pixels} badge pixels");
    let _ = std::fs::remove_dir_all(&dir);
}
