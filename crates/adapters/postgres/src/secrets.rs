//! Payment-system credentials at rest: sealed with ChaCha20-Poly1305 (ring's AEAD) under the
//! operator's secrets key, each bound to its gateway and credential name (ADR 0008).
//!
//! A sealed credential reads `v1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`: the version
//! names the algorithm and the associated data, the key id (from the key's SHA-256) tells a
//! wrong key apart from a damaged value, and the 96-bit nonce is random per sealing. In the
//! `payment_systems.credentials` column a sealed value is the object `{"sealed": "v1:…"}`; a
//! plain JSON string is a credential kept in clear (written before a key was configured, or by
//! the demo without one), so the two can never be mistaken for one another.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom as _, SystemRandom};
use serde::{Deserialize, Serialize};

/// The length of a secrets key, in bytes.
pub const SECRETS_KEY_BYTES: usize = 32;

/// The format this Kasa writes.
const FORMAT: &str = "v1";

/// The key payment-system credentials are sealed under: 32 random bytes, written in base64
/// (`openssl rand -base64 32`). `Debug` shows only its id.
#[derive(Clone)]
pub struct SecretsKey {
    bytes: [u8; SECRETS_KEY_BYTES],
    id: String,
}

impl SecretsKey {
    /// Reads a key written in standard base64 (surrounding white space, such as a file's final
    /// newline, is ignored).
    ///
    /// # Errors
    /// [`SecretsKeyError`] when the text is not base64 or not 32 bytes; the error never repeats
    /// the text.
    pub fn from_base64(text: &str) -> Result<Self, SecretsKeyError> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|_| SecretsKeyError::NotBase64)?;
        let bytes: [u8; SECRETS_KEY_BYTES] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| SecretsKeyError::WrongLength(bytes.len()))?;
        Ok(Self::from_bytes(bytes))
    }

    /// A new random key (tests; operators make theirs with `openssl rand -base64 32`).
    ///
    /// # Errors
    /// [`SecretsKeyError::NoRandomness`] when the operating system gives no random bytes.
    pub fn generate() -> Result<Self, SecretsKeyError> {
        let mut bytes = [0_u8; SECRETS_KEY_BYTES];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| SecretsKeyError::NoRandomness)?;
        Ok(Self::from_bytes(bytes))
    }

    fn from_bytes(bytes: [u8; SECRETS_KEY_BYTES]) -> Self {
        // Domain-separated, so the id is not a plain hash of the key used anywhere else.
        let mut input = b"kasa secrets key id\0".to_vec();
        input.extend_from_slice(&bytes);
        let digest = ring::digest::digest(&ring::digest::SHA256, &input);
        let id = digest.as_ref()[..4]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Self { bytes, id }
    }

    /// The key in base64, the way it is configured (for a test that hands a key to a process).
    #[must_use]
    pub fn expose_base64(&self) -> String {
        BASE64.encode(self.bytes)
    }

    /// The key's id: 8 hex digits from its SHA-256, written beside every value sealed under it.
    /// Not secret.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    fn aead(&self) -> LessSafeKey {
        // The only failure of `UnboundKey::new` is a key of the wrong length, which the type
        // rules out.
        LessSafeKey::new(
            UnboundKey::new(&CHACHA20_POLY1305, &self.bytes)
                .unwrap_or_else(|_| unreachable!("a 32-byte ChaCha20-Poly1305 key")),
        )
    }
}

impl PartialEq for SecretsKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for SecretsKey {}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SecretsKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a secrets key could not be read or made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsKeyError {
    /// Not base64.
    #[error(
        "a secrets key is 32 random bytes written in base64 (make one with \
         `openssl rand -base64 32`); this value is not base64"
    )]
    NotBase64,
    /// Base64, but not 32 bytes.
    #[error(
        "a secrets key is 32 random bytes written in base64 (make one with \
         `openssl rand -base64 32`); this value is {0} bytes"
    )]
    WrongLength(usize),
    /// The operating system gave no random bytes.
    #[error("the operating system's random number generator failed")]
    NoRandomness,
}

