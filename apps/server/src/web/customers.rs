//! Finding a customer.

use askama::Template;
use kasa_domain::{Customer, CustomerId, EmailAddress, ExternalId, Permission};
use kasa_ports::{CustomerLookup, StoreError};
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Response, handler};

use super::session::Staff;
use super::{Chrome, render};
use crate::app::App;

/// The customer search page.
#[derive(Template)]
#[template(path = "console/customers.html")]
struct CustomersPage {
    c: Chrome,
    query: String,
    found: Vec<Customer>,
    searched: bool,
}

/// `?q=`.
#[derive(Debug, serde::Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    q: String,
}

/// `GET /console/customers?q=`: a customer by e-mail, external id or Kasa id.
#[handler]
pub async fn find(app: Data<&App>, staff: Staff, query: Query<FindQuery>) -> Response {
    if let Err(page) = staff.require(Permission::ReadBilling) {
        return page;
    }
    let text = query.q.trim();
    let mut found = Vec::new();
    for lookup in lookups(text) {
        match app.store.find_customer(lookup).await {
            Ok(customer) => {
                if !found.iter().any(|known: &Customer| known.id == customer.id) {
                    found.push(customer);
                }
            }
            Err(StoreError::NotFound { .. }) => {}
            Err(error) => return staff.refusal_page(&crate::problem::store_error(error)),
        }
    }
    let c = staff.chrome_for(
        "customers",
        format!("/console/customers?q={}", super::session::encode(text)),
    );
    render(
        StatusCode::OK,
        &CustomersPage {
            c,
            query: text.to_owned(),
            found,
            searched: !text.is_empty(),
        },
    )
}

/// The ways `text` may name a customer.
fn lookups(text: &str) -> Vec<CustomerLookup> {
    let mut lookups = Vec::new();
    if text.is_empty() {
        return lookups;
    }
    if let Ok(id) = text.parse::<uuid::Uuid>() {
        lookups.push(CustomerLookup::Id {
            id: CustomerId::from(id),
        });
    }
    if let Ok(email) = EmailAddress::parse(text) {
        lookups.push(CustomerLookup::Email { email });
    }
    if let Some((system, value)) = text.split_once(':')
        && let Ok(external_id) = ExternalId::new(system, value)
    {
        lookups.push(CustomerLookup::External { external_id });
    }
    lookups
}
