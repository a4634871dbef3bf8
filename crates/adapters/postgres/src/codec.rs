//! The column types that differ between PostgreSQL and SQLite, in one place.
//!
//! | value | PostgreSQL | SQLite |
//! |---|---|---|
//! | ids | `uuid` | 16-byte blob |
//! | times | `timestamptz` | UTC text, fixed width, microseconds (sorts in time order) |
//! | amounts | `numeric` | the exact decimal as text (never a float) |
//! | JSON | `jsonb` | text |
//! | enums | their serde label as text | the same |

use kasa_domain::{
    ApiKeyId, ApprovalRequestId, AuditEntryId, BillingLinkId, CustomerId, Decimal, DepartmentId,
    HelpDeskCallId, IntegrationId, InvoiceId, LedgerEntryId, OutboxMessageId, PackageId,
    PaymentActionId, PaymentId, PaymentRequestId, PurchaseId, QuestionId, UsageChargeId, UserId,
    WebhookEndpointId, WebhookEventId,
};
use kasa_ports::StoreError;
use sea_orm::{DbBackend, QueryResult, Statement, TryGetable, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use uuid::Uuid;

const SQLITE_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Turns values into parameters and rows back into values, for one backend.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Codec {
    backend: DbBackend,
}

/// An id type stored as a UUID.
pub(crate) trait StoredId: Copy {
    fn uuid(self) -> Uuid;
}

macro_rules! stored_ids {
    ($($id:ty),*) => {
        $(impl StoredId for $id {
            fn uuid(self) -> Uuid {
                self.as_uuid()
            }
        })*
    };
}

stored_ids!(
    ApiKeyId,
    WebhookEndpointId,
    WebhookEventId,
    ApprovalRequestId,
    BillingLinkId,
    AuditEntryId,
    CustomerId,
    DepartmentId,
    HelpDeskCallId,
    QuestionId,
    IntegrationId,
    InvoiceId,
    LedgerEntryId,
    OutboxMessageId,
    PackageId,
    PaymentActionId,
    PaymentId,
    PaymentRequestId,
    PurchaseId,
    UsageChargeId,
    UserId
);

/// An id as a parameter.
pub(crate) fn id(id: impl StoredId) -> Value {
    Value::from(id.uuid())
}

/// An optional id as a parameter.
pub(crate) fn opt_id(id: Option<impl StoredId>) -> Value {
    Value::from(id.map(StoredId::uuid))
}

/// Text as a parameter.
pub(crate) fn text(text: impl Into<String>) -> Value {
    Value::from(text.into())
}

/// Optional text as a parameter.
pub(crate) fn opt_text(text: Option<impl Into<String>>) -> Value {
    Value::from(text.map(Into::into))
}

/// An enum's serde label (`completed`, `authorise_only`, ...), as stored.
pub(crate) fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(label)) => label,
        other => unreachable!("a stored enum serialises to a string, got {other:?}"),
    }
}

/// A stored row broke an invariant.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

impl Codec {
    pub(crate) const fn new(backend: DbBackend) -> Self {
        Self { backend }
    }

    pub(crate) const fn is_sqlite(self) -> bool {
        matches!(self.backend, DbBackend::Sqlite)
    }

    /// A statement with `$1`, `$2`, ... parameters.
    pub(crate) fn statement(self, sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, values)
    }

    /// A time as a parameter (to the microsecond, in UTC).
    pub(crate) fn at(self, at: OffsetDateTime) -> Value {
        let at = at.to_offset(UtcOffset::UTC);
        let at = at
            .replace_nanosecond(at.nanosecond() / 1_000 * 1_000)
            .unwrap_or(at);
        if self.is_sqlite() {
            Value::from(at.format(SQLITE_TIME).unwrap_or_default())
        } else {
            Value::from(at)
        }
    }

    /// An amount as a parameter.
    pub(crate) fn amount(self, amount: Decimal) -> Value {
        if self.is_sqlite() {
            Value::from(amount.to_string())
        } else {
            Value::from(amount)
        }
    }

    /// A JSON document as a parameter.
    pub(crate) fn json<T: Serialize>(self, value: &T) -> Value {
        let json = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        if self.is_sqlite() {
            Value::from(json.to_string())
        } else {
            Value::from(json)
        }
    }

    /// An optional JSON document as a parameter.
    pub(crate) fn opt_json<T: Serialize>(self, value: Option<&T>) -> Value {
        match value {
            Some(value) => self.json(value),
            None if self.is_sqlite() => Value::from(None::<String>),
            None => Value::from(None::<serde_json::Value>),
        }
    }

    /// Reads one row.
    pub(crate) const fn row(self, row: &QueryResult) -> Row<'_> {
        Row { row, codec: self }
    }
}

