//! Any other help desk (including one a customer built): Kasa's own signed webhook, documented
//! in docs/help-desk-events.md with curl and Python examples.

pub mod event;
pub mod signature;
