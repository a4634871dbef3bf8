//! `nestpay-sandbox`: a local NestPay (Asseco EST) bank for Kasa's demo, tests and developers.
//! It serves the 3D gate (3d, 3d_pay, 3d_pay_hosting; hash ver3 and legacy ver1) with a
//! simulated 3-D Secure step and outcomes chosen by test card, and the CC5 XML API (void,
//! credit, post-authorisation, order status and history) over per-order state in memory, with an
//! end-of-day trigger. It is written from the protocol document alone and shares no code with
//! Kasa's NestPay adapter, so that a misreading in one shows up against the other.

mod api;
mod app;
mod cards;
mod clock;
mod config;
mod controls;
mod form;
mod gate;
mod hash;
mod html;
mod money;
mod orders;
mod xml;

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser as _;
use poem::listener::{Acceptor as _, Listener as _, TcpListener};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = config::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("NESTPAY_SANDBOX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();

    let acceptor = match TcpListener::bind(cli.listen).into_acceptor().await {
        Ok(acceptor) => acceptor,
        Err(error) => {
            tracing::error!(%error, listen = %cli.listen, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    let Some(address) = acceptor
        .local_addr()
        .first()
        .and_then(|address| address.as_socket_addr().copied())
    else {
        tracing::error!("the listener has no address");
        return ExitCode::FAILURE;
    };
    // Tests and scripts read this line to learn the port; it is the only thing on stdout.
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "nestpay-sandbox listening on http://{address}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        tracing::warn!("could not write the listening line to stdout");
    }
    let store = cli.store();
    tracing::info!(client_id = %store.client_id, api_user = %store.api_user, "serving one store");

    let sandbox = Arc::new(app::Sandbox::new(store));
    let served = poem::Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(
            app::routes(sandbox),
            async {
                shutdown_signal().await;
                tracing::info!("stopping");
            },
            Some(Duration::from_secs(5)),
        )
        .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "the server stopped");
            ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM.
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
