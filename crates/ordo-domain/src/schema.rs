//! OpenAPI schemas of the checks in [`crate::codes`], [`crate::money`] and [`crate::gstin`]: each
//! says in JSON Schema exactly what its parse function accepts, so the document and the server can
//! be held to each other (the tests below compare them on generated strings). Request types use
//! them with `#[schema(schema_with = …)]`.
//!
//! The parse functions trim with Rust's notion of white space, so the patterns spell that set out
//! ([`WS`]) instead of using `\s`, whose meaning differs between regex dialects.

use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{RefOr, schema::AdditionalProperties};

/// Rust's `char::is_whitespace` as a regex class: what `str::trim` removes.
const WS: &str = r"[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// Any character but white space.
const NOT_WS: &str = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
/// Any character but white space and control characters.
const PRINTABLE: &str = r"[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00-\x1f\x7f-\x9f]";
/// Any character but control characters.
const NOT_CONTROL: &str = r"[^\x00-\x1f\x7f-\x9f]";

/// Whether a value may also be `null` or left blank (white space only), which mean "not given".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    /// A value must be given.
    Required,
    /// `null` means not given; a string, when given, must match.
    Nullable,
    /// `null`, an empty or an all-white-space string mean not given.
    Blankable,
}

fn string_type(presence: Presence) -> SchemaType {
    match presence {
        Presence::Required => SchemaType::Type(Type::String),
        _ => SchemaType::from_iter([Type::String, Type::Null]),
    }
}

/// Text that, trimmed, matches `core`.
fn trimmed(core: &str, presence: Presence, description: &str) -> Object {
    let core = if presence == Presence::Blankable { format!("(?:{core})?") } else { format!("(?:{core})") };
    ObjectBuilder::new()
        .schema_type(string_type(presence))
        .pattern(Some(format!("^{WS}*{core}{WS}*$")))
        .description(Some(description))
        .build()
}

/// `first`, then up to `max - 2` of `middle`, then `last`: 1 to `max` characters that begin and end with `edge`.
fn bounded(edge: &str, middle: &str, max: usize) -> String {
    format!("{edge}(?:{middle}{{0,{}}}{edge})?", max - 2)
}

fn code_core() -> String {
    "[A-Za-z0-9._-]{1,64}".into()
}

fn sku_core() -> String {
    bounded(PRINTABLE, NOT_CONTROL, 128)
}

fn reference_core() -> String {
    bounded(PRINTABLE, NOT_CONTROL, 100)
}

fn text_core(max: usize) -> String {
    bounded(NOT_WS, r"[\s\S]", max)
}

const CODE: &str = "A code: 1 to 64 letters, digits, '-', '_' or '.' (surrounding white space is trimmed).";
const SKU: &str = "A product code: 1 to 128 characters without control characters (trimmed).";
const REFERENCE: &str = "Another system's document number: 1 to 100 characters without control characters (trimmed).";
const DECIMAL: &str =
    "A decimal amount as a string, such as \"499.00\": up to 13 digits, at most two decimal places. JSON numbers are refused.";

/// [`crate::codes::parse_code`].
pub fn code() -> Object {
    trimmed(&code_core(), Presence::Required, CODE)
}

/// [`crate::codes::parse_code`], or blank for none.
pub fn optional_code() -> Object {
    trimmed(&code_core(), Presence::Blankable, CODE)
}

/// [`crate::codes::parse_sku`].
pub fn sku() -> Object {
    trimmed(&sku_core(), Presence::Required, SKU)
}

/// [`crate::codes::parse_sku`], or blank for none.
pub fn optional_sku() -> Object {
    trimmed(&sku_core(), Presence::Blankable, SKU)
}

/// [`crate::codes::parse_reference`].
pub fn reference() -> Object {
    trimmed(&reference_core(), Presence::Required, REFERENCE)
}

/// [`crate::codes::parse_reference`], or blank for none.
pub fn optional_reference() -> Object {
    trimmed(&reference_core(), Presence::Blankable, REFERENCE)
}

