//! Codes by which records are addressed (client, warehouse, channel, SKU, PO number).

/// Checks a short identifier code: 1–64 characters of letters, digits, `-`, `_` and `.`.
/// Codes appear in URLs, so nothing that needs escaping is allowed.
pub fn parse_code(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("must not be empty".into());
    }
    if v.len() > 64 {
        return Err("must be at most 64 characters".into());
    }
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        return Err("may contain only letters, digits, '-', '_' and '.'".into());
    }
    Ok(v.to_string())
}

/// Checks a product code (client SKU or channel SKU): 1–128 printable characters, trimmed.
/// Marketplace SKUs contain spaces and punctuation, so only control characters are refused.
pub fn parse_sku(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("must not be empty".into());
    }
    if v.chars().count() > 128 {
        return Err("must be at most 128 characters".into());
    }
    if v.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_string())
}

/// Checks a free-text name: 1–200 characters after trimming.
pub fn parse_name(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("must not be empty".into());
    }
    if v.chars().count() > 200 {
        return Err("must be at most 200 characters".into());
    }
    Ok(v.to_string())
}

/// Checks a document number given by another system (PO number, channel order id): 1–100
/// printable characters.
pub fn parse_reference(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("must not be empty".into());
    }
    if v.chars().count() > 100 {
        return Err("must be at most 100 characters".into());
    }
    if v.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(v.to_string())
}

/// Checks a quantity that must be a positive whole number of units.
pub fn parse_positive_qty(value: i64) -> Result<i64, String> {
    if value <= 0 {
        return Err("must be a positive whole number".into());
    }
    if value > 1_000_000_000 {
        return Err("must be at most 1000000000".into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_allow_url_safe_characters_only() {
        assert_eq!(parse_code(" wh-1 ").unwrap(), "wh-1");
        assert!(parse_code("a b").is_err());
        assert!(parse_code("").is_err());
        assert!(parse_code(&"x".repeat(65)).is_err());
    }

    #[test]
    fn skus_allow_marketplace_punctuation_but_not_control_characters() {
        assert_eq!(parse_sku("FK A/1 (red)").unwrap(), "FK A/1 (red)");
        assert!(parse_sku("a\nb").is_err());
        assert!(parse_sku("   ").is_err());
    }

    #[test]
    fn quantities_must_be_positive() {
        assert!(parse_positive_qty(0).is_err());
        assert!(parse_positive_qty(-3).is_err());
        assert_eq!(parse_positive_qty(3), Ok(3));
    }
}
