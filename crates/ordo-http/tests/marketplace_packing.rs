//! Packing and handover of marketplace orders (SPEC.md §11.3–11.4, §13, scenarios 9, 16, 17, 18, 20
//! and 21): the one-order re-read at packing, the marketplace's own label, AWB and invoice, the
//! handover told to the marketplace through the outbox, and Ajio's purchase orders with and without
//! the seller's ERP — against the simulators over HTTP, on SQLite and PostgreSQL.

mod common;

use common::marketplace::{SELLER_GSTIN, advance, hand_over, marketplace_orders, outbox, pack, packed, pick, setup, simulator};
use common::{TestApp, api_tests, barcodes};
use ordo_domain::kinds::ChannelType;
use ordo_sim::RunningSimulator;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

api_tests!(
    scenario_9_and_17_an_order_cancelled_on_the_marketplace_after_picking_is_not_packed,
    scenario_16_a_flipkart_order_gets_flipkarts_label_awb_and_invoice_once_they_are_ready,
    scenario_18_flipkart_is_told_ready_to_dispatch_at_handover,
    scenario_18_ajio_packs_with_its_own_documents_and_gets_a_manifest_at_handover,
    paytm_packs_with_its_awb_and_gets_a_manifest_at_handover,
    a_handover_the_marketplace_fails_is_retried_until_it_answers_and_sent_once,
    amazon_shopify_and_edi_orders_get_ordos_label_and_awb_and_are_confirmed_at_handover,
    amazon_easy_ship_gives_amazons_label_and_awb,
    an_ajio_short_pick_after_the_erp_invoice_cancels_the_whole_order,
    an_ajio_short_pick_without_an_erp_cancels_only_the_units,
    scenario_20_ajio_with_an_erp_posts_the_order_waits_for_its_invoice_and_a_shortage_cancels_it_whole,
    scenario_20_with_an_erp_what_it_did_not_invoice_is_cancelled_newest_first_and_its_e_invoice_goes_to_ajio,
    scenario_21_ajio_without_an_erp_a_short_pick_cancels_in_part_and_ordos_own_e_invoice_is_uploaded,
);

async fn scenario_9_and_17_an_order_cancelled_on_the_marketplace_after_picking_is_not_packed(t: TestApp) {
    let sim = simulator(&t, ChannelType::FlipkartV3).await;
    setup(&t, "fk", "FLIPKART_V3", &sim, json!({})).await;
    let ids = marketplace_orders(&t, "fk", &sim, &["SHIP-9", "SHIP-10"], 3).await;
    pick(&t, &ids).await;
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 6);
    // The customer cancels on Flipkart after the order was picked; no sync has run since.
    sim.handle.cancel_order("SHIP-9").unwrap();
    let (status, problem) = pack(&t, &ids[0]).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["type"].as_str().unwrap().ends_with("order-cancelled-on-channel"), "{problem}");
    let (_, o) = t.get(&format!("/api/v1/orders/{}", ids[0])).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["allocated"].as_i64()), (Some("CANCELLED"), Some(0)));
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!((stock["on_hand"].as_i64(), stock["allocated"].as_i64()), (Some(20), Some(3)), "its picked units are free again");
    assert!(sim.handle.calls_to("POST", "/v3/shipments/labels").is_empty(), "Flipkart was asked for no label");
    // The other order packs.
    assert_eq!(pack(&t, &ids[1]).await.0, 201);
}

