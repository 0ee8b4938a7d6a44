//! `/api/v1/warehouses`.

use super::optional_text;
use ordo_domain::codes::{parse_code, parse_name};
use ordo_domain::error::Checker;
use ordo_domain::shipping::AwbSeries;
use ordo_domain::{DomainError, gstin};
use ordo_store::{WarehouseInput, WarehousePatch};
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/warehouses`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct WarehouseRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub code: String,
    #[schema(schema_with = ordo_domain::schema::name)]
    pub name: String,
    /// GSTIN of the warehouse's registration; its check character is verified.
    #[schema(schema_with = ordo_domain::schema::optional_gstin)]
    pub gstin: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub address: Option<String>,
    /// The seller's legal name as invoices carry it.
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub legal_name: Option<String>,
    /// The PIN code, six digits.
    #[schema(pattern = "^[1-9][0-9]{5}$")]
    pub pin: Option<String>,
    /// The AWBs Ordo gives shipments of channels whose marketplace gives none. Kept when absent;
    /// `next` may only move forward.
    pub awb_series: Option<AwbSeriesRequest>,
}

/// `PATCH /api/v1/warehouses/{code}`: the fields given change, the rest stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct WarehousePatchRequest {
    #[schema(schema_with = ordo_domain::schema::name)]
    pub name: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_gstin)]
    pub gstin: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub address: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_text_500)]
    pub legal_name: Option<String>,
    #[schema(pattern = "^[1-9][0-9]{5}$")]
    pub pin: Option<String>,
    pub awb_series: Option<AwbSeriesRequest>,
}

/// An AWB series: `prefix` and a running number from `next`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AwbSeriesRequest {
    /// The carrier whose AWBs these are.
    #[schema(schema_with = ordo_domain::schema::name)]
    pub carrier: String,
    /// Letters and digits before the running number.
    #[schema(pattern = "^[A-Za-z0-9]{1,10}$")]
    pub prefix: String,
    #[schema(minimum = 1, maximum = 9999999999_i64)]
    pub next: i64,
}

/// `PUT /api/v1/warehouses/{code}/e-invoicing`: the e-invoice registration portal (IRP) the
/// warehouse's GSTIN registers B2B invoices with.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EInvoicingRequest {
    /// The portal's base URL.
    #[schema(pattern = "^https?://[^ ]+$", max_length = 500, example = "https://einv-apisandbox.nic.in")]
    pub endpoint: String,
    /// `{client_id, client_secret, user_name, password}` as the portal issued them; sealed, never returned.
    #[schema(value_type = Object)]
    pub credentials: serde_json::Map<String, serde_json::Value>,
    /// The portal's public keys (PEM): `encryption` (for the login) and `signing` (to verify the signed
    /// invoice and QR). Ordo's own portal simulator's keys when absent.
    #[schema(value_type = Option<Object>)]
    pub public_keys: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A PIN code: six digits, not starting with 0 (exactly as given: the schema's pattern is the rule).
pub(crate) fn pin(c: &mut Checker, field: &str, value: Option<String>) -> Option<String> {
    let p = value?;
    if !(p.len() == 6 && p.bytes().all(|b| b.is_ascii_digit()) && !p.starts_with('0')) {
        c.push(field, "must be a six-digit PIN code");
    }
    Some(p)
}

fn awb_series(c: &mut Checker, value: Option<AwbSeriesRequest>) -> Option<AwbSeries> {
    let s = value?;
    let carrier = c.take("awb_series.carrier", parse_name(&s.carrier)).unwrap_or_default();
    if !(1..=10).contains(&s.prefix.len()) || !s.prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
        c.push("awb_series.prefix", "must be 1 to 10 letters or digits");
    }
    if !(1..=9_999_999_999).contains(&s.next) {
        c.push("awb_series.next", "must be between 1 and 9999999999");
    }
    Some(AwbSeries { carrier, prefix: s.prefix.to_ascii_uppercase(), next: s.next })
}

impl WarehouseRequest {
    /// Checks every field.
    pub fn validate(self, strict_gstin: bool) -> Result<WarehouseInput, DomainError> {
        let mut c = Checker::new();
        let code = c.take("code", parse_code(&self.code));
        let name = c.take("name", parse_name(&self.name));
        let gstin = match self.gstin.filter(|g| !g.trim().is_empty()) {
            Some(g) => c.take("gstin", gstin::validate(&g, strict_gstin)),
            None => None,
        };
        let address = optional_text(&mut c, "address", self.address, 500);
        let legal_name = optional_text(&mut c, "legal_name", self.legal_name, 100);
        let pin = pin(&mut c, "pin", self.pin);
        let awb_series = awb_series(&mut c, self.awb_series);
        c.finish()?;
        Ok(WarehouseInput {
            code: code.unwrap_or_default(),
            name: name.unwrap_or_default(),
            gstin,
            address,
            legal_name,
            pin,
            awb_series,
        })
    }
}

impl WarehousePatchRequest {
    /// Checks every field given.
    pub fn validate(self, strict_gstin: bool) -> Result<WarehousePatch, DomainError> {
        let mut c = Checker::new();
        let name = self.name.and_then(|n| c.take("name", parse_name(&n)));
        let gstin = match self.gstin.filter(|g| !g.trim().is_empty()) {
            Some(g) => c.take("gstin", gstin::validate(&g, strict_gstin)),
            None => None,
        };
        let address = optional_text(&mut c, "address", self.address, 500);
        let legal_name = optional_text(&mut c, "legal_name", self.legal_name, 100);
        let pin = pin(&mut c, "pin", self.pin);
        let awb_series = awb_series(&mut c, self.awb_series);
        c.finish()?;
        Ok(WarehousePatch { name, gstin, address, legal_name, pin, awb_series })
    }
}

impl EInvoicingRequest {
    /// Checks every field; the credentials stay as given (to be sealed), the keys are checked as PEM.
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut c = Checker::new();
        let e = &self.endpoint;
        if !(e.starts_with("http://") || e.starts_with("https://")) || e.len() > 500 || e.contains(' ') {
            c.push("endpoint", "must be an http:// or https:// URL of at most 500 characters");
        }
        // NIC's portal takes all four: the API user's client id and secret (headers) and its login.
        for k in ["client_id", "client_secret", "user_name", "password"] {
            if !self.credentials.contains_key(k) {
                c.push(
                    format!("credentials.{k}"),
                    "is required: the portal issues client_id, client_secret, user_name and password",
                );
            }
        }
        for (k, v) in &self.credentials {
            if v.as_str().is_none_or(|s| s.is_empty()) {
                c.push(format!("credentials.{k}"), "must be a non-empty string");
            }
        }
        for (k, v) in self.public_keys.iter().flatten() {
            let pem = v.as_str().unwrap_or_default();
            if !["encryption", "signing"].contains(&k.as_str()) {
                c.push(format!("public_keys.{k}"), "is not a key the portal has (encryption, signing)");
            } else if !pem.contains("-----BEGIN PUBLIC KEY-----") {
                c.push(format!("public_keys.{k}"), "must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
            }
        }
        c.finish()
    }
}
