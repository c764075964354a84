#![allow(clippy::disallowed_methods)] // test pictures choose their own colours
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use egui::epaint::{ClippedPrimitive, ImageDelta, Mesh, Primitive};
use egui::{Color32, ColorImage, Pos2, Rect, TextureId, TextureOptions, TexturesDelta, pos2, vec2};

use super::*;

const CLEAR: Color32 = Color32::from_rgb(10, 20, 30);

fn font_texture() -> TexturesDelta {
    // egui's font texture starts with a white texel at uv (0, 0).
    let image = ColorImage::new([4, 4], vec![Color32::WHITE; 16]);
    let mut delta = TexturesDelta::default();
    delta.push(
        TextureId::default(),
        ImageDelta::full(image, TextureOptions::LINEAR),
    );
    delta
}

fn rect_mesh(rect: Rect, colour: Color32) -> Mesh {
    let mut mesh = Mesh::default();
    mesh.add_colored_rect(rect, colour);
    mesh
}

fn clipped(mesh: Mesh, clip: Rect) -> ClippedPrimitive {
    ClippedPrimitive {
        clip_rect: clip,
        primitive: Primitive::Mesh(mesh),
    }
}

fn everywhere() -> Rect {
    Rect::from_min_max(Pos2::ZERO, pos2(10_000.0, 10_000.0))
}

fn paint(r: &mut Rasteriser, canvas: &mut Canvas, prims: &[ClippedPrimitive]) -> PaintStats {
    r.paint(canvas, CLEAR, prims, &mut TexturesDelta::default(), 1.0)
}

fn ready(size: usize) -> (Rasteriser, Canvas) {
    let mut r = Rasteriser::new(2);
    r.set_textures(&mut font_texture());
    (r, Canvas::new(size, size))
}

#[test]
fn an_opaque_rectangle_covers_exactly_its_pixels() {
    let (mut r, mut canvas) = ready(100);
    let red = Color32::from_rgb(200, 0, 0);
    let mesh = rect_mesh(Rect::from_min_size(pos2(10.0, 20.0), vec2(30.0, 5.0)), red);
    paint(&mut r, &mut canvas, &[clipped(mesh, everywhere())]);
    let covered = (0..100)
        .flat_map(|y| (0..100).map(move |x| (x, y)))
        .filter(|&(x, y)| canvas.get(x, y) == Some(red))
        .count();
    assert_eq!(covered, 30 * 5);
    assert_eq!(canvas.get(10, 20), Some(red));
    assert_eq!(canvas.get(39, 24), Some(red));
    assert_eq!(canvas.get(40, 24), Some(CLEAR));
    assert_eq!(canvas.get(9, 20), Some(CLEAR));
    assert_eq!(canvas.get(10, 25), Some(CLEAR));
}

#[test]
fn a_translucent_rectangle_is_blended_once_along_its_diagonal() {
    let (mut r, mut canvas) = ready(64);
    let half_white = Color32::from_white_alpha(128);
    let mesh = rect_mesh(
        Rect::from_min_size(pos2(3.3, 5.7), vec2(50.2, 41.9)),
        half_white,
    );
    paint(&mut r, &mut canvas, &[clipped(mesh, everywhere())]);
    let inside = canvas.get(20, 20).unwrap();
    assert_ne!(inside, CLEAR);
    for y in 7..46 {
        for x in 4..53 {
            assert_eq!(canvas.get(x, y), Some(inside), "pixel {x},{y}");
        }
    }
}

#[test]
fn triangles_sharing_edges_tile_the_plane_without_gaps_or_overlaps() {
    // A fan of thin translucent triangles around a centre: every pixel is blended exactly once.
    let (mut r, mut canvas) = ready(64);
    let colour = Color32::from_black_alpha(100);
    let mut mesh = Mesh::default();
    let centre = pos2(31.7, 30.2);
    mesh.colored_vertex(centre, colour);
    let ring: Vec<Pos2> = (0..37)
        .map(|i| {
            let a = i as f32 / 36.0 * std::f32::consts::TAU;
            centre + vec2(a.cos(), a.sin()) * 40.0
        })
        .collect();
    for p in &ring {
        mesh.colored_vertex(*p, colour);
    }
    for i in 1..37 {
        mesh.add_triangle(0, i, i + 1);
    }
    paint(&mut r, &mut canvas, &[clipped(mesh, everywhere())]);
    let expected = canvas.get(31, 30).unwrap();
    for y in 10..50 {
        for x in 12..52 {
            assert_eq!(canvas.get(x, y), Some(expected), "pixel {x},{y}");
        }
    }
}

