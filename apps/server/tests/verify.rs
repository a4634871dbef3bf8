//! `kasa verify` as an operator runs it after a restore: a real history is written through the
//! use cases into a SQLite file and a PostgreSQL database, the real binary finds its books
//! whole (exit 0); then copies are corrupted by hand with SQL, the way a bad restore would
//! (dropping a guard trigger, index or check where the schema would refuse), and each kind of
//! corruption is caught, named, and exits 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use kasa_postgres::{SqlStore, StoreConfig};
use kasa_testkit::contract::books::{BooksHistory, write_history};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, Statement, Value};

fn kasa_verify(database_url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kasa"))
        .args(["verify", "--database-url", database_url])
        .env_remove("KASA_DATABASE_URL")
        .env_remove("KASA_CONFIG")
        .output()
        .expect("kasa verify runs")
}

/// The `problem:` lines of a run.
fn problems(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_prefix("problem: "))
        .map(str::to_owned)
        .collect()
}

fn described(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Writes the history into the (empty) database at `url`; closes it.
async fn write_real_history(config: StoreConfig) -> BooksHistory {
    let store = SqlStore::connect(&config)
        .await
        .expect("the database opens");
    store.migrate().await.expect("the schema is created");
    let store = Arc::new(store);
    let history = write_history(store.clone(), 2).await;
    Arc::try_unwrap(store)
        .expect("nothing else holds the store")
        .close()
        .await
        .expect("the store closes");
    history
}

/// One statement of a corruption, with its parameters.
struct Sql(String, Vec<Value>);

fn sql(text: &str, values: impl IntoIterator<Item = Value>) -> Sql {
    Sql(text.to_owned(), values.into_iter().collect())
}

/// The corruption that removes a document (the summaries then disagree with it too).
const GAP: &str = "a gap in invoice numbers";

/// A kind of corruption: what a bad restore did, and the problem `kasa verify` must name.
struct Corruption {
    name: &'static str,
    statements: Vec<Sql>,
    expected: String,
}

/// Appends a ledger entry for the customer holding credits and moves the holding to match it,
/// as a restore that merged two copies of the ledger would.
fn appended_entry(
    history: &BooksHistory,
    kind: &str,
    delta: i64,
    purchase: Option<uuid::Uuid>,
    ticket: Option<&str>,
) -> Vec<Sql> {
    let customer = history.credit_customer.as_uuid();
    let balance_after = (history.credit_balance + delta).max(0);
    vec![
        sql(
            "INSERT INTO credit_ledger (id, customer_id, entry_number, kind, delta, \
             balance_after, actor_kind, actor_id, reason, at, purchase_id, usage_kind, \
             usage_reference) VALUES ($1, $2, $3, $4, $5, $6, 'system', 'restore', \
             'a bad restore', '2027-01-05T00:00:00.000000Z', $7, $8, $9)",
            [
                Value::from(uuid::Uuid::now_v7()),
                Value::from(customer),
                Value::from(history.credit_entries + 1),
                Value::from(kind.to_owned()),
                Value::from(delta),
                Value::from(balance_after),
                Value::from(purchase),
                Value::from(ticket.map(|_| "ticket".to_owned())),
                Value::from(ticket.map(str::to_owned)),
            ],
        ),
        sql(
            "UPDATE holdings SET credit_balance = $2, ledger_entries = ledger_entries + 1 \
             WHERE customer_id = $1",
            [Value::from(customer), Value::from(balance_after)],
        ),
    ]
}

/// Every kind of corruption, for `backend`.
fn corruptions(backend: DbBackend, history: &BooksHistory) -> Vec<Corruption> {
    let postgres = backend == DbBackend::Postgres;
    let customer = history.credit_customer;
    let balance = history.credit_balance;
    let next_entry = history.credit_entries + 1;
    let invoice = &history.unreferenced_invoice;
    vec![
        Corruption {
            name: "a balance not equal to the entries",
            statements: vec![sql(
                "UPDATE holdings SET credit_balance = credit_balance + 5 WHERE customer_id = $1",
                [Value::from(customer.as_uuid())],
            )],
            expected: format!(
                "customer {customer}: the stored balance is {}, but the ledger entries add up to {balance}",
                balance + 5
            ),
        },
        Corruption {
            name: "a negative stored balance",
            statements: vec![
                if postgres {
                    sql(
                        "ALTER TABLE holdings DROP CONSTRAINT holdings_credit_balance_check",
                        [],
                    )
                } else {
                    sql("PRAGMA ignore_check_constraints = ON", [])
                },
                sql(
                    "UPDATE holdings SET credit_balance = -4 WHERE customer_id = $1",
                    [Value::from(customer.as_uuid())],
                ),
            ],
            expected: format!(
                "customer {customer}: the stored balance is negative: -4 (the ledger entries add up to {balance})"
            ),
        },
        Corruption {
            name: "a charge that takes the balance below zero",
            statements: appended_entry(history, "consumed", -1000, None, Some("T-999")),
            expected: format!(
                "customer {customer}: entry {next_entry} (consumed, -1000) takes the balance below zero: {balance} before it"
            ),
        },
        Corruption {
            name: "a ticket charged twice",
            statements: [sql("DROP INDEX credit_ledger_one_consumption", [])]
                .into_iter()
                .chain(appended_entry(
                    history,
                    "consumed",
                    -2,
                    None,
                    Some(history.charged_ticket.reference()),
                ))
                .collect(),
            expected: format!(
                "customer {customer}: entry {next_entry} charges {} a second time",
                history.charged_ticket
            ),
        },
        Corruption {
            name: "a purchase granted twice",
            statements: [sql("DROP INDEX credit_ledger_one_grant", [])]
                .into_iter()
                .chain(appended_entry(
                    history,
                    "granted",
                    10,
                    Some(history.granted_purchase.as_uuid()),
                    None,
                ))
                .collect(),
            expected: format!(
                "customer {customer}: entry {next_entry} grants purchase {} a second time",
                history.granted_purchase
            ),
        },
        Corruption {
            name: GAP,
            statements: vec![
                if postgres {
                    sql("DROP TRIGGER invoices_append_only ON invoices", [])
                } else {
                    sql("DROP TRIGGER invoices_no_delete", [])
                },
                sql(
                    "DELETE FROM invoices WHERE series = $1 AND year = $2 AND sequence = $3",
                    [
                        Value::from(invoice.series.clone()),
                        Value::from(i64::from(invoice.year)),
                        Value::from(i64::from(invoice.sequence)),
                    ],
                ),
            ],
            expected: format!(
                "invoice numbers: series {} {}: number {} is missing",
                invoice.series, invoice.year, invoice.sequence
            ),
        },
        Corruption {
            name: "refunds exceeding captures",
            statements: vec![sql(
                "INSERT INTO payment_actions (id, payment_id, purchase_id, kind, amount, \
                 currency, state, actor_kind, actor_id, reason, requested_at, finished_at) \
                 VALUES ($1, $2, $3, 'refund', '500.00', 'TRY', 'succeeded', 'system', \
                 'restore', 'a bad restore', '2027-01-05T00:00:00.000000Z', \
                 '2027-01-05T00:00:00.000000Z')",
                [
                    Value::from(uuid::Uuid::now_v7()),
                    Value::from(history.partly_refunded_payment.as_uuid()),
                    Value::from(history.partly_refunded_purchase.as_uuid()),
                ],
            )],
            expected: format!(
                "payment {} (purchase {}): refunds of 530.00 TRY exceed the 100.00 TRY captured",
                history.partly_refunded_payment, history.partly_refunded_purchase
            ),
        },
        Corruption {
            name: "a revenue summary row without documents",
            statements: vec![sql(
                &format!(
                    "INSERT INTO revenue_summary (bucket_at, side, currency, gateway, package, \
                     documents, gross) VALUES ({}, 'billed', 'TRY', 'stripe', 'Drift', 1, {})",
                    hour_2030(postgres),
                    if postgres { "5.00" } else { "'5.00'" }
                ),
                [],
            )],
            expected: "revenue summary of the hour from 2030-01-01T00:00:00Z, billed TRY via \
                       stripe for \"Drift\": it holds 1 document(s) and 5.00, the documents add \
                       up to 0 and 0"
                .to_owned(),
        },
        Corruption {
            name: "a tax summary row without documents",
            statements: vec![sql(
                &format!(
                    "INSERT INTO tax_summary (bucket_at, side, currency, rate_percent, base, \
                     tax) VALUES ({}, 'credited', 'USD', '20', {})",
                    hour_2030(postgres),
                    if postgres {
                        "1.00, 0.20"
                    } else {
                        "'1.00', '0.20'"
                    }
                ),
                [],
            )],
            expected: "tax summary of the hour from 2030-01-01T00:00:00Z, credited USD at 20%: \
                       it holds base 1.00 and tax 0.20, the documents add up to 0 and 0"
                .to_owned(),
        },
        Corruption {
            name: "a usage summary row without charges",
            statements: vec![sql(
                &format!(
                    "INSERT INTO usage_summary (bucket_at, department_id, usage_kind, basis, \
                     shard, charges, credits) VALUES ({}, $1, 'ticket', 'credits', 3, 1, 2)",
                    if postgres {
                        "TIMESTAMPTZ '2030-01-01 00:00:00+00'"
                    } else {
                        "'2030-01-01T00:00:00.000000Z'"
                    }
                ),
                [Value::from(uuid::Uuid::from_u128(7))],
            )],
            expected: format!(
                "usage summary of the hour from 2030-01-01T00:00:00Z, department {}, ticket \
                 credits: it holds 1 charge(s) and 2 credit(s), the charges add up to 0 and 0",
                uuid::Uuid::from_u128(7)
            ),
        },
        Corruption {
            name: "a liability summary row without movements",
            statements: vec![sql(
                &format!(
                    "INSERT INTO liability_summary (bucket_at, currency, shard, sold, consumed, \
                     forfeited, refunded, adjusted, credits) \
                     VALUES ({}, 'EUR', 3, {}, 0, 0, 0, 0, 2)",
                    if postgres {
                        "TIMESTAMPTZ '2030-01-01 00:00:00+00'"
                    } else {
                        "'2030-01-01T00:00:00.000000Z'"
                    },
                    if postgres { "5.00" } else { "'5.00'" }
                ),
                [],
            )],
            expected: "credit liability summary of the hour from 2030-01-01T00:00:00Z, EUR: it \
                       holds sold 5, consumed 0, forfeited 0, refunded 0, adjusted 0, credits 2; \
                       the ledger and documents replayed give sold 0, consumed 0, forfeited 0, \
                       refunded 0, adjusted 0, credits 0"
                .to_owned(),
        },
    ]
}

/// The first hour of 2030 as an SQL literal.
fn hour_2030(postgres: bool) -> &'static str {
    if postgres {
        "TIMESTAMPTZ '2030-01-01 00:00:00+00'"
    } else {
        "'2030-01-01T00:00:00.000000Z'"
    }
}

