//! Customers in the console: the search, creating and editing a customer. The customer's own
//! page is [`super::customer_page`].

use askama::Template;
use kasa_domain::{Customer, CustomerId, Holding, Permission};
use kasa_ports::{CustomerLookup, CustomerSearch, new_id};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Response, Route, get, handler};
use time::OffsetDateTime;

use super::session::{Staff, encode};
use super::{Chrome, Paging, customer_page, render, see_other};
use crate::api::customers::{
    CustomerChange, CustomerInput, ExternalIdBody, revision, save_customer_change,
};
use crate::app::App;
use crate::problem::{ApiError, store_error};

/// The customers' routes under `/console`.
pub fn routes(route: Route) -> Route {
    route
        .at("/customers", get(find))
        .at("/customers/new", get(new_form).post(create))
        .at("/customers/:id", get(customer_page::show))
        .at("/customers/:id/edit", get(edit_form).post(update))
        .at(
            "/purchases/:purchase_id/invoices/:invoice_id/pdf",
            get(customer_page::invoice_pdf),
        )
}

/// One customer found: who they are and what they hold.
struct FoundCustomer {
    customer: Customer,
    holds: Holds,
}

/// What a customer holds, in a few words.
pub(crate) enum Holds {
    /// Nothing.
    Nothing,
    /// A credit balance.
    Credits(i64),
    /// A subscription until then.
    Subscription(OffsetDateTime),
}

impl Holds {
    pub(crate) fn of(holding: &Holding) -> Self {
        match holding {
            Holding::Nothing => Self::Nothing,
            Holding::Credits { balance } => Self::Credits(balance.get()),
            Holding::Subscription(subscription) => Self::Subscription(subscription.ends_at()),
        }
    }

    /// The words for it in the reader's language.
    pub(crate) fn words(&self, c: &Chrome) -> String {
        match self {
            Self::Nothing => c.t("customers.holds.nothing").to_owned(),
            Self::Credits(balance) => c.fill(
                "customers.holds.credits",
                &[("credits", &c.number(balance))],
            ),
            Self::Subscription(ends_at) => c.fill(
                "customers.holds.subscription",
                &[("date", &c.date(ends_at))],
            ),
        }
    }
}

/// The customer search page.
#[derive(Template)]
#[template(path = "console/customers.html")]
struct CustomersPage {
    c: Chrome,
    query: String,
    found: Vec<FoundCustomer>,
    searched: bool,
    paging: Paging,
    may_create: bool,
}

/// `?q=&page=`.
#[derive(Debug, serde::Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<u64>,
}

