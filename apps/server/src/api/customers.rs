//! Customers and the departments on their cards.

use kasa_domain::{
    Customer, CustomerCard, CustomerId, DepartmentId, EmailAddress, ExternalId, Language,
    Permission, TaxDetails,
};
use kasa_ports::{CustomerLookup, SetDepartment, StoreError, new_id};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{Tag, parse_id};
use poem::web::Data;

use crate::app::App;
use crate::auth::Bearer;
use crate::problem::{ApiError, store_error};

/// An id of the customer in a help desk or gateway.
#[derive(Clone, Debug, Object)]
pub struct ExternalIdBody {
    /// The system: a short lower-case word (`zendesk`, `stripe`, ...).
    pub system: String,
    /// The id there.
    pub value: String,
}

/// A customer.
#[derive(Debug, Object)]
pub struct CustomerBody {
    /// Its id.
    pub id: String,
    /// E-mail (unique).
    pub email: String,
    /// Name.
    pub name: String,
    /// `tr` or `en`: the language of pages and e-mails.
    pub language: String,
    /// Ids in help desks and gateways.
    pub external_ids: Vec<ExternalIdBody>,
    /// What invoices say about the buyer.
    pub tax_details: TaxDetailsBody,
    /// The customer's revision: changes whenever anything above does. Send it as `If-Match`
    /// with `PUT /v1/customers/{id}` so a change made on a stale read is refused (412).
    pub revision: String,
}

/// What invoices say about the buyer beyond the name; every field optional.
#[derive(Clone, Debug, Default, Object)]
pub struct TaxDetailsBody {
    /// Tax id: a Turkish VKN (10 digits) or TCKN (11 digits, check digits verified), or
    /// another country's number (2-32 letters and digits, e.g. `DE123456789`); spaces, dots and
    /// dashes are dropped.
    pub tax_id: Option<String>,
    /// Tax office (vergi dairesi), up to 100 characters.
    pub tax_office: Option<String>,
    /// Billing address, lines separated by `\n`, up to 500 characters.
    pub billing_address: Option<String>,
}

impl TaxDetailsBody {
    /// The checked tax details.
    ///
    /// # Errors
    /// `invalid-input` naming what is wrong.
    pub fn tax_details(&self) -> Result<TaxDetails, ApiError> {
        TaxDetails::new(
            self.tax_id.as_deref(),
            self.tax_office.as_deref(),
            self.billing_address.as_deref(),
        )
        .map_err(|error| ApiError::invalid(error.to_string()))
    }
}

impl From<TaxDetails> for TaxDetailsBody {
    fn from(details: TaxDetails) -> Self {
        Self {
            tax_id: details.tax_id.map(String::from),
            tax_office: details.tax_office,
            billing_address: details.billing_address,
        }
    }
}

/// New tax details of a customer, and why.
#[derive(Debug, Object)]
pub struct TaxDetailsChange {
    /// The details; a field left out or blank is cleared.
    #[oai(flatten)]
    pub details: TaxDetailsBody,
    /// Why (audit log).
    pub reason: String,
}

/// The revision of a customer as read: a digest of everything the API shows of it.
pub(crate) fn revision(customer: &Customer) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_string(customer).unwrap_or_default();
    hex::encode(&Sha256::digest(json.as_bytes())[..12])
}

impl From<Customer> for CustomerBody {
    fn from(customer: Customer) -> Self {
        let revision = revision(&customer);
        Self {
            revision,
            id: customer.id.to_string(),
            email: customer.email.to_string(),
            name: customer.name,
            language: customer.language.to_string(),
            external_ids: customer
                .external_ids
                .iter()
                .map(|external| ExternalIdBody {
                    system: external.system().to_owned(),
                    value: external.value().to_owned(),
                })
                .collect(),
            tax_details: customer.tax_details.into(),
        }
    }
}

