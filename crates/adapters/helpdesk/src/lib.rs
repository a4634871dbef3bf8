//! Kasa's help-desk adapters: what Kasa needs to know of Zendesk, Freshdesk and Help Scout.
//!
//! A module per vendor holds that vendor's wire types, how its deliveries are signed and its API
//! client; nothing vendor-shaped leaves this crate (kasa-billing never sees a help-desk type).
//! The signature checks are pure functions: the server calls them on each delivery, and
//! `kasa helpdesk verify` calls the same ones for an operator debugging a setup.

pub mod event;
pub mod freshdesk;
pub mod generic;
pub mod helpscout;
pub mod http;
pub mod signature;
pub mod zendesk;

use std::sync::Arc;
use std::time::Duration;

use kasa_domain::IntegrationKind;
use kasa_ports::{HelpDesk, HelpDeskConnection, HelpDeskError, Secret};

/// How long one call to a help desk may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The API client for an integration's help desk, from its saved connection.
///
/// # Errors
/// [`HelpDeskError::Rejected`] when the connection cannot work: a custom help desk (Kasa knows
/// no API for it), a Zendesk or Help Scout connection without its login, a Help Scout mailbox
/// that is not a number, a base URL that is not https.
pub fn connect(
    kind: IntegrationKind,
    connection: &HelpDeskConnection,
    secret: &Secret,
    timeout: Duration,
) -> Result<Arc<dyn HelpDesk>, HelpDeskError> {
    let login = || {
        connection.login.as_deref().ok_or_else(|| {
            HelpDeskError::Rejected(format!(
                "the {} connection needs a login (the agent's e-mail or the app's id)",
                kind.name()
            ))
        })
    };
    Ok(match kind {
        IntegrationKind::Zendesk => Arc::new(zendesk::client::ZendeskClient::new(
            &connection.base_url,
            login()?,
            secret.expose(),
            timeout,
        )?),
        IntegrationKind::Freshdesk => Arc::new(freshdesk::client::FreshdeskClient::new(
            &connection.base_url,
            secret.expose(),
            timeout,
        )?),
        IntegrationKind::Helpscout => {
            let mailbox = connection
                .mailbox
                .as_deref()
                .map(|mailbox| {
                    mailbox.trim().parse::<u64>().map_err(|_| {
                        HelpDeskError::Rejected(format!(
                            "a Help Scout mailbox id is a number, not `{mailbox}`"
                        ))
                    })
                })
                .transpose()?;
            Arc::new(helpscout::client::HelpScoutClient::new(
                &connection.base_url,
                login()?,
                secret.expose(),
                mailbox,
                timeout,
            )?)
        }
        IntegrationKind::Custom => {
            return Err(HelpDeskError::Rejected(
                "a custom help desk has no API Kasa knows how to call".to_owned(),
            ));
        }
    })
}
