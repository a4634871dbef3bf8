from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.webhook_event_type_body import WebhookEventTypeBody
from ..types import UNSET, Unset

T = TypeVar("T", bound="NewWebhookEndpointBody")


@_attrs_define
class NewWebhookEndpointBody:
    """A new endpoint.

    Attributes:
        event_types (list[WebhookEventTypeBody]): The event types it receives (at least one).
        reason (str): Why (audit log).
        url (str): Where events are posted: `https://…` (`http://` only on loopback).
        description (str | Unset): What it is for (shown in the console). Default: ''.
    """

    event_types: list[WebhookEventTypeBody]
    reason: str
    url: str
    description: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        event_types = []
        for event_types_item_data in self.event_types:
            event_types_item = event_types_item_data.value
            event_types.append(event_types_item)

        reason = self.reason

        url = self.url

        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "event_types": event_types,
                "reason": reason,
                "url": url,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_types = []
        _event_types = d.pop("event_types")
        for event_types_item_data in _event_types:
            event_types_item = WebhookEventTypeBody(event_types_item_data)

            event_types.append(event_types_item)

        reason = d.pop("reason")

        url = d.pop("url")

        description = d.pop("description", UNSET)

        new_webhook_endpoint_body = cls(
            event_types=event_types,
            reason=reason,
            url=url,
            description=description,
        )

        new_webhook_endpoint_body.additional_properties = d
        return new_webhook_endpoint_body

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
