//! Returns (SPEC.md §12): units of a dispatched order expected back — never more than went out and
//! are not expected already — and their receipt through QC: passed units into QC_PASS (where waiting
//! orders take them at once), failed ones into QC_FAIL, both ledger RETURN entries; units expected and
//! absent are missing; failed and missing units go to offline settlement. The order's lines count what
//! came back, and an order whose every dispatched unit is back is RETURNED.

use crate::allocation::{KeyedLine, enqueue_sweeps, load_orders, lock_stock, save_orders, write_stock_changes};
use crate::db::db;
use crate::rows::{col, id_text, opt_json, opt_time, time, word};
use crate::sql::{Val, Writes};
use crate::sync::{CREDIT_NOTE_TOPIC, ChannelMessage, RETURN_QC_TOPIC, RTO_REQUEST_TOPIC};
use crate::tx::idempotent;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::inventory::LedgerLine;
use ordo_domain::kinds::{ChannelType, LedgerKind, OrderStatus, Pool, ReturnKind, ReturnStatus, UnitStatus};
use ordo_domain::model::Upserted;
use ordo_domain::returns::{Return, ReturnLine};
use ordo_domain::{DomainError, FieldError};
use sqlx::{Any, AnyConnection, Transaction};
use std::collections::{BTreeSet, HashMap};

mod marketplace;

pub use marketplace::{ChannelReturn, ChannelReturnOutcome};

/// A return to expect.
#[derive(Debug, Clone)]
pub struct NewReturn {
    pub order_id: i64,
    pub kind: ReturnKind,
    pub channel_return_id: Option<String>,
    pub awb: Option<String>,
    /// Units per client SKU.
    pub lines: Vec<(String, i64)>,
}

/// Which returns to list.
#[derive(Debug, Clone, Default)]
pub struct ReturnFilter {
    pub status: Option<ReturnStatus>,
    pub order_id: Option<i64>,
    pub kind: Option<ReturnKind>,
}

const RETURN_SELECT: &str = "SELECT r.id, r.order_id, c.code AS channel, r.kind, r.channel_return_id, r.status, r.awb, \
     r.settlement, r.credit_note, r.created_at, r.received_at, r.closed_at FROM returns r JOIN channels c ON c.id = r.channel_id";

/// A return and, per line, its order line's id.
async fn load_return(conn: &mut AnyConnection, client_id: i64, id: i64) -> Result<Option<(Return, Vec<i64>)>> {
    let sql = format!("{RETURN_SELECT} WHERE r.client_id = $1 AND r.id = $2");
    let Some(r) = sqlx::query(&sql).bind(client_id).bind(id).fetch_optional(&mut *conn).await.map_err(db)? else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT rl.order_line_id, k.sku, rl.qty, rl.qc_pass, rl.qc_fail, rl.missing FROM return_lines rl \
         JOIN order_lines l ON l.id = rl.order_line_id JOIN skus k ON k.id = l.sku_id WHERE rl.return_id = $1 ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut line_ids = Vec::with_capacity(rows.len());
    for l in &rows {
        let (qc_pass, qc_fail): (i64, i64) = (col(l, "qc_pass")?, col(l, "qc_fail")?);
        line_ids.push(col(l, "order_line_id")?);
        lines.push(ReturnLine {
            line_id: id_text(l, "order_line_id")?,
            sku: col(l, "sku")?,
            qty: col(l, "qty")?,
            received: qc_pass + qc_fail,
            qc_pass,
            qc_fail,
            missing: col(l, "missing")?,
        });
    }
    let ret = Return {
        id: id_text(&r, "id")?,
        order_id: id_text(&r, "order_id")?,
        channel: col(&r, "channel")?,
        kind: word(&r, "kind", ReturnKind::parse)?,
        channel_return_id: col(&r, "channel_return_id")?,
        status: word(&r, "status", ReturnStatus::parse)?,
        awb: col(&r, "awb")?,
        lines,
        settlement: opt_json(&r, "settlement")?,
        credit_note: opt_json(&r, "credit_note")?,
        created_at: time(&r, "created_at")?,
        received_at: opt_time(&r, "received_at")?,
        closed_at: opt_time(&r, "closed_at")?,
    };
    Ok(Some((ret, line_ids)))
}

