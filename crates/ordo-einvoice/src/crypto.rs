//! The cryptography NIC's e-invoice API uses, on RustCrypto:
//!
//! - RSA with PKCS#1 v1.5 padding, to send the credentials and the app key under the portal's public
//!   encryption key;
//! - AES-256 in ECB mode with PKCS#7 padding, for the session key (under the app key) and for every
//!   payload afterwards (under the session key), all base64-encoded;
//! - RS256 JSON Web Signatures (`header.payload.signature`, base64url), in which the portal returns the
//!   signed invoice and the signed QR code.
//!
//! JWTs are made and checked here with `rsa` and `sha2` directly rather than with a JWT crate: the
//! connector needs one algorithm and two claims, and the RSA code it needs anyway does the work.

use aes::Aes256;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyInit};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand_core::{OsRng, RngCore};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey, RsaPublicKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// An AES-256 key: the app key Ordo makes, or the session encryption key (SEK) the portal returns.
pub type AesKey = [u8; 32];

/// Reads an RSA public key from PEM: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo, as NIC publishes its
/// keys) or `BEGIN RSA PUBLIC KEY` (PKCS#1).
pub fn public_key_from_pem(pem: &str) -> Result<RsaPublicKey, String> {
    let pem = pem.trim();
    RsaPublicKey::from_public_key_pem(pem)
        .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
        .map_err(|e| format!("not an RSA public key in PEM: {e}"))
}

/// Reads an RSA private key from PEM: `BEGIN PRIVATE KEY` (PKCS#8) or `BEGIN RSA PRIVATE KEY` (PKCS#1).
pub fn private_key_from_pem(pem: &str) -> Result<RsaPrivateKey, String> {
    let pem = pem.trim();
    RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|e| format!("not an RSA private key in PEM: {e}"))
}

/// A public key as PEM (SubjectPublicKeyInfo).
pub fn public_key_to_pem(key: &RsaPublicKey) -> String {
    key.to_public_key_pem(LineEnding::LF).expect("an RSA public key always encodes")
}

/// A private key as PEM (PKCS#8).
pub fn private_key_to_pem(key: &RsaPrivateKey) -> String {
    key.to_pkcs8_pem(LineEnding::LF).expect("an RSA private key always encodes").to_string()
}

/// Makes a new 2048-bit RSA key (slow in unoptimised builds: a second or more).
pub fn generate_private_key() -> RsaPrivateKey {
    RsaPrivateKey::new(&mut OsRng, 2048).expect("2048-bit RSA key generation does not fail")
}

/// A fresh random AES-256 key.
pub fn random_aes_key() -> AesKey {
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    key
}

/// Encrypts `data` under an RSA public key (PKCS#1 v1.5), base64-encoded.
pub fn rsa_encrypt(key: &RsaPublicKey, data: &[u8]) -> Result<String, String> {
    let sealed = key.encrypt(&mut OsRng, Pkcs1v15Encrypt, data).map_err(|e| format!("RSA encryption failed: {e}"))?;
    Ok(STANDARD.encode(sealed))
}

/// Decrypts base64 `data` sealed by [`rsa_encrypt`].
pub fn rsa_decrypt(key: &RsaPrivateKey, data: &str) -> Result<Vec<u8>, String> {
    let sealed = STANDARD.decode(data.trim()).map_err(|e| format!("not base64: {e}"))?;
    key.decrypt(Pkcs1v15Encrypt, &sealed).map_err(|_| "RSA decryption failed".to_string())
}

/// Encrypts `data` with AES-256-ECB and PKCS#7 padding, base64-encoded.
pub fn aes_encrypt(key: &AesKey, data: &[u8]) -> String {
    let sealed = ecb::Encryptor::<Aes256>::new(key.into()).encrypt_padded_vec_mut::<Pkcs7>(data);
    STANDARD.encode(sealed)
}

/// Decrypts base64 `data` sealed by [`aes_encrypt`].
pub fn aes_decrypt(key: &AesKey, data: &str) -> Result<Vec<u8>, String> {
    let sealed = STANDARD.decode(data.trim()).map_err(|e| format!("not base64: {e}"))?;
    ecb::Decryptor::<Aes256>::new(key.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&sealed)
        .map_err(|_| "AES decryption failed (wrong key or damaged data)".to_string())
}

/// An AES-256 key from its base64 form.
pub fn aes_key_from_base64(text: &str) -> Result<AesKey, String> {
    let bytes = STANDARD.decode(text.trim()).map_err(|e| format!("not base64: {e}"))?;
    AesKey::try_from(bytes.as_slice()).map_err(|_| format!("an AES-256 key is 32 bytes, not {}", bytes.len()))
}

