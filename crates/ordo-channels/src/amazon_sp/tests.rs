//! The connector against Amazon's own published sandbox payloads (tests/fixtures/amazon-sp-api).

use super::*;
use crate::model::MarketplaceState;
use crate::test_support::fixture;
use serde_json::Value;

/// Every `x-amzn-api-sandbox.static[].response` of one operation and status.
fn sandbox(file: &str, path: &str, method: &str, status: &str) -> Vec<Value> {
    let doc = fixture(&format!("amazon-sp-api/{file}"));
    let statics = doc["paths"][path][method]["responses"][status]["x-amzn-api-sandbox"]["static"]
        .as_array()
        .unwrap_or_else(|| panic!("no sandbox responses for {method} {path} {status}"))
        .clone();
    assert!(!statics.is_empty());
    statics.into_iter().map(|s| s["response"].clone()).collect()
}

fn v0(path: &str, status: &str) -> Vec<Value> {
    sandbox("ordersV0.json", path, "get", status)
}

#[test]
fn every_get_orders_sandbox_page_parses_and_round_trips() {
    let pages = v0("/orders/v0/orders", "200");
    assert_eq!(pages.len(), 3);
    let mut ids = Vec::new();
    for page in &pages {
        let typed: GetOrdersResponse = serde_json::from_value(page.clone()).expect("getOrders page");
        // What the simulator would serve back is exactly what Amazon published.
        assert_eq!(&serde_json::to_value(&typed).unwrap(), page);
        let payload = typed.payload.expect("payload");
        for (raw, order) in page["payload"]["Orders"].as_array().unwrap().iter().zip(&payload.orders) {
            let m = map_order(raw, &[], false).expect("maps");
            assert_eq!(m.channel_order_id, order.amazon_order_id);
            assert_eq!(m.raw["order"], *raw);
            ids.push((m.channel_order_id, m.state));
        }
    }
    assert_eq!(
        ids,
        vec![
            ("902-1845936-5435065".to_string(), MarketplaceState::Open),
            ("902-8745147-1934268".to_string(), MarketplaceState::Open),
            ("902-3159896-1390916".to_string(), MarketplaceState::Pending),
            ("902-3159896-1390916".to_string(), MarketplaceState::Pending),
        ]
    );
    // The sandbox's quirks: CreatedBefore is epoch seconds in a string; dates are in 1970; NextToken pages.
    let first: GetOrdersResponse = serde_json::from_value(pages[0].clone()).unwrap();
    let created_before = first.payload.unwrap().created_before.unwrap();
    assert_eq!(created_before, "1.569521782042E9");
    assert_eq!(crate::lenient::parse_time(&created_before).unwrap().to_string(), "2019-09-26T18:16:22.042Z");
    let m = map_order(&pages[0]["payload"]["Orders"][0], &[], false).unwrap();
    assert_eq!(m.updated_at.unwrap().to_string(), "1970-01-19T03:58:32Z");
    let second: GetOrdersResponse = serde_json::from_value(pages[1].clone()).unwrap();
    assert_eq!(second.payload.unwrap().next_token.as_deref(), Some("2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"));
}

#[test]
fn every_get_order_sandbox_response_maps() {
    let responses = v0("/orders/v0/orders/{orderId}", "200");
    assert_eq!(responses.len(), 2);
    for r in &responses {
        let typed: GetOrderResponse = serde_json::from_value(r.clone()).expect("getOrder");
        assert_eq!(&serde_json::to_value(&typed).unwrap(), r);
    }
    let unshipped = map_order(&responses[0]["payload"], &[], false).unwrap();
    assert_eq!(unshipped.channel_order_id, "902-1845936-5435065");
    assert_eq!(unshipped.state, MarketplaceState::Open);
    assert_eq!(unshipped.kind, OrderKind::B2C);
    assert_eq!(unshipped.parent_order_id, None);
    // Shipped by Amazon (AFN), an Amazon Business order: closed, nothing for the seller to ship.
    let iba = map_order(&responses[1]["payload"], &[], false).unwrap();
    assert_eq!(iba.channel_order_id, "921-3175655-0452641");
    assert_eq!(iba.state, MarketplaceState::Closed);
    let typed: Order = serde_json::from_value(responses[1]["payload"].clone()).unwrap();
    assert_eq!(typed.is_business_order, Some(true));
    assert_eq!(typed.order_total.unwrap().amount.as_deref(), Some("100.00"));
    assert_eq!(iba.updated_at.unwrap().to_string(), "2019-05-08T21:59:59Z");
}

