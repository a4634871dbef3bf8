from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="CouponInput")


@_attrs_define
class CouponInput:
    """A coupon to make: a percentage or amounts, not both.

    Attributes:
        code (str): 1-40 letters, digits, `-` or `_`; stored upper case, unique whatever the case.
        reason (str): Why (audit log).
        amounts (list[MoneyBody] | Unset): Or the amounts off, one per currency, each above zero.
        max_per_customer (int | None | Unset): Purchases of one customer that may use it (at least 1); no limit when
            left out.
        max_redemptions (int | None | Unset): Purchases that may use it in all (at least 1); no limit when left out.
        package_ids (list[str] | Unset): The packages it is limited to; every package when empty.
        percent (None | str | Unset): The percentage off (above 0, at most 100, at most two decimals), e.g. `"12.5"`.
        valid_from (None | str | Unset): From when it applies (RFC 3339); now when left out.
        valid_until (None | str | Unset): Until when, exclusive (RFC 3339); no end when left out.
    """

    code: str
    reason: str
    amounts: list[MoneyBody] | Unset = UNSET
    max_per_customer: int | None | Unset = UNSET
    max_redemptions: int | None | Unset = UNSET
    package_ids: list[str] | Unset = UNSET
    percent: None | str | Unset = UNSET
    valid_from: None | str | Unset = UNSET
    valid_until: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        reason = self.reason

        amounts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.amounts, Unset):
            amounts = []
            for amounts_item_data in self.amounts:
                amounts_item = amounts_item_data.to_dict()
                amounts.append(amounts_item)

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

        package_ids: list[str] | Unset = UNSET
        if not isinstance(self.package_ids, Unset):
            package_ids = self.package_ids

        percent: None | str | Unset
        if isinstance(self.percent, Unset):
            percent = UNSET
        else:
            percent = self.percent

        valid_from: None | str | Unset
        if isinstance(self.valid_from, Unset):
            valid_from = UNSET
        else:
            valid_from = self.valid_from

        valid_until: None | str | Unset
        if isinstance(self.valid_until, Unset):
            valid_until = UNSET
        else:
            valid_until = self.valid_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "reason": reason,
            }
        )
        if amounts is not UNSET:
            field_dict["amounts"] = amounts
        if max_per_customer is not UNSET:
            field_dict["max_per_customer"] = max_per_customer
        if max_redemptions is not UNSET:
            field_dict["max_redemptions"] = max_redemptions
        if package_ids is not UNSET:
            field_dict["package_ids"] = package_ids
        if percent is not UNSET:
            field_dict["percent"] = percent
        if valid_from is not UNSET:
            field_dict["valid_from"] = valid_from
        if valid_until is not UNSET:
            field_dict["valid_until"] = valid_until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        reason = d.pop("reason")

        _amounts = d.pop("amounts", UNSET)
        amounts: list[MoneyBody] | Unset = UNSET
        if _amounts is not UNSET:
            amounts = []
            for amounts_item_data in _amounts:
                amounts_item = MoneyBody.from_dict(amounts_item_data)

                amounts.append(amounts_item)

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

        package_ids = cast(list[str], d.pop("package_ids", UNSET))

        def _parse_percent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        percent = _parse_percent(d.pop("percent", UNSET))

        def _parse_valid_from(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        valid_from = _parse_valid_from(d.pop("valid_from", UNSET))

        def _parse_valid_until(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        valid_until = _parse_valid_until(d.pop("valid_until", UNSET))

        coupon_input = cls(
            code=code,
            reason=reason,
            amounts=amounts,
            max_per_customer=max_per_customer,
            max_redemptions=max_redemptions,
            package_ids=package_ids,
            percent=percent,
            valid_from=valid_from,
            valid_until=valid_until,
        )

        coupon_input.additional_properties = d
        return coupon_input

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
