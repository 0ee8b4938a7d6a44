//! NIC's e-invoice API on the wire (authentication v1.04, e-invoice core v1.03): paths, headers, the
//! envelope every answer comes in, and the payloads inside it. The simulator serves these same types.

use crate::money::Paise;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// `POST`: authenticate, get an `AuthToken` and a session key.
pub const AUTH_PATH: &str = "/eivital/v1.04/auth";
/// `POST`: register an invoice, get its IRN.
pub const GENERATE_IRN_PATH: &str = "/eicore/v1.03/Invoice";
/// `GET ?doctype=&docnum=&docdate=`: the IRN already registered for a document.
pub const IRN_BY_DOCUMENT_PATH: &str = "/eicore/v1.03/Invoice/irnbydocdetails";

/// Header: the API client id NIC issued.
pub const HEADER_CLIENT_ID: &str = "client_id";
/// Header: the API client secret NIC issued.
pub const HEADER_CLIENT_SECRET: &str = "client_secret";
/// Header: the GSTIN the call is made for.
pub const HEADER_GSTIN: &str = "Gstin";
/// Header: the API user name (every call after authentication).
pub const HEADER_USER_NAME: &str = "user_name";
/// Header: the token authentication returned.
pub const HEADER_AUTH_TOKEN: &str = "AuthToken";

/// NIC's error code for an IRN already generated for the same document.
pub const DUPLICATE_IRN: &str = "2150";
/// NIC's error code for a token that is unknown or expired.
pub const INVALID_TOKEN: &str = "1005";
/// NIC's error code when no IRN is held for the document asked about.
pub const IRN_NOT_AVAILABLE: &str = "2148";
/// The `InfCd` of the `InfoDtls` entry that names the existing IRN of a duplicate.
pub const DUPLICATE_IRN_INFO: &str = "DUPIRN";

/// Every answer: `{"Status": 1 | 0, "Data": …, "ErrorDetails": [...] | null, "InfoDtls": [...] | null}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// `Status`: 1 for success, 0 for failure (NIC writes it as a number, at times as a string).
    #[serde(rename = "Status", deserialize_with = "status_flag")]
    pub status: u8,
    /// `Data`: the answer (an object for authentication, base64 of the encrypted JSON otherwise).
    #[serde(rename = "Data", default = "none")]
    pub data: Option<T>,
    /// `ErrorDetails`: why it failed (a list, or base64 of one in older versions).
    #[serde(rename = "ErrorDetails", default, deserialize_with = "error_list")]
    pub error_details: Option<Vec<PortalError>>,
    /// `InfoDtls`: more about the answer, e.g. the existing IRN of a duplicate.
    #[serde(rename = "InfoDtls", default)]
    pub info: Option<Vec<Info>>,
}

fn none<T>() -> Option<T> {
    None
}

impl<T> Envelope<T> {
    /// A successful answer carrying `data`.
    pub fn success(data: T) -> Envelope<T> {
        Envelope { status: 1, data: Some(data), error_details: None, info: None }
    }

    /// A failed answer.
    pub fn failure(errors: Vec<PortalError>, info: Option<Vec<Info>>) -> Envelope<T> {
        Envelope { status: 0, data: None, error_details: Some(errors), info }
    }
}

/// One entry of `ErrorDetails`, as NIC words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortalError {
    /// `ErrorCode`, e.g. "2150".
    #[serde(rename = "ErrorCode", deserialize_with = "text_or_number")]
    pub code: String,
    /// `ErrorMessage`, e.g. "Duplicate IRN".
    #[serde(rename = "ErrorMessage", default)]
    pub message: String,
}

impl PortalError {
    /// An error with NIC's code and message.
    pub fn new(code: &str, message: &str) -> PortalError {
        PortalError { code: code.into(), message: message.into() }
    }
}

/// One entry of `InfoDtls`: `{"InfCd": "DUPIRN", "Desc": {...}}`; `Desc`'s shape depends on `InfCd`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// `InfCd`: `DUPIRN`, `EWBERR`, `ADDNLNFO`.
    #[serde(rename = "InfCd")]
    pub code: String,
    /// `Desc`.
    #[serde(rename = "Desc")]
    pub description: Value,
}

/// `Desc` of a `DUPIRN` entry: the IRN the document already has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateIrn {
    /// `AckNo`.
    #[serde(rename = "AckNo")]
    pub ack_no: i64,
    /// `AckDt`.
    #[serde(rename = "AckDt")]
    pub ack_date: String,
    /// `Irn`.
    #[serde(rename = "Irn")]
    pub irn: String,
}

