//! `/search?q=`: the search box of every page. It finds orders by any of their ids (as
//! `GET /api/v1/orders?q=`): one match opens the order, several open the orders list filtered by
//! `q`, none says so.

use crate::UiState;
use crate::page::{Layout, Screen, segment};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use ordo_app::ordo_store::{OrderQuery, PageRequest};
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route("/search", get(search))
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct NoMatch {
    layout: Layout,
    q: String,
}

async fn search(screen: Screen, State(state): State<UiState>, Query(query): Query<SearchQuery>) -> Response {
    let q = query.q.trim().to_string();
    if q.is_empty() {
        return Redirect::to("/orders").into_response();
    }
    let filter = OrderQuery { q: Some(q.clone()), ..Default::default() };
    let page = PageRequest::parse(Some(2), None).expect("2 is a page size");
    let found = match state.app.search_orders(screen.caller(), &filter, page).await {
        Ok(found) => found,
        Err(e) => return screen.error(e),
    };
    match found.items.as_slice() {
        [one] if found.next_cursor.is_none() => Redirect::to(&format!("/orders/{}", segment(&one.id))).into_response(),
        [] => {
            let mut layout = screen.layout("No order found");
            layout.q = q.clone();
            NoMatch { layout, q }.into_response()
        }
        _ => Redirect::to(&format!("/orders?{}", serde_urlencoded::to_string([("q", &q)]).unwrap_or_default())).into_response(),
    }
}
