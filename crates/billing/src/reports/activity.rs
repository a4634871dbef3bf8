//! The reports of what customers do: tickets and chats per department, and where subscriptions
//! stand.

use std::collections::BTreeMap;

use kasa_domain::{Department, UsageKind};
use kasa_ports::{
    ChargeBasis, StoreError, SubscriptionPosition, UsageCharge, UsageTotal, on_the_hour,
};
use time::{Duration, OffsetDateTime};

use super::table::{Cell, Column, ReportTable};
use super::{ReportError, ReportWindow};

/// Tickets and chats of one period and department.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageRow {
    /// The period's label.
    pub period: String,
    /// The department's name.
    pub department: String,
    /// Tickets let through.
    pub tickets: u64,
    /// Chats let through.
    pub chats: u64,
    /// Credits consumed.
    pub credits_consumed: i64,
    /// How many were paid with credits.
    pub covered_by_credits: u64,
    /// How many a subscription covered.
    pub covered_by_subscription: u64,
    /// How many were free (a free department).
    pub free: u64,
}

/// Usage per period and department, from the charges themselves.
///
/// # Errors
/// Never in practice (a count beyond `u64`); kept fallible like the other reports.
pub fn usage_report(
    window: &ReportWindow,
    charges: &[UsageCharge],
    departments: &[Department],
) -> Result<Vec<UsageRow>, ReportError> {
    let totals: Vec<UsageTotal> = charges
        .iter()
        .filter_map(|charge| {
            Some(UsageTotal {
                period: window.period_index(charge.at)?,
                department_id: charge.department_id,
                kind: charge.usage.kind(),
                basis: charge.basis,
                charges: 1,
                credits: charge.credits.get(),
            })
        })
        .collect();
    usage_report_from_totals(window, &totals, departments)
}

/// Usage per period and department from the store's usage summary (the same figures as
/// [`usage_report`] over the charges; ADR 0020).
///
/// # Errors
/// A total that does not fit the report's counters (a damaged summary).
pub fn usage_report_from_totals(
    window: &ReportWindow,
    totals: &[UsageTotal],
    departments: &[Department],
) -> Result<Vec<UsageRow>, ReportError> {
    let names: BTreeMap<_, _> = departments
        .iter()
        .map(|department| (department.id, department.name.clone()))
        .collect();
    let overflow = || ReportError::Store(StoreError::Corrupt("usage totals overflow".into()));
    let mut rows: BTreeMap<(usize, String), UsageRow> = BTreeMap::new();
    for total in totals {
        let Some(period) = window.periods().get(total.period) else {
            return Err(ReportError::Store(StoreError::Corrupt(format!(
                "usage totals of period {} of {}",
                total.period,
                window.periods().len()
            ))));
        };
        let department = names
            .get(&total.department_id)
            .cloned()
            .unwrap_or_else(|| total.department_id.to_string());
        let row = rows
            .entry((total.period, department.clone()))
            .or_insert_with(|| UsageRow {
                period: period.label.clone(),
                department,
                tickets: 0,
                chats: 0,
                credits_consumed: 0,
                covered_by_credits: 0,
                covered_by_subscription: 0,
                free: 0,
            });
        let count = match total.kind {
            UsageKind::Ticket => &mut row.tickets,
            UsageKind::Chat => &mut row.chats,
        };
        *count = count.checked_add(total.charges).ok_or_else(overflow)?;
        let covered = match total.basis {
            ChargeBasis::Credits => {
                row.credits_consumed = row
                    .credits_consumed
                    .checked_add(total.credits)
                    .ok_or_else(overflow)?;
                &mut row.covered_by_credits
            }
            ChargeBasis::Subscription => &mut row.covered_by_subscription,
            ChargeBasis::Free => &mut row.free,
        };
        *covered = covered.checked_add(total.charges).ok_or_else(overflow)?;
    }
    Ok(rows.into_values().collect())
}

