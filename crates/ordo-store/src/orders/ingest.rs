//! Ingesting a batch of orders in one transaction, each order on its own: new ones are created
//! (B2C ones allocated at once), ones stored before are updated (never duplicated), ones naming an
//! unmapped channel SKU wait in the failed orders, invalid ones are refused. The batch is looked
//! up, sorted, created and updated in a few statements, however many orders it has.

use super::failed::record_failed;
use super::{ChannelRow, IngestOutcome, LineItem, NewOrder, channels_by_code, client_code, existing_orders};
use crate::allocation::{
    LoadedLine, LoadedOrder, allocate_in_memory, allocation_ledger, event_row, insert_events, load_orders, release_at,
    release_stock, save_orders, write_stock_changes,
};
use crate::db::db;
use crate::master::sku_ids;
use crate::rows::col;
use crate::sql::{Val, Writes, insert_rows, rows_in};
use crate::tx::idempotent;
use crate::{Result, Store, WriteCtx};
use ordo_domain::kinds::OrderStatus;
use ordo_domain::marketplace::{HeaderUpdate, MarketplaceHeader, apply_update, arrive};
use ordo_domain::orders::Holds;
use ordo_domain::{DomainError, FieldError};
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

/// What a batch looks up once, before any of its orders is looked at.
struct Lookups {
    /// The client's code, which every order shows.
    client: String,
    channels: HashMap<String, ChannelRow>,
    /// Warehouse ids by code.
    warehouses: HashMap<String, i64>,
    /// Ids of the batch's orders stored before, by (channel id, channel order id).
    existing: HashMap<(i64, String), i64>,
    /// Client SKU (id, code) of the batch's channel SKUs, by channel id and channel SKU.
    mapped: HashMap<i64, HashMap<String, (i64, String)>>,
    /// Forward orders of the batch's replacements whose return pickup was reported, by channel id.
    pickups: HashMap<i64, HashSet<String>>,
    /// Ids of the client SKUs the batch names, by code.
    skus: HashMap<String, i64>,
}

/// The orders of a batch that are not settled by looking at them alone.
#[derive(Default)]
struct Sorted {
    /// (index in the batch, id) of orders stored before, to update.
    known: Vec<(usize, i64)>,
    /// (index, index of the first) of an order that comes twice in the batch: the second is the first again.
    repeats: Vec<(usize, usize)>,
    /// Index in the batch of each order to create, beside it in `new_orders`.
    fresh: Vec<usize>,
    /// The orders to create, as they will be stored (without ids yet).
    new_orders: Vec<LoadedOrder>,
}

/// What the lines of a new order name, resolved against the article master and the mappings.
enum ResolvedLines {
    /// (SKU id, SKU, channel SKU) of each line.
    Found(Vec<(i64, String, Option<String>)>),
    /// Lines naming SKUs the article master does not have.
    Invalid(Vec<FieldError>),
    /// Channel SKUs without a mapping (each once): the order waits in the failed orders.
    Unmapped(Vec<String>),
}

/// Columns of a new order, in the order [`order_row`] gives their values.
const ORDER_INSERT_COLUMNS: &[&str] = &[
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
    "buyer",
    "ship_to",
    "payment",
];

/// Columns of a new order line, in the order [`insert_lines`] gives their values.
const LINE_INSERT_COLUMNS: &[&str] = &[
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
];

impl Store {
    /// Ingests orders in one transaction, each independently: new ones are created (B2C allocated
    /// at once), known ones updated (never duplicated), unmapped ones kept as failed orders.
    pub async fn ingest_orders(&self, ctx: &WriteCtx, orders: Vec<NewOrder>) -> Result<Vec<IngestOutcome>> {
        idempotent!(self, ctx, |w| { self.ingest_in_tx(&mut w.tx, ctx, orders).await })
    }

