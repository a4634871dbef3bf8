//! The usage summary (ADR 0020) against the charges it sums: for `kasa verify`. The charge
//! statement keeps it (crate::charges); here it is recomputed, per UTC hour, department, kind
//! and basis, in one query that adds the summary's shards and counts the charges side by side.

use kasa_ports::{StoreError, UsageSummaryCheck, UsageSummaryDifference};
use sea_orm::DatabaseTransaction;

use crate::codec::{Codec, corrupt};
use crate::rows::fetch_all;

/// The UTC hour of the time column `column`, as the summary keeps it.
fn hour_of(codec: Codec, column: &str) -> String {
    if codec.is_sqlite() {
        // Fixed-width UTC text: the hour is the first 13 characters.
        format!("substr({column}, 1, 13) || ':00:00.000000Z'")
    } else {
        format!("date_trunc('hour', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")
    }
}

/// Every hour, department, kind and basis of the summary or the charges, compared.
pub(crate) async fn check(
    tx: &DatabaseTransaction,
    codec: Codec,
) -> Result<UsageSummaryCheck, StoreError> {
    let sql = format!(
        "SELECT hour, department_id, usage_kind, basis, \
         CAST(SUM(summary_charges) AS BIGINT) AS summary_charges, \
         CAST(SUM(summary_credits) AS BIGINT) AS summary_credits, \
         CAST(SUM(charges) AS BIGINT) AS charges, CAST(SUM(credits) AS BIGINT) AS credits \
         FROM (SELECT bucket_at AS hour, department_id, usage_kind, basis, \
           charges AS summary_charges, credits AS summary_credits, \
           CAST(0 AS BIGINT) AS charges, CAST(0 AS BIGINT) AS credits FROM usage_summary \
           UNION ALL \
           SELECT {}, department_id, usage_kind, basis, 0, 0, 1, credits FROM usage_charges \
         ) sides GROUP BY hour, department_id, usage_kind, basis ORDER BY hour",
        hour_of(codec, "at")
    );
    let rows = fetch_all(tx, codec.statement(&sql, [])).await?;
    let mut check = UsageSummaryCheck::default();
    for row in &rows {
        let row = codec.row(row);
        let count = |column: &str| -> Result<u64, StoreError> {
            u64::try_from(row.int(column)?).map_err(corrupt)
        };
        let summary = (count("summary_charges")?, row.int("summary_credits")?);
        let charges = (count("charges")?, row.int("credits")?);
        check.compared += 1;
        if summary != charges {
            check.differences.push(UsageSummaryDifference {
                hour: row.at("hour")?,
                department_id: row.id("department_id")?,
                kind: row.label("usage_kind")?,
                basis: row.label("basis")?,
                summary,
                charges,
            });
        }
    }
    Ok(check)
}
