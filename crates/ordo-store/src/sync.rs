//! What the marketplace sync needs from the store: which channels are due, a lease per channel so
//! one process syncs it at a time, a page of marketplace orders applied with the cursor in one
//! transaction, acknowledgements due, and the outbox of messages to marketplaces.

use crate::allocation::{load_orders, release_stock, save_orders};
use crate::db::{Dialect, db};
use crate::postings::{HELD_NOW, POSTING_TOPIC};
use crate::rows::{FromRow, col, id_text, json, opt_id_text, opt_time, time, with_id, word};
use crate::sql::Writes;
use crate::tx::idempotent;
use crate::{IngestOutcome, NewOrder, Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::kinds::{ChannelStatus, ChannelType, OrderStatus};
use ordo_domain::model::OutboxMessage;
use ordo_domain::{DomainError, Timestamp};
use sqlx::any::AnyRow;

/// A channel claimed for a sync.
#[derive(Debug, Clone)]
pub struct SyncTarget {
    pub client_id: i64,
    pub client: String,
    pub channel_id: i64,
    pub code: String,
    pub channel_type: ChannelType,
    pub credentials: Vec<u8>,
    pub settings: serde_json::Value,
    /// Orders updated after this time are fetched next (None before the first sync).
    pub cursor: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Who holds the lease taken for this sync.
    pub lease_owner: String,
}

/// The answer to a claim of a channel's sync lease.
#[derive(Debug, Clone)]
pub enum ChannelClaim {
    /// The lease is ours: sync this.
    Taken(SyncTarget),
    /// Another sync holds the lease: which process, and until when (real time) unless renewed.
    Held { owner: String, until: Timestamp },
}

/// How a sync ended, as the channel records it.
#[derive(Debug, Clone)]
pub enum SyncEnd {
    /// Everything is in (the cursor was stored with the last page); sync again at `next_at`.
    Success { next_at: Timestamp },
    /// The marketplace refused the credentials: the channel stops until they are updated.
    AuthFailed { message: String },
    /// Another failure: try again at `next_at`.
    Failed { message: String, next_at: Timestamp },
}

/// What one transaction of a sync applies: orders, cancellations, marketplace events, and (with
/// the last page) the channel's new cursor, so the cursor never runs ahead of what was stored.
#[derive(Debug, Clone, Default)]
pub struct MarketplacePage {
    pub orders: Vec<NewOrder>,
    /// (channel code, channel order id) of orders the marketplace cancelled.
    pub cancelled: Vec<(String, String)>,
    /// (channel code, event, channel order id, reason).
    pub events: Vec<(String, ordo_domain::kinds::ChannelEventType, String, Option<String>)>,
    /// (channel id, cursor) to store with this page.
    pub cursor: Option<(i64, Timestamp)>,
}

/// Outbox topic: a seller's cancellation, to a marketplace that accepts them.
pub const CANCEL_ORDER_TOPIC: &str = "channel.cancel_order";
/// Outbox topic: QC results of a marketplace's return, to the marketplace.
pub const RETURN_QC_TOPIC: &str = "channel.return_qc";
/// Outbox topic: the credit note of a marketplace's return, relayed to it.
pub const CREDIT_NOTE_TOPIC: &str = "channel.credit_note";
/// Outbox topic: a request for the RTO expectation of a parcel that came back without one.
pub const RTO_REQUEST_TOPIC: &str = "channel.rto_request";

/// A message to a channel's marketplace, about one order, for the outbox: it leaves after the
/// order's earlier messages.
pub(crate) struct ChannelMessage {
    pub topic: &'static str,
    pub channel_id: i64,
    pub order_id: i64,
}

impl ChannelMessage {
    /// Queues the message in the caller's transaction; `dedupe` keeps one message per cause.
    pub async fn queue(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        ctx: &WriteCtx,
        dedupe: &str,
        payload: &serde_json::Value,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO outbox (client_id, topic, dedupe_key, channel_id, order_id, payload, status, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7, $7) ON CONFLICT (client_id, dedupe_key) DO NOTHING",
        )
        .bind(ctx.client_id)
        .bind(self.topic)
        .bind(dedupe)
        .bind(self.channel_id)
        .bind(self.order_id)
        .bind(payload.to_string())
        .bind(ctx.now.micros())
        .execute(&mut **tx)
        .await
        .map_err(db)?;
        Ok(())
    }
}

