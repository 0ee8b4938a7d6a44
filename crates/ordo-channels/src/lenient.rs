//! Lenient readers for what marketplaces actually send.
//!
//! Marketplaces bend their own specs: Amazon sends booleans as `"true"`, numbers in strings, epoch seconds
//! in exponent notation (`"1.569521782042E9"`) and dates in 1970. These readers accept all of that, and
//! everything they return is strict (a [`Timestamp`], an `i64`, a two-place decimal string), so the rest
//! of Ordo never sees the bending.

use ordo_domain::Timestamp;
use ordo_domain::money::{format_hundredths, parse_hundredths};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use time::format_description::well_known::Iso8601;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Reads a time as marketplaces write it: RFC 3339 / ISO 8601 with any offset, the same without offset
/// (taken as UTC), or epoch seconds (or milliseconds) as a number or a string, exponent notation included.
pub fn parse_time(value: &str) -> Option<Timestamp> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(t) = Timestamp::parse(v) {
        return Some(t);
    }
    if let Ok(dt) = OffsetDateTime::parse(v, &Iso8601::DEFAULT) {
        return Some(Timestamp::from_datetime(dt));
    }
    // No offset at all ("2017-04-10T10:00:00" or with a space): marketplaces that do this mean UTC.
    let with_t = v.replacen(' ', "T", 1);
    if let Ok(dt) = PrimitiveDateTime::parse(&with_t, &Iso8601::DEFAULT) {
        return Some(Timestamp::from_datetime(dt.assume_utc()));
    }
    if let Ok(n) = v.parse::<f64>()
        && n.is_finite()
    {
        // Epoch seconds; values too large to be seconds in this era are milliseconds.
        let micros = if n.abs() > 1e11 { n * 1_000.0 } else { n * 1_000_000.0 };
        return Some(Timestamp::from_micros(micros.round() as i64));
    }
    None
}

/// Reads a time from a JSON value: a string (see [`parse_time`]) or a number of epoch seconds.
pub fn time_from_json(value: &Value) -> Option<Timestamp> {
    match value {
        Value::String(s) => parse_time(s),
        Value::Number(n) => parse_time(&n.to_string()),
        _ => None,
    }
}

/// Writes a time the way the Indian marketplaces do: `2017-04-10T10:00:00.000+05:30`.
pub fn format_ist(t: Timestamp) -> String {
    let dt = t.to_datetime().to_offset(time::macros::offset!(+5:30));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+05:30",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// Reads a boolean sent as a boolean, a string (`"true"`, `"false"`, `"1"`, `"0"`, `"Y"`, `"N"`) or 0/1.
pub fn bool_from_json(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "y" | "yes" => Some(true),
            "false" | "0" | "n" | "no" | "" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Reads a whole number sent as a number or a string (`"3"`, `"3.0"`); fractions are refused.
pub fn i64_from_json(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => {
            let s = s.trim();
            s.parse::<i64>().ok().or_else(|| s.parse::<f64>().ok().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        }
        _ => None,
    }
}

/// Normalises a decimal amount to two places (`"199"` → `"199.00"`, `"10.500"` → `"10.50"`).
/// `None` when it is not an amount or would need rounding: money is never silently changed.
pub fn normalize_decimal(value: &str) -> Option<String> {
    hundredths(value).map(format_hundredths)
}

/// Reads a decimal amount into hundredths, accepting trailing zeros past two places.
pub fn hundredths(value: &str) -> Option<i64> {
    let v = value.trim();
    let v = match v.split_once('.') {
        Some((w, f)) if f.len() > 2 && f[2..].bytes().all(|b| b == b'0') => format!("{w}.{}", &f[..2]),
        _ => v.to_string(),
    };
    parse_hundredths(&v).ok()
}

/// Reads an amount sent as a JSON number (Flipkart's floats) or string; see [`normalize_decimal`].
///
/// A JSON number is read from its shortest decimal form, which for any amount written with two places
/// is exactly what the marketplace wrote, so no binary-float rounding leaks into money.
pub fn decimal_from_json(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => normalize_decimal(s),
        Value::Number(n) => normalize_decimal(&n.to_string()),
        _ => None,
    }
}

/// The price of one unit from a line total, when it divides exactly into hundredths.
pub fn unit_price_from_total(total: &str, qty: i64) -> Option<String> {
    let t = hundredths(total)?;
    if qty <= 0 || t % qty != 0 {
        return None;
    }
    Some(format_hundredths(t / qty))
}

/// Serde: an `i64` sent as a number or a numeric string.
pub fn de_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = Value::deserialize(d)?;
    i64_from_json(&v).ok_or_else(|| serde::de::Error::custom(format!("{v} is not a whole number")))
}

