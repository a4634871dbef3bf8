from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RecurringRequest")


@_attrs_define
class RecurringRequest:
    """A subscription package to renew itself through a gateway.

    Attributes:
        package_id (UUID): The subscription package each period buys.
        reason (str): Why (audit log).
        gateway (str | Unset): The gateway that charges the customer's saved card each period (`stripe`). Default:
            'stripe'.
    """

    package_id: UUID
    reason: str
    gateway: str | Unset = "stripe"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        package_id = str(self.package_id)

        reason = self.reason

        gateway = self.gateway

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "package_id": package_id,
                "reason": reason,
            }
        )
        if gateway is not UNSET:
            field_dict["gateway"] = gateway

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        package_id = UUID(d.pop("package_id"))

        reason = d.pop("reason")

        gateway = d.pop("gateway", UNSET)

        recurring_request = cls(
            package_id=package_id,
            reason=reason,
            gateway=gateway,
        )

        recurring_request.additional_properties = d
        return recurring_request

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
