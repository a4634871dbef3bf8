//! The reads finance reports are made of, as the in-memory store holds them: the same selections
//! the database stores make, so that every report can be compared across the three stores.

use std::collections::BTreeMap;

use async_trait::async_trait;
use kasa_credits::LedgerEntryKind;
use kasa_domain::Decimal;
use kasa_domain::{DepartmentId, UsageKind};
use kasa_ports::{
    ChargeBasis, DocumentAmount, Invoice, InvoiceKind, LiabilitySources, NumberingCheck,
    PaymentActionKind, PaymentActionState, RecurringState, RefundFact, ReportStore, StoreError,
    SubscriptionPosition, UsageCharge, UsageSummaryCheck, UsageSummaryDifference, UsageTotal,
    missing_numbers, usage_hour,
};
use kasa_ports::{
    DocumentSummaryCheck, DocumentSummaryTally, RegisterCursor, RevenueBucket, RevenueTotal,
    TaxBucket, TaxTotal,
};
use time::OffsetDateTime;

use super::{MemoryStore, State};

/// A row of the usage summary: the UTC hour, department, kind and basis.
pub(super) type UsageBucket = (OffsetDateTime, DepartmentId, UsageKind, ChargeBasis);

/// The summary row a charge counts in.
pub(super) fn usage_bucket(charge: &UsageCharge) -> UsageBucket {
    (
        usage_hour(charge.at),
        charge.department_id,
        charge.usage.kind(),
        charge.basis,
    )
}

/// Charges and credits: a summary row's, or the charges' own.
type Counted = (u64, i64);

/// The usage summary recomputed from the charges.
pub(super) fn usage_summary_check(state: &State) -> UsageSummaryCheck {
    let mut sides: BTreeMap<UsageBucket, (Counted, Counted)> = BTreeMap::new();
    for (bucket, summed) in &state.usage_summary {
        sides.entry(*bucket).or_default().0 = *summed;
    }
    for charge in state.charges.values() {
        let counted = &mut sides.entry(usage_bucket(charge)).or_default().1;
        *counted = (counted.0 + 1, counted.1 + charge.credits.get());
    }
    UsageSummaryCheck {
        compared: u64::try_from(sides.len()).unwrap_or(u64::MAX),
        differences: sides
            .into_iter()
            .filter(|(_, (summary, charges))| summary != charges)
            .map(|((hour, department_id, kind, basis), (summary, charges))| {
                UsageSummaryDifference {
                    hour,
                    department_id,
                    kind,
                    basis,
                    summary,
                    charges,
                }
            })
            .collect(),
    }
}

/// The period an hour of a summary falls in.
fn period_of(periods: &[(OffsetDateTime, OffsetDateTime)], hour: OffsetDateTime) -> Option<usize> {
    periods
        .iter()
        .position(|(start, end)| in_window(hour, *start, *end))
}

/// The document summaries recomputed from the documents.
pub(super) fn document_summary_check(state: &State) -> DocumentSummaryCheck {
    let mut documents = DocumentSummaryTally::default();
    for invoice in &state.invoices {
        documents.add_document(invoice);
    }
    DocumentSummaryTally::compare(&state.document_summary, &documents)
}

fn in_window(at: OffsetDateTime, from: OffsetDateTime, to: OffsetDateTime) -> bool {
    at >= from && at < to
}

fn document_order(invoices: &mut [Invoice]) {
    invoices.sort_by(|left, right| {
        (
            left.issued.issued_at,
            &left.number.series,
            left.number.year,
            left.number.sequence,
        )
            .cmp(&(
                right.issued.issued_at,
                &right.number.series,
                right.number.year,
                right.number.sequence,
            ))
    });
}

#[async_trait]
impl ReportStore for MemoryStore {
    async fn documents_issued(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read(|state| {
            let mut documents: Vec<Invoice> = state
                .invoices
                .iter()
                .filter(|invoice| in_window(invoice.issued.issued_at, from, to))
                .cloned()
                .collect();
            document_order(&mut documents);
            Ok(documents)
        })
    }

