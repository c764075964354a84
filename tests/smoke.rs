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

/// The display to use: `$DISPLAY` if set, else a private Xvfb started here — one per test, since
/// the tests of this file run in parallel and one test's Xvfb must not vanish under another.
fn display() -> Option<Display> {
    if let Ok(name) = std::env::var("DISPLAY")
        && !name.is_empty()
    {
        return Some(Display { name, server: None });
    }
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let number = (100..400)
        .map(|i| {
            i + (std::process::id() % 50) * 6
                + NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        })
        .find(|n| {
            !PathBuf::from(format!("/tmp/.X{n}-lock")).exists()
                && !PathBuf::from(format!("/tmp/.X11-unix/X{n}")).exists()
        })?;
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

/// The display, or `None` when there is none and `TIANSHU_SKIP_GUI=1` says to skip; without
/// either the test fails with what to install.
fn display_or_skip() -> Option<Display> {
    let display = display();
    if display.is_none() {
        assert!(
            std::env::var("TIANSHU_SKIP_GUI").is_ok_and(|v| v == "1"),
            "no DISPLAY and no Xvfb: install xvfb and mesa-vulkan-drivers (see README), or set \
             TIANSHU_SKIP_GUI=1 to skip"
        );
        eprintln!("skipped: no DISPLAY and no Xvfb (TIANSHU_SKIP_GUI=1)");
    }
    display
}

/// One flat-coloured 256-px PNG tile.
fn png_tile(colour: image::Rgba<u8>) -> Vec<u8> {
    let mut tile = Vec::new();
    image::RgbaImage::from_pixel(256, 256, colour)
        .write_to(
            &mut std::io::Cursor::new(&mut tile),
            image::ImageFormat::Png,
        )
        .expect("png");
    tile
}

/// `tianshu` on the overview at 1280×800 with `tiles` (and its attribution), saving a screenshot
/// to `png`; panics with its log when it fails.
fn overview_screenshot_with_tiles(
    display: &Display,
    dir: &std::path::Path,
    tiles: &std::ffi::OsStr,
    png: &std::path::Path,
) {
    let output = Command::new(env!("CARGO_BIN_EXE_tianshu"))
        .args([
            "--view",
            "overview",
            "--size",
            "1280x800",
            "--factories",
            "5000",
        ])
        .arg("--tiles")
        .arg(tiles)
        .args(["--tiles-attribution", "Test tiles"])
        .arg("--screenshot")
        .arg(png)
        .env("DISPLAY", &display.name)
        .env("XDG_RUNTIME_DIR", dir)
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "tianshu --tiles {tiles:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_console_window_shows_the_map_with_data() {
    // Where the only adapter is a CPU (lavapipe here and in CI), `auto` picks the CPU renderer.
    window_shows_the_map("auto", "drawing the window on the CPU");
}

#[test]
fn the_console_window_drawn_by_wgpu_shows_the_map_with_data() {
    window_shows_the_map("gpu", "drawing the window with wgpu");
}

/// `tianshu --renderer RENDERER --screenshot`: a picture with data, and the log names who drew it.
fn window_shows_the_map(renderer: &str, drawn_by: &str) {
    let Some(display) = display_or_skip() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("tianshu-smoke-{}-{renderer}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let png = dir.join("overview.png");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_tianshu"))
        .args([
            "--renderer",
            renderer,
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
    assert!(
        stderr.contains(drawn_by),
        "expected {drawn_by:?} in: {stderr}"
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
    let Some(display) = display_or_skip() else {
        return;
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
    let badge_pixels = image.pixels().filter(|p| p.0 == ok || p.0 == warn).count();
    assert!(badge_pixels > 500, "only {badge_pixels} badge pixels");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--tiles`: the overview asks an operator's XYZ tile server for tiles (a loopback server here).
#[test]
fn an_operator_tile_server_is_asked_for_tiles() {
    use std::io::{Read as _, Write as _};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let Some(display) = display_or_skip() else {
        return;
    };
    let tile = png_tile(image::Rgba([200, 30, 200, 255]));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            if request.starts_with("GET /tiles/") {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                tile.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&tile);
        }
    });
    let dir = std::env::temp_dir().join(format!("tianshu-tiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let png = dir.join("tiles.png");
    let url = format!("http://127.0.0.1:{port}/tiles/{{z}}/{{x}}/{{y}}.png");
    overview_screenshot_with_tiles(&display, &dir, url.as_ref(), &png);
    assert!(hits.load(Ordering::SeqCst) > 0, "no tile was requested");
    let bad = Command::new(env!("CARGO_BIN_EXE_tianshu"))
        .args(["--tiles", "ftp://nowhere/{z}/{x}/{y}"])
        .output()
        .expect("the binary runs");
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("http"),
        "a clear message"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// At least a fifth of the screenshot at `png` is the tiles' colour.
fn assert_tiles_cover_the_window(png: &std::path::Path, colour: image::Rgba<u8>) {
    let image = image::open(png).expect("a PNG was written").to_rgba8();
    let tinted = image
        .pixels()
        .filter(|p| (0..3).all(|i| p[i].abs_diff(colour[i]) <= 40))
        .count();
    let share = tinted as f64 / f64::from(image.width() * image.height());
    assert!(
        share > 0.2,
        "the file's tiles cover {:.1} % of the window",
        share * 100.0
    );
}

/// A tile file of vector tiles is refused at start, with what to do.
fn assert_vector_tiles_refused(path: &std::path::Path) {
    let bad = Command::new(env!("CARGO_BIN_EXE_tianshu"))
        .arg("--tiles")
        .arg(path)
        .output()
        .expect("the binary runs");
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("vector (MVT)") && stderr.contains("PNG"),
        "{stderr}"
    );
}

/// A PMTiles v3 file in which every tile from zoom 0 to `max_zoom` is `tile` (one directory
/// entry whose run covers them all; nothing compressed).
fn pmtiles_of_one_tile(tile: &[u8], max_zoom: u8) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    let tiles: u64 = (0..=u32::from(max_zoom)).map(|z| 4u64.pow(z)).sum();
    let mut directory = Vec::new();
    for v in [1, 0, tiles, tile.len() as u64, 1] {
        // entries; first tile id; its run; its length; its offset + 1
        varint(&mut directory, v);
    }
    let metadata = b"{}";
    let root = 127u64;
    let meta = root + directory.len() as u64;
    let data = meta + metadata.len() as u64;
    let mut file = Vec::new();
    file.extend_from_slice(b"PMTiles");
    file.push(3);
    for v in [
        root,
        directory.len() as u64,
        meta,
        metadata.len() as u64,
        data,
        0,
        data,
        tile.len() as u64,
        tiles,
        1,
        1,
    ] {
        file.extend_from_slice(&v.to_le_bytes());
    }
    // clustered, internal compression none, tile compression none, PNG, zooms 0..=max
    file.extend_from_slice(&[1, 1, 1, 2, 0, max_zoom]);
    for v in [-1_800_000_000i32, -850_000_000, 1_800_000_000, 850_000_000] {
        file.extend_from_slice(&v.to_le_bytes());
    }
    file.push(0);
    file.extend_from_slice(&0i32.to_le_bytes());
    file.extend_from_slice(&0i32.to_le_bytes());
    assert_eq!(file.len(), 127);
    file.extend_from_slice(&directory);
    file.extend_from_slice(metadata);
    file.extend_from_slice(tile);
    file
}

#[test]
fn an_approved_basemap_from_a_pmtiles_file_is_drawn_offline() {
    let Some(display) = display_or_skip() else {
        return;
    };
    let magenta = image::Rgba([200, 30, 200, 255]);
    let tile = png_tile(magenta);
    let dir = std::env::temp_dir().join(format!("tianshu-pmtiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let map = dir.join("approved.pmtiles");
    std::fs::write(&map, pmtiles_of_one_tile(&tile, 8)).expect("write");
    let png = dir.join("pmtiles.png");
    overview_screenshot_with_tiles(&display, &dir, map.as_os_str(), &png);
    assert_tiles_cover_the_window(&png, magenta);
    // A vector PMTiles file is refused at start, with what to do.
    let mut vector = pmtiles_of_one_tile(&tile, 0);
    vector[99] = 1;
    let vector_path = dir.join("vector.pmtiles");
    std::fs::write(&vector_path, vector).expect("write");
    assert_vector_tiles_refused(&vector_path);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An MBTiles file in which every tile from zoom 0 to `max_zoom` is `tile`.
fn mbtiles_of_one_tile(path: &std::path::Path, tile: &[u8], max_zoom: u8, format: &str) {
    let db = rusqlite::Connection::open(path).expect("create");
    db.execute_batch(
        "CREATE TABLE metadata (name text, value text);
         CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer,
                             tile_data blob);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .expect("schema");
    db.execute("INSERT INTO metadata VALUES ('format', ?1)", [format])
        .expect("metadata");
    for zoom in 0..=u32::from(max_zoom) {
        for x in 0..1u32 << zoom {
            for y in 0..1u32 << zoom {
                db.execute(
                    "INSERT INTO tiles VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![zoom, x, y, tile],
                )
                .expect("tile");
            }
        }
    }
}

#[test]
fn an_approved_basemap_from_an_mbtiles_file_is_drawn_offline() {
    let Some(display) = display_or_skip() else {
        return;
    };
    let magenta = image::Rgba([200, 30, 200, 255]);
    let tile = png_tile(magenta);
    let dir = std::env::temp_dir().join(format!("tianshu-mbtiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // Tiles to zoom 3; the map, zoomed further in, magnifies them.
    let map = dir.join("approved.mbtiles");
    mbtiles_of_one_tile(&map, &tile, 3, "png");
    let png = dir.join("mbtiles.png");
    overview_screenshot_with_tiles(&display, &dir, map.as_os_str(), &png);
    assert_tiles_cover_the_window(&png, magenta);
    // A vector MBTiles file is refused at start, with what to do.
    let vector_path = dir.join("vector.mbtiles");
    mbtiles_of_one_tile(&vector_path, b"not a picture", 0, "pbf");
    assert_vector_tiles_refused(&vector_path);
    let _ = std::fs::remove_dir_all(&dir);
}