/// Why a sealed credential could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsealError {
    /// It is sealed and no key is configured.
    #[error("it is encrypted (key id {key_id}) and no secrets key is configured")]
    NoKey {
        /// The id of the key it was sealed under.
        key_id: String,
    },
    /// It is sealed under another key than the one configured.
    #[error(
        "it is encrypted with key id {sealed_with}, not with the configured key (id {configured})"
    )]
    WrongKey {
        /// The id of the key it was sealed under.
        sealed_with: String,
        /// The id of the configured key.
        configured: String,
    },
    /// A format this Kasa does not know (written by a newer one).
    #[error("it is sealed in format `{0}`, which this version of Kasa does not know")]
    UnknownFormat(String),
    /// Not `v1:<key id>:<base64>`.
    #[error("it is not a well-formed sealed value")]
    Malformed,
    /// The right key, but the value does not authenticate: changed, or moved from another
    /// gateway's or credential's field.
    #[error("it does not decrypt with its key: it was changed, or moved from another field")]
    Tampered,
    /// The operating system gave no random bytes for a nonce.
    #[error("the operating system's random number generator failed")]
    NoRandomness,
}

/// A credential as the `payment_systems.credentials` column holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum StoredCredential {
    /// `"value"`: in clear (before a key was configured, or the demo without one).
    Clear(String),
    /// `{"sealed": "v1:…"}`.
    Sealed {
        /// The sealed value.
        sealed: String,
    },
}

impl StoredCredential {
    /// Seals `secret` under `key`, or keeps it in clear when there is no key.
    pub(crate) fn seal(
        key: Option<&SecretsKey>,
        gateway: &str,
        name: &str,
        secret: &str,
    ) -> Result<Self, UnsealError> {
        match key {
            Some(key) => seal(key, gateway, name, secret).map(|sealed| Self::Sealed { sealed }),
            None => Ok(Self::Clear(secret.to_owned())),
        }
    }

    /// The value, opened with `key` when sealed.
    pub(crate) fn open(
        &self,
        key: Option<&SecretsKey>,
        gateway: &str,
        name: &str,
    ) -> Result<String, UnsealError> {
        match self {
            Self::Clear(value) => Ok(value.clone()),
            Self::Sealed { sealed } => open(key, gateway, name, sealed),
        }
    }

    /// The id of the key it is sealed under (`None` in clear or unreadable).
    pub(crate) fn key_id(&self) -> Option<&str> {
        match self {
            Self::Clear(_) => None,
            Self::Sealed { sealed } => sealed.split(':').nth(1),
        }
    }
}

/// What the sealed value is bound to: its format, its gateway and its credential name, each
/// length-prefixed so that no two (gateway, name) pairs give the same bytes.
fn associated_data(gateway: &str, name: &str) -> Vec<u8> {
    format!(
        "kasa payment-system credential {FORMAT}:{}:{gateway}:{}:{name}",
        gateway.len(),
        name.len()
    )
    .into_bytes()
}

/// Seals `secret` as the credential `name` of `gateway`: `v1:<key id>:<base64>`.
///
/// # Errors
/// [`UnsealError::NoRandomness`] when the operating system gives no random nonce.
pub(crate) fn seal(
    key: &SecretsKey,
    gateway: &str,
    name: &str,
    secret: &str,
) -> Result<String, UnsealError> {
    let mut nonce = [0_u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| UnsealError::NoRandomness)?;
    let mut in_out = secret.as_bytes().to_vec();
    key.aead()
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(associated_data(gateway, name)),
            &mut in_out,
        )
        // ring refuses only inputs longer than the algorithm allows (256 GiB here).
        .map_err(|_| UnsealError::Malformed)?;
    let mut sealed = nonce.to_vec();
    sealed.extend_from_slice(&in_out);
    Ok(format!("{FORMAT}:{}:{}", key.id(), BASE64.encode(sealed)))
}

