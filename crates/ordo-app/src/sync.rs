//! The sync engine: pulls every marketplace on a cursor (a window of "updated after" with overlap,
//! so nothing changed at a window's edge is missed), applies each page with the cursor in one
//! transaction, survives rate limits and outages with backoff, stops a channel whose credentials
//! are refused, and acknowledges Ajio orders after their cancellation window. Outbox delivery is
//! in `outbox.rs`; the lease lengths and the [`Heartbeat`] here serve both, since a channel's sync
//! and an outbox batch are leased alike.

use crate::clock::{Clock, SystemClock};
use crate::orders::parse_order;
use crate::{App, Caller, Result};
use ordo_channels::{ChannelError, Connector, MarketplaceOrder, MarketplaceState, RetryPolicy, SyncWindow, with_retries_using};
use ordo_domain::kinds::{ChannelStatus, ChannelType, Permission};
use ordo_domain::model::Order;
use ordo_domain::{DomainError, Timestamp};
use ordo_store::{ChannelClaim, IngestOutcome, MarketplacePage, NewOrder, SyncEnd, SyncTarget, WriteCtx};
use serde::Serialize;
use serde_json::{Value, json};

/// What a sync did: `POST /api/v1/channels/{code}/sync`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SyncReport {
    /// Orders the marketplace returned.
    pub fetched: u64,
    pub created: u64,
    /// Known orders the marketplace changed.
    pub updated: u64,
    /// Orders kept in failed orders (unmapped SKUs) or refused.
    pub failed: u64,
    /// Orders cancelled because the marketplace cancelled them.
    pub cancelled: u64,
    /// Returns the marketplace announced that are now expected.
    pub returns_expected: u64,
    /// Returns the marketplace announced that could not be expected (their order is not here or not
    /// dispatched, or they name more units than went out); the log says why for each.
    pub returns_skipped: u64,
}

/// Calls the marketplace, retrying rate limits (honouring `Retry-After`) and transient failures with
/// a short exponential backoff; a sync that still fails waits for its next turn.
pub(crate) async fn retrying<T, F, Fut>(f: F) -> std::result::Result<T, ChannelError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, ChannelError>>,
{
    let policy = RetryPolicy {
        max_attempts: 6,
        base_delay: std::time::Duration::from_millis(200),
        max_delay: std::time::Duration::from_secs(2),
        max_retry_after: std::time::Duration::from_secs(60),
    };
    with_retries_using(&policy, tokio::time::sleep, f).await
}
/// Orders written per transaction.
const PAGE: usize = 500;
/// How long a sync's lease on its channel lasts unless renewed. A running sync renews it every
/// [`LEASE_RENEW_EVERY`] (a heartbeat), so a process that dies mid-sync frees the channel within
/// seconds, while a long sync keeps it.
pub(crate) const LEASE_SECONDS: i64 = 15;
/// How often a running sync renews its lease.
pub(crate) const LEASE_RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// This process as lease holders are named: `pid 4242 on host-a`.
pub(crate) fn this_process() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "this host".into());
        format!("pid {} on {host}", std::process::id())
    })
}

/// Renews a lease in the background until dropped. The task handle is visible to the crate so that
/// `outbox.rs` can start a heartbeat for its message leases.
pub(crate) struct Heartbeat(pub(crate) tokio::task::AbortHandle);

impl Heartbeat {
    fn start(store: ordo_store::Store, channel_id: i64, owner: String) -> Heartbeat {
        let beat = tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE_RENEW_EVERY).await;
                let until = SystemClock.now().plus_seconds(LEASE_SECONDS);
                match store.renew_channel_lease(channel_id, &owner, until).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(channel_id, "this sync's lease was taken over by another process; it finishes anyway");
                        return;
                    }
                    Err(e) => tracing::warn!(channel_id, error = %e, "can't renew the sync lease; trying again"),
                }
            }
        });
        Heartbeat(beat.abort_handle())
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A channel's sync settings, with their defaults.
struct SyncSettings {
    interval: i64,
    overlap: i64,
    sync_from: Option<Timestamp>,
    fulfillment_type: Option<String>,
    acknowledge_after: i64,
}

