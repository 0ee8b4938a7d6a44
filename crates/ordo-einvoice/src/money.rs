//! Money, rates and quantities as NIC writes them: JSON numbers with a few decimals, kept inside as
//! integers (paise, hundredths of a percent, whole units) and never passed through a float.
//!
//! Writing goes through `serde_json`'s `RawValue`, so `1234.50` reaches the wire as those very
//! characters; reading takes the number's text and parses its digits. Both only work with
//! `serde_json` (the only format INV-01 has), reading from JSON text rather than from a `Value`.

use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

/// An amount in paise (hundredths of a rupee). On the wire: a JSON number with two decimals, `1234.50`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Paise(pub i64);

impl Paise {
    /// No money.
    pub const ZERO: Paise = Paise(0);

    /// The amount in rupees with two decimals, as NIC writes it: `1234.50`, `-0.05`.
    pub fn to_rupees(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Reads rupees written with at most two decimals (`1234.5`, `1234.50`, `1234`) exactly.
    pub fn from_rupees(text: &str) -> Result<Paise, String> {
        parse_scaled(text, 2).map(Paise)
    }
}

impl fmt::Display for Paise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rupees())
    }
}

impl Add for Paise {
    type Output = Paise;
    fn add(self, other: Paise) -> Paise {
        Paise(self.0 + other.0)
    }
}

impl Sub for Paise {
    type Output = Paise;
    fn sub(self, other: Paise) -> Paise {
        Paise(self.0 - other.0)
    }
}

impl Sum for Paise {
    fn sum<I: Iterator<Item = Paise>>(iter: I) -> Paise {
        iter.fold(Paise::ZERO, Add::add)
    }
}

impl Serialize for Paise {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write_number(self.to_rupees(), serializer)
    }
}

impl<'de> Deserialize<'de> for Paise {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = read_number(deserializer)?;
        Paise::from_rupees(&text).map_err(D::Error::custom)
    }
}

/// A tax rate in hundredths of a percent: `Rate(1800)` is 18 %, `Rate(25)` is 0.25 %. On the wire: the
/// percentage with only the decimals it needs, `18`, `0.25`, `1.5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(pub u32);

impl Rate {
    /// The percentage as NIC writes it: `18`, `0.25`, `1.5`.
    pub fn to_percent(self) -> String {
        let (whole, hundredths) = (self.0 / 100, self.0 % 100);
        match hundredths {
            0 => whole.to_string(),
            h if h % 10 == 0 => format!("{whole}.{}", h / 10),
            h => format!("{whole}.{h:02}"),
        }
    }

    /// Reads a percentage with at most two decimals exactly.
    pub fn from_percent(text: &str) -> Result<Rate, String> {
        let hundredths = parse_scaled(text, 2)?;
        u32::try_from(hundredths).map(Rate).map_err(|_| format!("'{text}' is not a rate (0 or more)"))
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.to_percent())
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write_number(self.to_percent(), serializer)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = read_number(deserializer)?;
        Rate::from_percent(&text).map_err(D::Error::custom)
    }
}

/// A quantity of whole units. NIC allows three decimals (`1.000`); Ordo ships whole units, so it writes
/// an integer and reads any form whose decimals are zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(pub u32);

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = read_number(deserializer)?;
        let thousandths = parse_scaled(&text, 3).map_err(D::Error::custom)?;
        if thousandths % 1000 != 0 {
            return Err(D::Error::custom(format!("'{text}' is not a whole number of units")));
        }
        u32::try_from(thousandths / 1000).map(Quantity).map_err(|_| D::Error::custom(format!("'{text}' is not a quantity")))
    }
}

/// Writes `text` (already a valid JSON number) as it is.
fn write_number<S: Serializer>(text: String, serializer: S) -> Result<S::Ok, S::Error> {
    RawValue::from_string(text).map_err(S::Error::custom)?.serialize(serializer)
}

/// The text of the JSON number at hand, as it was written.
fn read_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    Ok(raw.get().trim().to_string())
}

