//! Agents' actions in the console: refund, void and capture a payment; grant a package, adjust
//! credits, cancel a subscription; enable or disable card departments; edit tax details; send
//! an invoice, receipt or credit note again.
//!
//! Every action runs the same way: `GET` shows its form (what the role may do, what it is
//! limited to, a required reason); `POST` checks the form and, for anything that cannot be
//! undone, answers with a confirmation stating the effect in words; the confirmation's `POST`
//! calls the same function the JSON API handler calls (`crate::api::actions`,
//! `crate::api::payments`), under an idempotency key the confirmation carries, so a double click
//! or a reload never acts twice. A refusal is shown on the form, next to its field, in the
//! reader's language; success goes back to the customer's page (`?done=…`).

mod customers;
mod documents;
mod imports;
mod notes;
mod payment_requests;
mod payments;

use std::collections::HashMap;

use askama::Template;
use kasa_domain::{Customer, Holding, Money, Permission};
use kasa_ports::{CustomerState, Payment};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler};

use super::session::Staff;
use super::{Chrome, render, see_other};
use crate::api::{MoneyBody, parse_id};
use crate::app::App;
use crate::problem::{ApiError, store_error};
use customers::{Adjust, Cancel, Departments, Grant, TaxDetailsAction};
use documents::Resend;
use imports::{RecordImport, RequestTarget};
use payment_requests::{AskPayment, CancelRequest};
use payments::{Capture, PaymentTarget, Refund, Void};

/// The action pages, under `/console`.
pub fn routes(route: Route) -> Route {
    route
        .at("/customers/:id/grant", get(grant_form).post(grant_submit))
        .at(
            "/customers/:id/adjust",
            get(adjust_form).post(adjust_submit),
        )
        .at(
            "/customers/:id/cancel",
            get(cancel_form).post(cancel_submit),
        )
        .at(
            "/customers/:id/departments",
            get(departments_form).post(departments_submit),
        )
        .at("/customers/:id/tax-details", get(tax_form).post(tax_submit))
        .at(
            "/purchases/:id/refund",
            get(refund_form).post(refund_submit),
        )
        .at("/purchases/:id/void", get(void_form).post(void_submit))
        .at(
            "/purchases/:id/capture",
            get(capture_form).post(capture_submit),
        )
        .at("/invoices/:id/resend", get(resend_form).post(resend_submit))
        .at(
            "/customers/:id/payment-request",
            get(ask_payment_form).post(ask_payment_submit),
        )
        .at(
            "/payment-requests/:id/cancel",
            get(cancel_request_form).post(cancel_request_submit),
        )
        .at(
            "/purchases/:id/import",
            get(import_purchase_form).post(import_purchase_submit),
        )
        .at(
            "/payment-requests/:id/import",
            get(import_request_form).post(import_request_submit),
        )
}

/// What a form posted: every control by name (`csrf`, `key`, `step`, `reason`, the action's).
type Values = HashMap<String, String>;

/// The value of control `name`, trimmed; empty when absent.
fn value<'a>(values: &'a Values, name: &str) -> &'a str {
    values.get(name).map_or("", |text| text.trim())
}

/// One control of an action's form.
#[derive(Debug)]
struct Field {
    name: String,
    label: String,
    hint: Option<String>,
    /// `text`, `number`, `textarea`, `select`, `radio` or `checkbox`.
    kind: &'static str,
    value: String,
    checked: bool,
    choices: Vec<Choice>,
    error: Option<String>,
}

impl Field {
    fn new(name: &str, label: String, kind: &'static str) -> Self {
        Self {
            name: name.to_owned(),
            label,
            hint: None,
            kind,
            value: String::new(),
            checked: false,
            choices: Vec::new(),
            error: None,
        }
    }

    fn hint(mut self, hint: String) -> Self {
        self.hint = Some(hint);
        self
    }

    fn value(mut self, value: &str) -> Self {
        value.clone_into(&mut self.value);
        self
    }

    fn checked(mut self, checked: bool) -> Self {
        self.checked = checked;
        self
    }

