//! Renders issued documents (invoices, receipts, credit notes) as files for customers.

use crate::Invoice;

/// Why a document could not be rendered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the document could not be rendered: {0}")]
pub struct DocumentError(pub String);

/// Turns an issued document into a file (Kasa's is a PDF, `kasa-pdf`).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait DocumentRenderer: Send + Sync {
    /// The file's MIME type, e.g. `application/pdf`.
    fn content_type(&self) -> &'static str;

    /// The file name's extension, e.g. `pdf`.
    fn extension(&self) -> &'static str;

    /// Renders `invoice`.
    ///
    /// # Errors
    /// [`DocumentError`] when the renderer fails.
    fn render(&self, invoice: &Invoice) -> Result<Vec<u8>, DocumentError>;
}
