//! Stock balances, the inventory ledger, and the operations that change them.

use crate::allocation::{KeyedLine, StockKey, enqueue_sweeps, lock_stock, write_stock_changes};
use crate::db::db;
use crate::inward::receive_against_po;
use crate::master::sku_id;
use crate::rows::{FromRow, col, id_text, time, with_id, word};
use crate::sql::Writes;
use crate::tx::idempotent;
use crate::warehouses::warehouse_id;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::DomainError;
use ordo_domain::inventory::{Balance, Refusal, StockChange, frees_stock, plan};
use ordo_domain::kinds::{LedgerKind, Pool, UnitStatus};
use ordo_domain::model::{InventoryItem, LedgerEntry, StockChangeResult};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::{BTreeMap, BTreeSet};

/// A stock change of one SKU in one warehouse, as asked for.
#[derive(Debug, Clone)]
pub struct StockCommand {
    pub warehouse: String,
    pub sku: String,
    pub change: StockChange,
    pub reason: Option<String>,
    /// For a GRN: the inward PO (by number) it receives against.
    pub inward_po: Option<String>,
}

/// A balance whose stored value differs from the sum of its ledger entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerMismatch {
    pub client: String,
    pub warehouse: String,
    pub sku: String,
    pub pool: String,
    /// (live, recycle, allocated) as stored.
    pub stored: (i64, i64, i64),
    /// (live, recycle, allocated) as the ledger adds up.
    pub from_ledger: (i64, i64, i64),
}

/// Filters of inventory and ledger queries.
#[derive(Debug, Clone, Default)]
pub struct StockFilter {
    pub warehouse: Option<String>,
    pub sku: Option<String>,
}

/// Orders holding allocated units of a balance (up to ten), for refusals that name them: found
/// through the balance's latest thousand allocations in the ledger, which its SKU index reaches
/// directly (an index of holding order lines by SKU would cost every allocation a write).
async fn holders(
    tx: &mut Transaction<'static, Any>,
    client_id: i64,
    (warehouse_id, sku_id, pool): StockKey,
) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT o.id, o.channel_order_id FROM orders o WHERE o.client_id = $1 AND o.id IN ( \
           SELECT CAST(g.ref_id AS BIGINT) FROM inventory_ledger g WHERE g.client_id = $1 AND g.sku_id = $3 \
           AND g.warehouse_id = $2 AND g.pool = $4 AND g.kind = 'ALLOCATE' AND g.ref_type = 'ORDER' ORDER BY g.id DESC LIMIT 1000) \
         AND EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND l.warehouse_id = $2 AND l.sku_id = $3 \
           AND l.pool = $4 AND l.allocated > l.dispatched) \
         ORDER BY o.id LIMIT 10",
    )
    .bind(client_id)
    .bind(warehouse_id)
    .bind(sku_id)
    .bind(pool.as_str())
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    rows.iter().map(|r| Ok(format!("{} ({})", col::<i64>(r, "id")?, col::<&str>(r, "channel_order_id")?))).collect()
}

fn item(warehouse: &str, sku: &str, pool: Pool, b: Balance) -> InventoryItem {
    InventoryItem {
        warehouse: warehouse.into(),
        sku: sku.into(),
        pool,
        on_hand: b.live,
        recycle: b.recycle,
        allocated: b.allocated,
        available: b.available(),
    }
}

impl Store {
    /// Applies a GRN, move, LIVE/RECYCLE change or adjustment, with its ledger entries, in one
    /// transaction. A change the balances can't bear is refused whole.
    pub async fn change_stock(&self, ctx: &WriteCtx, cmd: StockCommand) -> Result<StockChangeResult> {
        idempotent!(self, ctx, |w| {
            let wh = warehouse_id(&mut w.tx, ctx.client_id, &cmd.warehouse, "warehouse").await?;
            let sku = sku_id(&mut w.tx, ctx.client_id, &cmd.sku, "sku").await?;
            let keys: BTreeSet<StockKey> = cmd.change.pools().into_iter().map(|p| (wh, sku, p)).collect();
            let locked = lock_stock(&mut w.tx, ctx, &keys).await?;
            let balances: BTreeMap<Pool, Balance> = locked.into_iter().map(|((_, _, p), b)| (p, b)).collect();
            let planned = plan(cmd.change, |p| balances.get(&p).copied().unwrap_or_default());
            let lines = match planned {
                Ok(lines) => lines,
                Err(Refusal::Invalid { field, message }) => return Err(DomainError::field(field, message)),
                Err(refusal @ Refusal::NotEnoughFree { pool, allocated, .. }) => {
                    let names =
                        if allocated > 0 { holders(&mut w.tx, ctx.client_id, (wh, sku, pool)).await? } else { Vec::new() };
                    return Err(DomainError::Conflict(refusal.message(&names)));
                }
            };
            let inward_po = match (&cmd.inward_po, cmd.change) {
                (Some(po), StockChange::Grn { qty, .. }) => {
                    Some(receive_against_po(&mut w.tx, ctx, po, wh, sku, &cmd.sku, qty).await?)
                }
                _ => None,
            };
            let reference = cmd.inward_po.as_ref().map(|po| ("INWARD_PO".to_string(), po.clone()));
            let keyed: Vec<KeyedLine> = lines
                .iter()
                .map(|l| KeyedLine { key: (wh, sku, l.pool), line: *l, reference: reference.clone(), reason: cmd.reason.clone() })
                .collect();
            Writes::apply(&mut w.tx, |writes| {
                write_stock_changes(writes, ctx, &keyed);
                if frees_stock(&cmd.change) {
                    let freed: BTreeSet<StockKey> = lines
                        .iter()
                        .filter(|l| l.status == UnitStatus::Live && l.qty_delta > 0)
                        .map(|l| (wh, sku, l.pool))
                        .collect();
                    enqueue_sweeps(writes, ctx, &freed);
                }
            })
            .await?;
            if let StockChange::Grn { pool, qty } = cmd.change {
                let (pass, fail) = if pool == Pool::QcPass { (qty, 0) } else { (0, qty) };
                let data = serde_json::json!({"warehouse": cmd.warehouse, "inward_po": cmd.inward_po,
                    "items": [{"sku": cmd.sku, "qc_pass_qty": pass, "qc_fail_qty": fail}]});
                crate::postings::queue_posting(&mut w.tx, ctx, "GRN", None, None, data).await?;
            }
            let mut after = balances;
            for l in &lines {
                let b = after.entry(l.pool).or_default();
                *b = b.apply(l);
            }
            let items = after.into_iter().map(|(pool, b)| item(&cmd.warehouse, &cmd.sku, pool, b)).collect();
            Ok::<_, DomainError>(StockChangeResult { items, inward_po })
        })
    }

