//! From SVG to bytes: rasterised by resvg (PNG) or converted by svg2pdf (PDF), with the shipped
//! CJK font subset as the only font.

use std::sync::Arc;

use resvg::tiny_skia;
use resvg::usvg;

use super::DocError;

/// usvg options whose only font is the shipped CJK subset (no system font lookup).
fn options() -> usvg::Options<'static> {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(crate::ui::fonts::CJK_FONT.to_vec());
    let family = db
        .faces()
        .next()
        .and_then(|f| f.families.first().map(|(name, _)| name.clone()))
        .unwrap_or_else(|| "Noto Sans CJK SC".to_owned());
    let mut options = usvg::Options {
        font_family: family,
        ..usvg::Options::default()
    };
    options.fontdb = Arc::new(db);
    options
}

pub(super) fn tree(svg: &str) -> Result<usvg::Tree, DocError> {
    usvg::Tree::from_str(svg, &options()).map_err(|e| DocError::Svg(e.to_string()))
}

/// The SVG as PNG, at its own size.
pub fn png(svg: &str) -> Result<Vec<u8>, DocError> {
    let tree = tree(svg)?;
    let size = tree.size().to_int_size();
    if size.height() > 20_000 {
        return Err(DocError::TooLarge(size.height()));
    }
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or(DocError::TooLarge(size.height()))?;
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| DocError::Png(e.to_string()))
}

/// The pages as one PDF, a page each at its own size (CSS pixels as points), text as text (the
/// font embedded as a subset in each page's chunk).
pub fn pdf(pages: &[String]) -> Result<Vec<u8>, DocError> {
    use pdf_writer::{Content, Finish as _, Name, Pdf, Rect, Ref, TextStr};

    let mut alloc = Ref::new(1);
    let catalog_id = alloc.bump();
    let tree_id = alloc.bump();
    let mut pdf = Pdf::new();
    let mut page_ids = Vec::with_capacity(pages.len());
    let name = Name(b"S1");
    for svg in pages {
        let tree = tree(svg)?;
        let (w, h) = (tree.size().width(), tree.size().height());
        let (chunk, svg_id) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
            .map_err(|e| DocError::Pdf(e.to_string()))?;
        let mut map = std::collections::HashMap::new();
        let chunk = chunk.renumber(|old| *map.entry(old).or_insert_with(|| alloc.bump()));
        let svg_id = *map
            .get(&svg_id)
            .ok_or_else(|| DocError::Pdf("the drawing's object was lost".into()))?;
        let page_id = alloc.bump();
        let content_id = alloc.bump();
        page_ids.push(page_id);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h));
        page.parent(tree_id);
        page.contents(content_id);
        page.resources().x_objects().pair(name, svg_id);
        page.finish();
        // The drawing is a 1 × 1 pt form: scale it to the page.
        let mut content = Content::new();
        content
            .save_state()
            .transform([w, 0.0, 0.0, h, 0.0, 0.0])
            .x_object(name)
            .restore_state();
        pdf.stream(content_id, &content.finish());
        pdf.extend(&chunk);
    }
    pdf.catalog(catalog_id).pages(tree_id);
    let count =
        i32::try_from(page_ids.len()).map_err(|_| DocError::Pdf("too many pages".into()))?;
    pdf.pages(tree_id).kids(page_ids).count(count);
    let info_id = alloc.bump();
    pdf.document_info(info_id)
        .producer(TextStr("tianshu (svg2pdf)"));
    Ok(pdf.finish())
}
