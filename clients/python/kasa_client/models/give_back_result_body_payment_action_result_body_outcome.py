from enum import StrEnum


class GiveBackResultBodyPaymentActionResultBodyOutcome(StrEnum):
    DONE = "done"

    def __str__(self) -> str:
        return str(self.value)
