//! The operator UI in a real browser (headless Chromium through chromedriver): what a person at a
//! screen or a scanner station does, and axe-core's accessibility rules on every screen.

mod common;

use axum::Router;
use axum::extract::Query;
use axum::response::Html;
use axum::routing::get;
use common::browser::Browser;
use common::{TestApp, api_tests};
use ordo_domain::kinds::Role;
use serde_json::json;
use std::collections::HashMap;

api_tests!(
    an_operator_signs_in_finds_an_order_by_its_id_and_logs_out,
    a_search_for_an_unknown_id_says_so,
    retry_allocation_on_the_order_page_makes_the_order_fulfillable_once_stock_is_there,
    a_dashboard_tile_opens_the_orders_of_its_status_and_a_row_opens_the_order,
    the_list_form_and_report_screens_pass_the_accessibility_rules,
    a_packed_order_is_found_by_its_awb_and_its_channel_order_id_and_its_page_explains_it,
    a_failed_order_is_created_once_its_sku_is_mapped_by_an_uploaded_csv,
    a_picklist_is_released_picked_and_packed_by_typed_scans,
    the_warehouse_return_channel_erp_and_user_screens_pass_the_accessibility_rules,
    a_manifest_takes_a_scanned_awb_and_is_handed_over_by_its_command_barcode,
    the_stock_screens_pass_the_accessibility_rules,
);

const EAN_A: &str = "8901234567890";
const EAN_B: &str = "8901234567891";

/// A scanner station in one page: a scan field that has the focus, a quantity, and a line telling
/// the last scan, which the server writes when the form is sent.
async fn station(Query(q): Query<HashMap<String, String>>) -> Html<String> {
    let qty = q.get("qty").cloned().unwrap_or_else(|| "1".into());
    let result = match q.get("scan") {
        Some(scan) => format!("Scanned {qty} × {scan}"),
        None => "Nothing scanned yet".into(),
    };
    Html(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Station</title></head>
<body><main>
<h1>Station</h1>
<form method="get" action="/">
  <label for="scan">Scan</label> <input id="scan" name="scan" autofocus>
  <label for="qty">Quantity</label> <input id="qty" name="qty" value="{qty}">
  <button>Send</button>
</form>
<p id="result">{result}</p>
</main></body></html>"#
    ))
}

/// The same station with two critical accessibility faults: an image without a text alternative
/// and a field without a label.
async fn broken_station() -> Html<&'static str> {
    Html(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Station</title></head>
<body><main>
<h1>Station</h1>
<img id="logo" src="/logo.png">
<form method="get" action="/"><input id="unlabelled" name="scan"></form>
</main></body></html>"#,
    )
}

/// Serves the test pages on a free port; answers the base URL.
async fn serve_pages() -> String {
    let router = Router::new().route("/", get(station)).route("/broken", get(broken_station));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_scans_fills_waits_screenshots_and_checks_accessibility() {
    let browser = Browser::start(&serve_pages().await).await;

    // A scan lands in the field the page focused and Enter sends the form.
    browser.goto("/").await;
    browser.wait_text("#result", "Nothing scanned yet").await;
    browser.scan("ABC-123").await;
    browser.wait_text("#result", "Scanned 1 × ABC-123").await;
    assert_eq!(browser.path().await, "/?scan=ABC-123&qty=1");

    // A filled field goes with the next scan.
    browser.fill("qty", "3").await;
    browser.click("#scan").await;
    browser.scan("XYZ-9").await;
    browser.wait_text("#result", "Scanned 3 × XYZ-9").await;

    // The screenshot is a PNG of the whole window, written anew.
    let file = common::browser::target_dir().join("ui-screenshots/harness.png");
    let _ = std::fs::remove_file(&file);
    assert_eq!(browser.screenshot("harness").await, file);
    let png = std::fs::read(&file).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", file.display());
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 1280, "the window is 1280 pixels wide");

    // A page that follows the rules passes.
    assert!(browser.accessibility_violations().await.is_empty(), "{:?}", browser.accessibility_violations().await);
    browser.check_accessibility("the station").await;

    // A page that breaks them has every critical fault reported, with where it is.
    browser.goto("/broken").await;
    let violations = browser.accessibility_violations().await;
    let image = violations.iter().find(|v| v.id == "image-alt").unwrap_or_else(|| panic!("{violations:?}"));
    assert_eq!((image.impact.as_str(), image.targets.clone()), ("critical", vec!["#logo".to_string()]));
    let label = violations.iter().find(|v| v.id == "label").unwrap_or_else(|| panic!("{violations:?}"));
    assert_eq!((label.impact.as_str(), label.targets.clone()), ("critical", vec!["#unlabelled".to_string()]));

    // And the check that the UI tests use fails on it, naming each of them.
    let checked = tokio::spawn(async move { browser.check_accessibility("the broken station").await }).await;
    let panic = checked.expect_err("check_accessibility passes a page with critical violations").into_panic();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    for expected in ["the broken station (/broken)", "image-alt (critical)", "#logo", "label (critical)", "#unlabelled"] {
        assert!(message.contains(expected), "{expected:?} not in: {message}");
    }
}

