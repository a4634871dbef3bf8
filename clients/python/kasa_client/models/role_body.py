from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="RoleBody")


@_attrs_define
class RoleBody:
    """A role and what it may do.

    Attributes:
        max_refunds (list[MoneyBody]): Its refund limits, at most one per currency: in that currency, the most one user
            of the
            role may give back of one payment, and in one UTC day (docs/permissions.md). A currency
            without a limit is not limited.
        name (str): Its name.
        permissions (list[str]): Its permissions.
        max_refund (MoneyBody | None | Unset): Its refund limit when it has exactly one (kept for older clients; read
            `max_refunds`).
    """

    max_refunds: list[MoneyBody]
    name: str
    permissions: list[str]
    max_refund: MoneyBody | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        max_refunds = []
        for max_refunds_item_data in self.max_refunds:
            max_refunds_item = max_refunds_item_data.to_dict()
            max_refunds.append(max_refunds_item)

        name = self.name

        permissions = self.permissions

        max_refund: dict[str, Any] | None | Unset
        if isinstance(self.max_refund, Unset):
            max_refund = UNSET
        elif isinstance(self.max_refund, MoneyBody):
            max_refund = self.max_refund.to_dict()
        else:
            max_refund = self.max_refund

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "max_refunds": max_refunds,
                "name": name,
                "permissions": permissions,
            }
        )
        if max_refund is not UNSET:
            field_dict["max_refund"] = max_refund

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        max_refunds = []
        _max_refunds = d.pop("max_refunds")
        for max_refunds_item_data in _max_refunds:
            max_refunds_item = MoneyBody.from_dict(max_refunds_item_data)

            max_refunds.append(max_refunds_item)

        name = d.pop("name")

        permissions = cast(list[str], d.pop("permissions"))

        def _parse_max_refund(data: object) -> MoneyBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                max_refund_type_0 = MoneyBody.from_dict(data)

                return max_refund_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MoneyBody | None | Unset, data)

        max_refund = _parse_max_refund(d.pop("max_refund", UNSET))

        role_body = cls(
            max_refunds=max_refunds,
            name=name,
            permissions=permissions,
            max_refund=max_refund,
        )

        role_body.additional_properties = d
        return role_body

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