/// How one claimed delivery went, as [`Store::outbox_attempted`] records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiver took it.
    Delivered,
    /// It failed; tried again at `at`.
    Retry { error: String, at: Timestamp },
    /// It failed for good (or too often): a dead letter, sent again only by a replay.
    Dead { error: String },
    /// It was not sent (its ERP connection was disabled meanwhile): back to waiting, no attempt
    /// counted.
    Released,
}

/// An order whose acknowledgement to the marketplace is due.
#[derive(Debug, Clone)]
pub struct AckDue {
    pub client_id: i64,
    pub order_id: i64,
    pub channel: String,
    pub channel_order_id: String,
}

const OUTBOX_SELECT: &str = "SELECT o.id, o.topic, c.code AS channel, o.order_id, o.payload, o.status, o.attempts, o.next_attempt_at, o.last_error, \
     o.created_at, o.delivered_at, o.client_id FROM outbox o LEFT JOIN channels c ON c.id = o.channel_id";

/// Reads a message selected with [`OUTBOX_SELECT`].
impl FromRow for OutboxMessage {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(OutboxMessage {
            id: id_text(r, "id")?,
            topic: col(r, "topic")?,
            channel: col(r, "channel")?,
            order_id: opt_id_text(r, "order_id")?,
            payload: json(r, "payload")?,
            status: col(r, "status")?,
            attempts: col(r, "attempts")?,
            next_attempt_at: time(r, "next_attempt_at")?,
            last_error: col(r, "last_error")?,
            created_at: time(r, "created_at")?,
            delivered_at: opt_time(r, "delivered_at")?,
        })
    }
}

impl FromRow for AckDue {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(AckDue {
            client_id: col(r, "client_id")?,
            order_id: col(r, "id")?,
            channel: col(r, "channel")?,
            channel_order_id: col(r, "channel_order_id")?,
        })
    }
}

