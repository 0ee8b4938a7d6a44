//! Reading orders: one by id, the search, an order's timeline, and the facts its explanation is
//! made of.

use super::client_code;
use crate::allocation::load_orders;
use crate::db::db;
use crate::rows::{FromRow, col, opt_word, time, word};
use crate::sql::{Val, bind_one, in_list, positional};
use crate::{OrderQuery, Page, PageRequest, Result, Store};
use ordo_domain::inventory::Balance;
use ordo_domain::kinds::{OrderStatus, Pool};
use ordo_domain::model::{Order, OrderEvent};
use ordo_domain::{DomainError, Timestamp};
use sqlx::any::AnyRow;

/// Reads a timeline entry selected with the names of its fields.
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
    ///
    /// Both halves of the search are planned so that no statistics are needed to find them fast:
    /// an id (`q`) is looked up first through the unique indexes it could be in, and only the few
    /// orders it names are filtered; a list is read from the status index, one walk in id order per
    /// status (every status when none is asked for), each stopping after a page, and the walks are
    /// merged. A plan can then never walk all of a client's orders for one page.
    pub async fn search_orders(
        &self,
        client_id: i64,
        query: &OrderQuery,
        page: PageRequest,
        now: Timestamp,
    ) -> Result<Page<Order>> {
        let mut conn = self.read.acquire().await.map_err(db)?;
        let mut filters = String::new();
        let mut args: Vec<Val> = vec![client_id.into()];
        let arg = |v: Val, args: &mut Vec<Val>| {
            args.push(v);
            format!("${}", args.len())
        };
        if let Some(code) = &query.channel {
            let Some(channel_id) = channel_id(&mut conn, client_id, code).await? else {
                return Ok(Page::from_rows(Vec::new(), page.limit));
            };
            filters.push_str(&format!(" AND o.channel_id = {}", arg(channel_id.into(), &mut args)));
        }
        if let Some(k) = query.kind {
            filters.push_str(&format!(" AND o.kind = {}", arg(k.as_str().into(), &mut args)));
        }
        if let Some(t) = query.created_from {
            filters.push_str(&format!(" AND o.created_at >= {}", arg(t.micros().into(), &mut args)));
        }
        if let Some(t) = query.created_to {
            filters.push_str(&format!(" AND o.created_at < {}", arg(t.micros().into(), &mut args)));
        }
        if let Some(after) = page.after {
            filters.push_str(&format!(" AND o.id < {}", arg(after.into(), &mut args)));
        }
        let statuses = if query.statuses.is_empty() { OrderStatus::ALL.to_vec() } else { query.statuses.clone() };
        let limit = arg((page.limit + 1).into(), &mut args);
        let sql = match query.q.as_ref().map(|q| q.trim()).filter(|q| !q.is_empty()) {
            Some(q) => {
                let named = orders_named(&mut conn, client_id, q).await?;
                if named.is_empty() {
                    return Ok(Page::from_rows(Vec::new(), page.limit));
                }
                let ids: Vec<String> = named.into_iter().map(|id| arg(id.into(), &mut args)).collect();
                let list: Vec<String> = statuses.iter().map(|s| arg(s.as_str().into(), &mut args)).collect();
                // `+o.client_id`: the client is checked on the few rows the ids name, never used to
                // walk the client's orders.
                format!(
                    "SELECT o.id FROM orders o WHERE o.id IN ({}) AND +o.client_id = $1 AND o.status IN ({}){filters} \
                     ORDER BY o.id DESC LIMIT {limit}",
                    ids.join(", "),
                    list.join(", ")
                )
            }
            None => {
                let walks: Vec<String> = statuses
                    .iter()
                    .enumerate()
                    .map(|(n, s)| {
                        let p = arg(s.as_str().into(), &mut args);
                        format!(
                            "SELECT id FROM (SELECT o.id FROM orders o WHERE o.client_id = $1 AND o.status = {p}{filters} \
                             ORDER BY o.id DESC LIMIT {limit}) AS walk{n}"
                        )
                    })
                    .collect();
                format!("{} ORDER BY id DESC LIMIT {limit}", walks.join(" UNION ALL "))
            }
        };
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
        let floor = floor_facts(&mut conn, client_id, &o).await?;
        let purchase_order = crate::purchase_orders::explain_facts(&mut conn, client_id, &o).await?;
        Ok(OrderFacts {
            purchase_order,
            channel: o.channel.clone(),
            floor,
            status: o.core.status(),
            kind: o.core.kind,
            fulfillment_type: o.core.fulfillment_type,
            pool: o.pool,
            warehouse: o.warehouse.clone(),
            hold: o.core.hold_reason(now),
            dispatch_after: o.core.holds.dispatch_after,
            replacement_of: o.replacement_of.clone(),
            start_processing_at: o.header.start_processing_at,
            marketplace_status: o.header.marketplace_status.clone(),
            closing: o.core.closing,
            now,
            skus,
        })
    }
}

