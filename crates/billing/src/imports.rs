//! Payments made elsewhere (a bank transfer, cash, another processor) recorded against a
//! pending purchase or an open payment request, idempotent by reference (ADR 0025). The
//! purchase completes through the one apply path a gateway payment takes: the package rules,
//! the invoice, the audit entry, the notifications and the webhook events.

use kasa_domain::{Money, PaymentId, PaymentRequestId, PurchaseId};
use kasa_ports::{
    ActionContext, AppliedPurchase, GatewayError, GatewayReference, IMPORT_NOTE_MAX_CHARS,
    IMPORT_REFERENCE_MAX_CHARS, ImportMethod, ImportedPayment, NewPurchase, OrderId, Payment,
    PaymentFailure, PaymentImport, PaymentResultStatus, PaymentSettlement, PaymentStatus, Purchase,
    PurchaseStatus, PurchaseTarget, RequestPaymentStart, StoreError, new_id,
};
use kasa_subscriptions::{ForfeitConfirmation, PurchaseChannel, PurchaseRefusal};
use time::OffsetDateTime;

use crate::purchase::{ApplyError, audit_record, reason};
use crate::{Billing, PaymentRequests};

/// What was received elsewhere and against what.
#[derive(Clone, Debug)]
pub struct ImportPayment {
    /// How it was paid.
    pub method: ImportMethod,
    /// The bank's or processor's reference (trimmed; 1-100 characters).
    pub reference: String,
    /// The amount received: it must be exactly what is owed.
    pub amount: Money,
    /// When the money was received (not in the future).
    pub received_at: OffsetDateTime,
    /// A note kept with it (at most 500 characters).
    pub note: Option<String>,
    /// The agent's answer to the forfeit warning, for a package of the other kind (a purchase
    /// whose customer confirmed it at checkout keeps that confirmation).
    pub confirmation: ForfeitConfirmation,
    /// The agent or integrator, the reason, the request.
    pub context: ActionContext,
}

/// An import done, or found done before with the same reference.
#[derive(Clone, Debug)]
pub struct ImportDone {
    /// The imported payment.
    pub imported: ImportedPayment,
    /// The purchase it paid, as it stands.
    pub purchase: Purchase,
    /// `false` when the same reference had been imported for this purchase before: nothing
    /// changed now.
    pub created: bool,
}

/// Why a payment could not be imported. None of these change anything.
#[derive(Debug, thiserror::Error)]
pub enum ImportPaymentError {
    /// A field breaks a rule (blank or long reference, long note, received in the future).
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No such purchase (or payment request).
    #[error("{0} not found")]
    NotFound(kasa_ports::Entity),
    /// The purchase (or the request's) is paid already, by a gateway or another import.
    #[error("the purchase is already paid")]
    AlreadyPaid(Box<Purchase>),
    /// The purchase was closed unpaid (failed) or is held for an agent.
    #[error("the purchase is {0:?}, not pending")]
    NotPending(PurchaseStatus),
    /// The payment request was cancelled or expired.
    #[error("the payment request is not open")]
    RequestNotOpen(Box<kasa_ports::PaymentRequest>),
    /// The purchase has no payment to settle (a free grant).
    #[error("the purchase has no payment")]
    NoPayment,
    /// The reference was imported for another purchase.
    #[error("reference {reference} was imported for purchase {purchase_id}")]
    ReferenceUsed {
        /// The reference.
        reference: String,
        /// The purchase it paid.
        purchase_id: PurchaseId,
    },
    /// The amount is not what is owed.
    #[error("the purchase owes {owed}, not {given}")]
    AmountMismatch {
        /// What is owed.
        owed: Money,
        /// What was given.
        given: Money,
    },
    /// The purchase's payment at its gateway could not be given up (it may still succeed, or
    /// the gateway did not answer): importing now could take the money twice.
    #[error("the payment at the gateway could not be given up: {0}")]
    GatewayPaymentUnderWay(GatewayError),
    /// A package rule refuses it (renewal too early, forfeit not confirmed).
    #[error(transparent)]
    Refused(#[from] PurchaseRefusal),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ImportPaymentError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { entity } => Self::NotFound(entity),
            other => Self::Store(other),
        }
    }
}

