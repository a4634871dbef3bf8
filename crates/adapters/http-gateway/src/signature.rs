//! The `Kasa-Signature` header, as on Kasa's outgoing webhooks (ADR 0022, Stripe's scheme):
//! `t=<unix seconds>,v1=<lower-case hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the
//! payment system's shared secret. Kasa signs each request; the integrator signs each answer
//! and each result its payment page sends back through the customer's browser. A signature
//! further than [`TOLERANCE_SECONDS`] from now is refused, so a captured message cannot be
//! replayed later. (Adapters may not depend on each other, so this is kasa-webhooks' scheme
//! written again, with the same test vector.)

use ring::hmac;

/// The header's name (also the form field `kasa_signature` of a browser return).
pub const HEADER: &str = "Kasa-Signature";

/// How far from now a signature's timestamp may be: five minutes.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a message does not verify (all of them reach the port as
/// [`kasa_ports::GatewayError::InvalidSignature`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// Not `t=…,v1=…`.
    Malformed,
    /// No `v1` matches the body and secret.
    Mismatch,
    /// The timestamp is further from now than the tolerance.
    Stale,
}

/// The header value for `body` signed with `secret` at `timestamp` (unix seconds).
#[must_use]
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut context = hmac::Context::with_key(&key);
    context.update(timestamp.to_string().as_bytes());
    context.update(b".");
    context.update(body);
    format!("t={timestamp},v1={}", hex::encode(context.sign()))
}

/// Checks `header` against `body` and `secret` at `now` (unix seconds), in constant time.
///
/// # Errors
/// [`SignatureError`].
pub fn verify(body: &[u8], header: &str, secret: &str, now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                );
            }
            Some(("v1", value)) => {
                signatures.push(hex::decode(value).map_err(|_| SignatureError::Malformed)?);
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = timestamp.to_string().into_bytes();
    signed.push(b'.');
    signed.extend_from_slice(body);
    if !signatures
        .iter()
        .any(|signature| hmac::verify(&key, &signed, signature).is_ok())
    {
        return Err(SignatureError::Mismatch);
    }
    if now.saturating_sub(timestamp).saturating_abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_example_verifies_and_a_changed_byte_does_not() {
        // docs/http-gateway.md's example.
        let body = br#"{"operation":"status","order_id":"KSA-1"}"#;
        let header = sign(body, "shared-secret", 1_800_000_000);
        // The same bytes as examples/http-gateway/receiver.py's `sign` and the docs.
        assert_eq!(
            header,
            "t=1800000000,v1=464c11b006de7b1762da5bd2038ab6f145a72553dfe9cb3d8bedd62efb6d8c30"
        );
        assert_eq!(
            verify(body, &header, "shared-secret", 1_800_000_100),
            Ok(())
        );
        let mut tampered = body.to_vec();
        tampered[30] ^= 1;
        assert_eq!(
            verify(&tampered, &header, "shared-secret", 1_800_000_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(body, &header, "another-secret", 1_800_000_100),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(body, &header, "shared-secret", 1_800_000_301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(body, "v1=00", "shared-secret", 1_800_000_000),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(body, "", "shared-secret", 1_800_000_000),
            Err(SignatureError::Malformed)
        );
    }
}
