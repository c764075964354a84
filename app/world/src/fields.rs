//! Checks of single values, shared by the GeoJSON and CSV readers. Each takes the value (text
//! already trimmed) and answers the typed value or the reason it is refused; the caller adds the
//! file, position and field.

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;
use tianshu_api::{GeoPoint, Industry, Technology, UnixMs, UpgradeStage};

/// Longest name accepted, in characters.
const NAME_MAX_CHARS: usize = 200;
/// Longest id accepted, in characters.
const ID_MAX_CHARS: usize = 64;
/// Mean Earth radius, km (the simulator's).
const EARTH_RADIUS_KM: f64 = 6371.0;

/// Why a value is refused.
pub(crate) type Reason = String;

/// An id: 1–64 characters of `[a-z0-9_-]`.
pub(crate) fn id(text: &str) -> Result<String, Reason> {
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.len() > ID_MAX_CHARS {
        return Err(format!("`{text}` is longer than {ID_MAX_CHARS} characters"));
    }
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-';
    if !text.bytes().all(allowed) {
        return Err(format!(
            "`{text}` may only hold lowercase letters a-z, digits, `_` and `-`"
        ));
    }
    Ok(text.to_owned())
}

/// A display name: not empty, at most 200 characters.
pub(crate) fn name(text: &str) -> Result<String, Reason> {
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > NAME_MAX_CHARS {
        return Err(format!("is longer than {NAME_MAX_CHARS} characters"));
    }
    Ok(text.to_owned())
}

/// An optional name (a city): empty allowed, at most 200 characters.
pub(crate) fn optional_name(text: &str) -> Result<String, Reason> {
    if text.is_empty() {
        Ok(String::new())
    } else {
        name(text)
    }
}

/// A province as an ISO 3166-2 code of China: `CN-` and two uppercase letters.
pub(crate) fn province(text: &str) -> Result<String, Reason> {
    let ok = text.len() == 5
        && text.starts_with("CN-")
        && text.bytes().skip(3).all(|b| b.is_ascii_uppercase());
    if ok {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a province code like `CN-GD` (CN- and two uppercase letters)"
        ))
    }
}

/// A latitude in degrees, −90..=90.
pub(crate) fn lat(value: f64) -> Result<f64, Reason> {
    in_range(value, -90.0, 90.0).map_err(|r| format!("{r} (a latitude)"))
}

/// A longitude in degrees, −180..=180.
pub(crate) fn lon(value: f64) -> Result<f64, Reason> {
    in_range(value, -180.0, 180.0).map_err(|r| format!("{r} (a longitude)"))
}

/// A finite number within `min..=max`.
pub(crate) fn in_range(value: f64, min: f64, max: f64) -> Result<f64, Reason> {
    if !value.is_finite() {
        return Err(format!("{value} is not a finite number"));
    }
    if value < min || value > max {
        return Err(format!("{value} is outside {min}..{max}"));
    }
    Ok(value)
}

/// A decimal number written as text (CSV): finite.
pub(crate) fn number(text: &str) -> Result<f64, Reason> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("`{text}` is not a finite number")),
        Err(_) if text.is_empty() => Err("must not be empty".into()),
        Err(_) => Err(format!("`{text}` is not a number")),
    }
}

/// A whole number written as text (CSV), at least `min`.
pub(crate) fn whole(text: &str, min: u64) -> Result<u64, Reason> {
    match text.parse::<u64>() {
        Ok(v) if v >= min => Ok(v),
        Ok(v) => Err(format!("{v} is below {min}")),
        Err(_) if text.is_empty() => Err("must not be empty".into()),
        Err(_) => Err(format!("`{text}` is not a whole number ≥ {min}")),
    }
}

/// A `YYYY-MM-DD` date, as Unix ms at midnight UTC.
pub(crate) fn date(text: &str) -> Result<UnixMs, Reason> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10);
    let bad = || format!("`{text}` is not a date YYYY-MM-DD");
    if !shaped {
        return Err(bad());
    }
    let part = |r: std::ops::Range<usize>| text[r].parse::<u32>().map_err(|_| bad());
    let year = i32::try_from(part(0..4)?).map_err(|_| bad())?;
    let day = NaiveDate::from_ymd_opt(year, part(5..7)?, part(8..10)?).ok_or_else(bad)?;
    Ok(day.and_time(NaiveTime::MIN).and_utc().timestamp_millis())
}

/// Great-circle distance between two points, km.
pub(crate) fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// The snake_case names of an enum's known values, as its serde form writes them, for look-ups
/// without allocating per value.
pub(crate) struct Names<T> {
    names: Vec<(String, T)>,
}

impl<T: Copy + Serialize> Names<T> {
    fn new(all: &[T]) -> Self {
        let names = all
            .iter()
            .filter_map(|&v| match serde_json::to_value(v) {
                Ok(serde_json::Value::String(s)) => Some((s, v)),
                _ => None,
            })
            .collect();
        Self { names }
    }

    /// The value named `text`, or a reason listing the names allowed.
    pub fn parse(&self, text: &str) -> Result<T, Reason> {
        self.names
            .iter()
            .find(|(name, _)| name == text)
            .map(|&(_, v)| v)
            .ok_or_else(|| {
                let known: Vec<&str> = self.names.iter().map(|(n, _)| n.as_str()).collect();
                format!("`{text}` is not one of {}", known.join(", "))
            })
    }
}

impl Names<Industry> {
    pub fn industries() -> Self {
        Self::new(&Industry::ALL)
    }
}

impl Names<Technology> {
    pub fn technologies() -> Self {
        Self::new(&Technology::ALL)
    }
}

impl Names<UpgradeStage> {
    pub fn stages() -> Self {
        Self::new(&UpgradeStage::ALL)
    }
}
