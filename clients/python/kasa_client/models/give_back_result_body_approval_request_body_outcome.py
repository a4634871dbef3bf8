from enum import StrEnum


class GiveBackResultBodyApprovalRequestBodyOutcome(StrEnum):
    PENDING_APPROVAL = "pending_approval"

    def __str__(self) -> str:
        return str(self.value)
