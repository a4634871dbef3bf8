from enum import StrEnum


class WebhookEventTypeBody(StrEnum):
    CHARGE_REFUSED = "charge.refused"
    CREDITS_EXHAUSTED = "credits.exhausted"
    CREDITS_LOW = "credits.low"
    INVOICE_ISSUED = "invoice.issued"
    PAYMENT_CAPTURED = "payment.captured"
    PAYMENT_REFUNDED = "payment.refunded"
    PAYMENT_REQUEST_PAID = "payment_request.paid"
    PAYMENT_VOIDED = "payment.voided"
    PURCHASE_COMPLETED = "purchase.completed"
    PURCHASE_FAILED = "purchase.failed"
    SUBSCRIPTION_ENDED = "subscription.ended"
    SUBSCRIPTION_ENDING_SOON = "subscription.ending_soon"
    SUBSCRIPTION_RENEWED = "subscription.renewed"
    SUBSCRIPTION_STARTED = "subscription.started"

    def __str__(self) -> str:
        return str(self.value)
