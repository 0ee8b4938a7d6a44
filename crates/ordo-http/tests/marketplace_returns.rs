//! Returns the marketplaces announce (SPEC.md §6 and §12): brought in by the sync, idempotent on the
//! marketplace's return id, withdrawn when the marketplace withdraws them; QC results and credit
//! notes told back to the marketplaces that take them, and Ajio's RTO generation — against the
//! simulators over HTTP, on SQLite and PostgreSQL.

mod common;

use common::marketplace::{advance, hand_over, marketplace_orders, outbox, packed, pick, setup, simulator, sync};
use common::{TestApp, api_tests};
use ordo_domain::kinds::ChannelType;
use ordo_sim::{RunningSimulator, SimReturn, SimReturnLine};
use serde_json::{Value, json};

api_tests!(
    ajio_returns_come_in_and_their_qc_results_and_credit_note_go_back_to_ajio,
    an_rto_is_asked_of_ajio_through_the_outbox_and_arrives_with_the_next_sync,
    flipkart_customer_and_courier_returns_are_expected_by_shipment_and_by_order_item,
    paytm_returns_are_expected_and_their_qc_results_reach_paytm,
    shopify_returns_come_from_the_graphql_admin_api,
    a_return_that_cant_be_expected_is_skipped_and_the_others_still_come_in,
);

/// `ids` synced, picked, packed and handed over (the marketplace told at once); their Ordo ids.
async fn dispatched(t: &TestApp, code: &str, sim: &RunningSimulator, ids: &[&str], qty: i64) -> Vec<String> {
    let orders = marketplace_orders(t, code, sim, ids, qty).await;
    if sim.handle.channel_type() == ChannelType::AjioVms {
        // Acknowledged after the customer's four hours, then released.
        advance(t, 4 * 3600 + 60).await;
    }
    pick(t, &orders).await;
    for o in &orders {
        packed(t, o).await;
    }
    hand_over(t, code).await;
    advance(t, 1).await;
    for o in &orders {
        assert_eq!(t.get(&format!("/api/v1/orders/{o}")).await.1["status"], "DISPATCHED");
    }
    orders
}

fn sim_return(order_id: &str, kind: &str, lines: Option<Vec<(&str, i64)>>) -> SimReturn {
    serde_json::from_value(json!({"order_id": order_id, "kind": kind}))
        .map(|r: SimReturn| SimReturn {
            lines: lines.map(|ls| ls.into_iter().map(|(id, q)| SimReturnLine { line_id: id.into(), quantity: q }).collect()),
            ..r
        })
        .unwrap()
}

