//! Warehouses: what documents need of them (legal name, GSTIN, address, PIN), their AWB series whose
//! running number only moves forward, and their e-invoice portal.

use crate::db::db;
use crate::rows::{FromRow, col, time, with_id};
use crate::tx::idempotent;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::DomainError;
use ordo_domain::model::{Upserted, Warehouse};
use ordo_domain::shipping::{AwbSeries, EInvoicing};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

/// A warehouse as created or replaced by its code.
#[derive(Debug, Clone)]
pub struct WarehouseInput {
    pub code: String,
    pub name: String,
    pub gstin: Option<String>,
    pub address: Option<String>,
    pub legal_name: Option<String>,
    pub pin: Option<String>,
    /// Kept as stored when `None`; its `next` may only move forward (AWBs are never reused).
    pub awb_series: Option<ordo_domain::shipping::AwbSeries>,
}

/// A change to a warehouse; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct WarehousePatch {
    pub name: Option<String>,
    pub gstin: Option<String>,
    pub address: Option<String>,
    pub legal_name: Option<String>,
    pub pin: Option<String>,
    pub awb_series: Option<ordo_domain::shipping::AwbSeries>,
}

/// Where a warehouse registers B2B e-invoices: the portal, its sealed credentials, and settings
/// (the portal's public keys).
#[derive(Debug, Clone)]
pub struct EInvoicingInput {
    pub endpoint: String,
    pub credentials: Vec<u8>,
    pub settings: serde_json::Value,
}

pub(crate) const WAREHOUSE_COLUMNS: &str =
    "code, name, gstin, address, legal_name, pin, awb_carrier, awb_prefix, awb_next, einvoice_endpoint, created_at, updated_at";

/// Reads a warehouse selected with [`WAREHOUSE_COLUMNS`].
impl FromRow for Warehouse {
    fn from_row(r: &AnyRow) -> Result<Self> {
        let gstin: Option<String> = col(r, "gstin")?;
        let awb_series = match (col::<Option<String>>(r, "awb_carrier")?, col::<Option<String>>(r, "awb_prefix")?) {
            (Some(carrier), Some(prefix)) => {
                Some(AwbSeries { carrier, prefix, next: col::<Option<i64>>(r, "awb_next")?.unwrap_or(1) })
            }
            _ => None,
        };
        Ok(Warehouse {
            code: col(r, "code")?,
            name: col(r, "name")?,
            state_code: gstin.as_ref().map(|g| g.chars().take(2).collect()),
            gstin,
            address: col(r, "address")?,
            legal_name: col(r, "legal_name")?,
            pin: col(r, "pin")?,
            awb_series,
            e_invoicing: col::<Option<String>>(r, "einvoice_endpoint")?.map(|endpoint| EInvoicing { endpoint, configured: true }),
            created_at: time(r, "created_at")?,
            updated_at: time(r, "updated_at")?,
        })
    }
}

/// The id of a warehouse of the client, or a validation error on `field`.
pub(crate) async fn warehouse_id(tx: &mut Transaction<'static, Any>, client_id: i64, code: &str, field: &str) -> Result<i64> {
    sqlx::query("SELECT id FROM warehouses WHERE client_id = $1 AND code = $2")
        .bind(client_id)
        .bind(code)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?
        .map(|r| col(&r, "id"))
        .transpose()?
        .ok_or_else(|| DomainError::field(field, format!("no warehouse '{code}'")))
}

/// Refuses an AWB series whose next number would give out an AWB again.
fn check_awb_forward(stored_next: Option<i64>, series: &AwbSeries) -> Result<()> {
    match stored_next {
        Some(next) if series.next < next => Err(DomainError::field(
            "awb_series.next",
            format!("must be at least {next}: AWBs up to {} were given out already, and an AWB is never reused", next - 1),
        )),
        _ => Ok(()),
    }
}

impl Store {
    /// Creates the warehouse or replaces the one with the same code (its AWB series stays unless a
    /// new one is given, and its running number only moves forward).
    pub async fn upsert_warehouse(&self, ctx: &WriteCtx, input: WarehouseInput) -> Result<Upserted<Warehouse>> {
        idempotent!(self, ctx, |w| {
            let existing = sqlx::query("SELECT id, awb_next FROM warehouses WHERE client_id = $1 AND code = $2")
                .bind(ctx.client_id)
                .bind(&input.code)
                .fetch_optional(&mut *w.tx)
                .await
                .map_err(db)?;
            if let (Some(row), Some(series)) = (&existing, &input.awb_series) {
                check_awb_forward(col(row, "awb_next")?, series)?;
            }
            let sql = if existing.is_some() {
                format!(
                    "UPDATE warehouses SET name = $3, gstin = $4, address = $5, updated_at = $6, legal_name = $7, pin = $8, \
                     awb_carrier = coalesce($9, awb_carrier), awb_prefix = coalesce($10, awb_prefix), awb_next = coalesce($11, awb_next) \
                     WHERE client_id = $1 AND code = $2 RETURNING {WAREHOUSE_COLUMNS}"
                )
            } else {
                format!(
                    "INSERT INTO warehouses (client_id, code, name, gstin, address, created_at, updated_at, legal_name, pin, \
                     awb_carrier, awb_prefix, awb_next) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11) RETURNING {WAREHOUSE_COLUMNS}"
                )
            };
            let series = input.awb_series.as_ref();
            let row = sqlx::query(&sql)
                .bind(ctx.client_id)
                .bind(&input.code)
                .bind(&input.name)
                .bind(&input.gstin)
                .bind(&input.address)
                .bind(ctx.now.micros())
                .bind(&input.legal_name)
                .bind(&input.pin)
                .bind(series.map(|s| s.carrier.clone()))
                .bind(series.map(|s| s.prefix.clone()))
                .bind(series.map(|s| s.next))
                .fetch_one(&mut *w.tx)
                .await
                .map_err(db)?;
            Ok::<_, DomainError>(Upserted { record: Warehouse::from_row(&row)?, created: existing.is_none() })
        })
    }

