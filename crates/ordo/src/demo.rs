//! `ordo demo`: Ordo doing its main job on one machine with no setup. It seeds a demo seller
//! (warehouse, articles, stock, a channel of every marketplace type), starts a simulator for each
//! marketplace and the e-invoice portal in this process, keeps those marketplaces producing orders,
//! cancellations, holds, return pickups and returns, and serves the API while Ordo pulls, allocates,
//! holds and releases, and a simulated warehouse crew picks, packs and hands the orders over and
//! receives the returns through QC.

mod crew;

use anyhow::{Result, anyhow};
use ordo_app::ordo_store::IngestOutcome;
use ordo_app::requests::{
    ChannelPatchRequest, ChannelRequest, EInvoicingRequest, SkuMappingRequest, SkuRequest, WarehouseRequest,
};
use ordo_app::{App, Caller};
use ordo_channels::{MarketplaceLine, MarketplaceOrder};
use ordo_domain::DomainError;
use ordo_domain::kinds::{ChannelType, ManifestStatus, OrderStatus, Pool, ReturnKind, Role};
use ordo_domain::model::Principal;
use ordo_sim::{RunningSimulator, SimConfig, SimReturn, spawn_simulator};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const CLIENT: &str = "demo";
const WAREHOUSE: &str = "wh1";

/// The demo's articles: (SKU, name, EAN, HSN, MRP, stock in QC_PASS).
const ARTICLES: &[(&str, &str, &str, &str, &str, i64)] = &[
    ("TSHIRT-BLK-M", "Cotton T-shirt, black, M", "8901234500011", "6109", "499.00", 40),
    ("TSHIRT-BLK-L", "Cotton T-shirt, black, L", "8901234500028", "6109", "499.00", 25),
    ("KURTA-IND-M", "Cotton kurta, indigo, M", "8901234500035", "6211", "1299.00", 15),
    ("JEANS-32", "Slim jeans, 32", "8901234500042", "6203", "1799.00", 8),
    ("SNEAKER-9", "Canvas sneakers, UK 9", "8901234500059", "6404", "2199.00", 4),
    ("CAP-RED", "Baseball cap, red", "8901234500066", "6505", "399.00", 0),
];

/// (channel code, type) of the demo's marketplace accounts.
const CHANNELS: &[(&str, ChannelType)] = &[
    ("amazon", ChannelType::AmazonSp),
    ("amazon-edi", ChannelType::AmazonEdi),
    ("amazon-flex", ChannelType::AmazonFlex),
    ("flipkart", ChannelType::FlipkartV3),
    ("flipkart-v2", ChannelType::FlipkartV2),
    ("paytm", ChannelType::Paytm),
    ("ajio", ChannelType::AjioVms),
    ("shopify", ChannelType::Shopify),
];

/// Where the demo's own (INTERNAL channel) orders go: (name, address, GST state code, PIN).
const CUSTOMERS: &[(&str, &str, &str, &str)] = &[
    ("Asha Rao", "12 MG Road, Bengaluru, Karnataka", "29", "560001"),
    ("Rohan Mehta", "4 Linking Road, Bandra West, Mumbai, Maharashtra", "27", "400050"),
    ("Priya Nair", "22 Marine Drive, Kochi, Kerala", "32", "682031"),
    ("Arjun Singh", "7 Hazratganj, Lucknow, Uttar Pradesh", "09", "226001"),
];

/// The ship-to of a demo customer.
fn ship_to((name, address, state_code, pin): (&str, &str, &str, &str)) -> Value {
    json!({"name": name, "address": address, "state_code": state_code, "pin": pin, "phone": "+919800000000"})
}

/// The demo's B2B buyer (Karnataka), with a GSTIN whose check character is right.
fn b2b_buyer() -> Value {
    let first14 = "29AABCT3518Q1Z";
    let gstin = ordo_domain::gstin::check_character(first14).map(|c| format!("{first14}{c}"));
    json!({"legal_name": "Trent Limited", "gstin": gstin, "address": "Bannerghatta Road, Bengaluru, Karnataka"})
}

/// A small deterministic random source (xorshift), enough to vary the demo's orders.
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn err(e: DomainError) -> anyhow::Error {
    anyhow!("{e}")
}

fn ignore_conflict<T>(r: Result<T, DomainError>) -> Result<()> {
    match r {
        Ok(_) | Err(DomainError::Conflict(_)) => Ok(()),
        Err(e) => Err(err(e)),
    }
}

