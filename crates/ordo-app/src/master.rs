//! Use cases of master data: warehouses, SKUs, channels and SKU mappings.

use crate::requests::{
    ChannelPatchRequest, ChannelRequest, EInvoicingRequest, SkuMappingRequest, SkuRequest, WarehousePatchRequest,
    WarehouseRequest,
};
use crate::upload::{UploadMode, parse_csv};
use crate::{App, Caller, Result};
use ordo_domain::codes::{parse_code, parse_sku};
use ordo_domain::error::Checker;
use ordo_domain::kinds::Permission;
use ordo_domain::model::{BatchReport, Channel, RowError, Sku, SkuMapping, UploadReport, Upserted, Warehouse};
use ordo_domain::{DomainError, FieldError};
use ordo_store::{ChannelInput, ChannelPatch, MappingInput, Page, PageRequest};

/// The most articles one `POST /api/v1/skus/batch` may carry.
pub const MAX_SKU_BATCH: usize = 5000;

/// Checks the channel settings Ordo itself reads; other keys are kept for the connector.
fn check_settings(settings: &serde_json::Map<String, serde_json::Value>) -> Result<()> {
    use serde_json::Value;
    let mut c = Checker::new();
    for (key, value) in settings {
        let field = format!("settings.{key}");
        let ok = match key.as_str() {
            "endpoint" | "auth_endpoint" => value.as_str().is_some_and(|u| u.starts_with("http://") || u.starts_with("https://")),
            "sync_interval_seconds" => value.as_i64().is_some_and(|n| (1..=86_400).contains(&n)),
            "sync_overlap_seconds" | "acknowledge_after_seconds" => value.as_i64().is_some_and(|n| (0..=7 * 86_400).contains(&n)),
            "sync_enabled" | "erp_integrated" => value.is_boolean(),
            "sync_from" => value.as_str().is_some_and(|t| ordo_domain::Timestamp::parse(t).is_ok()),
            "marketplace_ids" => value.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            // Exactly the word, as an order request takes it (no trimming).
            "fulfillment_type" => {
                value.as_str().is_some_and(|f| ordo_domain::kinds::FulfillmentType::ALL.iter().any(|t| t.as_str() == f))
            }
            _ => true,
        };
        if !ok {
            let expected = match key.as_str() {
                "endpoint" | "auth_endpoint" => "an http:// or https:// URL",
                "sync_interval_seconds" => "a whole number of seconds from 1 to 86400",
                "sync_overlap_seconds" | "acknowledge_after_seconds" => "a whole number of seconds from 0 to 604800",
                "sync_enabled" | "erp_integrated" => "true or false",
                "sync_from" => "an RFC 3339 time",
                "marketplace_ids" => "a list of marketplace ids",
                _ => "PARTIAL or BLOCK_COMPLETE",
            };
            c.push(field, format!("must be {expected}"));
        }
    }
    c.finish()
}

/// Encrypts a channel's credentials, bound to that client and channel.
fn seal_credentials(app: &App, client_id: i64, code: &str, credentials: &serde_json::Map<String, serde_json::Value>) -> Vec<u8> {
    let plain = serde_json::Value::Object(credentials.clone()).to_string();
    app.secrets.seal(plain.as_bytes(), &crate::secrets::channel_credentials_context(client_id, code))
}

impl App {
    /// Creates a warehouse, or replaces the one with the same code.
    pub async fn upsert_warehouse(&self, caller: &Caller, req: WarehouseRequest) -> Result<Upserted<Warehouse>> {
        let ctx = self.authorize(caller, Permission::ManageSetup)?;
        self.store.upsert_warehouse(&ctx, req.validate(true)?).await
    }

    /// Changes the given fields of a warehouse.
    pub async fn patch_warehouse(&self, caller: &Caller, code: &str, req: WarehousePatchRequest) -> Result<Warehouse> {
        let ctx = self.authorize(caller, Permission::ManageSetup)?;
        self.store.patch_warehouse(&ctx, code, req.validate(true)?).await
    }

