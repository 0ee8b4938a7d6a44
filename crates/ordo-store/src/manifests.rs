//! Manifests and handover (SPEC.md §11.4): packed shipments of one warehouse and channel gathered
//! for one handover; at handover their orders are DISPATCHED (or COMPLETED when short-closed), the
//! units leave stock (ledger DISPATCH), and the marketplace is told through the outbox.

use crate::allocation::{KeyedLine, LoadedOrder, load_orders, lock_stock, save_orders, write_stock_changes};
use crate::db::db;
use crate::rows::{FromRow, col, id_text, opt_time, time, word};
use crate::shipments::{StoredShipment, load_shipments};
use crate::sql::{Val, Writes, in_list};
use crate::tx::idempotent;
use crate::warehouses::warehouse_id;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::DomainError;
use ordo_domain::inventory::LedgerLine;
use ordo_domain::kinds::{LedgerKind, ManifestStatus, ShipmentStatus, UnitStatus};
use ordo_domain::shipping::Manifest;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::{BTreeSet, HashMap};

/// A manifest to make: every PACKED shipment of the warehouse and channel (and carrier) on no
/// manifest yet, or the ones named by AWB.
#[derive(Debug, Clone)]
pub struct NewManifest {
    pub warehouse: String,
    pub channel: String,
    pub carrier: Option<String>,
    pub awbs: Option<Vec<String>>,
}

/// What a handover did: the manifest, and its shipments as they left (for the marketplace).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Handover {
    pub manifest: Manifest,
    /// Whether this call handed it over (false when it had been handed over before).
    pub handed_over_now: bool,
}

/// Which manifests to list.
#[derive(Debug, Clone, Default)]
pub struct ManifestFilter {
    pub warehouse: Option<String>,
    pub status: Option<ManifestStatus>,
}

const MANIFEST_SELECT: &str = "SELECT m.id, w.code AS warehouse, c.code AS channel, m.carrier, m.status, m.created_at, \
     m.handed_over_at FROM manifests m JOIN warehouses w ON w.id = m.warehouse_id JOIN channels c ON c.id = m.channel_id";

impl FromRow for Manifest {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Manifest {
            id: id_text(r, "id")?,
            warehouse: col(r, "warehouse")?,
            channel: col(r, "channel")?,
            carrier: col(r, "carrier")?,
            status: word(r, "status", ManifestStatus::parse)?,
            shipments: Vec::new(),
            created_at: time(r, "created_at")?,
            handed_over_at: opt_time(r, "handed_over_at")?,
        })
    }
}

