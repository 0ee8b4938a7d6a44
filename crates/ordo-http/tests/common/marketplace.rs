//! Marketplace flows through the API against a simulator over HTTP: a warehouse with stock and a
//! channel on the simulator, orders synced in, picked, packed and handed over.

use super::TestApp;
use ordo_channels::{MarketplaceLine, MarketplaceOrder};
use ordo_domain::kinds::ChannelType;
use ordo_sim::{RunningSimulator, SimConfig, spawn_simulator};
use serde_json::{Value, json};
use std::sync::Arc;

/// The GSTIN of the seller's warehouse `wh1`.
pub const SELLER_GSTIN: &str = "27AAPFU0939F1ZV";

/// A simulator of `ty` on a free port, on the test's manual clock.
pub async fn simulator(t: &TestApp, ty: ChannelType) -> RunningSimulator {
    let clock = t.clock.clone();
    let config = SimConfig { page_size: 50, clock: Arc::new(move || ordo_app::clock::Clock::now(clock.as_ref())) };
    spawn_simulator(ty, config, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// Warehouse `wh1` with what documents need, SKU `A` (EAN 8901234567890) with 20 units, and channel
/// `code` of type `ty` on `sim`, its `MP-A` mapped to `A`.
pub async fn setup(t: &TestApp, code: &str, ty: &str, sim: &RunningSimulator, settings: Value) {
    let warehouse = json!({"code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited",
        "gstin": SELLER_GSTIN, "address": "Plot 4, MIDC, Mumbai", "pin": "400093",
        "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 1}});
    assert_eq!(t.post("/api/v1/warehouses", warehouse).await.0, 201);
    let sku = json!({"sku": "A", "name": "Cotton Kurta", "ean": "8901234567890", "hsn": "6109", "tax_rate": "5.00"});
    assert_eq!(t.post("/api/v1/skus", sku).await.0, 201);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 20})).await.0, 200);
    add_channel(t, code, ty, sim, settings).await;
}

/// Channel `code` of type `ty` on `sim` in warehouse `wh1`, its `MP-A` mapped to `A`.
pub async fn add_channel(t: &TestApp, code: &str, ty: &str, sim: &RunningSimulator, settings: Value) {
    let mut s = sim.handle.settings(&sim.base_url);
    s["sync_interval_seconds"] = json!(3600);
    for (k, v) in settings.as_object().unwrap() {
        s[k] = v.clone();
    }
    let body = json!({"code": code, "type": ty, "warehouse": "wh1", "credentials": sim.handle.credentials(), "settings": s});
    let (status, answer) = t.post("/api/v1/channels", body).await;
    assert_eq!(status, 201, "{answer}");
    let mapping = json!({"channel": code, "channel_sku": "MP-A", "sku": "A"});
    assert_eq!(t.post("/api/v1/sku-mappings", mapping).await.0, 201);
}

/// Syncs channel `code` now; its report.
pub async fn sync(t: &TestApp, code: &str) -> Value {
    let (status, report) = t.post(&format!("/api/v1/channels/{code}/sync"), json!({})).await;
    assert_eq!(status, 200, "{report}");
    report
}

/// Puts orders on the marketplace (one line `1` of `qty` units of MP-A each), syncs them in, and
/// answers their Ordo ids in the same order.
pub async fn marketplace_orders(t: &TestApp, code: &str, sim: &RunningSimulator, ids: &[&str], qty: i64) -> Vec<String> {
    for id in ids {
        let line = MarketplaceLine { unit_price: Some("1050.00".into()), ..MarketplaceLine::new("1", "MP-A", qty) };
        sim.handle.add_model_order(&MarketplaceOrder::open(*id, vec![line])).unwrap();
    }
    sync(t, code).await;
    let (_, listed) = t.get(&format!("/api/v1/orders?channel={code}&limit=1000")).await;
    ids.iter()
        .map(|id| {
            let o = listed["items"].as_array().unwrap().iter().find(|o| o["channel_order_id"] == *id).unwrap();
            o["id"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Releases `orders` and picks every unit by scanning the EAN.
pub async fn pick(t: &TestApp, orders: &[String]) {
    let (status, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": orders})).await;
    assert_eq!(status, 201, "{picklist}");
    let units: i64 = picklist["lines"].as_array().unwrap().iter().map(|l| l["qty"].as_i64().unwrap()).sum();
    let path = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
    let (status, body) = t.post(&path, json!({"scan": "8901234567890", "qty": units})).await;
    assert_eq!(status, 200, "{body}");
}

/// Packs an order; status and answer.
pub async fn pack(t: &TestApp, id: &str) -> (u16, Value) {
    t.post(
        &format!("/api/v1/orders/{id}/pack"),
        json!({"weight_grams": 600, "dimensions_mm": {"length": 300, "width": 200, "height": 100}}),
    )
    .await
}

/// Packs an order that must pack; its shipment.
pub async fn packed(t: &TestApp, id: &str) -> Value {
    let (status, body) = pack(t, id).await;
    assert_eq!(status, 201, "{body}");
    body["shipment"].clone()
}

/// Makes a manifest of every packed shipment of `code` and hands it over; the manifest.
pub async fn hand_over(t: &TestApp, code: &str) -> Value {
    let (status, manifest) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": code})).await;
    assert_eq!(status, 201, "{manifest}");
    let (status, handed) = t.post(&format!("/api/v1/manifests/{}/handover", manifest["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(status, 200, "{handed}");
    handed
}

/// Moves the manual clock, which runs every piece of background work due (outbox deliveries too).
pub async fn advance(t: &TestApp, seconds: i64) {
    let (status, body) = t.post("/api/v1/clock/advance", json!({"seconds": seconds})).await;
    assert_eq!(status, 200, "{body}");
}

/// The outbox messages of `topic`.
pub async fn outbox(t: &TestApp, topic: &str) -> Vec<Value> {
    let (_, body) = t.get("/api/v1/outbox?limit=1000").await;
    body["items"].as_array().unwrap().iter().filter(|m| m["topic"] == topic).cloned().collect()
}
