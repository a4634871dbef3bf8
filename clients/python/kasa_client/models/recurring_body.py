from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RecurringBody")


@_attrs_define
class RecurringBody:
    """A renewing subscription.

    Attributes:
        created_at (datetime.datetime): When it was set up.
        customer_id (UUID): The customer.
        gateway (str): The gateway.
        package_id (UUID): The package each period buys.
        state (str): `active` (renews), `cancelling` (stops at the period's end) or `ended`.
        subscription (str): The gateway's subscription id.
        updated_at (datetime.datetime): When its state last changed.
    """

    created_at: datetime.datetime
    customer_id: UUID
    gateway: str
    package_id: UUID
    state: str
    subscription: str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        customer_id = str(self.customer_id)

        gateway = self.gateway

        package_id = str(self.package_id)

        state = self.state

        subscription = self.subscription

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "customer_id": customer_id,
                "gateway": gateway,
                "package_id": package_id,
                "state": state,
                "subscription": subscription,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        customer_id = UUID(d.pop("customer_id"))

        gateway = d.pop("gateway")

        package_id = UUID(d.pop("package_id"))

        state = d.pop("state")

        subscription = d.pop("subscription")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        recurring_body = cls(
            created_at=created_at,
            customer_id=customer_id,
            gateway=gateway,
            package_id=package_id,
            state=state,
            subscription=subscription,
            updated_at=updated_at,
        )

        recurring_body.additional_properties = d
        return recurring_body

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
