//! Standard Webhooks signatures (symmetric scheme, `v1`), as Ordo signs its ERP postings and as an
//! ERP checks them.
//!
//! - A secret is `whsec_` followed by the standard base64 (with padding) of its key bytes; Ordo makes
//!   them from 32 random bytes ([`SigningSecret::generate`]). The specification allows 24 to 64 bytes.
//! - A message carries three headers: [`HEADER_ID`] (`webhook-id`, the message id, the same on every
//!   retry), [`HEADER_TIMESTAMP`] (`webhook-timestamp`, Unix seconds of the attempt) and
//!   [`HEADER_SIGNATURE`] (`webhook-signature`).
//! - The signature is `v1,` + base64 of HMAC-SHA256, keyed with the secret's bytes (not its text),
//!   over `"{webhook-id}.{webhook-timestamp}.{body}"` with the body's exact bytes.
//! - The signature header is a space-separated list, so a sender can sign with an old and a new
//!   secret while a secret is rotated; a receiver accepts the message when any `v1,` entry matches.
//! - A receiver refuses a timestamp more than [`TOLERANCE_SECS`] (5 minutes) away from its own clock,
//!   either way, so a captured message can't be replayed later.
//!
//! ```
//! use ordo_channels::erp::{SigningSecret, WebhookHeaders, sign, verify, TOLERANCE_SECS};
//!
//! let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
//! let body = br#"{"test": 2432232314}"#;
//! let signature = sign(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
//! assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//!
//! let headers = WebhookHeaders {
//!     id: Some("msg_p5jXN8AQM9LWM0D4loKWxJek"),
//!     timestamp: Some("1614265330"),
//!     signature: Some(&signature),
//! };
//! assert!(verify(&secret, &headers, body, 1614265330 + 60, TOLERANCE_SECS).is_ok());
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What every secret's text starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// The header holding the message id.
pub const HEADER_ID: &str = "webhook-id";
/// The header holding the attempt's Unix time in seconds.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// The header holding the signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// How far (seconds) a message's timestamp may be from the receiver's clock, either way: the
/// specification's reference libraries use 5 minutes.
pub const TOLERANCE_SECS: i64 = 5 * 60;
/// The key length of the secrets Ordo makes.
pub const GENERATED_KEY_BYTES: usize = 32;
/// The shortest key the specification allows (192 bits).
pub const MIN_KEY_BYTES: usize = 24;
/// The longest key the specification allows (512 bits).
pub const MAX_KEY_BYTES: usize = 64;

/// The version word of symmetric (HMAC-SHA256) signatures.
const VERSION: &str = "v1";

/// A signing secret: the key bytes behind a `whsec_…` text. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret {
    key: Vec<u8>,
}

/// Why a secret's text or bytes are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// What follows `whsec_` is not standard base64.
    #[error("a signing secret is `whsec_` followed by base64 of its key bytes; this is not base64")]
    NotBase64,
    /// The key is outside the 24 to 64 bytes the specification allows.
    #[error("a signing secret's key must be 24 to 64 bytes long, this one is {0}")]
    BadLength(usize),
}

impl SigningSecret {
    /// A fresh secret of [`GENERATED_KEY_BYTES`] random bytes from the operating system.
    pub fn generate() -> SigningSecret {
        let mut key = vec![0u8; GENERATED_KEY_BYTES];
        getrandom::fill(&mut key).expect("the operating system's random source failed");
        SigningSecret { key }
    }

    /// The secret with these key bytes (24 to 64 of them).
    pub fn from_bytes(key: &[u8]) -> Result<SigningSecret, SecretError> {
        if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&key.len()) {
            return Err(SecretError::BadLength(key.len()));
        }
        Ok(SigningSecret { key: key.to_vec() })
    }

    /// Reads `whsec_<base64>`. The bare base64 is accepted too, as the specification's reference
    /// libraries accept it, so a secret pasted without its prefix still works. Surrounding
    /// whitespace is ignored (it comes with copy and paste).
    pub fn parse(text: &str) -> Result<SigningSecret, SecretError> {
        let text = text.trim();
        let encoded = text.strip_prefix(SECRET_PREFIX).unwrap_or(text);
        let key = BASE64.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        SigningSecret::from_bytes(&key)
    }

    /// The key bytes the HMAC is keyed with.
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// The secret's text, `whsec_` + base64 of the key: what is shown once to the user. Not
    /// `Display`, so a secret can't reach a log line through `{}` by accident.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", BASE64.encode(&self.key))
    }

    fn mac(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp_secs.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningSecret(whsec_…, {} bytes)", self.key.len())
    }
}