/// An order `SO-1` of 2 × A on an internal channel `web` with no stock, so UNFULFILLABLE; its id.
async fn unfulfillable_order(t: &TestApp) -> String {
    t.basic_setup().await;
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    let order = json!({"channel": "web", "kind": "B2C", "channel_order_id": "SO-1", "warehouse": "wh1",
                       "lines": [{"sku": "A", "qty": 2}]});
    let (status, order) = t.post("/api/v1/orders", order).await;
    assert_eq!((status, order["status"].as_str()), (201, Some("UNFULFILLABLE")), "{order}");
    order["id"].as_str().unwrap().to_string()
}

/// Chromium on `t`'s Ordo, signed in through the login form as a new `acme` user with `role`.
async fn signed_in(t: &TestApp, role: Role) -> Browser {
    let (email, password) = t.user(&format!("{role}@acme.example"), role).await;
    let browser = Browser::start(&t.base).await;
    browser.sign_in(&email, &password).await;
    browser
}

async fn an_operator_signs_in_finds_an_order_by_its_id_and_logs_out(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    let (email, password) = t.user("ops@acme.example", Role::Operator).await;
    let browser = Browser::start(&t.base).await;

    // Without a session every screen sends the browser to the login form.
    browser.goto("/").await;
    browser.wait_path("/login").await;
    browser.check_accessibility("the login form").await;
    browser.sign_in(&email, &password).await;
    browser.wait_text("main h1", "Dashboard").await;
    browser.wait_text("header .who", "ops@acme.example").await;
    browser.wait_text("main .tile.busy", "UNFULFILLABLE").await;
    browser.check_accessibility("the dashboard").await;
    browser.screenshot("dashboard").await;

    // The search box on every screen opens the order its id names.
    browser.fill("q", &id).await;
    browser.click_button("Find").await;
    browser.wait_path(&format!("/orders/{id}")).await;
    browser.wait_text("main .status-line", &format!("UNFULFILLABLE web · B2C · Ordo id {id}")).await;
    browser.check_accessibility("the order page").await;
    browser.screenshot("sign-in-search-order").await;

    // Logging out ends the session: the login form again, and the screens stay closed.
    browser.click_button("Log out").await;
    browser.wait_path("/login").await;
    browser.wait_for("input[name=password]").await;
    browser.goto(&format!("/orders/{id}")).await;
    browser.wait_path("/login").await;
    browser.screenshot("log-out").await;
    browser.quit().await;
}

async fn a_search_for_an_unknown_id_says_so(t: TestApp) {
    unfulfillable_order(&t).await;
    let browser = signed_in(&t, Role::Warehouse).await;
    browser.fill("q", "NOPE-404").await;
    browser.click_button("Find").await;
    browser.wait_text("main", "No order has the id NOPE-404").await;
    assert_eq!(browser.path().await, "/search?q=NOPE-404");
    browser.check_accessibility("a search without a match").await;
    browser.screenshot("search-without-a-match").await;
    browser.quit().await;
}

async fn retry_allocation_on_the_order_page_makes_the_order_fulfillable_once_stock_is_there(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    let browser = signed_in(&t, Role::Operator).await;
    browser.goto(&format!("/orders/{id}")).await;
    browser.wait_text("main .status-line", "UNFULFILLABLE").await;
    let (status, body) = t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 5})).await;
    assert_eq!(status, 200, "{body}");
    browser.click_button("Retry allocation").await;
    browser.wait_text("main .notice", "Retried: the order is FULFILLABLE.").await;
    let status = browser.wait_for("main .status-line .status").await.text().await.unwrap();
    assert_eq!(status, "FULFILLABLE");
    browser.check_accessibility("the order page after an action").await;
    browser.screenshot("retry-allocation").await;
    browser.quit().await;
}

