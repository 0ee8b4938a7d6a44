//! Shipments (SPEC.md §11.3): what packing needs to know of an order, the shipment it makes in one
//! transaction — its invoice number and AWB taken from their series there, so none is lost or used
//! twice — the e-invoice that completes a B2B one, and reading shipments and their documents.

use crate::allocation::{load_orders, save_orders};
use crate::db::db;
use crate::rows::{FromRow, col, id_text, opt_id_text, opt_json, opt_time, time, word};
use crate::sql::{Val, Writes};
use crate::warehouses::WAREHOUSE_COLUMNS;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::kinds::{ChannelType, DocumentKind, OrderStatus, ShipmentStatus};
use ordo_domain::model::{Order, Warehouse};
use ordo_domain::shipping::{DocumentRef, EInvoice, Shipment, ShipmentLine};
use ordo_domain::{DomainError, Timestamp};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Transaction};
use std::collections::HashMap;

/// An article as documents print it.
#[derive(Debug, Clone, Default)]
pub struct Article {
    pub name: String,
    pub ean: Option<String>,
    pub hsn: Option<String>,
    /// Hundredths of a percent.
    pub tax_rate: Option<i64>,
    pub weight_grams: Option<i64>,
}

/// Everything packing reads of an order before it packs it.
#[derive(Debug, Clone)]
pub struct PackContext {
    pub order: Order,
    pub order_id: i64,
    pub channel_type: ChannelType,
    pub channel_settings: Value,
    pub warehouse: Warehouse,
    /// The order's articles, by SKU code.
    pub articles: HashMap<String, Article>,
    /// The order's shipment, if packing made one already (complete or waiting for its e-invoice).
    pub shipment: Option<StoredShipment>,
    /// The marketplace's own record of the order, as last seen.
    pub marketplace_payload: Value,
}

/// A shipment with what only Ordo sees of it.
#[derive(Debug, Clone)]
pub struct StoredShipment {
    pub shipment: Shipment,
    pub id: i64,
    /// False while it waits for its e-invoice (not shown; the order not PACKED yet).
    pub complete: bool,
    /// What Ordo's own documents are made of.
    pub document_data: Value,
    pub e_invoice: Option<EInvoice>,
    pub invoice_source: String,
    pub label_source: String,
    pub dimensions: Option<Value>,
    pub channel_type: ChannelType,
}

/// Ordo's own invoice number, taken from the warehouse's series for the financial year.
pub struct InvoiceNumbering {
    /// The series' year (`2026-27`).
    pub financial_year: String,
    /// The number with running number `n` (from 1).
    pub format: Box<dyn Fn(i64) -> std::result::Result<String, String> + Send + Sync>,
}

/// A shipment to make.
pub struct NewShipment {
    pub order_id: i64,
    /// The marketplace's AWB and carrier; `None` takes the next AWB of the warehouse's series.
    pub awb: Option<(String, String)>,
    /// The marketplace's invoice number; `None` with `numbering` takes Ordo's next.
    pub invoice_number: Option<String>,
    pub numbering: Option<InvoiceNumbering>,
    /// `YYYY-MM-DD`.
    pub invoice_date: Option<String>,
    /// `ordo`, or the marketplace that made the document.
    pub invoice_source: String,
    pub label_source: String,
    pub weight_grams: Option<i64>,
    pub dimensions: Option<Value>,
    pub document_data: Value,
    /// False when an e-invoice must still be registered before the order is PACKED.
    pub complete: bool,
    /// Marketplace documents as received: (kind, media type, bytes).
    pub documents: Vec<(DocumentKind, String, Vec<u8>)>,
}

/// Which shipments to list.
#[derive(Debug, Clone, Default)]
pub struct ShipmentFilter {
    pub status: Option<ShipmentStatus>,
    pub channel: Option<String>,
    pub warehouse: Option<String>,
    pub manifest: Option<i64>,
    /// An order's id: its shipment (an order has at most one).
    pub order: Option<i64>,
}

const SHIPMENT_SELECT: &str = "SELECT s.id, s.order_id, c.code AS channel, c.type AS channel_type, w.code AS warehouse, s.status, \
     s.complete, s.awb, s.carrier, s.invoice_number, s.invoice_date, s.invoice_source, s.label_source, s.manifest_id, s.weight_grams, \
     s.dimensions, s.document_data, s.e_invoice, s.created_at, s.dispatched_at FROM shipments s \
     JOIN channels c ON c.id = s.channel_id JOIN warehouses w ON w.id = s.warehouse_id";

