//! The connector against the simulator, end to end over HTTP: authentication, IRN generation, the
//! duplicate answered by a lookup, signature checks, retries and the token's lifetime.

use ordo_einvoice::client::Clock;
use ordo_einvoice::crypto;
use ordo_einvoice::sim::{SimKeys, Simulator, SpawnedSimulator};
use ordo_einvoice::{
    GstinCheck, Invoice, InvoiceInput, IrpClient, IrpConfig, IrpError, LineInput, Paise, Party, Rate, RetryPolicy,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::{date, datetime};

// Fixed keys made for these tests only: generating 2048-bit keys in a debug build takes seconds.
const ENCRYPTION_KEY: &str = ordo_einvoice::simulator_keys::ENCRYPTION_PRIVATE_KEY;
const SIGNING_KEY: &str = ordo_einvoice::simulator_keys::SIGNING_PRIVATE_KEY;
const OTHER_SIGNING_KEY: &str = include_str!("keys/other-signing-TEST-ONLY.pem");

const SELLER_GSTIN: &str = "27AAPFU0939F1ZV";

fn keys() -> SimKeys {
    SimKeys::from_pem(ENCRYPTION_KEY, SIGNING_KEY).unwrap()
}

/// A clock that stands still until moved.
fn manual_clock(start: OffsetDateTime) -> (Arc<Mutex<OffsetDateTime>>, Clock) {
    let now = Arc::new(Mutex::new(start));
    let reader = now.clone();
    (now, Arc::new(move || *reader.lock().unwrap()))
}

async fn start(simulator: Simulator) -> SpawnedSimulator {
    simulator.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn config(sim: &SpawnedSimulator) -> IrpConfig {
    IrpConfig {
        endpoint: sim.base_url.clone(),
        client_id: "ordo-client".into(),
        client_secret: "ordo-secret".into(),
        user_name: "ordo_api".into(),
        password: "Passw0rd!".into(),
        gstin: SELLER_GSTIN.into(),
        encryption_key: sim.keys.encryption_public_key.clone(),
        signing_key: sim.keys.signing_public_key.clone(),
    }
}

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy { max_attempts, base_delay: Duration::from_millis(10), max_delay: Duration::from_millis(40) }
}

fn client(config: IrpConfig) -> IrpClient {
    IrpClient::new(config).unwrap().with_retry_policy(fast_retries(4))
}

fn invoice(number: &str) -> Invoice {
    let party = |gstin: &str, name: &str, pin: u32| Party {
        gstin: gstin.into(),
        legal_name: name.into(),
        address1: "1 Main Road".into(),
        location: "Somewhere".into(),
        pin,
        ..Party::default()
    };
    InvoiceInput {
        seller: party(SELLER_GSTIN, "Ordo Demo Traders", 400001),
        buyer: party("29AABCT1332L1ZA", "Bengaluru Retail LLP", 560001),
        document_type: ordo_einvoice::DocumentType::Invoice,
        document_number: number.into(),
        document_date: date!(2026 - 06 - 15),
        place_of_supply: "29".into(),
        lines: vec![
            LineInput {
                description: "Cotton T-shirt".into(),
                hsn_code: "61091000".into(),
                quantity: 10,
                unit: "NOS".into(),
                unit_price: Paise(49_900),
                gst_rate: Rate(500),
                ..LineInput::default()
            },
            LineInput {
                description: "Leather belt".into(),
                hsn_code: "42033000".into(),
                quantity: 1,
                unit: "PCS".into(),
                unit_price: Paise(99_900),
                gst_rate: Rate(1800),
                ..LineInput::default()
            },
        ],
        reverse_charge: false,
        gstin_check: GstinCheck::Strict,
    }
    .build()
    .unwrap()
}

#[tokio::test]
async fn an_invoice_is_registered_with_our_irn_and_signatures_that_verify() {
    let sim = start(Simulator::new(keys())).await;
    let invoice = invoice("WH1/2627/000001");
    let registration = client(config(&sim)).register(&invoice).await.unwrap();

    assert_eq!(registration.irn, invoice.irn().unwrap());
    assert!(!registration.duplicate);
    assert_eq!(registration.status, "ACT");
    assert_eq!(registration.ack_no.to_string().len(), 15);
    let signing = crypto::public_key_from_pem(&sim.keys.signing_public_key).unwrap();
    for token in [&registration.signed_invoice, &registration.signed_qr_code] {
        let claims = crypto::verify_jwt(&signing, token).unwrap();
        assert_eq!(claims["iss"], "NIC");
    }
    // The QR code carries NIC's summary of this invoice.
    let qr = &registration.qr;
    assert_eq!((qr.seller_gstin.as_str(), qr.buyer_gstin.as_str()), (SELLER_GSTIN, "29AABCT1332L1ZA"));
    assert_eq!(
        (qr.document_number.as_str(), qr.document_type.as_str(), qr.document_date.as_str()),
        ("WH1/2627/000001", "INV", "15/06/2026")
    );
    assert_eq!((qr.total_value, qr.item_count, qr.main_hsn_code.as_str()), (invoice.totals.total, 2, "61091000"));
    assert_eq!((qr.irn.as_str(), qr.irn_date.as_str()), (registration.irn.as_str(), registration.ack_date.as_str()));
    // The signed invoice is the invoice sent, with NIC's acknowledgement in front.
    let claims = crypto::verify_jwt(&signing, &registration.signed_invoice).unwrap();
    let signed: serde_json::Value = serde_json::from_str(claims["data"].as_str().unwrap()).unwrap();
    assert_eq!(signed["AckNo"], registration.ack_no);
    assert_eq!(signed["ValDtls"]["TotInvVal"], serde_json::json!(6418.32));
    assert_eq!(sim.simulator.stats().auth_calls, 1);
}

#[tokio::test]
async fn the_same_document_twice_is_answered_by_fetching_the_first_registration() {
    let sim = start(Simulator::new(keys())).await;
    let client = client(config(&sim));
    let invoice = invoice("WH1/2627/000002");
    let first = client.register(&invoice).await.unwrap();
    let second = client.register(&invoice).await.unwrap();

    assert!(second.duplicate);
    assert_eq!((second.irn.as_str(), second.ack_no), (first.irn.as_str(), first.ack_no));
    assert_eq!(second.signed_qr_code, first.signed_qr_code);
    let stats = sim.simulator.stats();
    assert_eq!((stats.generate_calls, stats.lookup_calls, stats.registered, stats.auth_calls), (2, 1, 1, 1));
}

#[tokio::test]
async fn signatures_that_do_not_verify_with_the_configured_key_are_refused() {
    let sim = start(Simulator::new(keys())).await;
    let mut config = config(&sim);
    config.signing_key = crypto::public_key_to_pem(&crypto::private_key_from_pem(OTHER_SIGNING_KEY).unwrap().to_public_key());
    let err = client(config).register(&invoice("WH1/2627/000003")).await.unwrap_err();
    match err {
        IrpError::Signature { document, reason } => {
            assert_eq!(document, "SignedInvoice");
            assert!(reason.contains("does not verify"), "{reason}");
        }
        other => panic!("expected a signature error, got {other:?}"),
    }
}

#[tokio::test]
async fn server_errors_are_retried_until_the_portal_recovers() {
    let sim = start(Simulator::new(keys())).await;
    sim.simulator.fail_next(2);
    let registration = client(config(&sim)).register(&invoice("WH1/2627/000004")).await.unwrap();
    assert_eq!(registration.irn, invoice("WH1/2627/000004").irn().unwrap());
    // Both 503s fell on the authentication, which succeeded on its third attempt.
    assert_eq!(sim.simulator.stats().auth_calls, 3);
}

#[tokio::test]
async fn a_portal_that_keeps_failing_is_reported_unavailable_after_the_last_attempt() {
    let sim = start(Simulator::new(keys())).await;
    sim.simulator.fail_next(10);
    let client = IrpClient::new(config(&sim)).unwrap().with_retry_policy(fast_retries(3));
    let err = client.register(&invoice("WH1/2627/000005")).await.unwrap_err();
    assert!(err.is_transient());
    assert!(err.to_string().contains("503") && err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(sim.simulator.stats().auth_calls, 3);
}

#[tokio::test]
async fn a_dead_portal_is_retried_then_reported_unavailable() {
    // Nothing listens on this port once the listener is dropped.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sim = start(Simulator::new(keys())).await;
    let mut config = config(&sim);
    config.endpoint = format!("http://127.0.0.1:{port}");
    let err = client(config).register(&invoice("WH1/2627/000006")).await.unwrap_err();
    assert!(matches!(err, IrpError::Unavailable(ref m) if m.contains("after 4 attempts")), "{err}");
}

#[tokio::test]
async fn nics_refusals_keep_nics_code_and_message() {
    let sim = start(Simulator::new(keys())).await;
    let mut config = config(&sim);
    config.user_name = String::new();
    let err = client(config).register(&invoice("WH1/2627/000007")).await.unwrap_err();
    assert_eq!(err, IrpError::Portal(vec![ordo_einvoice::wire::PortalError::new("1006", "User Name is required")]));
    assert_eq!(err.portal_code(), Some("1006"));

    let lookup =
        client(self::config(&sim)).irn_by_document(ordo_einvoice::DocumentType::Invoice, "NEVER/1", date!(2026 - 06 - 15)).await;
    assert_eq!(lookup.unwrap_err().portal_code(), Some("2148"));
}

#[tokio::test]
async fn an_invoice_of_another_gstin_is_not_sent() {
    let sim = start(Simulator::new(keys())).await;
    let mut config = config(&sim);
    config.gstin = "29AABCT1332L1ZA".into();
    let err = client(config).register(&invoice("WH1/2627/000008")).await.unwrap_err();
    assert!(matches!(err, IrpError::Invoice(ref m) if m.contains("not 29AABCT1332L1ZA")), "{err}");
    assert_eq!(sim.simulator.stats().auth_calls, 0);
}

#[tokio::test]
async fn the_token_is_kept_until_shortly_before_it_expires() {
    let (now, clock) = manual_clock(datetime!(2026-06-15 09:00 UTC));
    let sim = start(Simulator::with_clock(keys(), clock.clone())).await;
    let client = client(config(&sim)).with_clock(clock);
    client.register(&invoice("WH1/2627/000010")).await.unwrap();
    *now.lock().unwrap() += time::Duration::minutes(50);
    client.register(&invoice("WH1/2627/000011")).await.unwrap();
    assert_eq!(sim.simulator.stats().auth_calls, 1, "a token with ten minutes left is reused");
    *now.lock().unwrap() += time::Duration::minutes(6);
    client.register(&invoice("WH1/2627/000012")).await.unwrap();
    assert_eq!(sim.simulator.stats().auth_calls, 2, "a token with four minutes left is renewed");
    *now.lock().unwrap() += time::Duration::minutes(120);
    client.register(&invoice("WH1/2627/000013")).await.unwrap();
    assert_eq!(sim.simulator.stats().auth_calls, 3, "an expired token is replaced");
}

#[tokio::test]
async fn a_token_the_portal_no_longer_knows_is_replaced_once() {
    // The portal's clock runs ahead of Ordo's: it expires the token Ordo still thinks is good.
    let (portal_now, portal_clock) = manual_clock(datetime!(2026-06-15 09:00 UTC));
    let (_, ordo_clock) = manual_clock(datetime!(2026-06-15 09:00 UTC));
    let sim = start(Simulator::with_clock(keys(), portal_clock)).await;
    let client = client(config(&sim)).with_clock(ordo_clock);
    client.register(&invoice("WH1/2627/000020")).await.unwrap();
    *portal_now.lock().unwrap() += time::Duration::minutes(61);
    let registration = client.register(&invoice("WH1/2627/000021")).await.unwrap();
    assert!(!registration.duplicate);
    let stats = sim.simulator.stats();
    assert_eq!((stats.auth_calls, stats.generate_calls), (2, 3));
}

#[tokio::test]
async fn the_simulator_serves_its_keys_and_takes_faults_over_http() {
    let sim = start(Simulator::new(keys())).await;
    let http = reqwest::Client::new();
    let served: serde_json::Value = http.get(format!("{}/_sim/keys", sim.base_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(served["signing_public_key"], sim.keys.signing_public_key.as_str());
    assert_eq!(served["encryption_public_key"], sim.keys.encryption_public_key.as_str());
    assert!(sim.keys.signing_public_key.starts_with("-----BEGIN PUBLIC KEY-----"));

    let set =
        http.post(format!("{}/_sim/faults", sim.base_url)).json(&serde_json::json!({"server_errors": 1})).send().await.unwrap();
    assert!(set.status().is_success());
    let auth = format!("{}{}", sim.base_url, ordo_einvoice::wire::AUTH_PATH);
    assert_eq!(http.post(&auth).body("{}").send().await.unwrap().status(), 503);
    // The fault is spent: the next call is NIC's own refusal of a body without credentials.
    let refused: serde_json::Value = http.post(&auth).body("{}").send().await.unwrap().json().await.unwrap();
    assert_eq!(refused["Status"], 0);
    assert_eq!(refused["ErrorDetails"][0]["ErrorCode"], "1011");
}

#[tokio::test]
async fn the_spawn_helper_starts_a_simulator_with_its_published_keys() {
    let sim = ordo_einvoice::sim::spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (encryption, signing) = ordo_einvoice::simulator_keys::public_pems();
    assert_eq!((&sim.keys.encryption_public_key, &sim.keys.signing_public_key), (encryption, signing));
    let registration = client(config(&sim)).register(&invoice("WH1/2627/000030")).await.unwrap();
    let signing = crypto::public_key_from_pem(&sim.keys.signing_public_key).unwrap();
    assert!(crypto::verify_jwt(&signing, &registration.signed_qr_code).is_ok());
}
