from enum import StrEnum


class CustomerInputLanguageType3Type1(StrEnum):
    EN = "en"
    TR = "tr"

    def __str__(self) -> str:
        return str(self.value)
