from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OutboxMessageBody")


@_attrs_define
class OutboxMessageBody:
    """An e-mail (or other side effect) in the outbox.

    Attributes:
        abandoned (bool): Refused for good; never retried.
        attempts (int): Delivery attempts so far.
        created_at (datetime.datetime): When it was queued.
        id (str): Its id.
        kind (str): What it is (`purchase_notification`).
        next_attempt_at (datetime.datetime): Not tried again before this time.
        payload (Any): Recipients, purpose and language.
        last_error (None | str | Unset): The last failure, if any.
        sent_at (datetime.datetime | None | Unset): When the mail server accepted it.
    """

    abandoned: bool
    attempts: int
    created_at: datetime.datetime
    id: str
    kind: str
    next_attempt_at: datetime.datetime
    payload: Any
    last_error: None | str | Unset = UNSET
    sent_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        abandoned = self.abandoned

        attempts = self.attempts

        created_at = self.created_at.isoformat()

        id = self.id

        kind = self.kind

        next_attempt_at = self.next_attempt_at.isoformat()

        payload = self.payload

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        sent_at: None | str | Unset
        if isinstance(self.sent_at, Unset):
            sent_at = UNSET
        elif isinstance(self.sent_at, datetime.datetime):
            sent_at = self.sent_at.isoformat()
        else:
            sent_at = self.sent_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "abandoned": abandoned,
                "attempts": attempts,
                "created_at": created_at,
                "id": id,
                "kind": kind,
                "next_attempt_at": next_attempt_at,
                "payload": payload,
            }
        )
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if sent_at is not UNSET:
            field_dict["sent_at"] = sent_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        abandoned = d.pop("abandoned")

        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        kind = d.pop("kind")

        next_attempt_at = datetime.datetime.fromisoformat(d.pop("next_attempt_at"))

        payload = d.pop("payload")

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        def _parse_sent_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sent_at_type_0 = datetime.datetime.fromisoformat(data)

                return sent_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        sent_at = _parse_sent_at(d.pop("sent_at", UNSET))

        outbox_message_body = cls(
            abandoned=abandoned,
            attempts=attempts,
            created_at=created_at,
            id=id,
            kind=kind,
            next_attempt_at=next_attempt_at,
            payload=payload,
            last_error=last_error,
            sent_at=sent_at,
        )

        outbox_message_body.additional_properties = d
        return outbox_message_body

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
