//! `/api/v1/orders`: one order, a batch, and a cancellation.

use super::Decimal;
use ordo_domain::DomainError;
use ordo_domain::codes::{parse_code, parse_positive_qty, parse_reference, parse_sku};
use ordo_domain::error::Checker;
use ordo_domain::kinds::Pool;
use ordo_domain::money::parse_hundredths;
use serde::Deserialize;
use utoipa::ToSchema;

/// One line of `POST /api/v1/orders`: names either the client SKU or the marketplace's SKU.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderLineRequest {
    /// The client SKU.
    #[schema(schema_with = ordo_domain::schema::optional_sku)]
    pub sku: Option<String>,
    /// The marketplace's SKU, mapped to a client SKU through the SKU mappings.
    #[schema(schema_with = ordo_domain::schema::optional_sku)]
    pub channel_sku: Option<String>,
    #[schema(schema_with = ordo_domain::schema::positive_qty)]
    pub qty: i64,
    #[schema(schema_with = ordo_domain::schema::optional_decimal)]
    pub unit_price: Option<Decimal>,
    /// The marketplace's id of the line (Flipkart order item id, Amazon OrderItemId…).
    #[schema(schema_with = ordo_domain::schema::optional_reference)]
    pub channel_line_id: Option<String>,
    /// Units of the line cancelled on the marketplace. Sent again for a known order, it cancels
    /// those units in Ordo too (before packing) and frees their stock.
    #[schema(schema_with = cancelled_qty_schema)]
    pub cancelled_qty: Option<i64>,
}

/// `POST /api/v1/orders`, and each order of a batch.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub channel: String,
    pub kind: ordo_domain::kinds::OrderKind,
    #[schema(schema_with = ordo_domain::schema::reference)]
    pub channel_order_id: String,
    #[schema(schema_with = ordo_domain::schema::optional_reference)]
    pub parent_order_id: Option<String>,
    /// Default: the channel's warehouse.
    #[schema(schema_with = ordo_domain::schema::optional_code)]
    pub warehouse: Option<String>,
    /// Default PARTIAL.
    pub fulfillment_type: Option<ordo_domain::kinds::FulfillmentType>,
    /// Default QC_PASS.
    pub pool: Option<Pool>,
    pub dispatch_after: Option<ordo_domain::Timestamp>,
    pub start_processing_at: Option<ordo_domain::Timestamp>,
    /// The forward order (its channel order id on the same channel) this order replaces.
    #[schema(schema_with = ordo_domain::schema::optional_reference)]
    pub replacement_of: Option<String>,
    /// Among orders of the same age, higher is served first.
    #[schema(schema_with = priority_schema)]
    pub priority: Option<i64>,
    /// The marketplace's own status word, shown and explained.
    pub marketplace_status: Option<String>,
    /// The marketplace holds the order.
    pub on_hold: Option<bool>,
    #[schema(min_items = 1, max_items = 1000)]
    pub lines: Vec<OrderLineRequest>,
    /// Who the invoice is made out to (B2B: legal name and GSTIN).
    pub buyer: Option<BuyerRequest>,
    /// Where the parcel goes.
    pub ship_to: Option<ShipToRequest>,
    /// How the customer pays; PREPAID when absent.
    pub payment: Option<PaymentRequest>,
}

/// The buyer of an order (its invoice's "billed to").
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BuyerRequest {
    #[schema(schema_with = ordo_domain::schema::name)]
    pub legal_name: String,
    /// The buyer's GSTIN (B2B); its check character is verified.
    #[schema(schema_with = ordo_domain::schema::optional_gstin)]
    pub gstin: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub address: Option<String>,
}

/// Where an order's parcel goes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ShipToRequest {
    #[schema(schema_with = ordo_domain::schema::name)]
    pub name: String,
    #[schema(schema_with = ordo_domain::schema::text_500)]
    pub address: String,
    /// The GST state code, two digits (e.g. `29`).
    #[schema(pattern = "^[0-9]{2}$")]
    pub state_code: Option<String>,
    /// The PIN code, six digits.
    #[schema(pattern = "^[1-9][0-9]{5}$")]
    pub pin: Option<String>,
    /// Digits, spaces, `+` and `-`: 6 to 20 characters.
    #[schema(pattern = "^[0-9+ -]{6,20}$")]
    pub phone: Option<String>,
}