    /// Choices of a select or radio group; the one equal to `selected` is chosen.
    fn choices(mut self, choices: Vec<(String, String)>, selected: &str) -> Self {
        self.choices = choices
            .into_iter()
            .map(|(value, label)| Choice {
                selected: value == selected,
                value,
                label,
            })
            .collect();
        self
    }

    /// The ids of the hint and the error, for `aria-describedby`.
    fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// One choice of a select or radio group.
#[derive(Debug)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A label and its value, shown above a form.
#[derive(Debug)]
struct Fact {
    label: String,
    value: String,
}

fn fact(label: &str, value: String) -> Fact {
    Fact {
        label: label.to_owned(),
        value,
    }
}

/// An action's form.
#[derive(Template)]
#[template(path = "console/actions/form.html")]
struct FormPage {
    c: Chrome,
    title: String,
    lead: String,
    facts: Vec<Fact>,
    problem: Option<String>,
    action: String,
    key: String,
    /// The help-desk ticket the action came from (hidden controls), if any.
    ticket: Vec<(String, String)>,
    fields: Vec<Field>,
    submit: String,
    back: String,
}

/// The confirmation of an action that cannot be undone.
#[derive(Template)]
#[template(path = "console/actions/confirm.html")]
struct ConfirmPage {
    c: Chrome,
    title: String,
    effect: Vec<String>,
    reason: String,
    action: String,
    key: String,
    hidden: Vec<(String, String)>,
    confirm: String,
    back: String,
}

/// What running an action led to.
enum Outcome {
    /// Done (or handed on): go there.
    Redirect(String),
    /// The use case asks for an explicit confirmation first (a grant that forfeits): these
    /// words, and these controls added to the confirmation.
    Confirm(Vec<String>, Vec<(String, String)>),
}

/// A form's refusal: on one control, or on the whole form.
type Refusal = (Option<String>, String);

/// One agent action: what its page shows and what it calls.
trait Action: Sized + Send + Sync {
    /// What the role needs (the JSON API's operation needs the same).
    const PERMISSION: Permission;
    /// The words key of its title (and of its button, `<key>.submit`, and confirmation button,
    /// `<key>.confirm`).
    const WORDS: &'static str;
    /// What it acts on: `customers`, `purchases` or `invoices`.
    const SCOPE: &'static str;
    /// The last part of its address.
    const PATH: &'static str;

    /// Reads what the page shows about `target` (a customer or a purchase id).
    fn load(
        app: &App,
        staff: &Staff,
        target: &str,
    ) -> impl Future<Output = Result<Self, ApiError>> + Send;

    /// What it acts on (a customer, a purchase's payment, a document's customer).
    type Subject: Subject;

    /// What it acts on, as read.
    fn subject(&self) -> &Self::Subject;

    /// The customer acted on.
    fn customer(&self) -> &Customer {
        self.subject().customer()
    }

    /// Its address.
    fn address(&self, target: &str) -> String {
        format!("/console/{}/{target}/{}", Self::SCOPE, Self::PATH)
    }

    /// What the page states before the form.
    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        self.subject().facts(c)
    }

    /// The form's controls (the reason is added after them); `values` is what was posted, empty
    /// on the first showing.
    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        let _ = (c, values);
        Vec::new()
    }

    /// Reads what checking the posted form needs beyond [`Action::load`] (what a coupon code
    /// takes off), before [`Action::review`]; a refusal goes next to its control.
    fn prepare(
        &mut self,
        app: &App,
        c: &Chrome,
        values: &Values,
    ) -> impl Future<Output = Result<(), Refusal>> + Send {
        let _ = (app, c, values);
        async { Ok(()) }
    }

    /// Checks the form: the confirmation's words for something irreversible, `None` to run at
    /// once, or a refusal.
    fn review(&self, c: &Chrome, values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        let _ = (c, values);
        Ok(None)
    }

    /// Runs the action through the JSON API's function, at most once per `key`.
    fn run(
        &self,
        app: &App,
        staff: &Staff,
        c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> impl Future<Output = Result<Outcome, ApiError>> + Send;

    /// The control a refusal belongs next to (besides the reason's own refusal).
    fn field_of(&self, error: &ApiError) -> Option<&'static str> {
        let _ = error;
        None
    }
}