#[test]
fn every_get_order_items_sandbox_response_maps_with_its_order() {
    let responses = v0("/orders/v0/orders/{orderId}/orderItems", "200");
    assert_eq!(responses.len(), 1);
    let typed: GetOrderItemsResponse = serde_json::from_value(responses[0].clone()).expect("getOrderItems");
    assert_eq!(serde_json::to_value(&typed).unwrap(), responses[0]);
    let payload = typed.payload.unwrap();
    assert_eq!(payload.amazon_order_id, "902-1845936-5435065");
    let item = &payload.order_items[0];
    // IsGift and IsBuyerRequestedCancel arrive as strings.
    assert_eq!(item.is_gift, Some(StrBool(false)));
    assert_eq!(item.buyer_requested_cancel.as_ref().unwrap().is_buyer_requested_cancel, Some(StrBool(true)));

    let order = &v0("/orders/v0/orders/{orderId}", "200")[0]["payload"];
    let items = responses[0]["payload"]["OrderItems"].as_array().unwrap();
    let m = map_order(order, items, false).unwrap();
    assert_eq!(m.lines.len(), 1);
    let l = &m.lines[0];
    assert_eq!(l.channel_line_id, "05015851154158");
    assert_eq!(l.channel_sku, "NABetaASINB00551Q3CS");
    assert_eq!(l.qty, 1);
    assert_eq!(l.unit_price.as_deref(), Some("10.00"));
    assert_eq!(l.cancelled_qty, 0);
    assert_eq!(m.raw["items"][0], items[0]);

    let flex = map_order(order, items, true).unwrap();
    assert_eq!(flex.parent_order_id.as_deref(), Some("902-1845936-5435065"));
}

#[test]
fn sandbox_error_responses_parse_as_errors() {
    for path in ["/orders/v0/orders", "/orders/v0/orders/{orderId}", "/orders/v0/orders/{orderId}/orderItems"] {
        for r in v0(path, "400") {
            let typed: GetOrdersResponse = serde_json::from_value(r.clone()).unwrap();
            let errors = typed.errors.unwrap();
            assert_eq!(errors[0].code, "InvalidInput");
            assert_eq!(crate::http::error_message(reqwest::StatusCode::BAD_REQUEST, r.to_string().as_bytes()), "Invalid Input");
        }
    }
}

#[test]
fn statuses_map_to_what_the_seller_should_do() {
    assert_eq!(state_of("Pending"), MarketplaceState::Pending);
    assert_eq!(state_of("PendingAvailability"), MarketplaceState::Pending);
    assert_eq!(state_of("Unshipped"), MarketplaceState::Open);
    assert_eq!(state_of("PartiallyShipped"), MarketplaceState::Open);
    assert_eq!(state_of("Shipped"), MarketplaceState::Closed);
    assert_eq!(state_of("InvoiceUnconfirmed"), MarketplaceState::Closed);
    assert_eq!(state_of("Canceled"), MarketplaceState::Cancelled);
    assert_eq!(state_of("SomethingNew"), MarketplaceState::Pending);
}

#[test]
fn a_cancelled_order_cancels_every_line_and_prices_divide_exactly() {
    let order = serde_json::json!({"AmazonOrderId": "404-1234567-1234567", "OrderStatus": "Canceled", "LastUpdateDate": "2026-01-01T00:00:00Z"});
    let items = vec![
        serde_json::json!({"ASIN": "B0X", "SellerSKU": "SKU-1", "OrderItemId": "1", "QuantityOrdered": "3", "ItemPrice": {"CurrencyCode": "INR", "Amount": "30.00"}}),
        serde_json::json!({"ASIN": "B0Y", "OrderItemId": 2, "QuantityOrdered": 3, "ItemPrice": {"CurrencyCode": "INR", "Amount": "10.00"}}),
    ];
    let m = map_order(&order, &items, false).unwrap();
    assert!(m.is_cancelled());
    assert_eq!(m.lines[0].qty, 3);
    assert_eq!(m.lines[0].cancelled_qty, 3);
    assert_eq!(m.lines[0].unit_price.as_deref(), Some("10.00"));
    // 10.00 / 3 is not a price in paise: left out rather than rounded; the ASIN stands in for a missing SKU.
    assert_eq!(m.lines[1].unit_price, None);
    assert_eq!(m.lines[1].channel_sku, "B0Y");
    assert_eq!(m.lines[1].channel_line_id, "2");
}