/// How an order is paid.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PaymentRequest {
    pub mode: ordo_domain::kinds::PaymentMode,
    /// For COD: the amount to collect.
    #[schema(schema_with = ordo_domain::schema::optional_decimal)]
    pub cod_amount: Option<Decimal>,
}

/// Checks buyer, ship-to and payment, naming fields as `buyer.gstin` and so on.
fn parties(
    c: &mut Checker,
    buyer: Option<BuyerRequest>,
    ship_to: Option<ShipToRequest>,
    payment: Option<PaymentRequest>,
) -> ordo_domain::shipping::OrderParties {
    use ordo_domain::shipping::{Buyer, OrderParties, Payment, ShipTo};
    let buyer = buyer.map(|b| Buyer {
        legal_name: c.take("buyer.legal_name", ordo_domain::codes::parse_name(&b.legal_name)).unwrap_or_default(),
        gstin: b
            .gstin
            .filter(|g| !g.trim().is_empty())
            .and_then(|g| c.take("buyer.gstin", ordo_domain::gstin::validate(&g, true))),
        address: super::optional_text(c, "buyer.address", b.address, 500),
    });
    let ship_to = ship_to.map(|t| {
        let name = c.take("ship_to.name", ordo_domain::codes::parse_name(&t.name)).unwrap_or_default();
        let address = t.address.trim().to_string();
        // (The schema's text_500: up to 500 characters once trimmed, not only white space.)
        if address.is_empty() || address.chars().count() > 500 {
            c.push("ship_to.address", "must be 1 to 500 characters");
        }
        let state_code = t.state_code;
        if let Some(s) = &state_code
            && !(s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
        {
            c.push("ship_to.state_code", "must be the two-digit GST state code");
        }
        let pin = super::warehouses::pin(c, "ship_to.pin", t.pin);
        let phone = t.phone;
        if let Some(p) = &phone
            && !((6..=20).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit() || b"+ -".contains(&b)))
        {
            c.push("ship_to.phone", "must be 6 to 20 digits, spaces, + or -");
        }
        ShipTo { name, address, state_code, pin, phone }
    });
    let payment = payment.map(|p| {
        let amount = p.cod_amount.and_then(|a| c.take("payment.cod_amount", parse_hundredths(&a.0)));
        match (p.mode, amount) {
            (ordo_domain::kinds::PaymentMode::Cod, None) => c.push("payment.cod_amount", "is required for COD"),
            (ordo_domain::kinds::PaymentMode::Prepaid, Some(_)) => c.push("payment.cod_amount", "is only for COD"),
            _ => {}
        }
        Payment { mode: p.mode, cod_amount: amount.map(ordo_domain::money::format_hundredths) }
    });
    OrderParties { buyer, ship_to, payment }
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
        let parties = parties(&mut c, self.buyer, self.ship_to, self.payment);
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
            parties,
            lines,
            payload,
            acknowledge_after_seconds: None,
            covers: Vec::new(),
        })
    }
}

fn cancelled_qty_schema() -> utoipa::openapi::Object {
    let mut o = ordo_domain::schema::integer(0, 1_000_000_000, true);
    o.description = Some("Units of the line cancelled on the marketplace, 0 to qty. Sent again for a known order, it cancels those units in Ordo too (before packing) and frees their stock.".into());
    o
}

fn priority_schema() -> utoipa::openapi::Object {
    let mut o = ordo_domain::schema::integer(-1_000_000, 1_000_000, true);
    o.description = Some("Among orders of the same age, higher is served first (default 0).".into());
    o
}

/// `POST /api/v1/orders/batch`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct OrderBatchRequest {
    /// Up to 1000 orders, each as for `POST /api/v1/orders`. Each is checked on its own: one that
    /// does not fit that schema gets a 422 result of its own and does not fail the batch.
    #[schema(value_type = Vec<OrderRequest>, max_items = 1000)]
    pub orders: Vec<serde_json::Value>,
}

/// `POST /api/v1/orders/{id}/cancel`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CancelRequest {
    pub reason: Option<String>,
}
