//! The returns, QC station, channels, ERP and users screens over plain HTTP, on both databases:
//! lists and their CSV exports, a return received by typed scans (a retried final submit receiving
//! once), credentials that are never shown back, sync and pause, dead letters replayed, and users
//! added, signed in and disabled.

mod common;

use common::marketplace;
use common::ui::{Answer, Browser, text};
use common::{TestApp, api_tests};
use ordo_channels::{MarketplaceLine, MarketplaceOrder};
use ordo_domain::kinds::{ChannelType, Role};
use ordo_sim::erp::{ErpSimConfig, RunningErp};
use reqwest::Method;
use serde_json::{Value, json};

api_tests!(
    the_returns_list_filters_exports_and_opens_a_return,
    a_return_is_expected_by_hand_from_the_returns_screen,
    the_qc_station_receives_a_return_by_scans_once,
    the_qc_station_refuses_what_does_not_belong,
    channel_credentials_are_stored_but_never_shown_back,
    a_channel_is_synced_now_paused_and_resumed,
    dead_letters_are_replayed_one_and_all,
    an_admin_adds_a_user_who_signs_in_and_is_disabled,
);

/// Warehouse `wh1` able to ship, SKU `A` (EAN 8901234567890) with 20 units, channel `web`.
async fn shipping_setup(t: &TestApp) {
    let warehouse = json!({"code": "wh1", "name": "Main", "legal_name": "Acme Retail Private Limited", "gstin": "27AAPFU0939F1ZV",
        "address": "Plot 4, MIDC, Mumbai", "pin": "400093", "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 1}});
    assert_eq!(t.post("/api/v1/warehouses", warehouse).await.0, 201);
    let sku = json!({"sku": "A", "name": "Cotton Kurta", "ean": "8901234567890", "hsn": "6109", "tax_rate": "5.00"});
    assert_eq!(t.post("/api/v1/skus", sku).await.0, 201);
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 20})).await.0, 200);
}