async fn scenario_16_a_flipkart_order_gets_flipkarts_label_awb_and_invoice_once_they_are_ready(t: TestApp) {
    let sim = simulator(&t, ChannelType::FlipkartV3).await;
    // One poll per pack, no wait between polls: the test sees Pending at once.
    setup(&t, "fk", "FLIPKART_V3", &sim, json!({"label_poll_attempts": 1, "label_poll_interval_ms": 0})).await;
    let ids = marketplace_orders(&t, "fk", &sim, &["SHIP-16"], 2).await;
    pick(&t, &ids).await;
    // Flipkart makes the label asynchronously: the first pack finds it still in the making.
    sim.handle.set_label_pending_polls(1).unwrap();
    let r =
        t.req(reqwest::Method::POST, &format!("/api/v1/orders/{}/pack", ids[0]), &t.admin).json(&json!({})).send().await.unwrap();
    assert!(r.headers().contains_key("retry-after"), "{:?}", r.headers());
    let (status, problem) = common::read(r).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["type"].as_str().unwrap().ends_with("label-pending"), "{problem}");
    assert_eq!(t.get(&format!("/api/v1/orders/{}", ids[0])).await.1["status"], "PICKED", "nothing made yet");
    let explain = t.get(&format!("/api/v1/orders/{}/explain", ids[0])).await.1;
    assert!(explain["summary"].as_str().unwrap().contains("label"), "{explain}");

    let shipment = packed(&t, &ids[0]).await;
    let awb = shipment["awb"].as_str().unwrap().to_string();
    assert!(!awb.starts_with("DL"), "Flipkart's AWB, not the warehouse's series: {awb}");
    let sources: Vec<(&str, &str)> = shipment["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap(), d["source"].as_str().unwrap()))
        .collect();
    assert_eq!(sources, [("invoice", "flipkart"), ("label", "flipkart")]);
    assert!(shipment["invoice_number"].is_string(), "Flipkart's invoice number: {shipment}");
    // The label is Flipkart's, byte for byte, and scans back to its AWB.
    let (status, ty, label) = t.get_bytes(&format!("/api/v1/shipments/{}/label.pdf", shipment["id"].as_str().unwrap())).await;
    assert_eq!((status, ty.as_str()), (200, "application/pdf"));
    let served = sim.handle.calls_to("GET", "/labels");
    assert!(!served.is_empty(), "the label was fetched from Flipkart");
    assert!(barcodes(&label).contains(&awb), "the label scans to the AWB {awb}");
    let requested = sim.handle.calls_to("POST", "/v3/shipments/labels");
    assert_eq!(requested.len(), 2, "asked once per pack call, the same request again");
    let body = requested[0].json.clone().unwrap();
    assert!(body["shipments"][0]["shipmentId"] == "SHIP-16", "{body}");
    // Packing again answers the same shipment without asking Flipkart again.
    let (status, again) = pack(&t, &ids[0]).await;
    assert_eq!((status, &again["shipment"]), (200, &shipment));
    assert_eq!(sim.handle.calls_to("POST", "/v3/shipments/labels").len(), 2);
    // Found by the marketplace's AWB.
    let (_, found) = t.get(&format!("/api/v1/orders?q={awb}")).await;
    assert_eq!(found["items"][0]["id"], ids[0].as_str());
}

async fn scenario_18_flipkart_is_told_ready_to_dispatch_at_handover(t: TestApp) {
    let sim = simulator(&t, ChannelType::FlipkartV3).await;
    setup(&t, "fk", "FLIPKART_V3", &sim, json!({})).await;
    let ids = marketplace_orders(&t, "fk", &sim, &["SHIP-a", "SHIP-b", "SHIP-c"], 1).await;
    pick(&t, &ids).await;
    for id in &ids {
        packed(&t, id).await;
    }
    let manifest = hand_over(&t, "fk").await;
    assert_eq!(manifest["shipments"].as_array().unwrap().len(), 3);
    for id in &ids {
        assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "DISPATCHED");
    }
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"], 17);
    // Told through the outbox, not inside the request.
    assert!(sim.handle.calls_to("POST", "/v3/shipments/dispatch").is_empty());
    assert_eq!(outbox(&t, "channel.hand_over").await.len(), 1);
    advance(&t, 1).await;
    let calls = sim.handle.calls_to("POST", "/v3/shipments/dispatch");
    assert_eq!(calls.len(), 1, "one ready-to-dispatch call for the manifest");
    let body = calls[0].json.clone().unwrap();
    let mut told: Vec<String> = body["shipmentIds"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    told.sort();
    assert_eq!(told, ["SHIP-a", "SHIP-b", "SHIP-c"], "{body}");
    assert!(body["locationId"].is_string(), "{body}");
    let message = &outbox(&t, "channel.hand_over").await[0];
    assert_eq!(message["status"], "DELIVERED", "{message}");
    // Synced again, the dispatched orders stay DISPATCHED.
    assert_eq!(t.post("/api/v1/channels/fk/sync", json!({})).await.0, 200);
    assert_eq!(t.get(&format!("/api/v1/orders/{}", ids[0])).await.1["status"], "DISPATCHED");
}

