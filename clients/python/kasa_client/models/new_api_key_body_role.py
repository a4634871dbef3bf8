from enum import StrEnum


class NewApiKeyBodyRole(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    BILLING_MANAGER = "billing_manager"
    FINANCE = "finance"
    HELP_DESK = "help_desk"
    READ_ONLY = "read_only"

    def __str__(self) -> str:
        return str(self.value)
