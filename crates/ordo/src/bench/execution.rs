//! The warehouse-execution workloads: orders released to picklists and picked by scans at 32
//! stations at once, packed with Ordo's own invoice and label, their labels fetched (and rendered
//! in process, the floor of the fetch), and one manifest of them all handed over.
//!
//! Each stage needs the one before it, so asking for a later one runs the earlier ones too (their
//! figures printed only when asked for). Between stages the bench runs `ANALYZE` on PostgreSQL, as
//! autovacuum would in production.

use super::{Run, Workload, post, setup, start};
use anyhow::{Context, Result};
use ordo_app::ordo_store::testing::{postgres_schema, scratch_sqlite};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Picking stations scanning at once, each on its own picklist.
const STATIONS: usize = 32;
/// Packers packing at once.
const PACKERS: usize = 16;
const SKUS: usize = 50;
/// Label fetches (and in-process renders) timed.
const LABELS: usize = 500;
const SELLER_GSTIN: &str = "27AAPFU0939F1ZV";
const EVERY_ORDER_TAKES: &str = "2 lines of 1 unit over 50 SKUs, INTERNAL channel, B2C";

/// The EAN-13 of SKU `n`: a made-up company prefix, the SKU's number and the check digit.
fn ean(n: usize) -> String {
    let first12 = format!("890{:09}", n);
    let sum: u32 = first12.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    format!("{first12}{}", (10 - sum % 10) % 10)
}

fn sku(n: usize) -> String {
    format!("SKU-{n}")
}

/// The two SKUs of order `n`.
fn skus_of(n: usize) -> [usize; 2] {
    [(n * 2) % SKUS, (n * 2 + 1) % SKUS]
}

fn ship_to() -> Value {
    json!({"name": "Asha Rao", "address": "12 MG Road, Indiranagar, Bengaluru", "state_code": "29", "pin": "560001",
           "phone": "+919800000000"})
}

fn order(n: usize) -> Value {
    let [a, b] = skus_of(n);
    json!({"channel": "bench", "kind": "B2C", "channel_order_id": format!("X-{n}"), "ship_to": ship_to(), "lines": [
        {"sku": sku(a), "qty": 1, "unit_price": "1180.00"},
        {"sku": sku(b), "qty": 1, "unit_price": "590.00"},
    ]})
}

/// The warehouse with everything Ordo's own documents need, the channel, and SKUs with EAN, HSN
/// and tax rate, each with ample stock.
pub(super) async fn master_data(http: &reqwest::Client, base: &str, key: &str) -> Result<()> {
    let warehouse = json!({"code": "wh1", "name": "Bench", "legal_name": "Bench Retail Private Limited", "gstin": SELLER_GSTIN,
        "address": "Plot 4, MIDC, Andheri East, Mumbai", "pin": "400093",
        "awb_series": {"carrier": "Delhivery", "prefix": "DL", "next": 700001}});
    post(http, &format!("{base}/api/v1/warehouses"), key, &warehouse).await?;
    post(http, &format!("{base}/api/v1/channels"), key, &json!({"code": "bench", "type": "INTERNAL", "warehouse": "wh1"}))
        .await?;
    for s in 0..SKUS {
        let article = json!({"sku": sku(s), "name": "Cotton Kurta", "ean": ean(s), "hsn": "6109", "tax_rate": "18.00",
            "weight_grams": 400});
        post(http, &format!("{base}/api/v1/skus"), key, &article).await?;
        let grn = json!({"warehouse": "wh1", "sku": sku(s), "qty": 1_000_000_000});
        post(http, &format!("{base}/api/v1/inventory/grn"), key, &grn).await?;
    }
    Ok(())
}

/// One request to send: method, URL and JSON body.
type Request = (reqwest::Method, String, Option<Vec<u8>>);

/// Sends each client's requests one after another, the clients at once, and times every request.
/// `check` looks at an answer's status and body (and may keep something of it).
async fn drive<T: Send + 'static>(
    name: String,
    count_as: usize,
    per_client: Vec<Vec<Request>>,
    key: &str,
    check: fn(reqwest::StatusCode, &[u8]) -> Result<T>,
) -> Result<(Run, Vec<T>)> {
    drive_paced(name, count_as, per_client, key, check, None).await
}

