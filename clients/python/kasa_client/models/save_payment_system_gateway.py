from enum import StrEnum


class SavePaymentSystemGateway(StrEnum):
    HTTP = "http"
    NESTPAY = "nestpay"
    STRIPE = "stripe"

    def __str__(self) -> str:
        return str(self.value)