/// Whether every period of the window starts and ends on a UTC hour, so that the usage summary
/// (kept per UTC hour) answers it exactly. Zones whose offset is not whole hours (India, Nepal,
/// parts of Australia) do not; their usage is read from the charges.
#[must_use]
pub fn usage_summary_answers(window: &ReportWindow) -> bool {
    window
        .periods()
        .iter()
        .all(|period| on_the_hour(period.start) && on_the_hour(period.end))
}

pub(crate) fn usage_table(rows: &[UsageRow]) -> ReportTable {
    ReportTable {
        columns: vec![
            Column::text("period"),
            Column::text("department"),
            Column::count("tickets"),
            Column::count("chats"),
            Column::count("credits_consumed"),
            Column::count("covered_by_credits"),
            Column::count("covered_by_subscription"),
            Column::count("free"),
        ],
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    Cell::text(&row.period),
                    Cell::text(&row.department),
                    Cell::count(row.tickets),
                    Cell::count(row.chats),
                    Cell::Count(row.credits_consumed),
                    Cell::count(row.covered_by_credits),
                    Cell::count(row.covered_by_subscription),
                    Cell::count(row.free),
                ]
            })
            .collect(),
    }
}

/// A subscription and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionRow {
    /// The position as stored.
    pub position: SubscriptionPosition,
    /// A term covers the moment reported on.
    pub active: bool,
    /// Its last term ends within the days asked about.
    pub ending_soon: bool,
}

/// Subscriptions at a moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionsReport {
    /// The moment.
    pub at: OffsetDateTime,
    /// "Ending soon" means within this many days.
    pub ending_within_days: u32,
    /// Every subscription whose last term ends after the moment, soonest end first.
    pub rows: Vec<SubscriptionRow>,
    /// How many are active.
    pub active: u64,
    /// How many end within the days asked about.
    pub ending_soon: u64,
    /// How many are cancelled at the end of their term.
    pub cancelled_at_end: u64,
    /// How many a gateway renews each period.
    pub renewing_at_gateway: u64,
}

/// Where subscriptions stand at `at`.
#[must_use]
pub fn subscriptions_report(
    at: OffsetDateTime,
    ending_within_days: u32,
    positions: Vec<SubscriptionPosition>,
) -> SubscriptionsReport {
    let horizon = at + Duration::days(i64::from(ending_within_days));
    let rows: Vec<SubscriptionRow> = positions
        .into_iter()
        .map(|position| SubscriptionRow {
            active: position.covered,
            ending_soon: position.ends_at <= horizon,
            position,
        })
        .collect();
    let count = |keep: fn(&SubscriptionRow) -> bool| -> u64 {
        u64::try_from(rows.iter().filter(|row| keep(row)).count()).unwrap_or(u64::MAX)
    };
    SubscriptionsReport {
        at,
        ending_within_days,
        active: count(|row| row.active),
        ending_soon: count(|row| row.ending_soon),
        cancelled_at_end: count(|row| row.position.cancel_at_end),
        renewing_at_gateway: count(|row| row.position.renewing_at.is_some()),
        rows,
    }
}

pub(crate) fn subscriptions_table(
    report: &SubscriptionsReport,
    window: &ReportWindow,
) -> ReportTable {
    ReportTable {
        columns: vec![
            Column::text("customer"),
            Column::text("email"),
            Column::text("package"),
            Column::text("ends_at"),
            Column::flag("active"),
            Column::flag("ending_soon"),
            Column::flag("cancelled_at_end"),
            Column::text("renewing_at"),
        ],
        rows: report
            .rows
            .iter()
            .map(|row| {
                let position = &row.position;
                vec![
                    Cell::text(&position.customer_name),
                    Cell::text(&position.email),
                    Cell::text(&position.package_name),
                    Cell::text(window.zone().local_time(position.ends_at)),
                    Cell::Flag(row.active),
                    Cell::Flag(row.ending_soon),
                    Cell::Flag(position.cancel_at_end),
                    Cell::optional(position.renewing_at.clone()),
                ]
            })
            .collect(),
    }
}