/// Where a released order stands in the warehouse: its last picklist, units picked, a label the
/// marketplace still makes, its shipment and manifest, and the handover message to the marketplace.
/// Each is a lookup by the order's id or the manifest's.
async fn floor_facts(
    conn: &mut sqlx::AnyConnection,
    client_id: i64,
    o: &crate::allocation::LoadedOrder,
) -> Result<ordo_domain::explain::FloorFacts> {
    use ordo_domain::explain::FloorFacts;
    let mut f = FloorFacts {
        picked: o.core.lines.iter().map(|l| l.picked).sum(),
        to_pick: o.core.lines.iter().map(|l| l.allocated - l.picked).sum(),
        ..FloorFacts::default()
    };
    let row = sqlx::query("SELECT max(picklist_id) AS picklist FROM picklist_lines WHERE order_id = $1")
        .bind(o.id)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    f.picklist = col::<Option<i64>>(&row, "picklist")?.map(|p| p.to_string());
    let row =
        sqlx::query("SELECT label_requested_at FROM orders WHERE id = $1").bind(o.id).fetch_one(&mut *conn).await.map_err(db)?;
    f.label_requested_at = crate::rows::opt_time(&row, "label_requested_at")?;
    let shipment = sqlx::query(
        "SELECT s.id, s.awb, s.status, s.complete, s.manifest_id, m.status AS manifest_status FROM shipments s \
         LEFT JOIN manifests m ON m.id = s.manifest_id WHERE s.client_id = $1 AND s.order_id = $2",
    )
    .bind(client_id)
    .bind(o.id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    if let Some(r) = shipment {
        let complete: i64 = col(&r, "complete")?;
        f.shipment = Some((col::<i64>(&r, "id")?.to_string(), col(&r, "awb")?, col(&r, "status")?, complete == 0));
        if let Some(m) = col::<Option<i64>>(&r, "manifest_id")? {
            f.manifest = Some((m.to_string(), col(&r, "manifest_status")?));
        }
    }
    let handed_over = sqlx::query(
        "SELECT DISTINCT s.manifest_id FROM shipments s WHERE s.client_id = $1 AND s.order_id = $2 AND s.status = 'DISPATCHED'",
    )
    .bind(client_id)
    .bind(o.id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    if let Some(r) = handed_over
        && let Some(m) = col::<Option<i64>>(&r, "manifest_id")?
    {
        let told = sqlx::query("SELECT status, last_error FROM outbox WHERE client_id = $1 AND dedupe_key = $2")
            .bind(client_id)
            .bind(format!("hand-over-{m}"))
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        if let Some(t) = told {
            f.told = Some((col(&t, "status")?, col(&t, "last_error")?));
        }
    }
    Ok(f)
}

/// The id of the client's channel `code`, if it has one.
async fn channel_id(conn: &mut sqlx::AnyConnection, client_id: i64, code: &str) -> Result<Option<i64>> {
    let row = sqlx::query("SELECT id FROM channels WHERE client_id = $1 AND code = $2")
        .bind(client_id)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    row.map(|r| col(&r, "id")).transpose()
}

/// The ids of the client's orders that `q` names: as Ordo's id, the marketplace's order id, the
/// parent order id, a marketplace line id, or the AWB or invoice number of one of its shipments. Each
/// is an equality on an index that leads with that id (or with the client and that id), so each finds
/// its few rows whatever the statistics say.
async fn orders_named(conn: &mut sqlx::AnyConnection, client_id: i64, q: &str) -> Result<Vec<i64>> {
    let mut sql = String::from(
        "SELECT id FROM orders WHERE channel_order_id = $2 AND +client_id = $1 \
         UNION SELECT id FROM orders WHERE client_id = $1 AND parent_order_id = $2 \
         UNION SELECT order_id AS id FROM order_lines WHERE client_id = $1 AND channel_line_id = $2 \
         UNION SELECT order_id AS id FROM shipments WHERE client_id = $1 AND awb = $2 \
         UNION SELECT order_id AS id FROM shipments WHERE client_id = $1 AND invoice_number = $2",
    );
    let number = q.parse::<i64>().ok();
    if number.is_some() {
        sql.push_str(" UNION SELECT id FROM orders WHERE id = $3 AND +client_id = $1");
    }
    let mut query = sqlx::query(&sql).bind(client_id).bind(q);
    if let Some(n) = number {
        query = query.bind(n);
    }
    query.fetch_all(&mut *conn).await.map_err(db)?.iter().map(|r| col(r, "id")).collect()
}
