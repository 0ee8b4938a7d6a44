//! `/api/v1/inventory`: GRN, moves, LIVE/RECYCLE and adjustments.

use super::optional_text;
use ordo_domain::DomainError;
use ordo_domain::codes::{parse_code, parse_positive_qty, parse_reference, parse_sku};
use ordo_domain::error::Checker;
use ordo_domain::inventory::StockChange;
use ordo_domain::kinds::{Pool, UnitStatus};
use ordo_store::StockCommand;
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/inventory/grn`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct GrnRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub warehouse: String,
    #[schema(schema_with = ordo_domain::schema::sku)]
    pub sku: String,
    #[schema(schema_with = ordo_domain::schema::positive_qty)]
    pub qty: i64,
    /// `QC_PASS` when not given.
    pub pool: Option<Pool>,
    /// The number of the inward PO (or DN) received against.
    #[schema(schema_with = ordo_domain::schema::optional_reference)]
    pub inward_po: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub reason: Option<String>,
}

/// `POST /api/v1/inventory/move`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MoveRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub warehouse: String,
    #[schema(schema_with = ordo_domain::schema::sku)]
    pub sku: String,
    #[schema(schema_with = ordo_domain::schema::positive_qty)]
    pub qty: i64,
    pub from_pool: Pool,
    /// Must differ from `from_pool`.
    pub to_pool: Pool,
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub reason: Option<String>,
}

/// `POST /api/v1/inventory/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StatusRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub warehouse: String,
    #[schema(schema_with = ordo_domain::schema::sku)]
    pub sku: String,
    pub pool: Pool,
    #[schema(schema_with = ordo_domain::schema::positive_qty)]
    pub qty: i64,
    pub from_status: UnitStatus,
    /// Must differ from `from_status`.
    pub to_status: UnitStatus,
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub reason: Option<String>,
}

/// `POST /api/v1/inventory/adjust`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AdjustRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub warehouse: String,
    #[schema(schema_with = ordo_domain::schema::sku)]
    pub sku: String,
    pub pool: Pool,
    /// Units found (positive) or lost (negative) by the count.
    #[schema(schema_with = ordo_domain::schema::qty_delta)]
    pub qty_delta: i64,
    #[schema(schema_with = ordo_domain::schema::text_500)]
    pub reason: String,
}

fn stock_command(
    c: &mut Checker,
    warehouse: &str,
    sku: &str,
    change: StockChange,
    reason: Option<String>,
    inward_po: Option<String>,
) -> StockCommand {
    StockCommand {
        warehouse: c.take("warehouse", parse_code(warehouse)).unwrap_or_default(),
        sku: c.take("sku", parse_sku(sku)).unwrap_or_default(),
        change,
        reason: optional_text(c, "reason", reason, 500),
        inward_po,
    }
}

impl GrnRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<StockCommand, DomainError> {
        let mut c = Checker::new();
        let qty = c.take("qty", parse_positive_qty(self.qty)).unwrap_or(1);
        let po = match self.inward_po.filter(|p| !p.trim().is_empty()) {
            Some(p) => c.take("inward_po", parse_reference(&p)),
            None => None,
        };
        let change = StockChange::Grn { pool: self.pool.unwrap_or(Pool::QcPass), qty };
        let cmd = stock_command(&mut c, &self.warehouse, &self.sku, change, self.reason, po);
        c.finish()?;
        Ok(cmd)
    }
}

impl MoveRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<StockCommand, DomainError> {
        let mut c = Checker::new();
        let qty = c.take("qty", parse_positive_qty(self.qty)).unwrap_or(1);
        if self.from_pool == self.to_pool {
            c.push("to_pool", "must differ from from_pool");
        }
        let change = StockChange::Move { from: self.from_pool, to: self.to_pool, qty };
        let cmd = stock_command(&mut c, &self.warehouse, &self.sku, change, self.reason, None);
        c.finish()?;
        Ok(cmd)
    }
}

impl StatusRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<StockCommand, DomainError> {
        let mut c = Checker::new();
        let qty = c.take("qty", parse_positive_qty(self.qty)).unwrap_or(1);
        if self.from_status == self.to_status {
            c.push("to_status", "must differ from from_status");
        }
        let change = StockChange::SetStatus { pool: self.pool, from: self.from_status, to: self.to_status, qty };
        let cmd = stock_command(&mut c, &self.warehouse, &self.sku, change, self.reason, None);
        c.finish()?;
        Ok(cmd)
    }
}

impl AdjustRequest {
    /// Checks every field; a reason is required, as for any cycle-count correction.
    pub fn validate(self) -> Result<StockCommand, DomainError> {
        let mut c = Checker::new();
        if self.qty_delta == 0 {
            c.push("qty_delta", "must not be 0");
        } else if self.qty_delta.abs() > 1_000_000_000 {
            c.push("qty_delta", "must be between -1000000000 and 1000000000");
        }
        if self.reason.trim().is_empty() {
            c.push("reason", "must say why the stock is adjusted");
        }
        let change = StockChange::Adjust { pool: self.pool, delta: self.qty_delta };
        let cmd = stock_command(&mut c, &self.warehouse, &self.sku, change, Some(self.reason), None);
        c.finish()?;
        Ok(cmd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let req = GrnRequest { warehouse: "".into(), sku: "A".into(), qty: 0, pool: None, inward_po: None, reason: None };
        let DomainError::Validation(errors) = req.validate().unwrap_err() else { panic!("not a validation error") };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["qty", "warehouse"]);
    }
}