async fn scenario_18_ajio_packs_with_its_own_documents_and_gets_a_manifest_at_handover(t: TestApp) {
    let sim = simulator(&t, ChannelType::AjioVms).await;
    setup(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": false})).await;
    let ids = marketplace_orders(&t, "ajio", &sim, &["FN2001", "FN2002", "FN2003"], 1).await;
    // Past the customer's four hours to cancel: acknowledged, and released for picking.
    advance(&t, 4 * 3600 + 60).await;
    pick(&t, &ids).await;
    let mut awbs = Vec::new();
    for id in &ids {
        let s = packed(&t, id).await;
        let sources: Vec<&str> = s["documents"].as_array().unwrap().iter().map(|d| d["source"].as_str().unwrap()).collect();
        assert_eq!(sources, ["ajio", "ajio"], "Ajio's B2C invoice and label: {s}");
        let (status, ty, bytes) = t.get_bytes(&format!("/api/v1/shipments/{}/invoice.pdf", s["id"].as_str().unwrap())).await;
        assert_eq!((status, ty.as_str()), (200, "application/pdf"));
        assert!(bytes.starts_with(b"%PDF-"));
        awbs.push(s["awb"].as_str().unwrap().to_string());
    }
    assert_eq!(sim.handle.calls_to("POST", "/pack").len(), 3);
    hand_over(&t, "ajio").await;
    advance(&t, 1).await;
    let manifests = sim.handle.ajio_manifests();
    assert_eq!(manifests.len(), 1, "{manifests:?}");
    let mut on: Vec<String> =
        manifests[0]["order_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    on.sort();
    assert_eq!(on, ["FN2001", "FN2002", "FN2003"]);
    for id in &ids {
        assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "DISPATCHED");
    }
}

async fn paytm_packs_with_its_awb_and_gets_a_manifest_at_handover(t: TestApp) {
    let sim = simulator(&t, ChannelType::Paytm).await;
    setup(&t, "paytm", "PAYTM", &sim, json!({})).await;
    let ids = marketplace_orders(&t, "paytm", &sim, &["PT-1", "PT-2"], 1).await;
    pick(&t, &ids).await;
    let mut invoices = Vec::new();
    for id in &ids {
        let s = packed(&t, id).await;
        let sources: Vec<&str> = s["documents"].as_array().unwrap().iter().map(|d| d["source"].as_str().unwrap()).collect();
        assert_eq!(sources, ["ordo", "paytm"], "Ordo's invoice, Paytm's label: {s}");
        invoices.push(s["invoice_number"].as_str().unwrap().to_string());
    }
    hand_over(&t, "paytm").await;
    advance(&t, 1).await;
    // Paytm is told the seller's invoice of each AWB with the manifest: the numbers on Ordo's invoices.
    let told = sim.handle.calls_to("POST", "/v1/manifests");
    assert_eq!(told.len(), 1);
    let body = told[0].json.clone().unwrap();
    let mut numbers: Vec<String> =
        body["invoices"].as_array().unwrap().iter().map(|i| i["number"].as_str().unwrap().to_string()).collect();
    numbers.sort();
    invoices.sort();
    assert_eq!(numbers, invoices, "{body}");
    assert_eq!(sim.handle.manifests().len(), 1);
}

async fn a_handover_the_marketplace_fails_is_retried_until_it_answers_and_sent_once(t: TestApp) {
    let sim = simulator(&t, ChannelType::FlipkartV3).await;
    setup(&t, "fk", "FLIPKART_V3", &sim, json!({})).await;
    let ids = marketplace_orders(&t, "fk", &sim, &["SHIP-r1", "SHIP-r2"], 1).await;
    pick(&t, &ids).await;
    for id in &ids {
        packed(&t, id).await;
    }
    // Flipkart is down for longer than one delivery's own retries.
    sim.handle.inject_server_errors_on("/v3/shipments/dispatch", 20);
    hand_over(&t, "fk").await;
    advance(&t, 1).await;
    let message = outbox(&t, "channel.hand_over").await.remove(0);
    assert_eq!(message["status"], "PENDING", "{message}");
    assert!(message["attempts"].as_i64().unwrap() >= 1 && message["last_error"].is_string(), "{message}");
    let failed = sim.handle.calls_to("POST", "/v3/shipments/dispatch");
    assert!(!failed.is_empty() && failed.iter().all(|c| c.status >= 500));
    // Flipkart is back: the next attempt delivers, once.
    sim.handle.clear_faults();
    advance(&t, 3600).await;
    let message = outbox(&t, "channel.hand_over").await.remove(0);
    assert_eq!(message["status"], "DELIVERED", "{message}");
    let ok: Vec<_> = sim.handle.calls_to("POST", "/v3/shipments/dispatch").into_iter().filter(|c| c.status < 300).collect();
    assert_eq!(ok.len(), 1, "delivered once");
    advance(&t, 3600).await;
    assert_eq!(
        sim.handle.calls_to("POST", "/v3/shipments/dispatch").iter().filter(|c| c.status < 300).count(),
        1,
        "and never again"
    );
}

/// The units of one marketplace order of `code` packed and handed over; the shipment.
async fn pack_and_hand_over(t: &TestApp, code: &str, sim: &RunningSimulator, id: &str, qty: i64) -> Value {
    let ids = marketplace_orders(t, code, sim, &[id], qty).await;
    pick(t, &ids).await;
    let shipment = packed(t, &ids[0]).await;
    hand_over(t, code).await;
    advance(t, 1).await;
    let message = outbox(t, "channel.hand_over").await.into_iter().find(|m| m["channel"] == code).unwrap();
    assert_eq!(message["status"], "DELIVERED", "{code}: {message}");
    shipment
}

async fn amazon_shopify_and_edi_orders_get_ordos_label_and_awb_and_are_confirmed_at_handover(t: TestApp) {
    let amazon = simulator(&t, ChannelType::AmazonSp).await;
    setup(&t, "amz", "AMAZON_SP", &amazon, json!({})).await;
    for (code, ty, kind) in [("shop", "SHOPIFY", ChannelType::Shopify), ("edi", "AMAZON_EDI", ChannelType::AmazonEdi)] {
        let sim = simulator(&t, kind).await;
        let mut s = sim.handle.settings(&sim.base_url);
        s["sync_interval_seconds"] = json!(3600);
        let body = json!({"code": code, "type": ty, "warehouse": "wh1", "credentials": sim.handle.credentials(), "settings": s});
        assert_eq!(t.post("/api/v1/channels", body).await.0, 201);
        assert_eq!(t.post("/api/v1/sku-mappings", json!({"channel": code, "channel_sku": "MP-A", "sku": "A"})).await.0, 201);
        let id = if kind == ChannelType::Shopify { "4500000000001" } else { "PO8001" };
        let shipment = pack_and_hand_over(&t, code, &sim, id, 2).await;
        let awb = shipment["awb"].as_str().unwrap().to_string();
        assert!(awb.starts_with("DL"), "{code}: the warehouse's AWB series: {shipment}");
        if kind == ChannelType::Shopify {
            let calls = sim.handle.calls_to("POST", "/fulfillments.json");
            assert_eq!(calls.len(), 1);
            let f = &calls[0].json.clone().unwrap()["fulfillment"];
            assert_eq!(f["tracking_info"]["number"], awb.as_str(), "{f}");
            assert_eq!(f["tracking_info"]["company"], "Delhivery", "{f}");
            assert!(f["line_items_by_fulfillment_order"][0]["fulfillment_order_id"].is_number(), "{f}");
        } else {
            let notices = sim.handle.edi_received_856();
            assert_eq!(notices.len(), 1, "one 856 ship notice");
            assert!(notices[0].to_string().contains("PO8001") && notices[0].to_string().contains(&awb), "{}", notices[0]);
        }
    }
    // Amazon self-ship: Ordo's label, and the shipment confirmation names the AWB and carrier.
    let shipment = pack_and_hand_over(&t, "amz", &amazon, "402-0000001-1234567", 1).await;
    let sid = shipment["id"].as_str().unwrap();
    let (status, ty, label) = t.get_bytes(&format!("/api/v1/shipments/{sid}/label.pdf")).await;
    assert_eq!((status, ty.as_str()), (200, "application/pdf"));
    assert!(barcodes(&label).contains(&shipment["awb"].as_str().unwrap().to_string()));
    let calls = amazon.handle.calls_to("POST", "/shipmentConfirmation");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].path, "/orders/v0/orders/402-0000001-1234567/shipmentConfirmation");
    let body = calls[0].json.clone().unwrap();
    assert_eq!(body["packageDetail"]["trackingNumber"], shipment["awb"], "{body}");
    assert_eq!(body["packageDetail"]["orderItems"][0]["quantity"], 1, "{body}");
    assert!(body["marketplaceId"].is_string(), "{body}");
}

