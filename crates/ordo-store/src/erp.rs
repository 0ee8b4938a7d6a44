//! A client's ERP connection (SPEC.md §13.1): one endpoint per client, the posting types it takes,
//! whether delivery is on, its sealed signing secret, and how delivery has gone.

use crate::db::db;
use crate::postings::POSTING_TOPIC;
use crate::rows::{col, opt_time};
use crate::tx::idempotent;
use crate::{Result, Store, WriteCtx};
use ordo_domain::{DomainError, Timestamp};
use serde::{Deserialize, Serialize};

/// The connection as kept (the secret sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpConnection {
    pub endpoint: String,
    pub enabled: bool,
    /// The posting types sent (words).
    pub events: Vec<String>,
    pub sealed_secret: Vec<u8>,
    pub last_delivery_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// What a `PUT /api/v1/erp` sets; `None` keeps what is there (or the default for a new connection).
#[derive(Debug, Clone)]
pub struct ErpConnectionInput {
    pub endpoint: String,
    pub enabled: Option<bool>,
    pub events: Option<Vec<String>>,
    /// Sealed; used only when the connection is made (or its secret rotated).
    pub new_sealed_secret: Vec<u8>,
}

/// The ERP messages of a client waiting and dead in the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErpBacklog {
    pub pending: i64,
    pub dead: i64,
}

fn connection(r: &sqlx::any::AnyRow) -> Result<ErpConnection> {
    let events: String = col(r, "events")?;
    let enabled: i64 = col(r, "enabled")?;
    Ok(ErpConnection {
        endpoint: col(r, "endpoint")?,
        enabled: enabled != 0,
        events: serde_json::from_str(&events).map_err(|e| DomainError::Internal(format!("stored ERP events: {e}")))?,
        sealed_secret: col(r, "secret")?,
        last_delivery_at: opt_time(r, "last_delivery_at")?,
        last_error: col(r, "last_error")?,
    })
}

const COLUMNS: &str = "endpoint, enabled, events, secret, last_delivery_at, last_error";

impl Store {
    /// Makes or changes the client's ERP connection: answers it and whether it was made now (its
    /// secret new). Changing one keeps its secret.
    pub async fn put_erp_connection(
        &self,
        ctx: &WriteCtx,
        input: ErpConnectionInput,
        all_events: &[&str],
    ) -> Result<(ErpConnection, bool)> {
        idempotent!(self, ctx, |w| {
            let existing = sqlx::query(&format!("SELECT {COLUMNS} FROM erp_connections WHERE client_id = $1"))
                .bind(ctx.client_id)
                .fetch_optional(&mut *w.tx)
                .await
                .map_err(db)?
                .map(|r| connection(&r))
                .transpose()?;
            let created = existing.is_none();
            let enabled = input.enabled.or(existing.as_ref().map(|c| c.enabled)).unwrap_or(true);
            let events = input
                .events
                .clone()
                .or(existing.as_ref().map(|c| c.events.clone()))
                .unwrap_or_else(|| all_events.iter().map(|e| e.to_string()).collect());
            let events_text = serde_json::to_string(&events).map_err(|e| DomainError::Internal(e.to_string()))?;
            let row = sqlx::query(&format!(
                "INSERT INTO erp_connections (client_id, endpoint, enabled, events, secret, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (client_id) DO UPDATE SET endpoint = excluded.endpoint, \
                 enabled = excluded.enabled, events = excluded.events, updated_at = excluded.updated_at RETURNING {COLUMNS}"
            ))
            .bind(ctx.client_id)
            .bind(&input.endpoint)
            .bind(i64::from(enabled))
            .bind(events_text)
            .bind(&input.new_sealed_secret)
            .bind(ctx.now.micros())
            .fetch_one(&mut *w.tx)
            .await
            .map_err(db)?;
            match (existing.as_ref().map(|c| c.enabled), enabled) {
                // The postings waited for the endpoint, not for their retry times: they go now.
                (Some(false), true) => sqlx::query(
                    "UPDATE outbox SET held = 0, next_attempt_at = CASE WHEN next_attempt_at > $2 THEN $2 ELSE next_attempt_at END \
                     WHERE client_id = $1 AND topic = $3 AND status = 'PENDING' AND held = 1",
                )
                .bind(ctx.client_id)
                .bind(ctx.now.micros())
                .bind(POSTING_TOPIC)
                .execute(&mut *w.tx)
                .await
                .map_err(db)
                .map(|_| ())?,
                (Some(true), false) => hold_postings(&mut w.tx, ctx.client_id).await?,
                _ => {}
            }
            Ok::<_, DomainError>((connection(&row)?, created))
        })
    }

