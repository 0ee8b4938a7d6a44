//! The connector to an Invoice Registration Portal (IRP) speaking NIC's e-invoice API.
//!
//! The flow, as NIC publishes it:
//! 1. **Authenticate** (`POST /eivital/v1.04/auth`): the JSON `{UserName, Password, AppKey,
//!    ForceRefreshAccessToken}` is base64-encoded, encrypted under the portal's RSA public key
//!    (PKCS#1 v1.5) and sent as `{"Data": …}` with the `client_id`, `client_secret` and `Gstin` headers.
//!    `AppKey` is 32 random bytes made for this session. The answer holds an `AuthToken`, its
//!    `TokenExpiry`, and the session encryption key (`Sek`) AES-256-ECB-encrypted under the app key.
//!    The token and key are kept until shortly before the expiry.
//! 2. **Generate the IRN** (`POST /eicore/v1.03/Invoice`): the INV-01 JSON AES-encrypted under the
//!    session key, with the token headers. The answer's `Data`, decrypted, holds `AckNo`, `AckDt`, `Irn`,
//!    `SignedInvoice`, `SignedQRCode` and `Status`.
//! 3. On NIC's **duplicate IRN** error (2150, with `InfoDtls` `DUPIRN`) the document was registered
//!    before (a retry after a lost answer): the registration is **fetched by document details**
//!    (`GET /eicore/v1.03/Invoice/irnbydocdetails`).
//!
//! Every answer is then verified: the IRN must be the one Ordo computes, and both signed
//! documents must be RS256 JWTs issued by NIC that verify with the configured signing key. NIC's own
//! error codes and messages are kept in [`IrpError::Portal`]. Only 5xx answers, timeouts and failed
//! connections are retried, with backoff; a refusal would be refused again.

mod error;
mod session;
mod verify;

pub use error::IrpError;
pub use verify::NIC_ISSUER;

use crate::crypto::{self, AesKey};
use crate::irn::DocumentType;
use crate::schema::{Invoice, format_date};
use crate::wire::{
    self, DUPLICATE_IRN, EncryptedRequest, Envelope, HEADER_AUTH_TOKEN, HEADER_CLIENT_ID, HEADER_CLIENT_SECRET, HEADER_GSTIN,
    HEADER_USER_NAME, INVALID_TOKEN, IrnDetails, PortalError, QrData,
};
use reqwest::Method;
use rsa::RsaPublicKey;
use serde::{Deserialize, Serialize};
use session::{Session, SessionCache};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use time::{Date, OffsetDateTime};

/// What the connector needs to reach one GSTIN's account on an IRP.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrpConfig {
    /// The portal's base URL, e.g. `https://einv-apisandbox.nic.in` (or a simulator's).
    pub endpoint: String,
    /// The API client id the portal issued.
    pub client_id: String,
    /// The API client secret the portal issued.
    pub client_secret: String,
    /// The API user created on the portal for this GSTIN.
    pub user_name: String,
    /// That user's password.
    pub password: String,
    /// The GSTIN invoices are registered for (every invoice's seller).
    pub gstin: String,
    /// The portal's public encryption key, PEM: the credentials are encrypted under it.
    pub encryption_key: String,
    /// The portal's public signing key, PEM: the signed invoice and QR code must verify with it.
    pub signing_key: String,
}

impl fmt::Debug for IrpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IrpConfig")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("user_name", &self.user_name)
            .field("password", &"<redacted>")
            .field("gstin", &self.gstin)
            .finish_non_exhaustive()
    }
}

/// How often and how patiently to retry a portal that answers 5xx or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub base_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 4, base_delay: Duration::from_millis(500), max_delay: Duration::from_secs(8) }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (from 1).
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// A registered e-invoice, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The IRN (equal to Ordo's own computation).
    pub irn: String,
    /// The portal's acknowledgement number.
    pub ack_no: i64,
    /// When the portal registered it, `yyyy-MM-dd HH:mm:ss` in Indian time, as NIC writes it.
    pub ack_date: String,
    /// The invoice as the portal signed it (an RS256 JWT).
    pub signed_invoice: String,
    /// The QR code's content as the portal signed it (an RS256 JWT); print it as the QR code.
    pub signed_qr_code: String,
    /// `ACT` (active) or `CNL` (cancelled).
    pub status: String,
    /// What the signed QR code says.
    pub qr: QrData,
    /// True when the portal had registered the document before and the registration was fetched.
    pub duplicate: bool,
}

