//! Clients (tenants) and their API keys.

use crate::db::db;
use crate::rows::{FromRow, col, id_text, opt_time, time, word};
use crate::{Result, Store};
use ordo_domain::kinds::Role;
use ordo_domain::model::{ApiKey, Client, Principal};
use ordo_domain::{DomainError, Timestamp};
use sqlx::any::AnyRow;

impl Store {
    /// Creates a client; its code must be new.
    pub async fn create_client(&self, code: &str, name: &str, now: Timestamp) -> Result<Client> {
        let inserted =
            sqlx::query("INSERT INTO clients (code, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING")
                .bind(code)
                .bind(name)
                .bind(now.micros())
                .execute(&self.write)
                .await
                .map_err(db)?;
        if inserted.rows_affected() == 0 {
            return Err(DomainError::Conflict(format!("client '{code}' exists already")));
        }
        Ok(Client { code: code.into(), name: name.into(), created_at: now })
    }

    /// The client with this code and its id.
    pub async fn client_by_code(&self, code: &str) -> Result<(i64, Client)> {
        let row = sqlx::query("SELECT id, code, name, created_at FROM clients WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::NotFound(format!("client '{code}'")))?;
        Ok((col(&row, "id")?, Client::from_row(&row)?))
    }

    /// Every client, by code.
    pub async fn list_clients(&self) -> Result<Vec<Client>> {
        let rows =
            sqlx::query("SELECT code, name, created_at FROM clients ORDER BY code").fetch_all(&self.read).await.map_err(db)?;
        rows.iter().map(Client::from_row).collect()
    }

    /// Stores a new API key by its hash; the key itself is never stored.
    pub async fn create_api_key(
        &self,
        client_id: i64,
        role: Role,
        key_hash: &str,
        prefix: &str,
        now: Timestamp,
    ) -> Result<ApiKey> {
        let id: i64 = sqlx::query(
            "INSERT INTO api_keys (client_id, role, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(client_id)
        .bind(role.as_str())
        .bind(key_hash)
        .bind(prefix)
        .bind(now.micros())
        .fetch_one(&self.write)
        .await
        .map_err(db)
        .and_then(|r| col(&r, "id"))?;
        Ok(ApiKey { id: id.to_string(), prefix: prefix.into(), role, created_at: now, revoked_at: None })
    }

    /// The client's API keys, oldest first.
    pub async fn list_api_keys(&self, client_id: i64) -> Result<Vec<ApiKey>> {
        let rows = sqlx::query("SELECT id, prefix, role, created_at, revoked_at FROM api_keys WHERE client_id = $1 ORDER BY id")
            .bind(client_id)
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        rows.iter().map(ApiKey::from_row).collect()
    }

    /// Revokes one of the client's API keys (by its id); revoking it again changes nothing. Returns
    /// the key as it now stands and its hash, so that caches of it can be dropped.
    pub async fn revoke_api_key(&self, client_id: i64, id: i64, now: Timestamp) -> Result<(ApiKey, String)> {
        sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE client_id = $2 AND id = $3 AND revoked_at IS NULL")
            .bind(now.micros())
            .bind(client_id)
            .bind(id)
            .execute(&self.write)
            .await
            .map_err(db)?;
        let row = sqlx::query(
            "SELECT id, prefix, role, created_at, revoked_at, key_hash FROM api_keys WHERE client_id = $1 AND id = $2",
        )
        .bind(client_id)
        .bind(id)
        .fetch_optional(&self.write)
        .await
        .map_err(db)?
        .ok_or_else(|| DomainError::NotFound(format!("API key '{id}'")))?;
        Ok((ApiKey::from_row(&row)?, col(&row, "key_hash")?))
    }

    /// The caller behind a key hash, if the key exists and is not revoked.
    pub async fn principal_by_key_hash(&self, key_hash: &str) -> Result<Option<Principal>> {
        let row = sqlx::query(
            "SELECT k.client_id, c.code AS client_code, k.role, k.prefix FROM api_keys k JOIN clients c ON c.id = k.client_id \
             WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.read)
        .await
        .map_err(db)?;
        row.as_ref().map(Principal::from_row).transpose()
    }
}

impl FromRow for Client {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Client { code: col(r, "code")?, name: col(r, "name")?, created_at: time(r, "created_at")? })
    }
}

impl FromRow for ApiKey {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(ApiKey {
            id: id_text(r, "id")?,
            prefix: col(r, "prefix")?,
            role: word(r, "role", Role::parse)?,
            created_at: time(r, "created_at")?,
            revoked_at: opt_time(r, "revoked_at")?,
        })
    }
}

impl FromRow for Principal {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Principal {
            client_id: col(r, "client_id")?,
            client_code: col(r, "client_code")?,
            role: word(r, "role", Role::parse)?,
            actor: format!("key:{}", col::<String>(r, "prefix")?),
        })
    }
}
