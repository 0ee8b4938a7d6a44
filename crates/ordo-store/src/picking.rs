//! Picking (SPEC.md §11.1–11.2): scans that confirm units picked, oldest order first, and short picks
//! — units the system holds that the picker can't find or finds damaged — with what follows for the
//! stock and the order.

use crate::allocation::{
    KeyedLine, LoadedOrder, enqueue_sweeps, load_orders, lock_stock, release_stock, save_orders, write_stock_changes,
};
use crate::db::db;
use crate::orders::actions::queue_cancellation;
use crate::orders::invoice::invoiced_group;
use crate::picklists::load_picklist;
use crate::rows::col;
use crate::sql::Writes;
use crate::tx::idempotent;
use crate::{Result, Store, WriteCtx};
use ordo_domain::DomainError;
use ordo_domain::fulfilment::Unserved;
use ordo_domain::inventory::LedgerLine;
use ordo_domain::kinds::{LedgerKind, OrderStatus, PicklistStatus, Pool, ShortReason, UnitStatus};
use ordo_domain::model::{PickAssignment, PickScan, Picklist};
use sqlx::{Any, Transaction};
use std::collections::BTreeSet;

/// A short pick reported at a picklist line.
#[derive(Debug, Clone)]
pub struct ShortPick {
    pub picklist_id: i64,
    pub line_id: i64,
    pub qty: i64,
    pub reason: ShortReason,
}

/// What a short pick did to the line, for the caller to act on (e.g. tell the marketplace).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ShortOutcome {
    pub picklist: Picklist,
    /// Units served again at once from other stock of the pool.
    pub served_again: i64,
    /// Units cancelled (B2C) because no other stock was there.
    pub cancelled: i64,
    /// Units left waiting for stock (B2B).
    pub waiting: i64,
}

fn not_found(id: i64) -> DomainError {
    DomainError::NotFound(format!("picklist '{id}'"))
}

/// The PICK ledger row of `qty` units of line `i` of `o`: picks change no balance (units leave stock
/// at dispatch), but the ledger records each.
fn pick_entry(o: &LoadedOrder, i: usize, qty: i64) -> KeyedLine {
    KeyedLine {
        key: o.key(i),
        line: LedgerLine { kind: LedgerKind::Pick, pool: o.pool, status: UnitStatus::Live, qty_delta: 0, allocated_delta: 0 },
        reference: Some(("ORDER".into(), o.id.to_string())),
        reason: Some(format!("{qty} picked")),
    }
}

