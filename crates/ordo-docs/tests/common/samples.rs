//! Realistic documents for the tests and the `render` example: a seller in Karnataka, buyers in
//! Karnataka and Maharashtra, an e-invoice whose signed QR code is a JWT of about 850 characters.

use ordo_docs::{
    Address, Dimensions, EInvoice, InvoiceDoc, InvoiceLine, InvoiceTotals, LabelDoc, ManifestDoc, ManifestShipment, Party,
    Payment, State, Tax, TaxPart, TaxTotals,
};
use time::macros::{date, datetime};

/// An AWB of the kind carriers issue.
pub const AWB: &str = "FMPP0123456789";
/// An Ordo order id.
pub const ORDER_ID: &str = "100234";
pub const SELLER_GSTIN: &str = "29AAGCB1286Q1Z3";
pub const BUYER_GSTIN: &str = "27AAACR5055K1Z7";
pub const INVOICE_NUMBER: &str = "WH1/2627/000042";

fn karnataka() -> State {
    State { code: "29".into(), name: "Karnataka".into() }
}

fn maharashtra() -> State {
    State { code: "27".into(), name: "Maharashtra".into() }
}

/// The seller's warehouse in Bengaluru.
pub fn warehouse() -> Party {
    Party {
        name: "Bharat Apparel Private Limited".into(),
        gstin: Some(SELLER_GSTIN.into()),
        address: Address {
            lines: vec!["Plot 14, KIADB Industrial Area, Bommasandra".into(), "Bengaluru".into()],
            state: Some(karnataka()),
            pin: Some("560099".into()),
        },
        phone: None,
    }
}

/// A registered business buyer in Mumbai (inter-state from Karnataka).
pub fn business_buyer() -> Party {
    Party {
        name: "Reliance Retail Limited".into(),
        gstin: Some(BUYER_GSTIN.into()),
        address: Address {
            lines: vec!["3rd Floor, Court House, Lokmanya Tilak Marg".into(), "Dhobi Talao, Mumbai".into()],
            state: Some(maharashtra()),
            pin: Some("400002".into()),
        },
        phone: None,
    }
}

/// A consumer in Bengaluru (intra-state).
pub fn consumer() -> Party {
    Party {
        name: "Ananya Krishnamurthy".into(),
        gstin: None,
        address: Address {
            lines: vec!["Flat 3B, Sunrise Apartments, 12th Cross, 4th Main".into(), "Indiranagar, Bengaluru".into()],
            state: Some(karnataka()),
            pin: Some("560038".into()),
        },
        phone: Some("+91 98450 12345".into()),
    }
}

/// The base64url encoding (no padding) a JWT uses.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// The IRN of the sample invoice: 64 hex digits, as SHA-256 gives.
pub fn irn() -> String {
    (0..32u32).map(|i| format!("{:02x}", (i * 73 + 41) % 256)).collect()
}

