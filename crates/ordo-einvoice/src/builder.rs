//! Builds an INV-01 invoice from plain inputs: computes each line's GST and the totals, and checks
//! what NIC checks that can be checked here, naming every wrong field by its INV-01 path.

use crate::irn::DocumentType;
use crate::money::{Paise, Quantity, Rate};
use crate::schema::{
    BuyerDetails, DocumentDetails, Invoice, Item, SCHEMA_VERSION, SellerDetails, TransactionDetails, ValueDetails, YesNo,
    format_date,
};
use crate::tax::{LineAmounts, PriceBasis, Supply, line_amounts};
use crate::validate::{self, GstinCheck};
use std::fmt;
use time::Date;

/// NIC's limit on lines per invoice.
pub const MAX_LINES: usize = 1000;

/// A seller or a buyer. The state code is the GSTIN's first two digits, as NIC requires.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    /// GSTIN.
    pub gstin: String,
    /// Legal name (3 to 100 characters).
    pub legal_name: String,
    /// Trade name, when it differs.
    pub trade_name: Option<String>,
    /// Building and street (1 to 100 characters).
    pub address1: String,
    /// Floor, premises.
    pub address2: Option<String>,
    /// City or place (3 to 50 characters).
    pub location: String,
    /// PIN code.
    pub pin: u32,
    /// Phone (6 to 12 digits).
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// One line to invoice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineInput {
    /// What is sold (3 to 300 characters).
    pub description: String,
    /// HSN code (goods) or SAC (services), 4 to 8 digits.
    pub hsn_code: String,
    /// Whether this is a service.
    pub is_service: bool,
    /// Units (at least 1).
    pub quantity: u32,
    /// NIC's unit code, e.g. `NOS` or `PCS`.
    pub unit: String,
    /// The price of one unit, before or including GST per `price_basis`.
    pub unit_price: Paise,
    /// The GST rate, in hundredths of a percent (1800 = 18 %).
    pub gst_rate: Rate,
    /// Whether `unit_price` includes GST.
    pub price_basis: PriceBasis,
}

/// Everything an invoice is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceInput {
    /// The supplier.
    pub seller: Party,
    /// The recipient.
    pub buyer: Party,
    /// Invoice, credit note or debit note.
    pub document_type: DocumentType,
    /// The document number (see [`crate::numbering`]).
    pub document_number: String,
    /// The document date.
    pub document_date: Date,
    /// The place of supply's state code: the buyer's GSTIN state, else the ship-to state.
    pub place_of_supply: String,
    /// The lines, in order.
    pub lines: Vec<LineInput>,
    /// Whether the buyer pays the tax under reverse charge.
    pub reverse_charge: bool,
    /// How strictly GSTINs are checked ([`GstinCheck::SandboxTestGstins`] for the sandbox's test GSTINs).
    pub gstin_check: GstinCheck,
}

/// One wrong field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's INV-01 path, e.g. `BuyerDtls.Gstin` or `ItemList[2].HsnCd`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Every wrong field of an invoice input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidInvoice {
    /// The wrong fields, in the order of the document.
    pub errors: Vec<FieldError>,
}

impl fmt::Display for InvalidInvoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all: Vec<String> = self.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        write!(f, "invalid invoice: {}", all.join("; "))
    }
}

/// Collects field errors as the input is checked.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn check(&mut self, field: impl Into<String>, result: Result<(), String>) {
        if let Err(message) = result {
            self.0.push(FieldError { field: field.into(), message });
        }
    }

    fn check_optional(&mut self, field: &str, value: &Option<String>, min: usize, max: usize) {
        if let Some(v) = value {
            self.check(field, validate::length(v, min, max));
        }
    }
}

fn check_party(errors: &mut Errors, block: &str, party: &Party, gstin_check: GstinCheck) {
    let field = |name: &str| format!("{block}.{name}");
    errors.check(field("Gstin"), validate::gstin(&party.gstin, gstin_check));
    errors.check(field("LglNm"), validate::length(&party.legal_name, 3, 100));
    errors.check_optional(&field("TrdNm"), &party.trade_name, 3, 100);
    errors.check(field("Addr1"), validate::length(&party.address1, 1, 100));
    errors.check_optional(&field("Addr2"), &party.address2, 3, 100);
    errors.check(field("Loc"), validate::length(&party.location, 3, 50));
    errors.check(field("Pin"), validate::pin(party.pin));
    if let Some(phone) = &party.phone {
        let digits = (6..=12).contains(&phone.len()) && phone.bytes().all(|b| b.is_ascii_digit());
        errors.check(field("Ph"), if digits { Ok(()) } else { Err(format!("'{phone}' is not a phone number (6 to 12 digits)")) });
    }
    if let Some(email) = &party.email {
        let shaped = email.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        let result = validate::length(email, 6, 100)
            .and_then(|()| if shaped { Ok(()) } else { Err(format!("'{email}' is not an e-mail address")) });
        errors.check(field("Em"), result);
    }
}

/// The state code a GSTIN names (its first two characters), or "" when it is too short to have one.
fn state_of(gstin: &str) -> String {
    gstin.get(..2).unwrap_or_default().to_string()
}

