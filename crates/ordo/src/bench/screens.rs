//! The screens workload: orders in the store (100,000 by default) and some failed orders, then
//! every screen an operator or the crew opens, each asked for many times in a row by a signed-in
//! user, timed from request to the last byte of the page. The bound is 100 ms at p95.

use super::search::{load, percentile};
use super::{post, setup, start};
use anyhow::Result;
use ordo_app::ordo_store::testing::{Scratch, postgres_schema, scratch_sqlite};
use ordo_domain::kinds::Role;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The bound every screen is held to, at p95.
const P95_BOUND_MS: f64 = 100.0;
/// Requests per screen.
const REQUESTS: usize = 100;
/// Failed orders (unmapped channel SKUs), spread over this many SKUs.
const FAILED_ORDERS: usize = 2_000;
const UNMAPPED_SKUS: usize = 40;

/// Loads `orders` orders and measures every screen.
pub async fn run(postgres: Option<&str>, orders: usize) -> Result<()> {
    let scratch: Scratch = match postgres {
        Some(url) => postgres_schema(url, "screens").await.map_err(|e| anyhow::anyhow!("{e}"))?,
        None => scratch_sqlite("screens"),
    };
    let (app, _store, base) = start(&scratch).await?;
    let database = app.database();
    let key = setup(&app).await?;
    let http = reqwest::Client::new();
    println!();
    println!("ordo bench screens on {database}: {orders} orders and {FAILED_ORDERS} failed orders in the store");
    let sample = load(&http, &base, &key, orders, REQUESTS).await?;
    for chunk in (0..FAILED_ORDERS).collect::<Vec<_>>().chunks(500) {
        let batch: Vec<Value> = chunk
            .iter()
            .map(|n| {
                json!({"channel": "bench", "kind": "B2C", "channel_order_id": format!("FAILED-{n}"),
                       "lines": [{"channel_sku": format!("UNMAPPED-{}", n % UNMAPPED_SKUS), "qty": 1}]})
            })
            .collect();
        post(&http, &format!("{base}/api/v1/orders/batch"), &key, &json!({ "orders": batch })).await?;
    }

    // Signed in as an admin, who sees every screen.
    let password = "bench-password-long-enough";
    app.create_user("bench", "admin@bench.example", Role::Admin, Some(password)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let login =
        browser.post(format!("{base}/login")).form(&[("email", "admin@bench.example"), ("password", password)]).send().await?;
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("signing in gave no session cookie ({})", login.status()))?;

    let get = |path: String| {
        let (browser, cookie, base) = (browser.clone(), cookie.clone(), base.clone());
        async move {
            let t = Instant::now();
            let r = browser.get(format!("{base}{path}")).header("cookie", cookie).send().await?;
            let status = r.status();
            let body = r.bytes().await?;
            anyhow::ensure!(
                status.is_success() || status.is_redirection(),
                "{path} answered {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
            anyhow::Ok((t.elapsed(), body.len()))
        }
    };
    let mut screens: Vec<(String, Vec<String>)> = [
        "/",
        "/orders",
        "/orders?status=UNFULFILLABLE",
        "/orders?status=ONHOLD&channel=bench&kind=B2C",
        "/failed-orders",
        "/orders/new",
        "/inventory",
        "/inventory/ledger?warehouse=wh1&sku=SKU-1",
        "/inward-pos",
        "/picklists",
        "/stations/pick",
        "/stations/pack",
        "/manifests",
        "/returns",
        "/stations/qc",
        "/channels",
        "/channels/bench",
        "/erp",
        "/reports",
        "/reports/order-status?status=ONHOLD",
        "/reports/inventory",
        "/users",
    ]
    .iter()
    .map(|p| (p.to_string(), vec![p.to_string(); REQUESTS]))
    .collect();
    screens.push(("/orders/{id}".into(), sample.iter().map(|ids| format!("/orders/{}", ids.ordo)).collect()));
    screens
        .push(("/search?q={channel order id}".into(), sample.iter().map(|i| format!("/search?q={}", i.channel_order)).collect()));
    screens.push(("/search?q={item id}".into(), sample.iter().map(|i| format!("/search?q={}", i.line)).collect()));

    println!();
    println!("{:<46} {:>6} {:>8} {:>8} {:>8} {:>8}", "screen", "count", "p50 ms", "p95 ms", "max ms", "KB");
    let mut worst: (f64, String) = (0.0, String::new());
    for (name, paths) in &screens {
        // One uncounted request first: the first read of a table warms its pages.
        get(paths[0].clone()).await?;
        let mut latencies: Vec<Duration> = Vec::with_capacity(paths.len());
        let mut bytes = 0;
        for path in paths {
            let (elapsed, size) = get(path.clone()).await?;
            latencies.push(elapsed);
            bytes = bytes.max(size);
        }
        let count = latencies.len();
        let (p50, p95, max) =
            (percentile(&mut latencies, 0.5), percentile(&mut latencies, 0.95), percentile(&mut latencies, 1.0));
        println!("{name:<46} {count:>6} {p50:>8.2} {p95:>8.2} {max:>8.2} {:>8.1}", bytes as f64 / 1024.0);
        if p95 > worst.0 {
            worst = (p95, name.clone());
        }
    }
    println!(
        "bound: every screen p95 < {P95_BOUND_MS} ms; slowest {} at {:.2} ms ({})",
        worst.1,
        worst.0,
        if worst.0 < P95_BOUND_MS { "within" } else { "OVER" }
    );
    println!("assets: {:.1} KB in all (bound 100 KB)", ordo_ui::assets::total_size() as f64 / 1024.0);
    Ok(())
}
