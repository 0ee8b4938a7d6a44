//! The simulator's answers to NIC's three calls, with NIC's error codes where NIC publishes one.

use super::{SimSession, Simulator, Stats, TOKEN_VALIDITY};
use crate::crypto::{self, AesKey};
use crate::irn::{self, DocumentType};
use crate::schema::{Invoice, parse_date};
use crate::wire::{
    self, AuthData, AuthPayload, DUPLICATE_IRN, DUPLICATE_IRN_INFO, DuplicateIrn, EncryptedRequest, Envelope, HEADER_AUTH_TOKEN,
    HEADER_CLIENT_ID, HEADER_CLIENT_SECRET, HEADER_GSTIN, HEADER_USER_NAME, INVALID_TOKEN, IRN_NOT_AVAILABLE, Info, IrnDetails,
    PortalError, QrData,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The simulator's code for a payload it can't read. NIC's published list names no code for these
/// cases, so the simulator uses one of its own.
const UNREADABLE_PAYLOAD: &str = "5002";

fn envelope<T: Serialize>(envelope: Envelope<T>) -> Response {
    (StatusCode::OK, Json(envelope)).into_response()
}

/// NIC's refusal: HTTP 200 with `Status` 0 and `ErrorDetails`.
type Refusal = Envelope<String>;

fn refuse(code: &str, message: &str) -> Refusal {
    Envelope::failure(vec![PortalError::new(code, message)], None)
}

/// `data` in a successful envelope, or the refusal.
fn answer<T: Serialize>(result: Result<T, Refusal>) -> Response {
    match result {
        Ok(data) => envelope(Envelope::success(data)),
        Err(refusal) => envelope(refusal),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().trim()
}

impl Simulator {
    /// Counts the call, then answers 503 instead when a fault is due.
    fn fault(&self, count: impl FnOnce(&mut Stats)) -> Option<Response> {
        let mut ledger = self.ledger();
        count(&mut ledger.stats);
        if ledger.faults.server_errors == 0 {
            return None;
        }
        ledger.faults.server_errors -= 1;
        Some((StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response())
    }

    /// The session key and GSTIN of the session the headers name, or NIC's refusal.
    fn session(&self, headers: &HeaderMap) -> Result<(AesKey, String), Refusal> {
        let now = self.now();
        let mut ledger = self.ledger();
        let token = header(headers, HEADER_AUTH_TOKEN);
        let Some(session) = ledger.sessions.get(token) else { return Err(refuse(INVALID_TOKEN, "Invalid Token")) };
        if now >= session.expires_at {
            ledger.sessions.remove(token);
            return Err(refuse(INVALID_TOKEN, "Invalid Token"));
        }
        if session.user_name != header(headers, HEADER_USER_NAME) {
            return Err(refuse(INVALID_TOKEN, "Invalid Token"));
        }
        if session.gstin != header(headers, HEADER_GSTIN) {
            return Err(refuse("1015", "Invalid GSTIN for this user"));
        }
        Ok((session.sek, session.gstin.clone()))
    }
}

/// The decrypted JSON of an encrypted request body.
fn decrypt_request(body: &[u8], sek: &AesKey) -> Result<Vec<u8>, Refusal> {
    let request: EncryptedRequest = serde_json::from_slice(body).map_err(|_| refuse("5003", "Data cannot be null or empty"))?;
    crypto::aes_decrypt(sek, &request.data)
        .map_err(|_| refuse(UNREADABLE_PAYLOAD, "Data could not be decrypted with the session key"))
}

/// `POST /eivital/v1.04/auth`.
pub(super) async fn authenticate(State(sim): State<Simulator>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(fault) = sim.fault(|s| s.auth_calls += 1) {
        return fault;
    }
    answer(open_session(&sim, &headers, &body))
}

fn open_session(sim: &Simulator, headers: &HeaderMap, body: &[u8]) -> Result<AuthData, Refusal> {
    for (name, code, message) in [
        (HEADER_CLIENT_ID, "1011", "Client Id is required"),
        (HEADER_CLIENT_SECRET, "1012", "Client Secret is required"),
        (HEADER_GSTIN, "1004", "Header GSTIN is required"),
    ] {
        if header(headers, name).is_empty() {
            return Err(refuse(code, message));
        }
    }
    let failed = || refuse("1007", "Authentication failed. Pls. inform the helpdesk");
    let request = serde_json::from_slice::<EncryptedRequest>(body).map_err(|_| failed())?;
    // v1.04: the credentials' JSON, base64-encoded, RSA-encrypted under the portal's key.
    let encoded = crypto::rsa_decrypt(&sim.shared.keys.encryption, &request.data).map_err(|_| failed())?;
    let json = STANDARD.decode(&encoded).map_err(|_| failed())?;
    let payload = serde_json::from_slice::<AuthPayload>(&json).map_err(|_| failed())?;
    if payload.user_name.trim().is_empty() {
        return Err(refuse("1006", "User Name is required"));
    }
    if payload.password.is_empty() {
        return Err(refuse("1008", "Invalid login credentials"));
    }
    let app_key = crypto::aes_key_from_base64(&payload.app_key).map_err(|_| refuse("1016", "Decryption of App Key failed"))?;

    let token = hex::encode(&crypto::random_aes_key()[..12]);
    let sek = crypto::random_aes_key();
    let expires_at = sim.now() + TOKEN_VALIDITY;
    let session =
        SimSession { sek, gstin: header(headers, HEADER_GSTIN).into(), user_name: payload.user_name.clone(), expires_at };
    sim.ledger().sessions.insert(token.clone(), session);
    Ok(AuthData {
        client_id: header(headers, HEADER_CLIENT_ID).into(),
        user_name: payload.user_name,
        auth_token: token,
        sek: crypto::aes_encrypt(&app_key, &sek),
        token_expiry: wire::format_nic_time(expires_at),
    })
}

/// `POST /eicore/v1.03/Invoice`.
pub(super) async fn generate_irn(State(sim): State<Simulator>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(fault) = sim.fault(|s| s.generate_calls += 1) {
        return fault;
    }
    answer(register(&sim, &headers, &body))
}

/// The encrypted IRN details of a newly registered invoice.
fn register(sim: &Simulator, headers: &HeaderMap, body: &[u8]) -> Result<String, Refusal> {
    let (sek, gstin) = sim.session(headers)?;
    let plain = decrypt_request(body, &sek)?;
    let invoice: Invoice = serde_json::from_slice(&plain)
        .map_err(|e| refuse(UNREADABLE_PAYLOAD, &format!("The invoice is not INV-01 JSON: {e}")))?;
    if invoice.seller.gstin != gstin {
        return Err(refuse(UNREADABLE_PAYLOAD, "The seller's GSTIN is not the GSTIN of the authenticated user"));
    }
    let irn = invoice.irn().map_err(|e| refuse(UNREADABLE_PAYLOAD, &e))?;

    let now = sim.now();
    let mut ledger = sim.ledger();
    if let Some(existing) = ledger.registered.get(&irn) {
        let duplicate = DuplicateIrn { ack_no: existing.ack_no, ack_date: existing.ack_date.clone(), irn: irn.clone() };
        let info = Info { code: DUPLICATE_IRN_INFO.into(), description: serde_json::to_value(duplicate).expect("serializes") };
        return Err(Envelope::failure(vec![PortalError::new(DUPLICATE_IRN, "Duplicate IRN")], Some(vec![info])));
    }
    let ack_no = ledger.next_ack_no;
    ledger.next_ack_no += 1;
    let ack_date = wire::format_nic_time(now);
    let qr = QrData {
        seller_gstin: invoice.seller.gstin.clone(),
        buyer_gstin: invoice.buyer.gstin.clone(),
        document_number: invoice.document.number.clone(),
        document_type: invoice.document.kind.code().into(),
        document_date: invoice.document.date.clone(),
        total_value: invoice.totals.total,
        item_count: u32::try_from(invoice.items.len()).unwrap_or(u32::MAX),
        main_hsn_code: invoice.main_hsn_code().unwrap_or_default().into(),
        irn: irn.clone(),
        irn_date: ack_date.clone(),
    };
    let signing = &sim.shared.keys.signing;
    let details = IrnDetails {
        ack_no,
        ack_date: ack_date.clone(),
        irn: irn.clone(),
        signed_invoice: crypto::sign_jwt(signing, &nic_claims(signed_invoice_data(&plain, ack_no, &ack_date, &irn))),
        signed_qr_code: crypto::sign_jwt(signing, &nic_claims(serde_json::to_string(&qr).expect("serializes"))),
        status: "ACT".into(),
        ewb_no: None,
        ewb_date: None,
        ewb_valid_till: None,
        remarks: None,
    };
    ledger.registered.insert(irn, details.clone());
    ledger.stats.registered += 1;
    Ok(crypto::aes_encrypt(&sek, &serde_json::to_vec(&details).expect("serializes")))
}

/// The query of `irnbydocdetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DocumentQuery {
    doctype: String,
    docnum: String,
    docdate: String,
}

/// `GET /eicore/v1.03/Invoice/irnbydocdetails`.
pub(super) async fn irn_by_document(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    Query(query): Query<DocumentQuery>,
) -> Response {
    if let Some(fault) = sim.fault(|s| s.lookup_calls += 1) {
        return fault;
    }
    answer(look_up(&sim, &headers, &query))
}

/// The encrypted IRN details held for a document.
fn look_up(sim: &Simulator, headers: &HeaderMap, query: &DocumentQuery) -> Result<String, Refusal> {
    let (sek, gstin) = sim.session(headers)?;
    let not_available = || refuse(IRN_NOT_AVAILABLE, "Requested IRN data is not available");
    let kind = DocumentType::from_code(&query.doctype).ok_or_else(not_available)?;
    let date = parse_date(&query.docdate).map_err(|_| not_available())?;
    let irn = irn::irn(&gstin, date, kind, &query.docnum);
    let ledger = sim.ledger();
    let details = ledger.registered.get(&irn).ok_or_else(not_available)?;
    Ok(crypto::aes_encrypt(&sek, &serde_json::to_vec(details).expect("serializes")))
}

/// The claims NIC signs: the document as a JSON string in `data`, and NIC as the issuer.
fn nic_claims(data: String) -> serde_json::Value {
    json!({"data": data, "iss": crate::client::NIC_ISSUER})
}

/// What NIC signs as the invoice: `AckNo`, `AckDt` and `Irn` followed by the invoice as it was sent.
fn signed_invoice_data(invoice_json: &[u8], ack_no: i64, ack_date: &str, irn: &str) -> String {
    let text = String::from_utf8_lossy(invoice_json);
    // The invoice parsed as an INV-01 object, so it opens with `{` and holds fields.
    let fields = text.trim().strip_prefix('{').unwrap_or_default();
    format!("{{\"AckNo\":{ack_no},\"AckDt\":{},\"Irn\":{},{fields}", json!(ack_date), json!(irn))
}
