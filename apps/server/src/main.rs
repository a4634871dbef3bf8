//! The `kasa` binary: Kasa's operator command line. It is the only composition root: it wires
//! adapters into the use cases. The HTTP server (`kasa serve`) and the database commands join it
//! as their adapters land; today it answers `--help`, `--version` and the package-rule commands
//! operators use to explain a decision to a customer.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kasa_subscriptions::{RENEWAL_WINDOW_DAYS, renewal_opens_at};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Kasa: billing support for help desks (credit and subscription packages per department,
/// NestPay and Stripe payments, agent actions, invoices).
#[derive(Debug, Parser)]
#[command(name = "kasa", version, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tells from when a subscription that ends at END may be renewed (product rule 5: 30 days
    /// or fewer before its end).
    RenewalOpens {
        /// The subscription's end, RFC 3339 (e.g. 2027-01-31T09:30:00Z).
        end: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::RenewalOpens { end } => match OffsetDateTime::parse(&end, &Rfc3339) {
            Ok(ends_at) => {
                let opens_at = renewal_opens_at(ends_at);
                let opens_at = opens_at
                    .format(&Rfc3339)
                    .unwrap_or_else(|_| opens_at.to_string());
                println!("renewal opens at {opens_at} ({RENEWAL_WINDOW_DAYS} days before the end)");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!(
                    "error: `{end}` is not an RFC 3339 time ({error}); example: 2027-01-31T09:30:00Z"
                );
                ExitCode::from(2)
            }
        },
    }
}
