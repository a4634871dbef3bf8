from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.money_body_currency import MoneyBodyCurrency

T = TypeVar("T", bound="MoneyBody")


@_attrs_define
class MoneyBody:
    """An amount of money.

    Example:
        {'amount': '149.90', 'currency': 'TRY'}

    Attributes:
        amount (str): The amount as a decimal string with a dot, e.g. `"149.90"`.
        currency (MoneyBodyCurrency): ISO 4217 code: TRY, USD, EUR or GBP.
    """

    amount: str
    currency: MoneyBodyCurrency
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = MoneyBodyCurrency(d.pop("currency"))

        money_body = cls(
            amount=amount,
            currency=currency,
        )

        money_body.additional_properties = d
        return money_body

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
