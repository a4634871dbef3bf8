from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ChargeAllowed")


@_attrs_define
class ChargeAllowed:
    """The ticket or chat may open.

    Attributes:
        allowed (bool): Always true.
        basis (str): `free`, `subscription` or `credits`.
        charge_id (UUID): The charge's id.
        credits_charged (int): Credits charged now (0 for a repeat, a free department or a subscription).
        repeated (bool): True when this ticket or chat was let through before (nothing charged now).
        balance (int | None | Unset): The balance left, when the customer holds credits.
    """

    allowed: bool
    basis: str
    charge_id: UUID
    credits_charged: int
    repeated: bool
    balance: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allowed = self.allowed

        basis = self.basis

        charge_id = str(self.charge_id)

        credits_charged = self.credits_charged

        repeated = self.repeated

        balance: int | None | Unset
        if isinstance(self.balance, Unset):
            balance = UNSET
        else:
            balance = self.balance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowed": allowed,
                "basis": basis,
                "charge_id": charge_id,
                "credits_charged": credits_charged,
                "repeated": repeated,
            }
        )
        if balance is not UNSET:
            field_dict["balance"] = balance

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        allowed = d.pop("allowed")

        basis = d.pop("basis")

        charge_id = UUID(d.pop("charge_id"))

        credits_charged = d.pop("credits_charged")

        repeated = d.pop("repeated")

        def _parse_balance(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        balance = _parse_balance(d.pop("balance", UNSET))

        charge_allowed = cls(
            allowed=allowed,
            basis=basis,
            charge_id=charge_id,
            credits_charged=credits_charged,
            repeated=repeated,
            balance=balance,
        )

        charge_allowed.additional_properties = d
        return charge_allowed

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
