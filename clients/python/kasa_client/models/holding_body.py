from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.subscription_body import SubscriptionBody


T = TypeVar("T", bound="HoldingBody")


@_attrs_define
class HoldingBody:
    """What a customer holds.

    Attributes:
        kind (str): `nothing`, `credits` or `subscription`.
        balance (int | None | Unset): The credit balance (credits).
        subscription (None | SubscriptionBody | Unset): The subscription (subscription).
    """

    kind: str
    balance: int | None | Unset = UNSET
    subscription: None | SubscriptionBody | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.subscription_body import SubscriptionBody  # noqa: PLC0415

        kind = self.kind

        balance: int | None | Unset
        if isinstance(self.balance, Unset):
            balance = UNSET
        else:
            balance = self.balance

        subscription: dict[str, Any] | None | Unset
        if isinstance(self.subscription, Unset):
            subscription = UNSET
        elif isinstance(self.subscription, SubscriptionBody):
            subscription = self.subscription.to_dict()
        else:
            subscription = self.subscription

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
            }
        )
        if balance is not UNSET:
            field_dict["balance"] = balance
        if subscription is not UNSET:
            field_dict["subscription"] = subscription

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subscription_body import SubscriptionBody  # noqa: PLC0415

        d = dict(src_dict)
        kind = d.pop("kind")

        def _parse_balance(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        balance = _parse_balance(d.pop("balance", UNSET))

        def _parse_subscription(data: object) -> None | SubscriptionBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                subscription_type_0 = SubscriptionBody.from_dict(data)

                return subscription_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubscriptionBody | Unset, data)

        subscription = _parse_subscription(d.pop("subscription", UNSET))

        holding_body = cls(
            kind=kind,
            balance=balance,
            subscription=subscription,
        )

        holding_body.additional_properties = d
        return holding_body

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
