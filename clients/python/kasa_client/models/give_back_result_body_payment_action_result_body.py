from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.give_back_result_body_payment_action_result_body_outcome import (
    GiveBackResultBodyPaymentActionResultBodyOutcome,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.invoice_body import InvoiceBody
    from ..models.payment_action_body import PaymentActionBody
    from ..models.purchase_body import PurchaseBody


T = TypeVar("T", bound="GiveBackResultBodyPaymentActionResultBody")


@_attrs_define
class GiveBackResultBodyPaymentActionResultBody:
    """What a refund or void did: it ran (`outcome: done`, the action's result), or four-eyes
    approval is on and it is above the threshold, so it waits for another person (`outcome:
    pending_approval`, the approval request; nothing moved).

        Attributes:
            action (PaymentActionBody): One action on a payment, as recorded.
            purchase (PurchaseBody): A purchase.
            voided_instead_of_refund (bool): A full refund the bank could not make before its end of day was done as a void.
            outcome (GiveBackResultBodyPaymentActionResultBodyOutcome):  Example: done.
            credits_reversed (int | None | Unset): Credits taken back with the package (a full refund or void of a credit
                package).
            document (InvoiceBody | None | Unset): The invoice (a capture) or credit note (a refund or void) issued.
    """

    action: PaymentActionBody
    purchase: PurchaseBody
    voided_instead_of_refund: bool
    outcome: GiveBackResultBodyPaymentActionResultBodyOutcome
    credits_reversed: int | None | Unset = UNSET
    document: InvoiceBody | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.invoice_body import InvoiceBody  # noqa: PLC0415

        action = self.action.to_dict()

        purchase = self.purchase.to_dict()

        voided_instead_of_refund = self.voided_instead_of_refund

        outcome = self.outcome.value

        credits_reversed: int | None | Unset
        if isinstance(self.credits_reversed, Unset):
            credits_reversed = UNSET
        else:
            credits_reversed = self.credits_reversed

        document: dict[str, Any] | None | Unset
        if isinstance(self.document, Unset):
            document = UNSET
        elif isinstance(self.document, InvoiceBody):
            document = self.document.to_dict()
        else:
            document = self.document

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "purchase": purchase,
                "voided_instead_of_refund": voided_instead_of_refund,
                "outcome": outcome,
            }
        )
        if credits_reversed is not UNSET:
            field_dict["credits_reversed"] = credits_reversed
        if document is not UNSET:
            field_dict["document"] = document

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invoice_body import InvoiceBody  # noqa: PLC0415
        from ..models.payment_action_body import PaymentActionBody  # noqa: PLC0415
        from ..models.purchase_body import PurchaseBody  # noqa: PLC0415

        d = dict(src_dict)
        action = PaymentActionBody.from_dict(d.pop("action"))

        purchase = PurchaseBody.from_dict(d.pop("purchase"))

        voided_instead_of_refund = d.pop("voided_instead_of_refund")

        outcome = GiveBackResultBodyPaymentActionResultBodyOutcome(d.pop("outcome"))

        def _parse_credits_reversed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_reversed = _parse_credits_reversed(d.pop("credits_reversed", UNSET))

        def _parse_document(data: object) -> InvoiceBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                document_type_0 = InvoiceBody.from_dict(data)

                return document_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InvoiceBody | None | Unset, data)

        document = _parse_document(d.pop("document", UNSET))

        give_back_result_body_payment_action_result_body = cls(
            action=action,
            purchase=purchase,
            voided_instead_of_refund=voided_instead_of_refund,
            outcome=outcome,
            credits_reversed=credits_reversed,
            document=document,
        )

        give_back_result_body_payment_action_result_body.additional_properties = d
        return give_back_result_body_payment_action_result_body

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
