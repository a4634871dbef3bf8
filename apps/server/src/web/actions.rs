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

use std::collections::HashMap;

use askama::Template;
use kasa_domain::{
    Customer, Department, Holding, Money, Package, PackageKind, Permission, PurchaseId,
};
use kasa_ports::{CustomerState, Payment, Purchase};
use kasa_subscriptions::Forfeiture;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler};

use super::session::Staff;
use super::{Chrome, render, see_other};
use crate::api::actions::{
    AdjustRequest, CancelRequest, CancelTiming, GrantRequest, adjust_credits, cancel_subscription,
    grant_package,
};
use crate::api::customers::{TaxDetailsBody, change_tax_details, set_card_department};
use crate::api::payments::{
    CaptureRequest, GiveBackResultBody, RefundRequest, VoidRequest, capture_payment,
    refund_allowance, refund_payment, void_payment,
};
use crate::api::{MoneyBody, parse_id};
use crate::app::App;
use crate::problem::{ApiError, store_error};

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

    /// The customer acted on.
    fn customer(&self) -> &Customer;

    /// Its address.
    fn address(&self, target: &str) -> String {
        format!("/console/{}/{target}/{}", Self::SCOPE, Self::PATH)
    }

    /// What the page states before the form.
    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        let _ = c;
        Vec::new()
    }

    /// The form's controls (the reason is added after them); `values` is what was posted, empty
    /// on the first showing.
    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        let _ = (c, values);
        Vec::new()
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

/// A fresh idempotency key for one form.
fn new_key() -> String {
    crate::auth::new_token("console_").unwrap_or_default()
}

/// `GET`: the form, or the refusal page.
async fn show<A: Action>(app: &App, staff: &Staff, target: &str, done: Option<&str>) -> Response {
    if let Err(page) = staff.require(A::PERMISSION) {
        return page;
    }
    let action = match A::load(app, staff, target).await {
        Ok(action) => action,
        Err(error) => return staff.refusal_page(&error),
    };
    let mut c = staff.chrome_for("customers", action.address(target));
    if let Some(done) = done.filter(|done| *done == "approval-requested") {
        c.notice = Some(c.t(&format!("actions.notice.{done}")).to_owned());
    }
    form_page(&c, &action, target, &Values::new(), None, StatusCode::OK)
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
    let action = match A::load(app, staff, target).await {
        Ok(action) => action,
        Err(error) => return staff.refusal_page(&error),
    };
    let c = staff.chrome_for("customers", action.address(target));
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
        Ok(Outcome::Redirect(location)) => see_other(&location),
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
// Payments: refund, void, capture.

/// A purchase's payment and its customer.
struct PaymentTarget {
    purchase: Purchase,
    payment: Payment,
    state: CustomerState,
}

impl PaymentTarget {
    async fn load(app: &App, target: &str) -> Result<Self, ApiError> {
        let purchase_id: PurchaseId = parse_id(target, "purchase")?;
        let purchase = app.store.purchase(purchase_id).await.map_err(store_error)?;
        let payment = purchase.payment.clone().ok_or_else(|| {
            crate::api::problems::action_problem(kasa_billing::PaymentActionError::NoPayment)
        })?;
        let state = app
            .store
            .customer_state(purchase.customer_id)
            .await
            .map_err(store_error)?;
        Ok(Self {
            purchase,
            payment,
            state,
        })
    }

    /// The payment's facts: package, amount, gateway, status.
    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        vec![
            fact(c.t("actions.package"), self.purchase.package.name.clone()),
            fact(
                c.t("actions.payment"),
                c.fill(
                    "actions.payment.paid",
                    &[
                        ("amount", &c.money(&self.payment.amount)),
                        ("gateway", &gateway_words(c, &self.payment)),
                    ],
                ),
            ),
            fact(
                c.t("actions.payment.status"),
                c.t(&format!(
                    "actions.payment.status.{}",
                    self.payment.status.label()
                ))
                .to_owned(),
            ),
            fact(c.t("actions.holds"), holding_words(c, &self.state.holding)),
        ]
    }

    /// What taking the package back does, in words.
    fn package_back(&self, c: &Chrome) -> String {
        match (&self.purchase.package.kind, &self.state.holding) {
            (PackageKind::Credit { credits }, Holding::Credits { balance }) => c.fill(
                "actions.package-back.credits",
                &[
                    ("credits", &c.number(&credits.get())),
                    ("balance", &c.number(&balance.get())),
                ],
            ),
            (PackageKind::Credit { credits }, _) => c.fill(
                "actions.package-back.credits-none-left",
                &[("credits", &c.number(&credits.get()))],
            ),
            (PackageKind::Subscription { .. }, _) => {
                c.t("actions.package-back.subscription").to_owned()
            }
        }
    }

    fn done(&self, outcome: GiveBackResultBody, done: &str, path: &str) -> Outcome {
        Outcome::Redirect(match outcome {
            GiveBackResultBody::Done(_) => customer_page(&self.state.customer, Some(done)),
            GiveBackResultBody::PendingApproval(_) => format!(
                "/console/purchases/{}/{path}?done=approval-requested",
                self.purchase.id
            ),
        })
    }
}

