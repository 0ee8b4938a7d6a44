//! The allocation engine: loads orders, locks the stock they draw from in one global order, lets the
//! domain decide who gets what, and writes stock, ledger, lines, statuses and timelines together.

use crate::db::db;
use crate::rows::{FromRow, col, flag, opt_json, opt_time, time, word};
use crate::sql::{Val, Writes, in_list, insert_rows, positional};
use crate::{Result, Store, WriteCtx};
use ordo_domain::Timestamp;
use ordo_domain::inventory::{Balance, LedgerLine};
use ordo_domain::kinds::{ChannelType, FulfillmentType, LedgerKind, OrderKind, OrderStatus, Pool, UnitStatus};
use ordo_domain::marketplace::MarketplaceHeader;
use ordo_domain::model::{Order, OrderLine};
use ordo_domain::money::format_hundredths;
use ordo_domain::orders::{Holds, LineQty, OrderCore, StatusChange};
use ordo_domain::shipping::OrderParties;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A stock balance: (warehouse id, SKU id, pool). Sorting keys gives the global lock order.
pub(crate) type StockKey = (i64, i64, Pool);

/// Sorts keys the way the database orders them (`ORDER BY warehouse_id, sku_id, pool`): the pool
/// by its word, so Rust and SQL agree on the lock order.
fn lock_order(keys: &BTreeSet<StockKey>) -> Vec<StockKey> {
    let mut v: Vec<StockKey> = keys.iter().copied().collect();
    v.sort_by(|a, b| (a.0, a.1, a.2.as_str()).cmp(&(b.0, b.1, b.2.as_str())));
    v
}

/// Locks (creating empty ones where needed) and reads the stock rows of `keys`, always in
/// (warehouse, SKU, pool) order so concurrent transactions can't deadlock on them.
pub(crate) async fn lock_stock(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    keys: &BTreeSet<StockKey>,
) -> Result<BTreeMap<StockKey, Balance>> {
    let ordered = lock_order(keys);
    let mut balances = BTreeMap::new();
    if ordered.is_empty() {
        return Ok(balances);
    }
    let rows: Vec<Vec<Val>> = ordered
        .iter()
        .map(|(w, s, p)| vec![ctx.client_id.into(), (*w).into(), (*s).into(), p.as_str().into(), ctx.now.micros().into()])
        .collect();
    let columns = ["client_id", "warehouse_id", "sku_id", "pool", "updated_at"];
    // One statement: the upsert makes missing rows and answers every balance. On PostgreSQL it
    // locks each row, existing or new, in the order of the VALUES list (the lock order); SQLite's
    // write transaction holds the whole database. The update changes nothing.
    let returned = insert_rows(
        tx,
        "stock",
        &columns,
        &rows,
        "ON CONFLICT (client_id, warehouse_id, sku_id, pool) DO UPDATE SET updated_at = stock.updated_at \
         RETURNING warehouse_id, sku_id, pool, live, recycle, allocated",
    )
    .await?;
    for r in &returned {
        let key = (col(r, "warehouse_id")?, col(r, "sku_id")?, word(r, "pool", Pool::parse)?);
        balances.insert(key, Balance::from_row(r)?);
    }
    Ok(balances)
}

/// One ledger row to write, with the balance it belongs to.
pub(crate) struct KeyedLine {
    pub key: StockKey,
    pub line: LedgerLine,
    pub reference: Option<(String, String)>,
    pub reason: Option<String>,
}