/// Runs a corruption's statements on one connection (SQLite's pragma holds per connection).
async fn corrupt(url: &str, backend: DbBackend, corruption: &Corruption) {
    let mut options = ConnectOptions::new(url.to_owned());
    options.max_connections(1).sqlx_logging(false);
    let db = Database::connect(options).await.expect("the copy opens");
    for Sql(text, values) in &corruption.statements {
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            text,
            values.clone(),
        ))
        .await
        .unwrap_or_else(|error| panic!("{}: `{text}` failed: {error}", corruption.name));
    }
    db.close().await.expect("the copy closes");
}

/// Checks the whole database, then each corruption in a copy made by `copy`.
async fn each_corruption_is_caught(
    original: &str,
    backend: DbBackend,
    history: &BooksHistory,
    copy: impl AsyncFn(&str) -> String,
) {
    let whole = kasa_verify(original);
    assert_eq!(whole.status.code(), Some(0), "{}", described(&whole));
    let stdout = String::from_utf8_lossy(&whole.stdout);
    assert!(
        stdout.contains(&format!(
            "checked {} customers and {} ledger entries, {} invoice numbers",
            history.size.customers, history.size.ledger_entries, history.size.invoices
        )) && stdout.contains(&format!("{} payments", history.size.payments))
            && stdout.contains("the books are whole"),
        "{}",
        described(&whole)
    );
    let stderr = String::from_utf8_lossy(&whole.stderr);
    assert!(
        stderr.contains("customers' ledgers") && stderr.contains("(100%)"),
        "progress is shown: {}",
        described(&whole)
    );
    assert!(problems(&whole).is_empty());

    for corruption in corruptions(backend, history) {
        let url = copy(corruption.name).await;
        corrupt(&url, backend, &corruption).await;
        let output = kasa_verify(&url);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{}: {}",
            corruption.name,
            described(&output)
        );
        let mut found = problems(&output);
        if corruption.name == GAP {
            // The removed document is missing from the revenue and tax summaries' sources
            // too: its revenue row and its tax row(s) hold it, the documents no longer do.
            let summaries = found.split_off(1.min(found.len()));
            assert!(
                summaries
                    .iter()
                    .filter(|problem| problem.starts_with("revenue summary of the hour from "))
                    .count()
                    == 1
                    && summaries.len() >= 2
                    && summaries.iter().all(|problem| {
                        problem.starts_with("revenue summary of the hour from ")
                            || problem.starts_with("tax summary of the hour from ")
                    }),
                "{}: {}",
                corruption.name,
                described(&output)
            );
        }
        assert_eq!(
            found,
            vec![corruption.expected.clone()],
            "{}: {}",
            corruption.name,
            described(&output)
        );
        let count = problems(&output).len();
        assert!(
            String::from_utf8_lossy(&output.stdout)
                .contains(&format!("the books are NOT whole: {count} problem(s)")),
            "{}: {}",
            corruption.name,
            described(&output)
        );
    }
}

