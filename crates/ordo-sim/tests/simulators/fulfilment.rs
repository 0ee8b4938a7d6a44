//! Packing and handover end to end: each marketplace's real connector (`Connector::pack`,
//! `hand_over`, Ajio's `upload_e_invoice` and `cancel_uninvoiced`) against its simulator, asserting on the requests the
//! simulator recorded (method, path, the published field names and values), the state they left the
//! simulated order in, repeats without a second effect, faults then a retry, and the documents.

use crate::common::*;
use ordo_channels::{
    ChannelError, Connector, DocumentKind, EInvoiceUpload, Handover, HandoverShipment, MarketplaceOrder, MarketplaceShipment,
    MarketplaceState, OrderKind, PackLine, PackRequest, PackResult, ShipmentInvoice, UninvoicedCancellation, UninvoicedLine,
};
use ordo_domain::kinds::ChannelType;
use ordo_sim::ReceivedCall;
use serde_json::{Value, json};
use std::process::Command;

/// The Code 128 symbols (sorted) zbarimg reads from `pdf` rendered at 300 dpi by pdftoppm.
fn barcodes(pdf: &[u8]) -> Vec<String> {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF: {:?}", String::from_utf8_lossy(&pdf[..pdf.len().min(40)]));
    let dir = std::env::temp_dir().join(format!("ordo-sim-doc-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftoppm").args(["-r", "300", "-png"]).arg(&file).arg(dir.join("page")).output();
    let out = out.expect("pdftoppm (Debian package poppler-utils) runs");
    assert!(out.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut found = Vec::new();
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pages.sort();
    assert!(!pages.is_empty(), "pdftoppm rendered no page");
    for page in pages {
        let out = Command::new("zbarimg").args(["--raw", "-q", "-Sdisable", "-Scode128.enable"]).arg(&page).output();
        let out = out.expect("zbarimg (Debian package zbar-tools) runs");
        assert!(matches!(out.status.code(), Some(0 | 4)), "zbarimg failed: {}", String::from_utf8_lossy(&out.stderr));
        found.extend(String::from_utf8(out.stdout).unwrap().lines().map(str::to_string));
    }
    let _ = std::fs::remove_dir_all(&dir);
    found.sort();
    found
}

fn sorted(texts: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    v.sort();
    v
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

fn line(id: &str, sku: &str, qty: i64) -> PackLine {
    PackLine { channel_line_id: id.into(), channel_sku: sku.into(), qty }
}

fn pack_request(order: &MarketplaceOrder, lines: Vec<PackLine>) -> PackRequest {
    PackRequest { order: order.clone(), lines, weight_grams: Some(1250), dimensions_mm: Some((300, 200, 105)), invoice: None }
}

fn handover(order: &MarketplaceOrder, awb: &str, lines: Vec<PackLine>) -> Handover {
    Handover {
        manifest_id: "MAN-1".into(),
        shipments: vec![HandoverShipment {
            order: order.clone(),
            awb: awb.into(),
            carrier: "Blue Dart".into(),
            invoice_number: Some("WH1/2526/9".into()),
            invoice_date: Some("2026-03-01".into()),
            lines,
            weight_grams: Some(1250),
            shipped_at: ordo_domain::Timestamp::parse("2026-03-01T09:30:00Z").unwrap(),
        }],
    }
}

async fn fetched(c: &Connector, id: &str) -> MarketplaceOrder {
    c.fetch_order(id).await.unwrap().unwrap_or_else(|| panic!("{id} is on the marketplace"))
}

fn ready(r: PackResult) -> MarketplaceShipment {
    match r {
        PackResult::Ready(s) => s,
        other => panic!("expected the marketplace's shipment, got {other:?}"),
    }
}

fn doc(s: &MarketplaceShipment, kind: DocumentKind) -> &[u8] {
    let d = s.documents.iter().find(|d| d.kind == kind).unwrap_or_else(|| panic!("no {kind:?}"));
    assert_eq!(d.media_type, "application/pdf");
    &d.content
}

fn body(c: &ReceivedCall) -> &Value {
    c.json.as_ref().unwrap_or_else(|| panic!("{} {} had no JSON body", c.method, c.path))
}

fn statuses(calls: &[ReceivedCall]) -> Vec<u16> {
    calls.iter().map(|c| c.status).collect()
}

// ---- Flipkart ----

async fn flipkart(channel_type: ChannelType) -> (Sim, Connector) {
    let sim = start(channel_type, 10).await;
    let c = sim.connector_with(json!({"default_gst_rate": 18, "label_poll_interval_ms": 0, "label_poll_attempts": 2})).unwrap();
    (sim, c)
}

#[tokio::test]
async fn flipkart_v3_labels_are_made_after_the_pending_polls_then_dispatch_moves_the_shipment_on() {
    let (sim, c) = flipkart(ChannelType::FlipkartV3).await;
    sim.handle.add_model_order(&order("S-1", &[("I-1", "SKU-A", 2, "499.00")])).unwrap();
    let o = fetched(&c, "S-1").await;

    // Pending for more polls than the connector makes: it answers Pending, having asked once.
    sim.handle.set_label_pending_polls(2).unwrap();
    let first = c.pack(&pack_request(&o, vec![line("I-1", "SKU-A", 2)])).await.unwrap();
    assert!(matches!(first, PackResult::Pending { .. }), "{first:?}");
    let asked = sim.handle.calls_to("POST", "/v3/shipments/labels");
    assert_eq!(asked.len(), 1);
    let b = body(&asked[0]);
    assert_eq!(b["shipments"][0]["shipmentId"], "S-1");
    assert_eq!(b["shipments"][0]["locationId"], "LOCordosimulatorwarehouse0001");
    assert_eq!(b["shipments"][0]["taxItems"], json!([{"orderItemId": "I-1", "taxRate": 18, "quantity": 2}]));
    assert_eq!(sim.handle.order("S-1").unwrap()["orderItems"][0]["status"], "PACKING_IN_PROGRESS");
    assert_eq!(sim.handle.calls_to("GET", "/v3/shipments/S-1").len(), 2, "two polls of the details");

    // Packing again: the repeated label request is refused (in progress) and the next poll finds it made.
    let s = ready(c.pack(&pack_request(&o, vec![line("I-1", "SKU-A", 2)])).await.unwrap());
    let awb = s.awb.clone().unwrap();
    assert!(awb.starts_with("FMPP"), "{awb}");
    assert_eq!(s.carrier.as_deref(), Some("Ekart Logistics"));
    assert!(s.invoice_number.as_deref().is_some_and(|n| n.starts_with("FAAB")));
    assert_eq!(s.invoice_date.as_deref(), Some("2026-03-01"));
    assert_eq!(barcodes(doc(&s, DocumentKind::Label)), sorted(&[&awb, "S-1"]));
    assert!(doc(&s, DocumentKind::Invoice).starts_with(b"%PDF-"));
    let labels = sim.handle.calls_to("POST", "/v3/shipments/labels");
    assert_eq!(labels.len(), 2);
    assert_eq!(sim.handle.order("S-1").unwrap()["orderItems"][0]["status"], "PACKED");
    assert_eq!(sim.handle.calls_to("GET", "/v3/shipments/S-1/labels").len(), 1);
    assert_eq!(sim.handle.calls_to("GET", "/v3/shipments/S-1/invoices").len(), 1);

    // Dispatch: the published body, and the shipment leaves the pre-dispatch list.
    c.hand_over(&handover(&o, &awb, vec![line("I-1", "SKU-A", 2)])).await.unwrap();
    let d = sim.handle.calls_to("POST", "/v3/shipments/dispatch");
    assert_eq!(body(&d[0]), &json!({"shipmentIds": ["S-1"], "locationId": "LOCordosimulatorwarehouse0001"}));
    assert_eq!(fetched(&c, "S-1").await.state, MarketplaceState::Closed);
    let synced = c.fetch_updated(&sim.window_since(sim.now().plus_seconds(-3600))).await.unwrap();
    assert!(synced.iter().all(|o| o.channel_order_id != "S-1" || o.state != MarketplaceState::Open));

    // A repeated handover succeeds and changes nothing.
    let before = sim.handle.order("S-1").unwrap();
    sim.advance(60);
    c.hand_over(&handover(&o, &awb, vec![line("I-1", "SKU-A", 2)])).await.unwrap();
    assert_eq!(sim.handle.order("S-1").unwrap(), before);
}

#[tokio::test]
async fn flipkart_refuses_unknown_shipments_and_a_failed_dispatch_succeeds_on_retry() {
    let (sim, c) = flipkart(ChannelType::FlipkartV3).await;
    sim.handle.add_model_order(&order("S-2", &[("I-2", "SKU-B", 1, "99.00")])).unwrap();
    let o = fetched(&c, "S-2").await;
    let s = ready(c.pack(&pack_request(&o, vec![line("I-2", "SKU-B", 1)])).await.unwrap());
    let awb = s.awb.unwrap();

    sim.handle.inject_server_errors_on("/v3/shipments/dispatch", 1);
    let e = c.hand_over(&handover(&o, &awb, vec![line("I-2", "SKU-B", 1)])).await.unwrap_err();
    assert!(matches!(e, ChannelError::Transient(_)), "{e:?}");
    assert_eq!(sim.handle.order("S-2").unwrap()["orderItems"][0]["status"], "PACKED");
    c.hand_over(&handover(&o, &awb, vec![line("I-2", "SKU-B", 1)])).await.unwrap();
    assert_eq!(statuses(&sim.handle.calls_to("POST", "/v3/shipments/dispatch")), vec![500, 200]);
    assert_eq!(sim.handle.order("S-2").unwrap()["orderItems"][0]["status"], "PICKUP_COMPLETE");

    // A shipment Flipkart doesn't have: its details answer 404, and packing it fails.
    let mut ghost = o.clone();
    ghost.channel_order_id = "S-404".into();
    assert!(c.pack(&pack_request(&ghost, vec![line("I-2", "SKU-B", 1)])).await.is_err());
    assert_eq!(statuses(&sim.handle.calls_to("GET", "/v3/shipments/S-404")), vec![404]);
}

#[tokio::test]
async fn flipkart_v2_packs_and_dispatches_by_order_item() {
    let (sim, c) = flipkart(ChannelType::FlipkartV2).await;
    sim.handle.add_model_order(&order("4321876523198761", &[("1", "SKU-C", 1, "250.00")])).unwrap();
    let o = fetched(&c, "4321876523198761").await;
    let lines = vec![line(&o.lines[0].channel_line_id, "SKU-C", 1)];
    let s = ready(c.pack(&pack_request(&o, lines.clone())).await.unwrap());
    let awb = s.awb.clone().unwrap();
    let asked = sim.handle.calls_to("POST", "/v2/orders/labels");
    assert_eq!(body(&asked[0])["orderItems"], json!([{"orderItemId": "4321876523198761", "taxRate": 18, "quantity": 1}]));
    assert!(barcodes(doc(&s, DocumentKind::Label)).contains(&awb));
    c.hand_over(&handover(&o, &awb, lines.clone())).await.unwrap();
    let d = sim.handle.calls_to("POST", "/v2/orders/dispatch");
    assert_eq!(body(&d[0]), &json!({"orderItems": [{"orderItemId": "4321876523198761", "quantity": 1}]}));
    c.hand_over(&handover(&o, &awb, lines)).await.unwrap();
    assert_eq!(sim.handle.calls_to("POST", "/v2/orders/dispatch").len(), 2, "asked again, refused, found dispatched");
}

// ---- Amazon SP-API ----

const AMZ: &str = "402-1111111-2222222";

#[tokio::test]
async fn amazon_confirms_the_shipment_once_and_a_throttled_confirmation_succeeds_on_retry() {
    let sim = start(ChannelType::AmazonSp, 10).await;
    sim.handle.add_model_order(&order(AMZ, &[("11111111111111", "SKU-1", 2, "250.00")])).unwrap();
    sim.handle.add_model_order(&order("402-3333333-4444444", &[("22222222222222", "SKU-2", 1, "90.00")])).unwrap();
    let c = sim.connector().unwrap();
    let o = fetched(&c, AMZ).await;
    assert_eq!(c.pack(&pack_request(&o, vec![line("11111111111111", "SKU-1", 2)])).await.unwrap(), PackResult::NothingToDo);

    c.hand_over(&handover(&o, "BD1234567890", vec![line("11111111111111", "SKU-1", 2)])).await.unwrap();
    let calls = sim.handle.calls_to("POST", "/shipmentConfirmation");
    assert_eq!(calls[0].path, format!("/orders/v0/orders/{AMZ}/shipmentConfirmation"));
    assert_eq!(calls[0].status, 204);
    let b = body(&calls[0]);
    assert_eq!(b["marketplaceId"], "A21TJRUUN4KGV");
    assert_eq!(b["packageDetail"]["trackingNumber"], "BD1234567890");
    assert_eq!(b["packageDetail"]["carrierCode"], "Other");
    assert_eq!(b["packageDetail"]["carrierName"], "Blue Dart");
    assert_eq!(b["packageDetail"]["shipDate"], "2026-03-01T09:30:00Z");
    assert_eq!(b["packageDetail"]["orderItems"], json!([{"orderItemId": "11111111111111", "quantity": 2}]));
    assert_eq!(fetched(&c, AMZ).await.state, MarketplaceState::Closed);
    assert_eq!(sim.handle.order(AMZ).unwrap()["order"]["OrderStatus"], "Shipped");

    // Again: Amazon refuses the package it has, the connector finds the order shipped; nothing changes.
    let before = sim.handle.order(AMZ).unwrap();
    sim.advance(60);
    c.hand_over(&handover(&o, "BD1234567890", vec![line("11111111111111", "SKU-1", 2)])).await.unwrap();
    assert_eq!(statuses(&sim.handle.calls_to("POST", "/shipmentConfirmation")), vec![204, 400]);
    assert_eq!(sim.handle.order(AMZ).unwrap(), before);

    let o2 = fetched(&c, "402-3333333-4444444").await;
    sim.handle.inject_rate_limit_on("/shipmentConfirmation", 1, 2);
    let e = c.hand_over(&handover(&o2, "BD99", vec![line("22222222222222", "SKU-2", 1)])).await.unwrap_err();
    assert_rate_limited(e, 2);
    c.hand_over(&handover(&o2, "BD99", vec![line("22222222222222", "SKU-2", 1)])).await.unwrap();
    assert_eq!(sim.handle.order("402-3333333-4444444").unwrap()["order"]["OrderStatus"], "Shipped");
}

#[tokio::test]
async fn amazon_refuses_items_and_orders_it_does_not_have() {
    let sim = start(ChannelType::AmazonSp, 10).await;
    sim.handle.add_model_order(&order(AMZ, &[("11111111111111", "SKU-1", 2, "250.00")])).unwrap();
    let c = sim.connector().unwrap();
    let mut o = fetched(&c, AMZ).await;
    // An item the order doesn't have (the connector's own check is passed by naming it on the order).
    o.lines[0].channel_line_id = "99999999999999".into();
    assert!(c.hand_over(&handover(&o, "BD1", vec![line("99999999999999", "SKU-1", 1)])).await.is_err());
    o.channel_order_id = "402-0000000-0000000".into();
    assert!(c.hand_over(&handover(&o, "BD2", vec![line("99999999999999", "SKU-1", 1)])).await.is_err());
    assert_eq!(statuses(&sim.handle.calls_to("POST", "/shipmentConfirmation")), vec![400, 404]);
    assert_eq!(sim.handle.order(AMZ).unwrap()["order"]["OrderStatus"], "Unshipped");
}

#[tokio::test]
async fn amazon_easy_ship_schedules_the_package_and_hands_over_its_label() {
    let sim = start(ChannelType::AmazonSp, 10).await;
    sim.handle.add_model_order(&order(AMZ, &[("11111111111111", "SKU-1", 2, "250.00")])).unwrap();
    let c = sim.connector_with(json!({"easy_ship": true})).unwrap();
    assert!(c.gives_awb());
    let o = fetched(&c, AMZ).await;
    let s = ready(c.pack(&pack_request(&o, vec![line("11111111111111", "SKU-1", 2)])).await.unwrap());
    let awb = s.awb.clone().unwrap();
    assert_eq!(barcodes(doc(&s, DocumentKind::Label)), sorted(&[&awb, AMZ]));

    assert_eq!(statuses(&sim.handle.calls_to("GET", "/easyShip/2022-03-23/package")), vec![404]);
    let slots = sim.handle.calls_to("POST", "/easyShip/2022-03-23/timeSlot");
    let b = body(&slots[0]);
    assert_eq!(b["amazonOrderId"], AMZ);
    assert_eq!(b["packageDimensions"], json!({"length": 30, "width": 20, "height": 10.5, "unit": "cm"}));
    assert_eq!(b["packageWeight"], json!({"value": 1250, "unit": "g"}));
    let bulk = sim.handle.calls_to("POST", "/easyShip/2022-03-23/packages/bulk");
    let b = body(&bulk[0]);
    assert_eq!(b["labelFormat"], "PDF");
    assert_eq!(b["orderScheduleDetailsList"][0]["amazonOrderId"], AMZ);
    assert_eq!(b["orderScheduleDetailsList"][0]["packageDetails"]["packageItems"], json!([{"orderItemId": "11111111111111"}]));
    assert!(b["orderScheduleDetailsList"][0]["packageDetails"]["packageTimeSlot"]["slotId"].is_string());
    assert_eq!(sim.handle.order(AMZ).unwrap()["order"]["EasyShipShipmentStatus"], "PendingPickUp");

    // Packing again doesn't schedule a second package: Amazon has it, the connector says where the label is.
    assert!(c.pack(&pack_request(&o, vec![line("11111111111111", "SKU-1", 2)])).await.is_err());
    assert_eq!(sim.handle.calls_to("POST", "/packages/bulk").len(), 1);
    // Easy Ship packages are picked up by Amazon: handover confirms nothing.
    c.hand_over(&handover(&o, &awb, vec![line("11111111111111", "SKU-1", 2)])).await.unwrap();
    assert!(sim.handle.calls_to("POST", "/shipmentConfirmation").is_empty());
}

// ---- Shopify ----

#[tokio::test]
async fn shopify_fulfils_through_the_fulfillment_order_with_tracking_once() {
    let sim = start(ChannelType::Shopify, 10).await;
    sim.handle.add_model_order(&order("5500000000001", &[("13000000000001", "SKU-1", 3, "100.00")])).unwrap();
    let c = sim.connector().unwrap();
    let o = fetched(&c, "5500000000001").await;
    assert_eq!(c.pack(&pack_request(&o, vec![line("13000000000001", "SKU-1", 3)])).await.unwrap(), PackResult::NothingToDo);

    c.hand_over(&handover(&o, "BD1", vec![line("13000000000001", "SKU-1", 2)])).await.unwrap();
    let version = ordo_channels::shopify::API_VERSION;
    let fos = sim.handle.calls_to("GET", "/fulfillment_orders.json");
    assert_eq!(fos[0].path, format!("/admin/api/{version}/orders/5500000000001/fulfillment_orders.json"));
    let posted = sim.handle.calls_to("POST", "/fulfillments.json");
    assert_eq!(posted[0].path, format!("/admin/api/{version}/fulfillments.json"));
    assert_eq!(posted[0].status, 201);
    let f = &body(&posted[0])["fulfillment"];
    let group = &f["line_items_by_fulfillment_order"][0];
    assert!(group["fulfillment_order_id"].as_i64().unwrap() > 0);
    assert_eq!(group["fulfillment_order_line_items"][0]["quantity"], 2);
    assert!(group["fulfillment_order_line_items"][0]["id"].as_i64().unwrap() > 0);
    assert_eq!(f["tracking_info"]["number"], "BD1");
    assert_eq!(f["tracking_info"]["company"], "Blue Dart");
    assert_eq!(sim.handle.order("5500000000001").unwrap()["fulfillment_status"], "partial");

    // The same handover again: Shopify has a fulfillment with that AWB, so nothing is posted.
    c.hand_over(&handover(&o, "BD1", vec![line("13000000000001", "SKU-1", 2)])).await.unwrap();
    assert_eq!(sim.handle.calls_to("POST", "/fulfillments.json").len(), 1);

    // The last unit, after a failed attempt.
    sim.handle.inject_server_errors_on("fulfillment", 1);
    assert!(c.hand_over(&handover(&o, "BD2", vec![line("13000000000001", "SKU-1", 1)])).await.is_err());
    c.hand_over(&handover(&o, "BD2", vec![line("13000000000001", "SKU-1", 1)])).await.unwrap();
    assert_eq!(sim.handle.order("5500000000001").unwrap()["fulfillment_status"], "fulfilled");
    assert_eq!(fetched(&c, "5500000000001").await.raw["fulfillment_status"], "fulfilled");
    // More than the order has left is refused by Shopify (422), once its fulfillment order is closed.
    let e = c.hand_over(&handover(&o, "BD3", vec![line("13000000000001", "SKU-1", 1)])).await;
    assert!(e.is_ok(), "a closed fulfillment order is already fulfilled: {e:?}");
    assert_eq!(sim.handle.calls_to("POST", "/fulfillments.json").len(), 2);
}

// ---- Amazon EDI ----

#[tokio::test]
async fn edi_856_names_the_po_and_quantities_and_a_repeat_is_a_duplicate() {
    let sim = start(ChannelType::AmazonEdi, 10).await;
    sim.handle.add_order(json!({"x12": channels_test_file("samples/edi/po_850_default.x12")})).unwrap();
    let c = sim.connector().unwrap();
    let o = fetched(&c, "4KX7Q2ZP").await;
    assert_eq!(c.pack(&pack_request(&o, vec![line("1", "", 10)])).await.unwrap(), PackResult::NothingToDo);
    sim.handle.inject_server_errors_on("/edi/856", 1);
    assert!(c.hand_over(&handover(&o, "AWB856", vec![line("1", "", 10), line("3", "", 4)])).await.is_err());
    c.hand_over(&handover(&o, "AWB856", vec![line("1", "", 10), line("3", "", 4)])).await.unwrap();
    let calls = sim.handle.calls_to("POST", "/edi/856");
    assert_eq!(statuses(&calls), vec![500, 202]);
    assert!(calls[1].raw.as_deref().is_some_and(|x| x.starts_with("ISA") && x.contains("BSN*00*AWB856")));
    let notices = sim.handle.edi_received_856();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0]["po_number"], "4KX7Q2ZP");
    assert_eq!(notices[0]["shipment_id"], "AWB856");
    assert_eq!(notices[0]["lines"], json!([{"line_id": "1", "qty": 10}, {"line_id": "3", "qty": 4}]));

    c.hand_over(&handover(&o, "AWB856", vec![line("1", "", 10), line("3", "", 4)])).await.unwrap();
    assert_eq!(sim.handle.edi_received_856().len(), 1, "the same interchange is dropped as a duplicate");
    // Another shipment of units already shipped is more than the PO ordered.
    assert!(c.hand_over(&handover(&o, "AWB857", vec![line("1", "", 1)])).await.is_err());
    assert_eq!(sim.handle.calls_to("POST", "/edi/856").last().unwrap().status, 422);
}

// ---- Ajio ----

#[tokio::test]
async fn ajio_packs_b2c_with_its_awb_invoice_and_label_takes_the_e_invoice_and_manifests_once() {
    let sim = start(ChannelType::AjioVms, 10).await;
    sim.handle.add_model_order(&order("FN6142208177", &[("FN6142208177-1", "AJ-KURTA-IND-L", 2, "899.00")])).unwrap();
    let c = sim.connector().unwrap();
    assert!(c.issues_invoice(OrderKind::B2C));
    // Not acknowledged yet: Ajio refuses to pack it.
    let o = fetched(&c, "FN6142208177").await;
    assert!(c.pack(&pack_request(&o, vec![line("FN6142208177-1", "AJ-KURTA-IND-L", 2)])).await.is_err());
    c.acknowledge("FN6142208177").await.unwrap();
    let o = fetched(&c, "FN6142208177").await;

    let s = ready(c.pack(&pack_request(&o, vec![line("FN6142208177-1", "AJ-KURTA-IND-L", 2)])).await.unwrap());
    let awb = s.awb.clone().unwrap();
    assert_eq!(s.carrier.as_deref(), Some("Delhivery"));
    assert!(s.invoice_number.as_deref().is_some_and(|n| n.starts_with("AJB2C/2026/")));
    assert_eq!(s.invoice_date.as_deref(), Some("2026-03-01"));
    assert_eq!(barcodes(doc(&s, DocumentKind::Label)), sorted(&[&awb, "FN6142208177"]));
    assert!(doc(&s, DocumentKind::Invoice).starts_with(b"%PDF-"));
    let packs = sim.handle.calls_to("POST", "/pack");
    assert_eq!(packs.last().unwrap().path, "/orders/b2c/FN6142208177/pack");
    assert_eq!(
        body(packs.last().unwrap()),
        &json!({"lines": [{"line_id": "FN6142208177-1", "quantity": 2}], "weight_grams": 1250,
                "dimensions_mm": {"length": 300, "width": 200, "height": 105}})
    );
    assert_eq!(sim.handle.calls_to("GET", "/orders/b2c/FN6142208177/invoice").len(), 1);
    assert_eq!(sim.handle.calls_to("GET", "/orders/b2c/FN6142208177/label").len(), 1);
    // Packing again gives the same AWB.
    assert_eq!(
        ready(c.pack(&pack_request(&o, vec![line("FN6142208177-1", "AJ-KURTA-IND-L", 2)])).await.unwrap()).awb,
        Some(awb.clone())
    );

    // The B2B PO covering it, invoiced by Ordo: its e-invoice is uploaded, once.
    let po = sim.handle.ajio_generate_b2b().unwrap()["po_number"].as_str().unwrap().to_string();
    let upload = EInvoiceUpload {
        channel_order_id: po.clone(),
        invoice_number: "WH1/2526/10".into(),
        invoice_date: "2026-03-01".into(),
        irn: "a".repeat(64),
        ack_no: Some("112010036563310".into()),
        ack_date: Some("2026-03-01 10:12:00".into()),
        signed_qr_code: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln".into(),
        signed_invoice: None,
        total: "1078.80".into(),
    };
    c.upload_e_invoice(&upload).await.unwrap();
    c.upload_e_invoice(&upload).await.unwrap();
    let up = sim.handle.calls_to("POST", "/e-invoice");
    assert_eq!(up[0].path, format!("/orders/b2b/{po}/e-invoice"));
    assert_eq!(statuses(&up), vec![201, 200]);
    assert_eq!(body(&up[0])["irn"], "a".repeat(64));
    assert_eq!(body(&up[0])["signed_qr_code"], "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    assert_eq!(sim.handle.ajio_e_invoices().len(), 1);
    let other = EInvoiceUpload { invoice_number: "WH1/2526/11".into(), irn: "b".repeat(64), ..upload.clone() };
    assert!(c.upload_e_invoice(&other).await.is_err(), "a second, different e-invoice for the PO is refused");
    let unknown = EInvoiceUpload { channel_order_id: "AJPO-NONE".into(), ..upload };
    assert!(c.upload_e_invoice(&unknown).await.is_err());
    assert_eq!(sim.handle.calls_to("POST", "/e-invoice").last().unwrap().status, 404);

    // Handover: Create Manifest, after a failed attempt; a repeat adds no second manifest.
    sim.handle.inject_server_errors_on("/manifests", 1);
    let h = handover(&o, &awb, vec![line("FN6142208177-1", "AJ-KURTA-IND-L", 2)]);
    assert!(c.hand_over(&h).await.is_err());
    c.hand_over(&h).await.unwrap();
    c.hand_over(&h).await.unwrap();
    let m = sim.handle.calls_to("POST", "/manifests");
    assert_eq!(statuses(&m), vec![500, 201, 200]);
    assert_eq!(body(&m[1]), &json!({"order_ids": ["FN6142208177"]}));
    assert_eq!(sim.handle.ajio_manifests().len(), 1);
    assert_eq!(sim.handle.order("FN6142208177").unwrap()["status"], "SHIPPED");
}

#[tokio::test]
async fn ajio_takes_the_vendors_cancellation_of_uninvoiced_units_once_and_all_or_nothing() {
    let sim = start(ChannelType::AjioVms, 10).await;
    sim.handle.add_model_order(&order("FN7001", &[("FN7001-1", "AJ-KURTA-IND-L", 2, "899.00")])).unwrap();
    sim.handle.add_model_order(&order("FN7002", &[("FN7002-1", "AJ-KURTA-IND-L", 1, "899.00")])).unwrap();
    let c = sim.connector().unwrap();
    for id in ["FN7001", "FN7002"] {
        c.acknowledge(id).await.unwrap();
    }
    let po = sim.handle.ajio_generate_b2b().unwrap()["po_number"].as_str().unwrap().to_string();
    let uninvoiced = |lines: Vec<(&str, &str, i64)>| UninvoicedCancellation {
        po_number: po.clone(),
        cancellation_id: "uninvoiced-1".into(),
        reason: "NOT_INVOICED".into(),
        lines: lines.into_iter().map(|(o, l, q)| UninvoicedLine { order_id: o.into(), line_id: l.into(), quantity: q }).collect(),
    };
    // More than a line has open: refused, and nothing is cancelled.
    let too_many = uninvoiced(vec![("FN7002", "FN7002-1", 1), ("FN7001", "FN7001-1", 3)]);
    assert!(c.cancel_uninvoiced(&too_many).await.is_err());
    assert_eq!(sim.handle.calls_to("POST", "/cancellations").last().unwrap().status, 422);
    assert_eq!(sim.handle.order("FN7002").unwrap()["status"], "ACKNOWLEDGED");
    let cancellation = uninvoiced(vec![("FN7002", "FN7002-1", 1), ("FN7001", "FN7001-1", 1)]);
    c.cancel_uninvoiced(&cancellation).await.unwrap();
    c.cancel_uninvoiced(&cancellation).await.unwrap();
    let calls = sim.handle.calls_to("POST", "/cancellations");
    assert_eq!(statuses(&calls), vec![422, 201, 200], "a repeat of the cancellation changes nothing");
    assert_eq!(calls[1].path, format!("/orders/b2b/{po}/cancellations"));
    assert_eq!(body(&calls[1])["lines"][0], json!({"order_id": "FN7002", "line_id": "FN7002-1", "quantity": 1}));
    assert_eq!(sim.handle.ajio_cancellations().len(), 1);
    let whole = sim.handle.order("FN7002").unwrap();
    assert_eq!((whole["status"].as_str(), whole["cancellation_reason"].as_str()), (Some("CANCELLED"), Some("NOT_INVOICED")));
    let part = fetched(&c, "FN7001").await;
    assert_eq!((part.lines[0].qty, part.lines[0].cancelled_qty), (2, 1), "the other order keeps one unit");
    // An order the PO doesn't cover is refused.
    sim.handle.add_model_order(&order("FN7003", &[("FN7003-1", "AJ-KURTA-IND-L", 1, "899.00")])).unwrap();
    let other = UninvoicedCancellation { cancellation_id: "uninvoiced-2".into(), ..uninvoiced(vec![("FN7003", "FN7003-1", 1)]) };
    assert!(c.cancel_uninvoiced(&other).await.is_err());
    assert_eq!(sim.handle.calls_to("POST", "/cancellations").last().unwrap().status, 422);
}

// ---- Paytm ----

#[tokio::test]
async fn paytm_packs_and_manifests_the_awb_with_the_sellers_invoice_once() {
    let sim = start(ChannelType::Paytm, 10).await;
    sim.handle.add_model_order(&order("PTM-20260301-000517", &[("PTMI-1000517-1", "KETTLE-1L5-SS", 1, "1549.50")])).unwrap();
    let c = sim.connector().unwrap();
    let o = fetched(&c, "PTM-20260301-000517").await;
    let lines = vec![line("PTMI-1000517-1", "KETTLE-1L5-SS", 1)];
    // The seller's invoice may come with the pack; without it (not numbered yet) it comes with the manifest.
    let invoice = ShipmentInvoice { number: "WH1/2526/12".into(), date: "2026-03-01".into(), total: "1549.50".into() };
    let req = PackRequest { invoice: Some(invoice), ..pack_request(&o, lines.clone()) };
    let bad = PackRequest {
        invoice: Some(ShipmentInvoice { number: " ".into(), date: "2026-03-01".into(), total: "1549.50".into() }),
        ..pack_request(&o, lines.clone())
    };
    assert!(c.pack(&bad).await.is_ok(), "an invoice without a number is not sent");
    let s = ready(c.pack(&req).await.unwrap());
    let awb = s.awb.clone().unwrap();
    assert_eq!(s.carrier.as_deref(), Some("Ecom Express"));
    assert_eq!(barcodes(doc(&s, DocumentKind::Label)), sorted(&[&awb, "PTM-20260301-000517"]));
    let packs = sim.handle.calls_to("POST", "/pack");
    assert_eq!(packs[0].path, "/v1/orders/PTM-20260301-000517/pack");
    assert!(body(&packs[0]).get("invoice").is_none(), "{}", body(&packs[0]));
    let b = body(&packs[1]);
    assert_eq!(b["items"], json!([{"item_id": "PTMI-1000517-1", "quantity": 1}]));
    assert_eq!(b["invoice"], json!({"number": "WH1/2526/12", "date": "2026-03-01", "total": "1549.50"}));
    assert_eq!(sim.handle.order("PTM-20260301-000517").unwrap()["status"], "PACKED");
    assert_eq!(ready(c.pack(&req).await.unwrap()).awb, Some(awb.clone()), "packing again gives the same AWB");

    sim.handle.inject_rate_limit_on("/v1/manifests", 1, 3);
    let h = handover(&o, &awb, lines);
    assert_rate_limited(c.hand_over(&h).await.unwrap_err(), 3);
    c.hand_over(&h).await.unwrap();
    c.hand_over(&h).await.unwrap();
    let m = sim.handle.calls_to("POST", "/v1/manifests");
    assert_eq!(statuses(&m), vec![429, 201, 200]);
    assert_eq!(body(&m[1]), &json!({"awbs": [awb], "invoices": [{"awb": awb, "number": "WH1/2526/9", "date": "2026-03-01"}]}));
    assert_eq!(sim.handle.manifests().len(), 1);
    assert_eq!(fetched(&c, "PTM-20260301-000517").await.state, MarketplaceState::Closed);
}

#[tokio::test]
async fn received_calls_and_label_pending_are_served_over_http() {
    let (sim, c) = flipkart(ChannelType::FlipkartV3).await;
    sim.handle.add_model_order(&order("S-9", &[("I-9", "SKU-9", 1, "10.00")])).unwrap();
    let http = reqwest::Client::new();
    let r = http.put(format!("{}/_sim/labels/pending", sim.base_url)).json(&json!({"polls": 5})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let o = fetched(&c, "S-9").await;
    assert!(matches!(c.pack(&pack_request(&o, vec![line("I-9", "SKU-9", 1)])).await.unwrap(), PackResult::Pending { .. }));
    let calls: Value = http.get(format!("{}/_sim/calls", sim.base_url)).send().await.unwrap().json().await.unwrap();
    let calls: Vec<ReceivedCall> = serde_json::from_value(calls["calls"].clone()).unwrap();
    assert_eq!(
        calls.iter().map(|c| (c.method.as_str(), c.path.as_str())).collect::<Vec<_>>(),
        vec![("POST", "/v3/shipments/labels"), ("GET", "/v3/shipments/S-9"), ("GET", "/v3/shipments/S-9"),]
    );
    assert_eq!(calls[0].at, sim.now());
    http.delete(format!("{}/_sim/calls", sim.base_url)).send().await.unwrap();
    assert!(sim.handle.received_calls().is_empty());
    // Other marketplaces have no asynchronous labels.
    let amazon = start(ChannelType::AmazonSp, 10).await;
    assert!(amazon.handle.set_label_pending_polls(1).is_err());
}
