//! Migration 0043's backfill, in Rust: every customer's ledger entries and credit-purchase
//! documents replayed in order through `kasa_credits::liability` (the same code the stores call
//! when they write a movement), so each entry and document gets the valuation it would have had,
//! each holding its open lots, and the liability summary the hours already past (shard 0).
//!
//! The ledger and the documents are append-only (guards of 0001 and 0004): this step lifts the
//! update guard of `credit_ledger` and `invoices` for its own transaction only, writes one column
//! that did not exist before, and puts the guard back before committing.

use std::collections::BTreeMap;

use kasa_credits::LedgerEntryKind;
use kasa_credits::liability::{CreditLots, LiabilityBucket, Valuation};
use kasa_domain::{Currency, Money, PurchaseId};
use rust_decimal::Decimal;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use uuid::Uuid;

/// The SQLite update guards lifted for the backfill, and how they are put back.
const SQLITE_GUARDS: [(&str, &str); 2] = [
    (
        "credit_ledger_no_update",
        "CREATE TRIGGER credit_ledger_no_update BEFORE UPDATE ON credit_ledger\nBEGIN\n    \
         SELECT RAISE(ABORT, 'kasa: credit_ledger is append-only; UPDATE refused');\nEND;",
    ),
    (
        "invoices_no_update",
        "CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices\nBEGIN\n    \
         SELECT RAISE(ABORT, 'kasa: invoices is append-only; UPDATE refused');\nEND;",
    ),
];

fn failed(what: impl std::fmt::Display) -> DbErr {
    DbErr::Migration(format!("liability backfill: {what}"))
}

/// Sums per (UTC hour as `YYYY-MM-DDTHH`, currency or '' for free credits).
type Summary = BTreeMap<(String, String), ([Decimal; 5], i64)>;

fn bucket_index(bucket: LiabilityBucket) -> usize {
    match bucket {
        LiabilityBucket::Sold => 0,
        LiabilityBucket::Consumed => 1,
        LiabilityBucket::Forfeited => 2,
        LiabilityBucket::Refunded => 3,
        LiabilityBucket::Adjusted => 4,
    }
}

fn add_to_summary(summary: &mut Summary, hour: &str, bucket: LiabilityBucket, moved: &Valuation) {
    for piece in &moved.0 {
        let currency = piece
            .currency
            .map_or_else(String::new, |currency| currency.alpha_code().to_owned());
        let sums = summary
            .entry((hour.to_owned(), currency))
            .or_insert(([Decimal::ZERO; 5], 0));
        sums.0[bucket_index(bucket)] += piece.value;
        sums.1 += piece.credits;
    }
}

fn json(backend: DbBackend, value: &impl serde::Serialize) -> Result<Value, DbErr> {
    let json = serde_json::to_value(value).map_err(failed)?;
    Ok(if backend == DbBackend::Sqlite {
        Value::from(json.to_string())
    } else {
        Value::from(json)
    })
}

fn amount(backend: DbBackend, row: &QueryResult, column: &str) -> Result<Decimal, DbErr> {
    if backend == DbBackend::Sqlite {
        row.try_get::<String>("", column)?.parse().map_err(failed)
    } else {
        row.try_get::<Decimal>("", column)
    }
}

fn entry_kind(label: &str) -> Result<LedgerEntryKind, DbErr> {
    Ok(match label {
        "granted" => LedgerEntryKind::Granted,
        "consumed" => LedgerEntryKind::Consumed,
        "forfeited" => LedgerEntryKind::Forfeited,
        "adjusted" => LedgerEntryKind::Adjusted,
        "reversed" => LedgerEntryKind::Reversed,
        other => return Err(failed(format!("a ledger entry of kind {other}"))),
    })
}

