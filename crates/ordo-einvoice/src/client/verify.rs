//! Checks a portal's answer before Ordo keeps it: the IRN is the one Ordo computed, and the signed
//! invoice and signed QR code are RS256 JWTs issued by NIC that verify with the configured portal key
//! and are about this very document.

use super::{IrpError, Registration};
use crate::crypto::verify_jwt;
use crate::schema::Invoice;
use crate::wire::{IrnDetails, QrData};
use rsa::RsaPublicKey;
use serde_json::Value;

/// The issuer NIC writes in every JWT it signs.
pub const NIC_ISSUER: &str = "NIC";

/// Verifies `details` against `invoice` (whose IRN is `irn`) and the portal's `signing_key`.
pub(crate) fn registration(
    invoice: &Invoice,
    irn: &str,
    details: IrnDetails,
    signing_key: &RsaPublicKey,
    duplicate: bool,
) -> Result<Registration, IrpError> {
    same("Irn", irn, &details.irn)?;

    let signed_invoice = signed_data(signing_key, "SignedInvoice", &details.signed_invoice)?;
    let signed_invoice: Value = serde_json::from_str(&signed_invoice)
        .map_err(|_| IrpError::Signature { document: "SignedInvoice", reason: "carries data that is not JSON".into() })?;
    let field =
        |path: &[&str]| path.iter().try_fold(&signed_invoice, |v, key| v.get(key)).and_then(Value::as_str).unwrap_or_default();
    same("SignedInvoice.Irn", irn, field(&["Irn"]))?;
    same("SignedInvoice.DocDtls.No", &invoice.document.number, field(&["DocDtls", "No"]))?;
    same("SignedInvoice.SellerDtls.Gstin", &invoice.seller.gstin, field(&["SellerDtls", "Gstin"]))?;

    let qr = signed_data(signing_key, "SignedQRCode", &details.signed_qr_code)?;
    let qr: QrData = serde_json::from_str(&qr).map_err(|e| IrpError::Signature {
        document: "SignedQRCode",
        reason: format!("carries data that is not NIC's QR summary: {e}"),
    })?;
    same("SignedQRCode.Irn", irn, &qr.irn)?;
    same("SignedQRCode.SellerGstin", &invoice.seller.gstin, &qr.seller_gstin)?;
    same("SignedQRCode.BuyerGstin", &invoice.buyer.gstin, &qr.buyer_gstin)?;
    same("SignedQRCode.DocNo", &invoice.document.number, &qr.document_number)?;
    same("SignedQRCode.DocTyp", invoice.document.kind.code(), &qr.document_type)?;
    same("SignedQRCode.DocDt", &invoice.document.date, &qr.document_date)?;
    same("SignedQRCode.TotInvVal", &invoice.totals.total.to_rupees(), &qr.total_value.to_rupees())?;
    same("SignedQRCode.ItemCnt", &invoice.items.len().to_string(), &qr.item_count.to_string())?;

    Ok(Registration {
        irn: details.irn,
        ack_no: details.ack_no,
        ack_date: details.ack_date,
        signed_invoice: details.signed_invoice,
        signed_qr_code: details.signed_qr_code,
        status: details.status,
        qr,
        duplicate,
    })
}

/// The `data` claim of a JWT the portal signed: verified with `key`, issued by NIC.
fn signed_data(key: &RsaPublicKey, document: &'static str, token: &str) -> Result<String, IrpError> {
    let claims = verify_jwt(key, token).map_err(|reason| IrpError::Signature { document, reason })?;
    let issuer = claims.get("iss").and_then(Value::as_str).unwrap_or_default();
    if issuer != NIC_ISSUER {
        return Err(IrpError::Signature { document, reason: format!("is issued by '{issuer}', not '{NIC_ISSUER}'") });
    }
    match claims.get("data") {
        Some(Value::String(data)) => Ok(data.clone()),
        _ => Err(IrpError::Signature { document, reason: "has no data claim".into() }),
    }
}