    /// Changes the fields `patch` gives of a warehouse.
    pub async fn patch_warehouse(&self, ctx: &WriteCtx, code: &str, patch: WarehousePatch) -> Result<Warehouse> {
        idempotent!(self, ctx, |w| {
            let row = sqlx::query("SELECT awb_next FROM warehouses WHERE client_id = $1 AND code = $2")
                .bind(ctx.client_id)
                .bind(code)
                .fetch_optional(&mut *w.tx)
                .await
                .map_err(db)?
                .ok_or_else(|| DomainError::NotFound(format!("warehouse '{code}'")))?;
            if let Some(series) = &patch.awb_series {
                check_awb_forward(col(&row, "awb_next")?, series)?;
            }
            let series = patch.awb_series.as_ref();
            let sql = format!(
                "UPDATE warehouses SET name = coalesce($3, name), gstin = coalesce($4, gstin), address = coalesce($5, address), \
                 legal_name = coalesce($6, legal_name), pin = coalesce($7, pin), awb_carrier = coalesce($8, awb_carrier), \
                 awb_prefix = coalesce($9, awb_prefix), awb_next = coalesce($10, awb_next), updated_at = $11 \
                 WHERE client_id = $1 AND code = $2 RETURNING {WAREHOUSE_COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(ctx.client_id)
                .bind(code)
                .bind(&patch.name)
                .bind(&patch.gstin)
                .bind(&patch.address)
                .bind(&patch.legal_name)
                .bind(&patch.pin)
                .bind(series.map(|s| s.carrier.clone()))
                .bind(series.map(|s| s.prefix.clone()))
                .bind(series.map(|s| s.next))
                .bind(ctx.now.micros())
                .fetch_one(&mut *w.tx)
                .await
                .map_err(db)?;
            Warehouse::from_row(&row)
        })
    }

    /// Sets the e-invoice portal of a warehouse.
    pub async fn set_e_invoicing(&self, ctx: &WriteCtx, code: &str, input: EInvoicingInput) -> Result<Warehouse> {
        idempotent!(self, ctx, |w| {
            let sql = format!(
                "UPDATE warehouses SET einvoice_endpoint = $3, einvoice_credentials = $4, einvoice_settings = $5, updated_at = $6 \
                 WHERE client_id = $1 AND code = $2 RETURNING {WAREHOUSE_COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(ctx.client_id)
                .bind(code)
                .bind(&input.endpoint)
                .bind(&input.credentials)
                .bind(input.settings.to_string())
                .bind(ctx.now.micros())
                .fetch_optional(&mut *w.tx)
                .await
                .map_err(db)?
                .ok_or_else(|| DomainError::NotFound(format!("warehouse '{code}'")))?;
            Warehouse::from_row(&row)
        })
    }

    /// A warehouse's e-invoice portal: endpoint, sealed credentials and settings, if it has one.
    pub async fn e_invoicing(&self, client_id: i64, code: &str) -> Result<Option<EInvoicingInput>> {
        let row = sqlx::query(
            "SELECT einvoice_endpoint, einvoice_credentials, einvoice_settings FROM warehouses WHERE client_id = $1 AND code = $2",
        )
        .bind(client_id)
        .bind(code)
        .fetch_optional(&self.read)
        .await
        .map_err(db)?
        .ok_or_else(|| DomainError::NotFound(format!("warehouse '{code}'")))?;
        let Some(endpoint) = col::<Option<String>>(&row, "einvoice_endpoint")? else { return Ok(None) };
        Ok(Some(EInvoicingInput {
            endpoint,
            credentials: col::<Option<Vec<u8>>>(&row, "einvoice_credentials")?.unwrap_or_default(),
            settings: crate::rows::opt_json(&row, "einvoice_settings")?.unwrap_or(serde_json::Value::Null),
        }))
    }

    /// The warehouse with this code.
    pub async fn warehouse(&self, client_id: i64, code: &str) -> Result<Warehouse> {
        let sql = format!("SELECT {WAREHOUSE_COLUMNS} FROM warehouses WHERE client_id = $1 AND code = $2");
        sqlx::query(&sql)
            .bind(client_id)
            .bind(code)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .map(|r| Warehouse::from_row(&r))
            .transpose()?
            .ok_or_else(|| DomainError::NotFound(format!("warehouse '{code}'")))
    }

    /// The client's warehouses, by creation.
    pub async fn list_warehouses(&self, client_id: i64, page: PageRequest) -> Result<Page<Warehouse>> {
        let sql = format!("SELECT id, {WAREHOUSE_COLUMNS} FROM warehouses WHERE client_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows = self.ascending_page(&sql, client_id, page).await?;
        Ok(Page::from_rows(rows.iter().map(with_id).collect::<Result<_>>()?, page.limit))
    }
}
