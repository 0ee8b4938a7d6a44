//! Packing, documents, manifests and handover (SPEC.md §11.3–11.5, scenarios 16 and 18) for orders
//! of Ordo's own channel, through the API, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, api_tests, barcodes};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

api_tests!(
    scenario_16_an_internal_b2b_order_gets_ordos_invoice_and_a_registered_e_invoice,
    a_b2c_order_gets_ordos_invoice_and_a_label_from_the_warehouse_awb_series,
    invoice_numbers_have_no_gaps_when_twenty_packers_pack_at_once,
    the_packers_scans_must_match_the_picked_units,
    what_a_document_needs_must_be_configured_before_anything_is_made,
    scenario_18_a_manifest_of_three_shipments_is_handed_over_and_the_units_leave_stock,
    manifests_take_and_refuse_shipments_by_awb_scan,
    an_order_cancelled_after_packing_leaves_its_manifest_and_its_units_go_back,
    a_short_closed_order_is_completed_at_handover,
    search_finds_an_order_by_its_invoice_number_and_awb,
);

const SELLER_GSTIN: &str = "27AAPFU0939F1ZV";

/// A GSTIN of `state` with a valid check character.
fn gstin(state: &str, pan: &str) -> String {
    let first14 = format!("{state}{pan}1Z");
    format!("{first14}{}", ordo_domain::gstin::check_character(&first14).unwrap())
}

/// Warehouse `wh1` (Maharashtra) with what documents need, SKU `A` (EAN, HSN, 18 %) with `stock`
/// units, and Ordo's own channel `web`.
async fn setup(t: &TestApp, stock: i64) {
    let warehouse = json!({
        "code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited", "gstin": SELLER_GSTIN,
        "address": "Plot 4, MIDC, Andheri East, Mumbai", "pin": "400093",
        "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 700001},
    });
    let (status, body) = t.post("/api/v1/warehouses", warehouse).await;
    assert_eq!(status, 201, "{body}");
    let sku = json!({"sku": "A", "name": "Cotton Kurta", "ean": "8901234567890", "hsn": "6109", "tax_rate": "18.00", "weight_grams": 400});
    assert_eq!(t.post("/api/v1/skus", sku).await.0, 201);
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    if stock > 0 {
        let (status, body) = t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": stock})).await;
        assert_eq!(status, 200, "{body}");
    }
}

fn ship_to(state_code: &str) -> Value {
    json!({"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": state_code, "pin": "560001", "phone": "+919800000000"})
}

/// A B2C order of `qty` units of A at 1,180.00 each (GST included), to Karnataka.
async fn b2c_order(t: &TestApp, id: &str, qty: i64) -> String {
    let body = json!({"channel": "web", "kind": "B2C", "channel_order_id": id, "ship_to": ship_to("29"),
        "lines": [{"sku": "A", "qty": qty, "unit_price": "1180.00"}]});
    let (status, order) = t.post("/api/v1/orders", body).await;
    assert_eq!(status, 201, "{order}");
    order["id"].as_str().unwrap().to_string()
}

