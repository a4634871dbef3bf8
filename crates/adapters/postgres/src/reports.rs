//! The reads finance reports are made of: plain selections over a window; the sums are made by
//! the use case (SQLite keeps amounts as text, and summing them in SQL would go through floats).

use std::collections::BTreeMap;

use async_trait::async_trait;
use kasa_domain::{Currency, CustomerId, Money};
use kasa_ports::{
    DocumentAmount, Invoice, LiabilitySources, NumberingCheck, RefundFact, RegisterCursor,
    ReportStore, RevenueTotal, StoreError, SubscriptionPosition, TaxTotal, UsageCharge, UsageTotal,
};
use sea_orm::Value;
use time::OffsetDateTime;

use crate::SqlStore;
use crate::codec::{Row, corrupt};
use crate::invoices::{COLUMNS as INVOICE_COLUMNS, invoice};
use crate::payment_actions::payment_action;
use crate::rows::{USAGE_CHARGE_COLUMNS, ledger_entry, usage_charge};

const DOCUMENT_ORDER: &str = "ORDER BY issued_at, series, year, sequence";

fn window(store: &SqlStore, from: OffsetDateTime, to: OffsetDateTime) -> Vec<Value> {
    vec![store.codec.at(from), store.codec.at(to)]
}

fn number(value: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(format!("{what} {value} is out of range")))
}

#[async_trait]
impl ReportStore for SqlStore {
    async fn documents_issued(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read_list(
            &format!("{INVOICE_COLUMNS} WHERE issued_at >= $1 AND issued_at < $2 {DOCUMENT_ORDER}"),
            window(self, from, to),
            invoice,
        )
        .await
    }