/// Where the time comes from (the system clock unless a test or the application gives its own).
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// A connector to one GSTIN's account on an IRP. Cheap to share: it keeps the session for every caller.
pub struct IrpClient {
    config: IrpConfig,
    base_url: String,
    http: reqwest::Client,
    encryption_key: RsaPublicKey,
    signing_key: RsaPublicKey,
    retry: RetryPolicy,
    clock: Clock,
    session: SessionCache,
}

impl fmt::Debug for IrpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IrpClient").field("config", &self.config).field("retry", &self.retry).finish_non_exhaustive()
    }
}

/// The total time one HTTP call may take.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl IrpClient {
    /// A connector for `config`; refuses keys that are not RSA public keys in PEM and a blank endpoint.
    pub fn new(config: IrpConfig) -> Result<IrpClient, IrpError> {
        let base_url = config.endpoint.trim().trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(IrpError::Config(format!("endpoint '{}' is not an http(s) URL", config.endpoint)));
        }
        let key = |pem: &str, what: &str| crypto::public_key_from_pem(pem).map_err(|e| IrpError::Config(format!("{what}: {e}")));
        let encryption_key = key(&config.encryption_key, "encryption_key")?;
        let signing_key = key(&config.signing_key, "signing_key")?;
        Ok(IrpClient {
            base_url,
            http: http_client(DEFAULT_TIMEOUT)?,
            encryption_key,
            signing_key,
            retry: RetryPolicy::default(),
            clock: Arc::new(OffsetDateTime::now_utc),
            session: SessionCache::default(),
            config,
        })
    }

    /// Retries under `policy` instead of the default (4 attempts from 0.5 s, doubling).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> IrpClient {
        self.retry = policy;
        self
    }

    /// Bounds each HTTP call by `timeout` instead of 30 seconds.
    pub fn with_timeout(mut self, timeout: Duration) -> Result<IrpClient, IrpError> {
        self.http = http_client(timeout)?;
        Ok(self)
    }

    /// Reads the time from `clock` (to judge the token's expiry) instead of the system clock.
    pub fn with_clock(mut self, clock: Clock) -> IrpClient {
        self.clock = clock;
        self
    }

    /// Registers `invoice` and returns its verified registration. A document the portal already holds
    /// (NIC's duplicate IRN, 2150) is fetched by its details and returned with `duplicate` set.
    pub async fn register(&self, invoice: &Invoice) -> Result<Registration, IrpError> {
        if invoice.seller.gstin != self.config.gstin {
            return Err(IrpError::Invoice(format!(
                "the seller's GSTIN {} is not {}, the GSTIN these e-invoicing credentials are for",
                invoice.seller.gstin, self.config.gstin
            )));
        }
        let irn = invoice.irn().map_err(IrpError::Invoice)?;
        let body = serde_json::to_vec(invoice).map_err(|e| IrpError::Invoice(e.to_string()))?;
        let envelope = self.call(Method::POST, wire::GENERATE_IRN_PATH, &[], Some(&body)).await?;
        let (details, duplicate) = match envelope {
            Answer::Data(data) => (parse_details(&data)?, false),
            Answer::Refused(errors) if errors.iter().any(|e| e.code == DUPLICATE_IRN) => {
                let date = crate::schema::parse_date(&invoice.document.date).map_err(IrpError::Invoice)?;
                tracing::info!(irn, number = invoice.document.number, "the portal holds this invoice already; fetching it");
                (self.irn_by_document(invoice.document.kind, &invoice.document.number, date).await?, true)
            }
            Answer::Refused(errors) => return Err(IrpError::Portal(errors)),
        };
        let registration = verify::registration(invoice, &irn, details, &self.signing_key, duplicate)?;
        tracing::info!(irn, ack_no = registration.ack_no, duplicate, "e-invoice registered");
        Ok(registration)
    }

    /// The registration the portal holds for a document (NIC keeps it to look up for a few days).
    /// Not verified against an invoice: [`IrpClient::register`] does that.
    pub async fn irn_by_document(&self, kind: DocumentType, number: &str, date: Date) -> Result<IrnDetails, IrpError> {
        let query = [("doctype", kind.code().to_string()), ("docnum", number.to_string()), ("docdate", format_date(date))];
        match self.call(Method::GET, wire::IRN_BY_DOCUMENT_PATH, &query, None).await? {
            Answer::Data(data) => parse_details(&data),
            Answer::Refused(errors) => Err(IrpError::Portal(errors)),
        }
    }

    /// One encrypted call with the session's token; a token the portal no longer knows (1005) is
    /// replaced once and the call made again.
    async fn call(&self, method: Method, path: &str, query: &[(&str, String)], body: Option<&[u8]>) -> Result<Answer, IrpError> {
        let mut session = self.session().await?;
        let mut renewed = false;
        loop {
            let request = body.map(|b| EncryptedRequest { data: crypto::aes_encrypt(&session.sek, b) });
            let envelope: Envelope<String> = self
                .send(|| {
                    let mut req = self
                        .http
                        .request(method.clone(), format!("{}{path}", self.base_url))
                        .header(HEADER_CLIENT_ID, &self.config.client_id)
                        .header(HEADER_CLIENT_SECRET, &self.config.client_secret)
                        .header(HEADER_GSTIN, &self.config.gstin)
                        .header(HEADER_USER_NAME, &self.config.user_name)
                        .header(HEADER_AUTH_TOKEN, &session.auth_token)
                        .query(query);
                    if let Some(request) = &request {
                        req = req.json(request);
                    }
                    req
                })
                .await?;
            match answer(envelope, &session.sek)? {
                Answer::Refused(errors) if !renewed && errors.iter().any(|e| e.code == INVALID_TOKEN) => {
                    tracing::info!("the portal no longer knows the token; authenticating again");
                    session = self.session.replace(&session, || self.authenticate(false)).await?;
                    renewed = true;
                }
                answer => return Ok(answer),
            }
        }
    }

    /// The cached session, or a new one when there is none or it is about to expire.
    async fn session(&self) -> Result<Session, IrpError> {
        let now = (self.clock)();
        self.session.get_or_renew(now, |force_refresh| self.authenticate(force_refresh)).await
    }

    /// Authenticates (NIC's v1.04 flow) and returns the new session.
    async fn authenticate(&self, force_refresh: bool) -> Result<Session, IrpError> {
        let app_key = crypto::random_aes_key();
        let data = session::encrypted_credentials(&self.config, &self.encryption_key, &app_key, force_refresh)?;
        let envelope: Envelope<wire::AuthData> = self
            .send(|| {
                self.http
                    .post(format!("{}{}", self.base_url, wire::AUTH_PATH))
                    .header(HEADER_CLIENT_ID, &self.config.client_id)
                    .header(HEADER_CLIENT_SECRET, &self.config.client_secret)
                    .header(HEADER_GSTIN, &self.config.gstin)
                    .json(&EncryptedRequest { data: data.clone() })
            })
            .await?;
        if envelope.status != 1 {
            return Err(IrpError::Portal(envelope.error_details.unwrap_or_default()));
        }
        let auth = envelope.data.ok_or_else(|| IrpError::Protocol("authentication succeeded without Data".into()))?;
        session::from_auth(auth, &app_key)
    }

    /// Sends the request `build` makes, retrying 5xx answers, timeouts and failed connections with
    /// backoff, and reads the answer as a NIC envelope.
    async fn send<T: for<'de> Deserialize<'de>>(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Envelope<T>, IrpError> {
        let attempts = self.retry.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let failure = match build().send().await {
                Ok(response) if response.status().is_server_error() => format!("HTTP {}", response.status()),
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(body) => return parse_envelope(status, &body),
                        Err(e) => format!("the answer was cut short: {e}"),
                    }
                }
                Err(e) if e.is_timeout() || e.is_connect() => format!("{e}"),
                Err(e) => return Err(IrpError::Protocol(format!("the request could not be sent: {e}"))),
            };
            if attempt >= attempts {
                return Err(IrpError::Unavailable(format!("{failure} (after {attempt} attempts)")));
            }
            let delay = self.retry.delay_after(attempt);
            tracing::debug!(attempt, ?delay, failure, "retrying the e-invoice portal");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