/// Releases `orders` to a picklist and picks every unit by scanning the EAN.
async fn pick(t: &TestApp, orders: &[&str]) {
    let (status, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": orders})).await;
    assert_eq!(status, 201, "{picklist}");
    let units: i64 = picklist["lines"].as_array().unwrap().iter().map(|l| l["qty"].as_i64().unwrap()).sum();
    let path = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
    let (status, body) = t.post(&path, json!({"scan": "8901234567890", "qty": units})).await;
    assert_eq!(status, 200, "{body}");
}

async fn pack(t: &TestApp, id: &str, body: Value) -> (u16, Value) {
    t.post(&format!("/api/v1/orders/{id}/pack"), body).await
}

async fn packed(t: &TestApp, id: &str) -> Value {
    let (status, body) = pack(t, id, json!({"weight_grams": 450})).await;
    assert_eq!(status, 201, "{body}");
    body["shipment"].clone()
}

async fn status_of(t: &TestApp, id: &str) -> String {
    t.get(&format!("/api/v1/orders/{id}")).await.1["status"].as_str().unwrap().to_string()
}

async fn pdf(t: &TestApp, path: &str) -> Vec<u8> {
    let (status, ty, bytes) = t.get_bytes(path).await;
    assert_eq!((status, ty.as_str()), (200, "application/pdf"), "{}", String::from_utf8_lossy(&bytes));
    assert!(bytes.starts_with(b"%PDF-"));
    bytes
}

/// NIC's invoice number rule (SPEC §11.3): ≤ 16 of letters, digits, `/` and `-`, not starting with
/// `0`, `/` or `-`.
fn valid_invoice_number(n: &str) -> bool {
    (1..=16).contains(&n.len())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '-')
        && !n.starts_with(['0', '/', '-'])
}

