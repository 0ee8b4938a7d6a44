//! The bodies of API requests, as callers send them, and their validation into the store's terms.
//! Validation collects every field error of a request, so the caller can fix them all at once.

use ordo_domain::codes::{parse_code, parse_name, parse_positive_qty, parse_reference, parse_sku};
use ordo_domain::error::Checker;
use ordo_domain::inventory::StockChange;
use ordo_domain::kinds::{ChannelType, Pool, UnitStatus};
use ordo_domain::money::{parse_hundredths, parse_tax_rate};
use ordo_domain::{DomainError, gstin};
use ordo_store::{InwardPoInput, SkuInput, StockCommand, WarehouseInput};
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

/// `POST /api/v1/warehouses`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct WarehouseRequest {
    pub code: String,
    pub name: String,
    /// GSTIN of the warehouse's registration; its check character is verified.
    pub gstin: Option<String>,
    pub address: Option<String>,
}

impl WarehouseRequest {
    /// Checks every field.
    pub fn validate(self, strict_gstin: bool) -> Result<WarehouseInput, DomainError> {
        let mut c = Checker::new();
        let code = c.take("code", parse_code(&self.code));
        let name = c.take("name", parse_name(&self.name));
        let gstin = match self.gstin.filter(|g| !g.trim().is_empty()) {
            Some(g) => c.take("gstin", gstin::validate(&g, strict_gstin)),
            None => None,
        };
        let address = optional_text(&mut c, "address", self.address, 500);
        c.finish()?;
        Ok(WarehouseInput { code: code.unwrap_or_default(), name: name.unwrap_or_default(), gstin, address })
    }
}

/// `POST /api/v1/skus`, and one line of `POST /api/v1/skus/upload`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SkuRequest {
    pub sku: String,
    pub name: String,
    pub ean: Option<String>,
    pub hsn: Option<String>,
    pub mrp: Option<Decimal>,
    /// GST rate in percent.
    pub tax_rate: Option<Decimal>,
    pub weight_grams: Option<i64>,
}

impl SkuRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<SkuInput, DomainError> {
        let mut c = Checker::new();
        let sku = c.take("sku", parse_sku(&self.sku));
        let name = c.take("name", parse_name(&self.name));
        let ean = optional_text(&mut c, "ean", self.ean, 14);
        if let Some(e) = &ean
            && !(e.len() >= 8 && e.bytes().all(|b| b.is_ascii_digit()))
        {
            c.push("ean", "must be 8 to 14 digits");
        }
        let hsn = optional_text(&mut c, "hsn", self.hsn, 8);
        if let Some(h) = &hsn
            && !(h.len() >= 4 && h.bytes().all(|b| b.is_ascii_digit()))
        {
            c.push("hsn", "must be 4 to 8 digits");
        }
        let mrp = self.mrp.and_then(|m| c.take("mrp", parse_hundredths(&m.0)));
        let tax_rate = self.tax_rate.and_then(|t| c.take("tax_rate", parse_tax_rate(&t.0)));
        if let Some(w) = self.weight_grams
            && w < 0
        {
            c.push("weight_grams", "must not be negative");
        }
        c.finish()?;
        Ok(SkuInput {
            sku: sku.unwrap_or_default(),
            name: name.unwrap_or_default(),
            ean,
            hsn,
            mrp,
            tax_rate,
            weight_grams: self.weight_grams,
        })
    }
}

/// `POST /api/v1/channels`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChannelRequest {
    pub code: String,
    #[serde(rename = "type")]
    pub channel_type: ChannelType,
    /// The warehouse the channel's orders are served from.
    pub warehouse: String,
    /// The marketplace credentials; stored encrypted, never returned.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub credentials: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub enabled: Option<bool>,
}

/// `PATCH /api/v1/channels/{code}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChannelPatchRequest {
    #[schema(value_type = Option<Object>)]
    pub credentials: Option<serde_json::Map<String, serde_json::Value>>,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<serde_json::Map<String, serde_json::Value>>,
    pub enabled: Option<bool>,
}

/// `POST /api/v1/sku-mappings`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SkuMappingRequest {
    pub channel: String,
    pub channel_sku: String,
    pub sku: String,
}

/// `POST /api/v1/inventory/grn`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct GrnRequest {
    pub warehouse: String,
    pub sku: String,
    pub qty: i64,
    /// `QC_PASS` when not given.
    pub pool: Option<Pool>,
    /// The number of the inward PO (or DN) received against.
    pub inward_po: Option<String>,
    pub reason: Option<String>,
}

/// `POST /api/v1/inventory/move`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MoveRequest {
    pub warehouse: String,
    pub sku: String,
    pub qty: i64,
    pub from_pool: Pool,
    pub to_pool: Pool,
    pub reason: Option<String>,
}