/// A change to a customer: every field left out keeps what the customer has.
#[derive(Debug, Object)]
pub struct CustomerChange {
    /// E-mail (unique).
    pub email: Option<String>,
    /// Name, 1-200 characters.
    pub name: Option<String>,
    /// `tr` or `en`.
    pub language: Option<String>,
    /// Ids in help desks and gateways (each unique); when given, they replace the old ones (send
    /// `[]` to remove them all).
    pub external_ids: Option<Vec<ExternalIdBody>>,
    /// What invoices say about the buyer; when given, it replaces the old details.
    pub tax_details: Option<TaxDetailsBody>,
    /// Why (audit log).
    pub reason: String,
}

impl CustomerChange {
    /// `current` with this change applied, checked by the domain constructor.
    pub(crate) fn applied_to(&self, current: &Customer) -> Result<Customer, ApiError> {
        let input = CustomerInput {
            email: self
                .email
                .clone()
                .unwrap_or_else(|| current.email.to_string()),
            name: self.name.clone().unwrap_or_else(|| current.name.clone()),
            language: Some(
                self.language
                    .clone()
                    .unwrap_or_else(|| current.language.to_string()),
            ),
            external_ids: self.external_ids.clone().unwrap_or_else(|| {
                current
                    .external_ids
                    .iter()
                    .map(|external| ExternalIdBody {
                        system: external.system().to_owned(),
                        value: external.value().to_owned(),
                    })
                    .collect()
            }),
            tax_details: Some(
                self.tax_details
                    .clone()
                    .unwrap_or_else(|| current.tax_details.clone().into()),
            ),
            reason: self.reason.clone(),
        };
        input.customer(current.id)
    }
}

/// 412 `precondition-failed`: the customer changed since the client read it.
fn customer_changed(current: &Customer) -> ApiError {
    ApiError::new(
        poem::http::StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        "The customer changed since you read it",
        "another change was saved after the revision you sent in If-Match; read the customer \
         again, apply your change to what it says now, and send it with the new revision",
    )
    .with_facts(serde_json::json!({ "revision": revision(current) }))
}

/// How many times a change without `If-Match` is applied again to a customer that another
/// request changed meanwhile (each time on what the customer says now).
const UPDATE_ATTEMPTS: usize = 3;

/// A customer to create.
#[derive(Debug, Object)]
pub struct CustomerInput {
    /// E-mail (unique).
    pub email: String,
    /// Name, 1-200 characters.
    pub name: String,
    /// `tr` (default) or `en`.
    pub language: Option<String>,
    /// Ids in help desks and gateways (each unique).
    #[oai(default)]
    pub external_ids: Vec<ExternalIdBody>,
    /// What invoices say about the buyer; on an update, left out keeps what the customer has.
    pub tax_details: Option<TaxDetailsBody>,
    /// Why (audit log).
    pub reason: String,
}

