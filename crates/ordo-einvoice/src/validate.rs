//! The checks NIC makes on an invoice's identifiers that can be made without asking NIC: GSTIN shape
//! and check character, state codes, PIN codes, HSN/SAC codes, unit codes, GST rates and document
//! numbers. Each returns a sentence saying what is wrong.

use crate::money::Rate;

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// How strictly GSTINs are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GstinCheck {
    /// Shape and check character: what a real GSTIN always passes.
    #[default]
    Strict,
    /// Shape only. The government's sandbox hands out test GSTINs whose check character is wrong, so
    /// an invoice meant for the sandbox must skip that part.
    SandboxTestGstins,
}

/// The check character for the first 14 characters of a GSTIN: Luhn mod 36 over `0-9A-Z`.
/// `None` when a character is outside that alphabet.
pub fn gstin_check_character(first14: &str) -> Option<char> {
    let mut sum = 0u32;
    for (i, b) in first14.bytes().enumerate() {
        let value = ALPHABET.iter().position(|&a| a == b)? as u32;
        let product = value * if i % 2 == 0 { 1 } else { 2 };
        sum += product / 36 + product % 36;
    }
    Some(ALPHABET[((36 - sum % 36) % 36) as usize] as char)
}

/// Checks a GSTIN: 15 characters — a state code, a PAN (5 letters, 4 digits, a letter), an entity
/// number, `Z`, and the check character (unless `check` is [`GstinCheck::SandboxTestGstins`]).
pub fn gstin(gstin: &str, check: GstinCheck) -> Result<(), String> {
    let b = gstin.as_bytes();
    let shape = b.len() == 15
        && b[0..2].iter().all(u8::is_ascii_digit)
        && b[2..7].iter().all(u8::is_ascii_uppercase)
        && b[7..11].iter().all(u8::is_ascii_digit)
        && b[11].is_ascii_uppercase()
        && (b[12].is_ascii_uppercase() || b[12].is_ascii_digit())
        && (b[13].is_ascii_uppercase() || b[13].is_ascii_digit())
        && (b[14].is_ascii_uppercase() || b[14].is_ascii_digit());
    if !shape {
        return Err(format!("'{gstin}' is not a GSTIN (15 characters: state code, PAN, entity number, Z, check character)"));
    }
    if !state_code(&gstin[..2]) {
        return Err(format!("'{gstin}' does not start with a state code"));
    }
    if check == GstinCheck::Strict && gstin_check_character(&gstin[..14]) != Some(b[14] as char) {
        return Err(format!("'{gstin}' has a wrong check character"));
    }
    Ok(())
}

/// Whether `code` is a GST state code a domestic party can have: `01` to `38`, or `97` (other territory).
pub fn state_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) && matches!(code.parse::<u8>(), Ok(1..=38 | 97))
}

/// Checks a PIN code: six digits, not starting with 0.
pub fn pin(pin: u32) -> Result<(), String> {
    if (100_000..=999_999).contains(&pin) { Ok(()) } else { Err(format!("'{pin}' is not a PIN code (six digits)")) }
}

/// Checks an HSN code (goods) or SAC (services, which start with `99`): 4 to 8 digits.
pub fn hsn(code: &str, is_service: bool) -> Result<(), String> {
    if !(4..=8).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{code}' is not an HSN code (4 to 8 digits)"));
    }
    match (is_service, code.starts_with("99")) {
        (true, false) => Err(format!("'{code}' is not a service code (SAC codes start with 99)")),
        (false, true) => Err(format!("'{code}' is a service code (99…) on a line of goods")),
        _ => Ok(()),
    }
}

/// Checks a document number against NIC's pattern `^[a-zA-Z1-9][a-zA-Z0-9/-]{0,15}$`: at most 16
/// letters, digits, `/` and `-`, not starting with `0`, `/` or `-`.
pub fn document_number(number: &str) -> Result<(), String> {
    let b = number.as_bytes();
    let first_ok = b.first().is_some_and(|c| c.is_ascii_alphabetic() || (b'1'..=b'9').contains(c));
    let rest_ok = b.iter().skip(1).all(|c| c.is_ascii_alphanumeric() || *c == b'/' || *c == b'-');
    if b.len() <= 16 && first_ok && rest_ok {
        Ok(())
    } else {
        Err(format!("'{number}' is not a document number (at most 16 letters, digits, / and -, not starting with 0, / or -)"))
    }
}