async fn amazon_easy_ship_gives_amazons_label_and_awb(t: TestApp) {
    let sim = simulator(&t, ChannelType::AmazonSp).await;
    setup(&t, "amz", "AMAZON_SP", &sim, json!({"easy_ship": true})).await;
    let ids = marketplace_orders(&t, "amz", &sim, &["402-0000002-1234567"], 1).await;
    pick(&t, &ids).await;
    let shipment = packed(&t, &ids[0]).await;
    let awb = shipment["awb"].as_str().unwrap().to_string();
    assert!(!awb.starts_with("DL"), "Amazon's AWB: {shipment}");
    let sources: Vec<(&str, &str)> = shipment["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap(), d["source"].as_str().unwrap()))
        .collect();
    assert_eq!(sources, [("invoice", "ordo"), ("label", "amazon")]);
    assert!(!sim.handle.calls_to("POST", "/easyShip/2022-03-23/packages/bulk").is_empty());
    let (_, _, label) = t.get_bytes(&format!("/api/v1/shipments/{}/label.pdf", shipment["id"].as_str().unwrap())).await;
    assert!(barcodes(&label).contains(&awb), "Amazon's label scans to its AWB");
}

/// Ajio B2C orders acknowledged, then the B2B purchase order covering them synced in; (the B2C
/// orders' ids, the B2B order's id).
async fn ajio_covered_orders(t: &TestApp, sim: &RunningSimulator, ids: &[&str]) -> (Vec<String>, String) {
    let b2c = marketplace_orders(t, "ajio", sim, ids, 2).await;
    advance(t, 4 * 3600 + 60).await;
    let po = sim.handle.ajio_generate_b2b().unwrap();
    assert_eq!(t.post("/api/v1/channels/ajio/sync", json!({})).await.0, 200);
    let (_, found) = t.get(&format!("/api/v1/orders?q={}", po["po_number"].as_str().unwrap())).await;
    let b2b = found["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(found["items"][0]["kind"], "B2B");
    (b2c, b2b)
}

/// The open line of `order` on its picklist; short-picks `qty` of it as NOT_FOUND.
async fn short_one(t: &TestApp, order: &str, qty: i64) -> Value {
    let (_, lists) = t.get("/api/v1/picklists?warehouse=wh1").await;
    let (picklist, line) = lists["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|p| {
            p["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["order_id"] == order)
                .map(|l| (p["id"].clone(), l["line_id"].clone()))
        })
        .unwrap();
    let path = format!("/api/v1/picklists/{}/lines/{}/short", picklist.as_str().unwrap(), line.as_str().unwrap());
    let (status, body) = t.post(&path, json!({"qty": qty, "reason": "NOT_FOUND"})).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// NIC's IRN of the seller's invoice `number` of financial year `fy`: SHA-256 of GSTIN, year, `INV`
/// and the number.
fn irn(fy: &str, number: &str) -> String {
    hex::encode(Sha256::digest(format!("{SELLER_GSTIN}{fy}INV{number}").as_bytes()))
}

/// The financial year (April–March) of a `YYYY-MM-DD` date, as the IRN names it (`2026-27`).
fn financial_year(date: &str) -> String {
    let (y, m): (i32, u32) = (date[..4].parse().unwrap(), date[5..7].parse().unwrap());
    let start = if m >= 4 { y } else { y - 1 };
    format!("{start}-{:02}", (start + 1) % 100)
}

/// The ERP's invoice of an Ajio purchase order: `qty` units of A, registered by the ERP (its IRN,
/// signed QR and the portal's acknowledgement).
fn erp_invoice(number: &str, qty: i64) -> Value {
    json!({"invoice_number": number, "invoice_date": "2026-12-01", "irn": irn("2026-27", number),
        "signed_qr_code": "eyJhbGciOiJSUzI1NiJ9.eyJkYXRhIjoie30ifQ.c2lnbmVk", "ack_no": "112010036563310",
        "ack_date": "2026-12-01 10:12:00", "total": "1984.50", "lines": [{"sku": "A", "qty": qty}]})
}

/// Scans every unit still to pick on the warehouse's picklists, by the EAN.
async fn pick_released(t: &TestApp) {
    let (_, lists) = t.get("/api/v1/picklists?warehouse=wh1").await;
    for p in lists["items"].as_array().unwrap().iter().filter(|p| p["status"] != "DONE") {
        let open: i64 = p["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["qty"].as_i64().unwrap() - l["picked"].as_i64().unwrap() - l["short"].as_i64().unwrap())
            .sum();
        if open > 0 {
            let path = format!("/api/v1/picklists/{}/scans", p["id"].as_str().unwrap());
            let (status, body) = t.post(&path, json!({"scan": "8901234567890", "qty": open})).await;
            assert_eq!(status, 200, "{body}");
        }
    }
}

/// The codes of the order's explanation (but the marketplace's status, which every Ajio order has),
/// and its summary.
async fn reason_codes(t: &TestApp, id: &str) -> (Vec<String>, String) {
    let (status, e) = t.get(&format!("/api/v1/orders/{id}/explain")).await;
    assert_eq!(status, 200, "{e}");
    let codes = e["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .filter(|c| c != "MARKETPLACE_STATUS")
        .collect();
    (codes, e["summary"].as_str().unwrap().to_string())
}

async fn an_ajio_short_pick_after_the_erp_invoice_cancels_the_whole_order(t: TestApp) {
    let sim = simulator(&t, ChannelType::AjioVms).await;
    setup(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": true, "acknowledge_after_seconds": 14400})).await;
    let (b2c, b2b) = ajio_covered_orders(&t, &sim, &["FN3001", "FN3002"]).await;
    let (_, lists) = t.get("/api/v1/picklists").await;
    assert_eq!(lists["items"], json!([]), "with an ERP, nothing is released before its invoice");
    // The ERP's invoice: checked against the order, then the covered orders are released.
    let (status, problem) = t.post(&format!("/api/v1/orders/{b2b}/invoice"), erp_invoice("ERP/2627/0042", 5)).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("lines[0].qty")), "{problem}");
    let mut no_irn = erp_invoice("ERP/2627/0042", 4);
    no_irn.as_object_mut().unwrap().remove("irn");
    let (status, problem) = t.post(&format!("/api/v1/orders/{b2b}/invoice"), no_irn).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("irn")), "Ajio takes its e-invoice: {problem}");
    let invoice = erp_invoice("ERP/2627/0042", 4);
    let (status, body) = t.post(&format!("/api/v1/orders/{b2b}/invoice"), invoice.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.post(&format!("/api/v1/orders/{b2b}/invoice"), invoice).await.0, 409, "a second invoice is refused");
    let (_, lists) = t.get("/api/v1/picklists").await;
    assert_eq!(lists["items"].as_array().unwrap().len(), 1, "the covered orders are released: {lists}");
    for id in &b2c {
        assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "PROCESSING");
    }
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 4);
    // A count finds the free units gone, so a unit short at the shelf can't be served again.
    let (status, body) = t
        .post(
            "/api/v1/inventory/adjust",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty_delta": -16, "reason": "count"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    short_one(&t, &b2c[0], 1).await;
    // The e-invoice can't be cancelled in part: the purchase order and every order it covers are cancelled.
    for id in b2c.iter().chain([&b2b]) {
        let (_, o) = t.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!(o["status"], "CANCELLED", "{o}");
    }
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!((stock["on_hand"].as_i64(), stock["allocated"].as_i64()), (Some(3), Some(0)), "the lost unit gone, the rest free");
}

async fn an_ajio_short_pick_without_an_erp_cancels_only_the_units(t: TestApp) {
    let sim = simulator(&t, ChannelType::AjioVms).await;
    setup(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": false, "acknowledge_after_seconds": 14400})).await;
    let (b2c, b2b) = ajio_covered_orders(&t, &sim, &["FN4001", "FN4002"]).await;
    let (_, lists) = t.get("/api/v1/picklists").await;
    assert_eq!(lists["items"].as_array().unwrap().len(), 1, "released once the purchase order is in: {lists}");
    let (status, body) = t
        .post(
            "/api/v1/inventory/adjust",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty_delta": -16, "reason": "count"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    short_one(&t, &b2c[0], 1).await;
    let (_, o) = t.get(&format!("/api/v1/orders/{}", b2c[0])).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["cancelled"].as_i64()), (Some("PROCESSING"), Some(1)), "{o}");
    assert_eq!(t.get(&format!("/api/v1/orders/{}", b2c[1])).await.1["status"], "PROCESSING");
    assert_ne!(t.get(&format!("/api/v1/orders/{b2b}")).await.1["status"], "CANCELLED");
}

async fn scenario_20_ajio_with_an_erp_posts_the_order_waits_for_its_invoice_and_a_shortage_cancels_it_whole(t: TestApp) {
    use ordo_sim::erp::{ErpSettingsPatch, ErpSimConfig};
    let sim = simulator(&t, ChannelType::AjioVms).await;
    setup(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": true, "acknowledge_after_seconds": 14400})).await;
    // The seller's ERP, which invoices posted orders through Ordo's API with an integration key.
    let key = t.key("acme", ordo_domain::kinds::Role::Integration).await;
    let config = ErpSimConfig {
        ordo_url: Some(t.base.clone()),
        ordo_key: Some(key),
        seller_gstin: Some(SELLER_GSTIN.into()),
        ..Default::default()
    };
    let erp = ordo_sim::erp::spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let r = t.req(reqwest::Method::PUT, "/api/v1/erp", &t.admin).json(&json!({"endpoint": erp.base_url})).send().await.unwrap();
    let (_, connection) = common::read(r).await;
    let secret = connection["signing_secret"].as_str().unwrap().to_string();
    // The test tells the ERP when to invoice, so nothing waits on the simulator's own timing.
    let patch = ErpSettingsPatch { secret: Some(secret), auto_invoice: Some(false), ..Default::default() };
    erp.simulator.update_settings(patch).unwrap();

    let (b2c, b2b) = ajio_covered_orders(&t, &sim, &["FN5001", "FN5002"]).await;
    let (_, lists) = t.get("/api/v1/picklists").await;
    assert_eq!(lists["items"], json!([]), "nothing released before the ERP's invoice");
    // Not by hand either: named, the order is refused with what it waits for; unnamed, it is not taken.
    let (status, problem) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [b2c[0]]})).await;
    assert_eq!(status, 409, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("order {}", b2c[0])) && detail.contains("ERP's invoice"), "{problem}");
    let (status, problem) = t.post("/api/v1/picklists", json!({"warehouse": "wh1"})).await;
    assert_eq!(status, 409, "nothing else is ready: {problem}");
    assert_eq!(t.get("/api/v1/picklists").await.1["items"], json!([]));
    let po_number = t.get(&format!("/api/v1/orders/{b2b}")).await.1["channel_order_id"].as_str().unwrap().to_string();
    let (codes, summary) = reason_codes(&t, &b2c[0]).await;
    assert_eq!(codes, ["AWAITING_ERP_INVOICE"], "{summary}");
    assert!(summary.contains(&po_number) && summary.contains("ERP's invoice"), "{summary}");
    let (codes, summary) = reason_codes(&t, &b2b).await;
    assert_eq!(codes, ["PURCHASE_ORDER", "AWAITING_ERP_INVOICE"], "{summary}");
    // The purchase order ships as the orders it covers: allocating it too would promise their units twice.
    let (status, problem) = t.post(&format!("/api/v1/orders/{b2b}/retry"), json!({})).await;
    assert_eq!(status, 409, "{problem}");
    // The purchase order goes to the ERP; its invoice comes back and releases the covered orders.
    advance(&t, 1).await;
    let got = erp.simulator.postings();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].posting_type.as_str(), got[0].data["order_id"].as_str()), ("OUTWARD_ORDER_CREATE", Some(b2b.as_str())));
    assert_eq!(got[0].data["items"][0]["ordered_qty"], 4, "{:?}", got[0].data);
    let call = erp.simulator.act(&got[0].id).await.unwrap();
    assert_eq!(call.status, Some(200), "{call:?}");
    let (_, lists) = t.get("/api/v1/picklists").await;
    assert_eq!(lists["items"].as_array().unwrap().len(), 1, "the ERP's invoice released the covered orders: {lists}");
    for id in &b2c {
        assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "PROCESSING");
    }
    // A unit can't be found, and no other stock serves it: the whole order is cancelled, and posted.
    let (status, body) = t
        .post(
            "/api/v1/inventory/adjust",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty_delta": -16, "reason": "count"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    short_one(&t, &b2c[0], 1).await;
    for id in b2c.iter().chain([&b2b]) {
        assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "CANCELLED");
    }
    advance(&t, 1).await;
    let got = erp.simulator.postings();
    let cancel = got.iter().find(|p| p.posting_type.as_str() == "OUTWARD_ORDER_CANCEL").expect("the cancellation is posted");
    assert_eq!(cancel.data["order_id"], b2b.as_str());
    assert!(cancel.data["items"].as_array().unwrap().iter().all(|i| i["cancelled_qty"] == i["ordered_qty"]), "{:?}", cancel.data);
}

