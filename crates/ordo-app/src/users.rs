//! Users of the operator screens: created from the command line or by an admin, signed in with an
//! email and a password (kept as an argon2 hash), and their sessions (kept by the SHA-256 of the
//! cookie's token, ended by logout, by going idle, or by age).

use crate::{App, Caller, Result};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use ordo_domain::DomainError;
use ordo_domain::kinds::{Permission, Role};
use ordo_domain::model::User;

/// A session not used for this long has ended: about a shift at a station.
pub const SESSION_IDLE_SECONDS: i64 = 8 * 3600;
/// A session this old has ended however much it is used: everyone signs in once a day.
pub const SESSION_MAX_SECONDS: i64 = 24 * 3600;
/// A session's last use is written at most this often, so browsing a screen is not a write per request.
const TOUCH_EVERY_SECONDS: i64 = 60;
/// The shortest password accepted.
pub const PASSWORD_MIN_CHARS: usize = 10;

/// Someone signed in through a session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub email: String,
    pub caller: Caller,
}

/// A new user and, when Ordo made their password, that password (shown once, never stored).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub user: User,
    pub generated_password: Option<String>,
}

impl App {
    /// Creates a user of a client (by its code), for the command line. Without a password one is
    /// made and returned.
    pub async fn create_user(&self, client_code: &str, email: &str, role: Role, password: Option<&str>) -> Result<NewUser> {
        let (client_id, _) = self.store.client_by_code(client_code).await?;
        self.add_user(client_id, email, role, password).await
    }

    /// Creates a user of the caller's client with a password Ordo makes (shown once).
    pub async fn invite_user(&self, caller: &Caller, email: &str, role: Role) -> Result<NewUser> {
        let ctx = self.authorize(caller, Permission::ManageKeys)?;
        self.add_user(ctx.client_id, email, role, None).await
    }

    async fn add_user(&self, client_id: i64, email: &str, role: Role, password: Option<&str>) -> Result<NewUser> {
        let email = parse_email(email)?;
        let (password, generated_password) = choose_password(password)?;
        let hash = hash_password(&password).await?;
        let user = self.store.create_user(client_id, &email, role, &hash, self.now()).await?;
        Ok(NewUser { user, generated_password })
    }

    /// Gives a user of a client (by its code) a new password, for the command line: the one given,
    /// or one Ordo makes and returns. Their sessions end.
    pub async fn reset_user_password(&self, client_code: &str, email: &str, password: Option<&str>) -> Result<NewUser> {
        let (client_id, _) = self.store.client_by_code(client_code).await?;
        let (password, generated_password) = choose_password(password)?;
        let hash = hash_password(&password).await?;
        let user = self.store.set_user_password(client_id, email.trim(), &hash, self.now()).await?;
        Ok(NewUser { user, generated_password })
    }

    /// The users of a client (by its code), for the command line.
    pub async fn client_users(&self, client_code: &str) -> Result<Vec<User>> {
        let (client_id, _) = self.store.client_by_code(client_code).await?;
        self.store.list_users(client_id).await
    }

    /// The caller's client's users.
    pub async fn list_users(&self, caller: &Caller) -> Result<Vec<User>> {
        let ctx = self.authorize(caller, Permission::ManageKeys)?;
        self.store.list_users(ctx.client_id).await
    }

    /// Disables one of the caller's client's users; their sessions end at once.
    pub async fn disable_user(&self, caller: &Caller, id: &str) -> Result<User> {
        let ctx = self.authorize(caller, Permission::ManageKeys)?;
        let n = id.parse::<i64>().map_err(|_| DomainError::NotFound(format!("user '{id}'")))?;
        self.store.disable_user(ctx.client_id, n, ctx.now).await
    }

    /// Signs a user in: with the right password, a new session's token (for the cookie); else
    /// `None`, the same for an unknown email, a wrong password and a disabled user.
    pub async fn login(&self, email: &str, password: &str) -> Result<Option<String>> {
        let found = self.store.credentials_by_email(email.trim()).await?;
        // An unknown email costs the same hash check as a known one, so timing does not tell them apart.
        let hash = found.as_ref().map(|c| c.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.to_string());
        let matches = verify_password(password, &hash).await;
        let Some(credentials) = found.filter(|c| matches && !c.disabled) else { return Ok(None) };
        let token = crate::secrets::random_token();
        self.store.create_session(credentials.user_id, &token_hash(&token), self.now()).await?;
        Ok(Some(token))
    }

