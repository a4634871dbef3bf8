//! The id of one request. A leaf: it imports nothing from the crate.

/// The id of one request: sent back as `X-Request-Id`, written in logs, the audit log and
/// problem documents.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id the middleware gave `request`, if it went through it.
    pub fn of(request: &poem::Request) -> Option<String> {
        request.extensions().get::<Self>().map(|id| id.0.clone())
    }
}
