//! The bodies of API requests, as callers send them, and their validation into the store's terms.
//! Validation collects every field error of a request, so the caller can fix them all at once.
//! One file per resource; the shared pieces (decimal amounts, optional text) live here.

mod channels;
mod failed_orders;
mod inventory;
mod invoices;
mod inward_pos;
mod manifests;
mod orders;
mod picklists;
mod returns;
mod sku_mappings;
mod skus;
mod warehouses;

pub use channels::{ChannelEventRequest, ChannelPatchRequest, ChannelRequest};
pub use failed_orders::FailedRetryRequest;
pub use inventory::{AdjustRequest, GrnRequest, MoveRequest, StatusRequest};
pub use invoices::{ErpInvoiceLine, ErpInvoiceRequest};
pub use inward_pos::{InwardPoLineRequest, InwardPoRequest};
pub use manifests::{ManifestRequest, ManifestScanRequest};
pub use orders::{BuyerRequest, CancelRequest, OrderBatchRequest, OrderLineRequest, OrderRequest, PaymentRequest, ShipToRequest};
pub use picklists::{PickScanRequest, PicklistRequest, ShortPickRequest};
pub use returns::{CreditNoteRequest, ReceiveRequest, ReceivedLine, ReturnLineRequest, ReturnRequest};
pub use sku_mappings::SkuMappingRequest;
pub use skus::{SkuBatchRequest, SkuRequest};
pub use warehouses::{AwbSeriesRequest, EInvoicingRequest, WarehousePatchRequest, WarehouseRequest};

use ordo_domain::error::Checker;
use serde::{Deserialize, Deserializer};

/// A decimal amount sent as a string (`"499.00"`), as API.md has money. A JSON number is refused
/// with a field error: a float can't carry an amount exactly, so the caller must write it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal(pub String);

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Decimal;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal string such as \"499.00\" (not a number)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
                Ok(Decimal(v.to_string()))
            }
        }
        // Strings only, even from formats that guess types (a CSV field `499` stays text).
        d.deserialize_str(Text)
    }
}

fn optional_text(check: &mut Checker, field: &str, value: Option<String>, max: usize) -> Option<String> {
    let v = value.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())?;
    if v.chars().count() > max {
        check.push(field, format!("must be at most {max} characters"));
    }
    Some(v)
}
