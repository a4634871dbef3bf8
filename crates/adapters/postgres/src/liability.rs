//! The prepaid-credit liability valued as it moves (ADR 0020): the holding's lots, the valuation
//! stored with each ledger entry and document, and the hourly per-currency summary, written in the
//! movement's own transaction (PostgreSQL's ticket charge does the same inside its one statement,
//! crate::charges); the summary added up per period for the report; and the replay `kasa verify`
//! compares all of it with.

use std::collections::BTreeMap;

use kasa_credits::LedgerEntryKind;
use kasa_credits::liability::{
    CreditLots, LiabilityBucket, LiabilitySums, RecordedMovement, RecordedValuation, Valuation,
    check_customer,
};
use kasa_domain::{Currency, CustomerId, Money, PurchaseId};
use kasa_ports::{
    LiabilityCheck, LiabilityDifference, LiabilityTotal, StoreError, compare_liability_sums,
    usage_hour,
};
use rust_decimal::Decimal;
use sea_orm::Value;
use time::OffsetDateTime;

use crate::charges::usage_shard;
use crate::codec::{Codec, Row, corrupt, id, text};
use crate::rows::{Connection, execute, fetch_all, fetch_one};

/// How a movement is added to its row of the summary on PostgreSQL (numeric adds exactly).
pub(crate) const SUMMED: &str = "ON CONFLICT (bucket_at, currency, shard) DO UPDATE SET \
     sold = liability_summary.sold + EXCLUDED.sold, \
     consumed = liability_summary.consumed + EXCLUDED.consumed, \
     forfeited = liability_summary.forfeited + EXCLUDED.forfeited, \
     refunded = liability_summary.refunded + EXCLUDED.refunded, \
     adjusted = liability_summary.adjusted + EXCLUDED.adjusted, \
     credits = liability_summary.credits + EXCLUDED.credits";

const BUCKET_COLUMNS: [&str; 5] = ["sold", "consumed", "forfeited", "refunded", "adjusted"];

fn valuation_error(error: kasa_credits::liability::LiabilityError) -> StoreError {
    corrupt(format!("the credit lots: {error}"))
}

pub(crate) async fn write_lots(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
    lots: &CreditLots,
) -> Result<(), StoreError> {
    execute(
        connection,
        codec.statement(
            "UPDATE holdings SET credit_lots = $2 WHERE customer_id = $1",
            [id(customer_id), codec.json(lots)],
        ),
    )
    .await?;
    Ok(())
}

/// Values a ledger entry against the lots it was just written with, and writes the lots back.
pub(crate) fn value_entry(
    lots: &mut CreditLots,
    kind: LedgerEntryKind,
    delta: i64,
    purchase_id: Option<PurchaseId>,
) -> Result<(LiabilityBucket, Valuation), StoreError> {
    lots.apply_entry(kind, delta, purchase_id)
        .map_err(valuation_error)
}

/// Values a money document against its customer's lots (an invoice or receipt bills its
/// purchase's lot, a credit note gives money back), writes the lots and adds it to the summary.
/// Returns the valuation and how many ledger entries the customer has (the document is valued
/// after them).
pub(crate) async fn value_document(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
    credit_note: bool,
    purchase_id: PurchaseId,
    gross: Money,
    at: OffsetDateTime,
) -> Result<(Valuation, i64), StoreError> {
    let lock = if codec.is_sqlite() { "" } else { " FOR UPDATE" };
    let row = fetch_one(
        connection,
        codec.statement(
            &format!(
                "SELECT credit_lots, ledger_entries FROM holdings WHERE customer_id = $1{lock}"
            ),
            [id(customer_id)],
        ),
    )
    .await?
    .ok_or(StoreError::NotFound {
        entity: kasa_ports::Entity::Customer,
    })?;
    let row = codec.row(&row);
    let mut lots: CreditLots = row.json("credit_lots")?;
    let entries_before = row.int("ledger_entries")?;
    let (bucket, valuation) = lots
        .apply_document(credit_note, purchase_id, gross)
        .map_err(valuation_error)?;
    if !valuation.is_empty() {
        write_lots(connection, codec, customer_id, &lots).await?;
        add_to_summary(connection, codec, customer_id, at, bucket, &valuation).await?;
    }
    Ok((valuation, entries_before))
}

fn currency_key(currency: Option<Currency>) -> String {
    currency.map_or_else(String::new, |currency| currency.alpha_code().to_owned())
}

