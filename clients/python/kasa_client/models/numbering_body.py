from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="NumberingBody")


@_attrs_define
class NumberingBody:
    """One series of document numbers in one year, checked for gaps.

    Attributes:
        documents (int): Documents stored.
        last_number (int): The highest number taken.
        missing (list[str]): Every missing number, as document numbers (`KSA-2026-000004`); empty when none is.
        series (str): The series.
        year (int): The year.
    """

    documents: int
    last_number: int
    missing: list[str]
    series: str
    year: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        documents = self.documents

        last_number = self.last_number

        missing = self.missing

        series = self.series

        year = self.year

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "documents": documents,
                "last_number": last_number,
                "missing": missing,
                "series": series,
                "year": year,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        documents = d.pop("documents")

        last_number = d.pop("last_number")

        missing = cast(list[str], d.pop("missing"))

        series = d.pop("series")

        year = d.pop("year")

        numbering_body = cls(
            documents=documents,
            last_number=last_number,
            missing=missing,
            series=series,
            year=year,
        )

        numbering_body.additional_properties = d
        return numbering_body

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
