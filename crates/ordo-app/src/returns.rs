//! Use cases of returns (SPEC.md §12): expecting units of a dispatched order back, and receiving them
//! through QC at the returns desk.

use crate::requests::{CreditNoteRequest, ReceiveRequest, ReturnRequest};
use crate::{App, Caller, Result};
use ordo_domain::kinds::{Permission, ReturnKind, ReturnStatus};
use ordo_domain::model::Upserted;
use ordo_domain::returns::Return;
use ordo_store::{Page, PageRequest, ReturnFilter};

/// The answer to an RTO request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RtoRequested {
    /// Always true: the request is on its way to the marketplace.
    pub requested: bool,
    /// What happens next, in words.
    pub message: String,
}

impl App {
    /// Expects units of a dispatched order back (`POST /api/v1/returns`); pushing the marketplace's
    /// return id again answers the same return.
    pub async fn create_return(&self, caller: &Caller, req: ReturnRequest) -> Result<Upserted<Return>> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        self.store.create_return(&ctx, req.validate()?).await
    }

    /// Receives a return through QC: passed units serve waiting orders at once (rule 3).
    pub async fn receive_return(&self, caller: &Caller, id: &str, req: ReceiveRequest) -> Result<Return> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        let ret = self.store.receive_return(&ctx, id, req.validate()?).await?;
        self.after_commit(ctx.client_id).await;
        Ok(ret)
    }

    /// Records the ERP's credit note of a received return (`POST /api/v1/returns/{id}/credit-note`):
    /// the return is CLOSED.
    pub async fn record_credit_note(&self, caller: &Caller, id: &str, req: CreditNoteRequest) -> Result<Return> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        self.store.record_credit_note(&ctx, id, req.validate()?).await
    }

    /// Asks the marketplace for the RTO expectation of a dispatched order whose parcel came back
    /// without one (`POST /api/v1/orders/{id}/rto-request`), through the outbox (retried until the marketplace takes it). The expectation comes with a later sync.
    pub async fn request_rto(&self, caller: &Caller, id: &str) -> Result<RtoRequested> {
        let ctx = self.authorize(caller, Permission::ManageOrders)?;
        let message = self.store.request_rto(&ctx, id).await?;
        Ok(RtoRequested { requested: true, message })
    }

    /// One return.
    pub async fn return_by_id(&self, caller: &Caller, id: &str) -> Result<Return> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.return_by_id(ctx.client_id, id).await
    }

    /// The client's returns, newest first.
    pub async fn list_returns(
        &self,
        caller: &Caller,
        status: Option<ReturnStatus>,
        order_id: Option<String>,
        kind: Option<ReturnKind>,
        page: PageRequest,
    ) -> Result<Page<Return>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        let order_id = match order_id {
            // An id that can't be an order's matches no return.
            Some(o) => match o.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => return Ok(Page { items: Vec::new(), next_cursor: None }),
            },
            None => None,
        };
        self.store.list_returns(ctx.client_id, &ReturnFilter { status, order_id, kind }, page).await
    }

    /// The returns whose AWB or marketplace return id is `code`, newest first (at most 10): the
    /// parcel a QC station scans.
    pub async fn returns_by_parcel_code(&self, caller: &Caller, code: &str) -> Result<Vec<Return>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.returns_by_parcel_code(ctx.client_id, code.trim()).await
    }
}
