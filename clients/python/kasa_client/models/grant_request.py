from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GrantRequest")


@_attrs_define
class GrantRequest:
    """Grant a package.

    Attributes:
        package_id (UUID): The package (it need not be on sale).
        reason (str): Why (audit log).
        charged (bool | Unset): The customer paid outside a gateway (recorded as a captured manual payment). Default:
            False.
        confirm_forfeit (bool | Unset): The agent confirms forfeiting what the customer holds, when switching kinds.
            Default: False.
    """

    package_id: UUID
    reason: str
    charged: bool | Unset = False
    confirm_forfeit: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        package_id = str(self.package_id)

        reason = self.reason

        charged = self.charged

        confirm_forfeit = self.confirm_forfeit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "package_id": package_id,
                "reason": reason,
            }
        )
        if charged is not UNSET:
            field_dict["charged"] = charged
        if confirm_forfeit is not UNSET:
            field_dict["confirm_forfeit"] = confirm_forfeit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        package_id = UUID(d.pop("package_id"))

        reason = d.pop("reason")

        charged = d.pop("charged", UNSET)

        confirm_forfeit = d.pop("confirm_forfeit", UNSET)

        grant_request = cls(
            package_id=package_id,
            reason=reason,
            charged=charged,
            confirm_forfeit=confirm_forfeit,
        )

        grant_request.additional_properties = d
        return grant_request

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