/// A signed QR code as the e-invoice portal returns it: an RS256 JWT whose payload carries the
/// invoice summary, signed with 256 bytes (here deterministic, not a real signature).
pub fn signed_qr_code() -> String {
    let header = r#"{"alg":"RS256","kid":"EDC57DE1358B300BA9F179F4A7CE4E5E23B5A4F5","typ":"JWT"}"#;
    let data = format!(
        r#"{{"SellerGstin":"{SELLER_GSTIN}","BuyerGstin":"{BUYER_GSTIN}","DocNo":"{INVOICE_NUMBER}","DocTyp":"INV","DocDt":"01/12/2026","TotInvVal":184080.00,"ItemCnt":3,"MainHsnCode":"61091000","Irn":"{}","IrnDt":"2026-12-01 14:05:00"}}"#,
        irn()
    );
    let payload = format!(r#"{{"data":"{}","iss":"NIC"}}"#, data.replace('"', "\\\""));
    let signature: Vec<u8> = (0..256u32).map(|i| ((i * 197 + 89) % 251) as u8).collect();
    format!("{}.{}.{}", base64url(header.as_bytes()), base64url(payload.as_bytes()), base64url(&signature))
}

/// An invoice of `lines` lines, inter-state with an e-invoice (B2B) or intra-state without (B2C).
pub fn invoice(lines: usize, b2b: bool) -> InvoiceDoc {
    let products = [
        ("TSH-BLU-M", "Cotton crew-neck T-shirt, navy blue, size M", "61091000", 49900),
        ("JNS-SLIM-32", "Slim-fit stretch denim jeans, dark wash, waist 32", "62034200", 129900),
        ("KRT-WHT-L", "Linen kurta with mandarin collar, white, size L", "62052000", 89900),
    ];
    let rate = 1200; // 12%
    let mut doc_lines = Vec::new();
    for i in 0..lines {
        let (sku, description, hsn, price) = products[i % products.len()];
        let qty = (i % 4 + 1) as u32;
        let taxable = price * i64::from(qty);
        let tax = taxable * i64::from(rate) / 10_000;
        let line_tax = if b2b {
            Tax::InterState { igst: TaxPart { rate_basis_points: rate, amount_paise: tax } }
        } else {
            let half = TaxPart { rate_basis_points: rate / 2, amount_paise: tax / 2 };
            Tax::IntraState { cgst: half, sgst: TaxPart { amount_paise: tax - tax / 2, ..half } }
        };
        doc_lines.push(InvoiceLine {
            // The line number in the SKU tells every line apart in the printed text.
            sku: format!("{sku}-{:02}", i + 1),
            description: description.into(),
            hsn: hsn.into(),
            qty,
            unit_price_paise: price,
            taxable_paise: taxable,
            tax: line_tax,
            total_paise: taxable + tax,
        });
    }
    let taxable: i64 = doc_lines.iter().map(|l| l.taxable_paise).sum();
    let total: i64 = doc_lines.iter().map(|l| l.total_paise).sum();
    let tax = if b2b {
        TaxTotals::InterState { igst_paise: total - taxable }
    } else {
        let cgst = doc_lines.iter().map(|l| if let Tax::IntraState { cgst, .. } = l.tax { cgst.amount_paise } else { 0 }).sum();
        TaxTotals::IntraState { cgst_paise: cgst, sgst_paise: total - taxable - cgst }
    };
    let buyer = if b2b { business_buyer() } else { consumer() };
    InvoiceDoc {
        invoice_number: INVOICE_NUMBER.into(),
        invoice_date: date!(2026 - 12 - 01),
        order_id: ORDER_ID.into(),
        marketplace_order_id: Some("OD432198765432101".into()),
        seller: warehouse(),
        ship_to: buyer.clone(),
        place_of_supply: buyer.address.state.clone().expect("the samples' buyers have a state"),
        buyer,
        lines: doc_lines,
        totals: InvoiceTotals { taxable_paise: taxable, tax, grand_total_paise: total },
        e_invoice: b2b.then(|| EInvoice {
            irn: irn(),
            ack_no: "182610012345678".into(),
            ack_date: datetime!(2026-12-01 14:05:00),
            signed_qr_code: signed_qr_code(),
        }),
    }
}

/// A label for the consumer's parcel, paid as given.
pub fn label(payment: Payment) -> LabelDoc {
    LabelDoc {
        carrier: "Ekart Logistics".into(),
        awb: AWB.into(),
        order_id: ORDER_ID.into(),
        channel: "Flipkart (fk-1)".into(),
        ship_to: consumer(),
        return_to: warehouse(),
        payment,
        weight_grams: 1250,
        dimensions_mm: Some(Dimensions { length: 300, width: 220, height: 80 }),
        invoice_number: INVOICE_NUMBER.into(),
        invoice_date: date!(2026 - 12 - 01),
    }
}

/// The AWB of the manifest's `i`th shipment.
pub fn manifest_awb(i: usize) -> String {
    format!("FMPP{:010}", 123_456_000 + i * 7919)
}

/// A manifest of `shipments` parcels.
pub fn manifest(shipments: usize) -> ManifestDoc {
    ManifestDoc {
        manifest_id: "MF-2026-12-01-0007".into(),
        warehouse: "wh1 · Bharat Apparel, Bommasandra, Bengaluru".into(),
        channel: "fk-1 (Flipkart)".into(),
        carrier: "Ekart Logistics".into(),
        created_at: datetime!(2026-12-01 16:30 +05:30),
        handed_over_at: Some(datetime!(2026-12-01 18:05 +05:30)),
        shipments: (0..shipments)
            .map(|i| ManifestShipment {
                awb: manifest_awb(i),
                order_id: (100_000 + i * 13).to_string(),
                invoice_number: format!("WH1/2627/{:06}", 42 + i),
                weight_grams: 400 + (i as u32 % 9) * 150,
            })
            .collect(),
    }
}
