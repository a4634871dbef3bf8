//! `kasa webhooks verify`: checks a delivery of Kasa's own outgoing webhooks the way a receiver
//! should (ADR 0022, docs/webhooks.md): the body from standard input, exactly as received, the
//! `Kasa-Signature` header and the endpoint's secret. Exit 0: genuine and fresh; 1: not; 2: the
//! arguments or input could not be read.

use std::process::ExitCode;

use clap::Subcommand;

/// `kasa webhooks …`.
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Verifies an outgoing webhook delivery: the raw body on standard input, its
    /// `Kasa-Signature` header and the endpoint's secret.
    Verify {
        /// The endpoint's signing secret (`whsec_…`, shown when the endpoint was made).
        #[arg(long, env = "KASA_WEBHOOK_SECRET")]
        secret: String,
        /// The `Kasa-Signature` header's value (`t=…,v1=…`), with or without its name.
        #[arg(long)]
        header: String,
        /// The largest accepted distance between the signature's time and now, in seconds.
        #[arg(long, default_value_t = kasa_webhooks::TOLERANCE_SECONDS)]
        tolerance: i64,
    },
}

/// Runs a `kasa webhooks` command.
pub fn webhooks(command: WebhooksCommand) -> ExitCode {
    let WebhooksCommand::Verify {
        secret,
        header,
        tolerance,
    } = command;
    if tolerance < 0 {
        eprintln!("error: --tolerance is a number of seconds, 0 or more");
        return ExitCode::from(2);
    }
    let body = match crate::tools::read_stdin() {
        Ok(body) => body,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let value = header
        .split_once(':')
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case(kasa_webhooks::HEADER))
        .map_or(header.as_str(), |(_, value)| value)
        .trim();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    match kasa_webhooks::verify(&body, value, &secret, now, tolerance) {
        Ok(timestamp) => {
            println!(
                "valid: the signature matches ({} bytes, signed at {timestamp})",
                body.len()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("invalid: {error}");
            ExitCode::FAILURE
        }
    }
}
