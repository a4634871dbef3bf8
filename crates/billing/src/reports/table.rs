//! A report as a table: named columns and typed cells, which the JSON API, the CSV writer, the
//! CLI and the console render each in their way (an amount keeps its exact decimal until the
//! writer decides on a dot or a comma).

use kasa_domain::Decimal;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Words (names, numbers of documents, periods, dates).
    Text,
    /// An amount of money, in the row's `currency` column.
    Amount,
    /// A count (documents, tickets, credits).
    Count,
    /// Yes or no.
    Flag,
}

/// A column: a stable key (snake case, also the CSV header) and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The key, e.g. `gross`.
    pub key: &'static str,
    /// What it holds.
    pub kind: ColumnKind,
}

impl Column {
    pub(crate) const fn text(key: &'static str) -> Self {
        Self {
            key,
            kind: ColumnKind::Text,
        }
    }

    pub(crate) const fn amount(key: &'static str) -> Self {
        Self {
            key,
            kind: ColumnKind::Amount,
        }
    }

    pub(crate) const fn count(key: &'static str) -> Self {
        Self {
            key,
            kind: ColumnKind::Count,
        }
    }

    pub(crate) const fn flag(key: &'static str) -> Self {
        Self {
            key,
            kind: ColumnKind::Flag,
        }
    }
}

/// One cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Words.
    Text(String),
    /// An exact amount.
    Amount(Decimal),
    /// A count.
    Count(i64),
    /// Yes or no.
    Flag(bool),
    /// Nothing (e.g. a receipt has no document it refers to).
    Empty,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    pub(crate) fn count(count: impl TryInto<i64>) -> Self {
        Self::Count(count.try_into().unwrap_or(i64::MAX))
    }

    pub(crate) fn optional(text: Option<impl Into<String>>) -> Self {
        text.map_or(Self::Empty, |text| Self::Text(text.into()))
    }
}

/// A report as rows under columns, with a note on what was checked (the register's numbering).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportTable {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}
