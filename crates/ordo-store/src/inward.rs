//! Inward purchase orders (and delivery notes): stock expected from suppliers, received by GRNs.

use crate::db::db;
use crate::master::sku_id;
use crate::rows::{FromRow, col, id_text, opt_time, time, word};
use crate::tx::idempotent;
use crate::warehouses::warehouse_id;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::DomainError;
use ordo_domain::kinds::InwardPoStatus;
use ordo_domain::model::{InwardPo, InwardPoLine, Upserted};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Transaction};

/// An inward PO as pushed by an ERP or punched by a user.
#[derive(Debug, Clone)]
pub struct InwardPoInput {
    pub warehouse: String,
    pub po_number: String,
    /// (SKU code, quantity), one line per SKU.
    pub lines: Vec<(String, i64)>,
}

/// Reads a PO's head; its lines are read apart.
impl FromRow for InwardPo {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(InwardPo {
            id: id_text(r, "id")?,
            po_number: col(r, "po_number")?,
            warehouse: col(r, "warehouse")?,
            status: word(r, "status", InwardPoStatus::parse)?,
            lines: Vec::new(),
            created_at: time(r, "created_at")?,
            updated_at: time(r, "updated_at")?,
            closed_at: opt_time(r, "closed_at")?,
        })
    }
}

impl FromRow for InwardPoLine {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(InwardPoLine { sku: col(r, "sku")?, qty: col(r, "qty")?, received: col(r, "received")? })
    }
}

