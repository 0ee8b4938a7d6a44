//! The outbox and returns workloads: ERP postings delivered to a receiver on a loopback port (what
//! the background worker gets through, and what a backlog draining costs orders being ingested at
//! the same time), and a return of 50 lines received through QC.

use super::{Run, Workload, drive_as, master_data, post, setup, start};
use anyhow::{Context, Result};
use ordo_app::Caller;
use ordo_app::clock::{Clock, SystemClock};
use ordo_app::ordo_store::Store;
use ordo_app::ordo_store::testing::{Scratch, postgres_schema, scratch_sqlite};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Delivery rate the `outbox` workload is compared with, postings per second.
const DELIVERY_FLOOR: f64 = 500.0;
/// Receive p99 the `returns` workload is compared with, in milliseconds.
const RECEIVE_P99_MS: f64 = 50.0;
/// Lines of each return received.
const RETURN_LINES: usize = 50;
/// Rounds of ingest alone and while draining.
const ROUNDS: usize = 3;
/// How often the background worker runs, as `ordo serve` runs it by default.
const WORK_INTERVAL: Duration = Duration::from_millis(1000);

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

async fn scratch(postgres: Option<&str>, label: &str) -> Result<Scratch> {
    match postgres {
        Some(url) => {
            postgres_schema(url, label).await.map_err(|e| anyhow::anyhow!("{e}")).context("can't make a schema to measure in")
        }
        None => Ok(scratch_sqlite(label)),
    }
}

/// On PostgreSQL, flushes the backlog's writes now rather than by a checkpoint in the middle of a
/// measurement (SQLite's write-ahead log is checkpointed by the store itself).
async fn checkpoint(db: &Scratch) {
    if db.dialect == ordo_app::ordo_store::Dialect::Postgres
        && let Err(e) = ordo_app::ordo_store::testing::execute(&db.url, "CHECKPOINT").await
    {
        eprintln!("(no CHECKPOINT: {e})");
    }
}

