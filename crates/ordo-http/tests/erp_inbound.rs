//! What a seller's ERP pushes into Ordo (SPEC.md §13, API.md "ERP integration"): the article master in
//! batches and inward POs, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, api_tests};
use serde_json::{Value, json};

api_tests!(
    an_article_master_push_applies_good_rows_and_reports_bad_ones_by_index,
    a_push_of_more_than_5000_articles_is_refused_whole,
    an_inward_po_pushed_again_is_amended_until_receiving_starts,
    bad_input_from_the_erp_is_refused_naming_the_field_and_changes_nothing,
);

async fn an_article_master_push_applies_good_rows_and_reports_bad_ones_by_index(t: TestApp) {
    assert_eq!(t.post("/api/v1/skus", json!({"sku": "OLD", "name": "Old name"})).await.0, 201);
    let batch = json!({"skus": [
        {"sku": "A", "name": "Cotton Kurta", "ean": "8901234567890", "hsn": "6109", "tax_rate": "5.00"},
        {"sku": "B", "name": "Silk Saree", "mrp": 1999},
        {"sku": "OLD", "name": "New name"},
        {"name": "No code"},
        {"sku": "A", "name": "A again"},
        {"sku": "C", "name": "Linen Shirt", "weight_grams": 350},
    ]});
    let (status, report) = t.post("/api/v1/skus/batch", batch).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["created"].as_u64(), report["updated"].as_u64()), (Some(2), Some(1)), "{report}");
    let errors: Vec<(u64, Option<&str>)> =
        report["errors"].as_array().unwrap().iter().map(|e| (e["index"].as_u64().unwrap(), e["field"].as_str())).collect();
    assert_eq!(errors, [(1, Some("mrp")), (3, Some("sku")), (4, Some("sku"))], "{report}");
    assert_eq!(t.get("/api/v1/skus/OLD").await.1["name"], "New name");
    assert_eq!(t.get("/api/v1/skus/A").await.1["name"], "Cotton Kurta", "the first of two rows of A is the one applied");
    assert_eq!(t.get("/api/v1/skus/B").await.0, 404, "a bad row changes nothing");
    assert_eq!(t.get("/api/v1/skus/C").await.1["weight_grams"], 350);
}

async fn a_push_of_more_than_5000_articles_is_refused_whole(t: TestApp) {
    let skus: Vec<Value> = (0..5001).map(|n| json!({"sku": format!("S-{n}"), "name": format!("Article {n}")})).collect();
    let (status, problem) = t.post("/api/v1/skus/batch", json!({"skus": skus})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (422, Some("skus")), "{problem}");
    assert_eq!(t.get("/api/v1/skus/S-0").await.0, 404);
    let skus: Vec<Value> = (0..5000).map(|n| json!({"sku": format!("S-{n}"), "name": format!("Article {n}")})).collect();
    let (status, report) = t.post("/api/v1/skus/batch", json!({"skus": skus})).await;
    assert_eq!((status, report["created"].as_u64()), (200, Some(5000)), "{report}");
}

async fn an_inward_po_pushed_again_is_amended_until_receiving_starts(t: TestApp) {
    t.basic_setup().await;
    let po = |lines: Value| json!({"warehouse": "wh1", "po_number": "PO-7", "lines": lines});
    let (status, first) = t.post("/api/v1/inward-pos", po(json!([{"sku": "A", "qty": 5}]))).await;
    assert_eq!(status, 201, "{first}");
    let (status, same) = t.post("/api/v1/inward-pos", po(json!([{"sku": "A", "qty": 5}]))).await;
    assert_eq!((status, &same), (200, &first), "the same push again creates nothing");
    let (status, amended) = t.post("/api/v1/inward-pos", po(json!([{"sku": "A", "qty": 8}, {"sku": "B", "qty": 2}]))).await;
    assert_eq!(status, 200, "{amended}");
    assert_eq!(amended["lines"], json!([{"sku": "A", "qty": 8, "received": 0}, {"sku": "B", "qty": 2, "received": 0}]));
    let (_, pos) = t.get("/api/v1/inward-pos").await;
    assert_eq!(pos["items"].as_array().unwrap().len(), 1, "one PO, amended in place");
    assert_eq!(
        t.post("/api/v1/inventory/grn", json!({"warehouse": "wh1", "sku": "A", "qty": 3, "inward_po": "PO-7"})).await.0,
        200
    );
    let (status, problem) = t.post("/api/v1/inward-pos", po(json!([{"sku": "A", "qty": 9}]))).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(
        t.get("/api/v1/inward-pos/PO-7").await.1["lines"][0],
        json!({"sku": "A", "qty": 8, "received": 3}),
        "nothing changed"
    );
}