    /// Sets the e-invoice portal a warehouse registers B2B invoices with; its credentials are
    /// sealed (bound to the client and warehouse) and never returned.
    pub async fn set_e_invoicing(
        &self,
        caller: &Caller,
        code: &str,
        req: EInvoicingRequest,
    ) -> Result<ordo_domain::shipping::EInvoicing> {
        let ctx = self.authorize(caller, Permission::ManageSetup)?;
        req.validate()?;
        let plain = serde_json::Value::Object(req.credentials.clone()).to_string();
        let context = crate::secrets::e_invoicing_credentials_context(ctx.client_id, code);
        let input = ordo_store::EInvoicingInput {
            endpoint: req.endpoint.trim_end_matches('/').to_string(),
            credentials: self.secrets.seal(plain.as_bytes(), &context),
            settings: serde_json::json!({ "public_keys": req.public_keys }),
        };
        let warehouse = self.store.set_e_invoicing(&ctx, code, input).await?;
        warehouse.e_invoicing.ok_or_else(|| DomainError::Internal("the e-invoicing settings were not stored".into()))
    }

    /// One warehouse.
    pub async fn warehouse(&self, caller: &Caller, code: &str) -> Result<Warehouse> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.warehouse(ctx.client_id, code).await
    }

    /// The client's warehouses.
    pub async fn list_warehouses(&self, caller: &Caller, page: PageRequest) -> Result<Page<Warehouse>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.list_warehouses(ctx.client_id, page).await
    }

    /// Creates or updates one article.
    pub async fn upsert_sku(&self, caller: &Caller, req: SkuRequest) -> Result<Upserted<Sku>> {
        let ctx = self.authorize(caller, Permission::ManageCatalog)?;
        let (report, mut records) = self.store.upsert_skus(&ctx, vec![req.validate()?]).await?;
        let record = records.pop().ok_or_else(|| DomainError::Internal("the SKU was not read back".into()))?;
        Ok(Upserted { record, created: report.created == 1 })
    }

    /// Creates or updates articles from a CSV file with a header row.
    pub async fn upload_skus(&self, caller: &Caller, csv: &[u8], mode: UploadMode) -> Result<UploadReport> {
        let ctx = self.authorize(caller, Permission::ManageCatalog)?;
        let (rows, mut errors) =
            parse_csv::<SkuRequest, _>(csv, "sku", |r: SkuRequest| r.validate().map(|s| (s.sku.clone(), s)))?;
        if !errors.is_empty() && mode == UploadMode::Strict {
            return Err(DomainError::UploadRejected(errors));
        }
        let (mut report, _) = self.store.upsert_skus(&ctx, rows.into_iter().map(|(_, s)| s).collect()).await?;
        report.errors.append(&mut errors);
        Ok(report)
    }

    /// Creates or updates up to [`MAX_SKU_BATCH`] articles pushed as JSON (an ERP's article master):
    /// good rows are applied, bad ones reported by index; a row naming a SKU an earlier row named is bad.
    pub async fn push_skus(&self, caller: &Caller, req: crate::requests::SkuBatchRequest) -> Result<BatchReport> {
        let ctx = self.authorize(caller, Permission::ManageCatalog)?;
        if req.skus.len() > MAX_SKU_BATCH {
            return Err(DomainError::field(
                "skus",
                format!("{} articles; a batch takes at most {MAX_SKU_BATCH}", req.skus.len()),
            ));
        }
        let (mut good, mut errors, mut seen) = (Vec::new(), Vec::new(), std::collections::HashMap::new());
        for (i, value) in req.skus.into_iter().enumerate() {
            let index = i as u64;
            let parsed = serde_path_to_error::deserialize::<_, SkuRequest>(&value)
                .map_err(|e| {
                    let (path, msg) = (e.path().to_string(), e.into_inner().to_string());
                    let field = match msg.strip_prefix("missing field `").and_then(|r| r.split('`').next()) {
                        Some(name) => Some(name.to_string()),
                        None => (path != ".").then_some(path),
                    };
                    vec![RowError { index, field, message: msg }]
                })
                .and_then(|r| {
                    r.validate().map_err(|e| match e {
                        DomainError::Validation(fs) => {
                            fs.into_iter().map(|f| RowError { index, field: Some(f.field), message: f.message }).collect()
                        }
                        other => vec![RowError { index, field: None, message: other.to_string() }],
                    })
                });
            match parsed {
                Ok(input) => match seen.insert(input.sku.clone(), index) {
                    Some(first) => errors.push(RowError {
                        index,
                        field: Some("sku".into()),
                        message: format!("SKU {} is in this batch already, at index {first}", input.sku),
                    }),
                    None => good.push(input),
                },
                Err(mut e) => errors.append(&mut e),
            }
        }
        let (report, _) =
            if good.is_empty() { (Default::default(), Vec::new()) } else { self.store.upsert_skus(&ctx, good).await? };
        Ok(BatchReport { created: report.created, updated: report.updated, errors })
    }

    /// One article.
    pub async fn sku(&self, caller: &Caller, sku: &str) -> Result<Sku> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.sku(ctx.client_id, sku).await
    }

    /// The article master.
    pub async fn list_skus(&self, caller: &Caller, page: PageRequest) -> Result<Page<Sku>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.list_skus(ctx.client_id, page).await
    }

    /// Creates a channel; its credentials are encrypted before they are stored.
    pub async fn create_channel(&self, caller: &Caller, req: ChannelRequest) -> Result<Channel> {
        let ctx = self.authorize(caller, Permission::ManageSetup)?;
        let mut c = Checker::new();
        let code = c.take("code", parse_code(&req.code));
        let warehouse = c.take("warehouse", parse_code(&req.warehouse));
        c.finish()?;
        check_settings(&req.settings)?;
        let code = code.unwrap_or_default();
        let input = ChannelInput {
            credentials: seal_credentials(self, ctx.client_id, &code, &req.credentials),
            code,
            channel_type: req.channel_type,
            warehouse: warehouse.unwrap_or_default(),
            settings: serde_json::Value::Object(req.settings),
            enabled: req.enabled.unwrap_or(true),
        };
        let channel = self.store.create_channel(&ctx, input).await?;
        Ok(self.with_lag(channel))
    }

    /// Changes a channel's credentials, settings or enabled flag.
    pub async fn update_channel(&self, caller: &Caller, code: &str, req: ChannelPatchRequest) -> Result<Channel> {
        let ctx = self.authorize(caller, Permission::ManageSetup)?;
        if let Some(settings) = &req.settings {
            check_settings(settings)?;
        }
        let patch = ChannelPatch {
            credentials: req.credentials.as_ref().map(|c| seal_credentials(self, ctx.client_id, code, c)),
            settings: req.settings.map(serde_json::Value::Object),
            enabled: req.enabled,
        };
        let channel = self.store.update_channel(&ctx, code, patch).await?;
        Ok(self.with_lag(channel))
    }

    /// One channel.
    pub async fn channel(&self, caller: &Caller, code: &str) -> Result<Channel> {
        let ctx = self.authorize(caller, Permission::Read)?;
        Ok(self.with_lag(self.store.channel(ctx.client_id, code).await?))
    }

    /// The client's channels.
    pub async fn list_channels(&self, caller: &Caller, page: PageRequest) -> Result<Page<Channel>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        let mut page = self.store.list_channels(ctx.client_id, page).await?;
        page.items = page.items.into_iter().map(|c| self.with_lag(c)).collect();
        Ok(page)
    }

    /// Fills in how far behind the channel's sync is, by the app's clock.
    fn with_lag(&self, mut channel: Channel) -> Channel {
        channel.lag_seconds = channel.last_success_at.map(|t| self.now().seconds_since(t).max(0));
        channel
    }

    /// Creates or updates one SKU mapping.
    pub async fn upsert_sku_mapping(&self, caller: &Caller, req: SkuMappingRequest) -> Result<Upserted<SkuMapping>> {
        let ctx = self.authorize(caller, Permission::ManageCatalog)?;
        let mut c = Checker::new();
        let channel = c.take("channel", parse_code(&req.channel)).unwrap_or_default();
        let channel_sku = c.take("channel_sku", parse_sku(&req.channel_sku)).unwrap_or_default();
        let sku = c.take("sku", parse_sku(&req.sku)).unwrap_or_default();
        c.finish()?;
        let input = MappingInput { line: 1, channel: channel.clone(), channel_sku: channel_sku.clone(), sku };
        let report = self.store.upsert_sku_mappings(&ctx, vec![input], UploadMode::Strict.skips()).await?;
        if !report.errors.is_empty() {
            let errors = report.errors.into_iter().map(|e| FieldError::new(e.field.unwrap_or_default(), e.message)).collect();
            return Err(DomainError::Validation(errors));
        }
        let record = self.store.sku_mapping(ctx.client_id, &channel, &channel_sku).await?;
        Ok(Upserted { record, created: report.created == 1 })
    }

    /// SKU mappings, optionally of one channel.
    pub async fn list_sku_mappings(&self, caller: &Caller, channel: Option<&str>, page: PageRequest) -> Result<Page<SkuMapping>> {
        let ctx = self.authorize(caller, Permission::Read)?;
        self.store.list_sku_mappings(ctx.client_id, channel, page).await
    }

    /// Creates or updates SKU mappings from a CSV file `channel,channel_sku,sku`.
    pub async fn upload_sku_mappings(&self, caller: &Caller, csv: &[u8], mode: UploadMode) -> Result<UploadReport> {
        let ctx = self.authorize(caller, Permission::ManageCatalog)?;
        let (rows, mut errors) = parse_csv::<SkuMappingRequest, _>(csv, "channel_sku", |r: SkuMappingRequest| {
            let mut c = Checker::new();
            let channel = c.take("channel", parse_code(&r.channel)).unwrap_or_default();
            let channel_sku = c.take("channel_sku", parse_sku(&r.channel_sku)).unwrap_or_default();
            let sku = c.take("sku", parse_sku(&r.sku)).unwrap_or_default();
            c.finish()?;
            Ok((format!("{channel}\u{0}{channel_sku}"), MappingInput { line: 0, channel, channel_sku, sku }))
        })?;
        if !errors.is_empty() && mode == UploadMode::Strict {
            return Err(DomainError::UploadRejected(errors));
        }
        let inputs = rows.into_iter().map(|(line, m)| MappingInput { line, ..m }).collect();
        let mut report = self.store.upsert_sku_mappings(&ctx, inputs, mode.skips()).await?;
        report.errors.append(&mut errors);
        report.errors.sort_by_key(|e| e.line);
        if !report.errors.is_empty() && mode == UploadMode::Strict {
            // The store applied nothing: it found channels or SKUs that don't exist.
            return Err(DomainError::UploadRejected(report.errors));
        }
        Ok(report)
    }
}

impl App {
    /// The article a station's scan names: a SKU code, else an EAN. Not found when no article has
    /// it; an EAN that several articles share is refused (field `scan`), naming them, since a unit
    /// must never be booked to a guess.
    pub async fn sku_by_scan(&self, caller: &Caller, code: &str) -> Result<Sku> {
        let ctx = self.authorize(caller, Permission::Read)?;
        let code = code.trim();
        let mut found = self.store.skus_by_scan(ctx.client_id, code).await?;
        match found.len() {
            0 => Err(DomainError::NotFound(format!("an article with SKU code or EAN '{code}'"))),
            1 => Ok(found.remove(0)),
            _ if found[0].sku == code => Ok(found.remove(0)),
            _ => {
                let skus: Vec<&str> = found.iter().map(|s| s.sku.as_str()).collect();
                Err(DomainError::field(
                    "scan",
                    format!("EAN '{code}' is on several articles ({}): scan the SKU code", skus.join(", ")),
                ))
            }
        }
    }
}