/// NIC's unit quantity codes (UQC).
pub const UNIT_CODES: &[&str] = &[
    "BAG", "BAL", "BDL", "BKL", "BOU", "BOX", "BTL", "BUN", "CAN", "CBM", "CCM", "CMS", "CTN", "DOZ", "DRM", "GGK", "GMS", "GRS",
    "GYD", "KGS", "KLR", "KME", "LTR", "MLT", "MTR", "MTS", "NOS", "OTH", "PAC", "PCS", "PRS", "QTL", "ROL", "SET", "SQF", "SQM",
    "SQY", "TBS", "TGM", "THD", "TON", "TUB", "UGS", "UNT", "YDS",
];

/// Checks a unit against NIC's unit quantity codes.
pub fn unit(code: &str) -> Result<(), String> {
    if UNIT_CODES.contains(&code) { Ok(()) } else { Err(format!("'{code}' is not one of NIC's unit codes (NOS, PCS, KGS, …)")) }
}

/// The GST rates NIC accepts, in hundredths of a percent (40 % since the September 2025 rate change).
pub const GST_RATES: &[u32] = &[0, 10, 25, 100, 150, 300, 500, 600, 750, 1200, 1800, 2800, 4000];

/// Checks a GST rate against the rates NIC accepts.
pub fn gst_rate(rate: Rate) -> Result<(), String> {
    if GST_RATES.contains(&rate.0) { Ok(()) } else { Err(format!("{rate} is not a GST rate")) }
}

/// Checks a text field's length in characters, as NIC bounds each one.
pub fn length(value: &str, min: usize, max: usize) -> Result<(), String> {
    let n = value.chars().count();
    if (min..=max).contains(&n) { Ok(()) } else { Err(format!("must be {min} to {max} characters, not {n}")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gstin_check_character_is_luhn_mod_36() {
        assert_eq!(gstin_check_character("27AAPFU0939F1Z"), Some('V'));
        assert_eq!(gstin("27AAPFU0939F1ZV", GstinCheck::Strict), Ok(()));
        assert!(gstin("27AAPFU0939F1ZO", GstinCheck::Strict).unwrap_err().contains("check character"));
        assert_eq!(gstin_check_character("27aapfu0939f1z"), None);
    }

    #[test]
    fn sandbox_gstins_pass_only_when_the_check_character_is_skipped() {
        // A test GSTIN of the government's sandbox: right shape, wrong check character.
        assert!(gstin("29AWGPV7107B1Z1", GstinCheck::Strict).is_err());
        assert_eq!(gstin("29AWGPV7107B1Z1", GstinCheck::SandboxTestGstins), Ok(()));
        assert!(gstin("29AWGPV7107B1Z", GstinCheck::SandboxTestGstins).is_err());
        assert!(gstin("99AWGPV7107B1Z1", GstinCheck::SandboxTestGstins).unwrap_err().contains("state code"));
        assert!(gstin("27aapfu0939f1zv", GstinCheck::Strict).is_err());
    }

    #[test]
    fn state_codes_pin_and_hsn() {
        assert!(state_code("27") && state_code("01") && state_code("38") && state_code("97"));
        assert!(!state_code("00") && !state_code("39") && !state_code("96") && !state_code("7") && !state_code("+7"));
        assert_eq!(pin(400001), Ok(()));
        assert!(pin(40001).is_err() && pin(1_000_000).is_err() && pin(12345).is_err());
        assert_eq!(hsn("6109", false), Ok(()));
        assert_eq!(hsn("61091000", false), Ok(()));
        assert_eq!(hsn("998314", true), Ok(()));
        assert!(hsn("610", false).is_err() && hsn("610910001", false).is_err() && hsn("61O9", false).is_err());
        assert!(hsn("6109", true).is_err() && hsn("998314", false).is_err());
    }

    #[test]
    fn document_numbers_follow_nics_pattern() {
        for good in ["WH1/2627/000042", "a", "1", "SINV-CFY-00067", "ABCDEFGHIJKLMNOP"] {
            assert_eq!(document_number(good), Ok(()), "{good}");
        }
        for bad in ["", "0INV", "/INV", "-INV", "INV 1", "INV_1", "ABCDEFGHIJKLMNOPQ", "INV#1", "ÄB"] {
            assert!(document_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn units_rates_and_lengths() {
        assert_eq!(unit("NOS"), Ok(()));
        assert!(unit("nos").is_err() && unit("EACH").is_err());
        assert_eq!(gst_rate(Rate(1800)), Ok(()));
        assert_eq!(gst_rate(Rate(25)), Ok(()));
        assert!(gst_rate(Rate(1700)).is_err());
        assert_eq!(length("Acme", 3, 100), Ok(()));
        assert!(length("Ac", 3, 100).is_err());
    }
}