async fn bad_input_from_the_erp_is_refused_naming_the_field_and_changes_nothing(t: TestApp) {
    t.basic_setup().await;
    assert_eq!(t.post("/api/v1/channels", json!({"code": "web", "type": "INTERNAL", "warehouse": "wh1"})).await.0, 201);
    let order = json!({"channel": "web", "kind": "B2B", "channel_order_id": "PO-B1", "lines": [{"sku": "A", "qty": 4}]});
    let (status, order) = t.post("/api/v1/orders", order).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap();
    let before = t.get(&format!("/api/v1/orders/{id}")).await.1;
    let invoice = |lines: Value| json!({"invoice_number": "ERP/2627/1", "invoice_date": "2026-12-01", "lines": lines});
    let refused = [
        (invoice(json!([{"sku": "ZZ", "qty": 1}])), 422, "lines[0].sku"),
        (invoice(json!([{"sku": "A", "qty": 3}, {"sku": "A", "qty": 2}])), 422, "lines[1].qty"),
        (invoice(json!([{"sku": "A", "qty": -1}])), 422, "lines[0].qty"),
        (
            json!({"invoice_number": "ERP/2627/1", "invoice_date": "1 Dec 2026", "lines": [{"sku": "A", "qty": 1}]}),
            422,
            "invoice_date",
        ),
    ];
    for (body, status, field) in refused {
        let (got, problem) = t.post(&format!("/api/v1/orders/{id}/invoice"), body).await;
        assert_eq!(got, status, "{problem}");
        assert!(problem["type"].as_str().unwrap().starts_with("/problems/"), "problem+json: {problem}");
        let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
        assert!(fields.contains(&field), "{field} named: {problem}");
    }
    assert_eq!(t.post("/api/v1/orders/999999/invoice", invoice(json!([{"sku": "A", "qty": 1}]))).await.0, 404);
    assert_eq!(t.get(&format!("/api/v1/orders/{id}")).await.1, before, "nothing changed on the order");

    // An inward PO naming an article the master doesn't have creates nothing.
    let po = json!({"warehouse": "wh1", "po_number": "PO-X", "lines": [{"sku": "A", "qty": 2}, {"sku": "NOPE", "qty": 1}]});
    let (status, problem) = t.post("/api/v1/inward-pos", po).await;
    assert_eq!(status, 422, "{problem}");
    assert!(problem.to_string().contains("NOPE"), "{problem}");
    assert_eq!(t.get("/api/v1/inward-pos/PO-X").await.0, 404);

    // A credit note for a return that doesn't exist, and one with a bad date, change nothing.
    let note = json!({"credit_note_number": "CN/1", "credit_note_date": "2026-12-01", "amount": "10.00"});
    assert_eq!(t.post("/api/v1/returns/424242/credit-note", note).await.0, 404);
    let bad = json!({"credit_note_number": "CN/1", "credit_note_date": "2026-13-01", "amount": "-1"});
    let (status, problem) = t.post("/api/v1/returns/424242/credit-note", bad).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["credit_note_date", "amount"], "{problem}");
    assert_eq!(t.get("/api/v1/returns").await.1["items"], json!([]));
}