async fn scenario_16_an_internal_b2b_order_gets_ordos_invoice_and_a_registered_e_invoice(t: TestApp) {
    setup(&t, 10).await;
    let irp = ordo_sim::irp::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let portal = json!({"endpoint": irp.base_url, "credentials": {"client_id": "c", "client_secret": "s", "user_name": "u", "password": "p"}});
    let r = t.req(Method::PUT, "/api/v1/warehouses/wh1/e-invoicing", &t.admin).json(&portal).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let buyer_gstin = gstin("29", "AABCT3518Q");
    let body = json!({"channel": "web", "kind": "B2B", "channel_order_id": "PO-16",
        "buyer": {"legal_name": "Trent Limited", "gstin": buyer_gstin, "address": "Bannerghatta Road, Bengaluru"},
        "ship_to": ship_to("29"), "lines": [{"sku": "A", "qty": 4, "unit_price": "1000.00"}]});
    let (status, order) = t.post("/api/v1/orders", body).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    assert_eq!(t.post(&format!("/api/v1/orders/{id}/retry"), json!({})).await.0, 200);
    pick(&t, &[&id]).await;

    let (status, answer) = pack(&t, &id, json!({"scans": [{"scan": "8901234567890", "qty": 4}], "weight_grams": 1700})).await;
    assert_eq!(status, 201, "{answer}");
    let shipment = &answer["shipment"];
    assert_eq!(answer["order"]["status"], "PACKED");
    assert_eq!(answer["order"]["lines"][0]["packed"], 4);
    let number = shipment["invoice_number"].as_str().unwrap();
    assert!(valid_invoice_number(number), "{number}");
    assert_eq!(number, "WH1/2627/000001", "the warehouse's first invoice of the financial year");
    assert_eq!((shipment["awb"].as_str(), shipment["carrier"].as_str()), (Some("DL700001"), Some("Delhivery")));
    let sources: Vec<(&str, &str)> = shipment["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["kind"].as_str().unwrap(), d["source"].as_str().unwrap()))
        .collect();
    assert_eq!(sources, [("invoice", "ordo"), ("label", "ordo"), ("e_invoice", "ordo")]);

    // The e-invoice: the IRN is SHA-256 of GSTIN, financial year, INV and the number, as the portal registered it.
    let sid = shipment["id"].as_str().unwrap();
    let (status, e) = t.get(&format!("/api/v1/shipments/{sid}/e-invoice")).await;
    assert_eq!(status, 200, "{e}");
    let expected = hex(&Sha256::digest(format!("{SELLER_GSTIN}2026-27INV{number}").as_bytes()));
    assert_eq!(e["irn"], expected.as_str());
    assert_eq!(e["status"], "ACT");
    let inv = &e["invoice"];
    assert_eq!(
        (inv["Version"].as_str(), inv["DocDtls"]["No"].as_str(), inv["DocDtls"]["Typ"].as_str()),
        (Some("1.1"), Some(number), Some("INV"))
    );
    assert_eq!(inv["BuyerDtls"]["Gstin"], buyer_gstin.as_str());
    // Maharashtra to Karnataka: IGST 18 % of 4,000.00.
    assert_eq!(
        (inv["ValDtls"]["AssVal"].as_f64(), inv["ValDtls"]["IgstVal"].as_f64(), inv["ValDtls"]["CgstVal"].as_f64()),
        (Some(4000.0), Some(720.0), Some(0.0))
    );
    assert_eq!(inv["ItemList"][0]["HsnCd"], "6109");

    // The PDFs: the label's barcodes are the AWB and the order id; the invoice's QR is the signed QR.
    let label = pdf(&t, &format!("/api/v1/shipments/{sid}/label.pdf")).await;
    let mut expected_codes = vec!["DL700001".to_string(), id.clone()];
    expected_codes.sort();
    assert_eq!(barcodes(&label), expected_codes);
    let invoice = pdf(&t, &format!("/api/v1/shipments/{sid}/invoice.pdf")).await;
    assert!(
        barcodes(&invoice).contains(&e["signed_qr_code"].as_str().unwrap().to_string()),
        "the invoice's QR is the portal's signed QR"
    );

    // Packing again answers the same shipment; nothing new is numbered or registered.
    let (status, again) = pack(&t, &id, json!({})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["shipment"], *shipment);
    assert_eq!(
        (irp.simulator.stats().registered, irp.simulator.stats().generate_calls),
        (1, 1),
        "one IRN registered, asked once"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn a_b2c_order_gets_ordos_invoice_and_a_label_from_the_warehouse_awb_series(t: TestApp) {
    setup(&t, 10).await;
    let id = b2c_order(&t, "W-1", 2).await;
    pick(&t, &[&id]).await;
    let shipment = packed(&t, &id).await;
    assert_eq!(shipment["status"], "PACKED");
    assert_eq!(
        shipment["lines"],
        json!([{"line_id": t.get(&format!("/api/v1/orders/{id}")).await.1["lines"][0]["line_id"], "sku": "A", "qty": 2}])
    );
    assert_eq!(shipment["awb"], "DL700001");
    assert!(valid_invoice_number(shipment["invoice_number"].as_str().unwrap()));
    let sid = shipment["id"].as_str().unwrap();
    assert_eq!(t.get(&format!("/api/v1/shipments/{sid}/e-invoice")).await.0, 404, "a B2C shipment has no e-invoice");
    let (status, got) = t.get(&format!("/api/v1/shipments/{sid}")).await;
    assert_eq!((status, &got), (200, &shipment));
    // The label: AWB and order id; the next AWB moves on.
    let label = pdf(&t, &format!("/api/v1/shipments/{sid}/label.pdf")).await;
    assert!(barcodes(&label).contains(&"DL700001".to_string()));
    pdf(&t, &format!("/api/v1/shipments/{sid}/invoice.pdf")).await;
    let second = b2c_order(&t, "W-2", 1).await;
    pick(&t, &[&second]).await;
    assert_eq!(packed(&t, &second).await["awb"], "DL700002");
    let (_, wh) = t.get("/api/v1/warehouses/wh1").await;
    assert_eq!(wh["awb_series"]["next"], 700003);
}

async fn invoice_numbers_have_no_gaps_when_twenty_packers_pack_at_once(t: TestApp) {
    setup(&t, 40).await;
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(b2c_order(&t, &format!("C-{n}"), 1).await);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    pick(&t, &refs).await;
    // Twenty packers at once: every request is sent before any answer is read.
    let sends: Vec<_> = ids
        .iter()
        .map(|id| tokio::spawn(t.req(Method::POST, &format!("/api/v1/orders/{id}/pack"), &t.admin).json(&json!({})).send()))
        .collect();
    let mut answers = Vec::new();
    for send in sends {
        answers.push(common::read(send.await.unwrap().unwrap()).await);
    }
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 201, "{body}");
            body["shipment"]["invoice_number"].as_str().unwrap().to_string()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=20).map(|n| format!("WH1/2627/{n:06}")).collect();
    assert_eq!(numbers, expected, "1 to 20, each once, none skipped");
    let mut awbs: Vec<String> = answers.iter().map(|(_, b)| b["shipment"]["awb"].as_str().unwrap().to_string()).collect();
    awbs.sort();
    awbs.dedup();
    assert_eq!(awbs.len(), 20, "no AWB given twice");
}

async fn the_packers_scans_must_match_the_picked_units(t: TestApp) {
    setup(&t, 10).await;
    let id = b2c_order(&t, "W-S", 3).await;
    pick(&t, &[&id]).await;
    let (status, problem) = pack(&t, &id, json!({"scans": [{"scan": "8901234567890", "qty": 2}]})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "scans");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("SKU A"), "{problem}");
    let (status, problem) = pack(&t, &id, json!({"scans": [{"scan": "B-OTHER", "qty": 3}]})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "scans[0].scan");
    // Nothing was made: the order is still PICKED, no shipment, no AWB used.
    assert_eq!(status_of(&t, &id).await, "PICKED");
    assert_eq!(t.get("/api/v1/shipments").await.1["items"], json!([]));
    let shipment = {
        let (status, body) =
            pack(&t, &id, json!({"scans": [{"scan": "A", "qty": 1}, {"scan": "8901234567890", "qty": 2}]})).await;
        assert_eq!(status, 201, "{body}");
        body["shipment"].clone()
    };
    assert_eq!(shipment["awb"], "DL700001");
    // Only PICKED orders are packed.
    let open = b2c_order(&t, "W-T", 1).await;
    assert_eq!(pack(&t, &open, json!({})).await.0, 409);
}

