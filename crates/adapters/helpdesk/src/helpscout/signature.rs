//! Help Scout's signature, the same on webhooks and on Dynamic App requests
//! (developer.helpscout.com): `X-HelpScout-Signature` is `base64(HMAC-SHA1(secret, BODY))`
//! over the raw request body. Help Scout sends no timestamp, so freshness is checked by the
//! caller (replays are refused by what the delivery names: a conversation charged once).

use ring::hmac;

use crate::signature::{SignatureError, sign_hmac, verify_hmac};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-HelpScout-Signature";

/// Checks a Help Scout delivery's signature over its raw body.
pub fn verify(secret: &str, body: &[u8], signature: &str) -> Result<(), SignatureError> {
    verify_hmac(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        secret.as_bytes(),
        &[body],
        signature,
    )
}

/// The signature Help Scout would send for this body (tests, local simulations).
pub fn sign(secret: &str, body: &[u8]) -> String {
    sign_hmac(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        secret.as_bytes(),
        &[body],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "helpscout-app-secret-for-tests";
    const BODY: &[u8] =
        br#"{"id":2391938111,"number":349,"type":"email","customer":{"email":"ayse@example.com"}}"#;

    /// Computed outside Kasa: `printf '%s' "$BODY" | openssl dgst -sha1 -hmac "$SECRET" -binary
    /// | base64`.
    const EXPECTED: &str = "qXylJFxrXj/Gm2hCcaSIVAJbVj4=";

    #[test]
    fn a_signature_computed_by_the_documented_formula_verifies() {
        assert_eq!(sign(SECRET, BODY), EXPECTED);
        assert_eq!(verify(SECRET, BODY, EXPECTED), Ok(()));
    }

    #[test]
    fn tampered_wrong_secret_and_garbled_signatures_are_refused() {
        let tampered = br#"{"id":2391938112,"number":349,"type":"email","customer":{"email":"ayse@example.com"}}"#;
        assert_eq!(
            verify(SECRET, tampered, EXPECTED),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("other", BODY, EXPECTED),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verify(SECRET, BODY, "%%%"), Err(SignatureError::NotBase64));
        assert_eq!(verify(SECRET, BODY, ""), Err(SignatureError::Mismatch));
    }
}
