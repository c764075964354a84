//! An operator's basemap as one MBTiles file (issue 17): the SQLite tile store most map tools
//! export (`tiles(zoom_level, tile_column, tile_row, tile_data)` with rows counted from the
//! south, `metadata(name, value)`), read on a thread of its own and drawn as walkers' raster
//! tiles. The UI never waits on the file: a tile not read yet asks the reader for it and shows
//! the nearest ancestor already read, magnified, meanwhile (and beyond the file's deepest zoom).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};

use egui::{Rect, pos2};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _};
use walkers::sources::Attribution;
use walkers::{Style, Tile, TileId, TilePiece, Tiles};

/// Tiles kept in memory (as textures); the least recently read go first.
const CACHED_TILES: usize = 512;
/// The size MBTiles raster tiles are made for.
const TILE_SIZE: u32 = 256;

/// What an MBTiles file says about itself, read when the file is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MbTilesInfo {
    /// `metadata.format` (`png`, `jpg`), if the file says.
    pub format: Option<String>,
    /// The deepest zoom level with a tile.
    pub max_zoom: u8,
}

/// Opens `path` read-only and reads what the tiles are; `Err` says why it cannot be drawn.
pub fn inspect(path: &Path) -> Result<MbTilesInfo, String> {
    let db = open(path)?;
    let format: Option<String> = db
        .query_row(
            "SELECT value FROM metadata WHERE name = 'format'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(|e| format!("it has no readable metadata table ({e})"))?;
    let max_zoom: Option<i64> = db
        .query_row("SELECT max(zoom_level) FROM tiles", [], |r| r.get(0))
        .map_err(|e| format!("it has no readable tiles table ({e})"))?;
    let max_zoom = max_zoom.ok_or("its tiles table is empty")?;
    let max_zoom = u8::try_from(max_zoom.clamp(0, 30)).unwrap_or(30);
    Ok(MbTilesInfo {
        format: format.map(|f| f.trim().to_ascii_lowercase()),
        max_zoom,
    })
}

fn open(path: &Path) -> Result<Connection, String> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, flags).map_err(|e| e.to_string())
}

/// walkers' tile layer over an MBTiles file.
pub struct MbTiles {
    requests: Sender<TileId>,
    answers: Receiver<(TileId, Option<Tile>)>,
    /// Read tiles; `None`: the file has none there (or it did not decode).
    cache: HashMap<TileId, Option<Tile>>,
    order: VecDeque<TileId>,
    pending: HashSet<TileId>,
    max_zoom: u8,
    attribution: &'static str,
}

impl MbTiles {
    /// Starts the reader thread for `path` (checked with [`inspect`] before).
    pub fn new(path: &Path, max_zoom: u8, attribution: &str, ctx: egui::Context) -> Self {
        let (requests, wanted) = channel::<TileId>();
        let (answer, answers) = channel();
        let path = path.to_owned();
        let spawned = std::thread::Builder::new()
            .name("mbtiles".into())
            .spawn(move || read_tiles(&path, &wanted, &answer, &ctx));
        if let Err(e) = spawned {
            tracing::warn!("the MBTiles reader could not start: {e}");
        }
        Self {
            requests,
            answers,
            cache: HashMap::new(),
            order: VecDeque::new(),
            pending: HashSet::new(),
            max_zoom,
            // walkers wants a 'static text; one small string per process.
            attribution: Box::leak(attribution.to_owned().into_boxed_str()),
        }
    }

    /// Takes in what the reader has read.
    fn receive(&mut self) {
        while let Ok((id, tile)) = self.answers.try_recv() {
            self.pending.remove(&id);
            self.cache.insert(id, tile);
            self.order.push_back(id);
            while self.order.len() > CACHED_TILES {
                if let Some(old) = self.order.pop_front() {
                    self.cache.remove(&old);
                }
            }
        }
    }

    fn request(&mut self, id: TileId) {
        if !self.cache.contains_key(&id) && self.pending.insert(id) {
            // A reader that is gone answers nothing: the map keeps its fallback.
            let _ = self.requests.send(id);
        }
    }
}

