//! Ordo's persistence. One [`Store`] serves both backends: the SQL Ordo needs is the same on SQLite
//! and PostgreSQL except in a few places (locking, transaction start), which [`Dialect`] names. Each
//! backend keeps its own migrations. Every public method is one use case and one transaction.
//!
//! Queries are checked at run time rather than by `sqlx::query!`: the macros tie a crate to one
//! database, and the contract suite (`tests/contract.rs`) runs every method on both instead.

mod allocation;
mod clients;
mod dashboard;
mod db;
mod erp;
mod floor;
mod inventory;
mod inward;
mod maintenance;
mod manifests;
mod master;
mod migrations;
mod orders;
mod paging;
mod picking;
mod picklists;
mod postings;
mod purchase_orders;
mod returns;
mod rows;
mod shipments;
mod sql;
mod sync;
mod tx;
mod users;
mod warehouses;
mod workers;

pub mod testing;

pub use dashboard::DashboardCounts;
pub use db::{Dialect, Store};
pub use erp::{ErpBacklog, ErpConnection, ErpConnectionInput};
pub use inventory::{AllocationMismatch, LedgerMismatch, StockCommand, StockFilter};
pub use inward::InwardPoInput;
pub use maintenance::StoreOptions;
pub use manifests::{Handover, ManifestFilter, NewManifest};
pub use master::{ChannelInput, ChannelPatch, MappingInput, SkuInput};
pub use orders::invoice::ErpInvoice;
pub use orders::{IngestOutcome, LineItem, NewLine, NewOrder, OrderQuery};
/// Records the API shows, defined in the domain; named here too so callers of the store methods
/// that return them need not look elsewhere.
pub use ordo_domain::model::{Cancellation, OutboxMessage};
pub use paging::{Page, PageRequest};
pub use picking::{ShortOutcome, ShortPick};
pub use picklists::{PicklistFilter, PicklistRequest};
pub use postings::POSTING_TOPIC;
pub use purchase_orders::{B2bInvoice, B2bInvoiceDue, E_INVOICE_TOPIC, NewB2bInvoice, UNINVOICED_TOPIC};
pub use returns::{ChannelReturn, ChannelReturnOutcome, NewReturn, ReturnFilter};
pub use shipments::{Article, InvoiceNumbering, NewShipment, PackContext, ShipmentFilter, StoredShipment};
pub use sync::{
    AckDue, CANCEL_ORDER_TOPIC, CREDIT_NOTE_TOPIC, ChannelClaim, DeliveryOutcome, MarketplacePage, RETURN_QC_TOPIC,
    RTO_REQUEST_TOPIC, SyncEnd, SyncTarget,
};
pub use tx::{IdempotencyClaim, WriteCtx};
pub use users::{Credentials, StoredSession};
pub use warehouses::{EInvoicingInput, WarehouseInput, WarehousePatch};

/// The result of every store method.
pub type Result<T> = std::result::Result<T, ordo_domain::DomainError>;