/// The documents a shipment has, and where to fetch them.
fn documents(id: &str, invoice_source: &str, label_source: &str, e_invoice: bool) -> Vec<DocumentRef> {
    let url = |file: &str| format!("/api/v1/shipments/{id}/{file}");
    let mut docs = vec![
        DocumentRef { kind: DocumentKind::Invoice, format: "pdf".into(), source: invoice_source.into(), url: url("invoice.pdf") },
        DocumentRef { kind: DocumentKind::Label, format: "pdf".into(), source: label_source.into(), url: url("label.pdf") },
    ];
    if e_invoice {
        docs.push(DocumentRef {
            kind: DocumentKind::EInvoice,
            format: "json".into(),
            source: "ordo".into(),
            url: url("e-invoice"),
        });
    }
    docs
}

impl FromRow for StoredShipment {
    fn from_row(r: &AnyRow) -> Result<Self> {
        let id: i64 = col(r, "id")?;
        let e_invoice: Option<EInvoice> = opt_json(r, "e_invoice")?;
        let (invoice_source, label_source): (String, String) = (col(r, "invoice_source")?, col(r, "label_source")?);
        let shipment = Shipment {
            id: id.to_string(),
            order_id: id_text(r, "order_id")?,
            channel: col(r, "channel")?,
            warehouse: col(r, "warehouse")?,
            status: word(r, "status", ShipmentStatus::parse)?,
            awb: col(r, "awb")?,
            carrier: col(r, "carrier")?,
            invoice_number: col(r, "invoice_number")?,
            invoice_date: col(r, "invoice_date")?,
            manifest_id: opt_id_text(r, "manifest_id")?,
            weight_grams: col(r, "weight_grams")?,
            lines: Vec::new(),
            documents: documents(&id.to_string(), &invoice_source, &label_source, e_invoice.is_some()),
            created_at: time(r, "created_at")?,
            dispatched_at: opt_time(r, "dispatched_at")?,
        };
        Ok(StoredShipment {
            shipment,
            id,
            complete: col::<i64>(r, "complete")? != 0,
            document_data: opt_json(r, "document_data")?.unwrap_or(Value::Null),
            e_invoice,
            invoice_source,
            label_source,
            dimensions: opt_json(r, "dimensions")?,
            channel_type: word(r, "channel_type", ChannelType::parse)?,
        })
    }
}

/// Reads shipments by `condition` (on `s`, with `$1` the client) and their lines.
pub(crate) async fn load_shipments(conn: &mut AnyConnection, condition: &str, args: &[Val]) -> Result<Vec<StoredShipment>> {
    let sql = format!("{SHIPMENT_SELECT} WHERE {condition}");
    let mut q = sqlx::query(&sql);
    for a in args {
        q = crate::sql::bind_one(q, a);
    }
    let mut shipments: Vec<StoredShipment> =
        q.fetch_all(&mut *conn).await.map_err(db)?.iter().map(StoredShipment::from_row).collect::<Result<_>>()?;
    if shipments.is_empty() {
        return Ok(shipments);
    }
    let ids: Vec<i64> = shipments.iter().map(|s| s.id).collect();
    let sql = format!(
        "SELECT sl.shipment_id, sl.order_line_id, k.sku, sl.qty FROM shipment_lines sl JOIN order_lines l ON l.id = sl.order_line_id \
         JOIN skus k ON k.id = l.sku_id WHERE sl.shipment_id IN ({}) ORDER BY sl.shipment_id, l.line_no",
        crate::sql::in_list(1, ids.len())
    );
    let sql = crate::sql::positional(conn, sql);
    let mut q = sqlx::query(&sql);
    for id in &ids {
        q = q.bind(*id);
    }
    for r in q.fetch_all(&mut *conn).await.map_err(db)? {
        let shipment_id: i64 = col(&r, "shipment_id")?;
        if let Some(s) = shipments.iter_mut().find(|s| s.id == shipment_id) {
            s.shipment.lines.push(ShipmentLine {
                line_id: id_text(&r, "order_line_id")?,
                sku: col(&r, "sku")?,
                qty: col(&r, "qty")?,
            });
        }
    }
    Ok(shipments)
}

/// The next number of the warehouse's invoice series for the year, taken in the caller's
/// transaction: on PostgreSQL the series row stays locked until it commits, so concurrent packers
/// queue here and a rolled-back pack gives its number back — the series has no gaps.
pub(crate) async fn next_invoice_number(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    warehouse_id: i64,
    year: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO invoice_series (client_id, warehouse_id, financial_year, next) VALUES ($1, $2, $3, 2) \
         ON CONFLICT (client_id, warehouse_id, financial_year) DO UPDATE SET next = invoice_series.next + 1 RETURNING next",
    )
    .bind(ctx.client_id)
    .bind(warehouse_id)
    .bind(year)
    .fetch_one(&mut **tx)
    .await
    .map_err(db)?;
    Ok(col::<i64>(&row, "next")? - 1)
}