/// A folder removed when dropped.
struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_corruption_is_caught_on_sqlite() {
    let folder = Folder(std::env::temp_dir().join(format!("kasa-verify-{}", uuid::Uuid::now_v7())));
    std::fs::create_dir_all(&folder.0).unwrap();
    let original = folder.0.join("kasa.sqlite3");
    let history = write_real_history(StoreConfig::new(sqlite_url(&original))).await;
    let copy = async |name: &str| {
        let copy = folder.0.join(format!("{}.sqlite3", name.replace(' ', "-")));
        // Closing the store folded the write-ahead log into the file; copy its companions
        // anyway, should one be left.
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", original.display()));
            if from.exists() {
                std::fs::copy(&from, format!("{}{suffix}", copy.display())).unwrap();
            }
        }
        sqlite_url(&copy)
    };
    each_corruption_is_caught(&sqlite_url(&original), DbBackend::Sqlite, &history, copy).await;
}

/// The PostgreSQL server the tests use, or `None` when none is installed.
fn postgres_server() -> Option<String> {
    if std::env::var("KASA_TEST_POSTGRES").as_deref() == Ok("absent") {
        eprintln!(
            "PostgreSQL verify test NOT RUN: no PostgreSQL installed (KASA_TEST_POSTGRES=absent)"
        );
        return None;
    }
    Some(
        std::env::var("KASA_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned()),
    )
}

fn with_database(server: &str, database: &str) -> String {
    let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
    format!("{base}/{database}")
}

async fn admin_sql(server: &str, text: &str) {
    let admin = Database::connect(server)
        .await
        .unwrap_or_else(|error| panic!("PostgreSQL at {server} does not answer: {error}"));
    admin.execute_unprepared(text).await.expect("admin SQL");
    admin.close().await.expect("closed");
}

/// Test databases dropped when the test ends, also when it fails.
struct Databases {
    server: String,
    names: std::sync::Mutex<Vec<String>>,
}

impl Drop for Databases {
    fn drop(&mut self) {
        let server = self.server.clone();
        let names = std::mem::take(&mut *self.names.lock().unwrap());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                for name in names {
                    admin_sql(
                        &server,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    )
                    .await;
                }
            });
        })
        .join();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_corruption_is_caught_on_postgres() {
    let Some(server) = postgres_server() else {
        return;
    };
    let original = format!("kasa_verify_{}", uuid::Uuid::now_v7().simple());
    let databases = Databases {
        server: server.clone(),
        names: std::sync::Mutex::new(vec![original.clone()]),
    };
    admin_sql(&server, &format!("CREATE DATABASE {original}")).await;
    let history = write_real_history(StoreConfig::new(with_database(&server, &original))).await;
    let copy = async |_name: &str| {
        // A copy of the whole database, as a restore would make it.
        let copy = format!("kasa_verify_{}", uuid::Uuid::now_v7().simple());
        databases.names.lock().unwrap().push(copy.clone());
        admin_sql(
            &server,
            &format!("CREATE DATABASE {copy} TEMPLATE {original}"),
        )
        .await;
        with_database(&server, &copy)
    };
    each_corruption_is_caught(
        &with_database(&server, &original),
        DbBackend::Postgres,
        &history,
        copy,
    )
    .await;
}

#[test]
fn a_missing_file_or_an_old_schema_is_not_checked_and_exits_2() {
    let folder = Folder(std::env::temp_dir().join(format!("kasa-verify-{}", uuid::Uuid::now_v7())));
    std::fs::create_dir_all(&folder.0).unwrap();
    let missing = folder.0.join("restored.sqlite3");
    let output = kasa_verify(&sqlite_url(&missing));
    assert_eq!(output.status.code(), Some(2), "{}", described(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
    assert!(!missing.exists(), "verify creates no file");

    std::fs::write(&missing, b"").unwrap();
    let output = kasa_verify(&sqlite_url(&missing));
    assert_eq!(output.status.code(), Some(2), "{}", described(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("run `kasa migrate` first"),
        "{}",
        described(&output)
    );

    let output = kasa_verify("postgres://kasa:s3cret@127.0.0.1:1/kasa");
    assert_eq!(output.status.code(), Some(2), "{}", described(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot open the database") && !stderr.contains("s3cret"),
        "{stderr}"
    );
}