/// [`crate::codes::parse_name`].
pub fn name() -> Object {
    trimmed(&text_core(200), Presence::Required, "A name: 1 to 200 characters (trimmed).")
}

/// Required free text of up to 500 characters, not only white space.
pub fn text_500() -> Object {
    trimmed(&text_core(500), Presence::Required, "Up to 500 characters (trimmed), not only white space.")
}

/// Optional free text of up to 500 characters; blank means none.
pub fn optional_text_500() -> Object {
    trimmed(&text_core(500), Presence::Blankable, "Up to 500 characters (trimmed); blank means none.")
}

/// An optional EAN: 8 to 14 digits.
pub fn optional_ean() -> Object {
    trimmed("[0-9]{8,14}", Presence::Blankable, "The article's EAN/GTIN: 8 to 14 digits; blank means none.")
}

/// An optional HSN code: 4 to 8 digits.
pub fn optional_hsn() -> Object {
    trimmed("[0-9]{4,8}", Presence::Blankable, "The HSN code: 4 to 8 digits; blank means none.")
}

/// [`crate::money::parse_hundredths`]: a decimal amount such as `"499.00"`, required.
pub fn decimal() -> Object {
    trimmed(r"[0-9]{1,13}(?:\.[0-9]{1,2})?", Presence::Required, DECIMAL)
}

/// [`crate::money::parse_hundredths`], or `null` for none.
pub fn optional_decimal() -> Object {
    trimmed(r"[0-9]{1,13}(?:\.[0-9]{1,2})?", Presence::Nullable, DECIMAL)
}

/// [`crate::money::parse_tax_rate`], or `null` for none.
pub fn optional_tax_rate() -> Object {
    // At most 13 digits before the point, leading zeros included, and no more than 100.
    let core = r"0{0,10}100(?:\.0{1,2})?|0{0,11}[0-9]{2}(?:\.[0-9]{1,2})?|0{0,12}[0-9](?:\.[0-9]{1,2})?";
    trimmed(core, Presence::Nullable, "The GST rate in percent, 0 to 100, as a decimal string such as \"18\" or \"12.5\".")
}

/// [`crate::gstin::validate`]'s shape, or blank for none; letters in either case.
pub fn optional_gstin() -> Object {
    let core = "[0-9]{2}[A-Za-z]{5}[0-9]{4}[A-Za-z][A-Za-z0-9]{3}";
    trimmed(
        core,
        Presence::Blankable,
        "The GSTIN of the registration: 15 characters (state code, PAN, entity number, Z, check character); the check character is verified. Blank means none.",
    )
}

/// An integer from `min` to `max`; `nullable` when it may be left out as `null`.
pub fn integer(min: i64, max: i64, nullable: bool) -> Object {
    let ty = if nullable { SchemaType::from_iter([Type::Integer, Type::Null]) } else { SchemaType::Type(Type::Integer) };
    ObjectBuilder::new().schema_type(ty).minimum(Some(min)).maximum(Some(max)).build()
}

/// [`crate::codes::parse_positive_qty`].
pub fn positive_qty() -> Object {
    let mut o = integer(1, 1_000_000_000, false);
    o.description = Some("Units: a whole number from 1 to 1000000000.".into());
    o
}

/// A change of stock by a count: not 0, and at most 1000000000 either way.
pub fn qty_delta() -> RefOr<Schema> {
    let side = |min, max| integer(min, max, false);
    OneOfBuilder::new()
        .item(side(-1_000_000_000, -1))
        .item(side(1, 1_000_000_000))
        .description(Some("Units found (positive) or lost (negative) by the count; not 0."))
        .into()
}

/// Record ids written as strings (`"42"`), or `null` for none; at least `min_items` of them.
pub fn id_strings(description: &str, min_items: usize) -> RefOr<Schema> {
    let item = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[+-]?[0-9]{1,18}$"));
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(item)
        .min_items(Some(min_items))
        .description(Some(description))
        .into()
}

