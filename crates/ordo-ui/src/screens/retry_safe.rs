//! Posts that count once when a browser or a scanner sends them twice: every rendered form carries
//! a fresh random nonce, and the app call gets it as its idempotency key (as the API's
//! `Idempotency-Key`), with a fingerprint of what was asked. The same nonce and the same request
//! replay the first answer; the same nonce with another request is refused, changing nothing.

use crate::page::{describe, failed};
use axum::response::Response;
use ordo_app::Caller;
use ordo_app::ordo_store::IdempotencyClaim;
use ordo_domain::DomainError;
use sha2::{Digest, Sha256};

/// A fresh nonce for one rendered form.
pub fn nonce() -> String {
    ordo_app::secrets::random_token()
}

/// `caller` with the form's nonce as its idempotency key, fingerprinted by the path and `parts`
/// of the request (the scanned code, the pool). A missing or malformed nonce claims nothing.
pub fn claimed(caller: &Caller, nonce: &str, path: &str, parts: &[&str]) -> Caller {
    let nonce = nonce.trim();
    let well_formed = (16..=64).contains(&nonce.len()) && nonce.bytes().all(|b| b.is_ascii_hexdigit());
    let idempotency = well_formed.then(|| {
        let mut hash = Sha256::new().chain_update(path.as_bytes());
        for part in parts {
            hash.update(b"\n");
            hash.update(part.as_bytes());
        }
        IdempotencyClaim { key: format!("ui:{nonce}"), fingerprint: hex::encode(hash.finalize()) }
    });
    Caller { principal: caller.principal.clone(), idempotency }
}

/// A refusal in words; a form whose nonce was used for another request (a page left open, then
/// used again) says that nothing was done and to try again.
pub fn why_refused(e: &DomainError) -> String {
    match e {
        DomainError::IdempotencyKeyReused => "This page was out of date and nothing was done; try again.".into(),
        other => describe(other),
    }
}

/// Back to `to` after a refused form post, saying why in the words of [`why_refused`].
pub fn refused(to: &str, e: &DomainError) -> Response {
    match e {
        DomainError::IdempotencyKeyReused => failed(to, &DomainError::Conflict(why_refused(e))),
        other => failed(to, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_accepted() {
        let (a, b) = (nonce(), nonce());
        assert_ne!(a, b);
        assert!((16..=64).contains(&a.len()) && a.bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