/// A new API key of the demo client with `role`, and its caller.
async fn caller_with(app: &App, role: Role) -> Result<(String, Caller)> {
    let key = app.create_api_key(CLIENT, role).await.map_err(err)?;
    let principal: Principal =
        app.authenticate(&key).await.map_err(err)?.ok_or_else(|| anyhow!("the new key does not authenticate"))?;
    Ok((key, Caller { principal, idempotency: None }))
}

/// The demo's users: an admin, an operator and a warehouse crew member, each with a password made
/// for this run (a user an earlier run made gets a new one), as (email, role, password).
async fn demo_users(app: &App) -> Result<Vec<(&'static str, Role, String)>> {
    let mut logins = Vec::new();
    for (email, role) in
        [("admin@demo.example", Role::Admin), ("ops@demo.example", Role::Operator), ("crew@demo.example", Role::Warehouse)]
    {
        let made = match app.create_user(CLIENT, email, role, None).await {
            Err(DomainError::Validation(_)) => app.reset_user_password(CLIENT, email, None).await.map_err(err)?,
            made => made.map_err(err)?,
        };
        logins.push((email, role, made.generated_password.unwrap_or_default()));
    }
    Ok(logins)
}

/// Seeds the demo seller (idempotently) and returns an admin key and its caller.
async fn seed(app: &App, sims: &[(&str, ChannelType, RunningSimulator)], irp: &str) -> Result<(String, Caller)> {
    if !app.client_exists(CLIENT).await.map_err(err)? {
        app.create_client(CLIENT, "Demo Seller").await.map_err(err)?;
    }
    let (key, caller) = caller_with(app, Role::Admin).await?;
    let warehouse = WarehouseRequest {
        code: WAREHOUSE.into(),
        name: "Demo Warehouse, Bhiwandi".into(),
        gstin: Some("27AAPFU0939F1ZV".into()),
        address: Some("Plot 12, Logistics Park, Bhiwandi, Maharashtra".into()),
        legal_name: Some("Demo Retail Private Limited".into()),
        pin: Some("421302".into()),
        awb_series: Some(ordo_app::requests::AwbSeriesRequest { carrier: "Delhivery".into(), prefix: "DLV".into(), next: 1 }),
    };
    app.upsert_warehouse(&caller, warehouse).await.map_err(err)?;
    // The portal simulator listens on a new port each run: point the warehouse at it again. It
    // accepts any non-empty credentials, and its keys are the ones Ordo assumes when none are given.
    let credentials = json!({"client_id": "demo", "client_secret": "demo", "user_name": "demo", "password": "demo"});
    let portal = EInvoicingRequest {
        endpoint: irp.to_string(),
        credentials: credentials.as_object().cloned().unwrap_or_default(),
        public_keys: None,
    };
    app.set_e_invoicing(&caller, WAREHOUSE, portal).await.map_err(err)?;
    let fresh = app.inventory(&caller, &Default::default(), Default::default()).await.map_err(err)?.items.is_empty();
    for (sku, name, ean, hsn, mrp, stock) in ARTICLES {
        let req: SkuRequest =
            serde_json::from_value(json!({"sku": sku, "name": name, "ean": ean, "hsn": hsn, "mrp": mrp, "tax_rate": "12"}))?;
        app.upsert_sku(&caller, req).await.map_err(err)?;
        if fresh && *stock > 0 {
            let grn = ordo_app::requests::GrnRequest {
                warehouse: WAREHOUSE.into(),
                sku: sku.to_string(),
                qty: *stock,
                pool: Some(Pool::QcPass),
                inward_po: None,
                reason: Some("opening stock".into()),
            };
            app.change_stock(&caller, grn.validate().map_err(err)?).await.map_err(err)?;
        }
    }
    if fresh {
        // Stock the explanations can point at: caps only in QC_FAIL, some sneakers set aside.
        let grn = ordo_app::requests::GrnRequest {
            warehouse: WAREHOUSE.into(),
            sku: "CAP-RED".into(),
            qty: 6,
            pool: Some(Pool::QcFail),
            inward_po: None,
            reason: Some("returned, failed QC".into()),
        };
        app.change_stock(&caller, grn.validate().map_err(err)?).await.map_err(err)?;
    }
    let internal = ChannelRequest {
        code: "internal".into(),
        channel_type: ChannelType::Internal,
        warehouse: WAREHOUSE.into(),
        credentials: Default::default(),
        settings: Default::default(),
        enabled: Some(true),
    };
    ignore_conflict(app.create_channel(&caller, internal).await)?;
    for (code, ty, sim) in sims {
        let mut settings = sim.handle.settings(&sim.base_url);
        settings["sync_interval_seconds"] = json!(5);
        if matches!(ty, ChannelType::FlipkartV2 | ChannelType::FlipkartV3) {
            // Flipkart's pack call names each item's GST rate; every demo article is taxed at 12 %.
            settings["default_gst_rate"] = json!(12);
        }
        if *ty == ChannelType::AjioVms {
            // Ajio packs only acknowledged orders, and Ordo acknowledges once the customer's
            // cancellation window has passed (hours by default): seconds here, so the crew ships
            // Ajio orders within the demo's first minute.
            settings["acknowledge_after_seconds"] = json!(5);
        }
        let credentials = sim.handle.credentials();
        let as_map = |v: Value| v.as_object().cloned().unwrap_or_default();
        let created = app
            .create_channel(
                &caller,
                ChannelRequest {
                    code: code.to_string(),
                    channel_type: *ty,
                    warehouse: WAREHOUSE.into(),
                    credentials: as_map(credentials.clone()),
                    settings: as_map(settings.clone()),
                    enabled: Some(true),
                },
            )
            .await;
        if let Err(DomainError::Conflict(_)) = created {
            // The simulators listen on new ports each run: point the channel at them again.
            let patch = ChannelPatchRequest {
                credentials: Some(as_map(credentials)),
                settings: Some(as_map(settings)),
                enabled: Some(true),
            };
            app.update_channel(&caller, code, patch).await.map_err(err)?;
        } else {
            created.map_err(err)?;
        }
        for (sku, ..) in ARTICLES {
            let mapping = SkuMappingRequest {
                channel: code.to_string(),
                channel_sku: format!("{}-{sku}", prefix(*ty)),
                sku: sku.to_string(),
            };
            app.upsert_sku_mapping(&caller, mapping).await.map_err(err)?;
        }
    }
    Ok((key, caller))
}

