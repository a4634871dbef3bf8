from enum import StrEnum


class MyLanguageBodyLanguage(StrEnum):
    EN = "en"
    TR = "tr"

    def __str__(self) -> str:
        return str(self.value)
