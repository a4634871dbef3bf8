from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DepartmentInput")


@_attrs_define
class DepartmentInput:
    """A department to create or change.

    Attributes:
        credits_per_request (int): Credits one ticket or chat costs; 0 is free.
        name (str): Its name, 1-100 characters, unique.
        reason (str): Why (audit log).
    """

    credits_per_request: int
    name: str
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        credits_per_request = self.credits_per_request

        name = self.name

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "credits_per_request": credits_per_request,
                "name": name,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        credits_per_request = d.pop("credits_per_request")

        name = d.pop("name")

        reason = d.pop("reason")

        department_input = cls(
            credits_per_request=credits_per_request,
            name=name,
            reason=reason,
        )

        department_input.additional_properties = d
        return department_input

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
