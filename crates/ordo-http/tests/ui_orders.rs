//! The order screens over plain HTTP: the orders list (filters, paging, bulk retry and cancel,
//! CSV), failed orders (ranking, inline mapping, CSV upload, retry), B2B order entry and the
//! reports — on both databases.

mod common;

use common::ui::{Answer, text};
use common::{TestApp, api_tests};
use ordo_app::clock::Clock;
use ordo_domain::kinds::Role;
use serde_json::{Value, json};
use std::collections::BTreeSet;

api_tests!(
    the_orders_list_filters_and_pages,
    the_search_box_lists_several_matches,
    bulk_retry_and_cancel_say_what_worked_and_what_was_refused,
    a_warehouse_user_is_refused_order_operations,
    csv_exports_hold_every_filtered_order_across_pages,
    failed_orders_rank_unmapped_skus_and_map_them_inline,
    a_mappings_upload_applies_good_lines_lists_bad_ones_and_retries,
    b2b_entry_creates_an_order_and_refuses_bad_input,
    the_reports_show_lines_failed_orders_and_stock_with_csv,
);

/// Warehouse `wh1`, SKUs `A` and `B`, and two internal channels `web` and `shop`.
async fn setup(t: &TestApp) {
    t.basic_setup().await;
    for code in ["web", "shop"] {
        assert_eq!(t.post("/api/v1/channels", json!({"code": code, "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    }
}

/// A B2C order of `qty` × `sku` (a client SKU) on `channel`.
fn order(channel: &str, coid: &str, sku: &str, qty: i64) -> Value {
    json!({"channel": channel, "kind": "B2C", "channel_order_id": coid, "lines": [{"sku": sku, "qty": qty}]})
}

/// Ingests `orders` through the batch API; each must be created (201) or kept as failed (202).
async fn ingest(t: &TestApp, orders: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for chunk in orders.chunks(1000) {
        let (status, body) = t.post("/api/v1/orders/batch", json!({"orders": chunk})).await;
        assert_eq!(status, 200, "{body}");
        for r in body["results"].as_array().unwrap() {
            assert!(r["status"] == 201 || r["status"] == 202, "{r}");
            out.push(if r["status"] == 201 { r["order"].clone() } else { r["failed_order"].clone() });
        }
    }
    out
}

/// Order rows on a list page (each shows its creation time once).
fn rows(a: &Answer) -> usize {
    a.body.matches("<time datetime=").count()
}

/// The `href` of the link whose text is `label`, HTML entities undone.
fn link(a: &Answer, label: &str) -> Option<String> {
    let end = a.body.find(&format!(">{label}</a>"))?;
    let start = a.body[..end].rfind("href=\"")? + 6;
    let href = &a.body[start..end];
    Some(href[..href.find('"')?].replace("&amp;", "&").replace("&#38;", "&"))
}

/// A CSV answer's rows (header first), after checking it is a CSV file.
fn csv_rows(a: &Answer) -> Vec<Vec<String>> {
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.content_type.starts_with("text/csv"), "{}", a.content_type);
    parse_csv(&a.body)
}

/// RFC 4180 as the export writes it: fields quoted when they hold a comma, quote or line break.
fn parse_csv(body: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, body.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Today and tomorrow in India Standard Time, as date inputs send them.
fn ist_days(t: &TestApp) -> (String, String) {
    let ist = t.clock.now().plus_seconds(5 * 3600 + 1800);
    (ist.to_datetime().date().to_string(), ist.plus_seconds(86_400).to_datetime().date().to_string())
}

async fn status_of(t: &TestApp, id: &str) -> String {
    t.get(&format!("/api/v1/orders/{id}")).await.1["status"].as_str().unwrap().to_string()
}

async fn the_orders_list_filters_and_pages(t: TestApp) {
    setup(&t).await;
    let mut orders: Vec<Value> = (0..60).map(|i| order("web", &format!("SO-{i}"), "A", 1)).collect();
    for i in 0..3 {
        orders.push(
            json!({"channel": "shop", "kind": "B2B", "channel_order_id": format!("PO-{i}"), "lines": [{"sku": "B", "qty": 4}]}),
        );
    }
    ingest(&t, orders).await;
    let b = t.signed_in(Role::Operator).await;

    let first = b.get("/orders").await;
    assert_eq!(first.status, 200);
    assert_eq!(rows(&first), 50, "a page holds 50 orders");
    assert!(text(&first.body).contains("UNFULFILLABLE"));
    let next = link(&first, "Next page").expect("a next page");
    let second = b.get(&next).await;
    assert_eq!(rows(&second), 13);
    assert!(link(&second, "Next page").is_none());

    // One status or several; channel and kind; the next page keeps the filters.
    let created = b.get("/orders?status=CREATED").await;
    assert_eq!(rows(&created), 3);
    let page = text(&created.body);
    assert!(page.contains("PO-0") && page.contains("B2B") && page.contains("1 / 4") && !page.contains("SO-1 "), "{page}");
    assert_eq!(rows(&b.get("/orders?channel=shop&kind=B2B").await), 3);
    assert_eq!(rows(&b.get("/orders?channel=web&kind=B2B").await), 0);
    let both = b.get("/orders?status=CREATED&status=UNFULFILLABLE").await;
    assert_eq!(rows(&both), 50);
    let next = link(&both, "Next page").unwrap();
    assert!(next.contains("status=CREATED") && next.contains("status=UNFULFILLABLE") && next.contains("cursor="), "{next}");
    assert_eq!(rows(&b.get(&next).await), 13);
    assert_eq!(rows(&b.get("/orders?status=CREATED,UNFULFILLABLE&channel=shop").await), 3, "comma-separated, as the API");
    assert_eq!(rows(&b.get("/orders?q=SO-7").await), 1);

    // Dates as the date inputs send them, in IST; the last day is included.
    let (today, tomorrow) = ist_days(&t);
    assert_eq!(rows(&b.get(&format!("/orders?created_from={today}&created_to={today}&channel=shop")).await), 3);
    assert_eq!(rows(&b.get(&format!("/orders?created_from={tomorrow}")).await), 0);

    // A bad filter names its field and lists nothing.
    let bad = b.get("/orders?status=NOPE").await;
    assert_eq!(bad.status, 200);
    assert!(text(&bad.body).contains("status: 'NOPE' is not one of"), "{}", text(&bad.body));
    assert_eq!(rows(&bad), 0);
}

async fn the_search_box_lists_several_matches(t: TestApp) {
    setup(&t).await;
    let mut orders = vec![order("web", "SO-1", "A", 1), order("web", "SO-2", "A", 1), order("web", "SO-3", "A", 1)];
    for o in &mut orders[..2] {
        o["parent_order_id"] = json!("PARENT-1");
    }
    ingest(&t, orders).await;
    let b = t.signed_in(Role::Operator).await;
    let found = b.get("/search?q=PARENT-1").await;
    assert_eq!((found.status, found.location.as_deref()), (303, Some("/orders?q=PARENT-1")));
    let list = b.follow(&found).await;
    assert_eq!(list.status, 200);
    let page = text(&list.body);
    assert!(page.contains("SO-1") && page.contains("SO-2") && !page.contains("SO-3"), "{page}");
    assert_eq!(rows(&list), 2);
    assert!(list.body.contains(r#"value="PARENT-1""#), "the search box keeps what was searched");
}

async fn bulk_retry_and_cancel_say_what_worked_and_what_was_refused(t: TestApp) {
    setup(&t).await;
    let made = ingest(&t, vec![order("web", "SO-1", "A", 1), order("web", "SO-2", "A", 1), order("web", "SO-3", "A", 1)]).await;
    let ids: Vec<String> = made.iter().map(|o| o["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(t.post(&format!("/api/v1/orders/{}/cancel", ids[2]), json!({})).await.0, 200);
    let b = t.signed_in(Role::Operator).await;
    let list = b.get("/orders").await;
    assert!(list.body.contains(r#"name="id""#) && text(&list.body).contains("Retry selected"));

    let back = "/orders?channel=web";
    let retried = b.post("/orders/bulk/retry", &[("id", &ids[0]), ("id", &ids[2]), ("back", back)]).await;
    assert_eq!((retried.status, retried.location.as_deref().map(|l| l.starts_with("/orders?channel=web&"))), (303, Some(true)));
    let page = text(&b.follow(&retried).await.body);
    assert!(
        page.contains("Retried 1 order.") && page.contains("Refused 1 order:") && page.contains(&format!("{}:", ids[2])),
        "{page}"
    );
    assert!(page.contains("CANCELLED"), "why it was refused: {page}");

    let cancelled = b
        .post(
            "/orders/bulk/cancel",
            &[("id", &ids[0]), ("id", &ids[1]), ("id", &ids[2]), ("reason", "duplicate order"), ("back", back)],
        )
        .await;
    let page = text(&b.follow(&cancelled).await.body);
    assert!(page.contains("Cancelled 2 orders.") && page.contains("Refused 1 order:") && page.contains(&ids[2]), "{page}");
    for id in &ids {
        assert_eq!(status_of(&t, id).await, "CANCELLED");
    }
    let events = t.get(&format!("/api/v1/orders/{}/events", ids[0])).await.1;
    assert!(
        events["items"].as_array().unwrap().iter().any(|e| e["reason"].as_str().unwrap().contains("duplicate order")),
        "{events}"
    );

    // Nothing ticked; a back address elsewhere is not followed.
    let none = b.post("/orders/bulk/retry", &[("back", "https://elsewhere.example/")]).await;
    assert_eq!(none.location.as_deref().map(|l| l.starts_with("/orders?error=")), Some(true), "{:?}", none.location);
}

async fn a_warehouse_user_is_refused_order_operations(t: TestApp) {
    setup(&t).await;
    let made = ingest(
        &t,
        vec![
            order("web", "SO-1", "A", 1),
            json!({"channel": "shop", "kind": "B2C", "channel_order_id": "F-1", "lines": [{"channel_sku": "X1", "qty": 1}]}),
        ],
    )
    .await;
    let id = made[0]["id"].as_str().unwrap().to_string();
    let b = t.signed_in(Role::Warehouse).await;
    let list = b.get("/orders").await;
    assert_eq!(list.status, 200);
    assert_eq!(rows(&list), 1, "a warehouse user reads the list");
    assert!(!list.body.contains(r#"name="id""#) && !text(&list.body).contains("Retry selected"), "no bulk actions offered");
    for path in ["/orders/bulk/cancel", "/orders/bulk/retry"] {
        let refused = b.post(path, &[("id", &id), ("reason", "no")]).await;
        assert_eq!(refused.status, 403, "{path}: {}", refused.body);
    }
    assert_eq!(status_of(&t, &id).await, "UNFULFILLABLE");
    assert_eq!(b.get("/orders/new").await.status, 403);
    let entered = b.post("/orders/new", &[("channel", "web"), ("channel_order_id", "PO-9"), ("sku", "A"), ("qty", "1")]).await;
    assert_eq!(entered.status, 403);
    assert_eq!(t.get("/api/v1/orders?q=PO-9").await.1["items"], json!([]));
    let failed = b.get("/failed-orders").await;
    assert_eq!(failed.status, 200);
    assert!(text(&failed.body).contains("X1") && !failed.body.contains(r#"action="/failed-orders/map""#));
    assert_eq!(b.post("/failed-orders/map", &[("channel", "shop"), ("channel_sku", "X1"), ("sku", "A")]).await.status, 403);
    assert_eq!(b.post("/failed-orders/retry", &[("which", "all")]).await.status, 403);
    assert_eq!(t.get("/api/v1/failed-orders").await.1["items"].as_array().unwrap().len(), 1, "nothing was mapped or retried");
}

async fn csv_exports_hold_every_filtered_order_across_pages(t: TestApp) {
    setup(&t).await;
    // More than one page of the store's largest page (1000), and orders the filter leaves out.
    let mut orders: Vec<Value> = (0..1005).map(|i| order("web", &format!("SO-{i}"), "A", 1)).collect();
    orders.extend((0..7).map(|i| order("shop", &format!("SH-{i}"), "A", 2)));
    let made = ingest(&t, orders).await;
    let want: BTreeSet<String> =
        made.iter().filter(|o| o["channel"] == "web").map(|o| o["id"].as_str().unwrap().to_string()).collect();
    let b = t.signed_in(Role::Operator).await;
    let list = b.get("/orders?channel=web&status=UNFULFILLABLE").await;
    let href = link(&list, "Export CSV (every matching order)").unwrap();
    assert_eq!(href, "/orders.csv?status=UNFULFILLABLE&channel=web");
    let csv = csv_rows(&b.get(&href).await);
    assert_eq!(
        csv[0],
        ["ordo_id", "channel", "channel_order_id", "parent_order_id", "kind", "status", "lines", "units", "created_at"]
    );
    assert_eq!(csv.len(), 1 + 1005, "a header and every matching order");
    let got: BTreeSet<String> = csv[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(got, want);
    assert!(csv[1..].iter().all(|r| r[1] == "web" && r[5] == "UNFULFILLABLE" && r[6] == "1" && r[7] == "1"));

    let shop = csv_rows(&b.get("/orders.csv?channel=shop").await);
    assert_eq!(shop.len(), 1 + 7);
    assert!(shop[1..].iter().all(|r| r[2].starts_with("SH-") && r[7] == "2"));
    assert_eq!(csv_rows(&b.get("/orders.csv?status=DISPATCHED").await).len(), 1, "only the header when nothing matches");
}

/// Three orders on `shop` that name channel SKUs nobody mapped: X1 blocks two, X2 one.
async fn failed_orders(t: &TestApp) {
    let line = |sku: &str| json!({"channel_sku": sku, "qty": 1});
    let orders = vec![
        json!({"channel": "shop", "kind": "B2C", "channel_order_id": "F-1", "lines": [line("X1")]}),
        json!({"channel": "shop", "kind": "B2C", "channel_order_id": "F-2", "lines": [line("X2")]}),
        json!({"channel": "shop", "kind": "B2C", "channel_order_id": "F-3", "lines": [line("X1")]}),
    ];
    let made = ingest(t, orders).await;
    assert!(made.iter().all(|f| f["unmapped_skus"].is_array()), "{made:?}");
}

async fn order_named(t: &TestApp, coid: &str) -> Option<Value> {
    t.get(&format!("/api/v1/orders?q={coid}")).await.1["items"].as_array().unwrap().first().cloned()
}

async fn failed_orders_rank_unmapped_skus_and_map_them_inline(t: TestApp) {
    setup(&t).await;
    failed_orders(&t).await;
    let b = t.signed_in(Role::Operator).await;
    let page = b.get("/failed-orders").await;
    assert_eq!(page.status, 200);
    let words = text(&page.body);
    let (x1, x2) = (words.find("shop X1 2").expect(&words), words.find("shop X2 1").expect(&words));
    assert!(x1 < x2, "the SKU blocking most orders comes first: {words}");
    assert!(words.contains("F-1") && words.contains("F-2") && words.contains("F-3"));
    assert!(page.body.contains(r#"name="channel_sku" value="X1""#) && page.body.contains(r#"name="sku""#));

    // A SKU that doesn't exist is refused, naming the field; nothing is mapped or created.
    let bad = b.post("/failed-orders/map", &[("channel", "shop"), ("channel_sku", "X1"), ("sku", "NOPE")]).await;
    let words = text(&b.follow(&bad).await.body);
    assert!(words.contains("sku") && words.contains("NOPE"), "{words}");
    assert!(order_named(&t, "F-1").await.is_none());

    let mapped = b.post("/failed-orders/map", &[("channel", "shop"), ("channel_sku", "X1"), ("sku", "A")]).await;
    assert_eq!(mapped.status, 303);
    let after = b.follow(&mapped).await;
    let words = text(&after.body);
    assert!(words.contains("Mapped shop X1 to A. Retried the orders it blocked: 2 orders created, 0 still failed."), "{words}");
    assert!(!words.contains("F-1") && !words.contains("F-3") && words.contains("F-2"), "{words}");
    for coid in ["F-1", "F-3"] {
        let o = order_named(&t, coid).await.expect("created");
        assert_eq!(o["lines"][0]["sku"], "A");
    }

    // Retry all: F-2 still needs its mapping.
    let retried = b.post("/failed-orders/retry", &[("which", "all")]).await;
    assert!(text(&b.follow(&retried).await.body).contains("Retried every failed order: 0 orders created, 1 still failed."));
    let csv = csv_rows(&b.get("/failed-orders.csv").await);
    assert_eq!(csv[0][..5], ["id", "channel", "channel_order_id", "reason", "unmapped_skus"]);
    assert_eq!(csv.len(), 2);
    assert_eq!((csv[1][2].as_str(), csv[1][4].as_str()), ("F-2", "X2"));
}

async fn a_mappings_upload_applies_good_lines_lists_bad_ones_and_retries(t: TestApp) {
    setup(&t).await;
    failed_orders(&t).await;
    let b = t.signed_in(Role::Operator).await;
    let file = "channel,channel_sku,sku\nshop,X1,A\nshop,X2,NOPE\n";
    let answer = b.post_multipart("/failed-orders/upload", &[("file", Some("mappings.csv"), file), ("csv", None, "")]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let words = text(&answer.body);
    assert!(words.contains("Mappings created: 1, updated: 0."), "{words}");
    assert!(words.contains("Retried the failed orders: 2 created, 1 still failed."), "{words}");
    assert!(words.contains("line 3: sku:") && words.contains("NOPE"), "the bad line with its number: {words}");
    assert!(order_named(&t, "F-1").await.is_some() && order_named(&t, "F-3").await.is_some());
    assert!(order_named(&t, "F-2").await.is_none());
    let reloaded = b.get("/failed-orders/upload").await;
    assert_eq!((reloaded.status, reloaded.location.as_deref()), (303, Some("/failed-orders")), "a reload shows the page again");

    // Pasted lines, without a header row, as a plain form post; line numbers as written.
    let pasted = b.post("/failed-orders/upload", &[("csv", "shop,X2,\nshop,X2,B")]).await;
    let words = text(&pasted.body);
    assert!(words.contains("line 1: sku:"), "{words}");
    assert!(words.contains("Mappings created: 1") && words.contains("1 created, 0 still failed"), "{words}");
    assert_eq!(order_named(&t, "F-2").await.unwrap()["lines"][0]["sku"], "B");
    assert_eq!(t.get("/api/v1/failed-orders").await.1["items"], json!([]));

    let empty = b.post_multipart("/failed-orders/upload", &[("file", Some("empty.csv"), ""), ("csv", None, " ")]).await;
    assert_eq!(empty.status, 303);
    assert!(text(&b.follow(&empty).await.body).contains("choose a CSV file"));
}

/// The B2B entry form's fields with `lines` rows (sku, qty, unit price).
fn b2b_form<'a>(coid: &'a str, rows: &[(&'a str, &'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("channel", "web"),
        ("channel_order_id", coid),
        ("parent_order_id", ""),
        ("warehouse", "wh1"),
        ("fulfillment_type", "BLOCK_COMPLETE"),
        ("pool", "QC_PASS"),
        ("buyer_legal_name", "Globex Traders"),
        ("buyer_gstin", ""),
        ("buyer_address", "12 MG Road, Pune"),
    ];
    for (sku, qty, price) in rows {
        form.extend([("sku", *sku), ("qty", *qty), ("unit_price", *price)]);
    }
    form
}

async fn b2b_entry_creates_an_order_and_refuses_bad_input(t: TestApp) {
    setup(&t).await;
    let b = t.signed_in(Role::Operator).await;
    let form = b.get("/orders/new").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains(r#"name="channel_order_id""#) && form.body.contains(r#"<option value="shop">"#));

    let mut fields = b2b_form("PO-1", &[("A", "2", "100.00"), ("", "", "")]);
    fields.push(("lines", "B,3\n"));
    let made = b.post("/orders/new", &fields).await;
    assert_eq!(made.status, 303, "{}", text(&made.body));
    let page = b.follow(&made).await;
    assert_eq!(page.status, 200);
    assert!(text(&page.body).contains("Created B2B order PO-1: it is CREATED."), "{}", text(&page.body));
    let order = order_named(&t, "PO-1").await.unwrap();
    assert_eq!(
        made.location.unwrap(),
        format!("/orders/{}?notice=Created+B2B+order+PO-1%3A+it+is+CREATED.", order["id"].as_str().unwrap())
    );
    assert_eq!((order["kind"].as_str(), order["fulfillment_type"].as_str()), (Some("B2B"), Some("BLOCK_COMPLETE")));
    assert_eq!(order["buyer"]["legal_name"], "Globex Traders");
    let lines: Vec<(String, i64, Value)> = order["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["sku"].as_str().unwrap().to_string(), l["qty"].as_i64().unwrap(), l["unit_price"].clone()))
        .collect();
    assert_eq!(lines, [("A".to_string(), 2, json!("100.00")), ("B".to_string(), 3, Value::Null)]);

    // Bad input: the field is named, what was typed stays, nothing is created.
    let cases: [(Vec<(&str, &str)>, &str); 4] = [
        (b2b_form("PO-2", &[("A", "0", "")]), "lines[0].qty"),
        (b2b_form("PO-2", &[("A", "two", "")]), "lines[0].qty"),
        ([b2b_form("PO-2", &[("A", "1", "")]), vec![("buyer_gstin", "27AAPFU0939F1ZO")]].concat(), "buyer.gstin"),
        (b2b_form("PO-2", &[("NOPE", "1", "")]), "NOPE"),
    ];
    for (fields, named) in cases {
        let refused = b.post("/orders/new", &fields).await;
        assert_eq!(refused.status, 422, "{named}: {}", text(&refused.body));
        let words = text(&refused.body);
        assert!(words.contains("Nothing was created") && words.contains(named), "{named}: {words}");
        assert!(refused.body.contains(r#"value="PO-2""#) && refused.body.contains(r#"value="Globex Traders""#), "kept as typed");
        assert!(refused.body.contains(r#"<option value="BLOCK_COMPLETE" selected>"#));
    }
    let no_lines = b.post("/orders/new", &b2b_form("PO-2", &[])).await;
    assert!(no_lines.status == 422 && text(&no_lines.body).contains("lines"), "{}", text(&no_lines.body));
    assert!(order_named(&t, "PO-2").await.is_none());

    // The same channel order id again is refused rather than changing PO-1.
    let again = b.post("/orders/new", &b2b_form("PO-1", &[("A", "9", "")])).await;
    assert_eq!(again.status, 422);
    assert!(text(&again.body).contains("channel_order_id"), "{}", text(&again.body));
    assert_eq!(order_named(&t, "PO-1").await.unwrap()["lines"][0]["qty"], 2);
}

async fn grn(t: &TestApp, sku: &str, qty: i64) {
    let (status, body) =
        t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": sku, "qty": qty, "pool": "QC_PASS"})).await;
    assert_eq!(status, 200, "{body}");
}

async fn the_reports_show_lines_failed_orders_and_stock_with_csv(t: TestApp) {
    setup(&t).await;
    let two_lines = |coid: &str, parent: &str| {
        json!({"channel": "web", "kind": "B2C", "channel_order_id": coid, "parent_order_id": parent,
               "lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1}]})
    };
    ingest(&t, vec![two_lines("SO-1", "P-1"), two_lines("SO-2", "P-1"), two_lines("SO-3", "P-2")]).await;
    failed_orders(&t).await;
    grn(&t, "A", 5).await;
    let b = t.signed_in(Role::Operator).await;
    let index = text(&b.get("/reports").await.body);
    assert!(index.contains("Order Status Report") && index.contains("Failed Order Report") && index.contains("Inventory report"));

    let report = b.get("/reports/order-status?parent=P-1").await;
    assert_eq!(report.status, 200);
    let words = text(&report.body);
    assert!(words.contains("SO-1") && words.contains("SO-2") && !words.contains("SO-3"), "{words}");
    let href = link(&report, "Export CSV (one row per order line, every matching order)").unwrap();
    let csv = csv_rows(&b.get(&href).await);
    assert_eq!(csv[0][..7], ["ordo_id", "channel", "channel_order_id", "parent_order_id", "kind", "status", "created_at"]);
    assert_eq!(csv.len(), 1 + 4, "one row per line of the two orders");
    assert!(csv[1..].iter().all(|r| r[3] == "P-1"));
    let skus: Vec<(&str, &str, &str)> = csv[1..].iter().map(|r| (r[2].as_str(), r[7].as_str(), r[10].as_str())).collect();
    assert!(skus.contains(&("SO-1", "A", "2")) && skus.contains(&("SO-2", "B", "1")), "{skus:?}");
    // The stock went to the oldest order first: its line of A is allocated.
    assert!(csv[1..].iter().any(|r| r[2] == "SO-1" && r[7] == "A" && r[11] == "2"), "{csv:?}");
    let p2 = csv_rows(&b.get("/reports/order-status.csv?parent=P-2&status=UNFULFILLABLE,FULFILLABLE").await);
    assert_eq!(p2.len(), 1 + 2);
    assert_eq!(csv_rows(&b.get("/reports/order-status.csv?parent=P-2&channel=shop").await).len(), 1);

    let failed = text(&b.get("/reports/failed-orders").await.body);
    assert!(failed.contains("F-2") && failed.contains("X2") && failed.contains("Map SKUs and retry these orders"), "{failed}");
    let csv = csv_rows(&b.get("/reports/failed-orders.csv").await);
    assert_eq!(csv.len(), 1 + 3);

    let stock = b.get("/reports/inventory?warehouse=wh1").await;
    let words = text(&stock.body);
    assert!(words.contains("wh1 A QC_PASS 5"), "{words}");
    let csv = csv_rows(&b.get("/reports/inventory.csv?warehouse=wh1&sku=A").await);
    assert_eq!(csv[0], ["warehouse", "sku", "pool", "on_hand", "allocated", "available", "recycle"]);
    let a = csv.iter().find(|r| r[1] == "A" && r[2] == "QC_PASS").expect("A's balance");
    let (on_hand, allocated, available): (i64, i64, i64) = (a[3].parse().unwrap(), a[4].parse().unwrap(), a[5].parse().unwrap());
    assert_eq!((on_hand, on_hand - allocated), (5, available));
    assert!(allocated > 0);
    assert!(csv[1..].iter().all(|r| r[0] == "wh1" && r[1] == "A"));
}