async fn a_dashboard_tile_opens_the_orders_of_its_status_and_a_row_opens_the_order(t: TestApp) {
    let id = unfulfillable_order(&t).await;
    let browser = signed_in(&t, Role::Operator).await;
    browser.wait_text("main .tile.busy", "UNFULFILLABLE").await.click().await.unwrap();
    browser.wait_path("/orders").await;
    assert_eq!(browser.path().await, "/orders?status=UNFULFILLABLE");
    let row = browser.wait_text("main table tbody tr", "SO-1").await;
    assert!(row.text().await.unwrap().contains("UNFULFILLABLE"), "the row shows the status");
    browser.check_accessibility("the orders list").await;
    browser.screenshot("orders-of-a-status").await;
    browser.wait_text("main table tbody a", &id).await.click().await.unwrap();
    browser.wait_path(&format!("/orders/{id}")).await;
    browser.wait_text("main .status-line", &format!("Ordo id {id}")).await;
    browser.quit().await;
}

async fn the_list_form_and_report_screens_pass_the_accessibility_rules(t: TestApp) {
    unfulfillable_order(&t).await;
    let browser = signed_in(&t, Role::Admin).await;
    let screens = [
        ("/failed-orders", "Failed orders"),
        ("/orders/new", "New B2B order"),
        ("/reports", "Reports"),
        ("/reports/order-status", "Order Status Report"),
        ("/reports/failed-orders", "Failed Order Report"),
        ("/reports/inventory", "Inventory report"),
    ];
    for (path, title) in screens {
        browser.goto(path).await;
        browser.wait_text("main h1", title).await;
        browser.check_accessibility(path).await;
    }
    browser.quit().await;
}

/// Warehouse `wh1` with what documents need and an AWB series from DL700001, SKUs `A` and `B`
/// with EANs and 5 units each, and an internal channel `web`.
async fn shipping_setup(t: &TestApp) {
    let warehouse = json!({
        "code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited", "gstin": "27AAPFU0939F1ZV",
        "address": "Plot 4, MIDC, Andheri East, Mumbai", "pin": "400093",
        "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 700001},
    });
    let (status, body) = t.post("/api/v1/warehouses", warehouse).await;
    assert_eq!(status, 201, "{body}");
    for (sku, ean) in [("A", EAN_A), ("B", EAN_B)] {
        let body = json!({"sku": sku, "name": format!("Article {sku}"), "ean": ean, "hsn": "6109", "tax_rate": "18.00", "weight_grams": 400});
        assert_eq!(t.post("/api/v1/skus", body).await.0, 201);
        let (status, body) = t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": sku, "qty": 5})).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
}

/// A FULFILLABLE B2C order `coid` on `web` of `lines` (SKU, units); its Ordo id.
async fn fulfillable_order(t: &TestApp, coid: &str, lines: &[(&str, i64)]) -> String {
    let lines: Vec<serde_json::Value> =
        lines.iter().map(|(sku, qty)| json!({"sku": sku, "qty": qty, "unit_price": "1180.00"})).collect();
    let ship_to = json!({"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": "29", "pin": "560001", "phone": "+919800000000"});
    let body = json!({"channel": "web", "kind": "B2C", "channel_order_id": coid, "ship_to": ship_to, "lines": lines});
    let (status, order) = t.post("/api/v1/orders", body).await;
    assert_eq!((status, order["status"].as_str()), (201, Some("FULFILLABLE")), "{order}");
    order["id"].as_str().unwrap().to_string()
}

/// An order `coid` of 1 × A picked and packed through the API; its id and its shipment's AWB.
async fn packed_order(t: &TestApp, coid: &str) -> (String, String) {
    let id = fulfillable_order(t, coid, &[("A", 1)]).await;
    let (status, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [id]})).await;
    assert_eq!(status, 201, "{picklist}");
    let scans = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
    assert_eq!(t.post(&scans, json!({"scan": "A"})).await.0, 200);
    let (status, packed) = t.post(&format!("/api/v1/orders/{id}/pack"), json!({})).await;
    assert_eq!(status, 201, "{packed}");
    (id, packed["shipment"]["awb"].as_str().unwrap().to_string())
}

/// Opens the screen `href` by its link in the navigation, as a person does.
async fn open_screen(browser: &Browser, href: &str) {
    browser.click(&format!("nav.screens a[href={href:?}]")).await;
    browser.wait_path(href).await;
}

