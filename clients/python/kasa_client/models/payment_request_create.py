from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentRequestCreate")


@_attrs_define
class PaymentRequestCreate:
    """Ask a customer to pay a package.

    Attributes:
        description (str): What is asked, shown to the customer (1-500 characters).
        package_id (UUID): The package, paid at its current price.
        reason (str): Why (audited).
        valid_days (int | None | Unset): Days until the request expires: 1-90, 14 when absent.
    """

    description: str
    package_id: UUID
    reason: str
    valid_days: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        package_id = str(self.package_id)

        reason = self.reason

        valid_days: int | None | Unset
        if isinstance(self.valid_days, Unset):
            valid_days = UNSET
        else:
            valid_days = self.valid_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "package_id": package_id,
                "reason": reason,
            }
        )
        if valid_days is not UNSET:
            field_dict["valid_days"] = valid_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        package_id = UUID(d.pop("package_id"))

        reason = d.pop("reason")

        def _parse_valid_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        valid_days = _parse_valid_days(d.pop("valid_days", UNSET))

        payment_request_create = cls(
            description=description,
            package_id=package_id,
            reason=reason,
            valid_days=valid_days,
        )

        payment_request_create.additional_properties = d
        return payment_request_create

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
