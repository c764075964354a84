//! `GridImageLayer`: one texture stretched over a geographic bounding box.
//!
//! For rasters made elsewhere (heatmaps, coverage grids) and uploaded once as a texture. The
//! texture's rows are assumed evenly spaced in latitude (a plain lat/lon grid); since Mercator
//! stretches latitude, the image is drawn as horizontal strips placed at their true latitude.
//! Use [`GridImageLayer::with_mercator_rows`] for textures rasterised in Mercator already.

use egui::{Color32, Mesh, Pos2, Rect, Response, Role, Shape, TextureId, Ui, pos2};
use walkers::{MapMemory, Plugin, Position, Projector, lat_lon};

use super::mercator::MercatorTransform;
use crate::access::labeled_rect;

/// Strips used to follow Mercator's latitude stretch; plenty for a smooth result at any zoom.
const LATITUDE_STRIPS: usize = 32;

/// The texture's own colours: a mesh vertex colour multiplies the texture, and white leaves it
/// as it is (not a colour choice; the caller's picture carries the colours).
const UNTINTED: Color32 = Color32::WHITE;

#[must_use = "add it to a map with `Map::with_plugin`"]
pub struct GridImageLayer {
    texture: TextureId,
    south_west: Position,
    north_east: Position,
    tint: Color32,
    mercator_rows: bool,
    label: String,
}

impl GridImageLayer {
    /// `texture` row 0 is the northern edge, column 0 the western edge.
    pub fn new(texture: TextureId, south_west: Position, north_east: Position) -> Self {
        Self {
            texture,
            south_west,
            north_east,
            tint: UNTINTED,
            mercator_rows: false,
            label: "Image overlay".to_owned(),
        }
    }

    /// Overall opacity, `0..=1`.
    pub fn with_alpha(mut self, alpha: f32) -> Self {
        self.tint = UNTINTED.gamma_multiply(alpha.clamp(0.0, 1.0));
        self
    }

    /// Full tint colour (premultiplied), for callers who want more than alpha.
    pub fn with_tint(mut self, tint: Color32) -> Self {
        self.tint = tint;
        self
    }

    /// The texture was rasterised in Web-Mercator rows: draw it as one quad.
    pub fn with_mercator_rows(mut self, mercator_rows: bool) -> Self {
        self.mercator_rows = mercator_rows;
        self
    }

    /// Accessible name (default "Image overlay").
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The textured mesh under `transform`.
    pub fn mesh(&self, transform: &MercatorTransform) -> Mesh {
        let (west, east) = (self.south_west.x(), self.north_east.x());
        let (south, north) = (self.south_west.y(), self.north_east.y());
        let strips = if self.mercator_rows {
            1
        } else {
            LATITUDE_STRIPS
        };
        let mut mesh = Mesh::with_texture(self.texture);
        for k in 0..=strips {
            let v = k as f32 / strips as f32;
            let lat = north + (south - north) * f64::from(v);
            let left = transform.project(lat_lon(lat, west));
            let right = transform.project(lat_lon(lat, east));
            push_vertex(&mut mesh, left, pos2(0.0, v), self.tint);
            push_vertex(&mut mesh, right, pos2(1.0, v), self.tint);
            if k > 0 {
                let base = 2 * k as u32;
                mesh.add_triangle(base - 2, base - 1, base);
                mesh.add_triangle(base - 1, base, base + 1);
            }
        }
        mesh
    }
}

fn push_vertex(mesh: &mut Mesh, pos: Pos2, uv: Pos2, color: Color32) {
    mesh.vertices.push(egui::epaint::Vertex { pos, uv, color });
}

impl Plugin for GridImageLayer {
    fn run(
        self: Box<Self>,
        ui: &mut Ui,
        _response: &Response,
        projector: &Projector,
        _map_memory: &MapMemory,
    ) {
        let transform = MercatorTransform::from_projector(projector);
        let clip = projector.clip_rect();
        let bounds = Rect::from_two_pos(
            transform.project(self.south_west),
            transform.project(self.north_east),
        );
        if bounds.intersects(clip) && self.tint.a() > 0 {
            ui.painter()
                .with_clip_rect(clip)
                .add(Shape::mesh(self.mesh(&transform)));
        }
        labeled_rect(
            ui,
            ui.scope_id().with("grid_image_layer"),
            bounds.intersect(clip),
            Role::Image,
            &self.label,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mesh_covers_bbox_with_latitude_strips() {
        let transform = MercatorTransform::from_parts([0.0, 0.0], [1000.0, 1000.0]);
        let (sw, ne) = (lat_lon(-60.0, -10.0), lat_lon(60.0, 30.0));
        let layer = GridImageLayer::new(TextureId::default(), sw, ne).with_alpha(0.5);
        let mesh = layer.mesh(&transform);
        assert!(mesh.is_valid());
        assert_eq!(mesh.vertices.len(), 2 * (LATITUDE_STRIPS + 1));
        let first = mesh.vertices[0];
        let last = mesh.vertices[mesh.vertices.len() - 1];
        assert_eq!(first.pos, transform.project(lat_lon(60.0, -10.0)));
        assert_eq!(first.uv, pos2(0.0, 0.0));
        assert_eq!(last.pos, transform.project(lat_lon(-60.0, 30.0)));
        assert_eq!(last.uv, pos2(1.0, 1.0));
        // Rows are evenly spaced in latitude: the texture's middle row lands on the equator.
        let mid = mesh.vertices[LATITUDE_STRIPS];
        assert_eq!(mid.uv.y, 0.5);
        assert!((mid.pos.y - transform.project(lat_lon(0.0, -10.0)).y).abs() < 1e-3);
        assert_eq!(first.color.a(), Color32::WHITE.gamma_multiply(0.5).a());

        let quad = GridImageLayer::new(TextureId::default(), sw, ne)
            .with_mercator_rows(true)
            .mesh(&transform);
        assert_eq!(quad.vertices.len(), 4);
    }
}
