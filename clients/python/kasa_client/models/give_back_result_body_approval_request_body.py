from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.give_back_result_body_approval_request_body_outcome import GiveBackResultBodyApprovalRequestBodyOutcome
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="GiveBackResultBodyApprovalRequestBody")


@_attrs_define
class GiveBackResultBodyApprovalRequestBody:
    """What a refund or void did: it ran (`outcome: done`, the action's result), or four-eyes
    approval is on and it is above the threshold, so it waits for another person (`outcome:
    pending_approval`, the approval request; nothing moved).

        Attributes:
            action (str): `refund` or `void`.
            amount (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
            expires_at (datetime.datetime): When it can no longer be approved.
            id (str): Its id.
            purchase_id (UUID): The purchase whose payment it gives back.
            reason (str): Why.
            requested_at (datetime.datetime): When asked.
            requested_by (str): Who asked.
            state (str): `pending`, `expired` (pending past `expires_at`), `approving` (its action is running),
                `approved`, `failed` (approved, but the action was refused or failed) or `rejected`.
            outcome (GiveBackResultBodyApprovalRequestBodyOutcome):  Example: pending_approval.
            decided_at (datetime.datetime | None | Unset): When they did.
            decided_by (None | str | Unset): Who approved or rejected it.
            decision_reason (None | str | Unset): Why they did.
            detail (None | str | Unset): Why the approved action failed.
            payment_action_id (None | Unset | UUID): The payment action the approval ran.
    """

    action: str
    amount: MoneyBody
    expires_at: datetime.datetime
    id: str
    purchase_id: UUID
    reason: str
    requested_at: datetime.datetime
    requested_by: str
    state: str
    outcome: GiveBackResultBodyApprovalRequestBodyOutcome
    decided_at: datetime.datetime | None | Unset = UNSET
    decided_by: None | str | Unset = UNSET
    decision_reason: None | str | Unset = UNSET
    detail: None | str | Unset = UNSET
    payment_action_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        amount = self.amount.to_dict()

        expires_at = self.expires_at.isoformat()

        id = self.id

        purchase_id = str(self.purchase_id)

        reason = self.reason

        requested_at = self.requested_at.isoformat()

        requested_by = self.requested_by

        state = self.state

        outcome = self.outcome.value

        decided_at: None | str | Unset
        if isinstance(self.decided_at, Unset):
            decided_at = UNSET
        elif isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        decided_by: None | str | Unset
        if isinstance(self.decided_by, Unset):
            decided_by = UNSET
        else:
            decided_by = self.decided_by

        decision_reason: None | str | Unset
        if isinstance(self.decision_reason, Unset):
            decision_reason = UNSET
        else:
            decision_reason = self.decision_reason

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        payment_action_id: None | str | Unset
        if isinstance(self.payment_action_id, Unset):
            payment_action_id = UNSET
        elif isinstance(self.payment_action_id, UUID):
            payment_action_id = str(self.payment_action_id)
        else:
            payment_action_id = self.payment_action_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "amount": amount,
                "expires_at": expires_at,
                "id": id,
                "purchase_id": purchase_id,
                "reason": reason,
                "requested_at": requested_at,
                "requested_by": requested_by,
                "state": state,
                "outcome": outcome,
            }
        )
        if decided_at is not UNSET:
            field_dict["decided_at"] = decided_at
        if decided_by is not UNSET:
            field_dict["decided_by"] = decided_by
        if decision_reason is not UNSET:
            field_dict["decision_reason"] = decision_reason
        if detail is not UNSET:
            field_dict["detail"] = detail
        if payment_action_id is not UNSET:
            field_dict["payment_action_id"] = payment_action_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        action = d.pop("action")

        amount = MoneyBody.from_dict(d.pop("amount"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = d.pop("id")

        purchase_id = UUID(d.pop("purchase_id"))

        reason = d.pop("reason")

        requested_at = datetime.datetime.fromisoformat(d.pop("requested_at"))

        requested_by = d.pop("requested_by")

        state = d.pop("state")

        outcome = GiveBackResultBodyApprovalRequestBodyOutcome(d.pop("outcome"))

        def _parse_decided_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_at_type_0 = datetime.datetime.fromisoformat(data)

                return decided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        decided_at = _parse_decided_at(d.pop("decided_at", UNSET))

        def _parse_decided_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        decided_by = _parse_decided_by(d.pop("decided_by", UNSET))

        def _parse_decision_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        decision_reason = _parse_decision_reason(d.pop("decision_reason", UNSET))

        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        def _parse_payment_action_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                payment_action_id_type_0 = UUID(data)

                return payment_action_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        payment_action_id = _parse_payment_action_id(d.pop("payment_action_id", UNSET))

        give_back_result_body_approval_request_body = cls(
            action=action,
            amount=amount,
            expires_at=expires_at,
            id=id,
            purchase_id=purchase_id,
            reason=reason,
            requested_at=requested_at,
            requested_by=requested_by,
            state=state,
            outcome=outcome,
            decided_at=decided_at,
            decided_by=decided_by,
            decision_reason=decision_reason,
            detail=detail,
            payment_action_id=payment_action_id,
        )

        give_back_result_body_approval_request_body.additional_properties = d
        return give_back_result_body_approval_request_body

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
