//! The client's ERP connection (`PUT/GET /api/v1/erp`, `POST /api/v1/erp/rotate-secret`): where
//! signed postings go and which types. The signing secret is made by Ordo, shown once when the
//! connection is made and when it is rotated, and kept sealed.

use crate::secrets::erp_secret_context;
use crate::{App, Caller, Result};
use ordo_channels::ChannelError;
use ordo_channels::erp::{Posting, PostingData, PostingType, SigningSecret, unix_now, webhook_headers};
use ordo_domain::kinds::Permission;
use ordo_domain::{DomainError, Timestamp};
use ordo_store::{ErpConnection, ErpConnectionInput, OutboxMessage};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

/// `PUT /api/v1/erp`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ErpRequest {
    /// Where postings are sent (`POST`).
    #[schema(pattern = "^https?://[^ ]+$", max_length = 500, example = "https://erp.example.com/ordo/webhooks")]
    pub endpoint: String,
    /// Whether postings are delivered (default true; a 410 from the endpoint turns it off).
    pub enabled: Option<bool>,
    /// The posting types to send; all when left out.
    pub events: Option<Vec<PostingType>>,
}

/// The ERP connection as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErpView {
    pub endpoint: String,
    pub enabled: bool,
    pub events: Vec<PostingType>,
    /// `whsec_…`: only when the connection is made and when its secret is rotated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
    pub last_delivery_at: Option<Timestamp>,
    pub last_error: Option<String>,
    /// ERP messages waiting to be delivered.
    pub pending: i64,
    /// ERP messages dead-lettered (replay them with `POST /api/v1/outbox/{id}/replay`).
    pub dead: i64,
}

impl ErpRequest {
    fn validate(&self) -> Result<()> {
        let e = &self.endpoint;
        if !(e.starts_with("http://") || e.starts_with("https://")) || e.len() > 500 || e.contains(char::is_whitespace) {
            return Err(DomainError::field("endpoint", "must be an http:// or https:// URL of at most 500 characters"));
        }
        if self.events.as_ref().is_some_and(Vec::is_empty) {
            return Err(DomainError::field("events", "must name at least one posting type, or be left out for all"));
        }
        Ok(())
    }
}

impl App {
    fn erp_view(&self, c: ErpConnection, secret: Option<String>, backlog: ordo_store::ErpBacklog) -> ErpView {
        ErpView {
            endpoint: c.endpoint,
            enabled: c.enabled,
            events: c.events.iter().filter_map(|e| PostingType::parse(e).ok()).collect(),
            signing_secret: secret,
            last_delivery_at: c.last_delivery_at,
            last_error: c.last_error,
            pending: backlog.pending,
            dead: backlog.dead,
        }
    }

    /// Makes or changes the client's ERP connection; a new one gets its signing secret, shown in
    /// this answer only.
    pub async fn put_erp(&self, caller: &Caller, req: ErpRequest) -> Result<ErpView> {
        let ctx = self.authorize(caller, Permission::ManageSetup)?;
        req.validate()?;
        let secret = SigningSecret::generate();
        let sealed = self.secrets.seal(secret.expose().as_bytes(), &erp_secret_context(ctx.client_id));
        let mut events: Vec<&str> = req.events.iter().flatten().map(|e| e.as_str()).collect();
        events.dedup();
        let input = ErpConnectionInput {
            endpoint: req.endpoint.clone(),
            enabled: req.enabled,
            events: req.events.as_ref().map(|_| events.iter().map(|e| e.to_string()).collect()),
            new_sealed_secret: sealed,
        };
        let all: Vec<&str> = PostingType::ALL.iter().map(|t| t.as_str()).collect();
        let (c, created) = self.store.put_erp_connection(&ctx, input, &all).await?;
        let backlog = self.store.erp_backlog(ctx.client_id).await?;
        Ok(self.erp_view(c, created.then(|| secret.expose()), backlog))
    }

    /// Replaces the connection's signing secret; the new one is in this answer only.
    pub async fn rotate_erp_secret(&self, caller: &Caller) -> Result<ErpView> {
        let ctx = self.authorize(caller, Permission::ManageSetup)?;
        let secret = SigningSecret::generate();
        let sealed = self.secrets.seal(secret.expose().as_bytes(), &erp_secret_context(ctx.client_id));
        let c = self.store.rotate_erp_secret(&ctx, sealed).await?;
        let backlog = self.store.erp_backlog(ctx.client_id).await?;
        Ok(self.erp_view(c, Some(secret.expose()), backlog))
    }