async fn what_a_document_needs_must_be_configured_before_anything_is_made(t: TestApp) {
    assert_eq!(t.post("/api/v1/warehouses", json!({"code": "wh1", "name": "Main", "gstin": SELLER_GSTIN})).await.0, 201);
    let sku = json!({"sku": "A", "name": "Cotton Kurta", "ean": "8901234567890", "hsn": "6109", "tax_rate": "18.00"});
    assert_eq!(t.post("/api/v1/skus", sku).await.0, 201);
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 5})).await.0, 200);
    let id = b2c_order(&t, "W-C", 1).await;
    pick(&t, &[&id]).await;
    let (status, problem) = pack(&t, &id, json!({})).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["type"].as_str().unwrap().ends_with("document-details-not-configured"), "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("address"), "{problem}");
    let patch = json!({"legal_name": "Acme Retail Private Limited", "address": "Plot 4, MIDC, Mumbai", "pin": "400093"});
    let r = t.req(Method::PATCH, "/api/v1/warehouses/wh1", &t.admin).json(&patch).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let (status, problem) = pack(&t, &id, json!({})).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["type"].as_str().unwrap().ends_with("awb-series-not-configured"), "{problem}");
    assert_eq!(t.get("/api/v1/shipments").await.1["items"], json!([]), "no half-made shipment");
    let patch = json!({"awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 1}});
    let r = t.req(Method::PATCH, "/api/v1/warehouses/wh1", &t.admin).json(&patch).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let shipment = packed(&t, &id).await;
    assert_eq!((shipment["awb"].as_str(), shipment["invoice_number"].as_str()), (Some("DL1"), Some("WH1/2627/000001")));

    // A B2B order of a warehouse with no e-invoice portal.
    let body = json!({"channel": "web", "kind": "B2B", "channel_order_id": "PO-C",
        "buyer": {"legal_name": "Trent Limited", "gstin": gstin("29", "AABCT3518Q")}, "ship_to": ship_to("29"),
        "lines": [{"sku": "A", "qty": 1, "unit_price": "100.00"}]});
    let (_, order) = t.post("/api/v1/orders", body).await;
    let b2b = order["id"].as_str().unwrap().to_string();
    assert_eq!(t.post(&format!("/api/v1/orders/{b2b}/retry"), json!({})).await.0, 200);
    pick(&t, &[&b2b]).await;
    let (status, problem) = pack(&t, &b2b, json!({})).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["type"].as_str().unwrap().ends_with("e-invoicing-not-configured"), "{problem}");
    assert_eq!(status_of(&t, &b2b).await, "PICKED");
    // Nothing was numbered for it: the next invoice is the second.
    let next = b2c_order(&t, "W-D", 1).await;
    pick(&t, &[&next]).await;
    assert_eq!(packed(&t, &next).await["invoice_number"], "WH1/2627/000002");
}

