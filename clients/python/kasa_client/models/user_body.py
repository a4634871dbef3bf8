from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.user_body_role import UserBodyRole

T = TypeVar("T", bound="UserBody")


@_attrs_define
class UserBody:
    """A user (never with a password).

    Attributes:
        disabled (bool): Whether the user can sign in.
        email (str): Sign-in e-mail.
        id (str): Its id.
        name (str): Display name.
        role (UserBodyRole): Role.
    """

    disabled: bool
    email: str
    id: str
    name: str
    role: UserBodyRole
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        disabled = self.disabled

        email = self.email

        id = self.id

        name = self.name

        role = self.role.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "disabled": disabled,
                "email": email,
                "id": id,
                "name": name,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        disabled = d.pop("disabled")

        email = d.pop("email")

        id = d.pop("id")

        name = d.pop("name")

        role = UserBodyRole(d.pop("role"))

        user_body = cls(
            disabled=disabled,
            email=email,
            id=id,
            name=name,
            role=role,
        )

        user_body.additional_properties = d
        return user_body

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
