//! Grant a package, adjust credits, cancel a subscription, card departments, tax details.

use kasa_domain::{Department, Holding, Package, PackageKind, Permission};
use kasa_ports::CustomerState;
use kasa_subscriptions::Forfeiture;

use super::{
    Action, Chrome, Field, Outcome, Refusal, Values, customer_page, customer_state, holding_words,
    value,
};
use crate::api::actions::{
    AdjustRequest, CancelRequest, CancelTiming, GrantRequest, adjust_credits, cancel_subscription,
    grant_package,
};
use crate::api::customers::{TaxDetailsBody, change_tax_details, set_card_department};
use crate::app::App;
use crate::problem::{ApiError, store_error};
use crate::web::session::Staff;

/// Grant a package, free or paid outside a gateway.
pub(super) struct Grant {
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

    type Subject = CustomerState;

    fn subject(&self) -> &CustomerState {
        &self.state
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
pub(super) struct Adjust {
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

    type Subject = CustomerState;

    fn subject(&self) -> &CustomerState {
        &self.state
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
pub(super) struct Cancel {
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

    type Subject = CustomerState;

    fn subject(&self) -> &CustomerState {
        &self.state
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
pub(super) struct Departments {
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

    type Subject = CustomerState;

    fn subject(&self) -> &CustomerState {
        &self.state
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
pub(super) struct TaxDetailsAction {
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

    type Subject = CustomerState;

    fn subject(&self) -> &CustomerState {
        &self.state
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
