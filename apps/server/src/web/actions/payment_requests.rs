//! Payment requests in the console (ADR 0016): ask a customer to pay a package or an amount (a
//! description, a validity, a reason; a confirmation says what the customer will receive) and
//! cancel an open
//! request (a confirmation says the customer can no longer pay it). Both call the JSON API's
//! functions.

use kasa_billing::CouponCheck;
use kasa_domain::{CouponCode, CouponPrice, Currency, Customer, Money, Package, Permission};
use kasa_ports::{CustomerState, PaymentRequest};

use super::{
    Action, Chrome, Fact, Field, Outcome, Refusal, Staff, Values, customer_page, customer_state,
    fact, value,
};
use crate::api::payment_requests::{
    PaymentRequestCreate, cancel_payment_request, create_payment_request,
};
use crate::api::{MoneyBody, parse_id};
use crate::app::App;
use crate::problem::{ApiError, store_error};

/// The package choice that asks for an amount instead.
const AMOUNT_CHOICE: &str = "amount";

/// Ask a customer to pay a package or an amount.
pub(super) struct AskPayment {
    state: CustomerState,
    packages: Vec<Package>,
    /// The coupon code given and what it does to the chosen package's price.
    priced: Option<(CouponPrice, CouponCode)>,
}

impl AskPayment {
    fn package(&self, values: &Values) -> Option<&Package> {
        let chosen = value(values, "package");
        self.packages
            .iter()
            .find(|package| package.id.to_string() == chosen)
    }

    /// The amount typed, when an amount is asked for: `None` when a package is chosen.
    fn amount(values: &Values) -> Option<Result<Money, ApiError>> {
        (value(values, "package") == AMOUNT_CHOICE).then(|| Self::amount_body(values).money())
    }

    fn amount_body(values: &Values) -> MoneyBody {
        MoneyBody {
            amount: value(values, "amount").replace(',', "."),
            currency: match value(values, "currency") {
                "" => Currency::Try.alpha_code().to_owned(),
                given => given.to_owned(),
            },
        }
    }
}

impl Action for AskPayment {
    const PERMISSION: Permission = Permission::BillingActions;
    const WORDS: &'static str = "payment-requests.ask";
    const SCOPE: &'static str = "customers";
    const PATH: &'static str = "payment-request";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        Ok(Self {
            state: customer_state(app, target).await?,
            packages: app
                .store
                .packages()
                .await
                .map_err(store_error)?
                .into_iter()
                .filter(|package| package.price.is_positive())
                .collect(),
            priced: None,
        })
    }

    async fn prepare(&mut self, app: &App, c: &Chrome, values: &Values) -> Result<(), Refusal> {
        let code = value(values, "coupon");
        let Some(package) = self.package(values).filter(|_| !code.is_empty()) else {
            return Ok(());
        };
        let refusal = |message: String| (Some("coupon".to_owned()), message);
        match app
            .billing
            .check_coupon(self.state.customer.id, code, package.id)
            .await
        {
            Ok(CouponCheck::Applies { code, price }) => {
                self.priced = Some((price, code));
                Ok(())
            }
            Ok(CouponCheck::Refused(refused)) => Err(refusal(
                crate::api::coupons::refusal_message(c.locale, &refused),
            )),
            Err(error) => Err(refusal(
                c.problem(&crate::api::problems::check_error(error)),
            )),
        }
    }

    type Subject = CustomerState;

    fn subject(&self) -> &CustomerState {
        &self.state
    }

    fn fields(&self, c: &Chrome, values: &Values) -> Vec<Field> {
        let mut packages = vec![(String::new(), c.t("actions.grant.choose").to_owned())];
        packages.extend(self.packages.iter().map(|package| {
            (
                package.id.to_string(),
                format!("{} · {}", package.name, c.money(&package.price)),
            )
        }));
        packages.push((
            AMOUNT_CHOICE.to_owned(),
            c.t("payment-requests.ask.amount-choice").to_owned(),
        ));
        let currencies = Currency::ALL
            .iter()
            .map(|currency| {
                (
                    currency.alpha_code().to_owned(),
                    currency.alpha_code().to_owned(),
                )
            })
            .collect();
        let days = match value(values, "valid_days") {
            "" => kasa_billing::DEFAULT_VALID_DAYS.to_string(),
            given => given.to_owned(),
        };
        vec![
            Field::new("package", c.t("actions.package").to_owned(), "select")
                .choices(packages, value(values, "package")),
            Field::new("amount", c.t("payment-requests.amount").to_owned(), "text")
                .hint(c.t("payment-requests.amount.hint").to_owned())
                .value(value(values, "amount")),
            Field::new(
                "currency",
                c.t("payment-requests.currency").to_owned(),
                "select",
            )
            .choices(currencies, value(values, "currency")),
            Field::new(
                "description",
                c.t("payment-requests.description").to_owned(),
                "textarea",
            )
            .hint(c.t("payment-requests.description.hint").to_owned())
            .value(value(values, "description")),
            Field::new(
                "valid_days",
                c.t("payment-requests.valid-days").to_owned(),
                "number",
            )
            .hint(c.t("payment-requests.valid-days.hint").to_owned())
            .value(&days),
            Field::new("coupon", c.t("payment-requests.coupon").to_owned(), "text")
                .hint(c.t("payment-requests.coupon.hint").to_owned())
                .value(value(values, "coupon")),
        ]
    }

    fn review(&self, c: &Chrome, values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        if value(values, "description").is_empty() {
            return Err((
                Some("description".to_owned()),
                c.t("payment-requests.description.hint").to_owned(),
            ));
        }
        let days = value(values, "valid_days");
        let days = if days.is_empty() { "14" } else { days };
        if let Some(amount) = Self::amount(values) {
            let amount = amount.map_err(|error| (Some("amount".to_owned()), c.problem(&error)))?;
            if !value(values, "coupon").is_empty() {
                return Err((
                    Some("coupon".to_owned()),
                    c.t("payment-requests.coupon.package-only").to_owned(),
                ));
            }
            return Ok(Some(vec![c.fill(
                "payment-requests.ask.effect-amount",
                &[
                    ("email", self.state.customer.email.as_str()),
                    ("amount", &c.money(&amount)),
                    ("days", days),
                ],
            )]));
        }
        let Some(package) = self.package(values) else {
            return Err((
                Some("package".to_owned()),
                c.t("actions.grant.choose-one").to_owned(),
            ));
        };
        let (amount, coupon) = match &self.priced {
            Some((price, code)) => (
                price.price,
                Some(c.fill(
                    "payment-requests.coupon.effect",
                    &[
                        ("code", code.as_str()),
                        ("discount", &c.money(&price.discount)),
                        ("list_price", &c.money(&price.list_price)),
                    ],
                )),
            ),
            None => (package.price, None),
        };
        let mut effects = vec![c.fill(
            "payment-requests.ask.effect",
            &[
                ("email", self.state.customer.email.as_str()),
                ("amount", &c.money(&amount)),
                ("package", &package.name),
                ("days", days),
            ],
        )];
        effects.extend(coupon);
        Ok(Some(effects))
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
        let valid_days = match value(values, "valid_days") {
            "" => None,
            days => Some(days.parse::<u32>().map_err(|_| {
                ApiError::invalid(format!("`{days}` is not a number of days"))
                    .on_field("valid_days")
            })?),
        };
        let coupon_code = match value(values, "coupon") {
            "" => None,
            code => Some(code.to_owned()),
        };
        let asks_amount = value(values, "package") == AMOUNT_CHOICE;
        let body = PaymentRequestCreate {
            package_id: (!asks_amount).then(|| value(values, "package").to_owned()),
            amount: asks_amount.then(|| Self::amount_body(values)),
            description: value(values, "description").to_owned(),
            valid_days,
            coupon_code,
            reason: value(values, "reason").to_owned(),
        };
        create_payment_request(app, &staff.caller, target, Some(key), &body).await?;
        Ok(Outcome::Redirect(customer_page(
            &self.state.customer,
            Some("payment-requested"),
        )))
    }

    fn field_of(&self, error: &ApiError) -> Option<&'static str> {
        match error.field() {
            Some("package_id") => Some("package"),
            Some("amount") => Some("amount"),
            Some("description") => Some("description"),
            Some("valid_days") => Some("valid_days"),
            Some("coupon_code") => Some("coupon"),
            _ => None,
        }
    }
}