/// An order `coid` of `qty` × A picked, packed and handed over; its id.
async fn dispatched(t: &TestApp, coid: &str, qty: i64) -> String {
    let body = json!({"channel": "web", "kind": "B2C", "channel_order_id": coid, "lines": [{"sku": "A", "qty": qty, "unit_price": "500.00"}],
        "ship_to": {"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": "29", "pin": "560001"}});
    let (status, o) = t.post("/api/v1/orders", body).await;
    assert_eq!(status, 201, "{o}");
    let id = o["id"].as_str().unwrap().to_string();
    let (_, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": [id]})).await;
    let path = format!("/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap());
    assert_eq!(t.post(&path, json!({"scan": "A", "qty": qty})).await.0, 200);
    assert_eq!(t.post(&format!("/api/v1/orders/{id}/pack"), json!({})).await.0, 201);
    let (_, manifest) = t.post("/api/v1/manifests", json!({"warehouse": "wh1", "channel": "web"})).await;
    assert_eq!(t.post(&format!("/api/v1/manifests/{}/handover", manifest["id"].as_str().unwrap()), json!({})).await.0, 200);
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1["status"], "DISPATCHED");
    id
}

/// A return expected through the API; its id.
async fn expected_return(t: &TestApp, order_id: &str, kind: &str, awb: &str, qty: i64) -> String {
    let body = json!({"order_id": order_id, "kind": kind, "awb": awb, "lines": [{"sku": "A", "qty": qty}]});
    let (status, r) = t.post("/api/v1/returns", body).await;
    assert_eq!(status, 201, "{r}");
    r["id"].as_str().unwrap().to_string()
}

/// The CSV's rows (header first), split on commas (the test data has none inside fields).
fn csv_rows(a: &Answer) -> Vec<Vec<String>> {
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.content_type.starts_with("text/csv"), "{}", a.content_type);
    a.body.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

async fn the_returns_list_filters_exports_and_opens_a_return(t: TestApp) {
    shipping_setup(&t).await;
    let first = dispatched(&t, "W-1", 2).await;
    let second = dispatched(&t, "W-2", 1).await;
    let customer = expected_return(&t, &first, "CUSTOMER_RETURN", "RT-100", 2).await;
    let rto = expected_return(&t, &second, "RTO", "RT-200", 1).await;
    let b = t.signed_in(Role::Operator).await;
    let all = b.get("/returns").await;
    assert_eq!(all.status, 200);
    let page = text(&all.body);
    assert!(
        page.contains("RT-100") && page.contains("RT-200") && page.contains("CUSTOMER_RETURN") && page.contains("EXPECTED"),
        "{page}"
    );
    assert!(all.body.contains(r#"name="q""#), "the search box");
    let only_rto = text(&b.get("/returns?kind=RTO").await.body);
    assert!(only_rto.contains("RT-200") && !only_rto.contains("RT-100"), "{only_rto}");
    let of_order = text(&b.get(&format!("/returns?order_id={first}")).await.body);
    assert!(of_order.contains("RT-100") && !of_order.contains("RT-200"), "{of_order}");
    // The CSV holds exactly what the filters show.
    let filtered = b.get("/returns?kind=RTO").await.body;
    assert!(filtered.contains(r#"href="/returns.csv?kind=RTO" download hx-boost="false""#), "a download, not a boosted swap");
    let rows = csv_rows(&b.get("/returns.csv?kind=RTO").await);
    assert_eq!(rows[0][..6], ["id", "order_id", "channel", "kind", "status", "awb"]);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][..7], [rto.as_str(), second.as_str(), "web", "RTO", "EXPECTED", "RT-200", "1"]);
    assert_eq!(csv_rows(&b.get("/returns.csv").await).len(), 3);
    assert_eq!(csv_rows(&b.get("/returns.csv?status=RECEIVED").await).len(), 1, "the header alone");
    // A filter that is not a status word is refused, saying which words are.
    let bad = b.get("/returns?status=LOST").await;
    assert_eq!(bad.status, 422);
    assert!(text(&bad.body).contains("EXPECTED, RECEIVED, CLOSED, CANCELLED"), "{}", text(&bad.body));
    // The return's page: its order, kind, AWB and lines; a credit note once recorded.
    let receive = format!("/api/v1/returns/{customer}/receive");
    assert_eq!(t.post(&receive, json!({"lines": [{"sku": "A", "qc_pass": 1, "qc_fail": 0}]})).await.0, 200);
    let note = json!({"credit_note_number": "CN-1", "credit_note_date": "2026-12-01", "amount": "500.00"});
    assert_eq!(t.post(&format!("/api/v1/returns/{customer}/credit-note"), note).await.0, 200);
    let one = b.get(&format!("/returns/{customer}")).await;
    assert_eq!(one.status, 200);
    let page = text(&one.body);
    assert!(page.contains("CLOSED") && page.contains("CUSTOMER_RETURN") && page.contains("RT-100"), "{page}");
    assert!(page.contains("A 2 1 1 0 1"), "expected, received, passed, failed, missing: {page}");
    assert!(page.contains("MISSING") && page.contains("CN-1") && page.contains("500.00"), "{page}");
    assert!(one.body.contains(&format!(r#"href="/orders/{first}""#)));
    // Another client's return answers like a missing one.
    t.key("globex", Role::Admin).await;
    t.app.create_user("globex", "boss@globex.example", Role::Admin, Some("globex-password-1")).await.unwrap();
    let mut other = t.browser();
    other.login("boss@globex.example", "globex-password-1").await;
    assert_eq!((other.get(&format!("/returns/{customer}")).await.status, other.get("/returns/999999").await.status), (404, 404));
    assert!(!text(&other.get("/returns").await.body).contains("RT-100"));
}

async fn a_return_is_expected_by_hand_from_the_returns_screen(t: TestApp) {
    shipping_setup(&t).await;
    let id = dispatched(&t, "W-1", 3).await;
    let b = t.signed_in(Role::Operator).await;
    assert!(b.get("/returns").await.body.contains(r#"action="/returns/new""#), "the Expect a return form");
    let form = b.get(&format!("/returns/new?order_id={id}")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"name="qty:A""#) && form.body.contains(r#"value="3""#), "the dispatched units offered");
    // Too many units: refused with the app's reason, nothing expected.
    let refused = b.post("/returns/new", &[("order_id", &id), ("kind", "RTO"), ("qty:A", "4")]).await;
    let shown = b.follow(&refused).await;
    assert!(text(&shown.body).contains("lines"), "{}", text(&shown.body));
    assert_eq!(t.get("/api/v1/returns").await.1["items"].as_array().unwrap().len(), 0);
    let made = b.post("/returns/new", &[("order_id", &id), ("kind", "RTO"), ("awb", "DL-BACK-1"), ("qty:A", "2")]).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let page = text(&b.follow(&made).await.body);
    assert!(page.contains("Expected: return") && page.contains("EXPECTED") && page.contains("DL-BACK-1"), "{page}");
    let (_, listed) = t.get("/api/v1/returns").await;
    assert_eq!((listed["items"][0]["kind"].as_str(), listed["items"][0]["lines"][0]["qty"].as_i64()), (Some("RTO"), Some(2)));
    // The crew reads returns but can't expect one.
    let crew = t.signed_in(Role::Warehouse).await;
    assert!(!crew.get("/returns").await.body.contains(r#"action="/returns/new""#));
    let no = crew.post("/returns/new", &[("order_id", &id), ("kind", "RTO"), ("qty:A", "1")]).await;
    assert!(text(&crew.follow(&no).await.body).contains("may not do this"));
}

/// The value of the hidden input `name` in a station page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in {html}")) + marker.len();
    let raw = &html[start..start + html[start..].find('"').unwrap()];
    raw.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The form a station page posts: its state and `code`.
fn station_form(page: &str, code: &str) -> Vec<(String, String)> {
    let mut form = vec![("scan".to_string(), code.to_string())];
    for name in ["ret", "counts", "unit", "confirm", "nonce"] {
        form.push((name.to_string(), hidden(page, name)));
    }
    form
}

async fn post_form(b: &Browser, form: &[(String, String)]) -> Answer {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let a = b.post("/stations/qc", &pairs).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a
}

/// Scans `code` at the station showing `page`; the next page.
async fn scan(b: &Browser, page: &str, code: &str) -> String {
    post_form(b, &station_form(page, code)).await.body
}

/// The large-type answer to the last scan.
fn result(page: &str) -> String {
    let start = page.find(r#"class="scan-result"#).unwrap_or_else(|| panic!("no scan result in {page}"));
    text(&page[start..start + page[start..].find("</p>").unwrap()])
}

async fn the_qc_station_receives_a_return_by_scans_once(t: TestApp) {
    shipping_setup(&t).await;
    let order = dispatched(&t, "W-1", 3).await;
    let rid = expected_return(&t, &order, "CUSTOMER_RETURN", "RT-9", 3).await;
    let b = t.signed_in(Role::Warehouse).await;
    let page = b.get("/stations/qc").await.body;
    assert!(page.contains(r#"name="scan" data-scan autofocus autocomplete="off""#) && page.contains(r#"<label for="scan">"#));
    for command in ["ORDO-CMD:PASS", "ORDO-CMD:FAIL", "ORDO-CMD:DONE", "ORDO-CMD:CANCEL"] {
        assert!(text(&page).contains(command), "the command codes are on the page");
    }
    // The return's page links to the station, which opens it.
    let linked = b.get(&format!("/returns/{rid}")).await.body;
    assert!(linked.contains(&format!(r#"href="/stations/qc?return={rid}""#)));
    let opened = b.get(&format!("/stations/qc?return={rid}")).await.body;
    assert!(result(&opened).contains(&format!("Return {rid} of order {order} is open")), "{}", result(&opened));
    assert_eq!(hidden(&opened, "ret"), rid);
    // The AWB opens the return, listing its units.
    let page = scan(&b, &page, "RT-9").await;
    assert!(page.contains("scan-result accepted"));
    assert!(result(&page).contains(&format!("Return {rid} of order {order} is open")), "{}", result(&page));
    assert!(text(&page).contains("A 3 0 0 3"), "expected, passed, failed, left: {}", text(&page));
    // A unit by SKU, then PASS; a retried PASS (the same form again) counts once.
    let page = scan(&b, &page, "A").await;
    assert!(result(&page).contains("A: pass or fail?"), "{}", result(&page));
    let pass = station_form(&page, "ORDO-CMD:PASS");
    let page = post_form(&b, &pass).await.body;
    let again = post_form(&b, &pass).await.body;
    assert!(result(&page).contains("A: passed QC") && result(&page).contains("2 units left"), "{}", result(&page));
    assert_eq!(result(&again), result(&page), "the retried scan answers the same");
    assert_eq!(hidden(&again, "counts"), hidden(&page, "counts"));
    assert!(text(&page).contains("A 3 1 0 2"), "{}", text(&page));
    // A unit by its EAN, then FAIL.
    let page = scan(&b, &page, "8901234567890").await;
    assert!(result(&page).contains("A: pass or fail?"));
    let page = scan(&b, &page, "ORDO-CMD:FAIL").await;
    assert!(text(&page).contains("A 3 1 1 1"), "{}", text(&page));
    // DONE with a unit unscanned asks again, saying it will be missing; nothing is received yet.
    let page = scan(&b, &page, "ORDO-CMD:DONE").await;
    assert!(page.contains("scan-result refused"));
    assert!(result(&page).contains("1 units not scanned") && result(&page).contains("missing"), "{}", result(&page));
    assert_eq!(t.get(&format!("/api/v1/returns/{rid}")).await.1["status"], "EXPECTED");
    let before_done = page.clone();
    let passed_before = t.stock("A", "QC_PASS").await["on_hand"].as_i64().unwrap();
    let done = station_form(&page, "ORDO-CMD:DONE");
    let page = post_form(&b, &done).await.body;
    assert!(result(&page).contains(&format!("Received: return {rid}")), "{}", result(&page));
    assert!(result(&page).contains("1 passed QC, 1 failed QC, 1 missing"), "{}", result(&page));
    let (_, got) = t.get(&format!("/api/v1/returns/{rid}")).await;
    assert_eq!(got["status"], "RECEIVED");
    assert_eq!(
        (got["lines"][0]["qc_pass"].as_i64(), got["lines"][0]["qc_fail"].as_i64(), got["lines"][0]["missing"].as_i64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"].as_i64(), Some(passed_before + 1), "the passed unit is back in stock");
    // The final submit retried: the first receipt answers again, nothing received twice.
    let retried = post_form(&b, &done).await.body;
    assert!(result(&retried).contains(&format!("Received: return {rid}")), "{}", result(&retried));
    // The same DONE from another form (another nonce): already received, with the result.
    let mut other = station_form(&before_done, "ORDO-CMD:DONE");
    other.iter_mut().find(|(k, _)| k == "nonce").unwrap().1 = "another0nonce".into();
    let already = post_form(&b, &other).await.body;
    assert!(already.contains("scan-result accepted"), "not an error page");
    assert!(result(&already).contains(&format!("Already received: return {rid}")), "{}", result(&already));
    assert!(result(&already).contains("1 passed QC, 1 failed QC, 1 missing"));
    assert_eq!(t.stock("A", "QC_PASS").await["on_hand"].as_i64(), Some(passed_before + 1), "received once");
    assert_eq!(t.stock("A", "QC_FAIL").await["on_hand"], 1);
    // Scanning the AWB again says it is received already.
    let page = scan(&b, &b.get("/stations/qc").await.body, "RT-9").await;
    assert!(result(&page).contains("RECEIVED already"), "{}", result(&page));
}

async fn the_qc_station_refuses_what_does_not_belong(t: TestApp) {
    shipping_setup(&t).await;
    assert_eq!(t.post("/api/v1/skus", json!({"sku": "B", "name": "Scarf"})).await.0, 201);
    let order = dispatched(&t, "W-1", 1).await;
    let rid = expected_return(&t, &order, "RTO", "RT-1", 1).await;
    // The app finds a parcel's return by its AWB, for this client only.
    let crew = t.caller(Role::Warehouse).await;
    let found = t.app.returns_by_parcel_code(&crew, " RT-1 ").await.unwrap();
    assert_eq!(found.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [rid.as_str()]);
    assert!(t.app.returns_by_parcel_code(&crew, "RT-").await.unwrap().is_empty(), "the whole code, not a prefix");
    let globex = t.key("globex", Role::Admin).await;
    let theirs = ordo_app::Caller { principal: t.app.authenticate(&globex).await.unwrap().unwrap(), idempotency: None };
    assert!(t.app.returns_by_parcel_code(&theirs, "RT-1").await.unwrap().is_empty(), "not another client's");
    let b = t.signed_in(Role::Warehouse).await;
    let start = b.get("/stations/qc").await.body;
    let page = scan(&b, &start, "NO-SUCH-AWB").await;
    assert!(page.contains("scan-result refused") && result(&page).contains("No return expected"), "{}", result(&page));
    let page = scan(&b, &start, "ORDO-CMD:PASS").await;
    assert!(result(&page).contains("No return open"));
    // The order's id opens its expected return too.
    let page = scan(&b, &start, &order).await;
    assert!(result(&page).contains(&format!("Return {rid}")), "{}", result(&page));
    for (code, why) in [("B", "Not in return"), ("ORDO-CMD:PASS", "No unit scanned"), ("ORDO-CMD:JUMP", "Unknown command")] {
        let refused = scan(&b, &page, code).await;
        assert!(refused.contains("scan-result refused") && result(&refused).contains(why), "{code}: {}", result(&refused));
    }
    let page = scan(&b, &page, "A").await;
    let waiting = scan(&b, &page, "A").await;
    assert!(result(&waiting).contains("A waits for PASS or FAIL"), "{}", result(&waiting));
    let page = scan(&b, &page, "ORDO-CMD:PASS").await;
    let page2 = scan(&b, &page, "A").await;
    assert!(result(&page2).contains("Every A is scanned already"), "{}", result(&page2));
    let closed = scan(&b, &page, "ORDO-CMD:CANCEL").await;
    assert!(result(&closed).contains("closed, not received"));
    assert_eq!(t.get(&format!("/api/v1/returns/{rid}")).await.1["status"], "EXPECTED", "nothing recorded");
    assert_eq!(hidden(&closed, "ret"), "", "the station is empty again");
    // A role without Pick may not receive (the app refuses): the refusal is a scan result.
    let office = t.signed_in(Role::Integration).await;
    let page = scan(&office, &office.get("/stations/qc").await.body, "RT-1").await;
    let page = scan(&office, &page, "A").await;
    let page = scan(&office, &page, "ORDO-CMD:PASS").await;
    let page = scan(&office, &page, "ORDO-CMD:DONE").await;
    assert!(result(&page).contains("Not received") && result(&page).contains("may not do this"), "{}", result(&page));
    assert_eq!(t.get(&format!("/api/v1/returns/{rid}")).await.1["status"], "EXPECTED");
}

/// Channel `shop` on a Shopify simulator, with warehouse `wh1` and SKU `A` mapped from `MP-A`.
async fn shopify(t: &TestApp) -> ordo_sim::RunningSimulator {
    let sim = marketplace::simulator(t, ChannelType::Shopify).await;
    marketplace::setup(t, "shop", "SHOPIFY", &sim, json!({})).await;
    sim
}

async fn channel_credentials_are_stored_but_never_shown_back(t: TestApp) {
    let sim = shopify(&t).await;
    let good = sim.handle.credentials();
    let token = good["access_token"].as_str().unwrap().to_string();
    sim.handle.add_model_order(&MarketplaceOrder::open("4500000000001", vec![MarketplaceLine::new("1", "MP-A", 1)])).unwrap();
    let b = t.signed_in(Role::Admin).await;
    let page = b.get("/channels/shop").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains(&token), "the stored credentials are not on the page");
    assert!(text(&page.body).contains("stored (never shown)"));
    // Wrong credentials as key/value fields: stored (the marketplace refuses them), never shown.
    let secret = "wrong-token-s3cr3t";
    let a = b.post("/channels/shop/credentials", &[("key_1", "access_token"), ("value_1", secret), ("json", "")]).await;
    assert_eq!(a.status, 303);
    assert!(!a.location.as_deref().unwrap().contains(secret), "not in the redirect");
    let shown = b.follow(&a).await;
    assert!(text(&shown.body).contains("New credentials stored (access_token)"), "{}", text(&shown.body));
    assert!(!shown.body.contains(secret));
    let synced = b.follow(&b.post("/channels/shop/sync", &[]).await).await;
    assert!(!synced.body.contains(secret));
    let (_, channel) = t.get("/api/v1/channels/shop").await;
    assert_eq!(channel["status"], "AUTH_FAILED", "the wrong token was stored and used: {channel}");
    assert!(!channel.to_string().contains(secret));
    let list = b.get("/channels").await;
    assert!(text(&list.body).contains("AUTH_FAILED") && !list.body.contains(secret));
    assert!(text(&list.body).contains(channel["last_error"].as_str().unwrap()), "the marketplace's own words");
    // Bad JSON is refused without echoing it; the good credentials as JSON clear AUTH_FAILED.
    let bad = b.follow(&b.post("/channels/shop/credentials", &[("json", r#"{"access_token": "half-s3cr3t"#)]).await).await;
    assert!(text(&bad.body).contains("credentials: is not JSON") && !bad.body.contains("half-s3cr3t"), "{}", text(&bad.body));
    let json = serde_json::to_string(&good).unwrap();
    let ok = b.follow(&b.post("/channels/shop/credentials", &[("json", &json)]).await).await;
    assert!(text(&ok.body).contains("New credentials stored") && !ok.body.contains(&token), "{}", text(&ok.body));
    assert_eq!(t.get("/api/v1/channels/shop").await.1["status"], "ACTIVE");
    // An operator sees no credentials form and is refused a post.
    let ops = t.signed_in(Role::Operator).await;
    assert!(!ops.get("/channels/shop").await.body.contains("/credentials\""));
    let no = ops.follow(&ops.post("/channels/shop/credentials", &[("key_1", "access_token"), ("value_1", "x")]).await).await;
    assert!(text(&no.body).contains("may not do this"));
}

async fn a_channel_is_synced_now_paused_and_resumed(t: TestApp) {
    let sim = shopify(&t).await;
    for (id, line) in [("4500000000001", "1"), ("4500000000002", "2")] {
        let line = MarketplaceLine { unit_price: Some("499.00".into()), ..MarketplaceLine::new(line, "MP-A", 1) };
        sim.handle.add_model_order(&MarketplaceOrder::open(id, vec![line])).unwrap();
    }
    let ops = t.signed_in(Role::Operator).await;
    let page = ops.get("/channels/shop").await;
    assert!(page.body.contains(r#"action="/channels/shop/sync""#), "operators may sync (ManageOrders)");
    assert!(!page.body.contains(r#"action="/channels/shop/enabled""#), "but not pause (ManageSetup)");
    let synced = ops.follow(&ops.post("/channels/shop/sync", &[]).await).await;
    let words = text(&synced.body);
    assert!(words.contains("Synced: 2 fetched, 2 created, 0 updated, 0 failed"), "{words}");
    assert!(words.contains("returns: 0 expected, 0 skipped"), "{words}");
    assert_eq!(t.get("/api/v1/orders?channel=shop").await.1["items"].as_array().unwrap().len(), 2);
    let list = text(&ops.get("/channels").await.body);
    assert!(list.contains("shop SHOPIFY wh1 ACTIVE"), "{list}");
    let rows = csv_rows(&ops.get("/channels.csv").await);
    assert_eq!(rows[0], ["code", "type", "warehouse", "status", "lag_seconds", "last_success_at", "last_error", "enabled"]);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][..4], ["shop", "SHOPIFY", "wh1", "ACTIVE"]);
    // The admin pauses it: not synced, by hand or on schedule, until resumed.
    let admin = t.signed_in(Role::Admin).await;
    let paused = admin.follow(&admin.post("/channels/shop/enabled", &[("enabled", "false")]).await).await;
    assert!(text(&paused.body).contains("Paused"), "{}", text(&paused.body));
    assert!(paused.body.contains(r#"value="true""#) && text(&paused.body).contains("Resume"));
    assert_eq!(t.get("/api/v1/channels/shop").await.1["enabled"], false);
    let before = sim.handle.stats();
    let refused = ops.follow(&ops.post("/channels/shop/sync", &[]).await).await;
    assert!(text(&refused.body).contains("disabled"), "{}", text(&refused.body));
    assert_eq!(sim.handle.stats(), before, "the marketplace was not called");
    let resumed = admin.follow(&admin.post("/channels/shop/enabled", &[("enabled", "true")]).await).await;
    assert!(text(&resumed.body).contains("Resumed"));
    assert_eq!(t.get("/api/v1/channels/shop").await.1["enabled"], true);
    assert!(text(&ops.follow(&ops.post("/channels/shop/sync", &[]).await).await.body).contains("Synced: 2 fetched, 0 created"));
}

async fn put_erp(t: &TestApp, body: Value) -> (u16, Value) {
    common::read(t.req(Method::PUT, "/api/v1/erp", &t.admin).json(&body).send().await.unwrap()).await
}

/// A GRN whose posting the ERP answers 410: dead-lettered (and the connection turned off, so it is
/// turned on again).
async fn dead_letter(t: &TestApp, erp: &RunningErp) {
    erp.simulator.set_gone(true);
    assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 1})).await.0, 200);
    assert_eq!(t.post("/api/v1/clock/advance", json!({"seconds": 1})).await.0, 200);
    assert_eq!(put_erp(t, json!({"endpoint": erp.base_url, "enabled": true})).await.0, 200);
}

async fn dead_letters_are_replayed_one_and_all(t: TestApp) {
    let b = t.signed_in(Role::Operator).await;
    let none = b.get("/erp").await;
    assert_eq!(none.status, 200);
    assert!(text(&none.body).contains("None set"), "{}", text(&none.body));
    let erp = ordo_sim::erp::spawn(ErpSimConfig::default(), "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (_, made) = put_erp(&t, json!({"endpoint": erp.base_url})).await;
    let secret = made["signing_secret"].as_str().unwrap().to_string();
    erp.simulator.update_settings(ordo_sim::erp::ErpSettingsPatch { secret: Some(secret), ..Default::default() }).unwrap();
    t.basic_setup().await;
    for _ in 0..3 {
        dead_letter(&t, &erp).await;
    }
    let page = b.get("/erp").await;
    let words = text(&page.body);
    assert!(words.contains(&erp.base_url) && words.contains("Dead 3"), "{words}");
    assert!(words.contains("410"), "the last error: {words}");
    let (_, dead) = t.get("/api/v1/outbox?status=DEAD").await;
    let ids: Vec<String> = dead["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 3);
    for id in &ids {
        assert!(page.body.contains(&format!(r#"action="/erp/outbox/{id}/replay""#)), "a Replay for {id}");
    }
    // The deliveries filtered by status, and their CSV.
    let rows = csv_rows(&b.get("/erp/deliveries.csv?status=DEAD").await);
    assert_eq!(rows[0][..5], ["id", "topic", "channel", "order_id", "status"]);
    assert_eq!(rows.len(), 4);
    assert!(rows[1..].iter().all(|r| r[4] == "DEAD" && r[1] == "erp.posting"));
    assert!(b.get("/erp?status=DEAD").await.body.contains(r#"href="/erp/deliveries.csv?status=DEAD""#));
    assert_eq!(b.get("/erp?status=LOST").await.status, 422);
    // The crew reads but may not replay.
    let crew = t.signed_in(Role::Warehouse).await;
    assert!(!crew.get("/erp").await.body.contains("/replay"));
    let no = crew.follow(&crew.post("/erp/replay-dead", &[]).await).await;
    assert!(text(&no.body).contains("may not do this"));
    assert_eq!(t.get("/api/v1/outbox?status=DEAD").await.1["items"].as_array().unwrap().len(), 3);
    // One replayed, then all the rest.
    erp.simulator.set_gone(false);
    let one = b.follow(&b.post(&format!("/erp/outbox/{}/replay", ids[0]), &[]).await).await;
    assert!(text(&one.body).contains(&format!("Message {} sent again", ids[0])), "{}", text(&one.body));
    assert_eq!(erp.simulator.postings().len(), 1);
    let all = b.follow(&b.post("/erp/replay-dead", &[]).await).await;
    assert!(text(&all.body).contains("2 dead letters sent again"), "{}", text(&all.body));
    assert_eq!(erp.simulator.postings().len(), 3);
    assert!(text(&all.body).contains("Dead 0"), "{}", text(&all.body));
    assert_eq!(t.get("/api/v1/outbox?status=DEAD").await.1["items"].as_array().unwrap().len(), 0);
}

async fn an_admin_adds_a_user_who_signs_in_and_is_disabled(t: TestApp) {
    let admin = t.signed_in(Role::Admin).await;
    let list = admin.get("/users").await;
    assert_eq!(list.status, 200);
    assert!(text(&list.body).contains("Add user"));
    // Bad input: the error shown, nobody added.
    let bad = admin.post("/users", &[("email", "not-an-email"), ("role", "warehouse")]).await;
    assert_eq!(bad.status, 303);
    let bad = admin.follow(&bad).await;
    assert!(text(&bad.body).contains("email: must be an email address"), "{}", text(&bad.body));
    assert!(bad.body.contains(r#"value="not-an-email""#), "the form keeps what was typed");
    let users_now = || async { t.app.list_users(&t.caller(Role::Admin).await).await.unwrap() };
    assert!(!users_now().await.iter().any(|u| u.email == "not-an-email"));
    // Added: the password shown once, and it works.
    let added = admin.post("/users", &[("email", "crew@acme.example"), ("role", "warehouse")]).await;
    assert_eq!(added.status, 201, "{}", added.body);
    let words = text(&added.body);
    assert!(words.contains("Hand it over now") && words.contains("shown this once"), "{words}");
    let start = added.body.find(r#"class="code password">"#).unwrap() + r#"class="code password">"#.len();
    let password = added.body[start..start + added.body[start..].find('<').unwrap()].to_string();
    assert_eq!(password.chars().count(), 20);
    assert!(!admin.get("/users").await.body.contains(&password), "never shown again");
    let mut crew = t.browser();
    let a = crew.login("crew@acme.example", &password).await;
    assert_eq!((a.status, a.location.as_deref()), (303, Some("/")));
    assert_eq!(crew.get("/stations/qc").await.status, 200);
    let listed = text(&admin.get("/users").await.body);
    assert!(listed.contains("crew@acme.example warehouse"), "{listed}");
    let rows = csv_rows(&admin.get("/users.csv").await);
    assert_eq!(rows[0], ["id", "email", "role", "created_at", "disabled_at"]);
    assert_eq!(rows.len(), 3, "the signed-in admin and the crew: {rows:?}");
    assert!(rows.iter().any(|r| r[1] == "crew@acme.example" && r[2] == "warehouse" && r[4].is_empty()));
    // Disabled: the session ends at once, and signing in again fails.
    let id = users_now().await.into_iter().find(|u| u.email == "crew@acme.example").unwrap().id;
    let done = admin.follow(&admin.post(&format!("/users/{id}/disable"), &[]).await).await;
    assert!(text(&done.body).contains("crew@acme.example is disabled; their sessions have ended."), "{}", text(&done.body));
    assert_eq!(crew.get("/").await.location.as_deref(), Some("/login"));
    assert_eq!(crew.login("crew@acme.example", &password).await.status, 401);
    // Not an admin: 403 on the screen and on its posts; no Users in the navigation.
    let ops = t.signed_in(Role::Operator).await;
    let refused = ops.get("/users").await;
    assert_eq!(refused.status, 403);
    assert_eq!(ops.get("/users.csv").await.status, 403);
    assert!(!refused.body.contains("crew@acme.example"));
    assert_eq!(ops.post("/users", &[("email", "sneak@acme.example"), ("role", "admin")]).await.status, 403);
    assert!(!users_now().await.iter().any(|u| u.email == "sneak@acme.example"));
    assert!(!text(&ops.get("/").await.body).contains("Users"));
}