/// `POST /api/v1/inventory/status`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StatusRequest {
    pub warehouse: String,
    pub sku: String,
    pub pool: Pool,
    pub qty: i64,
    pub from_status: UnitStatus,
    pub to_status: UnitStatus,
    pub reason: Option<String>,
}

/// `POST /api/v1/inventory/adjust`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AdjustRequest {
    pub warehouse: String,
    pub sku: String,
    pub pool: Pool,
    /// Units found (positive) or lost (negative) by the count.
    pub qty_delta: i64,
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

/// One line of an inward PO.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InwardPoLineRequest {
    pub sku: String,
    pub qty: i64,
}

/// `POST /api/v1/inward-pos`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct InwardPoRequest {
    pub warehouse: String,
    pub po_number: String,
    pub lines: Vec<InwardPoLineRequest>,
}

impl InwardPoRequest {
    /// Checks every field; each SKU may appear on one line only.
    pub fn validate(self) -> Result<InwardPoInput, DomainError> {
        let mut c = Checker::new();
        let warehouse = c.take("warehouse", parse_code(&self.warehouse)).unwrap_or_default();
        let po_number = c.take("po_number", parse_reference(&self.po_number)).unwrap_or_default();
        if self.lines.is_empty() {
            c.push("lines", "must have at least one line");
        }
        let mut lines: Vec<(String, i64)> = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.into_iter().enumerate() {
            let sku = c.take(&format!("lines[{i}].sku"), parse_sku(&l.sku));
            let qty = c.take(&format!("lines[{i}].qty"), parse_positive_qty(l.qty));
            if let (Some(sku), Some(qty)) = (sku, qty) {
                if lines.iter().any(|(s, _)| *s == sku) {
                    c.push(format!("lines[{i}].sku"), format!("SKU '{sku}' is on an earlier line already"));
                }
                lines.push((sku, qty));
            }
        }
        c.finish()?;
        Ok(InwardPoInput { warehouse, po_number, lines })
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

    #[test]
    fn decimals_come_as_strings_or_numbers() {
        let r: SkuRequest = serde_json::from_str(r#"{"sku":"A","name":"a","mrp":499.5,"tax_rate":"18"}"#).unwrap();
        let s = r.validate().unwrap();
        assert_eq!((s.mrp, s.tax_rate), (Some(49950), Some(1800)));
    }
}

/// One line of `POST /api/v1/orders`: names either the client SKU or the marketplace's SKU.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderLineRequest {
    /// The client SKU.
    pub sku: Option<String>,
    /// The marketplace's SKU, mapped to a client SKU through the SKU mappings.
    pub channel_sku: Option<String>,
    pub qty: i64,
    pub unit_price: Option<Decimal>,
    /// The marketplace's id of the line (Flipkart order item id, Amazon OrderItemId…).
    pub channel_line_id: Option<String>,
    /// Units of the line cancelled on the marketplace. Sent again for a known order, it cancels
    /// those units in Ordo too (before packing) and frees their stock.
    pub cancelled_qty: Option<i64>,
}

/// `POST /api/v1/orders`, and each order of a batch.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderRequest {
    pub channel: String,
    pub kind: ordo_domain::kinds::OrderKind,
    pub channel_order_id: String,
    pub parent_order_id: Option<String>,
    /// Default: the channel's warehouse.
    pub warehouse: Option<String>,
    /// Default PARTIAL.
    pub fulfillment_type: Option<ordo_domain::kinds::FulfillmentType>,
    /// Default QC_PASS.
    pub pool: Option<Pool>,
    pub dispatch_after: Option<ordo_domain::Timestamp>,
    pub start_processing_at: Option<ordo_domain::Timestamp>,
    /// The forward order (its channel order id on the same channel) this order replaces.
    pub replacement_of: Option<String>,
    /// Among orders of the same age, higher is served first.
    pub priority: Option<i64>,
    /// The marketplace's own status word, shown and explained.
    pub marketplace_status: Option<String>,
    /// The marketplace holds the order.
    pub on_hold: Option<bool>,
    pub lines: Vec<OrderLineRequest>,
}

