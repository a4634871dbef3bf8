from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.payment_system_body_configuration import PaymentSystemBodyConfiguration


T = TypeVar("T", bound="PaymentSystemBody")


@_attrs_define
class PaymentSystemBody:
    """A payment system as settings show it (credentials never included).

    Attributes:
        configuration (PaymentSystemBodyConfiguration): Public settings (bank, store type, URLs, ...).
        credentials_set (list[str]): The names of the credentials that are set (their values are never returned).
        enabled (bool): Whether customers may pay through it.
        gateway (str): The gateway: `nestpay`, `stripe` or `http` (the registry, docs/adding-a-gateway.md).
    """

    configuration: PaymentSystemBodyConfiguration
    credentials_set: list[str]
    enabled: bool
    gateway: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        configuration = self.configuration.to_dict()

        credentials_set = self.credentials_set

        enabled = self.enabled

        gateway = self.gateway

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "configuration": configuration,
                "credentials_set": credentials_set,
                "enabled": enabled,
                "gateway": gateway,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment_system_body_configuration import PaymentSystemBodyConfiguration  # noqa: PLC0415

        d = dict(src_dict)
        configuration = PaymentSystemBodyConfiguration.from_dict(d.pop("configuration"))

        credentials_set = cast(list[str], d.pop("credentials_set"))

        enabled = d.pop("enabled")

        gateway = d.pop("gateway")

        payment_system_body = cls(
            configuration=configuration,
            credentials_set=credentials_set,
            enabled=enabled,
            gateway=gateway,
        )

        payment_system_body.additional_properties = d
        return payment_system_body

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
