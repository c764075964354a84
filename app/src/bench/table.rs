//! The benches' plain-text tables: a left-aligned first column, right-aligned figures.

/// Prints `header` and `rows`, each column as wide as `widths` says (the first left-aligned).
pub fn print(widths: &[usize], header: &[&str], rows: &[Vec<String>]) {
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.zip(widths).enumerate() {
            if i == 0 {
                out.push_str(&format!("{cell:<w$}"));
            } else {
                out.push_str(&format!(" {cell:>w$}"));
            }
        }
        println!("{out}");
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
}

/// A figure with `digits` decimals.
pub fn fig(value: f64, digits: usize) -> String {
    format!("{value:.digits$}")
}
