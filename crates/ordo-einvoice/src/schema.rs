//! The GST e-invoice, INV-01 (schema version 1.1), as serde types carrying NIC's own field names.
//! Only the parts Ordo fills are here; NIC's optional blocks (dispatch, ship-to, payment, references,
//! export, e-way bill) are left out rather than sent empty, as NIC asks.

use crate::irn::DocumentType;
use crate::money::{Paise, Quantity, Rate};
use serde::{Deserialize, Serialize};

/// The schema version Ordo writes.
pub const SCHEMA_VERSION: &str = "1.1";

/// A whole INV-01 document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// `Version`: the schema version, "1.1".
    #[serde(rename = "Version")]
    pub version: String,
    /// `TranDtls`: what kind of supply this is.
    #[serde(rename = "TranDtls")]
    pub transaction: TransactionDetails,
    /// `DocDtls`: the document's type, number and date.
    #[serde(rename = "DocDtls")]
    pub document: DocumentDetails,
    /// `SellerDtls`: the supplier.
    #[serde(rename = "SellerDtls")]
    pub seller: SellerDetails,
    /// `BuyerDtls`: the recipient, with the place of supply.
    #[serde(rename = "BuyerDtls")]
    pub buyer: BuyerDetails,
    /// `ItemList`: the lines.
    #[serde(rename = "ItemList")]
    pub items: Vec<Item>,
    /// `ValDtls`: the totals.
    #[serde(rename = "ValDtls")]
    pub totals: ValueDetails,
}

/// `Y` or `N`, as NIC writes its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum YesNo {
    /// Yes.
    #[serde(rename = "Y")]
    Yes,
    /// No.
    #[serde(rename = "N")]
    No,
}

impl From<bool> for YesNo {
    fn from(flag: bool) -> YesNo {
        if flag { YesNo::Yes } else { YesNo::No }
    }
}

/// `TranDtls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionDetails {
    /// `TaxSch`: always "GST".
    #[serde(rename = "TaxSch")]
    pub tax_scheme: String,
    /// `SupTyp`: "B2B" for Ordo's invoices.
    #[serde(rename = "SupTyp")]
    pub supply_type: String,
    /// `RegRev`: whether the buyer pays the tax under reverse charge.
    #[serde(rename = "RegRev")]
    pub reverse_charge: YesNo,
    /// `EcmGstin`: the e-commerce operator's GSTIN, when one collects tax at source.
    #[serde(rename = "EcmGstin", default, skip_serializing_if = "Option::is_none")]
    pub ecommerce_gstin: Option<String>,
    /// `IgstOnIntra`: IGST on a supply within one state (SEZ cases); "N" for Ordo.
    #[serde(rename = "IgstOnIntra")]
    pub igst_on_intra: YesNo,
}

/// `DocDtls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentDetails {
    /// `Typ`: INV, CRN or DBN.
    #[serde(rename = "Typ")]
    pub kind: DocumentType,
    /// `No`: the document number.
    #[serde(rename = "No")]
    pub number: String,
    /// `Dt`: the document date, `dd/mm/yyyy`.
    #[serde(rename = "Dt")]
    pub date: String,
}

