//! Connecting, migrating, and the transaction every write runs in.

use std::sync::Arc;
use std::time::Duration;

use kasa_migrations::{Migrator, MigratorTrait};
use kasa_ports::StoreError;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::codec::Codec;
use crate::secrets::SecretsKey;

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// SQLite.
    Sqlite,
}

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// `postgres://user@host:port/database` or `sqlite://path/to/kasa.sqlite3`.
    pub url: String,
    /// The PostgreSQL schema to use instead of `public` (tests use one schema each).
    pub schema: Option<String>,
    /// Pool size.
    pub max_connections: u32,
    /// How long a call waits for a free connection before the store reports itself unavailable.
    pub acquire_timeout: Duration,
}

impl StoreConfig {
    /// A configuration with the defaults: 16 connections, a 5-second wait.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            schema: None,
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The store: implements every store port of `kasa-ports`.
#[derive(Clone)]
pub struct SqlStore {
    pub(crate) db: DatabaseConnection,
    pub(crate) codec: Codec,
    /// SQLite allows one writer at a time: writers queue here, in order, instead of polling the
    /// database lock (so "database is locked" never reaches a caller).
    sqlite_writer: Option<Arc<Mutex<()>>>,
    /// The key payment-system credentials are sealed under; without one they are kept (and
    /// read) in clear.
    pub(crate) secrets_key: Option<Arc<SecretsKey>>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SqlStore")
            .field("backend", &self.backend())
            .field("secrets_key", &self.secrets_key)
            .finish_non_exhaustive()
    }
}

/// A failed database call: the store is unavailable (the details are for the log).
pub(crate) fn unavailable(error: DbErr) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

impl SqlStore {
    /// Connects (creating the SQLite file if needed). Does not migrate: see [`Self::migrate`].
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database cannot be reached or the URL is neither
    /// PostgreSQL nor SQLite.
    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        let backend = if config.url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if config.url.starts_with("postgres://") || config.url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Unavailable(
                "the database URL must start with postgres:// or sqlite:".to_owned(),
            ));
        };
        let mut options = ConnectOptions::new(config.url.clone());
        options
            .max_connections(config.max_connections)
            .min_connections(1)
            .acquire_timeout(config.acquire_timeout)
            // The pool's default pings every connection it hands out: one more round trip per
            // statement on the hot path. A connection that was in use moments ago is alive (and
            // a dead one fails the statement, which the caller sees as `Unavailable`); only one
            // idle for a while is checked first.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .sqlx_logging(false);
        if let Some(schema) = &config.schema {
            options.set_schema_search_path(schema.clone());
        }
        if backend == Backend::Sqlite {
            // WAL lets readers run beside the writer; FULL sync makes a commit survive a power
            // cut; foreign keys are off in SQLite unless asked for.
            options.map_sqlx_sqlite_opts(|sqlite: SqliteConnectOptions| {
                sqlite
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(30))
            });
        }
        let db = Database::connect(options).await.map_err(unavailable)?;
        let codec = Codec::new(db.get_database_backend());
        Ok(Self {
            db,
            codec,
            sqlite_writer: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            secrets_key: None,
        })
    }

    /// The store sealing payment-system credentials under `key` (ADR 0008); with `None`, it
    /// keeps them in clear. Either way it reads credentials kept in clear.
    #[must_use]
    pub fn with_secrets_key(mut self, key: Option<SecretsKey>) -> Self {
        self.secrets_key = key.map(Arc::new);
        self
    }

    /// Whether credentials saved now are sealed (a secrets key is configured).
    #[must_use]
    pub fn seals_credentials(&self) -> bool {
        self.secrets_key.is_some()
    }

    /// Which database this is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => Backend::Sqlite,
            _ => Backend::Postgres,
        }
    }

    /// Applies every migration not applied yet; returns their names.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when a migration fails (nothing of it stays).
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let pending = self.pending_migrations().await?;
        let _writer = self.lock_writer().await;
        Migrator::up(&self.db, None).await.map_err(unavailable)?;
        Ok(pending)
    }

    /// The names of the migrations not applied yet.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StoreError> {
        let pending = Migrator::get_pending_migrations(&self.db)
            .await
            .map_err(unavailable)?;
        Ok(pending
            .iter()
            .map(|migration| migration.name().to_owned())
            .collect())
    }

    /// Whether the database answers.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await.map_err(unavailable)
    }

    /// The connection, for tests that talk SQL to the database directly.
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Closes every connection.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await.map_err(unavailable)
    }

    async fn lock_writer(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.sqlite_writer {
            Some(writer) => Some(Arc::clone(writer).lock_owned().await),
            None => None,
        }
    }

    /// Runs `work` in a write transaction: committed when it succeeds, rolled back otherwise.
    pub(crate) async fn in_transaction<T>(
        &self,
        work: impl AsyncFnOnce(&DatabaseTransaction, Codec) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let write = self.begin_write().await?;
        let result = work(&write.transaction, self.codec).await;
        write.finish(result).await
    }

    /// Starts a write transaction (on SQLite: the only one, taken at once).
    pub(crate) async fn begin_write(&self) -> Result<Write, StoreError> {
        let writer = self.lock_writer().await;
        let options = TransactionOptions {
            sqlite_transaction_mode: writer.as_ref().map(|_| SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let transaction = self
            .db
            .begin_with_options(options)
            .await
            .map_err(unavailable)?;
        Ok(Write {
            transaction,
            _writer: writer,
        })
    }
}

/// An open write transaction. Dropped without [`Write::finish`], it rolls back.
pub(crate) struct Write {
    // Declared first so that it is dropped (rolled back) before the writer lock is released.
    pub(crate) transaction: DatabaseTransaction,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl Write {
    /// Commits when `result` is a success, rolls back otherwise; returns `result`.
    pub(crate) async fn finish<T>(self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        match result {
            Ok(value) => {
                self.transaction.commit().await.map_err(unavailable)?;
                Ok(value)
            }
            Err(error) => {
                self.rollback().await;
                Err(error)
            }
        }
    }

    /// Rolls back. A failed rollback is only logged: the database drops the transaction with
    /// the connection anyway.
    pub(crate) async fn rollback(self) {
        if let Err(rollback) = self.transaction.rollback().await {
            tracing::warn!(%rollback, "rolling back a failed store call failed");
        }
    }
}