/// What an action acts on: whose it is, and what its page states about it.
trait Subject {
    /// The customer.
    fn customer(&self) -> &Customer;

    /// What the page states before the form.
    fn facts(&self, c: &Chrome) -> Vec<Fact>;
}

impl Subject for CustomerState {
    fn customer(&self) -> &Customer {
        &self.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        holding_facts(c, self)
    }
}

impl Subject for Customer {
    fn customer(&self) -> &Customer {
        self
    }

    fn facts(&self, _c: &Chrome) -> Vec<Fact> {
        Vec::new()
    }
}

/// A fresh idempotency key for one form.
fn new_key() -> String {
    crate::auth::new_token("console_").unwrap_or_default()
}

/// `GET`: the form, or the refusal page.
async fn show<A: Action>(app: &App, staff: &Staff, target: &str, query: &DoneQuery) -> Response {
    if let Err(page) = staff.require(A::PERMISSION) {
        return page;
    }
    let action = match A::load(app, staff, target).await {
        Ok(action) => action,
        Err(error) => return staff.refusal_page(&error),
    };
    let mut c = staff.chrome_for("customers", action.address(target));
    if let Some(done) = query
        .done
        .as_deref()
        .filter(|done| *done == "approval-requested")
    {
        c.notice = Some(c.t(&format!("actions.notice.{done}")).to_owned());
    }
    let mut values = Values::new();
    for (name, given) in [
        (notes::INTEGRATION, &query.helpdesk_integration),
        (notes::TICKET, &query.helpdesk_ticket),
    ] {
        if let Some(given) = given {
            values.insert(name.to_owned(), given.clone());
        }
    }
    form_page(&c, &action, target, &values, None, StatusCode::OK)
}

/// Renders the form of `action` with what was posted and a refusal, if any.
fn form_page<A: Action>(
    c: &Chrome,
    action: &A,
    target: &str,
    values: &Values,
    refusal: Option<Refusal>,
    status: StatusCode,
) -> Response {
    let mut fields = action.fields(c, values);
    fields.push(
        Field::new("reason", c.t("actions.reason").to_owned(), "textarea")
            .hint(c.t("actions.reason.hint").to_owned())
            .value(value(values, "reason")),
    );
    let mut problem = None;
    if let Some((field, message)) = refusal {
        match field.and_then(|name| fields.iter_mut().find(|field| field.name == name)) {
            Some(field) => field.error = Some(message),
            None => problem = Some(message),
        }
    }
    let customer = action.customer();
    render(
        status,
        &FormPage {
            title: c.t(A::WORDS).to_owned(),
            lead: c.fill(
                "actions.customer",
                &[("name", &customer.name), ("email", customer.email.as_str())],
            ),
            facts: action.facts(c),
            problem,
            action: action.address(target),
            key: new_key(),
            ticket: notes::ticket_controls(values),
            fields,
            submit: c.t(&format!("{}.submit", A::WORDS)).to_owned(),
            back: customer_page(customer, None),
            c: c.clone(),
        },
    )
}

/// Renders the confirmation: `effect` in words, the posted values carried in hidden controls
/// with `added` ones, and a fresh idempotency key.
fn confirm_page<A: Action>(
    c: &Chrome,
    action: &A,
    target: &str,
    values: &Values,
    effect: Vec<String>,
    added: Vec<(String, String)>,
) -> Response {
    let mut hidden: Vec<(String, String)> = values
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "csrf" | "key" | "step"))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    hidden.extend(added);
    hidden.sort();
    render(
        StatusCode::OK,
        &ConfirmPage {
            title: c.t(A::WORDS).to_owned(),
            effect,
            reason: value(values, "reason").to_owned(),
            action: action.address(target),
            key: new_key(),
            hidden,
            confirm: c.t(&format!("{}.confirm", A::WORDS)).to_owned(),
            back: customer_page(action.customer(), None),
            c: c.clone(),
        },
    )
}

