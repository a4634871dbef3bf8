from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.new_user_body_role import NewUserBodyRole

T = TypeVar("T", bound="NewUserBody")


@_attrs_define
class NewUserBody:
    """A new user.

    Attributes:
        email (str): Sign-in e-mail (unique).
        name (str): Display name.
        password (str): At least 12 characters.
        reason (str): Why the user is added (audit log).
        role (NewUserBodyRole): `admin`, `billing_manager`, `agent`, `finance` or `read_only`.
    """

    email: str
    name: str
    password: str
    reason: str
    role: NewUserBodyRole
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        password = self.password

        reason = self.reason

        role = self.role.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "name": name,
                "password": password,
                "reason": reason,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        password = d.pop("password")

        reason = d.pop("reason")

        role = NewUserBodyRole(d.pop("role"))

        new_user_body = cls(
            email=email,
            name=name,
            password=password,
            reason=reason,
            role=role,
        )

        new_user_body.additional_properties = d
        return new_user_body

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
