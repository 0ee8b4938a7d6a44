//! Orders: ingest (idempotent on the marketplace's id), failed orders, retry, cancel, complete,
//! channel events, search and the timeline.

use crate::allocation::{
    LoadedLine, LoadedOrder, allocate_and_save, allocate_in_memory, allocation_ledger, event_row, insert_events, load_orders,
    release_at, release_stock, save_orders, write_stock_changes,
};
use crate::db::db;
use crate::master::sku_ids;
use crate::rows::{FromRow, col, id_text, json, opt_word, time, with_id, word};
use crate::sql::{Val, Writes, bind_one, in_list, insert_rows, positional, rows_in};
use crate::tx::idempotent;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::inventory::Balance;
use ordo_domain::kinds::{ChannelEventType, ChannelType, FulfillmentType, OrderKind, OrderStatus, Pool};
use ordo_domain::model::{FailedOrder, Order, OrderEvent};
use ordo_domain::orders::{Holds, LineQty, OrderCore};
use ordo_domain::{DomainError, FieldError, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

/// What a line names: the client's SKU, or the marketplace's (mapped through SKU mappings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineItem {
    Sku(String),
    ChannelSku(String),
}

/// One line of an order to ingest.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub item: LineItem,
    pub qty: i64,
    /// Hundredths.
    pub unit_price: Option<i64>,
    pub channel_line_id: Option<String>,
    /// Units of the line the marketplace cancelled (before packing).
    pub cancelled_qty: i64,
}

/// An order to ingest, validated.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub channel: String,
    pub kind: OrderKind,
    pub channel_order_id: String,
    pub parent_order_id: Option<String>,
    pub warehouse: Option<String>,
    pub fulfillment_type: FulfillmentType,
    pub pool: Pool,
    pub dispatch_after: Option<Timestamp>,
    pub start_processing_at: Option<Timestamp>,
    pub replacement_of: Option<String>,
    pub priority: i64,
    pub marketplace_status: Option<String>,
    pub marketplace_hold: bool,
    pub lines: Vec<NewLine>,
    /// The order as received, kept whole if it fails.
    pub payload: serde_json::Value,
    /// Acknowledge the order to the marketplace this long after it arrives (Ajio's 4-hour window).
    pub acknowledge_after_seconds: Option<i64>,
    /// For a marketplace B2B order: the channel order ids of the B2C orders it covers.
    pub covers: Vec<String>,
}

/// What ingesting one order did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IngestOutcome {
    /// A new order (201).
    Created(Order),
    /// The order existed already and is unchanged (200).
    Existing(Order),
    /// The order existed already and the marketplace's changes were applied (200).
    Updated(Order),
    /// A channel SKU has no mapping: the order waits in failed orders (202).
    Failed(FailedOrder),
    /// The order is not valid; nothing was stored for it.
    Invalid(Vec<FieldError>),
}

/// Filters of the order search.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// Any id of the order: Ordo's, the channel order id, the parent order id, a channel line id.
    pub q: Option<String>,
    pub statuses: Vec<OrderStatus>,
    pub channel: Option<String>,
    pub kind: Option<OrderKind>,
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
}

/// The outcome of a cancellation made in Ordo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancellation {
    pub order: Order,
    /// Whether a cancellation message to the marketplace was queued.
    pub pushed_to_channel: bool,
    pub message: String,
}

struct ChannelRow {
    id: i64,
    channel_type: ChannelType,
    warehouse_id: i64,
}

impl FromRow for ChannelRow {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(ChannelRow {
            id: col(r, "id")?,
            channel_type: word(r, "type", ChannelType::parse)?,
            warehouse_id: col(r, "warehouse_id")?,
        })
    }
}

async fn channels_by_code(tx: &mut Transaction<'static, Any>, client_id: i64) -> Result<HashMap<String, ChannelRow>> {
    let rows = sqlx::query("SELECT code, id, type, warehouse_id FROM channels WHERE client_id = $1")
        .bind(client_id)
        .fetch_all(&mut **tx)
        .await
        .map_err(db)?;
    rows.iter().map(|r| Ok((col(r, "code")?, ChannelRow::from_row(r)?))).collect()
}

async fn client_code(tx: &mut sqlx::AnyConnection, client_id: i64) -> Result<String> {
    let row = sqlx::query("SELECT code FROM clients WHERE id = $1").bind(client_id).fetch_one(&mut *tx).await.map_err(db)?;
    col(&row, "code")
}

/// Ids of existing orders of a channel by channel order id.
async fn existing_orders(
    tx: &mut Transaction<'static, Any>,
    client_id: i64,
    channel_id: i64,
    ids: &[&str],
) -> Result<HashMap<String, i64>> {
    let sql = "SELECT channel_order_id, id FROM orders WHERE client_id = $1 AND channel_id = $2 AND channel_order_id IN (";
    rows_in(tx, sql, &[client_id, channel_id], ids)
        .await?
        .iter()
        .map(|r| Ok((col(r, "channel_order_id")?, col(r, "id")?)))
        .collect()
}

/// Client SKU (id, code) of channel SKUs of one channel, through the mappings.
async fn mapped_skus(
    tx: &mut Transaction<'static, Any>,
    client_id: i64,
    channel_id: i64,
    channel_skus: &[&str],
) -> Result<HashMap<String, (i64, String)>> {
    let sql = "SELECT m.channel_sku, s.id AS sku_id, s.sku FROM sku_mappings m JOIN skus s ON s.id = m.sku_id \
               WHERE m.client_id = $1 AND m.channel_id = $2 AND m.channel_sku IN (";
    rows_in(tx, sql, &[client_id, channel_id], channel_skus)
        .await?
        .iter()
        .map(|r| Ok((col(r, "channel_sku")?, (col(r, "sku_id")?, col(r, "sku")?))))
        .collect()
}