impl InvoiceInput {
    /// Builds the INV-01 invoice: each line's GST (CGST + SGST when the place of supply is the seller's
    /// state, IGST otherwise) and the totals as sums of the rounded lines. Refuses the input with every
    /// wrong field named.
    pub fn build(&self) -> Result<Invoice, InvalidInvoice> {
        let mut errors = Errors::default();
        check_party(&mut errors, "SellerDtls", &self.seller, self.gstin_check);
        check_party(&mut errors, "BuyerDtls", &self.buyer, self.gstin_check);
        if self.seller.gstin == self.buyer.gstin {
            errors.check("BuyerDtls.Gstin", Err("the buyer's GSTIN is the seller's".into()));
        }
        let pos_ok = validate::state_code(&self.place_of_supply);
        errors
            .check("BuyerDtls.Pos", if pos_ok { Ok(()) } else { Err(format!("'{}' is not a state code", self.place_of_supply)) });
        errors.check("DocDtls.No", validate::document_number(&self.document_number));
        if self.lines.is_empty() || self.lines.len() > MAX_LINES {
            errors.check("ItemList", Err(format!("must hold 1 to {MAX_LINES} lines, not {}", self.lines.len())));
        }

        let supply = Supply::between(&state_of(&self.seller.gstin), &self.place_of_supply);
        let mut items = Vec::with_capacity(self.lines.len());
        for (index, line) in self.lines.iter().enumerate() {
            let field = |name: &str| format!("ItemList[{index}].{name}");
            errors.check(field("PrdDesc"), validate::length(&line.description, 3, 300));
            errors.check(field("HsnCd"), validate::hsn(&line.hsn_code, line.is_service));
            errors.check(field("Unit"), validate::unit(&line.unit));
            errors.check(field("GstRt"), validate::gst_rate(line.gst_rate));
            match line_amounts(line.quantity, line.unit_price, line.gst_rate, line.price_basis, supply) {
                Ok(amounts) => items.push(item(index, line, amounts)),
                Err(e) => {
                    let name = match e {
                        crate::tax::TaxError::ZeroQuantity => "Qty",
                        _ => "UnitPrice",
                    };
                    errors.check(field(name), Err(e.to_string()));
                }
            }
        }
        if !errors.0.is_empty() {
            return Err(InvalidInvoice { errors: errors.0 });
        }

        let sum = |amount: fn(&Item) -> Paise| items.iter().map(amount).sum::<Paise>();
        let totals = ValueDetails {
            taxable_value: sum(|i| i.taxable_value),
            cgst: sum(|i| i.cgst),
            sgst: sum(|i| i.sgst),
            igst: sum(|i| i.igst),
            cess: Paise::ZERO,
            state_cess: Paise::ZERO,
            discount: Paise::ZERO,
            other_charges: Paise::ZERO,
            round_off: Paise::ZERO,
            total: sum(|i| i.total),
        };
        Ok(Invoice {
            version: SCHEMA_VERSION.to_string(),
            transaction: TransactionDetails {
                tax_scheme: "GST".into(),
                supply_type: "B2B".into(),
                reverse_charge: self.reverse_charge.into(),
                ecommerce_gstin: None,
                igst_on_intra: YesNo::No,
            },
            document: DocumentDetails {
                kind: self.document_type,
                // Upper case, as the portal keeps it (it folds case before computing the IRN).
                number: self.document_number.to_ascii_uppercase(),
                date: format_date(self.document_date),
            },
            seller: SellerDetails {
                gstin: self.seller.gstin.clone(),
                legal_name: self.seller.legal_name.clone(),
                trade_name: self.seller.trade_name.clone(),
                address1: self.seller.address1.clone(),
                address2: self.seller.address2.clone(),
                location: self.seller.location.clone(),
                pin: self.seller.pin,
                state_code: state_of(&self.seller.gstin),
                phone: self.seller.phone.clone(),
                email: self.seller.email.clone(),
            },
            buyer: BuyerDetails {
                gstin: self.buyer.gstin.clone(),
                legal_name: self.buyer.legal_name.clone(),
                trade_name: self.buyer.trade_name.clone(),
                place_of_supply: self.place_of_supply.clone(),
                address1: self.buyer.address1.clone(),
                address2: self.buyer.address2.clone(),
                location: self.buyer.location.clone(),
                pin: self.buyer.pin,
                state_code: state_of(&self.buyer.gstin),
                phone: self.buyer.phone.clone(),
                email: self.buyer.email.clone(),
            },
            items,
            totals,
        })
    }
}

fn item(index: usize, line: &LineInput, amounts: LineAmounts) -> Item {
    Item {
        serial_number: (index + 1).to_string(),
        description: Some(line.description.clone()),
        is_service: line.is_service.into(),
        hsn_code: line.hsn_code.clone(),
        quantity: Quantity(line.quantity),
        unit: line.unit.clone(),
        unit_price: amounts.unit_price,
        gross_amount: amounts.gross,
        discount: amounts.discount,
        taxable_value: amounts.taxable,
        gst_rate: line.gst_rate,
        igst: amounts.igst,
        cgst: amounts.cgst,
        sgst: amounts.sgst,
        cess_rate: Rate(0),
        cess: Paise::ZERO,
        cess_non_ad_valorem: Paise::ZERO,
        state_cess_rate: Rate(0),
        state_cess: Paise::ZERO,
        state_cess_non_ad_valorem: Paise::ZERO,
        other_charges: Paise::ZERO,
        total: amounts.total,
    }
}

#[cfg(test)]
pub(crate) mod tests;
