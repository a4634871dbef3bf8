//! Operators' debugging commands for payment integrations: they read what a gateway sent on
//! standard input and say whether it verifies, exiting 0 only when it does.

use std::io::Read;
use std::process::ExitCode;

/// `kasa stripe …`.
#[derive(Debug, clap::Subcommand)]
pub enum StripeCommand {
    /// Reads a webhook's raw payload on standard input and says whether its Stripe-Signature
    /// verifies with the endpoint's signing secret; exits 0 only when it does.
    VerifyWebhook {
        /// The endpoint's signing secret (`whsec_…`).
        #[arg(long, env = "KASA_STRIPE_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The Stripe-Signature header: its value, or the whole line
        /// (`Stripe-Signature: t=…,v1=…`).
        #[arg(long)]
        header: String,
        /// The largest accepted age of the signature in seconds, or `none` to check no age
        /// (for stored events).
        #[arg(long, default_value = "300")]
        tolerance: String,
    },
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .map_err(|error| format!("cannot read standard input: {error}"))?;
    Ok(input)
}

/// Runs a `kasa stripe` command.
pub fn stripe(command: StripeCommand) -> ExitCode {
    match command {
        StripeCommand::VerifyWebhook {
            secret,
            header,
            tolerance,
        } => {
            let tolerance = match tolerance.as_str() {
                "none" => None,
                seconds => match seconds.parse::<i64>() {
                    Ok(seconds) if seconds >= 0 => Some(seconds),
                    _ => {
                        eprintln!("error: --tolerance is a number of seconds or `none`");
                        return ExitCode::from(2);
                    }
                },
            };
            let payload = match read_stdin() {
                Ok(payload) => payload,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::from(2);
                }
            };
            let header = header
                .split_once(':')
                .filter(|(name, _)| name.trim().eq_ignore_ascii_case("stripe-signature"))
                .map_or(header.as_str(), |(_, value)| value)
                .trim();
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            match kasa_stripe::verify_signature(&payload, header, &secret, now, tolerance) {
                Ok(timestamp) => {
                    println!(
                        "valid: the signature matches ({} bytes, signed at {timestamp})",
                        payload.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    println!("invalid: {error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
