//! Font lookup that never panics.
//!
//! `TextStyle::resolve` panics when a named style was not registered; a wall console must not go
//! down because a theme forgot a style, so widgets resolve fonts through here and fall back to
//! `Body`.

use egui::{FontId, Style, TextStyle};

/// The font registered for `text_style`, else the `Body` font, else egui's default font.
pub(crate) fn font_for(style: &Style, text_style: &TextStyle) -> FontId {
    style
        .text_styles
        .get(text_style)
        .or_else(|| style.text_styles.get(&TextStyle::Body))
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_style_falls_back_to_body() {
        let style = Style::default();
        let body = font_for(&style, &TextStyle::Body);
        assert_eq!(font_for(&style, &TextStyle::Name("nope".into())), body);
        assert_ne!(font_for(&style, &TextStyle::Heading), body);
    }
}