/// Refund a purchase's payment, fully or in part.
struct Refund {
    target: PaymentTarget,
    allowance: kasa_billing::RefundAllowance,
}

impl Action for Refund {
    const PERMISSION: Permission = Permission::Refund;
    const WORDS: &'static str = "actions.refund";
    const SCOPE: &'static str = "purchases";
    const PATH: &'static str = "refund";

    async fn load(app: &App, staff: &Staff, target: &str) -> Result<Self, ApiError> {
        let payment = PaymentTarget::load(app, target).await?;
        let allowance = refund_allowance(app, &staff.caller, payment.purchase.id).await?;
        Ok(Self {
            target: payment,
            allowance,
        })
    }

    fn customer(&self) -> &Customer {
        &self.target.state.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        let allowance = &self.allowance;
        let mut facts = self.target.facts(c);
        facts.push(fact(
            c.t("actions.refund.refunded"),
            c.money(&allowance.refunded_of_payment),
        ));
        facts.push(fact(
            c.t("actions.refund.refundable"),
            c.money(&allowance.refundable),
        ));
        facts.push(fact(
            c.t("actions.refund.limit"),
            allowance.limit.map_or_else(
                || c.t("actions.refund.no-limit").to_owned(),
                |limit| c.fill("actions.refund.limit.value", &[("limit", &c.money(&limit))]),
            ),
        ));
        facts.push(fact(
            c.t("actions.refund.given-back-today"),
            c.money(&allowance.given_back_today),
        ));
        facts.push(fact(
            c.t("actions.refund.remaining"),
            c.money(&allowance.remaining),
        ));
        facts
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        vec![
            Field::new("amount", c.t("actions.amount").to_owned(), "text")
                .hint(c.fill(
                    "actions.refund.amount.hint",
                    &[("amount", &c.money(&self.allowance.refundable))],
                ))
                .value(value(values, "amount")),
        ]
    }

    fn review(&self, c: &Chrome, values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        let amount =
            checked_amount(c, values, &self.target.payment)?.unwrap_or(self.allowance.refundable);
        let mut effect = vec![c.fill(
            "actions.refund.effect",
            &[
                ("amount", &c.money(&amount)),
                ("paid", &c.money(&self.target.payment.amount)),
                ("gateway", &gateway_words(c, &self.target.payment)),
            ],
        )];
        effect.push(if amount == self.allowance.refundable {
            self.target.package_back(c)
        } else {
            c.t("actions.refund.package-kept").to_owned()
        });
        effect.push(c.t("actions.refund.credit-note").to_owned());
        Ok(Some(effect))
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        _c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> Result<Outcome, ApiError> {
        let body = RefundRequest {
            amount: amount_of(values, &self.target.payment),
            reason: value(values, "reason").to_owned(),
        };
        let answer = refund_payment(app, &staff.caller, target, Some(key), &body).await?;
        Ok(self.target.done(answer.0, "refunded", Self::PATH))
    }

    fn field_of(&self, error: &ApiError) -> Option<&'static str> {
        match error.code() {
            "refund-limit-exceeded" | "amount-too-large" | "invalid-input" | "not-settled" => {
                Some("amount")
            }
            _ => None,
        }
    }
}