/// `SellerDtls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellerDetails {
    /// `Gstin`.
    #[serde(rename = "Gstin")]
    pub gstin: String,
    /// `LglNm`: legal name.
    #[serde(rename = "LglNm")]
    pub legal_name: String,
    /// `TrdNm`: trade name.
    #[serde(rename = "TrdNm", default, skip_serializing_if = "Option::is_none")]
    pub trade_name: Option<String>,
    /// `Addr1`: building, street.
    #[serde(rename = "Addr1")]
    pub address1: String,
    /// `Addr2`: floor, premises.
    #[serde(rename = "Addr2", default, skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// `Loc`: city or place.
    #[serde(rename = "Loc")]
    pub location: String,
    /// `Pin`: PIN code.
    #[serde(rename = "Pin")]
    pub pin: u32,
    /// `Stcd`: state code.
    #[serde(rename = "Stcd")]
    pub state_code: String,
    /// `Ph`: phone.
    #[serde(rename = "Ph", default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `Em`: e-mail.
    #[serde(rename = "Em", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// `BuyerDtls`: a seller's fields plus the place of supply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyerDetails {
    /// `Gstin`.
    #[serde(rename = "Gstin")]
    pub gstin: String,
    /// `LglNm`: legal name.
    #[serde(rename = "LglNm")]
    pub legal_name: String,
    /// `TrdNm`: trade name.
    #[serde(rename = "TrdNm", default, skip_serializing_if = "Option::is_none")]
    pub trade_name: Option<String>,
    /// `Pos`: place of supply, a state code.
    #[serde(rename = "Pos")]
    pub place_of_supply: String,
    /// `Addr1`: building, street.
    #[serde(rename = "Addr1")]
    pub address1: String,
    /// `Addr2`: floor, premises.
    #[serde(rename = "Addr2", default, skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// `Loc`: city or place.
    #[serde(rename = "Loc")]
    pub location: String,
    /// `Pin`: PIN code.
    #[serde(rename = "Pin")]
    pub pin: u32,
    /// `Stcd`: state code.
    #[serde(rename = "Stcd")]
    pub state_code: String,
    /// `Ph`: phone.
    #[serde(rename = "Ph", default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// `Em`: e-mail.
    #[serde(rename = "Em", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One entry of `ItemList`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// `SlNo`: the line's serial number, "1", "2", …
    #[serde(rename = "SlNo")]
    pub serial_number: String,
    /// `PrdDesc`: description.
    #[serde(rename = "PrdDesc", default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `IsServc`: whether the line is a service.
    #[serde(rename = "IsServc")]
    pub is_service: YesNo,
    /// `HsnCd`: HSN (goods) or SAC (services) code.
    #[serde(rename = "HsnCd")]
    pub hsn_code: String,
    /// `Qty`.
    #[serde(rename = "Qty")]
    pub quantity: Quantity,
    /// `Unit`: a unit quantity code.
    #[serde(rename = "Unit")]
    pub unit: String,
    /// `UnitPrice`: one unit before GST.
    #[serde(rename = "UnitPrice")]
    pub unit_price: Paise,
    /// `TotAmt`: quantity × unit price.
    #[serde(rename = "TotAmt")]
    pub gross_amount: Paise,
    /// `Discount`.
    #[serde(rename = "Discount")]
    pub discount: Paise,
    /// `AssAmt`: the taxable (assessable) value.
    #[serde(rename = "AssAmt")]
    pub taxable_value: Paise,
    /// `GstRt`: the GST rate, in percent.
    #[serde(rename = "GstRt")]
    pub gst_rate: Rate,
    /// `IgstAmt`.
    #[serde(rename = "IgstAmt")]
    pub igst: Paise,
    /// `CgstAmt`.
    #[serde(rename = "CgstAmt")]
    pub cgst: Paise,
    /// `SgstAmt`.
    #[serde(rename = "SgstAmt")]
    pub sgst: Paise,
    /// `CesRt`: compensation cess rate (none on Ordo's goods).
    #[serde(rename = "CesRt")]
    pub cess_rate: Rate,
    /// `CesAmt`.
    #[serde(rename = "CesAmt")]
    pub cess: Paise,
    /// `CesNonAdvlAmt`: cess charged per unit rather than on value.
    #[serde(rename = "CesNonAdvlAmt")]
    pub cess_non_ad_valorem: Paise,
    /// `StateCesRt`.
    #[serde(rename = "StateCesRt")]
    pub state_cess_rate: Rate,
    /// `StateCesAmt`.
    #[serde(rename = "StateCesAmt")]
    pub state_cess: Paise,
    /// `StateCesNonAdvlAmt`.
    #[serde(rename = "StateCesNonAdvlAmt")]
    pub state_cess_non_ad_valorem: Paise,
    /// `OthChrg`: other charges on the line.
    #[serde(rename = "OthChrg")]
    pub other_charges: Paise,
    /// `TotItemVal`: taxable value + taxes + cess + other charges.
    #[serde(rename = "TotItemVal")]
    pub total: Paise,
}

/// `ValDtls`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueDetails {
    /// `AssVal`: the sum of the lines' taxable values.
    #[serde(rename = "AssVal")]
    pub taxable_value: Paise,
    /// `CgstVal`.
    #[serde(rename = "CgstVal")]
    pub cgst: Paise,
    /// `SgstVal`.
    #[serde(rename = "SgstVal")]
    pub sgst: Paise,
    /// `IgstVal`.
    #[serde(rename = "IgstVal")]
    pub igst: Paise,
    /// `CesVal`.
    #[serde(rename = "CesVal")]
    pub cess: Paise,
    /// `StCesVal`.
    #[serde(rename = "StCesVal")]
    pub state_cess: Paise,
    /// `Discount`: a discount on the whole invoice.
    #[serde(rename = "Discount")]
    pub discount: Paise,
    /// `OthChrg`: other charges on the whole invoice.
    #[serde(rename = "OthChrg")]
    pub other_charges: Paise,
    /// `RndOffAmt`: rounding of the total.
    #[serde(rename = "RndOffAmt")]
    pub round_off: Paise,
    /// `TotInvVal`: what the invoice comes to.
    #[serde(rename = "TotInvVal")]
    pub total: Paise,
}

impl Invoice {
    /// The HSN code of the line of highest taxable value (the QR code's `MainHsnCode`); the first such
    /// line when several tie.
    pub fn main_hsn_code(&self) -> Option<&str> {
        let mut best: Option<&Item> = None;
        for item in &self.items {
            if best.is_none_or(|b| item.taxable_value > b.taxable_value) {
                best = Some(item);
            }
        }
        best.map(|item| item.hsn_code.as_str())
    }
}

const NIC_DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[day]/[month]/[year]");

/// A date as INV-01 writes it: `dd/mm/yyyy`.
pub fn format_date(date: time::Date) -> String {
    date.format(NIC_DATE).expect("a calendar date always formats as dd/mm/yyyy")
}

/// Reads an INV-01 date, `dd/mm/yyyy`.
pub fn parse_date(text: &str) -> Result<time::Date, String> {
    time::Date::parse(text, NIC_DATE).map_err(|_| format!("'{text}' is not a date (dd/mm/yyyy)"))
}

impl Invoice {
    /// The IRN this invoice must get, computed from its own seller, date, type and number.
    pub fn irn(&self) -> Result<String, String> {
        let date = parse_date(&self.document.date)?;
        Ok(crate::irn::irn(&self.seller.gstin, date, self.document.kind, &self.document.number))
    }
}
