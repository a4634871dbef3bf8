from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TermBody")


@_attrs_define
class TermBody:
    """One paid term.

    Attributes:
        ends_at (datetime.datetime): End.
        purchase_id (UUID): The purchase that paid it.
        starts_at (datetime.datetime): Start.
    """

    ends_at: datetime.datetime
    purchase_id: UUID
    starts_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ends_at = self.ends_at.isoformat()

        purchase_id = str(self.purchase_id)

        starts_at = self.starts_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ends_at": ends_at,
                "purchase_id": purchase_id,
                "starts_at": starts_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        ends_at = datetime.datetime.fromisoformat(d.pop("ends_at"))

        purchase_id = UUID(d.pop("purchase_id"))

        starts_at = datetime.datetime.fromisoformat(d.pop("starts_at"))

        term_body = cls(
            ends_at=ends_at,
            purchase_id=purchase_id,
            starts_at=starts_at,
        )

        term_body.additional_properties = d
        return term_body

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
