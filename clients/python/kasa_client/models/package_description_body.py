from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PackageDescriptionBody")


@_attrs_define
class PackageDescriptionBody:
    """A package's description for customers (each language at most 2000 characters; empty for
    none). A customer reads it in their language, else in the other.

        Attributes:
            en (str | Unset): In English. Default: ''.
            tr (str | Unset): In Turkish. Default: ''.
    """

    en: str | Unset = ""
    tr: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        en = self.en

        tr = self.tr

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if en is not UNSET:
            field_dict["en"] = en
        if tr is not UNSET:
            field_dict["tr"] = tr

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        en = d.pop("en", UNSET)

        tr = d.pop("tr", UNSET)

        package_description_body = cls(
            en=en,
            tr=tr,
        )

        package_description_body.additional_properties = d
        return package_description_body

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