#[test]
fn the_clip_rectangle_is_respected() {
    let (mut r, mut canvas) = ready(64);
    let mesh = rect_mesh(
        Rect::from_min_size(Pos2::ZERO, vec2(64.0, 64.0)),
        Color32::WHITE,
    );
    let clip = Rect::from_min_size(pos2(8.0, 8.0), vec2(16.0, 4.0));
    paint(&mut r, &mut canvas, &[clipped(mesh, clip)]);
    let white = (0..64)
        .flat_map(|y| (0..64).map(move |x| (x, y)))
        .filter(|&(x, y)| canvas.get(x, y) == Some(Color32::WHITE))
        .count();
    assert_eq!(white, 16 * 4);
}

#[test]
fn pixels_per_point_scales_positions_and_clips() {
    let (mut r, mut canvas) = ready(64);
    let mesh = rect_mesh(
        Rect::from_min_size(pos2(2.0, 2.0), vec2(4.0, 4.0)),
        Color32::WHITE,
    );
    r.paint(
        &mut canvas,
        CLEAR,
        &[clipped(mesh, everywhere())],
        &mut TexturesDelta::default(),
        2.0,
    );
    assert_eq!(canvas.get(4, 4), Some(Color32::WHITE));
    assert_eq!(canvas.get(11, 11), Some(Color32::WHITE));
    assert_eq!(canvas.get(12, 12), Some(CLEAR));
}

#[test]
fn a_texture_is_sampled_and_modulated_by_the_vertex_colour() {
    let (mut r, mut canvas) = ready(64);
    let id = TextureId::Managed(7);
    let image = ColorImage::new(
        [2, 2],
        vec![Color32::RED, Color32::GREEN, Color32::BLUE, Color32::WHITE],
    );
    let mut delta = TexturesDelta::default();
    delta.push(id, ImageDelta::full(image, TextureOptions::NEAREST));
    let mut mesh = Mesh::with_texture(id);
    mesh.add_rect_with_uv(
        Rect::from_min_size(Pos2::ZERO, vec2(32.0, 32.0)),
        Rect::from_min_max(Pos2::ZERO, pos2(1.0, 1.0)),
        Color32::WHITE,
    );
    let mut grey = Mesh::with_texture(id);
    grey.add_rect_with_uv(
        Rect::from_min_size(pos2(32.0, 32.0), vec2(32.0, 32.0)),
        Rect::from_min_max(pos2(0.75, 0.75), pos2(1.0, 1.0)),
        Color32::from_gray(128),
    );
    r.paint(
        &mut canvas,
        CLEAR,
        &[clipped(mesh, everywhere()), clipped(grey, everywhere())],
        &mut delta,
        1.0,
    );
    assert_eq!(canvas.get(3, 3), Some(Color32::RED));
    assert_eq!(canvas.get(28, 3), Some(Color32::GREEN));
    assert_eq!(canvas.get(3, 28), Some(Color32::BLUE));
    assert_eq!(canvas.get(28, 28), Some(Color32::WHITE));
    assert_eq!(canvas.get(40, 40), Some(Color32::from_gray(128)));
}

#[test]
fn an_unchanged_frame_redraws_nothing_and_a_small_change_only_its_tiles() {
    let (mut r, mut canvas) = ready(256);
    let background = rect_mesh(
        Rect::from_min_size(Pos2::ZERO, vec2(256.0, 256.0)),
        Color32::from_gray(40),
    );
    let marker = |x: f32| {
        rect_mesh(
            Rect::from_min_size(pos2(x, 10.0), vec2(8.0, 8.0)),
            Color32::RED,
        )
    };
    let frame = |x: f32| {
        vec![
            clipped(background.clone(), everywhere()),
            clipped(marker(x), everywhere()),
        ]
    };
    let first = paint(&mut r, &mut canvas, &frame(10.0));
    assert_eq!(first.pixels_redrawn, 256 * 256);
    let again = paint(&mut r, &mut canvas, &frame(10.0));
    assert!(again.damage.is_empty(), "{:?}", again.damage);
    let moved = paint(&mut r, &mut canvas, &frame(200.0));
    // The marker left tile (0, 0) and arrived in tile (1, 0).
    assert_eq!((10 / TILE_W, 200 / TILE_W), (0, 1));
    assert_eq!(moved.pixels_redrawn, 2 * TILE_W * TILE_H);
    // What a partial redraw leaves equals a full one.
    let (mut fresh, mut full) = ready(256);
    paint(&mut fresh, &mut full, &frame(200.0));
    assert_eq!(canvas.pixels, full.pixels);
}

