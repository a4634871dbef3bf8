from enum import StrEnum


class RefundLimitBodyCurrencyType1(StrEnum):
    EUR = "EUR"
    GBP = "GBP"
    TRY = "TRY"
    USD = "USD"

    def __str__(self) -> str:
        return str(self.value)
