//! Zendesk's webhook signature (developer.zendesk.com, "Verifying webhook authenticity"):
//! `X-Zendesk-Webhook-Signature` is `base64(HMAC-SHA256(secret, TIMESTAMP + BODY))`, where
//! TIMESTAMP is the `X-Zendesk-Webhook-Signature-Timestamp` header's value exactly as sent
//! (an RFC 3339 time such as `2026-12-04T10:15:00Z`) and BODY the raw request body.

use ring::hmac;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::signature::{SignatureError, sign_hmac, verify_hmac};

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Zendesk-Webhook-Signature";
/// The header carrying the signing time.
pub const TIMESTAMP_HEADER: &str = "X-Zendesk-Webhook-Signature-Timestamp";

/// How fresh a delivery must be: its signing time within `tolerance_seconds` of `now`.
#[derive(Debug, Clone, Copy)]
pub struct Freshness {
    /// The time to check against (the clock's now).
    pub now: OffsetDateTime,
    /// How far from `now` the signing time may be, in seconds, either way.
    pub tolerance_seconds: u64,
}

/// Checks a Zendesk delivery: the signature first, then (with `freshness`) the timestamp's age.
pub fn verify(
    secret: &str,
    timestamp: &str,
    body: &[u8],
    signature: &str,
    freshness: Option<Freshness>,
) -> Result<(), SignatureError> {
    verify_hmac(
        hmac::HMAC_SHA256,
        secret.as_bytes(),
        &[timestamp.as_bytes(), body],
        signature,
    )?;
    if let Some(freshness) = freshness {
        let signed = OffsetDateTime::parse(timestamp.trim(), &Rfc3339)
            .map_err(|_| SignatureError::BadTimestamp(timestamp.to_owned()))?;
        let age_seconds = (freshness.now - signed).whole_seconds();
        if age_seconds.unsigned_abs() > freshness.tolerance_seconds {
            return Err(SignatureError::Stale {
                age_seconds,
                tolerance_seconds: freshness.tolerance_seconds,
            });
        }
    }
    Ok(())
}

/// The signature Zendesk would send for this timestamp and body (tests, local simulations).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    sign_hmac(
        hmac::HMAC_SHA256,
        secret.as_bytes(),
        &[timestamp.as_bytes(), body],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const SECRET: &str = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
    const TIMESTAMP: &str = "2026-12-04T10:15:00Z";
    const BODY: &[u8] = br#"{"ticket":{"id":35436,"requester":{"email":"ayse@example.com"}}}"#;

    /// Computed outside Kasa: `printf '%s%s' "$TIMESTAMP" "$BODY" | openssl dgst -sha256 -hmac
    /// "$SECRET" -binary | base64`.
    const EXPECTED: &str = "cMWs2qtinIMYKtLzK6iObTjcK8783ZPvbHA7eqMIUc8=";

    fn fresh(seconds_later: i64, tolerance_seconds: u64) -> Option<Freshness> {
        Some(Freshness {
            now: datetime!(2026-12-04 10:15:00 UTC) + time::Duration::seconds(seconds_later),
            tolerance_seconds,
        })
    }

    #[test]
    fn a_signature_computed_by_the_documented_formula_verifies() {
        assert_eq!(sign(SECRET, TIMESTAMP, BODY), EXPECTED);
        assert_eq!(verify(SECRET, TIMESTAMP, BODY, EXPECTED, None), Ok(()));
        assert_eq!(
            verify(SECRET, TIMESTAMP, BODY, EXPECTED, fresh(299, 300)),
            Ok(())
        );
    }

    #[test]
    fn tampered_wrong_secret_garbled_and_stale_deliveries_are_refused() {
        let tampered = br#"{"ticket":{"id":35437,"requester":{"email":"ayse@example.com"}}}"#;
        assert_eq!(
            verify(SECRET, TIMESTAMP, tampered, EXPECTED, None),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("other", TIMESTAMP, BODY, EXPECTED, None),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, "2026-12-04T10:15:01Z", BODY, EXPECTED, None),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, TIMESTAMP, BODY, "not base64!", None),
            Err(SignatureError::NotBase64)
        );
        assert_eq!(
            verify(SECRET, TIMESTAMP, BODY, EXPECTED, fresh(301, 300)),
            Err(SignatureError::Stale {
                age_seconds: 301,
                tolerance_seconds: 300
            })
        );
        assert_eq!(
            verify(SECRET, TIMESTAMP, BODY, EXPECTED, fresh(-301, 300)),
            Err(SignatureError::Stale {
                age_seconds: -301,
                tolerance_seconds: 300
            })
        );
    }
}