#[test]
fn the_2026_search_orders_sandbox_responses_parse_and_map() {
    let pages = sandbox("orders_2026-01-01.json", "/orders/2026-01-01/orders", "get", "200");
    assert_eq!(pages.len(), 3);
    let mut all = Vec::new();
    for page in &pages {
        let typed: search_orders::SearchOrdersResponse = serde_json::from_value(page.clone()).expect("searchOrders page");
        assert_eq!(typed.orders.len(), page["orders"].as_array().unwrap().len());
        for raw in page["orders"].as_array().unwrap() {
            all.push(search_orders::map_order(raw).expect("maps"));
        }
    }
    let jp = &all[0];
    assert_eq!(jp.channel_order_id, "250-1234567-8901234");
    assert_eq!(jp.state, MarketplaceState::Closed);
    assert_eq!(jp.lines.len(), 2);
    assert_eq!(jp.lines[0].channel_sku, "ECHO-DOT-4-JP-CHARCOAL");
    assert_eq!(jp.lines[0].unit_price.as_deref(), Some("5980.00"));
    assert_eq!(jp.lines[1].channel_sku, "FIRE-TV-4K-MAX-JP");
    assert_eq!(jp.lines[1].qty, 2);
    assert_eq!(jp.lines[1].channel_line_id, "25012345678902");
    let first: search_orders::SearchOrdersResponse = serde_json::from_value(pages[0].clone()).unwrap();
    assert_eq!(first.pagination.unwrap().next_token.as_deref(), Some("2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"));
    assert!(all.iter().any(|o| o.channel_order_id == "171-2345678-9012345" && o.state == MarketplaceState::Open));

    for r in sandbox("orders_2026-01-01.json", "/orders/2026-01-01/orders/{orderId}", "get", "200") {
        let typed: search_orders::GetOrderResponse = serde_json::from_value(r.clone()).expect("getOrder 2026");
        let m = search_orders::map_order(&r["order"]).unwrap();
        assert_eq!(m.channel_order_id, typed.order.order_id);
        assert!(!m.lines.is_empty());
    }
}

#[test]
fn get_orders_without_restricted_data_has_no_ship_to_and_other_is_prepaid() {
    for page in v0("/orders/v0/orders", "200") {
        for raw in page["payload"]["Orders"].as_array().unwrap() {
            let m = map_order(raw, &[], false).unwrap();
            // ShippingAddress and BuyerInfo are null without a restricted data token.
            assert_eq!(m.ship_to, None);
            assert_eq!(m.buyer, None);
            assert_eq!(m.payment, Some(ordo_domain::shipping::Payment::default()));
        }
    }
}

#[test]
fn the_published_address_and_buyer_info_fill_ship_to_and_buyer() {
    let mut order = v0("/orders/v0/orders", "200")[0]["payload"]["Orders"][0].clone();
    let address = &v0("/orders/v0/orders/{orderId}/address", "200")[0]["payload"]["ShippingAddress"];
    let buyer = &v0("/orders/v0/orders/{orderId}/buyerInfo", "200")[0]["payload"];
    order["ShippingAddress"] = address.clone();
    order["BuyerInfo"] = serde_json::json!({"BuyerName": buyer["BuyerName"], "BuyerEmail": buyer["BuyerEmail"]});
    let m = map_order(&order, &[], false).unwrap();
    let ship_to = m.ship_to.unwrap();
    assert_eq!(ship_to.name, "MFNIntegrationTestMerchant");
    assert_eq!(ship_to.address, "2201 WESTLAKE AVE, SEATTLE");
    assert_eq!(ship_to.state_code.as_deref(), Some("96"), "outside India");
    assert_eq!(ship_to.pin.as_deref(), Some("98121-2778"));
    assert_eq!(ship_to.phone.as_deref(), Some("+1 480-386-0930 ext. 73824"));
    let buyer = m.buyer.unwrap();
    assert_eq!(buyer.legal_name, "MFNIntegrationTestMerchant");
    assert_eq!(buyer.gstin, None);
}

