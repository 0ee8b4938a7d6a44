//! Instants in time, kept as whole microseconds since the Unix epoch (UTC) and written as RFC 3339.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An instant, to the microsecond, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The instant this many microseconds after the Unix epoch.
    pub const fn from_micros(micros: i64) -> Self {
        Timestamp(micros)
    }
    /// Microseconds since the Unix epoch.
    pub const fn micros(self) -> i64 {
        self.0
    }
    /// Converts from `time`'s type, dropping nanoseconds below a microsecond.
    pub fn from_datetime(dt: OffsetDateTime) -> Self {
        Timestamp((dt.unix_timestamp_nanos() / 1_000) as i64)
    }
    /// Converts to `time`'s type, in UTC.
    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
    /// Reads an RFC 3339 time with any offset; the result is in UTC.
    pub fn parse(value: &str) -> Result<Self, String> {
        OffsetDateTime::parse(value.trim(), &Rfc3339)
            .map(Self::from_datetime)
            .map_err(|_| format!("'{value}' is not an RFC 3339 time such as 2026-01-31T09:30:00Z"))
    }
    /// The instant `seconds` later (earlier when negative).
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0 + seconds * 1_000_000)
    }
    /// Whole seconds from `earlier` to `self` (negative when `earlier` is later).
    pub fn seconds_since(self, earlier: Timestamp) -> i64 {
        (self.0 - earlier.0).div_euclid(1_000_000)
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.to_datetime().format(&Rfc3339).map_err(|_| std::fmt::Error)?;
        f.write_str(&s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_writes_utc() {
        let t = Timestamp::parse("2017-04-10T10:00:00.000+05:30").unwrap();
        assert_eq!(t.to_string(), "2017-04-10T04:30:00Z");
        assert_eq!(Timestamp::parse(&t.to_string()), Ok(t));
        assert!(Timestamp::parse("yesterday").is_err());
    }

    #[test]
    fn keeps_microseconds() {
        let t = Timestamp::from_micros(1_700_000_000_123_456);
        assert_eq!(Timestamp::parse(&t.to_string()), Ok(t));
        assert_eq!(t.plus_seconds(2).seconds_since(t), 2);
    }
}
