from enum import StrEnum


class ListApprovalRequestsState(StrEnum):
    APPROVED = "approved"
    APPROVING = "approving"
    EXPIRED = "expired"
    FAILED = "failed"
    PENDING = "pending"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