/// The client's returns of `order`.
async fn returns_of(t: &TestApp, order: &str) -> Vec<Value> {
    let (status, body) = t.get(&format!("/api/v1/returns?order_id={order}")).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn ajio_returns_come_in_and_their_qc_results_and_credit_note_go_back_to_ajio(t: TestApp) {
    let sim = simulator(&t, ChannelType::AjioVms).await;
    setup(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": false})).await;
    let order = dispatched(&t, "ajio", &sim, &["FN3001"], 2).await.remove(0);
    let announced = sim.handle.add_return(&sim_return("FN3001", "CUSTOMER_RETURN", None)).unwrap();
    let return_id = announced["return_id"].as_str().unwrap();

    let report = sync(&t, "ajio").await;
    assert_eq!(report["returns_expected"], 1, "{report}");
    let rets = returns_of(&t, &order).await;
    assert_eq!(rets.len(), 1);
    let ret = &rets[0];
    assert_eq!((ret["kind"].as_str(), ret["status"].as_str()), (Some("CUSTOMER_RETURN"), Some("EXPECTED")));
    assert_eq!(ret["channel_return_id"], return_id);
    assert_eq!(ret["awb"], announced["awb"]);
    assert_eq!((ret["lines"][0]["sku"].as_str(), ret["lines"][0]["qty"].as_i64()), (Some("A"), Some(2)));
    // Seen again on a later sync (the window overlaps): still one return.
    let report = sync(&t, "ajio").await;
    assert_eq!(report["returns_expected"], 0, "{report}");
    assert_eq!(returns_of(&t, &order).await.len(), 1);

    // Received: one passes, one fails; Ajio is told, once.
    let id = ret["id"].as_str().unwrap();
    let (status, received) =
        t.post(&format!("/api/v1/returns/{id}/receive"), json!({"lines": [{"sku": "A", "qc_pass": 1, "qc_fail": 1}]})).await;
    assert_eq!(status, 200, "{received}");
    advance(&t, 1).await;
    let at_ajio = sim.handle.returns().into_iter().find(|r| r["return_id"] == return_id).unwrap();
    assert_eq!(at_ajio["status"], "QC_DONE", "{at_ajio}");
    assert_eq!(at_ajio["qc"]["lines"], json!([{"line_id": "1", "passed": 1, "failed": 1, "missing": 0}]));
    let qc = outbox(&t, "channel.return_qc").await;
    assert_eq!(qc.len(), 1);
    assert_eq!(qc[0]["status"], "DELIVERED", "{}", qc[0]);

    // The ERP's credit note closes the return and is relayed to Ajio; a second one changes nothing.
    let note = json!({"credit_note_number": "CN/2627/7", "credit_note_date": "2026-12-01", "amount": "1050.00"});
    let (status, closed) = t.post(&format!("/api/v1/returns/{id}/credit-note"), note.clone()).await;
    assert_eq!((status, closed["status"].as_str()), (200, Some("CLOSED")), "{closed}");
    advance(&t, 1).await;
    let at_ajio = sim.handle.returns().into_iter().find(|r| r["return_id"] == return_id).unwrap();
    assert_eq!(at_ajio["status"], "CLOSED", "{at_ajio}");
    assert_eq!(at_ajio["credit_note"]["credit_note_number"], "CN/2627/7");
    assert_eq!(at_ajio["credit_note"]["amount"], "1050.00");
    let mut again = note;
    again["credit_note_number"] = json!("CN/2627/8");
    assert_eq!(t.post(&format!("/api/v1/returns/{id}/credit-note"), again).await.0, 409);
    advance(&t, 1).await;
    assert_eq!(outbox(&t, "channel.credit_note").await.len(), 1);
    assert_eq!(sim.handle.calls_to("POST", "/credit-note").len(), 1, "relayed once");
    assert_eq!(sim.handle.calls_to("POST", "/qc").len(), 1, "QC told once");
}

async fn an_rto_is_asked_of_ajio_through_the_outbox_and_arrives_with_the_next_sync(t: TestApp) {
    let sim = simulator(&t, ChannelType::AjioVms).await;
    setup(&t, "ajio", "AJIO_VMS", &sim, json!({"erp_integrated": false})).await;
    let order = dispatched(&t, "ajio", &sim, &["FN3101"], 1).await.remove(0);
    // Not dispatched: nothing to ask for.
    let waiting = marketplace_orders(&t, "ajio", &sim, &["FN3102"], 1).await.remove(0);
    let (status, refused) = t.post(&format!("/api/v1/orders/{waiting}/rto-request"), json!({})).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["detail"].as_str().unwrap().contains("dispatched"), "{refused}");

    let (status, asked) = t.post(&format!("/api/v1/orders/{order}/rto-request"), json!({})).await;
    assert_eq!(status, 202, "{asked}");
    assert_eq!(asked["requested"], true);
    assert!(asked["message"].as_str().unwrap().contains("later sync"), "{asked}");
    assert!(returns_of(&t, &order).await.is_empty(), "the expectation comes from Ajio");
    advance(&t, 1).await;
    let rto = sim.handle.returns().into_iter().find(|r| r["order_id"] == "FN3101").expect("Ajio generated the RTO");
    assert_eq!((rto["return_type"].as_str(), rto["status"].as_str()), (Some("RTO"), Some("IN_TRANSIT")));
    // Asked twice: one message, one RTO.
    assert_eq!(t.post(&format!("/api/v1/orders/{order}/rto-request"), json!({})).await.0, 202);
    advance(&t, 1).await;
    assert_eq!(outbox(&t, "channel.rto_request").await.len(), 1);
    let asked = sim.handle.calls_to("POST", "/rto");
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].path, "/orders/b2c/FN3101/rto");
    assert_eq!(sim.handle.returns().len(), 1);

    sync(&t, "ajio").await;
    let rets = returns_of(&t, &order).await;
    assert_eq!(rets.len(), 1, "{rets:?}");
    assert_eq!((rets[0]["kind"].as_str(), rets[0]["status"].as_str()), (Some("RTO"), Some("EXPECTED")));
    assert_eq!(rets[0]["channel_return_id"], rto["return_id"]);
    // The parcel is received: the order is RETURNED.
    let id = rets[0]["id"].as_str().unwrap();
    let (status, _) =
        t.post(&format!("/api/v1/returns/{id}/receive"), json!({"lines": [{"sku": "A", "qc_pass": 1, "qc_fail": 0}]})).await;
    assert_eq!(status, 200);
    assert_eq!(t.get(&format!("/api/v1/orders/{order}")).await.1["status"], "RETURNED");
}

