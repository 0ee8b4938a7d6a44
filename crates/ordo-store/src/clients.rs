//! Clients (tenants) and their API keys.

use crate::db::db;
use crate::{Result, Store};
use ordo_domain::kinds::Role;
use ordo_domain::model::{ApiKey, Client, Principal};
use ordo_domain::{DomainError, Timestamp};
use sqlx::Row;

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
        Ok((row.get(0), Client { code: row.get(1), name: row.get(2), created_at: Timestamp::from_micros(row.get(3)) }))
    }

    /// Every client, by code.
    pub async fn list_clients(&self) -> Result<Vec<Client>> {
        let rows =
            sqlx::query("SELECT code, name, created_at FROM clients ORDER BY code").fetch_all(&self.read).await.map_err(db)?;
        Ok(rows.iter().map(|r| Client { code: r.get(0), name: r.get(1), created_at: Timestamp::from_micros(r.get(2)) }).collect())
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
        .map_err(db)?
        .get(0);
        Ok(ApiKey { id: id.to_string(), prefix: prefix.into(), role, created_at: now, revoked_at: None })
    }

    /// The client's API keys, oldest first.
    pub async fn list_api_keys(&self, client_id: i64) -> Result<Vec<ApiKey>> {
        let rows = sqlx::query("SELECT id, prefix, role, created_at, revoked_at FROM api_keys WHERE client_id = $1 ORDER BY id")
            .bind(client_id)
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        rows.iter().map(api_key).collect()
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
        Ok((api_key(&row)?, row.get(5)))
    }

    /// The caller behind a key hash, if the key exists and is not revoked.
    pub async fn principal_by_key_hash(&self, key_hash: &str) -> Result<Option<Principal>> {
        let row = sqlx::query(
            "SELECT k.client_id, c.code, k.role, k.prefix FROM api_keys k JOIN clients c ON c.id = k.client_id \
             WHERE k.key_hash = $1 AND k.revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_optional(&self.read)
        .await
        .map_err(db)?;
        row.map(|r| {
            let role: String = r.get(2);
            Ok(Principal {
                client_id: r.get(0),
                client_code: r.get(1),
                role: Role::parse(&role).map_err(DomainError::Internal)?,
                key_prefix: r.get(3),
            })
        })
        .transpose()
    }
}

fn api_key(r: &sqlx::any::AnyRow) -> Result<ApiKey> {
    let role: String = r.get(2);
    Ok(ApiKey {
        id: r.get::<i64, _>(0).to_string(),
        prefix: r.get(1),
        role: Role::parse(&role).map_err(DomainError::Internal)?,
        created_at: Timestamp::from_micros(r.get(3)),
        revoked_at: r.get::<Option<i64>, _>(4).map(Timestamp::from_micros),
    })
}