    /// Replaces the signing secret of the client's ERP connection.
    pub async fn rotate_erp_secret(&self, ctx: &WriteCtx, sealed_secret: Vec<u8>) -> Result<ErpConnection> {
        idempotent!(self, ctx, |w| {
            let row = sqlx::query(&format!(
                "UPDATE erp_connections SET secret = $1, updated_at = $2 WHERE client_id = $3 RETURNING {COLUMNS}"
            ))
            .bind(&sealed_secret)
            .bind(ctx.now.micros())
            .bind(ctx.client_id)
            .fetch_optional(&mut *w.tx)
            .await
            .map_err(db)?
            .ok_or_else(no_connection)?;
            connection(&row)
        })
    }

    /// The client's ERP connection, if it has one.
    pub async fn erp_connection(&self, client_id: i64) -> Result<Option<ErpConnection>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM erp_connections WHERE client_id = $1"))
            .bind(client_id)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?;
        row.map(|r| connection(&r)).transpose()
    }

    /// The client's ERP messages still to deliver and dead-lettered.
    pub async fn erp_backlog(&self, client_id: i64) -> Result<ErpBacklog> {
        let row = sqlx::query(
            "SELECT CAST(coalesce(sum(CASE WHEN status IN ('PENDING', 'SENDING') THEN 1 ELSE 0 END), 0) AS BIGINT) AS pending, \
             CAST(coalesce(sum(CASE WHEN status = 'DEAD' THEN 1 ELSE 0 END), 0) AS BIGINT) AS dead \
             FROM outbox WHERE client_id = $1 AND topic LIKE 'erp.%'",
        )
        .bind(client_id)
        .fetch_one(&self.read)
        .await
        .map_err(db)?;
        Ok(ErpBacklog { pending: col(&row, "pending")?, dead: col(&row, "dead")? })
    }
}

impl Store {
    /// The client's code (the `client` of a posting).
    pub async fn client_code_of(&self, client_id: i64) -> Result<String> {
        let mut conn = self.read.acquire().await.map_err(db)?;
        crate::orders::client_code(&mut conn, client_id).await
    }

    /// Records how deliveries to the client's ERP went: `delivered_at` when one was delivered, the
    /// `error` of the last one when it failed (`None` when the last one was delivered); `gone` (a
    /// 410) turns delivery off until the user turns it on again.
    pub async fn erp_delivery_attempted(
        &self,
        client_id: i64,
        delivered_at: Option<Timestamp>,
        error: Option<&str>,
        gone: bool,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE erp_connections SET last_delivery_at = COALESCE($1, last_delivery_at), last_error = $2, \
             enabled = CASE WHEN $3 = 1 THEN 0 ELSE enabled END WHERE client_id = $4",
        )
        .bind(delivered_at.map(Timestamp::micros))
        .bind(error)
        .bind(i64::from(gone))
        .bind(client_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if gone {
            hold_postings(&mut tx, client_id).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }
}

/// Holds the client's pending postings: its ERP connection was turned off.
async fn hold_postings(tx: &mut sqlx::Transaction<'static, sqlx::Any>, client_id: i64) -> Result<()> {
    sqlx::query("UPDATE outbox SET held = 1 WHERE client_id = $1 AND topic = $2 AND status = 'PENDING' AND held = 0")
        .bind(client_id)
        .bind(POSTING_TOPIC)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    Ok(())
}

fn no_connection() -> DomainError {
    DomainError::NotFound("ERP connection: none is set; make one with PUT /api/v1/erp".into())
}
