from enum import StrEnum


class CustomerChangeLanguageType1(StrEnum):
    EN = "en"
    TR = "tr"

    def __str__(self) -> str:
        return str(self.value)
