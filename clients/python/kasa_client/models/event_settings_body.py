from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.department_mapping_body import DepartmentMappingBody


T = TypeVar("T", bound="EventSettingsBody")


@_attrs_define
class EventSettingsBody:
    """An integration's event settings (never the webhook secret).

    Attributes:
        integration_id (UUID): The integration.
        mappings (list[DepartmentMappingBody]): The department mapping, first match wins.
        webhook_url (str): Where the help desk posts its events (the vendor's endpoint for this integration).
        secret_set_at (datetime.datetime | None | Unset): When the current webhook secret was set; none: deliveries are
            refused until one is.
    """

    integration_id: UUID
    mappings: list[DepartmentMappingBody]
    webhook_url: str
    secret_set_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        integration_id = str(self.integration_id)

        mappings = []
        for mappings_item_data in self.mappings:
            mappings_item = mappings_item_data.to_dict()
            mappings.append(mappings_item)

        webhook_url = self.webhook_url

        secret_set_at: None | str | Unset
        if isinstance(self.secret_set_at, Unset):
            secret_set_at = UNSET
        elif isinstance(self.secret_set_at, datetime.datetime):
            secret_set_at = self.secret_set_at.isoformat()
        else:
            secret_set_at = self.secret_set_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "integration_id": integration_id,
                "mappings": mappings,
                "webhook_url": webhook_url,
            }
        )
        if secret_set_at is not UNSET:
            field_dict["secret_set_at"] = secret_set_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.department_mapping_body import DepartmentMappingBody  # noqa: PLC0415

        d = dict(src_dict)
        integration_id = UUID(d.pop("integration_id"))

        mappings = []
        _mappings = d.pop("mappings")
        for mappings_item_data in _mappings:
            mappings_item = DepartmentMappingBody.from_dict(mappings_item_data)

            mappings.append(mappings_item)

        webhook_url = d.pop("webhook_url")

        def _parse_secret_set_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                secret_set_at_type_0 = datetime.datetime.fromisoformat(data)

                return secret_set_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        secret_set_at = _parse_secret_set_at(d.pop("secret_set_at", UNSET))

        event_settings_body = cls(
            integration_id=integration_id,
            mappings=mappings,
            webhook_url=webhook_url,
            secret_set_at=secret_set_at,
        )

        event_settings_body.additional_properties = d
        return event_settings_body

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