#[test]
fn a_changed_texture_redraws_what_shows_it() {
    let (mut r, mut canvas) = ready(128);
    let mesh = rect_mesh(
        Rect::from_min_size(Pos2::ZERO, vec2(10.0, 10.0)),
        Color32::WHITE,
    );
    paint(&mut r, &mut canvas, &[clipped(mesh.clone(), everywhere())]);
    let grey = ColorImage::new([4, 4], vec![Color32::from_gray(90); 16]);
    let mut delta = TexturesDelta::default();
    delta.push(
        TextureId::default(),
        ImageDelta::full(grey, TextureOptions::LINEAR),
    );
    let stats = r.paint(
        &mut canvas,
        CLEAR,
        &[clipped(mesh, everywhere())],
        &mut delta,
        1.0,
    );
    assert_eq!(stats.pixels_redrawn, TILE_W * TILE_H);
    assert_eq!(canvas.get(5, 5), Some(Color32::from_gray(90)));
}

#[test]
fn bad_meshes_are_skipped_not_a_panic() {
    let (mut r, mut canvas) = ready(64);
    let mut mesh = rect_mesh(
        Rect::from_min_size(Pos2::ZERO, vec2(8.0, 8.0)),
        Color32::WHITE,
    );
    mesh.indices.push(999); // an index past the vertices, and a triangle left incomplete
    mesh.vertices[0].pos.x = f32::NAN;
    let unknown_texture = Mesh::with_texture(TextureId::User(42));
    let stats = paint(
        &mut r,
        &mut canvas,
        &[
            clipped(mesh, everywhere()),
            clipped(unknown_texture, everywhere()),
            clipped(
                rect_mesh(
                    Rect::from_min_size(pos2(1e30, -1e30), vec2(1e30, 1e30)),
                    Color32::RED,
                ),
                everywhere(),
            ),
        ],
    );
    assert!(stats.triangles >= 2);
    // The triangle without the NaN corner is still drawn.
    assert_eq!(canvas.get(6, 6), Some(Color32::WHITE));
}

#[test]
fn a_real_egui_frame_is_drawn_with_its_text() {
    let ctx = egui::Context::default();
    let mut r = Rasteriser::new(2);
    let mut canvas = Canvas::new(320, 200);
    let input = egui::RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(320.0, 200.0))),
        ..Default::default()
    };
    let mut out = ctx.run_ui(input, |ui| {
        ui.heading("Tianshu");
        let _ = ui.button("Approve");
    });
    let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
    let stats = r.paint(
        &mut canvas,
        CLEAR,
        &prims,
        &mut out.textures_delta,
        out.pixels_per_point,
    );
    if let Ok(path) = std::env::var("TIANSHU_RASTER_DUMP") {
        let rgb: Vec<u8> = canvas
            .pixels
            .iter()
            .flat_map(|p| [(p >> 16) as u8, (p >> 8) as u8, *p as u8])
            .collect();
        image::save_buffer(path, &rgb, 320, 200, image::ExtendedColorType::Rgb8).unwrap();
    }
    assert!(stats.triangles > 20);
    let distinct: std::collections::HashSet<u32> = canvas.pixels.iter().copied().collect();
    // Anti-aliased edges (glyphs from the font texture, the button's rounded corners) leave
    // shades between the fill and the background.
    assert!(distinct.len() > 4, "{} shades", distinct.len());
}

/// Rings of every kind of corner: a regular polygon, a star (sharp turns both ways), a jagged
/// coastline (short segments, every angle) and a thin sliver.
fn test_rings() -> Vec<Vec<Pos2>> {
    let polygon = |c: Pos2, n: usize, radius: &dyn Fn(usize) -> f32| -> Vec<Pos2> {
        (0..n)
            .map(|i| {
                let a = i as f32 / n as f32 * std::f32::consts::TAU + 0.1;
                c + vec2(a.cos(), a.sin()) * radius(i)
            })
            .collect()
    };
    let coast = polygon(pos2(75.3, 80.6), 90, &|i| {
        30.0 + 6.0 * ((i * 7919) % 13) as f32 / 13.0
    });
    vec![
        polygon(pos2(40.3, 40.7), 12, &|_| 25.0),
        polygon(pos2(110.5, 40.2), 10, &|i| {
            if i % 2 == 0 { 30.0 } else { 12.0 }
        }),
        coast,
        vec![pos2(20.2, 130.1), pos2(140.7, 133.4), pos2(140.9, 136.0)],
    ]
}

