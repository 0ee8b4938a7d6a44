//! Posts that count once when a browser or a scanner sends them twice: every rendered form carries
//! a fresh random nonce, and the app call gets it as its idempotency key (as the API's
//! `Idempotency-Key`), with a fingerprint of what was asked. The same nonce and the same request
//! replay the first answer; the same nonce with another request is refused, changing nothing.

use crate::page::{describe, failed};
use axum::response::Response;
use ordo_app::Caller;
use ordo_domain::DomainError;

/// A fresh nonce for one rendered form (the stations' own, so every form makes them alike).
pub fn nonce() -> String {
    super::station::nonce()
}

/// `caller` with the form's nonce as its idempotency key, fingerprinted by the path and `parts`
/// of the request (the scanned code, the pool). A missing or malformed nonce claims nothing.
pub fn claimed(caller: &Caller, nonce: &str, path: &str, parts: &[&str]) -> Caller {
    let mut all = Vec::with_capacity(parts.len() + 1);
    all.push(path);
    all.extend_from_slice(parts);
    super::station::with_nonce(caller, nonce, &all)
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

    fn caller() -> Caller {
        let principal = ordo_domain::model::Principal {
            client_id: 1,
            client_code: "acme".into(),
            role: ordo_domain::kinds::Role::Warehouse,
            actor: "user:crew@acme.example".into(),
        };
        Caller { principal, idempotency: None }
    }

    #[test]
    fn nonces_are_fresh_and_accepted() {
        let (a, b) = (nonce(), nonce());
        assert_ne!(a, b);
        assert!((16..=64).contains(&a.len()) && a.bytes().all(|c| c.is_ascii_hexdigit()));
        let claim = |n: &str| claimed(&caller(), n, "/x", &["A"]).idempotency.map(|c| c.key);
        assert_eq!(claim(&a), Some(format!("ui:{a}")));
        assert_eq!(claim(""), None, "no nonce, no claim");
    }
}