/// Void a payment before the bank settles it.
struct Void {
    target: PaymentTarget,
}

impl Action for Void {
    const PERMISSION: Permission = Permission::Refund;
    const WORDS: &'static str = "actions.void";
    const SCOPE: &'static str = "purchases";
    const PATH: &'static str = "void";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            target: PaymentTarget::load(app, target).await?,
        })
    }

    fn customer(&self) -> &Customer {
        &self.target.state.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        self.target.facts(c)
    }

    fn review(&self, c: &Chrome, _values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        Ok(Some(vec![
            c.fill(
                "actions.void.effect",
                &[
                    ("amount", &c.money(&self.target.payment.amount)),
                    ("gateway", &gateway_words(c, &self.target.payment)),
                ],
            ),
            self.target.package_back(c),
        ]))
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        _c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> Result<Outcome, ApiError> {
        let body = VoidRequest {
            reason: value(values, "reason").to_owned(),
        };
        let answer = void_payment(app, &staff.caller, target, Some(key), &body).await?;
        Ok(self.target.done(answer.0, "voided", Self::PATH))
    }
}

/// Capture an authorised payment, fully or in part.
struct Capture {
    target: PaymentTarget,
}

impl Action for Capture {
    // The JSON API's capture needs the billing-actions permission (it takes money, gives none
    // back); the console asks for the same.
    const PERMISSION: Permission = Permission::BillingActions;
    const WORDS: &'static str = "actions.capture";
    const SCOPE: &'static str = "purchases";
    const PATH: &'static str = "capture";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            target: PaymentTarget::load(app, target).await?,
        })
    }

    fn customer(&self) -> &Customer {
        &self.target.state.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        self.target.facts(c)
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        vec![
            Field::new("amount", c.t("actions.amount").to_owned(), "text")
                .hint(c.fill(
                    "actions.capture.amount.hint",
                    &[("amount", &c.money(&self.target.payment.amount))],
                ))
                .value(value(values, "amount")),
        ]
    }

    fn review(&self, c: &Chrome, values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        let amount =
            checked_amount(c, values, &self.target.payment)?.unwrap_or(self.target.payment.amount);
        Ok(Some(vec![c.fill(
            "actions.capture.effect",
            &[
                ("amount", &c.money(&amount)),
                ("authorised", &c.money(&self.target.payment.amount)),
                ("gateway", &gateway_words(c, &self.target.payment)),
            ],
        )]))
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        _c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> Result<Outcome, ApiError> {
        let body = CaptureRequest {
            amount: amount_of(values, &self.target.payment),
            reason: value(values, "reason").to_owned(),
        };
        capture_payment(app, &staff.caller, target, Some(key), &body).await?;
        Ok(Outcome::Redirect(customer_page(
            &self.target.state.customer,
            Some("captured"),
        )))
    }

    fn field_of(&self, error: &ApiError) -> Option<&'static str> {
        match error.code() {
            "amount-too-large" | "invalid-input" => Some("amount"),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Customers: grant, adjust, cancel, departments, tax details.

/// Grant a package, free or paid outside a gateway.
struct Grant {
    state: CustomerState,
    packages: Vec<Package>,
}

impl Action for Grant {
    const PERMISSION: Permission = Permission::BillingActions;
    const WORDS: &'static str = "actions.grant";
    const SCOPE: &'static str = "customers";
    const PATH: &'static str = "grant";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            state: customer_state(app, target).await?,
            packages: app.store.packages().await.map_err(store_error)?,
        })
    }

    fn customer(&self) -> &Customer {
        &self.state.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        holding_facts(c, &self.state)
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        let mut packages = vec![(String::new(), c.t("actions.grant.choose").to_owned())];
        packages.extend(self.packages.iter().map(|package| {
            let size = match package.kind {
                PackageKind::Credit { credits } => c.fill(
                    "actions.grant.credits",
                    &[("credits", &c.number(&credits.get()))],
                ),
                PackageKind::Subscription { days } => c.fill(
                    "actions.grant.days",
                    &[("days", &c.number(&i64::from(days)))],
                ),
            };
            (
                package.id.to_string(),
                format!("{} · {size} · {}", package.name, c.money(&package.price)),
            )
        }));
        let charged = match value(values, "charged") {
            "" => "free",
            chosen => chosen,
        };
        vec![
            Field::new("package", c.t("actions.package").to_owned(), "select")
                .choices(packages, value(values, "package")),
            Field::new("charged", c.t("actions.grant.how").to_owned(), "radio").choices(
                vec![
                    ("free".to_owned(), c.t("actions.grant.free").to_owned()),
                    (
                        "charged".to_owned(),
                        c.t("actions.grant.charged").to_owned(),
                    ),
                ],
                charged,
            ),
        ]
    }

    fn review(&self, c: &Chrome, values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        if value(values, "package").is_empty() {
            return Err((
                Some("package".to_owned()),
                c.t("actions.grant.choose-one").to_owned(),
            ));
        }
        Ok(None)
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> Result<Outcome, ApiError> {
        let confirmed = value(values, "confirm_forfeit") == "yes";
        let body = GrantRequest {
            package_id: value(values, "package").to_owned(),
            confirm_forfeit: confirmed,
            charged: value(values, "charged") == "charged",
            reason: value(values, "reason").to_owned(),
        };
        match grant_package(app, &staff.caller, target, Some(key), &body).await {
            Ok(_) => Ok(Outcome::Redirect(customer_page(
                &self.state.customer,
                Some("granted"),
            ))),
            Err(error) if error.code() == "forfeit-not-confirmed" && !confirmed => {
                Ok(Outcome::Confirm(
                    self.forfeit_words(c, &body.package_id, &error),
                    vec![("confirm_forfeit".to_owned(), "yes".to_owned())],
                ))
            }
            Err(error) => Err(error),
        }
    }

    fn field_of(&self, error: &ApiError) -> Option<&'static str> {
        match error.code() {
            "not-found" | "renewal-too-early" | "not-on-sale" | "invalid-input" => Some("package"),
            _ => None,
        }
    }
}

