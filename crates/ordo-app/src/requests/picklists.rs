//! `/api/v1/picklists`.

use ordo_domain::DomainError;
use ordo_domain::codes::parse_code;
use ordo_domain::error::Checker;
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/picklists`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PicklistRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub warehouse: String,
    /// These orders (Ordo ids); without them, the warehouse's oldest releasable orders.
    #[schema(schema_with = order_ids_schema)]
    pub orders: Option<Vec<String>>,
    /// At most this many orders (default 100).
    #[schema(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Only orders of this channel (its code); blank for any.
    #[schema(schema_with = ordo_domain::schema::optional_code)]
    pub channel: Option<String>,
}

fn order_ids_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    ordo_domain::schema::id_strings(
        "These orders (Ordo ids), at least one; without them, the warehouse's oldest releasable orders.",
        1,
    )
}

impl PicklistRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<ordo_store::PicklistRequest, DomainError> {
        let mut c = Checker::new();
        let warehouse = c.take("warehouse", parse_code(&self.warehouse)).unwrap_or_default();
        let limit = self.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            c.push("limit", "must be between 1 and 1000");
        }
        let orders = self.orders.map(|ids| {
            ids.iter()
                .enumerate()
                .filter_map(|(i, id)| {
                    c.take(&format!("orders[{i}]"), id.parse::<i64>().map_err(|_| "is not an order id".to_string()))
                })
                .collect::<Vec<i64>>()
        });
        if orders.as_ref().is_some_and(|o| o.is_empty()) {
            c.push("orders", "name at least one order, or leave it out");
        }
        let channel = self.channel.filter(|ch| !ch.trim().is_empty()).and_then(|ch| c.take("channel", parse_code(&ch)));
        c.finish()?;
        Ok(ordo_store::PicklistRequest { warehouse, orders, limit, channel })
    }
}

/// `POST /api/v1/picklists/{id}/scans`: one scan at a pick station.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PickScanRequest {
    /// A SKU code or an EAN, as the scanner read it.
    #[schema(min_length = 1, max_length = 100)]
    pub scan: String,
    /// Units this scan confirms (default 1).
    #[schema(minimum = 1, maximum = 100000)]
    pub qty: Option<i64>,
}

impl PickScanRequest {
    /// Checks every field: the scan (trimmed) and its quantity.
    pub fn validate(self) -> Result<(String, i64), DomainError> {
        let mut c = Checker::new();
        let scan = self.scan.trim().to_string();
        if scan.is_empty() || self.scan.chars().count() > 100 {
            c.push("scan", "must be a SKU code or an EAN of 1 to 100 characters");
        }
        let qty = self.qty.unwrap_or(1);
        if !(1..=100_000).contains(&qty) {
            c.push("qty", "must be between 1 and 100000");
        }
        c.finish()?;
        Ok((scan, qty))
    }
}

/// `POST /api/v1/picklists/{id}/lines/{line_id}/short`: units the picker could not pick.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ShortPickRequest {
    #[schema(minimum = 1, maximum = 100000)]
    pub qty: i64,
    pub reason: ordo_domain::kinds::ShortReason,
}

impl ShortPickRequest {
    /// Checks every field.
    pub fn validate(self, picklist_id: i64, line_id: i64) -> Result<ordo_store::ShortPick, DomainError> {
        if !(1..=100_000).contains(&self.qty) {
            return Err(DomainError::field("qty", "must be between 1 and 100000"));
        }
        Ok(ordo_store::ShortPick { picklist_id, line_id, qty: self.qty, reason: self.reason })
    }
}