impl SyncSettings {
    fn read(settings: &Value) -> SyncSettings {
        let int = |k: &str, d: i64| settings.get(k).and_then(Value::as_i64).unwrap_or(d);
        SyncSettings {
            interval: int("sync_interval_seconds", 300).max(1),
            overlap: int("sync_overlap_seconds", 300).max(0),
            sync_from: settings.get("sync_from").and_then(Value::as_str).and_then(|s| Timestamp::parse(s).ok()),
            fulfillment_type: settings.get("fulfillment_type").and_then(Value::as_str).map(str::to_string),
            acknowledge_after: int("acknowledge_after_seconds", 4 * 3600),
        }
    }
}

fn upstream(e: ChannelError) -> DomainError {
    DomainError::Upstream(e.to_string())
}

/// The order request a marketplace order amounts to (also what failed orders keep and retry).
fn order_request(channel: &str, m: &MarketplaceOrder, settings: &SyncSettings) -> Value {
    let mut req = json!({
        "channel": channel,
        "kind": match m.kind { ordo_channels::OrderKind::B2C => "B2C", ordo_channels::OrderKind::B2B => "B2B" },
        "channel_order_id": m.channel_order_id,
        "parent_order_id": m.parent_order_id,
        "dispatch_after": m.dispatch_after,
        "start_processing_at": m.start_processing_at,
        "replacement_of": m.replacement_of,
        "marketplace_status": format!("{:?}", m.state).to_uppercase(),
        "on_hold": m.on_hold || m.state == MarketplaceState::Pending,
        "lines": m.lines.iter().filter(|l| l.qty > 0).map(|l| json!({
            "channel_sku": l.channel_sku, "qty": l.qty, "cancelled_qty": l.cancelled_qty.clamp(0, l.qty),
            "unit_price": l.unit_price, "channel_line_id": l.channel_line_id,
        })).collect::<Vec<_>>(),
        "marketplace_payload": m.raw,
    });
    if let Some(f) = &settings.fulfillment_type {
        req["fulfillment_type"] = json!(f);
    }
    for (field, value) in [
        ("buyer", serde_json::to_value(&m.buyer)),
        ("ship_to", serde_json::to_value(&m.ship_to)),
        ("payment", serde_json::to_value(&m.payment)),
    ] {
        if let Ok(v) = value
            && !v.is_null()
        {
            req[field] = v;
        }
    }
    req
}

/// The order a marketplace order becomes: Ajio's B2C orders are acknowledged after their
/// cancellation window; a marketplace B2B order names the B2C orders it `covers`.
fn marketplace_order(
    code: &str,
    channel_type: ChannelType,
    m: &MarketplaceOrder,
    settings: &SyncSettings,
    covers: Vec<String>,
) -> Result<NewOrder> {
    let request = order_request(code, m, settings);
    let mut order = match parse_order(request.clone()) {
        Ok(o) => o,
        // A party the marketplace sent that Ordo can't take (a phone or PIN written oddly) must not
        // keep the order out: it comes in without them, and a document that needs them says so.
        Err(e) if ["buyer", "ship_to", "payment"].iter().any(|p| !request[p].is_null()) => {
            tracing::warn!(order = %m.channel_order_id, error = %e, "the marketplace's buyer, ship-to or payment is not usable; the order comes in without them");
            let mut bare = request;
            for p in ["buyer", "ship_to", "payment"] {
                bare.as_object_mut().map(|o| o.remove(p));
            }
            parse_order(bare)?
        }
        Err(e) => return Err(e),
    };
    if channel_type == ChannelType::AjioVms && order.kind == ordo_domain::kinds::OrderKind::B2c {
        order.acknowledge_after_seconds = Some(settings.acknowledge_after);
    }
    order.covers = covers;
    Ok(order)
}

impl App {
    /// The connector of a channel, from its type, sealed credentials and settings.
    fn connector(
        &self,
        client_id: i64,
        code: &str,
        channel_type: ChannelType,
        sealed: &[u8],
        settings: &Value,
    ) -> Result<Connector> {
        let context = crate::secrets::channel_credentials_context(client_id, code);
        let credentials: Value = serde_json::from_slice(&self.secrets.open(sealed, &context)?)
            .map_err(|e| DomainError::Internal(format!("stored credentials unreadable: {e}")))?;
        Connector::from_settings(channel_type, &credentials, settings)
            .map_err(|e| DomainError::Conflict(format!("channel '{code}' can't sync: {e}")))
    }