impl Grant {
    /// What granting `package_id` forfeits, in words, from the use case's refusal.
    fn forfeit_words(&self, c: &Chrome, package_id: &str, error: &ApiError) -> Vec<String> {
        let package = self
            .packages
            .iter()
            .find(|package| package.id.to_string() == package_id)
            .map_or(package_id, |package| package.name.as_str());
        let forfeiture = error
            .facts()
            .and_then(|facts| facts.get("forfeiture"))
            .and_then(|value| serde_json::from_value::<Forfeiture>(value.clone()).ok());
        let what = match forfeiture {
            Some(Forfeiture::Credits { credits }) => c.fill(
                "actions.forfeit.credits",
                &[("credits", &c.number(&credits.get()))],
            ),
            Some(Forfeiture::SubscriptionTime {
                ends_at,
                remaining_days,
                ..
            }) => c.fill(
                "actions.forfeit.days",
                &[
                    ("days", &c.number(&i64::from(remaining_days))),
                    ("date", &c.date(&ends_at)),
                ],
            ),
            None => holding_words(c, &self.state.holding),
        };
        vec![
            c.fill(
                "actions.grant.forfeit",
                &[
                    ("package", package),
                    ("name", &self.state.customer.name),
                    ("what", &what),
                ],
            ),
            c.t("actions.cannot-be-undone").to_owned(),
        ]
    }
}

/// Add or remove credits by hand.
struct Adjust {
    state: CustomerState,
}

