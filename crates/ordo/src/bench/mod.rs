//! `ordo bench`: ingests and allocates orders through the real HTTP API and prints throughput and
//! latency, next to the floor (the same work as bare SQL on the same database).

mod delivery;
mod execution;
mod screens;
mod search;

use anyhow::{Context, Result};
use ordo_app::App;
use ordo_app::clock::SystemClock;
use ordo_app::ordo_store::Store;
use ordo_app::ordo_store::testing::{Scratch, postgres_schema, scratch_sqlite};
use ordo_app::secrets::SecretBox;
use ordo_domain::kinds::Role;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What to measure.
pub struct BenchConfig {
    /// A PostgreSQL server to measure (a fresh schema is made in it); SQLite in a temporary folder otherwise.
    pub postgres: Option<String>,
    pub orders: usize,
    pub sweep_orders: usize,
    /// The workloads to run; all when empty.
    pub runs: Vec<Workload>,
    /// Whether to measure the bare-SQL floor too.
    pub floor: bool,
    /// Orders loaded before the search workload measures.
    pub search_orders: usize,
    /// Orders picked, packed and handed over by the warehouse-execution workloads.
    pub execution_orders: usize,
    /// Postings the `outbox` workload delivers.
    pub outbox_messages: usize,
    /// Postings queued for the `outbox` workload's ingest-while-draining runs (0 skips them).
    pub outbox_backlog: usize,
    /// Returns the `returns` workload receives.
    pub returns: usize,
    /// Orders in the store while the `screens` workload measures.
    pub screen_orders: usize,
}

const SKUS: usize = 50;

struct Run {
    name: String,
    orders: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.orders as f64 / self.elapsed.as_secs_f64()
    }
    fn percentile(&self, p: f64) -> f64 {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 - 1.0) * p).round() as usize).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

fn order(id: &str, n: usize) -> Value {
    json!({"channel": "bench", "kind": "B2C", "channel_order_id": id, "lines": [
        {"sku": format!("SKU-{}", (n * 2) % SKUS), "qty": 1},
        {"sku": format!("SKU-{}", (n * 2 + 1) % SKUS), "qty": 1},
    ]})
}

async fn post(http: &reqwest::Client, url: &str, key: &str, body: &Value) -> Result<Value> {
    let r = http.post(url).bearer_auth(key).json(body).send().await?;
    let status = r.status();
    let body: Value = r.json().await?;
    anyhow::ensure!(status.is_success(), "{url} answered {status}: {body}");
    Ok(body)
}

/// One measured workload: `clients` concurrent clients each POST their share, `per_request` orders at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// Single-order POSTs from 1 client.
    #[value(name = "single-1")]
    Single1,
    /// Single-order POSTs from 16 concurrent clients.
    #[value(name = "single-16")]
    Single16,
    /// Batches of 100 from 1 client.
    #[value(name = "batch-1")]
    Batch1,
    /// Batches of 100 from 4 concurrent clients.
    #[value(name = "batch-4")]
    Batch4,
    /// A million orders loaded (`--search-orders`), then searches by any id and filtered pages. Not
    /// among the workloads run by default: it grows the database by some 2 GB.
    #[value(name = "search")]
    Search,
    /// Warehouse execution (`--execution-orders` orders, as are the three below): released to 32
    /// picklists, then 32 stations scan every unit of theirs at once. Not among the workloads run
    /// by default, like the three below.
    #[value(name = "picks")]
    Picks,
    /// The picked orders packed by 16 packers at once, with Ordo's invoice and label (picks first).
    #[value(name = "pack")]
    Pack,
    /// Labels of packed shipments fetched, and rendered in process (picks and pack first).
    #[value(name = "label")]
    Label,
    /// One manifest of every packed shipment handed over (picks and pack first).
    #[value(name = "handover")]
    Handover,
    /// ERP postings (`--outbox-messages`) delivered by the background worker to a receiver on a
    /// loopback port; then orders ingested alone and while a backlog (`--outbox-backlog`) drains.
    /// Not among the workloads run by default, like the one below.
    #[value(name = "outbox")]
    Outbox,
    /// Returns of 50 lines (`--returns` of them) received through QC, one after another.
    #[value(name = "returns")]
    Returns,
    /// Every operator screen asked for by a signed-in user, with `--screen-orders` orders in the
    /// store. Not among the workloads run by default.
    #[value(name = "screens")]
    Screens,
}