    /// Balances per warehouse, SKU and pool, ordered by warehouse, SKU and pool. The cursor counts
    /// rows already seen.
    pub async fn inventory(&self, client_id: i64, filter: &StockFilter, page: PageRequest) -> Result<Page<InventoryItem>> {
        let offset = page.after.unwrap_or(0).max(0);
        let rows = sqlx::query(
            "SELECT w.code AS warehouse, s.sku, st.pool, st.live, st.recycle, st.allocated FROM stock st \
             JOIN warehouses w ON w.id = st.warehouse_id JOIN skus s ON s.id = st.sku_id \
             WHERE st.client_id = $1 AND ($2 IS NULL OR w.code = $2) AND ($3 IS NULL OR s.sku = $3) \
             ORDER BY w.code, s.sku, st.pool LIMIT $4 OFFSET $5",
        )
        .bind(client_id)
        .bind(&filter.warehouse)
        .bind(&filter.sku)
        .bind(page.limit + 1)
        .bind(offset)
        .fetch_all(&self.read)
        .await
        .map_err(db)?;
        let mut items = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let b = Balance::from_row(r)?;
            let record = item(col(r, "warehouse")?, col(r, "sku")?, word(r, "pool", Pool::parse)?, b);
            items.push((offset + i as i64 + 1, record));
        }
        Ok(Page::from_rows(items, page.limit))
    }

    /// Ledger entries, newest first. The cursor is the id of the last entry seen.
    pub async fn ledger(&self, client_id: i64, filter: &StockFilter, page: PageRequest) -> Result<Page<LedgerEntry>> {
        // A filter by SKU reads the ledger's SKU index; without one, the client's entries newest first.
        let by_sku = if filter.sku.is_some() {
            "l.sku_id = (SELECT id FROM skus WHERE client_id = $1 AND sku = $3)"
        } else {
            "$3 IS NULL"
        };
        let sql = format!(
            "SELECT l.id, l.at, w.code AS warehouse, s.sku, l.pool, l.unit_status, l.kind, l.qty_delta, l.allocated_delta, l.ref_type, l.ref_id, \
             l.actor, l.reason FROM inventory_ledger l JOIN warehouses w ON w.id = l.warehouse_id JOIN skus s ON s.id = l.sku_id \
             WHERE l.client_id = $1 AND ($2 IS NULL OR w.code = $2) AND {by_sku} AND l.id < $4 \
             ORDER BY l.id DESC LIMIT $5"
        );
        let rows = sqlx::query(&sql)
            .bind(client_id)
            .bind(&filter.warehouse)
            .bind(&filter.sku)
            .bind(page.after.unwrap_or(i64::MAX))
            .bind(page.limit + 1)
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        let entries = rows.iter().map(with_id).collect::<Result<_>>()?;
        Ok(Page::from_rows(entries, page.limit))
    }

    /// Rebuilds every balance from the ledger and lists those that differ from the stored ones.
    /// An empty list means the books agree.
    pub async fn check_ledger(&self) -> Result<Vec<LedgerMismatch>> {
        let from_ledger = sqlx::query(
            "SELECT client_id, warehouse_id, sku_id, pool, \
             CAST(SUM(CASE WHEN unit_status = 'LIVE' THEN qty_delta ELSE 0 END) AS BIGINT) AS live, \
             CAST(SUM(CASE WHEN unit_status = 'RECYCLE' THEN qty_delta ELSE 0 END) AS BIGINT) AS recycle, \
             CAST(SUM(allocated_delta) AS BIGINT) AS allocated FROM inventory_ledger GROUP BY client_id, warehouse_id, sku_id, pool",
        )
        .fetch_all(&self.read)
        .await
        .map_err(db)?;
        let stored = sqlx::query("SELECT client_id, warehouse_id, sku_id, pool, live, recycle, allocated FROM stock")
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        type Key = (i64, i64, i64, String);
        // Both queries name their columns alike: the balance's key, then live, recycle, allocated.
        let read = |rows: &[AnyRow]| -> Result<BTreeMap<Key, (i64, i64, i64)>> {
            rows.iter()
                .map(|r| {
                    let key = (col(r, "client_id")?, col(r, "warehouse_id")?, col(r, "sku_id")?, col(r, "pool")?);
                    let b = Balance::from_row(r)?;
                    Ok((key, (b.live, b.recycle, b.allocated)))
                })
                .collect()
        };
        let (ledger, stored) = (read(&from_ledger)?, read(&stored)?);
        let mut keys: Vec<&Key> = ledger.keys().chain(stored.keys()).collect();
        keys.sort();
        keys.dedup();
        let mut mismatches = Vec::new();
        for key in keys {
            let l = ledger.get(key).copied().unwrap_or_default();
            let s = stored.get(key).copied().unwrap_or_default();
            if l != s {
                let names = sqlx::query(
                    "SELECT c.code AS client, w.code AS warehouse, s.sku FROM clients c, warehouses w, skus s WHERE c.id = $1 AND w.id = $2 AND s.id = $3",
                )
                .bind(key.0)
                .bind(key.1)
                .bind(key.2)
                .fetch_optional(&self.read)
                .await
                .map_err(db)?;
                let (client, warehouse, sku) = match names {
                    Some(r) => (col(&r, "client")?, col(&r, "warehouse")?, col(&r, "sku")?),
                    None => (key.0.to_string(), key.1.to_string(), key.2.to_string()),
                };
                mismatches.push(LedgerMismatch { client, warehouse, sku, pool: key.3.clone(), stored: s, from_ledger: l });
            }
        }
        Ok(mismatches)
    }
}

