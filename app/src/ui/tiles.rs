//! Optional online or intranet basemap: an XYZ tile URL template (`--tiles`), for operators who must
//! show their own approved map. The shipped offline basemap stays the default and the fallback.

use walkers::sources::{Attribution, TileSource};
use walkers::{HttpTiles, TileId};

/// An `{z}/{x}/{y}` URL template with its attribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileConfig {
    pub url_template: String,
    pub attribution: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileConfigError {
    #[error("tile URL {0:?} must start with http:// or https://")]
    Scheme(String),
    #[error("tile URL {0:?} must contain {{z}}, {{x}} and {{y}}")]
    Placeholders(String),
}

impl TileConfig {
    pub fn parse(url_template: &str, attribution: &str) -> Result<Self, TileConfigError> {
        let url = url_template.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(TileConfigError::Scheme(url.to_owned()));
        }
        if !["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p)) {
            return Err(TileConfigError::Placeholders(url.to_owned()));
        }
        Ok(Self {
            url_template: url.to_owned(),
            attribution: attribution.trim().to_owned(),
        })
    }

    pub fn url(&self, zoom: u8, x: u32, y: u32) -> String {
        self.url_template
            .replace("{z}", &zoom.to_string())
            .replace("{x}", &x.to_string())
            .replace("{y}", &y.to_string())
    }

    /// walkers' tile layer for this source (fetches on its own threads, caches in memory).
    pub fn layer(&self, ctx: egui::Context) -> HttpTiles {
        HttpTiles::new(
            XyzSource {
                config: self.clone(),
                // walkers wants a 'static text; one small string per process.
                attribution: Box::leak(self.attribution.clone().into_boxed_str()),
            },
            ctx,
        )
    }
}

struct XyzSource {
    config: TileConfig,
    attribution: &'static str,
}

impl TileSource for XyzSource {
    fn tile_url(&self, tile_id: TileId) -> String {
        self.config.url(tile_id.zoom, tile_id.x, tile_id.y)
    }

    fn attribution(&self) -> Attribution {
        Attribution {
            text: self.attribution,
            url: "",
            logo_light: None,
            logo_dark: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_checked_and_expanded() {
        let c =
            TileConfig::parse("https://tiles.example/{z}/{x}/{y}.png", "© Example").expect("valid");
        assert_eq!(c.url(5, 26, 12), "https://tiles.example/5/26/12.png");
        assert!(matches!(
            TileConfig::parse("ftp://x/{z}/{x}/{y}", ""),
            Err(TileConfigError::Scheme(_))
        ));
        assert!(matches!(
            TileConfig::parse("http://x/{z}/{x}.png", ""),
            Err(TileConfigError::Placeholders(_))
        ));
    }
}