impl Workload {
    const ALL: [Workload; 4] = [Workload::Single1, Workload::Single16, Workload::Batch1, Workload::Batch4];
    const EXECUTION: [Workload; 4] = [Workload::Picks, Workload::Pack, Workload::Label, Workload::Handover];

    fn name(self) -> &'static str {
        match self {
            Workload::Search => "search",
            Workload::Picks => "pick scans",
            Workload::Pack => "pack",
            Workload::Label => "label render",
            Workload::Handover => "handover",
            Workload::Outbox => "outbox",
            Workload::Returns => "returns",
            Workload::Screens => "screens",
            Workload::Single1 => "single POST, 1 client",
            Workload::Single16 => "single POST, 16 clients",
            Workload::Batch1 => "batch of 100, 1 client",
            Workload::Batch4 => "batch of 100, 4 clients",
        }
    }
    fn clients(self) -> usize {
        match self {
            Workload::Single1 | Workload::Batch1 => 1,
            Workload::Single16 => 16,
            // Not ingest workloads: their clients are their own.
            Workload::Search
            | Workload::Picks
            | Workload::Pack
            | Workload::Label
            | Workload::Handover
            | Workload::Outbox
            | Workload::Returns
            | Workload::Screens => 1,
            Workload::Batch4 => 4,
        }
    }
    fn per_request(self) -> usize {
        match self {
            Workload::Single1 | Workload::Single16 => 1,
            Workload::Batch1 | Workload::Batch4 => 100,
            Workload::Search
            | Workload::Picks
            | Workload::Pack
            | Workload::Label
            | Workload::Handover
            | Workload::Outbox
            | Workload::Returns
            | Workload::Screens => 1,
        }
    }
    fn tag(self) -> &'static str {
        match self {
            Workload::Single1 => "s1",
            Workload::Single16 => "s16",
            Workload::Batch1 => "b1",
            Workload::Batch4 => "b4",
            Workload::Search => "search",
            Workload::Picks => "picks",
            Workload::Pack => "pack",
            Workload::Label => "label",
            Workload::Handover => "handover",
            Workload::Outbox => "outbox",
            Workload::Returns => "returns",
            Workload::Screens => "screens",
        }
    }
}

/// The parts of a batch answer the load generator checks; the rest is skipped unread.
#[derive(serde::Deserialize)]
struct BatchAnswer {
    results: Vec<BatchResult>,
}

#[derive(serde::Deserialize)]
struct BatchResult {
    order: Option<serde::de::IgnoredAny>,
}

/// Runs one workload. Request bodies are made before the clock starts, and answers are checked
/// without building them as values, so the load generator (on the same cores) costs little.
async fn drive(base: &str, key: &str, workload: Workload, orders: usize) -> Result<Run> {
    drive_as(base, key, workload, orders, workload.tag()).await
}

