//! The search workload: a million orders in the store, then searches by every kind of id and
//! filtered pages, as an operator's screen asks for them. Statistics are left as a fresh database
//! has them (no `ANALYZE`): a lookup by a unique key must not depend on them.

use super::{post, setup, start};
use anyhow::Result;
use ordo_app::ordo_store::testing::{Scratch, postgres_schema, scratch_sqlite};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Orders per batch while loading.
const BATCH: usize = 1000;
/// Orders per line of the loading report.
const REPORT_EVERY: usize = 100_000;
/// SKUs with stock; orders for the others wait (UNFULFILLABLE).
const STOCKED_SKUS: usize = 40;
const ALL_SKUS: usize = 50;
/// Searches of each kind, and filtered pages of each filter.
const SEARCHES: usize = 500;
const PAGES: usize = 200;

/// Ids of one order, to search it by each.
pub(super) struct Ids {
    pub ordo: String,
    pub channel_order: String,
    pub parent: String,
    pub line: String,
}

/// The n-th order: one line; every 20th is held by the marketplace (ONHOLD); a fifth of the SKUs
/// have no stock (UNFULFILLABLE).
fn order(n: usize) -> Value {
    json!({"channel": "bench", "kind": "B2C", "channel_order_id": format!("CO-{n:08}"), "parent_order_id": format!("OD{n:018}"),
        "on_hold": n.is_multiple_of(20),
        "lines": [{"sku": format!("SKU-{}", n % ALL_SKUS), "qty": 1, "channel_line_id": format!("LI{n:016}")}]})
}

/// Makes warehouse `wh1`, channel `bench` and the SKUs (most with stock), then loads `orders`
/// orders through the batch API, printing the rate per 100,000; answers the ids of about
/// `samples` of them, spread over the load.
pub(super) async fn load(http: &reqwest::Client, base: &str, key: &str, orders: usize, samples: usize) -> Result<Vec<Ids>> {
    post(http, &format!("{base}/api/v1/warehouses"), key, &json!({"code": "wh1", "name": "Bench"})).await?;
    post(http, &format!("{base}/api/v1/channels"), key, &json!({"code": "bench", "type": "INTERNAL", "warehouse": "wh1"}))
        .await?;
    for s in 0..ALL_SKUS {
        let sku = format!("SKU-{s}");
        post(http, &format!("{base}/api/v1/skus"), key, &json!({"sku": sku, "name": "Bench article"})).await?;
        if s < STOCKED_SKUS {
            let grn = json!({"warehouse": "wh1", "sku": sku, "qty": 1_000_000_000});
            post(http, &format!("{base}/api/v1/inventory/grn"), key, &grn).await?;
        }
    }
    eprintln!("loading {orders} orders in batches of {BATCH}…");
    println!("{:<28} {:>10}", "orders in the store", "orders/s");
    let mut sample = Vec::new();
    let (mut n, mut segment, mut segment_started) = (0, 0, Instant::now());
    let url = format!("{base}/api/v1/orders/batch");
    while n < orders {
        let batch: Vec<Value> = (n..(n + BATCH).min(orders)).map(order).collect();
        let answer = post(http, &url, key, &json!({ "orders": batch })).await?;
        for (i, r) in answer["results"].as_array().into_iter().flatten().enumerate() {
            let at = n + i;
            anyhow::ensure!(r["order"].is_object(), "order {at} was not stored: {r}");
            if at % (orders / samples).max(1) == 0 {
                let o = &r["order"];
                let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
                sample.push(Ids {
                    ordo: text(&o["id"]),
                    channel_order: text(&o["channel_order_id"]),
                    parent: text(&o["parent_order_id"]),
                    line: text(&o["lines"][0]["channel_line_id"]),
                });
            }
        }
        n += batch.len();
        segment += batch.len();
        if segment >= REPORT_EVERY || n == orders {
            let rate = segment as f64 / segment_started.elapsed().as_secs_f64();
            println!("{:<28} {:>10.0}", format!("{}–{}", n - segment, n), rate);
            (segment, segment_started) = (0, Instant::now());
        }
    }
    Ok(sample)
}