/// Cancel an open request.
pub(super) struct CancelRequest {
    request: PaymentRequest,
    customer: Customer,
    now: time::OffsetDateTime,
}

impl Action for CancelRequest {
    const PERMISSION: Permission = Permission::BillingActions;
    const WORDS: &'static str = "payment-requests.cancel";
    const SCOPE: &'static str = "payment-requests";
    const PATH: &'static str = "cancel";

    async fn load(app: &App, _staff: &Staff, target: &str) -> Result<Self, ApiError> {
        let (request, customer) = request_and_customer(app, target).await?;
        Ok(Self {
            request,
            customer,
            now: app.payment_requests.now(),
        })
    }

    type Subject = Customer;

    fn subject(&self) -> &Customer {
        &self.customer
    }

    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        let state = self.request.state(self.now);
        vec![
            fact(
                c.t("payment-requests.description"),
                self.request.description.clone(),
            ),
            fact(
                c.t("payment-requests.amount"),
                c.money(&self.request.amount),
            ),
            fact(
                c.t("payment-requests.state"),
                c.t(crate::web::payment_requests::state_words(state))
                    .to_owned(),
            ),
        ]
    }

    fn review(&self, c: &Chrome, _values: &Values) -> Result<Option<Vec<String>>, Refusal> {
        Ok(Some(vec![c.fill(
            "payment-requests.cancel.effect",
            &[
                ("amount", &c.money(&self.request.amount)),
                ("description", &self.request.description),
            ],
        )]))
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
        cancel_payment_request(app, self.request.id, context).await?;
        Ok(Outcome::Redirect(customer_page(
            &self.customer,
            Some("payment-request-cancelled"),
        )))
    }
}

/// A payment request and its customer, read for an action's page.
pub(super) async fn request_and_customer(
    app: &App,
    target: &str,
) -> Result<(PaymentRequest, Customer), ApiError> {
    let request = app
        .payment_requests
        .request(parse_id(target, "payment request")?)
        .await
        .map_err(store_error)?;
    let customer = app
        .store
        .customer_state(request.customer_id)
        .await
        .map_err(store_error)?
        .customer;
    Ok((request, customer))
}
