//! Ordo's pure domain rules. No IO, no async, no SQL: everything here is a value or a function of
//! values, so it can be unit- and property-tested in isolation.

pub mod codes;
pub mod error;
pub mod explain;
pub mod fulfilment;
pub mod gstin;
pub mod inventory;
pub mod kinds;
pub mod marketplace;
pub mod model;
pub mod money;
pub mod orders;
pub mod purchase_orders;
pub mod returns;
pub mod schema;
pub mod shipping;
pub mod timestamp;

pub use error::{DomainError, FieldError};
pub use timestamp::Timestamp;
