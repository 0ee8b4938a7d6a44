//! Use cases of inventory: GRN, moves, LIVE/RECYCLE, adjustments, inward POs and stock queries.

use crate::requests::InwardPoRequest;
use crate::{App, Caller, Result};
use ordo_domain::kinds::Permission;
use ordo_domain::model::{InventoryItem, InwardPo, LedgerEntry, StockChangeResult, Upserted};
use ordo_store::{LedgerMismatch, Page, PageRequest, StockCommand, StockFilter};

impl App {
    /// Applies a validated stock change (GRN, move, LIVE/RECYCLE, adjust).
    pub async fn change_stock(&self, caller: &Caller, cmd: StockCommand) -> Result<StockChangeResult> {
        let ctx = self.authorize(caller, Permission::ChangeStock)?;
        let out = self.store.change_stock(&ctx, cmd).await?;
        self.after_commit(ctx.client_id).await;
        Ok(out)
    }

    /// Stock balances.
    pub async fn inventory(&self, caller: &Caller, filter: &StockFilter, page: PageRequest) -> Result<Page<InventoryItem>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.inventory(ctx.client_id, filter, page).await
    }

    /// Ledger entries, newest first.
    pub async fn ledger(&self, caller: &Caller, filter: &StockFilter, page: PageRequest) -> Result<Page<LedgerEntry>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.ledger(ctx.client_id, filter, page).await
    }

    /// Creates (or re-pushes) an inward PO.
    pub async fn upsert_inward_po(&self, caller: &Caller, req: InwardPoRequest) -> Result<Upserted<InwardPo>> {
        let ctx = self.authorize(caller, Permission::ManageInwardPos)?;
        self.store.upsert_inward_po(&ctx, req.validate()?).await
    }

    /// One inward PO by number.
    pub async fn inward_po(&self, caller: &Caller, po_number: &str) -> Result<InwardPo> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.inward_po(ctx.client_id, po_number).await
    }

    /// The client's inward POs.
    pub async fn list_inward_pos(&self, caller: &Caller, page: PageRequest) -> Result<Page<InwardPo>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.list_inward_pos(ctx.client_id, page).await
    }

    /// Rebuilds all balances from the ledger and lists disagreements (empty when the books agree).
    pub async fn check_ledger(&self) -> Result<Vec<LedgerMismatch>> {
        self.store.check_ledger().await
    }

    /// Compares every balance's allocated units with what the order lines hold (empty when they agree).
    pub async fn check_allocations(&self) -> Result<Vec<ordo_store::AllocationMismatch>> {
        self.store.check_allocations().await
    }
}
