//! Master data: the article master (SKUs), channels and SKU mappings (warehouses: `warehouses.rs`).

use crate::db::db;
use crate::rows::{FromRow, col, flag, json, opt_time, time, with_id, word};
use crate::sql::{Val, insert_rows, rows_in};
use crate::tx::idempotent;
use crate::warehouses::warehouse_id;
use crate::{Page, PageRequest, Result, Store, WriteCtx};
use ordo_domain::DomainError;
use ordo_domain::kinds::{ChannelStatus, ChannelType};
use ordo_domain::model::{Channel, LineError, Sku, SkuMapping, UploadReport};
use ordo_domain::money::format_hundredths;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};

/// An article as uploaded; `None` fields keep their stored value on update.
#[derive(Debug, Clone)]
pub struct SkuInput {
    pub sku: String,
    pub name: String,
    pub ean: Option<String>,
    pub hsn: Option<String>,
    /// Hundredths of the currency unit.
    pub mrp: Option<i64>,
    /// Hundredths of a percent.
    pub tax_rate: Option<i64>,
    pub weight_grams: Option<i64>,
}

/// A new channel; the credentials are already encrypted.
#[derive(Debug, Clone)]
pub struct ChannelInput {
    pub code: String,
    pub channel_type: ChannelType,
    pub warehouse: String,
    pub credentials: Vec<u8>,
    pub settings: serde_json::Value,
    pub enabled: bool,
}

/// A change to a channel; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct ChannelPatch {
    pub credentials: Option<Vec<u8>>,
    pub settings: Option<serde_json::Value>,
    pub enabled: Option<bool>,
}

/// A SKU mapping as uploaded, with its line number (1 for a single API call).
#[derive(Debug, Clone)]
pub struct MappingInput {
    pub line: u64,
    pub channel: String,
    pub channel_sku: String,
    pub sku: String,
}

const SKU_COLUMNS: &str = "sku, name, ean, hsn, mrp, tax_rate, weight_grams, created_at, updated_at";

/// Reads a SKU selected with [`SKU_COLUMNS`].
impl FromRow for Sku {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Sku {
            sku: col(r, "sku")?,
            name: col(r, "name")?,
            ean: col(r, "ean")?,
            hsn: col(r, "hsn")?,
            mrp: col::<Option<i64>>(r, "mrp")?.map(format_hundredths),
            tax_rate: col::<Option<i64>>(r, "tax_rate")?.map(format_hundredths),
            weight_grams: col(r, "weight_grams")?,
            created_at: time(r, "created_at")?,
            updated_at: time(r, "updated_at")?,
        })
    }
}

const CHANNEL_SELECT: &str = "SELECT c.code, c.type, w.code AS warehouse, c.status, c.enabled, c.settings, c.last_success_at, \
     c.last_error, c.created_at, c.updated_at, c.id FROM channels c JOIN warehouses w ON w.id = c.warehouse_id";

/// Reads a channel selected with [`CHANNEL_SELECT`].
impl FromRow for Channel {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(Channel {
            code: col(r, "code")?,
            channel_type: word(r, "type", ChannelType::parse)?,
            warehouse: col(r, "warehouse")?,
            status: word(r, "status", ChannelStatus::parse)?,
            enabled: flag(r, "enabled")?,
            has_credentials: true,
            settings: json(r, "settings")?,
            last_success_at: opt_time(r, "last_success_at")?,
            last_error: col(r, "last_error")?,
            lag_seconds: None,
            created_at: time(r, "created_at")?,
            updated_at: time(r, "updated_at")?,
        })
    }
}

/// Reads a mapping selected as `channel, channel_sku, sku, updated_at`.
impl FromRow for SkuMapping {
    fn from_row(r: &AnyRow) -> Result<Self> {
        Ok(SkuMapping {
            channel: col(r, "channel")?,
            channel_sku: col(r, "channel_sku")?,
            sku: col(r, "sku")?,
            updated_at: time(r, "updated_at")?,
        })
    }
}

/// What [`SkuMapping`] reads; the query joins channels (`c`) and SKUs (`s`).
const MAPPING_COLUMNS: &str = "c.code AS channel, m.channel_sku, s.sku, m.updated_at";

/// The id of a SKU of the client, or a validation error on `field`.
pub(crate) async fn sku_id(tx: &mut Transaction<'static, Any>, client_id: i64, sku: &str, field: &str) -> Result<i64> {
    sqlx::query("SELECT id FROM skus WHERE client_id = $1 AND sku = $2")
        .bind(client_id)
        .bind(sku)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?
        .map(|r| col(&r, "id"))
        .transpose()?
        .ok_or_else(|| DomainError::field(field, format!("no SKU '{sku}' in the article master")))
}