/// The import's reference and note, checked.
fn checked(
    import: &ImportPayment,
    now: OffsetDateTime,
) -> Result<PaymentImport, ImportPaymentError> {
    let reference = import.reference.trim();
    if reference.is_empty()
        || reference.chars().count() > IMPORT_REFERENCE_MAX_CHARS
        || reference.chars().any(char::is_control)
    {
        return Err(ImportPaymentError::Invalid {
            field: "reference",
            message: format!(
                "the reference is 1-{IMPORT_REFERENCE_MAX_CHARS} characters, without control characters"
            ),
        });
    }
    let note = import
        .note
        .as_deref()
        .map(str::trim)
        .filter(|note| !note.is_empty());
    if note.is_some_and(|note| note.chars().count() > IMPORT_NOTE_MAX_CHARS) {
        return Err(ImportPaymentError::Invalid {
            field: "note",
            message: format!("the note is at most {IMPORT_NOTE_MAX_CHARS} characters"),
        });
    }
    if import.received_at > now {
        return Err(ImportPaymentError::Invalid {
            field: "received_at",
            message: "the money cannot be received in the future".to_owned(),
        });
    }
    Ok(PaymentImport {
        method: import.method,
        reference: GatewayReference(reference.to_owned()),
        received_at: import.received_at,
        note: note.map(str::to_owned),
    })
}

impl Billing {
    /// Records a payment made elsewhere against a pending purchase and completes the purchase
    /// as its gateway's payment would have. The same reference again for the same purchase
    /// answers the first import; for another purchase it is refused.
    ///
    /// # Errors
    /// [`ImportPaymentError`]; none of them change anything.
    pub async fn import_payment(
        &self,
        purchase_id: PurchaseId,
        import: ImportPayment,
    ) -> Result<ImportDone, ImportPaymentError> {
        let now = self.ports.clock.now();
        let received = checked(&import, now)?;
        if let Some(done) = self
            .earlier_import(purchase_id, &received.reference)
            .await?
        {
            return Ok(done);
        }
        let purchase = self.ports.purchases.purchase(purchase_id).await?;
        self.import_into(purchase, received, import).await
    }

    /// The import of `reference` recorded before, when it paid `purchase_id`; a refusal when it
    /// paid another purchase.
    async fn earlier_import(
        &self,
        purchase_id: PurchaseId,
        reference: &GatewayReference,
    ) -> Result<Option<ImportDone>, ImportPaymentError> {
        let imported = match self
            .ports
            .purchases
            .imported_payment(reference.clone())
            .await
        {
            Ok(imported) => imported,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(error) => return Err(ImportPaymentError::Store(error)),
        };
        if imported.purchase_id != purchase_id {
            return Err(ImportPaymentError::ReferenceUsed {
                reference: reference.0.clone(),
                purchase_id: imported.purchase_id,
            });
        }
        let purchase = self.ports.purchases.purchase(purchase_id).await?;
        Ok(Some(ImportDone {
            imported,
            purchase,
            created: false,
        }))
    }