/// Packs `n` B2C orders of `qty` units each; their ids and shipments.
async fn packed_orders(t: &TestApp, prefix: &str, n: usize, qty: i64) -> Vec<(String, Value)> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(b2c_order(t, &format!("{prefix}-{i}"), qty).await);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    pick(t, &refs).await;
    let mut out = Vec::new();
    for id in ids {
        let s = packed(t, &id).await;
        out.push((id, s));
    }
    out
}

async fn scenario_18_a_manifest_of_three_shipments_is_handed_over_and_the_units_leave_stock(t: TestApp) {
    setup(&t, 10).await;
    let orders = packed_orders(&t, "M", 3, 2).await;
    let (status, manifest) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web"})).await;
    assert_eq!(status, 201, "{manifest}");
    assert_eq!(manifest["status"], "OPEN");
    let mut on: Vec<&str> = manifest["shipments"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    on.sort();
    let mut expected: Vec<&str> = orders.iter().map(|(_, s)| s["id"].as_str().unwrap()).collect();
    expected.sort();
    assert_eq!(on, expected, "every packed shipment of the warehouse and channel");
    let mid = manifest["id"].as_str().unwrap().to_string();
    let (_, listed) = t.get(&format!("/api/v1/shipments?manifest={mid}")).await;
    assert!(listed["items"].as_array().unwrap().iter().all(|s| s["status"] == "MANIFESTED"));
    assert_eq!(status_of(&t, &orders[0].0).await, "PACKED");

    // The manifest's PDF carries every AWB as a barcode.
    let pdf_bytes = pdf(&t, &format!("/api/v1/manifests/{mid}/manifest.pdf")).await;
    let codes = barcodes(&pdf_bytes);
    for (_, s) in &orders {
        assert!(codes.contains(&s["awb"].as_str().unwrap().to_string()), "{codes:?}");
    }

    let before = t.stock("A", "QC_PASS").await;
    assert_eq!((before["on_hand"].as_i64(), before["allocated"].as_i64()), (Some(10), Some(6)));
    let (status, handed) = t.post(&format!("/api/v1/manifests/{mid}/handover"), json!({})).await;
    assert_eq!(status, 200, "{handed}");
    assert_eq!(handed["status"], "HANDED_OVER");
    assert!(handed["handed_over_at"].is_string());
    for (id, _) in &orders {
        let (_, o) = t.get(&format!("/api/v1/orders/{id}")).await;
        assert_eq!((o["status"].as_str(), o["lines"][0]["dispatched"].as_i64()), (Some("DISPATCHED"), Some(2)));
    }
    let after = t.stock("A", "QC_PASS").await;
    assert_eq!(
        (after["on_hand"].as_i64(), after["allocated"].as_i64(), after["available"].as_i64()),
        (Some(4), Some(0), Some(4))
    );
    let (_, ledger) = t.get("/api/v1/inventory/ledger?warehouse=wh1&sku=A").await;
    let dispatches: i64 = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "DISPATCH")
        .map(|e| e["qty_delta"].as_i64().unwrap())
        .sum();
    assert_eq!(dispatches, -6);
    let (_, shipments) = t.get("/api/v1/shipments?status=DISPATCHED").await;
    assert_eq!(shipments["items"].as_array().unwrap().len(), 3);
    // Handing over again changes nothing.
    let (status, again) = t.post(&format!("/api/v1/manifests/{mid}/handover"), json!({})).await;
    assert_eq!((status, &again), (200, &handed));
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"].as_i64(), Some(4));
    let (_, manifests) = t.get("/api/v1/manifests?warehouse=wh1&status=HANDED_OVER").await;
    assert_eq!(manifests["items"].as_array().unwrap().len(), 1);
    // An INTERNAL channel has no marketplace to tell.
    let (_, outbox) = t.get("/api/v1/outbox").await;
    assert!(outbox["items"].as_array().is_none_or(|i| i.iter().all(|m| m["topic"] != "channel.hand_over")), "{outbox}");
}

