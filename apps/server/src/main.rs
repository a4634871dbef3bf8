//! The `kasa` binary: the HTTP API (`kasa serve`, the default) and the operator commands. It is
//! the only composition root: it wires adapters into the use cases.

mod api;
mod app;
mod auth;
mod billing_module;
mod billing_pages;
mod config;
mod contract;
mod database;
mod dates;
mod demo;
mod gateways;
mod help_desk_outbox;
mod helpdesk_tools;
mod idempotency;
mod jobs;
mod metrics;
mod problem;
mod reports;
mod reports_cli;
mod request_id;
mod secrets;
mod security_events;
mod server;
mod static_files;
mod throttle;
mod tools;
mod verify;
mod web;
mod webhook;
mod webhook_deliveries;
mod webhooks_cli;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kasa_postgres::{SqlStore, StoreConfig};
use kasa_subscriptions::{RENEWAL_WINDOW_DAYS, renewal_opens_at};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::database::{DatabaseArgs, open_store, redacted};

/// Kasa: billing support for help desks (credit and subscription packages per department,
/// NestPay and Stripe payments, agent actions, invoices).
#[derive(Debug, Parser)]
#[command(name = "kasa", version)]
struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    command: Option<Command>,
}

// Parsed once at start-up: the size of the `serve` variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Serves the HTTP API (applies pending migrations first). The default command.
    Serve {
        #[command(flatten)]
        overrides: config::Overrides,
    },
    /// Prints the OpenAPI specification (JSON) of the HTTP API.
    Openapi,
    /// Creates the first administrator (or another admin) and prints how to sign in. The
    /// password is read from KASA_ADMIN_PASSWORD or, when unset, from standard input.
    CreateAdmin {
        #[command(flatten)]
        database: DatabaseArgs,
        /// The administrator's e-mail (sign-in name).
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
    /// Applies the database migrations not applied yet (safe to run again: it applies nothing
    /// when the schema is current) and lists what it applied.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Only list the migrations that would be applied.
        #[arg(long)]
        dry_run: bool,
    },
    /// Re-encrypts every payment-system credential under a new secrets key (the current key
    /// from KASA_SECRETS_KEY, KASA_SECRETS_KEY_FILE or kasa.toml; the new one from
    /// KASA_NEW_SECRETS_KEY or KASA_NEW_SECRETS_KEY_FILE), in one transaction, and says what it
    /// did. Without a new key it encrypts the credentials stored in clear under the current one.
    RotateKey(secrets::RotateKeyArgs),
    /// Checks that the books are whole (after restoring a backup or upgrading).
    ///
    /// Replays every customer's credit ledger with the ledger's rules (the balance equals the
    /// entries, never below zero, a ticket or chat charged once, a purchase granted once),
    /// checks that invoice numbers have no gaps per series and year, and that no payment's
    /// refunds exceed its captures. Reads only: apply migrations first (`kasa migrate`); a
    /// SQLite file must exist. Prints progress on standard error, then each problem found and
    /// what was checked on standard output.
    ///
    /// Exit code 0: the books are whole; 1: they are not (each problem named); 2: the check
    /// could not run.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Prints a finance report (the same as `GET /v1/reports/{report}`): JSON, or CSV with
    /// `--format csv`. Reads only.
    Report(reports_cli::ReportArgs),
    /// NestPay debugging: hash gate fields, verify a callback's signature.
    #[command(subcommand)]
    Nestpay(tools::NestpayCommand),
    /// Stripe debugging: verify a webhook's signature.
    #[command(subcommand)]
    Stripe(tools::StripeCommand),
    /// Help-desk debugging: verify a Zendesk, Help Scout or Kasa webhook delivery's signature.
    #[command(subcommand)]
    Helpdesk(helpdesk_tools::HelpdeskCommand),
    /// Outgoing webhooks: verify a delivery's `Kasa-Signature` as a receiver would.
    #[command(subcommand)]
    Webhooks(webhooks_cli::WebhooksCommand),
    /// Tells from when a subscription that ends at END may be renewed (product rule 5: 30 days
    /// or fewer before its end).
    RenewalOpens {
        /// The subscription's end, RFC 3339 (e.g. 2027-01-31T09:30:00Z).
        end: String,
    },
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

fn run_async(work: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(work),
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(format: config::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KASA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        config::LogFormat::Json => builder.json().init(),
        config::LogFormat::Text => builder.init(),
    }
}