/// `POST`: checks, confirms or runs.
async fn submit<A: Action>(app: &App, staff: &Staff, target: &str, values: Values) -> Response {
    if let Err(page) = staff.require(A::PERMISSION) {
        return page;
    }
    if let Err(page) = staff.check_form(value(&values, "csrf")) {
        return page;
    }
    let mut action = match A::load(app, staff, target).await {
        Ok(action) => action,
        Err(error) => return staff.refusal_page(&error),
    };
    let c = staff.chrome_for("customers", action.address(target));
    let prepared = action.prepare(app, &c, &values).await;
    let refused = |refusal: Refusal| {
        form_page(
            &c,
            &action,
            target,
            &values,
            Some(refusal),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if let Err(refusal) = prepared {
        return refused(refusal);
    }
    match value(&values, "step") {
        "edit" => return form_page(&c, &action, target, &values, None, StatusCode::OK),
        "confirm" => {}
        _ => {
            if let Err(error) = staff.caller.context(value(&values, "reason")) {
                return refused((Some("reason".to_owned()), c.problem(&error)));
            }
            match action.review(&c, &values) {
                Err(refusal) => return refused(refusal),
                Ok(Some(effect)) => {
                    return confirm_page(&c, &action, target, &values, effect, Vec::new());
                }
                Ok(None) => {}
            }
        }
    }
    let key = value(&values, "key").to_owned();
    match action.run(app, staff, &c, target, &values, key).await {
        Ok(Outcome::Redirect(location)) => {
            let effect = action
                .review(&c, &values)
                .ok()
                .flatten()
                .unwrap_or_default();
            let text = notes::note_text(
                &c,
                staff,
                c.t(A::WORDS),
                &effect,
                &values,
                location.contains("approval-requested"),
            );
            notes::queue_note(app, &values, value(&values, "key"), text).await;
            see_other(&location)
        }
        Ok(Outcome::Confirm(effect, added)) => {
            confirm_page(&c, &action, target, &values, effect, added)
        }
        Err(error) => {
            let field = if error.code() == "reason-required" {
                Some("reason")
            } else {
                action.field_of(&error)
            };
            let field = field.map(str::to_owned);
            let status = error.status();
            form_page(
                &c,
                &action,
                target,
                &values,
                Some((field, c.problem(&error))),
                status,
            )
        }
    }
}

/// The customer's page, with the notice of what was done.
fn customer_page(customer: &Customer, done: Option<&str>) -> String {
    match done {
        Some(done) => format!("/console/customers/{}?done={done}", customer.id),
        None => format!("/console/customers/{}", customer.id),
    }
}

/// `?done=` on an action's page.
#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
    /// The help-desk integration whose ticket the action was opened from (the panel's link).
    helpdesk_integration: Option<String>,
    /// That ticket.
    helpdesk_ticket: Option<String>,
}

/// A customer and what they hold, read for an action's page.
async fn customer_state(app: &App, target: &str) -> Result<CustomerState, ApiError> {
    app.store
        .customer_state(parse_id(target, "customer")?)
        .await
        .map_err(store_error)
}

/// What the customer holds, in words.
fn holding_words(c: &Chrome, holding: &Holding) -> String {
    match holding {
        Holding::Nothing => c.t("actions.holding.nothing").to_owned(),
        Holding::Credits { balance } => c.fill(
            "actions.holding.credits",
            &[("credits", &c.number(&balance.get()))],
        ),
        Holding::Subscription(subscription) => c.fill(
            "actions.holding.subscription",
            &[("date", &c.date(&subscription.ends_at()))],
        ),
    }
}

/// The facts every customer action shows: what the customer holds.
fn holding_facts(c: &Chrome, state: &CustomerState) -> Vec<Fact> {
    vec![fact(c.t("actions.holds"), holding_words(c, &state.holding))]
}

/// A gateway's name as people say it (`manual` is a payment recorded by an agent).
fn gateway_words(c: &Chrome, payment: &Payment) -> String {
    let key = format!("actions.gateway.{}", payment.gateway.as_str());
    match c.t(&key) {
        words if words == key => payment.gateway.to_string(),
        words => words.to_owned(),
    }
}

/// An amount typed in either language's way ("1.234,56", "1,234.56", "40", "₺40,00") as the
/// API's decimal with a dot.
fn typed_amount(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|character| character.is_ascii_digit() || matches!(character, ',' | '.' | '-'))
        .collect();
    let decimal = match (kept.rfind(','), kept.rfind('.')) {
        (Some(comma), Some(dot)) if comma > dot => Some(','),
        (Some(_), None) => Some(','),
        (_, Some(_)) => Some('.'),
        _ => None,
    };
    kept.chars()
        .filter_map(|character| match character {
            ',' | '.' if Some(character) == decimal => Some('.'),
            ',' | '.' => None,
            other => Some(other),
        })
        .collect()
}

