//! Numbers from a backend are not trusted: a share is clamped into 0..=1, a PUE into 1..=5, and a
//! value that is not finite (or absurd, like a negative speed) is ignored, keeping the last good
//! one. Applied once where data enters the state, so every view draws sane figures.

use crate::api::{BackboneLink, Cluster, ClusterLoad, LinkLoad, Snapshot};

/// A share 0..=1, or `None` when it is not a number.
pub fn share(x: f64) -> Option<f64> {
    x.is_finite().then(|| x.clamp(0.0, 1.0))
}

/// Power usage effectiveness: at least 1 (by definition); above 5 is a broken reading.
pub fn pue(x: f64) -> Option<f64> {
    x.is_finite().then(|| x.clamp(1.0, 5.0))
}

fn fix(value: &mut f64, sane: fn(f64) -> Option<f64>, fallback: f64) {
    *value = sane(*value).unwrap_or(fallback);
}

pub fn cluster(c: &mut Cluster) {
    fix(&mut c.utilization, share, 0.0);
    fix(&mut c.occupancy, share, 0.0);
    fix(&mut c.green_power_share, share, 0.0);
    fix(&mut c.pue, pue, 1.0);
    if !(c.compute_eflops.is_finite() && c.compute_eflops >= 0.0) {
        c.compute_eflops = 0.0;
    }
}

pub fn link(l: &mut BackboneLink) {
    fix(&mut l.utilization, share, 0.0);
    fix(&mut l.utilization_forward, share, 0.0);
    fix(&mut l.utilization_reverse, share, 0.0);
    for v in [&mut l.route_km, &mut l.rtt_ms] {
        if !(v.is_finite() && *v >= 0.0) {
            *v = 0.0;
        }
    }
}

pub fn snapshot(s: &mut Snapshot) {
    s.clusters.iter_mut().for_each(cluster);
    s.links.iter_mut().for_each(link);
    for m in &mut s.metros {
        fix(&mut m.coverage_1ms, share, 0.0);
    }
    if !(s.sim_speed.is_finite() && s.sim_speed > 0.0) {
        s.sim_speed = 0.0;
    }
}

/// A tick's figures for a cluster whose last good values are `known`.
pub fn cluster_load(load: &mut ClusterLoad, known: Option<&Cluster>) {
    let keep = |k: Option<f64>| k.unwrap_or(0.0);
    fix(
        &mut load.utilization,
        share,
        keep(known.map(|c| c.utilization)),
    );
    fix(&mut load.occupancy, share, keep(known.map(|c| c.occupancy)));
    fix(
        &mut load.green_power_share,
        share,
        keep(known.map(|c| c.green_power_share)),
    );
    fix(&mut load.pue, pue, known.map_or(1.0, |c| c.pue));
}

/// A tick's figures for a link whose last good values are `known`.
pub fn link_load(load: &mut LinkLoad, known: Option<&BackboneLink>) {
    let keep = |k: Option<f64>| k.unwrap_or(0.0);
    fix(
        &mut load.utilization,
        share,
        keep(known.map(|l| l.utilization)),
    );
    fix(
        &mut load.utilization_forward,
        share,
        keep(known.map(|l| l.utilization_forward)),
    );
    fix(
        &mut load.utilization_reverse,
        share,
        keep(known.map(|l| l.utilization_reverse)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_numbers_are_clamped_or_ignored() {
        assert_eq!(share(1.7), Some(1.0));
        assert_eq!(share(-3.0), Some(0.0));
        assert_eq!(share(f64::NAN), None);
        assert_eq!(share(f64::INFINITY), None);
        assert_eq!(pue(0.2), Some(1.0));
        assert_eq!(pue(1e300), Some(5.0));
        let mut load = ClusterLoad {
            index: 0,
            utilization: f64::NAN,
            pue: f64::NEG_INFINITY,
            green_power_share: 7.0,
            occupancy: -1.0,
        };
        cluster_load(&mut load, None);
        assert_eq!(
            (
                load.utilization,
                load.pue,
                load.green_power_share,
                load.occupancy
            ),
            (0.0, 1.0, 1.0, 0.0)
        );
    }
}