async fn serve(overrides: config::Overrides) -> ExitCode {
    let config = match config::Config::load(&overrides) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    init_logs(config.log_format);
    let store = match open_store(&config.database_url).await {
        Ok(store) => store.with_secrets_key(config.secrets_key.clone()),
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(refusal) = secrets::check_at_start(&store, overrides.demo).await {
        tracing::error!("{refusal}");
        return ExitCode::from(2);
    }
    let mailer = match config.smtp.as_ref().map(smtp_mailer).transpose() {
        Ok(mailer) => mailer,
        Err(error) => {
            tracing::error!("{error}");
            return ExitCode::from(2);
        }
    };
    let delivers_mail = mailer.is_some();
    let delivery = kasa_billing::DeliveryPolicy {
        first_retry: time::Duration::seconds(
            i64::try_from(config.mail_first_retry_seconds).unwrap_or(60),
        ),
        ..kasa_billing::DeliveryPolicy::default()
    };
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.listen));
    let events = kasa_billing::EventThresholds {
        low_balance_threshold: kasa_domain::Credits::from_u32(config.credits_low_threshold),
        subscription_ending_soon_days: config.subscription_ending_soon_days,
    };
    let app = app::App::new(
        store,
        config.session_hours,
        mailer,
        delivery,
        events,
        public_url,
    )
    .with_idempotency_lease(time::Duration::seconds(
        i64::try_from(config.idempotency_lease_seconds).unwrap_or(300),
    ))
    .with_console_idle(time::Duration::minutes(
        i64::try_from(config.console_idle_minutes).unwrap_or(30),
    ))
    .with_max_body_bytes(config.max_body_bytes)
    .with_sign_in_throttle(config.sign_in_throttle)
    .with_security_event_interval(std::time::Duration::from_secs(
        config.security_event_interval_seconds.max(1),
    ))
    .with_report_zone(config.report_time_zone.clone());
    if delivers_mail {
        tokio::spawn(jobs::deliver_mail(
            app.clone(),
            std::time::Duration::from_millis(config.outbox_interval_ms.max(100)),
        ));
    } else {
        tracing::warn!(
            "no mail server configured (KASA_SMTP_HOST): notifications wait in the outbox"
        );
    }
    tokio::spawn(jobs::deliver_help_desk_calls(
        app.clone(),
        std::time::Duration::from_millis(config.outbox_interval_ms.max(100)),
        help_desk_outbox::HelpDeskRetryPolicy {
            first_retry: time::Duration::seconds(
                i64::try_from(config.help_desk_first_retry_seconds.max(1)).unwrap_or(30),
            ),
            ..help_desk_outbox::HelpDeskRetryPolicy::default()
        },
    ));
    tokio::spawn(jobs::deliver_webhooks(
        app.clone(),
        std::time::Duration::from_millis(config.outbox_interval_ms.max(100)),
        webhook_deliveries::WebhookRetryPolicy {
            first_retry: time::Duration::seconds(
                i64::try_from(config.webhook_first_retry_seconds.max(1)).unwrap_or(60),
            ),
        },
    ));
    tokio::spawn(jobs::end_expired_subscriptions(
        app.clone(),
        std::time::Duration::from_secs(config.expiry_interval_seconds.max(1)),
    ));
    tokio::spawn(jobs::reconcile_payments(
        app.clone(),
        time::Duration::seconds(i64::try_from(config.reconcile_after_seconds).unwrap_or(600)),
    ));
    tokio::spawn(jobs::void_uncaptured_authorisations(
        app.clone(),
        time::Duration::days(i64::try_from(config.authorisation_void_after_days).unwrap_or(7)),
    ));
    tokio::spawn(jobs::resolve_stuck_payment_actions(
        app.clone(),
        time::Duration::seconds(
            i64::try_from(config.resolve_payment_actions_after_seconds).unwrap_or(600),
        ),
    ));
    if overrides.demo {
        match demo::seed(&app).await {
            Ok(true) if !app.database.seals_credentials() => tracing::warn!(
                "demo data created; without a secrets key (KASA_SECRETS_KEY) the local bank's \
                 demo credentials are stored in clear"
            ),
            Ok(true) => tracing::info!("demo data created"),
            Ok(false) => tracing::info!("the database has users already: demo data not added"),
            Err(error) => {
                tracing::error!(%error, "could not create the demo data");
                return ExitCode::FAILURE;
            }
        }
        eprintln!("{}", demo::welcome(&format!("http://{}", config.listen)));
    }
    match app.access.has_users().await {
        Ok(false) => tracing::warn!(
            "no users yet: create the first administrator with \
             `kasa create-admin --email you@example.com`"
        ),
        Ok(true) => {}
        Err(error) => tracing::warn!(%error, "could not count users"),
    }
    let listener = poem::listener::TcpListener::bind(config.listen);
    tracing::info!(
        listen = %config.listen,
        database = %redacted(&config.database_url),
        "Kasa is serving: API under /v1, docs at /docs, spec at /openapi.json"
    );
    let result = poem::Server::new(listener)
        .run_with_graceful_shutdown(
            server::routes(app, metrics::Metrics::default()),
            async {
                shutdown_signal().await;
                tracing::info!("shutting down: finishing requests in flight");
            },
            Some(std::time::Duration::from_secs(10)),
        )
        .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, listen = %config.listen, "the server stopped");
            ExitCode::FAILURE
        }
    }
}