impl Store {
    /// Channels whose periodic sync is due at `now` and that no process is syncing.
    pub async fn channels_due_for_sync(&self, now: Timestamp, lease_now: Timestamp) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT client_id, code FROM channels WHERE enabled = 1 AND type <> 'INTERNAL' AND status IN ('ACTIVE', 'ERROR') \
             AND (next_sync_at IS NULL OR next_sync_at <= $1) AND (lease_until IS NULL OR lease_until < $2) ORDER BY next_sync_at, id",
        )
        .bind(now.micros())
        .bind(lease_now.micros())
        .fetch_all(&self.read)
        .await
        .map_err(db)?;
        rows.iter().map(|r| Ok((col(r, "client_id")?, col(r, "code")?))).collect()
    }

    /// Takes the channel's lease until `lease_until` (real time) if nobody holds it; otherwise says
    /// who holds it and until when.
    pub async fn claim_channel(
        &self,
        client_id: i64,
        code: &str,
        owner: &str,
        lease_now: Timestamp,
        lease_until: Timestamp,
        now: Timestamp,
    ) -> Result<ChannelClaim> {
        let claimed = sqlx::query(
            "UPDATE channels SET lease_owner = $3, lease_until = $4, last_attempt_at = $6 WHERE client_id = $1 AND code = $2 \
             AND (lease_until IS NULL OR lease_until < $5)",
        )
        .bind(client_id)
        .bind(code)
        .bind(owner)
        .bind(lease_until.micros())
        .bind(lease_now.micros())
        .bind(now.micros())
        .execute(&self.write)
        .await
        .map_err(db)?;
        if claimed.rows_affected() == 0 {
            let holder = sqlx::query("SELECT lease_owner, lease_until FROM channels WHERE client_id = $1 AND code = $2")
                .bind(client_id)
                .bind(code)
                .fetch_optional(&self.write)
                .await
                .map_err(db)?;
            return match holder {
                Some(r) => Ok(ChannelClaim::Held {
                    owner: col::<Option<String>>(&r, "lease_owner")?.unwrap_or_default(),
                    until: opt_time(&r, "lease_until")?.unwrap_or(lease_now),
                }),
                None => Err(DomainError::NotFound(format!("channel '{code}'"))),
            };
        }
        let r = sqlx::query(
            "SELECT c.id, c.type, c.credentials, c.settings, c.sync_cursor, c.created_at, k.code AS client FROM channels c \
             JOIN clients k ON k.id = c.client_id WHERE c.client_id = $1 AND c.code = $2",
        )
        .bind(client_id)
        .bind(code)
        .fetch_one(&self.write)
        .await
        .map_err(db)?;
        Ok(ChannelClaim::Taken(SyncTarget {
            client_id,
            client: col(&r, "client")?,
            channel_id: col(&r, "id")?,
            code: code.to_string(),
            channel_type: word(&r, "type", ChannelType::parse)?,
            credentials: col(&r, "credentials")?,
            settings: json(&r, "settings")?,
            cursor: opt_time(&r, "sync_cursor")?,
            created_at: time(&r, "created_at")?,
            lease_owner: owner.to_string(),
        }))
    }

    /// Extends a lease `owner` holds to `until` (real time): the heartbeat of a running sync.
    /// False when the lease is no longer the owner's (it expired and another process took it).
    pub async fn renew_channel_lease(&self, channel_id: i64, owner: &str, until: Timestamp) -> Result<bool> {
        let renewed = sqlx::query("UPDATE channels SET lease_until = $3 WHERE id = $1 AND lease_owner = $2")
            .bind(channel_id)
            .bind(owner)
            .bind(until.micros())
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Drops every channel lease: for the one process serving a SQLite database, at start-up, where
    /// any lease left is one its own earlier life died holding. Returns how many were dropped.
    pub async fn drop_channel_leases(&self) -> Result<u64> {
        let dropped = sqlx::query("UPDATE channels SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(dropped.rows_affected())
    }

    /// Records how a sync ended and gives the lease back.
    pub async fn finish_sync(&self, target: &SyncTarget, end: &SyncEnd, now: Timestamp) -> Result<()> {
        let q = match end {
            SyncEnd::Success { next_at } => sqlx::query(
                "UPDATE channels SET status = CASE WHEN status = 'DISABLED' THEN status ELSE $3 END, next_sync_at = $4, \
                 last_success_at = $5, failures = 0 WHERE client_id = $1 AND id = $2",
            )
            .bind(target.client_id)
            .bind(target.channel_id)
            .bind(ChannelStatus::Active.as_str())
            .bind(next_at.micros())
            .bind(now.micros()),
            SyncEnd::AuthFailed { message } => sqlx::query(
                "UPDATE channels SET status = $3, last_error = $4, failures = failures + 1 WHERE client_id = $1 AND id = $2",
            )
            .bind(target.client_id)
            .bind(target.channel_id)
            .bind(ChannelStatus::AuthFailed.as_str())
            .bind(message.as_str()),
            SyncEnd::Failed { message, next_at } => sqlx::query(
                "UPDATE channels SET status = CASE WHEN status = 'DISABLED' THEN status ELSE $3 END, last_error = $4, next_sync_at = $5, \
                 failures = failures + 1 WHERE client_id = $1 AND id = $2",
            )
            .bind(target.client_id)
            .bind(target.channel_id)
            .bind(ChannelStatus::Error.as_str())
            .bind(message.as_str())
            .bind(next_at.micros()),
        };
        q.execute(&self.write).await.map_err(db)?;
        // The lease goes back only if it is still ours: had it expired, another process may hold it now.
        sqlx::query("UPDATE channels SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2")
            .bind(target.channel_id)
            .bind(&target.lease_owner)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// How many syncs of the channel failed in a row (for backoff).
    pub async fn channel_failures(&self, channel_id: i64) -> Result<i64> {
        let row = sqlx::query("SELECT failures FROM channels WHERE id = $1")
            .bind(channel_id)
            .fetch_one(&self.read)
            .await
            .map_err(db)?;
        col(&row, "failures")
    }

    /// Applies a page of marketplace orders in one transaction: new and changed orders are
    /// ingested, orders the marketplace cancelled are cancelled (their stock freed).
    pub async fn apply_marketplace_orders(&self, ctx: &WriteCtx, page: MarketplacePage) -> Result<Vec<IngestOutcome>> {
        let mut tx = self.begin(ctx).await?;
        let outcomes = self.ingest_in_tx(&mut tx.tx, ctx, page.orders).await?;
        for (channel, coid) in page.cancelled {
            self.cancel_from_marketplace(&mut tx.tx, ctx, &channel, &coid, "cancelled on the marketplace").await?;
        }
        for (channel, event, coid, reason) in page.events {
            match self.channel_event_in_tx(&mut tx.tx, ctx, &channel, event, &coid, reason.as_deref()).await {
                Ok(_) | Err(DomainError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        if let Some((channel_id, cursor)) = page.cursor {
            sqlx::query("UPDATE channels SET sync_cursor = $3 WHERE client_id = $1 AND id = $2")
                .bind(ctx.client_id)
                .bind(channel_id)
                .bind(cursor.micros())
                .execute(&mut *tx.tx)
                .await
                .map_err(db)?;
        }
        tx.commit(&()).await?;
        Ok(outcomes)
    }

    /// Cancels an order the marketplace cancelled (no-op when unknown or already final).
    pub(crate) async fn cancel_from_marketplace(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        ctx: &WriteCtx,
        channel: &str,
        coid: &str,
        reason: &str,
    ) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT o.id FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.client_id = $1 AND c.code = $2 AND o.channel_order_id = $3",
        )
        .bind(ctx.client_id)
        .bind(channel)
        .bind(coid)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = col(&row, "id")?;
        let mut orders = load_orders(self, tx, ctx.client_id, &[id], true).await?;
        let Some(o) = orders.first_mut() else { return Ok(None) };
        if o.core.status().is_final() {
            return Ok(Some(id));
        }
        let (freed, change) = o.core.cancel(reason).map_err(|e| DomainError::Conflict(e.0))?;
        o.changes.extend(change);
        let order = o.clone();
        release_stock(tx, ctx, &order, &freed).await?;
        Writes::apply(tx, |w| save_orders(w, ctx, &mut orders)).await?;
        Ok(Some(id))
    }

    /// The channel of an order and its id there, for a one-order sync.
    pub async fn order_channel(&self, client_id: i64, id: &str) -> Result<(String, String)> {
        let not_found = || DomainError::NotFound(format!("order '{id}'"));
        let id: i64 = id.parse().map_err(|_| not_found())?;
        let r = sqlx::query("SELECT c.code AS channel, o.channel_order_id FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.client_id = $1 AND o.id = $2")
            .bind(client_id)
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .ok_or_else(not_found)?;
        Ok((col(&r, "channel")?, col(&r, "channel_order_id")?))
    }

    /// Orders whose acknowledgement is due at `now`: not yet acknowledged and not cancelled.
    pub async fn acknowledgements_due(&self, now: Timestamp) -> Result<Vec<AckDue>> {
        let rows = sqlx::query(
            "SELECT o.client_id, o.id, c.code AS channel, o.channel_order_id FROM orders o JOIN channels c ON c.id = o.channel_id \
             WHERE o.ack_due_at IS NOT NULL AND o.acknowledged_at IS NULL AND o.ack_due_at <= $1 AND o.status <> $2 ORDER BY o.ack_due_at, o.id LIMIT 500",
        )
        .bind(now.micros())
        .bind(OrderStatus::Cancelled.as_str())
        .fetch_all(&self.read)
        .await
        .map_err(db)?;
        rows.iter().map(AckDue::from_row).collect()
    }

    /// Records that the marketplace took the acknowledgement.
    pub async fn mark_acknowledged(&self, order_id: i64, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE orders SET acknowledged_at = $2 WHERE id = $1 AND acknowledged_at IS NULL")
            .bind(order_id)
            .bind(at.micros())
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// When an order was acknowledged to its marketplace, if it was.
    pub async fn acknowledged_at(&self, client_id: i64, id: &str) -> Result<Option<Timestamp>> {
        let id: i64 = id.parse().map_err(|_| DomainError::NotFound(format!("order '{id}'")))?;
        let r = sqlx::query("SELECT acknowledged_at FROM orders WHERE client_id = $1 AND id = $2")
            .bind(client_id)
            .bind(id)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::NotFound(format!("order '{id}'")))?;
        opt_time(&r, "acknowledged_at")
    }

    /// Ids (channel order ids) of the B2C orders a B2B order covers.
    pub async fn linked_orders(&self, client_id: i64, id: &str) -> Result<Vec<String>> {
        let id: i64 = id.parse().map_err(|_| DomainError::NotFound(format!("order '{id}'")))?;
        let rows = sqlx::query(
            "SELECT o.channel_order_id FROM order_links l JOIN orders o ON o.id = l.linked_order_id WHERE l.client_id = $1 AND l.order_id = $2 ORDER BY o.id",
        )
        .bind(client_id)
        .bind(id)
        .fetch_all(&self.read)
        .await
        .map_err(db)?;
        rows.iter().map(|r| col(r, "channel_order_id")).collect()
    }

    /// Claims up to `limit` outbox messages due at `now` for delivery by `owner` until `lease_until`
    /// (real time): each is delivered by one process at a time, and a lease that runs out (its
    /// holder died) lets another claim the message. `only` (client, message id) claims that message
    /// alone. Messages of one order to one destination (its ERP, or its marketplace) wait while an
    /// earlier one of the same is undelivered: they leave in order, and a dead letter holds back only
    /// its own order's messages to that destination. ERP postings of a client whose ERP connection is
    /// disabled are not claimed at all: they wait, untouched, until it is enabled again.
    pub async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_now: Timestamp,
        lease_until: Timestamp,
        owner: &str,
        only: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<(i64, OutboxMessage)>> {
        let mut tx = self.begin_write().await?;
        let skip = if self.dialect == Dialect::Postgres { " FOR UPDATE OF o SKIP LOCKED" } else { "" };
        let one = if only.is_some() { "o.client_id = $4 AND o.id = $5 AND " } else { "" };
        // `status IN (…) AND held = 0` repeats the condition of the `outbox_undelivered` index word
        // for word, so SQLite's planner sees that the index covers the query and walks it by id. A
        // disabled connection's postings are held (`held = 1`), so the walk never passes over its
        // backlog; the `erp_connections` test below only covers a posting released or replayed in
        // the moment its connection was turned off.
        let sql = format!(
            "{OUTBOX_SELECT} WHERE {one}o.status IN ('PENDING', 'SENDING') AND o.held = 0 \
             AND ((o.status = 'PENDING' AND o.next_attempt_at <= $1) OR (o.status = 'SENDING' AND o.lease_until < $2)) \
             AND (o.order_id IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.order_id = o.order_id AND e.id < o.id \
             AND e.status <> 'DELIVERED' AND (e.topic = '{POSTING_TOPIC}') = (o.topic = '{POSTING_TOPIC}'))) \
             AND (o.topic <> '{POSTING_TOPIC}' OR NOT EXISTS (SELECT 1 FROM erp_connections x WHERE x.client_id = o.client_id \
             AND x.enabled = 0)) \
             ORDER BY o.id LIMIT $3{skip}"
        );
        let mut query = sqlx::query(&sql).bind(now.micros()).bind(lease_now.micros()).bind(limit);
        if let Some((client_id, id)) = only {
            query = query.bind(client_id).bind(id);
        }
        let rows = query.fetch_all(&mut *tx).await.map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        let mut ids = Vec::with_capacity(rows.len());
        for r in &rows {
            ids.push(col::<i64>(r, "id")?);
            out.push((col(r, "client_id")?, OutboxMessage::from_row(r)?));
        }
        if !ids.is_empty() {
            let list = (3..ids.len() + 3).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
            let sql = format!("UPDATE outbox SET status = 'SENDING', lease_until = $1, lease_owner = $2 WHERE id IN ({list})");
            let mut q = sqlx::query(&sql).bind(lease_until.micros()).bind(owner);
            for id in &ids {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    /// Extends `owner`'s leases on the messages `ids` to `until` (real time): the heartbeat of a
    /// running delivery. Answers how many are still the owner's.
    pub async fn renew_outbox_leases(&self, ids: &[i64], owner: &str, until: Timestamp) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let list = (3..ids.len() + 3).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
        let sql = format!("UPDATE outbox SET lease_until = $1 WHERE lease_owner = $2 AND status = 'SENDING' AND id IN ({list})");
        let mut q = sqlx::query(&sql).bind(until.micros()).bind(owner);
        for id in ids {
            q = q.bind(*id);
        }
        Ok(q.execute(&self.write).await.map_err(db)?.rows_affected())
    }

    /// Records how the deliveries `owner` claimed went, in one transaction. A message whose lease is
    /// no longer `owner`'s (it ran out and another process took the message) is left to its new
    /// holder.
    pub async fn outbox_attempted(&self, owner: &str, now: Timestamp, outcomes: &[(i64, DeliveryOutcome)]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let ids_of = |wanted: fn(&DeliveryOutcome) -> bool| -> Vec<i64> {
            outcomes.iter().filter(|(_, o)| wanted(o)).map(|(id, _)| *id).collect()
        };
        let delivered = ids_of(|o| matches!(o, DeliveryOutcome::Delivered));
        if !delivered.is_empty() {
            let list = (3..delivered.len() + 3).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "UPDATE outbox SET status = 'DELIVERED', delivered_at = $2, attempts = attempts + 1, lease_until = NULL, \
                 lease_owner = NULL WHERE lease_owner = $1 AND status = 'SENDING' AND id IN ({list})"
            );
            let mut q = sqlx::query(&sql).bind(owner).bind(now.micros());
            for id in delivered {
                q = q.bind(id);
            }
            q.execute(&mut *tx).await.map_err(db)?;
        }
        let released = ids_of(|o| matches!(o, DeliveryOutcome::Released));
        if !released.is_empty() {
            // Not an attempt: the message goes back as it was, due when it was due, held while its
            // connection is off.
            let list = (2..released.len() + 2).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
            let sql = format!(
                "UPDATE outbox SET status = 'PENDING', lease_until = NULL, lease_owner = NULL, held = {HELD_NOW} \
                 WHERE lease_owner = $1 AND status = 'SENDING' AND id IN ({list})"
            );
            let mut q = sqlx::query(&sql).bind(owner);
            for id in released {
                q = q.bind(id);
            }
            q.execute(&mut *tx).await.map_err(db)?;
        }
        for (id, outcome) in outcomes {
            let q = match outcome {
                DeliveryOutcome::Delivered | DeliveryOutcome::Released => continue,
                DeliveryOutcome::Retry { error, at } => sqlx::query(
                    "UPDATE outbox SET status = 'PENDING', last_error = $3, next_attempt_at = $4, attempts = attempts + 1, \
                     lease_until = NULL, lease_owner = NULL WHERE id = $1 AND lease_owner = $2 AND status = 'SENDING'",
                )
                .bind(*id)
                .bind(owner)
                .bind(error.as_str())
                .bind(at.micros()),
                DeliveryOutcome::Dead { error } => sqlx::query(
                    "UPDATE outbox SET status = 'DEAD', last_error = $3, attempts = attempts + 1, lease_until = NULL, \
                     lease_owner = NULL WHERE id = $1 AND lease_owner = $2 AND status = 'SENDING'",
                )
                .bind(*id)
                .bind(owner)
                .bind(error.as_str()),
            };
            q.execute(&mut *tx).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Gives back every outbox lease: for the one process serving a SQLite database, at start-up,
    /// where any message still being sent is one its own earlier life died sending. The messages are
    /// due again at once. Returns how many there were.
    pub async fn drop_outbox_leases(&self) -> Result<u64> {
        let sql = format!(
            "UPDATE outbox SET status = 'PENDING', lease_until = NULL, lease_owner = NULL, held = {HELD_NOW} WHERE status = 'SENDING'"
        );
        let dropped = sqlx::query(&sql).execute(&self.write).await.map_err(db)?;
        Ok(dropped.rows_affected())
    }

    /// The client's outbox, newest first, optionally by status.
    pub async fn outbox(&self, client_id: i64, status: Option<&str>, page: PageRequest) -> Result<Page<OutboxMessage>> {
        let sql = format!(
            "{OUTBOX_SELECT} WHERE o.client_id = $1 AND ($2 IS NULL OR o.status = $2) AND o.id < $3 ORDER BY o.id DESC LIMIT $4"
        );
        let rows = sqlx::query(&sql)
            .bind(client_id)
            .bind(status)
            .bind(page.after.unwrap_or(i64::MAX))
            .bind(page.limit + 1)
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        let items = rows.iter().map(with_id).collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(items, page.limit))
    }

    /// Sends a dead (or delivered) message again: it is pending from now.
    pub async fn replay_outbox(&self, ctx: &WriteCtx, id: &str) -> Result<OutboxMessage> {
        idempotent!(self, ctx, |w| {
            let not_found = || DomainError::NotFound(format!("outbox message '{id}'"));
            let n: i64 = id.parse().map_err(|_| not_found())?;
            let sql = format!(
                "UPDATE outbox SET status = 'PENDING', next_attempt_at = $3, lease_until = NULL, lease_owner = NULL, \
                 held = {HELD_NOW} WHERE client_id = $1 AND id = $2 AND status <> 'SENDING'"
            );
            let done =
                sqlx::query(&sql).bind(ctx.client_id).bind(n).bind(ctx.now.micros()).execute(&mut *w.tx).await.map_err(db)?;
            if done.rows_affected() == 0 {
                let exists = sqlx::query("SELECT 1 FROM outbox WHERE client_id = $1 AND id = $2")
                    .bind(ctx.client_id)
                    .bind(n)
                    .fetch_optional(&mut *w.tx)
                    .await
                    .map_err(db)?;
                return Err(if exists.is_some() {
                    DomainError::Conflict("the message is being delivered right now".into())
                } else {
                    not_found()
                });
            }
            let sql = format!("{OUTBOX_SELECT} WHERE o.id = $1");
            let r = sqlx::query(&sql).bind(n).fetch_one(&mut *w.tx).await.map_err(db)?;
            OutboxMessage::from_row(&r)
        })
    }
}
