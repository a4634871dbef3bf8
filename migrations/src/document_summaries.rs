//! Step 0042: the revenue and tax summaries (ADR 0020), and the documents issued before them
//! summed into them. PostgreSQL sums in SQL (`numeric` is exact); SQLite keeps amounts as
//! decimal text, whose `SUM` would go through floating point, so there the documents are read
//! and added here, in Rust, with exact decimals.
//!
//! The rows a document makes are those of `kasa_ports::document_summary_rows` at the time of
//! this step (a migration is frozen history: it does not call code that may change later): the
//! UTC hour, `billed` or `credited`, the currency, the document's `payment.method` and first
//! line's description (`-` when absent); tax rows per line rate when every line reads and the
//! lines add up to the totals, otherwise the totals at rate 0.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use serde_json::Value as Json;

/// The step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DocumentSummaries;

const NAME: &str = "m20261205_000042_document_summaries";
const SCHEMA: &str = include_str!("sql/0042_document_summaries.sql");
const POSTGRES_BACKFILL: &str = include_str!("sql/0042_backfill_postgres.sql");

impl MigrationName for DocumentSummaries {
    fn name(&self) -> &str {
        NAME
    }
}

#[async_trait::async_trait]
impl MigrationTrait for DocumentSummaries {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        let backend = connection.get_database_backend();
        connection
            .execute_unprepared(&crate::for_backend(SCHEMA, backend))
            .await?;
        match backend {
            DbBackend::Postgres => {
                connection.execute_unprepared(POSTGRES_BACKFILL).await?;
                Ok(())
            }
            DbBackend::Sqlite => sqlite_backfill(connection).await,
            other => Err(DbErr::Migration(format!(
                "Kasa runs on PostgreSQL or SQLite, not {other:?}"
            ))),
        }
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

type RevenueKey = (String, &'static str, String, String, String);
type TaxKey = (String, &'static str, String, String);

fn text_at<'a>(document: &'a Json, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(document, |value, key| value.get(key))
        .and_then(Json::as_str)
}

fn decimal_of(value: Option<&Json>) -> Option<Decimal> {
    match value? {
        Json::String(text) => text.parse().ok(),
        Json::Number(number) => number.to_string().parse().ok(),
        _ => None,
    }
}

/// The (rate, net, tax) lines a document is summed by.
fn tax_lines(document: &Json, net: Decimal, tax: Decimal) -> Vec<(Decimal, Decimal, Decimal)> {
    let lines = document
        .get("lines")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let parsed: Option<Vec<(Decimal, Decimal, Decimal)>> = lines
        .iter()
        .map(|line| {
            Some((
                decimal_of(line.get("tax_rate_percent"))?,
                decimal_of(line.get("net"))?,
                decimal_of(line.get("tax"))?,
            ))
        })
        .collect();
    match parsed {
        Some(lines)
            if !lines.is_empty()
                && lines.iter().map(|line| line.1).sum::<Decimal>() == net
                && lines.iter().map(|line| line.2).sum::<Decimal>() == tax =>
        {
            lines
        }
        _ => vec![(Decimal::ZERO, net, tax)],
    }
}

fn column<T: sea_orm_migration::sea_orm::TryGetable>(
    row: &sea_orm_migration::sea_orm::QueryResult,
    name: &str,
) -> Result<T, DbErr> {
    row.try_get("", name)
}

fn amount(row: &sea_orm_migration::sea_orm::QueryResult, name: &str) -> Result<Decimal, DbErr> {
    column::<String>(row, name)?
        .parse()
        .map_err(|error| DbErr::Migration(format!("invoices.{name}: {error}")))
}

async fn sqlite_backfill(connection: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let rows = connection
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT issued_at, kind, currency, net, tax, gross, document FROM invoices",
        ))
        .await?;
    let mut revenue: BTreeMap<RevenueKey, (i64, Decimal)> = BTreeMap::new();
    let mut taxes: BTreeMap<TaxKey, (Decimal, Decimal)> = BTreeMap::new();
    for row in &rows {
        let issued_at: String = column(row, "issued_at")?;
        // Fixed-width UTC text: the hour is its first 13 characters.
        let hour = format!(
            "{}:00:00.000000Z",
            issued_at.get(..13).unwrap_or(&issued_at)
        );
        let side = if column::<String>(row, "kind")? == "credit_note" {
            "credited"
        } else {
            "billed"
        };
        let currency: String = column(row, "currency")?;
        let document: Json = serde_json::from_str(&column::<String>(row, "document")?)
            .map_err(|error| DbErr::Migration(format!("invoices.document: {error}")))?;
        let gateway = text_at(&document, &["payment", "method"]).unwrap_or("-");
        let package = document
            .get("lines")
            .and_then(|lines| lines.get(0))
            .and_then(|line| line.get("description"))
            .and_then(Json::as_str)
            .unwrap_or("-");
        let sums = revenue
            .entry((
                hour.clone(),
                side,
                currency.clone(),
                gateway.to_owned(),
                package.to_owned(),
            ))
            .or_default();
        *sums = (sums.0 + 1, sums.1 + amount(row, "gross")?);
        for (rate, net, tax) in tax_lines(&document, amount(row, "net")?, amount(row, "tax")?) {
            let sums = taxes
                .entry((
                    hour.clone(),
                    side,
                    currency.clone(),
                    rate.normalize().to_string(),
                ))
                .or_default();
            *sums = (sums.0 + net, sums.1 + tax);
        }
    }
    for ((hour, side, currency, gateway, package), (documents, gross)) in revenue {
        connection
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO revenue_summary (bucket_at, side, currency, gateway, package, \
                 documents, gross) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    Value::from(hour),
                    Value::from(side),
                    Value::from(currency),
                    Value::from(gateway),
                    Value::from(package),
                    Value::from(documents),
                    Value::from(gross.to_string()),
                ],
            ))
            .await?;
    }
    for ((hour, side, currency, rate), (base, tax)) in taxes {
        connection
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO tax_summary (bucket_at, side, currency, rate_percent, base, tax) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    Value::from(hour),
                    Value::from(side),
                    Value::from(currency),
                    Value::from(rate),
                    Value::from(base.to_string()),
                    Value::from(tax.to_string()),
                ],
            ))
            .await?;
    }
    Ok(())
}