/// The reader: one tile per request, answered in order, the UI woken for each.
fn read_tiles(
    path: &Path,
    wanted: &Receiver<TileId>,
    answer: &Sender<(TileId, Option<Tile>)>,
    ctx: &egui::Context,
) {
    let db = match open(path) {
        Ok(db) => db,
        Err(e) => {
            tracing::warn!("the MBTiles file {} cannot be read: {e}", path.display());
            return;
        }
    };
    let style = Style;
    while let Ok(id) = wanted.recv() {
        // MBTiles counts rows from the south (TMS); a tile off the grid is not in the file.
        let row = 1u64
            .checked_shl(u32::from(id.zoom))
            .and_then(|rows| rows.checked_sub(1 + u64::from(id.y)));
        let bytes: Option<Vec<u8>> = row.and_then(|row| {
            db.query_row(
                "SELECT tile_data FROM tiles \
                 WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                (i64::from(id.zoom), i64::from(id.x), row as i64),
                |r| r.get(0),
            )
            .optional()
            .unwrap_or_else(|e| {
                tracing::warn!("MBTiles tile {id:?}: {e}");
                None
            })
        });
        let tile = bytes.and_then(|b| match Tile::new(&b, &style, id.zoom, TILE_SIZE, ctx) {
            Ok(tile) => Some(tile),
            Err(e) => {
                tracing::warn!("MBTiles tile {id:?} does not decode: {e}");
                None
            }
        });
        if answer.send((id, tile)).is_err() {
            return;
        }
        ctx.request_repaint();
    }
}

impl Tiles for MbTiles {
    fn at(&mut self, tile_id: TileId) -> Option<TilePiece> {
        self.receive();
        // The tile, or the part of its nearest ancestor that covers it.
        let mut id = tile_id;
        let mut uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
        let mut asked = false;
        loop {
            if id.zoom <= self.max_zoom {
                match self.cache.get(&id) {
                    Some(Some(tile)) => return Some(TilePiece::new(tile.clone(), uv)),
                    Some(None) => {}
                    None if !asked => {
                        self.request(id);
                        asked = true;
                    }
                    None => {}
                }
            }
            if id.zoom == 0 {
                return None;
            }
            let (qx, qy) = ((id.x % 2) as f32, (id.y % 2) as f32);
            uv = Rect::from_min_max(
                pos2((qx + uv.min.x) / 2.0, (qy + uv.min.y) / 2.0),
                pos2((qx + uv.max.x) / 2.0, (qy + uv.max.y) / 2.0),
            );
            id = TileId {
                x: id.x / 2,
                y: id.y / 2,
                zoom: id.zoom - 1,
            };
        }
    }

    fn attribution(&self) -> Attribution {
        super::tiles::attribution(self.attribution)
    }

    fn tile_size(&self) -> u32 {
        TILE_SIZE
    }

    fn stats(&self) -> walkers::Stats {
        walkers::Stats {
            in_progress: self.pending.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(colour: [u8; 4]) -> Vec<u8> {
        let image = image::RgbaImage::from_pixel(256, 256, image::Rgba(colour));
        let mut bytes = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut bytes, image::ImageFormat::Png)
            .expect("encode");
        bytes.into_inner()
    }

    /// Asks for `id` until the reader has answered (it wakes the UI; here we poll).
    fn piece(tiles: &mut MbTiles, id: TileId) -> Option<TilePiece> {
        for _ in 0..200 {
            if let Some(piece) = tiles.at(id) {
                return Some(piece);
            }
            if !tiles.pending.contains(&id) && tiles.cache.contains_key(&id) {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        None
    }

    #[test]
    fn tiles_are_read_off_the_ui_thread_and_deeper_zooms_magnify_an_ancestor() {
        let path = crate::ui::tiles::tests::mbtiles_file(
            "read.mbtiles",
            Some("png"),
            &png([200, 30, 200, 255]),
        );
        let info = inspect(&path).expect("readable");
        assert_eq!(info.max_zoom, 0);
        let ctx = egui::Context::default();
        let mut tiles = MbTiles::new(&path, info.max_zoom, "Approved map", ctx);
        let root = TileId {
            x: 0,
            y: 0,
            zoom: 0,
        };
        let whole = piece(&mut tiles, root).expect("the root tile");
        assert_eq!(whole.uv, Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0)));
        // Zoom 2, column 3, row 1: the root tile's right quarter, second row of four.
        let deeper = tiles
            .at(TileId {
                x: 3,
                y: 1,
                zoom: 2,
            })
            .expect("magnified from the root");
        assert_eq!(
            deeper.uv,
            Rect::from_min_max(pos2(0.75, 0.25), pos2(1.0, 0.5))
        );
        assert_eq!(tiles.attribution().text, "Approved map");
        // Off the grid: nothing, and no panic in the reader.
        assert!(
            piece(
                &mut tiles,
                TileId {
                    x: 0,
                    y: 9,
                    zoom: 0
                }
            )
            .is_none()
        );
    }
}
