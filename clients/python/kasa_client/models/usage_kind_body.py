from enum import StrEnum


class UsageKindBody(StrEnum):
    CHAT = "chat"
    TICKET = "ticket"

    def __str__(self) -> str:
        return str(self.value)
