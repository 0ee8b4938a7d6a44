//! One module per screen. Each handler reads its input, calls the app layer with the signed-in
//! user's caller, and renders a template or redirects back with what happened.

mod dashboard;
mod failed_orders;
mod new_order;
mod order;
mod order_filter;
mod orders;
mod reports;
mod search;

use crate::UiState;
use axum::Router;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    let router = dashboard::register(router);
    let router = search::register(router);
    let router = orders::register(router);
    let router = new_order::register(router);
    let router = reports::register(router);
    let router = failed_orders::register(router);
    order::register(router)
}