async fn a_packed_order_is_found_by_its_awb_and_its_channel_order_id_and_its_page_explains_it(t: TestApp) {
    shipping_setup(&t).await;
    let (id, awb) = packed_order(&t, "W-7").await;
    assert_eq!(awb, "DL700001");
    let (status, explain) = t.get(&format!("/api/v1/orders/{id}/explain")).await;
    assert_eq!(status, 200, "{explain}");
    let summary = explain["summary"].as_str().unwrap().to_string();
    assert!(!summary.is_empty(), "{explain}");
    let browser = signed_in(&t, Role::Operator).await;
    for q in [awb.as_str(), "W-7"] {
        open_screen(&browser, "/orders").await;
        browser.fill("q", q).await;
        browser.click_button("Find").await;
        browser.wait_path(&format!("/orders/{id}")).await;
        browser.wait_text("main h1", "Order W-7").await;
        browser.wait_text("main .status-line", &format!("PACKED web · B2C · Ordo id {id}")).await;
        // The explain summary the API gives, in words on the page.
        let shown = browser.wait_for("main .summary").await.text().await.unwrap();
        assert_eq!(shown, summary, "searching {q}");
        browser.wait_text("main", "AWB DL700001").await;
    }
    browser.check_accessibility("the order page of a packed order").await;
    browser.screenshot("search-by-awb-and-channel-order-id").await;
    browser.quit().await;
}

