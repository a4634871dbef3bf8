from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ZendeskAppBody")


@_attrs_define
class ZendeskAppBody:
    """How the integration's Zendesk app is checked.

    Attributes:
        installation_url (str): The installation the tokens are for:
            `https://{subdomain}.zendesk.com/api/v2/apps/installations/{installation_id}.json`.
        public_key_pem (str): The app's RSA public key, PEM (`-----BEGIN PUBLIC KEY-----`), as Zendesk shows it
            (`GET /api/v2/apps/{app_id}/public_key.pem`).
    """

    installation_url: str
    public_key_pem: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        installation_url = self.installation_url

        public_key_pem = self.public_key_pem

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "installation_url": installation_url,
                "public_key_pem": public_key_pem,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        installation_url = d.pop("installation_url")

        public_key_pem = d.pop("public_key_pem")

        zendesk_app_body = cls(
            installation_url=installation_url,
            public_key_pem=public_key_pem,
        )

        zendesk_app_body.additional_properties = d
        return zendesk_app_body

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
