//! Payment requests as the in-memory store holds them: starting a payment checks and links in
//! one call under the store's lock, the guarantee the database stores give with a conditional
//! UPDATE.

use async_trait::async_trait;
use kasa_domain::{CustomerId, PaymentRequestId};
use kasa_ports::{
    ActionContext, AuditRecord, NewPaymentRequest, NewPurchase, PaymentRequest,
    PaymentRequestCancellation, PaymentRequestStore, PurchaseStatus, RequestCancellation,
    RequestPaymentStart, StoreError,
};
use time::OffsetDateTime;

use super::{MemoryStore, State, insert_purchase, queue};

/// The request with its purchase's current status.
fn current(state: &State, id: PaymentRequestId) -> Result<PaymentRequest, StoreError> {
    let mut request = state
        .payment_requests
        .get(&id)
        .cloned()
        .ok_or(StoreError::NotFound {
            entity: kasa_ports::Entity::PaymentRequest,
        })?;
    if let Some((purchase_id, status)) = request.purchase.as_mut()
        && let Some(purchase) = state.purchases.get(purchase_id)
    {
        *status = purchase.status;
    }
    Ok(request)
}

/// Open at `at` with no purchase, or only a failed one.
fn claimable(request: &PaymentRequest, at: OffsetDateTime) -> bool {
    request.cancellation.is_none()
        && at < request.expires_at
        && request
            .purchase
            .is_none_or(|(_, status)| status == PurchaseStatus::Failed)
}

#[async_trait]
impl PaymentRequestStore for MemoryStore {
    async fn create_payment_request(
        &self,
        new: NewPaymentRequest,
    ) -> Result<PaymentRequest, StoreError> {
        self.transaction(|state| {
            if !state.customers.contains_key(&new.customer_id) {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Customer,
                });
            }
            if let Some(package) = new.item.package()
                && !state.packages.contains_key(&package.id)
            {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::Package,
                });
            }
            if state.payment_requests.contains_key(&new.id) {
                return Err(StoreError::AlreadyExists {
                    what: format!("payment request {}", new.id),
                });
            }
            let request = PaymentRequest {
                id: new.id,
                customer_id: new.customer_id,
                item: new.item,
                description: new.description,
                amount: new.amount,
                coupon: new.coupon,
                created_at: new.at,
                created_by: ActionContext {
                    idempotency: None,
                    ..new.context.clone()
                },
                expires_at: new.expires_at,
                cancellation: None,
                purchase: None,
            };
            state.payment_requests.insert(new.id, request.clone());
            state.audit(new.audit, &new.context, new.at);
            queue(state, new.notification.into_iter().collect(), new.at);
            Ok(request)
        })
    }

    async fn payment_request(&self, id: PaymentRequestId) -> Result<PaymentRequest, StoreError> {
        self.read(|state| current(state, id))
    }

    async fn customer_payment_requests(
        &self,
        customer_id: CustomerId,
    ) -> Result<Vec<PaymentRequest>, StoreError> {
        self.read(|state| {
            let mut requests = state
                .payment_requests
                .values()
                .filter(|request| request.customer_id == customer_id)
                .map(|request| current(state, request.id))
                .collect::<Result<Vec<_>, _>>()?;
            requests.sort_by_key(|request| std::cmp::Reverse((request.created_at, request.id)));
            Ok(requests)
        })
    }

    async fn start_request_payment(
        &self,
        request_id: PaymentRequestId,
        purchase: NewPurchase,
    ) -> Result<RequestPaymentStart, StoreError> {
        self.transaction(|state| {
            let request = current(state, request_id)?;
            if request.customer_id != purchase.customer_id {
                return Err(StoreError::NotFound {
                    entity: kasa_ports::Entity::PaymentRequest,
                });
            }
            if !claimable(&request, purchase.created_at) {
                return Ok(RequestPaymentStart::NotPayable(Box::new(request)));
            }
            let recorded = insert_purchase(state, purchase, PurchaseStatus::Pending)?;
            if let Some(stored) = state.payment_requests.get_mut(&request_id) {
                stored.purchase = Some((recorded.id, PurchaseStatus::Pending));
            }
            Ok(RequestPaymentStart::Started(Box::new(recorded)))
        })
    }

    async fn cancel_payment_request(
        &self,
        request_id: PaymentRequestId,
        audit: AuditRecord,
        context: ActionContext,
        at: OffsetDateTime,
    ) -> Result<RequestCancellation, StoreError> {
        self.transaction(|state| {
            let request = current(state, request_id)?;
            if !claimable(&request, at) {
                return Ok(RequestCancellation::NotCancellable(Box::new(request)));
            }
            let cancellation = PaymentRequestCancellation {
                actor: context.actor.clone(),
                reason: context.reason.clone(),
                at,
            };
            if let Some(stored) = state.payment_requests.get_mut(&request_id) {
                stored.cancellation = Some(cancellation);
            }
            state.audit(audit, &context, at);
            Ok(RequestCancellation::Cancelled(Box::new(current(
                state, request_id,
            )?)))
        })
    }
}
