from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BillingLinkRequest")


@_attrs_define
class BillingLinkRequest:
    """Create a billing link for a customer.

    Attributes:
        reason (str): Why (audit log).
        valid_hours (int | Unset): How long the link works, in hours (1-168, default 24). Default: 24.
    """

    reason: str
    valid_hours: int | Unset = 24
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        valid_hours = self.valid_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reason": reason,
            }
        )
        if valid_hours is not UNSET:
            field_dict["valid_hours"] = valid_hours

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        valid_hours = d.pop("valid_hours", UNSET)

        billing_link_request = cls(
            reason=reason,
            valid_hours=valid_hours,
        )

        billing_link_request.additional_properties = d
        return billing_link_request

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
