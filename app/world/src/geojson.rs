//! GeoJSON FeatureCollections, read with serde_json: each feature keeps the line and column where
//! its object starts, so an error in it points there.
//!
//! Only what the world files use is understood: `Point` and `LineString` geometries (positions
//! `[lon, lat]`, an altitude ignored) and flat properties. Members this reader does not use
//! (`bbox`, `crs`, a feature's `id`) are ignored.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tianshu_api::GeoPoint;

use crate::error::{LoadError, Locator, Pos};
use crate::fields::{self, Reason};

/// The field name errors about a feature's geometry carry.
pub(crate) const GEOMETRY: &str = "geometry";

#[derive(Deserialize)]
struct Collection<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(borrow)]
    features: Vec<&'a RawValue>,
}

/// One feature of a collection, where it starts in the file and what it holds.
pub(crate) struct Feature {
    file: &'static str,
    pub pos: Pos,
    properties: Map<String, Value>,
    geometry: Option<Map<String, Value>>,
}

/// The features of `file`'s FeatureCollection `text`, in file order.
pub(crate) fn features(file: &'static str, text: &str) -> Result<Vec<Feature>, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let collection: Collection<'_> = serde_json::from_str(text).map_err(|e| syntax(file, &e))?;
    if collection.kind != "FeatureCollection" {
        let start = text.len() - text.trim_start().len();
        let reason = format!(
            "`type` is `{}`; expected `FeatureCollection`",
            collection.kind
        );
        let pos = Locator::new(text).pos(start);
        return Err(LoadError::at(file, pos, Some("type"), reason));
    }
    let mut locator = Locator::new(text);
    collection
        .features
        .iter()
        .map(|raw| {
            // Both point into `text`: the raw slice is borrowed from it.
            let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
            Feature::parse(file, locator.pos(offset), raw.get())
        })
        .collect()
}

/// A serde_json error at its own line and column, without the position repeated in the text.
fn syntax(file: &str, e: &serde_json::Error) -> LoadError {
    let message = e.to_string();
    let reason = match message.rfind(" at line ") {
        Some(i) if e.line() > 0 => &message[..i],
        _ => message.as_str(),
    };
    let pos = Pos::new(e.line() as u64, e.column() as u64);
    LoadError::at(file, pos, None, format!("not valid GeoJSON: {reason}"))
}

impl Feature {
    fn parse(file: &'static str, pos: Pos, raw: &str) -> Result<Self, LoadError> {
        let err = |field: &str, reason: &str| LoadError::at(file, pos, Some(field), reason);
        let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(raw) else {
            return Err(LoadError::at(
                file,
                pos,
                None,
                "a feature must be a JSON object",
            ));
        };
        if object.get("type").and_then(Value::as_str) != Some("Feature") {
            return Err(err("type", "a feature's `type` must be `Feature`"));
        }
        let properties = match object.remove("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(err("properties", "must be an object")),
        };
        let geometry = match object.remove(GEOMETRY) {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => return Err(err(GEOMETRY, "must be an object or null")),
        };
        Ok(Self {
            file,
            pos,
            properties,
            geometry,
        })
    }

    /// An error about this feature's `field`.
    pub fn error(&self, field: &str, reason: impl Into<String>) -> LoadError {
        LoadError::at(self.file, self.pos, Some(field), reason)
    }

