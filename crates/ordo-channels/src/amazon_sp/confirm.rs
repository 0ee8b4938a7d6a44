//! Shipment confirmation on the SP-API (`confirmShipment` of `ordersV0.json`): at handover each
//! self-shipped package is confirmed with its carrier, AWB (tracking number), ship date and items.
//! Easy Ship packages are picked up by Amazon, which knows they left: nothing is confirmed for them.
//!
//! Amazon refuses a confirmation it has already taken; a refusal is therefore checked against the
//! order as Amazon has it now, and an order already shipped (or whose items of this package are
//! shipped) counts as done, so a retried handover has no second effect.

use super::client::AmazonSpConnector;
use crate::fulfilment::{Handover, HandoverShipment};
use crate::http::{self, HttpResponse};
use crate::lenient;
use crate::model::ChannelError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The body of `POST /orders/v0/orders/{orderId}/shipmentConfirmation` (`ConfirmShipmentRequest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmShipmentRequest {
    /// The package.
    pub package_detail: PackageDetail,
    /// JP only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cod_collection_method: Option<String>,
    /// The marketplace the order was placed in.
    pub marketplace_id: String,
}

/// `PackageDetail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageDetail {
    /// A positive number identifying the package within the order.
    pub package_reference_id: String,
    /// Amazon's carrier code; `Other` with `carrierName` for carriers outside Amazon's list.
    pub carrier_code: String,
    /// The carrier's name (required with `Other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier_name: Option<String>,
    /// The carrier's service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
    /// The AWB.
    pub tracking_number: String,
    /// When it shipped (ISO 8601 date-time).
    pub ship_date: String,
    /// The supply source it shipped from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_from_supply_source_id: Option<String>,
    /// The items and units in the package.
    pub order_items: Vec<ConfirmShipmentOrderItem>,
}

/// `ConfirmShipmentOrderItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmShipmentOrderItem {
    /// The order item.
    pub order_item_id: String,
    /// Units in the package.
    pub quantity: i64,
    /// Transparency codes, for items that carry them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transparency_codes: Option<Vec<String>>,
}

/// A package reference id for a shipment: a positive number (as Amazon requires) derived from the
/// AWB, so that a retried confirmation names the same package.
pub fn package_reference_id(awb: &str) -> String {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(awb.as_bytes());
    (u64::from_be_bytes(h[..8].try_into().expect("8 bytes")) % 9_000_000_000 + 1_000_000_000).to_string()
}

/// The confirmation of one shipment. The carrier is sent as `Other` with its name: Ordo's carriers
/// are whatever the warehouse's AWB series names, not Amazon's list of codes.
pub fn confirm_shipment_request(s: &HandoverShipment, default_marketplace_id: &str) -> ConfirmShipmentRequest {
    let marketplace_id = s
        .order
        .raw
        .pointer("/order/MarketplaceId")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .unwrap_or(default_marketplace_id)
        .to_string();
    ConfirmShipmentRequest {
        package_detail: PackageDetail {
            package_reference_id: package_reference_id(&s.awb),
            carrier_code: "Other".into(),
            carrier_name: Some(s.carrier.clone()),
            shipping_method: None,
            tracking_number: s.awb.clone(),
            ship_date: s.shipped_at.to_string(),
            ship_from_supply_source_id: None,
            order_items: s
                .lines
                .iter()
                .map(|l| ConfirmShipmentOrderItem {
                    order_item_id: l.channel_line_id.clone(),
                    quantity: l.qty,
                    transparency_codes: None,
                })
                .collect(),
        },
        cod_collection_method: None,
        marketplace_id,
    }
}

impl AmazonSpConnector {
    /// Confirms every self-shipped package of the handover; Easy Ship packages need nothing.
    pub async fn hand_over(&self, handover: &Handover) -> Result<(), ChannelError> {
        if self.easy_ship {
            return Ok(());
        }
        let default_marketplace = self.marketplace_ids.first().cloned().unwrap_or_default();
        for s in &handover.shipments {
            let body = serde_json::to_value(confirm_shipment_request(s, &default_marketplace))
                .map_err(|e| ChannelError::Permanent(format!("confirmShipment body: {e}")))?;
            let path = format!("/orders/v0/orders/{}/shipmentConfirmation", http::segment(&s.order.channel_order_id));
            let resp = self.send(reqwest::Method::POST, &path, &[], Some(&body)).await?;
            if let Err(e) = resp.error_for_status() {
                match e {
                    ChannelError::Permanent(message) => self.refused(s, message).await?,
                    other => return Err(other),
                }
            }
        }
        Ok(())
    }