/// Reads a PO and its lines, with its id.
async fn load_po(conn: &mut AnyConnection, client_id: i64, po_number: &str) -> Result<Option<(i64, InwardPo)>> {
    let Some(head) = sqlx::query(
        "SELECT p.id, p.po_number, w.code AS warehouse, p.status, p.created_at, p.updated_at, p.closed_at FROM inward_pos p \
         JOIN warehouses w ON w.id = p.warehouse_id WHERE p.client_id = $1 AND p.po_number = $2",
    )
    .bind(client_id)
    .bind(po_number)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?
    else {
        return Ok(None);
    };
    let id: i64 = col(&head, "id")?;
    let lines = sqlx::query(
        "SELECT s.sku, l.qty, l.received FROM inward_po_lines l JOIN skus s ON s.id = l.sku_id WHERE l.po_id = $1 ORDER BY l.line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?
    .iter()
    .map(InwardPoLine::from_row)
    .collect::<Result<_>>()?;
    Ok(Some((id, InwardPo { lines, ..InwardPo::from_row(&head)? })))
}

/// Books `qty` received of a SKU against an open PO of the same warehouse and closes the PO when
/// every line is fully received. Receiving more than a line still expects is refused.
pub(crate) async fn receive_against_po(
    tx: &mut Transaction<'static, Any>,
    ctx: &WriteCtx,
    po_number: &str,
    warehouse_id: i64,
    sku_id: i64,
    sku: &str,
    qty: i64,
) -> Result<InwardPo> {
    let head = sqlx::query("SELECT id, warehouse_id, status FROM inward_pos WHERE client_id = $1 AND po_number = $2")
        .bind(ctx.client_id)
        .bind(po_number)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?
        .ok_or_else(|| DomainError::field("inward_po", format!("no inward PO '{po_number}'")))?;
    let (po_id, po_warehouse, status): (i64, i64, &str) = (col(&head, "id")?, col(&head, "warehouse_id")?, col(&head, "status")?);
    if po_warehouse != warehouse_id {
        return Err(DomainError::field("inward_po", format!("inward PO '{po_number}' is for another warehouse")));
    }
    if status != InwardPoStatus::Open.as_str() {
        return Err(DomainError::Conflict(format!("inward PO '{po_number}' is closed: it has been received in full")));
    }
    let line = sqlx::query("SELECT qty, received FROM inward_po_lines WHERE po_id = $1 AND sku_id = $2")
        .bind(po_id)
        .bind(sku_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?
        .ok_or_else(|| DomainError::field("sku", format!("inward PO '{po_number}' has no line for SKU '{sku}'")))?;
    let (ordered, received): (i64, i64) = (col(&line, "qty")?, col(&line, "received")?);
    if received + qty > ordered {
        return Err(DomainError::Conflict(format!(
            "inward PO '{po_number}' expects {} more of SKU '{sku}' ({ordered} ordered, {received} received); {qty} is too many",
            ordered - received
        )));
    }
    sqlx::query("UPDATE inward_po_lines SET received = received + $3 WHERE po_id = $1 AND sku_id = $2")
        .bind(po_id)
        .bind(sku_id)
        .bind(qty)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    let open_lines: i64 = sqlx::query("SELECT COUNT(*) AS open_lines FROM inward_po_lines WHERE po_id = $1 AND received < qty")
        .bind(po_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db)
        .and_then(|r| col(&r, "open_lines"))?;
    let closed_at = (open_lines == 0).then_some(ctx.now.micros());
    let status = if open_lines == 0 { InwardPoStatus::Closed } else { InwardPoStatus::Open };
    sqlx::query("UPDATE inward_pos SET status = $2, updated_at = $3, closed_at = $4 WHERE id = $1")
        .bind(po_id)
        .bind(status.as_str())
        .bind(ctx.now.micros())
        .bind(closed_at)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    Ok(load_po(tx, ctx.client_id, po_number).await?.expect("the PO was just read").1)
}

impl Store {
    /// Creates an inward PO. Pushing the same PO number again answers the stored PO when nothing
    /// was received yet and the lines are the same, replaces its lines when they differ, and is
    /// refused once stock has been received against it.
    pub async fn upsert_inward_po(&self, ctx: &WriteCtx, input: InwardPoInput) -> Result<Upserted<InwardPo>> {
        idempotent!(self, ctx, |w| {
            let wh = warehouse_id(&mut w.tx, ctx.client_id, &input.warehouse, "warehouse").await?;
            let mut sku_ids = Vec::with_capacity(input.lines.len());
            for (i, (sku, _)) in input.lines.iter().enumerate() {
                sku_ids.push(sku_id(&mut w.tx, ctx.client_id, sku, &format!("lines[{i}].sku")).await?);
            }
            let existing = load_po(&mut w.tx, ctx.client_id, &input.po_number).await?;
            let created = existing.is_none();
            let po_id = match existing {
                Some((id, po)) => {
                    let same = po.warehouse == input.warehouse
                        && po.lines.iter().map(|l| (l.sku.clone(), l.qty)).eq(input.lines.iter().cloned());
                    if same {
                        return Ok(Upserted { record: po, created: false });
                    }
                    if po.lines.iter().any(|l| l.received > 0) {
                        return Err(DomainError::Conflict(format!(
                            "inward PO '{}' has stock received against it and can't be changed",
                            input.po_number
                        )));
                    }
                    sqlx::query("DELETE FROM inward_po_lines WHERE po_id = $1").bind(id).execute(&mut *w.tx).await.map_err(db)?;
                    sqlx::query("UPDATE inward_pos SET warehouse_id = $2, updated_at = $3 WHERE id = $1")
                        .bind(id)
                        .bind(wh)
                        .bind(ctx.now.micros())
                        .execute(&mut *w.tx)
                        .await
                        .map_err(db)?;
                    id
                }
                None => sqlx::query(
                    "INSERT INTO inward_pos (client_id, warehouse_id, po_number, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                )
                .bind(ctx.client_id)
                .bind(wh)
                .bind(&input.po_number)
                .bind(InwardPoStatus::Open.as_str())
                .bind(ctx.now.micros())
                .fetch_one(&mut *w.tx)
                .await
                .map_err(db)
                .and_then(|r| col(&r, "id"))?,
            };
            for (i, ((_, qty), sku)) in input.lines.iter().zip(&sku_ids).enumerate() {
                sqlx::query("INSERT INTO inward_po_lines (po_id, client_id, line_no, sku_id, qty) VALUES ($1, $2, $3, $4, $5)")
                    .bind(po_id)
                    .bind(ctx.client_id)
                    .bind(i as i64)
                    .bind(*sku)
                    .bind(*qty)
                    .execute(&mut *w.tx)
                    .await
                    .map_err(db)?;
            }
            let po = load_po(&mut w.tx, ctx.client_id, &input.po_number).await?.expect("the PO was just written").1;
            Ok::<_, DomainError>(Upserted { record: po, created })
        })
    }

    /// The inward PO with this number.
    pub async fn inward_po(&self, client_id: i64, po_number: &str) -> Result<InwardPo> {
        let mut conn = self.read.acquire().await.map_err(db)?;
        load_po(&mut conn, client_id, po_number)
            .await?
            .map(|(_, po)| po)
            .ok_or_else(|| DomainError::NotFound(format!("inward PO '{po_number}'")))
    }

    /// The client's inward POs, by creation.
    pub async fn list_inward_pos(&self, client_id: i64, page: PageRequest) -> Result<Page<InwardPo>> {
        let mut conn = self.read.acquire().await.map_err(db)?;
        let numbers = sqlx::query("SELECT id, po_number FROM inward_pos WHERE client_id = $1 AND id > $2 ORDER BY id LIMIT $3")
            .bind(client_id)
            .bind(page.after.unwrap_or(0))
            .bind(page.limit + 1)
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        let mut rows = Vec::with_capacity(numbers.len());
        for r in &numbers {
            let number: &str = col(r, "po_number")?;
            if let Some((id, po)) = load_po(&mut conn, client_id, number).await? {
                rows.push((id, po));
            }
        }
        Ok(Page::from_rows(rows, page.limit))
    }
}
