//! Fulfilling a Shopify order at handover, with the Admin REST API's fulfillment orders: Shopify
//! groups what is to ship into fulfillment orders, whose line items have ids of their own (not the
//! order's line ids), so the shipment's lines are first mapped onto the open fulfillment order line
//! items, then one fulfillment is created with the AWB as its tracking number.
//!
//! Repeating a handover changes nothing: a fulfillment already carrying the AWB means done, and an
//! order with nothing left to fulfil counts as fulfilled already.

use super::client::ShopifyConnector;
use crate::fulfilment::{Handover, HandoverShipment, PackLine};
use crate::http;
use crate::model::ChannelError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Fulfillment order statuses whose line items can still be fulfilled.
pub const FULFILLABLE_STATUSES: &[&str] = &["open", "in_progress"];

/// `GET /admin/api/{v}/orders/{id}/fulfillment_orders.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentOrdersResponse {
    /// The order's fulfillment orders.
    pub fulfillment_orders: Vec<FulfillmentOrder>,
}

/// A fulfillment order: what one location is to ship of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentOrder {
    /// Its id.
    pub id: i64,
    /// The order.
    #[serde(default)]
    pub order_id: Option<i64>,
    /// `open`, `in_progress`, `scheduled`, `on_hold`, `incomplete`, `closed`, `cancelled`.
    pub status: String,
    /// Its line items.
    #[serde(default)]
    pub line_items: Vec<FulfillmentOrderLineItem>,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A fulfillment order line item: its own id, and the order line it ships.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentOrderLineItem {
    /// Its id (not the order line's).
    pub id: i64,
    /// The fulfillment order.
    #[serde(default)]
    pub fulfillment_order_id: Option<i64>,
    /// The order line (`line_items[].id` of the order).
    pub line_item_id: i64,
    /// Units assigned.
    pub quantity: i64,
    /// Units still to fulfil.
    pub fulfillable_quantity: i64,
    /// Every other field, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The body of `POST /admin/api/{v}/fulfillments.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentRequest {
    /// The fulfillment to create.
    pub fulfillment: NewFulfillment,
}

/// A fulfillment to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFulfillment {
    /// The fulfillment order line items shipped, per fulfillment order.
    pub line_items_by_fulfillment_order: Vec<LineItemsByFulfillmentOrder>,
    /// The AWB and carrier.
    pub tracking_info: TrackingInfo,
    /// Whether Shopify emails the customer the tracking.
    pub notify_customer: bool,
}

/// The line items of one fulfillment order shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItemsByFulfillmentOrder {
    /// The fulfillment order.
    pub fulfillment_order_id: i64,
    /// Its line items (by their own ids) and units.
    pub fulfillment_order_line_items: Vec<FulfillmentOrderLineItemQuantity>,
}

/// A fulfillment order line item and the units shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentOrderLineItemQuantity {
    /// The fulfillment order line item's id.
    pub id: i64,
    /// Units shipped.
    pub quantity: i64,
}

/// `tracking_info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingInfo {
    /// The AWB.
    pub number: String,
    /// The carrier.
    pub company: String,
    /// Where the customer can follow the parcel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// What a handover asks of Shopify for one shipment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FulfillmentPlan {
    /// Fulfil these fulfillment order line items.
    Fulfil(Vec<LineItemsByFulfillmentOrder>),
    /// Nothing of the shipment is left to fulfil: Shopify has it fulfilled already.
    AlreadyFulfilled,
    /// The shipment's lines are only on cancelled fulfillment orders.
    Cancelled,
}

/// Maps a shipment's lines (order line ids) onto the fulfillable fulfillment order line items,
/// taking each line's units from the fulfillment orders in Shopify's order.
pub fn plan_fulfillment(orders: &[FulfillmentOrder], lines: &[PackLine]) -> FulfillmentPlan {
    let mut plan: Vec<LineItemsByFulfillmentOrder> = Vec::new();
    let mut seen_cancelled = false;
    let mut seen_other = false;
    for line in lines {
        let mut need = line.qty;
        for fo in orders {
            for item in fo.line_items.iter().filter(|i| i.line_item_id.to_string() == line.channel_line_id) {
                if fo.status == "cancelled" {
                    seen_cancelled = true;
                    continue;
                }
                seen_other = true;
                if need == 0 || !FULFILLABLE_STATUSES.contains(&fo.status.as_str()) || item.fulfillable_quantity <= 0 {
                    continue;
                }
                let take = need.min(item.fulfillable_quantity);
                need -= take;
                let entry = match plan.iter_mut().position(|p| p.fulfillment_order_id == fo.id) {
                    Some(i) => &mut plan[i],
                    None => {
                        plan.push(LineItemsByFulfillmentOrder {
                            fulfillment_order_id: fo.id,
                            fulfillment_order_line_items: Vec::new(),
                        });
                        plan.last_mut().expect("just pushed")
                    }
                };
                entry.fulfillment_order_line_items.push(FulfillmentOrderLineItemQuantity { id: item.id, quantity: take });
            }
        }
    }
    if !plan.is_empty() {
        FulfillmentPlan::Fulfil(plan)
    } else if seen_cancelled && !seen_other {
        FulfillmentPlan::Cancelled
    } else {
        FulfillmentPlan::AlreadyFulfilled
    }
}

impl ShopifyConnector {
    /// Fulfils every shipment of the handover with its AWB.
    pub async fn hand_over(&self, handover: &Handover) -> Result<(), ChannelError> {
        for s in &handover.shipments {
            self.fulfil(s).await?;
        }
        Ok(())
    }