impl OrderRequest {
    /// Checks every field; `payload` is the order as received, kept for the failed-order list.
    pub fn validate(self, payload: serde_json::Value) -> Result<ordo_store::NewOrder, DomainError> {
        use ordo_store::{LineItem, NewLine};
        let mut c = Checker::new();
        let channel = c.take("channel", parse_code(&self.channel)).unwrap_or_default();
        let channel_order_id = c.take("channel_order_id", parse_reference(&self.channel_order_id)).unwrap_or_default();
        let parent_order_id = match self.parent_order_id.filter(|p| !p.trim().is_empty()) {
            Some(p) => c.take("parent_order_id", parse_reference(&p)),
            None => None,
        };
        let warehouse = match self.warehouse.filter(|w| !w.trim().is_empty()) {
            Some(w) => c.take("warehouse", parse_code(&w)),
            None => None,
        };
        let replacement_of = match self.replacement_of.filter(|r| !r.trim().is_empty()) {
            Some(r) => c.take("replacement_of", parse_reference(&r)),
            None => None,
        };
        let priority = self.priority.unwrap_or(0);
        if !(-1_000_000..=1_000_000).contains(&priority) {
            c.push("priority", "must be between -1000000 and 1000000");
        }
        if self.lines.is_empty() {
            c.push("lines", "an order needs at least one line");
        }
        if self.lines.len() > 1000 {
            c.push("lines", "an order may have at most 1000 lines");
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.into_iter().enumerate() {
            let item = match (l.sku.filter(|s| !s.trim().is_empty()), l.channel_sku.filter(|s| !s.trim().is_empty())) {
                (Some(s), None) => c.take(&format!("lines[{i}].sku"), parse_sku(&s)).map(LineItem::Sku),
                (None, Some(s)) => c.take(&format!("lines[{i}].channel_sku"), parse_sku(&s)).map(LineItem::ChannelSku),
                (Some(_), Some(_)) => {
                    c.push(format!("lines[{i}].sku"), "give either sku or channel_sku, not both");
                    None
                }
                (None, None) => {
                    c.push(format!("lines[{i}].sku"), "each line needs a sku or a channel_sku");
                    None
                }
            };
            let qty = c.take(&format!("lines[{i}].qty"), parse_positive_qty(l.qty));
            let unit_price = l.unit_price.and_then(|p| c.take(&format!("lines[{i}].unit_price"), parse_hundredths(&p.0)));
            let channel_line_id = match l.channel_line_id.filter(|s| !s.trim().is_empty()) {
                Some(s) => c.take(&format!("lines[{i}].channel_line_id"), parse_reference(&s)),
                None => None,
            };
            let cancelled_qty = l.cancelled_qty.unwrap_or(0);
            if cancelled_qty < 0 || qty.is_some_and(|q| cancelled_qty > q) {
                c.push(format!("lines[{i}].cancelled_qty"), "must be between 0 and qty");
            }
            if let (Some(item), Some(qty)) = (item, qty) {
                lines.push(NewLine { item, qty, unit_price, channel_line_id, cancelled_qty });
            }
        }
        let marketplace_status =
            self.marketplace_status.map(|s| s.trim().chars().take(100).collect::<String>()).filter(|s| !s.is_empty());
        c.finish()?;
        Ok(ordo_store::NewOrder {
            channel,
            kind: self.kind,
            channel_order_id,
            parent_order_id,
            warehouse,
            fulfillment_type: self.fulfillment_type.unwrap_or(ordo_domain::kinds::FulfillmentType::Partial),
            pool: self.pool.unwrap_or(Pool::QcPass),
            dispatch_after: self.dispatch_after,
            start_processing_at: self.start_processing_at,
            replacement_of,
            priority,
            marketplace_status,
            marketplace_hold: self.on_hold.unwrap_or(false),
            lines,
            payload,
            acknowledge_after_seconds: None,
            covers: Vec::new(),
        })
    }
}

/// `POST /api/v1/orders/batch`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderBatchRequest {
    /// Up to 1000 orders, each as for `POST /api/v1/orders`.
    #[schema(value_type = Vec<OrderRequest>)]
    pub orders: Vec<serde_json::Value>,
}

/// `POST /api/v1/orders/{id}/cancel`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CancelRequest {
    pub reason: Option<String>,
}

/// `POST /api/v1/channels/{code}/events`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChannelEventRequest {
    #[serde(rename = "type")]
    pub event_type: ordo_domain::kinds::ChannelEventType,
    /// The order the event is about; for RETURN_PICKUP_DONE, the forward order whose return was picked up.
    pub channel_order_id: String,
    pub reason: Option<String>,
}

/// `POST /api/v1/picklists`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PicklistRequest {
    pub warehouse: String,
    /// These orders (Ordo ids); without them, the warehouse's oldest releasable orders.
    pub orders: Option<Vec<String>>,
    /// At most this many orders (default 100).
    pub limit: Option<i64>,
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

/// `POST /api/v1/failed-orders/retry`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FailedRetryRequest {
    /// Only these failed orders; all of them when absent.
    pub ids: Option<Vec<String>>,
}