/// [`drive`] with the orders' ids made from `tag`, for a workload run more than once on one database.
async fn drive_as(base: &str, key: &str, workload: Workload, orders: usize, tag: &str) -> Result<Run> {
    let (clients, per_request) = (workload.clients(), workload.per_request());
    let share = orders / clients;
    let url = if per_request == 1 { format!("{base}/api/v1/orders") } else { format!("{base}/api/v1/orders/batch") };
    let bodies: Vec<Vec<(usize, Vec<u8>)>> = (0..clients)
        .map(|c| {
            (0..share)
                .step_by(per_request)
                .map(|n| {
                    let k = per_request.min(share - n);
                    let id = |i: usize| format!("{tag}-{c}-{i}");
                    let body = if per_request == 1 {
                        order(&id(n), n)
                    } else {
                        json!({"orders": (n..n + k).map(|i| order(&id(i), i)).collect::<Vec<_>>()})
                    };
                    (k, serde_json::to_vec(&body).expect("JSON"))
                })
                .collect()
        })
        .collect();
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for requests in bodies {
        let (http, url, key) = (http.clone(), url.clone(), key.to_string());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(requests.len());
            for (k, body) in requests {
                let t = Instant::now();
                let r = http
                    .post(&url)
                    .bearer_auth(&key)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = r.status();
                let answer = r.bytes().await?;
                anyhow::ensure!(status.is_success(), "{url} answered {status}: {}", String::from_utf8_lossy(&answer));
                if k > 1 {
                    let created =
                        serde_json::from_slice::<BatchAnswer>(&answer)?.results.iter().filter(|r| r.order.is_some()).count();
                    anyhow::ensure!(created == k, "{url} stored {created} of {k} orders");
                }
                latencies.push(t.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await??);
    }
    Ok(Run { name: workload.name().into(), orders: share * clients, elapsed: started.elapsed(), latencies })
}

/// A client and an admin key for it.
async fn setup(app: &App) -> Result<String> {
    let err = |e: ordo_domain::DomainError| anyhow::anyhow!("{e}");
    app.create_client("bench", "Benchmark").await.map_err(err)?;
    app.create_api_key("bench", Role::Admin).await.map_err(err)
}

async fn master_data(base: &str, key: &str, stock_per_sku: i64) -> Result<()> {
    let http = reqwest::Client::new();
    post(&http, &format!("{base}/api/v1/warehouses"), key, &json!({"code": "wh1", "name": "Bench"})).await?;
    post(&http, &format!("{base}/api/v1/channels"), key, &json!({"code": "bench", "type": "INTERNAL", "warehouse": "wh1"}))
        .await?;
    for s in 0..SKUS {
        post(&http, &format!("{base}/api/v1/skus"), key, &json!({"sku": format!("SKU-{s}"), "name": "Bench article"})).await?;
        if stock_per_sku > 0 {
            post(
                &http,
                &format!("{base}/api/v1/inventory/grn"),
                key,
                &json!({"warehouse": "wh1", "sku": format!("SKU-{s}"), "qty": stock_per_sku}),
            )
            .await?;
        }
    }
    Ok(())
}

/// Serves Ordo over `scratch` on a free port: the app, the store under it (for the floor and for
/// statistics between runs, which no API offers) and the base URL.
async fn start(scratch: &Scratch) -> Result<(App, Store, String)> {
    let store = Store::connect(&scratch.url).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let secrets = SecretBox::from_hex(&"5a".repeat(32)).map_err(|e| anyhow::anyhow!(e))?;
    let app = App::new(store.clone(), Arc::new(SystemClock), secrets);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let served = app.clone();
    tokio::spawn(async move { ordo_http::serve(served, Default::default(), listener, std::future::pending()).await });
    Ok((app, store, base))
}

/// Runs the benchmark and prints its table.
pub async fn run(cfg: BenchConfig) -> Result<()> {
    let search = cfg.runs.contains(&Workload::Search);
    let outbox = cfg.runs.contains(&Workload::Outbox);
    let returns = cfg.runs.contains(&Workload::Returns);
    let screens = cfg.runs.contains(&Workload::Screens);
    let execution: Vec<Workload> = cfg.runs.iter().copied().filter(|w| Workload::EXECUTION.contains(w)).collect();
    let runs: Vec<Workload> = cfg.runs.iter().copied().filter(|w| Workload::ALL.contains(w)).collect();
    if !runs.is_empty() || (!search && !outbox && !returns && !screens && execution.is_empty()) {
        ingest(&cfg, runs).await?;
    }
    if search {
        search::run(cfg.postgres.as_deref(), cfg.search_orders).await?;
    }
    if !execution.is_empty() {
        execution::run(cfg.postgres.as_deref(), cfg.execution_orders, &execution).await?;
    }
    if outbox {
        delivery::outbox(cfg.postgres.as_deref(), cfg.outbox_messages, cfg.outbox_backlog, cfg.orders).await?;
    }
    if returns {
        delivery::returns(cfg.postgres.as_deref(), cfg.returns).await?;
    }
    if screens {
        screens::run(cfg.postgres.as_deref(), cfg.screen_orders).await?;
    }
    Ok(())
}

/// The ingest workloads and the sweep.
async fn ingest(cfg: &BenchConfig, runs: Vec<Workload>) -> Result<()> {
    let scratch = match &cfg.postgres {
        Some(url) => postgres_schema(url, "bench")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("can't make a schema to measure in")?,
        None => scratch_sqlite("bench"),
    };
    let (app, store, base) = start(&scratch).await?;
    let database = app.database();
    let key = setup(&app).await?;
    master_data(&base, &key, 1_000_000_000).await?;
    eprintln!("measuring on {database}: {} orders per run, 2 lines each…", cfg.orders);

    let workloads = if runs.is_empty() { Workload::ALL.to_vec() } else { runs };
    let single = cfg.orders.min(5_000);
    let err = |e: ordo_domain::DomainError| anyhow::anyhow!("{e}");
    let floor_conns = if database == "postgres" { 4 } else { 1 };
    let mut rows = Vec::new();
    for (n, w) in workloads.into_iter().enumerate() {
        if n > 0 {
            // Between runs, statistics as autovacuum would keep them in production.
            store.analyze().await.map_err(err)?;
        }
        let orders = if w == Workload::Single1 { single } else { cfg.orders };
        rows.push((w, drive(&base, &key, w, orders).await?));
    }
    // The floors, measured after the API runs (on the tables they grew).
    let mut floors = Vec::new();
    for (w, r) in rows.iter().filter(|_| cfg.floor) {
        let conns = if w.clients() == 1 { 1 } else { floor_conns };
        let elapsed = store.floor(r.orders, w.per_request(), conns).await.map_err(err)?;
        floors.push(r.orders as f64 / elapsed.as_secs_f64());
    }
    store.floor_teardown().await.map_err(err)?;

    println!();
    println!(
        "ordo bench on {database} ({} cores); floor = the same rows as bare SQL on the same database",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<28} {:>7} {:>10} {:>8} {:>8} {:>10} {:>9}",
        "workload", "orders", "orders/s", "p50 ms", "p99 ms", "floor/s", "API/floor"
    );
    for (n, (_, r)) in rows.iter().enumerate() {
        let floor = floors.get(n).copied().unwrap_or(f64::NAN);
        println!(
            "{:<28} {:>7} {:>10.0} {:>8.2} {:>8.2} {:>10.0} {:>9.2}",
            r.name,
            r.orders,
            r.rate(),
            r.percentile(0.5),
            r.percentile(0.99),
            floor,
            r.rate() / floor
        );
    }
    println!(
        "floors: the same orders per transaction as the workload sends per request; 1 connection for 1 client, {floor_conns} for more"
    );

    if cfg.sweep_orders > 0 {
        sweep(cfg).await?;
    }
    Ok(())
}