    async fn fulfil(&self, s: &HandoverShipment) -> Result<(), ChannelError> {
        let id = http::segment(&s.order.channel_order_id);
        if self.has_fulfillment_with(&id, &s.awb).await? {
            return Ok(());
        }
        let fos: FulfillmentOrdersResponse = self
            .get(&self.api(&format!("orders/{id}/fulfillment_orders.json")), &[])
            .await?
            .error_for_status()?
            .json("Shopify fulfillment orders")?;
        let line_items_by_fulfillment_order = match plan_fulfillment(&fos.fulfillment_orders, &s.lines) {
            FulfillmentPlan::Fulfil(p) => p,
            FulfillmentPlan::AlreadyFulfilled => return Ok(()),
            FulfillmentPlan::Cancelled => {
                return Err(ChannelError::Permanent(format!(
                    "Shopify order {} is cancelled: its fulfillment orders can't be fulfilled",
                    s.order.channel_order_id
                )));
            }
        };
        let body = FulfillmentRequest {
            fulfillment: NewFulfillment {
                line_items_by_fulfillment_order,
                tracking_info: TrackingInfo {
                    number: s.awb.clone(),
                    company: s.carrier.clone(),
                    url: self.tracking_url.as_ref().map(|t| t.replace("{awb}", &s.awb)),
                },
                notify_customer: self.notify_customer,
            },
        };
        let req = self.authed(self.http.post(self.api("fulfillments.json")).json(&body));
        http::send(req).await?.error_for_status().map(|_| ())
    }

    /// Whether the order has a live fulfillment tracking `awb` (a handover already told).
    async fn has_fulfillment_with(&self, order_id: &str, awb: &str) -> Result<bool, ChannelError> {
        let body: Value = self
            .get(&self.api(&format!("orders/{order_id}/fulfillments.json")), &[])
            .await?
            .error_for_status()?
            .json("Shopify fulfillments")?;
        let fulfillments = body.get("fulfillments").and_then(Value::as_array).cloned().unwrap_or_default();
        Ok(fulfillments.iter().any(|f| {
            f.get("status").and_then(Value::as_str) != Some("cancelled")
                && (f.get("tracking_number").and_then(Value::as_str) == Some(awb)
                    || f.get("tracking_numbers")
                        .and_then(Value::as_array)
                        .is_some_and(|n| n.iter().any(|t| t.as_str() == Some(awb))))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fo(id: i64, status: &str, items: &[(i64, i64, i64, i64)]) -> FulfillmentOrder {
        serde_json::from_value(json!({
            "id": id, "order_id": 450789469, "status": status,
            "line_items": items.iter().map(|(item, line, qty, open)| json!({
                "id": item, "fulfillment_order_id": id, "line_item_id": line, "quantity": qty, "fulfillable_quantity": open,
            })).collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    fn line(id: &str, qty: i64) -> PackLine {
        PackLine { channel_line_id: id.into(), channel_sku: "SKU".into(), qty }
    }

    #[test]
    fn order_lines_map_to_the_fulfillment_orders_own_line_item_ids() {
        let orders = [fo(1046000778, "open", &[(1025578633, 466157049, 1, 1), (1025578634, 518995019, 2, 2)])];
        assert_eq!(
            plan_fulfillment(&orders, &[line("466157049", 1), line("518995019", 2)]),
            FulfillmentPlan::Fulfil(vec![LineItemsByFulfillmentOrder {
                fulfillment_order_id: 1046000778,
                fulfillment_order_line_items: vec![
                    FulfillmentOrderLineItemQuantity { id: 1025578633, quantity: 1 },
                    FulfillmentOrderLineItemQuantity { id: 1025578634, quantity: 2 },
                ],
            }])
        );
    }

    #[test]
    fn a_line_split_over_two_locations_takes_what_each_has_left() {
        let orders =
            [fo(10, "closed", &[(100, 7, 2, 0)]), fo(11, "in_progress", &[(110, 7, 3, 1)]), fo(12, "open", &[(120, 7, 2, 2)])];
        assert_eq!(
            plan_fulfillment(&orders, &[line("7", 3)]),
            FulfillmentPlan::Fulfil(vec![
                LineItemsByFulfillmentOrder {
                    fulfillment_order_id: 11,
                    fulfillment_order_line_items: vec![FulfillmentOrderLineItemQuantity { id: 110, quantity: 1 }],
                },
                LineItemsByFulfillmentOrder {
                    fulfillment_order_id: 12,
                    fulfillment_order_line_items: vec![FulfillmentOrderLineItemQuantity { id: 120, quantity: 2 }],
                },
            ])
        );
    }

    #[test]
    fn nothing_left_is_fulfilled_already_and_only_cancelled_is_cancelled() {
        assert_eq!(plan_fulfillment(&[fo(10, "closed", &[(100, 7, 2, 0)])], &[line("7", 2)]), FulfillmentPlan::AlreadyFulfilled);
        assert_eq!(plan_fulfillment(&[fo(10, "cancelled", &[(100, 7, 2, 2)])], &[line("7", 2)]), FulfillmentPlan::Cancelled);
        // A line no fulfillment order mentions has nothing left to fulfil either.
        assert_eq!(plan_fulfillment(&[fo(10, "open", &[(100, 7, 2, 2)])], &[line("8", 1)]), FulfillmentPlan::AlreadyFulfilled);
    }
}
