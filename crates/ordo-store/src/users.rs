//! Users of the operator screens and their signed-in sessions.

use crate::db::db;
use crate::rows::{FromRow, col, id_text, opt_time, time, word};
use crate::{Result, Store};
use ordo_domain::kinds::Role;
use ordo_domain::model::{Principal, User};
use ordo_domain::{DomainError, Timestamp};
use sqlx::any::AnyRow;

/// A user as the login form needs them: who they are and the hash to check the password against.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: i64,
    pub principal: Principal,
    pub password_hash: String,
    pub disabled: bool,
}

/// A session found by its token: who is signed in, and since when.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub user_id: i64,
    pub email: String,
    pub principal: Principal,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

const USER_COLUMNS: &str = "u.id, u.email, u.role, u.created_at, u.disabled_at";

impl Store {
    /// Stores a new user of `client_id`; the email must not be taken, by this client or another.
    pub async fn create_user(
        &self,
        client_id: i64,
        email: &str,
        role: Role,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<User> {
        let row = sqlx::query(
            "INSERT INTO users (client_id, email, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(client_id)
        .bind(email)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now.micros())
        .fetch_optional(&self.write)
        .await
        .map_err(db)?;
        let Some(row) = row else {
            return Err(DomainError::field("email", format!("a user with the email '{email}' exists already")));
        };
        Ok(User { id: id_text(&row, "id")?, email: email.into(), role, created_at: now, disabled_at: None })
    }

    /// The client's users, by email.
    pub async fn list_users(&self, client_id: i64) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.client_id = $1 ORDER BY u.email"))
            .bind(client_id)
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        rows.iter().map(User::from_row).collect()
    }

    /// The user with this email, with their password hash, for signing in.
    pub async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>> {
        let row = sqlx::query(
            "SELECT u.id, u.client_id, c.code AS client_code, u.role, u.email, u.password_hash, u.disabled_at \
             FROM users u JOIN clients c ON c.id = u.client_id WHERE u.email = $1",
        )
        .bind(email)
        .fetch_optional(&self.read)
        .await
        .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Credentials {
            user_id: col(&r, "id")?,
            principal: user_principal(&r)?,
            password_hash: col(&r, "password_hash")?,
            disabled: opt_time(&r, "disabled_at")?.is_some(),
        }))
    }

    /// Disables one of the client's users (by id) and ends their sessions, in one transaction;
    /// disabling them again changes nothing.
    pub async fn disable_user(&self, client_id: i64, id: i64, now: Timestamp) -> Result<User> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE client_id = $2 AND id = $3 AND disabled_at IS NULL")
            .bind(now.micros())
            .bind(client_id)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u WHERE u.client_id = $1 AND u.id = $2"))
            .bind(client_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::NotFound(format!("user '{id}'")))?;
        let user = User::from_row(&row)?;
        end_sessions_of(&mut tx, id, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(user)
    }

    /// Gives one of the client's users (by email) a new password hash and ends their sessions, in
    /// one transaction.
    pub async fn set_user_password(&self, client_id: i64, email: &str, password_hash: &str, now: Timestamp) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "UPDATE users SET password_hash = $1 WHERE client_id = $2 AND email = $3 RETURNING {}",
            USER_COLUMNS.replace("u.", "")
        ))
        .bind(password_hash)
        .bind(client_id)
        .bind(email)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or_else(|| DomainError::NotFound(format!("user '{email}'")))?;
        let user = User::from_row(&row)?;
        end_sessions_of(&mut tx, col(&row, "id")?, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(user)
    }

    /// Starts a session for a user, kept by the hash of its token.
    pub async fn create_session(&self, user_id: i64, token_hash: &str, now: Timestamp) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now.micros())
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The session with this token hash, if it has not ended and its user is not disabled. Whether
    /// it has expired is the caller's rule, from `created_at` and `last_seen_at`.
    pub async fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<StoredSession>> {
        let row = sqlx::query(
            "SELECT s.user_id, s.created_at, s.last_seen_at, u.client_id, c.code AS client_code, u.role, u.email \
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN clients c ON c.id = u.client_id \
             WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await
        .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(StoredSession {
            user_id: col(&r, "user_id")?,
            email: col(&r, "email")?,
            principal: user_principal(&r)?,
            created_at: time(&r, "created_at")?,
            last_seen_at: time(&r, "last_seen_at")?,
        }))
    }

    /// Records that a session was used at `now`, which keeps it from going idle.
    pub async fn touch_session(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
            .bind(now.micros())
            .bind(token_hash)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Ends a session (logout, or found expired); ending it again changes nothing.
    pub async fn end_session(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE token_hash = $2 AND ended_at IS NULL")
            .bind(now.micros())
            .bind(token_hash)
            .execute(&self.write)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// Whether the session with this token hash has ended (for tests and audits).
    pub async fn session_ended(&self, token_hash: &str) -> Result<Option<bool>> {
        let row = sqlx::query("SELECT ended_at FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?;
        row.map(|r| opt_time(&r, "ended_at").map(|t| t.is_some())).transpose()
    }
}

/// Ends every live session of a user (disabled, or given a new password).
async fn end_sessions_of(tx: &mut sqlx::Transaction<'static, sqlx::Any>, user_id: i64, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE sessions SET ended_at = $1 WHERE ended_at IS NULL AND user_id = $2")
        .bind(now.micros())
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    Ok(())
}

/// The principal of a user row (with `client_id`, `client_code`, `role` and `email`).
fn user_principal(r: &AnyRow) -> Result<Principal> {
    Ok(Principal {
        client_id: col(r, "client_id")?,
        client_code: col(r, "client_code")?,
        role: word(r, "role", Role::parse)?,
        actor: format!("user:{}", col::<String>(r, "email")?),
    })
}

impl FromRow for User {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(User {
            id: id_text(r, "id")?,
            email: col(r, "email")?,
            role: word(r, "role", Role::parse)?,
            created_at: time(r, "created_at")?,
            disabled_at: opt_time(r, "disabled_at")?,
        })
    }
}