/// Reads an entry selected with the names of its fields (`w.code AS warehouse`).
impl FromRow for LedgerEntry {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(LedgerEntry {
            id: id_text(r, "id")?,
            at: time(r, "at")?,
            warehouse: col(r, "warehouse")?,
            sku: col(r, "sku")?,
            pool: word(r, "pool", Pool::parse)?,
            unit_status: word(r, "unit_status", UnitStatus::parse)?,
            kind: word(r, "kind", LedgerKind::parse)?,
            qty_delta: col(r, "qty_delta")?,
            allocated_delta: col(r, "allocated_delta")?,
            ref_type: col(r, "ref_type")?,
            ref_id: col(r, "ref_id")?,
            actor: col(r, "actor")?,
            reason: col(r, "reason")?,
        })
    }
}

/// Reads the `live`, `recycle` and `allocated` columns of a stock row (or of sums named so).
impl FromRow for Balance {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Balance { live: col(r, "live")?, recycle: col(r, "recycle")?, allocated: col(r, "allocated")? })
    }
}

/// A balance whose `allocated` differs from what its order lines hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationMismatch {
    pub client_id: i64,
    pub warehouse_id: i64,
    pub sku_id: i64,
    pub pool: String,
    pub stock_allocated: i64,
    pub lines_hold: i64,
}

impl FromRow for AllocationMismatch {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(AllocationMismatch {
            client_id: col(r, "client_id")?,
            warehouse_id: col(r, "warehouse_id")?,
            sku_id: col(r, "sku_id")?,
            pool: col(r, "pool")?,
            stock_allocated: col(r, "stock_allocated")?,
            lines_hold: col(r, "lines_hold")?,
        })
    }
}

impl Store {
    /// Compares every balance's `allocated` with the units its order lines hold; an empty list
    /// means every promised unit belongs to exactly one order line.
    pub async fn check_allocations(&self) -> Result<Vec<AllocationMismatch>> {
        // One pass over the order lines, grouped by balance.
        let rows = sqlx::query(
            "SELECT st.client_id, st.warehouse_id, st.sku_id, st.pool, st.allocated AS stock_allocated, \
             CAST(COALESCE(h.held, 0) AS BIGINT) AS lines_hold \
             FROM stock st LEFT JOIN (SELECT client_id, warehouse_id, sku_id, pool, SUM(allocated - dispatched) AS held \
               FROM order_lines GROUP BY client_id, warehouse_id, sku_id, pool) h ON h.client_id = st.client_id \
               AND h.warehouse_id = st.warehouse_id AND h.sku_id = st.sku_id AND h.pool = st.pool",
        )
        .fetch_all(&self.read)
        .await
        .map_err(db)?;
        let all = rows.iter().map(AllocationMismatch::from_row).collect::<Result<Vec<_>>>()?;
        Ok(all.into_iter().filter(|m| m.stock_allocated != m.lines_hold).collect())
    }
}