/// Opens a value [`seal`] made for the same gateway and credential name.
///
/// # Errors
/// [`UnsealError`]: no key, a key with another id, an unknown format, a malformed value, or one
/// that does not authenticate (changed, or sealed for another field).
pub(crate) fn open(
    key: Option<&SecretsKey>,
    gateway: &str,
    name: &str,
    sealed: &str,
) -> Result<String, UnsealError> {
    let mut parts = sealed.splitn(3, ':');
    let (Some(format), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(UnsealError::Malformed);
    };
    if format != FORMAT {
        return Err(UnsealError::UnknownFormat(
            format.chars().take(16).collect::<String>(),
        ));
    }
    let key = key.ok_or_else(|| UnsealError::NoKey {
        key_id: key_id.to_owned(),
    })?;
    if key_id != key.id() {
        return Err(UnsealError::WrongKey {
            sealed_with: key_id.to_owned(),
            configured: key.id().to_owned(),
        });
    }
    let mut bytes = BASE64.decode(body).map_err(|_| UnsealError::Malformed)?;
    if bytes.len() < NONCE_LEN + CHACHA20_POLY1305.tag_len() {
        return Err(UnsealError::Malformed);
    }
    let nonce = Nonce::try_assume_unique_for_key(&bytes[..NONCE_LEN])
        .map_err(|_| UnsealError::Malformed)?;
    let plain = key
        .aead()
        .open_in_place(
            nonce,
            Aad::from(associated_data(gateway, name)),
            &mut bytes[NONCE_LEN..],
        )
        .map_err(|_| UnsealError::Tampered)?;
    String::from_utf8(plain.to_vec()).map_err(|_| UnsealError::Malformed)
}

