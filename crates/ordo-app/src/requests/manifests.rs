//! `/api/v1/manifests`.

use ordo_domain::DomainError;
use ordo_domain::codes::parse_code;
use ordo_domain::error::Checker;
use serde::Deserialize;
use utoipa::ToSchema;

/// The longest AWB Ordo takes (carriers' AWBs are 8 to 20 characters; room to spare).
const MAX_AWB: usize = 64;

/// `POST /api/v1/manifests`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ManifestRequest {
    #[schema(schema_with = ordo_domain::schema::code)]
    pub warehouse: String,
    #[schema(schema_with = ordo_domain::schema::code)]
    pub channel: String,
    /// Only shipments of this carrier (when `awbs` is not given).
    #[schema(min_length = 1, max_length = 100)]
    pub carrier: Option<String>,
    /// These shipments, by AWB; without them, every PACKED shipment of the warehouse and channel on
    /// no manifest yet.
    #[schema(min_items = 1, max_items = 5000)]
    pub awbs: Option<Vec<String>>,
}

impl ManifestRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<ordo_store::NewManifest, DomainError> {
        let mut c = Checker::new();
        let warehouse = c.take("warehouse", parse_code(&self.warehouse)).unwrap_or_default();
        let channel = c.take("channel", parse_code(&self.channel)).unwrap_or_default();
        let carrier = super::optional_text(&mut c, "carrier", self.carrier, 100);
        if let Some(awbs) = &self.awbs {
            if awbs.is_empty() || awbs.len() > 5000 {
                c.push("awbs", "must name 1 to 5000 AWBs, or be left out to take every packed shipment");
            }
            for (i, awb) in awbs.iter().enumerate() {
                if let Err(why) = check_awb(awb) {
                    c.push(format!("awbs[{i}]"), why);
                }
                if awbs[..i].contains(awb) {
                    c.push(format!("awbs[{i}]"), format!("AWB {awb} is named twice"));
                }
            }
        }
        c.finish()?;
        let awbs = self.awbs.map(|a| a.iter().map(|s| s.trim().to_string()).collect());
        Ok(ordo_store::NewManifest { warehouse, channel, carrier, awbs })
    }
}

/// `POST /api/v1/manifests/{id}/shipments`: a scanned AWB.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ManifestScanRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub awb: String,
}

impl ManifestScanRequest {
    /// The AWB, trimmed (scanners may add spaces).
    pub fn validate(self) -> Result<String, DomainError> {
        check_awb(&self.awb).map_err(|why| DomainError::field("awb", why))?;
        Ok(self.awb.trim().to_string())
    }
}

fn check_awb(awb: &str) -> Result<(), String> {
    let awb = awb.trim();
    if awb.is_empty() || awb.chars().count() > MAX_AWB || awb.chars().any(char::is_control) {
        return Err(format!("must be an AWB of 1 to {MAX_AWB} printable characters"));
    }
    Ok(())
}