/// The status a picklist has after a change: DONE when nothing is left to pick.
async fn settle_picklist(tx: &mut Transaction<'static, Any>, ctx: &WriteCtx, id: i64) -> Result<Picklist> {
    let picklist = load_picklist(tx, ctx.client_id, id).await?.ok_or_else(|| not_found(id))?;
    let status = if picklist.lines.iter().all(|l| l.open == 0) { PicklistStatus::Done } else { PicklistStatus::Picking };
    if status != picklist.status {
        sqlx::query("UPDATE picklists SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db)?;
    }
    Ok(Picklist { status, ..picklist })
}

impl Store {
    /// Confirms `qty` units picked of what `scan` (a SKU code or an EAN) names on the picklist: the
    /// units go to the oldest order on it that still needs that SKU (then the next). A scan that
    /// matches no open line is refused (field `scan`), more units than are open too; nothing changes.
    pub async fn scan_pick(&self, ctx: &WriteCtx, picklist_id: i64, scan: &str, qty: i64) -> Result<PickScan> {
        idempotent!(self, ctx, |w| { self.scan_pick_in_tx(&mut w.tx, ctx, picklist_id, scan, qty).await })
    }

    async fn scan_pick_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &WriteCtx,
        picklist_id: i64,
        scan: &str,
        qty: i64,
    ) -> Result<PickScan> {
        // The picklist's lines of the SKUs the scan names, oldest order first. Lines of the client
        // mean the picklist is the client's; whether it exists is asked only when none match.
        let rows = sqlx::query(
            "SELECT pl.order_id, pl.order_line_id FROM picklist_lines pl JOIN order_lines l ON l.id = pl.order_line_id \
             JOIN skus s ON s.id = l.sku_id WHERE pl.picklist_id = $1 AND pl.client_id = $2 AND (s.sku = $3 OR s.ean = $3) \
             ORDER BY l.order_created_at, l.order_id, l.line_no",
        )
        .bind(picklist_id)
        .bind(ctx.client_id)
        .bind(scan)
        .fetch_all(&mut **tx)
        .await
        .map_err(db)?;
        let lines: Vec<(i64, i64)> =
            rows.iter().map(|r| Ok((col(r, "order_id")?, col(r, "order_line_id")?))).collect::<Result<_>>()?;
        if lines.is_empty() {
            let exists = sqlx::query("SELECT id FROM picklists WHERE client_id = $1 AND id = $2")
                .bind(ctx.client_id)
                .bind(picklist_id)
                .fetch_optional(&mut **tx)
                .await
                .map_err(db)?;
            exists.ok_or_else(|| not_found(picklist_id))?;
        }
        let mut order_ids: Vec<i64> = lines.iter().map(|(o, _)| *o).collect();
        order_ids.dedup();
        let mut orders = load_orders(self, tx, ctx.client_id, &order_ids, true).await?;
        let position = |orders: &[LoadedOrder], (order, line): (i64, i64)| {
            let o = orders.iter().position(|o| o.id == order)?;
            Some((o, orders[o].lines.iter().position(|l| l.id == line)?))
        };
        let open: i64 = lines
            .iter()
            .filter_map(|l| position(&orders, *l))
            .filter(|(o, _)| orders[*o].core.status() == OrderStatus::Processing)
            .map(|(o, i)| orders[o].core.unpicked(i))
            .sum();
        if open == 0 {
            return Err(DomainError::field(
                "scan",
                format!("'{scan}' matches no line of picklist {picklist_id} that still has units to pick"),
            ));
        }
        if qty > open {
            return Err(DomainError::Conflict(format!(
                "{qty} units of '{scan}' scanned but only {open} are still to pick on picklist {picklist_id}"
            )));
        }
        let (mut left, mut assigned, mut ledger) = (qty, Vec::new(), Vec::new());
        for l in &lines {
            let Some((o, i)) = position(&orders, *l) else { continue };
            let order = &mut orders[o];
            let take = left.min(order.core.unpicked(i));
            if take == 0 || order.core.status() != OrderStatus::Processing {
                continue;
            }
            if let Some(change) = order.core.pick(i, take).map_err(|e| DomainError::Conflict(e.0))? {
                order.changes.push(change);
            }
            ledger.push(pick_entry(order, i, take));
            assigned.push(PickAssignment { order_id: order.id.to_string(), line_id: l.1.to_string(), qty: take });
            left -= take;
            if left == 0 {
                break;
            }
        }
        let first = assigned.first().cloned().ok_or_else(|| DomainError::Internal("a scan assigned no unit".into()))?;
        let (o, i) = position(&orders, (first.order_id.parse().unwrap_or(0), first.line_id.parse().unwrap_or(0)))
            .ok_or_else(|| DomainError::Internal("the picked line vanished".into()))?;
        let (sku, picked) = (orders[o].lines[i].sku.clone(), orders[o].core.lines[i].picked);
        Writes::apply(tx, |w| {
            write_stock_changes(w, ctx, &ledger);
            save_orders(w, ctx, &mut orders);
        })
        .await?;
        let picklist = settle_picklist(tx, ctx, picklist_id).await?;
        Ok(PickScan {
            order_id: first.order_id.clone(),
            line_id: first.line_id.clone(),
            sku,
            picked,
            remaining: open - qty,
            assigned,
            picklist,
        })
    }

    /// Reports units of a picklist line short (SPEC §11.2): not found → a loss (ledger SHORT_PICK),
    /// damaged → moved to QC_FAIL; their allocation is freed and the line served again at once from
    /// other stock of its pool; what can't be is cancelled (B2C) or waits (B2B).
    pub async fn short_pick(&self, ctx: &WriteCtx, short: ShortPick) -> Result<ShortOutcome> {
        idempotent!(self, ctx, |w| { self.short_pick_in_tx(&mut w.tx, ctx, &short).await })
    }

    async fn short_pick_in_tx(&self, tx: &mut Transaction<'static, Any>, ctx: &WriteCtx, s: &ShortPick) -> Result<ShortOutcome> {
        let row = sqlx::query(
            "SELECT pl.order_id FROM picklist_lines pl JOIN picklists p ON p.id = pl.picklist_id \
             WHERE p.client_id = $1 AND pl.picklist_id = $2 AND pl.order_line_id = $3",
        )
        .bind(ctx.client_id)
        .bind(s.picklist_id)
        .bind(s.line_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?
        .ok_or_else(|| DomainError::NotFound(format!("line '{}' on picklist '{}'", s.line_id, s.picklist_id)))?;
        let order_id: i64 = col(&row, "order_id")?;
        let mut orders = load_orders(self, tx, ctx.client_id, &[order_id], true).await?;
        let o = orders.first_mut().ok_or_else(|| DomainError::NotFound(format!("order '{order_id}'")))?;
        let i = o
            .lines
            .iter()
            .position(|l| l.id == s.line_id)
            .ok_or_else(|| DomainError::Internal("the picklist's line is not on its order".into()))?;
        o.core.short_pick(i, s.qty).map_err(|e| DomainError::field("qty", e.0))?;

        let key = o.key(i);
        let damaged_to = (s.reason == ShortReason::Damaged && o.pool != Pool::QcFail).then_some((key.0, key.1, Pool::QcFail));
        let keys: BTreeSet<_> = std::iter::once(key).chain(damaged_to).collect();
        let balances = lock_stock(tx, ctx, &keys).await?;
        let entry = |pool: Pool, qty_delta: i64, allocated_delta: i64| LedgerLine {
            kind: LedgerKind::ShortPick,
            pool,
            status: UnitStatus::Live,
            qty_delta,
            allocated_delta,
        };
        let reference = Some(("ORDER".to_string(), o.id.to_string()));
        let reason = Some(format!("{} {}", s.qty, s.reason));
        let mut ledger =
            vec![KeyedLine { key, line: entry(o.pool, -s.qty, -s.qty), reference: reference.clone(), reason: reason.clone() }];
        if let Some(to) = damaged_to {
            ledger.push(KeyedLine {
                key: to,
                line: entry(Pool::QcFail, s.qty, 0),
                reference: reference.clone(),
                reason: reason.clone(),
            });
        } else if s.reason == ShortReason::Damaged {
            // Damaged units of an order served from QC_FAIL stay in QC_FAIL: only their promise ends.
            ledger[0].line.qty_delta = 0;
        }
        // Served again at once from what else the pool holds free, if anything.
        let before = balances.get(&key).copied().unwrap_or_default();
        let free_after = before.available() + ledger[0].line.qty_delta - ledger[0].line.allocated_delta;
        let served_again = free_after.clamp(0, s.qty);
        if served_again > 0 {
            let mut per_line = vec![0; o.lines.len()];
            per_line[i] = served_again;
            o.core.add_allocation(&per_line);
            ledger.push(KeyedLine {
                key,
                line: LedgerLine {
                    kind: LedgerKind::Allocate,
                    pool: o.pool,
                    status: UnitStatus::Live,
                    qty_delta: 0,
                    allocated_delta: served_again,
                },
                reference: reference.clone(),
                reason: Some("served again after a short pick".into()),
            });
        }
        let unserved = s.qty - served_again;
        let (mut cancelled, mut waiting) = (0, 0);
        if unserved > 0 {
            match o.core.leave_unserved(i, unserved) {
                Unserved::Cancelled => cancelled = unserved,
                Unserved::Waiting => waiting = unserved,
            }
        }
        if cancelled > 0 && o.channel_type.accepts_seller_cancellation() {
            let dedupe = format!("short-{}-{}-{}", o.id, s.line_id, ctx.now.micros());
            let reason = format!("{} units could not be picked ({})", cancelled, s.reason);
            queue_cancellation(tx, ctx, o, &[(i, cancelled)], &reason, &dedupe).await?;
        }
        // An order whose B2B invoice the ERP issued can't ship in part (its e-invoice can't be
        // cancelled in part): the B2B order and every order it covers are cancelled whole.
        let group = if unserved > 0 { invoiced_group(tx, o.id).await? } else { Vec::new() };
        if group.is_empty() {
            let o = &mut orders[0];
            if let Some(change) = o.core.settle_picking(&format!("{} units short ({})", s.qty, s.reason)) {
                o.changes.push(change);
            }
        } else {
            let why = format!(
                "{} units of an ERP-invoiced order could not be picked ({}): the whole order is cancelled",
                unserved, s.reason
            );
            let others: Vec<i64> = group.iter().copied().filter(|g| *g != order_id).collect();
            orders.extend(load_orders(self, tx, ctx.client_id, &others, true).await?);
            for g in orders.iter_mut() {
                // Orders already gone (dispatched, cancelled) stay as they are.
                if let Ok((freed, change)) = g.core.cancel(&why) {
                    g.changes.extend(change);
                    release_stock(tx, ctx, g, &freed).await?;
                }
            }
            // The ERP is told of the whole cancellation of the order it invoiced (never of a part).
            for g in orders.iter().filter(|g| g.core.kind == ordo_domain::kinds::OrderKind::B2b) {
                let dedupe = Some(format!("outward-order-cancel-{}", g.id));
                let data = crate::postings::outward_order(g, true);
                crate::postings::queue_posting(tx, ctx, "OUTWARD_ORDER_CANCEL", Some(g.id), dedupe, data).await?;
            }
            cancelled = unserved;
            waiting = 0;
        }
        Writes::apply(tx, |w| {
            write_stock_changes(w, ctx, &ledger);
            // Damaged units now in QC_FAIL may serve orders waiting on that pool.
            if let Some(to) = damaged_to {
                enqueue_sweeps(w, ctx, &BTreeSet::from([to]));
            }
            save_orders(w, ctx, &mut orders);
            w.push(
                "UPDATE picklist_lines SET short = short + $1 WHERE picklist_id = $2 AND order_line_id = $3".into(),
                vec![unserved.into(), s.picklist_id.into(), s.line_id.into()],
            );
        })
        .await?;
        let picklist = settle_picklist(tx, ctx, s.picklist_id).await?;
        Ok(ShortOutcome { picklist, served_again, cancelled, waiting })
    }
}
