//! The demo's simulated warehouse crew: what pickers, packers and the dispatch desk would do, through
//! the App like any API caller with a `warehouse` key, so a new user sees orders leave the warehouse
//! with invoices, labels and manifests. Every round it releases ready orders to a picklist, picks the
//! open lines by scanning their SKU or EAN, packs the picked orders and, every few rounds, gathers the
//! packed shipments of each channel into a manifest and hands it over. At the returns desk it receives
//! the returns the marketplaces announced: most units pass QC, now and then one fails.

use super::{ARTICLES, Dice, WAREHOUSE};
use ordo_app::ordo_store::{OrderQuery, PageRequest};
use ordo_app::requests::{ManifestRequest, PickScanRequest, PicklistRequest, ReceiveRequest, ReceivedLine, ShortPickRequest};
use ordo_app::{App, Caller, PackOrderRequest, PackScan, ShipmentQuery};
use ordo_domain::DomainError;
use ordo_domain::kinds::{ManifestStatus, OrderStatus, PicklistStatus, ReturnStatus, ShipmentStatus, ShortReason};
use ordo_domain::model::Picklist;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often the crew looks for work.
pub const ROUND: Duration = Duration::from_secs(4);
/// Manifests are made and handed over every this many rounds, so packed parcels wait a little at the
/// dispatch desk as they would for a carrier's pickup, and the user sees orders in PACKED.
pub const HANDOVER_EVERY: u64 = 3;
/// Rounds an order waits before packing it is tried again after a failure that only time (or the
/// marketplace) mends, so a stuck order is not re-read from its marketplace every round.
const RETRY_ROUNDS: u64 = 5;
/// About one picklist line in this many has a unit the picker can't find.
const SHORT_ONE_IN: u64 = 40;
/// About one return in this many has a unit that fails QC.
const QC_FAIL_ONE_IN: u64 = 4;

/// What the crew has done since the demo started.
#[derive(Default)]
pub struct Tally {
    pub picked: AtomicU64,
    pub packed: AtomicU64,
    pub dispatched: AtomicU64,
    pub short: AtomicU64,
    /// Returns received through QC.
    pub returned: AtomicU64,
}

pub struct Crew {
    app: App,
    caller: Caller,
    dice: Dice,
    tally: Arc<Tally>,
    round: u64,
    /// Orders whose packing failed, and the round to try again.
    retry_at: HashMap<String, u64>,
    /// Orders counted as picked, so each counts once however many rounds it waits to be packed.
    counted_picked: BTreeSet<String>,
}

fn page(limit: i64) -> PageRequest {
    PageRequest { limit, after: None }
}

impl Crew {
    pub fn new(app: App, caller: Caller, seed: u64, tally: Arc<Tally>) -> Crew {
        Crew { app, caller, dice: Dice(seed | 1), tally, round: 0, retry_at: HashMap::new(), counted_picked: BTreeSet::new() }
    }

