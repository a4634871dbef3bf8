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

/// `kasa nestpay …`.
#[derive(Debug, clap::Subcommand)]
pub enum NestpayCommand {
    /// Reads gate-request fields (or, with --callback, a callback's) as an
    /// application/x-www-form-urlencoded body on standard input and prints their hash (and, with
    /// --show-plaintext, the text that was hashed).
    Hash {
        /// The store key.
        #[arg(long, env = "KASA_NESTPAY_STORE_KEY", hide_env_values = true)]
        store_key: String,
        /// `ver3` (SHA-512 over every field but hash, encoding and NATIONALIDNO, and for a gate
        /// request also but the card fields) or `ver1` (legacy SHA-1 over clientid, oid, amount,
        /// okUrl, failUrl, islemtipi, taksit and rnd).
        #[arg(long, default_value = "ver3", value_parser = ["ver3", "ver1"])]
        algorithm: String,
        /// Hash the fields as the bank signs a callback (ver3): the echoed expiry fields are
        /// covered, as every field but HASH, encoding and NATIONALIDNO.
        #[arg(long, conflicts_with = "algorithm")]
        callback: bool,
        /// Also print the text before hashing (it ends with the store key: mind who sees it).
        #[arg(long)]
        show_plaintext: bool,
    },
    /// Reads a callback's body (application/x-www-form-urlencoded) on standard input and says
    /// whether its signature is valid: ver3, or ver1 when it carries HASHPARAMS. Exits 0 only
    /// when it is.
    Verify {
        /// The store key.
        #[arg(long, env = "KASA_NESTPAY_STORE_KEY", hide_env_values = true)]
        store_key: String,
    },
}

/// Runs a `kasa nestpay` command.
pub fn nestpay(command: NestpayCommand) -> ExitCode {
    let body = match read_stdin() {
        Ok(body) => body,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    // A pasted body often ends with a newline.
    let body = body.trim_ascii();
    let fields = kasa_nestpay::parse_callback_body(body);
    if fields.is_empty() {
        eprintln!("error: standard input holds no form fields (name=value&name=value…)");
        return ExitCode::from(2);
    }
    match command {
        NestpayCommand::Hash {
            store_key,
            algorithm,
            callback,
            show_plaintext,
        } => {
            if algorithm == "ver1" {
                let field = |name: &str| {
                    fields
                        .iter()
                        .find(|(field, _)| field.eq_ignore_ascii_case(name))
                        .map_or("", |(_, value)| value.as_str())
                };
                println!(
                    "{}",
                    kasa_nestpay::hash_ver1_request(
                        field("clientid"),
                        field("oid"),
                        field("amount"),
                        field("okUrl"),
                        field("failUrl"),
                        field("islemtipi"),
                        field("taksit"),
                        field("rnd"),
                        &store_key,
                    )
                );
            } else if callback {
                if show_plaintext {
                    println!(
                        "{}",
                        kasa_nestpay::hash_ver3_callback_plaintext(&fields, &store_key)
                    );
                }
                println!("{}", kasa_nestpay::hash_ver3_callback(&fields, &store_key));
            } else {
                if show_plaintext {
                    println!(
                        "{}",
                        kasa_nestpay::hash_ver3_request_plaintext(&fields, &store_key)
                    );
                }
                println!("{}", kasa_nestpay::hash_ver3_request(&fields, &store_key));
            }
            ExitCode::SUCCESS
        }
        NestpayCommand::Verify { store_key } => {
            match kasa_nestpay::verify_callback_signature(&fields, &store_key) {
                Ok(kasa_nestpay::Signature::Ver3) => {
                    println!(
                        "valid: the ver3 signature matches ({} fields)",
                        fields.len()
                    );
                    ExitCode::SUCCESS
                }
                Ok(kasa_nestpay::Signature::Ver1 { signed_fields }) => {
                    println!(
                        "valid: the ver1 signature matches; only these fields are signed: {}",
                        signed_fields.join(", ")
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

pub(crate) fn read_stdin() -> Result<Vec<u8>, String> {
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
