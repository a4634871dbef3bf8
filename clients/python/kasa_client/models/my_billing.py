from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.customer_body import CustomerBody
    from ..models.holding_body import HoldingBody
    from ..models.purchase_body import PurchaseBody
    from ..models.usage_charge_body import UsageChargeBody


T = TypeVar("T", bound="MyBilling")


@_attrs_define
class MyBilling:
    """A customer's own billing, as their billing link shows it (no internal notes or staff ids).

    Attributes:
        customer (CustomerBody): A customer.
        holding (HoldingBody): What a customer holds.
        purchases (list[PurchaseBody]): Their latest purchases, with payments.
        recent_charges (list[UsageChargeBody]): Their latest tickets and chats charged.
    """

    customer: CustomerBody
    holding: HoldingBody
    purchases: list[PurchaseBody]
    recent_charges: list[UsageChargeBody]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer.to_dict()

        holding = self.holding.to_dict()

        purchases = []
        for purchases_item_data in self.purchases:
            purchases_item = purchases_item_data.to_dict()
            purchases.append(purchases_item)

        recent_charges = []
        for recent_charges_item_data in self.recent_charges:
            recent_charges_item = recent_charges_item_data.to_dict()
            recent_charges.append(recent_charges_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "holding": holding,
                "purchases": purchases,
                "recent_charges": recent_charges,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_body import CustomerBody  # noqa: PLC0415
        from ..models.holding_body import HoldingBody  # noqa: PLC0415
        from ..models.purchase_body import PurchaseBody  # noqa: PLC0415
        from ..models.usage_charge_body import UsageChargeBody  # noqa: PLC0415

        d = dict(src_dict)
        customer = CustomerBody.from_dict(d.pop("customer"))

        holding = HoldingBody.from_dict(d.pop("holding"))

        purchases = []
        _purchases = d.pop("purchases")
        for purchases_item_data in _purchases:
            purchases_item = PurchaseBody.from_dict(purchases_item_data)

            purchases.append(purchases_item)

        recent_charges = []
        _recent_charges = d.pop("recent_charges")
        for recent_charges_item_data in _recent_charges:
            recent_charges_item = UsageChargeBody.from_dict(recent_charges_item_data)

            recent_charges.append(recent_charges_item)

        my_billing = cls(
            customer=customer,
            holding=holding,
            purchases=purchases,
            recent_charges=recent_charges,
        )

        my_billing.additional_properties = d
        return my_billing

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