/// The amount typed into control `amount` in the payment's currency; `None` when left blank.
fn amount_of(values: &Values, payment: &Payment) -> Option<MoneyBody> {
    let text = value(values, "amount");
    (!text.is_empty()).then(|| MoneyBody {
        amount: typed_amount(text),
        currency: payment.amount.currency().alpha_code().to_owned(),
    })
}

/// The money typed, checked, or the refusal to show next to `amount`.
fn checked_amount(
    c: &Chrome,
    values: &Values,
    payment: &Payment,
) -> Result<Option<Money>, Refusal> {
    amount_of(values, payment)
        .map(|body| body.money())
        .transpose()
        .map_err(|_| {
            (
                Some("amount".to_owned()),
                c.t("actions.amount.invalid").to_owned(),
            )
        })
        .and_then(|amount| match amount {
            Some(money) if !money.is_positive() => Err((
                Some("amount".to_owned()),
                c.t("actions.amount.invalid").to_owned(),
            )),
            other => Ok(other),
        })
}

// ---------------------------------------------------------------------------------------------
// The handlers: one pair per action.

macro_rules! action_handlers {
    ($action:ty, $form:ident, $submit:ident) => {
        #[handler]
        async fn $form(
            app: Data<&App>,
            staff: Staff,
            Path(id): Path<String>,
            Query(query): Query<DoneQuery>,
        ) -> Response {
            show::<$action>(&app, &staff, &id, &query).await
        }

        #[handler]
        async fn $submit(
            app: Data<&App>,
            staff: Staff,
            Path(id): Path<String>,
            Form(values): Form<Values>,
        ) -> Response {
            submit::<$action>(&app, &staff, &id, values).await
        }
    };
}

action_handlers!(Refund, refund_form, refund_submit);
action_handlers!(Void, void_form, void_submit);
action_handlers!(Capture, capture_form, capture_submit);
action_handlers!(Grant, grant_form, grant_submit);
action_handlers!(Adjust, adjust_form, adjust_submit);
action_handlers!(Cancel, cancel_form, cancel_submit);
action_handlers!(Departments, departments_form, departments_submit);
action_handlers!(TaxDetailsAction, tax_form, tax_submit);
action_handlers!(Resend, resend_form, resend_submit);
action_handlers!(AskPayment, ask_payment_form, ask_payment_submit);
action_handlers!(CancelRequest, cancel_request_form, cancel_request_submit);
action_handlers!(
    RecordImport<PaymentTarget>,
    import_purchase_form,
    import_purchase_submit
);
action_handlers!(
    RecordImport<RequestTarget>,
    import_request_form,
    import_request_submit
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_either_language_writes_them() {
        assert_eq!(typed_amount("40,00"), "40.00");
        assert_eq!(typed_amount("₺1.234,56"), "1234.56");
        assert_eq!(typed_amount("1,234.56"), "1234.56");
        assert_eq!(typed_amount(" 40 "), "40");
        assert_eq!(typed_amount("40.5 TRY"), "40.5");
    }
}
