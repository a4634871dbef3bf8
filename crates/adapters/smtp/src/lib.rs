//! Kasa's mailer on lettre: hands a rendered message to an SMTP server, over STARTTLS, implicit
//! TLS or (for a local test server) plain TCP, with authentication when configured.
//!
//! Promises: a message counts as sent only when the server accepted it; the server's answer
//! is sorted into [`MailError::Rejected`] (permanent: retrying the same message cannot help) or
//! [`MailError::Unavailable`] (temporary, a connection failure, a timeout: retry later), which
//! is what the outbox worker's retry decision rests on. The password is never logged.

use std::time::Duration;

use async_trait::async_trait;
use kasa_domain::EmailAddress;
use kasa_ports::{EmailMessage, MailError, Mailer, Secret};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection to the mail server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain TCP upgraded with STARTTLS (usually port 587). The default.
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption: only for a mail server on the same machine (tests, a local relay).
    None,
}

/// Where and how to send.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    /// The server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// Encryption.
    pub security: SmtpSecurity,
    /// User name and password, when the server wants them.
    pub credentials: Option<(String, Secret)>,
    /// The sender shown on every message.
    pub from: EmailAddress,
    /// The sender's display name.
    pub from_name: String,
    /// How long one delivery may take.
    pub timeout: Duration,
}

/// Why the mailer could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("the SMTP server `{host}` cannot be used: {reason}")]
pub struct SmtpSetupError {
    host: String,
    reason: String,
}

/// The SMTP mailer.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SmtpMailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Prepares the mailer (connections are opened when sending, and pooled).
    ///
    /// # Errors
    /// [`SmtpSetupError`] for a host name TLS cannot use or a sender that is not an address.
    pub fn new(config: &SmtpConfig) -> Result<Self, SmtpSetupError> {
        let setup_error = |reason: String| SmtpSetupError {
            host: config.host.clone(),
            reason,
        };
        let builder = match config.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(|error| setup_error(error.to_string()))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|error| setup_error(error.to_string()))?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
            }
        };
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let Some((user, password)) = &config.credentials {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        let from = Mailbox::new(
            Some(config.from_name.clone()),
            config
                .from
                .as_str()
                .parse()
                .map_err(|error: lettre::address::AddressError| setup_error(error.to_string()))?,
        );
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    fn message(&self, email: &EmailMessage) -> Result<Message, MailError> {
        let rejected = |what: &str, error: &dyn std::fmt::Display| {
            MailError::Rejected(format!("{what}: {error}"))
        };
        let mailbox = |address: &EmailAddress| -> Result<Mailbox, MailError> {
            address
                .as_str()
                .parse::<lettre::Address>()
                .map(|address| Mailbox::new(None, address))
                .map_err(|error| rejected("address", &error))
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(email.subject.clone())
            .message_id(
                email
                    .identity
                    .as_ref()
                    .map(|identity| format!("<{identity}@{}>", self.from.email.domain())),
            );
        if email.to.is_empty() {
            return Err(MailError::Rejected(
                "a message needs a recipient".to_owned(),
            ));
        }
        for to in &email.to {
            builder = builder.to(mailbox(to)?);
        }
        for cc in &email.cc {
            builder = builder.cc(mailbox(cc)?);
        }
        if let Some(reply_to) = &email.reply_to {
            builder = builder.reply_to(mailbox(reply_to)?);
        }
        let text = SinglePart::plain(email.text_body.clone());
        let body = match &email.html_body {
            Some(html) => MultiPart::alternative()
                .singlepart(text)
                .singlepart(SinglePart::html(html.clone())),
            None => MultiPart::mixed().singlepart(text),
        };
        let body = email.attachments.iter().try_fold(
            MultiPart::mixed().multipart(body),
            |mixed, attachment| {
                let content_type = ContentType::parse(&attachment.content_type)
                    .map_err(|error| rejected("attachment type", &error))?;
                Ok::<_, MailError>(
                    mixed.singlepart(
                        Attachment::new(attachment.file_name.clone())
                            .body(attachment.bytes.clone(), content_type),
                    ),
                )
            },
        )?;
        builder
            .multipart(body)
            .map_err(|error| rejected("message", &error))
    }
}

/// Sorts lettre's answer into permanent and temporary.
fn mail_error(error: &lettre::transport::smtp::Error) -> MailError {
    if error.is_permanent() {
        MailError::Rejected(error.to_string())
    } else {
        MailError::Unavailable(error.to_string())
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &EmailMessage) -> Result<(), MailError> {
        let message = self.message(email)?;
        match self.transport.send(message).await {
            Ok(response) => {
                tracing::debug!(code = %response.code(), "the mail server accepted a message");
                Ok(())
            }
            Err(error) => Err(mail_error(&error)),
        }
    }
}