async fn manifests_take_and_refuse_shipments_by_awb_scan(t: TestApp) {
    setup(&t, 10).await;
    let orders = packed_orders(&t, "S", 3, 1).await;
    let awb = |i: usize| orders[i].1["awb"].as_str().unwrap().to_string();
    let (status, manifest) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web", "awbs": [awb(0)]})).await;
    assert_eq!(status, 201, "{manifest}");
    assert_eq!(manifest["shipments"], json!([orders[0].1["id"]]));
    let mid = manifest["id"].as_str().unwrap().to_string();
    let add = |awb: String| {
        let t = &t;
        let mid = mid.clone();
        async move { t.post(&format!("/api/v1/manifests/{mid}/shipments"), json!({"awb": awb})).await }
    };
    let (status, m) = add(awb(1)).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["shipments"].as_array().unwrap().len(), 2);
    let (status, again) = add(awb(1)).await;
    assert_eq!((status, again["shipments"].as_array().unwrap().len()), (200, 2), "a second scan of the same AWB adds nothing");
    let (status, problem) = add("NO-SUCH-AWB".into()).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("awb")), "{problem}");
    // On another manifest already.
    let (status, other) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web", "awbs": [awb(2)]})).await;
    assert_eq!(status, 201, "{other}");
    let (status, problem) = add(awb(2)).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("on manifest"), "{problem}");
    let (status, problem) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web", "awbs": [awb(2)]})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("awbs[0]")), "{problem}");
    // Taken off: PACKED again, and on no manifest.
    let sid = orders[1].1["id"].as_str().unwrap();
    let r = t.req(Method::DELETE, &format!("/api/v1/manifests/{mid}/shipments/{sid}"), &t.admin).send().await.unwrap();
    let (status, m) = common::read(r).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(m["shipments"], json!([orders[0].1["id"]]));
    let (_, s) = t.get(&format!("/api/v1/shipments/{sid}")).await;
    assert_eq!((s["status"].as_str(), s["manifest_id"].is_null()), (Some("PACKED"), true));
    // Handed over: no more changes.
    assert_eq!(t.post(&format!("/api/v1/manifests/{mid}/handover"), json!({})).await.0, 200);
    assert_eq!(add(awb(1)).await.0, 409);
    assert_eq!(status_of(&t, &orders[1].0).await, "PACKED", "the shipment taken off stays to ship");
    // Another client's manifest is not there.
    let (status, _) = t.get("/api/v1/manifests/999999").await;
    assert_eq!(status, 404);
}

