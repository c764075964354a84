//! Checks of query and body values that the OpenAPI document states as patterns or integer
//! types (issue 9, schema precision): the server accepts exactly what the document says.

/// `bbox`: four plain decimal numbers (`-?digits[.digits]`), comma-separated, no spaces, with
/// longitudes in -180..=180 and latitudes in -90..=90 (`min ≤ max` is checked by the server).
pub const BBOX_PATTERN: &str = r"^-?((1[0-7][0-9]|0?[0-9]?[0-9])(\.[0-9]{1,20})?|180(\.0{1,20})?),-?([0-8]?[0-9](\.[0-9]{1,20})?|90(\.0{1,20})?),-?((1[0-7][0-9]|0?[0-9]?[0-9])(\.[0-9]{1,20})?|180(\.0{1,20})?),-?([0-8]?[0-9](\.[0-9]{1,20})?|90(\.0{1,20})?)$";

/// True when `text` is `-?[0-9]{1,int}(\.[0-9]{1,20})?` — what [`BBOX_PATTERN`] allows per number.
pub fn is_plain_decimal(text: &str, int_digits: usize) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    digits(int, int_digits) && frac.is_none_or(|f| digits(f, 20))
}

/// True when `text` is 1..=`max` ASCII digits (the cursors' pattern).
pub fn is_digits(text: &str, max: usize) -> bool {
    !text.is_empty() && text.len() <= max && text.bytes().all(|b| b.is_ascii_digit())
}

/// True when an idempotency key is 1..=200 visible ASCII characters (`^[!-~]{1,200}$`).
pub fn is_idempotency_key(key: &str) -> bool {
    (1..=200).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checks_match_the_documented_patterns() {
        assert!(is_plain_decimal("-180", 3) && is_plain_decimal("22.5", 2));
        for bad in [
            "",
            "-",
            "1.",
            ".5",
            "+1",
            "1e5",
            " 1",
            "1 ",
            "1000",
            "inf",
            "1.123456789012345678901",
        ] {
            assert!(!is_plain_decimal(bad, 3), "{bad:?}");
        }
        assert!(is_digits("0", 19) && is_digits("1234567890123456789", 19));
        assert!(
            !is_digits("", 19) && !is_digits("+1", 19) && !is_digits("12345678901234567890", 19)
        );
        assert!(is_idempotency_key("7d3f-uuid") && is_idempotency_key(&"k".repeat(200)));
        assert!(!is_idempotency_key("") && !is_idempotency_key("a b"));
        assert!(!is_idempotency_key(&"k".repeat(201)) && !is_idempotency_key("ключ"));
    }
}

/// A count given as a JSON number: `12` or `12.0` (JSON Schema's `integer` admits both, and
/// some clients write every number as a float), never `12.5`, a negative or above 2^53.
pub fn integral_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a non-negative integer")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom(format!("{v} is negative")))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<u64, E> {
            const MAX_EXACT: f64 = 9_007_199_254_740_992.0;
            if v.is_finite() && v.fract() == 0.0 && (0.0..=MAX_EXACT).contains(&v) {
                Ok(v as u64)
            } else {
                Err(E::custom(format!("{v} is not a non-negative integer")))
            }
        }
    }
    d.deserialize_any(V)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod integral_tests {
    #[derive(serde::Deserialize)]
    struct T {
        #[serde(deserialize_with = "super::integral_u64")]
        v: u64,
    }

    #[test]
    fn integral_floats_are_counts_and_fractions_are_not() {
        let v = |s: &str| serde_json::from_str::<T>(s).map(|t| t.v);
        assert_eq!(v(r#"{"v":12}"#).unwrap(), 12);
        assert_eq!(v(r#"{"v":12.0}"#).unwrap(), 12);
        assert_eq!(v(r#"{"v":2006591798.0}"#).unwrap(), 2_006_591_798);
        assert!(v(r#"{"v":12.5}"#).is_err());
        assert!(v(r#"{"v":-1}"#).is_err());
        assert!(v(r#"{"v":1e300}"#).is_err());
        assert!(v(r#"{"v":"12"}"#).is_err());
    }
}
