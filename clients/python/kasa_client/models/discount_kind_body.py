from enum import StrEnum


class DiscountKindBody(StrEnum):
    FIXED = "fixed"
    PERCENTAGE = "percentage"

    def __str__(self) -> str:
        return str(self.value)
