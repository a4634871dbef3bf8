//! The id of one request. A leaf: it imports nothing from the crate.

/// The id of one request: sent back as `X-Request-Id`, written in logs, the audit log and
/// problem documents.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);