/// `GET /console/customers?q=`: customers by part of their e-mail or name, an external id
/// (`zendesk:42` or `42`), a ticket or chat id charged to them, or Kasa's id; 25 a page.
#[handler]
pub async fn find(app: Data<&App>, staff: Staff, query: Query<FindQuery>) -> Response {
    if let Err(page) = staff.require(Permission::ReadBilling) {
        return page;
    }
    let text = query.q.trim();
    let page = query.page.unwrap_or(1).max(1);
    let mut found = match app
        .store
        .search_customers(CustomerSearch {
            text: text.to_owned(),
            offset: (page - 1) * Paging::SIZE,
            limit: u32::try_from(Paging::SIZE + 1).unwrap_or(u32::MAX),
        })
        .await
    {
        Ok(found) => found,
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    let has_next = found.len() as u64 > Paging::SIZE;
    found.truncate(usize::try_from(Paging::SIZE).unwrap_or(25));
    let rows = match holdings_of(&app, found).await {
        Ok(rows) => rows,
        Err(error) => return staff.refusal_page(&store_error(error)),
    };
    let here = format!("/console/customers?q={}", encode(text));
    let c = staff.chrome_for("customers", here.clone());
    render(
        StatusCode::OK,
        &CustomersPage {
            c,
            query: text.to_owned(),
            found: rows,
            searched: !text.is_empty(),
            paging: Paging {
                page,
                has_next,
                base: format!("{here}&"),
            },
            may_create: staff.may(Permission::ManageCustomers),
        },
    )
}

/// What each customer found holds, read side by side (each on its own pooled connection).
async fn holdings_of(
    app: &App,
    found: Vec<Customer>,
) -> Result<Vec<FoundCustomer>, kasa_ports::StoreError> {
    let mut reads = tokio::task::JoinSet::new();
    for (index, customer) in found.iter().enumerate() {
        let store = app.store.clone();
        let customer_id = customer.id;
        reads.spawn(async move { (index, store.customer_state(customer_id).await) });
    }
    let mut holds: Vec<Option<Holds>> = found.iter().map(|_| None).collect();
    while let Some(read) = reads.join_next().await {
        let (index, state) =
            read.map_err(|error| kasa_ports::StoreError::Unavailable(error.to_string()))?;
        holds[index] = Some(Holds::of(&state?.holding));
    }
    Ok(found
        .into_iter()
        .zip(holds)
        .map(|(customer, holds)| FoundCustomer {
            customer,
            holds: holds.unwrap_or(Holds::Nothing),
        })
        .collect())
}

/// The form to create or edit a customer.
#[derive(Template)]
#[template(path = "console/customer_form.html")]
struct CustomerForm {
    c: Chrome,
    /// `None` for a new customer.
    customer_id: Option<String>,
    values: FormValues,
    /// The refusal, in the reader's words, and the field it is about (`email`, `name`,
    /// `language`, `external_ids`, `reason`, or empty for the whole form).
    problem: Option<(String, &'static str)>,
}

impl CustomerForm {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.problem
            .as_ref()
            .filter(|(_, about)| *about == field)
            .map(|(text, _)| text.as_str())
    }

    /// The refusal for the summary at the top, and the field it links to (if any).
    fn summary(&self) -> Option<(&str, &str)> {
        self.problem
            .as_ref()
            .map(|(text, field)| (text.as_str(), *field))
    }

    fn action(&self) -> String {
        self.customer_id.as_ref().map_or_else(
            || "/console/customers/new".to_owned(),
            |id| format!("/console/customers/{id}/edit"),
        )
    }
}

/// What the form posts (and shows again after a refusal).
#[derive(Debug, Default, serde::Deserialize)]
pub struct FormValues {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    language: String,
    /// One `system:id` per line.
    #[serde(default)]
    external_ids: String,
    #[serde(default)]
    reason: String,
    /// The customer's revision when the form was opened (edits only).
    #[serde(default)]
    revision: String,
}

impl FormValues {
    fn of(customer: &Customer) -> Self {
        Self {
            email: customer.email.to_string(),
            name: customer.name.clone(),
            language: customer.language.to_string(),
            external_ids: customer
                .external_ids
                .iter()
                .map(|external| format!("{}:{}", external.system(), external.value()))
                .collect::<Vec<_>>()
                .join("\n"),
            revision: revision(customer),
            ..Self::default()
        }
    }

    /// The external ids typed, one `system:id` per line (or separated by commas).
    fn external_ids(&self) -> Result<Vec<ExternalIdBody>, ApiError> {
        self.external_ids
            .split(['\n', ','])
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|line| {
                let (system, value) = line.split_once(':').ok_or_else(|| {
                    ApiError::invalid(format!(
                        "external id `{line}`: write it as system:id, e.g. zendesk:42"
                    ))
                })?;
                Ok(ExternalIdBody {
                    system: system.trim().to_owned(),
                    value: value.trim().to_owned(),
                })
            })
            .collect()
    }

    fn language(&self) -> Option<String> {
        Some(self.language.clone()).filter(|language| !language.is_empty())
    }
}

/// A refusal in the reader's words, and the field it is about (empty for the whole form), so
/// it is shown next to that field.
fn form_problem(c: &Chrome, error: &ApiError) -> (String, &'static str) {
    let detail = error.detail();
    let about = |needle: &str| detail.contains(needle);
    let (key, field) = match error.code() {
        "reason-required" => ("customers.form.reason-required", "reason"),
        "conflict" if about("e-mail") => ("customers.form.email-taken", "email"),
        "conflict" if about("external id") => ("customers.form.external-id-taken", "external_ids"),
        "invalid-input" if about("e-mail") => ("customers.form.email-invalid", "email"),
        "invalid-input" if about("external id") => {
            ("customers.form.external-id-invalid", "external_ids")
        }
        "invalid-input" if about("name") => ("customers.form.name-invalid", "name"),
        "invalid-input" if about("language") => ("customers.form.language-invalid", "language"),
        _ => return (c.problem(error), ""),
    };
    (c.t(key).to_owned(), field)
}

fn form_page(
    staff: &Staff,
    customer_id: Option<CustomerId>,
    values: FormValues,
    problem: Option<&ApiError>,
) -> Response {
    let here = customer_id.map_or_else(
        || "/console/customers/new".to_owned(),
        |id| format!("/console/customers/{id}/edit"),
    );
    let c = staff.chrome_for("customers", here);
    let problem = problem.map(|error| form_problem(&c, error));
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &CustomerForm {
            c,
            customer_id: customer_id.map(|id| id.to_string()),
            values,
            problem,
        },
    )
}