/// Applies ledger lines to their (locked) stock rows and appends them to the ledger.
pub(crate) fn write_stock_changes(w: &mut Writes, ctx: &WriteCtx, lines: &[KeyedLine]) {
    let mut per_key: BTreeMap<StockKey, Balance> = BTreeMap::new();
    for k in lines {
        let d = per_key.entry(k.key).or_default();
        *d = d.apply(&k.line);
    }
    // A pick moves no quantity: its ledger entry is written, its balance row left alone (an update
    // would lock the row that every station picking the SKU shares).
    per_key.retain(|_, d| *d != Balance::default());
    // One statement for all balances; their rows are locked already (`lock_stock`).
    if !per_key.is_empty() {
        let n = per_key.len();
        let values: Vec<String> = (0..n)
            .map(|i| format!("(${}, ${}, ${}, ${}, ${}, ${})", i * 6 + 1, i * 6 + 2, i * 6 + 3, i * 6 + 4, i * 6 + 5, i * 6 + 6))
            .collect();
        let sql = format!(
            "WITH v(w, s, p, dl, dr, da) AS (VALUES {}) UPDATE stock SET live = live + v.dl, recycle = recycle + v.dr, \
             allocated = allocated + v.da, updated_at = ${} FROM v WHERE stock.client_id = ${} AND stock.warehouse_id = v.w \
             AND stock.sku_id = v.s AND stock.pool = v.p",
            values.join(", "),
            n * 6 + 1,
            n * 6 + 2
        );
        let mut args: Vec<Val> = Vec::with_capacity(n * 6 + 2);
        for ((wh, sku, pool), d) in &per_key {
            args.extend([(*wh).into(), (*sku).into(), pool.as_str().into(), d.live.into(), d.recycle.into(), d.allocated.into()]);
        }
        args.extend([ctx.now.micros().into(), ctx.client_id.into()]);
        w.push(sql, args);
    }
    let rows: Vec<Vec<Val>> = lines
        .iter()
        .map(|k| {
            let (rt, ri) = match &k.reference {
                Some((t, i)) => (Some(t.clone()), Some(i.clone())),
                None => (None, None),
            };
            vec![
                ctx.client_id.into(),
                k.key.0.into(),
                k.key.1.into(),
                k.line.pool.as_str().into(),
                k.line.status.as_str().into(),
                k.line.kind.as_str().into(),
                k.line.qty_delta.into(),
                k.line.allocated_delta.into(),
                rt.into(),
                ri.into(),
                ctx.actor.clone().into(),
                k.reason.clone().into(),
                ctx.now.micros().into(),
            ]
        })
        .collect();
    w.insert(
        "inventory_ledger",
        &[
            "client_id",
            "warehouse_id",
            "sku_id",
            "pool",
            "unit_status",
            "kind",
            "qty_delta",
            "allocated_delta",
            "ref_type",
            "ref_id",
            "actor",
            "reason",
            "at",
        ],
        rows,
        "",
    );
}

/// Marks balances whose stock became allocatable, so the sweep retries the orders waiting on them.
pub(crate) fn enqueue_sweeps(w: &mut Writes, ctx: &WriteCtx, keys: &BTreeSet<StockKey>) {
    let rows: Vec<Vec<Val>> = lock_order(keys)
        .iter()
        .map(|(w, s, p)| vec![ctx.client_id.into(), (*w).into(), (*s).into(), p.as_str().into(), ctx.now.micros().into()])
        .collect();
    w.insert(
        "allocation_queue",
        &["client_id", "warehouse_id", "sku_id", "pool", "queued_at"],
        rows,
        "ON CONFLICT (client_id, warehouse_id, sku_id, pool) DO UPDATE SET generation = allocation_queue.generation + 1",
    );
}

/// One order line as loaded for a write.
#[derive(Debug, Clone)]
pub(crate) struct LoadedLine {
    pub id: i64,
    pub sku_id: i64,
    pub sku: String,
    pub channel_sku: Option<String>,
    pub channel_line_id: Option<String>,
    pub unit_price: Option<i64>,
    /// Units received back through returns.
    pub returned: i64,
}

/// An order as loaded for a write: its rule-bearing core plus what the API shows.
#[derive(Debug, Clone)]
pub(crate) struct LoadedOrder {
    pub id: i64,
    pub channel_id: i64,
    pub channel: String,
    pub channel_type: ChannelType,
    pub warehouse_id: i64,
    pub warehouse: String,
    pub pool: Pool,
    pub channel_order_id: String,
    /// What only the marketplace changes: parent order id, start processing time, its status words.
    pub header: MarketplaceHeader,
    pub replacement_of: Option<String>,
    pub priority: i64,
    /// Buyer, ship-to and payment.
    pub parties: OrderParties,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub core: OrderCore,
    pub lines: Vec<LoadedLine>,
    /// Status changes made in this transaction, for the timeline.
    pub changes: Vec<StatusChange>,
}