    pub(crate) async fn connector_of(&self, client_id: i64, code: &str) -> Result<Connector> {
        let channel = self.store.channel(client_id, code).await?;
        let sealed = self.store.channel_credentials(client_id, code).await?;
        self.connector(client_id, code, channel.channel_type, &sealed, &channel.settings)
    }

    /// Pulls from the marketplace now (`POST /api/v1/channels/{code}/sync`).
    pub async fn sync_channel(&self, caller: &Caller, code: &str) -> Result<SyncReport> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        let channel = self.store.channel(ctx.client_id, code).await?;
        match (channel.channel_type, channel.status) {
            (ChannelType::Internal, _) => {
                return Err(DomainError::Conflict(
                    "the internal channel has no marketplace to pull from: its orders come through the API".into(),
                ));
            }
            (_, ChannelStatus::AuthFailed) => {
                return Err(DomainError::Conflict(format!(
                    "the marketplace refused this channel's credentials ({}); update them with PATCH /api/v1/channels/{code}",
                    channel.last_error.unwrap_or_default()
                )));
            }
            (_, ChannelStatus::Disabled) => {
                return Err(DomainError::Conflict(format!("channel '{code}' is disabled; enable it first")));
            }
            _ => {}
        }
        match self.sync_one(ctx.client_id, code).await? {
            Ok(result) => result,
            Err(Held { owner, until }) => Err(DomainError::Conflict(format!(
                "channel '{code}' is being synced right now by {owner}, whose lease runs until {until} unless it renews \
                 it; try again after that"
            ))),
        }
    }

    /// Claims and syncs one channel; [`Held`] when another sync of it is running.
    async fn sync_one(&self, client_id: i64, code: &str) -> Result<std::result::Result<Result<SyncReport>, Held>> {
        let local = self.syncs.lock().expect("sync locks").entry((client_id, code.to_string())).or_default().clone();
        let _one_at_a_time_here = local.lock().await;
        let lease_now = SystemClock.now();
        let owner = this_process();
        let now = self.now();
        let target = match self
            .store
            .claim_channel(client_id, code, owner, lease_now, lease_now.plus_seconds(LEASE_SECONDS), now)
            .await?
        {
            ChannelClaim::Taken(target) => target,
            ChannelClaim::Held { owner, until } => return Ok(Err(Held { owner, until })),
        };
        let settings = SyncSettings::read(&target.settings);
        let heartbeat = Heartbeat::start(self.store.clone(), target.channel_id, owner.to_string());
        let result = self.pull(&target, &settings).await;
        drop(heartbeat);
        let end = match &result {
            Ok(_) => SyncEnd::Success { next_at: now.plus_seconds(settings.interval) },
            Err(SyncFailure::Auth(message)) => SyncEnd::AuthFailed { message: message.clone() },
            Err(SyncFailure::Other(message) | SyncFailure::Setup(message)) => {
                let failures = self.store.channel_failures(target.channel_id).await.unwrap_or(0);
                let backoff = (30i64 << failures.min(6)).min(settings.interval.max(30));
                SyncEnd::Failed { message: message.clone(), next_at: now.plus_seconds(backoff) }
            }
            Err(SyncFailure::Store(_)) => {
                SyncEnd::Failed { message: "Ordo could not store the orders".into(), next_at: now.plus_seconds(30) }
            }
        };
        self.store.finish_sync(&target, &end, self.now()).await?;
        Ok(Ok(match result {
            Ok(report) => {
                self.after_commit(target.client_id).await;
                Ok(report)
            }
            Err(SyncFailure::Auth(m)) => Err(DomainError::Upstream(format!("the marketplace refused the credentials: {m}"))),
            Err(SyncFailure::Other(m)) => Err(DomainError::Upstream(m)),
            // The channel's own settings stop it: nothing the marketplace did.
            Err(SyncFailure::Setup(m)) => Err(DomainError::Conflict(m)),
            Err(SyncFailure::Store(e)) => Err(e),
        }))
    }

    /// Fetches the channel's window and applies it; gives the report and the new cursor.
    async fn pull(&self, target: &SyncTarget, settings: &SyncSettings) -> std::result::Result<SyncReport, SyncFailure> {
        let connector = self
            .connector(target.client_id, &target.code, target.channel_type, &target.credentials, &target.settings)
            .map_err(|e| SyncFailure::Setup(e.to_string()))?;
        let now = self.now();
        let start = target.cursor.unwrap_or_else(|| settings.sync_from.unwrap_or(target.created_at.plus_seconds(-24 * 3600)));
        let window = SyncWindow { from: start.plus_seconds(-settings.overlap), to: now };
        let orders = retrying(|| connector.fetch_updated(&window)).await.map_err(SyncFailure::from)?;
        let mut report = SyncReport { fetched: orders.len() as u64, ..SyncReport::default() };
        let ctx = WriteCtx::new(target.client_id, format!("sync:{}", target.code), now);
        let mut requests = Vec::new();
        let mut cancelled = Vec::new();
        for m in &orders {
            match m.state {
                MarketplaceState::Cancelled => cancelled.push((target.code.clone(), m.channel_order_id.clone())),
                _ if m.is_cancelled() => cancelled.push((target.code.clone(), m.channel_order_id.clone())),
                _ => requests.push(marketplace_order(&target.code, target.channel_type, m, settings, Vec::new())),
            }
        }
        if connector.as_ajio().is_some() {
            for po in retrying(|| connector.fetch_b2b(&window)).await.map_err(SyncFailure::from)? {
                report.fetched += 1;
                requests.push(marketplace_order(
                    &target.code,
                    target.channel_type,
                    &po.order,
                    settings,
                    po.b2c_order_ids.clone(),
                ));
            }
        }
        let returns = retrying(|| connector.fetch_returns(&window)).await.map_err(SyncFailure::from)?;
        let mut events = Vec::new();
        for event in retrying(|| connector.fetch_events(&window)).await.map_err(SyncFailure::from)? {
            let word = serde_json::to_value(event.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            if let Ok(kind) = ordo_domain::kinds::ChannelEventType::parse(&word) {
                events.push((target.code.clone(), kind, event.channel_order_id.clone(), event.reason.clone()));
            }
        }
        report.failed += requests.iter().filter(|r| r.is_err()).count() as u64;
        let valid: Vec<NewOrder> = requests.into_iter().filter_map(|r| r.ok()).collect();
        // Pages of orders, each in its own transaction; the last one also carries the cancellations,
        // the events and the new cursor, so the cursor never runs ahead of what is stored.
        let mut pages: Vec<Vec<NewOrder>> = valid.chunks(PAGE).map(<[NewOrder]>::to_vec).collect();
        let last = pages.pop().unwrap_or_default();
        let mut apply = Vec::new();
        for orders in pages {
            apply.push(MarketplacePage { orders, ..MarketplacePage::default() });
        }
        report.cancelled = cancelled.len() as u64;
        apply.push(MarketplacePage { orders: last, cancelled, events, cursor: Some((target.channel_id, now)) });
        let mut new_b2b = Vec::new();
        let mut apply_returns = Some(returns);
        for page in apply {
            // Returns go in before the page carrying the cursor (their orders may be on earlier pages),
            // so a sync cut short fetches them again; expecting them is idempotent.
            if page.cursor.is_some()
                && let Some(returns) = apply_returns.take()
                && !returns.is_empty()
            {
                self.apply_returns(&ctx, &target.code, returns, &mut report).await.map_err(SyncFailure::Store)?;
            }
            for o in self.store.apply_marketplace_orders(&ctx, page).await.map_err(SyncFailure::Store)? {
                match o {
                    IngestOutcome::Created(o) if o.kind == ordo_domain::kinds::OrderKind::B2b => {
                        report.created += 1;
                        new_b2b.push(o.id);
                    }
                    IngestOutcome::Created(_) => report.created += 1,
                    IngestOutcome::Updated(_) => report.updated += 1,
                    IngestOutcome::Existing(_) => {}
                    IngestOutcome::Failed(_) | IngestOutcome::Invalid(_) => report.failed += 1,
                }
            }
        }
        // Ajio without an ERP: picking starts as soon as the B2B order covering the B2C orders is in.
        // (With an ERP, the ERP's invoice for the final quantities comes first.)
        let erp = target.settings.get("erp_integrated").and_then(Value::as_bool).unwrap_or(false);
        if target.channel_type == ChannelType::AjioVms && !erp {
            for id in new_b2b {
                if let Ok(n) = id.parse::<i64>() {
                    self.store.release_covered_orders(&ctx, n).await.map_err(SyncFailure::Store)?;
                }
            }
        }
        Ok(report)
    }

    /// Expects the returns a marketplace announced, cancels the ones it withdrew, and logs the ones
    /// that can't be expected with the reason.
    async fn apply_returns(
        &self,
        ctx: &WriteCtx,
        channel: &str,
        returns: Vec<ordo_channels::MarketplaceReturn>,
        report: &mut SyncReport,
    ) -> Result<()> {
        let returns = returns
            .into_iter()
            .map(|r| ordo_store::ChannelReturn {
                channel_order_id: r.channel_order_id,
                channel_return_id: r.channel_return_id,
                kind: r.kind,
                awb: r.awb,
                lines: r.lines.into_iter().map(|l| (l.channel_line_id, l.channel_sku, l.qty)).collect(),
                cancelled: r.cancelled,
            })
            .collect();
        for outcome in self.store.apply_marketplace_returns(ctx, channel, returns).await? {
            match outcome {
                ordo_store::ChannelReturnOutcome::Created(_) => report.returns_expected += 1,
                ordo_store::ChannelReturnOutcome::Skipped { channel_return_id, reason } => {
                    report.returns_skipped += 1;
                    tracing::warn!(channel, channel_return_id, reason, "a marketplace return is not expected");
                }
                ordo_store::ChannelReturnOutcome::Existing(_) | ordo_store::ChannelReturnOutcome::Cancelled(_) => {}
            }
        }
        Ok(())
    }

    /// Re-reads one order from its marketplace now (`POST /api/v1/orders/{id}/sync`).
    pub async fn sync_order(&self, caller: &Caller, id: &str) -> Result<Order> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        self.reread_order(&ctx, id).await?;
        self.store.order(ctx.client_id, id, self.now()).await
    }

    /// Re-reads one order from its marketplace and applies what changed (a cancellation cancels it
    /// and frees its stock). Answers the marketplace's order, or `None` for an internal one.
    pub(crate) async fn reread_order(&self, ctx: &WriteCtx, id: &str) -> Result<Option<MarketplaceOrder>> {
        let (code, coid) = self.store.order_channel(ctx.client_id, id).await?;
        let channel = self.store.channel(ctx.client_id, &code).await?;
        if channel.channel_type == ChannelType::Internal {
            return Ok(None);
        }
        let connector = self.connector_of(ctx.client_id, &code).await?;
        let fetched = retrying(|| connector.fetch_order(&coid)).await.map_err(upstream)?;
        let Some(m) = fetched else {
            return Err(DomainError::Upstream(format!("the marketplace no longer knows order {coid}")));
        };
        let sync_ctx = WriteCtx::new(ctx.client_id, format!("sync:{code}"), ctx.now);
        if m.is_cancelled() {
            let page = MarketplacePage { cancelled: vec![(code.clone(), coid.clone())], ..MarketplacePage::default() };
            self.store.apply_marketplace_orders(&sync_ctx, page).await?;
        } else {
            let settings = SyncSettings::read(&channel.settings);
            let order = marketplace_order(&code, channel.channel_type, &m, &settings, Vec::new())?;
            self.store
                .apply_marketplace_orders(&sync_ctx, MarketplacePage { orders: vec![order], ..MarketplacePage::default() })
                .await?;
        }
        self.after_commit(ctx.client_id).await;
        Ok(Some(m))
    }

    /// Syncs every channel whose periodic sync is due. Returns how many were synced.
    pub async fn run_due_syncs(&self) -> Result<usize> {
        let due = self.store.channels_due_for_sync(self.now(), SystemClock.now()).await?;
        let mut done = 0;
        for (client_id, code) in due {
            let channel = self.store.channel(client_id, &code).await?;
            if channel.settings.get("sync_enabled").and_then(Value::as_bool) == Some(false) {
                continue;
            }
            if let Ok(result) = self.sync_one(client_id, &code).await? {
                done += 1;
                if let Err(e) = result {
                    tracing::warn!(channel = %code, error = %e, "sync failed; it is retried with backoff");
                }
            }
        }
        Ok(done)
    }

    /// Acknowledges orders whose cancellation window has passed (Ajio); an order the customer
    /// cancelled meanwhile is cancelled instead, never acknowledged.
    pub async fn acknowledge_due_orders(&self) -> Result<usize> {
        let due = self.store.acknowledgements_due(self.now()).await?;
        let mut done = 0;
        for ack in due {
            let connector = match self.connector_of(ack.client_id, &ack.channel).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(channel = %ack.channel, error = %e, "can't acknowledge");
                    continue;
                }
            };
            let ctx = WriteCtx::new(ack.client_id, format!("sync:{}", ack.channel), self.now());
            match retrying(|| connector.acknowledge(&ack.channel_order_id)).await {
                Ok(m) if m.is_cancelled() => {
                    let page = MarketplacePage {
                        cancelled: vec![(ack.channel.clone(), ack.channel_order_id.clone())],
                        ..MarketplacePage::default()
                    };
                    self.store.apply_marketplace_orders(&ctx, page).await?;
                }
                Ok(_) => {
                    self.store.mark_acknowledged(ack.order_id, self.now()).await?;
                    done += 1;
                }
                Err(e) => tracing::warn!(order = %ack.channel_order_id, error = %e, "acknowledgement failed; it is retried"),
            }
        }
        Ok(done)
    }
    /// Everything the background worker does: local work due now, then due syncs,
    /// acknowledgements and outbox deliveries (which talk to marketplaces). A step that fails is
    /// logged and the others still run; the first failure is returned.
    pub async fn run_background_work(&self) -> Result<usize> {
        self.background_work(false).await
    }

    /// [`App::run_background_work`]; with `give_way`, as the background worker runs it, the outbox
    /// delivery gives way to API requests being served.
    pub(crate) async fn background_work(&self, give_way: bool) -> Result<usize> {
        let mut done = 0;
        let mut first_error = None;
        let mut step = |what: &str, result: Result<usize>| match result {
            Ok(n) => done += n,
            Err(e) => {
                tracing::warn!(step = what, error = %e, "background work failed; it is retried on the next tick");
                first_error.get_or_insert(e);
            }
        };
        step("due work", self.run_due_work().await);
        step("syncs", self.run_due_syncs().await);
        step("acknowledgements", self.acknowledge_due_orders().await);
        step("outbox", self.deliver_claimed(None, give_way).await);
        step("idempotency keys", self.store.expire_idempotency_keys(self.now()).await.map(|_| 0));
        // What the syncs and deliveries changed (holds, freed stock) is settled before returning.
        step("due work", self.run_due_work().await);
        match first_error {
            Some(e) => Err(e),
            None => Ok(done),
        }
    }
}

/// A channel whose lease another sync holds: which process, until when (real time).
struct Held {
    owner: String,
    until: Timestamp,
}

enum SyncFailure {
    Auth(String),
    /// The channel's type, credentials or settings don't make a connector.
    Setup(String),
    Other(String),
    Store(DomainError),
}

impl From<ChannelError> for SyncFailure {
    fn from(e: ChannelError) -> Self {
        match e {
            ChannelError::Auth(m) => SyncFailure::Auth(m),
            other => SyncFailure::Other(other.to_string()),
        }
    }
}

impl App {
    /// Gets this process ready to serve: on SQLite, which one process serves, any channel or outbox
    /// lease left in the database is one this process's earlier life died holding, so it is dropped.
    pub async fn prepare_to_serve(&self) -> Result<()> {
        if self.store.dialect() == ordo_store::Dialect::Sqlite {
            let dropped = self.store.drop_channel_leases().await?;
            if dropped > 0 {
                tracing::info!(dropped, "dropped channel sync leases left by a process that stopped mid-sync");
            }
            let dropped = self.store.drop_outbox_leases().await?;
            if dropped > 0 {
                tracing::info!(dropped, "outbox messages a process stopped in the middle of delivering are due again");
            }
        }
        Ok(())
    }
}
