from enum import StrEnum


class CustomerInputLanguageType1(StrEnum):
    EN = "en"
    TR = "tr"

    def __str__(self) -> str:
        return str(self.value)
