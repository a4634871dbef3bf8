from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.refund_limit_body_currency_type_1 import RefundLimitBodyCurrencyType1
from ..models.refund_limit_body_currency_type_2_type_1 import RefundLimitBodyCurrencyType2Type1
from ..models.refund_limit_body_currency_type_3_type_1 import RefundLimitBodyCurrencyType3Type1
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="RefundLimitBody")


@_attrs_define
class RefundLimitBody:
    """A change to a role's refund limits (one per currency).

    Attributes:
        reason (str): Why (audit log).
        currency (None | RefundLimitBodyCurrencyType1 | RefundLimitBodyCurrencyType2Type1 |
            RefundLimitBodyCurrencyType3Type1 | Unset): With `max_refund` null: the currency whose limit to remove.
        max_refund (MoneyBody | None | Unset): The limit in its currency (replacing the role's limit in that currency);
            absent or null
            to remove the limit in `currency`, or every limit of the role when `currency` is absent.
    """

    reason: str
    currency: (
        None
        | RefundLimitBodyCurrencyType1
        | RefundLimitBodyCurrencyType2Type1
        | RefundLimitBodyCurrencyType3Type1
        | Unset
    ) = UNSET
    max_refund: MoneyBody | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        reason = self.reason

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, RefundLimitBodyCurrencyType1):
            currency = self.currency.value
        elif isinstance(self.currency, RefundLimitBodyCurrencyType2Type1):
            currency = self.currency.value
        elif isinstance(self.currency, RefundLimitBodyCurrencyType3Type1):
            currency = self.currency.value
        else:
            currency = self.currency

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
                "reason": reason,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency
        if max_refund is not UNSET:
            field_dict["max_refund"] = max_refund

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        reason = d.pop("reason")

        def _parse_currency(
            data: object,
        ) -> (
            None
            | RefundLimitBodyCurrencyType1
            | RefundLimitBodyCurrencyType2Type1
            | RefundLimitBodyCurrencyType3Type1
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_1 = RefundLimitBodyCurrencyType1(data)

                return currency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_2_type_1 = RefundLimitBodyCurrencyType2Type1(data)

                return currency_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_3_type_1 = RefundLimitBodyCurrencyType3Type1(data)

                return currency_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None
                | RefundLimitBodyCurrencyType1
                | RefundLimitBodyCurrencyType2Type1
                | RefundLimitBodyCurrencyType3Type1
                | Unset,
                data,
            )

        currency = _parse_currency(d.pop("currency", UNSET))

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

        refund_limit_body = cls(
            reason=reason,
            currency=currency,
            max_refund=max_refund,
        )

        refund_limit_body.additional_properties = d
        return refund_limit_body

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