    async fn documents_page(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        after: Option<RegisterCursor>,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError> {
        let mut values = window(self, from, to);
        let after_clause = match after {
            None => String::new(),
            Some(after) => {
                values.extend([
                    self.codec.at(after.issued_at),
                    Value::from(after.series),
                    Value::from(i64::from(after.year)),
                    Value::from(i64::from(after.sequence)),
                ]);
                // Spelled out rather than as a row comparison, which SQLite and PostgreSQL
                // both have, so that PostgreSQL still ranges over the issue-time index.
                "AND issued_at >= $3 AND (issued_at > $3 OR series > $4                  OR (series = $4 AND (year > $5 OR (year = $5 AND sequence > $6))))"
                    .to_owned()
            }
        };
        values.push(Value::from(i64::from(limit)));
        let limit_parameter = values.len();
        self.read_list(
            &format!(
                "{INVOICE_COLUMNS} WHERE issued_at >= $1 AND issued_at < $2 {after_clause}                  {DOCUMENT_ORDER} LIMIT ${limit_parameter}"
            ),
            values,
            invoice,
        )
        .await
    }

    async fn credit_notes_correcting_documents(
        &self,
        originals: Vec<kasa_domain::InvoiceId>,
        before: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError> {
        let mut notes = Vec::new();
        // In bounded lists of parameters (SQLite allows 32,766 per statement).
        for chunk in originals.chunks(1_000) {
            let mut values = vec![self.codec.at(before)];
            let mut marks = Vec::with_capacity(chunk.len());
            for original in chunk {
                values.push(crate::codec::id(*original));
                marks.push(format!("${}", values.len()));
            }
            notes.extend(
                self.read_list(
                    &format!(
                        "{INVOICE_COLUMNS} WHERE kind = 'credit_note' AND issued_at < $1 \
                         AND refers_to IN ({}) {DOCUMENT_ORDER}",
                        marks.join(", ")
                    ),
                    values,
                    invoice,
                )
                .await?,
            );
        }
        Ok(notes)
    }

    async fn revenue_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<RevenueTotal>, StoreError> {
        crate::document_summary::revenue_totals(&self.db, self.codec, periods).await
    }

    async fn tax_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<TaxTotal>, StoreError> {
        crate::document_summary::tax_totals(&self.db, self.codec, periods).await
    }

    async fn credit_notes_issued(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read_list(
            &format!(
                "{INVOICE_COLUMNS} WHERE kind = 'credit_note' AND issued_at >= $1 \
                 AND issued_at < $2 {DOCUMENT_ORDER}"
            ),
            window(self, from, to),
            invoice,
        )
        .await
    }

    async fn credit_notes_correcting(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read_list(
            &format!(
                "{INVOICE_COLUMNS} WHERE kind = 'credit_note' AND issued_at < $2 \
                 AND refers_to IN (SELECT o.id FROM invoices o \
                   WHERE o.issued_at >= $1 AND o.issued_at < $2) {DOCUMENT_ORDER}"
            ),
            window(self, from, to),
            invoice,
        )
        .await
    }

    async fn numbering_checks(
        &self,
        first_year: i32,
        last_year: i32,
    ) -> Result<Vec<NumberingCheck>, StoreError> {
        let years = || {
            vec![
                Value::from(i64::from(first_year)),
                Value::from(i64::from(last_year)),
            ]
        };
        // Per series and year: how many, the lowest and highest number, and the counter.
        let summaries = self
            .read_list(
                "SELECT i.series, i.year, COUNT(*) AS documents, MIN(i.sequence) AS lowest, \
                 MAX(i.sequence) AS highest, \
                 (SELECT c.last_sequence FROM invoice_counters c \
                   WHERE c.series = i.series AND c.year = i.year) AS counter \
                 FROM invoices i WHERE i.year >= $1 AND i.year <= $2 \
                 GROUP BY i.series, i.year ORDER BY i.series, i.year",
                years(),
                |row| {
                    Ok((
                        (
                            row.text("series")?,
                            i32::try_from(row.int("year")?).map_err(corrupt)?,
                        ),
                        (
                            u64::try_from(row.int("documents")?).map_err(corrupt)?,
                            number(row.int("lowest")?, "lowest number")?,
                            number(row.int("highest")?, "highest number")?,
                            row.opt_int("counter")?
                                .map(|counter| number(counter, "counter"))
                                .transpose()?,
                        ),
                    ))
                },
            )
            .await?;
        // The holes between consecutive numbers, found by the database (no list of numbers
        // crosses the wire). Numbers are unique per series and year, so a series-year whose
        // lowest number is at least 1 and whose count equals its highest number holds every
        // number from 1 to it: when all do, there is no hole to look for (the healthy case,
        // and a scan of every number saved on each page of the register).
        let whole = summaries
            .iter()
            .all(|(_, (documents, lowest, highest, _))| {
                *lowest >= 1 && *documents == u64::from(*highest)
            });
        let holes = if whole {
            Vec::new()
        } else {
            self.read_list(
                "SELECT series, year, sequence, next_sequence FROM (\
                   SELECT series, year, sequence, LEAD(sequence) OVER \
                     (PARTITION BY series, year ORDER BY sequence) AS next_sequence \
                   FROM invoices WHERE year >= $1 AND year <= $2) numbered \
                 WHERE next_sequence > sequence + 1 ORDER BY series, year, sequence",
                years(),
                |row| {
                    Ok((
                        (
                            row.text("series")?,
                            i32::try_from(row.int("year")?).map_err(corrupt)?,
                        ),
                        (
                            number(row.int("sequence")?, "number")? + 1,
                            number(row.int("next_sequence")?, "number")? - 1,
                        ),
                    ))
                },
            )
            .await?
        };
        let mut holes_by_series: BTreeMap<(String, i32), Vec<(u32, u32)>> = BTreeMap::new();
        for (key, hole) in holes {
            holes_by_series.entry(key).or_default().push(hole);
        }
        Ok(summaries
            .into_iter()
            .map(|((series, year), (documents, lowest, highest, counter))| {
                let last_number = counter.unwrap_or(highest).max(highest);
                let mut missing = Vec::new();
                if lowest > 1 {
                    missing.push((1, lowest - 1));
                }
                missing.extend(
                    holes_by_series
                        .remove(&(series.clone(), year))
                        .unwrap_or_default(),
                );
                if last_number > highest {
                    missing.push((highest + 1, last_number));
                }
                NumberingCheck {
                    series,
                    year,
                    documents,
                    last_number,
                    missing,
                }
            })
            .collect())
    }

    async fn refunds_finished(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<RefundFact>, StoreError> {
        self.read_list(
            "SELECT a.id, a.purchase_id, a.kind, a.amount, a.currency, a.state, a.reference, \
             a.detail, a.actor_kind, a.actor_id, a.reason, a.request_id, a.requested_at, \
             a.finished_at, c.id AS customer_id, c.name AS customer_name, y.gateway \
             FROM payment_actions a JOIN payments y ON y.id = a.payment_id \
             JOIN purchases p ON p.id = a.purchase_id JOIN customers c ON c.id = p.customer_id \
             WHERE a.state = 'succeeded' AND (a.kind = 'refund' OR (a.kind = 'void' AND a.gives_back)) \
             AND a.finished_at >= $1 AND a.finished_at < $2 ORDER BY a.finished_at, a.id",
            window(self, from, to),
            |row| {
                Ok(RefundFact {
                    action: payment_action(row)?,
                    customer_id: row.id("customer_id")?,
                    customer_name: row.text("customer_name")?,
                    gateway: row.text("gateway")?,
                })
            },
        )
        .await
    }

    async fn charges_made(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<UsageCharge>, StoreError> {
        self.read_list(
            &format!("{USAGE_CHARGE_COLUMNS} WHERE at >= $1 AND at < $2 ORDER BY at, id"),
            window(self, from, to),
            usage_charge,
        )
        .await
    }

    async fn usage_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<UsageTotal>, StoreError> {
        if periods.is_empty() {
            return Ok(Vec::new());
        }
        // The periods as a table of (index, start, end); each period reads its hours by the
        // summary's key, whose first column is the hour.
        let mut values = Vec::with_capacity(periods.len() * 3);
        let rows: Vec<String> = periods
            .iter()
            .enumerate()
            .map(|(index, (start, end))| {
                values.push(Value::from(i64::try_from(index).unwrap_or(i64::MAX)));
                values.push(self.codec.at(*start));
                values.push(self.codec.at(*end));
                let next = values.len();
                format!("(${}, ${}, ${})", next - 2, next - 1, next)
            })
            .collect();
        self.read_list(
            &format!(
                "WITH periods (i, s, e) AS (VALUES {}) \
                 SELECT p.i, u.department_id, u.usage_kind, u.basis, \
                 CAST(SUM(u.charges) AS BIGINT) AS charges, \
                 CAST(SUM(u.credits) AS BIGINT) AS credits \
                 FROM periods p JOIN usage_summary u ON u.bucket_at >= p.s AND u.bucket_at < p.e \
                 GROUP BY p.i, u.department_id, u.usage_kind, u.basis",
                rows.join(", ")
            ),
            values,
            |row| {
                Ok(UsageTotal {
                    period: usize::try_from(row.int("i")?).map_err(corrupt)?,
                    department_id: row.id("department_id")?,
                    kind: row.label("usage_kind")?,
                    basis: row.label("basis")?,
                    charges: u64::try_from(row.int("charges")?).map_err(corrupt)?,
                    credits: row.int("credits")?,
                })
            },
        )
        .await
    }

    async fn subscription_positions(
        &self,
        at: OffsetDateTime,
    ) -> Result<Vec<SubscriptionPosition>, StoreError> {
        self.read_list(
            "SELECT c.id, c.name, c.email, k.name AS package_name, t.ends_at, h.cancel_at_end, \
             CASE WHEN EXISTS (SELECT 1 FROM subscription_terms n \
               WHERE n.customer_id = t.customer_id AND n.starts_at <= $1 AND n.ends_at > $1) \
               THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS covered, \
             (SELECT r.gateway FROM gateway_recurring r \
               WHERE r.customer_id = t.customer_id AND r.state = 'active') AS renewing_at \
             FROM subscription_terms t JOIN customers c ON c.id = t.customer_id \
             JOIN packages k ON k.id = t.package_id JOIN holdings h ON h.customer_id = t.customer_id \
             WHERE t.ends_at > $1 AND NOT EXISTS (SELECT 1 FROM subscription_terms later \
               WHERE later.customer_id = t.customer_id AND later.ends_at > t.ends_at) \
             ORDER BY t.ends_at, c.email",
            vec![self.codec.at(at)],
            |row| {
                Ok(SubscriptionPosition {
                    customer_id: row.id("id")?,
                    customer_name: row.text("name")?,
                    email: row.text("email")?,
                    package_name: row.text("package_name")?,
                    ends_at: row.at("ends_at")?,
                    covered: row.int("covered")? == 1,
                    cancel_at_end: row.flag("cancel_at_end")?,
                    renewing_at: row.opt_text("renewing_at")?,
                })
            },
        )
        .await
    }

    async fn liability_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<kasa_ports::LiabilityTotal>, StoreError> {
        crate::liability::totals(&self.db, self.codec, periods).await
    }

    async fn liability_sources(&self, to: OffsetDateTime) -> Result<LiabilitySources, StoreError> {
        let entries = self
            .read_list(
                "SELECT customer_id, id, kind, delta, balance_after, actor_kind, actor_id, reason, \
                 at, purchase_id, usage_kind, usage_reference FROM credit_ledger \
                 WHERE at < $1 ORDER BY customer_id, entry_number",
                vec![self.codec.at(to)],
                |row| Ok((row.id::<CustomerId>("customer_id")?, ledger_entry(row)?)),
            )
            .await?;
        let documents = self
            .read_list(
                "SELECT i.purchase_id, i.kind, i.gross, i.currency, i.issued_at, \
                 i.ledger_entries_before FROM invoices i \
                 WHERE i.issued_at < $1 AND EXISTS (SELECT 1 FROM credit_ledger l \
                   WHERE l.purchase_id = i.purchase_id AND l.kind = 'granted') \
                 ORDER BY i.issued_at, i.series, i.year, i.sequence",
                vec![self.codec.at(to)],
                document_amount,
            )
            .await?;
        Ok(LiabilitySources { entries, documents })
    }
}

fn document_amount(row: &Row<'_>) -> Result<DocumentAmount, StoreError> {
    let currency: Currency = row.text("currency")?.parse().map_err(corrupt)?;
    Ok(DocumentAmount {
        purchase_id: row.id("purchase_id")?,
        kind: row.label("kind")?,
        gross: Money::new(row.amount("gross")?, currency).map_err(corrupt)?,
        issued_at: row.at("issued_at")?,
        ledger_entries_before: row
            .opt_int("ledger_entries_before")?
            .map(u64::try_from)
            .transpose()
            .map_err(corrupt)?,
    })
}