async fn an_order_cancelled_after_packing_leaves_its_manifest_and_its_units_go_back(t: TestApp) {
    setup(&t, 10).await;
    let orders = packed_orders(&t, "X", 2, 2).await;
    let (_, manifest) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web"})).await;
    let mid = manifest["id"].as_str().unwrap().to_string();
    let (status, body) = t.post(&format!("/api/v1/orders/{}/cancel", orders[0].0), json!({"reason": "customer called"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["order"]["status"], "CANCELLED");
    let sid = orders[0].1["id"].as_str().unwrap();
    let (_, s) = t.get(&format!("/api/v1/shipments/{sid}")).await;
    assert_eq!((s["status"].as_str(), s["manifest_id"].is_null()), (Some("CANCELLED"), true), "{s}");
    let (_, m) = t.get(&format!("/api/v1/manifests/{mid}")).await;
    assert_eq!(m["shipments"], json!([orders[1].1["id"]]));
    let stock = t.stock("A", "QC_PASS").await;
    assert_eq!(
        (stock["on_hand"].as_i64(), stock["allocated"].as_i64(), stock["available"].as_i64()),
        (Some(10), Some(2), Some(8))
    );
    assert_eq!(t.post(&format!("/api/v1/manifests/{mid}/handover"), json!({})).await.0, 200);
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"].as_i64(), Some(8), "only the shipment left on the manifest leaves");
    // A dispatched order can't be cancelled.
    assert_eq!(t.post(&format!("/api/v1/orders/{}/cancel", orders[1].0), json!({})).await.0, 409);
}

async fn a_short_closed_order_is_completed_at_handover(t: TestApp) {
    setup(&t, 3).await;
    let body = json!({"channel": "web", "kind": "B2B", "channel_order_id": "PO-SC", "fulfillment_type": "PARTIAL",
        "buyer": {"legal_name": "Trent Limited", "gstin": gstin("27", "AABCT3518Q")}, "ship_to": ship_to("27"),
        "lines": [{"sku": "A", "qty": 5, "unit_price": "100.00"}]});
    let (_, order) = t.post("/api/v1/orders", body).await;
    let id = order["id"].as_str().unwrap().to_string();
    assert_eq!(t.post(&format!("/api/v1/orders/{id}/retry"), json!({})).await.0, 200);
    pick(&t, &[&id]).await;
    let (status, o) = t.post(&format!("/api/v1/orders/{id}/complete"), json!({})).await;
    assert_eq!(status, 200, "{o}");
    let irp = ordo_sim::irp::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let portal = json!({"endpoint": irp.base_url, "credentials": {"client_id": "c", "client_secret": "s", "user_name": "u", "password": "p"}});
    assert_eq!(
        t.req(Method::PUT, "/api/v1/warehouses/wh1/e-invoicing", &t.admin).json(&portal).send().await.unwrap().status(),
        200
    );
    let (status, body) = pack(&t, &id, json!({})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["shipment"]["lines"][0]["qty"], 3, "the units picked, not the units ordered");
    // Within Maharashtra: CGST and SGST, 9 % each of 300.00.
    let (_, e) = t.get(&format!("/api/v1/shipments/{}/e-invoice", body["shipment"]["id"].as_str().unwrap())).await;
    let v = &e["invoice"]["ValDtls"];
    assert_eq!(
        (v["AssVal"].as_f64(), v["CgstVal"].as_f64(), v["SgstVal"].as_f64(), v["IgstVal"].as_f64()),
        (Some(300.0), Some(27.0), Some(27.0), Some(0.0))
    );
    let (_, m) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web"})).await;
    assert_eq!(t.post(&format!("/api/v1/manifests/{}/handover", m["id"].as_str().unwrap()), json!({})).await.0, 200);
    let (_, o) = t.get(&format!("/api/v1/orders/{id}")).await;
    assert_eq!((o["status"].as_str(), o["lines"][0]["dispatched"].as_i64()), (Some("COMPLETED"), Some(3)));
}

async fn search_finds_an_order_by_its_invoice_number_and_awb(t: TestApp) {
    setup(&t, 10).await;
    let orders = packed_orders(&t, "Q", 2, 1).await;
    for (id, s) in &orders {
        for q in [s["awb"].as_str().unwrap(), s["invoice_number"].as_str().unwrap()] {
            let (status, found) = t.get(&format!("/api/v1/orders?q={}", q.replace('/', "%2F"))).await;
            assert_eq!(status, 200, "{found}");
            let ids: Vec<&str> = found["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
            assert_eq!(ids, [id.as_str()], "searching {q}");
        }
    }
}