impl CustomerInput {
    pub(crate) fn customer(&self, id: CustomerId) -> Result<Customer, ApiError> {
        let language = match self.language.as_deref() {
            None => Language::default(),
            Some(text) => text.parse().map_err(|error: kasa_domain::CustomerError| {
                ApiError::invalid(error.to_string())
            })?,
        };
        let email = EmailAddress::parse(&self.email)
            .map_err(|error| ApiError::invalid(format!("e-mail: {error}")))?;
        let external_ids = self
            .external_ids
            .iter()
            .map(|external| {
                ExternalId::new(&external.system, &external.value)
                    .map_err(|error| ApiError::invalid(error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let tax_details = self
            .tax_details
            .as_ref()
            .map(TaxDetailsBody::tax_details)
            .transpose()?
            .unwrap_or_default();
        Ok(Customer::new(id, email, &self.name, language, external_ids)
            .map_err(|error| ApiError::invalid(error.to_string()))?
            .with_tax_details(tax_details))
    }
}

/// One department on a card.
#[derive(Debug, Object)]
pub struct CardDepartmentBody {
    /// The department.
    pub department_id: String,
    /// Enabled by hand by an operator (stays whatever happens to packages).
    pub by_operator: bool,
    /// The purchases whose packages enabled it.
    pub by_purchases: Vec<String>,
}

/// Enable or disable a department on a card.
#[derive(Debug, Object)]
pub struct CardChange {
    /// `true` enables it by hand; `false` disables it (whatever enabled it).
    pub enabled: bool,
    /// Why (audit log).
    pub reason: String,
}

/// The departments enabled on a card.
pub fn card_body(card: &CustomerCard) -> Vec<CardDepartmentBody> {
    card.enablements()
        .map(|(department_id, enablement)| CardDepartmentBody {
            department_id: department_id.to_string(),
            by_operator: enablement.by_operator,
            by_purchases: enablement
                .by_purchases
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
        .collect()
}

/// How a request names a customer: exactly one of id, e-mail, or external system and id.
pub fn lookup(
    customer_id: Option<&str>,
    email: Option<&str>,
    external_system: Option<&str>,
    external_id: Option<&str>,
) -> Result<CustomerLookup, ApiError> {
    match (customer_id, email, external_system, external_id) {
        (Some(id), None, None, None) => Ok(CustomerLookup::Id {
            id: parse_id(id, "customer")?,
        }),
        (None, Some(email), None, None) => Ok(CustomerLookup::Email {
            email: EmailAddress::parse(email)
                .map_err(|error| ApiError::invalid(format!("e-mail: {error}")))?,
        }),
        (None, None, Some(system), Some(value)) => Ok(CustomerLookup::External {
            external_id: ExternalId::new(system, value)
                .map_err(|error| ApiError::invalid(error.to_string()))?,
        }),
        _ => Err(ApiError::invalid(
            "name the customer by exactly one of: `customer_id`, `email`, or \
             `external_system` with `external_id`",
        )),
    }
}

/// Customers and cards.
#[derive(Debug)]
pub struct CustomersApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Customers")]
impl CustomersApi {
    /// Creates a customer with an empty card.
    #[oai(path = "/customers", method = "post", operation_id = "create_customer")]
    async fn create(
        &self,
        app: Data<&App>,
        auth: Bearer,
        body: Json<CustomerInput>,
    ) -> Result<Json<CustomerBody>, ApiError> {
        auth.0.require(Permission::ManageCustomers)?;
        let context = auth.0.context(&body.reason)?;
        let customer = body.customer(new_id())?;
        app.store
            .create_customer(customer.clone(), context, app.clock.now())
            .await
            .map_err(store_error)?;
        Ok(Json(customer.into()))
    }

    /// Finds a customer by e-mail or by an external id.
    #[oai(path = "/customers", method = "get", operation_id = "find_customer")]
    async fn find(
        &self,
        app: Data<&App>,
        auth: Bearer,
        email: Query<Option<String>>,
        external_system: Query<Option<String>>,
        external_id: Query<Option<String>>,
    ) -> Result<Json<CustomerBody>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let lookup = lookup(
            None,
            email.as_deref(),
            external_system.as_deref(),
            external_id.as_deref(),
        )?;
        let customer = app.store.find_customer(lookup).await.map_err(store_error)?;
        Ok(Json(customer.into()))
    }

    /// One customer.
    #[oai(path = "/customers/:id", method = "get", operation_id = "get_customer")]
    async fn get(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<CustomerBody>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let customer = app
            .store
            .find_customer(CustomerLookup::Id { id: customer_id })
            .await
            .map_err(store_error)?;
        Ok(Json(customer.into()))
    }

    /// Changes a customer's e-mail, name, language, external ids or tax details: a field left
    /// out keeps what the customer has. With `If-Match: <revision>` the change is made only if
    /// the customer is still at that revision (else 412 `precondition-failed`); without it, the
    /// change is applied to the customer as it is when it is saved, so another agent's edit of
    /// other fields is never lost.
    #[oai(
        path = "/customers/:id",
        method = "put",
        operation_id = "update_customer"
    )]
    async fn update(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        /// The revision the change was made on (from a customer's `revision`).
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<CustomerChange>,
    ) -> Result<Json<CustomerBody>, ApiError> {
        auth.0.require(Permission::ManageCustomers)?;
        let context = auth.0.context(&body.reason)?;
        let customer_id = parse_id(&id, "customer")?;
        let expected_revision = if_match.0.as_deref().map(|value| {
            value
                .trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_owned()
        });
        let customer = save_customer_change(
            &app,
            customer_id,
            expected_revision.as_deref(),
            context,
            |current| body.applied_to(current),
        )
        .await?;
        Ok(Json(customer.into()))
    }

    /// Adds or changes a customer's tax id, tax office and billing address (what their next
    /// invoices say about the buyer; issued invoices keep what they said).
    #[oai(
        path = "/customers/:id/tax-details",
        method = "put",
        operation_id = "set_customer_tax_details"
    )]
    async fn set_tax_details(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<TaxDetailsChange>,
    ) -> Result<Json<CustomerBody>, ApiError> {
        auth.0.require(Permission::ManageCustomers)?;
        let context = auth.0.context(&body.reason)?;
        let customer =
            change_tax_details(&app, parse_id(&id, "customer")?, &body.details, context).await?;
        Ok(Json(customer.into()))
    }

    /// Enables a department on a customer's card by hand, or disables it.
    #[oai(
        path = "/customers/:id/departments/:department_id",
        method = "put",
        operation_id = "set_card_department"
    )]
    async fn set_department(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        department_id: Path<String>,
        body: Json<CardChange>,
    ) -> Result<Json<Vec<CardDepartmentBody>>, ApiError> {
        auth.0.require(Permission::ManageCustomers)?;
        let context = auth.0.context(&body.reason)?;
        let card = set_card_department(
            &app,
            parse_id(&id, "customer")?,
            parse_id::<DepartmentId>(&department_id, "department")?,
            body.enabled,
            context,
        )
        .await?;
        Ok(Json(card_body(&card)))
    }
}

