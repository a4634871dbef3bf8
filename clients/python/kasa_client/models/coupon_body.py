from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.discount_kind_body import DiscountKindBody
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="CouponBody")


@_attrs_define
class CouponBody:
    """A coupon.

    Attributes:
        amounts (list[MoneyBody]): The amounts off, one per currency, for fixed coupons.
        code (str): Its code, upper case (customers may type it in any case).
        created_at (datetime.datetime): When it was made (RFC 3339).
        discount_kind (DiscountKindBody): Percentage or fixed amount.
        enabled (bool): Whether it applies at all.
        id (str): Its id.
        package_ids (list[str]): The packages it is limited to; empty for every package.
        redemptions (int): Purchases that use it and have not failed.
        valid_from (str): From when it applies (RFC 3339).
        disabled_reason (None | str | Unset): Why it was switched off.
        max_per_customer (int | None | Unset): Purchases of one customer that may use it; none for no limit.
        max_redemptions (int | None | Unset): Purchases that may use it in all; none for no limit.
        percent (None | str | Unset): The percentage off, as a decimal string (`"12.5"`), for percentage coupons.
        valid_until (None | str | Unset): Until when, exclusive (RFC 3339); none for no end.
    """

    amounts: list[MoneyBody]
    code: str
    created_at: datetime.datetime
    discount_kind: DiscountKindBody
    enabled: bool
    id: str
    package_ids: list[str]
    redemptions: int
    valid_from: str
    disabled_reason: None | str | Unset = UNSET
    max_per_customer: int | None | Unset = UNSET
    max_redemptions: int | None | Unset = UNSET
    percent: None | str | Unset = UNSET
    valid_until: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amounts = []
        for amounts_item_data in self.amounts:
            amounts_item = amounts_item_data.to_dict()
            amounts.append(amounts_item)

        code = self.code

        created_at = self.created_at.isoformat()

        discount_kind = self.discount_kind.value

        enabled = self.enabled

        id = self.id

        package_ids = self.package_ids

        redemptions = self.redemptions

        valid_from = self.valid_from

        disabled_reason: None | str | Unset
        if isinstance(self.disabled_reason, Unset):
            disabled_reason = UNSET
        else:
            disabled_reason = self.disabled_reason

        max_per_customer: int | None | Unset
        if isinstance(self.max_per_customer, Unset):
            max_per_customer = UNSET
        else:
            max_per_customer = self.max_per_customer

        max_redemptions: int | None | Unset
        if isinstance(self.max_redemptions, Unset):
            max_redemptions = UNSET
        else:
            max_redemptions = self.max_redemptions

        percent: None | str | Unset
        if isinstance(self.percent, Unset):
            percent = UNSET
        else:
            percent = self.percent

        valid_until: None | str | Unset
        if isinstance(self.valid_until, Unset):
            valid_until = UNSET
        else:
            valid_until = self.valid_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amounts": amounts,
                "code": code,
                "created_at": created_at,
                "discount_kind": discount_kind,
                "enabled": enabled,
                "id": id,
                "package_ids": package_ids,
                "redemptions": redemptions,
                "valid_from": valid_from,
            }
        )
        if disabled_reason is not UNSET:
            field_dict["disabled_reason"] = disabled_reason
        if max_per_customer is not UNSET:
            field_dict["max_per_customer"] = max_per_customer
        if max_redemptions is not UNSET:
            field_dict["max_redemptions"] = max_redemptions
        if percent is not UNSET:
            field_dict["percent"] = percent
        if valid_until is not UNSET:
            field_dict["valid_until"] = valid_until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        amounts = []
        _amounts = d.pop("amounts")
        for amounts_item_data in _amounts:
            amounts_item = MoneyBody.from_dict(amounts_item_data)

            amounts.append(amounts_item)

        code = d.pop("code")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        discount_kind = DiscountKindBody(d.pop("discount_kind"))

        enabled = d.pop("enabled")

        id = d.pop("id")

        package_ids = cast(list[str], d.pop("package_ids"))

        redemptions = d.pop("redemptions")

        valid_from = d.pop("valid_from")

        def _parse_disabled_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason", UNSET))

        def _parse_max_per_customer(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_per_customer = _parse_max_per_customer(d.pop("max_per_customer", UNSET))

        def _parse_max_redemptions(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_redemptions = _parse_max_redemptions(d.pop("max_redemptions", UNSET))

        def _parse_percent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        percent = _parse_percent(d.pop("percent", UNSET))

        def _parse_valid_until(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        valid_until = _parse_valid_until(d.pop("valid_until", UNSET))

        coupon_body = cls(
            amounts=amounts,
            code=code,
            created_at=created_at,
            discount_kind=discount_kind,
            enabled=enabled,
            id=id,
            package_ids=package_ids,
            redemptions=redemptions,
            valid_from=valid_from,
            disabled_reason=disabled_reason,
            max_per_customer=max_per_customer,
            max_redemptions=max_redemptions,
            percent=percent,
            valid_until=valid_until,
        )

        coupon_body.additional_properties = d
        return coupon_body

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