async fn flipkart_customer_and_courier_returns_are_expected_by_shipment_and_by_order_item(t: TestApp) {
    let v3 = simulator(&t, ChannelType::FlipkartV3).await;
    setup(&t, "fk3", "FLIPKART_V3", &v3, json!({})).await;
    let v2 = simulator(&t, ChannelType::FlipkartV2).await;
    common::marketplace::add_channel(&t, "fk2", "FLIPKART_V2", &v2, json!({"default_gst_rate": 5})).await;
    let by_shipment = dispatched(&t, "fk3", &v3, &["SHIP-rt1", "SHIP-rt2"], 2).await;
    let by_item = dispatched(&t, "fk2", &v2, &["OI-rt1"], 1).await.remove(0);

    // A customer return of one unit of the first shipment, an RTO of the second.
    let customer = v3.handle.add_return(&sim_return("SHIP-rt1", "CUSTOMER_RETURN", Some(vec![("1", 1)]))).unwrap();
    v3.handle.add_return(&sim_return("SHIP-rt2", "RTO", None)).unwrap();
    let report = sync(&t, "fk3").await;
    assert_eq!(report["returns_expected"], 2, "{report}");
    let first = returns_of(&t, &by_shipment[0]).await;
    assert_eq!(first.len(), 1);
    assert_eq!((first[0]["kind"].as_str(), first[0]["lines"][0]["qty"].as_i64()), (Some("CUSTOMER_RETURN"), Some(1)));
    assert_eq!(first[0]["channel_return_id"], customer["returnId"]);
    let second = returns_of(&t, &by_shipment[1]).await;
    assert_eq!((second[0]["kind"].as_str(), second[0]["lines"][0]["qty"].as_i64()), (Some("RTO"), Some(2)));
    assert!(second[0]["awb"].as_str().is_some_and(|a| a.starts_with("FMPR")), "{}", second[0]);
    // Flipkart settles QC by claims: nothing is told back.
    let id = first[0]["id"].as_str().unwrap();
    assert_eq!(
        t.post(&format!("/api/v1/returns/{id}/receive"), json!({"lines": [{"sku": "A", "qc_pass": 0, "qc_fail": 1}]})).await.0,
        200
    );
    advance(&t, 1).await;
    assert!(outbox(&t, "channel.return_qc").await.is_empty());

    // FLIPKART_V2 keys by order item; the customer withdraws the return: no longer expected.
    let announced = v2.handle.add_return(&sim_return("OI-rt1", "CUSTOMER_RETURN", None)).unwrap();
    sync(&t, "fk2").await;
    let rets = returns_of(&t, &by_item).await;
    assert_eq!((rets.len(), rets[0]["status"].as_str()), (1, Some("EXPECTED")), "{rets:?}");
    v2.handle.cancel_return(announced["returnId"].as_str().unwrap()).unwrap();
    sync(&t, "fk2").await;
    assert_eq!(returns_of(&t, &by_item).await[0]["status"], "CANCELLED");
    // Its unit may be expected again.
    let again = json!({"order_id": by_item, "kind": "CUSTOMER_RETURN", "lines": [{"sku": "A", "qty": 1}]});
    assert_eq!(t.post("/api/v1/returns", again).await.0, 201);
}