/// The next AWB of the warehouse's series and its carrier, taken in the caller's transaction.
async fn next_awb(tx: &mut Transaction<'static, Any>, warehouse_id: i64, warehouse: &str) -> Result<(String, String)> {
    let row = sqlx::query(
        "UPDATE warehouses SET awb_next = awb_next + 1 WHERE id = $1 AND awb_prefix IS NOT NULL \
         RETURNING awb_prefix, awb_carrier, awb_next",
    )
    .bind(warehouse_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db)?
    .ok_or_else(|| DomainError::NotConfigured {
        what: "awb-series",
        detail: format!("warehouse {warehouse} has no AWB series: set awb_series with PATCH /api/v1/warehouses/{warehouse}"),
    })?;
    let series = ordo_domain::shipping::AwbSeries {
        carrier: col(&row, "awb_carrier")?,
        prefix: col(&row, "awb_prefix")?,
        next: col(&row, "awb_next")?,
    };
    Ok((series.awb(series.next - 1), series.carrier))
}

impl Store {
    /// What packing reads of an order: the order, its channel and warehouse, its articles, its
    /// shipment if it has one, and the marketplace's record of it.
    pub async fn pack_context(&self, client_id: i64, id: &str, now: Timestamp) -> Result<PackContext> {
        let not_found = || DomainError::NotFound(format!("order '{id}'"));
        let order_id: i64 = id.parse().map_err(|_| not_found())?;
        let mut conn = self.read.acquire().await.map_err(db)?;
        let client = crate::orders::client_code(&mut conn, client_id).await?;
        let loaded = load_orders(self, &mut conn, client_id, &[order_id], false).await?.pop().ok_or_else(not_found)?;
        let row = sqlx::query(&format!(
            "SELECT c.settings AS channel_settings, o.marketplace_payload, {} FROM orders o JOIN channels c ON c.id = o.channel_id \
             JOIN warehouses w ON w.id = o.warehouse_id WHERE o.id = $1",
            WAREHOUSE_COLUMNS.split(", ").map(|c| format!("w.{c}")).collect::<Vec<_>>().join(", ")
        ))
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
        let sku_ids: Vec<Val> = loaded.lines.iter().map(|l| l.sku_id.into()).collect();
        let sql = crate::sql::positional(
            &conn,
            format!(
                "SELECT sku, name, ean, hsn, tax_rate, weight_grams FROM skus WHERE id IN ({})",
                crate::sql::in_list(1, sku_ids.len())
            ),
        );
        let mut q = sqlx::query(&sql);
        for v in &sku_ids {
            q = crate::sql::bind_one(q, v);
        }
        let articles = q
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok((
                    col::<String>(r, "sku")?,
                    Article {
                        name: col(r, "name")?,
                        ean: col(r, "ean")?,
                        hsn: col(r, "hsn")?,
                        tax_rate: col(r, "tax_rate")?,
                        weight_grams: col(r, "weight_grams")?,
                    },
                ))
            })
            .collect::<Result<_>>()?;
        let shipment =
            load_shipments(&mut conn, "s.client_id = $1 AND s.order_id = $2", &[client_id.into(), order_id.into()]).await?.pop();
        Ok(PackContext {
            order: loaded.to_api(&client, now),
            order_id,
            channel_type: loaded.channel_type,
            channel_settings: opt_json(&row, "channel_settings")?.unwrap_or(Value::Null),
            warehouse: Warehouse::from_row(&row)?,
            articles,
            shipment,
            marketplace_payload: opt_json(&row, "marketplace_payload")?.unwrap_or(Value::Null),
        })
    }

    /// Makes the order's shipment of every picked unit, in one transaction: its AWB and Ordo's
    /// invoice number taken from their series, its lines and marketplace documents, and — when
    /// `complete` — the order PACKED. Refused unless the order is PICKED and has no shipment yet.
    pub async fn create_shipment(&self, ctx: &WriteCtx, new: NewShipment) -> Result<(StoredShipment, Order)> {
        let mut w = self.begin(ctx).await?;
        let client = crate::orders::client_code(&mut w.tx, ctx.client_id).await?;
        let mut orders = load_orders(self, &mut w.tx, ctx.client_id, &[new.order_id], true).await?;
        let o = orders.first_mut().ok_or_else(|| DomainError::NotFound(format!("order '{}'", new.order_id)))?;
        if o.core.status() != OrderStatus::Picked {
            return Err(DomainError::Conflict(format!(
                "order {} is {} now: only PICKED orders can be packed",
                o.id,
                o.core.status()
            )));
        }
        let lines: Vec<(i64, i64)> = o.lines.iter().zip(&o.core.lines).map(|(l, q)| (l.id, q.picked - q.packed)).collect();
        if new.complete {
            let (_, change) = o.core.pack().map_err(|e| DomainError::Conflict(e.0))?;
            o.changes.push(change);
        }
        // The AWB and invoice series rows are taken last, just before the commit: on PostgreSQL
        // every packer of the warehouse queues on them until the taker commits, so the fewer
        // statements run after them, the shorter that queue (the shipment is written first
        // without its numbers, then given them).
        let row = sqlx::query(
            "INSERT INTO shipments (client_id, order_id, channel_id, warehouse_id, status, complete, invoice_date, invoice_source, \
             label_source, weight_grams, dimensions, document_data, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'PACKED', $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(ctx.client_id)
        .bind(o.id)
        .bind(o.channel_id)
        .bind(o.warehouse_id)
        .bind(i64::from(new.complete))
        .bind(&new.invoice_date)
        .bind(&new.invoice_source)
        .bind(&new.label_source)
        .bind(new.weight_grams)
        .bind(new.dimensions.as_ref().map(Value::to_string))
        .bind(new.document_data.to_string())
        .bind(ctx.now.micros())
        .fetch_one(&mut *w.tx)
        .await
        .map_err(|e| match db(e) {
            DomainError::Conflict(_) => DomainError::Conflict(format!("order {} was packed already", new.order_id)),
            other => other,
        })?;
        let shipment_id: i64 = col(&row, "id")?;
        let line_rows: Vec<Vec<Val>> =
            lines.iter().filter(|(_, q)| *q > 0).map(|(l, q)| vec![shipment_id.into(), (*l).into(), (*q).into()]).collect();
        let doc_rows: Vec<Vec<Val>> = new
            .documents
            .iter()
            .map(|(kind, media, bytes)| {
                vec![shipment_id.into(), kind.as_str().into(), media.clone().into(), Val::Bytes(bytes.clone())]
            })
            .collect();
        let (warehouse_id, warehouse) = (o.warehouse_id, o.warehouse.clone());
        Writes::apply(&mut w.tx, |writes| {
            writes.insert("shipment_lines", &["shipment_id", "order_line_id", "qty"], line_rows, "");
            writes.insert("shipment_documents", &["shipment_id", "kind", "media_type", "content"], doc_rows, "");
            save_orders(writes, ctx, &mut orders);
        })
        .await?;
        let mut stored = load_shipments(&mut w.tx, "s.id = $1", &[shipment_id.into()])
            .await?
            .pop()
            .ok_or_else(|| DomainError::Internal("the shipment was just written".into()))?;
        let (awb, carrier) = match new.awb.clone() {
            Some(given) => given,
            None => next_awb(&mut w.tx, warehouse_id, &warehouse).await?,
        };
        let invoice_number = match (&new.invoice_number, &new.numbering) {
            (Some(n), _) => Some(n.clone()),
            (None, Some(numbering)) => {
                let n = next_invoice_number(&mut w.tx, ctx, warehouse_id, &numbering.financial_year).await?;
                Some((numbering.format)(n).map_err(|e| DomainError::NotConfigured { what: "document-details", detail: e })?)
            }
            (None, None) => None,
        };
        sqlx::query("UPDATE shipments SET awb = $1, carrier = $2, invoice_number = $3 WHERE id = $4")
            .bind(&awb)
            .bind(&carrier)
            .bind(&invoice_number)
            .bind(shipment_id)
            .execute(&mut *w.tx)
            .await
            .map_err(db)?;
        stored.shipment.awb = Some(awb);
        stored.shipment.carrier = Some(carrier);
        stored.shipment.invoice_number = invoice_number;
        let order = orders[0].to_api(&client, ctx.now);
        w.tx.commit().await.map_err(db)?;
        Ok((stored, order))
    }

    /// Completes a shipment that waited for its e-invoice: stores the e-invoice and packs the order.
    pub async fn complete_shipment(
        &self,
        ctx: &WriteCtx,
        shipment_id: i64,
        e_invoice: &EInvoice,
    ) -> Result<(StoredShipment, Order)> {
        let mut w = self.begin(ctx).await?;
        let client = crate::orders::client_code(&mut w.tx, ctx.client_id).await?;
        let stored = load_shipments(&mut w.tx, "s.client_id = $1 AND s.id = $2", &[ctx.client_id.into(), shipment_id.into()])
            .await?
            .pop()
            .ok_or_else(|| DomainError::NotFound(format!("shipment '{shipment_id}'")))?;
        let order_id: i64 = stored.shipment.order_id.parse().unwrap_or_default();
        let mut orders = load_orders(self, &mut w.tx, ctx.client_id, &[order_id], true).await?;
        let o = orders.first_mut().ok_or_else(|| DomainError::NotFound(format!("order '{order_id}'")))?;
        if !stored.complete {
            let (_, change) = o.core.pack().map_err(|e| DomainError::Conflict(e.0))?;
            o.changes.push(change);
        }
        let e_invoice = serde_json::to_string(e_invoice).map_err(|e| DomainError::Internal(e.to_string()))?;
        Writes::apply(&mut w.tx, |writes| {
            writes.push(
                "UPDATE shipments SET complete = 1, e_invoice = $1, updated_at = $2 WHERE id = $3".into(),
                vec![e_invoice.into(), ctx.now.micros().into(), shipment_id.into()],
            );
            save_orders(writes, ctx, &mut orders);
        })
        .await?;
        let stored = load_shipments(&mut w.tx, "s.id = $1", &[shipment_id.into()])
            .await?
            .pop()
            .ok_or_else(|| DomainError::Internal("the shipment was just written".into()))?;
        let order = orders[0].to_api(&client, ctx.now);
        w.tx.commit().await.map_err(db)?;
        Ok((stored, order))
    }

    /// Records that the marketplace was asked for the order's label and has not made it yet.
    pub async fn mark_label_requested(&self, ctx: &WriteCtx, order_id: i64) -> Result<()> {
        sqlx::query("UPDATE orders SET label_requested_at = coalesce(label_requested_at, $1) WHERE client_id = $2 AND id = $3")
            .bind(ctx.now.micros())
            .bind(ctx.client_id)
            .bind(order_id)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// One complete shipment.
    pub async fn shipment(&self, client_id: i64, id: &str) -> Result<StoredShipment> {
        let not_found = || DomainError::NotFound(format!("shipment '{id}'"));
        let n: i64 = id.parse().map_err(|_| not_found())?;
        let mut conn = self.read.acquire().await.map_err(db)?;
        load_shipments(&mut conn, "s.client_id = $1 AND s.id = $2 AND s.complete = 1", &[client_id.into(), n.into()])
            .await?
            .pop()
            .ok_or_else(not_found)
    }

    /// The client's complete shipments, newest first.
    pub async fn list_shipments(&self, client_id: i64, filter: &ShipmentFilter, page: PageRequest) -> Result<Page<Shipment>> {
        let mut condition = String::from("s.client_id = $1 AND s.complete = 1 AND s.id < $2");
        let mut args: Vec<Val> = vec![client_id.into(), page.after.unwrap_or(i64::MAX).into()];
        let mut arg = |c: &str, v: Val, condition: &mut String| {
            args.push(v);
            condition.push_str(&format!(" AND {c} = ${}", args.len()));
        };
        if let Some(s) = filter.status {
            arg("s.status", s.as_str().into(), &mut condition);
        }
        if let Some(c) = &filter.channel {
            arg("c.code", c.clone().into(), &mut condition);
        }
        if let Some(w) = &filter.warehouse {
            arg("w.code", w.clone().into(), &mut condition);
        }
        if let Some(m) = filter.manifest {
            arg("s.manifest_id", m.into(), &mut condition);
        }
        if let Some(o) = filter.order {
            arg("s.order_id", o.into(), &mut condition);
        }
        args.push((page.limit + 1).into());
        condition.push_str(&format!(" ORDER BY s.id DESC LIMIT ${}", args.len()));
        let mut conn = self.read.acquire().await.map_err(db)?;
        let shipments = load_shipments(&mut conn, &condition, &args).await?;
        Ok(Page::from_rows(shipments.into_iter().map(|s| (s.id, s.shipment)).collect(), page.limit))
    }

    /// A document the marketplace made for a shipment, as received: (media type, bytes).
    pub async fn shipment_document(&self, client_id: i64, id: &str, kind: DocumentKind) -> Result<Option<(String, Vec<u8>)>> {
        let shipment = self.shipment(client_id, id).await?;
        let row = sqlx::query("SELECT media_type, content FROM shipment_documents WHERE shipment_id = $1 AND kind = $2")
            .bind(shipment.id)
            .bind(kind.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(db)?;
        row.map(|r| Ok((col(&r, "media_type")?, col(&r, "content")?))).transpose()
    }
}
