from enum import StrEnum


class ListPurchasesStatus(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    NEEDS_ATTENTION = "needs_attention"
    PENDING = "pending"

    def __str__(self) -> str:
        return str(self.value)
