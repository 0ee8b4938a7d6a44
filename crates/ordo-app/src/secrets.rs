//! Encryption of channel credentials at rest (ChaCha20-Poly1305) and API key generation.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
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

    /// Reads the key file at `path`, creating it with a new random key when it doesn't exist. The
    /// file is created readable by its owner only (mode 0600) from the start, never widened first.
    pub fn from_file_or_create(path: &Path) -> Result<Self, String> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("can't create {}: {e}", dir.display()))?;
            }
            create_key_file(path)?;
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("can't read {}: {e}", path.display()))?;
        Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads the key (64 hex characters) from an existing file, e.g. one a secret manager mounts.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("can't read the secret key file {}: {e}", path.display()))?;
        Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Encrypts `plain`, bound to `context` (associated data): the result opens only with the same
    /// key and the same context, so a sealed value copied to another record does not open there.
    pub fn seal(&self, plain: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = random::<12>();
        let mut out = Vec::with_capacity(1 + 12 + plain.len() + 16);
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: context })
            .expect("encryption of a small buffer cannot fail");
        out.extend(sealed);
        out
    }

    /// The plaintext of what [`SecretBox::seal`] produced with the same key and `context`.
    ///
    /// Values sealed before contexts existed (nonce ‖ ciphertext, no version byte) still open; they
    /// were bound to nothing, and are sealed with their context the next time they are written.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, DomainError> {
        let refused = || DomainError::Internal("stored secret can't be decrypted: was the secret key changed?".into());
        if sealed.first() == Some(&SEALED_V1) && sealed.len() >= 1 + 12 + 16 {
            let (nonce, body) = sealed[1..].split_at(12);
            if let Ok(plain) = self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: context }) {
                return Ok(plain);
            }
        }
        // A value of the first format: its random nonce may begin with the version byte too.
        if sealed.len() < 12 + 16 {
            return Err(refused());
        }
        let (nonce, body) = sealed.split_at(12);
        self.cipher.decrypt(Nonce::from_slice(nonce), body).map_err(|_| refused())
    }
}

/// The first byte of a sealed value bound to a context.
const SEALED_V1: u8 = 1;

/// What channel credentials are bound to: their client and channel.
pub fn channel_credentials_context(client_id: i64, channel_code: &str) -> Vec<u8> {
    format!("ordo/channel-credentials/{client_id}/{channel_code}").into_bytes()
}

/// What a warehouse's e-invoice portal credentials are bound to: their client and warehouse.
pub fn e_invoicing_credentials_context(client_id: i64, warehouse: &str) -> Vec<u8> {
    format!("ordo/e-invoicing-credentials/{client_id}/{warehouse}").into_bytes()
}

/// What a client's ERP signing secret is bound to: its client.
pub fn erp_secret_context(client_id: i64) -> Vec<u8> {
    format!("ordo/erp-signing-secret/{client_id}").into_bytes()
}

/// Writes a new random key to `path`, which must not exist, readable by its owner only.
fn create_key_file(path: &Path) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => file
            .write_all(hex::encode(random::<32>()).as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| format!("can't write {}: {e}", path.display())),
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(format!("can't create {}: {e}", path.display())),
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

/// A session token for a cookie: 32 random bytes in hex. Like an API key, it is kept only as a hash.
pub fn random_token() -> String {
    hex::encode(random::<32>())
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
        let here = channel_credentials_context(1, "amz");
        let sealed = a.seal(b"{\"refresh_token\":\"x\"}", &here);
        assert!(!sealed.windows(13).any(|w| w == b"refresh_token"));
        assert_eq!(a.open(&sealed, &here).unwrap(), b"{\"refresh_token\":\"x\"}");
        assert!(b.open(&sealed, &here).is_err());
        assert!(SecretBox::from_hex("abc").is_err());
    }

    #[test]
    fn a_sealed_secret_opens_only_in_its_own_context() {
        let a = SecretBox::from_hex(&"11".repeat(32)).unwrap();
        let sealed = a.seal(b"secret", &channel_credentials_context(1, "amz"));
        assert!(a.open(&sealed, &channel_credentials_context(1, "amz2")).is_err(), "another channel");
        assert!(a.open(&sealed, &channel_credentials_context(2, "amz")).is_err(), "another client");
        assert_eq!(a.open(&sealed, &channel_credentials_context(1, "amz")).unwrap(), b"secret");
    }

    #[test]
    fn secrets_sealed_before_contexts_still_open() {
        let a = SecretBox::from_hex(&"11".repeat(32)).unwrap();
        for _ in 0..64 {
            // The first format: nonce and ciphertext, nothing bound.
            let nonce = random::<12>();
            let mut legacy = nonce.to_vec();
            legacy.extend(a.cipher.encrypt(Nonce::from_slice(&nonce), &b"old"[..]).unwrap());
            assert_eq!(a.open(&legacy, &channel_credentials_context(1, "amz")).unwrap(), b"old");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_new_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ordo-key-{}-{}", std::process::id(), hex::encode(random::<4>())));
        let path = dir.join("secret.key");
        let made = SecretBox::from_file_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = SecretBox::from_file(&path).unwrap();
        assert_eq!(again.open(&made.seal(b"x", b"c"), b"c").unwrap(), b"x");
        std::fs::remove_dir_all(&dir).unwrap();
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
