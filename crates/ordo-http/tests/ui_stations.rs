//! The picklist screens and the pick and pack stations over plain HTTP, driven as a browser drives
//! them (each scan posts the form the last page rendered, hidden inputs and all) — on both
//! databases.

mod common;

use common::ui::{Answer, Browser, text};
use common::{TestApp, api_tests};
use ordo_domain::kinds::{ChannelType, Role};
use serde_json::{Value, json};

api_tests!(
    picklists_are_listed_exported_released_and_shorted,
    the_pick_station_opens_a_picklist_and_picks_by_sku_and_ean,
    a_retried_pick_scan_counts_once,
    stations_are_for_roles_that_pick,
    the_pack_station_checks_each_unit_and_the_last_scan_packs,
    the_order_page_shows_its_shipment_and_the_documents_need_a_session,
    an_order_cancelled_on_the_marketplace_is_put_aside_at_the_pack_station,
);

const EAN_A: &str = "8901234567890";
const EAN_B: &str = "8901234567891";

/// Warehouse `wh1` with what documents need and an AWB series, SKUs `A` and `B` with EANs and
/// `stock` units each, and Ordo's own channels `web` and `shop`.
async fn setup(t: &TestApp, stock: i64) {
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
        if stock > 0 {
            let (status, body) = t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": sku, "qty": stock})).await;
            assert_eq!(status, 200, "{body}");
        }
    }
    for channel in ["web", "shop"] {
        assert_eq!(t.post("/api/v1/channels", json!({"code": channel, "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    }
}

/// A B2C order on `channel` with `lines` (SKU, units); its Ordo id.
async fn order(t: &TestApp, channel: &str, id: &str, lines: &[(&str, i64)]) -> String {
    let lines: Vec<Value> = lines.iter().map(|(sku, qty)| json!({"sku": sku, "qty": qty, "unit_price": "1180.00"})).collect();
    let ship_to = json!({"name": "Asha Rao", "address": "12 MG Road, Bengaluru", "state_code": "29", "pin": "560001", "phone": "+919800000000"});
    let body = json!({"channel": channel, "kind": "B2C", "channel_order_id": id, "ship_to": ship_to, "lines": lines});
    let (status, order) = t.post("/api/v1/orders", body).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["status"], "FULFILLABLE", "{order}");
    order["id"].as_str().unwrap().to_string()
}

async fn release(t: &TestApp, orders: &[&str]) -> String {
    let (status, picklist) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "orders": orders})).await;
    assert_eq!(status, 201, "{picklist}");
    picklist["id"].as_str().unwrap().to_string()
}

