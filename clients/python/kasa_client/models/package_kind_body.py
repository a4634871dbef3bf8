from enum import StrEnum


class PackageKindBody(StrEnum):
    CREDIT = "credit"
    SUBSCRIPTION = "subscription"

    def __str__(self) -> str:
        return str(self.value)
