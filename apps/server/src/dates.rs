//! Times as the API, pages and logs write them. A leaf: it imports nothing from the crate.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A time as RFC 3339 text.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}
