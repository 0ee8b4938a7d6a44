//! The B2B invoice the seller's ERP issues for an order (`POST /api/v1/orders/{id}/invoice`): kept on
//! the order; for Ajio with an ERP the units it leaves out are cancelled, it releases the B2C orders
//! the purchase order covers, and from then on a shortage cancels the whole order (SPEC §11.2, §13.2).

use super::client_code;
use crate::allocation::save_orders;
use crate::db::db;
use crate::purchase_orders::{cancel_uninvoiced, channel_erp_integrated, covered_ids, queue_uninvoiced};
use crate::sql::Writes;
use crate::tx::idempotent;
use crate::{Result, Store, WriteCtx};
use ordo_domain::kinds::{ChannelType, OrderKind};
use ordo_domain::model::Order;
use ordo_domain::{DomainError, FieldError};
use serde::{Deserialize, Serialize};

/// An ERP's invoice of a B2B order, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErpInvoice {
    pub invoice_number: String,
    /// `YYYY-MM-DD`.
    pub invoice_date: String,
    pub irn: Option<String>,
    pub signed_qr_code: Option<String>,
    /// The portal's acknowledgement number and date (`YYYY-MM-DD HH:MM:SS`), as the ERP got them.
    #[serde(default)]
    pub ack_no: Option<String>,
    #[serde(default)]
    pub ack_date: Option<String>,
    /// The invoice's total, two places, as the ERP made it.
    #[serde(default)]
    pub total: Option<String>,
    /// Final units per client SKU.
    pub lines: Vec<(String, i64)>,
}

impl Store {
    /// Records the ERP's invoice of a B2B order: its final quantities are never above what was
    /// ordered (per SKU, cancelled units left out); a second invoice of the order is refused. An
    /// Ajio purchase order's invoice is uploaded to Ajio as its e-invoice, so it must carry the IRN
    /// and signed QR; with an ERP, the units it leaves out are cancelled on the orders it covers.
    pub async fn record_erp_invoice(&self, ctx: &WriteCtx, id: &str, invoice: ErpInvoice) -> Result<Order> {
        idempotent!(self, ctx, |w| {
            let client = client_code(&mut w.tx, ctx.client_id).await?;
            let mut o = self.order_for_update(&mut w.tx, ctx.client_id, id).await?;
            if o.core.kind != OrderKind::B2b {
                return Err(DomainError::Conflict(format!(
                    "order {id} is {}: only B2B orders are invoiced by the ERP",
                    o.core.kind
                )));
            }
            let row =
                sqlx::query("SELECT erp_invoice FROM orders WHERE id = $1").bind(o.id).fetch_one(&mut *w.tx).await.map_err(db)?;
            if crate::rows::col::<Option<String>>(&row, "erp_invoice")?.is_some() {
                return Err(DomainError::Conflict(format!("order {id} has its ERP invoice already; a second one is refused")));
            }
            let mut errors = Vec::new();
            for (i, (sku, _)) in invoice.lines.iter().enumerate() {
                let open: i64 =
                    o.lines.iter().zip(&o.core.lines).filter(|(l, _)| &l.sku == sku).map(|(_, q)| q.qty - q.cancelled).sum();
                let invoiced: i64 = invoice.lines[..=i].iter().filter(|(s, _)| s == sku).map(|(_, q)| q).sum();
                if !o.lines.iter().any(|l| &l.sku == sku) {
                    errors.push(FieldError::new(format!("lines[{i}].sku"), format!("order {id} has no SKU {sku}")));
                } else if invoiced > open {
                    errors.push(FieldError::new(
                        format!("lines[{i}].qty"),
                        format!(
                            "{invoiced} units of {sku} invoiced, but order {id} has {open} open: never more than was ordered"
                        ),
                    ));
                }
            }
            let purchase_order = o.channel_type == ChannelType::AjioVms && !covered_ids(&mut w.tx, o.id).await?.is_empty();
            if purchase_order {
                let why = "is required: Ajio takes the purchase order's e-invoice (its IRN and signed QR) at packing";
                if invoice.irn.is_none() {
                    errors.push(FieldError::new("irn", why));
                }
                if invoice.signed_qr_code.is_none() {
                    errors.push(FieldError::new("signed_qr_code", why));
                }
            }
            if !errors.is_empty() {
                return Err(DomainError::Validation(errors));
            }
            let mut covered = Vec::new();
            if purchase_order && channel_erp_integrated(&mut w.tx, o.channel_id).await? {
                let (changed, told) = cancel_uninvoiced(self, &mut w.tx, ctx, &mut o, &invoice.lines).await?;
                queue_uninvoiced(&mut w.tx, ctx, &o, &told).await?;
                covered = changed;
            }
            let text = serde_json::to_string(&invoice).map_err(|e| DomainError::Internal(e.to_string()))?;
            sqlx::query("UPDATE orders SET erp_invoice = $1, updated_at = $2 WHERE id = $3")
                .bind(text)
                .bind(ctx.now.micros())
                .bind(o.id)
                .execute(&mut *w.tx)
                .await
                .map_err(db)?;
            let mut orders = vec![o];
            orders.extend(covered);
            Writes::apply(&mut w.tx, |writes| save_orders(writes, ctx, &mut orders)).await?;
            Ok::<_, DomainError>(orders[0].to_api(&client, ctx.now))
        })
    }
}

/// The orders to cancel whole when one of them is short (SPEC §11.2): when `order_id` is, or is
/// covered by, a B2B order whose ERP invoice exists, that B2B order and every order it covers;
/// otherwise none.
pub(crate) async fn invoiced_group(tx: &mut sqlx::Transaction<'static, sqlx::Any>, order_id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT o.id FROM orders o WHERE o.erp_invoice IS NOT NULL AND (o.id = $1 \
         OR o.id IN (SELECT l.order_id FROM order_links l WHERE l.linked_order_id = $2))",
    )
    .bind(order_id)
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(db)?;
    let mut group = Vec::new();
    for r in rows {
        let b2b: i64 = crate::rows::col(&r, "id")?;
        group.push(b2b);
        let covered = sqlx::query("SELECT linked_order_id FROM order_links WHERE order_id = $1")
            .bind(b2b)
            .fetch_all(&mut **tx)
            .await
            .map_err(db)?;
        for c in covered {
            group.push(crate::rows::col(&c, "linked_order_id")?);
        }
    }
    group.sort_unstable();
    group.dedup();
    Ok(group)
}
