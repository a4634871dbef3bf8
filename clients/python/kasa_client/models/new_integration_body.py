from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="NewIntegrationBody")


@_attrs_define
class NewIntegrationBody:
    """A new integration.

    Attributes:
        allowed_origins (list[str]): The origins allowed to frame the panel, e.g. `https://acme.zendesk.com` (https;
            http
            only for localhost or 127.0.0.1; 1-20 of them).
        kind (str): `zendesk`, `freshdesk`, `helpscout` or `custom`.
        name (str): What it is for, e.g. "Zendesk production".
        reason (str): Why (audit log).
    """

    allowed_origins: list[str]
    kind: str
    name: str
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allowed_origins = self.allowed_origins

        kind = self.kind

        name = self.name

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowed_origins": allowed_origins,
                "kind": kind,
                "name": name,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        allowed_origins = cast(list[str], d.pop("allowed_origins"))

        kind = d.pop("kind")

        name = d.pop("name")

        reason = d.pop("reason")

        new_integration_body = cls(
            allowed_origins=allowed_origins,
            kind=kind,
            name=name,
            reason=reason,
        )

        new_integration_body.additional_properties = d
        return new_integration_body

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