/// Like [`drive`], each client sending its next request `pace` after the last one began (or at once
/// when the last took longer), as a station works: the latency then is what one scan waits, not the
/// length of a queue of stations that never pause.
async fn drive_paced<T: Send + 'static>(
    name: String,
    count_as: usize,
    per_client: Vec<Vec<Request>>,
    key: &str,
    check: fn(reqwest::StatusCode, &[u8]) -> Result<T>,
    pace: Option<Duration>,
) -> Result<(Run, Vec<T>)> {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    let clients = per_client.len().max(1) as u32;
    for (n, requests) in per_client.into_iter().enumerate() {
        let (http, key) = (http.clone(), key.to_string());
        tasks.push(tokio::spawn(async move {
            // Stations don't start in step: each begins at its own point of the first interval.
            if let Some(pace) = pace {
                tokio::time::sleep(pace * n as u32 / clients).await;
            }
            let mut out = Vec::with_capacity(requests.len());
            for (method, url, body) in requests {
                let t = Instant::now();
                let mut r = http.request(method, &url).bearer_auth(&key);
                if let Some(body) = body {
                    r = r.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
                }
                let r = r.send().await?;
                let status = r.status();
                let answer = r.bytes().await?;
                let kept = check(status, &answer).with_context(|| format!("{url} answered {status}"))?;
                out.push((t.elapsed(), kept));
                if let Some(pace) = pace {
                    tokio::time::sleep_until((t + pace).into()).await;
                }
            }
            anyhow::Ok(out)
        }));
    }
    let (mut latencies, mut kept) = (Vec::new(), Vec::new());
    for t in tasks {
        for (l, k) in t.await?? {
            latencies.push(l);
            kept.push(k);
        }
    }
    Ok((Run { name, orders: count_as, elapsed: started.elapsed(), latencies }, kept))
}

fn ok(status: reqwest::StatusCode, answer: &[u8]) -> Result<()> {
    anyhow::ensure!(status.is_success(), "{}", String::from_utf8_lossy(answer));
    Ok(())
}

/// The parts of a pack answer the bench reads; the rest is skipped unread.
#[derive(serde::Deserialize)]
struct PackAnswer {
    shipment: Id,
}

#[derive(serde::Deserialize)]
struct Id {
    id: String,
}

fn packed(status: reqwest::StatusCode, answer: &[u8]) -> Result<String> {
    anyhow::ensure!(status == reqwest::StatusCode::CREATED, "{}", String::from_utf8_lossy(answer));
    Ok(serde_json::from_slice::<PackAnswer>(answer)?.shipment.id)
}

fn pdf(status: reqwest::StatusCode, answer: &[u8]) -> Result<()> {
    anyhow::ensure!(status.is_success() && answer.starts_with(b"%PDF-"), "not a PDF: {}", String::from_utf8_lossy(answer));
    Ok(())
}

/// A label as Ordo makes one for the bench's orders, for the in-process render.
fn label_doc(awb: String, order_id: String, invoice_number: String) -> ordo_docs::LabelDoc {
    let state = |code: &str, name: &str| Some(ordo_docs::State { code: code.into(), name: name.into() });
    ordo_docs::LabelDoc {
        carrier: "Delhivery".into(),
        awb,
        order_id,
        channel: "bench".into(),
        ship_to: ordo_docs::Party {
            name: "Asha Rao".into(),
            gstin: None,
            address: ordo_docs::Address {
                lines: vec!["12 MG Road".into(), "Indiranagar".into(), "Bengaluru".into()],
                state: state("29", "Karnataka"),
                pin: Some("560001".into()),
            },
            phone: Some("+919800000000".into()),
        },
        return_to: ordo_docs::Party {
            name: "Bench Retail Private Limited".into(),
            gstin: Some(SELLER_GSTIN.into()),
            address: ordo_docs::Address {
                lines: vec!["Plot 4".into(), "MIDC".into(), "Andheri East".into(), "Mumbai".into()],
                state: state("27", "Maharashtra"),
                pin: Some("400093".into()),
            },
            phone: None,
        },
        payment: ordo_docs::Payment::Prepaid,
        weight_grams: 450,
        dimensions_mm: None,
        invoice_number,
        invoice_date: time::OffsetDateTime::now_utc().date(),
    }
}