    /// The property `key` as trimmed text, or `None` when absent or null.
    fn text_or_none(&self, key: &str) -> Result<Option<&str>, LoadError> {
        match self.properties.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim())),
            Some(_) => Err(self.error(key, "must be a string")),
        }
    }

    /// The required text property `key`, checked by `check`.
    pub fn text<T>(
        &self,
        key: &str,
        check: impl FnOnce(&str) -> Result<T, Reason>,
    ) -> Result<T, LoadError> {
        let text = self
            .text_or_none(key)?
            .ok_or_else(|| self.error(key, "missing"))?;
        check(text).map_err(|reason| self.error(key, reason))
    }

    /// The number property `key` (`None` when absent or null), finite and within `min..=max`.
    pub fn number(&self, key: &str, min: f64, max: f64) -> Result<Option<f64>, LoadError> {
        match self.properties.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => {
                let value = n
                    .as_f64()
                    .ok_or_else(|| self.error(key, "not a finite number"))?;
                fields::in_range(value, min, max)
                    .map(Some)
                    .map_err(|reason| self.error(key, reason))
            }
            Some(_) => Err(self.error(key, "must be a number")),
        }
    }

    /// The required number property `key` within `min..=max`.
    pub fn required_number(&self, key: &str, min: f64, max: f64) -> Result<f64, LoadError> {
        self.number(key, min, max)?
            .ok_or_else(|| self.error(key, "missing"))
    }

    /// The required whole-number property `key`, at least `min`.
    pub fn whole(&self, key: &str, min: u64) -> Result<u64, LoadError> {
        match self.properties.get(key) {
            None | Some(Value::Null) => Err(self.error(key, "missing")),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if v >= min => Ok(v),
                Some(v) => Err(self.error(key, format!("{v} is below {min}"))),
                None => Err(self.error(key, format!("{n} is not a whole number ≥ {min}"))),
            },
            Some(_) => Err(self.error(key, "must be a number")),
        }
    }

    /// The geometry's type and coordinates; `None` when the geometry is null.
    fn geometry(&self) -> Result<Option<(&str, &Value)>, LoadError> {
        let Some(geometry) = &self.geometry else {
            return Ok(None);
        };
        let kind = geometry
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| self.error(GEOMETRY, "has no `type`"))?;
        let coordinates = geometry
            .get("coordinates")
            .ok_or_else(|| self.error(GEOMETRY, format!("the {kind} has no `coordinates`")))?;
        Ok(Some((kind, coordinates)))
    }

    /// True when the geometry is a Point or null (a hub's, which is not used).
    pub fn point_or_null(&self) -> Result<(), LoadError> {
        match self.geometry()? {
            None | Some(("Point", _)) => Ok(()),
            Some((kind, _)) => {
                Err(self.error(GEOMETRY, format!("must be a Point or null, not {kind}")))
            }
        }
    }

    /// The required Point geometry.
    pub fn point(&self) -> Result<GeoPoint, LoadError> {
        match self.geometry()? {
            None => Err(self.error(GEOMETRY, "missing: a Point [lon, lat] is required")),
            Some(("Point", coordinates)) => {
                position(coordinates).map_err(|reason| self.error(GEOMETRY, reason))
            }
            Some((kind, _)) => Err(self.error(GEOMETRY, format!("must be a Point, not {kind}"))),
        }
    }

    /// The required LineString geometry: at least two positions.
    pub fn line_string(&self) -> Result<Vec<GeoPoint>, LoadError> {
        let coordinates = match self.geometry()? {
            None => return Err(self.error(GEOMETRY, "missing: a LineString is required")),
            Some(("LineString", coordinates)) => coordinates,
            Some((kind, _)) => {
                return Err(self.error(GEOMETRY, format!("must be a LineString, not {kind}")));
            }
        };
        let positions = coordinates
            .as_array()
            .ok_or_else(|| self.error(GEOMETRY, "the LineString's coordinates must be an array"))?;
        if positions.len() < 2 {
            return Err(self.error(GEOMETRY, "a LineString needs at least two positions"));
        }
        positions
            .iter()
            .enumerate()
            .map(|(i, p)| {
                position(p)
                    .map_err(|reason| self.error(GEOMETRY, format!("position {}: {reason}", i + 1)))
            })
            .collect()
    }
}

/// A GeoJSON position `[lon, lat]` (or `[lon, lat, alt]`).
fn position(value: &Value) -> Result<GeoPoint, Reason> {
    let shape = || "a position must be [lon, lat] in degrees".to_owned();
    let items = value.as_array().ok_or_else(shape)?;
    if !(2..=3).contains(&items.len()) {
        return Err(shape());
    }
    let number = |i: usize| items.get(i).and_then(Value::as_f64).ok_or_else(shape);
    let lon = fields::lon(number(0)?)?;
    let lat = fields::lat(number(1)?)?;
    if items.len() == 3 {
        number(2)?;
    }
    Ok(GeoPoint { lat, lon })
}
