//! The command line: where to listen and the one store the bank serves. Every flag has an
//! environment variable; the defaults are the store Kasa's demo and tests use.

use std::net::SocketAddr;

use clap::Parser;

use crate::money::{self, Currency};

/// `nestpay-sandbox --help`.
#[derive(Debug, Parser)]
#[command(
    name = "nestpay-sandbox",
    version,
    about = "A local NestPay (Asseco EST) bank: the 3D gate (/fim/est3Dgate) and the CC5 XML API \
             (/fim/api) for one test store, with test cards and per-order state in memory.",
    after_help = "When it is listening it prints one line to stdout, \
                  `nestpay-sandbox listening on http://ADDRESS:PORT`; logs go to stderr \
                  (filter with NESTPAY_SANDBOX_LOG, e.g. `debug`). Test cards: README.md or GET /."
)]
pub struct Cli {
    /// Address to listen on; port 0 takes any free port (the line on stdout says which).
    #[arg(long, env = "NESTPAY_SANDBOX_LISTEN", default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,
    /// The store's merchant number (`clientid` / `ClientId`).
    #[arg(long, env = "NESTPAY_SANDBOX_CLIENT_ID", default_value = "100200127")]
    pub client_id: String,
    /// The store key that signs gate requests and callbacks.
    #[arg(
        long,
        env = "NESTPAY_SANDBOX_STORE_KEY",
        default_value = "TEST1234",
        hide_env_values = true
    )]
    pub store_key: String,
    /// The XML API user name (`Name`).
    #[arg(long, env = "NESTPAY_SANDBOX_API_USER", default_value = "kasa-api")]
    pub api_user: String,
    /// The XML API password (`Password`).
    #[arg(
        long,
        env = "NESTPAY_SANDBOX_API_PASSWORD",
        default_value = "kasa-api-pass",
        hide_env_values = true
    )]
    pub api_password: String,
    /// The ISO 4217 numeric codes the store accepts, comma-separated (of 949, 840, 978, 826).
    #[arg(
        long,
        env = "NESTPAY_SANDBOX_CURRENCIES",
        value_delimiter = ',',
        default_value = "949,840,978,826",
        value_parser = parse_currency
    )]
    pub currencies: Vec<Currency>,
}

fn parse_currency(code: &str) -> Result<Currency, String> {
    money::currency(code.trim()).ok_or_else(|| {
        format!("`{code}` is not a currency the sandbox knows (949, 840, 978 or 826)")
    })
}

/// The store the bank serves.
pub struct Store {
    /// `clientid`.
    pub client_id: String,
    /// The secret for hashes.
    pub store_key: String,
    /// The XML API user.
    pub api_user: String,
    /// The XML API password.
    pub api_password: String,
    /// Currencies it takes.
    pub currencies: Vec<Currency>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Store")
            .field("client_id", &self.client_id)
            .field("store_key", &"<secret>")
            .field("api_user", &self.api_user)
            .field("api_password", &"<secret>")
            .field("currencies", &self.currencies)
            .finish()
    }
}

impl Cli {
    /// The store these flags describe.
    pub fn store(&self) -> Store {
        Store {
            client_id: self.client_id.clone(),
            store_key: self.store_key.clone(),
            api_user: self.api_user.clone(),
            api_password: self.api_password.clone(),
            currencies: self.currencies.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent_and_defaults_to_the_demo_store() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["nestpay-sandbox", "--currencies", "949,978"]).unwrap();
        assert_eq!(cli.client_id, "100200127");
        assert_eq!(cli.currencies.len(), 2);
        assert!(Cli::try_parse_from(["nestpay-sandbox", "--currencies", "392"]).is_err());
        assert!(!format!("{:?}", cli.store()).contains("TEST1234"));
    }
}
