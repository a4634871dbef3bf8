from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_event_type_body import WebhookEventTypeBody
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpointBody")


@_attrs_define
class WebhookEndpointBody:
    """An endpoint (never its secret).

    Attributes:
        created_at (datetime.datetime): When it was made (RFC 3339).
        description (str): What it is for.
        enabled (bool): Whether events are queued for it and delivered.
        event_types (list[WebhookEventTypeBody]): The event types it receives.
        id (str): Its id.
        url (str): Where events are posted.
        disabled_reason (None | str | Unset): Why Kasa switched it off (every attempt failed for three days); none when
            on or switched
            off by hand.
        failing_since (None | str | Unset): Since when every attempt has failed (RFC 3339); none after a success.
    """

    created_at: datetime.datetime
    description: str
    enabled: bool
    event_types: list[WebhookEventTypeBody]
    id: str
    url: str
    disabled_reason: None | str | Unset = UNSET
    failing_since: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        description = self.description

        enabled = self.enabled

        event_types = []
        for event_types_item_data in self.event_types:
            event_types_item = event_types_item_data.value
            event_types.append(event_types_item)

        id = self.id

        url = self.url

        disabled_reason: None | str | Unset
        if isinstance(self.disabled_reason, Unset):
            disabled_reason = UNSET
        else:
            disabled_reason = self.disabled_reason

        failing_since: None | str | Unset
        if isinstance(self.failing_since, Unset):
            failing_since = UNSET
        else:
            failing_since = self.failing_since

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "description": description,
                "enabled": enabled,
                "event_types": event_types,
                "id": id,
                "url": url,
            }
        )
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if failing_since is not UNSET:
            field_dict["failing_since"] = failing_since

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        description = d.pop("description")

        enabled = d.pop("enabled")

        event_types = []
        _event_types = d.pop("event_types")
        for event_types_item_data in _event_types:
            event_types_item = WebhookEventTypeBody(event_types_item_data)

            event_types.append(event_types_item)

        id = d.pop("id")

        url = d.pop("url")

        def _parse_disabled_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason", UNSET))

        def _parse_failing_since(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        failing_since = _parse_failing_since(d.pop("failing_since", UNSET))

        webhook_endpoint_body = cls(
            created_at=created_at,
            description=description,
            enabled=enabled,
            event_types=event_types,
            id=id,
            url=url,
            disabled_reason=disabled_reason,
            failing_since=failing_since,
        )

        webhook_endpoint_body.additional_properties = d
        return webhook_endpoint_body

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
