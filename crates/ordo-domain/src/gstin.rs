//! India's GST identification number (GSTIN): 15 characters whose last one is a check character.

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The check character for the first 14 characters of a GSTIN (Luhn mod 36).
pub fn check_character(first14: &str) -> Option<char> {
    let mut sum = 0u32;
    for (i, b) in first14.bytes().enumerate() {
        let digit = ALPHABET.iter().position(|&a| a == b)? as u32;
        let product = digit * if i % 2 == 0 { 1 } else { 2 };
        sum += product / 36 + product % 36;
    }
    Some(ALPHABET[((36 - sum % 36) % 36) as usize] as char)
}

/// Checks a GSTIN's shape (state code, PAN, entity number, `Z`, check character) and its check
/// character. `strict = false` checks only the shape: the government's sandbox GSTINs fail the checksum.
pub fn validate(gstin: &str, strict: bool) -> Result<String, String> {
    let g = gstin.trim().to_ascii_uppercase();
    let b = g.as_bytes();
    let shape_ok = b.len() == 15
        && b[0..2].iter().all(u8::is_ascii_digit)
        && b[2..7].iter().all(u8::is_ascii_uppercase)
        && b[7..11].iter().all(u8::is_ascii_digit)
        && b[11].is_ascii_uppercase()
        && b[12].is_ascii_alphanumeric()
        && b[13].is_ascii_alphanumeric()
        && b[14].is_ascii_alphanumeric();
    if !shape_ok {
        return Err(format!("'{gstin}' is not a GSTIN (15 characters: state code, PAN, entity, Z, check)"));
    }
    if strict && check_character(&g[..14]) != Some(b[14] as char) {
        return Err(format!("'{gstin}' has a wrong check character"));
    }
    Ok(g)
}

/// The name of the Indian state or union territory with GST state code `code` (`29` → Karnataka).
pub fn state_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "01" => "Jammu and Kashmir",
        "02" => "Himachal Pradesh",
        "03" => "Punjab",
        "04" => "Chandigarh",
        "05" => "Uttarakhand",
        "06" => "Haryana",
        "07" => "Delhi",
        "08" => "Rajasthan",
        "09" => "Uttar Pradesh",
        "10" => "Bihar",
        "11" => "Sikkim",
        "12" => "Arunachal Pradesh",
        "13" => "Nagaland",
        "14" => "Manipur",
        "15" => "Mizoram",
        "16" => "Tripura",
        "17" => "Meghalaya",
        "18" => "Assam",
        "19" => "West Bengal",
        "20" => "Jharkhand",
        "21" => "Odisha",
        "22" => "Chhattisgarh",
        "23" => "Madhya Pradesh",
        "24" => "Gujarat",
        "26" => "Dadra and Nagar Haveli and Daman and Diu",
        "27" => "Maharashtra",
        "29" => "Karnataka",
        "30" => "Goa",
        "31" => "Lakshadweep",
        "32" => "Kerala",
        "33" => "Tamil Nadu",
        "34" => "Puducherry",
        "35" => "Andaman and Nicobar Islands",
        "36" => "Telangana",
        "37" => "Andhra Pradesh",
        "38" => "Ladakh",
        "97" => "Other Territory",
        "96" => "Other Country",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_real_gstin_and_refuses_a_wrong_check_character() {
        assert_eq!(validate("27AAPFU0939F1ZV", true).unwrap(), "27AAPFU0939F1ZV");
        assert!(validate("27AAPFU0939F1ZO", true).unwrap_err().contains("check character"));
        assert!(validate("27AAPFU0939F1ZO", false).is_ok());
        assert!(validate("27AAPFU0939F1Z", true).is_err());
    }
}