    /// Settles a pending purchase with what was received.
    async fn import_into(
        &self,
        purchase: Purchase,
        received: PaymentImport,
        import: ImportPayment,
    ) -> Result<ImportDone, ImportPaymentError> {
        if purchase.status != PurchaseStatus::Pending {
            // Closed since the caller looked: by this very reference (a concurrent retry), which
            // answers the import, or otherwise.
            if let Some(done) = self
                .earlier_import(purchase.id, &received.reference)
                .await?
            {
                return Ok(done);
            }
            return Err(match purchase.status {
                PurchaseStatus::Completed => ImportPaymentError::AlreadyPaid(Box::new(purchase)),
                other => ImportPaymentError::NotPending(other),
            });
        }
        let payment = purchase
            .payment
            .clone()
            .ok_or(ImportPaymentError::NoPayment)?;
        if payment.amount != import.amount {
            return Err(ImportPaymentError::AmountMismatch {
                owed: payment.amount,
                given: import.amount,
            });
        }
        self.give_up_at_gateway(&purchase, &payment).await?;
        // The customer's confirmation at checkout stands; otherwise the importing agent's.
        let (confirmation, confirmed_by) =
            if purchase.forfeit_confirmation == ForfeitConfirmation::Confirmed {
                (ForfeitConfirmation::Confirmed, purchase.started_by.clone())
            } else {
                (import.confirmation, import.context.clone())
            };
        let settlement = PaymentSettlement {
            status: PaymentStatus::Captured,
            reference: Some(received.reference.clone()),
            card: None,
            import: Some(received.clone()),
        };
        // The invoice names the method and the reference received.
        let paid = Payment {
            gateway: received.method.gateway(),
            reference: Some(received.reference.clone()),
            card: None,
            ..payment
        };
        let applied = self
            .apply_purchase_decision(
                PurchaseTarget::Pending {
                    purchase_id: purchase.id,
                },
                &purchase.item,
                purchase.customer_id,
                PurchaseChannel::PaidCompletion,
                confirmation,
                &confirmed_by,
                Some(settlement),
                Some(&paid),
                purchase.coupon.as_ref(),
                ActionContext {
                    reason: import.context.reason.clone(),
                    ..import.context
                },
            )
            .await;
        match applied {
            Ok(applied) => Ok(self.done(applied, received)),
            // Another import (or the gateway) completed it meanwhile, or took the reference:
            // the same reference on this purchase is the earlier import's answer.
            Err(ApplyError::Store(
                StoreError::PurchaseNotPending(_) | StoreError::AlreadyExists { .. },
            )) => {
                if let Some(done) = self
                    .earlier_import(purchase.id, &received.reference)
                    .await?
                {
                    return Ok(done);
                }
                let current = self.ports.purchases.purchase(purchase.id).await?;
                Err(match current.status {
                    PurchaseStatus::Completed => ImportPaymentError::AlreadyPaid(Box::new(current)),
                    other => ImportPaymentError::NotPending(other),
                })
            }
            Err(ApplyError::Store(error)) => Err(error.into()),
            Err(ApplyError::Refused(refusal)) => Err(ImportPaymentError::Refused(refusal)),
        }
    }

    fn done(&self, applied: AppliedPurchase, received: PaymentImport) -> ImportDone {
        let payment = applied.purchase.payment.as_ref();
        ImportDone {
            imported: ImportedPayment {
                purchase_id: applied.purchase.id,
                payment_id: payment.map_or_else(new_id::<PaymentId>, |payment| payment.id),
                amount: payment
                    .map_or_else(|| applied.purchase.item.price(), |payment| payment.amount),
                import: received,
                recorded_at: applied
                    .purchase
                    .completed_at
                    .unwrap_or_else(|| self.ports.clock.now()),
            },
            purchase: applied.purchase,
            created: true,
        }
    }

    /// Gives up the purchase's payment at its gateway, so that the customer cannot also pay
    /// it there: nothing to do for a payment of no configured gateway. When the gateway took
    /// the money meanwhile, that result is applied and the import refused.
    async fn give_up_at_gateway(
        &self,
        purchase: &Purchase,
        payment: &Payment,
    ) -> Result<(), ImportPaymentError> {
        let Some(gateway) = self.ports.gateways.get(&payment.gateway).cloned() else {
            return Ok(());
        };
        let report = gateway
            .abandon(payment.handle())
            .await
            .map_err(ImportPaymentError::GatewayPaymentUnderWay)?;
        match report.result.status {
            PaymentResultStatus::Declined { .. } => Ok(()),
            PaymentResultStatus::Pending => Err(ImportPaymentError::GatewayPaymentUnderWay(
                GatewayError::Refused {
                    code: "pending".to_owned(),
                    message: "the gateway still shows the payment under way".to_owned(),
                },
            )),
            PaymentResultStatus::Captured
            | PaymentResultStatus::Authorised
            | PaymentResultStatus::ChargedButRefused { .. } => {
                let gateway_name = payment.gateway.clone();
                self.settle_reported(&gateway_name, report.result, None)
                    .await
                    .map_err(|error| match error {
                        crate::CompletePurchaseError::Store(error) => error.into(),
                        other => {
                            ImportPaymentError::Store(StoreError::Unavailable(other.to_string()))
                        }
                    })?;
                let current = self.ports.purchases.purchase(purchase.id).await?;
                Err(match current.status {
                    PurchaseStatus::Completed => ImportPaymentError::AlreadyPaid(Box::new(current)),
                    other => ImportPaymentError::NotPending(other),
                })
            }
        }
    }
}