/// Reads a failed order selected with [`FAILED_SELECT`].
impl FromRow for FailedOrder {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(FailedOrder {
            id: id_text(r, "id")?,
            channel: col(r, "channel")?,
            channel_order_id: col(r, "channel_order_id")?,
            reason: col(r, "reason")?,
            unmapped_skus: json(r, "unmapped_skus")?,
            payload: json(r, "payload")?,
            first_seen_at: time(r, "first_seen_at")?,
            last_seen_at: time(r, "last_seen_at")?,
            attempts: col(r, "attempts")?,
        })
    }
}

const FAILED_SELECT: &str = "SELECT f.id, c.code AS channel, f.channel_order_id, f.reason, f.unmapped_skus, f.payload, f.first_seen_at, f.last_seen_at, \
     f.attempts FROM failed_orders f JOIN channels c ON c.id = f.channel_id";

/// Keeps (or updates) an order that can't be created yet in the failed-order list.
async fn record_failed(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    channel_id: i64,
    order: &NewOrder,
    unmapped: &[String],
) -> Result<FailedOrder> {
    let reason = format!(
        "no SKU mapping on channel '{}' for {}; upload the mappings, then retry the failed orders",
        order.channel,
        unmapped.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ")
    );
    sqlx::query(
        "INSERT INTO failed_orders (client_id, channel_id, channel_order_id, reason, unmapped_skus, payload, first_seen_at, last_seen_at, attempts) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1) ON CONFLICT (client_id, channel_id, channel_order_id) DO UPDATE SET \
         reason = excluded.reason, unmapped_skus = excluded.unmapped_skus, payload = excluded.payload, last_seen_at = excluded.last_seen_at, \
         attempts = failed_orders.attempts + 1",
    )
    .bind(ctx.client_id)
    .bind(channel_id)
    .bind(&order.channel_order_id)
    .bind(&reason)
    .bind(serde_json::to_string(unmapped).expect("strings serialize"))
    .bind(order.payload.to_string())
    .bind(ctx.now.micros())
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    let sql = format!("{FAILED_SELECT} WHERE f.client_id = $1 AND f.channel_id = $2 AND f.channel_order_id = $3");
    let row = sqlx::query(&sql)
        .bind(ctx.client_id)
        .bind(channel_id)
        .bind(&order.channel_order_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db)?;
    FailedOrder::from_row(&row)
}

/// Forward orders (channel order ids) of a channel whose return pickup was reported.
async fn picked_up(tx: &mut Transaction<'static, Any>, client_id: i64, channel_id: i64, ids: &[&str]) -> Result<HashSet<String>> {
    let sql = "SELECT channel_order_id FROM return_pickups WHERE client_id = $1 AND channel_id = $2 AND channel_order_id IN (";
    rows_in(tx, sql, &[client_id, channel_id], ids).await?.iter().map(|r| col(r, "channel_order_id")).collect()
}

/// Applies what the marketplace may change on an existing order before it is packed: ids, times,
/// holds, its status words, and lines it reduced (matched by the marketplace's line id). Returns
/// whether anything changed, and the units freed per line.
fn apply_marketplace_update(o: &mut LoadedOrder, n: &NewOrder) -> (bool, Vec<i64>) {
    let lines_before = o.core.lines.clone();
    let mut freed = vec![0; o.lines.len()];
    for (i, line) in o.lines.iter().enumerate() {
        let Some(id) = &line.channel_line_id else { continue };
        if let Some(update) = n.lines.iter().find(|l| l.channel_line_id.as_ref() == Some(id)) {
            freed[i] = o.core.reduce_line(i, update.qty - update.cancelled_qty);
        }
    }
    let header_changed = apply_header_update(o, n);
    (header_changed || o.core.lines != lines_before, freed)
}

fn apply_header_update(o: &mut LoadedOrder, n: &NewOrder) -> bool {
    let before = (o.parent_order_id.clone(), o.core.holds, o.start_processing_at, o.marketplace_status.clone());
    if matches!(o.core.status(), OrderStatus::Packed | OrderStatus::Dispatched | OrderStatus::Completed | OrderStatus::Cancelled)
    {
        return false;
    }
    if n.parent_order_id.is_some() {
        o.parent_order_id = n.parent_order_id.clone();
    }
    o.core.holds.dispatch_after = n.dispatch_after;
    o.core.holds.marketplace_hold = n.marketplace_hold;
    o.start_processing_at = n.start_processing_at;
    if n.marketplace_status.is_some() {
        o.marketplace_status = n.marketplace_status.clone();
    }
    before != (o.parent_order_id.clone(), o.core.holds, o.start_processing_at, o.marketplace_status.clone())
}

impl Store {
    /// Ingests orders in one transaction, each independently: new ones are created (B2C allocated
    /// at once), known ones updated (never duplicated), unmapped ones kept as failed orders.
    pub async fn ingest_orders(&self, ctx: &WriteCtx, orders: Vec<NewOrder>) -> Result<Vec<IngestOutcome>> {
        idempotent!(self, ctx, |w| { self.ingest_in_tx(&mut w.tx, ctx, orders).await })
    }

