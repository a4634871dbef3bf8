from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="PaymentActionBody")


@_attrs_define
class PaymentActionBody:
    """One action on a payment, as recorded.

    Attributes:
        actor (str): Who asked, e.g. `agent:…`.
        amount (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        id (str): Its id.
        kind (str): `capture`, `void` or `refund`.
        reason (str): Why.
        requested_at (datetime.datetime): When asked.
        state (str): `requested` (the gateway's answer is not recorded yet), `succeeded` or `failed`.
        detail (None | str | Unset): The gateway's refusal or error.
        finished_at (datetime.datetime | None | Unset): When the gateway's answer was recorded.
        reference (None | str | Unset): The gateway's reference of the operation.
    """

    actor: str
    amount: MoneyBody
    id: str
    kind: str
    reason: str
    requested_at: datetime.datetime
    state: str
    detail: None | str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    reference: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor

        amount = self.amount.to_dict()

        id = self.id

        kind = self.kind

        reason = self.reason

        requested_at = self.requested_at.isoformat()

        state = self.state

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        reference: None | str | Unset
        if isinstance(self.reference, Unset):
            reference = UNSET
        else:
            reference = self.reference

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "amount": amount,
                "id": id,
                "kind": kind,
                "reason": reason,
                "requested_at": requested_at,
                "state": state,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if reference is not UNSET:
            field_dict["reference"] = reference

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        actor = d.pop("actor")

        amount = MoneyBody.from_dict(d.pop("amount"))

        id = d.pop("id")

        kind = d.pop("kind")

        reason = d.pop("reason")

        requested_at = datetime.datetime.fromisoformat(d.pop("requested_at"))

        state = d.pop("state")

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        def _parse_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reference = _parse_reference(d.pop("reference", UNSET))

        payment_action_body = cls(
            actor=actor,
            amount=amount,
            id=id,
            kind=kind,
            reason=reason,
            requested_at=requested_at,
            state=state,
            detail=detail,
            finished_at=finished_at,
            reference=reference,
        )

        payment_action_body.additional_properties = d
        return payment_action_body

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
