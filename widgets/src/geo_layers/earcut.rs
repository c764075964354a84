//! Ear-clipping triangulation of one simple polygon, for filling non-convex outlines.
//!
//! Runs once when shapes are built, never per frame. O(n²) per ring in the usual case, so large
//! rings (tens of thousands of vertices) are better simplified first. Holes are not supported.
//! Self-intersecting input never panics or loops: when no ear can be found the current vertex is
//! clipped anyway, which may give overlapping triangles but always terminates.

/// Triangles (indices into `polygon`) covering the polygon.
///
/// The ring may be in either winding and must not repeat its first point at the end. Fewer than
/// three points, or zero area, gives no triangles.
pub fn ear_clip(polygon: &[[f64; 2]]) -> Vec<[u32; 3]> {
    let n = polygon.len();
    if n < 3 || u32::try_from(n).is_err() {
        return Vec::new();
    }
    let area = signed_area(polygon);
    if area == 0.0 || !area.is_finite() {
        return Vec::new();
    }
    let orientation = area.signum();

    let mut prev: Vec<usize> = (0..n).map(|i| (i + n - 1) % n).collect();
    let mut next: Vec<usize> = (0..n).map(|i| (i + 1) % n).collect();
    // Only non-convex vertices can sit inside a candidate ear, so only they are tested. The
    // set only shrinks (clipping never makes a convex corner reflex), so stale entries are
    // skipped through the flag and swept out now and then.
    let corner = |prev: &[usize], next: &[usize], v: usize| {
        cross(polygon[prev[v]], polygon[v], polygon[next[v]]) * orientation > 0.0
    };
    let mut reflex: Vec<bool> = (0..n).map(|v| !corner(&prev, &next, v)).collect();
    let mut reflex_list: Vec<usize> = (0..n).filter(|&v| reflex[v]).collect();
    let mut stale = 0usize;

    let mut triangles = Vec::with_capacity(n - 2);
    let mut remaining = n;
    let mut i = 0;
    let mut misses = 0;

    while remaining > 3 {
        let (p, q) = (prev[i], next[i]);
        let ear = !reflex[i] && is_ear(polygon, &reflex, &reflex_list, p, i, q, orientation);
        if ear || misses > remaining {
            triangles.push([p as u32, i as u32, q as u32]);
            next[p] = q;
            prev[q] = p;
            remaining -= 1;
            misses = 0;
            if reflex[i] {
                reflex[i] = false;
                stale += 1;
            }
            for v in [p, q] {
                if reflex[v] && corner(&prev, &next, v) {
                    reflex[v] = false;
                    stale += 1;
                }
            }
            if stale > 32 && stale * 2 > reflex_list.len() {
                reflex_list.retain(|&v| reflex[v]);
                stale = 0;
            }
            i = q;
        } else {
            misses += 1;
            i = q;
        }
    }
    triangles.push([prev[i] as u32, i as u32, next[i] as u32]);
    triangles
}

