//! Who an order is invoiced and shipped to, and how it is paid, read from what marketplaces publish:
//! the helpers every connector shares (address lines joined with `", "`, the GST state code from a
//! state however it is written, COD or prepaid), and the address, buyer and payment shapes of Ordo's own
//! API designs (`docs/ajio.md`, `docs/paytm.md`).

use ordo_domain::gstin;
use ordo_domain::kinds::PaymentMode;
use ordo_domain::shipping::{Buyer, Payment, ShipTo};
use serde::{Deserialize, Serialize};

/// `s` trimmed, when anything is left.
pub fn text(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Address parts joined with `", "`, leaving out empty parts.
pub fn join<'a>(parts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    parts.into_iter().filter_map(text).collect::<Vec<_>>().join(", ")
}

/// A person's name from a first and a last name, either of which may be missing.
pub fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    text(Some(&join([first, last]).replace(", ", " ")))
}

/// Whether a country code or name means India; no country at all is taken as India (the
/// marketplaces Ordo serves sell in India).
pub fn is_india(country: Option<&str>) -> bool {
    match text(country) {
        None => true,
        Some(c) => matches!(c.to_ascii_uppercase().as_str(), "IN" | "IND" | "INDIA"),
    }
}

/// The GST state code of an address: `96` (Other Country) for an address outside India, otherwise the
/// first candidate that reads as a state (a GST code, a two-letter or ISO 3166-2:IN code, a name).
pub fn state_code<'a>(country: Option<&str>, candidates: impl IntoIterator<Item = Option<&'a str>>) -> Option<String> {
    if !is_india(country) {
        return Some("96".to_string());
    }
    candidates.into_iter().flatten().find_map(gstin::state_code_of).map(str::to_string)
}

/// A ship-to when the marketplace gave an address (a name alone is no address to deliver to).
pub fn ship_to(
    name: Option<String>,
    address: String,
    state_code: Option<String>,
    pin: Option<&str>,
    phone: Option<&str>,
) -> Option<ShipTo> {
    if address.is_empty() {
        return None;
    }
    Some(ShipTo { name: name.unwrap_or_default(), address, state_code, pin: text(pin), phone: text(phone) })
}

/// A buyer when the marketplace names one; `gstin` is kept only when it has a GSTIN's shape (a foreign
/// tax id is not one).
pub fn buyer(legal_name: Option<String>, gstin: Option<&str>, address: String) -> Option<Buyer> {
    let legal_name = legal_name?;
    let gstin = text(gstin).and_then(|g| gstin::validate(&g, false).ok());
    Some(Buyer { legal_name, gstin, address: Some(address).filter(|a| !a.is_empty()) })
}

/// Cash on delivery collecting `amount`, or prepaid.
pub fn payment(cod: bool, amount: Option<String>) -> Payment {
    if cod { Payment { mode: PaymentMode::Cod, cod_amount: amount } } else { Payment::default() }
}

/// A postal address in Ordo's API designs (Ajio, Paytm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PostalAddress {
    /// Who receives the parcel (or the business the address belongs to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// House, street, area, landmark, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_lines: Vec<String>,
    /// Town or city.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// The state's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The GST state code (`"29"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_code: Option<String>,
    /// Six-digit PIN code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pincode: Option<String>,
    /// Phone, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl PostalAddress {
    /// Its lines and city joined with `", "` (state and PIN are kept apart).
    pub fn one_line(&self) -> String {
        join(self.address_lines.iter().map(|l| Some(l.as_str())).chain([self.city.as_deref()]))
    }

    /// The GST state code: `state_code` when it is one, else read from `state`.
    pub fn gst_state_code(&self) -> Option<String> {
        state_code(None, [self.state_code.as_deref(), self.state.as_deref()])
    }

    /// The ship-to it describes.
    pub fn to_ship_to(&self) -> Option<ShipTo> {
        ship_to(
            text(self.name.as_deref()),
            self.one_line(),
            self.gst_state_code(),
            self.pincode.as_deref(),
            self.phone.as_deref(),
        )
    }

    /// The address of a ship-to, as a simulator publishes it.
    pub fn from_ship_to(s: &ShipTo) -> Self {
        PostalAddress {
            name: text(Some(&s.name)),
            address_lines: vec![s.address.clone()],
            city: None,
            state: s.state_code.as_deref().and_then(gstin::state_name).map(str::to_string),
            state_code: s.state_code.clone(),
            pincode: s.pin.clone(),
            phone: s.phone.clone(),
        }
    }
}

