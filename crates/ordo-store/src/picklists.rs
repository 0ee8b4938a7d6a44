//! Picklists: FULFILLABLE orders of a warehouse released for picking (→ PROCESSING), only after
//! their start processing time.

use crate::allocation::{load_orders, save_orders};
use crate::db::db;
use crate::purchase_orders::{awaiting_erp_invoice, awaiting_words, erp_channels, released_by_erp_condition};
use crate::rows::{FromRow, col, id_text, time, word};
use crate::sql::{Val, Writes};
use crate::tx::idempotent;
use crate::warehouses::warehouse_id;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::kinds::{OrderStatus, PicklistStatus};
use ordo_domain::model::{Picklist, PicklistLine};
use ordo_domain::{DomainError, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Transaction};

/// Which orders to release.
#[derive(Debug, Clone)]
pub struct PicklistRequest {
    pub warehouse: String,
    /// These orders (Ordo ids); all releasable orders of the warehouse, oldest first, when absent.
    pub orders: Option<Vec<i64>>,
    /// At most this many orders.
    pub limit: i64,
    /// Only orders of this channel (its code), when the orders are not named.
    pub channel: Option<String>,
}

/// Reads a picklist's head; its orders and lines are read apart.
impl FromRow for Picklist {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Picklist {
            id: id_text(r, "id")?,
            warehouse: col(r, "warehouse")?,
            status: word(r, "status", PicklistStatus::parse)?,
            orders: Vec::new(),
            lines: Vec::new(),
            created_at: time(r, "created_at")?,
        })
    }
}

impl FromRow for PicklistLine {
    fn from_row(r: &AnyRow) -> Result<Self> {
        let (allocated, picked): (i64, i64) = (col(r, "allocated")?, col(r, "picked")?);
        Ok(PicklistLine {
            order_id: id_text(r, "order_id")?,
            line_id: id_text(r, "order_line_id")?,
            sku: col(r, "sku")?,
            ean: col(r, "ean")?,
            qty: col(r, "qty")?,
            picked,
            short: col(r, "short")?,
            open: allocated - picked,
        })
    }
}

/// A picklist's columns as [`Picklist::from_row`] reads them (`p`, its warehouse `w`).
const PICKLIST_SELECT: &str =
    "SELECT p.id, w.code AS warehouse, p.status, p.created_at FROM picklists p JOIN warehouses w ON w.id = p.warehouse_id";