async fn a_failed_order_is_created_once_its_sku_is_mapped_by_an_uploaded_csv(t: TestApp) {
    t.basic_setup().await;
    assert_eq!(t.post("/api/v1/channels", json!({"code": "shop", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    let order = json!({"channel": "shop", "kind": "B2C", "channel_order_id": "F-1", "lines": [{"channel_sku": "X1", "qty": 1}]});
    let (status, failed) = t.post("/api/v1/orders", order).await;
    assert_eq!(status, 202, "an order naming an unmapped channel SKU is kept as failed: {failed}");
    let browser = signed_in(&t, Role::Operator).await;
    open_screen(&browser, "/failed-orders").await;
    browser.wait_text("main table tbody tr", "F-1").await;
    browser.wait_text("main table tbody tr", "X1").await;

    // A pasted line naming a SKU that does not exist: the line is refused with its number, and
    // the order stays failed.
    browser.fill("csv", "shop,X1,NOPE").await;
    browser.click_button("Upload and retry").await;
    let notice = browser.wait_text("main .notice", "Mappings created").await.text().await.unwrap();
    assert_eq!(notice, "Mappings created: 0, updated: 0.", "nothing to retry with no mapping made");
    let refused = browser.wait_text("main .problem li", "line 1: sku").await.text().await.unwrap();
    assert!(refused.contains("NOPE"), "{refused}");
    browser.check_accessibility("an upload with a refused line").await;

    // The right mapping as a file chosen in the file input: the order is created.
    let dir = common::browser::target_dir().join("tmp");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("mappings-{}.csv", std::process::id()));
    std::fs::write(&file, "channel,channel_sku,sku\nshop,X1,A\n").unwrap();
    browser.fill("csv", "").await;
    browser.wait_for("input[name=file]").await.send_keys(file.display().to_string()).await.unwrap();
    browser.click_button("Upload and retry").await;
    browser
        .wait_text("main .notice", "Mappings created: 1, updated: 0. Retried the failed orders: 1 created, 0 still failed.")
        .await;
    browser.wait_text("main section", "No failed orders.").await;
    std::fs::remove_file(&file).unwrap();
    browser.screenshot("failed-order-mapped-by-csv").await;

    // The order exists: its channel order id opens its page, with the mapped SKU.
    let created = t.get("/api/v1/orders?q=F-1").await.1["items"][0].clone();
    assert_eq!(created["lines"][0]["sku"], "A", "{created}");
    let id = created["id"].as_str().unwrap();
    browser.fill("q", "F-1").await;
    browser.click_button("Find").await;
    browser.wait_path(&format!("/orders/{id}")).await;
    // No stock of A in the warehouse, so it waits for some.
    browser.wait_text("main .status-line", &format!("UNFULFILLABLE shop · B2C · Ordo id {id}")).await;
    browser.quit().await;
}

/// Types `code` into the station's scan field, waits for the echo of that scan (`accepted` or
/// `refused`), checks that it says `says` (white space as a person reads it), and that the scan
/// field has the focus again.
async fn station_scan(browser: &Browser, code: &str, verdict: &str, says: &str) {
    browser.scan(code).await;
    // Each scan of a flow is a different code, so the echo naming it is the new page's.
    let echo = browser.wait_text(&format!("main .scan-result.{verdict}"), &format!("{code} — ")).await;
    let shown = echo.text().await.unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(shown.starts_with(&format!("{code} — ")) && shown.contains(says), "the echo of {code:?} says {says:?}: {shown}");
    browser.wait_focused("input[data-scan]").await;
}

async fn a_picklist_is_released_picked_and_packed_by_typed_scans(t: TestApp) {
    shipping_setup(&t).await;
    let id = fulfillable_order(&t, "W-1", &[("A", 2), ("B", 1)]).await;
    let browser = signed_in(&t, Role::Warehouse).await;

    // Released on the picklists screen.
    open_screen(&browser, "/picklists").await;
    browser.click_button("Release picklist").await;
    let released = browser.wait_text("main .notice", "Released picklist").await.text().await.unwrap();
    let path = browser.path().await;
    let list = path.strip_prefix("/picklists/").unwrap().split('?').next().unwrap().to_string();
    assert_eq!(released, format!("Released picklist {list}: 1 orders, 3 units to pick."));
    assert_eq!(t.get(&format!("/api/v1/picklists/{list}")).await.1["orders"], json!([id]));

    // Picked: the picklist's number opens it, then each unit by SKU or EAN.
    open_screen(&browser, "/stations/pick").await;
    browser.wait_focused("input[data-scan]").await;
    browser.check_accessibility("the pick station").await;
    station_scan(&browser, "424242", "refused", "No picklist 424242").await;
    station_scan(&browser, &list, "accepted", &format!("Picklist {list} open 3 units to pick")).await;
    station_scan(&browser, "A", "accepted", &format!("Picked 1 × A for order W-1 (Ordo id {id}) 1 more A to pick")).await;
    station_scan(&browser, "ZZZ", "refused", "nothing to pick for ZZZ").await;
    station_scan(&browser, EAN_A, "accepted", "No more A to pick").await;
    station_scan(&browser, EAN_B, "accepted", &format!("Picked 1 × B for order W-1 (Ordo id {id})")).await;
    browser.wait_text("main h2", &format!("Picklist {list}: ")).await;
    browser.wait_text("main h2", "0 units still to pick").await;
    browser.check_accessibility("the pick station with a picklist open").await;
    browser.screenshot("pick-station").await;
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "PICKED");

    // Packed: the channel order id opens the order, each unit is checked, the last one packs.
    open_screen(&browser, "/stations/pack").await;
    browser.wait_focused("input[data-scan]").await;
    browser.check_accessibility("the pack station").await;
    station_scan(&browser, "W-1", "accepted", &format!("Packing order W-1 (Ordo id {id})")).await;
    station_scan(&browser, "ZZZ", "refused", "ZZZ is not an article of order W-1").await;
    station_scan(&browser, EAN_A, "accepted", "Still to scan: 1 × A, 1 × B.").await;
    station_scan(&browser, "A", "accepted", "Still to scan: 1 × B.").await;
    station_scan(&browser, "B", "accepted", "Packed order W-1: AWB DL700001").await;
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "PACKED");
    let (_, shipments) = t.get("/api/v1/shipments").await;
    let shipment = shipments["items"][0]["id"].to_string().trim_matches('"').to_string();
    assert_eq!(browser.wait_text("main dd.big", "DL700001").await.text().await.unwrap(), "DL700001");
    let invoice = browser.wait_text("main a", "Open the invoice to print").await;
    assert_eq!(invoice.attr("href").await.unwrap(), Some(format!("/shipments/{shipment}/invoice.pdf")));
    let label = browser.wait_text("main a", "Open the label to print").await;
    assert_eq!(label.attr("href").await.unwrap(), Some(format!("/shipments/{shipment}/label.pdf")));
    browser.check_accessibility("the pack station with a packed shipment").await;
    browser.screenshot("pack-station").await;
    browser.quit().await;
}

async fn the_warehouse_return_channel_erp_and_user_screens_pass_the_accessibility_rules(t: TestApp) {
    shipping_setup(&t).await;
    let id = fulfillable_order(&t, "W-1", &[("A", 1)]).await;
    let (status, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [id]})).await;
    assert_eq!(status, 201, "{picklist}");
    let list = picklist["id"].as_str().unwrap();
    let browser = signed_in(&t, Role::Admin).await;
    let picklist_page = format!("/picklists/{list}");
    let screens = [
        ("/picklists", "Picklists"),
        (picklist_page.as_str(), list),
        ("/returns", "Returns"),
        ("/stations/qc", "Return QC"),
        ("/channels", "Channels"),
        ("/channels/web", "web"),
        ("/erp", "ERP"),
        ("/users", "Users"),
    ];
    for (path, title) in screens {
        browser.goto(path).await;
        browser.wait_text("main h1", title).await;
        browser.check_accessibility(path).await;
    }
    browser.quit().await;
}

