//! `/api/v1/skus` and its CSV upload.

use super::{Decimal, optional_text};
use ordo_domain::DomainError;
use ordo_domain::codes::{parse_name, parse_sku};
use ordo_domain::error::Checker;
use ordo_domain::money::{parse_hundredths, parse_tax_rate};
use ordo_store::SkuInput;
use serde::Deserialize;
use utoipa::ToSchema;

/// `POST /api/v1/skus`, and one line of `POST /api/v1/skus/upload`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SkuRequest {
    #[schema(schema_with = ordo_domain::schema::sku)]
    pub sku: String,
    #[schema(schema_with = ordo_domain::schema::name)]
    pub name: String,
    #[schema(schema_with = ordo_domain::schema::optional_ean)]
    pub ean: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_hsn)]
    pub hsn: Option<String>,
    #[schema(schema_with = ordo_domain::schema::optional_decimal)]
    pub mrp: Option<Decimal>,
    /// GST rate in percent.
    #[schema(schema_with = ordo_domain::schema::optional_tax_rate)]
    pub tax_rate: Option<Decimal>,
    #[schema(schema_with = weight_grams_schema)]
    pub weight_grams: Option<i64>,
}

fn weight_grams_schema() -> utoipa::openapi::Object {
    let mut o = ordo_domain::schema::integer(0, i64::MAX, true);
    o.description = Some("The packed weight in grams, not negative.".into());
    o
}

impl crate::upload::CsvRow for SkuRequest {
    const COLUMNS: &'static [&'static str] = &["sku", "name", "ean", "hsn", "mrp", "tax_rate", "weight_grams"];
    const REQUIRED: &'static [&'static str] = &["sku", "name"];
}

impl SkuRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<SkuInput, DomainError> {
        let mut c = Checker::new();
        let sku = c.take("sku", parse_sku(&self.sku));
        let name = c.take("name", parse_name(&self.name));
        let ean = optional_text(&mut c, "ean", self.ean, 14);
        if let Some(e) = &ean
            && !(e.len() >= 8 && e.bytes().all(|b| b.is_ascii_digit()))
        {
            c.push("ean", "must be 8 to 14 digits");
        }
        let hsn = optional_text(&mut c, "hsn", self.hsn, 8);
        if let Some(h) = &hsn
            && !(h.len() >= 4 && h.bytes().all(|b| b.is_ascii_digit()))
        {
            c.push("hsn", "must be 4 to 8 digits");
        }
        let mrp = self.mrp.and_then(|m| c.take("mrp", parse_hundredths(&m.0)));
        let tax_rate = self.tax_rate.and_then(|t| c.take("tax_rate", parse_tax_rate(&t.0)));
        if let Some(w) = self.weight_grams
            && w < 0
        {
            c.push("weight_grams", "must not be negative");
        }
        c.finish()?;
        Ok(SkuInput {
            sku: sku.unwrap_or_default(),
            name: name.unwrap_or_default(),
            ean,
            hsn,
            mrp,
            tax_rate,
            weight_grams: self.weight_grams,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_come_as_strings_and_numbers_are_refused() {
        let r: SkuRequest = serde_json::from_str(r#"{"sku":"A","name":"a","mrp":"499.5","tax_rate":"18"}"#).unwrap();
        let s = r.validate().unwrap();
        assert_eq!((s.mrp, s.tax_rate), (Some(49950), Some(1800)));
        let e = serde_json::from_str::<SkuRequest>(r#"{"sku":"A","name":"a","mrp":499.5}"#).unwrap_err();
        assert!(e.to_string().contains("a decimal string such as \"499.00\""), "{e}");
    }
}

/// `POST /api/v1/skus/batch`: the article master pushed by an ERP.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SkuBatchRequest {
    /// Up to 5,000 articles, each as for `POST /api/v1/skus`. Each is checked on its own: a bad one is
    /// reported by its index and the others are applied.
    #[schema(value_type = Vec<SkuRequest>, max_items = 5000)]
    pub skus: Vec<serde_json::Value>,
}
