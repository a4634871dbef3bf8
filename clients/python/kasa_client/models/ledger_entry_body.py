from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LedgerEntryBody")


@_attrs_define
class LedgerEntryBody:
    """A credit ledger entry.

    Attributes:
        actor (str): Who (`agent:<id>`, `help_desk:<key id>`, ...).
        at (str): When.
        balance_after (int): The balance after.
        delta (int): The signed change.
        kind (str): `granted`, `consumed`, `forfeited`, `adjusted` or `reversed`.
        reason (str): Why.
    """

    actor: str
    at: str
    balance_after: int
    delta: int
    kind: str
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        at = self.at

        balance_after = self.balance_after

        delta = self.delta

        kind = self.kind

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "at": at,
                "balance_after": balance_after,
                "delta": delta,
                "kind": kind,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        actor = d.pop("actor")

        at = d.pop("at")

        balance_after = d.pop("balance_after")

        delta = d.pop("delta")

        kind = d.pop("kind")

        reason = d.pop("reason")

        ledger_entry_body = cls(
            actor=actor,
            at=at,
            balance_after=balance_after,
            delta=delta,
            kind=kind,
            reason=reason,
        )

        ledger_entry_body.additional_properties = d
        return ledger_entry_body

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
