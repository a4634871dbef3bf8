from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.my_card_body import MyCardBody


T = TypeVar("T", bound="MyPaymentBody")


@_attrs_define
class MyPaymentBody:
    """How a purchase was paid.

    Attributes:
        method (str): The gateway: `nestpay`, `stripe`, or `manual` (recorded by the seller's team).
        card (MyCardBody | None | Unset): The card, when the gateway told which (brand and last four digits only).
    """

    method: str
    card: MyCardBody | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.my_card_body import MyCardBody  # noqa: PLC0415

        method = self.method

        card: dict[str, Any] | None | Unset
        if isinstance(self.card, Unset):
            card = UNSET
        elif isinstance(self.card, MyCardBody):
            card = self.card.to_dict()
        else:
            card = self.card

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "method": method,
            }
        )
        if card is not UNSET:
            field_dict["card"] = card

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.my_card_body import MyCardBody  # noqa: PLC0415

        d = dict(src_dict)
        method = d.pop("method")

        def _parse_card(data: object) -> MyCardBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                card_type_0 = MyCardBody.from_dict(data)

                return card_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MyCardBody | None | Unset, data)

        card = _parse_card(d.pop("card", UNSET))

        my_payment_body = cls(
            method=method,
            card=card,
        )

        my_payment_body.additional_properties = d
        return my_payment_body

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