/// What a workload is compared with, and whether it was met.
fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// Runs the stages up to the last of `wanted` on `orders` orders and prints the figures of `wanted`.
pub async fn run(postgres: Option<&str>, orders: usize, wanted: &[Workload]) -> Result<()> {
    anyhow::ensure!(orders > 0, "--execution-orders must be at least 1");
    let scratch = match postgres {
        Some(url) => postgres_schema(url, "execution")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("can't make a schema to measure in")?,
        None => scratch_sqlite("execution"),
    };
    let (app, store, base) = start(&scratch).await?;
    let database = app.database();
    let key = setup(&app).await?;
    let http = reqwest::Client::new();
    master_data(&http, &base, &key).await?;
    let analyze = || async { store.analyze().await.map_err(|e| anyhow::anyhow!("{e}")) };
    let asked = |w: Workload| wanted.contains(&w);
    let pack_needed = asked(Workload::Pack) || asked(Workload::Label) || asked(Workload::Handover);

    eprintln!("loading {orders} orders on {database}…");
    let mut ids = Vec::with_capacity(orders);
    for start in (0..orders).step_by(1000) {
        let batch: Vec<Value> = (start..(start + 1000).min(orders)).map(order).collect();
        let answer = post(&http, &format!("{base}/api/v1/orders/batch"), &key, &json!({ "orders": batch })).await?;
        for r in answer["results"].as_array().into_iter().flatten() {
            let o = &r["order"];
            anyhow::ensure!(o["status"] == "FULFILLABLE", "an order was not allocated: {r}");
            ids.push(o["id"].as_str().unwrap_or_default().to_string());
        }
    }
    analyze().await?;

    // Released oldest first, a share of the orders to each station's picklist; one picklist more
    // is scanned by a station alone first, for the time a scan takes when nothing queues.
    let released = Instant::now();
    let per_list = orders.div_ceil(STATIONS + 1).max(1);
    let mut picklists = Vec::new();
    while picklists.len() * per_list < orders {
        let p = post(&http, &format!("{base}/api/v1/picklists"), &key, &json!({"warehouse": "wh1", "limit": per_list})).await?;
        picklists.push(p);
    }
    let released = released.elapsed();
    analyze().await?;

    println!();
    println!(
        "ordo bench warehouse execution on {database} ({} cores): {orders} orders ({EVERY_ORDER_TAKES}), released to {} picklists in {:.2} s",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        picklists.len(),
        released.as_secs_f64()
    );
    println!("{:<32} {:>7} {:>9} {:>8} {:>8}  target", "workload", "count", "per s", "p50 ms", "p99 ms");
    let row = |r: &Run, target: &str| {
        println!(
            "{:<32} {:>7} {:>9.0} {:>8.2} {:>8.2}  {target}",
            r.name,
            r.orders,
            r.rate(),
            r.percentile(0.5),
            r.percentile(0.99)
        );
    };

    // Pick scans: each station scans every unit of its picklist, by SKU code and EAN in turn.
    let mut per_station: Vec<Vec<_>> = picklists
        .iter()
        .map(|p| {
            let url = format!("{base}/api/v1/picklists/{}/scans", p["id"].as_str().unwrap_or_default());
            let mut scans = Vec::new();
            for (n, l) in p["lines"].as_array().into_iter().flatten().enumerate() {
                let scan = if n % 2 == 0 { l["sku"].clone() } else { l["ean"].clone() };
                for _ in 0..l["qty"].as_i64().unwrap_or(0) {
                    let body = serde_json::to_vec(&json!({ "scan": scan })).expect("JSON");
                    scans.push((reqwest::Method::POST, url.clone(), Some(body)));
                }
            }
            scans
        })
        .collect();
    let alone = vec![per_station.remove(0)];
    let scans = alone[0].len();
    let (picks_alone, _) = drive("pick scans, 1 station alone".into(), scans, alone, &key, ok).await?;
    // Half of each station's scans at a station's pace (a scan every 100 ms, several times faster
    // than a picker walks and reaches), half back to back with no pause: the capacity.
    let stations = per_station.len();
    let flat_out: Vec<Vec<_>> = per_station.iter_mut().map(|s| s.split_off(s.len() / 2)).collect();
    let scans: usize = per_station.iter().map(Vec::len).sum();
    let paced = format!("pick scans, {stations} stations, one scan per 100 ms each");
    let (picks, _) = drive_paced(paced, scans, per_station, &key, ok, Some(Duration::from_millis(100))).await?;
    let scans: usize = flat_out.iter().map(Vec::len).sum();
    let (capacity, _) = drive(format!("pick scans, {stations} stations, no pause"), scans, flat_out, &key, ok).await?;
    if asked(Workload::Picks) {
        row(&picks_alone, "(the time of one scan, for comparison)");
        let p99 = picks.percentile(0.99);
        row(&picks, &format!("p99 < 20 ms: {}", verdict(p99 < 20.0)));
        row(&capacity, "(capacity: latency here is the queue of stations)");
    }
    if !pack_needed {
        return Ok(());
    }
    analyze().await?;

    // Pack: the packer scans both units (one by EAN, one by SKU code) and weighs the parcel.
    let mut per_packer: Vec<Vec<_>> = (0..PACKERS).map(|_| Vec::new()).collect();
    for (n, id) in ids.iter().enumerate() {
        let [a, b] = skus_of(n);
        let body = json!({"scans": [{"scan": ean(a), "qty": 1}, {"scan": sku(b), "qty": 1}], "weight_grams": 450});
        let url = format!("{base}/api/v1/orders/{id}/pack");
        per_packer[n % PACKERS].push((reqwest::Method::POST, url, Some(serde_json::to_vec(&body).expect("JSON"))));
    }
    // A few orders packed by one packer alone first, for the time a pack takes when nothing queues.
    let alone: Vec<_> = per_packer.iter_mut().filter_map(Vec::pop).collect();
    let (pack_alone, mut shipments) = drive("pack, 1 packer alone".into(), alone.len(), vec![alone], &key, packed).await?;
    let count = per_packer.iter().map(Vec::len).sum();
    let (pack, rest) = drive(format!("pack, {PACKERS} packers"), count, per_packer, &key, packed).await?;
    shipments.extend(rest);
    if asked(Workload::Pack) {
        row(&pack_alone, "(the time of one pack, for comparison)");
        let met = pack.rate() >= 200.0 && pack.percentile(0.99) < 100.0;
        row(&pack, &format!("≥ 200/s, p99 < 100 ms: {}", verdict(met)));
    }
    analyze().await?;

    if asked(Workload::Label) {
        let urls: Vec<_> = shipments
            .iter()
            .cycle()
            .take(LABELS)
            .map(|s| (reqwest::Method::GET, format!("{base}/api/v1/shipments/{s}/label.pdf"), None))
            .collect();
        let (labels, _) = drive("label.pdf over HTTP, 1 client".into(), urls.len(), vec![urls], &key, pdf).await?;
        row(&labels, &format!("p99 < 5 ms: {}", verdict(labels.percentile(0.99) < 5.0)));
        // The render alone, through the function the server calls: the floor of the fetch.
        let mut docs: Vec<_> = (0..LABELS)
            .map(|n| label_doc(format!("DL{}", 700_001 + n), ids[n % ids.len()].clone(), format!("WH1/2627/{:06}", n + 1)))
            .collect();
        ordo_docs::label_pdf(&docs[0]).map_err(|e| anyhow::anyhow!("{e}"))?; // loads the fonts, not timed
        let started = Instant::now();
        let mut latencies = Vec::with_capacity(docs.len());
        for doc in docs.drain(..) {
            let t = Instant::now();
            let pdf = ordo_docs::label_pdf(&doc).map_err(|e| anyhow::anyhow!("{e}"))?;
            latencies.push(t.elapsed());
            std::hint::black_box(pdf);
        }
        let render = Run { name: "label render in process".into(), orders: LABELS, elapsed: started.elapsed(), latencies };
        row(&render, &format!("p99 < 5 ms: {} (the fetch's floor)", verdict(render.percentile(0.99) < 5.0)));
    }

    if asked(Workload::Handover) {
        let t = Instant::now();
        let manifest =
            post(&http, &format!("{base}/api/v1/manifests"), &key, &json!({"warehouse": "wh1", "channel": "bench"})).await?;
        let made = t.elapsed();
        let on = manifest["shipments"].as_array().map_or(0, Vec::len);
        anyhow::ensure!(on == shipments.len(), "the manifest holds {on} of {} shipments", shipments.len());
        let t = Instant::now();
        let mid = manifest["id"].as_str().unwrap_or_default();
        let handed = post(&http, &format!("{base}/api/v1/manifests/{mid}/handover"), &key, &json!({})).await?;
        let handover = t.elapsed();
        anyhow::ensure!(handed["status"] == "HANDED_OVER", "the manifest is {}", handed["status"]);
        let first = http.get(format!("{base}/api/v1/orders/{}", ids[0])).bearer_auth(&key).send().await?.json::<Value>().await?;
        anyhow::ensure!(first["status"] == "DISPATCHED", "a handed-over order is {}", first["status"]);
        println!(
            "handover: a manifest of {on} packed shipments made in {:.2} s, handed over in {:.2} s (target < 2 s: {})",
            made.as_secs_f64(),
            handover.as_secs_f64(),
            verdict(handover < Duration::from_secs(2))
        );
    }
    Ok(())
}
