from enum import StrEnum


class SavePaymentSystemGateway(StrEnum):
    NESTPAY = "nestpay"
    STRIPE = "stripe"

    def __str__(self) -> str:
        return str(self.value)
