//! The credit liability (ADR 0020) as the in-memory store keeps it: each customer's lots, the
//! valuation of every ledger entry and document, and the hourly summary per currency, changed in
//! the same closure as the movement; the totals per period; and the replay check.

use std::collections::BTreeMap;

use kasa_credits::liability::{
    CreditLots, LiabilitySums, RecordedMovement, RecordedValuation, Valuation, add_to_sums,
    check_customer,
};
use kasa_domain::{CustomerId, InvoiceId, LedgerEntryId, PackageKind};
use kasa_ports::{
    Invoice, InvoiceKind, LiabilityCheck, LiabilityDifference, LiabilityTotal, StoreError,
    compare_liability_sums, usage_hour,
};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::State;

/// What the in-memory store keeps for the liability.
#[derive(Clone, Debug, Default)]
pub(super) struct Liability {
    lots: BTreeMap<CustomerId, CreditLots>,
    entries: BTreeMap<LedgerEntryId, Valuation>,
    /// Each document's valuation and how many ledger entries its customer had then.
    documents: BTreeMap<InvoiceId, (Valuation, u64)>,
    summary: LiabilitySums,
}

fn corrupt(error: kasa_credits::liability::LiabilityError) -> StoreError {
    StoreError::Corrupt(format!("the credit lots: {error}"))
}

impl State {
    /// Values the customer's newest ledger entry (just written) and counts it in the summary.
    pub(super) fn value_newest_entry(&mut self, customer_id: CustomerId) -> Result<(), StoreError> {
        let Some(entry) = self
            .customers
            .get(&customer_id)
            .and_then(|row| row.ledger.entries().last())
            .cloned()
        else {
            return Ok(());
        };
        let lots = self.liability.lots.entry(customer_id).or_default();
        let (bucket, valuation) = lots
            .apply_entry(entry.kind, entry.delta, entry.purchase_id)
            .map_err(corrupt)?;
        add_to_sums(
            &mut self.liability.summary,
            usage_hour(entry.at),
            bucket,
            &valuation,
        );
        self.liability.entries.insert(entry.id, valuation);
        Ok(())
    }

    /// Values a document just issued against its customer's lots.
    pub(super) fn value_document(&mut self, invoice: &Invoice) -> Result<(), StoreError> {
        let issued = &invoice.issued;
        let entries_before = self
            .customers
            .get(&issued.customer_id)
            .map_or(0, |row| row.ledger.entries().len());
        let lots = self.liability.lots.entry(issued.customer_id).or_default();
        let (bucket, valuation) = lots
            .apply_document(
                issued.kind == InvoiceKind::CreditNote,
                issued.purchase_id,
                issued.total.gross,
            )
            .map_err(corrupt)?;
        add_to_sums(
            &mut self.liability.summary,
            usage_hour(issued.issued_at),
            bucket,
            &valuation,
        );
        self.liability.documents.insert(
            issued.id,
            (valuation, u64::try_from(entries_before).unwrap_or(u64::MAX)),
        );
        Ok(())
    }

    /// How many ledger entries a document's customer had when it was issued.
    pub(super) fn liability_position(&self, invoice_id: InvoiceId) -> Option<u64> {
        self.liability
            .documents
            .get(&invoice_id)
            .map(|(_, position)| *position)
    }
}

/// The summary added up per period and before the first.
pub(super) fn liability_totals(
    state: &State,
    periods: &[(OffsetDateTime, OffsetDateTime)],
) -> Result<Vec<LiabilityTotal>, StoreError> {
    let Some(first) = periods.first().map(|period| period.0) else {
        return Ok(Vec::new());
    };
    let mut totals: BTreeMap<(Option<usize>, String), ([Decimal; 5], i64)> = BTreeMap::new();
    for ((hour, currency), (values, credits)) in &state.liability.summary {
        let period = if *hour < first {
            None
        } else {
            match periods
                .iter()
                .position(|(start, end)| hour >= start && hour < end)
            {
                Some(index) => Some(index),
                None => continue,
            }
        };
        let total = totals
            .entry((period, currency.clone()))
            .or_insert(([Decimal::ZERO; 5], 0));
        for (sum, value) in total.0.iter_mut().zip(values) {
            *sum += value;
        }
        total.1 += credits;
    }
    totals
        .into_iter()
        .map(|((period, currency), (values, credits))| {
            Ok(LiabilityTotal {
                period,
                currency: if currency.is_empty() {
                    None
                } else {
                    Some(
                        currency
                            .parse()
                            .map_err(|error| StoreError::Corrupt(format!("{error}")))?,
                    )
                },
                values,
                credits,
            })
        })
        .collect()
}

/// Every customer replayed against what is kept.
pub(super) fn liability_check(state: &State) -> LiabilityCheck {
    let mut result = LiabilityCheck::default();
    let mut replayed = LiabilitySums::new();
    for (customer_id, row) in &state.customers {
        // Entries and documents in the order written: by time, an entry before a document.
        // In the order valued: a document after the entries its customer had when it was issued.
        let mut movements: Vec<(usize, u8, usize, RecordedValuation)> = Vec::new();
        for (index, entry) in row.ledger.entries().iter().enumerate() {
            movements.push((
                index,
                0,
                index,
                RecordedValuation {
                    name: format!("ledger entry {}", index + 1),
                    movement: RecordedMovement::Entry {
                        kind: entry.kind,
                        delta: entry.delta,
                    },
                    purchase_id: entry.purchase_id,
                    hour: usage_hour(entry.at),
                    stored: state.liability.entries.get(&entry.id).cloned(),
                },
            ));
        }
        for (index, invoice) in state.invoices.iter().enumerate() {
            let issued = &invoice.issued;
            let credit_purchase =
                state
                    .purchases
                    .get(&issued.purchase_id)
                    .is_some_and(|purchase| {
                        matches!(
                            purchase.item.package().map(|package| package.kind),
                            Some(PackageKind::Credit { .. })
                        )
                    });
            if issued.customer_id != *customer_id || !credit_purchase {
                continue;
            }
            let (stored, position) = state
                .liability
                .documents
                .get(&issued.id)
                .cloned()
                .map_or((None, 0), |(valuation, position)| {
                    (Some(valuation), position)
                });
            movements.push((
                usize::try_from(position).unwrap_or(usize::MAX),
                1,
                index,
                RecordedValuation {
                    name: format!("document {}", invoice.number),
                    movement: RecordedMovement::Document {
                        credit_note: issued.kind == InvoiceKind::CreditNote,
                        gross: issued.total.gross,
                    },
                    purchase_id: Some(issued.purchase_id),
                    hour: usage_hour(issued.issued_at),
                    stored,
                },
            ));
        }
        // A document issued after n entries goes before entry n (0-based), after entry n - 1.
        movements.sort_by_key(|(position, source, index, _)| (*position, 1 - *source, *index));
        let movements: Vec<RecordedValuation> = movements
            .into_iter()
            .map(|(_, _, _, movement)| movement)
            .collect();
        result.compared += u64::try_from(movements.len()).unwrap_or(u64::MAX);
        let stored_lots = state
            .liability
            .lots
            .get(customer_id)
            .cloned()
            .unwrap_or_default();
        for detail in check_customer(&movements, &stored_lots, &mut replayed) {
            result.differences.push(LiabilityDifference::Customer {
                customer_id: *customer_id,
                detail,
            });
        }
    }
    compare_liability_sums(&state.liability.summary, &replayed, &mut result);
    result
}
