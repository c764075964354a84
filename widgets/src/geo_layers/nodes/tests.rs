//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::*;
use egui::pos2;

#[test]
fn picks_nearest_and_respects_radius() {
    let visible = [
        (0, pos2(0.0, 0.0), 5.0),
        (1, pos2(8.0, 0.0), 5.0),
        (2, pos2(100.0, 100.0), 2.0),
    ];
    assert_eq!(pick(&visible, pos2(1.0, 0.0), 3.0), Some(0));
    assert_eq!(pick(&visible, pos2(6.0, 0.0), 3.0), Some(1));
    assert_eq!(
        pick(&visible, pos2(4.0, 0.0), 3.0),
        Some(1),
        "tie → later wins"
    );
    assert_eq!(pick(&visible, pos2(104.0, 100.0), 3.0), Some(2));
    assert_eq!(pick(&visible, pos2(106.0, 100.0), 3.0), None);
    assert_eq!(pick(&[], pos2(0.0, 0.0), 3.0), None);
}

fn request(x: f32, y: f32) -> LabelRequest {
    LabelRequest {
        center: pos2(x, y),
        radius: 5.0,
        size: Vec2::new(40.0, 10.0),
        small_size: Vec2::new(30.0, 8.0),
    }
}

#[test]
fn labels_go_right_when_free() {
    let bounds = Rect::from_min_size(pos2(0.0, 0.0), Vec2::splat(500.0));
    let placed = place_labels(&[request(100.0, 100.0)], &[], &[], bounds);
    let label = placed[0].expect("placed");
    assert!(!label.small);
    assert_eq!(label.rect.left(), 100.0 + 5.0 + LABEL_GAP);
    assert_eq!(label.rect.center().y, 100.0);
}

#[test]
fn colliding_labels_move_to_other_sides_and_never_overlap() {
    let bounds = Rect::from_min_size(pos2(0.0, 0.0), Vec2::splat(500.0));
    // Two markers side by side: the second's right side is free, but the first's label
    // would cover the second marker, so the first goes left.
    let requests = [request(100.0, 100.0), request(130.0, 100.0)];
    let obstacles = [
        Rect::from_center_size(pos2(100.0, 100.0), Vec2::splat(10.0)),
        Rect::from_center_size(pos2(130.0, 100.0), Vec2::splat(10.0)),
    ];
    let placed = place_labels(&requests, &obstacles, &[Some(0), Some(1)], bounds);
    let a = placed[0].expect("first placed");
    let b = placed[1].expect("second placed");
    assert!(
        a.rect.right() <= 100.0,
        "first label left of its marker: {a:?}"
    );
    assert!(b.rect.left() >= 130.0, "second label right: {b:?}");
    assert!(!a.rect.intersects(b.rect));
    for (label, own) in [(a, 0), (b, 1)] {
        for (k, o) in obstacles.iter().enumerate() {
            assert!(k == own || !label.rect.intersects(*o));
        }
    }
}

#[test]
fn crowded_labels_are_left_out_never_overlapping() {
    let bounds = Rect::from_min_size(pos2(0.0, 0.0), Vec2::splat(500.0));
    // Many markers on one spot: the four sides take four labels, the rest are left out.
    let requests = vec![request(250.0, 250.0); 10];
    let placed = place_labels(&requests, &[], &[], bounds);
    assert_eq!(placed.iter().flatten().count(), 4, "{placed:?}");
    assert!(placed[..4].iter().all(Option::is_some));
    let rects: Vec<Rect> = placed.iter().flatten().map(|p| p.rect).collect();
    for (i, a) in rects.iter().enumerate() {
        for b in &rects[i + 1..] {
            assert!(!a.intersects(*b), "{a:?} overlaps {b:?}");
        }
    }
}

#[test]
fn a_label_shrinks_when_only_the_small_one_fits() {
    // Too narrow for the normal label on either side, markers above and below.
    let bounds = Rect::from_min_max(pos2(60.0, 0.0), pos2(140.0, 500.0));
    let obstacles = [
        Rect::from_center_size(pos2(100.0, 85.0), Vec2::splat(10.0)),
        Rect::from_center_size(pos2(100.0, 115.0), Vec2::splat(10.0)),
    ];
    let placed = place_labels(&[request(100.0, 100.0)], &obstacles, &[], bounds);
    let label = placed[0].expect("placed small");
    assert!(label.small);
    assert_eq!(label.rect.width(), 30.0);
}

#[test]
fn labels_stay_inside_the_map() {
    let bounds = Rect::from_min_size(pos2(0.0, 0.0), Vec2::splat(500.0));
    // At the right edge the label flips to the left.
    let placed = place_labels(&[request(495.0, 100.0)], &[], &[], bounds);
    assert!(placed[0].expect("placed").rect.right() <= 495.0);
}

#[test]
fn rings_are_hit_on_their_line_and_lose_to_filled_markers() {
    let visible = [(0, pos2(0.0, 0.0), 30.0), (1, pos2(5.0, 0.0), 6.0)];
    let shapes = [NodeShape::Ring, NodeShape::Disc];
    assert_eq!(pick_shaped(&visible, &shapes, pos2(6.0, 1.0), 3.0), Some(1));
    assert_eq!(
        pick_shaped(&visible, &shapes, pos2(0.0, 29.0), 3.0),
        Some(0)
    );
    assert_eq!(pick_shaped(&visible, &shapes, pos2(-15.0, 0.0), 3.0), None);
    // Without shapes everything is a disc.
    assert_eq!(pick_shaped(&visible, &[], pos2(-15.0, 0.0), 3.0), Some(0));
}