    /// Who is signed in with this session token, if the session is live. A session past its idle
    /// or absolute limit is ended here and gives `None`.
    pub async fn session(&self, token: &str) -> Result<Option<SignedIn>> {
        let hash = token_hash(token);
        let Some(s) = self.store.session_by_token_hash(&hash).await? else { return Ok(None) };
        let now = self.now();
        let idle = now.micros() - s.last_seen_at.micros() > SESSION_IDLE_SECONDS * 1_000_000;
        let old = now.micros() - s.created_at.micros() > SESSION_MAX_SECONDS * 1_000_000;
        if idle || old {
            self.store.end_session(&hash, now).await?;
            return Ok(None);
        }
        if now.micros() - s.last_seen_at.micros() > TOUCH_EVERY_SECONDS * 1_000_000 {
            self.store.touch_session(&hash, now).await?;
        }
        Ok(Some(SignedIn { email: s.email, caller: Caller { principal: s.principal, idempotency: None } }))
    }

    /// Ends the session with this token (logout).
    pub async fn logout(&self, token: &str) -> Result<()> {
        self.store.end_session(&token_hash(token), self.now()).await
    }

    /// Whether the session with this token has ended in the store (`None`: no such session).
    pub async fn session_ended(&self, token: &str) -> Result<Option<bool>> {
        self.store.session_ended(&token_hash(token)).await
    }
}

/// The password to set and, when Ordo made it, the same again to show once.
fn choose_password(given: Option<&str>) -> Result<(String, Option<String>)> {
    match given {
        Some(p) if p.chars().count() < PASSWORD_MIN_CHARS => {
            Err(DomainError::field("password", format!("must be at least {PASSWORD_MIN_CHARS} characters")))
        }
        Some(p) => Ok((p.to_string(), None)),
        None => {
            let made = new_password();
            Ok((made.clone(), Some(made)))
        }
    }
}

/// An email address as a user's name: trimmed, one `@` with something either side, no spaces.
fn parse_email(email: &str) -> Result<String> {
    let email = email.trim();
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if !ok {
        return Err(DomainError::field("email", "must be an email address such as ops@example.com"));
    }
    Ok(email.to_string())
}

/// A password of 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    // 256 is not a multiple of the alphabet's length; the small bias left is irrelevant at 20 characters.
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// Tokens are long and random, so a fast hash is enough (as for API keys).
fn token_hash(token: &str) -> String {
    crate::secrets::hash_api_key(token)
}

/// An argon2id hash of a password that no one knows, checked against when the email is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$b3Jkby1uby1zdWNoLXVzZXI$0g6Uu7ZmpVZkEGRUE5mUYx4Jzx2mOVh2o8JmmXq2BnQ";

/// Argon2id with its default parameters (19 MiB, 2 passes), off the async threads: it is meant to be slow.
async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).expect("the operating system's random source failed");
        let salt = SaltString::encode_b64(&salt).map_err(|e| DomainError::Internal(format!("password salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| DomainError::Internal(format!("password hash: {e}")))
    })
    .await
    .map_err(|e| DomainError::Internal(format!("password hash: {e}")))?
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_one_at_with_something_either_side() {
        assert_eq!(parse_email(" ops@example.com ").unwrap(), "ops@example.com");
        for bad in ["", "ops", "@example.com", "ops@", "o ps@example.com", "a@b@c"] {
            assert!(parse_email(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn made_passwords_are_long_and_differ() {
        let (a, b) = (new_password(), new_password());
        assert_eq!(a.chars().count(), 20);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c)));
    }

    #[tokio::test]
    async fn a_password_checks_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash).await);
        assert!(!verify_password("correct horse batterY", &hash).await);
        assert!(PasswordHash::new(DUMMY_HASH).is_ok(), "the dummy hash parses, so an unknown email costs a full check");
        assert!(!verify_password("", DUMMY_HASH).await);
    }
}