    /// A refused confirmation: done already if Amazon has the package's items shipped, otherwise
    /// Amazon's words stand.
    async fn refused(&self, s: &HandoverShipment, message: String) -> Result<(), ChannelError> {
        let id = &s.order.channel_order_id;
        let order: Value =
            self.get(&format!("/orders/v0/orders/{}", http::segment(id)), &[]).await?.error_for_status()?.json("getOrder")?;
        let status = order.pointer("/payload/OrderStatus").and_then(Value::as_str).unwrap_or("");
        if status == "Shipped" {
            return Ok(());
        }
        if status == "PartiallyShipped" && self.items_shipped(s).await? {
            return Ok(());
        }
        Err(ChannelError::Permanent(format!("Amazon refused the shipment confirmation of order {id} ({status}): {message}")))
    }

    /// Whether every item of the shipment has at least its units shipped on Amazon.
    async fn items_shipped(&self, s: &HandoverShipment) -> Result<bool, ChannelError> {
        let path = format!("/orders/v0/orders/{}/orderItems", http::segment(&s.order.channel_order_id));
        let resp: HttpResponse = self.get(&path, &[]).await?.error_for_status()?;
        let body: Value = resp.json("getOrderItems")?;
        let items = body.pointer("/payload/OrderItems").and_then(Value::as_array).cloned().unwrap_or_default();
        let id_of = |i: &Value| match i.get("OrderItemId") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        Ok(s.lines.iter().all(|l| {
            items.iter().any(|i| {
                id_of(i).as_deref() == Some(l.channel_line_id.as_str())
                    && i.get("QuantityShipped").and_then(lenient::i64_from_json).unwrap_or(0) >= l.qty
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fulfilment::PackLine;
    use crate::model::{MarketplaceLine, MarketplaceOrder};
    use crate::test_support::fixture;
    use ordo_domain::Timestamp;
    use serde_json::json;

    #[test]
    fn the_confirmation_has_the_fields_of_amazons_own_sandbox_request() {
        let doc = fixture("amazon-sp-api/ordersV0.json");
        let published = doc["paths"]["/orders/v0/orders/{orderId}/shipmentConfirmation"]["post"]["responses"]["204"]
            ["x-amzn-api-sandbox"]["static"][0]["request"]["parameters"]["body"]["value"]
            .clone();
        // The published example reads as our type and writes back unchanged.
        let typed: ConfirmShipmentRequest = serde_json::from_value(published.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), published);

        let mut order = MarketplaceOrder::open("902-1106328-1059050", vec![MarketplaceLine::new("79039765272157", "SKU-1", 2)]);
        order.raw = json!({"order": {"AmazonOrderId": "902-1106328-1059050", "MarketplaceId": "A21TJRUUN4KGV"}, "items": []});
        let s = HandoverShipment {
            order,
            awb: "BD1234567890".into(),
            carrier: "Blue Dart".into(),
            invoice_number: None,
            invoice_date: None,
            lines: vec![PackLine { channel_line_id: "79039765272157".into(), channel_sku: "SKU-1".into(), qty: 2 }],
            weight_grams: Some(800),
            shipped_at: Timestamp::parse("2026-03-02T09:30:00Z").unwrap(),
        };
        let ours = serde_json::to_value(confirm_shipment_request(&s, "ATVPDKIKX0DER")).unwrap();
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        // Every field we send is one the published request has, spelt the same.
        for k in keys(&ours) {
            assert!(published.get(&k).is_some(), "{k}");
        }
        for k in keys(&ours["packageDetail"]) {
            assert!(published["packageDetail"].get(&k).is_some(), "packageDetail.{k}");
        }
        assert_eq!(ours["marketplaceId"], "A21TJRUUN4KGV");
        assert_eq!(ours["packageDetail"]["trackingNumber"], "BD1234567890");
        assert_eq!(ours["packageDetail"]["carrierCode"], "Other");
        assert_eq!(ours["packageDetail"]["carrierName"], "Blue Dart");
        assert_eq!(ours["packageDetail"]["shipDate"], "2026-03-02T09:30:00Z");
        assert_eq!(ours["packageDetail"]["orderItems"], json!([{"orderItemId": "79039765272157", "quantity": 2}]));
        let reference = ours["packageDetail"]["packageReferenceId"].as_str().unwrap().to_string();
        assert!(reference.parse::<u64>().unwrap() > 0);
        assert_eq!(reference, package_reference_id("BD1234567890"), "a retry names the same package");
    }
}
