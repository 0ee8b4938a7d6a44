//! One module per screen. Each handler reads its input, calls the app layer with the signed-in
//! user's caller, and renders a template or redirects back with what happened.

mod channels;
mod command_sheet;
mod dashboard;
mod erp;
mod failed_orders;
mod inventory;
mod inward_pos;
mod ledger;
mod manifests;
mod new_order;
mod order;
mod order_filter;
mod orders;
mod pack_station;
mod paged;
mod pick_station;
mod picklists;
mod qc;
mod receiving;
mod reports;
mod retry_safe;
mod returns;
mod search;
mod shipment_documents;
mod station;
mod users;

use crate::UiState;
use axum::Router;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    let router = dashboard::register(router);
    let router = search::register(router);
    let router = orders::register(router);
    let router = new_order::register(router);
    let router = reports::register(router);
    let router = failed_orders::register(router);
    let router = picklists::register(router);
    let router = pick_station::register(router);
    let router = pack_station::register(router);
    let router = shipment_documents::register(router);
    let router = inventory::register(router);
    let router = ledger::register(router);
    let router = inward_pos::register(router);
    let router = receiving::register(router);
    let router = manifests::register(router);
    let router = order::register(router);
    let router = returns::register(router);
    let router = qc::register(router);
    let router = channels::register(router);
    let router = erp::register(router);
    let router = command_sheet::register(router);
    users::register(router)
}
