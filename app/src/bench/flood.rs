//! `tianshu bench --events-rate N` (filled in below).

use crate::cli::BenchArgs;

pub(super) fn run(_args: &BenchArgs, _rate: u32, _size: egui::Vec2) -> anyhow::Result<()> {
    anyhow::bail!("--events-rate is not built yet")
}