/// A secret that does not open or seal, as a store error naming `what` it is: no key or another
/// key is the operator's to fix ([`StoreError::Unavailable`]); a damaged one is corrupt.
pub(crate) fn unsealable(what: &'static str) -> impl Fn(UnsealError) -> kasa_ports::StoreError {
    move |error| match error {
        UnsealError::NoKey { .. } | UnsealError::WrongKey { .. } | UnsealError::NoRandomness => {
            kasa_ports::StoreError::Unavailable(format!("{what}: {error}"))
        }
        UnsealError::UnknownFormat(_) | UnsealError::Malformed | UnsealError::Tampered => {
            crate::codec::corrupt(format!("{what}: {error}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretsKey {
        SecretsKey::generate().unwrap()
    }

    #[test]
    fn a_sealed_credential_opens_with_its_key_and_gateway_and_name() {
        let key = key();
        let sealed = seal(&key, "nestpay", "store_key", "TEST1234").unwrap();
        assert!(sealed.starts_with(&format!("v1:{}:", key.id())), "{sealed}");
        assert!(!sealed.contains("TEST1234"));
        assert_eq!(
            open(Some(&key), "nestpay", "store_key", &sealed).unwrap(),
            "TEST1234"
        );
        let empty = seal(&key, "stripe", "secret_key", "").unwrap();
        assert_eq!(
            open(Some(&key), "stripe", "secret_key", &empty).unwrap(),
            ""
        );
        let turkish = seal(&key, "stripe", "secret_key", "şifre-ğüİ").unwrap();
        assert_eq!(
            open(Some(&key), "stripe", "secret_key", &turkish).unwrap(),
            "şifre-ğüİ"
        );
    }

    #[test]
    fn every_sealing_uses_a_new_nonce() {
        let key = key();
        let first = seal(&key, "nestpay", "store_key", "same").unwrap();
        let second = seal(&key, "nestpay", "store_key", "same").unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn a_value_moved_to_another_field_or_gateway_does_not_open() {
        let key = key();
        let sealed = seal(&key, "nestpay", "api_password", "secret").unwrap();
        for (gateway, name) in [
            ("nestpay", "store_key"),
            ("stripe", "api_password"),
            // Length prefixes keep `a:b` + `c` apart from `a` + `b:c`.
            ("nestpay:api", "password"),
        ] {
            assert_eq!(
                open(Some(&key), gateway, name, &sealed),
                Err(UnsealError::Tampered),
                "{gateway}/{name}"
            );
        }
    }

    #[test]
    fn a_changed_value_is_tampered_and_a_broken_one_malformed() {
        let key = key();
        let sealed = seal(&key, "stripe", "webhook_secret", "whsec_x").unwrap();
        let prefix_len = format!("v1:{}:", key.id()).len();
        let mut bytes = BASE64.decode(&sealed[prefix_len..]).unwrap();
        for index in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[index] ^= 1;
            let changed = format!("{}{}", &sealed[..prefix_len], BASE64.encode(&bytes));
            assert_eq!(
                open(Some(&key), "stripe", "webhook_secret", &changed),
                Err(UnsealError::Tampered),
                "byte {index}"
            );
            bytes[index] ^= 1;
        }
        for broken in [
            "",
            "v1",
            &format!("v1:{}", key.id()),
            &format!("v1:{}:not base64!", key.id()),
            &format!("v1:{}:AAAA", key.id()),
        ] {
            assert_eq!(
                open(Some(&key), "stripe", "webhook_secret", broken),
                Err(UnsealError::Malformed),
                "{broken}"
            );
        }
        assert_eq!(
            open(
                Some(&key),
                "stripe",
                "webhook_secret",
                &sealed.replacen("v1", "v2", 1)
            ),
            Err(UnsealError::UnknownFormat("v2".to_owned()))
        );
    }

    #[test]
    fn a_wrong_key_or_no_key_is_told_apart_from_damage() {
        let (key, other) = (key(), key());
        assert_ne!(key.id(), other.id());
        let sealed = seal(&key, "nestpay", "store_key", "TEST1234").unwrap();
        assert_eq!(
            open(Some(&other), "nestpay", "store_key", &sealed),
            Err(UnsealError::WrongKey {
                sealed_with: key.id().to_owned(),
                configured: other.id().to_owned(),
            })
        );
        assert_eq!(
            open(None, "nestpay", "store_key", &sealed),
            Err(UnsealError::NoKey {
                key_id: key.id().to_owned()
            })
        );
        // Another key that claims the right id: it does not authenticate.
        let forged = sealed.replacen(key.id(), other.id(), 1);
        assert_eq!(
            open(Some(&other), "nestpay", "store_key", &forged),
            Err(UnsealError::Tampered)
        );
    }

    #[test]
    fn keys_are_read_from_base64_and_never_shown() {
        let key = SecretsKey::from_base64(&format!("  {}\n", BASE64.encode([7_u8; 32]))).unwrap();
        assert_eq!(key.expose_base64(), BASE64.encode([7_u8; 32]));
        assert_eq!(key.id().len(), 8);
        assert_eq!(
            SecretsKey::from_base64(&BASE64.encode([7_u8; 32]))
                .unwrap()
                .id(),
            key.id(),
            "the id depends on the key alone"
        );
        let shown = format!("{key:?}");
        assert_eq!(shown, format!("SecretsKey {{ id: \"{}\", .. }}", key.id()));
        assert_eq!(
            SecretsKey::from_base64("not base64!"),
            Err(SecretsKeyError::NotBase64)
        );
        assert_eq!(
            SecretsKey::from_base64(&BASE64.encode([7_u8; 16])),
            Err(SecretsKeyError::WrongLength(16))
        );
        let message = SecretsKeyError::WrongLength(16).to_string();
        assert!(message.contains("openssl rand -base64 32"), "{message}");
    }

    #[test]
    fn the_column_tells_clear_from_sealed() {
        let key = key();
        let clear: StoredCredential = serde_json::from_str("\"v1:abcd:xyz\"").unwrap();
        assert_eq!(clear, StoredCredential::Clear("v1:abcd:xyz".to_owned()));
        assert_eq!(
            clear.open(Some(&key), "nestpay", "store_key").unwrap(),
            "v1:abcd:xyz",
            "a clear value that looks sealed is still clear"
        );
        let sealed = StoredCredential::seal(Some(&key), "nestpay", "store_key", "k").unwrap();
        let json = serde_json::to_string(&sealed).unwrap();
        assert!(json.starts_with("{\"sealed\":\"v1:"), "{json}");
        let read: StoredCredential = serde_json::from_str(&json).unwrap();
        assert_eq!(read.key_id(), Some(key.id()));
        assert_eq!(read.open(Some(&key), "nestpay", "store_key").unwrap(), "k");
        assert_eq!(
            StoredCredential::seal(None, "nestpay", "store_key", "k").unwrap(),
            StoredCredential::Clear("k".to_owned())
        );
    }
}