/// A business call's outcome: the decrypted data, or NIC's refusal.
enum Answer {
    Data(Vec<u8>),
    Refused(Vec<PortalError>),
}

fn answer(envelope: Envelope<String>, sek: &AesKey) -> Result<Answer, IrpError> {
    if envelope.status != 1 {
        return Ok(Answer::Refused(envelope.error_details.unwrap_or_default()));
    }
    let data = envelope.data.ok_or_else(|| IrpError::Protocol("a success without Data".into()))?;
    crypto::aes_decrypt(sek, &data).map(Answer::Data).map_err(|e| IrpError::Protocol(format!("Data: {e}")))
}

fn parse_details(data: &[u8]) -> Result<IrnDetails, IrpError> {
    serde_json::from_slice(data).map_err(|e| IrpError::Protocol(format!("the IRN details are not NIC's: {e}")))
}

fn parse_envelope<T: for<'de> Deserialize<'de>>(status: reqwest::StatusCode, body: &[u8]) -> Result<Envelope<T>, IrpError> {
    serde_json::from_slice(body).map_err(|e| {
        let excerpt: String = String::from_utf8_lossy(body).chars().take(200).collect();
        IrpError::Protocol(format!("HTTP {status} with a body that is not NIC's envelope ({e}): {excerpt}"))
    })
}