    /// Works rounds until the task is aborted.
    pub async fn run(mut self) {
        let mut tick = tokio::time::interval(ROUND);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.work_round().await;
        }
    }

    /// One round: release, pick, pack, and now and then manifest and hand over. Each step logs its
    /// own failures and the next steps still run: the crew never stops over one order.
    pub async fn work_round(&mut self) {
        self.round += 1;
        self.release().await;
        self.pick().await;
        self.pack().await;
        if self.round.is_multiple_of(HANDOVER_EVERY) {
            self.dispatch().await;
        }
        self.receive_returns().await;
    }

    /// Receives the expected returns: every unit passes QC but, now and then, one that fails.
    async fn receive_returns(&mut self) {
        let expected = match self.app.list_returns(&self.caller, Some(ReturnStatus::Expected), None, None, page(20)).await {
            Ok(p) => p.items,
            Err(e) => return tracing::warn!(error = %e, "demo crew: can't read the returns expected"),
        };
        for r in expected {
            let mut lines: Vec<ReceivedLine> =
                r.lines.iter().map(|l| ReceivedLine { sku: l.sku.clone(), qc_pass: l.qty, qc_fail: 0 }).collect();
            if let Some(l) = lines.first_mut().filter(|_| self.dice.next(QC_FAIL_ONE_IN) == 0) {
                l.qc_pass -= 1;
                l.qc_fail += 1;
            }
            match self.app.receive_return(&self.caller, &r.id, ReceiveRequest { lines }).await {
                Ok(_) => {
                    self.tally.returned.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(return_id = %r.id, order = %r.order_id, kind = %r.kind, "demo crew: received a return through QC");
                }
                Err(e) => tracing::warn!(return_id = %r.id, error = %e, "demo crew: receiving a return failed"),
            }
        }
    }

    async fn orders_in(&self, status: OrderStatus, limit: i64) -> Result<Vec<ordo_domain::model::Order>, DomainError> {
        let query = OrderQuery { statuses: vec![status], ..Default::default() };
        Ok(self.app.search_orders(&self.caller, &query, page(limit)).await?.items)
    }

    /// Releases the warehouse's ready orders to a new picklist.
    async fn release(&mut self) {
        match self.orders_in(OrderStatus::Fulfillable, 1).await {
            Ok(ready) if ready.is_empty() => return,
            Ok(_) => {}
            Err(e) => return tracing::warn!(error = %e, "demo crew: can't look for orders to release"),
        }
        let req = PicklistRequest { warehouse: WAREHOUSE.into(), orders: None, limit: Some(20), channel: None };
        match self.app.release_picklist(&self.caller, req).await {
            Ok(p) => tracing::info!(picklist = %p.id, orders = p.orders.len(), "demo crew: released orders to a picklist"),
            // FULFILLABLE orders whose start processing time is still ahead: nothing to release yet.
            Err(DomainError::Conflict(m)) => tracing::debug!(reason = %m, "demo crew: nothing to release"),
            Err(e) => tracing::warn!(error = %e, "demo crew: releasing a picklist failed"),
        }
    }

    /// Picks every open line of the warehouse's unfinished picklists (also those left from an
    /// earlier run).
    async fn pick(&mut self) {
        let picklists = match self.app.list_picklists(&self.caller, Some(WAREHOUSE.into()), None, page(50)).await {
            Ok(p) => p.items,
            Err(e) => return tracing::warn!(error = %e, "demo crew: can't read the picklists"),
        };
        for p in picklists.into_iter().filter(|p| p.status != PicklistStatus::Done) {
            if let Err(e) = self.pick_one(p).await {
                tracing::warn!(error = %e, "demo crew: picking failed");
            }
        }
    }

    async fn pick_one(&mut self, mut p: Picklist) -> Result<(), DomainError> {
        // Now and then a unit is not where the system says: the picker reports it short.
        let short = p.lines.iter().find(|l| l.open > 0 && self.dice.next(SHORT_ONE_IN) == 0).cloned();
        if let Some(line) = short {
            let req = ShortPickRequest { qty: 1, reason: ShortReason::NotFound };
            p = self.app.short_pick(&self.caller, &p.id, &line.line_id, req).await?;
            self.tally.short.fetch_add(1, Ordering::Relaxed);
            tracing::info!(picklist = %p.id, order = %line.order_id, sku = %line.sku, "demo crew: one unit not found, reported short");
        }
        // One scan per SKU for all its open units: each unit goes to the oldest order needing it.
        let mut open: BTreeMap<String, (Option<String>, i64)> = BTreeMap::new();
        for l in p.lines.iter().filter(|l| l.open > 0) {
            let entry = open.entry(l.sku.clone()).or_insert((l.ean.clone(), 0));
            entry.1 += l.open;
        }
        for (sku, (ean, qty)) in open {
            // Scanners read the barcode on the unit (the EAN) or, for unlabelled stock, the SKU code.
            let scan = match ean {
                Some(ean) if self.dice.next(2) == 0 => ean,
                _ => sku,
            };
            self.app.scan_pick(&self.caller, &p.id, PickScanRequest { scan, qty: Some(qty) }).await?;
        }
        Ok(())
    }

    /// Packs the picked orders, with the packer's scans of every unit.
    async fn pack(&mut self) {
        let picked = match self.orders_in(OrderStatus::Picked, 100).await {
            Ok(o) => o,
            Err(e) => return tracing::warn!(error = %e, "demo crew: can't look for picked orders"),
        };
        for order in picked {
            if self.counted_picked.insert(order.id.clone()) {
                self.tally.picked.fetch_add(1, Ordering::Relaxed);
            }
            if self.retry_at.get(&order.id).is_some_and(|r| *r > self.round) {
                continue;
            }
            let mut per_sku: BTreeMap<&str, i64> = BTreeMap::new();
            for l in order.lines.iter().filter(|l| l.picked > l.packed) {
                *per_sku.entry(l.sku.as_str()).or_default() += l.picked - l.packed;
            }
            let scans = per_sku
                .iter()
                .map(|(sku, qty)| {
                    let ean = ARTICLES.iter().find(|a| a.0 == *sku).map(|a| a.2);
                    PackScan { scan: ean.unwrap_or(sku).to_string(), qty: *qty }
                })
                .collect();
            let units: i64 = per_sku.values().sum();
            let req = PackOrderRequest { scans: Some(scans), weight_grams: Some(250 * units.max(1)), dimensions_mm: None };
            match self.app.pack_order(&self.caller, &order.id, req).await {
                Ok(packed) => {
                    self.retry_at.remove(&order.id);
                    if packed.created {
                        self.tally.packed.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(order = %order.id, shipment = %packed.shipment.id, awb = ?packed.shipment.awb, "demo crew: packed");
                    }
                }
                // Marketplace orders may not carry the address Ordo's label needs yet; the
                // marketplace may fill it in on a later re-read, so this waits and tries again.
                Err(DomainError::NotConfigured { what: "document-details", detail }) => {
                    tracing::debug!(order = %order.id, %detail, "demo crew: can't pack yet");
                    self.retry_at.insert(order.id, self.round + RETRY_ROUNDS);
                }
                Err(DomainError::LabelPending { retry_after_seconds, detail }) => {
                    tracing::debug!(order = %order.id, %detail, "demo crew: the marketplace's label is not ready");
                    let rounds = retry_after_seconds.div_ceil(ROUND.as_secs().max(1)).max(1);
                    self.retry_at.insert(order.id, self.round + rounds);
                }
                // The marketplace's change of mind, found at packing: Ordo cancelled the order
                // and freed its stock; there is nothing to ship.
                Err(DomainError::CancelledOnChannel(detail)) => {
                    tracing::info!(order = %order.id, %detail, "demo crew: not shipped, cancelled on its marketplace");
                    self.retry_at.remove(&order.id);
                }
                Err(e) => {
                    tracing::warn!(order = %order.id, error = %e, "demo crew: packing failed");
                    self.retry_at.insert(order.id, self.round + RETRY_ROUNDS);
                }
            }
        }
        // Orders no longer PICKED need no retry.
        let round = self.round;
        self.retry_at.retain(|_, r| *r + RETRY_ROUNDS * 4 > round);
    }

    /// Gathers the packed shipments of each channel and carrier into a manifest and hands it over,
    /// with any manifest left open (by an earlier run or by the user).
    async fn dispatch(&mut self) {
        let open = match self.app.list_manifests(&self.caller, Some(WAREHOUSE.into()), Some(ManifestStatus::Open), page(50)).await
        {
            Ok(m) => m.items,
            Err(e) => return tracing::warn!(error = %e, "demo crew: can't read the manifests"),
        };
        let mut ids: Vec<String> = open.into_iter().map(|m| m.id).collect();
        let query =
            ShipmentQuery { status: Some(ShipmentStatus::Packed), warehouse: Some(WAREHOUSE.into()), ..Default::default() };
        let packed = match self.app.list_shipments(&self.caller, query, page(1000)).await {
            Ok(s) => s.items,
            Err(e) => return tracing::warn!(error = %e, "demo crew: can't read the packed shipments"),
        };
        let groups: BTreeSet<(String, Option<String>)> =
            packed.into_iter().filter(|s| s.manifest_id.is_none()).map(|s| (s.channel, s.carrier)).collect();
        for (channel, carrier) in groups {
            let req = ManifestRequest { warehouse: WAREHOUSE.into(), channel: channel.clone(), carrier, awbs: None };
            match self.app.create_manifest(&self.caller, req).await {
                Ok(m) => ids.push(m.id),
                Err(e) => tracing::warn!(%channel, error = %e, "demo crew: making a manifest failed"),
            }
        }
        for id in ids {
            match self.app.hand_over(&self.caller, &id).await {
                Ok(m) => {
                    self.tally.dispatched.fetch_add(m.shipments.len() as u64, Ordering::Relaxed);
                    tracing::info!(manifest = %m.id, channel = %m.channel, shipments = m.shipments.len(), "demo crew: handed over");
                }
                Err(e) => tracing::warn!(manifest = %id, error = %e, "demo crew: handover failed"),
            }
        }
    }
}
