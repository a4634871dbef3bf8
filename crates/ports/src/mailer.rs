//! The mailer: hands one message to a mail server.

use async_trait::async_trait;
use kasa_domain::EmailAddress;
use serde::{Deserialize, Serialize};

/// A file attached to an e-mail (an invoice PDF, for example).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAttachment {
    /// The file name shown to the reader.
    pub file_name: String,
    /// The MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// One rendered e-mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMessage {
    /// Main recipients (at least one).
    pub to: Vec<EmailAddress>,
    /// Copy recipients.
    pub cc: Vec<EmailAddress>,
    /// Where replies go, if not to the sender.
    pub reply_to: Option<EmailAddress>,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text_body: String,
    /// The HTML alternative, if any.
    pub html_body: Option<String>,
    /// Attached files.
    pub attachments: Vec<EmailAttachment>,
    /// The message's stable identity (e.g. `kasa.<outbox message id>`): the mailer makes it the
    /// `Message-ID` header, `<identity@sender's domain>`. A message sent again after a crash
    /// (unavoidable with SMTP when the server held the message's data) carries the same one, so
    /// receivers can recognise the duplicate. `None`: the mailer makes a fresh one.
    pub identity: Option<String>,
}

/// Why a message was not handed over.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The server refused the message for good (bad address, message too large); retrying the
    /// same message will not help.
    #[error("the mail server rejected the message: {0}")]
    Rejected(String),
    /// The server could not be reached or answered with a temporary failure; retry later.
    #[error("the mail server is unavailable: {0}")]
    Unavailable(String),
}

/// Sends e-mail.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Hands `message` to the mail server. Returns only once the server has accepted it.
    ///
    /// # Errors
    /// [`MailError::Rejected`] for a permanent refusal, [`MailError::Unavailable`] for anything
    /// that may succeed later.
    async fn send(&self, message: &EmailMessage) -> Result<(), MailError>;
}
