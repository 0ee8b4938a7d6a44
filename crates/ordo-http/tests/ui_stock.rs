//! The stock screens over plain HTTP: inventory balances, the ledger and the stock forms, inward
//! POs and their receiving station, manifests with AWB scans, handover and the PDF — on both
//! databases.

mod common;

use common::ui::{Answer, Browser, text};
use common::{TestApp, api_tests, barcodes};
use ordo_domain::kinds::Role;
use serde_json::{Value, json};

api_tests!(
    inventory_shows_balances_and_the_ledger_as_filtered_with_csv_exports,
    stock_forms_change_stock_and_bad_input_changes_nothing,
    an_operator_may_not_change_stock,
    the_receiving_station_receives_one_unit_per_scan_against_the_po,
    manifests_take_awb_scans_are_handed_over_and_printed,
);

/// The nonce of the first form on a page.
fn nonce_of(html: &str) -> String {
    let at = html.find(r#"name="nonce" value=""#).expect("a form with a nonce") + r#"name="nonce" value=""#.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The rows of a CSV answer after checking it is one.
fn csv_rows(a: &Answer) -> Vec<Vec<String>> {
    assert_eq!((a.status, a.content_type.as_str()), (200, "text/csv; charset=utf-8"), "{}", a.body);
    // The values these tests export hold no commas or quotes.
    a.body.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

async fn on_hand(t: &TestApp, sku: &str, pool: &str) -> (i64, i64) {
    let s = t.stock(sku, pool).await;
    (s["on_hand"].as_i64().unwrap(), s["recycle"].as_i64().unwrap())
}

async fn grn(t: &TestApp, warehouse: &str, sku: &str, qty: i64) {
    let (status, body) = t.post("/api/v1/inventory/grn", json!({"warehouse": warehouse, "sku": sku, "qty": qty})).await;
    assert_eq!(status, 200, "{body}");
}

async fn inventory_shows_balances_and_the_ledger_as_filtered_with_csv_exports(t: TestApp) {
    t.basic_setup().await;
    assert_eq!(t.post("/api/v1/warehouses", json!({"code": "wh2", "name": "Second"})).await.0, 201);
    grn(&t, "wh1", "A", 5).await;
    grn(&t, "wh1", "B", 3).await;
    grn(&t, "wh2", "A", 2).await;
    let ops = t.signed_in(Role::Operator).await;

    let page = ops.get("/inventory?warehouse=wh1").await;
    assert_eq!(page.status, 200);
    let words = text(&page.body);
    assert!(words.contains("wh1 A QC_PASS 5 0 0 5") && words.contains("wh1 B QC_PASS 3 0 0 3"), "{words}");
    assert!(!words.contains("wh2 A"), "another warehouse is filtered out: {words}");
    assert!(page.body.contains(r#"href="/inventory.csv?warehouse=wh1""#), "the export keeps the filters");
    let rows = csv_rows(&ops.get("/inventory.csv?warehouse=wh1").await);
    assert_eq!(rows[0], ["warehouse", "sku", "pool", "on_hand", "recycle", "allocated", "available"]);
    assert_eq!(rows[1..], [["wh1", "A", "QC_PASS", "5", "0", "0", "5"], ["wh1", "B", "QC_PASS", "3", "0", "0", "3"]]);
    let rows = csv_rows(&ops.get("/inventory.csv?sku=A").await);
    let warehouses: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(warehouses, ["wh1", "wh2"], "SKU A in every warehouse, nothing else");

    let ledger = ops.get("/inventory/ledger?warehouse=wh1&sku=A").await;
    assert_eq!(ledger.status, 200);
    let words = text(&ledger.body);
    assert!(words.contains("wh1 A QC_PASS LIVE GRN 5"), "{words}");
    assert!(!words.contains("GRN 3") && !words.contains("GRN 2"), "only wh1's A: {words}");
    grn(&t, "wh1", "A", 4).await;
    let rows = csv_rows(&ops.get("/inventory/ledger.csv?warehouse=wh1&sku=A").await);
    assert_eq!(rows[0][..8], ["id", "at", "warehouse", "sku", "pool", "unit_status", "kind", "qty_delta"]);
    let deltas: Vec<&str> = rows[1..].iter().map(|r| r[7].as_str()).collect();
    assert_eq!(deltas, ["4", "5"], "newest first, only what the filters match");
    assert_eq!(ops.get("/inventory?cursor=not-a-cursor").await.status, 422);
}

/// A form's fields.
type Form<'a> = &'a [(&'a str, &'a str)];

/// Posts a stock form and follows the redirect back; answers the page's words.
async fn submit(b: &Browser, path: &str, form: &[(&str, &str)]) -> String {
    let a = b.post(path, form).await;
    assert_eq!(a.status, 303, "{}", a.body);
    text(&b.follow(&a).await.body)
}

async fn stock_forms_change_stock_and_bad_input_changes_nothing(t: TestApp) {
    t.basic_setup().await;
    let crew = t.signed_in(Role::Warehouse).await;
    let page = crew.get("/inventory").await;
    assert!(page.body.contains(r#"action="/inventory/grn""#) && page.body.contains(r#"action="/inventory/adjust""#));
    let nonce = nonce_of(&page.body);

    let grn = [("warehouse", "wh1"), ("sku", "A"), ("qty", "5"), ("pool", "QC_PASS"), ("nonce", nonce.as_str())];
    let words = submit(&crew, "/inventory/grn", &grn).await;
    assert!(words.contains("Received. A QC_PASS at wh1: on hand 5"), "{words}");
    assert_eq!(on_hand(&t, "A", "QC_PASS").await, (5, 0));
    // The same form sent again (a double click, a retry) counts once.
    let words = submit(&crew, "/inventory/grn", &grn).await;
    assert!(words.contains("on hand 5"), "{words}");
    assert_eq!(on_hand(&t, "A", "QC_PASS").await, (5, 0));

    let bad: &[(&str, Form, &str)] = &[
        ("/inventory/grn", &[("warehouse", "wh1"), ("sku", "A"), ("qty", "five")], "qty: 'five' is not a whole number"),
        ("/inventory/grn", &[("warehouse", "wh1"), ("sku", "A"), ("qty", "0")], "qty: must be a positive whole number"),
        ("/inventory/grn", &[("warehouse", "wh1"), ("sku", ""), ("qty", "2")], "sku: must not be empty"),
        (
            "/inventory/grn",
            &[("warehouse", "wh1"), ("sku", "A"), ("qty", "2"), ("pool", "QC_GOOD")],
            "pool: 'QC_GOOD' is not one of",
        ),
        (
            "/inventory/grn",
            &[("warehouse", "wh1"), ("sku", "A"), ("qty", "2"), ("inward_po", "NO-PO")],
            "inward_po: no inward PO 'NO-PO'",
        ),
        (
            "/inventory/move",
            &[("warehouse", "wh1"), ("sku", "A"), ("qty", "1"), ("from_pool", "QC_PASS"), ("to_pool", "QC_PASS")],
            "to_pool: must differ",
        ),
        (
            "/inventory/move",
            &[("warehouse", "wh1"), ("sku", "A"), ("qty", "9"), ("from_pool", "QC_PASS"), ("to_pool", "QC_FAIL")],
            "",
        ),
        (
            "/inventory/status",
            &[
                ("warehouse", "wh1"),
                ("sku", "A"),
                ("pool", "QC_PASS"),
                ("qty", "1"),
                ("from_status", "LIVE"),
                ("to_status", "LIVE"),
            ],
            "to_status: must differ",
        ),
        (
            "/inventory/adjust",
            &[("warehouse", "wh1"), ("sku", "A"), ("pool", "QC_PASS"), ("qty_delta", "-1"), ("reason", " ")],
            "reason: must say why",
        ),
        (
            "/inventory/adjust",
            &[("warehouse", "wh1"), ("sku", "A"), ("pool", "QC_PASS"), ("qty_delta", "1.5"), ("reason", "count")],
            "qty_delta: '1.5' is not a whole number",
        ),
    ];
    for (path, form, error) in bad {
        let a = crew.post(path, form).await;
        assert_eq!(a.status, 303, "{path} {form:?}: {}", a.body);
        let shown = crew.follow(&a).await;
        let problem = shown.body.split(r#"class="problem""#).nth(1).map(text).unwrap_or_default();
        assert!(!problem.is_empty() && problem.contains(error), "{path} {form:?}: {}", text(&shown.body));
        assert_eq!(on_hand(&t, "A", "QC_PASS").await, (5, 0), "{path} {form:?} changed nothing");
    }
    assert_eq!(on_hand(&t, "A", "QC_FAIL").await, (0, 0));

    let words = submit(
        &crew,
        "/inventory/move",
        &[("warehouse", "wh1"), ("sku", "A"), ("qty", "2"), ("from_pool", "QC_PASS"), ("to_pool", "QC_FAIL")],
    )
    .await;
    assert!(words.contains("Moved."), "{words}");
    assert_eq!((on_hand(&t, "A", "QC_PASS").await, on_hand(&t, "A", "QC_FAIL").await), ((3, 0), (2, 0)));
    let status = [
        ("warehouse", "wh1"),
        ("sku", "A"),
        ("pool", "QC_PASS"),
        ("qty", "1"),
        ("from_status", "LIVE"),
        ("to_status", "RECYCLE"),
    ];
    assert!(submit(&crew, "/inventory/status", &status).await.contains("Status changed."));
    assert_eq!(on_hand(&t, "A", "QC_PASS").await, (2, 1));
    let adjust = [("warehouse", "wh1"), ("sku", "A"), ("pool", "QC_PASS"), ("qty_delta", "-1"), ("reason", "cycle count")];
    let words = submit(&crew, "/inventory/adjust", &adjust).await;
    assert!(words.contains("Adjusted. A QC_PASS at wh1: on hand 1, recycle 1"), "{words}");
    assert_eq!(on_hand(&t, "A", "QC_PASS").await, (1, 1));
    let ledger = text(&crew.get("/inventory/ledger?sku=A").await.body);
    assert!(ledger.contains("ADJUST -1") && ledger.contains("cycle count"), "{ledger}");
}

async fn an_operator_may_not_change_stock(t: TestApp) {
    t.basic_setup().await;
    let ops = t.signed_in(Role::Operator).await;
    let page = ops.get("/inventory").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("/inventory/grn") && !page.body.contains("Change stock"), "no stock forms for an operator");
    let words = submit(&ops, "/inventory/grn", &[("warehouse", "wh1"), ("sku", "A"), ("qty", "5")]).await;
    assert!(words.contains("may not do this"), "{words}");
    assert_eq!(on_hand(&t, "A", "QC_PASS").await, (0, 0));
}

/// Scans `code` at the receiving station of `po`, with the nonce of the page `page`; answers the
/// new page.
async fn scan(b: &Browser, path: &str, page: &Answer, code: &str) -> Answer {
    let a = b.post(path, &[("scan", code), ("nonce", &nonce_of(&page.body)), ("fail_next", &fail_next(page))]).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a
}

fn fail_next(page: &Answer) -> String {
    if page.body.contains(r#"name="fail_next" value="1""#) { "1".into() } else { String::new() }
}

/// The large echo of the last scan.
fn echo(page: &Answer) -> String {
    let after = page.body.split(r#"class="scan-result "#).nth(1).unwrap_or_else(|| panic!("no scan result: {}", page.body));
    text(&after[..after.find("</div>").unwrap()])
}

async fn po_line(t: &TestApp, sku: &str) -> (i64, String) {
    let (_, po) = t.get("/api/v1/inward-pos/PO-1").await;
    let line = po["lines"].as_array().unwrap().iter().find(|l| l["sku"] == sku).unwrap().clone();
    (line["received"].as_i64().unwrap(), po["status"].as_str().unwrap().to_string())
}

async fn the_receiving_station_receives_one_unit_per_scan_against_the_po(t: TestApp) {
    t.basic_setup().await;
    assert_eq!(t.post("/api/v1/skus", json!({"sku": "A", "name": "Article A", "ean": "8901234567890"})).await.0, 200);
    let po = json!({"warehouse": "wh1", "po_number": "PO-1", "lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}]});
    assert_eq!(t.post("/api/v1/inward-pos", po).await.0, 201);
    let crew = t.signed_in(Role::Warehouse).await;

    let list = crew.get("/inward-pos").await;
    assert!(text(&list.body).contains("PO-1 wh1 OPEN 2 3 0"), "{}", text(&list.body));
    let rows = csv_rows(&crew.get("/inward-pos.csv").await);
    assert_eq!(rows[0][..6], ["po_number", "warehouse", "status", "sku", "ordered", "received"]);
    assert_eq!(rows[1..].iter().map(|r| r[3..6].join(" ")).collect::<Vec<_>>(), ["A 2 0", "B 1 0"]);
    let po_page = crew.get("/inward-pos/PO-1").await;
    assert!(po_page.body.contains(r#"href="/inward-pos/PO-1/receive""#));

    let station = "/inward-pos/PO-1/receive";
    let page = crew.get(station).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(r#"name="scan" data-scan autofocus autocomplete="off""#)
            && page.body.contains(r#"<label for="scan">"#)
    );
    assert!(text(&page.body).contains("ORDO-CMD:FAIL") && text(&page.body).contains("ORDO-CMD:DONE"), "the commands are shown");

    // The EAN of A: one unit into QC_PASS against the PO.
    let first = scan(&crew, station, &page, "8901234567890").await;
    let said = echo(&first);
    assert!(said.contains("8901234567890 — accepted: Received 1 × A into QC_PASS"), "{said}");
    assert!(said.contains("A: 1 of 2 received, 1 left") && said.contains("2 of 3 units left"), "{said}");
    assert_eq!((po_line(&t, "A").await, on_hand(&t, "A", "QC_PASS").await), ((1, "OPEN".into()), (1, 0)));
    // The same scan sent again (the scanner's retry, a reload) counts once and answers the same.
    let again = scan(&crew, station, &page, "8901234567890").await;
    assert_eq!(echo(&again), said);
    assert_eq!((po_line(&t, "A").await.0, on_hand(&t, "A", "QC_PASS").await), (1, (1, 0)));

    let unknown = scan(&crew, station, &again, "NOPE-123").await;
    assert!(echo(&unknown).contains("NOPE-123 — refused: Unknown code"), "{}", echo(&unknown));
    // FAIL first: the next unit goes into QC_FAIL.
    let fail = scan(&crew, station, &unknown, "ORDO-CMD:FAIL").await;
    assert_eq!(fail_next(&fail), "1");
    let failed = scan(&crew, station, &fail, "A").await;
    assert!(echo(&failed).contains("Received 1 × A into QC_FAIL"), "{}", echo(&failed));
    assert_eq!(fail_next(&failed), "", "only that one unit");
    assert_eq!((po_line(&t, "A").await.0, on_hand(&t, "A", "QC_FAIL").await), (2, (1, 0)));
    // More than ordered is refused, and nothing changes.
    let too_many = scan(&crew, station, &failed, "A").await;
    assert!(echo(&too_many).contains("refused") && echo(&too_many).contains("expects 0 more of SKU 'A'"), "{}", echo(&too_many));
    assert_eq!((po_line(&t, "A").await.0, on_hand(&t, "A", "QC_PASS").await), (2, (1, 0)));
    // An EAN two articles share names neither: the unit is not booked to a guess.
    for sku in ["B", "C"] {
        assert_eq!(t.post("/api/v1/skus", json!({"sku": sku, "name": "Shared", "ean": "4000000000001"})).await.0 / 100, 2);
    }
    let shared = scan(&crew, station, &too_many, "4000000000001").await;
    assert!(echo(&shared).contains("EAN '4000000000001' is on several articles (B, C): scan the SKU code"), "{}", echo(&shared));
    assert_eq!(po_line(&t, "B").await.0, 0);
    let last = scan(&crew, station, &shared, "B").await;
    assert!(echo(&last).contains("PO PO-1 is received in full (3 units) and CLOSED"), "{}", echo(&last));
    assert_eq!(po_line(&t, "B").await, (1, "CLOSED".into()));
    let finished = crew.post(station, &[("scan", "ORDO-CMD:DONE"), ("nonce", &nonce_of(&last.body))]).await;
    assert_eq!(finished.status, 303);
    assert!(text(&crew.follow(&finished).await.body).contains("Receiving finished: 3 of 3 units received."));

    // An operator may read the station but not receive.
    let ops = t.signed_in(Role::Operator).await;
    assert!(!ops.get("/inward-pos/PO-1").await.body.contains("/receive"), "no station link for an operator");
    let read_only = ops.get(station).await;
    assert!(read_only.status == 200 && !read_only.body.contains(r#"name="scan""#), "no scan input for an operator");
    let refused = ops.post(station, &[("scan", "A")]).await;
    assert!(echo(&refused).contains("may not do this"), "{}", echo(&refused));
    assert_eq!(crew.get("/inward-pos/NO-SUCH-PO/receive").await.status, 404);
}

/// Warehouse `wh1` with an AWB series and what documents need, SKU `A` with an EAN and 10 units,
/// and Ordo's own channel `web` — as the packing API tests set up.
async fn packing_setup(t: &TestApp) {
    let warehouse = json!({
        "code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited", "gstin": "27AAPFU0939F1ZV",
        "address": "Plot 4, MIDC, Andheri East, Mumbai", "pin": "400093",
        "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 700001},
    });
    assert_eq!(t.post("/api/v1/warehouses", warehouse).await.0, 201);
    let sku = json!({"sku": "A", "name": "Cotton Kurta", "ean": "8901234567890", "hsn": "6109", "tax_rate": "18.00", "weight_grams": 400});
    assert_eq!(t.post("/api/v1/skus", sku).await.0, 201);
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    grn(t, "wh1", "A", 10).await;
}

/// `n` orders of one unit, picked and packed through the API; answers (order id, shipment).
async fn packed_orders(t: &TestApp, prefix: &str, n: usize) -> Vec<(String, Value)> {
    let mut ids = Vec::new();
    for i in 0..n {
        let ship_to = json!({"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": "29", "pin": "560001", "phone": "+919800000000"});
        let body = json!({"channel": "web", "kind": "B2C", "channel_order_id": format!("{prefix}-{i}"), "ship_to": ship_to,
            "lines": [{"sku": "A", "qty": 1, "unit_price": "1180.00"}]});
        let (status, order) = t.post("/api/v1/orders", body).await;
        assert_eq!(status, 201, "{order}");
        ids.push(order["id"].as_str().unwrap().to_string());
    }
    let (status, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": ids})).await;
    assert_eq!(status, 201, "{picklist}");
    let path = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
    assert_eq!(t.post(&path, json!({"scan": "8901234567890", "qty": n})).await.0, 200);
    let mut out = Vec::new();
    for id in ids {
        let (status, body) = t.post(&format!("/api/v1/orders/{id}/pack"), json!({"weight_grams": 450})).await;
        assert_eq!(status, 201, "{body}");
        out.push((id, body["shipment"].clone()));
    }
    out
}

async fn manifests_take_awb_scans_are_handed_over_and_printed(t: TestApp) {
    packing_setup(&t).await;
    let orders = packed_orders(&t, "M", 2).await;
    let awb = |i: usize| orders[i].1["awb"].as_str().unwrap().to_string();
    let crew = t.signed_in(Role::Warehouse).await;
    let list = crew.get("/manifests").await;
    assert!(list.body.contains(r#"action="/manifests""#), "a New manifest form");

    // A new manifest takes every packed shipment of the warehouse and channel.
    let made = crew
        .post("/manifests", &[("warehouse", "wh1"), ("channel", "web"), ("carrier", ""), ("nonce", &nonce_of(&list.body))])
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let path = made.location.as_deref().unwrap().split('?').next().unwrap().to_string();
    let id = path.trim_start_matches("/manifests/").to_string();
    let page = crew.follow(&made).await;
    let words = text(&page.body);
    assert!(words.contains("made with 2 packed shipment(s)") && words.contains(&awb(0)) && words.contains("M-1"), "{words}");

    // Taken off: PACKED again; scanned back on.
    let sid = orders[1].1["id"].as_str().unwrap();
    let words = submit(&crew, &format!("{path}/shipments/{sid}/remove"), &[("nonce", &nonce_of(&page.body))]).await;
    assert!(words.contains("Taken off") && !words.contains(&awb(1)), "{words}");
    assert_eq!(t.get(&format!("/api/v1/shipments/{sid}")).await.1["status"], "PACKED");
    let page = crew.get(&path).await;
    assert!(page.body.contains(r#"name="scan" data-scan autofocus autocomplete="off""#));
    let scan_path = format!("{path}/scan");
    let added = scan(&crew, &scan_path, &page, &awb(1)).await;
    assert!(echo(&added).contains(&format!("{} — accepted: On manifest {id}", awb(1))), "{}", echo(&added));
    assert!(echo(&added).contains("2 shipment(s) on it now"));
    let again = scan(&crew, &scan_path, &page, &awb(1)).await;
    assert!(echo(&again).contains("2 shipment(s) on it now"), "a retried scan counts once: {}", echo(&again));

    // Refusals in words: no such AWB, on another manifest.
    let unknown = scan(&crew, &scan_path, &again, "NO-SUCH-AWB").await;
    assert!(echo(&unknown).contains("refused: Not added no shipment has AWB NO-SUCH-AWB"), "{}", echo(&unknown));
    let other = packed_orders(&t, "X", 1).await;
    let other_awb = other[0].1["awb"].as_str().unwrap().to_string();
    let (status, second) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web", "awbs": [other_awb]})).await;
    assert_eq!(status, 201, "{second}");
    let elsewhere = scan(&crew, &scan_path, &unknown, &other_awb).await;
    assert!(
        echo(&elsewhere).contains(&format!("is on manifest {} already", second["id"].as_str().unwrap())),
        "{}",
        echo(&elsewhere)
    );
    assert_eq!(t.get(&format!("/api/v1/manifests/{id}")).await.1["shipments"].as_array().unwrap().len(), 2);

    // The command barcode hands it over: HANDED_OVER, the orders DISPATCHED.
    let handed = scan(&crew, &scan_path, &elsewhere, "ORDO-CMD:HANDOVER").await;
    assert!(echo(&handed).contains(&format!("accepted: Manifest {id} HANDED_OVER")), "{}", echo(&handed));
    let words = text(&handed.body);
    assert!(words.contains("M-0 DISPATCHED web DISPATCHED") && words.contains("M-1 DISPATCHED"), "{words}");
    assert!(!handed.body.contains(r#"name="scan""#), "no more scans once handed over");
    for (order, _) in &orders {
        assert_eq!(t.get(&format!("/api/v1/orders/{order}")).await.1["status"], "DISPATCHED");
    }
    let words = submit(&crew, &format!("{path}/handover"), &[]).await;
    assert!(words.contains("HANDED_OVER"), "handing over again answers the same: {words}");

    // The PDF for the carrier, to the signed-in user.
    assert!(handed.body.contains(&format!(r#"href="{path}/manifest.pdf""#)));
    let (status, content_type, pdf) = crew.get_bytes(&format!("{path}/manifest.pdf")).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    let codes = barcodes(&pdf);
    assert!(codes.contains(&awb(0)) && codes.contains(&awb(1)), "the AWBs' barcodes: {codes:?}");

    // The list and its export as filtered.
    let rows = csv_rows(&crew.get("/manifests.csv?status=HANDED_OVER").await);
    assert_eq!(rows[0], ["id", "warehouse", "channel", "carrier", "status", "shipments", "created_at", "handed_over_at"]);
    assert_eq!(rows.len(), 2, "only the handed-over manifest: {rows:?}");
    assert_eq!((rows[1][0].as_str(), rows[1][4].as_str(), rows[1][5].as_str()), (id.as_str(), "HANDED_OVER", "2"));
    let open = text(&crew.get("/manifests?status=OPEN").await.body);
    assert!(open.contains(second["id"].as_str().unwrap()) && !open.contains("HANDED_OVER 2"), "{open}");
    assert_eq!(crew.get("/manifests?status=SHIPPED").await.status, 422);

    // Another client's manifest answers like a missing one.
    t.key("globex", Role::Admin).await;
    t.app.create_user("globex", "boss@globex.example", Role::Admin, Some("globex-password-1")).await.unwrap();
    let mut theirs = t.browser();
    assert_eq!(theirs.login("boss@globex.example", "globex-password-1").await.status, 303);
    assert_eq!((theirs.get(&path).await.status, theirs.get("/manifests/999999").await.status), (404, 404));
    assert_eq!(theirs.get_bytes(&format!("{path}/manifest.pdf")).await.0, 404);
}
