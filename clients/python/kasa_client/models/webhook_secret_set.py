from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.event_settings_body import EventSettingsBody


T = TypeVar("T", bound="WebhookSecretSet")


@_attrs_define
class WebhookSecretSet:
    """A webhook secret just set: the only time a secret Kasa made is shown.

    Attributes:
        settings (EventSettingsBody): An integration's event settings (never the webhook secret).
        secret (None | str | Unset): The secret Kasa made (none when the request gave one): paste it into the help desk
            now,
            Kasa shows it only this once.
    """

    settings: EventSettingsBody
    secret: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        settings = self.settings.to_dict()

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "settings": settings,
            }
        )
        if secret is not UNSET:
            field_dict["secret"] = secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_settings_body import EventSettingsBody  # noqa: PLC0415

        d = dict(src_dict)
        settings = EventSettingsBody.from_dict(d.pop("settings"))

        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))

        webhook_secret_set = cls(
            settings=settings,
            secret=secret,
        )

        webhook_secret_set.additional_properties = d
        return webhook_secret_set

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
