//! What the scan stations share: the nonce that makes a retried scan count once, and reading
//! command barcodes.
//!
//! A station's form carries a fresh random nonce each time it is rendered. The scan it submits
//! goes to the app with that nonce as the idempotency key and a fingerprint of the station and the
//! code read, so the same form sent twice (a double Enter, a retry after a lost answer, a reload)
//! replays the first answer instead of counting the scan again.

use ordo_app::Caller;
use ordo_app::ordo_store::IdempotencyClaim;
use sha2::{Digest, Sha256};

/// What every command barcode starts with.
pub const COMMAND_PREFIX: &str = "ORDO-CMD:";

/// A fresh nonce for one rendered station form.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex::encode(bytes)
}

/// `caller` with the form's nonce as its idempotency key, fingerprinted by what was scanned where
/// (`parts`: the station's path and the scan's own fields). Without a usable nonce the call is
/// made without a key, as an API call without `Idempotency-Key` is.
pub fn with_nonce(caller: &Caller, nonce: &str, parts: &[&str]) -> Caller {
    let nonce = nonce.trim();
    let usable = !nonce.is_empty() && nonce.len() <= 64 && nonce.bytes().all(|b| b.is_ascii_alphanumeric());
    let idempotency = usable.then(|| {
        let mut fingerprint = Sha256::new();
        for p in parts {
            fingerprint.update(p.as_bytes());
            fingerprint.update(b"\n");
        }
        IdempotencyClaim { key: format!("ui:{nonce}"), fingerprint: hex::encode(fingerprint.finalize()) }
    });
    Caller { principal: caller.principal.clone(), idempotency }
}

/// The command a scanned code names (`ORDO-CMD:PACK` → `PACK`), upper-cased, or `None` for a code
/// that is not a command.
pub fn command(scan: &str) -> Option<String> {
    let head = scan.get(..COMMAND_PREFIX.len())?;
    head.eq_ignore_ascii_case(COMMAND_PREFIX).then(|| scan[COMMAND_PREFIX.len()..].trim().to_ascii_uppercase())
}

/// The picklist a command names (`ORDO-CMD:PICKLIST:42` → `42`).
pub fn picklist_command(command: &str) -> Option<&str> {
    command.strip_prefix("PICKLIST:").map(str::trim).filter(|id| !id.is_empty())
}

/// The outcome of one scan, echoed in large type.
pub struct Echo {
    /// The code as read.
    pub code: String,
    pub accepted: bool,
    /// What happened, in one line.
    pub headline: String,
    /// What is left, or what to do next.
    pub detail: String,
}

impl Echo {
    pub fn accepted(code: &str, headline: impl Into<String>, detail: impl Into<String>) -> Echo {
        Echo { code: code.to_string(), accepted: true, headline: headline.into(), detail: detail.into() }
    }

    pub fn refused(code: &str, headline: impl Into<String>, detail: impl Into<String>) -> Echo {
        Echo { code: code.to_string(), accepted: false, headline: headline.into(), detail: detail.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_whatever_their_case() {
        assert_eq!(command("ORDO-CMD:PACK").as_deref(), Some("PACK"));
        assert_eq!(command("ordo-cmd:done").as_deref(), Some("DONE"));
        assert_eq!(command("8901234567890"), None);
        assert_eq!(command("ORDO"), None);
        assert_eq!(picklist_command("PICKLIST:42"), Some("42"));
        assert_eq!(picklist_command("PICKLIST:"), None);
    }

    #[test]
    fn nonces_are_fresh() {
        assert_ne!(nonce(), nonce());
        assert_eq!(nonce().len(), 32);
    }
}