impl Adjust {
    /// The signed change the form asks for, or the refusal to show.
    fn delta(c: &Chrome, values: &Values) -> Result<i64, Refusal> {
        let credits = value(values, "credits")
            .parse::<i64>()
            .ok()
            .filter(|credits| *credits > 0)
            .ok_or_else(|| {
                (
                    Some("credits".to_owned()),
                    c.t("actions.adjust.credits.invalid").to_owned(),
                )
            })?;
        Ok(if value(values, "direction") == "remove" {
            -credits
        } else {
            credits
        })
    }
}

impl Action for Adjust {
    const PERMISSION: Permission = Permission::BillingActions;
    const WORDS: &'static str = "actions.adjust";
    const SCOPE: &'static str = "customers";
    const PATH: &'static str = "adjust";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            state: customer_state(app, target).await?,
        })
    }

    fn customer(&self) -> &Customer {
        &self.state.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        holding_facts(c, &self.state)
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        let direction = match value(values, "direction") {
            "" => "add",
            chosen => chosen,
        };
        vec![
            Field::new(
                "direction",
                c.t("actions.adjust.direction").to_owned(),
                "radio",
            )
            .choices(
                vec![
                    ("add".to_owned(), c.t("actions.adjust.add").to_owned()),
                    ("remove".to_owned(), c.t("actions.adjust.remove").to_owned()),
                ],
                direction,
            ),
            Field::new(
                "credits",
                c.t("actions.adjust.credits").to_owned(),
                "number",
            )
            .value(value(values, "credits")),
        ]
    }

    fn review(&self, c: &Chrome, values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        let delta = Self::delta(c, values)?;
        if delta > 0 {
            return Ok(None);
        }
        Ok(Some(vec![
            c.fill(
                "actions.adjust.remove.effect",
                &[
                    ("credits", &c.number(&delta.saturating_neg())),
                    ("name", &self.state.customer.name),
                    ("holding", &holding_words(c, &self.state.holding)),
                ],
            ),
            c.t("actions.cannot-be-undone").to_owned(),
        ]))
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> Result<Outcome, ApiError> {
        let delta = Self::delta(c, values).map_err(|(_, message)| ApiError::invalid(message))?;
        let body = AdjustRequest {
            delta,
            reason: value(values, "reason").to_owned(),
        };
        adjust_credits(app, &staff.caller, target, Some(key), &body).await?;
        Ok(Outcome::Redirect(customer_page(
            &self.state.customer,
            Some("adjusted"),
        )))
    }

    fn field_of(&self, error: &ApiError) -> Option<&'static str> {
        match error.code() {
            "insufficient-credits" | "invalid-input" => Some("credits"),
            _ => None,
        }
    }
}

/// Cancel a subscription now or at its end, with or without a prorated refund.
struct Cancel {
    state: CustomerState,
}