/// Enables a department on a customer's card by hand, or disables it, audited with `context`.
///
/// # Errors
/// `not-found`, store failures.
pub(crate) async fn set_card_department(
    app: &App,
    customer_id: CustomerId,
    department_id: DepartmentId,
    enabled: bool,
    context: kasa_ports::ActionContext,
) -> Result<CustomerCard, ApiError> {
    app.store
        .set_department(SetDepartment {
            customer_id,
            department_id,
            enabled,
            context,
            at: app.clock.now(),
        })
        .await
        .map_err(store_error)
}

/// Gives a customer new tax details, audited with `context`.
///
/// # Errors
/// `invalid-input` for bad details, `not-found`, store failures.
pub async fn change_tax_details(
    app: &App,
    customer_id: CustomerId,
    details: &TaxDetailsBody,
    context: kasa_ports::ActionContext,
) -> Result<Customer, ApiError> {
    let tax_details = details.tax_details()?;
    save_customer_change(app, customer_id, None, context, |current| {
        Ok(current.clone().with_tax_details(tax_details.clone()))
    })
    .await
}

/// Saves `change` applied to the customer as it is now. When another edit lands in between,
/// the change is applied again to what the customer says then (so that edit is kept), unless
/// the caller named the revision it read (`expected_revision`): then it is refused with 412.
///
/// # Errors
/// `precondition-failed`, the change's own errors, `not-found`, store failures.
pub(crate) async fn save_customer_change(
    app: &App,
    customer_id: CustomerId,
    expected_revision: Option<&str>,
    context: kasa_ports::ActionContext,
    change: impl Fn(&Customer) -> Result<Customer, ApiError>,
) -> Result<Customer, ApiError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let current = app
            .store
            .find_customer(CustomerLookup::Id { id: customer_id })
            .await
            .map_err(store_error)?;
        if expected_revision.is_some_and(|expected| expected != revision(&current)) {
            return Err(customer_changed(&current));
        }
        let customer = change(&current)?;
        match app
            .store
            .update_customer(
                customer.clone(),
                current.clone(),
                context.clone(),
                app.clock.now(),
            )
            .await
        {
            Ok(()) => return Ok(customer),
            Err(StoreError::StaleVersion)
                if expected_revision.is_none() && attempt < UPDATE_ATTEMPTS => {}
            Err(StoreError::StaleVersion) => return Err(customer_changed(&current)),
            Err(error) => return Err(store_error(error)),
        }
    }
}
