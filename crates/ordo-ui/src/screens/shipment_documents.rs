//! `/shipments/{id}/invoice.pdf` and `/shipments/{id}/label.pdf`: a shipment's documents for the
//! signed-in user, the same bytes and media type the API serves (a session never authorises
//! `/api/`, so the screens need their own routes to open them for printing).

use crate::UiState;
use crate::page::Screen;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ordo_domain::kinds::DocumentKind;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router
        .route("/shipments/{id}/invoice.pdf", get(|s, st, p| document(s, st, p, DocumentKind::Invoice)))
        .route("/shipments/{id}/label.pdf", get(|s, st, p| document(s, st, p, DocumentKind::Label)))
}

async fn document(screen: Screen, State(state): State<UiState>, Path(id): Path<String>, kind: DocumentKind) -> Response {
    match state.app.shipment_document(screen.caller(), &id, kind).await {
        Ok(doc) => {
            let name = format!(
                "{}-{}.pdf",
                kind.as_str().to_ascii_lowercase(),
                id.chars().filter(char::is_ascii_alphanumeric).collect::<String>()
            );
            (
                [
                    (header::CONTENT_TYPE, doc.media_type),
                    (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
                    (header::CACHE_CONTROL, "private, no-store".to_string()),
                ],
                doc.content,
            )
                .into_response()
        }
        Err(e) => screen.error(e),
    }
}