impl Action for Cancel {
    const PERMISSION: Permission = Permission::BillingActions;
    const WORDS: &'static str = "actions.cancel";
    const SCOPE: &'static str = "customers";
    const PATH: &'static str = "cancel";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            state: customer_state(app, target).await?,
        })
    }

    fn customer(&self) -> &Customer {
        &self.state.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        holding_facts(c, &self.state)
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        let timing = match value(values, "timing") {
            "" => "at_end",
            chosen => chosen,
        };
        vec![
            Field::new("timing", c.t("actions.cancel.timing").to_owned(), "radio").choices(
                vec![
                    ("at_end".to_owned(), c.t("actions.cancel.at-end").to_owned()),
                    ("now".to_owned(), c.t("actions.cancel.now").to_owned()),
                ],
                timing,
            ),
            Field::new(
                "prorated_refund",
                c.t("actions.cancel.prorated").to_owned(),
                "checkbox",
            )
            .hint(c.t("actions.cancel.prorated.hint").to_owned())
            .checked(value(values, "prorated_refund") == "yes"),
        ]
    }

    fn review(&self, c: &Chrome, values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        let name = &self.state.customer.name;
        let mut effect = vec![match value(values, "timing") {
            "now" => c.fill("actions.cancel.now.effect", &[("name", name)]),
            "at_end" => {
                let date = match &self.state.holding {
                    Holding::Subscription(subscription) => c.date(&subscription.ends_at()),
                    _ => String::new(),
                };
                c.fill(
                    "actions.cancel.at-end.effect",
                    &[("name", name), ("date", &date)],
                )
            }
            _ => {
                return Err((
                    Some("timing".to_owned()),
                    c.t("actions.cancel.timing.invalid").to_owned(),
                ));
            }
        }];
        if value(values, "prorated_refund") == "yes" {
            effect.push(c.t("actions.cancel.prorated.effect").to_owned());
        }
        effect.push(c.t("actions.cannot-be-undone").to_owned());
        Ok(Some(effect))
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        _c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> Result<Outcome, ApiError> {
        let body = CancelRequest {
            timing: if value(values, "timing") == "now" {
                CancelTiming::Now
            } else {
                CancelTiming::AtEnd
            },
            prorated_refund: value(values, "prorated_refund") == "yes",
            reason: value(values, "reason").to_owned(),
        };
        cancel_subscription(app, &staff.caller, target, Some(key), &body).await?;
        Ok(Outcome::Redirect(customer_page(
            &self.state.customer,
            Some("cancelled"),
        )))
    }
}

/// Enable or disable departments on the customer's card by hand.
struct Departments {
    state: CustomerState,
    departments: Vec<Department>,
}

fn department_control(department: &Department) -> String {
    format!("department-{}", department.id)
}

impl Action for Departments {
    const PERMISSION: Permission = Permission::ManageCustomers;
    const WORDS: &'static str = "actions.departments";
    const SCOPE: &'static str = "customers";
    const PATH: &'static str = "departments";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            state: customer_state(app, target).await?,
            departments: app.store.departments().await.map_err(store_error)?,
        })
    }

    fn customer(&self) -> &Customer {
        &self.state.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        holding_facts(c, &self.state)
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        let posted = values.contains_key("csrf");
        self.departments
            .iter()
            .map(|department| {
                let control = department_control(department);
                let enabled = if posted {
                    values.contains_key(&control)
                } else {
                    self.state.card.is_enabled(department.id)
                };
                let price = match department.credits_per_request.get() {
                    0 => c.t("actions.departments.free").to_owned(),
                    credits => c.fill(
                        "actions.departments.price",
                        &[("credits", &c.number(&credits))],
                    ),
                };
                Field::new(&control, department.name.clone(), "checkbox")
                    .hint(price)
                    .checked(enabled)
            })
            .collect()
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        _c: &Chrome,
        _target: &str,
        values: &Values,
        _key: String,
    ) -> Result<Outcome, ApiError> {
        let context = staff.caller.context(value(values, "reason"))?;
        for department in &self.departments {
            let wanted = values.contains_key(&department_control(department));
            if wanted != self.state.card.is_enabled(department.id) {
                set_card_department(
                    app,
                    self.state.customer.id,
                    department.id,
                    wanted,
                    context.clone(),
                )
                .await?;
            }
        }
        Ok(Outcome::Redirect(customer_page(
            &self.state.customer,
            Some("departments"),
        )))
    }
}

/// Edit the customer's tax details and billing address.
struct TaxDetailsAction {
    state: CustomerState,
}

