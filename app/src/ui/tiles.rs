//! An operator's own basemap under the overview (`--tiles`): an XYZ tile server
//! (`https://…/{z}/{x}/{y}.png`, online or on the intranet) or one local PMTiles or MBTiles file
//! of raster tiles — an approved map brought as a single file, fully offline. The shipped
//! offline basemap stays the default and the fallback.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use walkers::sources::{Attribution, TileSource};
use walkers::{HttpTiles, TileId, Tiles};

/// Where the tiles come from, with their attribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileConfig {
    pub source: TileSourceKind,
    pub attribution: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileSourceKind {
    /// An `{z}/{x}/{y}` URL template.
    Xyz { url_template: String },
    /// A PMTiles v3 file of PNG or JPEG tiles.
    PmTiles { path: PathBuf },
    /// An MBTiles (SQLite) file of PNG or JPEG tiles, tiles down to `max_zoom`.
    MbTiles { path: PathBuf, max_zoom: u8 },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileConfigError {
    #[error(
        "{0:?} is neither a tile URL (http:// or https://) nor a .pmtiles or .mbtiles file of \
         this machine"
    )]
    Scheme(String),
    #[error("tile URL {0:?} must contain {{z}}, {{x}} and {{y}}")]
    Placeholders(String),
    #[error("cannot read the PMTiles file {path}: {why}")]
    Unreadable { path: String, why: String },
    #[error("{0} is not a PMTiles v3 file (its first bytes are not \"PMTiles\" and version 3)")]
    NotPmTiles(String),
    #[error("{path} is not an MBTiles file Tianshu can read: {why}")]
    NotMbTiles { path: String, why: String },
    #[error(
        "{path} holds {kind} tiles; Tianshu draws raster tiles (PNG or JPEG) from PMTiles and \
         MBTiles files — convert vector or WebP/AVIF tiles to PNG first (e.g. with a tile \
         renderer)"
    )]
    TileType { path: String, kind: &'static str },
}

/// PMTiles v3: the header's length.
const PMTILES_HEADER_LEN: usize = 127;

impl TileConfig {
    /// A URL template or a path to a `.pmtiles` or `.mbtiles` file, checked now (a bad file is
    /// named at start-up, not discovered as an empty map).
    pub fn parse(source: &str, attribution: &str) -> Result<Self, TileConfigError> {
        let text = source.trim();
        let attribution = attribution.trim().to_owned();
        if text.starts_with("http://") || text.starts_with("https://") {
            if !["{z}", "{x}", "{y}"].iter().all(|p| text.contains(p)) {
                return Err(TileConfigError::Placeholders(text.to_owned()));
            }
            return Ok(Self {
                source: TileSourceKind::Xyz {
                    url_template: text.to_owned(),
                },
                attribution,
            });
        }
        let path = Path::new(text.strip_prefix("file://").unwrap_or(text));
        if has_extension(path, "mbtiles") || (path.is_file() && is_sqlite(path)) {
            return Ok(Self {
                source: check_mbtiles(path)?,
                attribution,
            });
        }
        if has_extension(path, "pmtiles") || path.is_file() {
            check_pmtiles(path)?;
            return Ok(Self {
                source: TileSourceKind::PmTiles {
                    path: path.to_owned(),
                },
                attribution,
            });
        }
        Err(TileConfigError::Scheme(text.to_owned()))
    }

    /// walkers' tile layer for this source (loads on its own threads, caches in memory).
    pub fn layer(&self, ctx: egui::Context) -> Box<dyn Tiles> {
        match &self.source {
            TileSourceKind::Xyz { url_template } => Box::new(HttpTiles::new(
                XyzSource {
                    url_template: url_template.clone(),
                    // walkers wants a 'static text; one small string per process.
                    attribution: Box::leak(self.attribution.clone().into_boxed_str()),
                },
                ctx,
            )),
            TileSourceKind::PmTiles { path } => Box::new(walkers::PmTiles::new(path, ctx)),
            TileSourceKind::MbTiles { path, max_zoom } => Box::new(super::mbtiles::MbTiles::new(
                path,
                *max_zoom,
                &self.attribution,
                ctx,
            )),
        }
    }
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// An SQLite database (what an MBTiles file is) starts with these bytes.
fn is_sqlite(path: &Path) -> bool {
    let mut magic = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| &magic == b"SQLite format 3\0")
}

