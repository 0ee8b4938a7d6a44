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

/// Two-letter state codes (ISO 3166-2:IN after `IN-`, and the codes shops and marketplaces use) of each
/// GST state code; the first is the current ISO code, the others older or common spellings.
const ALPHA_CODES: &[(&str, &[&str])] = &[
    ("01", &["JK"]),
    ("02", &["HP"]),
    ("03", &["PB"]),
    ("04", &["CH"]),
    ("05", &["UK", "UT"]),
    ("06", &["HR"]),
    ("07", &["DL"]),
    ("08", &["RJ"]),
    ("09", &["UP"]),
    ("10", &["BR"]),
    ("11", &["SK"]),
    ("12", &["AR"]),
    ("13", &["NL"]),
    ("14", &["MN"]),
    ("15", &["MZ"]),
    ("16", &["TR"]),
    ("17", &["ML"]),
    ("18", &["AS"]),
    ("19", &["WB"]),
    ("20", &["JH"]),
    ("21", &["OD", "OR"]),
    ("22", &["CG", "CT"]),
    ("23", &["MP"]),
    ("24", &["GJ"]),
    ("26", &["DH", "DN", "DD"]),
    ("27", &["MH"]),
    ("29", &["KA"]),
    ("30", &["GA"]),
    ("31", &["LD"]),
    ("32", &["KL"]),
    ("33", &["TN"]),
    ("34", &["PY"]),
    ("35", &["AN"]),
    ("36", &["TS", "TG"]),
    ("37", &["AP"]),
    ("38", &["LA"]),
];

/// Other names states are written by, already normalised as [`normalise_name`] does.
const NAME_ALIASES: &[(&str, &str)] = &[
    ("jammu kashmir", "01"),
    ("uttaranchal", "05"),
    ("new delhi", "07"),
    ("nct of delhi", "07"),
    ("national capital territory of delhi", "07"),
    ("orissa", "21"),
    ("chattisgarh", "22"),
    ("chhatisgarh", "22"),
    ("dadra and nagar haveli", "26"),
    ("daman and diu", "26"),
    ("pondicherry", "34"),
    ("andaman and nicobar", "35"),
    ("telengana", "36"),
];

/// Lower case, `&` as `and`, anything but letters and digits as single spaces.
fn normalise_name(name: &str) -> String {
    let spaced = name.to_lowercase().replace('&', " and ");
    let cleaned: String = spaced.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The GST state code of a two-letter state code, bare (`KA`) or as ISO 3166-2:IN writes it (`IN-KA`).
pub fn state_code_of_alpha(code: &str) -> Option<&'static str> {
    let c = code.trim().to_ascii_uppercase();
    let c = c.strip_prefix("IN-").unwrap_or(&c);
    ALPHA_CODES.iter().find(|(_, alphas)| alphas.contains(&c)).map(|(gst, _)| *gst)
}

/// The current two-letter (ISO 3166-2:IN) code of a GST state code (`29` → `KA`).
pub fn state_alpha(code: &str) -> Option<&'static str> {
    ALPHA_CODES.iter().find(|(gst, _)| *gst == code).map(|(_, alphas)| alphas[0])
}

/// The GST state code of a state's name in any case (`KARNATAKA`, `Tamil Nadu`, `Jammu & Kashmir`).
pub fn state_code_of_name(name: &str) -> Option<&'static str> {
    let n = normalise_name(name);
    if n.is_empty() {
        return None;
    }
    ALPHA_CODES
        .iter()
        .map(|(gst, _)| *gst)
        .chain(["97"])
        .find(|gst| state_name(gst).is_some_and(|s| normalise_name(s) == n))
        .or_else(|| NAME_ALIASES.iter().find(|(alias, _)| *alias == n).map(|(_, gst)| *gst))
}

/// The GST state code of a state however a marketplace writes it: the GST code itself (`29`), a
/// two-letter or ISO 3166-2:IN code (`KA`, `IN-KA`), or its name (`KARNATAKA`).
pub fn state_code_of(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()) {
        return ALPHA_CODES.iter().map(|(gst, _)| *gst).chain(["96", "97"]).find(|gst| *gst == t);
    }
    state_code_of_alpha(t).or_else(|| state_code_of_name(t))
}

#[cfg(test)]
mod state_tests {
    use super::*;

    #[test]
    fn accepts_a_real_gstin_and_refuses_a_wrong_check_character() {
        assert_eq!(validate("27AAPFU0939F1ZV", true).unwrap(), "27AAPFU0939F1ZV");
        assert!(validate("27AAPFU0939F1ZO", true).unwrap_err().contains("check character"));
        assert!(validate("27AAPFU0939F1ZO", false).is_ok());
        assert!(validate("27AAPFU0939F1Z", true).is_err());
    }

    #[test]
    fn state_codes_from_names_iso_codes_and_gst_codes() {
        assert_eq!(state_code_of("KARNATAKA"), Some("29"));
        assert_eq!(state_code_of("Karnataka"), Some("29"));
        assert_eq!(state_code_of("KA"), Some("29"));
        assert_eq!(state_code_of("IN-KA"), Some("29"));
        assert_eq!(state_code_of("in-mh"), Some("27"));
        assert_eq!(state_code_of("29"), Some("29"));
        assert_eq!(state_code_of("25"), None);
        assert_eq!(state_code_of("Tamil Nadu"), Some("33"));
        assert_eq!(state_code_of("Jammu & Kashmir"), Some("01"));
        assert_eq!(state_code_of("Dadra & Nagar Haveli and Daman & Diu"), Some("26"));
        assert_eq!(state_code_of("Orissa"), Some("21"));
        assert_eq!(state_code_of("NCT of Delhi"), Some("07"));
        assert_eq!(state_code_of("IN-TG"), Some("36"));
        assert_eq!(state_code_of("TS"), Some("36"));
        assert_eq!(state_code_of("UT"), Some("05"));
        assert_eq!(state_code_of("Kentucky"), None);
        assert_eq!(state_code_of(""), None);
    }

    #[test]
    fn every_state_has_an_alpha_code_that_leads_back_to_it() {
        for (gst, _) in ALPHA_CODES {
            let alpha = state_alpha(gst).unwrap();
            assert_eq!(state_code_of_alpha(alpha), Some(*gst));
            assert_eq!(state_code_of_name(state_name(gst).unwrap()), Some(*gst));
        }
    }
}