impl Action for TaxDetailsAction {
    const PERMISSION: Permission = Permission::ManageCustomers;
    const WORDS: &'static str = "actions.tax-details";
    const SCOPE: &'static str = "customers";
    const PATH: &'static str = "tax-details";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            state: customer_state(app, target).await?,
        })
    }

    fn customer(&self) -> &Customer {
        &self.state.customer
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        let current = &self.state.customer.tax_details;
        let posted = values.contains_key("csrf");
        let shown = |name: &str, stored: Option<&str>| {
            if posted {
                value(values, name).to_owned()
            } else {
                stored.unwrap_or_default().to_owned()
            }
        };
        let tax_id = current.tax_id.clone().map(String::from);
        vec![
            Field::new(
                "tax_id",
                c.t("actions.tax-details.tax-id").to_owned(),
                "text",
            )
            .hint(c.t("actions.tax-details.tax-id.hint").to_owned())
            .value(&shown("tax_id", tax_id.as_deref())),
            Field::new(
                "tax_office",
                c.t("actions.tax-details.tax-office").to_owned(),
                "text",
            )
            .value(&shown("tax_office", current.tax_office.as_deref())),
            Field::new(
                "billing_address",
                c.t("actions.tax-details.billing-address").to_owned(),
                "textarea",
            )
            .value(&shown(
                "billing_address",
                current.billing_address.as_deref(),
            )),
        ]
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        _c: &Chrome,
        _target: &str,
        values: &Values,
        _key: String,
    ) -> Result<Outcome, ApiError> {
        let context = staff.caller.context(value(values, "reason"))?;
        let given =
            |name: &str| Some(value(values, name).to_owned()).filter(|text| !text.is_empty());
        let details = TaxDetailsBody {
            tax_id: given("tax_id"),
            tax_office: given("tax_office"),
            billing_address: given("billing_address"),
        };
        change_tax_details(app, self.state.customer.id, &details, context).await?;
        Ok(Outcome::Redirect(customer_page(
            &self.state.customer,
            Some("tax-details"),
        )))
    }

    fn field_of(&self, error: &ApiError) -> Option<&'static str> {
        let detail = error.detail().to_ascii_lowercase();
        match error.code() {
            "invalid-input" if detail.contains("office") => Some("tax_office"),
            "invalid-input" if detail.contains("address") => Some("billing_address"),
            "invalid-input" => Some("tax_id"),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Documents: send again.

/// Send the customer an invoice, receipt or credit note again.
struct Resend {
    invoice: kasa_ports::Invoice,
    customer: Customer,
}

impl Action for Resend {
    const PERMISSION: Permission = Permission::BillingActions;
    const WORDS: &'static str = "actions.resend";
    const SCOPE: &'static str = "invoices";
    const PATH: &'static str = "resend";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        let invoice = app
            .store
            .invoice(parse_id(target, "invoice")?)
            .await
            .map_err(store_error)?;
        let customer = app
            .store
            .find_customer(kasa_ports::CustomerLookup::Id {
                id: invoice.issued.customer_id,
            })
            .await
            .map_err(store_error)?;
        Ok(Self { invoice, customer })
    }

    fn customer(&self) -> &Customer {
        &self.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        let kind = match self.invoice.issued.kind {
            kasa_ports::InvoiceKind::Invoice => "actions.resend.invoice",
            kasa_ports::InvoiceKind::Receipt => "actions.resend.receipt",
            kasa_ports::InvoiceKind::CreditNote => "actions.resend.credit-note",
        };
        vec![
            fact(
                c.t("actions.resend.document"),
                c.fill(kind, &[("number", &self.invoice.number.to_string())]),
            ),
            fact(
                c.t("actions.resend.total"),
                c.money(&self.invoice.issued.total.gross),
            ),
            fact(
                c.t("actions.resend.issued"),
                c.date(&self.invoice.issued.issued_at),
            ),
            fact(
                c.t("actions.resend.to"),
                self.customer.email.as_str().to_owned(),
            ),
        ]
    }

    async fn run(
        &self,
        app: &App,
        staff: &Staff,
        _c: &Chrome,
        target: &str,
        values: &Values,
        key: String,
    ) -> Result<Outcome, ApiError> {
        let body = crate::api::access::ReasonBody {
            reason: value(values, "reason").to_owned(),
        };
        crate::api::records::resend_invoice(app, &staff.caller, target, Some(key), &body).await?;
        Ok(Outcome::Redirect(customer_page(
            &self.customer,
            Some("resent"),
        )))
    }
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
            show::<$action>(&app, &staff, &id, query.done.as_deref()).await
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
