//! The client's ERP connection (`PUT/GET /api/v1/erp`, `POST /api/v1/erp/rotate-secret`): where
//! signed postings go and which types. The signing secret is made by Ordo, shown once when the
//! connection is made and when it is rotated, and kept sealed.

use crate::secrets::erp_secret_context;
use crate::{App, Caller, Result};
use ordo_channels::erp::{PostingType, SigningSecret};
use ordo_domain::kinds::Permission;
use ordo_domain::{DomainError, Timestamp};
use ordo_store::{ErpConnection, ErpConnectionInput};
use serde::{Deserialize, Serialize};
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
}
