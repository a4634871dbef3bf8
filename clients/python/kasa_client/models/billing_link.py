from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BillingLink")


@_attrs_define
class BillingLink:
    """A customer's billing link.

    Attributes:
        expires_at (datetime.datetime): When it stops working.
        id (str): Its id, to revoke it (`DELETE /v1/customers/{id}/billing-links/{link_id}`).
        token (str): The customer sends `Authorization: Bearer <token>` (the hosted pages carry it); it
            reaches only this customer's billing under `/v1/me`. Shown once.
    """

    expires_at: datetime.datetime
    id: str
    token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at.isoformat()

        id = self.id

        token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_at": expires_at,
                "id": id,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = d.pop("id")

        token = d.pop("token")

        billing_link = cls(
            expires_at=expires_at,
            id=id,
            token=token,
        )

        billing_link.additional_properties = d
        return billing_link

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
