//! What every simulator test needs: a manual clock, a running simulator, orders in the neutral model.

use ordo_channels::{ChannelError, MarketplaceLine, MarketplaceOrder, RetryPolicy, SyncWindow};
use ordo_domain::Timestamp;
use ordo_domain::kinds::ChannelType;
use ordo_sim::{RunningSimulator, SimClock, SimConfig, spawn_simulator};
use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A simulator on a free local port, and the clock it reads.
pub struct Sim {
    pub running: RunningSimulator,
    micros: Arc<AtomicI64>,
}

impl Sim {
    pub fn now(&self) -> Timestamp {
        Timestamp::from_micros(self.micros.load(Ordering::SeqCst))
    }

    /// Moves the simulator's clock on.
    pub fn advance(&self, seconds: i64) -> Timestamp {
        self.micros.fetch_add(seconds * 1_000_000, Ordering::SeqCst);
        self.now()
    }

    /// Adds `n` orders made by `make`, a minute apart.
    pub fn add_orders(&self, n: usize, make: impl Fn(usize) -> MarketplaceOrder) {
        for i in 0..n {
            self.handle.add_model_order(&make(i)).unwrap();
            self.advance(60);
        }
    }

    /// A window from `from` to now.
    pub fn window_since(&self, from: Timestamp) -> SyncWindow {
        SyncWindow { from, to: self.now() }
    }
}

impl std::ops::Deref for Sim {
    type Target = RunningSimulator;
    fn deref(&self) -> &RunningSimulator {
        &self.running
    }
}

/// Starts a simulator of `channel_type` with `page_size`, its clock at 2026-03-01T00:00:00Z.
pub async fn start(channel_type: ChannelType, page_size: usize) -> Sim {
    let micros = Arc::new(AtomicI64::new(Timestamp::parse("2026-03-01T00:00:00Z").unwrap().micros()));
    let m = micros.clone();
    let clock: SimClock = Arc::new(move || Timestamp::from_micros(m.load(Ordering::SeqCst)));
    let running = spawn_simulator(channel_type, SimConfig { page_size, clock }, "127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulator starts");
    Sim { running, micros }
}

/// A file of `ordo-channels`' tests (its vendored fixtures and hand-made samples), which the
/// simulators serve too: one copy, so a simulator and its connector are tested on the same payloads.
pub fn channels_test_file(rel: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ordo-channels/tests").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A marketplace's published payload, vendored in `ordo-channels/tests/fixtures`.
pub fn fixture(rel: &str) -> serde_json::Value {
    serde_json::from_str(&channels_test_file(&format!("fixtures/{rel}"))).unwrap()
}

/// An open B2C order in the neutral model with `(line id, sku, qty, unit price)` lines.
pub fn order(id: &str, lines: &[(&str, &str, i64, &str)]) -> MarketplaceOrder {
    MarketplaceOrder::open(
        id,
        lines
            .iter()
            .map(|(l, s, q, p)| MarketplaceLine { unit_price: Some(p.to_string()), ..MarketplaceLine::new(*l, *s, *q) })
            .collect(),
    )
}

/// The channel order ids of `orders`, sorted.
pub fn ids(orders: &[MarketplaceOrder]) -> Vec<String> {
    let mut v: Vec<String> = orders.iter().map(|o| o.channel_order_id.clone()).collect();
    v.sort();
    v
}

/// Asserts no id appears twice.
pub fn assert_unique(orders: &[MarketplaceOrder]) {
    let all = ids(orders);
    let mut dedup = all.clone();
    dedup.dedup();
    assert_eq!(all, dedup, "an order was returned twice");
}

/// Runs `f` under a retry policy whose sleeps are recorded, not waited.
pub async fn retry_recorded<T, F, Fut>(attempts: u32, f: F) -> (Result<T, ChannelError>, Vec<Duration>)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ChannelError>>,
{
    let slept = Arc::new(Mutex::new(Vec::new()));
    let s = slept.clone();
    let r = ordo_channels::with_retries_using(
        &RetryPolicy::with_attempts(attempts),
        move |d| {
            s.lock().unwrap().push(d);
            std::future::ready(())
        },
        f,
    )
    .await;
    let v = slept.lock().unwrap().clone();
    (r, v)
}

/// Asserts an error is an authentication failure whose message contains `needle`.
pub fn assert_auth(e: ChannelError, needle: &str) {
    match e {
        ChannelError::Auth(m) => assert!(m.contains(needle), "auth message {m:?} lacks {needle:?}"),
        other => panic!("expected an auth failure, got {other:?}"),
    }
}

/// Asserts an error is transient and mentions `needle`.
pub fn assert_transient(e: ChannelError, needle: &str) {
    match e {
        ChannelError::Transient(m) => assert!(m.contains(needle), "transient message {m:?} lacks {needle:?}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

/// Asserts an error is a rate limit with `retry_after` seconds.
pub fn assert_rate_limited(e: ChannelError, retry_after: u64) {
    match e {
        ChannelError::RateLimited { retry_after_seconds, .. } => assert_eq!(retry_after_seconds, Some(retry_after)),
        other => panic!("expected a rate limit, got {other:?}"),
    }
}