/// The request body of every encrypted call: `{"Data": base64}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EncryptedRequest {
    /// `Data`.
    #[serde(rename = "Data")]
    pub data: String,
}

/// The credentials sent to authenticate (v1.04): this JSON is base64-encoded, then RSA-encrypted under
/// the portal's public key and sent as an [`EncryptedRequest`].
#[derive(Clone, Serialize, Deserialize)]
pub struct AuthPayload {
    /// `UserName`: the API user created on the portal.
    #[serde(rename = "UserName")]
    pub user_name: String,
    /// `Password`.
    #[serde(rename = "Password")]
    pub password: String,
    /// `AppKey`: 32 random bytes in base64 (44 characters); the portal encrypts the session key with it.
    #[serde(rename = "AppKey")]
    pub app_key: String,
    /// `ForceRefreshAccessToken`: ask for a new token within the last 10 minutes of the old one.
    #[serde(rename = "ForceRefreshAccessToken")]
    pub force_refresh: bool,
}

/// `Data` of a successful authentication.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthData {
    /// `ClientId`.
    #[serde(rename = "ClientId", default)]
    pub client_id: String,
    /// `UserName`.
    #[serde(rename = "UserName", default)]
    pub user_name: String,
    /// `AuthToken`: sent as a header on every further call.
    #[serde(rename = "AuthToken")]
    pub auth_token: String,
    /// `Sek`: the session encryption key, AES-encrypted under the app key, base64.
    #[serde(rename = "Sek")]
    pub sek: String,
    /// `TokenExpiry`: `yyyy-MM-dd HH:mm:ss`, Indian time.
    #[serde(rename = "TokenExpiry")]
    pub token_expiry: String,
}

/// The decrypted `Data` of IRN generation and of the lookup by document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrnDetails {
    /// `AckNo`: the portal's acknowledgement number.
    #[serde(rename = "AckNo")]
    pub ack_no: i64,
    /// `AckDt`: when it was registered, `yyyy-MM-dd HH:mm:ss`, Indian time.
    #[serde(rename = "AckDt")]
    pub ack_date: String,
    /// `Irn`.
    #[serde(rename = "Irn")]
    pub irn: String,
    /// `SignedInvoice`: the invoice as an RS256 JWT signed by the portal.
    #[serde(rename = "SignedInvoice")]
    pub signed_invoice: String,
    /// `SignedQRCode`: the QR code's summary as an RS256 JWT signed by the portal.
    #[serde(rename = "SignedQRCode")]
    pub signed_qr_code: String,
    /// `Status`: `ACT` (active) or `CNL` (cancelled).
    #[serde(rename = "Status", default)]
    pub status: String,
    /// `EwbNo`: the e-way bill number, when one was asked for.
    #[serde(rename = "EwbNo", default)]
    pub ewb_no: Option<i64>,
    /// `EwbDt`.
    #[serde(rename = "EwbDt", default)]
    pub ewb_date: Option<String>,
    /// `EwbValidTill`.
    #[serde(rename = "EwbValidTill", default)]
    pub ewb_valid_till: Option<String>,
    /// `Remarks`.
    #[serde(rename = "Remarks", default)]
    pub remarks: Option<String>,
}

/// The summary the signed QR code carries (its JWT's `data` claim, a JSON string of this).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrData {
    /// `SellerGstin`.
    #[serde(rename = "SellerGstin")]
    pub seller_gstin: String,
    /// `BuyerGstin`.
    #[serde(rename = "BuyerGstin")]
    pub buyer_gstin: String,
    /// `DocNo`.
    #[serde(rename = "DocNo")]
    pub document_number: String,
    /// `DocTyp`: INV, CRN or DBN.
    #[serde(rename = "DocTyp")]
    pub document_type: String,
    /// `DocDt`: `dd/mm/yyyy`.
    #[serde(rename = "DocDt")]
    pub document_date: String,
    /// `TotInvVal`: the invoice's total.
    #[serde(rename = "TotInvVal")]
    pub total_value: Paise,
    /// `ItemCnt`: how many lines.
    #[serde(rename = "ItemCnt")]
    pub item_count: u32,
    /// `MainHsnCode`: the HSN code of the line of highest value.
    #[serde(rename = "MainHsnCode")]
    pub main_hsn_code: String,
    /// `Irn`.
    #[serde(rename = "Irn")]
    pub irn: String,
    /// `IrnDt`: when the IRN was given, `yyyy-MM-dd HH:mm:ss`.
    #[serde(rename = "IrnDt")]
    pub irn_date: String,
}

