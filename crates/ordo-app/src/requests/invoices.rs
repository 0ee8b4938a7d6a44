//! `POST /api/v1/orders/{id}/invoice`: a B2B order's invoice from the seller's ERP.

use ordo_domain::DomainError;
use ordo_domain::codes::parse_sku;
use ordo_domain::error::Checker;
use serde::Deserialize;
use utoipa::ToSchema;

/// The ERP's invoice of a B2B order.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ErpInvoiceRequest {
    /// NIC's document number rule: at most 16 letters, digits, `/` and `-`, not starting with `0`, `/` or `-`.
    #[schema(min_length = 1, max_length = 16, pattern = "^[A-Za-z1-9][A-Za-z0-9/-]{0,15}$")]
    pub invoice_number: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub invoice_date: String,
    /// The invoice reference number the portal registered: 64 hexadecimal characters.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub irn: Option<String>,
    /// The portal's signed QR code (a JWS).
    #[schema(min_length = 1, max_length = 4000)]
    pub signed_qr_code: Option<String>,
    /// The portal's acknowledgement number, as the ERP got it.
    #[schema(min_length = 1, max_length = 20, pattern = "^[0-9]{1,20}$")]
    pub ack_no: Option<String>,
    /// The portal's acknowledgement date, `YYYY-MM-DD HH:MM:SS`.
    #[schema(example = "2026-12-01 10:12:00")]
    pub ack_date: Option<String>,
    /// The invoice's total as the ERP made it, a decimal with two places; Ordo works it out from the
    /// invoiced units at the order's prices and the articles' GST when it is absent.
    #[schema(example = "1078.80")]
    pub total: Option<String>,
    /// The final units per client SKU; never more than the order has open. For an Ajio purchase order,
    /// the units of a SKU it leaves out (or omits) are cancelled on the orders it covers.
    #[schema(min_items = 1, max_items = 1000)]
    pub lines: Vec<ErpInvoiceLine>,
}

/// Units of one SKU invoiced.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ErpInvoiceLine {
    #[schema(min_length = 1, max_length = 64)]
    pub sku: String,
    #[schema(minimum = 0, maximum = 100000)]
    pub qty: i64,
}

impl ErpInvoiceRequest {
    /// Checks every field.
    pub fn validate(self) -> Result<ordo_store::ErpInvoice, DomainError> {
        let mut c = Checker::new();
        c.take("invoice_number", ordo_einvoice::validate::document_number(&self.invoice_number));
        if time::Date::parse(&self.invoice_date, &time::format_description::well_known::Iso8601::DATE).is_err()
            || self.invoice_date.len() != 10
        {
            c.push("invoice_date", "must be a date written YYYY-MM-DD");
        }
        if let Some(irn) = &self.irn
            && (irn.len() != 64 || !irn.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        {
            c.push("irn", "must be 64 lower-case hexadecimal characters (the SHA-256 the portal registered)");
        }
        if let Some(qr) = &self.signed_qr_code
            && (qr.is_empty() || qr.len() > 4000)
        {
            c.push("signed_qr_code", "must be the portal's signed QR code, 1 to 4000 characters");
        }
        if let Some(a) = &self.ack_no
            && (a.is_empty() || a.len() > 20 || !a.bytes().all(|b| b.is_ascii_digit()))
        {
            c.push("ack_no", "must be the portal's acknowledgement number: 1 to 20 digits");
        }
        if let Some(d) = &self.ack_date {
            let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
            if time::PrimitiveDateTime::parse(d, &f).is_err() {
                c.push("ack_date", "must be the portal's acknowledgement date, written YYYY-MM-DD HH:MM:SS");
            }
        }
        let total = match &self.total {
            Some(t) => match ordo_domain::money::parse_hundredths(t) {
                Ok(v) if v >= 0 => Some(ordo_domain::money::format_hundredths(v)),
                _ => {
                    c.push("total", "must be an amount of at least 0 with at most two decimal places (\"1078.80\")");
                    None
                }
            },
            None => None,
        };
        if self.lines.is_empty() || self.lines.len() > 1000 {
            c.push("lines", "must hold 1 to 1000 lines");
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.iter().enumerate() {
            let sku = c.take(&format!("lines[{i}].sku"), parse_sku(&l.sku));
            if !(0..=100_000).contains(&l.qty) {
                c.push(format!("lines[{i}].qty"), "must be between 0 and 100000");
            }
            lines.extend(sku.map(|s| (s, l.qty)));
        }
        c.finish()?;
        Ok(ordo_store::ErpInvoice {
            invoice_number: self.invoice_number,
            invoice_date: self.invoice_date,
            irn: self.irn,
            signed_qr_code: self.signed_qr_code,
            ack_no: self.ack_no,
            ack_date: self.ack_date,
            total,
            lines,
        })
    }
}