/// Replays one customer; returns the writes.
async fn customer(
    connection: &impl ConnectionTrait,
    backend: DbBackend,
    customer_id: Uuid,
    summary: &mut Summary,
) -> Result<(), DbErr> {
    let hour = |column: &str| {
        if backend == DbBackend::Sqlite {
            format!("substr({column}, 1, 13)")
        } else {
            format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')")
        }
    };
    // Entries and documents in time order; at one instant an entry before a document (the
    // order the stores write them in one transaction), documents by number.
    let sql = format!(
        "SELECT CAST(0 AS BIGINT) AS source, id, at, entry_number, kind, delta, purchase_id, NULL AS gross, \
         NULL AS currency, '' AS series, 0 AS year, 0 AS sequence, {} AS hour \
         FROM credit_ledger WHERE customer_id = $1 \
         UNION ALL \
         SELECT CAST(1 AS BIGINT), i.id, i.issued_at, 0, i.kind, 0, i.purchase_id, i.gross, i.currency, i.series, \
         i.year, i.sequence, {} FROM invoices i JOIN purchases p ON p.id = i.purchase_id \
         WHERE i.customer_id = $1 AND p.package_kind = 'credit' \
         ORDER BY at, source, entry_number, series, year, sequence",
        hour("at"),
        hour("i.issued_at")
    );
    let rows = connection
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(customer_id)],
        ))
        .await?;
    let mut lots = CreditLots::new();
    let mut entries: i64 = 0;
    for row in &rows {
        let source: i64 = row.try_get("", "source")?;
        let row_id: Uuid = row.try_get("", "id")?;
        let kind: String = row.try_get("", "kind")?;
        let purchase_id = row
            .try_get::<Option<Uuid>>("", "purchase_id")?
            .map(PurchaseId::from_uuid);
        let hour: String = row.try_get("", "hour")?;
        let (bucket, moved, table) = if source == 0 {
            let delta: i64 = row.try_get("", "delta")?;
            let (bucket, moved) = lots
                .apply_entry(entry_kind(&kind)?, delta, purchase_id)
                .map_err(failed)?;
            entries += 1;
            (bucket, moved, "credit_ledger")
        } else {
            let currency: Currency = row
                .try_get::<String>("", "currency")?
                .parse()
                .map_err(failed)?;
            let gross = Money::new(amount(backend, row, "gross")?, currency).map_err(failed)?;
            let purchase_id = purchase_id.ok_or_else(|| failed("a document without purchase"))?;
            let (bucket, moved) = lots
                .apply_document(kind == "credit_note", purchase_id, gross)
                .map_err(failed)?;
            (bucket, moved, "invoices")
        };
        add_to_summary(summary, &hour, bucket, &moved);
        // A document records how many of its customer's entries came before it: the order
        // `kasa verify` replays in, even where entries and documents share an instant.
        let position = if table == "invoices" {
            ", ledger_entries_before = $3"
        } else {
            ""
        };
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!("UPDATE {table} SET valuation = $2{position} WHERE id = $1"),
                if position.is_empty() {
                    vec![Value::from(row_id), json(backend, &moved)?]
                } else {
                    vec![
                        Value::from(row_id),
                        json(backend, &moved)?,
                        Value::from(entries),
                    ]
                },
            ))
            .await?;
    }
    connection
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "UPDATE holdings SET credit_lots = $2 WHERE customer_id = $1",
            [Value::from(customer_id), json(backend, &lots)?],
        ))
        .await?;
    Ok(())
}

async fn write_summary(
    connection: &impl ConnectionTrait,
    backend: DbBackend,
    summary: Summary,
) -> Result<(), DbErr> {
    let bucket_at = if backend == DbBackend::Sqlite {
        "$1 || ':00:00.000000Z'"
    } else {
        "($1 || ':00:00+00')::timestamptz"
    };
    for ((hour, currency), (sums, credits)) in summary {
        let amounts = sums.map(|sum| {
            if backend == DbBackend::Sqlite {
                Value::from(sum.to_string())
            } else {
                Value::from(sum)
            }
        });
        let [sold, consumed, forfeited, refunded, adjusted] = amounts;
        connection
            .execute_raw(Statement::from_sql_and_values(
                backend,
                format!(
                    "INSERT INTO liability_summary (bucket_at, currency, shard, sold, consumed, \
                     forfeited, refunded, adjusted, credits) \
                     VALUES ({bucket_at}, $2, 0, $3, $4, $5, $6, $7, $8)"
                ),
                [
                    Value::from(hour),
                    Value::from(currency),
                    sold,
                    consumed,
                    forfeited,
                    refunded,
                    adjusted,
                    Value::from(credits),
                ],
            ))
            .await?;
    }
    Ok(())
}

/// Values everything already written; the summary must be empty.
///
/// # Errors
/// A database error, or a ledger the lots cannot follow (damage).
pub async fn backfill(connection: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = connection.get_database_backend();
    if backend == DbBackend::Sqlite {
        for (name, _) in SQLITE_GUARDS {
            connection
                .execute_unprepared(&format!("DROP TRIGGER {name}"))
                .await?;
        }
    } else {
        connection
            .execute_unprepared(
                "ALTER TABLE credit_ledger DISABLE TRIGGER credit_ledger_append_only; \
                 ALTER TABLE invoices DISABLE TRIGGER invoices_append_only",
            )
            .await?;
    }
    let customers = connection
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT customer_id FROM holdings ORDER BY customer_id",
        ))
        .await?;
    let mut summary = Summary::new();
    for row in &customers {
        let customer_id: Uuid = row.try_get("", "customer_id")?;
        customer(connection, backend, customer_id, &mut summary).await?;
    }
    write_summary(connection, backend, summary).await?;
    if backend == DbBackend::Sqlite {
        for (_, create) in SQLITE_GUARDS {
            connection.execute_unprepared(create).await?;
        }
    } else {
        connection
            .execute_unprepared(
                "ALTER TABLE credit_ledger ENABLE TRIGGER credit_ledger_append_only; \
                 ALTER TABLE invoices ENABLE TRIGGER invoices_append_only",
            )
            .await?;
    }
    Ok(())
}
