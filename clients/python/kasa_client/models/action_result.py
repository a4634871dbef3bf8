from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.card_department_body import CardDepartmentBody
    from ..models.holding_body import HoldingBody
    from ..models.purchase_body import PurchaseBody


T = TypeVar("T", bound="ActionResult")


@_attrs_define
class ActionResult:
    """The customer after an action.

    Attributes:
        card (list[CardDepartmentBody]): The departments on their card now.
        holding (HoldingBody): What a customer holds.
        ends_at (datetime.datetime | None | Unset): For a cancellation: when access ends.
        prorated_refunds (Any | Unset): For a prorated cancellation: each paid purchase's refund of the unused time,
            made
            through its payment (`purchase_id`, `amount`, `currency`, `outcome`: `succeeded` with
            `payment_action_id`, `payment_status` and `credit_note`; `pending_approval` with
            `approval_request_id` and `expires_at` when four-eyes approval applies; or `failed` with
            the `problem`'s `code` and `detail`: nothing moved for that one).
        purchase (None | PurchaseBody | Unset): The purchase, for a grant.
    """

    card: list[CardDepartmentBody]
    holding: HoldingBody
    ends_at: datetime.datetime | None | Unset = UNSET
    prorated_refunds: Any | Unset = UNSET
    purchase: None | PurchaseBody | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.purchase_body import PurchaseBody  # noqa: PLC0415

        card = []
        for card_item_data in self.card:
            card_item = card_item_data.to_dict()
            card.append(card_item)

        holding = self.holding.to_dict()

        ends_at: None | str | Unset
        if isinstance(self.ends_at, Unset):
            ends_at = UNSET
        elif isinstance(self.ends_at, datetime.datetime):
            ends_at = self.ends_at.isoformat()
        else:
            ends_at = self.ends_at

        prorated_refunds = self.prorated_refunds

        purchase: dict[str, Any] | None | Unset
        if isinstance(self.purchase, Unset):
            purchase = UNSET
        elif isinstance(self.purchase, PurchaseBody):
            purchase = self.purchase.to_dict()
        else:
            purchase = self.purchase

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "card": card,
                "holding": holding,
            }
        )
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at
        if prorated_refunds is not UNSET:
            field_dict["prorated_refunds"] = prorated_refunds
        if purchase is not UNSET:
            field_dict["purchase"] = purchase

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.card_department_body import CardDepartmentBody  # noqa: PLC0415
        from ..models.holding_body import HoldingBody  # noqa: PLC0415
        from ..models.purchase_body import PurchaseBody  # noqa: PLC0415

        d = dict(src_dict)
        card = []
        _card = d.pop("card")
        for card_item_data in _card:
            card_item = CardDepartmentBody.from_dict(card_item_data)

            card.append(card_item)

        holding = HoldingBody.from_dict(d.pop("holding"))

        def _parse_ends_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ends_at_type_0 = datetime.datetime.fromisoformat(data)

                return ends_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        ends_at = _parse_ends_at(d.pop("ends_at", UNSET))

        prorated_refunds = d.pop("prorated_refunds", UNSET)

        def _parse_purchase(data: object) -> None | PurchaseBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                purchase_type_0 = PurchaseBody.from_dict(data)

                return purchase_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PurchaseBody | Unset, data)

        purchase = _parse_purchase(d.pop("purchase", UNSET))

        action_result = cls(
            card=card,
            holding=holding,
            ends_at=ends_at,
            prorated_refunds=prorated_refunds,
            purchase=purchase,
        )

        action_result.additional_properties = d
        return action_result

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
