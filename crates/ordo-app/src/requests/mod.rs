//! The bodies of API requests, as callers send them, and their validation into the store's terms.
//! Validation collects every field error of a request, so the caller can fix them all at once.
//! One file per resource; the shared pieces (decimal amounts, optional text) live here.

mod channels;
mod failed_orders;
mod inventory;
mod inward_pos;
mod orders;
mod picklists;
mod sku_mappings;
mod skus;
mod warehouses;

pub use channels::{ChannelEventRequest, ChannelPatchRequest, ChannelRequest};
pub use failed_orders::FailedRetryRequest;
pub use inventory::{AdjustRequest, GrnRequest, MoveRequest, StatusRequest};
pub use inward_pos::{InwardPoLineRequest, InwardPoRequest};
pub use orders::{CancelRequest, OrderBatchRequest, OrderLineRequest, OrderRequest};
pub use picklists::PicklistRequest;
pub use sku_mappings::SkuMappingRequest;
pub use skus::SkuRequest;
pub use warehouses::WarehouseRequest;

use ordo_domain::error::Checker;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// A decimal amount sent as a string (`"499.00"`) or, leniently, as a JSON number.
#[derive(Debug, Clone, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, example = "499.00")]
pub struct Decimal(pub String);

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Number(serde_json::Number),
        }
        Ok(Decimal(
            match Raw::deserialize(d).map_err(|_| serde::de::Error::custom("expected a decimal string such as \"499.00\""))? {
                Raw::Text(s) => s,
                Raw::Number(n) => n.to_string(),
            },
        ))
    }
}

fn optional_text(check: &mut Checker, field: &str, value: Option<String>, max: usize) -> Option<String> {
    let v = value.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())?;
    if v.chars().count() > max {
        check.push(field, format!("must be at most {max} characters"));
    }
    Some(v)
}