/// A manifest with its shipments' ids.
async fn load_manifest(conn: &mut sqlx::AnyConnection, client_id: i64, id: i64) -> Result<Option<Manifest>> {
    let sql = format!("{MANIFEST_SELECT} WHERE m.client_id = $1 AND m.id = $2");
    let Some(row) = sqlx::query(&sql).bind(client_id).bind(id).fetch_optional(&mut *conn).await.map_err(db)? else {
        return Ok(None);
    };
    let ids = sqlx::query("SELECT id FROM shipments WHERE manifest_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?
        .iter()
        .map(|r| id_text(r, "id"))
        .collect::<Result<_>>()?;
    Ok(Some(Manifest { shipments: ids, ..Manifest::from_row(&row)? }))
}

fn not_found(id: i64) -> DomainError {
    DomainError::NotFound(format!("manifest '{id}'"))
}

/// The open manifest `id`, for a change: refused once handed over.
async fn open_manifest(tx: &mut Transaction<'static, Any>, ctx: &WriteCtx, id: i64) -> Result<Manifest> {
    let manifest = load_manifest(tx, ctx.client_id, id).await?.ok_or_else(|| not_found(id))?;
    if manifest.status != ManifestStatus::Open {
        return Err(DomainError::Conflict(format!("manifest {id} was handed over already")));
    }
    Ok(manifest)
}

/// Why a shipment can't go on a manifest of `warehouse` and `channel`, if it can't.
fn unfit(s: &StoredShipment, warehouse: &str, channel: &str, manifest_id: Option<&str>) -> Option<String> {
    let awb = s.shipment.awb.clone().unwrap_or_default();
    if s.shipment.manifest_id.is_some() && s.shipment.manifest_id.as_deref() != manifest_id {
        return Some(format!("shipment {awb} is on manifest {} already", s.shipment.manifest_id.clone().unwrap_or_default()));
    }
    if s.shipment.status != ShipmentStatus::Packed {
        return Some(format!("shipment {awb} is {}, not PACKED", s.shipment.status));
    }
    if s.shipment.warehouse != warehouse {
        return Some(format!("shipment {awb} is of warehouse {}, not {warehouse}", s.shipment.warehouse));
    }
    if s.shipment.channel != channel {
        return Some(format!("shipment {awb} is of channel {}, not {channel}", s.shipment.channel));
    }
    None
}

impl Store {
    /// Makes an OPEN manifest of the named shipments, or of every PACKED shipment of the warehouse
    /// and channel (and carrier) that is on no manifest yet.
    pub async fn create_manifest(&self, ctx: &WriteCtx, new: NewManifest) -> Result<Manifest> {
        idempotent!(self, ctx, |w| {
            let wh = warehouse_id(&mut w.tx, ctx.client_id, &new.warehouse, "warehouse").await?;
            let channel = sqlx::query("SELECT id FROM channels WHERE client_id = $1 AND code = $2")
                .bind(ctx.client_id)
                .bind(&new.channel)
                .fetch_optional(&mut *w.tx)
                .await
                .map_err(db)?
                .ok_or_else(|| DomainError::field("channel", format!("no channel '{}'", new.channel)))?;
            let channel_id: i64 = col(&channel, "id")?;
            let mut args: Vec<Val> = vec![ctx.client_id.into(), wh.into(), channel_id.into()];
            let mut condition = String::from("s.client_id = $1 AND s.warehouse_id = $2 AND s.channel_id = $3 AND s.complete = 1");
            if let Some(awbs) = &new.awbs {
                condition.push_str(&format!(" AND s.awb IN ({})", in_list(4, awbs.len())));
                args.extend(awbs.iter().map(|a| a.clone().into()));
            } else {
                condition.push_str(" AND s.status = 'PACKED' AND s.manifest_id IS NULL");
                if let Some(c) = &new.carrier {
                    args.push(c.clone().into());
                    condition.push_str(&format!(" AND s.carrier = ${}", args.len()));
                }
            }
            let shipments = load_shipments(&mut w.tx, &condition, &args).await?;
            if let Some(awbs) = &new.awbs {
                let mut errors = Vec::new();
                for (i, awb) in awbs.iter().enumerate() {
                    match shipments.iter().find(|s| s.shipment.awb.as_deref() == Some(awb.as_str())) {
                        None => errors.push(ordo_domain::FieldError::new(
                            format!("awbs[{i}]"),
                            format!("no shipment of warehouse {} and channel {} has AWB {awb}", new.warehouse, new.channel),
                        )),
                        Some(s) => {
                            if let Some(why) = unfit(s, &new.warehouse, &new.channel, None) {
                                errors.push(ordo_domain::FieldError::new(format!("awbs[{i}]"), why));
                            }
                        }
                    }
                }
                if !errors.is_empty() {
                    return Err(DomainError::Validation(errors));
                }
            }
            let id: i64 = sqlx::query(
                "INSERT INTO manifests (client_id, warehouse_id, channel_id, carrier, status, created_at) VALUES ($1, $2, $3, $4, 'OPEN', $5) RETURNING id",
            )
            .bind(ctx.client_id)
            .bind(wh)
            .bind(channel_id)
            .bind(&new.carrier)
            .bind(ctx.now.micros())
            .fetch_one(&mut *w.tx)
            .await
            .map_err(db)
            .and_then(|r| col(&r, "id"))?;
            let ids: Vec<i64> = shipments.iter().map(|s| s.id).collect();
            Writes::apply(&mut w.tx, |writes| put_on_manifest(writes, ctx, id, &ids)).await?;
            load_manifest(&mut w.tx, ctx.client_id, id).await?.ok_or_else(|| not_found(id))
        })
    }

    /// Adds a packed shipment to an open manifest by its AWB (a scan at the handover desk).
    pub async fn add_to_manifest(&self, ctx: &WriteCtx, id: i64, awb: &str) -> Result<Manifest> {
        idempotent!(self, ctx, |w| {
            let manifest = open_manifest(&mut w.tx, ctx, id).await?;
            let shipment = load_shipments(
                &mut w.tx,
                "s.client_id = $1 AND s.awb = $2 AND s.complete = 1",
                &[ctx.client_id.into(), awb.to_string().into()],
            )
            .await?
            .pop()
            .ok_or_else(|| DomainError::field("awb", format!("no shipment has AWB {awb}")))?;
            if shipment.shipment.manifest_id.as_deref() == Some(manifest.id.as_str()) {
                return Ok(manifest);
            }
            if let Some(why) = unfit(&shipment, &manifest.warehouse, &manifest.channel, None) {
                return Err(DomainError::field("awb", why));
            }
            Writes::apply(&mut w.tx, |writes| put_on_manifest(writes, ctx, id, &[shipment.id])).await?;
            load_manifest(&mut w.tx, ctx.client_id, id).await?.ok_or_else(|| not_found(id))
        })
    }

    /// Takes a shipment off an open manifest: it is PACKED again.
    pub async fn remove_from_manifest(&self, ctx: &WriteCtx, id: i64, shipment_id: i64) -> Result<Manifest> {
        idempotent!(self, ctx, |w| {
            open_manifest(&mut w.tx, ctx, id).await?;
            let done = sqlx::query(
                "UPDATE shipments SET manifest_id = NULL, status = 'PACKED', updated_at = $1 WHERE client_id = $2 AND id = $3 AND manifest_id = $4",
            )
            .bind(ctx.now.micros())
            .bind(ctx.client_id)
            .bind(shipment_id)
            .bind(id)
            .execute(&mut *w.tx)
            .await
            .map_err(db)?;
            if done.rows_affected() == 0 {
                return Err(DomainError::NotFound(format!("shipment '{shipment_id}' on manifest '{id}'")));
            }
            load_manifest(&mut w.tx, ctx.client_id, id).await?.ok_or_else(|| not_found(id))
        })
    }

    /// Hands a manifest over: its shipments DISPATCHED, their orders DISPATCHED (or COMPLETED when
    /// short-closed), the units out of stock (ledger DISPATCH), and one outbox message per manifest
    /// for the marketplace (none for an INTERNAL channel). Handing over again changes nothing.
    pub async fn hand_over(&self, ctx: &WriteCtx, id: i64) -> Result<Handover> {
        idempotent!(self, ctx, |w| {
            let manifest = load_manifest(&mut w.tx, ctx.client_id, id).await?.ok_or_else(|| not_found(id))?;
            if manifest.status == ManifestStatus::HandedOver {
                return Ok(Handover { manifest, handed_over_now: false });
            }
            // Locks the manifest row first, so two handovers of it queue.
            sqlx::query("UPDATE manifests SET status = 'HANDED_OVER', handed_over_at = $1 WHERE id = $2")
                .bind(ctx.now.micros())
                .bind(id)
                .execute(&mut *w.tx)
                .await
                .map_err(db)?;
            let shipments = load_shipments(&mut w.tx, "s.manifest_id = $1 AND s.status = 'MANIFESTED'", &[id.into()]).await?;
            let order_ids: Vec<i64> = shipments.iter().filter_map(|s| s.shipment.order_id.parse().ok()).collect();
            let mut orders = load_orders(self, &mut w.tx, ctx.client_id, &order_ids, true).await?;
            let mut ledger = Vec::new();
            for o in orders.iter_mut() {
                let (leaving, change) =
                    o.core.dispatch().map_err(|e| DomainError::Conflict(format!("order {}: {}", o.id, e.0)))?;
                o.changes.push(change);
                for (i, n) in leaving.iter().enumerate().filter(|(_, n)| **n > 0) {
                    ledger.push(KeyedLine {
                        key: o.key(i),
                        line: LedgerLine {
                            kind: LedgerKind::Dispatch,
                            pool: o.pool,
                            status: UnitStatus::Live,
                            qty_delta: -n,
                            allocated_delta: -n,
                        },
                        reference: Some(("MANIFEST".into(), id.to_string())),
                        reason: Some(format!("order {}", o.id)),
                    });
                }
            }
            let keys: BTreeSet<_> = ledger.iter().map(|l| l.key).collect();
            lock_stock(&mut w.tx, ctx, &keys).await?;
            let ids: Vec<Val> = shipments.iter().map(|s| s.id.into()).collect();
            let payload = handover_payload(&mut w.tx, id, &shipments, &orders, ctx.now).await?;
            Writes::apply(&mut w.tx, |writes| {
                write_stock_changes(writes, ctx, &ledger);
                save_orders(writes, ctx, &mut orders);
                if !ids.is_empty() {
                    let n = ids.len();
                    let mut args = vec![ctx.now.micros().into(), ctx.now.micros().into()];
                    args.extend(ids);
                    writes.push(
                        format!(
                            "UPDATE shipments SET status = 'DISPATCHED', dispatched_at = $1, updated_at = $2 WHERE id IN ({})",
                            in_list(3, n)
                        ),
                        args,
                    );
                }
            })
            .await?;
            for s in &shipments {
                let Some(o) = orders.iter().find(|o| o.id.to_string() == s.shipment.order_id) else { continue };
                let data = serde_json::json!({
                    "order_id": s.shipment.order_id, "channel": o.channel, "channel_order_id": o.channel_order_id,
                    "shipment_id": s.shipment.id, "awb": s.shipment.awb, "invoice_number": s.shipment.invoice_number,
                    "items": s.shipment.lines.iter().map(|l| serde_json::json!({"sku": l.sku, "qty": l.qty})).collect::<Vec<_>>(),
                });
                let dedupe = Some(format!("shipment-dispatch-{}", s.id));
                crate::postings::queue_posting(&mut w.tx, ctx, "SHIPMENT_DISPATCH", Some(o.id), dedupe, data).await?;
            }
            if !shipments.is_empty() {
                sqlx::query(
                    "INSERT INTO outbox (client_id, topic, dedupe_key, channel_id, payload, status, next_attempt_at, created_at) \
                     SELECT $1, 'channel.hand_over', $2, m.channel_id, $3, 'PENDING', $4, $4 FROM manifests m \
                     JOIN channels c ON c.id = m.channel_id WHERE m.id = $5 AND c.type <> 'INTERNAL'",
                )
                .bind(ctx.client_id)
                .bind(format!("hand-over-{id}"))
                .bind(payload.to_string())
                .bind(ctx.now.micros())
                .bind(id)
                .execute(&mut *w.tx)
                .await
                .map_err(db)?;
            }
            let manifest = load_manifest(&mut w.tx, ctx.client_id, id).await?.ok_or_else(|| not_found(id))?;
            Ok::<_, DomainError>(Handover { manifest, handed_over_now: true })
        })
    }

    /// One manifest.
    pub async fn manifest(&self, client_id: i64, id: &str) -> Result<Manifest> {
        let n: i64 = id.parse().map_err(|_| DomainError::NotFound(format!("manifest '{id}'")))?;
        let mut conn = self.read.acquire().await.map_err(db)?;
        load_manifest(&mut conn, client_id, n).await?.ok_or_else(|| not_found(n))
    }

    /// A manifest's shipments, for its document.
    pub async fn manifest_shipments(&self, client_id: i64, id: &str) -> Result<Vec<StoredShipment>> {
        let n: i64 = id.parse().map_err(|_| DomainError::NotFound(format!("manifest '{id}'")))?;
        let mut conn = self.read.acquire().await.map_err(db)?;
        load_shipments(&mut conn, "s.client_id = $1 AND s.manifest_id = $2 ORDER BY s.id", &[client_id.into(), n.into()]).await
    }

    /// The client's manifests, newest first.
    pub async fn list_manifests(&self, client_id: i64, filter: &ManifestFilter, page: PageRequest) -> Result<Page<Manifest>> {
        let mut sql = format!("{MANIFEST_SELECT} WHERE m.client_id = $1 AND m.id < $2");
        if filter.warehouse.is_some() {
            sql.push_str(" AND w.code = $4");
        }
        if filter.status.is_some() {
            sql.push_str(if filter.warehouse.is_some() { " AND m.status = $5" } else { " AND m.status = $4" });
        }
        sql.push_str(" ORDER BY m.id DESC LIMIT $3");
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
            let manifest = load_manifest(&mut conn, client_id, id).await?.ok_or_else(|| not_found(id))?;
            rows.push((id, manifest));
        }
        Ok(Page::from_rows(rows, page.limit))
    }
}

