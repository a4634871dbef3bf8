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
        coupon_code (None | str | Unset): A coupon code to take off the package's price (any case): checked now for this
            customer
            and package (its dates hold until the request expires), redeemed when the request is
            paid. Refused with the coupon's own 422 problem (`coupon-used-up`, ...).
        valid_days (int | None | Unset): Days until the request expires: 1-90, 14 when absent.
    """

    description: str
    package_id: UUID
    reason: str
    coupon_code: None | str | Unset = UNSET
    valid_days: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        package_id = str(self.package_id)

        reason = self.reason

        coupon_code: None | str | Unset
        if isinstance(self.coupon_code, Unset):
            coupon_code = UNSET
        else:
            coupon_code = self.coupon_code

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
        if coupon_code is not UNSET:
            field_dict["coupon_code"] = coupon_code
        if valid_days is not UNSET:
            field_dict["valid_days"] = valid_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description")

        package_id = UUID(d.pop("package_id"))

        reason = d.pop("reason")

        def _parse_coupon_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        coupon_code = _parse_coupon_code(d.pop("coupon_code", UNSET))

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
            coupon_code=coupon_code,
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
