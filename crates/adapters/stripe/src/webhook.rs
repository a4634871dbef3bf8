//! `Stripe-Signature` verification.

use hmac::{Hmac, KeyInit, Mac};
use sha2_011::Sha256;

/// Why a webhook delivery did not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is missing a timestamp or any `v1` signature, or does not parse.
    #[error("the Stripe-Signature header is malformed: {0}")]
    Malformed(String),
    /// No `v1` signature matches the payload and the secret.
    #[error("no v1 signature matches the payload (wrong secret, or the payload was changed)")]
    Mismatch,
    /// The signature is older (or newer) than the tolerance allows: a replay, or a clock far off.
    #[error(
        "the signature's timestamp is {age} s away from now, more than the {tolerance} s allowed"
    )]
    Stale {
        /// Seconds between the timestamp and now.
        age: i64,
        /// The tolerance in seconds.
        tolerance: i64,
    },
}

/// The parts of a `Stripe-Signature` header.
fn parse_header(header: &str) -> Result<(i64, Vec<Vec<u8>>), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            continue;
        };
        match key {
            "t" => {
                timestamp = Some(value.parse::<i64>().map_err(|_| {
                    SignatureError::Malformed(format!("the timestamp `{value}` is not a number"))
                })?);
            }
            // Signatures that are not hex cannot match; they are skipped like unknown schemes.
            "v1" => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp =
        timestamp.ok_or_else(|| SignatureError::Malformed("no `t=` timestamp".to_owned()))?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed("no `v1=` signature".to_owned()));
    }
    Ok((timestamp, signatures))
}

/// Verifies a webhook delivery: `payload` is the raw body exactly as received, `header` the
/// `Stripe-Signature` value, `secret` the endpoint's signing secret as Stripe shows it
/// (`whsec_…`, used whole as the HMAC key), `now` the current Unix time, and `tolerance` the
/// largest accepted age in seconds (`None` checks no age: for replaying stored events by hand).
/// Returns the signature's timestamp.
///
/// # Errors
/// [`SignatureError`].
pub fn verify_signature(
    payload: &[u8],
    header: &str,
    secret: &str,
    now: i64,
    tolerance: Option<i64>,
) -> Result<i64, SignatureError> {
    let (timestamp, signatures) = parse_header(header)?;
    let matches = signatures.iter().any(|signature| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        // Constant-time comparison.
        mac.verify_slice(signature).is_ok()
    });
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    if let Some(tolerance) = tolerance {
        let age = now.saturating_sub(timestamp).saturating_abs();
        if age > tolerance {
            return Err(SignatureError::Stale { age, tolerance });
        }
    }
    Ok(timestamp)
}

/// Signs `payload` the way Stripe does (for tests and for replaying events to a local Kasa).
#[must_use]
pub fn sign(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;

    #[test]
    fn a_genuine_delivery_verifies_within_the_tolerance() {
        let header = sign(BODY, SECRET, 1_700_000_000);
        assert_eq!(
            verify_signature(BODY, &header, SECRET, 1_700_000_100, Some(300)),
            Ok(1_700_000_000)
        );
    }

    #[test]
    fn a_known_answer_from_the_hmac_definition() {
        // HMAC-SHA256(key "whsec_test_secret", "1700000000.{body}"), computed independently
        // with Python's hmac module.
        let header = sign(BODY, SECRET, 1_700_000_000);
        assert_eq!(
            header,
            "t=1700000000,v1=22d8dc182f5c588077683bd378368e29765bfe5df2560112b4f28fef120f0e31"
        );
    }

    #[test]
    fn any_matching_v1_passes_while_secrets_roll() {
        let good = sign(BODY, SECRET, 1_700_000_000);
        let good_v1 = good.split("v1=").nth(1).unwrap();
        let header = format!("t=1700000000,v1={},v0=abc,v1={good_v1}", "00".repeat(32));
        assert!(verify_signature(BODY, &header, SECRET, 1_700_000_000, Some(300)).is_ok());
    }

    #[test]
    fn tampered_payloads_wrong_secrets_and_stale_or_malformed_headers_fail() {
        let header = sign(BODY, SECRET, 1_700_000_000);
        let tampered = br#"{"id":"evt_1","type":"payment_intent.payment_failed"}"#;
        assert_eq!(
            verify_signature(tampered, &header, SECRET, 1_700_000_000, Some(300)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(BODY, &header, "whsec_other", 1_700_000_000, Some(300)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(BODY, &header, SECRET, 1_700_000_301, Some(300)),
            Err(SignatureError::Stale {
                age: 301,
                tolerance: 300
            })
        );
        assert!(verify_signature(BODY, &header, SECRET, 1_800_000_000, None).is_ok());
        for malformed in ["", "t=abc,v1=00", "v1=00", "t=1700000000"] {
            assert!(matches!(
                verify_signature(BODY, malformed, SECRET, 1_700_000_000, Some(300)),
                Err(SignatureError::Malformed(_))
            ));
        }
    }
}
