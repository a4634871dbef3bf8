//! Fresh databases for the store tests: a new SQLite file, or a new PostgreSQL schema, per test,
//! dropped when the test ends (also when it fails).
//!
//! PostgreSQL is found through `KASA_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). `scripts/test` starts the server when it is
//! installed but not answering, and sets `KASA_TEST_POSTGRES=absent` only when no PostgreSQL is
//! installed at all: then the PostgreSQL cases print that they did not run, and why. Otherwise a
//! PostgreSQL that cannot be reached fails the test; it never passes silently.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use kasa_postgres::{SqlStore, StoreConfig};
use sea_orm::{ConnectionTrait, Database};

/// Removes the SQLite file (and its WAL companions) when dropped.
#[derive(Debug)]
pub struct SqliteFile(PathBuf);

impl Drop for SqliteFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

impl SqliteFile {
    /// The file's URL, for a connection of one's own.
    pub fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

/// A migrated store in a new SQLite file.
pub async fn fresh_sqlite_store() -> Option<(Arc<SqlStore>, SqliteFile)> {
    let path = std::env::temp_dir().join(format!("kasa-test-{}.sqlite3", uuid::Uuid::now_v7()));
    let file = SqliteFile(path.clone());
    let url = format!("sqlite://{}", path.display());
    let store = SqlStore::connect(&StoreConfig::new(url))
        .await
        .expect("SQLite opens");
    store.migrate().await.expect("migrations apply on SQLite");
    Some((Arc::new(store), file))
}

/// The PostgreSQL server the tests use, or `None` when none is installed.
pub fn postgres_url() -> Option<String> {
    if std::env::var("KASA_TEST_POSTGRES").as_deref() == Ok("absent") {
        eprintln!(
            "PostgreSQL half NOT RUN: scripts/test found no PostgreSQL installed on this machine \
             (KASA_TEST_POSTGRES=absent); install PostgreSQL 15 to run it"
        );
        return None;
    }
    Some(
        std::env::var("KASA_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned()),
    )
}

/// Drops the test schema when dropped.
#[derive(Debug)]
pub struct PostgresSchema {
    url: String,
    schema: String,
}

impl Drop for PostgresSchema {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        // Drop runs outside async code (and during a panic): use a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let admin = Database::connect(url.as_str()).await?;
                admin
                    .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .await?;
                admin.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop test schema {}: {dropped:?}", self.schema);
        }
    }
}

/// A migrated store in a new PostgreSQL schema.
pub async fn fresh_postgres_store() -> Option<(Arc<SqlStore>, PostgresSchema)> {
    let url = postgres_url()?;
    let schema = format!("kasa_test_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(url.as_str())
        .await
        .unwrap_or_else(|error| panic!("PostgreSQL at {url} does not answer: {error}"));
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("test schema created");
    admin.close().await.expect("admin connection closed");
    let guard = PostgresSchema {
        url: url.clone(),
        schema: schema.clone(),
    };
    let mut config = StoreConfig::new(url);
    config.schema = Some(schema);
    let store = SqlStore::connect(&config)
        .await
        .expect("PostgreSQL connects");
    store
        .migrate()
        .await
        .expect("migrations apply on PostgreSQL");
    Some((Arc::new(store), guard))
}
