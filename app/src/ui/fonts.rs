//! Fonts: egui's defaults for Latin, then the shipped Noto Sans CJK SC subset for Chinese.
//!
//! The subset (GB2312 level 1 plus every character of the data and locales, ≈0.9 MB) is compiled
//! into the binary; no system font is loaded.

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

pub const CJK_FONT: &[u8] =
    include_bytes!("../../../assets/fonts/NotoSansCJKsc-Regular-subset.otf");
const CJK_NAME: &str = "noto-sans-cjk-sc-subset";

pub fn font_definitions() -> FontDefinitions {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        CJK_NAME.to_owned(),
        Arc::new(FontData::from_static(CJK_FONT)),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push(CJK_NAME.to_owned());
    }
    fonts
}

pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(font_definitions());
}