/// What the marketplace is told of a handover (topic `channel.hand_over`): per shipment its AWB,
/// invoice and units by the marketplace's line ids, and its order as the marketplace knows it (ids,
/// lines, its own payload), so the delivery needs nothing else from the store.
async fn handover_payload(
    tx: &mut Transaction<'static, Any>,
    manifest_id: i64,
    shipments: &[StoredShipment],
    orders: &[LoadedOrder],
    now: ordo_domain::Timestamp,
) -> Result<serde_json::Value> {
    use serde_json::{Value, json};
    let mut raw: HashMap<i64, Value> = HashMap::new();
    if !orders.is_empty() {
        let sql = format!("SELECT id, marketplace_payload FROM orders WHERE id IN ({})", in_list(1, orders.len()));
        let sql = crate::sql::positional(tx, sql);
        let mut q = sqlx::query(&sql);
        for o in orders {
            q = q.bind(o.id);
        }
        for r in q.fetch_all(&mut **tx).await.map_err(db)? {
            let text: Option<String> = col(&r, "marketplace_payload")?;
            raw.insert(col(&r, "id")?, text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null));
        }
    }
    let line = |o: &LoadedOrder, i: usize, qty: i64| {
        let l = &o.lines[i];
        json!({"channel_line_id": l.channel_line_id.clone().unwrap_or_else(|| l.id.to_string()),
               "channel_sku": l.channel_sku.clone().unwrap_or_else(|| l.sku.clone()), "qty": qty})
    };
    let mut out = Vec::with_capacity(shipments.len());
    for s in shipments {
        let Some(o) = orders.iter().find(|o| o.id.to_string() == s.shipment.order_id) else { continue };
        let lines: Vec<Value> = s
            .shipment
            .lines
            .iter()
            .filter_map(|sl| o.lines.iter().position(|l| l.id.to_string() == sl.line_id).map(|i| line(o, i, sl.qty)))
            .collect();
        out.push(json!({
            "shipment_id": s.shipment.id,
            "order_id": s.shipment.order_id,
            "awb": s.shipment.awb,
            "carrier": s.shipment.carrier,
            "invoice_number": s.shipment.invoice_number,
            "invoice_date": s.shipment.invoice_date,
            "weight_grams": s.shipment.weight_grams,
            "shipped_at": now.to_string(),
            "order": {
                "channel_order_id": o.channel_order_id,
                "parent_order_id": o.header.parent_order_id,
                "raw": raw.remove(&o.id).unwrap_or(Value::Null),
                "lines": (0..o.lines.len()).map(|i| line(o, i, o.core.lines[i].qty)).collect::<Vec<_>>(),
            },
            "lines": lines,
        }));
    }
    Ok(json!({"manifest_id": manifest_id.to_string(), "shipments": out}))
}

/// Puts shipments on manifest `id`: MANIFESTED.
fn put_on_manifest(w: &mut Writes, ctx: &WriteCtx, id: i64, shipments: &[i64]) {
    if shipments.is_empty() {
        return;
    }
    let mut args: Vec<Val> = vec![id.into(), ctx.now.micros().into()];
    args.extend(shipments.iter().map(|s| (*s).into()));
    w.push(
        format!(
            "UPDATE shipments SET manifest_id = $1, status = 'MANIFESTED', updated_at = $2 WHERE id IN ({})",
            in_list(3, shipments.len())
        ),
        args,
    );
}
