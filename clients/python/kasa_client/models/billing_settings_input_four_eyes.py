from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="BillingSettingsInputFourEyes")


@_attrs_define
class BillingSettingsInputFourEyes:
    """Four-eyes approval of large give-backs (off when left out).

    Attributes:
        expires_after_minutes (int | Unset): How long a request can be approved, in minutes (default 1440, one day; 0
            expires at
            once). Default: 1440.
        thresholds (list[MoneyBody] | Unset): At most one per currency.
    """

    expires_after_minutes: int | Unset = 1440
    thresholds: list[MoneyBody] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_after_minutes = self.expires_after_minutes

        thresholds: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.thresholds, Unset):
            thresholds = []
            for thresholds_item_data in self.thresholds:
                thresholds_item = thresholds_item_data.to_dict()
                thresholds.append(thresholds_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if expires_after_minutes is not UNSET:
            field_dict["expires_after_minutes"] = expires_after_minutes
        if thresholds is not UNSET:
            field_dict["thresholds"] = thresholds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        expires_after_minutes = d.pop("expires_after_minutes", UNSET)

        _thresholds = d.pop("thresholds", UNSET)
        thresholds: list[MoneyBody] | Unset = UNSET
        if _thresholds is not UNSET:
            thresholds = []
            for thresholds_item_data in _thresholds:
                thresholds_item = MoneyBody.from_dict(thresholds_item_data)

                thresholds.append(thresholds_item)

        billing_settings_input_four_eyes = cls(
            expires_after_minutes=expires_after_minutes,
            thresholds=thresholds,
        )

        billing_settings_input_four_eyes.additional_properties = d
        return billing_settings_input_four_eyes

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