/// An MBTiles file of raster tiles (its metadata and tiles read now), or why not.
fn check_mbtiles(path: &Path) -> Result<TileSourceKind, TileConfigError> {
    let shown = path.display().to_string();
    if !path.is_file() {
        return Err(TileConfigError::Unreadable {
            path: shown,
            why: "no such file".into(),
        });
    }
    let info = super::mbtiles::inspect(path).map_err(|why| TileConfigError::NotMbTiles {
        path: shown.clone(),
        why,
    })?;
    let format = info
        .format
        .as_deref()
        .map(|f| f.trim_start_matches("image/"));
    let kind = match format {
        None | Some("png" | "jpg" | "jpeg") => {
            return Ok(TileSourceKind::MbTiles {
                path: path.to_owned(),
                max_zoom: info.max_zoom,
            });
        }
        Some("pbf" | "mvt") => "vector (MVT)",
        Some("webp") => "WebP",
        Some(_) => "unknown",
    };
    Err(TileConfigError::TileType { path: shown, kind })
}

/// The header of a PMTiles v3 file of raster tiles (read by the `pmtiles` crate walkers uses),
/// or why not.
fn check_pmtiles(path: &Path) -> Result<(), TileConfigError> {
    use pmtiles::{PmtError, TileType};
    let shown = path.display().to_string();
    let mut bytes = [0u8; PMTILES_HEADER_LEN];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| TileConfigError::Unreadable {
            path: shown.clone(),
            why: e.to_string(),
        })?;
    let header = match pmtiles::Header::try_from_bytes(bytes::Bytes::copy_from_slice(&bytes)) {
        Ok(header) if header.spec_version() == 3 => header,
        Err(PmtError::InvalidTileType) => {
            return Err(TileConfigError::TileType {
                path: shown,
                kind: "unknown",
            });
        }
        _ => return Err(TileConfigError::NotPmTiles(shown)),
    };
    let kind = match header.tile_type {
        TileType::Png | TileType::Jpeg => return Ok(()),
        TileType::Mvt => "vector (MVT)",
        TileType::Mlt => "vector (MLT)",
        TileType::Webp => "WebP",
        TileType::Avif => "AVIF",
        TileType::Unknown => "unknown",
    };
    Err(TileConfigError::TileType { path: shown, kind })
}

/// walkers' attribution of a tile layer: the operator's text, no link or logo.
pub(super) fn attribution(text: &'static str) -> Attribution {
    Attribution {
        text,
        url: "",
        logo_light: None,
        logo_dark: None,
    }
}

struct XyzSource {
    url_template: String,
    attribution: &'static str,
}

/// The URL of tile `(zoom, x, y)` from an `{z}/{x}/{y}` template.
fn tile_url(template: &str, zoom: u8, x: u32, y: u32) -> String {
    template
        .replace("{z}", &zoom.to_string())
        .replace("{x}", &x.to_string())
        .replace("{y}", &y.to_string())
}

impl TileSource for XyzSource {
    fn tile_url(&self, tile_id: TileId) -> String {
        tile_url(&self.url_template, tile_id.zoom, tile_id.x, tile_id.y)
    }

