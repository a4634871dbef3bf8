from enum import StrEnum


class CancelTiming(StrEnum):
    AT_END = "at_end"
    NOW = "now"

    def __str__(self) -> str:
        return str(self.value)