/// Ids of those of `skus` that exist for the client.
pub(crate) async fn sku_ids(tx: &mut Transaction<'static, Any>, client_id: i64, skus: &[&str]) -> Result<HashMap<String, i64>> {
    let sql = "SELECT sku, id FROM skus WHERE client_id = $1 AND sku IN (";
    rows_in(tx, sql, &[client_id], skus).await?.iter().map(|r| Ok((col(r, "sku")?, col(r, "id")?))).collect()
}

impl Store {
    /// Creates or updates articles by their SKU code, all in one transaction. Returns how many
    /// were created and updated, and the stored records when there are few enough to be useful.
    pub async fn upsert_skus(&self, ctx: &WriteCtx, inputs: Vec<SkuInput>) -> Result<(UploadReport, Vec<Sku>)> {
        idempotent!(self, ctx, |w| {
            let codes: Vec<&str> = inputs.iter().map(|s| s.sku.as_str()).collect();
            let existing = sku_ids(&mut w.tx, ctx.client_id, &codes).await?;
            let mut report = UploadReport::default();
            let rows: Vec<Vec<Val>> = inputs
                .iter()
                .map(|s| {
                    vec![
                        ctx.client_id.into(),
                        s.sku.clone().into(),
                        s.name.clone().into(),
                        s.ean.clone().into(),
                        s.hsn.clone().into(),
                        s.mrp.into(),
                        s.tax_rate.into(),
                        s.weight_grams.into(),
                        ctx.now.micros().into(),
                        ctx.now.micros().into(),
                    ]
                })
                .collect();
            insert_rows(
                &mut w.tx,
                "skus",
                &["client_id", "sku", "name", "ean", "hsn", "mrp", "tax_rate", "weight_grams", "created_at", "updated_at"],
                &rows,
                "ON CONFLICT (client_id, sku) DO UPDATE SET name = excluded.name, \
                 ean = COALESCE(excluded.ean, skus.ean), hsn = COALESCE(excluded.hsn, skus.hsn), \
                 mrp = COALESCE(excluded.mrp, skus.mrp), tax_rate = COALESCE(excluded.tax_rate, skus.tax_rate), \
                 weight_grams = COALESCE(excluded.weight_grams, skus.weight_grams), updated_at = excluded.updated_at",
            )
            .await?;
            for s in &inputs {
                if existing.contains_key(&s.sku) { report.updated += 1 } else { report.created += 1 }
            }
            let mut records = Vec::new();
            if inputs.len() <= 10 {
                for s in &inputs {
                    let sql = format!("SELECT {SKU_COLUMNS} FROM skus WHERE client_id = $1 AND sku = $2");
                    let row = sqlx::query(&sql).bind(ctx.client_id).bind(&s.sku).fetch_one(&mut *w.tx).await.map_err(db)?;
                    records.push(Sku::from_row(&row)?);
                }
            }
            Ok::<_, DomainError>((report, records))
        })
    }

    /// The article with this SKU code.
    pub async fn sku(&self, client_id: i64, sku: &str) -> Result<Sku> {
        let sql = format!("SELECT {SKU_COLUMNS} FROM skus WHERE client_id = $1 AND sku = $2");
        sqlx::query(&sql)
            .bind(client_id)
            .bind(sku)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .map(|r| Sku::from_row(&r))
            .transpose()?
            .ok_or_else(|| DomainError::NotFound(format!("SKU '{sku}'")))
    }