/// India Standard Time, in which NIC writes its times.
pub const IST: UtcOffset = match UtcOffset::from_hms(5, 30, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+05:30 is a valid offset"),
};

const NIC_DATE_TIME: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// Writes a moment as NIC does: `yyyy-MM-dd HH:mm:ss` in Indian time.
pub fn format_nic_time(moment: OffsetDateTime) -> String {
    moment.to_offset(IST).format(NIC_DATE_TIME).expect("a date and time always formats")
}

/// Reads a NIC time, `yyyy-MM-dd HH:mm:ss` in Indian time.
pub fn parse_nic_time(text: &str) -> Result<OffsetDateTime, String> {
    PrimitiveDateTime::parse(text.trim(), NIC_DATE_TIME)
        .map(|t| t.assume_offset(IST))
        .map_err(|_| format!("'{text}' is not a NIC time (yyyy-MM-dd HH:mm:ss)"))
}

fn status_flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u8, D::Error> {
    let text = text_or_number(deserializer)?;
    text.trim().parse().map_err(|_| serde::de::Error::custom(format!("Status '{text}' is neither 1 nor 0")))
}

/// A field NIC writes now as a string, now as a number.
fn text_or_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum TextOrNumber {
        Text(String),
        Number(i64),
    }
    Ok(match TextOrNumber::deserialize(deserializer)? {
        TextOrNumber::Text(text) => text,
        TextOrNumber::Number(n) => n.to_string(),
    })
}

/// `ErrorDetails` as a list, or (in NIC's earlier versions) base64 of the list's JSON.
fn error_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<PortalError>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Errors {
        List(Vec<PortalError>),
        Encoded(String),
    }
    use base64::Engine;
    match Option::<Errors>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Errors::List(list)) => Ok(Some(list)),
        Some(Errors::Encoded(text)) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .map_err(|_| serde::de::Error::custom("ErrorDetails is neither a list nor base64"))?;
            serde_json::from_slice(&bytes).map(Some).map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_as_the_live_portal_sends_it_is_read() {
        let body = r#"{"Status":0,"ErrorDetails":[{"ErrorCode":"5003","ErrorMessage":"Data cannot be null or empty"}],"Data":null,"InfoDtls":null}"#;
        let envelope: Envelope<String> = serde_json::from_str(body).unwrap();
        assert_eq!(envelope.status, 0);
        assert_eq!(envelope.error_details.unwrap(), [PortalError::new("5003", "Data cannot be null or empty")]);
    }

    #[test]
    fn a_duplicate_names_the_existing_irn_in_info_details() {
        let body = r#"{"Status":"0","ErrorDetails":[{"ErrorCode":2150,"ErrorMessage":"Duplicate IRN"}],"Data":null,
            "InfoDtls":[{"InfCd":"DUPIRN","Desc":{"AckNo":112010000002315,"AckDt":"2020-02-29 14:51:00","Irn":"bc36"}}]}"#;
        let envelope: Envelope<String> = serde_json::from_str(body).unwrap();
        assert_eq!(envelope.error_details.unwrap()[0].code, DUPLICATE_IRN);
        let info = &envelope.info.unwrap()[0];
        assert_eq!(info.code, DUPLICATE_IRN_INFO);
        let dup: DuplicateIrn = serde_json::from_value(info.description.clone()).unwrap();
        assert_eq!((dup.ack_no, dup.irn.as_str()), (112010000002315, "bc36"));
    }

    #[test]
    fn base64_error_details_of_earlier_versions_are_read() {
        use base64::Engine;
        let list = base64::engine::general_purpose::STANDARD.encode(r#"[{"ErrorCode":"1005","ErrorMessage":"Invalid Token"}]"#);
        let body = format!(r#"{{"Status":0,"ErrorDetails":"{list}"}}"#);
        let envelope: Envelope<String> = serde_json::from_str(&body).unwrap();
        assert_eq!(envelope.error_details.unwrap(), [PortalError::new("1005", "Invalid Token")]);
    }

    #[test]
    fn nic_times_are_indian_time() {
        let t = parse_nic_time("2026-06-15 14:30:00").unwrap();
        assert_eq!(t.to_offset(UtcOffset::UTC).hour(), 9);
        assert_eq!(format_nic_time(t), "2026-06-15 14:30:00");
        assert!(parse_nic_time("15/06/2026").is_err());
    }
}
