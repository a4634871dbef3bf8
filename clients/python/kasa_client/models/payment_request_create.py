from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="PaymentRequestCreate")


@_attrs_define
class PaymentRequestCreate:
    """Ask a customer to pay a package or an amount: give exactly one of `package_id` and `amount`.

    Attributes:
        description (str): What is asked, shown to the customer (1-500 characters); for an amount, also the
            invoice line's text.
        reason (str): Why (audited).
        amount (MoneyBody | None | Unset): An amount, paid as it is (more than 0, at most 1000000, in a currency a
            gateway takes):
            paying it issues an invoice with one line (the description, the amount) and changes no
            credits, subscription or department.
        coupon_code (None | str | Unset): A coupon code to take off the package's price (any case): checked now for this
            customer
            and package (its dates hold until the request expires), redeemed when the request is
            paid. Refused with the coupon's own 422 problem (`coupon-used-up`, ...); coupons are for
            packages, so an amount request with one is refused (422).
        package_id (None | Unset | UUID): The package, paid at its current price (less the coupon's discount, when one
            is given).
        valid_days (int | None | Unset): Days until the request expires: 1-90, 14 when absent.
    """

    description: str
    reason: str
    amount: MoneyBody | None | Unset = UNSET
    coupon_code: None | str | Unset = UNSET
    package_id: None | Unset | UUID = UNSET
    valid_days: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        description = self.description

        reason = self.reason

        amount: dict[str, Any] | None | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        elif isinstance(self.amount, MoneyBody):
            amount = self.amount.to_dict()
        else:
            amount = self.amount

        coupon_code: None | str | Unset
        if isinstance(self.coupon_code, Unset):
            coupon_code = UNSET
        else:
            coupon_code = self.coupon_code

        package_id: None | str | Unset
        if isinstance(self.package_id, Unset):
            package_id = UNSET
        elif isinstance(self.package_id, UUID):
            package_id = str(self.package_id)
        else:
            package_id = self.package_id

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
                "reason": reason,
            }
        )
        if amount is not UNSET:
            field_dict["amount"] = amount
        if coupon_code is not UNSET:
            field_dict["coupon_code"] = coupon_code
        if package_id is not UNSET:
            field_dict["package_id"] = package_id
        if valid_days is not UNSET:
            field_dict["valid_days"] = valid_days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        description = d.pop("description")

        reason = d.pop("reason")

        def _parse_amount(data: object) -> MoneyBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                amount_type_0 = MoneyBody.from_dict(data)

                return amount_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MoneyBody | None | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        def _parse_coupon_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        coupon_code = _parse_coupon_code(d.pop("coupon_code", UNSET))

        def _parse_package_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                package_id_type_0 = UUID(data)

                return package_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        package_id = _parse_package_id(d.pop("package_id", UNSET))

        def _parse_valid_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        valid_days = _parse_valid_days(d.pop("valid_days", UNSET))

        payment_request_create = cls(
            description=description,
            reason=reason,
            amount=amount,
            coupon_code=coupon_code,
            package_id=package_id,
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
