from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_event_type_body import WebhookEventTypeBody
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookDeliveryBody")


@_attrs_define
class WebhookDeliveryBody:
    """One event's delivery to an endpoint.

    Attributes:
        attempts (int): Attempts so far.
        body (str): The body posted, exactly as signed.
        created_at (datetime.datetime): When the fact happened (RFC 3339).
        event_id (str): The event's id (the envelope's `id`).
        event_type (WebhookEventTypeBody): An event type an endpoint subscribes to (docs/webhooks.md lists what each
            carries).
        state (str): `pending` or `delivered`.
        delivered_at (datetime.datetime | None | Unset): When the endpoint took it (RFC 3339).
        next_attempt_at (datetime.datetime | None | Unset): When the next attempt is due, while pending (RFC 3339).
    """

    attempts: int
    body: str
    created_at: datetime.datetime
    event_id: str
    event_type: WebhookEventTypeBody
    state: str
    delivered_at: datetime.datetime | None | Unset = UNSET
    next_attempt_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        body = self.body

        created_at = self.created_at.isoformat()

        event_id = self.event_id

        event_type = self.event_type.value

        state = self.state

        delivered_at: None | str | Unset
        if isinstance(self.delivered_at, Unset):
            delivered_at = UNSET
        elif isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        next_attempt_at: None | str | Unset
        if isinstance(self.next_attempt_at, Unset):
            next_attempt_at = UNSET
        elif isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "body": body,
                "created_at": created_at,
                "event_id": event_id,
                "event_type": event_type,
                "state": state,
            }
        )
        if delivered_at is not UNSET:
            field_dict["delivered_at"] = delivered_at
        if next_attempt_at is not UNSET:
            field_dict["next_attempt_at"] = next_attempt_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        body = d.pop("body")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        event_id = d.pop("event_id")

        event_type = WebhookEventTypeBody(d.pop("event_type"))

        state = d.pop("state")

        def _parse_delivered_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at", UNSET))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at", UNSET))

        webhook_delivery_body = cls(
            attempts=attempts,
            body=body,
            created_at=created_at,
            event_id=event_id,
            event_type=event_type,
            state=state,
            delivered_at=delivered_at,
            next_attempt_at=next_attempt_at,
        )

        webhook_delivery_body.additional_properties = d
        return webhook_delivery_body

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