/// How each marketplace spells the demo's SKUs.
fn prefix(ty: ChannelType) -> &'static str {
    match ty {
        ChannelType::AmazonSp | ChannelType::AmazonFlex | ChannelType::AmazonEdi => "AMZ",
        ChannelType::FlipkartV2 | ChannelType::FlipkartV3 => "FK",
        ChannelType::Paytm => "PTM",
        ChannelType::AjioVms => "AJ",
        ChannelType::Shopify => "SHOP",
        ChannelType::Internal => "INT",
    }
}

/// An order id in the marketplace's own style.
fn order_id(ty: ChannelType, n: u64, dice: &mut Dice) -> String {
    match ty {
        ChannelType::AmazonSp | ChannelType::AmazonFlex => {
            format!("40{}-{:07}-{:07}", 2 + dice.next(6), dice.next(10_000_000), n)
        }
        ChannelType::AmazonEdi => format!("7{:07}", n),
        ChannelType::FlipkartV2 => format!("{:016}", 1_300_000_000_000_000 + n),
        ChannelType::FlipkartV3 => format!("SHP{:012}", n),
        ChannelType::Paytm => format!("{:010}", 5_000_000_000 + n),
        ChannelType::AjioVms => format!("FN{:08}", n),
        ChannelType::Shopify => format!("{}", 5_400_000_000_000 + n),
        ChannelType::Internal => format!("INT-{n}"),
    }
}

