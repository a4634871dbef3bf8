from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CardDepartmentBody")


@_attrs_define
class CardDepartmentBody:
    """One department on a card.

    Attributes:
        by_operator (bool): Enabled by hand by an operator (stays whatever happens to packages).
        by_purchases (list[str]): The purchases whose packages enabled it.
        department_id (UUID): The department.
    """

    by_operator: bool
    by_purchases: list[str]
    department_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        by_operator = self.by_operator

        by_purchases = self.by_purchases

        department_id = str(self.department_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "by_operator": by_operator,
                "by_purchases": by_purchases,
                "department_id": department_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        by_operator = d.pop("by_operator")

        by_purchases = cast(list[str], d.pop("by_purchases"))

        department_id = UUID(d.pop("department_id"))

        card_department_body = cls(
            by_operator=by_operator,
            by_purchases=by_purchases,
            department_id=department_id,
        )

        card_department_body.additional_properties = d
        return card_department_body

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
