from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.refund_allowance_body_currency import RefundAllowanceBodyCurrency
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="RefundAllowanceBody")


@_attrs_define
class RefundAllowanceBody:
    """What the caller may still refund of a purchase's payment.

    Attributes:
        currency (RefundAllowanceBodyCurrency): The payment's currency.
        day_ends_at (datetime.datetime): Its end (exclusive).
        day_starts_at (datetime.datetime): The start of the day `given_back_today` counts (RFC 3339, UTC).
        given_back_of_payment (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        given_back_today (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        refundable (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        refunded_of_payment (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        remaining (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        limit (MoneyBody | None | Unset): The caller's role's limit in that currency; absent when there is none (not
            limited).
    """

    currency: RefundAllowanceBodyCurrency
    day_ends_at: datetime.datetime
    day_starts_at: datetime.datetime
    given_back_of_payment: MoneyBody
    given_back_today: MoneyBody
    refundable: MoneyBody
    refunded_of_payment: MoneyBody
    remaining: MoneyBody
    limit: MoneyBody | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        currency = self.currency.value

        day_ends_at = self.day_ends_at.isoformat()

        day_starts_at = self.day_starts_at.isoformat()

        given_back_of_payment = self.given_back_of_payment.to_dict()

        given_back_today = self.given_back_today.to_dict()

        refundable = self.refundable.to_dict()

        refunded_of_payment = self.refunded_of_payment.to_dict()

        remaining = self.remaining.to_dict()

        limit: dict[str, Any] | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        elif isinstance(self.limit, MoneyBody):
            limit = self.limit.to_dict()
        else:
            limit = self.limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "day_ends_at": day_ends_at,
                "day_starts_at": day_starts_at,
                "given_back_of_payment": given_back_of_payment,
                "given_back_today": given_back_today,
                "refundable": refundable,
                "refunded_of_payment": refunded_of_payment,
                "remaining": remaining,
            }
        )
        if limit is not UNSET:
            field_dict["limit"] = limit

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        currency = RefundAllowanceBodyCurrency(d.pop("currency"))

        day_ends_at = datetime.datetime.fromisoformat(d.pop("day_ends_at"))

        day_starts_at = datetime.datetime.fromisoformat(d.pop("day_starts_at"))

        given_back_of_payment = MoneyBody.from_dict(d.pop("given_back_of_payment"))

        given_back_today = MoneyBody.from_dict(d.pop("given_back_today"))

        refundable = MoneyBody.from_dict(d.pop("refundable"))

        refunded_of_payment = MoneyBody.from_dict(d.pop("refunded_of_payment"))

        remaining = MoneyBody.from_dict(d.pop("remaining"))

        def _parse_limit(data: object) -> MoneyBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                limit_type_0 = MoneyBody.from_dict(data)

                return limit_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MoneyBody | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))

        refund_allowance_body = cls(
            currency=currency,
            day_ends_at=day_ends_at,
            day_starts_at=day_starts_at,
            given_back_of_payment=given_back_of_payment,
            given_back_today=given_back_today,
            refundable=refundable,
            refunded_of_payment=refunded_of_payment,
            remaining=remaining,
            limit=limit,
        )

        refund_allowance_body.additional_properties = d
        return refund_allowance_body

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