    async fn documents_page(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        after: Option<RegisterCursor>,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError> {
        let mut documents = self.documents_issued(from, to).await?;
        if let Some(after) = after {
            documents.retain(|invoice| RegisterCursor::after(invoice) > after);
        }
        documents.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(documents)
    }

    async fn credit_notes_correcting_documents(
        &self,
        originals: Vec<kasa_domain::InvoiceId>,
        before: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read(|state| {
            let mut notes: Vec<Invoice> = state
                .invoices
                .iter()
                .filter(|note| {
                    note.issued.kind == InvoiceKind::CreditNote
                        && note.issued.issued_at < before
                        && note
                            .issued
                            .refers_to
                            .is_some_and(|original| originals.contains(&original))
                })
                .cloned()
                .collect();
            document_order(&mut notes);
            Ok(notes)
        })
    }

    async fn revenue_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<RevenueTotal>, StoreError> {
        self.read(|state| {
            let mut totals: BTreeMap<(usize, RevenueBucket), (u64, Decimal)> = BTreeMap::new();
            for (bucket, (documents, gross)) in &state.document_summary.revenue {
                let Some(period) = period_of(periods, bucket.hour) else {
                    continue;
                };
                let key = RevenueBucket {
                    hour: OffsetDateTime::UNIX_EPOCH,
                    ..bucket.clone()
                };
                let total = totals.entry((period, key)).or_default();
                *total = (total.0 + documents, total.1 + gross);
            }
            Ok(totals
                .into_iter()
                .map(|((period, bucket), (documents, gross))| RevenueTotal {
                    period,
                    side: bucket.side,
                    currency: bucket.currency,
                    gateway: bucket.gateway,
                    package: bucket.package,
                    documents,
                    gross,
                })
                .collect())
        })
    }

    async fn tax_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<TaxTotal>, StoreError> {
        self.read(|state| {
            let mut totals: BTreeMap<(usize, TaxBucket), (Decimal, Decimal)> = BTreeMap::new();
            for (bucket, (base, tax)) in &state.document_summary.tax {
                let Some(period) = period_of(periods, bucket.hour) else {
                    continue;
                };
                let key = TaxBucket {
                    hour: OffsetDateTime::UNIX_EPOCH,
                    ..bucket.clone()
                };
                let total = totals.entry((period, key)).or_default();
                *total = (total.0 + base, total.1 + tax);
            }
            Ok(totals
                .into_iter()
                .map(|((period, bucket), (base, tax))| TaxTotal {
                    period,
                    side: bucket.side,
                    currency: bucket.currency,
                    rate_percent: bucket.rate_percent,
                    base,
                    tax,
                })
                .collect())
        })
    }

    async fn credit_notes_issued(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError> {
        let mut notes = self.documents_issued(from, to).await?;
        notes.retain(|invoice| invoice.issued.kind == kasa_ports::InvoiceKind::CreditNote);
        Ok(notes)
    }

    async fn credit_notes_correcting(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<Invoice>, StoreError> {
        self.read(|state| {
            let mut notes: Vec<Invoice> = state
                .invoices
                .iter()
                .filter(|note| {
                    note.issued.kind == InvoiceKind::CreditNote
                        && note.issued.issued_at < to
                        && note.issued.refers_to.is_some_and(|original| {
                            state.invoices.iter().any(|invoice| {
                                invoice.issued.id == original
                                    && in_window(invoice.issued.issued_at, from, to)
                            })
                        })
                })
                .cloned()
                .collect();
            document_order(&mut notes);
            Ok(notes)
        })
    }

    async fn numbering_checks(
        &self,
        first_year: i32,
        last_year: i32,
    ) -> Result<Vec<NumberingCheck>, StoreError> {
        self.read(|state| {
            let mut numbers: std::collections::BTreeMap<(String, i32), Vec<u32>> =
                std::collections::BTreeMap::new();
            for invoice in &state.invoices {
                let number = &invoice.number;
                if (first_year..=last_year).contains(&number.year) {
                    numbers
                        .entry((number.series.clone(), number.year))
                        .or_default()
                        .push(number.sequence);
                }
            }
            Ok(numbers
                .into_iter()
                .map(|((series, year), mut taken)| {
                    taken.sort_unstable();
                    let highest = taken.last().copied().unwrap_or(0);
                    let counter = state
                        .invoice_counters
                        .get(&(series.clone(), year))
                        .copied()
                        .unwrap_or(highest);
                    let last_number = counter.max(highest);
                    NumberingCheck {
                        documents: u64::try_from(taken.len()).unwrap_or(u64::MAX),
                        missing: missing_numbers(&taken, last_number),
                        series,
                        year,
                        last_number,
                    }
                })
                .collect())
        })
    }

    async fn refunds_finished(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<RefundFact>, StoreError> {
        self.read(|state| {
            let mut facts = Vec::new();
            for action in &state.payment_actions {
                let gives_back = action.kind == PaymentActionKind::Refund
                    || (action.kind == PaymentActionKind::Void
                        && state.give_backs.contains(&action.id));
                let Some(finished_at) = action.finished_at else {
                    continue;
                };
                if !gives_back
                    || action.state != PaymentActionState::Succeeded
                    || !in_window(finished_at, from, to)
                {
                    continue;
                }
                let purchase =
                    state
                        .purchases
                        .get(&action.purchase_id)
                        .ok_or(StoreError::NotFound {
                            entity: kasa_ports::Entity::Purchase,
                        })?;
                let customer =
                    state
                        .customers
                        .get(&purchase.customer_id)
                        .ok_or(StoreError::NotFound {
                            entity: kasa_ports::Entity::Customer,
                        })?;
                let gateway = purchase
                    .payment
                    .as_ref()
                    .map(|payment| payment.gateway.as_str().to_owned())
                    .ok_or_else(|| StoreError::Corrupt("a refund without a payment".into()))?;
                facts.push(RefundFact {
                    action: action.clone(),
                    customer_id: purchase.customer_id,
                    customer_name: customer.customer.name.clone(),
                    gateway,
                });
            }
            facts.sort_by_key(|fact| (fact.action.finished_at, fact.action.id));
            Ok(facts)
        })
    }

    async fn charges_made(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<UsageCharge>, StoreError> {
        self.read(|state| {
            let mut charges: Vec<UsageCharge> = state
                .charges
                .values()
                .filter(|charge| in_window(charge.at, from, to))
                .cloned()
                .collect();
            charges.sort_by_key(|charge| (charge.at, charge.id));
            Ok(charges)
        })
    }

    async fn usage_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<UsageTotal>, StoreError> {
        self.read(|state| {
            let mut totals: BTreeMap<(usize, DepartmentId, UsageKind, ChargeBasis), (u64, i64)> =
                BTreeMap::new();
            for ((hour, department_id, kind, basis), (charges, credits)) in &state.usage_summary {
                let Some(period) = periods
                    .iter()
                    .position(|(start, end)| in_window(*hour, *start, *end))
                else {
                    continue;
                };
                let total = totals
                    .entry((period, *department_id, *kind, *basis))
                    .or_default();
                *total = (total.0 + charges, total.1 + credits);
            }
            Ok(totals
                .into_iter()
                .map(
                    |((period, department_id, kind, basis), (charges, credits))| UsageTotal {
                        period,
                        department_id,
                        kind,
                        basis,
                        charges,
                        credits,
                    },
                )
                .collect())
        })
    }

    async fn subscription_positions(
        &self,
        at: OffsetDateTime,
    ) -> Result<Vec<SubscriptionPosition>, StoreError> {
        self.read(|state| {
            let mut positions = Vec::new();
            for row in state.customers.values() {
                let Some(last) = row.terms.iter().max_by_key(|term| term.ends_at) else {
                    continue;
                };
                if last.ends_at <= at {
                    continue;
                }
                let package_name = state
                    .packages
                    .get(&last.package_id)
                    .map(|package| package.name.clone())
                    .ok_or(StoreError::NotFound {
                        entity: kasa_ports::Entity::Package,
                    })?;
                positions.push(SubscriptionPosition {
                    customer_id: row.customer.id,
                    customer_name: row.customer.name.clone(),
                    email: row.customer.email.to_string(),
                    package_name,
                    ends_at: last.ends_at,
                    covered: row
                        .terms
                        .iter()
                        .any(|term| term.starts_at <= at && term.ends_at > at),
                    cancel_at_end: row.cancel_at_end,
                    renewing_at: state
                        .recurring
                        .values()
                        .find(|recurring| {
                            recurring.customer_id == row.customer.id
                                && recurring.state == RecurringState::Active
                        })
                        .map(|recurring| recurring.gateway.as_str().to_owned()),
                });
            }
            positions.sort_by(|left, right| {
                (left.ends_at, &left.email).cmp(&(right.ends_at, &right.email))
            });
            Ok(positions)
        })
    }

    async fn liability_totals(
        &self,
        periods: &[(OffsetDateTime, OffsetDateTime)],
    ) -> Result<Vec<kasa_ports::LiabilityTotal>, StoreError> {
        self.read(|state| super::liability::liability_totals(state, periods))
    }

    async fn liability_sources(&self, to: OffsetDateTime) -> Result<LiabilitySources, StoreError> {
        self.read(|state| {
            let mut sources = LiabilitySources::default();
            let mut granted = std::collections::BTreeSet::new();
            for row in state.customers.values() {
                for entry in row.ledger.entries() {
                    if entry.kind == LedgerEntryKind::Granted
                        && let Some(purchase_id) = entry.purchase_id
                    {
                        granted.insert(purchase_id);
                    }
                    if entry.at < to {
                        sources.entries.push((row.customer.id, entry.clone()));
                    }
                }
            }
            let mut documents: Vec<&Invoice> = state
                .invoices
                .iter()
                .filter(|invoice| {
                    invoice.issued.issued_at < to && granted.contains(&invoice.issued.purchase_id)
                })
                .collect();
            documents.sort_by(|left, right| {
                (
                    left.issued.issued_at,
                    &left.number.series,
                    left.number.year,
                    left.number.sequence,
                )
                    .cmp(&(
                        right.issued.issued_at,
                        &right.number.series,
                        right.number.year,
                        right.number.sequence,
                    ))
            });
            sources.documents = documents
                .into_iter()
                .map(|invoice| DocumentAmount {
                    purchase_id: invoice.issued.purchase_id,
                    kind: invoice.issued.kind,
                    gross: invoice.issued.total.gross,
                    issued_at: invoice.issued.issued_at,
                    ledger_entries_before: state.liability_position(invoice.issued.id),
                })
                .collect();
            Ok(sources)
        })
    }
}
