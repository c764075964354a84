//! Random draws for the simulator on top of one seeded ChaCha8 stream, plus stateless per-cell
//! noise from a hash. Every draw here is deterministic given the seed and the call order.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub type SimRng = ChaCha8Rng;

/// Uniform in `lo..hi` (returns `lo` when the range is empty).
pub fn uniform(rng: &mut SimRng, lo: f64, hi: f64) -> f64 {
    if hi > lo {
        lo + (hi - lo) * rng.random::<f64>()
    } else {
        lo
    }
}

/// Log-uniform in `lo..hi` (both > 0).
pub fn log_uniform(rng: &mut SimRng, lo: f64, hi: f64) -> f64 {
    uniform(rng, lo.ln(), hi.ln()).exp()
}

/// Uniform index in `0..n`; 0 when `n` is 0.
pub fn index(rng: &mut SimRng, n: usize) -> usize {
    if n == 0 { 0 } else { rng.random_range(0..n) }
}

/// True with probability `p`.
pub fn chance(rng: &mut SimRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// Approximately standard normal (Irwin–Hall with three uniforms: cheap, bounded at ±3).
pub fn gauss(rng: &mut SimRng) -> f64 {
    let s: f64 = rng.random::<f64>() + rng.random::<f64>() + rng.random::<f64>();
    (s - 1.5) * 2.0
}

/// Index drawn with probability proportional to `weights` (all ≥ 0); 0 when they sum to 0.
pub fn weighted(rng: &mut SimRng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return 0;
    }
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len().saturating_sub(1)
}

/// Like [`weighted`] over cumulative sums (`cumulative` ascending, last = total): O(log n).
pub fn weighted_cumulative(rng: &mut SimRng, cumulative: &[f64]) -> usize {
    let Some(total) = cumulative.last().copied() else {
        return 0;
    };
    let x = rng.random::<f64>() * total;
    cumulative
        .partition_point(|c| *c <= x)
        .min(cumulative.len() - 1)
}

/// How many of `n` independent trials with probability `p` succeed (binomial), drawn with
/// Poisson or normal approximations so the cost does not grow with `n`.
pub fn count(rng: &mut SimRng, n: usize, p: f64) -> usize {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let mean = n as f64 * p;
    let drawn = if mean < 30.0 {
        poisson(rng, mean)
    } else {
        (mean + gauss(rng) * (mean * (1.0 - p)).sqrt())
            .round()
            .max(0.0) as usize
    };
    drawn.min(n)
}

/// Poisson with mean `lambda` (Knuth; meant for small means).
pub fn poisson(rng: &mut SimRng, lambda: f64) -> usize {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 30.0 {
        return (lambda + gauss(rng) * lambda.sqrt()).round().max(0.0) as usize;
    }
    let limit = (-lambda).exp();
    let mut k = 0;
    let mut p = rng.random::<f64>();
    while p > limit {
        k += 1;
        p *= rng.random::<f64>();
    }
    k
}

/// Stateless noise in 0..1 from a few integers (splitmix64 finaliser).
pub fn hash01(parts: &[u64]) -> f64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for p in parts {
        h ^= p
            .wrapping_add(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(h << 6)
            .wrapping_add(h >> 2);
        h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h ^= h >> 31;
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use rand::SeedableRng as _;

    use super::*;

    #[test]
    fn counts_track_their_mean() {
        let mut rng = SimRng::seed_from_u64(7);
        let small: usize = (0..2000).map(|_| count(&mut rng, 10_000, 0.0005)).sum();
        assert!((8_000..12_000).contains(&small), "{small}");
        let big = count(&mut rng, 10_000, 0.5);
        assert!((4_700..5_300).contains(&big), "{big}");
        assert_eq!(count(&mut rng, 3, 1.0), 3);
        assert_eq!(count(&mut rng, 0, 0.5), 0);
    }

    #[test]
    fn weighted_picks_follow_weights() {
        let mut rng = SimRng::seed_from_u64(1);
        let cumulative = [1.0, 1.0, 4.0];
        let mut hits = [0; 3];
        for _ in 0..4000 {
            hits[weighted_cumulative(&mut rng, &cumulative)] += 1;
            assert_ne!(weighted(&mut rng, &[0.0, 1.0]), 0);
        }
        assert_eq!(hits[1], 0);
        assert!(hits[2] > 2 * hits[0]);
    }

    #[test]
    fn hash_noise_is_stable_and_spread() {
        assert_eq!(hash01(&[1, 2, 3]), hash01(&[1, 2, 3]));
        assert_ne!(hash01(&[1, 2, 3]), hash01(&[1, 2, 4]));
        let mean: f64 = (0..1000u64).map(|i| hash01(&[9, i])).sum::<f64>() / 1000.0;
        assert!((0.45..0.55).contains(&mean), "{mean}");
    }
}
