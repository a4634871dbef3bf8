//! Refund, void and capture a purchase's payment.

use kasa_domain::{Customer, Holding, PackageKind, Permission, PurchaseId};
use kasa_ports::{CustomerState, Payment, Purchase, PurchaseItem};

use super::{
    Action, Chrome, Fact, Field, Outcome, Refusal, Subject, Values, amount_of, checked_amount,
    customer_page, fact, gateway_words, holding_words, value,
};
use crate::api::parse_id;
use crate::api::payments::{
    CaptureRequest, GiveBackResultBody, RefundRequest, VoidRequest, capture_payment,
    refund_allowance, refund_payment, void_payment,
};
use crate::app::App;
use crate::problem::{ApiError, store_error};
use crate::web::session::Staff;

/// A purchase's payment and its customer.
pub(super) struct PaymentTarget {
    pub(super) purchase: Purchase,
    pub(super) payment: Payment,
    pub(super) state: CustomerState,
}

impl PaymentTarget {
    pub(super) async fn load(app: &App, target: &str) -> Result<Self, ApiError> {
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

    /// What taking the package back does, in words.
    fn package_back(&self, c: &Chrome) -> String {
        let Some(package) = self.purchase.item.package() else {
            return c.t("actions.package-back.amount").to_owned();
        };
        match (&package.kind, &self.state.holding) {
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

impl Subject for PaymentTarget {
    fn customer(&self) -> &Customer {
        &self.state.customer
    }

    /// The payment's facts: package, amount, gateway, status, what the customer holds.
    fn facts(&self, c: &Chrome) -> Vec<Fact> {
        vec![
            fact(
                c.t(match self.purchase.item {
                    PurchaseItem::Package(_) => "actions.package",
                    PurchaseItem::Amount(_) => "actions.paid-for",
                }),
                self.purchase.item.name().to_owned(),
            ),
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
}

/// Refund a purchase's payment, fully or in part.
pub(super) struct Refund {
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

    type Subject = PaymentTarget;

    fn subject(&self) -> &PaymentTarget {
        &self.target
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
pub(super) struct Void {
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

    type Subject = PaymentTarget;

    fn subject(&self) -> &PaymentTarget {
        &self.target
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
pub(super) struct Capture {
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

    type Subject = PaymentTarget;

    fn subject(&self) -> &PaymentTarget {
        &self.target
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
