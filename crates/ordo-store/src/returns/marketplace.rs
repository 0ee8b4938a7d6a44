//! Returns a marketplace announces, applied as a sync brings them (expected once by the
//! marketplace's return id, cancelled when withdrawn), and asking a marketplace for an RTO.

use super::*;

/// A return the marketplace announced, as a sync brings it: the forward order and its lines by the
/// marketplace's ids.
#[derive(Debug, Clone)]
pub struct ChannelReturn {
    pub channel_order_id: String,
    pub channel_return_id: String,
    pub kind: ReturnKind,
    pub awb: Option<String>,
    /// (channel line id, channel SKU, units): a line is found by its id, else by its product code.
    pub lines: Vec<(String, String, i64)>,
    /// The marketplace withdrew it: an expected return is cancelled.
    pub cancelled: bool,
}

/// What became of a marketplace's return in a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelReturnOutcome {
    /// Now expected.
    Created(String),
    /// Known already; nothing changed.
    Existing(String),
    /// The marketplace withdrew it and Ordo no longer expects it.
    Cancelled(String),
    /// Not expected, and why (its order is unknown or not dispatched, or more units than went out).
    Skipped { channel_return_id: String, reason: String },
}

impl Store {
    /// Applies the returns a marketplace sync brought, in one transaction: new ones are expected
    /// (idempotent on the marketplace's return id), withdrawn ones cancelled while still expected. A
    /// return that can't be expected (its order is unknown here or not dispatched, or it names more
    /// units than went out) is skipped with the reason, and the others still apply.
    pub async fn apply_marketplace_returns(
        &self,
        ctx: &WriteCtx,
        channel: &str,
        returns: Vec<ChannelReturn>,
    ) -> Result<Vec<ChannelReturnOutcome>> {
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(returns.len());
        for r in returns {
            let skipped =
                |reason: String| ChannelReturnOutcome::Skipped { channel_return_id: r.channel_return_id.clone(), reason };
            let order = sqlx::query(
                "SELECT o.id, o.channel_id FROM orders o JOIN channels c ON c.id = o.channel_id \
                 WHERE o.client_id = $1 AND c.code = $2 AND o.channel_order_id = $3",
            )
            .bind(ctx.client_id)
            .bind(channel)
            .bind(&r.channel_order_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            let Some(order) = order else {
                out.push(skipped(format!("no order {} on channel {channel}", r.channel_order_id)));
                continue;
            };
            let (order_id, channel_id): (i64, i64) = (col(&order, "id")?, col(&order, "channel_id")?);
            if r.cancelled {
                let done = sqlx::query(
                    "UPDATE returns SET status = 'CANCELLED', closed_at = $4 WHERE client_id = $1 AND channel_id = $2 \
                     AND channel_return_id = $3 AND status = 'EXPECTED' RETURNING id",
                )
                .bind(ctx.client_id)
                .bind(channel_id)
                .bind(&r.channel_return_id)
                .bind(ctx.now.micros())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
                out.push(match done {
                    Some(row) => ChannelReturnOutcome::Cancelled(id_text(&row, "id")?),
                    None => skipped("withdrawn by the marketplace before it was expected or after it was received".into()),
                });
                continue;
            }
            let lines = sqlx::query(
                "SELECT k.sku, l.channel_line_id, l.channel_sku FROM order_lines l JOIN skus k ON k.id = l.sku_id WHERE l.order_id = $1",
            )
            .bind(order_id)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
            let mut skus: Vec<(String, i64)> = Vec::new();
            let mut unknown = None;
            for (line_id, channel_sku, qty) in &r.lines {
                let by = |field: &str, value: &str| {
                    lines.iter().find(|l| col::<Option<String>>(l, field).ok().flatten().as_deref() == Some(value))
                };
                let Some(line) = by("channel_line_id", line_id).or_else(|| by("channel_sku", channel_sku)) else {
                    unknown = Some(format!("order {} has no line {line_id} ({channel_sku})", r.channel_order_id));
                    break;
                };
                let sku: String = col(line, "sku")?;
                match skus.iter_mut().find(|(s, _)| *s == sku) {
                    Some((_, q)) => *q += qty,
                    None => skus.push((sku, *qty)),
                }
            }
            if let Some(reason) = unknown {
                out.push(skipped(reason));
                continue;
            }
            let new = NewReturn {
                order_id,
                kind: r.kind,
                channel_return_id: Some(r.channel_return_id.clone()),
                awb: r.awb.clone(),
                lines: skus,
            };
            out.push(match self.expect_in_tx(&mut tx, ctx, &new).await {
                Ok(u) if u.created => ChannelReturnOutcome::Created(u.record.id),
                Ok(u) => ChannelReturnOutcome::Existing(u.record.id),
                Err(DomainError::Validation(errors)) => {
                    skipped(errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))
                }
                Err(e) => return Err(e),
            });
        }
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    /// Asks the marketplace, through the outbox, for the RTO expectation of a dispatched order whose
    /// parcel came back without one (Ajio's RTO generation); the expectation comes with a later sync.
    /// Asking again while the first request is on its way adds nothing.
    pub async fn request_rto(&self, ctx: &WriteCtx, id: &str) -> Result<String> {
        idempotent!(self, ctx, |w| {
            let not_found = || DomainError::NotFound(format!("order '{id}'"));
            let n: i64 = id.parse().map_err(|_| not_found())?;
            let o = load_orders(self, &mut w.tx, ctx.client_id, &[n], false).await?.pop().ok_or_else(not_found)?;
            if !o.channel_type.generates_rto() {
                return Err(DomainError::Conflict(format!(
                    "{} ({}) can't be asked for an RTO: expect the return by hand (POST /api/v1/returns with kind RTO)",
                    o.channel, o.channel_type
                )));
            }
            if !matches!(o.core.status(), OrderStatus::Dispatched | OrderStatus::Completed) {
                return Err(DomainError::Conflict(format!(
                    "order {id} is {}: an RTO is asked for a dispatched order",
                    o.core.status()
                )));
            }
            let awbs = sqlx::query("SELECT awb FROM shipments WHERE order_id = $1 AND awb IS NOT NULL ORDER BY id")
                .bind(n)
                .fetch_all(&mut *w.tx)
                .await
                .map_err(db)?
                .iter()
                .map(|r| col::<String>(r, "awb"))
                .collect::<Result<Vec<_>>>()?;
            let payload = serde_json::json!({"order_id": id, "channel_order_id": o.channel_order_id, "awbs": awbs});
            let message = ChannelMessage { topic: RTO_REQUEST_TOPIC, channel_id: o.channel_id, order_id: o.id };
            message.queue(&mut w.tx, ctx, &format!("rto-request-{n}"), &payload).await?;
            Ok::<_, DomainError>(format!(
                "{} is asked for the RTO of order {} ({}); the expectation arrives with a later sync",
                o.channel_type, id, o.channel_order_id
            ))
        })
    }
}