    pub(crate) async fn ingest_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &WriteCtx,
        orders: Vec<NewOrder>,
    ) -> Result<Vec<IngestOutcome>> {
        let client = client_code(tx, ctx.client_id).await?;
        let channels = channels_by_code(tx, ctx.client_id).await?;
        let warehouses: HashMap<String, i64> = sqlx::query("SELECT code, id FROM warehouses WHERE client_id = $1")
            .bind(ctx.client_id)
            .fetch_all(&mut **tx)
            .await
            .map_err(db)?
            .iter()
            .map(|r| Ok((col(r, "code")?, col(r, "id")?)))
            .collect::<Result<_>>()?;
        let mut outcomes: Vec<Option<IngestOutcome>> = vec![None; orders.len()];

        // Known orders and SKUs, looked up a channel at a time.
        let mut existing: HashMap<(i64, String), i64> = HashMap::new();
        let mut mapped: HashMap<i64, HashMap<String, (i64, String)>> = HashMap::new();
        let mut pickups: HashMap<i64, HashSet<String>> = HashMap::new();
        let mut by_channel: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, o) in orders.iter().enumerate() {
            match channels.get(&o.channel) {
                Some(c) => by_channel.entry(c.id).or_default().push(i),
                None => {
                    outcomes[i] =
                        Some(IngestOutcome::Invalid(vec![FieldError::new("channel", format!("no channel '{}'", o.channel))]))
                }
            }
        }
        for (&channel_id, idx) in &by_channel {
            let ids: Vec<&str> = idx.iter().map(|&i| orders[i].channel_order_id.as_str()).collect();
            for (k, v) in existing_orders(tx, ctx.client_id, channel_id, &ids).await? {
                existing.insert((channel_id, k), v);
            }
            let channel_skus: Vec<&str> = idx
                .iter()
                .flat_map(|&i| orders[i].lines.iter())
                .filter_map(|l| match &l.item {
                    LineItem::ChannelSku(s) => Some(s.as_str()),
                    LineItem::Sku(_) => None,
                })
                .collect();
            mapped.insert(channel_id, mapped_skus(tx, ctx.client_id, channel_id, &channel_skus).await?);
            let forwards: Vec<&str> = idx.iter().filter_map(|&i| orders[i].replacement_of.as_deref()).collect();
            pickups.insert(channel_id, picked_up(tx, ctx.client_id, channel_id, &forwards).await?);
        }
        let client_skus: Vec<&str> = orders
            .iter()
            .flat_map(|o| o.lines.iter())
            .filter_map(|l| match &l.item {
                LineItem::Sku(s) => Some(s.as_str()),
                LineItem::ChannelSku(_) => None,
            })
            .collect();
        let skus = sku_ids(tx, ctx.client_id, &client_skus).await?;

        // Existing orders: apply what the marketplace changed.
        let mut updates: Vec<(usize, i64)> = Vec::new();
        let mut seen: HashMap<(i64, String), usize> = HashMap::new();
        let mut fresh: Vec<(usize, LoadedOrder)> = Vec::new();
        let mut failed_ids: Vec<(i64, String)> = Vec::new();
        for (i, o) in orders.iter().enumerate() {
            if outcomes[i].is_some() {
                continue;
            }
            let ch = &channels[&o.channel];
            let key = (ch.id, o.channel_order_id.clone());
            if let Some(&id) = existing.get(&key) {
                updates.push((i, id));
                continue;
            }
            if seen.contains_key(&key) {
                // The same order twice in one batch: the second is the first again.
                updates.push((i, -1));
                continue;
            }
            let warehouse_id = match &o.warehouse {
                None => ch.warehouse_id,
                Some(code) => match warehouses.get(code) {
                    Some(id) => *id,
                    None => {
                        outcomes[i] =
                            Some(IngestOutcome::Invalid(vec![FieldError::new("warehouse", format!("no warehouse '{code}'"))]));
                        continue;
                    }
                },
            };
            let mut errors = Vec::new();
            let mut unmapped = Vec::new();
            let mut lines = Vec::new();
            for (n, l) in o.lines.iter().enumerate() {
                match &l.item {
                    LineItem::Sku(s) => match skus.get(s) {
                        Some(&id) => lines.push((id, s.clone(), None)),
                        None => {
                            errors.push(FieldError::new(format!("lines[{n}].sku"), format!("no SKU '{s}' in the article master")))
                        }
                    },
                    LineItem::ChannelSku(cs) => match mapped[&ch.id].get(cs) {
                        Some((id, sku)) => lines.push((*id, sku.clone(), Some(cs.clone()))),
                        None => {
                            if !unmapped.contains(cs) {
                                unmapped.push(cs.clone());
                            }
                        }
                    },
                }
            }
            if !errors.is_empty() {
                outcomes[i] = Some(IngestOutcome::Invalid(errors));
                continue;
            }
            if !unmapped.is_empty() {
                outcomes[i] = Some(IngestOutcome::Failed(record_failed(tx, ctx, ch.id, o, &unmapped).await?));
                continue;
            }
            seen.insert(key, i);
            failed_ids.push((ch.id, o.channel_order_id.clone()));
            let awaiting = o.replacement_of.as_ref().is_some_and(|f| !pickups[&ch.id].contains(f));
            let holds = Holds {
                dispatch_after: o.dispatch_after,
                awaiting_return_pickup: awaiting,
                marketplace_hold: o.marketplace_hold,
            };
            let lines_qty =
                o.lines.iter().map(|l| LineQty { cancelled: l.cancelled_qty.clamp(0, l.qty), ..LineQty::new(l.qty) }).collect();
            let mut core = OrderCore::new(o.kind, o.fulfillment_type, holds, lines_qty);
            let mut changes = Vec::new();
            if core.nothing_left() {
                // The marketplace cancelled every unit before the order reached Ordo: it takes no stock.
                let (_, change) = core
                    .cancel("every unit was cancelled on the marketplace before the order arrived")
                    .map_err(|e| DomainError::Internal(e.0))?;
                changes.extend(change);
            }
            let warehouse = warehouses.iter().find(|(_, id)| **id == warehouse_id).map(|(c, _)| c.clone()).unwrap_or_default();
            fresh.push((
                i,
                LoadedOrder {
                    id: 0,
                    channel_id: ch.id,
                    channel: o.channel.clone(),
                    channel_type: ch.channel_type,
                    warehouse_id,
                    warehouse,
                    pool: o.pool,
                    channel_order_id: o.channel_order_id.clone(),
                    parent_order_id: o.parent_order_id.clone(),
                    start_processing_at: o.start_processing_at,
                    replacement_of: o.replacement_of.clone(),
                    marketplace_status: o.marketplace_status.clone(),
                    priority: o.priority,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                    core,
                    lines: lines
                        .into_iter()
                        .zip(&o.lines)
                        .map(|((sku_id, sku, channel_sku), l)| LoadedLine {
                            id: 0,
                            sku_id,
                            sku,
                            channel_sku,
                            channel_line_id: l.channel_line_id.clone(),
                            unit_price: l.unit_price,
                        })
                        .collect(),
                    changes,
                },
            ));
        }

        // What the new orders write besides themselves, sent together once they are inserted.
        let mut writes = Writes::default();
        // A created order leaves the failed-order list.
        for chunk in failed_ids.chunks(1000) {
            let pairs: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", i * 2 + 2, i * 2 + 3)).collect();
            let sql = format!(
                "DELETE FROM failed_orders WHERE client_id = $1 AND (channel_id, channel_order_id) IN ({})",
                pairs.join(", ")
            );
            let mut args: Vec<Val> = vec![ctx.client_id.into()];
            for (channel_id, coid) in chunk {
                args.extend([(*channel_id).into(), coid.clone().into()]);
            }
            writes.push(sql, args);
        }
        // A marketplace B2B order names the B2C orders it covers.
        let mut covered_ids: Vec<(usize, i64)> = Vec::new();
        for (n, (i, o)) in fresh.iter().enumerate() {
            if orders[*i].covers.is_empty() {
                continue;
            }
            let covered: Vec<&str> = orders[*i].covers.iter().map(String::as_str).collect();
            for (_, linked) in existing_orders(tx, ctx.client_id, o.channel_id, &covered).await? {
                covered_ids.push((n, linked));
            }
        }

        // New orders: allocate first (locking the stock they draw from), then insert them and their
        // lines as they end up, so nothing written here is rewritten in the same transaction.
        let mut new_orders: Vec<LoadedOrder> = fresh.iter().map(|(_, o)| o.clone()).collect();
        let taken = allocate_in_memory(tx, ctx, &mut new_orders, "allocated on creation").await?;
        let order_rows: Vec<Vec<Val>> = fresh
            .iter()
            .zip(&new_orders)
            .map(|((i, _), o)| {
                vec![
                    ctx.client_id.into(),
                    o.channel_id.into(),
                    o.warehouse_id.into(),
                    o.core.kind.as_str().into(),
                    o.channel_order_id.clone().into(),
                    o.parent_order_id.clone().into(),
                    o.core.status().as_str().into(),
                    o.core.fulfillment_type.as_str().into(),
                    o.pool.as_str().into(),
                    o.core.holds.dispatch_after.map(|t| t.micros()).into(),
                    o.start_processing_at.map(|t| t.micros()).into(),
                    o.replacement_of.clone().into(),
                    i64::from(o.core.holds.awaiting_return_pickup).into(),
                    i64::from(o.core.holds.marketplace_hold).into(),
                    o.marketplace_status.clone().into(),
                    i64::from(o.core.allocation_started).into(),
                    i64::from(o.core.closing).into(),
                    o.priority.into(),
                    release_at(o, ctx.now).into(),
                    ctx.now.micros().into(),
                    ctx.now.micros().into(),
                    orders[*i].acknowledge_after_seconds.map(|s| ctx.now.plus_seconds(s).micros()).into(),
                    orders[*i].payload.get("marketplace_payload").filter(|p| !p.is_null()).map(|p| p.to_string()).into(),
                ]
            })
            .collect();
        let ids = insert_rows(
            tx,
            "orders",
            &[
                "client_id",
                "channel_id",
                "warehouse_id",
                "kind",
                "channel_order_id",
                "parent_order_id",
                "status",
                "fulfillment_type",
                "pool",
                "dispatch_after",
                "start_processing_at",
                "replacement_of",
                "awaiting_return_pickup",
                "marketplace_hold",
                "marketplace_status",
                "allocation_started",
                "closing",
                "priority",
                "release_at",
                "created_at",
                "updated_at",
                "ack_due_at",
                "marketplace_payload",
            ],
            &order_rows,
            "RETURNING id, channel_id, channel_order_id",
        )
        .await?;
        let new_ids: HashMap<(i64, String), i64> = ids
            .iter()
            .map(|r| Ok(((col(r, "channel_id")?, col(r, "channel_order_id")?), col(r, "id")?)))
            .collect::<Result<_>>()?;
        let mut line_rows = Vec::new();
        for o in new_orders.iter_mut() {
            o.id = new_ids[&(o.channel_id, o.channel_order_id.clone())];
            for (n, (l, q)) in o.lines.iter().zip(&o.core.lines).enumerate() {
                line_rows.push(vec![
                    ctx.client_id.into(),
                    o.id.into(),
                    (n as i64).into(),
                    o.warehouse_id.into(),
                    l.sku_id.into(),
                    o.pool.as_str().into(),
                    l.channel_sku.clone().into(),
                    l.channel_line_id.clone().into(),
                    q.qty.into(),
                    q.allocated.into(),
                    q.cancelled.into(),
                    o.core.waiting(n).into(),
                    l.unit_price.into(),
                    ctx.now.micros().into(),
                ]);
            }
        }
        let line_ids = insert_rows(
            tx,
            "order_lines",
            &[
                "client_id",
                "order_id",
                "line_no",
                "warehouse_id",
                "sku_id",
                "pool",
                "channel_sku",
                "channel_line_id",
                "qty",
                "allocated",
                "cancelled",
                "waiting",
                "unit_price",
                "order_created_at",
            ],
            &line_rows,
            "RETURNING id, order_id, line_no",
        )
        .await?;
        let line_id: HashMap<(i64, i64), i64> =
            line_ids.iter().map(|r| Ok(((col(r, "order_id")?, col(r, "line_no")?), col(r, "id")?))).collect::<Result<_>>()?;
        let links: Vec<Vec<Val>> = covered_ids
            .iter()
            .map(|(n, linked)| vec![ctx.client_id.into(), new_orders[*n].id.into(), (*linked).into()])
            .collect();
        writes.insert("order_links", &["client_id", "order_id", "linked_order_id"], links, "ON CONFLICT DO NOTHING");
        write_stock_changes(&mut writes, ctx, &allocation_ledger(&new_orders, &taken));
        // Each new order's timeline: received, then what allocation made of it.
        let mut events = Vec::new();
        for o in new_orders.iter_mut() {
            for (n, l) in o.lines.iter_mut().enumerate() {
                l.id = line_id[&(o.id, n as i64)];
            }
            events.push(event_row(ctx, o.id, None, OrderStatus::Created, &format!("received on channel {}", o.channel)));
            for c in o.changes.drain(..) {
                events.push(event_row(ctx, o.id, Some(c.from), c.to, &c.reason));
            }
        }
        insert_events(&mut writes, events);
        writes.flush(tx).await?;
        for ((i, _), o) in fresh.iter().zip(&new_orders) {
            outcomes[*i] = Some(IngestOutcome::Created(o.to_api(&client, ctx.now)));
        }
        // Known orders: load (locked), apply changes, settle and save.
        let known: Vec<i64> = updates.iter().filter(|(_, id)| *id > 0).map(|(_, id)| *id).collect();
        let mut loaded = load_orders(self, tx, ctx.client_id, &known, true).await?;
        let mut changed = Vec::new();
        for (i, id) in &updates {
            if *id < 0 {
                continue;
            }
            let Some(o) = loaded.iter_mut().find(|o| o.id == *id) else { continue };
            let (was_changed, freed) = apply_marketplace_update(o, &orders[*i]);
            if !was_changed {
                continue;
            }
            if freed.iter().any(|f| *f > 0) || o.core.nothing_left() {
                let snapshot = o.clone();
                release_stock(tx, ctx, &snapshot, &freed).await?;
                if o.core.nothing_left() && !o.core.status().is_final() {
                    let (more, change) =
                        o.core.cancel("every unit was cancelled on the marketplace").map_err(|e| DomainError::Conflict(e.0))?;
                    o.changes.extend(change);
                    let snapshot = o.clone();
                    release_stock(tx, ctx, &snapshot, &more).await?;
                }
            }
            o.settle(ctx.now, "updated by the marketplace");
            changed.push(o.id);
        }
        // The marketplace's payload (addresses and the rest) is kept as it last said it.
        let payloads: Vec<Vec<Val>> = updates
            .iter()
            .filter(|(_, id)| *id > 0)
            .filter_map(|(i, id)| {
                orders[*i]
                    .payload
                    .get("marketplace_payload")
                    .filter(|p| !p.is_null())
                    .map(|p| vec![(*id).into(), p.to_string().into()])
            })
            .collect();
        let mut to_save: Vec<LoadedOrder> = loaded.iter().filter(|o| changed.contains(&o.id)).cloned().collect();
        Writes::apply(tx, |w| {
            w.update_by_id("orders", &["marketplace_payload"], payloads);
            save_orders(w, ctx, &mut to_save);
        })
        .await?;
        for o in to_save {
            if let Some(slot) = loaded.iter_mut().find(|l| l.id == o.id) {
                *slot = o;
            }
        }
        for (i, id) in &updates {
            let was_changed = changed.contains(id);
            let order = if *id > 0 {
                loaded.iter().find(|o| o.id == *id).map(|o| o.to_api(&client, ctx.now))
            } else {
                let ch = &channels[&orders[*i].channel];
                let first = seen[&(ch.id, orders[*i].channel_order_id.clone())];
                match &outcomes[first] {
                    Some(IngestOutcome::Created(o)) => Some(o.clone()),
                    _ => None,
                }
            };
            outcomes[*i] = Some(match order {
                Some(o) if was_changed => IngestOutcome::Updated(o),
                Some(o) => IngestOutcome::Existing(o),
                None => IngestOutcome::Invalid(vec![FieldError::new("channel_order_id", "the order could not be read back")]),
            });
        }
        Ok(outcomes.into_iter().map(|o| o.expect("every order has an outcome")).collect())
    }

    /// One order.
    pub async fn order(&self, client_id: i64, id: &str, now: Timestamp) -> Result<Order> {
        let not_found = || DomainError::NotFound(format!("order '{id}'"));
        let id: i64 = id.parse().map_err(|_| not_found())?;
        let mut conn = self.read.acquire().await.map_err(db)?;
        let client = client_code(&mut conn, client_id).await?;
        let o = load_orders(self, &mut conn, client_id, &[id], false).await?.pop().ok_or_else(not_found)?;
        Ok(o.to_api(&client, now))
    }

    /// Orders matching `query`, newest first.
    pub async fn search_orders(
        &self,
        client_id: i64,
        query: &OrderQuery,
        page: PageRequest,
        now: Timestamp,
    ) -> Result<Page<Order>> {
        let mut sql = String::from("SELECT o.id FROM orders o WHERE o.client_id = $1");
        let mut args: Vec<Val> = vec![client_id.into()];
        let arg = |v: Val, args: &mut Vec<Val>| {
            args.push(v);
            format!("${}", args.len())
        };
        if let Some(q) = query.q.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
            let p = arg(q.to_string().into(), &mut args);
            let mut alternatives = vec![
                format!("SELECT id FROM orders WHERE client_id = $1 AND channel_order_id = {p}"),
                format!("SELECT id FROM orders WHERE client_id = $1 AND parent_order_id = {p}"),
                format!("SELECT order_id FROM order_lines WHERE client_id = $1 AND channel_line_id = {p}"),
            ];
            if let Ok(n) = q.parse::<i64>() {
                let pn = arg(n.into(), &mut args);
                alternatives.push(format!("SELECT id FROM orders WHERE client_id = $1 AND id = {pn}"));
            }
            sql.push_str(&format!(" AND o.id IN ({})", alternatives.join(" UNION ")));
        }
        if !query.statuses.is_empty() {
            let list: Vec<String> = query.statuses.iter().map(|s| arg(s.as_str().into(), &mut args)).collect();
            sql.push_str(&format!(" AND o.status IN ({})", list.join(", ")));
        }
        if let Some(c) = &query.channel {
            let p = arg(c.clone().into(), &mut args);
            sql.push_str(&format!(" AND o.channel_id IN (SELECT id FROM channels WHERE client_id = $1 AND code = {p})"));
        }
        if let Some(k) = query.kind {
            let p = arg(k.as_str().into(), &mut args);
            sql.push_str(&format!(" AND o.kind = {p}"));
        }
        if let Some(t) = query.created_from {
            let p = arg(t.micros().into(), &mut args);
            sql.push_str(&format!(" AND o.created_at >= {p}"));
        }
        if let Some(t) = query.created_to {
            let p = arg(t.micros().into(), &mut args);
            sql.push_str(&format!(" AND o.created_at < {p}"));
        }
        if let Some(after) = page.after {
            let p = arg(after.into(), &mut args);
            sql.push_str(&format!(" AND o.id < {p}"));
        }
        let p = arg((page.limit + 1).into(), &mut args);
        sql.push_str(&format!(" ORDER BY o.id DESC LIMIT {p}"));
        let mut conn = self.read.acquire().await.map_err(db)?;
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = bind_one(q, a);
        }
        let ids: Vec<i64> = q.fetch_all(&mut *conn).await.map_err(db)?.iter().map(|r| col(r, "id")).collect::<Result<_>>()?;
        let client = client_code(&mut conn, client_id).await?;
        let orders = load_orders(self, &mut conn, client_id, &ids, false).await?;
        Ok(Page::from_rows(orders.iter().map(|o| (o.id, o.to_api(&client, now))).collect(), page.limit))
    }

    /// The order's timeline, oldest first.
    pub async fn order_events(&self, client_id: i64, id: &str) -> Result<Vec<OrderEvent>> {
        let not_found = || DomainError::NotFound(format!("order '{id}'"));
        let id: i64 = id.parse().map_err(|_| not_found())?;
        let exists = sqlx::query("SELECT 1 FROM orders WHERE client_id = $1 AND id = $2")
            .bind(client_id)
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?;
        exists.ok_or_else(not_found)?;
        let rows = sqlx::query("SELECT at, status_from, status_to, actor, reason FROM order_events WHERE client_id = $1 AND order_id = $2 ORDER BY id")
            .bind(client_id)
            .bind(id)
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        rows.iter().map(OrderEvent::from_row).collect()
    }

    /// Loads one order for a write, locked.
    async fn order_for_update(&self, tx: &mut Transaction<'static, Any>, client_id: i64, id: &str) -> Result<LoadedOrder> {
        let not_found = || DomainError::NotFound(format!("order '{id}'"));
        let id: i64 = id.parse().map_err(|_| not_found())?;
        load_orders(self, tx, client_id, &[id], true).await?.pop().ok_or_else(not_found)
    }

    /// Allocates now: the manual trigger for B2B orders, and a retry for any order waiting for stock.
    pub async fn retry_order(&self, ctx: &WriteCtx, id: &str) -> Result<Order> {
        idempotent!(self, ctx, |w| {
            let client = client_code(&mut w.tx, ctx.client_id).await?;
            let mut o = self.order_for_update(&mut w.tx, ctx.client_id, id).await?;
            o.core.start_allocation().map_err(|e| DomainError::Conflict(e.0))?;
            let mut orders = [o];
            allocate_and_save(&mut w.tx, ctx, &mut orders, "retried").await?;
            Ok::<_, DomainError>(orders[0].to_api(&client, ctx.now))
        })
    }

    /// Cancels an order in Ordo: frees its unpacked stock and, where the marketplace accepts seller
    /// cancellations, queues the cancellation for delivery in the same transaction.
    pub async fn cancel_order(&self, ctx: &WriteCtx, id: &str, reason: &str) -> Result<Cancellation> {
        idempotent!(self, ctx, |w| {
            let client = client_code(&mut w.tx, ctx.client_id).await?;
            let mut o = self.order_for_update(&mut w.tx, ctx.client_id, id).await?;
            let (freed, change) = o.core.cancel(&format!("cancelled: {reason}")).map_err(|e| DomainError::Conflict(e.0))?;
            o.changes.extend(change);
            release_stock(&mut w.tx, ctx, &o, &freed).await?;
            let pushed = o.channel_type.accepts_seller_cancellation();
            if pushed {
                let row = sqlx::query("SELECT marketplace_payload FROM orders WHERE id = $1")
                    .bind(o.id)
                    .fetch_one(&mut *w.tx)
                    .await
                    .map_err(db)?;
                let raw: Option<&str> = col(&row, "marketplace_payload")?;
                let raw: serde_json::Value = raw.and_then(|r| serde_json::from_str(r).ok()).unwrap_or(serde_json::Value::Null);
                let payload = serde_json::json!({
                    "raw": raw,
                    "order_id": o.id.to_string(),
                    "channel": o.channel,
                    "channel_order_id": o.channel_order_id,
                    "reason": reason,
                    "lines": o.lines.iter().zip(&o.core.lines).map(|(l, q)| serde_json::json!({
                        "channel_line_id": l.channel_line_id, "channel_sku": l.channel_sku, "sku": l.sku, "qty": q.qty,
                    })).collect::<Vec<_>>(),
                });
                sqlx::query(
                    "INSERT INTO outbox (client_id, topic, dedupe_key, channel_id, order_id, payload, status, next_attempt_at, created_at) \
                     VALUES ($1, 'channel.cancel_order', $2, $3, $4, $5, 'PENDING', $6, $6) ON CONFLICT (client_id, dedupe_key) DO NOTHING",
                )
                .bind(ctx.client_id)
                .bind(format!("cancel-order-{}", o.id))
                .bind(o.channel_id)
                .bind(o.id)
                .bind(payload.to_string())
                .bind(ctx.now.micros())
                .execute(&mut *w.tx)
                .await
                .map_err(db)?;
            }
            let message = if pushed {
                format!("Cancelled in Ordo; the cancellation is queued for delivery to {} ({}).", o.channel, o.channel_type)
            } else if o.channel_type == ChannelType::Internal {
                "Cancelled in Ordo. This is an internal order: there is no marketplace to tell.".to_string()
            } else {
                format!(
                    "Cancelled in Ordo only: {} does not accept cancellations from seller systems. Cancel order {} on the {} seller portal as well.",
                    o.channel_type, o.channel_order_id, o.channel_type
                )
            };
            let mut orders = [o];
            Writes::apply(&mut w.tx, |writes| save_orders(writes, ctx, &mut orders)).await?;
            Ok::<_, DomainError>(Cancellation { order: orders[0].to_api(&client, ctx.now), pushed_to_channel: pushed, message })
        })
    }

    /// Short-closes an order at what has been served (SPEC.md §2 rule 8).
    pub async fn complete_order(&self, ctx: &WriteCtx, id: &str) -> Result<Order> {
        idempotent!(self, ctx, |w| {
            let client = client_code(&mut w.tx, ctx.client_id).await?;
            let mut o = self.order_for_update(&mut w.tx, ctx.client_id, id).await?;
            let (freed, change) =
                o.core.complete("completed (short-closed) at what was served").map_err(|e| DomainError::Conflict(e.0))?;
            o.changes.extend(change);
            release_stock(&mut w.tx, ctx, &o, &freed).await?;
            let mut orders = [o];
            Writes::apply(&mut w.tx, |writes| save_orders(writes, ctx, &mut orders)).await?;
            Ok::<_, DomainError>(orders[0].to_api(&client, ctx.now))
        })
    }

    /// Applies a status update a marketplace pushed about one of its orders; answers the order it
    /// changed (for a return pickup, the replacement it releases, else the forward order).
    pub async fn channel_event(
        &self,
        ctx: &WriteCtx,
        channel: &str,
        event: ChannelEventType,
        channel_order_id: &str,
        reason: Option<&str>,
    ) -> Result<Order> {
        idempotent!(self, ctx, |w| { self.channel_event_in_tx(&mut w.tx, ctx, channel, event, channel_order_id, reason).await })
    }

    /// [`Store::channel_event`] inside an open transaction.
    pub(crate) async fn channel_event_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &WriteCtx,
        channel: &str,
        event: ChannelEventType,
        channel_order_id: &str,
        reason: Option<&str>,
    ) -> Result<Order> {
        let client = client_code(tx, ctx.client_id).await?;
        let channels = channels_by_code(tx, ctx.client_id).await?;
        let ch = channels.get(channel).ok_or_else(|| DomainError::NotFound(format!("channel '{channel}'")))?;
        let target = existing_orders(tx, ctx.client_id, ch.id, &[channel_order_id]).await?.get(channel_order_id).copied();
        let why = reason.map(|r| format!(": {r}")).unwrap_or_default();
        let order = match event {
            ChannelEventType::ReturnPickupDone => {
                let rows = sqlx::query(
                    "SELECT id FROM orders WHERE client_id = $1 AND channel_id = $2 AND replacement_of = $3 AND awaiting_return_pickup = 1 ORDER BY id",
                )
                .bind(ctx.client_id)
                .bind(ch.id)
                .bind(channel_order_id)
                .fetch_all(&mut **tx)
                .await
                .map_err(db)?;
                let ids: Vec<i64> = rows.iter().map(|r| col(r, "id")).collect::<Result<_>>()?;
                if ids.is_empty() && target.is_none() {
                    return Err(DomainError::NotFound(format!("order '{channel_order_id}' on channel '{channel}'")));
                }
                sqlx::query(
                    "INSERT INTO return_pickups (client_id, channel_id, channel_order_id, reported_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (client_id, channel_id, channel_order_id) DO NOTHING",
                )
                .bind(ctx.client_id)
                .bind(ch.id)
                .bind(channel_order_id)
                .bind(ctx.now.micros())
                .execute(&mut **tx)
                .await
                .map_err(db)?;
                let mut replacements = load_orders(self, tx, ctx.client_id, &ids, true).await?;
                for r in replacements.iter_mut() {
                    r.core.holds.awaiting_return_pickup = false;
                    r.settle(ctx.now, &format!("return pickup of {channel_order_id} reported by the marketplace{why}"));
                }
                Writes::apply(tx, |w| save_orders(w, ctx, &mut replacements)).await?;
                match replacements.into_iter().next() {
                    Some(r) => r,
                    None => load_orders(self, tx, ctx.client_id, &[target.unwrap_or_default()], false)
                        .await?
                        .pop()
                        .ok_or_else(|| DomainError::NotFound(format!("order '{channel_order_id}'")))?,
                }
            }
            other => {
                let id =
                    target.ok_or_else(|| DomainError::NotFound(format!("order '{channel_order_id}' on channel '{channel}'")))?;
                let mut o = load_orders(self, tx, ctx.client_id, &[id], true)
                    .await?
                    .pop()
                    .ok_or_else(|| DomainError::NotFound(id.to_string()))?;
                match other {
                    ChannelEventType::OrderCancelled => {
                        if o.core.status() != OrderStatus::Cancelled {
                            let (freed, change) = o
                                .core
                                .cancel(&format!("cancelled on the marketplace{why}"))
                                .map_err(|e| DomainError::Conflict(e.0))?;
                            o.changes.extend(change);
                            release_stock(tx, ctx, &o, &freed).await?;
                        }
                    }
                    ChannelEventType::Hold => {
                        o.core.holds.marketplace_hold = true;
                        o.settle(ctx.now, &format!("held by the marketplace{why}"));
                    }
                    _ => {
                        o.core.holds.marketplace_hold = false;
                        o.settle(ctx.now, &format!("hold lifted by the marketplace{why}"));
                    }
                }
                let mut orders = [o];
                Writes::apply(tx, |w| save_orders(w, ctx, &mut orders)).await?;
                let [o] = orders;
                o
            }
        };
        Ok(order.to_api(&client, ctx.now))
    }

    /// The failed-order list, oldest first.
    pub async fn failed_orders(&self, client_id: i64, page: PageRequest) -> Result<Page<FailedOrder>> {
        let sql = format!("{FAILED_SELECT} WHERE f.client_id = $1 AND f.id > $2 ORDER BY f.id LIMIT $3");
        let rows = self.ascending_page(&sql, client_id, page).await?;
        let items = rows.iter().map(with_id).collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit))
    }

    /// Failed orders by id (all of them when `ids` is `None`).
    pub async fn failed_orders_by_id(&self, client_id: i64, ids: Option<&[i64]>) -> Result<Vec<FailedOrder>> {
        let mut sql = format!("{FAILED_SELECT} WHERE f.client_id = $1");
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND f.id IN ({})", in_list(2, ids.len())));
        }
        sql.push_str(" ORDER BY f.id");
        let mut q = sqlx::query(&sql).bind(client_id);
        for id in ids.unwrap_or_default() {
            q = q.bind(*id);
        }
        q.fetch_all(&self.read).await.map_err(db)?.iter().map(FailedOrder::from_row).collect()
    }
}

