from enum import StrEnum


class CustomerChangeLanguageType2Type1(StrEnum):
    EN = "en"
    TR = "tr"

    def __str__(self) -> str:
        return str(self.value)
