//! Who the simulators' generated orders are shipped and invoiced to and how they are paid: the
//! neutral order's own ship-to, buyer and payment when it has them, else a customer picked by the order
//! id (always the same one for the same id) paying in advance. Each simulator writes these in its
//! marketplace's own fields.

use crate::table::stable_number;
use ordo_channels::model::MarketplaceOrder;
use ordo_domain::gstin;
use ordo_domain::kinds::PaymentMode;
use ordo_domain::money::format_hundredths;
use ordo_domain::shipping::{Buyer, Payment, ShipTo};

/// (first name, last name, address, GST state code, PIN, phone) of the customers orders go to.
const CUSTOMERS: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("Asha", "Rao", "Flat 4B, Lake View Apartments, 17th Main, Koramangala, Bengaluru", "29", "560034", "9845012345"),
    ("Imran", "Shaikh", "22 Gulmohar Road, JVPD Scheme, Vile Parle West, Mumbai", "27", "400049", "+91 98200 54321"),
    ("Meera", "Iyer", "No 8, 2nd Street, Gandhi Nagar, Adyar, Chennai", "33", "600020", "9840012345"),
    ("Kabir", "Malhotra", "C-41, Defence Colony, New Delhi", "07", "110024", "+91 98110 22334"),
];

/// Where the order goes.
pub(crate) fn ship_to(o: &MarketplaceOrder) -> ShipTo {
    o.ship_to.clone().unwrap_or_else(|| {
        let (first, last, address, state, pin, phone) =
            CUSTOMERS[stable_number(&o.channel_order_id, 6) as usize % CUSTOMERS.len()];
        ShipTo {
            name: format!("{first} {last}"),
            address: address.into(),
            state_code: Some(state.into()),
            pin: Some(pin.into()),
            phone: Some(phone.into()),
        }
    })
}

/// The first and last name of a ship-to (everything after the first word is the last name).
pub(crate) fn split_name(name: &str) -> (String, String) {
    match name.trim().split_once(' ') {
        Some((f, l)) => (f.to_string(), l.trim().to_string()),
        None => (name.trim().to_string(), String::new()),
    }
}

/// The state's name and two-letter code of a GST state code.
pub(crate) fn state_of(code: Option<&str>) -> (Option<&'static str>, Option<&'static str>) {
    (code.and_then(gstin::state_name), code.and_then(gstin::state_alpha))
}

/// How the order is paid: the order's own payment (a COD amount defaulting to what the live lines
/// cost), else prepaid.
pub(crate) fn payment(o: &MarketplaceOrder) -> Payment {
    let mut p = o.payment.clone().unwrap_or_default();
    if p.mode == PaymentMode::Cod && p.cod_amount.is_none() {
        p.cod_amount = Some(format_hundredths(live_total(o)));
    }
    p
}

/// What the order's uncancelled units cost, in hundredths.
pub(crate) fn live_total(o: &MarketplaceOrder) -> i64 {
    o.lines
        .iter()
        .map(|l| {
            l.unit_price.as_deref().and_then(ordo_channels::lenient::hundredths).unwrap_or(0) * (l.qty - l.cancelled_qty).max(0)
        })
        .sum()
}

/// Who the order is invoiced to, when the order names a buyer.
pub(crate) fn buyer(o: &MarketplaceOrder) -> Option<Buyer> {
    o.buyer.clone()
}

/// Ajio's legal entity its purchase orders are invoiced to.
pub(crate) fn ajio_buyer() -> Buyer {
    Buyer {
        legal_name: "Reliance Retail Limited".into(),
        gstin: Some("27AABCR1718E1ZP".into()),
        address: Some("3rd Floor, Court House, Lokmanya Tilak Marg, Dhobi Talao, Mumbai".into()),
    }
}

/// Ajio's warehouse its purchase orders are delivered to.
pub(crate) fn ajio_warehouse() -> ShipTo {
    ShipTo {
        name: "AJIO Fulfilment Centre BLR-02".into(),
        address: "Survey No 12/3, Soukya Road, Kacharakanahalli, Hoskote".into(),
        state_code: Some("29".into()),
        pin: Some("562114".into()),
        phone: Some("+91 80 6700 2000".into()),
    }
}

/// An address split into its street and its city (the last part after `", "`), which the marketplaces
/// publish apart; joining them again with `", "` gives the address back.
pub(crate) fn split_city(address: &str) -> (String, String) {
    match address.rsplit_once(", ") {
        Some((street, city)) => (street.to_string(), city.to_string()),
        None => (address.to_string(), String::new()),
    }
}

/// A ship-to as Ordo's API designs (Ajio, Paytm) publish an address: street lines, city, state.
pub(crate) fn postal_address(s: &ShipTo) -> ordo_channels::parties::PostalAddress {
    let mut a = ordo_channels::parties::PostalAddress::from_ship_to(s);
    let (street, city) = split_city(&s.address);
    if !city.is_empty() {
        a.address_lines = vec![street];
        a.city = Some(city);
    }
    a
}