/// The lines of picklist `id`: what was released, with each order line's progress (an order is on
/// one picklist, so what its line has picked is what this picklist has).
pub(crate) async fn picklist_lines(conn: &mut AnyConnection, id: i64) -> Result<Vec<PicklistLine>> {
    let rows = sqlx::query(
        "SELECT pl.order_id, pl.order_line_id, s.sku, s.ean, pl.qty, pl.short, l.allocated, l.picked FROM picklist_lines pl \
         JOIN order_lines l ON l.id = pl.order_line_id JOIN skus s ON s.id = l.sku_id WHERE pl.picklist_id = $1 \
         ORDER BY pl.order_id, pl.order_line_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    rows.iter().map(PicklistLine::from_row).collect()
}

pub(crate) async fn load_picklist(conn: &mut AnyConnection, client_id: i64, id: i64) -> Result<Option<Picklist>> {
    let sql = format!("{PICKLIST_SELECT} WHERE p.client_id = $1 AND p.id = $2");
    let Some(head) = sqlx::query(&sql).bind(client_id).bind(id).fetch_optional(&mut *conn).await.map_err(db)? else {
        return Ok(None);
    };
    let lines = picklist_lines(conn, id).await?;
    let mut orders: Vec<String> = lines.iter().map(|l| l.order_id.clone()).collect();
    orders.dedup();
    Ok(Some(Picklist { orders, lines, ..Picklist::from_row(&head)? }))
}

/// Which picklists to list.
#[derive(Debug, Clone, Default)]
pub struct PicklistFilter {
    pub warehouse: Option<String>,
    pub status: Option<PicklistStatus>,
}

impl Store {
    /// Releases orders to a new picklist in one transaction. Named orders that can't be released
    /// (not FULFILLABLE, before their start processing time, another warehouse) refuse the whole
    /// request; without names, only releasable orders are taken.
    pub async fn release_picklist(&self, ctx: &WriteCtx, req: PicklistRequest) -> Result<Picklist> {
        idempotent!(self, ctx, |w| { self.release_picklist_in_tx(&mut w.tx, ctx, req).await })
    }

    pub(crate) async fn release_picklist_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &WriteCtx,
        req: PicklistRequest,
    ) -> Result<Picklist> {
        let wh = warehouse_id(tx, ctx.client_id, &req.warehouse, "warehouse").await?;
        let named = req.orders.is_some();
        let ids: Vec<i64> = match &req.orders {
            Some(ids) => ids.clone(),
            None => {
                // Ajio orders waiting for the ERP's invoice of their purchase order are left out
                // here, in the query, so they never take the places of releasable ones in `limit`.
                let erp = erp_channels(tx, ctx.client_id).await?;
                let channel = match &req.channel {
                    Some(code) => Some(channel_of(tx, ctx.client_id, code).await?),
                    None => None,
                };
                let mut next = 5 + erp.len();
                let channel_condition = match channel {
                    Some(_) => {
                        next += 1;
                        format!(" AND channel_id = ${}", next - 1)
                    }
                    None => String::new(),
                };
                let sql = format!(
                    "SELECT id FROM orders WHERE client_id = $1 AND warehouse_id = $2 AND status = $3 \
                     AND (start_processing_at IS NULL OR start_processing_at <= $4){}{channel_condition} ORDER BY created_at, id LIMIT ${next}",
                    released_by_erp_condition("orders", 5, &erp),
                );
                let mut q =
                    sqlx::query(&sql).bind(ctx.client_id).bind(wh).bind(OrderStatus::Fulfillable.as_str()).bind(ctx.now.micros());
                for c in &erp {
                    q = q.bind(*c);
                }
                if let Some(c) = channel {
                    q = q.bind(c);
                }
                q.bind(req.limit).fetch_all(&mut **tx).await.map_err(db)?.iter().map(|r| col(r, "id")).collect::<Result<_>>()?
            }
        };
        let mut orders = load_orders(self, tx, ctx.client_id, &ids, true).await?;
        if named && orders.len() != ids.len() {
            let missing: Vec<String> =
                ids.iter().filter(|id| !orders.iter().any(|o| o.id == **id)).map(|id| id.to_string()).collect();
            return Err(DomainError::field("orders", format!("no order {}", missing.join(", "))));
        }
        // With an ERP, what an Ajio purchase order covers is released only once the ERP has invoiced
        // it (SPEC §13.2): a named order still waiting refuses the request, like any order not ready.
        if named {
            let waiting = awaiting_erp_invoice(tx, ctx.client_id, &ids).await?;
            if let Some((id, po)) = waiting.first() {
                let coid = orders.iter().find(|o| o.id == *id).map(|o| o.channel_order_id.as_str()).unwrap_or_default();
                return Err(DomainError::Conflict(awaiting_words(*id, coid, po.as_ref())));
            }
        }
        let mut lines = Vec::new();
        for o in orders.iter_mut() {
            if o.warehouse_id != wh {
                return Err(DomainError::field("orders", format!("order {} is served from warehouse {}", o.id, o.warehouse)));
            }
            let (to_pick, change) = o
                .core
                .release(ctx.now, o.header.start_processing_at)
                .map_err(|e| DomainError::Conflict(format!("order {}: {}", o.id, e.0)))?;
            o.changes.push(change);
            for (l, qty) in o.lines.iter().zip(to_pick) {
                if qty > 0 {
                    lines.push((o.id, l.id, qty));
                }
            }
        }
        if orders.is_empty() {
            return Err(DomainError::Conflict(format!(
                "no order of warehouse {} is ready for picking (FULFILLABLE and past its start processing time)",
                req.warehouse
            )));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO picklists (client_id, warehouse_id, status, created_at) VALUES ($1, $2, 'OPEN', $3) RETURNING id",
        )
        .bind(ctx.client_id)
        .bind(wh)
        .bind(ctx.now.micros())
        .fetch_one(&mut **tx)
        .await
        .map_err(db)
        .and_then(|r| col(&r, "id"))?;
        let rows: Vec<Vec<Val>> =
            lines.iter().map(|(o, l, q)| vec![id.into(), ctx.client_id.into(), (*o).into(), (*l).into(), (*q).into()]).collect();
        Writes::apply(tx, |w| {
            w.insert("picklist_lines", &["picklist_id", "client_id", "order_id", "order_line_id", "qty"], rows, "");
            save_orders(w, ctx, &mut orders);
        })
        .await?;
        load_picklist(tx, ctx.client_id, id).await?.ok_or_else(|| DomainError::Internal("the picklist was just written".into()))
    }

    /// One picklist.
    pub async fn picklist(&self, client_id: i64, id: &str) -> Result<Picklist> {
        let not_found = || DomainError::NotFound(format!("picklist '{id}'"));
        let n: i64 = id.parse().map_err(|_| not_found())?;
        let mut conn = self.read.acquire().await.map_err(db)?;
        load_picklist(&mut conn, client_id, n).await?.ok_or_else(not_found)
    }

    /// The client's picklists, newest first, with their lines.
    pub async fn list_picklists(&self, client_id: i64, filter: &PicklistFilter, page: PageRequest) -> Result<Page<Picklist>> {
        let mut sql = format!("{PICKLIST_SELECT} WHERE p.client_id = $1 AND p.id < $2");
        if filter.warehouse.is_some() {
            sql.push_str(" AND w.code = $4");
        }
        if filter.status.is_some() {
            sql.push_str(if filter.warehouse.is_some() { " AND p.status = $5" } else { " AND p.status = $4" });
        }
        sql.push_str(" ORDER BY p.id DESC LIMIT $3");
        let mut q = sqlx::query(&sql).bind(client_id).bind(page.after.unwrap_or(i64::MAX)).bind(page.limit + 1);
        if let Some(w) = &filter.warehouse {
            q = q.bind(w.as_str());
        }
        if let Some(s) = filter.status {
            q = q.bind(s.as_str());
        }
        let mut conn = self.read.acquire().await.map_err(db)?;
        let heads = q.fetch_all(&mut *conn).await.map_err(db)?;
        let mut rows = Vec::with_capacity(heads.len());
        for head in &heads {
            let id: i64 = col(head, "id")?;
            let lines = picklist_lines(&mut conn, id).await?;
            let mut orders: Vec<String> = lines.iter().map(|l| l.order_id.clone()).collect();
            orders.dedup();
            rows.push((id, Picklist { orders, lines, ..Picklist::from_row(head)? }));
        }
        Ok(Page::from_rows(rows, page.limit))
    }

    /// Releases the B2C orders a B2B order covers (Ajio without an ERP: picking starts once the
    /// B2B order is in). Orders not releasable yet are left as they are.
    pub async fn release_covered_orders(&self, ctx: &WriteCtx, b2b_order_id: i64) -> Result<Option<Picklist>> {
        let mut tx = self.begin(ctx).await?;
        let rows = sqlx::query(
            "SELECT o.id, w.code AS warehouse FROM order_links l JOIN orders o ON o.id = l.linked_order_id JOIN warehouses w ON w.id = o.warehouse_id \
             WHERE l.client_id = $1 AND l.order_id = $2 AND o.status = $3 AND (o.start_processing_at IS NULL OR o.start_processing_at <= $4)",
        )
        .bind(ctx.client_id)
        .bind(b2b_order_id)
        .bind(OrderStatus::Fulfillable.as_str())
        .bind(ctx.now.micros())
        .fetch_all(&mut *tx.tx)
        .await
        .map_err(db)?;
        let Some(first) = rows.first() else { return Ok(None) };
        let warehouse: String = col(first, "warehouse")?;
        let mut ids: Vec<i64> = Vec::with_capacity(rows.len());
        for r in &rows {
            if col::<&str>(r, "warehouse")? == warehouse {
                ids.push(col(r, "id")?);
            }
        }
        let picklist = self
            .release_picklist_in_tx(&mut tx.tx, ctx, PicklistRequest { warehouse, orders: Some(ids), limit: 1000, channel: None })
            .await?;
        tx.commit(&()).await?;
        Ok(Some(picklist))
    }

    /// B2B orders of a channel created since `since` that cover B2C orders.
    pub async fn covering_orders_since(&self, client_id: i64, channel_id: i64, since: Timestamp) -> Result<Vec<i64>> {
        let sql = "SELECT DISTINCT o.id FROM orders o JOIN order_links l ON l.order_id = o.id WHERE o.client_id = $1 AND o.channel_id = $2 AND o.created_at >= $3";
        let rows =
            sqlx::query(sql).bind(client_id).bind(channel_id).bind(since.micros()).fetch_all(&self.read).await.map_err(db)?;
        rows.iter().map(|r| col(r, "id")).collect()
    }
}

/// The id of a channel of the client, or a validation error on `channel`.
async fn channel_of(tx: &mut Transaction<'static, Any>, client_id: i64, code: &str) -> Result<i64> {
    sqlx::query("SELECT id FROM channels WHERE client_id = $1 AND code = $2")
        .bind(client_id)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?
        .map(|r| col(&r, "id"))
        .transpose()?
        .ok_or_else(|| DomainError::field("channel", format!("no channel '{code}'")))
}
