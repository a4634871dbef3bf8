//! What the vendors' signature checks share: the reasons a delivery is refused, and the
//! constant-time comparisons they rest on.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;

/// Why a delivery's signature does not verify. Each reason is said so an operator debugging a
/// setup knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header carrying the signature (or the shared secret) is absent.
    #[error("the {0} header is missing")]
    Missing(&'static str),
    /// The signature is not base64.
    #[error("the signature is not base64")]
    NotBase64,
    /// The signature is well formed but was not made with this secret over this body.
    #[error(
        "the signature does not match this body and secret (wrong secret, or the body was changed on the way)"
    )]
    Mismatch,
    /// The timestamp is not one the vendor sends.
    #[error("the timestamp {0:?} is not an RFC 3339 time")]
    BadTimestamp(String),
    /// The delivery was signed too long ago (or too far in the future) to be accepted.
    #[error(
        "the delivery was signed {age_seconds} s from now, outside the {tolerance_seconds} s allowed"
    )]
    Stale {
        /// How far the signing time is from now, in seconds (positive: in the past).
        age_seconds: i64,
        /// The tolerance it was checked against.
        tolerance_seconds: u64,
    },
}

/// Checks that `signature_base64` is the base64 HMAC of `message` with `secret`, in constant
/// time.
pub(crate) fn verify_hmac(
    algorithm: hmac::Algorithm,
    secret: &[u8],
    message: &[&[u8]],
    signature_base64: &str,
) -> Result<(), SignatureError> {
    let signature = STANDARD
        .decode(signature_base64.trim())
        .map_err(|_| SignatureError::NotBase64)?;
    // ring's verify compares in constant time.
    let key = hmac::Key::new(algorithm, secret);
    hmac::verify(&key, &message.concat(), &signature).map_err(|_| SignatureError::Mismatch)
}

/// The base64 HMAC of `message` with `secret`: what a vendor would send (tests, and the
/// operator's `kasa helpdesk sign` helpers).
pub(crate) fn sign_hmac(algorithm: hmac::Algorithm, secret: &[u8], message: &[&[u8]]) -> String {
    let key = hmac::Key::new(algorithm, secret);
    let mut context = hmac::Context::with_key(&key);
    for part in message {
        context.update(part);
    }
    STANDARD.encode(context.sign().as_ref())
}

/// Compares a shared secret sent in a header with the configured one in constant time (an HMAC
/// of the sent value checked against the configured one, so neither the content nor the length
/// leaks through timing).
pub fn same_secret(sent: &str, configured: &str) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, configured.as_bytes());
    let tag = hmac::sign(&key, configured.as_bytes());
    hmac::verify(&key, sent.as_bytes(), tag.as_ref()).is_ok()
}
