//! Billing links: signed, expiring links that let a customer reach their own billing.

use kasa_domain::{CustomerId, Permission};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::access::ReasonBody;
use super::{Tag, parse_id};
use crate::app::App;
use crate::auth::Bearer;
use crate::dates::rfc3339;
use crate::problem::{ApiError, store_error};

/// Create a billing link for a customer.
#[derive(Debug, Object)]
pub struct BillingLinkRequest {
    /// How long the link works, in hours (1-168, default 24).
    #[oai(
        default = "default_link_hours",
        validator(minimum(value = "1"), maximum(value = "168"))
    )]
    pub valid_hours: i64,
    /// Why (audit log).
    pub reason: String,
}

fn default_link_hours() -> i64 {
    24
}

/// A customer's billing link.
#[derive(Debug, Object)]
pub struct BillingLink {
    /// Its id, to revoke it (`DELETE /v1/customers/{id}/billing-links/{link_id}`).
    pub id: String,
    /// The customer sends `Authorization: Bearer <token>` (the hosted pages carry it); it
    /// reaches only this customer's billing under `/v1/me`. Shown once.
    pub token: String,
    /// When it stops working.
    pub expires_at: String,
}

/// A customer's billing link as listed (never its token: only the customer has it).
#[derive(Debug, Object)]
pub struct BillingLinkBody {
    /// Its id.
    pub id: String,
    /// When created.
    pub created_at: String,
    /// When it stops working by itself.
    pub expires_at: String,
    /// When it was revoked (by staff, or by the customer signing out); it works no more.
    pub revoked_at: Option<String>,
}

impl From<kasa_ports::BillingLink> for BillingLinkBody {
    fn from(link: kasa_ports::BillingLink) -> Self {
        Self {
            id: link.id.to_string(),
            created_at: rfc3339(link.created_at),
            expires_at: rfc3339(link.expires_at),
            revoked_at: link.revoked_at.map(rfc3339),
        }
    }
}

/// Makes a billing link for a customer, valid for `valid_hours` (the API, and the note on a
/// refused help-desk ticket): its id, its token (shown once) and when it expires.
///
/// # Errors
/// 404 for an unknown customer, store errors.
pub(crate) async fn new_billing_link(
    app: &App,
    customer_id: CustomerId,
    context: kasa_ports::ActionContext,
    valid_hours: i64,
) -> Result<(kasa_domain::BillingLinkId, String, time::OffsetDateTime), ApiError> {
    let token = crate::auth::new_token(crate::auth::CUSTOMER_LINK_PREFIX)?;
    let now = app.clock.now();
    let expires_at = now + time::Duration::hours(valid_hours);
    let link_id: kasa_domain::BillingLinkId = kasa_ports::new_id();
    app.access
        .create_customer_session(
            link_id,
            crate::auth::token_hash(&token),
            customer_id,
            context,
            now,
            expires_at,
        )
        .await
        .map_err(store_error)?;
    Ok((link_id, token, expires_at))
}

/// Agents create, list and revoke customers' billing links.
#[derive(Debug)]
pub struct BillingLinksApi;

#[OpenApi(prefix_path = "/v1", tag = "Tag::Customers")]
impl BillingLinksApi {
    /// Creates a signed, expiring billing link for a customer (for an agent to send).
    #[oai(
        path = "/customers/:id/billing-links",
        method = "post",
        operation_id = "create_billing_link"
    )]
    async fn create_link(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        body: Json<BillingLinkRequest>,
    ) -> Result<Json<BillingLink>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        let context = auth.0.context(&body.reason)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let (link_id, token, expires_at) =
            new_billing_link(&app, customer_id, context, body.valid_hours).await?;
        Ok(Json(BillingLink {
            id: link_id.to_string(),
            token,
            expires_at: rfc3339(expires_at),
        }))
    }

    /// A customer's billing links that have not expired, newest first, revoked ones included
    /// (never their tokens).
    #[oai(
        path = "/customers/:id/billing-links",
        method = "get",
        operation_id = "list_billing_links"
    )]
    async fn links(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
    ) -> Result<Json<Vec<BillingLinkBody>>, ApiError> {
        auth.0.require(Permission::ReadBilling)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let links = app
            .access
            .billing_links(customer_id, app.clock.now())
            .await
            .map_err(store_error)?;
        Ok(Json(links.into_iter().map(Into::into).collect()))
    }

    /// Revokes a customer's billing link at once (audited); revoking twice changes nothing.
    #[oai(
        path = "/customers/:id/billing-links/:link_id",
        method = "delete",
        operation_id = "revoke_billing_link"
    )]
    async fn revoke_link(
        &self,
        app: Data<&App>,
        auth: Bearer,
        id: Path<String>,
        link_id: Path<String>,
        body: Json<ReasonBody>,
    ) -> Result<Json<BillingLinkBody>, ApiError> {
        auth.0.require(Permission::BillingActions)?;
        let context = auth.0.context(&body.reason)?;
        let customer_id: CustomerId = parse_id(&id, "customer")?;
        let link_id: kasa_domain::BillingLinkId = parse_id(&link_id, "billing link")?;
        let link = app
            .access
            .revoke_billing_link(customer_id, link_id, context, app.clock.now())
            .await
            .map_err(store_error)?;
        // Cached tokens would keep the link working here for a few seconds more.
        app.tokens.clear();
        Ok(Json(link.into()))
    }
}
