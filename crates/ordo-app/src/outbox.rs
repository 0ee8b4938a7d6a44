//! Outbox delivery: claims due outbox messages in leased batches, delivers them (marketplace calls
//! one after another, ERP postings concurrently), and records each outcome with backoff and a dead
//! letter. It lives apart from the sync engine in `sync.rs` because it runs on its own schedule and
//! leases messages rather than channels; the lease lengths and the [`Heartbeat`] that renews them
//! are shared with the sync engine and stay there.

use crate::clock::{Clock, SystemClock};
use crate::sync::{Heartbeat, LEASE_RENEW_EVERY, LEASE_SECONDS, this_process};
use crate::{App, Caller, Result};
use ordo_channels::{CancelLine, ChannelError, MarketplaceOrder};
use ordo_domain::DomainError;
use ordo_domain::kinds::Permission;
use ordo_store::DeliveryOutcome;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Outbox messages claimed at a time. Each claimed message is leased like a channel's sync
/// ([`LEASE_SECONDS`], renewed every [`LEASE_RENEW_EVERY`] while its batch is delivered), so the
/// messages of a process killed mid-delivery go to another within seconds.
const OUTBOX_BATCH: i64 = 200;
/// ERP postings of one batch in flight at once.
const DELIVERIES_AT_ONCE: usize = 16;
/// The longest an outbox batch of the background worker waits for the API to be quiet: under load
/// the backlog still drains, by a smaller batch ([`UNDER_LOAD_BATCH`], [`UNDER_LOAD_AT_ONCE`] at a
/// time) this often: some 200 postings a second at a cost of a few per cent of the cores.
const GIVE_WAY_AT_MOST: std::time::Duration = std::time::Duration::from_millis(500);
/// Messages claimed at a time while the API is busy.
const UNDER_LOAD_BATCH: i64 = 100;
/// ERP postings in flight at once while the API is busy.
const UNDER_LOAD_AT_ONCE: usize = 4;
/// How long one turn of outbox delivery goes on claiming batches.
const DELIVERY_TURN: std::time::Duration = std::time::Duration::from_secs(5);

/// Attempts before a message is dead-lettered.
const MAX_ATTEMPTS: i64 = 10;

/// The holder of one outbox claim: this process and the claim's number in it (`pid 4242 on host-a,
/// claim 17`), so two claims never share a lease, even two of one process.
fn claim_owner() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{}, claim {}", this_process(), NEXT.fetch_add(1, Ordering::Relaxed))
}

impl Heartbeat {
    /// Renews `owner`'s leases on the outbox messages `ids` while they are being delivered.
    fn outbox(store: ordo_store::Store, ids: Vec<i64>, owner: String) -> Heartbeat {
        let beat = tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE_RENEW_EVERY).await;
                let until = SystemClock.now().plus_seconds(LEASE_SECONDS);
                match store.renew_outbox_leases(&ids, &owner, until).await {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "can't renew the outbox delivery leases; trying again"),
                }
            }
        });
        Heartbeat(beat.abort_handle())
    }
}

impl App {
    /// Delivers due outbox messages (marketplace calls, ERP postings), with backoff and a dead
    /// letter after [`MAX_ATTEMPTS`] failures: batch after batch while any are due, for up to
    /// [`DELIVERY_TURN`], so a backlog drains without keeping the rest of the background work waiting
    /// long.
    pub async fn deliver_outbox(&self) -> Result<usize> {
        self.deliver_claimed(None, false).await
    }

