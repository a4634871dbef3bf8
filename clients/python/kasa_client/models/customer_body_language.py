from enum import StrEnum


class CustomerBodyLanguage(StrEnum):
    EN = "en"
    TR = "tr"

    def __str__(self) -> str:
        return str(self.value)
