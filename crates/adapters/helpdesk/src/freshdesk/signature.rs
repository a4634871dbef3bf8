//! Freshdesk automation webhooks are not signed: the operator adds a custom header
//! (`X-Kasa-Secret`) with the integration's webhook secret, or basic auth with it as the
//! password, to the rule's "Trigger webhook" action. Kasa compares it in constant time.

use crate::signature::{SignatureError, same_secret};

/// The header the operator adds to the automation rule's webhook.
pub const SECRET_HEADER: &str = "X-Kasa-Secret";

/// Checks the shared secret a Freshdesk delivery carries (`None`: the header and basic auth
/// were both absent).
pub fn verify(configured: &str, sent: Option<&str>) -> Result<(), SignatureError> {
    let sent = sent.ok_or(SignatureError::Missing(SECRET_HEADER))?;
    if same_secret(sent, configured) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_secret_passes() {
        assert_eq!(verify("s3cret-value", Some("s3cret-value")), Ok(()));
        assert_eq!(
            verify("s3cret-value", Some("s3cret-valuE")),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("s3cret-value", Some("s3cret")),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("s3cret-value", Some("")),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify("s3cret-value", None),
            Err(SignatureError::Missing(SECRET_HEADER))
        );
    }
}
