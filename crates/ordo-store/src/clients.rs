//! Clients (tenants) and their API keys.

use crate::db::db;
use crate::{Result, Store};
use ordo_domain::kinds::Role;
use ordo_domain::model::{Client, Principal};
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
    pub async fn create_api_key(&self, client_id: i64, role: Role, key_hash: &str, prefix: &str, now: Timestamp) -> Result<()> {
        sqlx::query("INSERT INTO api_keys (client_id, role, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(client_id)
            .bind(role.as_str())
            .bind(key_hash)
            .bind(prefix)
            .bind(now.micros())
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
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