/// An object with any keys beyond the ones described.
pub fn open_object(description: &str, nullable: bool) -> ObjectBuilder {
    let ty = if nullable { SchemaType::from_iter([Type::Object, Type::Null]) } else { SchemaType::Type(Type::Object) };
    ObjectBuilder::new()
        .schema_type(ty)
        .description(Some(description))
        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{parse_code, parse_name, parse_reference, parse_sku};
    use crate::money::{parse_hundredths, parse_tax_rate};
    use proptest::prelude::*;

    fn matches(schema: &Object, value: &str) -> bool {
        let pattern = schema.pattern.as_ref().expect("a pattern");
        regex::Regex::new(pattern).expect("a valid pattern").is_match(value)
    }

    /// Strings made of the characters the checks care about: white space of every kind, control
    /// characters, digits, letters, punctuation, and a few of each near the length limits.
    fn tricky() -> impl Strategy<Value = String> {
        let chars = prop::sample::select(vec![
            ' ', '\t', '\n', '\u{85}', '\u{a0}', '\u{2003}', '\u{3000}', '\u{1c}', '\u{7f}', '\u{9f}', '\u{200b}', '\u{feff}',
            '0', '1', '9', '.', '-', '_', 'a', 'Z', 'é', '/', '{', '😀',
        ]);
        let short = prop::collection::vec(chars.clone(), 0..8).prop_map(|c| c.into_iter().collect::<String>());
        let long = (prop::collection::vec(chars, 0..3), 60usize..210, prop::sample::select(vec!['a', '0', ' ']))
            .prop_map(|(edge, n, c)| edge.iter().chain(std::iter::repeat_n(&c, n)).chain(edge.iter()).collect::<String>());
        prop_oneof![short, long]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn each_pattern_accepts_exactly_what_its_parser_accepts(s in tricky()) {
            prop_assert_eq!(matches(&code(), &s), parse_code(&s).is_ok(), "code {:?}", s);
            prop_assert_eq!(matches(&sku(), &s), parse_sku(&s).is_ok(), "sku {:?}", s);
            prop_assert_eq!(matches(&reference(), &s), parse_reference(&s).is_ok(), "reference {:?}", s);
            prop_assert_eq!(matches(&name(), &s), parse_name(&s).is_ok(), "name {:?}", s);
            prop_assert_eq!(matches(&optional_decimal(), &s), parse_hundredths(&s).is_ok(), "decimal {:?}", s);
            prop_assert_eq!(matches(&optional_tax_rate(), &s), parse_tax_rate(&s).is_ok(), "tax rate {:?}", s);
            let blank = s.trim().is_empty();
            prop_assert_eq!(matches(&optional_sku(), &s), blank || parse_sku(&s).is_ok(), "optional sku {:?}", s);
            prop_assert_eq!(matches(&optional_gstin(), &s), blank || crate::gstin::validate(&s, false).is_ok(), "gstin {:?}", s);
        }
    }

    #[test]
    fn amounts_and_rates_match_at_their_limits() {
        for s in ["0", "499", "499.5", "499.50", " 1.00 ", "9999999999999", "100", "100.00", "0000000000100", "18", "12.5"] {
            assert_eq!(matches(&optional_decimal(), s), parse_hundredths(s).is_ok(), "{s}");
            assert_eq!(matches(&optional_tax_rate(), s), parse_tax_rate(s).is_ok(), "{s}");
        }
        for s in ["", "1.", ".5", "1.005", "-1", "1e3", "10000000000000", "100.01", "101", "00000000000100"] {
            assert!(!matches(&optional_decimal(), s) || parse_hundredths(s).is_ok(), "{s}");
            assert_eq!(matches(&optional_tax_rate(), s), parse_tax_rate(s).is_ok(), "{s}");
        }
        assert!(matches(&optional_gstin(), "27aapfu0939f1zv") && matches(&optional_gstin(), "  "));
    }
}