/// How an order is paid, in Ordo's API designs: `mode` `PREPAID` or `COD`, and for `COD` the amount
/// the carrier collects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentInfo {
    /// `PREPAID` or `COD`.
    pub mode: String,
    /// For `COD`: the amount to collect, a decimal string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cod_amount: Option<String>,
}

impl PaymentInfo {
    /// The payment it tells.
    pub fn to_payment(&self) -> Payment {
        let cod = self.mode.trim().eq_ignore_ascii_case("COD");
        payment(cod, self.cod_amount.as_deref().and_then(crate::lenient::normalize_decimal))
    }

    /// A payment, as a simulator publishes it.
    pub fn from_payment(p: &Payment) -> Self {
        PaymentInfo { mode: p.mode.as_str().to_string(), cod_amount: p.cod_amount.clone() }
    }
}

/// The business an order is invoiced to, in Ordo's API designs (Ajio's purchase orders).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerInfo {
    /// Its legal name.
    pub legal_name: String,
    /// Its GSTIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gstin: Option<String>,
    /// Its registered address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
}

impl BuyerInfo {
    /// The buyer it names.
    pub fn to_buyer(&self) -> Option<Buyer> {
        buyer(
            text(Some(&self.legal_name)),
            self.gstin.as_deref(),
            self.address.as_ref().map(PostalAddress::one_line).unwrap_or_default(),
        )
    }

    /// A buyer, as a simulator publishes it.
    pub fn from_buyer(b: &Buyer) -> Self {
        BuyerInfo {
            legal_name: b.legal_name.clone(),
            gstin: b.gstin.clone(),
            address: b.address.as_ref().map(|a| PostalAddress { address_lines: vec![a.clone()], ..PostalAddress::default() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_join_and_states_read_however_written() {
        assert_eq!(join([Some(" 12, 3rd Cross "), None, Some(""), Some("Bengaluru")]), "12, 3rd Cross, Bengaluru");
        assert_eq!(full_name(Some("Asha"), Some("Rao")).as_deref(), Some("Asha Rao"));
        assert_eq!(full_name(None, Some("Rao")).as_deref(), Some("Rao"));
        assert_eq!(full_name(Some(" "), None), None);
        assert_eq!(state_code(Some("IN"), [Some("KA")]).as_deref(), Some("29"));
        assert_eq!(state_code(None, [None, Some("KARNATAKA")]).as_deref(), Some("29"));
        assert_eq!(state_code(Some("India"), [Some("nowhere"), Some("IN-MH")]).as_deref(), Some("27"));
        assert_eq!(state_code(Some("US"), [Some("KY")]).as_deref(), Some("96"));
        assert_eq!(state_code(Some("IN"), [Some("nowhere")]), None);
    }

    #[test]
    fn ordo_design_shapes_round_trip_through_the_domain_types() {
        let s = ShipTo {
            name: "Asha Rao".into(),
            address: "12, 3rd Cross, Koramangala, Bengaluru".into(),
            state_code: Some("29".into()),
            pin: Some("560034".into()),
            phone: Some("+91 98450 12345".into()),
        };
        let wire = PostalAddress::from_ship_to(&s);
        assert_eq!(wire.state.as_deref(), Some("Karnataka"));
        assert_eq!(wire.to_ship_to(), Some(s));
        let cod = payment(true, Some("899.00".into()));
        assert_eq!(PaymentInfo::from_payment(&cod).to_payment(), cod);
        assert_eq!(PaymentInfo { mode: "PREPAID".into(), cod_amount: None }.to_payment(), Payment::default());
        let b = Buyer {
            legal_name: "Reliance Retail Limited".into(),
            gstin: Some("27AAACR5055K1Z7".into()),
            address: Some("Navi Mumbai".into()),
        };
        assert_eq!(BuyerInfo::from_buyer(&b).to_buyer(), Some(b));
        assert_eq!(PostalAddress { name: Some("A".into()), ..PostalAddress::default() }.to_ship_to(), None);
    }
}