impl std::str::FromStr for SigningSecret {
    type Err = SecretError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SigningSecret::parse(s)
    }
}

/// One signature: `v1,` + base64 of HMAC-SHA256 over `"{msg_id}.{timestamp_secs}.{body}"`.
pub fn sign(secret: &SigningSecret, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    let tag = secret.mac(msg_id, timestamp_secs, body).finalize().into_bytes();
    format!("{VERSION},{}", BASE64.encode(tag))
}

/// The `webhook-signature` value for a message signed with every one of `secrets` (the new and
/// the old secret while one is rotated), space-separated in the order given.
pub fn signature_header(secrets: &[&SigningSecret], msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    secrets.iter().map(|s| sign(s, msg_id, timestamp_secs, body)).collect::<Vec<_>>().join(" ")
}

/// The three headers to send a message with, as `(name, value)` pairs: `webhook-id`,
/// `webhook-timestamp` and `webhook-signature`.
pub fn webhook_headers(secret: &SigningSecret, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> [(&'static str, String); 3] {
    [
        (HEADER_ID, msg_id.to_string()),
        (HEADER_TIMESTAMP, timestamp_secs.to_string()),
        (HEADER_SIGNATURE, sign(secret, msg_id, timestamp_secs, body)),
    ]
}

/// The Standard Webhooks headers of a received message, each `None` when absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookHeaders<'a> {
    /// `webhook-id`.
    pub id: Option<&'a str>,
    /// `webhook-timestamp`.
    pub timestamp: Option<&'a str>,
    /// `webhook-signature`.
    pub signature: Option<&'a str>,
}

impl<'a> WebhookHeaders<'a> {
    /// The headers read from an HTTP header map (the `http` crate's, which axum and reqwest share).
    /// A value that is not visible ASCII is refused as [`VerifyError::InvalidHeader`].
    pub fn from_header_map(headers: &'a reqwest::header::HeaderMap) -> Result<WebhookHeaders<'a>, VerifyError> {
        let get = |name: &'static str| match headers.get(name) {
            None => Ok(None),
            Some(v) => v.to_str().map(Some).map_err(|_| VerifyError::InvalidHeader(name)),
        };
        Ok(WebhookHeaders { id: get(HEADER_ID)?, timestamp: get(HEADER_TIMESTAMP)?, signature: get(HEADER_SIGNATURE)? })
    }
}

/// Why a received message is refused. Every one of them means "not from the holder of the secret
/// (or not now)": a receiver answers 401 and processes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A required header is absent (or empty); the field is its name.
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    /// A header's value is not visible ASCII; the field is its name.
    #[error("the {0} header is not visible ASCII")]
    InvalidHeader(&'static str),
    /// `webhook-timestamp` is not a whole number of Unix seconds.
    #[error("webhook-timestamp '{0}' is not a whole number of Unix seconds")]
    BadTimestamp(String),
    /// The timestamp is more than the tolerance before the receiver's clock.
    #[error("webhook-timestamp {timestamp} is {} seconds older than the receiver's clock ({now}); at most {tolerance} are allowed", now - timestamp)]
    TooOld {
        /// The message's timestamp.
        timestamp: i64,
        /// The receiver's clock.
        now: i64,
        /// The tolerance, seconds.
        tolerance: i64,
    },
    /// The timestamp is more than the tolerance after the receiver's clock.
    #[error("webhook-timestamp {timestamp} is {} seconds ahead of the receiver's clock ({now}); at most {tolerance} are allowed", timestamp - now)]
    TooNew {
        /// The message's timestamp.
        timestamp: i64,
        /// The receiver's clock.
        now: i64,
        /// The tolerance, seconds.
        tolerance: i64,
    },
    /// No `v1,` signature in `webhook-signature` matches the message under the secret.
    #[error("no v1 signature in webhook-signature matches the message")]
    NoMatchingSignature,
}

/// Checks a received message: the three headers present, the timestamp within `tolerance_secs` of
/// `now_secs` (Unix seconds; [`TOLERANCE_SECS`] is the usual tolerance), and at least one `v1,`
/// signature in the header matching `body` (its exact bytes, before any JSON parsing) under
/// `secret`. Entries of other versions (`v1a,` asymmetric ones) and malformed entries are skipped;
/// the comparison is in constant time.
pub fn verify(
    secret: &SigningSecret,
    headers: &WebhookHeaders<'_>,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    let id = present(headers.id, HEADER_ID)?;
    let timestamp_text = present(headers.timestamp, HEADER_TIMESTAMP)?.trim();
    let signatures = present(headers.signature, HEADER_SIGNATURE)?;
    let timestamp = parse_timestamp(timestamp_text)?;
    if now_secs.saturating_sub(timestamp) > tolerance_secs {
        return Err(VerifyError::TooOld { timestamp, now: now_secs, tolerance: tolerance_secs });
    }
    if timestamp.saturating_sub(now_secs) > tolerance_secs {
        return Err(VerifyError::TooNew { timestamp, now: now_secs, tolerance: tolerance_secs });
    }
    let mac = secret.mac(id, timestamp, body);
    let matched = signatures
        .split(' ')
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, _)| *version == VERSION)
        .filter_map(|(_, encoded)| BASE64.decode(encoded).ok())
        // `verify_slice` compares in constant time, so answers can't be timed to forge a tag.
        .any(|tag| mac.clone().verify_slice(&tag).is_ok());
    if matched { Ok(()) } else { Err(VerifyError::NoMatchingSignature) }
}