fn not_found(id: &str) -> DomainError {
    DomainError::NotFound(format!("return '{id}'"))
}

/// Units of each order line expected back by returns not received yet.
async fn expected_back(tx: &mut Transaction<'static, Any>, order_id: i64) -> Result<HashMap<i64, i64>> {
    let rows = sqlx::query(
        "SELECT rl.order_line_id, CAST(sum(rl.qty) AS BIGINT) AS qty FROM return_lines rl JOIN returns r ON r.id = rl.return_id \
         WHERE r.order_id = $1 AND r.status = 'EXPECTED' GROUP BY rl.order_line_id",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    rows.iter().map(|r| Ok((col(r, "order_line_id")?, col(r, "qty")?))).collect()
}

impl Store {
    /// Expects units of a dispatched order back: never more, per SKU, than were dispatched and are
    /// neither back nor expected already. Idempotent on the marketplace's return id.
    pub async fn create_return(&self, ctx: &WriteCtx, new: NewReturn) -> Result<Upserted<Return>> {
        idempotent!(self, ctx, |w| { self.expect_in_tx(&mut w.tx, ctx, &new).await })
    }

    /// [`create_return`](Store::create_return) in the caller's transaction. Every refusal is found
    /// before anything is written, so a caller may go on with its transaction after one.
    async fn expect_in_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        ctx: &WriteCtx,
        new: &NewReturn,
    ) -> Result<Upserted<Return>> {
        {
            let order_not_found = || DomainError::field("order_id", format!("no order '{}'", new.order_id));
            let o = load_orders(self, tx, ctx.client_id, &[new.order_id], true).await?.pop().ok_or_else(order_not_found)?;
            if let Some(crid) = &new.channel_return_id {
                let known =
                    sqlx::query("SELECT id FROM returns WHERE client_id = $1 AND channel_id = $2 AND channel_return_id = $3")
                        .bind(ctx.client_id)
                        .bind(o.channel_id)
                        .bind(crid)
                        .fetch_optional(&mut **tx)
                        .await
                        .map_err(db)?;
                if let Some(r) = known {
                    let id: i64 = col(&r, "id")?;
                    let (ret, _) = load_return(tx, ctx.client_id, id).await?.ok_or_else(|| not_found(&id.to_string()))?;
                    return Ok(Upserted { record: ret, created: false });
                }
            }
            let pending = expected_back(tx, o.id).await?;
            // Per order line, the units that may still be expected back.
            let mut open: Vec<i64> = (0..o.lines.len())
                .map(|i| o.core.lines[i].dispatched - o.lines[i].returned - pending.get(&o.lines[i].id).copied().unwrap_or(0))
                .collect();
            let mut take: HashMap<usize, i64> = HashMap::new();
            let mut errors = Vec::new();
            for (n, (sku, qty)) in new.lines.iter().enumerate() {
                let of_sku: Vec<usize> = (0..o.lines.len()).filter(|i| &o.lines[*i].sku == sku).collect();
                if of_sku.is_empty() {
                    errors.push(FieldError::new(format!("lines[{n}].sku"), format!("order {} has no SKU {sku}", o.id)));
                    continue;
                }
                let can: i64 = of_sku.iter().map(|i| open[*i].max(0)).sum();
                if *qty > can {
                    errors.push(FieldError::new(
                        format!("lines[{n}].qty"),
                        format!(
                            "{qty} units of {sku} expected, but only {can} were dispatched and are not back or expected already"
                        ),
                    ));
                    continue;
                }
                let mut left = *qty;
                for i in of_sku {
                    let t = left.min(open[i].max(0));
                    open[i] -= t;
                    left -= t;
                    *take.entry(i).or_insert(0) += t;
                }
            }
            if !errors.is_empty() {
                return Err(DomainError::Validation(errors));
            }
            let id: i64 = sqlx::query(
                "INSERT INTO returns (client_id, order_id, channel_id, kind, channel_return_id, status, awb, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'EXPECTED', $6, $7) RETURNING id",
            )
            .bind(ctx.client_id)
            .bind(o.id)
            .bind(o.channel_id)
            .bind(new.kind.as_str())
            .bind(&new.channel_return_id)
            .bind(&new.awb)
            .bind(ctx.now.micros())
            .fetch_one(&mut **tx)
            .await
            .map_err(db)
            .and_then(|r| col(&r, "id"))?;
            let rows: Vec<Vec<Val>> =
                take.iter().filter(|(_, q)| **q > 0).map(|(i, q)| vec![id.into(), o.lines[*i].id.into(), (*q).into()]).collect();
            Writes::apply(tx, |writes| writes.insert("return_lines", &["return_id", "order_line_id", "qty"], rows, "")).await?;
            let (ret, _) = load_return(tx, ctx.client_id, id).await?.ok_or_else(|| not_found(&id.to_string()))?;
            Ok(Upserted { record: ret, created: true })
        }
    }

    /// Receives an expected return through QC: per SKU, `(sku, qc_pass, qc_fail)`; what is expected
    /// and not received is missing. Receiving a return twice is refused.
    pub async fn receive_return(&self, ctx: &WriteCtx, id: &str, receipt: Vec<(String, i64, i64)>) -> Result<Return> {
        idempotent!(self, ctx, |w| {
            let n: i64 = id.parse().map_err(|_| not_found(id))?;
            let (ret, line_ids) = load_return(&mut w.tx, ctx.client_id, n).await?.ok_or_else(|| not_found(id))?;
            if ret.status != ReturnStatus::Expected {
                return Err(DomainError::Conflict(format!("return {id} is {} already: it can be received once", ret.status)));
            }
            let order_id: i64 = ret.order_id.parse().unwrap_or_default();
            let mut orders = load_orders(self, &mut w.tx, ctx.client_id, &[order_id], true).await?;
            let o = orders.first_mut().ok_or_else(|| DomainError::Internal("a return's order is gone".into()))?;
            // The receipt spread over the return's lines of each SKU: passed units first.
            let mut lines = ret.lines.clone();
            let mut errors = Vec::new();
            for (k, (sku, pass, fail)) in receipt.iter().enumerate() {
                let expected: i64 = lines.iter().filter(|l| &l.sku == sku).map(|l| l.qty).sum();
                let already: i64 = receipt[..k].iter().filter(|(s, ..)| s == sku).map(|(_, p, f)| p + f).sum();
                if expected == 0 {
                    errors.push(FieldError::new(format!("lines[{k}].sku"), format!("return {id} expects no {sku}")));
                } else if already + pass + fail > expected {
                    errors.push(FieldError::new(
                        format!("lines[{k}]"),
                        format!("{} units of {sku} received, but return {id} expects {expected}", already + pass + fail),
                    ));
                }
            }
            if !errors.is_empty() {
                return Err(DomainError::Validation(errors));
            }
            for (sku, pass, fail) in &receipt {
                let (mut pass, mut fail) = (*pass, *fail);
                for l in lines.iter_mut().filter(|l| &l.sku == sku) {
                    let room = l.qty - l.received;
                    let p = pass.min(room);
                    let f = fail.min(room - p);
                    l.qc_pass += p;
                    l.qc_fail += f;
                    l.received += p + f;
                    pass -= p;
                    fail -= f;
                }
            }
            for l in lines.iter_mut() {
                l.missing = l.qty - l.received;
            }
            // Stock: passed units LIVE in QC_PASS, failed ones in QC_FAIL, both RETURN entries.
            let mut ledger = Vec::new();
            let reference = Some(("RETURN".to_string(), id.to_string()));
            let mut returned_per_line: HashMap<i64, i64> = HashMap::new();
            for (l, line_id) in lines.iter().zip(&line_ids) {
                let i = o
                    .lines
                    .iter()
                    .position(|x| x.id == *line_id)
                    .ok_or_else(|| DomainError::Internal("a return line's order line is gone".into()))?;
                *returned_per_line.entry(*line_id).or_insert(0) += l.received;
                for (pool, qty) in [(Pool::QcPass, l.qc_pass), (Pool::QcFail, l.qc_fail)] {
                    if qty > 0 {
                        ledger.push(KeyedLine {
                            key: (o.warehouse_id, o.lines[i].sku_id, pool),
                            line: LedgerLine {
                                kind: LedgerKind::Return,
                                pool,
                                status: UnitStatus::Live,
                                qty_delta: qty,
                                allocated_delta: 0,
                            },
                            reference: reference.clone(),
                            reason: Some(format!("{} of order {}", ret.kind, o.id)),
                        });
                    }
                }
            }
            let keys: BTreeSet<_> = ledger.iter().map(|l| l.key).collect();
            lock_stock(&mut w.tx, ctx, &keys).await?;
            let line_rows: Vec<Vec<Val>> = o
                .lines
                .iter_mut()
                .filter_map(|l| {
                    let back = returned_per_line.get(&l.id).copied().filter(|b| *b > 0)?;
                    l.returned += back;
                    Some(vec![l.id.into(), l.returned.into()])
                })
                .collect();
            let all_back = o.lines.iter().zip(&o.core.lines).all(|(l, q)| l.returned >= q.dispatched);
            if let Some(change) = o.core.returned(all_back, &format!("every dispatched unit is back (return {id})")) {
                o.changes.push(change);
            }
            let settlement = Return::settlement_of(&lines)
                .map(|s| serde_json::to_string(&s))
                .transpose()
                .map_err(|e| DomainError::Internal(e.to_string()))?;
            Writes::apply(&mut w.tx, |writes| {
                write_stock_changes(writes, ctx, &ledger);
                // Passed units may serve orders waiting in QC_PASS, failed ones orders of QC_FAIL.
                enqueue_sweeps(writes, ctx, &keys);
                writes.update_by_id("order_lines", &["returned"], line_rows);
                save_orders(writes, ctx, &mut orders);
                // Every line in one statement (a return of 50 lines is not 50 round trips).
                let values: Vec<String> = (0..lines.len())
                    .map(|k| format!("(${}, ${}, ${}, ${})", 4 * k + 1, 4 * k + 2, 4 * k + 3, 4 * k + 4))
                    .collect();
                let mut args: Vec<Val> = Vec::with_capacity(4 * lines.len() + 1);
                for (l, line_id) in lines.iter().zip(&line_ids) {
                    args.extend([(*line_id).into(), l.qc_pass.into(), l.qc_fail.into(), l.missing.into()]);
                }
                args.push(n.into());
                if !values.is_empty() {
                    writes.push(
                        format!(
                            "WITH v(v_line, v_pass, v_fail, v_missing) AS (VALUES {}) UPDATE return_lines SET qc_pass = v.v_pass, \
                             qc_fail = v.v_fail, missing = v.v_missing FROM v WHERE return_lines.order_line_id = v.v_line \
                             AND return_lines.return_id = ${}",
                            values.join(", "),
                            4 * lines.len() + 1
                        ),
                        args,
                    );
                }
                writes.push(
                    "UPDATE returns SET status = 'RECEIVED', received_at = $1, settlement = $2 WHERE id = $3".into(),
                    vec![ctx.now.micros().into(), settlement.into(), n.into()],
                );
            })
            .await?;
            let (ret, _) = load_return(&mut w.tx, ctx.client_id, n).await?.ok_or_else(|| not_found(id))?;
            let mut items: Vec<serde_json::Value> = Vec::new();
            for l in &ret.lines {
                match items.iter_mut().find(|i| i["sku"] == l.sku.as_str()) {
                    Some(i) => {
                        for (k, v) in [("qc_pass", l.qc_pass), ("qc_fail", l.qc_fail), ("missing", l.missing)] {
                            i[k] = (i[k].as_i64().unwrap_or(0) + v).into();
                        }
                    }
                    None => items.push(
                        serde_json::json!({"sku": l.sku, "qc_pass": l.qc_pass, "qc_fail": l.qc_fail, "missing": l.missing}),
                    ),
                }
            }
            let data = serde_json::json!({"return_id": ret.id, "order_id": ret.order_id, "channel": ret.channel,
                "channel_order_id": orders[0].channel_order_id, "kind": ret.kind, "items": items, "shipments": []});
            crate::postings::queue_posting(
                &mut w.tx,
                ctx,
                "RETURN_ORDER",
                Some(order_id),
                Some(format!("return-order-{n}")),
                data,
            )
            .await?;
            let o = &orders[0];
            if let Some(crid) = ret.channel_return_id.as_deref().filter(|_| o.channel_type.takes_return_qc()) {
                let lines: Vec<serde_json::Value> = ret
                    .lines
                    .iter()
                    .zip(&line_ids)
                    .filter_map(|(l, line_id)| {
                        let ol = o.lines.iter().find(|x| x.id == *line_id)?;
                        Some(serde_json::json!({"channel_line_id": ol.channel_line_id.clone().unwrap_or_default(),
                            "channel_sku": ol.channel_sku.clone().unwrap_or_default(),
                            "qc_pass": l.qc_pass, "qc_fail": l.qc_fail, "missing": l.missing}))
                    })
                    .collect();
                let payload = serde_json::json!({"return_id": ret.id, "channel_return_id": crid,
                    "channel_order_id": o.channel_order_id, "lines": lines});
                let message = ChannelMessage { topic: RETURN_QC_TOPIC, channel_id: o.channel_id, order_id: o.id };
                message.queue(&mut w.tx, ctx, &format!("return-qc-{n}"), &payload).await?;
            }
            Ok::<_, DomainError>(ret)
        })
    }

    /// Records the ERP's credit note of a received return: it is CLOSED. A return not received yet,
    /// or one that has its credit note, is refused — so no unit is credited twice.
    pub async fn record_credit_note(&self, ctx: &WriteCtx, id: &str, credit_note: serde_json::Value) -> Result<Return> {
        idempotent!(self, ctx, |w| {
            let n: i64 = id.parse().map_err(|_| not_found(id))?;
            // Locks the return row first, so two credit notes for it queue and the second is refused.
            sqlx::query("UPDATE returns SET closed_at = closed_at WHERE client_id = $1 AND id = $2")
                .bind(ctx.client_id)
                .bind(n)
                .execute(&mut *w.tx)
                .await
                .map_err(db)?;
            let (ret, _) = load_return(&mut w.tx, ctx.client_id, n).await?.ok_or_else(|| not_found(id))?;
            match ret.status {
                ReturnStatus::Received => {}
                ReturnStatus::Closed => {
                    return Err(DomainError::Conflict(format!(
                        "return {id} has its credit note already: its units can't be credited twice"
                    )));
                }
                other => {
                    return Err(DomainError::Conflict(format!(
                        "return {id} is {other}: a credit note comes after it is received"
                    )));
                }
            }
            sqlx::query("UPDATE returns SET status = 'CLOSED', credit_note = $1, closed_at = $2 WHERE id = $3")
                .bind(credit_note.to_string())
                .bind(ctx.now.micros())
                .bind(n)
                .execute(&mut *w.tx)
                .await
                .map_err(db)?;
            // Relayed to a marketplace that takes credit notes, for a return it announced.
            let relay = sqlx::query(
                "SELECT r.order_id, r.channel_id, c.type AS channel_type, o.channel_order_id FROM returns r \
                 JOIN channels c ON c.id = r.channel_id JOIN orders o ON o.id = r.order_id WHERE r.id = $1",
            )
            .bind(n)
            .fetch_one(&mut *w.tx)
            .await
            .map_err(db)?;
            let channel_type = word(&relay, "channel_type", ChannelType::parse)?;
            if let Some(crid) = ret.channel_return_id.as_deref().filter(|_| channel_type.relays_credit_notes()) {
                let mut payload = credit_note.clone();
                payload["return_id"] = ret.id.clone().into();
                payload["channel_return_id"] = crid.into();
                payload["channel_order_id"] = col::<String>(&relay, "channel_order_id")?.into();
                let message = ChannelMessage {
                    topic: CREDIT_NOTE_TOPIC,
                    channel_id: col(&relay, "channel_id")?,
                    order_id: col(&relay, "order_id")?,
                };
                message.queue(&mut w.tx, ctx, &format!("return-credit-note-{n}"), &payload).await?;
            }
            let (ret, _) = load_return(&mut w.tx, ctx.client_id, n).await?.ok_or_else(|| not_found(id))?;
            Ok::<_, DomainError>(ret)
        })
    }

    /// One return.
    pub async fn return_by_id(&self, client_id: i64, id: &str) -> Result<Return> {
        let n: i64 = id.parse().map_err(|_| not_found(id))?;
        let mut conn = self.read.acquire().await.map_err(db)?;
        Ok(load_return(&mut conn, client_id, n).await?.ok_or_else(|| not_found(id))?.0)
    }

    /// The client's returns, newest first.
    pub async fn list_returns(&self, client_id: i64, filter: &ReturnFilter, page: PageRequest) -> Result<Page<Return>> {
        let mut sql = String::from("SELECT r.id FROM returns r WHERE r.client_id = $1 AND r.id < $2");
        let mut args: Vec<Val> = vec![client_id.into(), page.after.unwrap_or(i64::MAX).into()];
        if let Some(s) = filter.status {
            args.push(s.as_str().into());
            sql.push_str(&format!(" AND r.status = ${}", args.len()));
        }
        if let Some(o) = filter.order_id {
            args.push(o.into());
            sql.push_str(&format!(" AND r.order_id = ${}", args.len()));
        }
        if let Some(k) = filter.kind {
            args.push(k.as_str().into());
            sql.push_str(&format!(" AND r.kind = ${}", args.len()));
        }
        args.push((page.limit + 1).into());
        sql.push_str(&format!(" ORDER BY r.id DESC LIMIT ${}", args.len()));
        let mut conn = self.read.acquire().await.map_err(db)?;
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = crate::sql::bind_one(q, a);
        }
        let ids: Vec<i64> = q.fetch_all(&mut *conn).await.map_err(db)?.iter().map(|r| col(r, "id")).collect::<Result<_>>()?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some((r, _)) = load_return(&mut conn, client_id, id).await? {
                rows.push((id, r));
            }
        }
        Ok(Page::from_rows(rows, page.limit))
    }

    /// The client's returns whose AWB or marketplace return id is `code` (what a returns desk scans
    /// off a parcel), newest first, at most 10.
    pub async fn returns_by_parcel_code(&self, client_id: i64, code: &str) -> Result<Vec<Return>> {
        let mut conn = self.read.acquire().await.map_err(db)?;
        let rows = sqlx::query(
            "SELECT id FROM returns WHERE client_id = $1 AND (awb = $2 OR channel_return_id = $2) ORDER BY id DESC LIMIT 10",
        )
        .bind(client_id)
        .bind(code)
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            if let Some((r, _)) = load_return(&mut conn, client_id, col(row, "id")?).await? {
                out.push(r);
            }
        }
        Ok(out)
    }
}