/// Parses a decimal (`-12.5`, `7080.00`, `3`) into an integer count of `10^-scale` units, refusing
/// more decimals than `scale`, exponents, and values beyond `i64`.
fn parse_scaled(text: &str, scale: u32) -> Result<i64, String> {
    let bad = || format!("'{text}' is not a number with at most {scale} decimals");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || (digits.contains('.') && fraction.is_empty()) {
        return Err(bad());
    }
    if fraction.len() > scale as usize {
        return Err(bad());
    }
    let padded = format!("{whole}{fraction:0<width$}", width = scale as usize);
    let magnitude: i64 = padded.parse().map_err(|_| bad())?;
    Ok(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Wire {
        amount: Paise,
        rate: Rate,
        qty: Quantity,
    }

    #[test]
    fn money_is_written_with_two_decimals_and_read_exactly() {
        let wire = Wire { amount: Paise(708000), rate: Rate(1800), qty: Quantity(3) };
        let json = serde_json::to_string(&wire).unwrap();
        assert_eq!(json, r#"{"amount":7080.00,"rate":18,"qty":3}"#);
        assert_eq!(serde_json::from_str::<Wire>(&json).unwrap(), wire);
        let nic = r#"{"amount":0.1,"rate":0.25,"qty":1.000}"#;
        assert_eq!(serde_json::from_str::<Wire>(nic).unwrap(), Wire { amount: Paise(10), rate: Rate(25), qty: Quantity(1) });
    }

    #[test]
    fn rates_use_only_the_decimals_they_need() {
        assert_eq!(Rate(150).to_percent(), "1.5");
        assert_eq!(Rate(25).to_percent(), "0.25");
        assert_eq!(Rate(10).to_percent(), "0.1");
        assert_eq!(Rate(0).to_percent(), "0");
        assert_eq!(Rate(2800).to_string(), "28%");
    }

    #[test]
    fn numbers_with_too_many_decimals_or_other_shapes_are_refused() {
        for bad in ["1.234", "1e3", "", "-", "1.", ".5", "12a", "--1", "99999999999999999999"] {
            assert!(Paise::from_rupees(bad).is_err(), "{bad} was accepted");
        }
        assert!(serde_json::from_str::<Wire>(r#"{"amount":1,"rate":18,"qty":1.5}"#).is_err());
        assert!(serde_json::from_str::<Wire>(r#"{"amount":1,"rate":-18,"qty":1}"#).is_err());
        assert_eq!(Paise::from_rupees("-0.05"), Ok(Paise(-5)));
        assert_eq!(Paise(-5).to_rupees(), "-0.05");
    }

    proptest! {
        /// Every amount up to ₹99,99,99,999.99 goes to JSON and back unchanged.
        #[test]
        fn amounts_round_trip_through_json(paise in -99_999_999_999i64..=99_999_999_999) {
            let json = serde_json::to_string(&Paise(paise)).unwrap();
            prop_assert_eq!(serde_json::from_str::<Paise>(&json).unwrap(), Paise(paise));
            // The text is the decimal itself: what a float-free reader on NIC's side parses.
            let expected = format!("{}{}.{:02}", if paise < 0 { "-" } else { "" }, paise.abs() / 100, paise.abs() % 100);
            prop_assert_eq!(json, expected);
        }

        #[test]
        fn rates_round_trip_through_json(hundredths in 0u32..=10_000) {
            let json = serde_json::to_string(&Rate(hundredths)).unwrap();
            prop_assert_eq!(serde_json::from_str::<Rate>(&json).unwrap(), Rate(hundredths));
        }
    }

    #[test]
    fn the_largest_amount_round_trips() {
        let max = Paise(99_999_999_999);
        assert_eq!(serde_json::to_string(&max).unwrap(), "999999999.99");
        assert_eq!(serde_json::from_str::<Paise>("999999999.99").unwrap(), max);
    }
}
