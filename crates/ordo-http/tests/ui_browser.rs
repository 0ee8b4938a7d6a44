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
);

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
