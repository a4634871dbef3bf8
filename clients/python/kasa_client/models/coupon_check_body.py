from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="CouponCheckBody")


@_attrs_define
class CouponCheckBody:
    """Whether a coupon applies to a package for the signed-in customer.

    Attributes:
        applies (bool): Whether it applies.
        code (str): The code as it was asked for, normalised when valid.
        discount (MoneyBody | None | Unset): What the coupon takes off.
        list_price (MoneyBody | None | Unset): The package's price.
        message (None | str | Unset): What the customer can do, in their language.
        price (MoneyBody | None | Unset): What the customer would pay.
        refusal (None | str | Unset): Why it does not apply: a stable code (`coupon-used-up`, ... see docs/api-
            errors.md).
    """

    applies: bool
    code: str
    discount: MoneyBody | None | Unset = UNSET
    list_price: MoneyBody | None | Unset = UNSET
    message: None | str | Unset = UNSET
    price: MoneyBody | None | Unset = UNSET
    refusal: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        applies = self.applies

        code = self.code

        discount: dict[str, Any] | None | Unset
        if isinstance(self.discount, Unset):
            discount = UNSET
        elif isinstance(self.discount, MoneyBody):
            discount = self.discount.to_dict()
        else:
            discount = self.discount

        list_price: dict[str, Any] | None | Unset
        if isinstance(self.list_price, Unset):
            list_price = UNSET
        elif isinstance(self.list_price, MoneyBody):
            list_price = self.list_price.to_dict()
        else:
            list_price = self.list_price

        message: None | str | Unset
        if isinstance(self.message, Unset):
            message = UNSET
        else:
            message = self.message

        price: dict[str, Any] | None | Unset
        if isinstance(self.price, Unset):
            price = UNSET
        elif isinstance(self.price, MoneyBody):
            price = self.price.to_dict()
        else:
            price = self.price

        refusal: None | str | Unset
        if isinstance(self.refusal, Unset):
            refusal = UNSET
        else:
            refusal = self.refusal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "applies": applies,
                "code": code,
            }
        )
        if discount is not UNSET:
            field_dict["discount"] = discount
        if list_price is not UNSET:
            field_dict["list_price"] = list_price
        if message is not UNSET:
            field_dict["message"] = message
        if price is not UNSET:
            field_dict["price"] = price
        if refusal is not UNSET:
            field_dict["refusal"] = refusal

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        applies = d.pop("applies")

        code = d.pop("code")

        def _parse_discount(data: object) -> MoneyBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                discount_type_0 = MoneyBody.from_dict(data)

                return discount_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MoneyBody | None | Unset, data)

        discount = _parse_discount(d.pop("discount", UNSET))

        def _parse_list_price(data: object) -> MoneyBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                list_price_type_0 = MoneyBody.from_dict(data)

                return list_price_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MoneyBody | None | Unset, data)

        list_price = _parse_list_price(d.pop("list_price", UNSET))

        def _parse_message(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        message = _parse_message(d.pop("message", UNSET))

        def _parse_price(data: object) -> MoneyBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                price_type_0 = MoneyBody.from_dict(data)

                return price_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MoneyBody | None | Unset, data)

        price = _parse_price(d.pop("price", UNSET))

        def _parse_refusal(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refusal = _parse_refusal(d.pop("refusal", UNSET))

        coupon_check_body = cls(
            applies=applies,
            code=code,
            discount=discount,
            list_price=list_price,
            message=message,
            price=price,
            refusal=refusal,
        )

        coupon_check_body.additional_properties = d
        return coupon_check_body

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
