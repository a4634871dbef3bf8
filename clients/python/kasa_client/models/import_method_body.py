from enum import StrEnum


class ImportMethodBody(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"
    OTHER = "other"

    def __str__(self) -> str:
        return str(self.value)