pub(super) fn percentile(latencies: &mut [Duration], p: f64) -> f64 {
    latencies.sort();
    latencies.get(((latencies.len() as f64 - 1.0) * p).round() as usize).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Loads `orders` orders, then measures searches and filtered pages.
pub async fn run(postgres: Option<&str>, orders: usize) -> Result<()> {
    let scratch: Scratch = match postgres {
        Some(url) => postgres_schema(url, "search").await.map_err(|e| anyhow::anyhow!("{e}"))?,
        None => scratch_sqlite("search"),
    };
    let (app, _store, base) = start(&scratch).await?;
    let database = app.database();
    let key = setup(&app).await?;
    let http = reqwest::Client::new();
    println!();
    println!("ordo bench search on {database}: {orders} orders loaded through POST /orders/batch, no ANALYZE");
    let sample = load(&http, &base, &key, orders, SEARCHES).await?;

    let get = |path: String| {
        let (http, key) = (http.clone(), key.clone());
        async move {
            let t = Instant::now();
            let r = http.get(&path).bearer_auth(&key).send().await?;
            let status = r.status();
            let body: Value = r.json().await?;
            anyhow::ensure!(status.is_success(), "{path} answered {status}: {body}");
            anyhow::Ok((t.elapsed(), body))
        }
    };
    println!();
    println!("{:<40} {:>8} {:>8} {:>8}", "request", "count", "p50 ms", "p99 ms");
    let report = |name: &str, mut latencies: Vec<Duration>| {
        let count = latencies.len();
        let (p50, p99) = (percentile(&mut latencies, 0.5), percentile(&mut latencies, 0.99));
        println!("{name:<40} {count:>8} {p50:>8.2} {p99:>8.2}");
        p99
    };
    let mut by_id = Vec::new();
    for ids in &sample {
        by_id.push(get(format!("{base}/api/v1/orders/{}", ids.ordo)).await?.0);
    }
    report("GET /orders/{id} (for comparison)", by_id);
    let mut any_id = Vec::new();
    type Pick = fn(&Ids) -> &str;
    let kinds: [(&str, Pick); 4] = [
        ("?q= Ordo id", |i| &i.ordo),
        ("?q= channel order id", |i| &i.channel_order),
        ("?q= parent order id", |i| &i.parent),
        ("?q= channel line id", |i| &i.line),
    ];
    for (name, pick) in kinds {
        let mut latencies = Vec::new();
        for ids in &sample {
            let (elapsed, body) = get(format!("{base}/api/v1/orders?q={}", pick(ids))).await?;
            let found = body["items"].as_array().map_or(0, Vec::len);
            anyhow::ensure!(found == 1 && body["items"][0]["id"] == ids.ordo.as_str(), "{name} {} found {found}", pick(ids));
            latencies.push(elapsed);
        }
        any_id.extend(latencies.iter().copied());
        report(name, latencies);
    }
    let any_p99 = report("any id (all of the above)", any_id);
    let filters =
        ["status=FULFILLABLE", "status=UNFULFILLABLE", "status=ONHOLD", "status=FULFILLABLE,ONHOLD", "channel=bench&kind=B2C"];
    let mut pages_all = Vec::new();
    for filter in filters {
        let mut latencies = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..PAGES {
            let after = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
            let (elapsed, body) = get(format!("{base}/api/v1/orders?{filter}&limit=100{after}")).await?;
            anyhow::ensure!(body["items"].as_array().map_or(0, Vec::len) == 100, "{filter}: a short page");
            latencies.push(elapsed);
            // Walk 10 pages deep, then start over: operators page a little, then filter again.
            cursor = match body["next_cursor"].as_str() {
                Some(c) if latencies.len() % 10 != 0 => Some(c.to_string()),
                _ => None,
            };
        }
        pages_all.extend(latencies.iter().copied());
        report(&format!("page of 100, {filter}"), latencies);
    }
    let page_p99 = report("filtered page of 100 (all of the above)", pages_all);
    println!("targets: any-id search p99 < 5 ms ({any_p99:.2}); filtered page of 100 p99 < 20 ms ({page_p99:.2})");
    Ok(())
}
