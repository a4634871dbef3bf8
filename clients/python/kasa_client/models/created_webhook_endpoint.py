from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.webhook_endpoint_body import WebhookEndpointBody


T = TypeVar("T", bound="CreatedWebhookEndpoint")


@_attrs_define
class CreatedWebhookEndpoint:
    """A new endpoint and its signing secret: the only time the secret is shown.

    Attributes:
        endpoint (WebhookEndpointBody): An endpoint (never its secret).
        secret (str): The secret every delivery's `Kasa-Signature` is made with (`whsec_…`).
    """

    endpoint: WebhookEndpointBody
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        endpoint = self.endpoint.to_dict()

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "endpoint": endpoint,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_endpoint_body import WebhookEndpointBody  # noqa: PLC0415

        d = dict(src_dict)
        endpoint = WebhookEndpointBody.from_dict(d.pop("endpoint"))

        secret = d.pop("secret")

        created_webhook_endpoint = cls(
            endpoint=endpoint,
            secret=secret,
        )

        created_webhook_endpoint.additional_properties = d
        return created_webhook_endpoint

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