/// An ERP endpoint on a loopback port that takes every posting (it only looks for the `webhook-id`
/// header): its URL and how many postings it took.
async fn receiver() -> Result<(String, Arc<AtomicU64>)> {
    let taken = Arc::new(AtomicU64::new(0));
    let counter = taken.clone();
    let router = axum::Router::new().fallback(move |headers: axum::http::HeaderMap, _body: axum::body::Bytes| {
        let counter = counter.clone();
        async move {
            if headers.contains_key("webhook-id") {
                counter.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::OK
            } else {
                axum::http::StatusCode::BAD_REQUEST
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok((url, taken))
}

/// Points the client's ERP connection at `endpoint`, delivery on or off.
async fn erp(http: &reqwest::Client, base: &str, key: &str, endpoint: &str, enabled: bool) -> Result<()> {
    let r = http
        .put(format!("{base}/api/v1/erp"))
        .bearer_auth(key)
        .json(&json!({"endpoint": endpoint, "enabled": enabled}))
        .send()
        .await?;
    let status = r.status();
    anyhow::ensure!(status.is_success(), "PUT /api/v1/erp answered {status}: {}", r.text().await?);
    Ok(())
}

async fn pending(store: &Store, client_id: i64) -> Result<i64> {
    Ok(store.erp_backlog(client_id).await.map_err(|e| anyhow::anyhow!("{e}"))?.pending)
}

/// `outbox`: `messages` GRN postings delivered by the background worker (from the moment it starts
/// until none is pending); then, on a fresh database, orders ingested with
/// and without a backlog of `backlog` postings draining.
pub async fn outbox(postgres: Option<&str>, messages: usize, backlog: usize, orders: usize) -> Result<()> {
    let err = |e: ordo_domain::DomainError| anyhow::anyhow!("{e}");
    let http = reqwest::Client::new();
    let (endpoint, taken) = receiver().await?;

    let db = scratch(postgres, "outbox").await?;
    let (app, store, base) = start(&db).await?;
    let database = app.database();
    let key = setup(&app).await?;
    master_data(&base, &key, 1_000_000_000).await?;
    let (client_id, _) = store.client_by_code("bench").await.map_err(err)?;
    erp(&http, &base, &key, &endpoint, true).await?;
    store.bench_postings(client_id, "delivery", messages, SystemClock.now()).await.map_err(err)?;
    store.analyze().await.map_err(err)?;
    checkpoint(&db).await;
    eprintln!("delivering {messages} postings on {database}…");
    // Timed from the worker's start, as `ordo serve` starts it, until the outbox says none is left.
    let started = Instant::now();
    let worker = app.spawn_background_work(WORK_INTERVAL);
    // Watched at the receiver, which costs nothing; then the outbox must agree.
    while taken.load(Ordering::Relaxed) < messages as u64 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    while pending(&store, client_id).await? > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    worker.abort();
    let got = taken.load(Ordering::Relaxed);
    anyhow::ensure!(got == messages as u64, "the receiver took {got} postings for {messages}");
    let rate = messages as f64 / elapsed.as_secs_f64();

    println!();
    println!(
        "ordo bench outbox on {database} ({} cores): ERP postings (GRN) delivered by the background worker to a receiver on a loopback port",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "delivery: {messages} postings in {:.2} s, {rate:.0}/s (floor {DELIVERY_FLOOR:.0}/s: {})",
        elapsed.as_secs_f64(),
        verdict(rate >= DELIVERY_FLOOR)
    );
    drop((app, store, db));
    if backlog > 0 {
        drain(postgres, backlog, orders).await?;
    }
    Ok(())
}

/// Orders ingested (single POSTs from 16 clients) alone, then while the background worker drains a
/// backlog of `backlog` postings, [`ROUNDS`] times over.
async fn drain(postgres: Option<&str>, backlog: usize, orders: usize) -> Result<()> {
    let err = |e: ordo_domain::DomainError| anyhow::anyhow!("{e}");
    let http = reqwest::Client::new();
    let (endpoint, taken) = receiver().await?;
    let db = scratch(postgres, "drain").await?;
    let (app, store, base) = start(&db).await?;
    let database = app.database();
    let key = setup(&app).await?;
    master_data(&base, &key, 1_000_000_000).await?;
    let (client_id, _) = store.client_by_code("bench").await.map_err(err)?;
    erp(&http, &base, &key, &endpoint, true).await?;
    eprintln!("queueing {backlog} postings on {database}…");
    store.bench_postings(client_id, "drain", backlog, SystemClock.now()).await.map_err(err)?;
    checkpoint(&db).await;
    // Alone: no background worker runs. Draining: the worker runs, as in `ordo serve`, and drains
    // the backlog while the orders come in. (Pausing the delivery by turning the connection off
    // would rewrite every waiting posting each time, which is no part of either.)
    let workload = Workload::Single16;
    // A first run, not counted, grows the tables and gives them statistics: on a fresh PostgreSQL
    // schema the first 20,000 orders otherwise go at a quarter of the rate of the next.
    drive_as(&base, &key, workload, orders, "warmup").await?;
    let mut rows = Vec::new();
    for round in 1..=ROUNDS {
        store.analyze().await.map_err(err)?;
        let alone = drive_as(&base, &key, workload, orders, &format!("alone{round}")).await?;
        store.analyze().await.map_err(err)?;
        let worker = app.spawn_background_work(WORK_INTERVAL);
        let before = taken.load(Ordering::Relaxed);
        let draining = drive_as(&base, &key, workload, orders, &format!("drain{round}")).await?;
        let delivered = (taken.load(Ordering::Relaxed) - before) as f64;
        // Stopped mid-batch: that batch's leases run out and the next round sends it again.
        worker.abort();
        // What is left shows whether the backlog lasted the whole run (a backlog of 1 leaves the
        // worker nothing to send: the rounds then show the run-to-run noise alone).
        let left = pending(&store, client_id).await?;
        rows.push((alone, draining, delivered, left));
    }

    println!();
    println!(
        "ingest with a backlog of {backlog} postings draining, on {database}: {} ({orders} orders per run), alone and while the worker delivers",
        workload.name()
    );
    println!(
        "{:<6} {:>13} {:>8} {:>16} {:>8} {:>9} {:>13} {:>9}",
        "round", "alone ord/s", "p99 ms", "draining ord/s", "p99 ms", "ratio", "delivered/s", "left"
    );
    for (n, (alone, draining, delivered, left)) in rows.iter().enumerate() {
        println!(
            "{:<6} {:>13.0} {:>8.2} {:>16.0} {:>8.2} {:>9.2} {:>13.0} {:>9}",
            n + 1,
            alone.rate(),
            alone.percentile(0.99),
            draining.rate(),
            draining.percentile(0.99),
            draining.rate() / alone.rate(),
            delivered / draining.elapsed.as_secs_f64(),
            left
        );
    }
    Ok(())
}

/// `returns`: `count` dispatched orders of 50 lines each come back, and each return is received
/// through QC (40 lines passing, 10 failing) by the app's use case, one after another.
pub async fn returns(postgres: Option<&str>, count: usize) -> Result<()> {
    anyhow::ensure!(count > 0, "--returns must be at least 1");
    let err = |e: ordo_domain::DomainError| anyhow::anyhow!("{e}");
    let http = reqwest::Client::new();
    let db = scratch(postgres, "returns").await?;
    let (app, store, base) = start(&db).await?;
    let database = app.database();
    let key = setup(&app).await?;
    super::execution::master_data(&http, &base, &key).await?;
    // The ERP takes return orders: the posting is written in the receive's transaction.
    let (endpoint, _) = receiver().await?;
    erp(&http, &base, &key, &endpoint, true).await?;
    let sku = |s: usize| format!("SKU-{s}");

    eprintln!("dispatching {count} orders of {RETURN_LINES} lines on {database}…");
    let mut ids = Vec::with_capacity(count);
    for start in (0..count).step_by(50) {
        let batch: Vec<Value> = (start..(start + 50).min(count))
            .map(|n| {
                json!({"channel": "bench", "kind": "B2C", "channel_order_id": format!("R-{n}"),
                "ship_to": {"name": "Asha Rao", "address": "12 MG Road, Indiranagar, Bengaluru", "state_code": "29", "pin": "560001"},
                "lines": (0..RETURN_LINES).map(|s| json!({"sku": sku(s), "qty": 1, "unit_price": "590.00"})).collect::<Vec<_>>()})
            })
            .collect();
        let answer = post(&http, &format!("{base}/api/v1/orders/batch"), &key, &json!({ "orders": batch })).await?;
        for r in answer["results"].as_array().into_iter().flatten() {
            anyhow::ensure!(r["order"]["status"] == "FULFILLABLE", "an order was not allocated: {r}");
            ids.push(r["order"]["id"].as_str().unwrap_or_default().to_string());
        }
    }
    store.analyze().await.map_err(err)?;
    // A picklist per order: a scan reads its whole picklist back, and 50 lines is a picker's load.
    for id in &ids {
        let picklist =
            post(&http, &format!("{base}/api/v1/picklists"), &key, &json!({"warehouse": "wh1", "orders": [id]})).await?;
        let url = format!("{base}/api/v1/picklists/{}/scans", picklist["id"].as_str().unwrap_or_default());
        for l in picklist["lines"].as_array().into_iter().flatten() {
            post(&http, &url, &key, &json!({"scan": l["sku"], "qty": l["qty"]})).await?;
        }
    }
    for id in &ids {
        post(&http, &format!("{base}/api/v1/orders/{id}/pack"), &key, &json!({"weight_grams": 2000})).await?;
    }
    let manifest =
        post(&http, &format!("{base}/api/v1/manifests"), &key, &json!({"warehouse": "wh1", "channel": "bench"})).await?;
    let handed = format!("{base}/api/v1/manifests/{}/handover", manifest["id"].as_str().unwrap_or_default());
    post(&http, &handed, &key, &json!({})).await?;
    let mut returns = Vec::with_capacity(count);
    for id in &ids {
        let lines: Vec<Value> = (0..RETURN_LINES).map(|s| json!({"sku": sku(s), "qty": 1})).collect();
        let ret = post(
            &http,
            &format!("{base}/api/v1/returns"),
            &key,
            &json!({"order_id": id, "kind": "CUSTOMER_RETURN", "lines": lines}),
        )
        .await?;
        returns.push(ret["id"].as_str().unwrap_or_default().to_string());
    }
    store.analyze().await.map_err(err)?;

    let principal = app.authenticate(&key).await.map_err(err)?.context("the bench's key")?;
    let caller = Caller { principal, idempotency: None };
    let received: Vec<ordo_app::requests::ReceiveRequest> = (0..count)
        .map(|_| {
            let lines: Vec<Value> = (0..RETURN_LINES)
                .map(|s| {
                    if s % 5 == 4 {
                        json!({"sku": sku(s), "qc_pass": 0, "qc_fail": 1})
                    } else {
                        json!({"sku": sku(s), "qc_pass": 1, "qc_fail": 0})
                    }
                })
                .collect();
            serde_json::from_value(json!({ "lines": lines })).expect("a receive request")
        })
        .collect();
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(count);
    for (id, req) in returns.iter().zip(received) {
        let t = Instant::now();
        let ret = app.receive_return(&caller, id, req).await.map_err(err)?;
        latencies.push(t.elapsed());
        anyhow::ensure!(ret.status.as_str() == "RECEIVED", "a received return is {}", ret.status.as_str());
    }
    let run =
        Run { name: format!("receive a return of {RETURN_LINES} lines"), orders: count, elapsed: started.elapsed(), latencies };

    println!();
    println!(
        "ordo bench returns on {database} ({} cores): {count} returns of {RETURN_LINES} lines (40 passing QC, 10 failing) of dispatched orders, received one after another through the app's use case, the RETURN_ORDER posting queued with each",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("{:<32} {:>7} {:>9} {:>8} {:>8}  target", "workload", "count", "per s", "p50 ms", "p99 ms");
    let p99 = run.percentile(0.99);
    println!(
        "{:<32} {:>7} {:>9.0} {:>8.2} {:>8.2}  p99 < {RECEIVE_P99_MS:.0} ms: {}",
        run.name,
        run.orders,
        run.rate(),
        run.percentile(0.5),
        p99,
        verdict(p99 < RECEIVE_P99_MS)
    );
    Ok(())
}
