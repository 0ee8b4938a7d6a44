//! One module per screen. Each handler reads its input, calls the app layer with the signed-in
//! user's caller, and renders a template or redirects back with what happened.

mod dashboard;
mod order;
mod search;

use crate::UiState;
use axum::Router;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    let router = dashboard::register(router);
    let router = search::register(router);
    order::register(router)
}
