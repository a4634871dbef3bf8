from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.cancel_timing import CancelTiming
from ..types import UNSET, Unset

T = TypeVar("T", bound="CancelRequest")


@_attrs_define
class CancelRequest:
    """Cancel a subscription.

    Attributes:
        reason (str): Why (audit log).
        timing (CancelTiming): When a cancellation takes effect.
        prorated_refund (bool | Unset): Refund the unused time of each paid purchase through its payment (cancelling
            now); the
            answer lists each refund's outcome. Default: False.
    """

    reason: str
    timing: CancelTiming
    prorated_refund: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        timing = self.timing.value

        prorated_refund = self.prorated_refund

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reason": reason,
                "timing": timing,
            }
        )
        if prorated_refund is not UNSET:
            field_dict["prorated_refund"] = prorated_refund

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        timing = CancelTiming(d.pop("timing"))

        prorated_refund = d.pop("prorated_refund", UNSET)

        cancel_request = cls(
            reason=reason,
            timing=timing,
            prorated_refund=prorated_refund,
        )

        cancel_request.additional_properties = d
        return cancel_request

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