async fn paytm_returns_are_expected_and_their_qc_results_reach_paytm(t: TestApp) {
    let sim = simulator(&t, ChannelType::Paytm).await;
    setup(&t, "paytm", "PAYTM", &sim, json!({})).await;
    let order = dispatched(&t, "paytm", &sim, &["PTM-R-1"], 3).await.remove(0);
    let announced = sim.handle.add_return(&sim_return("PTM-R-1", "CUSTOMER_RETURN", None)).unwrap();
    assert_eq!(sync(&t, "paytm").await["returns_expected"], 1);
    let ret = returns_of(&t, &order).await.remove(0);
    assert_eq!(ret["channel_return_id"], announced["return_id"]);
    let id = ret["id"].as_str().unwrap();
    // Two come back, one passes and one fails; the third is missing.
    let (status, received) =
        t.post(&format!("/api/v1/returns/{id}/receive"), json!({"lines": [{"sku": "A", "qc_pass": 1, "qc_fail": 1}]})).await;
    assert_eq!(status, 200, "{received}");
    assert_eq!(received["settlement"]["items"].as_array().unwrap().len(), 2, "{received}");
    advance(&t, 1).await;
    let at_paytm = sim.handle.returns().into_iter().find(|r| r["return_id"] == announced["return_id"]).unwrap();
    assert_eq!(at_paytm["status"], "QC_DONE", "{at_paytm}");
    assert_eq!(at_paytm["qc"]["items"], json!([{"item_id": "1", "qc_pass": 1, "qc_fail": 1, "missing": 1}]));
    assert_eq!(sim.handle.calls_to("POST", "/qc").len(), 1);
    // Paytm takes no credit notes: closing the return tells it nothing more.
    let note = json!({"credit_note_number": "CN/2627/9", "credit_note_date": "2026-12-01", "amount": "1050.00"});
    assert_eq!(t.post(&format!("/api/v1/returns/{id}/credit-note"), note).await.0, 200);
    advance(&t, 1).await;
    assert!(outbox(&t, "channel.credit_note").await.is_empty());
    // Ajio alone is asked for RTOs.
    let (status, refused) = t.post(&format!("/api/v1/orders/{order}/rto-request"), json!({})).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["detail"].as_str().unwrap().contains("POST /api/v1/returns"), "{refused}");
}

async fn shopify_returns_come_from_the_graphql_admin_api(t: TestApp) {
    let sim = simulator(&t, ChannelType::Shopify).await;
    setup(&t, "shop", "SHOPIFY", &sim, json!({})).await;
    let order = dispatched(&t, "shop", &sim, &["820982911946154508"], 2).await.remove(0);
    let line_id = t.get(&format!("/api/v1/orders/{order}")).await.1["lines"][0]["channel_line_id"].as_str().map(str::to_string);
    let line_id = line_id.unwrap_or_else(|| "1".into());
    let announced =
        sim.handle.add_return(&sim_return("820982911946154508", "CUSTOMER_RETURN", Some(vec![(&line_id, 1)]))).unwrap();
    assert_eq!(sync(&t, "shop").await["returns_expected"], 1);
    let ret = returns_of(&t, &order).await.remove(0);
    let gid = announced["id"].as_str().unwrap();
    assert_eq!(ret["channel_return_id"].as_str(), gid.rsplit('/').next());
    assert_eq!(ret["lines"][0]["qty"], 1);
    assert!(ret["awb"].as_str().is_some_and(|a| !a.is_empty()), "{ret}");
    // Cancelled on Shopify: withdrawn here.
    sim.handle.cancel_return(gid.rsplit('/').next().unwrap()).unwrap();
    sync(&t, "shop").await;
    assert_eq!(returns_of(&t, &order).await[0]["status"], "CANCELLED");
}

async fn a_return_that_cant_be_expected_is_skipped_and_the_others_still_come_in(t: TestApp) {
    let sim = simulator(&t, ChannelType::Paytm).await;
    setup(&t, "paytm", "PAYTM", &sim, json!({})).await;
    let orders = dispatched(&t, "paytm", &sim, &["PTM-S-1", "PTM-S-2"], 1).await;
    // One unit comes back by hand first; the marketplace then announces it too, with the other order's.
    let by_hand = json!({"order_id": orders[0], "kind": "CUSTOMER_RETURN", "lines": [{"sku": "A", "qty": 1}]});
    assert_eq!(t.post("/api/v1/returns", by_hand).await.0, 201);
    sim.handle.add_return(&sim_return("PTM-S-1", "CUSTOMER_RETURN", None)).unwrap();
    sim.handle.add_return(&sim_return("PTM-S-2", "CUSTOMER_RETURN", None)).unwrap();
    let report = sync(&t, "paytm").await;
    assert_eq!((report["returns_expected"].as_i64(), report["returns_skipped"].as_i64()), (Some(1), Some(1)), "{report}");
    assert_eq!(returns_of(&t, &orders[0]).await.len(), 1, "never more expected than went out");
    assert_eq!(returns_of(&t, &orders[1]).await.len(), 1);
}
