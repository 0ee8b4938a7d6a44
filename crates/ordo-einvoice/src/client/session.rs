//! The authenticated session: NIC's `AuthToken` and session encryption key, kept until shortly before
//! the token expires, and the encryption of the credentials that obtains them.

use super::{IrpConfig, IrpError};
use crate::crypto::{self, AesKey};
use crate::wire::{self, AuthData, AuthPayload};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::RsaPublicKey;
use std::future::Future;
use time::{Duration, OffsetDateTime};

/// A session is renewed this long before its token expires, so that no call starts with a token about
/// to lapse. NIC gives a new token within the last 10 minutes only when asked to (`ForceRefreshAccessToken`).
const RENEW_BEFORE_EXPIRY: Duration = Duration::minutes(5);

/// An authenticated session.
#[derive(Clone)]
pub(crate) struct Session {
    /// Sent as the `AuthToken` header.
    pub auth_token: String,
    /// Encrypts requests and decrypts answers.
    pub sek: AesKey,
    /// When the portal stops accepting the token.
    pub expires_at: OffsetDateTime,
}

/// The one session a connector keeps; callers arriving while it is renewed wait for the new one rather
/// than authenticating again themselves.
#[derive(Default)]
pub(crate) struct SessionCache(tokio::sync::Mutex<Option<Session>>);

impl SessionCache {
    /// The session, renewed first when there is none or it expires within [`RENEW_BEFORE_EXPIRY`] of
    /// `now`. `authenticate(force_refresh)` makes a new one; it forces a refresh when the old token is
    /// still valid (the portal would otherwise hand the same one back).
    pub async fn get_or_renew<F, Fut>(&self, now: OffsetDateTime, authenticate: F) -> Result<Session, IrpError>
    where
        F: FnOnce(bool) -> Fut,
        Fut: Future<Output = Result<Session, IrpError>>,
    {
        let mut slot = self.0.lock().await;
        let force_refresh = match &*slot {
            Some(session) if now < session.expires_at - RENEW_BEFORE_EXPIRY => return Ok(session.clone()),
            Some(session) => now < session.expires_at,
            None => false,
        };
        let fresh = authenticate(force_refresh).await?;
        *slot = Some(fresh.clone());
        Ok(fresh)
    }

    /// Replaces `stale`, a session the portal refused, unless another caller has replaced it already.
    pub async fn replace<F, Fut>(&self, stale: &Session, authenticate: F) -> Result<Session, IrpError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Session, IrpError>>,
    {
        let mut slot = self.0.lock().await;
        if let Some(current) = &*slot
            && current.auth_token != stale.auth_token
        {
            return Ok(current.clone());
        }
        let fresh = authenticate().await?;
        *slot = Some(fresh.clone());
        Ok(fresh)
    }
}

/// The `Data` of an authentication request (v1.04): the credentials' JSON, base64-encoded, then
/// RSA-encrypted under the portal's public key, base64 again.
pub(crate) fn encrypted_credentials(
    config: &IrpConfig,
    portal_key: &RsaPublicKey,
    app_key: &AesKey,
    force_refresh: bool,
) -> Result<String, IrpError> {
    let payload = AuthPayload {
        user_name: config.user_name.clone(),
        password: config.password.clone(),
        app_key: STANDARD.encode(app_key),
        force_refresh,
    };
    let json = serde_json::to_vec(&payload).expect("the credentials always serialize");
    crypto::rsa_encrypt(portal_key, STANDARD.encode(json).as_bytes()).map_err(|_| {
        // PKCS#1 v1.5 under a 2048-bit key holds 245 bytes: the credentials must fit in them.
        IrpError::Config("the user name and password are too long to encrypt under the portal's key".into())
    })
}

/// The session an authentication answer opens: its session key decrypted with `app_key`.
pub(crate) fn from_auth(auth: AuthData, app_key: &AesKey) -> Result<Session, IrpError> {
    let sek = crypto::aes_decrypt(app_key, &auth.sek).map_err(|e| IrpError::Protocol(format!("Sek: {e}")))?;
    let sek = AesKey::try_from(sek.as_slice())
        .map_err(|_| IrpError::Protocol(format!("Sek is {} bytes, not an AES-256 key", sek.len())))?;
    let expires_at = wire::parse_nic_time(&auth.token_expiry).map_err(|e| IrpError::Protocol(format!("TokenExpiry: {e}")))?;
    Ok(Session { auth_token: auth.auth_token, sek, expires_at })
}