/// 100,000 orders wait for a SKU with no stock; one GRN serves them all.
async fn sweep(cfg: &BenchConfig) -> Result<()> {
    let fresh = match &cfg.postgres {
        Some(url) => postgres_schema(url, "sweep").await.map_err(|e| anyhow::anyhow!("{e}"))?,
        None => scratch_sqlite("sweep"),
    };
    let (app, store, base) = start(&fresh).await?;
    let key = setup(&app).await?;
    master_data(&base, &key, 0).await?;
    eprintln!("queueing {} orders that wait for stock…", cfg.sweep_orders);
    let http = reqwest::Client::new();
    let mut n = 0;
    while n < cfg.sweep_orders {
        let batch: Vec<Value> = (n..(n + 1000).min(cfg.sweep_orders))
            .map(|i| json!({"channel": "bench", "kind": "B2C", "channel_order_id": format!("w-{i}"), "lines": [{"sku": "SKU-0", "qty": 1}]}))
            .collect();
        n += batch.len();
        post(&http, &format!("{base}/api/v1/orders/batch"), &key, &json!({"orders": batch})).await?;
    }
    // Statistics as autovacuum would keep them in production.
    store.analyze().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    post(
        &http,
        &format!("{base}/api/v1/inventory/grn"),
        &key,
        &json!({"warehouse": "wh1", "sku": "SKU-0", "qty": cfg.sweep_orders}),
    )
    .await?;
    let elapsed = started.elapsed();
    let r = http.get(format!("{base}/api/v1/inventory?sku=SKU-0")).bearer_auth(&key).send().await?.json::<Value>().await?;
    let allocated = r["items"][0]["allocated"].as_i64().unwrap_or(0);
    println!(
        "allocation sweep: {} waiting orders served by one GRN in {:.2} s ({} units allocated; target < 5 s)",
        cfg.sweep_orders,
        elapsed.as_secs_f64(),
        allocated
    );
    Ok(())
}