/// The rings drawn by egui's tessellator (`Shape::closed_line`) and by [`Outlines`], at
/// `pixels_per_point`; both through the raster.
fn outline_both_ways(stroke: egui::Stroke, pixels_per_point: f32) -> (Canvas, Canvas, PaintStats) {
    let size = (160.0 * pixels_per_point) as usize;
    let clip = Rect::from_min_size(Pos2::ZERO, vec2(160.0, 160.0));
    let shapes: Vec<egui::epaint::ClippedShape> = test_rings()
        .into_iter()
        .map(|ring| egui::epaint::ClippedShape::new(clip, egui::Shape::closed_line(ring, stroke)))
        .collect();
    let mut tessellator = egui::epaint::Tessellator::new(
        pixels_per_point,
        egui::epaint::TessellationOptions::default(),
        [4, 4],
        Vec::new(),
    );
    let tessellated = tessellator.tessellate_shapes(shapes);
    let mut rings = Rings::new(Color32::TRANSPARENT, stroke);
    for ring in test_rings() {
        rings.outline_ring(ring);
    }
    let own = vec![as_primitive(rings, clip)];
    let (egui_canvas, _) = draw_fresh(&tessellated, size, pixels_per_point);
    let (own_canvas, stats) = draw_fresh(&own, size, pixels_per_point);
    (egui_canvas, own_canvas, stats)
}

fn as_primitive(rings: Rings, clip: Rect) -> ClippedPrimitive {
    ClippedPrimitive {
        clip_rect: clip,
        primitive: Primitive::Callback(match rings.into_shape(clip) {
            egui::Shape::Callback(callback) => callback,
            _ => unreachable!("rings are a callback"),
        }),
    }
}

/// `prims` drawn on a fresh square canvas of `size` pixels.
fn draw_fresh(
    prims: &[ClippedPrimitive],
    size: usize,
    pixels_per_point: f32,
) -> (Canvas, PaintStats) {
    let mut r = Rasteriser::new(2);
    r.set_textures(&mut font_texture());
    let mut canvas = Canvas::new(size, size);
    let stats = r.paint(
        &mut canvas,
        CLEAR,
        prims,
        &mut TexturesDelta::default(),
        pixels_per_point,
    );
    (canvas, stats)
}

fn largest_channel_difference(a: u32, b: u32) -> u32 {
    (0..3)
        .map(|k| ((a >> (8 * k)) & 0xFF).abs_diff((b >> (8 * k)) & 0xFF))
        .max()
        .unwrap_or(0)
}

#[test]
fn outlines_cover_the_same_pixels_as_eguis_triangles_for_them() {
    let colours = [
        Color32::from_rgb(240, 200, 90),
        Color32::from_rgba_unmultiplied(120, 220, 255, 140),
    ];
    for colour in colours {
        // Thin and thick as the console's borders are at 1× and 2× (0.6–1 point).
        for width in [0.5, 0.8, 1.2, 1.6] {
            for ppp in [1.0, 2.0] {
                let (by_egui, own, stats) =
                    outline_both_ways(egui::Stroke::new(width, colour), ppp);
                assert!(stats.segments > 100 && stats.triangles == 0, "{stats:?}");
                let drawn = by_egui
                    .pixels
                    .iter()
                    .filter(|&&p| p != blend::pack(CLEAR))
                    .count();
                let differences: Vec<u32> = by_egui
                    .pixels
                    .iter()
                    .zip(&own.pixels)
                    .map(|(&a, &b)| largest_channel_difference(a, b))
                    .collect();
                let off = differences.iter().filter(|&&d| d > 2).count();
                let worst = differences.iter().max().copied().unwrap_or(0);
                let case = format!("{colour:?} width {width} at {ppp}×");
                assert!(drawn > 1000, "{case}: egui drew {drawn} pixels");
                // Rounding at most; a pixel whose centre sits on a corner's dividing line may
                // take its coverage from the other segment (both are about as far from it).
                assert!(
                    off * 500 <= drawn,
                    "{case}: {off} of {drawn} pixels differ by more than 2 levels (worst {worst})"
                );
            }
        }
    }
}

