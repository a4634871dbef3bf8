//! Record a payment received elsewhere (a bank transfer, cash, another processor) against a
//! customer's pending purchase or open payment request (ADR 0025): a form (method, reference,
//! amount, date, note, reason), a confirmation stating what it completes, then the JSON API's
//! function. The import is idempotent by its reference, so a double click records it once.

use kasa_domain::{Customer, Money, Permission};
use kasa_ports::{ImportMethod, PaymentRequest};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::payments::PaymentTarget;
use super::{
    Action, Chrome, Fact, Field, Outcome, Refusal, Staff, Subject, Values, customer_page, fact,
    value,
};
use crate::api::MoneyBody;
use crate::api::imported_payments::{
    ImportMethodBody, ImportTarget, ImportedPaymentCreate, import_payment, import_request,
};
use crate::app::App;
use crate::problem::ApiError;

/// The form's controls, shared by both targets; `owed` fills the amount at first.
fn import_fields(c: &Chrome, values: &Values, owed: &Money, today: Date) -> Vec<Field> {
    let method = match value(values, "method") {
        "" => ImportMethod::BankTransfer.label(),
        chosen => chosen,
    };
    let amount = match value(values, "amount") {
        "" => owed.amount().to_string(),
        typed => typed.to_owned(),
    };
    let received_on = match value(values, "received_on") {
        "" => today.to_string(),
        typed => typed.to_owned(),
    };
    vec![
        Field::new("method", c.t("actions.import.method").to_owned(), "radio").choices(
            ImportMethod::ALL
                .into_iter()
                .map(|method| {
                    (
                        method.label().to_owned(),
                        c.t(&format!("actions.import.method.{}", method.label()))
                            .to_owned(),
                    )
                })
                .collect(),
            method,
        ),
        Field::new(
            "reference",
            c.t("actions.import.reference").to_owned(),
            "text",
        )
        .hint(c.t("actions.import.reference.hint").to_owned())
        .value(value(values, "reference")),
        Field::new("amount", c.t("actions.amount").to_owned(), "text")
            .hint(c.fill("actions.import.amount.hint", &[("amount", &c.money(owed))]))
            .value(&amount),
        Field::new(
            "received_on",
            c.t("actions.import.received-on").to_owned(),
            "text",
        )
        .hint(c.t("actions.import.received-on.hint").to_owned())
        .value(&received_on),
        Field::new("note", c.t("actions.import.note").to_owned(), "textarea")
            .value(value(values, "note")),
    ]
}

/// The date typed, or the refusal to show next to it.
fn received_on(c: &Chrome, values: &Values) -> Result<Date, Refusal> {
    Date::parse(
        value(values, "received_on"),
        format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        (
            Some("received_on".to_owned()),
            c.t("actions.import.received-on.invalid").to_owned(),
        )
    })
}

/// The method chosen (a bank transfer unless another was).
fn method_of(values: &Values) -> ImportMethodBody {
    match ImportMethod::from_label(value(values, "method")) {
        Some(ImportMethod::Cash) => ImportMethodBody::Cash,
        Some(ImportMethod::Other) => ImportMethodBody::Other,
        _ => ImportMethodBody::BankTransfer,
    }
}

/// The confirmation's words: what is recorded and what it completes.
fn import_effect(c: &Chrome, values: &Values, owed: &Money) -> Result<Vec<String>, Refusal> {
    let date = received_on(c, values)?;
    let reference = value(values, "reference");
    if reference.is_empty() {
        return Err((
            Some("reference".to_owned()),
            c.t("actions.import.reference.hint").to_owned(),
        ));
    }
    let method = ImportMethod::from(method_of(values));
    let typed = amount_body(values, owed).money().map_err(|_| {
        (
            Some("amount".to_owned()),
            c.t("actions.amount.invalid").to_owned(),
        )
    })?;
    Ok(vec![
        c.fill(
            "actions.import.effect",
            &[
                ("amount", &c.money(&typed)),
                (
                    "method",
                    c.t(&format!("actions.gateway.{}", method.label())),
                ),
                ("reference", reference),
                ("date", &c.date(&date.midnight().assume_utc())),
            ],
        ),
        c.t("actions.import.effect.completes").to_owned(),
        c.t("actions.import.effect.refund").to_owned(),
    ])
}

/// The amount typed, in the currency owed.
fn amount_body(values: &Values, owed: &Money) -> MoneyBody {
    MoneyBody {
        amount: super::typed_amount(value(values, "amount")),
        currency: owed.currency().alpha_code().to_owned(),
    }
}

