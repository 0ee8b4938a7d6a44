//! Every simulator publishes who an order goes to, who it is invoiced to and how it is paid in its
//! marketplace's own fields, and every connector reads them back.

use crate::common::*;
use ordo_channels::MarketplaceOrder;
use ordo_domain::kinds::{ChannelType, PaymentMode};
use ordo_domain::shipping::{Buyer, Payment, ShipTo};

fn consignee() -> ShipTo {
    ShipTo {
        name: "Priya Nair".into(),
        address: "TC 25/1402, Vazhuthacaud, Thiruvananthapuram".into(),
        state_code: Some("32".into()),
        pin: Some("695014".into()),
        phone: Some("+919847012345".into()),
    }
}

fn cod(amount: &str) -> Payment {
    Payment { mode: PaymentMode::Cod, cod_amount: Some(amount.into()) }
}

fn with_parties(id: &str) -> MarketplaceOrder {
    let mut o = order(id, &[("1", "KETTLE-1L5-SS", 2, "749.50")]);
    o.ship_to = Some(consignee());
    o.payment = Some(Payment { mode: PaymentMode::Cod, cod_amount: None });
    o
}

async fn round_trip(channel_type: ChannelType, o: &MarketplaceOrder, id: &str) -> MarketplaceOrder {
    let sim = start(channel_type, 10).await;
    sim.handle.add_model_order(o).unwrap();
    sim.connector().unwrap().fetch_order(id).await.unwrap().expect("the order is found")
}

#[tokio::test]
async fn the_ship_to_and_cod_of_an_order_come_back_from_every_marketplace() {
    for (t, id) in [
        (ChannelType::FlipkartV3, "f1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
        (ChannelType::FlipkartV2, "4321876523198799"),
        (ChannelType::AmazonSp, "402-1845936-5435065"),
        (ChannelType::Shopify, "5500000000123"),
        (ChannelType::AmazonEdi, "9DS7Q2ZP"),
        (ChannelType::Paytm, "PTM-20260301-000701"),
        (ChannelType::AjioVms, "FN6142208701"),
    ] {
        let mut o = with_parties(id);
        if t == ChannelType::AmazonEdi {
            // A drop-ship PO: one consumer's order, with their address. An 850 has no COD.
            o.payment = None;
        }
        let got = round_trip(t, &o, id).await;
        assert_eq!(got.ship_to, Some(consignee()), "{t:?}");
        let expected = if t == ChannelType::AmazonEdi { Payment::default() } else { cod("1499.00") };
        assert_eq!(got.payment, Some(expected), "{t:?}");
    }
}

#[tokio::test]
async fn an_order_given_no_parties_goes_to_a_generated_customer_and_is_prepaid() {
    for (t, id) in [
        (ChannelType::FlipkartV3, "e8a6f1b2-3c4d-4e5f-9a0b-1c2d3e4f5a6b"),
        (ChannelType::AmazonSp, "402-8745147-1934268"),
        (ChannelType::Shopify, "5500000000124"),
        (ChannelType::Paytm, "PTM-20260301-000702"),
        (ChannelType::AjioVms, "FN6142208702"),
    ] {
        let got = round_trip(t, &order(id, &[("1", "MUG-CER-350", 1, "299.00")]), id).await;
        let ship_to = got.ship_to.unwrap_or_else(|| panic!("{t:?} has no ship-to"));
        assert!(!ship_to.name.is_empty() && ship_to.address.contains(", "), "{t:?}: {ship_to:?}");
        assert!(ship_to.state_code.is_some() && ship_to.pin.is_some(), "{t:?}: {ship_to:?}");
        assert_eq!(got.payment, Some(Payment::default()), "{t:?}");
    }
}

#[tokio::test]
async fn a_business_buyer_comes_back_with_its_gstin() {
    let buyer = Buyer {
        legal_name: "Nair Textiles Pvt Ltd".into(),
        gstin: Some("32AABCN1234D1Z5".into()),
        address: Some("MG Road, Kochi".into()),
    };
    for (t, id, with_gstin) in [
        (ChannelType::AmazonSp, "402-3159896-1390916", true),
        (ChannelType::Paytm, "PTM-20260301-000703", true),
        (ChannelType::Shopify, "5500000000125", false),
        (ChannelType::FlipkartV3, "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", false),
    ] {
        let mut o = with_parties(id);
        o.buyer = Some(buyer.clone());
        let got = round_trip(t, &o, id).await.buyer.unwrap_or_else(|| panic!("{t:?} has no buyer"));
        assert_eq!(got.legal_name, buyer.legal_name, "{t:?}");
        assert_eq!(got.gstin, if with_gstin { buyer.gstin.clone() } else { None }, "{t:?}");
    }
    // A bulk EDI PO: Amazon bills it and names only its warehouse, so there is a buyer and no ship-to.
    let mut po = order("4KX7Q2ZP", &[("1", "ACME-MUG-350", 10, "12.50")]);
    po.kind = ordo_channels::OrderKind::B2B;
    po.buyer =
        Some(Buyer { legal_name: "Amazon Seller Services Pvt Ltd".into(), gstin: Some("29AAICA3918J1ZE".into()), address: None });
    let got = round_trip(ChannelType::AmazonEdi, &po, "4KX7Q2ZP").await;
    assert_eq!(got.buyer, po.buyer);
    assert_eq!(got.ship_to, None);
}

#[tokio::test]
async fn ajio_purchase_orders_name_ajio_with_its_gstin_and_its_warehouse() {
    let sim = start(ChannelType::AjioVms, 10).await;
    let c = sim.connector().unwrap();
    let t0 = sim.now();
    sim.handle.add_model_order(&with_parties("FN6142208801")).unwrap();
    c.acknowledge("FN6142208801").await.unwrap();
    sim.advance(60);
    sim.handle.ajio_generate_b2b().unwrap();
    sim.advance(60);
    let pos = c.fetch_b2b(&sim.window_since(t0)).await.unwrap();
    let po = &pos[0].order;
    let buyer = po.buyer.clone().unwrap();
    assert_eq!(buyer.legal_name, "Reliance Retail Limited");
    assert_eq!(buyer.gstin.as_deref(), Some("27AABCR1718E1ZP"));
    let ship_to = po.ship_to.clone().unwrap();
    assert_eq!(ship_to.state_code.as_deref(), Some("29"));
    assert_eq!(ship_to.pin.as_deref(), Some("562114"));
}