/// The marketplaces at work: every couple of seconds a new order somewhere; now and then a
/// cancellation, a hold, a dispatch-after in the near future, a replacement, an unmapped SKU.
async fn market(sims: Vec<(&'static str, ChannelType, RunningSimulator)>, app: App, caller: Caller) {
    let clock = app.clock.clone();
    let mut dice = Dice(clock.now().micros() as u64 | 1);
    let mut placed: Vec<(usize, String)> = Vec::new();
    let mut n = 1u64;
    loop {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        // Now and then an order of the seller's own web shop, with the address Ordo's label needs.
        if dice.next(5) == 0 {
            let (sku, .., mrp, _) = ARTICLES[dice.next(ARTICLES.len() as u64) as usize];
            let customer = CUSTOMERS[dice.next(CUSTOMERS.len() as u64) as usize];
            // Seconds since the epoch: unique across runs sharing the data folder.
            let id = format!("WEB-{}", clock.now().micros() / 1_000_000);
            let order = json!({"channel": "internal", "kind": "B2C", "channel_order_id": id, "ship_to": ship_to(customer),
                               "lines": [{"sku": sku, "qty": 1 + dice.next(2), "unit_price": mrp}]});
            if let Err(e) = app.ingest_orders(&caller, vec![ordo_app::parse_order(order)]).await {
                tracing::warn!(error = %e, "demo: placing a web shop order failed");
            }
            continue;
        }
        let i = dice.next(sims.len() as u64) as usize;
        let (_, ty, sim) = &sims[i];
        let id = order_id(*ty, n, &mut dice);
        n += 1;
        let lines = if *ty == ChannelType::FlipkartV2 { 1 } else { 1 + dice.next(2) };
        let lines = (0..lines)
            .map(|l| {
                let (sku, .., mrp, _) = ARTICLES[dice.next(ARTICLES.len() as u64) as usize];
                let unmapped = dice.next(25) == 0;
                let channel_sku =
                    if unmapped { format!("{}-NEW-ARRIVAL", prefix(*ty)) } else { format!("{}-{sku}", prefix(*ty)) };
                let line_id = format!("{}{}", id.chars().rev().take(6).collect::<String>(), l + 1);
                MarketplaceLine {
                    unit_price: Some(mrp.to_string()),
                    ..MarketplaceLine::new(line_id, channel_sku, 1 + dice.next(2) as i64)
                }
            })
            .collect();
        let mut order = MarketplaceOrder::open(id.clone(), lines);
        if matches!(ty, ChannelType::FlipkartV2 | ChannelType::FlipkartV3) {
            order.parent_order_id = Some(format!("OD{:018}", 300_000_000_000_000_000 + n));
        }
        match ty {
            ChannelType::FlipkartV3 | ChannelType::FlipkartV2 if dice.next(3) == 0 => {
                order.dispatch_after = Some(clock.now().plus_seconds(30 + dice.next(60) as i64));
            }
            ChannelType::Paytm if dice.next(3) == 0 => {
                if let Some((_, forward)) = placed.iter().rev().find(|(s, _)| *s == i) {
                    order.replacement_of = Some(forward.clone());
                }
            }
            _ => {}
        }
        if sim.handle.add_model_order(&order).is_ok() {
            placed.push((i, id));
        }
        // Now and then a customer sends a dispatched order back, or its parcel comes back undelivered.
        if dice.next(5) == 0 {
            send_one_back(&app, &caller, &sims, &mut dice).await;
        }
        // Now and then the marketplace changes its mind about an earlier order.
        if placed.len() > 5 && dice.next(6) == 0 {
            let (j, earlier) = placed[dice.next(placed.len() as u64) as usize].clone();
            let (_, ty, sim) = &sims[j];
            let _ = match (ty, dice.next(3)) {
                (ChannelType::Paytm, 0) => sim.handle.report_return_pickup(&earlier).map(|_| ()),
                (ChannelType::FlipkartV3, 1) => sim.handle.hold(&earlier).map(|_| ()),
                _ => sim.handle.cancel_order(&earlier).map(|_| ()),
            };
        }
    }
}

/// Opens a return, on its marketplace, of one of the newest dispatched orders of a marketplace that
/// announces returns (Flipkart, Ajio, Paytm, Shopify): a customer return, or now and then an RTO.
async fn send_one_back(app: &App, caller: &Caller, sims: &[(&'static str, ChannelType, RunningSimulator)], dice: &mut Dice) {
    let query = ordo_app::ordo_store::OrderQuery { statuses: vec![OrderStatus::Dispatched], ..Default::default() };
    let page = ordo_app::ordo_store::PageRequest { limit: 20, after: None };
    let Ok(dispatched) = app.search_orders(caller, &query, page).await else { return };
    let candidates: Vec<_> = dispatched
        .items
        .iter()
        .filter_map(|o| sims.iter().find(|(code, ..)| *code == o.channel).map(|(.., sim)| (o, sim)))
        .collect();
    if candidates.is_empty() {
        return;
    }
    let (order, sim) = candidates[dice.next(candidates.len() as u64) as usize];
    let kind = if dice.next(4) == 0 { ReturnKind::Rto } else { ReturnKind::CustomerReturn };
    let ret = SimReturn { order_id: order.channel_order_id.clone(), kind, lines: None, awb: None };
    // Amazon and EDI announce no returns, and an order already on its way back has nothing left.
    if sim.handle.add_return(&ret).is_ok() {
        tracing::info!(order = %order.id, channel = %order.channel, %kind, "demo: a return is on its way back");
    }
}

/// A line saying what Ordo and the crew are doing, and once something has left the warehouse, a
/// second one with the documents of the latest handover to open.
async fn summary(app: &App, caller: &Caller, tally: &crew::Tally, base: &str) -> Result<String> {
    use std::sync::atomic::Ordering::Relaxed;
    let page = ordo_app::ordo_store::PageRequest { limit: 1000, after: None };
    let orders = app.search_orders(caller, &Default::default(), page).await.map_err(err)?.items;
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for o in &orders {
        *counts.entry(o.status.to_string()).or_default() += 1;
    }
    let failed = app.failed_orders(caller, page).await.map_err(err)?.items.len();
    let channels = app.list_channels(caller, Default::default()).await.map_err(err)?.items;
    let healthy = channels.iter().filter(|c| c.status.as_str() == "ACTIVE").count();
    let statuses = counts.iter().map(|(s, n)| format!("{s} {n}")).collect::<Vec<_>>().join(", ");
    let mut line = format!(
        "orders {} ({statuses}) · picked {} · packed {} · dispatched {} · returns received {} · failed orders {failed} · channels healthy {healthy}/{}",
        orders.len(),
        tally.picked.load(Relaxed),
        tally.packed.load(Relaxed),
        tally.dispatched.load(Relaxed),
        tally.returned.load(Relaxed),
        channels.len()
    );
    let latest = ordo_app::ordo_store::PageRequest { limit: 1, after: None };
    let handed_over = app.list_manifests(caller, None, Some(ManifestStatus::HandedOver), latest).await.map_err(err)?.items;
    if let Some(m) = handed_over.first()
        && let Some(shipment) = m.shipments.first()
    {
        line.push_str(&format!(
            "\n  latest handover: label {base}/api/v1/shipments/{shipment}/label.pdf · invoice {base}/api/v1/shipments/{shipment}/invoice.pdf · manifest {base}/api/v1/manifests/{}/manifest.pdf",
            m.id
        ));
    }
    Ok(line)
}

/// Runs the demo until interrupted.
pub async fn run(
    app: App,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let clock = app.clock.clone();
    let sim_clock = clock.clone();
    let config = SimConfig { page_size: 25, clock: Arc::new(move || sim_clock.now()) };
    let mut sims = Vec::new();
    for (code, ty) in CHANNELS {
        sims.push((*code, *ty, spawn_simulator(*ty, config.clone(), "127.0.0.1:0".parse()?).await?));
    }
    let irp = ordo_sim::irp::spawn("127.0.0.1:0".parse()?).await?;
    let (key, caller) = seed(&app, &sims, &irp.base_url).await?;
    // The crew works with a warehouse key, as the people at the pick and pack stations would.
    let (_, crew_caller) = caller_with(&app, Role::Warehouse).await?;
    // A bulk order on the internal channel, waiting for the user's Retry (B2B allocation is manual).
    let b2b = json!({"channel": "internal", "kind": "B2B", "channel_order_id": "B2B-DEMO-1", "fulfillment_type": "PARTIAL",
                     "buyer": b2b_buyer(), "ship_to": ship_to(CUSTOMERS[0]),
                     "lines": [{"sku": "JEANS-32", "qty": 20, "unit_price": "1799.00"}]});
    app.ingest_orders(&caller, vec![ordo_app::parse_order(b2b)]).await.map_err(err)?;
    // A small one the seller's office allocates at once, so the crew packs it with an e-invoice.
    let b2b = json!({"channel": "internal", "kind": "B2B", "channel_order_id": "B2B-DEMO-2",
                     "buyer": b2b_buyer(), "ship_to": ship_to(CUSTOMERS[0]),
                     "lines": [{"sku": "KURTA-IND-M", "qty": 3, "unit_price": "1299.00"}]});
    for outcome in app.ingest_orders(&caller, vec![ordo_app::parse_order(b2b)]).await.map_err(err)? {
        if let IngestOutcome::Created(order) = outcome {
            app.retry_order(&caller, &order.id).await.map_err(err)?;
        }
    }

    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    // The seller's ERP: it takes Ordo's signed postings (GRN, dispatches, returns) and answers B2B
    // orders with invoices and returns with credit notes through the API, with an integration key.
    let (integration_key, _) = caller_with(&app, Role::Integration).await?;
    let erp_config = ordo_sim::erp::ErpSimConfig {
        ordo_url: Some(base.clone()),
        ordo_key: Some(integration_key),
        seller_gstin: Some("27AAPFU0939F1ZV".into()),
        ..Default::default()
    };
    let erp = ordo_sim::erp::spawn(erp_config, "127.0.0.1:0".parse()?).await?;
    let endpoint = ordo_app::ErpRequest { endpoint: erp.base_url.clone(), enabled: Some(true), events: None };
    let connection = app.put_erp(&caller, endpoint).await.map_err(err)?;
    // A connection an earlier run made keeps its secret, which is shown only when made: this run's
    // simulator gets a fresh one.
    let secret = match connection.signing_secret {
        Some(s) => s,
        None => app.rotate_erp_secret(&caller).await.map_err(err)?.signing_secret.unwrap_or_default(),
    };
    let patch = ordo_sim::erp::ErpSettingsPatch { secret: Some(secret), ..Default::default() };
    erp.simulator.update_settings(patch).map_err(|e| anyhow::anyhow!("the ERP simulator: {e}"))?;
    let logins = demo_users(&app).await?;
    println!("Ordo demo is running at {base}  (API docs: {base}/api/docs)");
    println!("Sign in to the screens at {base}/login (new passwords every run):");
    for (email, role, password) in &logins {
        println!("  {email:<22} {password}  ({role})");
    }
    println!("Admin key for client '{CLIENT}':\n{key}");
    println!("Try:\n  curl -s -H 'Authorization: Bearer {key}' '{base}/api/v1/orders?limit=5'");
    println!("  curl -s -H 'Authorization: Bearer {key}' {base}/api/v1/inventory");
    println!("  curl -s -H 'Authorization: Bearer {key}' {base}/api/v1/failed-orders");
    println!("  curl -s -H 'Authorization: Bearer {key}' '{base}/api/v1/orders?status=DISPATCHED'");
    println!("  curl -s -H 'Authorization: Bearer {key}' {base}/api/v1/manifests");
    println!("Marketplace simulators (orders arrive every few seconds):");
    for (code, ty, sim) in &sims {
        println!("  {code:<12} {:<12} {}", ty.as_str(), sim.base_url);
    }
    println!("  {:<12} {:<12} {}", "e-invoices", "IRP", irp.base_url);
    println!(
        "  {:<12} {:<12} {}  (signed postings: GET {base}/api/v1/erp, {}/_sim/postings)",
        "erp", "ERP", erp.base_url, erp.base_url
    );
    println!(
        "A simulated warehouse crew picks and packs every {} s and hands parcels over every {} s; the summary below \
         links the latest label, invoice and manifest once there are some (fetch them with the key, e.g. \
         curl -H 'Authorization: Bearer …' -o label.pdf URL).",
        crew::ROUND.as_secs(),
        crew::ROUND.as_secs() * crew::HANDOVER_EVERY
    );
    app.prepare_to_serve().await.map_err(err)?;
    let worker = app.spawn_background_work(Duration::from_millis(500));
    let tally = Arc::new(crew::Tally::default());
    let crew = crew::Crew::new(app.clone(), crew_caller, clock.now().micros() as u64, tally.clone());
    let crew = tokio::spawn(crew.run());
    let status_app = app.clone();
    let status_caller = caller.clone();
    let reporter = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        loop {
            tick.tick().await;
            match summary(&status_app, &status_caller, &tally, &base).await {
                Ok(line) => println!("{line}"),
                Err(e) => eprintln!("status unavailable: {e}"),
            }
        }
    });
    let market = tokio::spawn(market(sims, app.clone(), caller));
    ordo_http::serve(app.clone(), Default::default(), listener, shutdown).await?;
    for task in [worker, reporter, market, crew] {
        task.abort();
    }
    app.close().await;
    Ok(())
}
