from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.new_api_key_body_role import NewApiKeyBodyRole

T = TypeVar("T", bound="NewApiKeyBody")


@_attrs_define
class NewApiKeyBody:
    """A new API key.

    Attributes:
        name (str): What it is for, e.g. "Zendesk production".
        reason (str): Why (audit log).
        role (NewApiKeyBodyRole): Its scope: a role, usually `help_desk`.
    """

    name: str
    reason: str
    role: NewApiKeyBodyRole
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        reason = self.reason

        role = self.role.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "reason": reason,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        reason = d.pop("reason")

        role = NewApiKeyBodyRole(d.pop("role"))

        new_api_key_body = cls(
            name=name,
            reason=reason,
            role=role,
        )

        new_api_key_body.additional_properties = d
        return new_api_key_body

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