    /// [`Store::ingest_orders`] inside an open transaction.
    pub(crate) async fn ingest_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &WriteCtx,
        batch: Vec<NewOrder>,
    ) -> Result<Vec<IngestOutcome>> {
        let lookups = look_up(tx, ctx, &batch).await?;
        let mut outcomes: Vec<Option<IngestOutcome>> = vec![None; batch.len()];
        let Sorted { known, repeats, fresh, mut new_orders } = sort_batch(tx, ctx, &batch, &lookups, &mut outcomes).await?;

        create_orders(tx, ctx, &batch, &fresh, &mut new_orders).await?;
        for (&i, o) in fresh.iter().zip(&new_orders) {
            outcomes[i] = Some(IngestOutcome::Created(o.to_api(&lookups.client, ctx.now)));
        }
        for (i, first) in repeats {
            outcomes[i] = Some(match &outcomes[first] {
                Some(IngestOutcome::Created(o)) => IngestOutcome::Existing(o.clone()),
                _ => unreadable(),
            });
        }

        let (changed, unchanged) = self.update_known(tx, ctx, &batch, &known).await?;
        for (i, id) in known {
            outcomes[i] = Some(match (changed.iter().find(|o| o.id == id), unchanged.iter().find(|o| o.id == id)) {
                (Some(o), _) => IngestOutcome::Updated(o.to_api(&lookups.client, ctx.now)),
                (None, Some(o)) => IngestOutcome::Existing(o.to_api(&lookups.client, ctx.now)),
                (None, None) => unreadable(),
            });
        }
        outcomes
            .into_iter()
            .map(|o| o.ok_or_else(|| DomainError::Internal("an order of the batch was left without an outcome".into())))
            .collect()
    }

    /// Applies what the marketplace changed to the batch's orders stored before: loads them
    /// (locked), applies each update, frees the units the marketplace cancelled, settles and saves
    /// the orders that changed, and keeps each one's marketplace payload as it last said it.
    /// Returns the orders that changed and those that did not.
    async fn update_known(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &WriteCtx,
        batch: &[NewOrder],
        known: &[(usize, i64)],
    ) -> Result<(Vec<LoadedOrder>, Vec<LoadedOrder>)> {
        let ids: Vec<i64> = known.iter().map(|(_, id)| *id).collect();
        let mut loaded = load_orders(self, tx, ctx.client_id, &ids, true).await?;
        let mut changed = Vec::new();
        for (i, id) in known {
            let Some(o) = loaded.iter_mut().find(|o| o.id == *id) else { continue };
            let n = &batch[*i];
            let update = HeaderUpdate {
                parent_order_id: n.parent_order_id.as_deref(),
                start_processing_at: n.start_processing_at,
                marketplace_status: n.marketplace_status.as_deref(),
                dispatch_after: n.dispatch_after,
                marketplace_hold: n.marketplace_hold,
            };
            let wanted = |line_id: &str| {
                n.lines.iter().find(|l| l.channel_line_id.as_deref() == Some(line_id)).map(|l| l.qty - l.cancelled_qty)
            };
            let line_ids = o.lines.iter().map(|l| l.channel_line_id.as_deref());
            let outcome = apply_update(&mut o.core, &mut o.header, line_ids, wanted, update);
            if !outcome.changed {
                continue;
            }
            release_stock(tx, ctx, o, &outcome.freed).await?;
            o.changes.extend(outcome.changes);
            if let Some(more) = outcome.cancelled {
                release_stock(tx, ctx, o, &more).await?;
            }
            o.settle(ctx.now, "updated by the marketplace");
            changed.push(o.id);
        }
        let payloads: Vec<Vec<Val>> =
            known.iter().filter_map(|(i, id)| marketplace_payload(&batch[*i]).map(|p| vec![(*id).into(), p.into()])).collect();
        // Who the order goes to, as the marketplace now says (kept when it says nothing).
        let parties: Vec<Vec<Val>> = known
            .iter()
            .filter_map(|(i, id)| {
                let (o, p) = (loaded.iter().find(|o| o.id == *id)?, &batch[*i].parties);
                (p.buyer.is_some() || p.ship_to.is_some() || p.payment.is_some()).then(|| {
                    vec![
                        (*id).into(),
                        json_text(if p.buyer.is_some() { &p.buyer } else { &o.parties.buyer }).into(),
                        json_text(if p.ship_to.is_some() { &p.ship_to } else { &o.parties.ship_to }).into(),
                        json_text(if p.payment.is_some() { &p.payment } else { &o.parties.payment }).into(),
                    ]
                })
            })
            .collect();
        let (mut to_save, unchanged): (Vec<LoadedOrder>, Vec<LoadedOrder>) =
            loaded.into_iter().partition(|o| changed.contains(&o.id));
        Writes::apply(tx, |w| {
            w.update_by_id("orders", &["marketplace_payload"], payloads);
            w.update_by_id("orders", &["buyer", "ship_to", "payment"], parties);
            save_orders(w, ctx, &mut to_save);
        })
        .await?;
        Ok((to_save, unchanged))
    }
}