#[test]
fn filled_rings_cover_the_pixels_their_triangles_cover() {
    // Every test ring is star-shaped around its mean: a fan from there triangulates it.
    let clip = Rect::from_min_size(pos2(0.0, 0.0), vec2(160.0, 150.0));
    for colour in [
        Color32::from_rgb(30, 90, 60),
        Color32::from_rgba_unmultiplied(200, 120, 40, 120),
    ] {
        for ppp in [1.0, 1.5, 2.0] {
            let mut fans = Mesh::default();
            let mut rings = Rings::new(colour, egui::Stroke::NONE);
            for ring in test_rings() {
                let centre = ring
                    .iter()
                    .fold(Pos2::ZERO, |c, p| c + p.to_vec2() / ring.len() as f32);
                let base = fans.vertices.len() as u32;
                fans.colored_vertex(centre, colour);
                for &p in &ring {
                    fans.colored_vertex(p, colour);
                }
                let n = ring.len() as u32;
                for k in 0..n {
                    fans.add_triangle(base, base + 1 + k, base + 1 + (k + 1) % n);
                }
                rings.fill_ring(ring);
            }
            let size = (160.0 * ppp) as usize;
            let (by_triangles, _) = draw_fresh(&[clipped(fans, clip)], size, ppp);
            let (by_rows, stats) = draw_fresh(&[as_primitive(rings, clip)], size, ppp);
            assert_eq!((stats.rings_filled, stats.triangles), (4, 0));
            let filled = by_triangles
                .pixels
                .iter()
                .filter(|&&p| p != blend::pack(CLEAR))
                .count();
            let differ = by_triangles
                .pixels
                .iter()
                .zip(&by_rows.pixels)
                .filter(|(a, b)| a != b)
                .count();
            assert!(filled > 5000, "{filled}");
            // A pixel centre exactly on an edge may go either way; nothing else differs.
            assert!(
                differ * 1000 <= filled,
                "{colour:?} at {ppp}×: {differ} of {filled} pixels differ"
            );
            // The clip cuts the sliver's right end off at 150 points.
            let row = (134.0 * ppp) as usize;
            assert_eq!(by_rows.get((152.0 * ppp) as usize, row), Some(CLEAR));
        }
    }
}

#[test]
fn rings_with_bad_points_are_skipped_and_a_changed_ring_redraws_only_its_tiles() {
    let everything = Rect::from_min_size(Pos2::ZERO, vec2(512.0, 256.0));
    let frame = |x: f32, bad: bool| {
        let mut rings = Rings::new(
            Color32::from_rgb(90, 90, 200),
            egui::Stroke::new(0.8, Color32::WHITE),
        );
        let square = |x: f32| {
            vec![
                pos2(x, 10.0),
                pos2(x + 20.0, 10.0),
                pos2(x + 20.0, 30.0),
                pos2(x, 30.0),
            ]
        };
        rings.fill_ring(square(20.0));
        rings.outline_ring(square(20.0));
        rings.fill_ring(square(x));
        rings.outline_ring(square(x));
        if bad {
            rings.fill_ring([pos2(f32::NAN, 1.0), pos2(5.0, 5.0), pos2(1.0, 9.0)]);
            rings.outline_ring([pos2(f32::INFINITY, 1.0), pos2(5.0, 5.0), pos2(1.0, 9.0)]);
            rings.outline_ring([pos2(1.0, 1.0), pos2(2.0, 2.0)]);
        }
        vec![as_primitive(rings, everything)]
    };
    let mut r = Rasteriser::new(2);
    r.set_textures(&mut font_texture());
    let mut canvas = Canvas::new(512, 256);
    let first = paint(&mut r, &mut canvas, &frame(300.0, true));
    assert_eq!(first.pixels_redrawn, 512 * 256);
    assert_eq!(canvas.get(30, 20), Some(Color32::from_rgb(90, 90, 200)));
    assert_ne!(
        canvas.get(20, 20),
        canvas.get(30, 20),
        "the outline is drawn over the fill"
    );
    let again = paint(&mut r, &mut canvas, &frame(300.0, true));
    assert!(again.damage.is_empty(), "{:?}", again.damage);
    // The second square moves within tile (2, 0) and into (3, 0): two tiles drawn again.
    let moved = paint(&mut r, &mut canvas, &frame(370.0, true));
    assert_eq!(moved.pixels_redrawn, 2 * TILE_W * TILE_H);
    let (mut fresh, mut full) = (Rasteriser::new(2), Canvas::new(512, 256));
    fresh.set_textures(&mut font_texture());
    paint(&mut fresh, &mut full, &frame(370.0, false));
    let differ = canvas
        .pixels
        .iter()
        .zip(&full.pixels)
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(differ, 0, "the bad rings drew nothing");
}
