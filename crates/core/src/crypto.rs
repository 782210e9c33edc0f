//! Secrets at rest: AES-256-GCM under the master key, with the key's id stored beside each ciphertext
//! so that `roster rotate-key` can re-seal everything under a new key.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use roster_store::SealedSecret;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

/// Why a secret could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the secret was sealed with key id {0}, which is not configured")]
    UnknownKey(String),
    #[error("the secret does not decrypt under key id {0} (wrong key, or the data was altered)")]
    Corrupt(String),
}

/// One 256-bit key and its public id.
#[derive(Clone)]
struct Key {
    id: String,
    cipher: Aes256Gcm,
}

/// The current master key, plus previous keys still accepted for opening during a rotation.
#[derive(Clone)]
pub struct Keyring {
    current: Key,
    previous: Vec<Key>,
    signer: CookieSigner,
}

/// Signs cookie values Roster reads back (the flash), so a value set by anyone else — another
/// site sharing the parent domain, a proxy, a hand-made request — is ignored.
#[derive(Clone)]
pub struct CookieSigner {
    key: [u8; 32],
}

impl std::fmt::Debug for CookieSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieSigner(..)")
    }
}

type HmacSha256 = hmac::Hmac<Sha256>;

impl CookieSigner {
    /// The signing key derived from the master key (so every instance of a cluster agrees).
    pub fn derive(master: &[u8; 32]) -> Self {
        use hmac::Mac;
        // HMAC takes keys of any length; the error arm cannot happen.
        let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(master) else {
            return Self::random();
        };
        mac.update(b"roster cookie signing v1");
        Self {
            key: mac.finalize().into_bytes().into(),
        }
    }

    /// A key of this process alone (when no master key is configured, as in some tests).
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self { key }
    }

    fn tag(&self, value: &str) -> Vec<u8> {
        use hmac::Mac;
        // HMAC takes keys of any length; an empty tag (which verifies nothing) cannot happen.
        let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(&self.key) else {
            return Vec::new();
        };
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// `value` with its signature appended (`value.signature`); `value` must not contain `.`.
    pub fn sign(&self, value: &str) -> String {
        format!("{value}.{}", hex::encode(self.tag(value)))
    }

    /// The value of a signed cookie, if the signature is this signer's.
    pub fn verify<'a>(&self, signed: &'a str) -> Option<&'a str> {
        let (value, tag) = signed.rsplit_once('.')?;
        let tag = hex::decode(tag).ok()?;
        use subtle::ConstantTimeEq;
        let expected = self.tag(value);
        (!expected.is_empty() && bool::from(expected.ct_eq(&tag))).then_some(value)
    }
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Keyring(current {}, {} previous)",
            self.current.id,
            self.previous.len()
        )
    }
}

/// Whether two secrets are the same, in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The public id of a key: the first 8 hex digits of its SHA-256.
pub fn key_id(key: &[u8; 32]) -> String {
    hex::encode(&Sha256::digest(key)[..4])
}

fn make(key: &[u8; 32]) -> Key {
    Key {
        id: key_id(key),
        cipher: Aes256Gcm::new(key.into()),
    }
}

impl Keyring {
    pub fn new(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        Self {
            current: make(current),
            previous: previous.iter().map(make).collect(),
            signer: CookieSigner::derive(current),
        }
    }

    /// The signer for cookies, derived from the current key.
    pub fn cookie_signer(&self) -> &CookieSigner {
        &self.signer
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain`, binding it to `context` (the workspace id), under the current key.
    pub fn seal(&self, plain: &str, context: &[u8]) -> SealedSecret {
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .current
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context,
                },
            )
            .unwrap_or_default();
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        SealedSecret {
            key_id: self.current.id.clone(),
            blob,
        }
    }

    /// Opens a sealed secret with whichever configured key sealed it.
    pub fn open(&self, sealed: &SealedSecret, context: &[u8]) -> Result<SecretString, CryptoError> {
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == sealed.key_id)
            .ok_or_else(|| CryptoError::UnknownKey(sealed.key_id.clone()))?;
        if sealed.blob.len() < 12 + 16 {
            return Err(CryptoError::Corrupt(sealed.key_id.clone()));
        }
        let (nonce, ct) = sealed.blob.split_at(12);
        let plain = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: context,
                },
            )
            .map_err(|_| CryptoError::Corrupt(sealed.key_id.clone()))?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| CryptoError::Corrupt(sealed.key_id.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_cookies_verify_only_with_their_key_and_unaltered() {
        let signer = CookieSigner::derive(&[7u8; 32]);
        let signed = signer.sign("eyJub3RpY2UiOiJoaSJ9");
        assert_eq!(signer.verify(&signed), Some("eyJub3RpY2UiOiJoaSJ9"));
        assert_eq!(
            CookieSigner::derive(&[7u8; 32]).verify(&signed),
            Some("eyJub3RpY2UiOiJoaSJ9"),
            "same key, same signer"
        );
        assert_eq!(CookieSigner::derive(&[8u8; 32]).verify(&signed), None);
        assert_eq!(signer.verify("eyJub3RpY2UiOiJieWUifQ"), None, "unsigned");
        let altered = signed.replacen("eyJub", "eyJvb", 1);
        assert_eq!(signer.verify(&altered), None);
    }
    use secrecy::ExposeSecret;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_context() {
        let ring = Keyring::new(&[7; 32], &[]);
        let s = ring.seal("Abc8Q~value", b"ws-1");
        assert_eq!(s.key_id, ring.current_id());
        assert!(
            !s.blob.windows(5).any(|w| w == b"Abc8Q"),
            "no plaintext in the blob"
        );
        assert_eq!(
            ring.open(&s, b"ws-1").unwrap().expose_secret(),
            "Abc8Q~value"
        );
        assert!(matches!(
            ring.open(&s, b"ws-2"),
            Err(CryptoError::Corrupt(_))
        ));
        let other = Keyring::new(&[8; 32], &[]);
        assert!(matches!(
            other.open(&s, b"ws-1"),
            Err(CryptoError::UnknownKey(_))
        ));
    }

    #[test]
    fn a_previous_key_still_opens_during_rotation() {
        let old = Keyring::new(&[1; 32], &[]);
        let s = old.seal("secret", b"ws");
        let rotated = Keyring::new(&[2; 32], &[[1; 32]]);
        assert_eq!(rotated.open(&s, b"ws").unwrap().expose_secret(), "secret");
        let resealed = rotated.seal("secret", b"ws");
        assert_ne!(resealed.key_id, s.key_id);
    }

    #[test]
    fn two_seals_of_the_same_secret_differ() {
        let ring = Keyring::new(&[3; 32], &[]);
        assert_ne!(ring.seal("x", b"w").blob, ring.seal("x", b"w").blob);
    }
}