impl LoadedOrder {
    /// The stock balance line `i` draws from.
    pub fn key(&self, i: usize) -> StockKey {
        (self.warehouse_id, self.lines[i].sku_id, self.pool)
    }

    /// Re-derives the status from the lines and holds at `now`, recording any change.
    pub fn settle(&mut self, now: Timestamp, reason: &str) {
        if let Some(c) = self.core.settle(now, reason) {
            self.changes.push(c);
        }
    }

    /// The order as the API shows it.
    pub fn to_api(&self, client: &str, now: Timestamp) -> Order {
        Order {
            id: self.id.to_string(),
            client: client.to_string(),
            channel: self.channel.clone(),
            kind: self.core.kind,
            channel_order_id: self.channel_order_id.clone(),
            parent_order_id: self.header.parent_order_id.clone(),
            status: self.core.status(),
            fulfillment_type: self.core.fulfillment_type,
            pool: self.pool,
            warehouse: self.warehouse.clone(),
            dispatch_after: self.core.holds.dispatch_after,
            start_processing_at: self.header.start_processing_at,
            hold_reason: self.core.hold_reason(now),
            replacement_of: self.replacement_of.clone(),
            priority: self.priority,
            marketplace_status: self.header.marketplace_status.clone(),
            buyer: self.parties.buyer.clone(),
            ship_to: self.parties.ship_to.clone(),
            payment: self.parties.payment.clone().unwrap_or_default(),
            lines: self
                .lines
                .iter()
                .zip(&self.core.lines)
                .map(|(l, q)| OrderLine {
                    line_id: l.id.to_string(),
                    sku: l.sku.clone(),
                    channel_sku: l.channel_sku.clone(),
                    channel_line_id: l.channel_line_id.clone(),
                    qty: q.qty,
                    allocated: q.allocated,
                    picked: q.picked,
                    packed: q.packed,
                    dispatched: q.dispatched,
                    cancelled: q.cancelled,
                    returned: l.returned,
                    unit_price: l.unit_price.map(format_hundredths),
                })
                .collect(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// What [`LoadedOrder`] reads: the order (`o`), its channel (`c`) and its warehouse (`w`).
const ORDER_COLUMNS: &str = "o.id, o.channel_id, c.code AS channel, c.type AS channel_type, o.warehouse_id, w.code AS warehouse, o.kind, o.channel_order_id, o.parent_order_id, \
     o.status, o.fulfillment_type, o.pool, o.dispatch_after, o.start_processing_at, o.replacement_of, o.awaiting_return_pickup, \
     o.marketplace_hold, o.marketplace_status, o.allocation_started, o.closing, o.priority, o.buyer, o.ship_to, o.payment, \
     o.created_at, o.updated_at";

/// Reads an order selected with [`ORDER_COLUMNS`], without its lines.
impl FromRow for LoadedOrder {
    fn from_row(r: &AnyRow) -> Result<Self> {
        let holds = Holds {
            dispatch_after: opt_time(r, "dispatch_after")?,
            awaiting_return_pickup: flag(r, "awaiting_return_pickup")?,
            marketplace_hold: flag(r, "marketplace_hold")?,
        };
        let core = OrderCore::restore(
            word(r, "kind", OrderKind::parse)?,
            word(r, "status", OrderStatus::parse)?,
            word(r, "fulfillment_type", FulfillmentType::parse)?,
            holds,
            flag(r, "allocation_started")?,
            flag(r, "closing")?,
            Vec::new(),
        );
        Ok(LoadedOrder {
            id: col(r, "id")?,
            channel_id: col(r, "channel_id")?,
            channel: col(r, "channel")?,
            channel_type: word(r, "channel_type", ChannelType::parse)?,
            warehouse_id: col(r, "warehouse_id")?,
            warehouse: col(r, "warehouse")?,
            pool: word(r, "pool", Pool::parse)?,
            channel_order_id: col(r, "channel_order_id")?,
            header: MarketplaceHeader {
                parent_order_id: col(r, "parent_order_id")?,
                start_processing_at: opt_time(r, "start_processing_at")?,
                marketplace_status: col(r, "marketplace_status")?,
            },
            replacement_of: col(r, "replacement_of")?,
            priority: col(r, "priority")?,
            parties: OrderParties {
                buyer: opt_json(r, "buyer")?,
                ship_to: opt_json(r, "ship_to")?,
                payment: opt_json(r, "payment")?,
            },
            created_at: time(r, "created_at")?,
            updated_at: time(r, "updated_at")?,
            core,
            lines: Vec::new(),
            changes: Vec::new(),
        })
    }
}

/// What [`LoadedLine`] and [`line_qty_from_row`] read of a line (`l`) and its SKU (`s`).
const LINE_COLUMNS: &str = "l.order_id, l.id, l.sku_id, s.sku, l.channel_sku, l.channel_line_id, l.unit_price, l.qty, \
     l.allocated, l.picked, l.packed, l.dispatched, l.cancelled, l.returned";

/// Reads the line's identity selected with [`LINE_COLUMNS`].
impl FromRow for LoadedLine {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(LoadedLine {
            id: col(r, "id")?,
            sku_id: col(r, "sku_id")?,
            sku: col(r, "sku")?,
            channel_sku: col(r, "channel_sku")?,
            channel_line_id: col(r, "channel_line_id")?,
            unit_price: col(r, "unit_price")?,
            returned: col(r, "returned")?,
        })
    }
}

/// Reads the line's quantities selected with [`LINE_COLUMNS`].
fn line_qty_from_row(r: &AnyRow) -> Result<LineQty> {
    Ok(LineQty {
        qty: col(r, "qty")?,
        allocated: col(r, "allocated")?,
        picked: col(r, "picked")?,
        packed: col(r, "packed")?,
        dispatched: col(r, "dispatched")?,
        cancelled: col(r, "cancelled")?,
    })
}

/// Loads orders (with their lines) by id, in the order of `ids`; missing ids are skipped. With
/// `lock`, the order rows are locked (in id order) on PostgreSQL.
pub(crate) async fn load_orders(
    store: &Store,
    conn: &mut sqlx::AnyConnection,
    client_id: i64,
    ids: &[i64],
    lock: bool,
) -> Result<Vec<LoadedOrder>> {
    let mut by_id: HashMap<i64, LoadedOrder> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let lock_clause = if lock && store.dialect == crate::Dialect::Postgres { " FOR UPDATE OF o" } else { "" };
        // By primary key; `+o.client_id` only checks the client, so no plan walks the client's
        // orders instead (SQLite without statistics takes `client_id = ?` for selective).
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders o JOIN channels c ON c.id = o.channel_id JOIN warehouses w ON w.id = o.warehouse_id \
             WHERE +o.client_id = $1 AND o.id IN ({}) ORDER BY o.id{lock_clause}",
            in_list(2, chunk.len())
        );
        let sql = positional(conn, sql);
        let mut q = sqlx::query(&sql).bind(client_id);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await.map_err(db)? {
            let o = LoadedOrder::from_row(&r)?;
            by_id.insert(o.id, o);
        }
        let sql = format!(
            "SELECT {LINE_COLUMNS} FROM order_lines l JOIN skus s ON s.id = l.sku_id WHERE l.order_id IN ({}) \
             ORDER BY l.order_id, l.line_no",
            in_list(1, chunk.len())
        );
        let sql = positional(conn, sql);
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await.map_err(db)? {
            let Some(o) = by_id.get_mut(&col(&r, "order_id")?) else { continue };
            o.lines.push(LoadedLine::from_row(&r)?);
            o.core.lines.push(line_qty_from_row(&r)?);
        }
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// Units allocated to line `line` of `orders[order]` (an index into the slice given to
/// [`allocate_in_memory`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Taken {
    pub order: usize,
    pub line: usize,
    pub qty: i64,
}

/// Locks the stock the orders wait for and allocates what it allows to the orders that take stock,
/// in the given order (the caller sorts by age), then settles every order's status. Writes nothing
/// but the locks: the caller writes the stock changes ([`allocation_ledger`]) and the orders.
pub(crate) async fn allocate_in_memory(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    orders: &mut [LoadedOrder],
    reason: &str,
) -> Result<Vec<Taken>> {
    let mut keys = BTreeSet::new();
    for o in orders.iter() {
        for i in 0..o.lines.len() {
            if o.core.waiting(i) > 0 {
                keys.insert(o.key(i));
            }
        }
    }
    let balances = lock_stock(tx, ctx, &keys).await?;
    let key_list: Vec<StockKey> = balances.keys().copied().collect();
    let index: HashMap<StockKey, usize> = key_list.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut available: Vec<i64> = key_list.iter().map(|k| balances[k].available()).collect();
    let mut out = Vec::new();
    for (n, o) in orders.iter_mut().enumerate() {
        if !o.core.takes_stock() {
            continue;
        }
        let waiting: Vec<usize> = (0..o.lines.len()).filter(|&i| o.core.waiting(i) > 0).collect();
        if waiting.is_empty() {
            continue;
        }
        let shorts: Vec<(usize, i64)> = waiting.iter().map(|&i| (index[&o.key(i)], o.core.waiting(i))).collect();
        let taken = ordo_domain::orders::allocate(o.core.fulfillment_type, &shorts, &mut available);
        let mut per_line = vec![0; o.lines.len()];
        for (&i, &t) in waiting.iter().zip(&taken) {
            per_line[i] = t;
            if t > 0 {
                out.push(Taken { order: n, line: i, qty: t });
            }
        }
        o.core.add_allocation(&per_line);
    }
    for o in orders.iter_mut() {
        o.settle(ctx.now, reason);
    }
    Ok(out)
}

/// The ledger rows of allocations made by [`allocate_in_memory`] (the orders must have their ids).
pub(crate) fn allocation_ledger(orders: &[LoadedOrder], taken: &[Taken]) -> Vec<KeyedLine> {
    taken
        .iter()
        .map(|t| {
            let o = &orders[t.order];
            KeyedLine {
                key: o.key(t.line),
                line: LedgerLine {
                    kind: LedgerKind::Allocate,
                    pool: o.pool,
                    status: UnitStatus::Live,
                    qty_delta: 0,
                    allocated_delta: t.qty,
                },
                reference: Some(("ORDER".into(), o.id.to_string())),
                reason: None,
            }
        })
        .collect()
}

/// Allocates what stock allows to the orders that take stock, in the given order (the caller sorts
/// by age), settles every order's status and writes everything.
pub(crate) async fn allocate_and_save(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    orders: &mut [LoadedOrder],
    reason: &str,
) -> Result<()> {
    let taken = allocate_in_memory(tx, ctx, orders, reason).await?;
    let mut w = Writes::default();
    write_stock_changes(&mut w, ctx, &allocation_ledger(orders, &taken));
    save_orders(&mut w, ctx, orders);
    // Units that reach an order already being picked (a B2B order that waited after a short pick)
    // are picked from its picklist, which is open again.
    let picking: BTreeSet<i64> =
        taken.iter().filter(|t| orders[t.order].core.status() == OrderStatus::Processing).map(|t| orders[t.order].id).collect();
    if !picking.is_empty() {
        let ids: Vec<Val> = picking.iter().map(|id| (*id).into()).collect();
        w.push(
            format!(
                "UPDATE picklists SET status = 'PICKING' WHERE status = 'DONE' AND id IN \
                 (SELECT picklist_id FROM picklist_lines WHERE order_id IN ({}))",
                in_list(1, ids.len())
            ),
            ids,
        );
    }
    w.flush(tx).await
}

/// Frees `freed[i]` units of each line of `order` (cancel, complete) and queues the balances for
/// the allocation sweep, since freed stock may serve waiting orders.
pub(crate) async fn release_stock(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    order: &LoadedOrder,
    freed: &[i64],
) -> Result<()> {
    let keys: BTreeSet<StockKey> = (0..order.lines.len()).filter(|&i| freed[i] > 0).map(|i| order.key(i)).collect();
    if keys.is_empty() {
        return Ok(());
    }
    lock_stock(tx, ctx, &keys).await?;
    let lines: Vec<KeyedLine> = (0..order.lines.len())
        .filter(|&i| freed[i] > 0)
        .map(|i| KeyedLine {
            key: order.key(i),
            line: LedgerLine {
                kind: LedgerKind::Deallocate,
                pool: order.pool,
                status: UnitStatus::Live,
                qty_delta: 0,
                allocated_delta: -freed[i],
            },
            reference: Some(("ORDER".into(), order.id.to_string())),
            reason: None,
        })
        .collect();
    let mut w = Writes::default();
    write_stock_changes(&mut w, ctx, &lines);
    enqueue_sweeps(&mut w, ctx, &keys);
    w.flush(tx).await
}

/// When the hold-release worker must look at an order again: its dispatch-after time, while it is
/// ONHOLD and that time is still ahead.
pub(crate) fn release_at(o: &LoadedOrder, now: Timestamp) -> Option<i64> {
    if o.core.status() == OrderStatus::OnHold {
        o.core.holds.dispatch_after.filter(|t| *t > now).map(|t| t.micros())
    } else {
        None
    }
}

/// Writes the orders' statuses, flags and line quantities, and their new timeline entries.
pub(crate) fn save_orders(w: &mut Writes, ctx: &WriteCtx, orders: &mut [LoadedOrder]) {
    let rows: Vec<Vec<Val>> = orders
        .iter()
        .map(|o| {
            vec![
                o.id.into(),
                o.core.status().as_str().into(),
                i64::from(o.core.allocation_started).into(),
                i64::from(o.core.closing).into(),
                i64::from(o.core.holds.awaiting_return_pickup).into(),
                i64::from(o.core.holds.marketplace_hold).into(),
                o.core.holds.dispatch_after.map(|t| t.micros()).into(),
                release_at(o, ctx.now).into(),
                ctx.now.micros().into(),
            ]
        })
        .collect();
    w.update_by_id(
        "orders",
        &[
            "status",
            "allocation_started",
            "closing",
            "awaiting_return_pickup",
            "marketplace_hold",
            "dispatch_after",
            "release_at",
            "updated_at",
        ],
        rows,
    );
    let mut line_rows = Vec::new();
    for o in orders.iter() {
        for (i, (l, q)) in o.lines.iter().zip(&o.core.lines).enumerate() {
            line_rows.push(vec![
                l.id.into(),
                q.allocated.into(),
                q.cancelled.into(),
                o.core.waiting(i).into(),
                q.picked.into(),
                q.packed.into(),
                q.dispatched.into(),
            ]);
        }
    }
    // Every quantity in one statement: the row's CHECK (dispatched ≤ packed ≤ picked ≤ allocated)
    // holds of the line as a whole, not of a half-written one.
    w.update_by_id("order_lines", &["allocated", "cancelled", "waiting", "picked", "packed", "dispatched"], line_rows);
    // An order cancelled before the handover takes its shipment with it: off any open manifest,
    // its units back to stock (SPEC §11.5; the stock itself was freed with the order).
    let cancelled: Vec<Val> =
        orders.iter().filter(|o| o.changes.iter().any(|c| c.to == OrderStatus::Cancelled)).map(|o| o.id.into()).collect();
    if !cancelled.is_empty() {
        let n = cancelled.len();
        let mut args = vec![ctx.now.micros().into(), ctx.client_id.into()];
        args.extend(cancelled);
        w.push(
            format!(
                "UPDATE shipments SET status = 'CANCELLED', manifest_id = NULL, updated_at = $1 WHERE client_id = $2 \
                 AND status IN ('PACKED', 'MANIFESTED') AND order_id IN ({})",
                in_list(3, n)
            ),
            args,
        );
    }
    let mut events = Vec::new();
    for o in orders.iter_mut() {
        o.updated_at = ctx.now;
        for c in o.changes.drain(..) {
            events.push(event_row(ctx, o.id, Some(c.from), c.to, &c.reason));
        }
    }
    insert_events(w, events);
}

/// A timeline row: (client, order, at, from, to, actor, reason).
pub(crate) fn event_row(ctx: &WriteCtx, order_id: i64, from: Option<OrderStatus>, to: OrderStatus, reason: &str) -> Vec<Val> {
    vec![
        ctx.client_id.into(),
        order_id.into(),
        ctx.now.micros().into(),
        from.map(|s| s.as_str().to_string()).into(),
        to.as_str().into(),
        ctx.actor.clone().into(),
        reason.to_string().into(),
    ]
}

/// Appends timeline rows made by [`event_row`].
pub(crate) fn insert_events(w: &mut Writes, rows: Vec<Vec<Val>>) {
    w.insert("order_events", &["client_id", "order_id", "at", "status_from", "status_to", "actor", "reason"], rows, "");
}
