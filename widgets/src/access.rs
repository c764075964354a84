//! Accessibility helpers shared by the widgets and map layers.
//!
//! Painted-only things (map points, overlays) get a hover-only widget so that AccessKit — and
//! therefore screen readers and `egui_kittest` queries — can find them by label. Hover-only
//! widgets never take clicks or drags, so they do not steal gestures from the map below.

use egui::{Id, Rect, Response, Role, Sense, Ui, WidgetInfo};

/// Register `rect` as a hover-only widget carrying `label` in the accessibility tree.
pub(crate) fn labeled_rect(ui: &Ui, id: Id, rect: Rect, role: Role, label: &str) -> Response {
    let response = ui.interact(rect, id, Sense::hover());
    let enabled = ui.is_enabled();
    response.widget_info(|| WidgetInfo::labeled(role, enabled, label));
    response
}
