//! Write transactions and idempotency. A request with an `Idempotency-Key` stores its result in the
//! same transaction as its effect, so a retry either finds the result (and gets it again) or finds
//! no trace of the first attempt (and does the work once). Nothing in between can be seen.

use crate::db::{Dialect, db};
use crate::rows::col;
use crate::{Result, Store};
use ordo_domain::{DomainError, Timestamp};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

/// Who writes, when, and under which idempotency key.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub client_id: i64,
    /// Recorded in the ledger and timelines: `key:<prefix>`, `system`, `cli`.
    pub actor: String,
    pub now: Timestamp,
    pub idempotency: Option<IdempotencyClaim>,
}

impl WriteCtx {
    /// A context without an idempotency key.
    pub fn new(client_id: i64, actor: impl Into<String>, now: Timestamp) -> Self {
        WriteCtx { client_id, actor: actor.into(), now, idempotency: None }
    }
}

/// An `Idempotency-Key` and the fingerprint of the request that came with it.
#[derive(Debug, Clone)]
pub struct IdempotencyClaim {
    pub key: String,
    /// A hash of method, path and body: the same key with another request is refused.
    pub fingerprint: String,
}

/// An open write transaction of one use case.
pub(crate) struct WriteTx<'c> {
    pub tx: Transaction<'static, Any>,
    pub ctx: &'c WriteCtx,
}

impl Store {
    /// Starts a bare write transaction: `BEGIN IMMEDIATE` on SQLite, so it never has to upgrade a
    /// read lock and fail with SQLITE_BUSY.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>> {
        match self.dialect {
            Dialect::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.write.begin().await,
        }
        .map_err(db)
    }

    /// Starts the write transaction of a use case, queued behind any other with the same
    /// idempotency key.
    pub(crate) async fn begin<'c>(&self, ctx: &'c WriteCtx) -> Result<WriteTx<'c>> {
        let tx = self.begin_write().await?;
        let mut w = WriteTx { tx, ctx };
        if let (Dialect::Postgres, Some(claim)) = (self.dialect, &ctx.idempotency) {
            // Two requests with the same key queue here instead of both doing the work.
            let lock = lock_id(ctx.client_id, &claim.key);
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(lock).execute(&mut *w.tx).await.map_err(db)?;
        }
        Ok(w)
    }
}

fn lock_id(client_id: i64, key: &str) -> i64 {
    let digest = Sha256::new().chain_update(client_id.to_be_bytes()).chain_update(key.as_bytes()).finalize();
    i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

impl WriteTx<'_> {
    /// The stored result of an earlier request with the same key, if there was one.
    pub async fn replay<T: DeserializeOwned>(&mut self) -> Result<Option<T>> {
        let Some(claim) = &self.ctx.idempotency else {
            return Ok(None);
        };
        let row = sqlx::query("SELECT fingerprint, response FROM idempotency_keys WHERE client_id = $1 AND key = $2")
            .bind(self.ctx.client_id)
            .bind(&claim.key)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        if col::<&str>(&row, "fingerprint")? != claim.fingerprint {
            return Err(DomainError::IdempotencyKeyReused);
        }
        serde_json::from_str(col(&row, "response")?)
            .map(Some)
            .map_err(|e| DomainError::Internal(format!("stored idempotent response unreadable: {e}")))
    }

    /// Records the result under the idempotency key (if any) and commits.
    pub async fn commit<T: Serialize>(mut self, out: &T) -> Result<()> {
        if let Some(claim) = &self.ctx.idempotency {
            let response = serde_json::to_string(out).map_err(|e| DomainError::Internal(e.to_string()))?;
            sqlx::query(
                "INSERT INTO idempotency_keys (client_id, key, fingerprint, response, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(self.ctx.client_id)
            .bind(&claim.key)
            .bind(&claim.fingerprint)
            .bind(response)
            .bind(self.ctx.now.micros())
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        }
        self.tx.commit().await.map_err(db)
    }
}

/// Runs a use case body inside a write transaction with idempotent replay:
/// `idempotent!(self, ctx, |w| { ...; Ok(out) })` returns the stored result on a repeated key.
macro_rules! idempotent {
    ($store:expr, $ctx:expr, |$w:ident| $body:block) => {{
        let mut $w = $store.begin($ctx).await?;
        if let Some(previous) = $w.replay().await? {
            return Ok(previous);
        }
        let out = $body?;
        $w.commit(&out).await?;
        Ok(out)
    }};
}
pub(crate) use idempotent;