/// Twice the signed area (positive when counter-clockwise in a y-up frame).
pub(crate) fn signed_area(polygon: &[[f64; 2]]) -> f64 {
    let n = polygon.len();
    (0..n)
        .map(|i| {
            let a = polygon[i];
            let b = polygon[(i + 1) % n];
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

fn cross(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

fn is_ear(
    polygon: &[[f64; 2]],
    reflex: &[bool],
    reflex_list: &[usize],
    p: usize,
    i: usize,
    q: usize,
    orientation: f64,
) -> bool {
    let (a, b, c) = (polygon[p], polygon[i], polygon[q]);
    let (min_x, max_x) = (a[0].min(b[0]).min(c[0]), a[0].max(b[0]).max(c[0]));
    let (min_y, max_y) = (a[1].min(b[1]).min(c[1]), a[1].max(b[1]).max(c[1]));
    // No remaining non-convex vertex may lie inside or on the candidate triangle.
    for &v in reflex_list {
        if !reflex[v] || v == p || v == i || v == q {
            continue;
        }
        let point = polygon[v];
        if point[0] < min_x || point[0] > max_x || point[1] < min_y || point[1] > max_y {
            continue;
        }
        if point != a && point != b && point != c && in_triangle(a, b, c, point, orientation) {
            return false;
        }
    }
    true
}

fn in_triangle(a: [f64; 2], b: [f64; 2], c: [f64; 2], p: [f64; 2], orientation: f64) -> bool {
    cross(a, b, p) * orientation >= 0.0
        && cross(b, c, p) * orientation >= 0.0
        && cross(c, a, p) * orientation >= 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn triangles_area(polygon: &[[f64; 2]], triangles: &[[u32; 3]]) -> f64 {
        triangles
            .iter()
            .map(|t| {
                cross(
                    polygon[t[0] as usize],
                    polygon[t[1] as usize],
                    polygon[t[2] as usize],
                )
                .abs()
            })
            .sum()
    }

    fn check_simple(polygon: &[[f64; 2]]) {
        let triangles = ear_clip(polygon);
        assert_eq!(triangles.len(), polygon.len() - 2);
        let expected = signed_area(polygon).abs();
        let got = triangles_area(polygon, &triangles);
        assert!((got - expected).abs() < 1e-9, "area {got} vs {expected}");
        // Every triangle keeps the polygon's winding: none is folded over.
        let orientation = signed_area(polygon).signum();
        for t in &triangles {
            let c = cross(
                polygon[t[0] as usize],
                polygon[t[1] as usize],
                polygon[t[2] as usize],
            );
            assert!(c * orientation > 0.0);
        }
    }

    #[test]
    fn square_both_windings() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        check_simple(&square);
        let mut reversed = square;
        reversed.reverse();
        check_simple(&reversed);
    }

    #[test]
    fn concave_shapes() {
        // An L.
        check_simple(&[
            [0.0, 0.0],
            [2.0, 0.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 2.0],
            [0.0, 2.0],
        ]);
        // A comb with three teeth.
        check_simple(&[
            [0.0, 0.0],
            [5.0, 0.0],
            [5.0, 3.0],
            [4.0, 3.0],
            [4.0, 1.0],
            [3.0, 1.0],
            [3.0, 3.0],
            [2.0, 3.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
        ]);
        // A five-pointed star outline (simple, ten vertices).
        let star: Vec<[f64; 2]> = (0..10)
            .map(|k| {
                let r = if k % 2 == 0 { 1.0 } else { 0.4 };
                let a = std::f64::consts::PI * 2.0 * k as f64 / 10.0;
                [r * a.cos(), r * a.sin()]
            })
            .collect();
        check_simple(&star);
    }

    #[test]
    fn collinear_vertices_are_handled() {
        let polygon = [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0]];
        let triangles = ear_clip(&polygon);
        let got = triangles_area(&polygon, &triangles);
        assert!((got - signed_area(&polygon).abs()).abs() < 1e-9);
    }

    #[test]
    fn degenerate_input_gives_nothing_or_terminates() {
        assert!(ear_clip(&[]).is_empty());
        assert!(ear_clip(&[[0.0, 0.0], [1.0, 1.0]]).is_empty());
        assert!(ear_clip(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]).is_empty());
        // A bow tie intersects itself: any answer is fine as long as it ends.
        let bow_tie = [[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0], [1.0, 3.0]];
        let triangles = ear_clip(&bow_tie);
        assert_eq!(triangles.len(), 3);
    }

    #[test]
    fn large_noisy_ring() {
        // Star-shaped around the origin, so simple, with about half its corners reflex.
        let n = 2000;
        let mut seed = 12345u64;
        let ring: Vec<[f64; 2]> = (0..n)
            .map(|k| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let r = 1.0 + ((seed >> 33) as f64 / (1u64 << 31) as f64) * 0.3;
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                [r * a.cos(), r * a.sin()]
            })
            .collect();
        check_simple(&ring);
    }
}
