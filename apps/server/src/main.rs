//! The `kasa` binary: Kasa's operator command line. It is the only composition root: it wires
//! adapters into the use cases. The HTTP server (`kasa serve`) joins it with its issue; today it
//! answers `--help`, `--version`, `migrate` (the database schema) and the package-rule commands
//! operators use to explain a decision to a customer.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kasa_postgres::{SqlStore, StoreConfig};
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

/// Where the database is.
#[derive(Debug, clap::Args)]
struct DatabaseArgs {
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST:PORT/DATABASE`.
    #[arg(
        long,
        env = "KASA_DATABASE_URL",
        default_value = "sqlite://kasa.sqlite3"
    )]
    database_url: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Applies the database migrations not applied yet (safe to run again: it applies nothing
    /// when the schema is current) and lists what it applied.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Only list the migrations that would be applied.
        #[arg(long)]
        dry_run: bool,
    },
    /// Tells from when a subscription that ends at END may be renewed (product rule 5: 30 days
    /// or fewer before its end).
    RenewalOpens {
        /// The subscription's end, RFC 3339 (e.g. 2027-01-31T09:30:00Z).
        end: String,
    },
}

/// Hides the password of a database URL, for messages.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

async fn migrate(database: DatabaseArgs, dry_run: bool) -> ExitCode {
    let shown = redacted(&database.database_url);
    let store = match SqlStore::connect(&StoreConfig::new(database.database_url)).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("error: cannot open the database {shown}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = if dry_run {
        store.pending_migrations().await
    } else {
        store.migrate().await
    };
    match result {
        Ok(names) if names.is_empty() => {
            println!("{shown}: the schema is current; nothing to apply");
            ExitCode::SUCCESS
        }
        Ok(names) => {
            let verb = if dry_run { "would apply" } else { "applied" };
            println!("{shown}: {verb} {} migration(s):", names.len());
            for name in names {
                println!("  {name}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: migrating {shown} failed, nothing of the failed step stays: {error}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Migrate { database, dry_run } => {
            match tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(migrate(database, dry_run)),
                Err(error) => {
                    eprintln!("error: cannot start the async runtime: {error}");
                    ExitCode::FAILURE
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn database_passwords_are_never_shown() {
        assert_eq!(
            redacted("postgres://kasa:s3cret@db:5432/kasa"),
            "postgres://kasa:***@db:5432/kasa"
        );
        assert_eq!(
            redacted("postgres://postgres@127.0.0.1/kasa"),
            "postgres://postgres@127.0.0.1/kasa"
        );
        assert_eq!(redacted("sqlite://kasa.sqlite3"), "sqlite://kasa.sqlite3");
    }
}