/// The key id a signer names in its JWT header: the first 20 bytes of the SHA-256 of its public key,
/// in upper-case hex (NIC's `kid` is a 40-character hex thumbprint too).
pub fn key_id(key: &RsaPublicKey) -> String {
    let der = key.to_public_key_der().expect("an RSA public key always encodes");
    hex::encode_upper(&Sha256::digest(der.as_bytes())[..20])
}

/// Signs `claims` as an RS256 JWT: `base64url(header).base64url(claims).base64url(signature)`.
pub fn sign_jwt(key: &RsaPrivateKey, claims: &Value) -> String {
    let header = serde_json::json!({"alg": "RS256", "kid": key_id(&key.to_public_key()), "typ": "JWT"});
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// Checks an RS256 JWT against `key` and returns its claims. Says what is wrong: not a JWT, another
/// algorithm, or a signature that does not verify with this key.
pub fn verify_jwt(key: &RsaPublicKey, token: &str) -> Result<Value, String> {
    let mut parts = token.trim().split('.');
    let (Some(header), Some(claims), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err("is not a JWT (three base64url parts separated by dots)".into());
    };
    let decode = |part: &str, what: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| format!("has a {what} that is not base64url"));
    let header: Value =
        serde_json::from_slice(&decode(header, "header")?).map_err(|_| "has a header that is not JSON".to_string())?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(format!("is signed with {}, not RS256", header.get("alg").unwrap_or(&Value::Null)));
    }
    let signature =
        Signature::try_from(decode(signature, "signature")?.as_slice()).map_err(|_| "has a malformed signature".to_string())?;
    let signing_input = &token.trim()[..token.trim().rfind('.').expect("three parts were found")];
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(signing_input.as_bytes(), &signature)
        .map_err(|_| "has a signature that does not verify with the portal's signing key".to_string())?;
    serde_json::from_slice(&decode(claims, "payload")?).map_err(|_| "has a payload that is not JSON".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys;

    #[test]
    fn aes_ecb_round_trips_and_refuses_the_wrong_key() {
        let key = random_aes_key();
        let sealed = aes_encrypt(&key, b"{\"Irn\":\"abc\"}");
        assert_eq!(aes_decrypt(&key, &sealed).unwrap(), b"{\"Irn\":\"abc\"}");
        // Sixteen bytes of input take a whole block of padding: PKCS#7, as NIC pads.
        assert_eq!(STANDARD.decode(aes_encrypt(&key, &[7u8; 16])).unwrap().len(), 32);
        assert_ne!(aes_decrypt(&random_aes_key(), &sealed).ok(), Some(b"{\"Irn\":\"abc\"}".to_vec()));
    }

    #[test]
    fn aes_ecb_matches_the_fips_197_vector() {
        // FIPS-197 appendix C.3: AES-256 of 00112233…ff under key 000102…1f.
        let key: AesKey = core::array::from_fn(|i| i as u8);
        let block: Vec<u8> = (0..16).map(|i| (i * 0x11) as u8).collect();
        let sealed = STANDARD.decode(aes_encrypt(&key, &block)).unwrap();
        assert_eq!(hex::encode(&sealed[..16]), "8ea2b7ca516745bfeafc49904b496089");
    }

    #[test]
    fn rsa_round_trips_through_pem_keys() {
        let private = private_key_from_pem(test_keys::PORTAL_ENCRYPTION_PRIVATE_KEY).unwrap();
        let public = public_key_from_pem(&public_key_to_pem(&private.to_public_key())).unwrap();
        let sealed = rsa_encrypt(&public, b"secret").unwrap();
        assert_eq!(rsa_decrypt(&private, &sealed).unwrap(), b"secret");
        assert!(public_key_from_pem("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----").is_err());
        assert_eq!(private_key_from_pem(&private_key_to_pem(&private)).unwrap(), private);
    }

    #[test]
    fn jwts_verify_with_the_signing_key_only() {
        let signer = private_key_from_pem(test_keys::PORTAL_SIGNING_PRIVATE_KEY).unwrap();
        let other = private_key_from_pem(test_keys::PORTAL_ENCRYPTION_PRIVATE_KEY).unwrap();
        let token = sign_jwt(&signer, &serde_json::json!({"data": "{}", "iss": "NIC"}));
        assert_eq!(verify_jwt(&signer.to_public_key(), &token).unwrap()["iss"], "NIC");
        assert!(verify_jwt(&other.to_public_key(), &token).unwrap_err().contains("does not verify"));
        // A payload changed after signing no longer verifies.
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(r#"{"data":"{}","iss":"NIC","x":1}"#), parts[2]);
        assert!(verify_jwt(&signer.to_public_key(), &forged).is_err());
        assert!(verify_jwt(&signer.to_public_key(), "a.b").unwrap_err().contains("not a JWT"));
        let hs256 = format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#), parts[1], parts[2]);
        assert!(verify_jwt(&signer.to_public_key(), &hs256).unwrap_err().contains("HS256"));
    }
}
