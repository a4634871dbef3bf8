from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_change_role import UserChangeRole

T = TypeVar("T", bound="UserChange")


@_attrs_define
class UserChange:
    """A change to a user.

    Attributes:
        disabled (bool): `true` stops the user signing in and ends their sessions.
        reason (str): Why (audit log).
        role (UserChangeRole): The new role.
    """

    disabled: bool
    reason: str
    role: UserChangeRole
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        disabled = self.disabled

        reason = self.reason

        role = self.role.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "disabled": disabled,
                "reason": reason,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        disabled = d.pop("disabled")

        reason = d.pop("reason")

        role = UserChangeRole(d.pop("role"))

        user_change = cls(
            disabled=disabled,
            reason=reason,
            role=role,
        )

        user_change.additional_properties = d
        return user_change

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
