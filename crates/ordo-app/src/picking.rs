//! Use cases of picking: releasing orders to picklists, reading them, scans at the pick station and
//! short picks (SPEC.md §11.1–11.2).

use crate::requests::{PickScanRequest, PicklistRequest, ShortPickRequest};
use crate::{App, Caller, Result};
use ordo_domain::DomainError;
use ordo_domain::kinds::{Permission, PicklistStatus};
use ordo_domain::model::{PickScan, Picklist};
use ordo_store::{Page, PageRequest, PicklistFilter};

/// A picklist's id from the path: unknown ids are not found, like a missing one.
fn picklist_id(id: &str) -> Result<i64> {
    id.parse().map_err(|_| DomainError::NotFound(format!("picklist '{id}'")))
}

impl App {
    /// Releases orders of a warehouse to a new picklist (only FULFILLABLE orders past their start
    /// processing time).
    pub async fn release_picklist(&self, caller: &Caller, req: PicklistRequest) -> Result<Picklist> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        self.store.release_picklist(&ctx, req.validate()?).await
    }

    /// One picklist.
    pub async fn picklist(&self, caller: &Caller, id: &str) -> Result<Picklist> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.picklist(ctx.client_id, id).await
    }

    /// The client's picklists, newest first.
    pub async fn list_picklists(
        &self,
        caller: &Caller,
        warehouse: Option<String>,
        status: Option<PicklistStatus>,
        page: PageRequest,
    ) -> Result<Page<Picklist>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.list_picklists(ctx.client_id, &PicklistFilter { warehouse, status }, page).await
    }

    /// A scan at the pick station: units of the SKU or EAN scanned, to the oldest order still
    /// needing it.
    pub async fn scan_pick(&self, caller: &Caller, picklist: &str, req: PickScanRequest) -> Result<PickScan> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        let id = picklist_id(picklist)?;
        let (scan, qty) = req.validate()?;
        self.store.scan_pick(&ctx, id, &scan, qty).await
    }

    /// Units of a picklist line the picker could not pick; the picklist after it.
    pub async fn short_pick(&self, caller: &Caller, picklist: &str, line: &str, req: ShortPickRequest) -> Result<Picklist> {
        let ctx = self.authorize(caller, Permission::Pick)?;
        let id = picklist_id(picklist)?;
        let line_id = line.parse().map_err(|_| DomainError::NotFound(format!("line '{line}' on picklist '{picklist}'")))?;
        let outcome = self.store.short_pick(&ctx, req.validate(id, line_id)?).await?;
        // Damaged units moved to QC_FAIL may serve orders waiting there.
        self.after_commit(ctx.client_id).await;
        Ok(outcome.picklist)
    }
}
