//! Returns on Ajio VMS (see `docs/ajio.md`): Ajio announces customer returns and RTOs of shipped B2C
//! orders; the vendor reports what QC found, relays the credit note it issued, and asks Ajio for the
//! RTO of a parcel that came back without one (RTO generation).

use super::client::AjioConnector;
use crate::http;
use crate::lenient;
use crate::model::{ChannelError, MarketplaceReturn, ReturnCreditNote, ReturnQc, ReturnedLine, SyncWindow};
use ordo_domain::kinds::ReturnKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A return as `GET /returns` serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AjioReturn {
    /// Ajio's id of the return.
    pub return_id: String,
    /// The B2C order it returns.
    pub order_id: String,
    /// `CUSTOMER_RETURN` or `RTO`.
    pub return_type: String,
    /// `INITIATED`, `IN_TRANSIT`, `DELIVERED_TO_VENDOR`, `QC_DONE`, `CLOSED` or `CANCELLED`.
    pub status: String,
    /// The reverse AWB.
    #[serde(default)]
    pub awb: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339; every change moves it.
    pub updated_at: String,
    /// The units coming back.
    pub lines: Vec<AjioReturnLine>,
    /// What the vendor reported from QC, once it has.
    #[serde(default)]
    pub qc: Option<QcBody>,
    /// The vendor's credit note, once relayed.
    #[serde(default)]
    pub credit_note: Option<CreditNoteBody>,
}

/// A line of an [`AjioReturn`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AjioReturnLine {
    /// The order's line.
    pub line_id: String,
    /// The vendor's article code.
    pub sku: String,
    /// Units coming back.
    #[serde(deserialize_with = "lenient::de_i64")]
    pub quantity: i64,
    /// The customer's reason, for a customer return.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The body of `POST /returns/{return_id}/qc`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcBody {
    /// Per line of the return.
    pub lines: Vec<QcLine>,
}

/// A line of a [`QcBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QcLine {
    /// The order's line.
    pub line_id: String,
    /// Units that passed QC.
    pub passed: i64,
    /// Units that failed QC (damaged, used, wrong article).
    pub failed: i64,
    /// Units announced and not in the parcel.
    pub missing: i64,
}

/// The body of `POST /returns/{return_id}/credit-note`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNoteBody {
    /// The credit note's number.
    pub credit_note_number: String,
    /// `YYYY-MM-DD`.
    pub credit_note_date: String,
    /// The amount credited, a decimal string with two places.
    pub amount: String,
    /// Its IRN, when registered with the GST portal.
    #[serde(default)]
    pub irn: Option<String>,
    /// Its signed QR code, when registered.
    #[serde(default)]
    pub signed_qr_code: Option<String>,
}

/// The body of `POST /orders/b2c/{order_id}/rto`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RtoBody {
    /// The AWBs of the parcels that came back.
    pub awbs: Vec<String>,
}

/// Maps a return of `GET /returns`: a `CANCELLED` one is withdrawn.
pub fn map_return(raw: &Value) -> Result<MarketplaceReturn, ChannelError> {
    let r: AjioReturn =
        serde_json::from_value(raw.clone()).map_err(|e| ChannelError::Permanent(format!("unreadable Ajio return: {e}")))?;
    let kind = match r.return_type.as_str() {
        "RTO" => ReturnKind::Rto,
        "CUSTOMER_RETURN" => ReturnKind::CustomerReturn,
        other => {
            return Err(ChannelError::Permanent(format!("Ajio return {} has an unknown return_type '{other}'", r.return_id)));
        }
    };
    Ok(MarketplaceReturn {
        channel_return_id: r.return_id,
        channel_order_id: r.order_id,
        kind,
        awb: r.awb.filter(|a| !a.is_empty()),
        lines: r
            .lines
            .into_iter()
            .map(|l| ReturnedLine { channel_line_id: l.line_id, channel_sku: l.sku, qty: l.quantity })
            .collect(),
        cancelled: r.status == "CANCELLED",
        raw: raw.clone(),
    })
}

impl AjioConnector {
    /// Every return changed within the window.
    pub async fn fetch_returns(&self, window: &SyncWindow) -> Result<Vec<MarketplaceReturn>, ChannelError> {
        let mut out: Vec<MarketplaceReturn> = Vec::new();
        for raw in self.all_pages("/returns", window, "returns").await? {
            let r = map_return(&raw)?;
            out.retain(|x| x.channel_return_id != r.channel_return_id);
            out.push(r);
        }
        Ok(out)
    }

    /// Reports what QC found in a return. Reporting the same results again is harmless.
    pub async fn send_return_qc(&self, qc: &ReturnQc) -> Result<(), ChannelError> {
        let body = QcBody {
            lines: qc
                .lines
                .iter()
                .map(|l| QcLine { line_id: l.channel_line_id.clone(), passed: l.qc_pass, failed: l.qc_fail, missing: l.missing })
                .collect(),
        };
        let path = format!("/returns/{}/qc", http::segment(&qc.channel_return_id));
        self.post(&path, &body).await?.error_for_status().map(|_| ())
    }

    /// Relays the vendor's credit note of a return. Relaying the same note again is harmless.
    pub async fn relay_credit_note(&self, note: &ReturnCreditNote) -> Result<(), ChannelError> {
        let body = CreditNoteBody {
            credit_note_number: note.credit_note_number.clone(),
            credit_note_date: note.credit_note_date.clone(),
            amount: note.amount.clone(),
            irn: note.irn.clone(),
            signed_qr_code: note.signed_qr_code.clone(),
        };
        let path = format!("/returns/{}/credit-note", http::segment(&note.channel_return_id));
        self.post(&path, &body).await?.error_for_status().map(|_| ())
    }

    /// Asks Ajio for the RTO of a shipped order whose parcel came back without one; Ajio serves the
    /// RTO return on a later fetch. Asking again answers the RTO Ajio has.
    pub async fn request_rto(&self, order_id: &str, awbs: &[String]) -> Result<(), ChannelError> {
        let path = format!("/orders/b2c/{}/rto", http::segment(order_id));
        self.post(&path, &RtoBody { awbs: awbs.to_vec() }).await?.error_for_status().map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample;

    #[test]
    fn returns_map_with_their_kind_lines_and_withdrawal() {
        let page: Value = serde_json::from_str(&sample("ajio/returns_page.json")).unwrap();
        let r: Vec<MarketplaceReturn> = page["returns"].as_array().unwrap().iter().map(|r| map_return(r).unwrap()).collect();
        assert_eq!((r[0].channel_return_id.as_str(), r[0].channel_order_id.as_str()), ("AJR-000041", "FN6142208177"));
        assert_eq!((r[0].kind, r[0].awb.as_deref()), (ReturnKind::CustomerReturn, Some("AJR4861519648")));
        assert_eq!(
            r[0].lines[0],
            ReturnedLine { channel_line_id: "FN6142208177-1".into(), channel_sku: "AJ-KURTA-IND-L".into(), qty: 1 }
        );
        assert_eq!((r[1].kind, r[1].lines[0].qty), (ReturnKind::Rto, 2), "a quantity written as a string reads");
        assert!(!r[0].cancelled && !r[1].cancelled && r[2].cancelled);
        assert_eq!(r[2].awb, None);
    }

    #[test]
    fn an_unknown_return_type_is_refused() {
        let mut raw: Value = serde_json::from_str(&sample("ajio/returns_page.json")).unwrap();
        raw["returns"][0]["return_type"] = "EXCHANGE".into();
        let e = map_return(&raw["returns"][0]).unwrap_err();
        assert!(e.to_string().contains("EXCHANGE"), "{e}");
    }
}