    /// Delivers the messages claimed now: every due one, or `only` (client, message id). With
    /// `give_way`, each batch first waits while API requests are being served (for at most
    /// [`GIVE_WAY_AT_MOST`]): a backlog goes at full speed while the API is quiet, and by a small
    /// batch every so often while it is busy, taking little of the cores the requests need.
    pub(crate) async fn deliver_claimed(&self, only: Option<(i64, i64)>, give_way: bool) -> Result<usize> {
        let turn = std::time::Instant::now();
        let mut delivered = 0;
        loop {
            let (mut batch, mut at_once) = (OUTBOX_BATCH, DELIVERIES_AT_ONCE);
            if give_way {
                let until = std::time::Instant::now() + GIVE_WAY_AT_MOST;
                while self.busy() && std::time::Instant::now() < until {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                if self.busy() {
                    (batch, at_once) = (UNDER_LOAD_BATCH, UNDER_LOAD_AT_ONCE);
                }
            }
            let owner = claim_owner();
            let lease_now = SystemClock.now();
            let lease_until = lease_now.plus_seconds(LEASE_SECONDS);
            let claimed = self.store.claim_outbox(self.now(), lease_now, lease_until, &owner, only, batch).await?;
            if claimed.is_empty() {
                break;
            }
            let ids: Vec<i64> = claimed.iter().filter_map(|(_, m)| m.id.parse().ok()).collect();
            let heartbeat = Heartbeat::outbox(self.store.clone(), ids, owner.clone());
            let outcomes = self.deliver_batch(claimed, at_once).await;
            drop(heartbeat);
            let batch = outcomes.iter().filter(|(_, o)| *o == DeliveryOutcome::Delivered).count();
            self.store.outbox_attempted(&owner, self.now(), &outcomes).await?;
            tracing::debug!(claimed = outcomes.len(), delivered = batch, "outbox batch done");
            delivered += batch;
            if only.is_some() || turn.elapsed() >= DELIVERY_TURN {
                break;
            }
        }
        Ok(delivered)
    }

    /// Delivers one claimed batch. A batch holds at most one message of an order to a destination
    /// (the later ones wait for it to be delivered), so ERP postings go concurrently, `at_once` at a
    /// time, without one overtaking another of its order; marketplace messages go one after
    /// another, as marketplaces' rate limits expect. Answers each message's outcome.
    async fn deliver_batch(&self, claimed: Vec<(i64, ordo_store::OutboxMessage)>, at_once: usize) -> Vec<(i64, DeliveryOutcome)> {
        let (postings, others): (Vec<_>, Vec<_>) = claimed.into_iter().partition(|(_, m)| m.topic == ordo_store::POSTING_TOPIC);
        let mut tasks = tokio::task::JoinSet::new();
        if !others.is_empty() {
            let app = self.clone();
            tasks.spawn(async move {
                let mut out = Vec::with_capacity(others.len());
                for (client_id, m) in others {
                    let result = app.deliver(client_id, &m).await;
                    out.push((client_id, false, m.id.parse().unwrap_or_default(), app.outcome(&m, result)));
                }
                out
            });
        }
        // Each client's connection is read once for the batch; `gone` stops its deliveries not yet
        // started once one of them is answered 410.
        let mut erps: std::collections::HashMap<i64, Arc<ErpBatch>> = std::collections::HashMap::new();
        let at_once = Arc::new(tokio::sync::Semaphore::new(at_once));
        for (client_id, m) in postings {
            let erp = match erps.get(&client_id) {
                Some(e) => e.clone(),
                None => {
                    let e = Arc::new(ErpBatch { target: self.erp_target(client_id).await, gone: AtomicBool::new(false) });
                    erps.insert(client_id, e.clone());
                    e
                }
            };
            let Ok(permit) = at_once.clone().acquire_owned().await else { break };
            let app = self.clone();
            tasks.spawn(async move {
                let _permit = permit;
                let id = m.id.parse().unwrap_or_default();
                let outcome = match &erp.target {
                    Ok(Some(_)) if erp.gone.load(Ordering::Relaxed) => DeliveryOutcome::Released,
                    Ok(None) => DeliveryOutcome::Released,
                    Ok(Some(target)) => {
                        let result = app.send_posting(client_id, target, &m).await;
                        if result.as_ref().is_err_and(|f| f.gone) {
                            erp.gone.store(true, Ordering::Relaxed);
                        }
                        app.outcome(&m, result.map_err(|f| f.error))
                    }
                    Err(e) => app.outcome(&m, Err(e.clone())),
                };
                vec![(client_id, true, id, outcome)]
            });
        }
        // How delivery to each client's ERP went, in the order the deliveries finished.
        let mut erp_news: std::collections::HashMap<i64, (bool, Option<String>)> = std::collections::HashMap::new();
        let mut outcomes = Vec::new();
        while let Some(done) = tasks.join_next().await {
            let done = match done {
                Ok(done) => done,
                Err(e) => {
                    // Its messages' leases run out and another turn delivers them.
                    tracing::error!(error = %e, "an outbox delivery task failed");
                    continue;
                }
            };
            for (client_id, is_posting, id, outcome) in done {
                if is_posting {
                    let news = erp_news.entry(client_id).or_default();
                    match &outcome {
                        DeliveryOutcome::Delivered => *news = (true, None),
                        DeliveryOutcome::Retry { error, .. } | DeliveryOutcome::Dead { error } => news.1 = Some(error.clone()),
                        DeliveryOutcome::Released => {}
                    }
                }
                outcomes.push((id, outcome));
            }
        }
        let now = self.now();
        for (client_id, (delivered, error)) in erp_news {
            if !delivered && error.is_none() {
                continue;
            }
            if let Err(e) = self.store.erp_delivery_attempted(client_id, delivered.then_some(now), error.as_deref(), false).await
            {
                tracing::warn!(client_id, error = %e, "recording how ERP deliveries went failed");
            }
        }
        outcomes
    }

    /// What a delivery attempt's result means for its message: delivered, tried again later (after
    /// [`retry_delay`], or longer when the receiver asked), or dead.
    fn outcome(&self, message: &ordo_store::OutboxMessage, result: std::result::Result<(), ChannelError>) -> DeliveryOutcome {
        match result {
            Ok(()) => DeliveryOutcome::Delivered,
            Err(e) if message.attempts + 1 >= MAX_ATTEMPTS => DeliveryOutcome::Dead { error: e.to_string() },
            Err(ChannelError::Permanent(m)) => DeliveryOutcome::Dead { error: m },
            Err(e) => {
                let asked = match &e {
                    ChannelError::RateLimited { retry_after_seconds, .. } => retry_after_seconds.unwrap_or(0) as i64,
                    _ => 0,
                };
                let at = self.now().plus_seconds(retry_delay(message.attempts).max(asked));
                DeliveryOutcome::Retry { error: e.to_string(), at }
            }
        }
    }

    /// Delivers one message to a marketplace.
    async fn deliver(&self, client_id: i64, message: &ordo_store::OutboxMessage) -> std::result::Result<(), ChannelError> {
        let p = &message.payload;
        let channel = message.channel.clone().unwrap_or_default();
        let connector = self.connector_of(client_id, &channel).await.map_err(|e| ChannelError::Permanent(e.to_string()))?;
        match message.topic.as_str() {
            ordo_store::CANCEL_ORDER_TOPIC => {
                let lines: Vec<(String, String, i64)> = p["lines"]
                    .as_array()
                    .map(|ls| {
                        ls.iter()
                            .map(|l| {
                                (
                                    l["channel_line_id"].as_str().unwrap_or_default().to_string(),
                                    l["channel_sku"].as_str().or(l["sku"].as_str()).unwrap_or_default().to_string(),
                                    l["qty"].as_i64().unwrap_or(0),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let order = MarketplaceOrder {
                    raw: p["raw"].clone(),
                    ..MarketplaceOrder::open(
                        p["channel_order_id"].as_str().unwrap_or_default(),
                        lines.iter().map(|(id, sku, qty)| ordo_channels::MarketplaceLine::new(id, sku, *qty)).collect(),
                    )
                };
                let cancel: Vec<CancelLine> =
                    lines.iter().map(|(id, _, qty)| CancelLine { channel_line_id: id.clone(), qty: *qty }).collect();
                let reason = p["reason"].as_str().unwrap_or("cancelled by the seller");
                connector.push_cancellation(&order, &cancel, reason, message.created_at).await
            }
            "channel.hand_over" => connector.hand_over(&crate::shipping::handover_of(p)?).await,
            ordo_store::RETURN_QC_TOPIC => connector.send_return_qc(&message_body(p)?).await,
            ordo_store::CREDIT_NOTE_TOPIC => connector.relay_credit_note(&message_body(p)?).await,
            ordo_store::RTO_REQUEST_TOPIC => {
                let awbs: Vec<String> = message_body(&p["awbs"])?;
                connector.request_rto(p["channel_order_id"].as_str().unwrap_or_default(), &awbs).await
            }
            ordo_store::E_INVOICE_TOPIC => self.deliver_b2b_e_invoice(client_id, &connector, p).await,
            ordo_store::UNINVOICED_TOPIC => connector.cancel_uninvoiced(&message_body(p)?).await,
            other => Err(ChannelError::Permanent(format!("no delivery for messages of topic '{other}'"))),
        }
    }
}

impl App {
    /// The outbox: messages to marketplaces and ERPs, newest first.
    pub async fn outbox(
        &self,
        caller: &Caller,
        status: Option<&str>,
        page: ordo_store::PageRequest,
    ) -> Result<ordo_store::Page<ordo_store::OutboxMessage>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        if let Some(s) = status
            && !["PENDING", "SENDING", "DELIVERED", "DEAD"].contains(&s)
        {
            return Err(DomainError::field("status", "must be one of PENDING, SENDING, DELIVERED, DEAD"));
        }
        self.store.outbox(ctx.client_id, status, page).await
    }

    /// Sends a message again (a dead letter, after the cause was fixed).
    pub async fn replay_outbox(&self, caller: &Caller, id: &str) -> Result<ordo_store::OutboxMessage> {
        let ctx = self.authorize(caller, Permission::OperateOrders)?;
        let message = self.store.replay_outbox(&ctx, id).await?;
        // Only this message is sent now; the rest of the outbox keeps its schedule.
        if let Ok(n) = message.id.parse::<i64>()
            && let Err(e) = self.deliver_claimed(Some((ctx.client_id, n)), false).await
        {
            tracing::warn!(message = %message.id, error = %e, "replayed message not delivered now; the worker retries it");
        }
        Ok(message)
    }
}

/// Reads a message's payload as what a connector sends; one that doesn't read is a dead letter.
fn message_body<T: serde::de::DeserializeOwned>(payload: &Value) -> std::result::Result<T, ChannelError> {
    serde_json::from_value(payload.clone()).map_err(|e| ChannelError::Permanent(format!("unreadable message: {e}")))
}

/// Seconds before the next attempt after `attempts` failed ones: 30 s doubling up to 2 h 8 min (30 s,
/// 1, 2, 4, 8, 16, 32 and 64 min, then 128 min: about 4 h 15 min over all of them before the dead
/// letter), each within ±10 % at random so a backlog that failed together is not retried all at once.
/// A `Retry-After` asking for longer wins.
fn retry_delay(attempts: i64) -> i64 {
    let base = 30i64 << attempts.clamp(0, 8);
    let mut b = [0u8; 2];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    let spread = i64::from(u16::from_le_bytes(b)) % (base / 5 + 1) - base / 10;
    base + spread
}

/// A batch's view of one client's ERP: where its postings go, and whether the endpoint answered 410
/// during the batch.
struct ErpBatch {
    target: std::result::Result<Option<crate::erp::ErpTarget>, ChannelError>,
    gone: AtomicBool,
}