/// Adds a movement to the summary row of its hour, currency and the customer's shard. PostgreSQL
/// adds in SQL; SQLite's amounts are text, so the row is read and added in Rust (the write
/// transaction holds the database).
pub(crate) async fn add_to_summary(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
    at: OffsetDateTime,
    bucket: LiabilityBucket,
    valuation: &Valuation,
) -> Result<(), StoreError> {
    let index = LiabilityBucket::ALL
        .iter()
        .position(|each| *each == bucket)
        .unwrap_or(0);
    let hour = usage_hour(at);
    let shard = usage_shard(customer_id);
    for piece in &valuation.0 {
        let currency = currency_key(piece.currency);
        let mut values = [Decimal::ZERO; 5];
        values[index] = piece.value;
        let mut credits = piece.credits;
        let conflict = if codec.is_sqlite() {
            if let Some(row) = fetch_one(
                connection,
                codec.statement(
                    "SELECT sold, consumed, forfeited, refunded, adjusted, credits \
                     FROM liability_summary WHERE bucket_at = $1 AND currency = $2 AND shard = $3",
                    [codec.at(hour), text(currency.clone()), Value::from(shard)],
                ),
            )
            .await?
            {
                let row = codec.row(&row);
                for (value, column) in values.iter_mut().zip(BUCKET_COLUMNS) {
                    *value += row.amount(column)?;
                }
                credits += row.int("credits")?;
            }
            "ON CONFLICT (bucket_at, currency, shard) DO UPDATE SET sold = EXCLUDED.sold, \
             consumed = EXCLUDED.consumed, forfeited = EXCLUDED.forfeited, \
             refunded = EXCLUDED.refunded, adjusted = EXCLUDED.adjusted, \
             credits = EXCLUDED.credits"
        } else {
            SUMMED
        };
        let mut parameters = vec![codec.at(hour), text(currency), Value::from(shard)];
        parameters.extend(values.iter().map(|value| codec.amount(*value)));
        parameters.push(Value::from(credits));
        execute(
            connection,
            codec.statement(
                &format!(
                    "INSERT INTO liability_summary (bucket_at, currency, shard, sold, consumed, \
                     forfeited, refunded, adjusted, credits) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) {conflict}"
                ),
                parameters,
            ),
        )
        .await?;
    }
    Ok(())
}

fn total(row: &Row<'_>, period: Option<usize>) -> Result<LiabilityTotal, StoreError> {
    let currency = row.text("currency")?;
    let mut values = [Decimal::ZERO; 5];
    for (value, column) in values.iter_mut().zip(BUCKET_COLUMNS) {
        *value = row.amount(column)?;
    }
    Ok(LiabilityTotal {
        period,
        currency: if currency.is_empty() {
            None
        } else {
            Some(currency.parse().map_err(corrupt)?)
        },
        values,
        credits: row.int("credits")?,
    })
}

/// The summary added up per period and currency, and before the first period. PostgreSQL sums
/// in SQL in one scan of the rows before the last period's end, each row put in its period by
/// `width_bucket` over the periods' bounds (numeric is exact); SQLite's text amounts are read row
/// by row and summed here.
pub(crate) async fn totals(
    connection: &impl Connection,
    codec: Codec,
    periods: &[(OffsetDateTime, OffsetDateTime)],
) -> Result<Vec<LiabilityTotal>, StoreError> {
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(Vec::new());
    };
    let contiguous = periods.windows(2).all(|pair| pair[0].1 == pair[1].0);
    let mut sums: BTreeMap<(i64, String), LiabilityTotal> = BTreeMap::new();
    let mut add = |index: i64, read: LiabilityTotal| {
        let key = (index, currency_key(read.currency));
        match sums.get_mut(&key) {
            Some(sum) => {
                for (value, more) in sum.values.iter_mut().zip(read.values) {
                    *value += more;
                }
                sum.credits += read.credits;
            }
            None => {
                sums.insert(key, read);
            }
        }
    };
    if codec.is_sqlite() || !contiguous {
        let rows = fetch_all(
            connection,
            codec.statement(
                "SELECT bucket_at, currency, sold, consumed, forfeited, refunded, adjusted, \
                 credits FROM liability_summary WHERE bucket_at < $1",
                [codec.at(last.1)],
            ),
        )
        .await?;
        for row in &rows {
            let row = codec.row(row);
            let hour = row.at("bucket_at")?;
            let period = if hour < first.0 {
                None
            } else {
                match periods
                    .iter()
                    .position(|(start, end)| hour >= *start && hour < *end)
                {
                    Some(index) => Some(index),
                    None => continue,
                }
            };
            let index = period.map_or(-1, |index| i64::try_from(index).unwrap_or(i64::MAX));
            add(index, total(&row, period)?);
        }
    } else {
        let mut values = vec![codec.at(last.1)];
        let bounds: Vec<String> = periods
            .iter()
            .map(|period| period.0)
            .chain([last.1])
            .map(|bound| {
                values.push(codec.at(bound));
                format!("${}", values.len())
            })
            .collect();
        let rows = fetch_all(
            connection,
            codec.statement(
                &format!(
                    "SELECT CAST(width_bucket(bucket_at, ARRAY[{}]::timestamptz[]) - 1 AS BIGINT) \
                     AS i, currency, SUM(sold) AS sold, SUM(consumed) AS consumed, \
                     SUM(forfeited) AS forfeited, SUM(refunded) AS refunded, \
                     SUM(adjusted) AS adjusted, CAST(SUM(credits) AS BIGINT) AS credits \
                     FROM liability_summary WHERE bucket_at < $1 GROUP BY 1, 2",
                    bounds.join(", ")
                ),
                values,
            ),
        )
        .await?;
        for row in &rows {
            let row = codec.row(row);
            let index = row.int("i")?;
            add(index, total(&row, usize::try_from(index).ok())?);
        }
    }
    Ok(sums.into_values().collect())
}