    fn attribution(&self) -> Attribution {
        attribution(self.attribution)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn templates_are_checked_and_expanded() {
        let c =
            TileConfig::parse("https://tiles.example/{z}/{x}/{y}.png", "© Example").expect("valid");
        let TileSourceKind::Xyz { url_template } = &c.source else {
            panic!("{c:?}");
        };
        assert_eq!(
            tile_url(url_template, 5, 26, 12),
            "https://tiles.example/5/26/12.png"
        );
        assert!(matches!(
            TileConfig::parse("ftp://x/{z}/{x}/{y}", ""),
            Err(TileConfigError::Scheme(_))
        ));
        assert!(matches!(
            TileConfig::parse("http://x/{z}/{x}.png", ""),
            Err(TileConfigError::Placeholders(_))
        ));
    }

    fn file_with(bytes: &[u8], name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tianshu-pmtiles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    /// Where a PMTiles v3 header keeps its tile type.
    const PMTILES_TILE_TYPE_AT: usize = 99;

    fn header(tile_type: u8) -> Vec<u8> {
        let mut h = vec![0u8; PMTILES_HEADER_LEN];
        h[..7].copy_from_slice(b"PMTiles");
        h[7] = 3;
        h[PMTILES_TILE_TYPE_AT] = tile_type;
        h
    }

    #[test]
    fn a_pmtiles_file_is_checked_before_the_window_opens() {
        let png = file_with(&header(2), "ok.pmtiles");
        let c = TileConfig::parse(png.to_str().expect("utf-8"), " Approved map ").expect("valid");
        assert_eq!(c.source, TileSourceKind::PmTiles { path: png.clone() });
        assert_eq!(c.attribution, "Approved map");
        let missing = png.with_file_name("missing.pmtiles");
        let e = TileConfig::parse(missing.to_str().expect("utf-8"), "").expect_err("missing");
        assert!(matches!(e, TileConfigError::Unreadable { .. }), "{e}");
        let vector = file_with(&header(1), "vector.pmtiles");
        let e = TileConfig::parse(vector.to_str().expect("utf-8"), "").expect_err("mvt");
        assert!(e.to_string().contains("vector (MVT)"), "{e}");
        let other = file_with(&[b'M'; 200], "x.pmtiles");
        let e = TileConfig::parse(other.to_str().expect("utf-8"), "").expect_err("not pmtiles");
        assert!(matches!(e, TileConfigError::NotPmTiles(_)), "{e}");
        let short = file_with(b"PMTiles", "short.pmtiles");
        assert!(TileConfig::parse(short.to_str().expect("utf-8"), "").is_err());
        assert!(matches!(
            TileConfig::parse("no-such-place", ""),
            Err(TileConfigError::Scheme(_))
        ));
    }

    /// An MBTiles file with `format` in its metadata and one tile at zoom 0.
    pub(crate) fn mbtiles_file(name: &str, format: Option<&str>, tile: &[u8]) -> PathBuf {
        let path = file_with(b"", name);
        let _ = std::fs::remove_file(&path);
        let db = rusqlite::Connection::open(&path).expect("create");
        db.execute_batch(
            "CREATE TABLE metadata (name text, value text);
             CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer,
                                 tile_data blob);",
        )
        .expect("schema");
        if let Some(format) = format {
            db.execute("INSERT INTO metadata VALUES ('format', ?1)", [format])
                .expect("metadata");
        }
        db.execute("INSERT INTO tiles VALUES (0, 0, 0, ?1)", [tile])
            .expect("tile");
        path
    }

    #[test]
    fn an_mbtiles_file_is_checked_before_the_window_opens() {
        let ok = mbtiles_file("ok.mbtiles", Some("png"), b"not decoded here");
        let c = TileConfig::parse(ok.to_str().expect("utf-8"), "Approved").expect("valid");
        assert_eq!(
            c.source,
            TileSourceKind::MbTiles {
                path: ok.clone(),
                max_zoom: 0
            }
        );
        // An SQLite file is known by its first bytes, whatever its name.
        let renamed = ok.with_file_name("approved-map.db");
        std::fs::copy(&ok, &renamed).expect("copy");
        let c = TileConfig::parse(renamed.to_str().expect("utf-8"), "").expect("valid");
        assert!(matches!(c.source, TileSourceKind::MbTiles { .. }), "{c:?}");
        let vector = mbtiles_file("vector.mbtiles", Some("pbf"), b"x");
        let e = TileConfig::parse(vector.to_str().expect("utf-8"), "").expect_err("pbf");
        assert!(e.to_string().contains("vector (MVT)"), "{e}");
        let junk = file_with(&[b'M'; 200], "junk.mbtiles");
        let e = TileConfig::parse(junk.to_str().expect("utf-8"), "").expect_err("junk");
        assert!(matches!(e, TileConfigError::NotMbTiles { .. }), "{e}");
        let missing = ok.with_file_name("missing.mbtiles");
        let e = TileConfig::parse(missing.to_str().expect("utf-8"), "").expect_err("missing");
        assert!(matches!(e, TileConfigError::Unreadable { .. }), "{e}");
    }
}
