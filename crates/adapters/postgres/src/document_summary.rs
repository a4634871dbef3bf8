//! The revenue and tax summaries (ADR 0020): written in the transaction that issues each
//! document ([`record`], called by `crate::invoices::issue`), added up per period for the
//! reports ([`revenue_totals`], [`tax_totals`]) and recomputed from the documents for
//! `kasa verify` ([`check`]).
//!
//! Amounts are decimals. PostgreSQL's `numeric` adds them exactly, so there the upsert adds in
//! SQL and the reports sum in SQL; SQLite keeps them as text (its `SUM` would go through
//! floating point), so there the write reads the row and adds in Rust, and the reports add the
//! hour rows in Rust.

use std::collections::BTreeMap;

use kasa_domain::{Currency, Decimal};
use kasa_ports::{
    DocumentSide, DocumentSummaryCheck, DocumentSummaryTally, Invoice, RevenueBucket, RevenueTotal,
    StoreError, TaxBucket, TaxTotal, document_summary_rows,
};
use sea_orm::{DatabaseTransaction, Value};
use time::OffsetDateTime;

use crate::codec::{Codec, Row, corrupt, text};
use crate::rows::{Connection, execute, fetch_all, fetch_one};

fn side(row: &Row<'_>) -> Result<DocumentSide, StoreError> {
    match row.text("side")?.as_str() {
        "billed" => Ok(DocumentSide::Billed),
        "credited" => Ok(DocumentSide::Credited),
        other => Err(corrupt(format!("document summary side {other}"))),
    }
}

fn currency(row: &Row<'_>) -> Result<Currency, StoreError> {
    row.text("currency")?.parse().map_err(corrupt)
}

fn rate(row: &Row<'_>) -> Result<Decimal, StoreError> {
    row.text("rate_percent")?
        .parse::<Decimal>()
        .map(|rate| rate.normalize())
        .map_err(corrupt)
}

fn count(row: &Row<'_>, column: &str) -> Result<u64, StoreError> {
    u64::try_from(row.int(column)?).map_err(corrupt)
}

/// Adds a document issued in `tx` to the summaries, in the same transaction.
pub(crate) async fn record(
    tx: &DatabaseTransaction,
    codec: Codec,
    invoice: &Invoice,
) -> Result<(), StoreError> {
    let rows = document_summary_rows(invoice);
    let (bucket, gross) = rows.revenue;
    let revenue_key = vec![
        codec.at(bucket.hour),
        text(bucket.side.label()),
        text(bucket.currency.alpha_code()),
        text(bucket.gateway),
        text(bucket.package),
    ];
    if codec.is_sqlite() {
        let found = fetch_one(
            tx,
            codec.statement(
                "SELECT documents, gross FROM revenue_summary WHERE bucket_at = $1 \
                 AND side = $2 AND currency = $3 AND gateway = $4 AND package = $5",
                revenue_key.clone(),
            ),
        )
        .await?;
        let mut values = revenue_key;
        if let Some(found) = found {
            let found = codec.row(&found);
            values.push(Value::from(found.int("documents")? + 1));
            values.push(codec.amount(found.amount("gross")? + gross));
            execute(
                tx,
                codec.statement(
                    "UPDATE revenue_summary SET documents = $6, gross = $7 WHERE bucket_at = $1 \
                     AND side = $2 AND currency = $3 AND gateway = $4 AND package = $5",
                    values,
                ),
            )
            .await?;
        } else {
            values.push(codec.amount(gross));
            execute(
                tx,
                codec.statement(
                    "INSERT INTO revenue_summary (bucket_at, side, currency, gateway, package, \
                     documents, gross) VALUES ($1, $2, $3, $4, $5, 1, $6)",
                    values,
                ),
            )
            .await?;
        }
    } else {
        let mut values = revenue_key;
        values.push(codec.amount(gross));
        execute(
            tx,
            codec.statement(
                "INSERT INTO revenue_summary (bucket_at, side, currency, gateway, package, \
                 documents, gross) VALUES ($1, $2, $3, $4, $5, 1, $6) \
                 ON CONFLICT (bucket_at, side, currency, gateway, package) DO UPDATE \
                 SET documents = revenue_summary.documents + 1, \
                 gross = revenue_summary.gross + EXCLUDED.gross",
                values,
            ),
        )
        .await?;
    }
    for (bucket, base, tax) in rows.tax {
        record_tax(tx, codec, &bucket, base, tax).await?;
    }
    Ok(())
}