    /// The client's ERP connection, without its secret, with how delivery goes.
    pub async fn erp(&self, caller: &Caller) -> Result<ErpView> {
        let ctx = self.authorize(caller, Permission::Read)?;
        let c = self
            .store
            .erp_connection(ctx.client_id)
            .await?
            .ok_or_else(|| DomainError::NotFound("ERP connection: none is set; make one with PUT /api/v1/erp".into()))?;
        let backlog = self.store.erp_backlog(ctx.client_id).await?;
        Ok(self.erp_view(c, None, backlog))
    }

    /// Where a client's postings go and how they are signed, read once for a batch of deliveries:
    /// `None` when the connection is disabled (its postings wait), an error when none can be sent.
    pub(crate) async fn erp_target(&self, client_id: i64) -> std::result::Result<Option<ErpTarget>, ChannelError> {
        let internal = |e: DomainError| ChannelError::Transient(e.to_string());
        let c = self
            .store
            .erp_connection(client_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| ChannelError::Permanent("the client has no ERP connection (PUT /api/v1/erp)".into()))?;
        if !c.enabled {
            return Ok(None);
        }
        let text = self.secrets.open(&c.sealed_secret, &erp_secret_context(client_id)).map_err(internal)?;
        let secret = SigningSecret::parse(&String::from_utf8_lossy(&text)).map_err(|e| ChannelError::Permanent(e.to_string()))?;
        let client = self.store.client_code_of(client_id).await.map_err(internal)?;
        Ok(Some(ErpTarget { endpoint: c.endpoint, secret, client }))
    }

    /// Delivers one posting to the client's ERP, signed the Standard Webhooks way with the message's
    /// id as `webhook-id` (the same on every retry) and the real time of the attempt. Any 2xx is
    /// delivery; 410 turns the endpoint off (recorded at once, so no other delivery of this process
    /// or another starts to it) and dead-letters the message; 429 and 5xx carry their `Retry-After`;
    /// anything else is retried.
    pub(crate) async fn send_posting(
        &self,
        client_id: i64,
        target: &ErpTarget,
        m: &OutboxMessage,
    ) -> std::result::Result<(), PostingFailure> {
        let failed = |e: ChannelError| PostingFailure { error: e, gone: false };
        let kind = m.payload["type"].as_str().and_then(|t| PostingType::parse(t).ok());
        let kind = kind.ok_or_else(|| failed(ChannelError::Permanent("the posting has no valid type".into())))?;
        let data = PostingData::from_json(kind, m.payload["data"].clone())
            .map_err(|e| failed(ChannelError::Permanent(e.to_string())))?;
        let body = Posting { message_id: m.id.clone(), timestamp: m.created_at, client: target.client.clone(), data }.to_body();
        let mut request = erp_http().post(&target.endpoint).header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in webhook_headers(&target.secret, &m.id, unix_now(), &body) {
            request = request.header(name, value);
        }
        let r = match request.body(body).send().await {
            Err(e) => return Err(failed(ChannelError::Transient(format!("the ERP endpoint could not be reached: {e}")))),
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => r,
        };
        let status = r.status();
        let retry_after = r
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text: String = r.text().await.unwrap_or_default().chars().take(300).collect();
        let message = format!("the ERP answered {status}: {text}");
        if status == reqwest::StatusCode::GONE {
            let message = format!("{message}; the endpoint is disabled until PUT /api/v1/erp turns it on");
            if let Err(e) = self.store.erp_delivery_attempted(client_id, None, Some(&message), true).await {
                tracing::warn!(client_id, error = %e, "recording that the ERP endpoint is gone failed");
            }
            Err(PostingFailure { error: ChannelError::Permanent(message), gone: true })
        } else if retry_after.is_some() {
            Err(failed(ChannelError::RateLimited { retry_after_seconds: retry_after, message }))
        } else {
            Err(failed(ChannelError::Transient(message)))
        }
    }
}

/// A client's ERP endpoint, ready to sign and send to.
pub(crate) struct ErpTarget {
    endpoint: String,
    secret: SigningSecret,
    /// The client's code (the `client` of a posting).
    client: String,
}

/// A posting not delivered: why, and whether the endpoint said it is gone (410).
pub(crate) struct PostingFailure {
    pub error: ChannelError,
    pub gone: bool,
}

/// One HTTP client for every ERP delivery of the process (connections are reused).
fn erp_http() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client can be built"))
}