impl PaymentRequests {
    /// Records a payment made elsewhere against an open payment request: against the payment
    /// under way when there is one (its gateway payment given up), otherwise as a new purchase
    /// of the request, linked by the one claim every payment of a request takes. Idempotent by
    /// reference like [`Billing::import_payment`].
    ///
    /// # Errors
    /// [`ImportPaymentError`]; none of them change anything.
    pub async fn import_payment(
        &self,
        request_id: PaymentRequestId,
        import: ImportPayment,
    ) -> Result<ImportDone, ImportPaymentError> {
        let billing = &self.billing;
        let now = billing.ports.clock.now();
        let received = checked(&import, now)?;
        let request = self.store.payment_request(request_id).await?;
        if let Some((purchase_id, _)) = request.purchase {
            if let Some(done) = billing
                .earlier_import(purchase_id, &received.reference)
                .await?
            {
                return Ok(done);
            }
            let purchase = billing.ports.purchases.purchase(purchase_id).await?;
            if purchase.status != PurchaseStatus::Failed {
                return billing.import_into(purchase, received, import).await;
            }
        } else if let Ok(imported) = billing
            .ports
            .purchases
            .imported_payment(received.reference.clone())
            .await
        {
            return Err(ImportPaymentError::ReferenceUsed {
                reference: received.reference.0,
                purchase_id: imported.purchase_id,
            });
        }
        if !request.payable(now) {
            return Err(ImportPaymentError::RequestNotOpen(Box::new(request)));
        }
        if request.amount != import.amount {
            return Err(ImportPaymentError::AmountMismatch {
                owed: request.amount,
                given: import.amount,
            });
        }
        let purchase_id: PurchaseId = new_id();
        let started = self
            .store
            .start_request_payment(
                request.id,
                NewPurchase {
                    id: purchase_id,
                    customer_id: request.customer_id,
                    item: crate::payment_requests::requested_item(&request),
                    channel: PurchaseChannel::AgentGrant,
                    forfeit_confirmation: import.confirmation,
                    started_by: import.context.clone(),
                    created_at: now,
                    payment: Some(Payment {
                        id: new_id::<PaymentId>(),
                        gateway: received.method.gateway(),
                        order_id: OrderId(purchase_id.as_uuid().simple().to_string()),
                        amount: request.amount,
                        capture: kasa_ports::CaptureMode::Immediate,
                        status: PaymentStatus::Pending,
                        reference: None,
                        failure: None,
                        card: None,
                    }),
                    coupon: request.coupon.clone(),
                },
            )
            .await?;
        let pending = match started {
            RequestPaymentStart::Started(purchase) => *purchase,
            // Another payment of it started or finished meanwhile: answer as it stands now.
            RequestPaymentStart::NotPayable(request) => {
                return match request.purchase {
                    Some((purchase_id, _)) => billing.import_payment(purchase_id, import).await,
                    None => Err(ImportPaymentError::RequestNotOpen(request)),
                };
            }
        };
        let context = import.context.clone();
        let result = billing.import_into(pending, received, import).await;
        if let Err(error) = &result {
            // The purchase recorded for this import must not block the request: close it.
            let failure = PaymentFailure {
                purchase_id,
                purchase_status: PurchaseStatus::Failed,
                payment_status: PaymentStatus::Declined,
                reference: None,
                detail: format!("the imported payment was not applied: {error}"),
                audit: audit_record(
                    "purchase.failed",
                    request.customer_id,
                    Some(serde_json::json!({ "detail": "imported payment not applied" })),
                ),
                context: ActionContext {
                    reason: reason("the imported payment was refused"),
                    ..context
                },
                at: billing.ports.clock.now(),
            };
            match billing.ports.purchases.fail_purchase(failure).await {
                Ok(_) | Err(StoreError::PurchaseNotPending(_)) => {}
                Err(store_error) => {
                    tracing::warn!(%purchase_id, %store_error, "could not close a refused import's purchase");
                }
            }
        }
        result
    }
}
