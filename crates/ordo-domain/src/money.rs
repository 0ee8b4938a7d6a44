//! Decimal amounts (money, tax rates) kept as integers in minor units and written as decimal strings.

/// Reads a non-negative decimal such as `"499"`, `"499.5"` or `"499.50"` into hundredths (`49950`).
/// More than two decimal places are refused rather than rounded: money is never silently changed.
pub fn parse_hundredths(value: &str) -> Result<i64, String> {
    let v = value.trim();
    let bad = || format!("'{value}' is not a decimal amount such as 499.00");
    let (whole, frac) = match v.split_once('.') {
        Some((w, f)) => (w, f),
        None => (v, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 13 {
        return Err(bad());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || (v.contains('.') && frac.is_empty()) {
        return Err(bad());
    }
    if frac.len() > 2 {
        return Err(format!("'{value}' has more than two decimal places"));
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let mut cents: i64 = if frac.is_empty() { 0 } else { frac.parse().map_err(|_| bad())? };
    if frac.len() == 1 {
        cents *= 10;
    }
    Ok(whole * 100 + cents)
}

/// Writes hundredths as a decimal string with two places (`49950` → `"499.50"`).
pub fn format_hundredths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let v = value.unsigned_abs();
    format!("{sign}{}.{:02}", v / 100, v % 100)
}

/// Reads a tax rate in percent (`"18"`, `"12.5"`) into hundredths of a percent; 0 to 100.
pub fn parse_tax_rate(value: &str) -> Result<i64, String> {
    let r = parse_hundredths(value)?;
    if r > 10_000 {
        return Err(format!("'{value}' is more than 100 percent"));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_trip_exactly() {
        assert_eq!(parse_hundredths("499"), Ok(49900));
        assert_eq!(parse_hundredths("499.5"), Ok(49950));
        assert_eq!(parse_hundredths("0.07"), Ok(7));
        assert_eq!(format_hundredths(49950), "499.50");
        assert_eq!(format_hundredths(7), "0.07");
    }

    #[test]
    fn refuses_what_would_be_rounded_or_is_not_a_number() {
        assert!(parse_hundredths("1.005").is_err());
        assert!(parse_hundredths("-1").is_err());
        assert!(parse_hundredths("1e3").is_err());
        assert!(parse_hundredths("1.").is_err());
        assert!(parse_hundredths("").is_err());
        assert!(parse_tax_rate("101").is_err());
        assert_eq!(parse_tax_rate("18"), Ok(1800));
    }
}
