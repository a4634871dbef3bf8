from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.term_body import TermBody


T = TypeVar("T", bound="SubscriptionBody")


@_attrs_define
class SubscriptionBody:
    """A subscription.

    Attributes:
        cancel_at_end (bool): Set to end at its end (cancelled).
        days_left (int): Whole days left.
        ends_at (datetime.datetime): When the last term ends.
        starts_at (datetime.datetime): When the first term started.
        terms (list[TermBody]): The back-to-back terms.
    """

    cancel_at_end: bool
    days_left: int
    ends_at: datetime.datetime
    starts_at: datetime.datetime
    terms: list[TermBody]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cancel_at_end = self.cancel_at_end

        days_left = self.days_left

        ends_at = self.ends_at.isoformat()

        starts_at = self.starts_at.isoformat()

        terms = []
        for terms_item_data in self.terms:
            terms_item = terms_item_data.to_dict()
            terms.append(terms_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cancel_at_end": cancel_at_end,
                "days_left": days_left,
                "ends_at": ends_at,
                "starts_at": starts_at,
                "terms": terms,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.term_body import TermBody  # noqa: PLC0415

        d = dict(src_dict)
        cancel_at_end = d.pop("cancel_at_end")

        days_left = d.pop("days_left")

        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))

        starts_at = datetime.datetime.fromisoformat(d.pop("starts_at"))

        terms = []
        _terms = d.pop("terms")
        for terms_item_data in _terms:
            terms_item = TermBody.from_dict(terms_item_data)

            terms.append(terms_item)

        subscription_body = cls(
            cancel_at_end=cancel_at_end,
            days_left=days_left,
            ends_at=ends_at,
            starts_at=starts_at,
            terms=terms,
        )

        subscription_body.additional_properties = d
        return subscription_body

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
