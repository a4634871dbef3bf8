from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_entry_body import AuditEntryBody
    from ..models.card_department_body import CardDepartmentBody
    from ..models.customer_body import CustomerBody
    from ..models.holding_body import HoldingBody
    from ..models.ledger_entry_body import LedgerEntryBody
    from ..models.purchase_body import PurchaseBody
    from ..models.usage_charge_body import UsageChargeBody


T = TypeVar("T", bound="BillingContext")


@_attrs_define
class BillingContext:
    """Everything about a customer's billing, for the panel beside a ticket.

    Attributes:
        audit (list[AuditEntryBody]): The latest audit entries about the customer.
        card (list[CardDepartmentBody]): The departments on their card.
        customer (CustomerBody): A customer.
        holding (HoldingBody): What a customer holds.
        ledger (list[LedgerEntryBody]): The latest credit movements.
        purchases (list[PurchaseBody]): The latest purchases, with payments.
        recent_charges (list[UsageChargeBody]): The latest tickets and chats charged.
    """

    audit: list[AuditEntryBody]
    card: list[CardDepartmentBody]
    customer: CustomerBody
    holding: HoldingBody
    ledger: list[LedgerEntryBody]
    purchases: list[PurchaseBody]
    recent_charges: list[UsageChargeBody]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit = []
        for audit_item_data in self.audit:
            audit_item = audit_item_data.to_dict()
            audit.append(audit_item)

        card = []
        for card_item_data in self.card:
            card_item = card_item_data.to_dict()
            card.append(card_item)

        customer = self.customer.to_dict()

        holding = self.holding.to_dict()

        ledger = []
        for ledger_item_data in self.ledger:
            ledger_item = ledger_item_data.to_dict()
            ledger.append(ledger_item)

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
                "audit": audit,
                "card": card,
                "customer": customer,
                "holding": holding,
                "ledger": ledger,
                "purchases": purchases,
                "recent_charges": recent_charges,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry_body import AuditEntryBody  # noqa: PLC0415
        from ..models.card_department_body import CardDepartmentBody  # noqa: PLC0415
        from ..models.customer_body import CustomerBody  # noqa: PLC0415
        from ..models.holding_body import HoldingBody  # noqa: PLC0415
        from ..models.ledger_entry_body import LedgerEntryBody  # noqa: PLC0415
        from ..models.purchase_body import PurchaseBody  # noqa: PLC0415
        from ..models.usage_charge_body import UsageChargeBody  # noqa: PLC0415

        d = dict(src_dict)
        audit = []
        _audit = d.pop("audit")
        for audit_item_data in _audit:
            audit_item = AuditEntryBody.from_dict(audit_item_data)

            audit.append(audit_item)

        card = []
        _card = d.pop("card")
        for card_item_data in _card:
            card_item = CardDepartmentBody.from_dict(card_item_data)

            card.append(card_item)

        customer = CustomerBody.from_dict(d.pop("customer"))

        holding = HoldingBody.from_dict(d.pop("holding"))

        ledger = []
        _ledger = d.pop("ledger")
        for ledger_item_data in _ledger:
            ledger_item = LedgerEntryBody.from_dict(ledger_item_data)

            ledger.append(ledger_item)

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

        billing_context = cls(
            audit=audit,
            card=card,
            customer=customer,
            holding=holding,
            ledger=ledger,
            purchases=purchases,
            recent_charges=recent_charges,
        )

        billing_context.additional_properties = d
        return billing_context

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