async fn scenario_20_with_an_erp_what_it_did_not_invoice_is_cancelled_newest_first_and_its_e_invoice_goes_to_ajio(t: TestApp) {
    let sim = simulator(&t, ChannelType::AjioVms).await;
    setup(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": true, "acknowledge_after_seconds": 14400})).await;
    // Three orders of 2 units, a minute apart: FN6003 is the newest.
    let mut b2c = Vec::new();
    for id in ["FN6001", "FN6002", "FN6003"] {
        b2c.extend(marketplace_orders(&t, "ajio", &sim, &[id], 2).await);
        advance(&t, 60).await;
    }
    advance(&t, 4 * 3600).await;
    let po = sim.handle.ajio_generate_b2b().unwrap();
    let po_number = po["po_number"].as_str().unwrap().to_string();
    assert_eq!(t.post("/api/v1/channels/ajio/sync", json!({})).await.0, 200);
    let b2b = t.get(&format!("/api/v1/orders?q={po_number}")).await.1["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(t.stock("A", "QC_PASS").await["allocated"], 6);

    // The ERP invoices 3 of the 6 units: the other 3 are cancelled, the newest order's first.
    let key = t.key("acme", ordo_domain::kinds::Role::Integration).await;
    let invoice = erp_invoice("ERP/2627/000042", 3);
    let r = t.req(reqwest::Method::POST, &format!("/api/v1/orders/{b2b}/invoice"), &key).json(&invoice).send().await.unwrap();
    let (status, order) = common::read(r).await;
    assert_eq!(status, 200, "{order}");
    assert_eq!((order["lines"][0]["qty"].as_i64(), order["lines"][0]["cancelled"].as_i64()), (Some(6), Some(3)), "{order}");
    let line = |o: &Value| {
        (o["status"].as_str().unwrap().to_string(), o["lines"][0]["allocated"].as_i64(), o["lines"][0]["cancelled"].as_i64())
    };
    let orders: Vec<Value> = orders_by_id(&t, &b2c).await;
    assert_eq!(line(&orders[2]), ("CANCELLED".into(), Some(0), Some(2)), "the newest order loses both its units");
    assert_eq!(line(&orders[1]), ("PROCESSING".into(), Some(1), Some(1)), "the next newest one unit");
    assert_eq!(line(&orders[0]), ("PROCESSING".into(), Some(2), Some(0)), "the oldest keeps its units");
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!(
        (stock["on_hand"].as_i64(), stock["allocated"].as_i64()),
        (Some(20), Some(3)),
        "the stock of cancelled units is free"
    );
    let (_, lists) = t.get("/api/v1/picklists").await;
    let released: i64 = lists["items"][0]["lines"].as_array().unwrap().iter().map(|l| l["qty"].as_i64().unwrap()).sum();
    assert_eq!(released, 3, "only what was invoiced is picked: {lists}");

    // Ajio is told of the units cancelled, through the outbox.
    assert!(sim.handle.ajio_cancellations().is_empty());
    advance(&t, 1).await;
    let told = sim.handle.ajio_cancellations();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["po_number"], po_number.as_str());
    assert_eq!(
        told[0]["lines"],
        json!([{"order_id": "FN6003", "line_id": "1", "quantity": 2}, {"order_id": "FN6002", "line_id": "1", "quantity": 1}])
    );
    assert_eq!(sim.handle.order("FN6003").unwrap()["status"], "CANCELLED");

    // Picked and packed: the e-invoice waits for the last order the purchase order covers.
    pick_released(&t).await;
    let first = packed(&t, &b2c[0]).await;
    assert_eq!(first["lines"][0]["qty"], 2);
    advance(&t, 1).await;
    assert!(sim.handle.calls_to("POST", "/e-invoice").is_empty(), "FN6002 is not packed yet");
    let (codes, summary) = reason_codes(&t, &b2b).await;
    assert_eq!(codes, ["PURCHASE_ORDER", "B2B_INVOICE"], "{summary}");
    let second = packed(&t, &b2c[1]).await;
    assert_eq!(second["lines"][0]["qty"], 1, "the invoiced unit only");
    advance(&t, 1).await;
    // What Ajio received is the ERP's e-invoice, not one Ordo made.
    let uploads = sim.handle.calls_to("POST", "/e-invoice");
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!((uploads[0].path.as_str(), uploads[0].status), (format!("/orders/b2b/{po_number}/e-invoice").as_str(), 201));
    let body = uploads[0].json.clone().unwrap();
    assert_eq!(body["irn"], invoice["irn"], "the ERP's IRN: {body}");
    for field in ["invoice_number", "invoice_date", "signed_qr_code", "ack_no", "ack_date", "total"] {
        assert_eq!(body[field], invoice[field], "{field}: {body}");
    }
    assert_eq!(sim.handle.ajio_e_invoices().len(), 1);
    let (_, summary) = reason_codes(&t, &b2b).await;
    assert!(summary.contains("ERP/2627/000042 (the ERP's) was uploaded"), "{summary}");
    // Packing again changes nothing and sends nothing more.
    assert_eq!(pack(&t, &b2c[1]).await.0, 200);
    advance(&t, 1).await;
    assert_eq!(sim.handle.calls_to("POST", "/e-invoice").len(), 1);

    hand_over(&t, "ajio").await;
    advance(&t, 1).await;
    let manifests = sim.handle.ajio_manifests();
    let mut on: Vec<&str> = manifests[0]["order_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    on.sort();
    assert_eq!(on, ["FN6001", "FN6002"]);
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"], 17, "the 3 invoiced units left");
}

async fn orders_by_id(t: &TestApp, ids: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for id in ids {
        out.push(t.get(&format!("/api/v1/orders/{id}")).await.1);
    }
    out
}

async fn scenario_21_ajio_without_an_erp_a_short_pick_cancels_in_part_and_ordos_own_e_invoice_is_uploaded(t: TestApp) {
    let sim = simulator(&t, ChannelType::AjioVms).await;
    setup(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": false, "acknowledge_after_seconds": 14400})).await;
    let irp = ordo_sim::irp::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let portal = json!({"endpoint": irp.base_url, "credentials": {"client_id": "c", "client_secret": "s", "user_name": "u", "password": "p"}});
    let r = t.req(reqwest::Method::PUT, "/api/v1/warehouses/wh1/e-invoicing", &t.admin).json(&portal).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (b2c, b2b) = ajio_covered_orders(&t, &sim, &["FN8001", "FN8002"]).await;
    // Released once the purchase order is in; a unit can't be found and none is left to serve it.
    let (status, body) = t
        .post(
            "/api/v1/inventory/adjust",
            json!({"warehouse": "wh1", "sku": "A", "pool": "QC_PASS", "qty_delta": -16, "reason": "count"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    short_one(&t, &b2c[0], 1).await;
    let (_, o) = t.get(&format!("/api/v1/orders/{}", b2c[0])).await;
    assert_eq!(
        (o["status"].as_str(), o["lines"][0]["cancelled"].as_i64()),
        (Some("PROCESSING"), Some(1)),
        "cancelled in part: {o}"
    );
    pick_released(&t).await;
    assert_eq!(packed(&t, &b2c[0]).await["lines"][0]["qty"], 1);
    advance(&t, 1).await;
    assert!(sim.handle.calls_to("POST", "/e-invoice").is_empty(), "the purchase order is invoiced when all it covers is packed");
    packed(&t, &b2c[1]).await;
    advance(&t, 1).await;

    // Ordo's own B2B invoice of the 3 units packed, registered with the portal, is what Ajio received.
    let uploads = sim.handle.calls_to("POST", "/e-invoice");
    assert_eq!(uploads.len(), 1, "{uploads:?}");
    assert_eq!(uploads[0].status, 201);
    let body = uploads[0].json.clone().unwrap();
    let number = body["invoice_number"].as_str().unwrap();
    assert!(number.starts_with("WH1/") && number.ends_with("/000001"), "Ordo's first invoice of the warehouse: {body}");
    let fy = financial_year(body["invoice_date"].as_str().unwrap());
    assert_eq!(body["irn"], irn(&fy, number).as_str(), "the IRN of Ordo's invoice: {body}");
    // 3 units at the transfer price (60 % of 1,050.00) with 5 % GST within Maharashtra.
    assert_eq!(body["total"], "1984.50", "{body}");
    assert!(body["ack_no"].is_string() && body["signed_qr_code"].as_str().unwrap().split('.').count() == 3, "{body}");
    let (_, summary) = reason_codes(&t, &b2b).await;
    assert!(summary.contains(&format!("{number} (Ordo's) was uploaded")), "{summary}");
}
