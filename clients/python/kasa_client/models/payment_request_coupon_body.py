from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="PaymentRequestCouponBody")


@_attrs_define
class PaymentRequestCouponBody:
    """The coupon on a payment request.

    Attributes:
        code (str): The code, as stored (upper case).
        discount (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        list_price (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
    """

    code: str
    discount: MoneyBody
    list_price: MoneyBody
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        discount = self.discount.to_dict()

        list_price = self.list_price.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "discount": discount,
                "list_price": list_price,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        discount = MoneyBody.from_dict(d.pop("discount"))

        list_price = MoneyBody.from_dict(d.pop("list_price"))

        payment_request_coupon_body = cls(
            code=code,
            discount=discount,
            list_price=list_price,
        )

        payment_request_coupon_body.additional_properties = d
        return payment_request_coupon_body

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
