//! `kasa helpdesk verify …`: for an operator debugging a help desk's webhook, reads the raw
//! delivery body on standard input and says whether its signature verifies with the secret,
//! with the same checks the server runs; exits 0 only when it does, 1 when it does not (saying
//! why), 2 when the command itself is wrong.

use std::io::Read;
use std::process::ExitCode;

/// `kasa helpdesk …`.
#[derive(Debug, clap::Subcommand)]
pub enum HelpdeskCommand {
    /// Reads a delivery's raw body on standard input and says whether its signature verifies.
    #[command(subcommand)]
    Verify(VerifyCommand),
}

/// `kasa helpdesk verify …`.
#[derive(Debug, clap::Subcommand)]
pub enum VerifyCommand {
    /// A Zendesk webhook: X-Zendesk-Webhook-Signature is base64 HMAC-SHA256 of the
    /// X-Zendesk-Webhook-Signature-Timestamp value followed by the body.
    Zendesk {
        /// The webhook's signing secret (Zendesk admin: the webhook's "Signing secret").
        #[arg(long, env = "KASA_HELPDESK_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The X-Zendesk-Webhook-Signature-Timestamp header's value, exactly as sent.
        #[arg(long)]
        timestamp: String,
        /// The X-Zendesk-Webhook-Signature header's value.
        #[arg(long)]
        signature: String,
        /// Also fail when the timestamp is more than this many seconds from now; without it,
        /// freshness is not checked (for stored deliveries).
        #[arg(long)]
        tolerance: Option<u64>,
    },
    /// A Help Scout webhook or Dynamic App request: X-HelpScout-Signature is base64
    /// HMAC-SHA1 of the body.
    Helpscout {
        /// The secret set in Help Scout.
        #[arg(long, env = "KASA_HELPDESK_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The X-HelpScout-Signature header's value.
        #[arg(long)]
        signature: String,
    },
    /// Kasa's own webhook: Kasa-Signature is `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
    Events {
        /// The integration's webhook secret.
        #[arg(long, env = "KASA_HELPDESK_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The Kasa-Signature header's value.
        #[arg(long)]
        signature: String,
        /// The most seconds the signing time may be from now.
        #[arg(long, default_value_t = crate::api::helpdesk_events::inbound::DELIVERY_TOLERANCE_SECONDS)]
        tolerance: u64,
    },
}

/// Runs a `kasa helpdesk` command.
pub fn helpdesk(command: HelpdeskCommand) -> ExitCode {
    let HelpdeskCommand::Verify(command) = command;
    let mut body = Vec::new();
    if let Err(error) = std::io::stdin().read_to_end(&mut body) {
        eprintln!("error: cannot read standard input: {error}");
        return ExitCode::from(2);
    }
    let now = time::OffsetDateTime::now_utc();
    let result = match command {
        VerifyCommand::Zendesk {
            secret,
            timestamp,
            signature,
            tolerance,
        } => kasa_helpdesk::zendesk::signature::verify(
            &secret,
            &timestamp,
            &body,
            &signature,
            tolerance.map(
                |tolerance_seconds| kasa_helpdesk::zendesk::signature::Freshness {
                    now,
                    tolerance_seconds,
                },
            ),
        ),
        VerifyCommand::Helpscout { secret, signature } => {
            kasa_helpdesk::helpscout::signature::verify(&secret, &body, &signature)
        }
        VerifyCommand::Events {
            secret,
            signature,
            tolerance,
        } => kasa_helpdesk::generic::signature::verify(
            &secret,
            &signature,
            &body,
            now.unix_timestamp(),
            tolerance,
        )
        .map(|_| ()),
    };
    match result {
        Ok(()) => {
            println!("valid: the signature matches ({} bytes)", body.len());
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("invalid: {error}");
            ExitCode::FAILURE
        }
    }
}
