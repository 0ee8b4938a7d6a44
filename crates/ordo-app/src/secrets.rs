//! Encryption of channel credentials at rest (ChaCha20-Poly1305) and API key generation.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ordo_domain::DomainError;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Encrypts and decrypts secrets with one 256-bit key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    b
}

impl SecretBox {
    /// A box with the key given as 64 hex characters.
    pub fn from_hex(key_hex: &str) -> Result<Self, String> {
        let bytes = hex::decode(key_hex.trim()).map_err(|_| "the secret key must be 64 hex characters".to_string())?;
        if bytes.len() != 32 {
            return Err("the secret key must be 64 hex characters (32 bytes)".into());
        }
        Ok(SecretBox { cipher: ChaCha20Poly1305::new(Key::from_slice(&bytes)) })
    }

    /// Reads the key file at `path`, creating it with a new random key when it doesn't exist.
    pub fn from_file_or_create(path: &Path) -> Result<Self, String> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("can't create {}: {e}", dir.display()))?;
            }
            std::fs::write(path, hex::encode(random::<32>())).map_err(|e| format!("can't write {}: {e}", path.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
            }
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("can't read {}: {e}", path.display()))?;
        Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Nonce ‖ ciphertext of `plain`.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let nonce = random::<12>();
        let mut out = nonce.to_vec();
        out.extend(self.cipher.encrypt(Nonce::from_slice(&nonce), plain).expect("encryption of a small buffer cannot fail"));
        out
    }

    /// The plaintext of what [`SecretBox::seal`] produced with the same key.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, DomainError> {
        if sealed.len() < 12 {
            return Err(DomainError::Internal("stored secret is too short".into()));
        }
        let (nonce, body) = sealed.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| DomainError::Internal("stored secret can't be decrypted: was the secret key changed?".into()))
    }
}

/// A new API key, the public prefix that names it in logs, and the hash under which it is stored.
pub struct NewApiKey {
    pub key: String,
    pub prefix: String,
    pub hash: String,
}

/// Makes a new random API key (`ordo_` and 40 hex characters: 160 bits).
pub fn new_api_key() -> NewApiKey {
    let key = format!("ordo_{}", hex::encode(random::<20>()));
    NewApiKey { prefix: key[..13].to_string(), hash: hash_api_key(&key), key }
}

/// The stored form of an API key. Keys are long and random, so a fast hash is enough.
pub fn hash_api_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key() {
        let a = SecretBox::from_hex(&"11".repeat(32)).unwrap();
        let b = SecretBox::from_hex(&"22".repeat(32)).unwrap();
        let sealed = a.seal(b"{\"refresh_token\":\"x\"}");
        assert!(!sealed.windows(13).any(|w| w == b"refresh_token"));
        assert_eq!(a.open(&sealed).unwrap(), b"{\"refresh_token\":\"x\"}");
        assert!(b.open(&sealed).is_err());
        assert!(SecretBox::from_hex("abc").is_err());
    }

    #[test]
    fn api_keys_are_random_and_stored_hashed() {
        let k1 = new_api_key();
        let k2 = new_api_key();
        assert_ne!(k1.key, k2.key);
        assert_eq!(k1.key.len(), 45);
        assert_eq!(hash_api_key(&k1.key), k1.hash);
        assert!(k1.key.starts_with(&k1.prefix));
    }
}
