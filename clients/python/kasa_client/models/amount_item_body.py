from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="AmountItemBody")


@_attrs_define
class AmountItemBody:
    """An amount a customer was asked to pay, not tied to a package.

    Attributes:
        amount (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        description (str): What it pays for (the invoice line's text).
    """

    amount: MoneyBody
    description: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount.to_dict()

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "description": description,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        amount = MoneyBody.from_dict(d.pop("amount"))

        description = d.pop("description")

        amount_item_body = cls(
            amount=amount,
            description=description,
        )

        amount_item_body.additional_properties = d
        return amount_item_body

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