/// Records the import through the JSON API's functions; a package that would forfeit what the
/// customer holds asks for an explicit confirmation first.
async fn run_import(
    app: &App,
    staff: &Staff,
    c: &Chrome,
    target: ImportTarget,
    values: &Values,
    owed: &Money,
    customer: &Customer,
) -> Result<Outcome, ApiError> {
    let confirmed = value(values, "confirm_forfeit") == "yes";
    let date = Date::parse(
        value(values, "received_on"),
        format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| {
        ApiError::invalid("received_on: a date like 2026-12-05").on_field("received_at")
    })?;
    let body = ImportedPaymentCreate {
        method: method_of(values),
        reference: value(values, "reference").to_owned(),
        amount: amount_body(values, owed),
        received_at: date
            .midnight()
            .assume_utc()
            .format(&Rfc3339)
            .unwrap_or_default(),
        note: Some(value(values, "note").to_owned()).filter(|note| !note.is_empty()),
        confirm_forfeit: confirmed,
        reason: value(values, "reason").to_owned(),
    };
    let import = import_request(&staff.caller, &body)?;
    match import_payment(app, target, import).await {
        Ok(_) => Ok(Outcome::Redirect(customer_page(
            customer,
            Some("payment-imported"),
        ))),
        Err(error) if error.code() == "forfeit-not-confirmed" && !confirmed => {
            Ok(Outcome::Confirm(
                vec![c.t("actions.import.forfeit").to_owned()],
                vec![("confirm_forfeit".to_owned(), "yes".to_owned())],
            ))
        }
        Err(error) => Err(error),
    }
}

/// The control a refusal of the import belongs next to.
fn import_field_of(error: &ApiError) -> Option<&'static str> {
    match (error.code(), error.field()) {
        ("import-amount-mismatch", _) | (_, Some("amount")) => Some("amount"),
        ("import-reference-used", _) | (_, Some("reference")) => Some("reference"),
        (_, Some("received_at")) => Some("received_on"),
        (_, Some("note")) => Some("note"),
        _ => None,
    }
}

/// Today, for the date's first value.
fn today(app: &App) -> Date {
    let now: OffsetDateTime = app.clock.now();
    now.date()
}

/// What an import is recorded against: a pending purchase or an open payment request.
pub(super) trait ImportSubject: Subject + Sized + Send + Sync {
    /// What it is, in the action's address (`purchases`, `payment-requests`).
    const SCOPE: &'static str;

    /// Reads it.
    fn load(app: &App, target: &str) -> impl Future<Output = Result<Self, ApiError>> + Send;

    /// What is owed.
    fn owed(&self) -> &Money;

    /// Where the use case records the import.
    fn import_target(&self) -> ImportTarget;
}

impl ImportSubject for PaymentTarget {
    const SCOPE: &'static str = "purchases";

    async fn load(app: &App, target: &str) -> Result<Self, ApiError> {
        PaymentTarget::load(app, target).await
    }

    fn owed(&self) -> &Money {
        &self.payment.amount
    }

    fn import_target(&self) -> ImportTarget {
        ImportTarget::Purchase(self.purchase.id)
    }
}

/// A payment request and its customer.
pub(super) struct RequestTarget {
    request: PaymentRequest,
    customer: Customer,
}

impl Subject for RequestTarget {
    fn customer(&self) -> &Customer {
        &self.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        let mut facts = vec![fact(
            c.t("payment-requests.description"),
            self.request.description.clone(),
        )];
        // An amount's name is its description, said once.
        if let Some(package) = self.request.item.package() {
            facts.push(fact(c.t("payment-requests.package"), package.name.clone()));
        }
        facts.push(fact(
            c.t("actions.import.owed"),
            c.money(&self.request.amount),
        ));
        facts
    }
}

impl ImportSubject for RequestTarget {
    const SCOPE: &'static str = "payment-requests";

    async fn load(app: &App, target: &str) -> Result<Self, ApiError> {
        let (request, customer) =
            super::payment_requests::request_and_customer(app, target).await?;
        Ok(Self { request, customer })
    }

    fn owed(&self) -> &Money {
        &self.request.amount
    }

    fn import_target(&self) -> ImportTarget {
        ImportTarget::PaymentRequest(self.request.id)
    }
}

/// Record a payment received elsewhere against a pending purchase or an open payment request.
pub(super) struct RecordImport<T> {
    target: T,
    today: Date,
}

impl<T: ImportSubject> Action for RecordImport<T> {
    const PERMISSION: Permission = Permission::RecordPayments;
    const WORDS: &'static str = "actions.import";
    const SCOPE: &'static str = T::SCOPE;
    const PATH: &'static str = "import";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            target: T::load(app, target).await?,
            today: today(app),
        })
    }

    type Subject = T;

    fn subject(&self) -> &T {
        &self.target
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        import_fields(c, values, self.target.owed(), self.today)
    }

    fn review(&self, c: &Chrome, values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        import_effect(c, values, self.target.owed()).map(Some)
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        c: &Chrome,
        _target: &str,
        values: &Values,
        _key: String,
    ) -> Result<Outcome, ApiError> {
        run_import(
            app,
            staff,
            c,
            self.target.import_target(),
            values,
            self.target.owed(),
            self.target.customer(),
        )
        .await
    }

    fn field_of(&self, error: &ApiError) -> Option<&'static str> {
        import_field_of(error)
    }
}