/// One stock balance of a SKU, as the explanation of an order weighs it.
struct PoolStock {
    warehouse_id: i64,
    warehouse: String,
    sku_id: i64,
    pool: Pool,
    balance: Balance,
}

impl FromRow for PoolStock {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(PoolStock {
            warehouse_id: col(r, "warehouse_id")?,
            warehouse: col(r, "warehouse")?,
            sku_id: col(r, "sku_id")?,
            pool: word(r, "pool", Pool::parse)?,
            balance: Balance::from_row(r)?,
        })
    }
}

impl FromRow for OrderEvent {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(OrderEvent {
            at: time(r, "at")?,
            status_from: opt_word(r, "status_from", OrderStatus::parse)?,
            status_to: word(r, "status_to", OrderStatus::parse)?,
            actor: col(r, "actor")?,
            reason: col(r, "reason")?,
        })
    }
}

impl Store {
    /// What the explanation of an order needs: the order and where its SKUs' stock is.
    pub async fn explain_facts(&self, client_id: i64, id: &str, now: Timestamp) -> Result<ordo_domain::explain::OrderFacts> {
        use ordo_domain::explain::{OrderFacts, SkuPosition};
        let not_found = || DomainError::NotFound(format!("order '{id}'"));
        let order_id: i64 = id.parse().map_err(|_| not_found())?;
        let mut conn = self.read.acquire().await.map_err(db)?;
        let o = load_orders(self, &mut conn, client_id, &[order_id], false).await?.pop().ok_or_else(not_found)?;
        let sku_ids: Vec<i64> = o.lines.iter().map(|l| l.sku_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let sql = format!(
            "SELECT st.warehouse_id, w.code AS warehouse, st.sku_id, st.pool, st.live, st.recycle, st.allocated FROM stock st \
             JOIN warehouses w ON w.id = st.warehouse_id WHERE st.client_id = $1 AND st.sku_id IN ({}) ORDER BY w.code",
            in_list(2, sku_ids.len().max(1))
        );
        let sql = positional(&conn, sql);
        let mut q = sqlx::query(&sql).bind(client_id);
        for s in &sku_ids {
            q = q.bind(*s);
        }
        if sku_ids.is_empty() {
            q = q.bind(0i64);
        }
        let stock = q.fetch_all(&mut *conn).await.map_err(db)?.iter().map(PoolStock::from_row).collect::<Result<Vec<_>>>()?;
        let mut skus: Vec<SkuPosition> = Vec::new();
        for (l, qty) in o.lines.iter().zip(&o.core.lines) {
            let pos = match skus.iter_mut().position(|s| s.sku == l.sku) {
                Some(p) => &mut skus[p],
                None => {
                    let mut p = SkuPosition {
                        sku: l.sku.clone(),
                        open: 0,
                        allocated: 0,
                        short: 0,
                        available: 0,
                        other_pool_available: 0,
                        recycle: 0,
                        elsewhere: Vec::new(),
                    };
                    for s in stock.iter().filter(|s| s.sku_id == l.sku_id) {
                        let available = s.balance.available();
                        match (s.warehouse_id == o.warehouse_id, s.pool == o.pool) {
                            (true, true) => {
                                p.available = available;
                                p.recycle = s.balance.recycle;
                            }
                            (true, false) => p.other_pool_available = available,
                            (false, true) if available > 0 => p.elsewhere.push((s.warehouse.clone(), available)),
                            _ => {}
                        }
                    }
                    skus.push(p);
                    skus.last_mut().expect("just pushed")
                }
            };
            pos.open += qty.qty - qty.cancelled;
            pos.allocated += qty.allocated;
            pos.short += qty.short();
        }
        Ok(OrderFacts {
            status: o.core.status(),
            kind: o.core.kind,
            fulfillment_type: o.core.fulfillment_type,
            pool: o.pool,
            warehouse: o.warehouse.clone(),
            hold: o.core.hold_reason(now),
            dispatch_after: o.core.holds.dispatch_after,
            replacement_of: o.replacement_of.clone(),
            start_processing_at: o.start_processing_at,
            marketplace_status: o.marketplace_status.clone(),
            closing: o.core.closing,
            now,
            skus,
        })
    }
}