async fn a_manifest_takes_a_scanned_awb_and_is_handed_over_by_its_command_barcode(t: TestApp) {
    shipping_setup(&t).await;
    let (first, first_awb) = packed_order(&t, "M-1").await;
    let browser = signed_in(&t, Role::Warehouse).await;

    // A new manifest for the warehouse and channel takes the shipment packed so far.
    open_screen(&browser, "/manifests").await;
    browser.wait_text("main section", "No manifests match.").await;
    browser.check_accessibility("the manifests list").await;
    browser.click_button("New manifest").await;
    let made = browser.wait_text("main .notice", "made with").await.text().await.unwrap();
    let path = browser.path().await;
    let id = path.strip_prefix("/manifests/").unwrap().split('?').next().unwrap().to_string();
    assert_eq!(made, format!("Manifest {id} made with 1 packed shipment(s); scan AWBs to add more."));
    browser.wait_text("main .status-line", "OPEN warehouse wh1 · channel web").await;
    browser.wait_text("main table tbody tr", &first_awb).await;
    browser.wait_focused("input[data-scan]").await;
    browser.check_accessibility("an open manifest").await;

    // A shipment packed afterwards is added by scanning its AWB; an unknown AWB is refused.
    let (second, second_awb) = packed_order(&t, "M-2").await;
    station_scan(&browser, "NO-SUCH-AWB", "refused", "Not added no shipment has AWB NO-SUCH-AWB").await;
    station_scan(&browser, &second_awb, "accepted", &format!("On manifest {id} 2 shipment(s) on it now.")).await;
    browser.wait_text("main table tbody tr", &second_awb).await;
    assert_eq!(t.get(&format!("/api/v1/manifests/{id}")).await.1["shipments"].as_array().unwrap().len(), 2);

    // The command barcode hands it over: HANDED_OVER, and its orders DISPATCHED.
    browser.scan("ORDO-CMD:HANDOVER").await;
    let echo = browser.wait_text("main .scan-result.accepted", "ORDO-CMD:HANDOVER — ").await.text().await.unwrap();
    let echo = echo.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        echo,
        format!("ORDO-CMD:HANDOVER — accepted: Manifest {id} HANDED_OVER 2 shipment(s) handed over to the carrier: DISPATCHED.")
    );
    browser.wait_text("main .status-line .status", "HANDED_OVER").await;
    for awb in [&first_awb, &second_awb] {
        let row = browser.wait_text("main table tbody tr", awb).await.text().await.unwrap();
        assert!(row.contains("DISPATCHED"), "{row}");
    }
    for order in [&first, &second] {
        assert_eq!(t.get(&format!("/api/v1/orders/{order}")).await.1["status"], "DISPATCHED");
    }
    browser.check_accessibility("a handed-over manifest").await;
    browser.screenshot("manifest-handover").await;
    // The order's page says so too.
    browser.click(&format!("main table tbody a[href=\"/orders/{first}\"]")).await;
    browser.wait_path(&format!("/orders/{first}")).await;
    browser.wait_text("main .status-line .status", "DISPATCHED").await;
    browser.quit().await;
}

async fn the_stock_screens_pass_the_accessibility_rules(t: TestApp) {
    shipping_setup(&t).await;
    let po = json!({"warehouse": "wh1", "po_number": "PO-1", "lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}]});
    assert_eq!(t.post("/api/v1/inward-pos", po).await.0, 201);
    let browser = signed_in(&t, Role::Warehouse).await;
    let screens = [
        ("/inventory", "Inventory"),
        ("/inventory?warehouse=wh1&sku=A", "Inventory"),
        ("/inventory/ledger?warehouse=wh1&sku=A", "Inventory ledger"),
        ("/inward-pos", "Inward POs"),
        ("/inward-pos/PO-1", "Inward PO PO-1"),
        ("/inward-pos/PO-1/receive", "Receive PO-1"),
    ];
    for (path, title) in screens {
        browser.goto(path).await;
        browser.wait_text("main h1", title).await;
        browser.check_accessibility(path).await;
    }
    browser.quit().await;
}
