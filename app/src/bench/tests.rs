//! Unit tests of the parent module, kept beside it so the module reads as what it does.

use super::*;

#[test]
fn percentiles() {
    let v: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(percentile(&v, 0.5), 51.0);
    assert_eq!(percentile(&v, 0.99), 99.0);
    assert_eq!(percentile(&[], 0.5), 0.0);
}

#[test]
fn rss_is_read_on_linux() {
    assert!(peak_rss_mb() > 1.0);
}
