from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UsageChargeBody")


@_attrs_define
class UsageChargeBody:
    """A ticket or chat charged.

    Attributes:
        at (str): When.
        basis (str): `free`, `subscription` or `credits`.
        credits_ (int): Credits consumed.
        department_id (UUID): The department.
        id (str): Its id.
        kind (str): Ticket or chat.
        reference (str): The help desk's id.
        balance_after (int | None | Unset): The balance after.
    """

    at: str
    basis: str
    credits_: int
    department_id: UUID
    id: str
    kind: str
    reference: str
    balance_after: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at

        basis = self.basis

        credits_ = self.credits_

        department_id = str(self.department_id)

        id = self.id

        kind = self.kind

        reference = self.reference

        balance_after: int | None | Unset
        if isinstance(self.balance_after, Unset):
            balance_after = UNSET
        else:
            balance_after = self.balance_after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "basis": basis,
                "credits": credits_,
                "department_id": department_id,
                "id": id,
                "kind": kind,
                "reference": reference,
            }
        )
        if balance_after is not UNSET:
            field_dict["balance_after"] = balance_after

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = d.pop("at")

        basis = d.pop("basis")

        credits_ = d.pop("credits")

        department_id = UUID(d.pop("department_id"))

        id = d.pop("id")

        kind = d.pop("kind")

        reference = d.pop("reference")

        def _parse_balance_after(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        balance_after = _parse_balance_after(d.pop("balance_after", UNSET))

        usage_charge_body = cls(
            at=at,
            basis=basis,
            credits_=credits_,
            department_id=department_id,
            id=id,
            kind=kind,
            reference=reference,
            balance_after=balance_after,
        )

        usage_charge_body.additional_properties = d
        return usage_charge_body

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