async fn record_tax(
    tx: &DatabaseTransaction,
    codec: Codec,
    bucket: &TaxBucket,
    base: Decimal,
    tax: Decimal,
) -> Result<(), StoreError> {
    let key = vec![
        codec.at(bucket.hour),
        text(bucket.side.label()),
        text(bucket.currency.alpha_code()),
        text(bucket.rate_percent.normalize().to_string()),
    ];
    if codec.is_sqlite() {
        let found = fetch_one(
            tx,
            codec.statement(
                "SELECT base, tax FROM tax_summary WHERE bucket_at = $1 AND side = $2 \
                 AND currency = $3 AND rate_percent = $4",
                key.clone(),
            ),
        )
        .await?;
        let mut values = key;
        if let Some(found) = found {
            let found = codec.row(&found);
            values.push(codec.amount(found.amount("base")? + base));
            values.push(codec.amount(found.amount("tax")? + tax));
            execute(
                tx,
                codec.statement(
                    "UPDATE tax_summary SET base = $5, tax = $6 WHERE bucket_at = $1 \
                     AND side = $2 AND currency = $3 AND rate_percent = $4",
                    values,
                ),
            )
            .await?;
            return Ok(());
        }
        values.push(codec.amount(base));
        values.push(codec.amount(tax));
        execute(
            tx,
            codec.statement(
                "INSERT INTO tax_summary (bucket_at, side, currency, rate_percent, base, tax) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                values,
            ),
        )
        .await?;
        return Ok(());
    }
    let mut values = key;
    values.push(codec.amount(base));
    values.push(codec.amount(tax));
    execute(
        tx,
        codec.statement(
            "INSERT INTO tax_summary (bucket_at, side, currency, rate_percent, base, tax) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (bucket_at, side, currency, rate_percent) DO UPDATE \
             SET base = tax_summary.base + EXCLUDED.base, tax = tax_summary.tax + EXCLUDED.tax",
            values,
        ),
    )
    .await?;
    Ok(())
}

/// The periods as a `VALUES` table of (index, start, end), with its parameters.
pub(crate) fn periods_table(
    codec: Codec,
    periods: &[(OffsetDateTime, OffsetDateTime)],
) -> (String, Vec<Value>) {
    let mut values = Vec::with_capacity(periods.len() * 3);
    let rows: Vec<String> = periods
        .iter()
        .enumerate()
        .map(|(index, (start, end))| {
            values.push(Value::from(i64::try_from(index).unwrap_or(i64::MAX)));
            values.push(codec.at(*start));
            values.push(codec.at(*end));
            let next = values.len();
            format!("(${}, ${}, ${})", next - 2, next - 1, next)
        })
        .collect();
    (
        format!("WITH periods (i, s, e) AS (VALUES {})", rows.join(", ")),
        values,
    )
}

fn period(row: &Row<'_>) -> Result<usize, StoreError> {
    usize::try_from(row.int("i")?).map_err(corrupt)
}

/// A revenue total's key: period, side, currency, gateway and package.
type RevenueKey = (usize, DocumentSide, Currency, String, String);

/// The revenue summary per period, side, currency, gateway and package. PostgreSQL adds the
/// hours up; SQLite returns them and they are added here.
pub(crate) async fn revenue_totals(
    connection: &impl Connection,
    codec: Codec,
    periods: &[(OffsetDateTime, OffsetDateTime)],
) -> Result<Vec<RevenueTotal>, StoreError> {
    if periods.is_empty() {
        return Ok(Vec::new());
    }
    let (with, values) = periods_table(codec, periods);
    let sql = if codec.is_sqlite() {
        format!(
            "{with} SELECT p.i, r.side, r.currency, r.gateway, r.package, r.documents, r.gross \
             FROM periods p JOIN revenue_summary r ON r.bucket_at >= p.s AND r.bucket_at < p.e"
        )
    } else {
        format!(
            "{with} SELECT p.i, r.side, r.currency, r.gateway, r.package, \
             CAST(SUM(r.documents) AS BIGINT) AS documents, SUM(r.gross) AS gross \
             FROM periods p JOIN revenue_summary r ON r.bucket_at >= p.s AND r.bucket_at < p.e \
             GROUP BY p.i, r.side, r.currency, r.gateway, r.package"
        )
    };
    let mut totals: BTreeMap<RevenueKey, (u64, Decimal)> = BTreeMap::new();
    for row in fetch_all(connection, codec.statement(&sql, values)).await? {
        let row = codec.row(&row);
        let sums = totals
            .entry((
                period(&row)?,
                side(&row)?,
                currency(&row)?,
                row.text("gateway")?,
                row.text("package")?,
            ))
            .or_default();
        *sums = (
            sums.0 + count(&row, "documents")?,
            sums.1
                .checked_add(row.amount("gross")?)
                .ok_or_else(|| corrupt("revenue summary overflow"))?,
        );
    }
    Ok(totals
        .into_iter()
        .map(
            |((period, side, currency, gateway, package), (documents, gross))| RevenueTotal {
                period,
                side,
                currency,
                gateway,
                package,
                documents,
                gross,
            },
        )
        .collect())
}

