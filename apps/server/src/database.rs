//! Where the database is (the commands' `--database-url`), opening it, and its URL as messages
//! may show it. A leaf: it imports nothing from the crate.

use kasa_postgres::{SqlStore, StoreConfig};

/// Where the database is.
#[derive(Debug, clap::Args)]
pub struct DatabaseArgs {
    /// `sqlite://FILE` (created if missing) or `postgres://USER@HOST:PORT/DATABASE`.
    #[arg(
        long,
        env = "KASA_DATABASE_URL",
        default_value = "sqlite://kasa.sqlite3"
    )]
    pub database_url: String,
}

/// Hides the password of a database URL (in the user part or a `password=` parameter), for
/// messages.
pub fn redacted(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let base = redacted_user_part(base);
    if query.is_empty() {
        return base;
    }
    let query: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

fn redacted_user_part(url: &str) -> String {
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

/// Opens the database and applies pending migrations, saying what it does.
pub async fn open_store(url: &str) -> Result<SqlStore, String> {
    let shown = redacted(url);
    let store = SqlStore::connect(&StoreConfig::new(url))
        .await
        .map_err(|error| format!("cannot open the database {shown}: {error}"))?;
    let applied = store
        .migrate()
        .await
        .map_err(|error| format!("migrating {shown} failed: {error}"))?;
    for name in applied {
        tracing::info!(migration = %name, "applied a migration");
    }
    Ok(store)
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
        assert_eq!(
            redacted("postgres://db/kasa?user=kasa&password=s3cret&sslmode=require"),
            "postgres://db/kasa?user=kasa&password=***&sslmode=require"
        );
    }
}