/// Serde: an optional `i64` sent as a number, a numeric string or null.
pub fn de_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    i64_from_json(&v).map(Some).ok_or_else(|| serde::de::Error::custom(format!("{v} is not a whole number")))
}

/// Serde: an optional boolean sent as a boolean, a string or 0/1.
pub fn de_opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    bool_from_json(&v).map(Some).ok_or_else(|| serde::de::Error::custom(format!("{v} is not a boolean")))
}

/// Serde: a boolean sent leniently, defaulting to false when null.
pub fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    de_opt_bool(d).map(|b| b.unwrap_or(false))
}

/// Serde: an optional string that may arrive as a number (ids, amounts).
pub fn de_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => return Err(serde::de::Error::custom(format!("{other} is not a string"))),
    })
}

/// A boolean that the marketplace documents as a string (Amazon `IsGift`): read leniently, written back
/// as the string the marketplace sends, so a simulator serves exactly the published shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StrBool(pub bool);

impl Serialize for StrBool {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0 { "true" } else { "false" })
    }
}

impl<'de> Deserialize<'de> for StrBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_bool(d).map(StrBool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_in_every_shape_marketplaces_send() {
        let ist = parse_time("2017-04-10T10:00:00.000+05:30").unwrap();
        assert_eq!(ist.to_string(), "2017-04-10T04:30:00Z");
        assert_eq!(parse_time("1970-01-19T03:58:30Z").unwrap().to_string(), "1970-01-19T03:58:30Z");
        assert_eq!(parse_time("2008-01-10T11:00:00-05:00").unwrap().to_string(), "2008-01-10T16:00:00Z");
        assert_eq!(parse_time("2019-05-07T15:42:57.058Z").unwrap().micros() % 1_000_000, 58_000);
        // Amazon sandbox's CreatedBefore: epoch seconds in exponent notation, in a string.
        assert_eq!(parse_time("1.569521782042E9").unwrap().to_string(), "2019-09-26T18:16:22.042Z");
        assert_eq!(parse_time("2017-04-10 10:00:00").unwrap().to_string(), "2017-04-10T10:00:00Z");
        assert_eq!(parse_time("1569521782000").unwrap().to_string(), "2019-09-26T18:16:22Z");
        assert!(parse_time("TEST_CASE_200").is_none());
        assert!(parse_time("").is_none());
        assert_eq!(format_ist(ist), "2017-04-10T10:00:00.000+05:30");
    }

    #[test]
    fn booleans_and_numbers_in_strings() {
        assert_eq!(bool_from_json(&json!("true")), Some(true));
        assert_eq!(bool_from_json(&json!("false")), Some(false));
        assert_eq!(bool_from_json(&json!(1)), Some(true));
        assert_eq!(bool_from_json(&json!("maybe")), None);
        assert_eq!(i64_from_json(&json!("3")), Some(3));
        assert_eq!(i64_from_json(&json!(3.0)), Some(3));
        assert_eq!(i64_from_json(&json!("3.5")), None);
        let b: StrBool = serde_json::from_value(json!("true")).unwrap();
        assert_eq!(serde_json::to_value(b).unwrap(), json!("true"));
    }

    #[test]
    fn money_is_exact_or_refused() {
        assert_eq!(normalize_decimal("199").as_deref(), Some("199.00"));
        assert_eq!(normalize_decimal("10.500").as_deref(), Some("10.50"));
        assert_eq!(normalize_decimal("10.505"), None);
        assert_eq!(decimal_from_json(&json!(499.5)).as_deref(), Some("499.50"));
        assert_eq!(decimal_from_json(&json!(0.1)).as_deref(), Some("0.10"));
        assert_eq!(decimal_from_json(&json!("11.01")).as_deref(), Some("11.01"));
        assert_eq!(unit_price_from_total("20.00", 2).as_deref(), Some("10.00"));
        assert_eq!(unit_price_from_total("10.00", 3), None);
    }
}