    /// The client's article master, by creation.
    pub async fn list_skus(&self, client_id: i64, page: PageRequest) -> Result<Page<Sku>> {
        let sql = format!("SELECT id, {SKU_COLUMNS} FROM skus WHERE client_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows = self.ascending_page(&sql, client_id, page).await?;
        Ok(Page::from_rows(rows.iter().map(with_id).collect::<Result<_>>()?, page.limit))
    }

    /// Creates a channel; its code must be new (change one with [`Store::update_channel`]).
    pub async fn create_channel(&self, ctx: &WriteCtx, input: ChannelInput) -> Result<Channel> {
        idempotent!(self, ctx, |w| {
            let warehouse = warehouse_id(&mut w.tx, ctx.client_id, &input.warehouse, "warehouse").await?;
            let status = if input.enabled { ChannelStatus::Active } else { ChannelStatus::Disabled };
            let inserted = sqlx::query(
                "INSERT INTO channels (client_id, code, type, warehouse_id, status, enabled, credentials, settings, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (client_id, code) DO NOTHING",
            )
            .bind(ctx.client_id)
            .bind(&input.code)
            .bind(input.channel_type.as_str())
            .bind(warehouse)
            .bind(status.as_str())
            .bind(i64::from(input.enabled))
            .bind(&input.credentials)
            .bind(input.settings.to_string())
            .bind(ctx.now.micros())
            .execute(&mut *w.tx)
            .await
            .map_err(db)?;
            if inserted.rows_affected() == 0 {
                return Err(DomainError::Conflict(format!(
                    "channel '{}' exists already; change it with PATCH /api/v1/channels/{}",
                    input.code, input.code
                )));
            }
            channel_in_tx(&mut w.tx, ctx.client_id, &input.code).await
        })
    }

    /// Changes a channel's credentials, settings or enabled flag. New credentials clear AUTH_FAILED.
    pub async fn update_channel(&self, ctx: &WriteCtx, code: &str, patch: ChannelPatch) -> Result<Channel> {
        idempotent!(self, ctx, |w| {
            let current = channel_in_tx(&mut w.tx, ctx.client_id, code)
                .await
                .map_err(|_| DomainError::NotFound(format!("channel '{code}'")))?;
            let enabled = patch.enabled.unwrap_or(current.enabled);
            let status = match (enabled, current.status, patch.credentials.is_some()) {
                (false, _, _) => ChannelStatus::Disabled,
                (true, ChannelStatus::AuthFailed, false) => ChannelStatus::AuthFailed,
                (true, ChannelStatus::Error, false) => ChannelStatus::Error,
                (true, _, _) => ChannelStatus::Active,
            };
            let settings = patch.settings.as_ref().unwrap_or(&current.settings).to_string();
            sqlx::query(
                "UPDATE channels SET enabled = $3, status = $4, settings = $5, credentials = COALESCE($6, credentials), updated_at = $7, \
                 last_error = CASE WHEN $8 = 1 THEN NULL ELSE last_error END WHERE client_id = $1 AND code = $2",
            )
            .bind(ctx.client_id)
            .bind(code)
            .bind(i64::from(enabled))
            .bind(status.as_str())
            .bind(settings)
            .bind(&patch.credentials)
            .bind(ctx.now.micros())
            .bind(i64::from(patch.credentials.is_some()))
            .execute(&mut *w.tx)
            .await
            .map_err(db)?;
            channel_in_tx(&mut w.tx, ctx.client_id, code).await
        })
    }

    /// The channel with this code.
    pub async fn channel(&self, client_id: i64, code: &str) -> Result<Channel> {
        let sql = format!("{CHANNEL_SELECT} WHERE c.client_id = $1 AND c.code = $2");
        let row = sqlx::query(&sql)
            .bind(client_id)
            .bind(code)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::NotFound(format!("channel '{code}'")))?;
        Channel::from_row(&row)
    }

    /// The stored (encrypted) credentials of a channel.
    pub async fn channel_credentials(&self, client_id: i64, code: &str) -> Result<Vec<u8>> {
        sqlx::query("SELECT credentials FROM channels WHERE client_id = $1 AND code = $2")
            .bind(client_id)
            .bind(code)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .map(|r| col(&r, "credentials"))
            .transpose()?
            .ok_or_else(|| DomainError::NotFound(format!("channel '{code}'")))
    }

    /// The client's channels, by creation.
    pub async fn list_channels(&self, client_id: i64, page: PageRequest) -> Result<Page<Channel>> {
        let sql = format!("{CHANNEL_SELECT} WHERE c.client_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3");
        let rows = self.ascending_page(&sql, client_id, page).await?;
        let rows = rows.iter().map(with_id).collect::<Result<Vec<_>>>()?;
        Ok(Page::from_rows(rows, page.limit))
    }