/// One result row, read column by column; a value that does not decode is corrupt data.
pub(crate) struct Row<'a> {
    row: &'a QueryResult,
    codec: Codec,
}

impl Row<'_> {
    fn get<T: TryGetable>(&self, column: &str) -> Result<T, StoreError> {
        self.row
            .try_get::<T>("", column)
            .map_err(|error| corrupt(format!("column {column}: {error}")))
    }

    pub(crate) fn id<T: From<Uuid>>(&self, column: &str) -> Result<T, StoreError> {
        self.get::<Uuid>(column).map(T::from)
    }

    pub(crate) fn opt_id<T: From<Uuid>>(&self, column: &str) -> Result<Option<T>, StoreError> {
        Ok(self.get::<Option<Uuid>>(column)?.map(T::from))
    }

    pub(crate) fn text(&self, column: &str) -> Result<String, StoreError> {
        self.get(column)
    }

    pub(crate) fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.get(column)
    }

    pub(crate) fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.get(column)
    }

    pub(crate) fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        self.get(column)
    }

    pub(crate) fn flag(&self, column: &str) -> Result<bool, StoreError> {
        self.get(column)
    }

    pub(crate) fn at(&self, column: &str) -> Result<OffsetDateTime, StoreError> {
        self.opt_at(column)?
            .ok_or_else(|| corrupt(format!("column {column} is empty")))
    }

    pub(crate) fn opt_at(&self, column: &str) -> Result<Option<OffsetDateTime>, StoreError> {
        if !self.codec.is_sqlite() {
            return self.get(column);
        }
        self.get::<Option<String>>(column)?
            .map(|text| {
                PrimitiveDateTime::parse(&text, SQLITE_TIME)
                    .map(PrimitiveDateTime::assume_utc)
                    .map_err(|error| corrupt(format!("column {column}: {error}")))
            })
            .transpose()
    }

    pub(crate) fn amount(&self, column: &str) -> Result<Decimal, StoreError> {
        if !self.codec.is_sqlite() {
            return self.get(column);
        }
        self.get::<String>(column)?
            .parse()
            .map_err(|error| corrupt(format!("column {column}: {error}")))
    }

    pub(crate) fn json<T: DeserializeOwned>(&self, column: &str) -> Result<T, StoreError> {
        self.opt_json(column)?
            .ok_or_else(|| corrupt(format!("column {column} is empty")))
    }

    pub(crate) fn opt_json<T: DeserializeOwned>(
        &self,
        column: &str,
    ) -> Result<Option<T>, StoreError> {
        let json = if self.codec.is_sqlite() {
            self.get::<Option<String>>(column)?
                .map(|text| serde_json::from_str(&text))
                .transpose()
        } else {
            self.get::<Option<serde_json::Value>>(column)?
                .map(serde_json::from_value)
                .transpose()
        };
        json.map_err(|error| corrupt(format!("column {column}: {error}")))
    }

    /// An enum stored as its serde label.
    pub(crate) fn label<T: DeserializeOwned>(&self, column: &str) -> Result<T, StoreError> {
        let text = self.text(column)?;
        serde_json::from_value(serde_json::Value::String(text))
            .map_err(|error| corrupt(format!("column {column}: {error}")))
    }
}
