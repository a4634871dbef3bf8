from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payment_system_input_configuration import PaymentSystemInputConfiguration
    from ..models.payment_system_input_credentials import PaymentSystemInputCredentials


T = TypeVar("T", bound="PaymentSystemInput")


@_attrs_define
class PaymentSystemInput:
    """A payment system to save.

    Attributes:
        enabled (bool): Whether customers may pay through it.
        reason (str): Why (audit log; the credentials' values are never recorded).
        configuration (PaymentSystemInputConfiguration | Unset): Public settings, replacing the old ones.
        credentials (PaymentSystemInputCredentials | Unset): New credential values by name (write-only: never returned;
            names left out keep their
            stored value).
    """

    enabled: bool
    reason: str
    configuration: PaymentSystemInputConfiguration | Unset = UNSET
    credentials: PaymentSystemInputCredentials | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        reason = self.reason

        configuration: dict[str, Any] | Unset = UNSET
        if not isinstance(self.configuration, Unset):
            configuration = self.configuration.to_dict()

        credentials: dict[str, Any] | Unset = UNSET
        if not isinstance(self.credentials, Unset):
            credentials = self.credentials.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "reason": reason,
            }
        )
        if configuration is not UNSET:
            field_dict["configuration"] = configuration
        if credentials is not UNSET:
            field_dict["credentials"] = credentials

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment_system_input_configuration import PaymentSystemInputConfiguration  # noqa: PLC0415
        from ..models.payment_system_input_credentials import PaymentSystemInputCredentials  # noqa: PLC0415

        d = dict(src_dict)
        enabled = d.pop("enabled")

        reason = d.pop("reason")

        _configuration = d.pop("configuration", UNSET)
        configuration: PaymentSystemInputConfiguration | Unset
        if isinstance(_configuration, Unset):
            configuration = UNSET
        else:
            configuration = PaymentSystemInputConfiguration.from_dict(_configuration)

        _credentials = d.pop("credentials", UNSET)
        credentials: PaymentSystemInputCredentials | Unset
        if isinstance(_credentials, Unset):
            credentials = UNSET
        else:
            credentials = PaymentSystemInputCredentials.from_dict(_credentials)

        payment_system_input = cls(
            enabled=enabled,
            reason=reason,
            configuration=configuration,
            credentials=credentials,
        )

        payment_system_input.additional_properties = d
        return payment_system_input

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