#[test]
fn an_indian_cod_business_order() {
    let mut order = v0("/orders/v0/orders", "200")[0]["payload"]["Orders"][0].clone();
    order["ShippingAddress"] = serde_json::json!({
        "Name": "Vikram Singh", "AddressLine1": "B-12, Sector 18", "AddressLine2": "Near Atta Market",
        "City": "NOIDA", "StateOrRegion": "UTTAR PRADESH", "PostalCode": "201301", "CountryCode": "IN",
        "Phone": "+91 9810012345", "AddressType": "Residential"
    });
    order["PaymentMethod"] = serde_json::json!("COD");
    order["PaymentExecutionDetail"] = serde_json::json!([
        {"Payment": {"CurrencyCode": "INR", "Amount": "1180.00"}, "PaymentMethod": "COD"},
        {"Payment": {"CurrencyCode": "INR", "Amount": "20.00"}, "PaymentMethod": "GC"}
    ]);
    order["IsBusinessOrder"] = serde_json::json!(true);
    order["BuyerInfo"] = serde_json::json!({"BuyerName": "Vikram Singh", "BuyerTaxInfo": {
        "CompanyLegalName": "Singh Traders Pvt Ltd", "TaxingRegion": "IN",
        "TaxClassifications": [{"Name": "GSTIN", "Value": "09AAACS1234F1Z2"}]
    }});
    let m = map_order(&order, &[], false).unwrap();
    let ship_to = m.ship_to.unwrap();
    assert_eq!(ship_to.address, "B-12, Sector 18, Near Atta Market, NOIDA");
    assert_eq!(ship_to.state_code.as_deref(), Some("09"));
    let buyer = m.buyer.unwrap();
    assert_eq!(buyer.legal_name, "Singh Traders Pvt Ltd");
    assert_eq!(buyer.gstin.as_deref(), Some("09AAACS1234F1Z2"));
    let p = m.payment.unwrap();
    assert_eq!(p.mode, ordo_domain::kinds::PaymentMode::Cod);
    assert_eq!(p.cod_amount.as_deref(), Some("1180.00"));
    // Without the sub-payments, the order total is collected; restricted fields missing leave no ship-to.
    order.as_object_mut().unwrap().remove("PaymentExecutionDetail");
    order["ShippingAddress"] =
        serde_json::json!({"City": "NOIDA", "StateOrRegion": "UTTAR PRADESH", "PostalCode": "201301", "CountryCode": "IN"});
    let m = map_order(&order, &[], false).unwrap();
    assert_eq!(m.payment.unwrap().cod_amount.as_deref(), Some("11.01"));
    assert_eq!(m.ship_to, None);
}

#[test]
fn the_2026_orders_carry_recipient_buyer_and_tax_registration() {
    let mut orders: Vec<Value> = sandbox("orders_2026-01-01.json", "/orders/2026-01-01/orders", "get", "200")
        .into_iter()
        .flat_map(|p| p["orders"].as_array().cloned().unwrap_or_default())
        .collect();
    orders.extend(
        sandbox("orders_2026-01-01.json", "/orders/2026-01-01/orders/{orderId}", "get", "200")
            .into_iter()
            .map(|r| r["order"].clone()),
    );
    // The operation's published example too.
    let doc = fixture("amazon-sp-api/orders_2026-01-01.json");
    let example = &doc["paths"]["/orders/2026-01-01/orders"]["get"]["responses"]["200"]["examples"]["application/json"];
    orders.extend(example["orders"].as_array().cloned().unwrap_or_default());
    let seattle = orders
        .iter()
        .find(|o| o.pointer("/recipient/deliveryAddress/companyName") == Some(&"Smith Industries LLC".into()))
        .unwrap();
    let m = search_orders::map_order(seattle).unwrap();
    let ship_to = m.ship_to.unwrap();
    assert_eq!(ship_to.name, "John Smith");
    assert_eq!(ship_to.address, "Smith Industries LLC, 123 Main Street, Suite 456, King County, Seattle");
    assert_eq!(ship_to.state_code.as_deref(), Some("96"));
    assert_eq!(ship_to.pin.as_deref(), Some("98101"));
    assert_eq!(ship_to.phone.as_deref(), Some("555-123-4567"));
    assert_eq!(m.buyer.unwrap().legal_name, "Smith Industries LLC");
    // A business buyer's registration names the buyer; a foreign tax id is no GSTIN.
    let turkey = orders
        .iter()
        .find(|o| o.pointer("/tax/taxRegistrations/0/taxRegistrationNumber") == Some(&"TR1234567890".into()))
        .unwrap();
    let buyer = search_orders::map_order(turkey).unwrap().buyer.unwrap();
    assert_eq!(buyer.legal_name, "Test company name");
    assert_eq!(buyer.gstin, None);
    assert_eq!(buyer.address.as_deref(), Some("Istiklal Caddesi No:42, Kat 3, Istanbul"));
    // A card payment is prepaid; cash on delivery collects its amount.
    let card =
        orders.iter().find(|o| o.pointer("/payment/paymentExecutions/0/paymentMethod") == Some(&"CreditCard".into())).unwrap();
    assert_eq!(search_orders::map_order(card).unwrap().payment, Some(ordo_domain::shipping::Payment::default()));
    let mut cod = card.clone();
    cod["payment"] = serde_json::json!({"paymentExecutions": [{"paymentMethod": "CashOnDelivery", "paymentAmount": {"amount": "749.00", "currencyCode": "INR"}}]});
    let p = search_orders::map_order(&cod).unwrap().payment.unwrap();
    assert_eq!(p.mode, ordo_domain::kinds::PaymentMode::Cod);
    assert_eq!(p.cod_amount.as_deref(), Some("749.00"));
}
