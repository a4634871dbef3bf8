from enum import StrEnum


class TicketStateBody(StrEnum):
    FAILED = "failed"
    NOT_CONNECTED = "not_connected"
    OPEN = "open"
    OPENING = "opening"

    def __str__(self) -> str:
        return str(self.value)