    /// Creates or updates SKU mappings in one transaction. Lines naming an unknown channel or SKU
    /// are reported; with `skip_bad_lines` the good lines are applied, otherwise none is.
    pub async fn upsert_sku_mappings(
        &self,
        ctx: &WriteCtx,
        inputs: Vec<MappingInput>,
        skip_bad_lines: bool,
    ) -> Result<UploadReport> {
        idempotent!(self, ctx, |w| {
            let channels: HashMap<String, i64> = sqlx::query("SELECT code, id FROM channels WHERE client_id = $1")
                .bind(ctx.client_id)
                .fetch_all(&mut *w.tx)
                .await
                .map_err(db)?
                .iter()
                .map(|r| Ok((col(r, "code")?, col(r, "id")?)))
                .collect::<Result<_>>()?;
            let codes: Vec<&str> = inputs.iter().map(|m| m.sku.as_str()).collect();
            let skus = sku_ids(&mut w.tx, ctx.client_id, &codes).await?;
            let mut report = UploadReport::default();
            let mut good = Vec::with_capacity(inputs.len());
            for m in &inputs {
                match (channels.get(&m.channel), skus.get(&m.sku)) {
                    (None, _) => report.errors.push(LineError {
                        line: m.line,
                        field: Some("channel".into()),
                        message: format!("no channel '{}'", m.channel),
                    }),
                    (_, None) => report.errors.push(LineError {
                        line: m.line,
                        field: Some("sku".into()),
                        message: format!("no SKU '{}' in the article master", m.sku),
                    }),
                    (Some(&c), Some(&s)) => good.push((c, m.channel_sku.as_str(), s)),
                }
            }
            if !report.errors.is_empty() && !skip_bad_lines {
                return Ok(report);
            }
            let mut existing: HashSet<(i64, String)> = HashSet::new();
            for &channel_id in good.iter().map(|(c, _, _)| c).collect::<HashSet<_>>() {
                let rows = sqlx::query("SELECT channel_sku FROM sku_mappings WHERE client_id = $1 AND channel_id = $2")
                    .bind(ctx.client_id)
                    .bind(channel_id)
                    .fetch_all(&mut *w.tx)
                    .await
                    .map_err(db)?;
                for r in &rows {
                    existing.insert((channel_id, col(r, "channel_sku")?));
                }
            }
            let rows: Vec<Vec<Val>> = good
                .iter()
                .map(|(c, cs, sku)| {
                    vec![
                        ctx.client_id.into(),
                        (*c).into(),
                        cs.to_string().into(),
                        (*sku).into(),
                        ctx.now.micros().into(),
                        ctx.now.micros().into(),
                    ]
                })
                .collect();
            insert_rows(
                &mut w.tx,
                "sku_mappings",
                &["client_id", "channel_id", "channel_sku", "sku_id", "created_at", "updated_at"],
                &rows,
                "ON CONFLICT (client_id, channel_id, channel_sku) DO UPDATE SET sku_id = excluded.sku_id, updated_at = excluded.updated_at",
            )
            .await?;
            for (c, cs, _) in &good {
                if existing.contains(&(*c, cs.to_string())) { report.updated += 1 } else { report.created += 1 }
            }
            Ok::<_, DomainError>(report)
        })
    }

    /// SKU mappings, by channel and channel SKU, optionally of one channel. The cursor counts rows
    /// already seen.
    pub async fn list_sku_mappings(&self, client_id: i64, channel: Option<&str>, page: PageRequest) -> Result<Page<SkuMapping>> {
        let offset = page.after.unwrap_or(0).max(0);
        let sql = format!(
            "SELECT {MAPPING_COLUMNS} FROM sku_mappings m JOIN channels c ON c.id = m.channel_id \
             JOIN skus s ON s.id = m.sku_id WHERE m.client_id = $1 AND ($2 IS NULL OR c.code = $2) \
             ORDER BY c.code, m.channel_sku LIMIT $3 OFFSET $4"
        );
        let rows = sqlx::query(&sql)
            .bind(client_id)
            .bind(channel)
            .bind(page.limit + 1)
            .bind(offset)
            .fetch_all(&self.read)
            .await
            .map_err(db)?;
        let items =
            rows.iter().enumerate().map(|(i, r)| Ok((offset + i as i64 + 1, SkuMapping::from_row(r)?))).collect::<Result<_>>()?;
        Ok(Page::from_rows(items, page.limit))
    }

    /// The mapping of a channel SKU.
    pub async fn sku_mapping(&self, client_id: i64, channel: &str, channel_sku: &str) -> Result<SkuMapping> {
        let sql = format!(
            "SELECT {MAPPING_COLUMNS} FROM sku_mappings m JOIN channels c ON c.id = m.channel_id \
             JOIN skus s ON s.id = m.sku_id WHERE m.client_id = $1 AND c.code = $2 AND m.channel_sku = $3"
        );
        let row = sqlx::query(&sql)
            .bind(client_id)
            .bind(channel)
            .bind(channel_sku)
            .fetch_optional(&self.read)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::NotFound(format!("mapping of '{channel_sku}' on channel '{channel}'")))?;
        SkuMapping::from_row(&row)
    }
}

async fn channel_in_tx(tx: &mut Transaction<'static, Any>, client_id: i64, code: &str) -> Result<Channel> {
    let sql = format!("{CHANNEL_SELECT} WHERE c.client_id = $1 AND c.code = $2");
    let row = sqlx::query(&sql).bind(client_id).bind(code).fetch_one(&mut **tx).await.map_err(db)?;
    Channel::from_row(&row)
}

impl Store {
    /// The articles a scanned code may name: the one whose SKU code it is (first), then those whose
    /// EAN it is, at most three. Stations take a SKU code or an EAN in the same input.
    pub async fn skus_by_scan(&self, client_id: i64, code: &str) -> Result<Vec<Sku>> {
        let sql = format!(
            "SELECT {SKU_COLUMNS} FROM skus WHERE client_id = $1 AND (sku = $2 OR ean = $2) \
             ORDER BY CASE WHEN sku = $2 THEN 0 ELSE 1 END, id LIMIT 3"
        );
        let rows = sqlx::query(&sql).bind(client_id).bind(code).fetch_all(&self.read).await.map_err(db)?;
        rows.iter().map(Sku::from_row).collect()
    }
}
