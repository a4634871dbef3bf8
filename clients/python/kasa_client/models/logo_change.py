from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LogoChange")


@_attrs_define
class LogoChange:
    """A new logo for invoices, receipts and credit notes, or none.

    Attributes:
        reason (str): Why (audit log).
        image_base64 (None | str | Unset): A PNG or JPEG image (at most 512 KiB), base64-encoded; `null` removes the
            logo.
    """

    reason: str
    image_base64: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        image_base64: None | str | Unset
        if isinstance(self.image_base64, Unset):
            image_base64 = UNSET
        else:
            image_base64 = self.image_base64

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "reason": reason,
            }
        )
        if image_base64 is not UNSET:
            field_dict["image_base64"] = image_base64

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        def _parse_image_base64(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image_base64 = _parse_image_base64(d.pop("image_base64", UNSET))

        logo_change = cls(
            reason=reason,
            image_base64=image_base64,
        )

        logo_change.additional_properties = d
        return logo_change

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