/// The mailer for the configured server.
fn smtp_mailer(
    settings: &config::SmtpSettings,
) -> Result<std::sync::Arc<dyn kasa_ports::Mailer>, String> {
    let from = settings
        .from
        .parse()
        .map_err(|error| format!("the sender address `{}`: {error}", settings.from))?;
    let mailer = kasa_smtp::SmtpMailer::new(&kasa_smtp::SmtpConfig {
        host: settings.host.clone(),
        port: settings.port,
        security: match settings.security {
            config::SmtpSecurityName::Starttls => kasa_smtp::SmtpSecurity::StartTls,
            config::SmtpSecurityName::Tls => kasa_smtp::SmtpSecurity::Tls,
            config::SmtpSecurityName::None => kasa_smtp::SmtpSecurity::None,
        },
        credentials: settings.username.clone().map(|user| {
            (
                user,
                kasa_ports::Secret::new(settings.password.clone().unwrap_or_default()),
            )
        }),
        from,
        from_name: settings.from_name.clone(),
        timeout: std::time::Duration::from_secs(30),
    })
    .map_err(|error| error.to_string())?;
    Ok(std::sync::Arc::new(mailer))
}

/// Ctrl-C, or SIGTERM (what service managers send).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn create_admin(database: DatabaseArgs, email: String, name: String) -> ExitCode {
    let password = match std::env::var("KASA_ADMIN_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("error: give the password in KASA_ADMIN_PASSWORD or on standard input");
                return ExitCode::from(2);
            }
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let store = match open_store(&database.database_url).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let app = app::App::new(
        store,
        12,
        None,
        kasa_billing::DeliveryPolicy::default(),
        kasa_billing::EventThresholds::default(),
        String::new(),
    );
    let now = app.clock.now();
    let created = async {
        let user = api::access::new_user(&email, &name, "admin", now)?;
        let credentials = kasa_ports::UserCredentials {
            user: user.clone(),
            password_hash: api::access::checked_password_hash(&password)?,
        };
        let context = kasa_ports::ActionContext {
            actor: kasa_domain::Actor::System {
                job: "create-admin".to_owned(),
            },
            reason: kasa_domain::Reason::new("administrator created from the command line")
                .map_err(|error| problem::ApiError::invalid(error.to_string()))?,
            request_id: None,
            idempotency: None,
        };
        app.access
            .create_user(credentials, context)
            .await
            .map_err(problem::store_error)?;
        Ok::<_, problem::ApiError>(user)
    }
    .await;
    match created {
        Ok(user) => {
            println!(
                "administrator {} created; sign in with POST /v1/sessions and this e-mail",
                user.email
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(command) => command,
        // No command means `kasa serve`, with its flags read from the environment.
        None => Cli::parse_from(["kasa", "serve"])
            .command
            .unwrap_or(Command::Openapi),
    };
    match command {
        Command::Serve { overrides } => run_async(serve(overrides)),
        Command::Openapi => {
            println!("{}", server::spec_json());
            ExitCode::SUCCESS
        }
        Command::CreateAdmin {
            database,
            email,
            name,
        } => run_async(create_admin(database, email, name)),
        Command::Migrate { database, dry_run } => run_async(migrate(database, dry_run)),
        Command::RotateKey(args) => run_async(secrets::rotate_key(args)),
        Command::Verify { database } => run_async(verify::verify(database)),
        Command::Report(args) => run_async(reports_cli::report(args)),
        Command::Stripe(command) => tools::stripe(command),
        Command::Nestpay(command) => tools::nestpay(command),
        Command::Helpdesk(command) => helpdesk_tools::helpdesk(command),
        Command::Webhooks(command) => webhooks_cli::webhooks(command),
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
