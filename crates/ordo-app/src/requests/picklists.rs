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
        c.finish()?;
        Ok(ordo_store::PicklistRequest { warehouse, orders, limit })
    }
}