/// [`verify`] with the headers read from an HTTP header map.
pub fn verify_header_map(
    secret: &SigningSecret,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    verify(secret, &WebhookHeaders::from_header_map(headers)?, body, now_secs, tolerance_secs)
}

/// A header's value, refused as missing when absent or blank.
fn present<'a>(value: Option<&'a str>, name: &'static str) -> Result<&'a str, VerifyError> {
    value.filter(|v| !v.trim().is_empty()).ok_or(VerifyError::MissingHeader(name))
}

/// Unix seconds: digits only (no sign, fraction or exponent), as the reference libraries require.
fn parse_timestamp(text: &str) -> Result<i64, VerifyError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::BadTimestamp(text.to_string()));
    }
    text.parse().map_err(|_| VerifyError::BadTimestamp(text.to_string()))
}

/// The system clock in Unix seconds: what a receiver checks `webhook-timestamp` against, and what a
/// sender stamps an attempt with.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The specification's published test vector (standard-webhooks/standard-webhooks,
    // libraries/php/tests/WebhookTest.php, `testSignFunctionWorks`).
    const VECTOR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const VECTOR_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const VECTOR_TS: i64 = 1614265330;
    const VECTOR_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const VECTOR_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn vector_secret() -> SigningSecret {
        SigningSecret::parse(VECTOR_SECRET).unwrap()
    }

    fn headers<'a>(signature: &'a str, timestamp: &'a str) -> WebhookHeaders<'a> {
        WebhookHeaders { id: Some(VECTOR_ID), timestamp: Some(timestamp), signature: Some(signature) }
    }

    #[test]
    fn signing_reproduces_the_published_test_vector() {
        // Round trips through our own verifier would pass with the delimiter, the alphabet or the
        // key decoding wrong; matching the reference implementation's output is what proves an
        // ERP's Standard Webhooks library will accept Ordo's signatures.
        assert_eq!(sign(&vector_secret(), VECTOR_ID, VECTOR_TS, VECTOR_BODY), VECTOR_SIGNATURE);
        verify(&vector_secret(), &headers(VECTOR_SIGNATURE, "1614265330"), VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS).unwrap();
    }

    #[test]
    fn a_secret_reads_back_as_written_and_generated_ones_are_32_random_bytes() {
        let s = SigningSecret::generate();
        assert_eq!(s.key().len(), 32);
        assert!(s.expose().starts_with("whsec_"));
        assert_eq!(SigningSecret::parse(&s.expose()).unwrap(), s);
        assert_ne!(SigningSecret::generate(), s);
        assert_eq!(vector_secret().expose(), VECTOR_SECRET);
        // The bare base64 is the same secret, as in the reference libraries.
        assert_eq!(SigningSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(), vector_secret());
        assert!(!format!("{s:?}").contains(&s.expose()[6..]), "Debug must not show the key");
    }

    #[test]
    fn bad_secrets_are_refused_with_the_reason() {
        assert_eq!(SigningSecret::parse("whsec_not base64!"), Err(SecretError::NotBase64));
        assert_eq!(SigningSecret::parse("whsec_c2hvcnQ="), Err(SecretError::BadLength(5)));
        assert_eq!(SigningSecret::from_bytes(&[7; 65]), Err(SecretError::BadLength(65)));
        assert!(SigningSecret::from_bytes(&[7; 24]).is_ok() && SigningSecret::from_bytes(&[7; 64]).is_ok());
    }

    #[test]
    fn missing_headers_are_named() {
        let s = vector_secret();
        let full = headers(VECTOR_SIGNATURE, "1614265330");
        let cases = [
            (WebhookHeaders { id: None, ..full }, HEADER_ID),
            (WebhookHeaders { timestamp: None, ..full }, HEADER_TIMESTAMP),
            (WebhookHeaders { signature: None, ..full }, HEADER_SIGNATURE),
            (WebhookHeaders { signature: Some("  "), ..full }, HEADER_SIGNATURE),
        ];
        for (h, name) in cases {
            assert_eq!(verify(&s, &h, VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS), Err(VerifyError::MissingHeader(name)));
        }
    }

    #[test]
    fn timestamps_must_be_whole_seconds_within_five_minutes() {
        let s = vector_secret();
        for bad in ["161426533.0", "-1614265330", "soon", "1e9"] {
            assert_eq!(
                verify(&s, &headers(VECTOR_SIGNATURE, bad), VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS),
                Err(VerifyError::BadTimestamp(bad.into()))
            );
        }
        let h = headers(VECTOR_SIGNATURE, "1614265330");
        // Exactly at the tolerance passes on both sides; a second more does not.
        assert!(verify(&s, &h, VECTOR_BODY, VECTOR_TS + 300, TOLERANCE_SECS).is_ok());
        assert!(verify(&s, &h, VECTOR_BODY, VECTOR_TS - 300, TOLERANCE_SECS).is_ok());
        assert_eq!(
            verify(&s, &h, VECTOR_BODY, VECTOR_TS + 301, TOLERANCE_SECS),
            Err(VerifyError::TooOld { timestamp: VECTOR_TS, now: VECTOR_TS + 301, tolerance: 300 })
        );
        assert_eq!(
            verify(&s, &h, VECTOR_BODY, VECTOR_TS - 301, TOLERANCE_SECS),
            Err(VerifyError::TooNew { timestamp: VECTOR_TS, now: VECTOR_TS - 301, tolerance: 300 })
        );
    }

    #[test]
    fn any_matching_v1_signature_among_several_passes() {
        let s = vector_secret();
        let list = format!("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,x junk v1a,AAAA {VECTOR_SIGNATURE}");
        assert!(verify(&s, &headers(&list, "1614265330"), VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS).is_ok());
        // The same tag under another version word is not a v1 signature.
        let other_version = VECTOR_SIGNATURE.replacen("v1,", "v2,", 1);
        assert_eq!(
            verify(&s, &headers(&other_version, "1614265330"), VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS),
            Err(VerifyError::NoMatchingSignature)
        );
    }

    #[test]
    fn a_changed_body_id_timestamp_or_secret_fails() {
        let s = vector_secret();
        let h = headers(VECTOR_SIGNATURE, "1614265330");
        let no = Err(VerifyError::NoMatchingSignature);
        assert_eq!(verify(&s, &h, br#"{"test": 2432232315}"#, VECTOR_TS, TOLERANCE_SECS), no);
        assert_eq!(verify(&s, &WebhookHeaders { id: Some("msg_other"), ..h }, VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS), no);
        assert_eq!(verify(&s, &headers(VECTOR_SIGNATURE, "1614265331"), VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS), no);
        assert_eq!(verify(&SigningSecret::generate(), &h, VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS), no);
    }

    #[test]
    fn rotation_signs_with_every_secret_and_headers_come_from_a_header_map() {
        let (old, new) = (vector_secret(), SigningSecret::generate());
        let header = signature_header(&[&new, &old], VECTOR_ID, VECTOR_TS, VECTOR_BODY);
        assert_eq!(header.split(' ').nth(1), Some(VECTOR_SIGNATURE));
        let mut map = reqwest::header::HeaderMap::new();
        for (name, value) in webhook_headers(&new, VECTOR_ID, VECTOR_TS, VECTOR_BODY) {
            map.insert(name, value.parse().unwrap());
        }
        assert!(verify_header_map(&new, &map, VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS).is_ok());
        map.insert(HEADER_SIGNATURE, header.parse().unwrap());
        assert!(verify_header_map(&old, &map, VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS).is_ok());
        map.insert(HEADER_ID, reqwest::header::HeaderValue::from_bytes(b"msg_\xff").unwrap());
        assert_eq!(
            verify_header_map(&old, &map, VECTOR_BODY, VECTOR_TS, TOLERANCE_SECS),
            Err(VerifyError::InvalidHeader(HEADER_ID))
        );
    }
}