/// The outcome of an order that was stored but can't be found again.
fn unreadable() -> IngestOutcome {
    IngestOutcome::Invalid(vec![FieldError::new("channel_order_id", "the order could not be read back")])
}

/// The marketplace's own record of the order (addresses and the rest), kept as it last said it.
fn marketplace_payload(order: &NewOrder) -> Option<String> {
    order.payload.get("marketplace_payload").filter(|p| !p.is_null()).map(|p| p.to_string())
}

/// Looks up what the batch names: the client's channels and warehouses, and a channel at a time
/// the orders stored before, the mapped channel SKUs and the return pickups; then the client SKUs.
async fn look_up(tx: &mut Transaction<'static, Any>, ctx: &WriteCtx, batch: &[NewOrder]) -> Result<Lookups> {
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
    let mut by_channel: HashMap<i64, Vec<&NewOrder>> = HashMap::new();
    for o in batch {
        if let Some(c) = channels.get(&o.channel) {
            by_channel.entry(c.id).or_default().push(o);
        }
    }
    let mut existing = HashMap::new();
    let mut mapped = HashMap::new();
    let mut pickups = HashMap::new();
    for (&channel_id, orders) in &by_channel {
        let ids: Vec<&str> = orders.iter().map(|o| o.channel_order_id.as_str()).collect();
        for (k, v) in existing_orders(tx, ctx.client_id, channel_id, &ids).await? {
            existing.insert((channel_id, k), v);
        }
        let channel_skus: Vec<&str> = orders
            .iter()
            .flat_map(|o| o.lines.iter())
            .filter_map(|l| match &l.item {
                LineItem::ChannelSku(s) => Some(s.as_str()),
                LineItem::Sku(_) => None,
            })
            .collect();
        mapped.insert(channel_id, mapped_skus(tx, ctx.client_id, channel_id, &channel_skus).await?);
        let forwards: Vec<&str> = orders.iter().filter_map(|o| o.replacement_of.as_deref()).collect();
        pickups.insert(channel_id, picked_up(tx, ctx.client_id, channel_id, &forwards).await?);
    }
    let client_skus: Vec<&str> = batch
        .iter()
        .flat_map(|o| o.lines.iter())
        .filter_map(|l| match &l.item {
            LineItem::Sku(s) => Some(s.as_str()),
            LineItem::ChannelSku(_) => None,
        })
        .collect();
    let skus = sku_ids(tx, ctx.client_id, &client_skus).await?;
    Ok(Lookups { client, channels, warehouses, existing, mapped, pickups, skus })
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

/// Forward orders (channel order ids) of a channel whose return pickup was reported.
async fn picked_up(tx: &mut Transaction<'static, Any>, client_id: i64, channel_id: i64, ids: &[&str]) -> Result<HashSet<String>> {
    let sql = "SELECT channel_order_id FROM return_pickups WHERE client_id = $1 AND channel_id = $2 AND channel_order_id IN (";
    rows_in(tx, sql, &[client_id, channel_id], ids).await?.iter().map(|r| col(r, "channel_order_id")).collect()
}

/// Looks at each order of the batch in turn. One naming an unknown channel, warehouse or SKU gets
/// its invalid outcome; one with unmapped channel SKUs is kept in the failed orders (written now)
/// and gets that outcome; the rest are sorted into orders to update, repeats and orders to create.
async fn sort_batch(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    batch: &[NewOrder],
    lookups: &Lookups,
    outcomes: &mut [Option<IngestOutcome>],
) -> Result<Sorted> {
    let mut sorted = Sorted::default();
    let mut seen: HashMap<(i64, String), usize> = HashMap::new();
    for (i, o) in batch.iter().enumerate() {
        let Some(ch) = lookups.channels.get(&o.channel) else {
            outcomes[i] = Some(invalid("channel", format!("no channel '{}'", o.channel)));
            continue;
        };
        let key = (ch.id, o.channel_order_id.clone());
        if let Some(&id) = lookups.existing.get(&key) {
            sorted.known.push((i, id));
            continue;
        }
        if let Some(&first) = seen.get(&key) {
            sorted.repeats.push((i, first));
            continue;
        }
        let warehouse_id = match &o.warehouse {
            None => ch.warehouse_id,
            Some(code) => match lookups.warehouses.get(code) {
                Some(id) => *id,
                None => {
                    outcomes[i] = Some(invalid("warehouse", format!("no warehouse '{code}'")));
                    continue;
                }
            },
        };
        let lines = match resolve_lines(o, ch.id, lookups) {
            ResolvedLines::Found(lines) => lines,
            ResolvedLines::Invalid(errors) => {
                outcomes[i] = Some(IngestOutcome::Invalid(errors));
                continue;
            }
            ResolvedLines::Unmapped(unmapped) => {
                outcomes[i] = Some(IngestOutcome::Failed(record_failed(tx, ctx, ch.id, o, &unmapped).await?));
                continue;
            }
        };
        seen.insert(key, i);
        sorted.fresh.push(i);
        sorted.new_orders.push(new_order(ctx, o, ch, warehouse_id, lines, lookups));
    }
    Ok(sorted)
}

/// An invalid outcome with one field error.
fn invalid(field: &str, message: String) -> IngestOutcome {
    IngestOutcome::Invalid(vec![FieldError::new(field, message)])
}

/// The SKU of each line of a new order: a client SKU by its code, a channel SKU through the
/// channel's mappings. Unknown client SKUs make the order invalid, whatever else it names.
fn resolve_lines(o: &NewOrder, channel_id: i64, lookups: &Lookups) -> ResolvedLines {
    let mapped = lookups.mapped.get(&channel_id);
    let mut errors = Vec::new();
    let mut unmapped: Vec<String> = Vec::new();
    let mut lines = Vec::with_capacity(o.lines.len());
    for (n, l) in o.lines.iter().enumerate() {
        match &l.item {
            LineItem::Sku(s) => match lookups.skus.get(s) {
                Some(&id) => lines.push((id, s.clone(), None)),
                None => errors.push(FieldError::new(format!("lines[{n}].sku"), format!("no SKU '{s}' in the article master"))),
            },
            LineItem::ChannelSku(cs) => match mapped.and_then(|m| m.get(cs)) {
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
        ResolvedLines::Invalid(errors)
    } else if !unmapped.is_empty() {
        ResolvedLines::Unmapped(unmapped)
    } else {
        ResolvedLines::Found(lines)
    }
}

/// A new order as it will be stored, before allocation: its holds, and its lines with what the
/// marketplace cancelled already (when that is every unit, the order arrives cancelled).
fn new_order(
    ctx: &WriteCtx,
    o: &NewOrder,
    ch: &ChannelRow,
    warehouse_id: i64,
    lines: Vec<(i64, String, Option<String>)>,
    lookups: &Lookups,
) -> LoadedOrder {
    let awaiting = o.replacement_of.as_ref().is_some_and(|f| !lookups.pickups.get(&ch.id).is_some_and(|p| p.contains(f)));
    let holds =
        Holds { dispatch_after: o.dispatch_after, awaiting_return_pickup: awaiting, marketplace_hold: o.marketplace_hold };
    let (core, change) = arrive(o.kind, o.fulfillment_type, holds, o.lines.iter().map(|l| (l.qty, l.cancelled_qty)));
    let warehouse = lookups.warehouses.iter().find(|(_, id)| **id == warehouse_id).map(|(c, _)| c.clone()).unwrap_or_default();
    LoadedOrder {
        id: 0,
        channel_id: ch.id,
        channel: o.channel.clone(),
        channel_type: ch.channel_type,
        warehouse_id,
        warehouse,
        pool: o.pool,
        channel_order_id: o.channel_order_id.clone(),
        header: MarketplaceHeader {
            parent_order_id: o.parent_order_id.clone(),
            start_processing_at: o.start_processing_at,
            marketplace_status: o.marketplace_status.clone(),
        },
        replacement_of: o.replacement_of.clone(),
        priority: o.priority,
        parties: o.parties.clone(),
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
                returned: 0,
            })
            .collect(),
        changes: change.into_iter().collect(),
    }
}

/// Creates the batch's new orders: allocates them first (locking the stock they draw from), then
/// inserts them and their lines as they end up, so nothing written here is rewritten in the same
/// transaction. Their links, stock changes and timelines follow in one held write.
async fn create_orders(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    batch: &[NewOrder],
    fresh: &[usize],
    new_orders: &mut [LoadedOrder],
) -> Result<()> {
    if new_orders.is_empty() {
        return Ok(());
    }
    let mut writes = Writes::default();
    forget_failed(&mut writes, ctx, new_orders);
    let covered = covered_orders(tx, ctx, batch, fresh, new_orders).await?;
    let taken = allocate_in_memory(tx, ctx, new_orders, "allocated on creation").await?;
    insert_orders(tx, ctx, batch, fresh, new_orders).await?;
    insert_lines(tx, ctx, new_orders).await?;
    let links: Vec<Vec<Val>> =
        covered.iter().map(|(n, linked)| vec![ctx.client_id.into(), new_orders[*n].id.into(), (*linked).into()]).collect();
    writes.insert("order_links", &["client_id", "order_id", "linked_order_id"], links, "ON CONFLICT DO NOTHING");
    write_stock_changes(&mut writes, ctx, &allocation_ledger(new_orders, &taken));
    insert_events(&mut writes, creation_events(ctx, new_orders));
    writes.flush(tx).await?;
    crate::postings::post_outward_orders(tx, ctx, new_orders, &covered).await
}

/// A created order leaves the failed-order list.
fn forget_failed(writes: &mut Writes, ctx: &WriteCtx, new_orders: &[LoadedOrder]) {
    for chunk in new_orders.chunks(1000) {
        let pairs: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", i * 2 + 2, i * 2 + 3)).collect();
        let sql = format!(
            "DELETE FROM failed_orders WHERE client_id = $1 AND (channel_id, channel_order_id) IN ({})",
            pairs.join(", ")
        );
        let mut args: Vec<Val> = vec![ctx.client_id.into()];
        for o in chunk {
            args.extend([o.channel_id.into(), o.channel_order_id.clone().into()]);
        }
        writes.push(sql, args);
    }
}

/// (index in `new_orders`, id) of the B2C orders each new marketplace B2B order covers.
async fn covered_orders(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    batch: &[NewOrder],
    fresh: &[usize],
    new_orders: &[LoadedOrder],
) -> Result<Vec<(usize, i64)>> {
    let mut covered = Vec::new();
    for (n, (&i, o)) in fresh.iter().zip(new_orders).enumerate() {
        if batch[i].covers.is_empty() {
            continue;
        }
        let ids: Vec<&str> = batch[i].covers.iter().map(String::as_str).collect();
        for (_, linked) in existing_orders(tx, ctx.client_id, o.channel_id, &ids).await? {
            covered.push((n, linked));
        }
    }
    Ok(covered)
}

/// The values of a new order for [`ORDER_INSERT_COLUMNS`].
fn order_row(ctx: &WriteCtx, n: &NewOrder, o: &LoadedOrder) -> Vec<Val> {
    vec![
        ctx.client_id.into(),
        o.channel_id.into(),
        o.warehouse_id.into(),
        o.core.kind.as_str().into(),
        o.channel_order_id.clone().into(),
        o.header.parent_order_id.clone().into(),
        o.core.status().as_str().into(),
        o.core.fulfillment_type.as_str().into(),
        o.pool.as_str().into(),
        o.core.holds.dispatch_after.map(|t| t.micros()).into(),
        o.header.start_processing_at.map(|t| t.micros()).into(),
        o.replacement_of.clone().into(),
        i64::from(o.core.holds.awaiting_return_pickup).into(),
        i64::from(o.core.holds.marketplace_hold).into(),
        o.header.marketplace_status.clone().into(),
        i64::from(o.core.allocation_started).into(),
        i64::from(o.core.closing).into(),
        o.priority.into(),
        release_at(o, ctx.now).into(),
        ctx.now.micros().into(),
        ctx.now.micros().into(),
        n.acknowledge_after_seconds.map(|s| ctx.now.plus_seconds(s).micros()).into(),
        marketplace_payload(n).into(),
        json_text(&o.parties.buyer).into(),
        json_text(&o.parties.ship_to).into(),
        json_text(&o.parties.payment).into(),
    ]
}

/// A value as JSON text for a JSON column, or null.
fn json_text<T: serde::Serialize>(v: &Option<T>) -> Option<String> {
    v.as_ref().and_then(|v| serde_json::to_string(v).ok())
}

/// Inserts the new orders as allocation left them and gives each its id.
async fn insert_orders(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    batch: &[NewOrder],
    fresh: &[usize],
    new_orders: &mut [LoadedOrder],
) -> Result<()> {
    let rows: Vec<Vec<Val>> = fresh.iter().zip(new_orders.iter()).map(|(&i, o)| order_row(ctx, &batch[i], o)).collect();
    let returned = insert_rows(tx, "orders", ORDER_INSERT_COLUMNS, &rows, "RETURNING id, channel_id, channel_order_id").await?;
    let ids: HashMap<(i64, String), i64> = returned
        .iter()
        .map(|r| Ok(((col(r, "channel_id")?, col(r, "channel_order_id")?), col(r, "id")?)))
        .collect::<Result<_>>()?;
    for o in new_orders.iter_mut() {
        o.id = *ids
            .get(&(o.channel_id, o.channel_order_id.clone()))
            .ok_or_else(|| DomainError::Internal(format!("order '{}' was inserted without an id", o.channel_order_id)))?;
    }
    Ok(())
}

/// Inserts the new orders' lines (the orders have their ids) and gives each its id.
async fn insert_lines(tx: &mut Transaction<'static, Any>, ctx: &WriteCtx, new_orders: &mut [LoadedOrder]) -> Result<()> {
    let mut rows = Vec::new();
    for o in new_orders.iter() {
        for (n, (l, q)) in o.lines.iter().zip(&o.core.lines).enumerate() {
            rows.push(vec![
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
    let returned = insert_rows(tx, "order_lines", LINE_INSERT_COLUMNS, &rows, "RETURNING id, order_id, line_no").await?;
    let ids: HashMap<(i64, i64), i64> =
        returned.iter().map(|r| Ok(((col(r, "order_id")?, col(r, "line_no")?), col(r, "id")?))).collect::<Result<_>>()?;
    for o in new_orders.iter_mut() {
        for (n, l) in o.lines.iter_mut().enumerate() {
            l.id = *ids
                .get(&(o.id, n as i64))
                .ok_or_else(|| DomainError::Internal(format!("line {n} of order {} was inserted without an id", o.id)))?;
        }
    }
    Ok(())
}

/// Each new order's timeline: received, then what allocation made of it.
fn creation_events(ctx: &WriteCtx, new_orders: &mut [LoadedOrder]) -> Vec<Vec<Val>> {
    let mut events = Vec::with_capacity(new_orders.len() * 2);
    for o in new_orders.iter_mut() {
        events.push(event_row(ctx, o.id, None, OrderStatus::Created, &format!("received on channel {}", o.channel)));
        for c in o.changes.drain(..) {
            events.push(event_row(ctx, o.id, Some(c.from), c.to, &c.reason));
        }
    }
    events
}
