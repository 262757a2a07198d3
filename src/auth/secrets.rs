//! Secrets the server keeps for a user (a mailbox's password), sealed with
//! XChaCha20-Poly1305 under the server's key: `JOBCOPILOT_SECRET_KEY` (32
//! bytes, base64), or for the embedded default a key generated once into the
//! data directory (`secret.key`, readable by its owner only). A sealed value
//! is its random 24-byte nonce followed by the ciphertext and tag.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;
pub const KEY_FILE: &str = "secret.key";

/// The server's sealing key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(…)")
    }
}

/// Why a key could not be had, or a value not opened.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("JOBCOPILOT_SECRET_KEY must be 32 bytes in base64 (for example from `openssl rand -base64 32`)")]
    BadKey,
    #[error("the secret key file {0} could not be read or written: {1}")]
    KeyFile(String, String),
    #[error("a stored secret could not be opened (was JOBCOPILOT_SECRET_KEY changed?)")]
    Unreadable,
}

impl SecretBox {
    /// A box from a base64 key.
    pub fn from_base64(key: &str) -> Result<SecretBox, SecretError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .map_err(|_| SecretError::BadKey)?;
        if bytes.len() != 32 {
            return Err(SecretError::BadKey);
        }
        Ok(SecretBox {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&bytes)),
        })
    }

    /// The key kept in `dir` (made once, mode 0600, when there is none).
    pub fn in_dir(dir: &Path) -> Result<SecretBox, SecretError> {
        let path = dir.join(KEY_FILE);
        let shown = path.display().to_string();
        let failed = |e: std::io::Error| SecretError::KeyFile(shown.clone(), e.to_string());
        match std::fs::read_to_string(&path) {
            Ok(text) => SecretBox::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(failed)?;
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                let text = base64::engine::general_purpose::STANDARD.encode(key);
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode_owner_only()
                    .open(&path)
                    .map_err(failed)?;
                file.write_all(text.as_bytes()).map_err(failed)?;
                SecretBox::from_base64(&text)
            }
            Err(e) => Err(failed(e)),
        }
    }

    /// Seals `plain` under a fresh random nonce.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        // Encryption with a valid key and nonce does not fail.
        out.extend(
            self.cipher
                .encrypt(&nonce, plain.as_bytes())
                .unwrap_or_default(),
        );
        out
    }

    /// Opens a sealed value (a wrong key or a changed byte fails).
    pub fn open(&self, sealed: &[u8]) -> Result<String, SecretError> {
        if sealed.len() <= NONCE_LEN {
            return Err(SecretError::Unreadable);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| SecretError::Unreadable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Unreadable)
    }
}

/// The server's box: from `JOBCOPILOT_SECRET_KEY` when set, else (the
/// embedded default, `embedded_dir` given) the key kept there; None with
/// neither (then no mailbox can be connected).
pub fn server_box(
    secret_key: Option<&str>,
    embedded_dir: Option<&Path>,
) -> Option<Result<SecretBox, SecretError>> {
    match (secret_key, embedded_dir) {
        (Some(key), _) => Some(SecretBox::from_base64(key)),
        (None, Some(dir)) => Some(SecretBox::in_dir(dir)),
        (None, None) => None,
    }
}

/// `create_new` files readable by their owner only.
trait OwnerOnly {
    fn mode_owner_only(&mut self) -> &mut Self;
}

impl OwnerOnly for std::fs::OpenOptions {
    fn mode_owner_only(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(0o600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only_and_never_shows_in_the_clear() {
        let a = SecretBox::from_base64("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap();
        let b =
            SecretBox::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32]))
                .unwrap();
        let sealed = a.seal("app password 123");
        assert!(!String::from_utf8_lossy(&sealed).contains("password"));
        assert_ne!(
            sealed,
            a.seal("app password 123"),
            "a fresh nonce each time"
        );
        assert_eq!(a.open(&sealed).unwrap(), "app password 123");
        assert!(b.open(&sealed).is_err());
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert!(a.open(&changed).is_err());
        assert!(SecretBox::from_base64("short").is_err());
    }

    #[test]
    fn the_embedded_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = SecretBox::in_dir(dir.path()).unwrap();
        let sealed = first.seal("x");
        let again = SecretBox::in_dir(dir.path()).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "x");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