async fn picklist(t: &TestApp, id: &str) -> Value {
    let (status, body) = t.get(&format!("/api/v1/picklists/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Units picked of `sku` on picklist `id`.
async fn picked(t: &TestApp, id: &str, sku: &str) -> i64 {
    picklist(t, id).await["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["sku"] == sku)
        .map(|l| l["picked"].as_i64().unwrap())
        .sum()
}

async fn status_of(t: &TestApp, id: &str) -> String {
    t.get(&format!("/api/v1/orders/{id}")).await.1["status"].as_str().unwrap().to_string()
}

/// The values of the inputs named `name` in `html`, in order (as the templates write them:
/// `name="…" value="…"`).
fn inputs(html: &str, name: &str) -> Vec<String> {
    let marker = format!(r#"name="{name}" value=""#);
    html.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Submits `page`'s station form with `scan` typed in, as the browser does: every hidden input
/// the page rendered, and the scan.
async fn scan(b: &Browser, path: &str, page: &Answer, code: &str) -> Answer {
    let mut form: Vec<(String, String)> = Vec::new();
    for name in ["nonce", "picklist", "last_sku", "order", "scanned"] {
        for v in inputs(&page.body, name) {
            form.push((name.to_string(), v));
        }
    }
    form.push(("scan".into(), code.into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let a = b.post(path, &pairs).await;
    assert_eq!(a.status, 200, "a station answers every scan with its page: {}", a.body);
    a
}

/// What the scan's echo says, in words.
fn echo(a: &Answer) -> String {
    let at = a.body.find("scan-result").unwrap_or_else(|| panic!("no echo in {}", a.body));
    let end = a.body[at..].find("</div>").unwrap() + at;
    let class = &a.body[at..at + 30];
    let verdict = if class.contains("accepted") { "ACCEPTED" } else { "REFUSED" };
    format!("{verdict} {}", text(&format!("<div class=\"{}</div>", &a.body[at..end])))
}

async fn picklists_are_listed_exported_released_and_shorted(t: TestApp) {
    setup(&t, 0).await;
    // Exactly the demand in stock, so a unit not found can't be served again from other stock.
    for (sku, qty) in [("A", 3), ("B", 1)] {
        assert_eq!(t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": sku, "qty": qty})).await.0, 200);
    }
    let w1 = order(&t, "web", "W-1", &[("A", 2)]).await;
    let s1 = order(&t, "shop", "S-1", &[("A", 1)]).await;
    let w2 = order(&t, "web", "W-2", &[("B", 1)]).await;
    let b = t.signed_in(Role::Warehouse).await;

    let list = b.get("/picklists").await;
    assert_eq!(list.status, 200);
    assert!(text(&list.body).contains("Release picklist") && text(&list.body).contains("No picklist matches"));
    let nonce = inputs(&list.body, "nonce").pop().unwrap();

    // Bad input: the error is shown and nothing is released.
    let a = b.post("/picklists", &[("warehouse", "nowhere"), ("channel", ""), ("limit", "10"), ("nonce", &nonce)]).await;
    assert_eq!(a.status, 303);
    assert!(text(&b.follow(&a).await.body).contains("warehouse: no warehouse 'nowhere'"));
    let a = b.post("/picklists", &[("warehouse", "wh1"), ("channel", ""), ("limit", "many"), ("nonce", "n2")]).await;
    assert!(text(&b.follow(&a).await.body).contains("limit: must be a whole number"));
    let a = b.post("/picklists", &[("warehouse", "wh1"), ("channel", "nope"), ("limit", "5"), ("nonce", "n3")]).await;
    assert!(text(&b.follow(&a).await.body).contains("channel: no channel 'nope'"));
    assert_eq!(t.get("/api/v1/picklists").await.1["items"], json!([]));

    // Released by channel: only web's orders; the same form sent again releases nothing more.
    let form = [("warehouse", "wh1"), ("channel", "web"), ("limit", "10"), ("nonce", nonce.as_str())];
    let a = b.post("/picklists", &form).await;
    assert_eq!(a.status, 303, "{}", a.body);
    let to = a.location.clone().unwrap();
    let web_list = to.strip_prefix("/picklists/").unwrap().split('?').next().unwrap().to_string();
    let again = b.post("/picklists", &form).await;
    assert_eq!(again.location.as_deref().map(|l| l.split('?').next().unwrap()), Some(format!("/picklists/{web_list}").as_str()));
    let mut orders: Vec<String> =
        picklist(&t, &web_list).await["orders"].as_array().unwrap().iter().map(|o| o.as_str().unwrap().to_string()).collect();
    orders.sort();
    let mut want = vec![w1.clone(), w2.clone()];
    want.sort();
    assert_eq!(orders, want);
    let page = b.follow(&a).await;
    let words = text(&page.body);
    assert!(words.contains(&format!("Released picklist {web_list}: 2 orders, 3 units to pick")), "{words}");
    assert!(words.contains("OPEN") && words.contains(EAN_A) && words.contains("Report short"), "{words}");
    assert_eq!(status_of(&t, &s1).await, "FULFILLABLE", "shop's order is not on web's picklist");
    // The API takes the channel too.
    let (status, shop) = t.post("/api/v1/picklists", json!({"warehouse": "wh1", "channel": "shop"})).await;
    assert_eq!((status, shop["orders"].clone()), (201, json!([s1])));
    let shop_list = shop["id"].as_str().unwrap().to_string();
    let (status, _) = t.post(&format!("/api/v1/picklists/{shop_list}/scans"), json!({"scan": "A"})).await;
    assert_eq!(status, 200);
    assert_eq!(picklist(&t, &shop_list).await["status"], "DONE");

    // A short pick per open line: bad input changes nothing, then one unit NOT_FOUND.
    let line = picklist(&t, &web_list).await["lines"].as_array().unwrap().iter().find(|l| l["sku"] == "A").unwrap()["line_id"]
        .as_str()
        .unwrap()
        .to_string();
    let short_path = format!("/picklists/{web_list}/lines/{line}/short");
    assert!(page.body.contains(&format!(r#"action="/picklists/{web_list}/lines/{line}/short""#)));
    let a = b.post(&short_path, &[("qty", "0"), ("reason", "NOT_FOUND"), ("nonce", "s1")]).await;
    assert!(text(&b.follow(&a).await.body).contains("qty: must be between 1 and 100000"));
    let a = b.post(&short_path, &[("qty", "1"), ("reason", "LOST"), ("nonce", "s2")]).await;
    assert!(text(&b.follow(&a).await.body).contains("reason: 'LOST' is not one of NOT_FOUND, DAMAGED"));
    let a = b.post(&short_path, &[("qty", "1"), ("reason", "NOT_FOUND"), ("nonce", "s3")]).await;
    assert!(text(&b.follow(&a).await.body).contains("1 units reported short (NOT_FOUND)"));
    // Sent again (a retry), it counts once.
    b.post(&short_path, &[("qty", "1"), ("reason", "NOT_FOUND"), ("nonce", "s3")]).await;
    let a_line = picklist(&t, &web_list).await["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["line_id"] == line.as_str())
        .cloned()
        .unwrap();
    assert_eq!((a_line["short"].as_i64(), a_line["open"].as_i64()), (Some(1), Some(1)), "{a_line}");

    // Filters and the CSV of exactly what they show.
    let words = text(&b.get("/picklists?warehouse=wh1&status=DONE").await.body);
    assert!(words.contains(&format!("{shop_list} wh1 DONE")) && !words.contains(&format!("{web_list} wh1")), "{words}");
    for (query, want) in
        [("", vec![&shop_list, &web_list]), ("?status=DONE", vec![&shop_list]), ("?warehouse=wh1&status=OPEN", vec![])]
    {
        let csv = b.get(&format!("/picklists.csv{query}")).await;
        assert_eq!(csv.status, 200);
        assert!(csv.content_type.starts_with("text/csv"), "{}", csv.content_type);
        let mut rows = csv.body.lines();
        assert_eq!(rows.next(), Some("picklist,warehouse,status,orders,lines,qty,picked,short,open,created_at_ist"));
        let ids: Vec<&str> = rows.map(|r| r.split(',').next().unwrap()).collect();
        let mut want: Vec<&str> = want.iter().map(|s| s.as_str()).collect();
        want.sort_by_key(|id| std::cmp::Reverse(id.parse::<i64>().unwrap()));
        assert_eq!(ids, want, "CSV of /picklists{query}");
    }
    let listed = b.get("/picklists?status=PICKING").await.body;
    assert!(listed.contains(r#"href="/picklists.csv?status=PICKING""#), "the export link keeps the filters");
    assert_eq!(b.get("/picklists?status=LOST").await.status, 422);
    assert_eq!(b.get("/picklists/999999").await.status, 404);
}

async fn the_pick_station_opens_a_picklist_and_picks_by_sku_and_ean(t: TestApp) {
    setup(&t, 2).await;
    let o1 = order(&t, "web", "W-1", &[("A", 2)]).await;
    let o2 = order(&t, "web", "W-2", &[("B", 2)]).await;
    let list = release(&t, &[&o1, &o2]).await;
    let b = t.signed_in(Role::Warehouse).await;
    let path = "/stations/pick";

    let page = b.get(path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<input id="scan" name="scan" data-scan autofocus autocomplete="off">"#));
    assert!(page.body.contains(r#"<label for="scan">"#));
    let words = text(&page.body);
    assert!(
        words.contains("ORDO-CMD:PICKLIST:<number>") && words.contains("ORDO-CMD:SHORT") && words.contains("ORDO-CMD:DONE"),
        "{words}"
    );

    let page = scan(&b, path, &page, "424242").await;
    assert_eq!(
        echo(&page),
        "REFUSED 424242 — Refused: No picklist 424242 Scan a picklist's number (or ORDO-CMD:PICKLIST:<number>)."
    );
    let page = scan(&b, path, &page, &list).await;
    assert_eq!(
        echo(&page),
        format!("ACCEPTED {list} — Accepted: Picklist {list} open 4 units to pick: scan each unit's SKU or EAN.")
    );
    assert_eq!(inputs(&page.body, "picklist"), vec![list.clone()]);

    let page = scan(&b, path, &page, "A").await;
    assert_eq!(
        echo(&page),
        format!(
            "ACCEPTED A — Accepted: Picked 1 × A for order W-1 (Ordo id {o1}) 1 more A to pick; 3 units left on picklist {list}."
        )
    );
    let page = scan(&b, path, &page, EAN_A).await;
    assert_eq!(
        echo(&page),
        format!(
            "ACCEPTED {EAN_A} — Accepted: Picked 1 × A for order W-1 (Ordo id {o1}) No more A to pick; 2 units left on picklist {list}."
        )
    );
    assert_eq!(picked(&t, &list, "A").await, 2);
    // Refused in words: nothing of A is left, and an unknown code; nothing changes.
    let page = scan(&b, path, &page, "A").await;
    let said = echo(&page);
    assert!(
        said.starts_with("REFUSED A — Refused: Refused: nothing to pick for A") && said.contains("still has units to pick"),
        "{said}"
    );
    let page = scan(&b, path, &page, "ZZZ").await;
    assert!(echo(&page).starts_with("REFUSED ZZZ — Refused: Refused: nothing to pick for ZZZ"), "{}", echo(&page));
    assert_eq!(picked(&t, &list, "A").await, 2);

    // ORDO-CMD:SHORT without a SKU scanned since the picklist was opened is refused; after B it
    // reports one B short.
    let page = scan(&b, path, &page, &format!("ORDO-CMD:PICKLIST:{list}")).await;
    assert!(echo(&page).contains(&format!("Picklist {list} open 2 units to pick")), "{}", echo(&page));
    let page = scan(&b, path, &page, "ORDO-CMD:SHORT").await;
    assert!(echo(&page).starts_with("REFUSED ORDO-CMD:SHORT — Refused: Scan the SKU first"), "{}", echo(&page));
    let page = scan(&b, path, &page, EAN_B).await;
    assert!(echo(&page).contains(&format!("Picked 1 × B for order W-2 (Ordo id {o2}) 1 more B to pick")), "{}", echo(&page));
    let page = scan(&b, path, &page, "ORDO-CMD:SHORT").await;
    assert_eq!(
        echo(&page),
        format!(
            "ACCEPTED ORDO-CMD:SHORT — Accepted: 1 × B of order {o2} reported short (NOT_FOUND) Picklist {list} is complete: nothing left to pick. Scan ORDO-CMD:DONE."
        )
    );
    let b_line = picklist(&t, &list).await["lines"].as_array().unwrap().iter().find(|l| l["sku"] == "B").cloned().unwrap();
    assert_eq!((b_line["picked"].as_i64(), b_line["short"].as_i64(), b_line["open"].as_i64()), (Some(1), Some(1), Some(0)));

    let page = scan(&b, path, &page, "ORDO-CMD:DONE").await;
    assert_eq!(
        echo(&page),
        format!(
            "ACCEPTED ORDO-CMD:DONE — Accepted: Picklist {list} closed on this station 3 units picked, 1 short, 0 still to pick. Scan the next picklist."
        )
    );
    assert!(inputs(&page.body, "picklist").is_empty(), "the station holds no picklist any more");
    let page = scan(&b, path, &page, "ORDO-CMD:FLY").await;
    assert!(echo(&page).starts_with("REFUSED ORDO-CMD:FLY — Refused: Unknown command"), "{}", echo(&page));
    // The URL opens a picklist too.
    let page = b.get(&format!("{path}?picklist={list}")).await;
    assert_eq!(inputs(&page.body, "picklist"), vec![list.clone()]);
    assert!(text(&page.body).contains("Nothing is left to pick on it."));
}

async fn a_retried_pick_scan_counts_once(t: TestApp) {
    setup(&t, 3).await;
    let o1 = order(&t, "web", "W-1", &[("A", 3)]).await;
    let list = release(&t, &[&o1]).await;
    let b = t.signed_in(Role::Warehouse).await;
    let path = "/stations/pick";
    let opened = scan(&b, path, &b.get(path).await, &list).await;
    let first = scan(&b, path, &opened, EAN_A).await;
    // The same form sent again (a double Enter, or a retry after a lost answer): the same answer,
    // one unit.
    let retried = scan(&b, path, &opened, EAN_A).await;
    assert_eq!(picked(&t, &list, "A").await, 1);
    assert_eq!(echo(&first), echo(&retried));
    assert!(echo(&retried).contains("2 more A to pick"), "{}", echo(&retried));
    // Each page carries a fresh nonce: the next scan from the new page counts.
    assert_ne!(inputs(&first.body, "nonce"), inputs(&opened.body, "nonce"));
    let next = scan(&b, path, &first, EAN_A).await;
    assert!(echo(&next).contains("1 more A to pick"), "{}", echo(&next));
    assert_eq!(picked(&t, &list, "A").await, 2);
}

async fn stations_are_for_roles_that_pick(t: TestApp) {
    setup(&t, 2).await;
    let o1 = order(&t, "web", "W-1", &[("A", 1)]).await;
    let list = release(&t, &[&o1]).await;
    let b = t.signed_in(Role::Integration).await;
    let home = b.get("/").await;
    assert!(!home.body.contains(r#"href="/stations/pick""#) && !home.body.contains(r#"href="/stations/pack""#));
    for path in ["/stations/pick", "/stations/pack"] {
        let page = b.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(!page.body.contains("data-scan"));
        let a = b.post(path, &[("scan", &list), ("nonce", "x1")]).await;
        assert_eq!(a.status, 403, "{path}");
        let a = b.post(path, &[("scan", "A"), ("picklist", &list), ("order", &o1), ("nonce", "x2")]).await;
        assert_eq!(a.status, 403, "{path}");
    }
    assert_eq!(picked(&t, &list, "A").await, 0);
    // The list shows, without the release form; a release posted anyway is refused by the app.
    let list_page = b.get("/picklists").await;
    assert_eq!(list_page.status, 200);
    assert!(!text(&list_page.body).contains("Release picklist"));
    let order2 = order(&t, "web", "W-2", &[("A", 1)]).await;
    let a = b.post("/picklists", &[("warehouse", "wh1"), ("channel", ""), ("limit", "5"), ("nonce", "r1")]).await;
    assert_eq!(a.status, 303);
    assert!(b.follow(&a).await.body.contains(r#"class="problem""#));
    assert_eq!(status_of(&t, &order2).await, "FULFILLABLE");
    let page = b.get(&format!("/picklists/{list}")).await;
    assert!(!text(&page.body).contains("Report short"));
}

async fn the_pack_station_checks_each_unit_and_the_last_scan_packs(t: TestApp) {
    setup(&t, 5).await;
    let o1 = order(&t, "web", "W-1", &[("A", 2), ("B", 1)]).await;
    let o2 = order(&t, "web", "W-2", &[("B", 1)]).await;
    let list = release(&t, &[&o1, &o2]).await;
    for (code, qty) in [(EAN_A, 2), (EAN_B, 2)] {
        let (status, body) = t.post(&format!("/api/v1/picklists/{list}/scans"), json!({"scan": code, "qty": qty})).await;
        assert_eq!(status, 200, "{body}");
    }
    let caller = t.caller(Role::Warehouse).await;
    assert!(t.app.order_shipment(&caller, &o1).await.unwrap().is_none(), "no shipment before packing");
    let b = t.signed_in(Role::Warehouse).await;
    let path = "/stations/pack";

    let page = b.get(path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<input id="scan" name="scan" data-scan autofocus autocomplete="off">"#));
    assert!(text(&page.body).contains("ORDO-CMD:PACK") && text(&page.body).contains("ORDO-CMD:CANCEL"));
    let page = scan(&b, path, &page, "NO-SUCH").await;
    assert!(echo(&page).starts_with("REFUSED NO-SUCH — Refused: No order has the id NO-SUCH"), "{}", echo(&page));

    // By channel order id: the expected units show.
    let page = scan(&b, path, &page, "W-1").await;
    assert_eq!(
        echo(&page),
        format!("ACCEPTED W-1 — Accepted: Packing order W-1 (Ordo id {o1}) Scan its units. Still to scan: 2 × A, 1 × B.")
    );
    assert_eq!(inputs(&page.body, "order"), vec![o1.clone()]);
    assert!(text(&page.body).contains(&format!("A {EAN_A} 2 0 2")), "{}", text(&page.body));
    // A wrong item is refused in words.
    let page = scan(&b, path, &page, "ZZZ").await;
    assert_eq!(
        echo(&page),
        "REFUSED ZZZ — Refused: ZZZ is not an article of order W-1 Put it back. Still to scan: 2 × A, 1 × B."
    );
    let page = scan(&b, path, &page, EAN_A).await;
    assert_eq!(echo(&page), "ACCEPTED 8901234567890 — Accepted: 1 × A for order W-1 Still to scan: 1 × A, 1 × B.");
    let page = scan(&b, path, &page, "A").await;
    assert_eq!(inputs(&page.body, "scanned"), ["A", "A"]);
    let page = scan(&b, path, &page, "A").await;
    assert!(echo(&page).starts_with("REFUSED A — Refused: Every A is scanned already (2 picked)"), "{}", echo(&page));
    let page = scan(&b, path, &page, "ORDO-CMD:PACK").await;
    assert_eq!(
        echo(&page),
        "REFUSED ORDO-CMD:PACK — Refused: Not packed: the scans don't match what was picked Still to scan: 1 × B."
    );
    assert_eq!(status_of(&t, &o1).await, "PICKED");

    // The last unit packs.
    let before_last = page;
    let page = scan(&b, path, &before_last, EAN_B).await;
    let said = echo(&page);
    assert!(said.starts_with(&format!("ACCEPTED {EAN_B} — Accepted: Packed order W-1: AWB DL700001 Invoice WH1/")), "{said}");
    assert_eq!(status_of(&t, &o1).await, "PACKED");
    let shipment = t.app.order_shipment(&caller, &o1).await.unwrap().expect("the order's shipment");
    assert_eq!(shipment.awb.as_deref(), Some("DL700001"));
    let invoice_href = format!("/shipments/{}/invoice.pdf", shipment.id);
    let label_href = format!("/shipments/{}/label.pdf", shipment.id);
    assert!(page.body.contains(&format!(r#"src="{invoice_href}""#)) && page.body.contains(&format!(r#"src="{label_href}""#)));
    assert!(inputs(&page.body, "order").is_empty(), "the station is clear for the next order");
    // The last scan retried: the same shipment, no second one.
    let retried = scan(&b, path, &before_last, EAN_B).await;
    assert!(echo(&retried).contains("Packed order W-1: AWB DL700001"), "{}", echo(&retried));
    let (_, shipments) = t.get("/api/v1/shipments").await;
    assert_eq!(shipments["items"].as_array().unwrap().len(), 1);

    // The picklist's next picked order, by its command barcode; then cleared.
    let page = scan(&b, path, &page, &format!("ORDO-CMD:PICKLIST:{list}")).await;
    assert!(echo(&page).contains(&format!("Packing order W-2 (Ordo id {o2})")), "{}", echo(&page));
    let page = scan(&b, path, &page, "ORDO-CMD:CANCEL").await;
    assert_eq!(echo(&page), "ACCEPTED ORDO-CMD:CANCEL — Accepted: Station cleared Scan the next order or picklist.");
    assert!(inputs(&page.body, "order").is_empty());
    assert_eq!(status_of(&t, &o2).await, "PICKED");
    // A packed order scanned again shows its shipment to print again.
    let page = scan(&b, path, &page, &o1).await;
    assert!(echo(&page).contains("is already PACKED AWB DL700001"), "{}", echo(&page));
    let page = scan(&b, path, &page, &format!("ORDO-CMD:PICKLIST:{list}")).await;
    assert!(echo(&page).contains("Packing order W-2"), "{}", echo(&page));
    let page = scan(&b, path, &page, "B").await;
    assert!(echo(&page).contains("Packed order W-2: AWB DL700002"), "{}", echo(&page));
    let page = scan(&b, path, &page, &format!("ORDO-CMD:PICKLIST:{list}")).await;
    assert!(echo(&page).contains(&format!("Picklist {list} has no order waiting to be packed")), "{}", echo(&page));
}

async fn the_order_page_shows_its_shipment_and_the_documents_need_a_session(t: TestApp) {
    setup(&t, 2).await;
    let o1 = order(&t, "web", "W-1", &[("A", 1)]).await;
    let list = release(&t, &[&o1]).await;
    assert_eq!(t.post(&format!("/api/v1/picklists/{list}/scans"), json!({"scan": "A"})).await.0, 200);
    let b = t.signed_in(Role::Operator).await;
    assert!(!text(&b.get(&format!("/orders/{o1}")).await.body).contains("Shipment"), "no shipment before packing");
    let (status, packed) = t.post(&format!("/api/v1/orders/{o1}/pack"), json!({})).await;
    assert_eq!(status, 201, "{packed}");
    let sid = packed["shipment"]["id"].as_str().unwrap();
    let number = packed["shipment"]["invoice_number"].as_str().unwrap();

    let page = b.get(&format!("/orders/{o1}")).await;
    let words = text(&page.body);
    assert!(
        words.contains(&format!(
            "Shipment AWB DL700001 Carrier Delhivery Invoice number {number} Status PACKED Manifest not on a manifest yet"
        )),
        "{words}"
    );
    assert!(
        page.body.contains(&format!(r#"href="/shipments/{sid}/invoice.pdf""#))
            && page.body.contains(&format!(r#"href="/shipments/{sid}/label.pdf""#))
    );

    for kind in ["invoice", "label"] {
        let path = format!("/shipments/{sid}/{kind}.pdf");
        let doc = b.get(&path).await;
        assert_eq!((doc.status, doc.content_type.as_str()), (200, "application/pdf"), "{path}");
        assert!(doc.body.starts_with("%PDF-"));
        let (_, api_type, api_bytes) = t.get_bytes(&format!("/api/v1/shipments/{sid}/{kind}.pdf")).await;
        assert_eq!(api_type, "application/pdf");
        assert_eq!(doc.body, String::from_utf8_lossy(&api_bytes), "the same bytes as the API's");
        // Signed out: the login page, no document.
        let anonymous = t.browser().get(&path).await;
        assert_ne!(anonymous.status, 200);
        assert!(anonymous.location.as_deref().is_some_and(|l| l.starts_with("/login")), "{path}: {:?}", anonymous.location);
        assert!(!anonymous.body.contains("%PDF"));
    }
    assert_eq!(b.get("/shipments/999999/label.pdf").await.status, 404);
    assert_eq!(b.get("/shipments/abc/invoice.pdf").await.status, 404);
    // An id that is not a number names no order's shipment.
    let caller = t.caller(Role::Operator).await;
    assert!(t.app.order_shipment(&caller, "not-an-id").await.unwrap().is_none());
}

async fn an_order_cancelled_on_the_marketplace_is_put_aside_at_the_pack_station(t: TestApp) {
    use common::marketplace::{marketplace_orders, pick, setup, simulator};
    let sim = simulator(&t, ChannelType::FlipkartV3).await;
    setup(&t, "fk", "FLIPKART_V3", &sim, json!({})).await;
    let ids = marketplace_orders(&t, "fk", &sim, &["SHIP-9"], 2).await;
    pick(&t, &ids).await;
    let b = t.signed_in(Role::Warehouse).await;
    let path = "/stations/pack";
    let page = scan(&b, path, &b.get(path).await, "SHIP-9").await;
    assert!(echo(&page).contains("Packing order SHIP-9"), "{}", echo(&page));
    let page = scan(&b, path, &page, EAN_A).await;
    // The customer cancels on Flipkart while the parcel is on the bench.
    sim.handle.cancel_order("SHIP-9").unwrap();
    let page = scan(&b, path, &page, EAN_A).await;
    let said = echo(&page);
    assert!(
        said.starts_with(&format!(
            "REFUSED {EAN_A} — Refused: Order SHIP-9 was cancelled on the marketplace: put the parcel aside, do not ship it"
        )),
        "{said}"
    );
    assert_eq!(status_of(&t, &ids[0]).await, "CANCELLED");
    assert!(inputs(&page.body, "order").is_empty(), "the station is clear for the next order");
}