/// Every customer's ledger and credit-purchase documents replayed and compared with the stored
/// valuations and lots, then the replay's hourly sums with the summary's (shards added up).
pub(crate) async fn check(
    connection: &impl Connection,
    codec: Codec,
) -> Result<LiabilityCheck, StoreError> {
    let mut result = LiabilityCheck::default();
    let mut replayed = LiabilitySums::new();
    let holdings = fetch_all(
        connection,
        codec.statement(
            "SELECT customer_id, credit_lots FROM holdings ORDER BY customer_id",
            [],
        ),
    )
    .await?;
    for holding in &holdings {
        let holding = codec.row(holding);
        let customer_id: CustomerId = holding.id("customer_id")?;
        let stored_lots: CreditLots = holding.json("credit_lots")?;
        let movements = recorded(connection, codec, customer_id).await?;
        result.compared += u64::try_from(movements.len()).unwrap_or(u64::MAX);
        for detail in check_customer(&movements, &stored_lots, &mut replayed) {
            result.differences.push(LiabilityDifference::Customer {
                customer_id,
                detail,
            });
        }
    }
    let mut stored = LiabilitySums::new();
    for row in &fetch_all(
        connection,
        codec.statement(
            "SELECT bucket_at, currency, sold, consumed, forfeited, refunded, adjusted, credits \
             FROM liability_summary",
            [],
        ),
    )
    .await?
    {
        let row = codec.row(row);
        let read = total(&row, None)?;
        let sum = stored
            .entry((row.at("bucket_at")?, currency_key(read.currency)))
            .or_insert(([Decimal::ZERO; 5], 0));
        for (value, more) in sum.0.iter_mut().zip(read.values) {
            *value += more;
        }
        sum.1 += read.credits;
    }
    compare_liability_sums(&stored, &replayed, &mut result);
    Ok(result)
}

/// One customer's ledger entries and credit-purchase documents in the order they were written
/// (at one instant an entry before a document), with what each stores.
async fn recorded(
    connection: &impl Connection,
    codec: Codec,
    customer_id: CustomerId,
) -> Result<Vec<RecordedValuation>, StoreError> {
    let rows = fetch_all(
        connection,
        codec.statement(
            "SELECT CAST(0 AS BIGINT) AS source, id, at, entry_number - 1 AS position, kind, \
             delta, purchase_id, NULL AS gross, \
             NULL AS currency, '' AS series, 0 AS year, 0 AS sequence, valuation \
             FROM credit_ledger WHERE customer_id = $1 \
             UNION ALL \
             SELECT CAST(1 AS BIGINT), i.id, i.issued_at, i.ledger_entries_before, i.kind, 0, \
             i.purchase_id, i.gross, i.currency, i.series, i.year, i.sequence, i.valuation \
             FROM invoices i JOIN purchases p ON p.id = i.purchase_id \
             WHERE i.customer_id = $1 AND p.package_kind = 'credit' \
             ORDER BY position, source DESC, series, year, sequence",
            [id(customer_id)],
        ),
    )
    .await?;
    rows.iter()
        .map(|row| {
            let row = codec.row(row);
            let at = row.at("at")?;
            let movement = if row.int("source")? == 0 {
                RecordedMovement::Entry {
                    kind: row.label("kind")?,
                    delta: row.int("delta")?,
                }
            } else {
                let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
                RecordedMovement::Document {
                    credit_note: row.text("kind")? == "credit_note",
                    gross: Money::new(row.amount("gross")?, currency).map_err(corrupt)?,
                }
            };
            let name = match movement {
                RecordedMovement::Entry { .. } => {
                    format!("ledger entry {}", row.int("position")? + 1)
                }
                RecordedMovement::Document { .. } => format!(
                    "document {}-{}-{:06}",
                    row.text("series")?,
                    row.int("year")?,
                    row.int("sequence")?
                ),
            };
            Ok(RecordedValuation {
                name,
                movement,
                purchase_id: row.opt_id("purchase_id")?,
                hour: usage_hour(at),
                stored: row.opt_json("valuation")?,
            })
        })
        .collect()
}
