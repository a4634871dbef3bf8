from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.integration_body import IntegrationBody


T = TypeVar("T", bound="CreatedIntegration")


@_attrs_define
class CreatedIntegration:
    """An integration just created: the only time its secret is shown.

    Attributes:
        integration (IntegrationBody): An integration (its secret only in [`CreatedIntegration`]).
        secret (str): The secret the help desk signs panel URLs with (HMAC-SHA256, docs/panel.md); store it
            now: Kasa shows it only this once.
    """

    integration: IntegrationBody
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        integration = self.integration.to_dict()

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "integration": integration,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.integration_body import IntegrationBody  # noqa: PLC0415

        d = dict(src_dict)
        integration = IntegrationBody.from_dict(d.pop("integration"))

        secret = d.pop("secret")

        created_integration = cls(
            integration=integration,
            secret=secret,
        )

        created_integration.additional_properties = d
        return created_integration

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