fn http_client(timeout: Duration) -> Result<reqwest::Client, IrpError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("ordo/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| IrpError::Config(format!("could not build the HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::{PORTAL_ENCRYPTION_PRIVATE_KEY, PORTAL_SIGNING_PRIVATE_KEY};

    fn public_pem(private: &str) -> String {
        crypto::public_key_to_pem(&crypto::private_key_from_pem(private).unwrap().to_public_key())
    }

    fn config() -> IrpConfig {
        IrpConfig {
            endpoint: "http://127.0.0.1:9".into(),
            client_id: "id".into(),
            client_secret: "client-secret-value".into(),
            user_name: "user".into(),
            password: "password-value".into(),
            gstin: "27AAPFU0939F1ZV".into(),
            encryption_key: public_pem(PORTAL_ENCRYPTION_PRIVATE_KEY),
            signing_key: public_pem(PORTAL_SIGNING_PRIVATE_KEY),
        }
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let policy = RetryPolicy::default();
        let delays: Vec<u64> = (1..=6).map(|attempt| policy.delay_after(attempt).as_millis() as u64).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000]);
    }

    #[test]
    fn a_configuration_with_bad_keys_or_endpoint_is_refused_and_secrets_stay_hidden() {
        let mut bad = config();
        bad.signing_key = "not a key".into();
        assert!(matches!(IrpClient::new(bad), Err(IrpError::Config(m)) if m.starts_with("signing_key")));
        let mut bad = config();
        bad.endpoint = "einv-apisandbox.nic.in".into();
        assert!(matches!(IrpClient::new(bad), Err(IrpError::Config(m)) if m.contains("not an http(s) URL")));
        let shown = format!("{:?}", IrpClient::new(config()).unwrap());
        assert!(!shown.contains("client-secret-value") && !shown.contains("password-value"), "{shown}");
    }

    #[test]
    fn the_client_and_its_calls_can_move_between_threads() {
        fn shared<T: Send + Sync>(_: &T) {}
        fn movable<T: Send>(_: &T) {}
        let client = IrpClient::new(config()).unwrap();
        shared(&client);
        let invoice = crate::builder::tests::sample_input().build().unwrap();
        movable(&client.register(&invoice));
        movable(&client.irn_by_document(DocumentType::Invoice, "A1", time::macros::date!(2026 - 06 - 15)));
    }
}