/// The tax summary per period, side, currency and rate (added up as [`revenue_totals`]).
pub(crate) async fn tax_totals(
    connection: &impl Connection,
    codec: Codec,
    periods: &[(OffsetDateTime, OffsetDateTime)],
) -> Result<Vec<TaxTotal>, StoreError> {
    if periods.is_empty() {
        return Ok(Vec::new());
    }
    let (with, values) = periods_table(codec, periods);
    let sql = if codec.is_sqlite() {
        format!(
            "{with} SELECT p.i, t.side, t.currency, t.rate_percent, t.base, t.tax \
             FROM periods p JOIN tax_summary t ON t.bucket_at >= p.s AND t.bucket_at < p.e"
        )
    } else {
        format!(
            "{with} SELECT p.i, t.side, t.currency, t.rate_percent, SUM(t.base) AS base, \
             SUM(t.tax) AS tax \
             FROM periods p JOIN tax_summary t ON t.bucket_at >= p.s AND t.bucket_at < p.e \
             GROUP BY p.i, t.side, t.currency, t.rate_percent"
        )
    };
    let mut totals: BTreeMap<(usize, DocumentSide, Currency, Decimal), (Decimal, Decimal)> =
        BTreeMap::new();
    for row in fetch_all(connection, codec.statement(&sql, values)).await? {
        let row = codec.row(&row);
        let sums = totals
            .entry((period(&row)?, side(&row)?, currency(&row)?, rate(&row)?))
            .or_default();
        let overflow = || corrupt("tax summary overflow");
        *sums = (
            sums.0
                .checked_add(row.amount("base")?)
                .ok_or_else(overflow)?,
            sums.1
                .checked_add(row.amount("tax")?)
                .ok_or_else(overflow)?,
        );
    }
    Ok(totals
        .into_iter()
        .map(
            |((period, side, currency, rate_percent), (base, tax))| TaxTotal {
                period,
                side,
                currency,
                rate_percent,
                base,
                tax,
            },
        )
        .collect())
}

/// How many documents are read at once while recomputing the summaries.
const CHECK_PAGE: u32 = 2_000;

/// The summaries as stored, beside the summaries recomputed from every document (read page by
/// page, by id, in the caller's snapshot).
pub(crate) async fn check(
    tx: &DatabaseTransaction,
    codec: Codec,
) -> Result<DocumentSummaryCheck, StoreError> {
    let mut stored = DocumentSummaryTally::default();
    for row in fetch_all(
        tx,
        codec.statement(
            "SELECT bucket_at, side, currency, gateway, package, documents, gross \
             FROM revenue_summary",
            [],
        ),
    )
    .await?
    {
        let row = codec.row(&row);
        stored.add_revenue(
            RevenueBucket {
                hour: row.at("bucket_at")?,
                side: side(&row)?,
                currency: currency(&row)?,
                gateway: row.text("gateway")?,
                package: row.text("package")?,
            },
            count(&row, "documents")?,
            row.amount("gross")?,
        );
    }
    for row in fetch_all(
        tx,
        codec.statement(
            "SELECT bucket_at, side, currency, rate_percent, base, tax FROM tax_summary",
            [],
        ),
    )
    .await?
    {
        let row = codec.row(&row);
        stored.add_tax(
            TaxBucket {
                hour: row.at("bucket_at")?,
                side: side(&row)?,
                currency: currency(&row)?,
                rate_percent: rate(&row)?,
            },
            row.amount("base")?,
            row.amount("tax")?,
        );
    }
    let mut documents = DocumentSummaryTally::default();
    let mut after: Option<Value> = None;
    loop {
        let statement = match after.take() {
            None => codec.statement(
                &format!(
                    "{} ORDER BY id LIMIT {CHECK_PAGE}",
                    crate::invoices::COLUMNS
                ),
                [],
            ),
            Some(last) => codec.statement(
                &format!(
                    "{} WHERE id > $1 ORDER BY id LIMIT {CHECK_PAGE}",
                    crate::invoices::COLUMNS
                ),
                [last],
            ),
        };
        let rows = fetch_all(tx, statement).await?;
        for row in &rows {
            let invoice = crate::invoices::invoice(&codec.row(row))?;
            documents.add_document(&invoice);
            after = Some(crate::codec::id(invoice.issued.id));
        }
        if rows.len() < usize::try_from(CHECK_PAGE).unwrap_or(usize::MAX) {
            break;
        }
    }
    Ok(DocumentSummaryTally::compare(&stored, &documents))
}
