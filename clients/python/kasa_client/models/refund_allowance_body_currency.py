from enum import StrEnum


class RefundAllowanceBodyCurrency(StrEnum):
    EUR = "EUR"
    GBP = "GBP"
    TRY = "TRY"
    USD = "USD"

    def __str__(self) -> str:
        return str(self.value)