fn same(field: &str, ours: &str, theirs: &str) -> Result<(), IrpError> {
    if ours == theirs {
        Ok(())
    } else {
        Err(IrpError::Mismatch { field: field.into(), ours: ours.into(), theirs: theirs.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::tests::sample_input;
    use crate::crypto::{private_key_from_pem, sign_jwt};
    use crate::test_keys::{PORTAL_ENCRYPTION_PRIVATE_KEY, PORTAL_SIGNING_PRIVATE_KEY};
    use rsa::RsaPrivateKey;
    use serde_json::json;

    /// What a portal signing with `key` as `issuer` would answer for `invoice`, with `qr_irn` in the QR.
    fn answer(invoice: &Invoice, key: &RsaPrivateKey, issuer: &str, irn: &str, qr_irn: &str) -> IrnDetails {
        let signed = json!({"AckNo": 1, "Irn": irn, "DocDtls": {"No": invoice.document.number}, "SellerDtls": {"Gstin": invoice.seller.gstin}});
        let qr = QrData {
            seller_gstin: invoice.seller.gstin.clone(),
            buyer_gstin: invoice.buyer.gstin.clone(),
            document_number: invoice.document.number.clone(),
            document_type: "INV".into(),
            document_date: invoice.document.date.clone(),
            total_value: invoice.totals.total,
            item_count: invoice.items.len() as u32,
            main_hsn_code: "61091000".into(),
            irn: qr_irn.into(),
            irn_date: "2026-06-15 10:00:00".into(),
        };
        let claims = |data: String| json!({"data": data, "iss": issuer});
        IrnDetails {
            ack_no: 1,
            ack_date: "2026-06-15 10:00:00".into(),
            irn: irn.into(),
            signed_invoice: sign_jwt(key, &claims(signed.to_string())),
            signed_qr_code: sign_jwt(key, &claims(serde_json::to_string(&qr).unwrap())),
            status: "ACT".into(),
            ewb_no: None,
            ewb_date: None,
            ewb_valid_till: None,
            remarks: None,
        }
    }

    fn check(issuer: &str, irn: &str, qr_irn: &str) -> Result<Registration, IrpError> {
        let invoice = sample_input().build().unwrap();
        let key = private_key_from_pem(PORTAL_SIGNING_PRIVATE_KEY).unwrap();
        let ours = invoice.irn().unwrap();
        let details = answer(&invoice, &key, issuer, irn, qr_irn);
        registration(&invoice, &ours, details, &key.to_public_key(), false)
    }

    #[test]
    fn a_verified_answer_becomes_the_registration() {
        let ours = sample_input().build().unwrap().irn().unwrap();
        let registration = check("NIC", &ours, &ours).unwrap();
        assert_eq!((registration.irn.as_str(), registration.qr.irn.as_str()), (ours.as_str(), ours.as_str()));
    }

    #[test]
    fn an_answer_naming_another_irn_is_refused_saying_so() {
        let ours = sample_input().build().unwrap().irn().unwrap();
        let other = "0".repeat(64);
        assert_eq!(
            check("NIC", &other, &ours),
            Err(IrpError::Mismatch { field: "Irn".into(), ours: ours.clone(), theirs: other.clone() })
        );
        assert_eq!(
            check("NIC", &ours, &other),
            Err(IrpError::Mismatch { field: "SignedQRCode.Irn".into(), ours: ours.clone(), theirs: other })
        );
    }

    #[test]
    fn documents_not_issued_by_nic_are_refused() {
        let ours = sample_input().build().unwrap().irn().unwrap();
        let err = check("NIC Sandbox", &ours, &ours).unwrap_err();
        assert_eq!(
            err,
            IrpError::Signature { document: "SignedInvoice", reason: "is issued by 'NIC Sandbox', not 'NIC'".into() }
        );
    }

    #[test]
    fn documents_signed_with_another_key_are_refused() {
        let invoice = sample_input().build().unwrap();
        let ours = invoice.irn().unwrap();
        let impostor = private_key_from_pem(PORTAL_ENCRYPTION_PRIVATE_KEY).unwrap();
        let portal = private_key_from_pem(PORTAL_SIGNING_PRIVATE_KEY).unwrap();
        let details = answer(&invoice, &impostor, "NIC", &ours, &ours);
        let err = registration(&invoice, &ours, details, &portal.to_public_key(), false).unwrap_err();
        assert!(
            matches!(err, IrpError::Signature { document: "SignedInvoice", ref reason } if reason.contains("does not verify")),
            "{err}"
        );
    }
}