/// `GET /console/customers/new`.
#[handler]
pub fn new_form(staff: Staff) -> Response {
    if let Err(page) = staff.require(Permission::ManageCustomers) {
        return page;
    }
    let values = FormValues {
        language: staff.chrome.locale.code().to_owned(),
        ..FormValues::default()
    };
    form_page(&staff, None, values, None)
}

/// `POST /console/customers/new`: the same checks and store call as `POST /v1/customers`.
#[handler]
pub async fn create(app: Data<&App>, staff: Staff, form: Form<FormValues>) -> Response {
    if let Err(page) = staff.require(Permission::ManageCustomers) {
        return page;
    }
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    let form = form.0;
    let created = async {
        let input = CustomerInput {
            email: form.email.clone(),
            name: form.name.clone(),
            language: form.language(),
            external_ids: form.external_ids()?,
            tax_details: None,
            reason: form.reason.clone(),
        };
        let context = staff.caller.context(&input.reason)?;
        let customer = input.customer(new_id())?;
        app.store
            .create_customer(customer.clone(), context, app.clock.now())
            .await
            .map_err(store_error)?;
        Ok::<_, ApiError>(customer)
    }
    .await;
    match created {
        Ok(customer) => see_other(&format!("/console/customers/{}?done=created", customer.id)),
        Err(error) => form_page(&staff, None, form, Some(&error)),
    }
}

/// `GET /console/customers/{id}/edit`.
#[handler]
pub async fn edit_form(app: Data<&App>, staff: Staff, id: Path<String>) -> Response {
    if let Err(page) = staff.require(Permission::ManageCustomers) {
        return page;
    }
    let customer = match read_customer(&app, &id).await {
        Ok(customer) => customer,
        Err(error) => return staff.refusal_page(&error),
    };
    form_page(&staff, Some(customer.id), FormValues::of(&customer), None)
}

/// `POST /console/customers/{id}/edit`: the same change as `PUT /v1/customers/{id}` with the
/// revision the form was opened on as `If-Match`, so a change saved meanwhile by someone else
/// is never overwritten: the form comes back with what the customer says now.
#[handler]
pub async fn update(
    app: Data<&App>,
    staff: Staff,
    id: Path<String>,
    form: Form<FormValues>,
) -> Response {
    if let Err(page) = staff.require(Permission::ManageCustomers) {
        return page;
    }
    if let Err(page) = staff.check_form(&form.csrf) {
        return page;
    }
    let customer_id = match crate::api::parse_id::<CustomerId>(&id, "customer") {
        Ok(customer_id) => customer_id,
        Err(error) => return staff.refusal_page(&error),
    };
    let form = form.0;
    let saved = async {
        let change = CustomerChange {
            email: Some(form.email.clone()),
            name: Some(form.name.clone()),
            language: form.language(),
            external_ids: Some(form.external_ids()?),
            tax_details: None,
            reason: form.reason.clone(),
        };
        let context = staff.caller.context(&change.reason)?;
        save_customer_change(
            &app,
            customer_id,
            Some(form.revision.trim()),
            context,
            |current| change.applied_to(current),
        )
        .await
    }
    .await;
    match saved {
        Ok(_) => see_other(&format!("/console/customers/{customer_id}?done=updated")),
        Err(error) if error.code() == "precondition-failed" => {
            // Show what the customer says now, with its new revision, and keep the reason.
            match read_customer(&app, &customer_id.to_string()).await {
                Ok(current) => {
                    let values = FormValues {
                        reason: form.reason,
                        ..FormValues::of(&current)
                    };
                    let error = ApiError::new(
                        StatusCode::PRECONDITION_FAILED,
                        "customer-changed-meanwhile",
                        "The customer changed",
                        error.detail(),
                    );
                    form_page(&staff, Some(customer_id), values, Some(&error))
                }
                Err(error) => staff.refusal_page(&error),
            }
        }
        Err(error) => form_page(&staff, Some(customer_id), form, Some(&error)),
    }
}

/// The customer with this id (as typed in an address).
pub(crate) async fn read_customer(app: &App, id: &str) -> Result<Customer, ApiError> {
    let customer_id: CustomerId = crate::api::parse_id(id, "customer")?;
    app.store
        .find_customer(CustomerLookup::Id { id: customer_id })
        .await
        .map_err(store_error)
}
