//! `/inward-pos`: stock expected from suppliers — each PO's status and its lines ordered against
//! received — with a CSV export, and a PO's page `/inward-pos/{po}` that opens its receiving
//! station (`receiving.rs`).

use super::paged::{every_row, page_at, with_query};
use crate::UiState;
use crate::export::csv_file;
use crate::page::{Layout, Screen, segment, when, when_opt};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use ordo_domain::kinds::{InwardPoStatus, Permission};
use ordo_domain::model::InwardPo;
use serde::Deserialize;

pub(crate) fn register(router: Router<UiState>) -> Router<UiState> {
    router.route("/inward-pos", get(list)).route("/inward-pos.csv", get(list_csv)).route("/inward-pos/{po}", get(po_page))
}

/// Units ordered and received over all of a PO's lines.
pub(super) fn totals(po: &InwardPo) -> (i64, i64) {
    po.lines.iter().fold((0, 0), |(o, r), l| (o + l.qty, r + l.received))
}

pub(super) fn po_path(po_number: &str) -> String {
    format!("/inward-pos/{}", segment(po_number))
}

pub(super) struct PoRow {
    pub href: String,
    pub po: InwardPo,
    pub ordered: i64,
    pub received: i64,
    pub created: String,
    pub closed: String,
}

impl From<InwardPo> for PoRow {
    fn from(po: InwardPo) -> Self {
        let (ordered, received) = totals(&po);
        PoRow {
            href: po_path(&po.po_number),
            ordered,
            received,
            created: when(po.created_at),
            closed: when_opt(po.closed_at),
            po,
        }
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    cursor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inward_pos.html")]
struct ListPage {
    layout: Layout,
    pos: Vec<PoRow>,
    next: Option<String>,
}

async fn list(screen: Screen, State(state): State<UiState>, Query(q): Query<ListQuery>) -> Response {
    let page = match page_at(&q.cursor) {
        Ok(p) => p,
        Err(e) => return screen.error(e),
    };
    match state.app.list_inward_pos(screen.caller(), page).await {
        Ok(found) => ListPage {
            layout: screen.layout("Inward POs"),
            next: found.next_cursor.as_deref().map(|c| with_query("/inward-pos", &[("cursor", c)])),
            pos: found.items.into_iter().map(PoRow::from).collect(),
        }
        .into_response(),
        Err(e) => screen.error(e),
    }
}

async fn list_csv(screen: Screen, State(state): State<UiState>) -> Response {
    match every_row(|page| state.app.list_inward_pos(screen.caller(), page)).await {
        Ok(pos) => csv_file(
            "inward-pos.csv",
            &["po_number", "warehouse", "status", "sku", "ordered", "received", "created_at", "closed_at"],
            // One row per line: a PO's lines are what it is made of.
            pos.into_iter().flat_map(|po| {
                po.lines
                    .iter()
                    .map(|l| {
                        vec![
                            po.po_number.clone(),
                            po.warehouse.clone(),
                            po.status.to_string(),
                            l.sku.clone(),
                            l.qty.to_string(),
                            l.received.to_string(),
                            po.created_at.to_string(),
                            po.closed_at.map(|t| t.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect::<Vec<_>>()
            }),
        ),
        Err(e) => screen.error(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "inward_po.html")]
struct PoPage {
    layout: Layout,
    row: PoRow,
    status: &'static str,
    station: Option<String>,
}

async fn po_page(screen: Screen, State(state): State<UiState>, Path(po): Path<String>) -> Response {
    match state.app.inward_po(screen.caller(), &po).await {
        Ok(po) => {
            let open = po.status == InwardPoStatus::Open;
            let station = (open && screen.can(Permission::ChangeStock)).then(|| format!("{}/receive", po_path(&po.po_number)));
            PoPage {
                layout: screen.layout(format!("Inward PO {}", po.po_number)),
                status: po.status.as_str(),
                station,
                row: po.into(),
            }
            .into_response()
        }
        Err(e) => screen.error(e),
    }
}
