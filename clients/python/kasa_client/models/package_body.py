from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.package_kind_body import PackageKindBody
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody
    from ..models.package_description_body import PackageDescriptionBody


T = TypeVar("T", bound="PackageBody")


@_attrs_define
class PackageBody:
    """A billing package.

    Attributes:
        department_ids (list[str]): The departments it covers.
        description (PackageDescriptionBody): A package's description for customers (each language at most 2000
            characters; empty for
            none). A customer reads it in their language, else in the other.
        id (str): Its id.
        kind (PackageKindBody): The kind of package.
        name (str): Its name.
        on_sale (bool): Whether customers can buy it.
        price (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        credits_ (int | None | Unset): Credits granted (credit packages).
        days (int | None | Unset): Days of access (subscription packages).
    """

    department_ids: list[str]
    description: PackageDescriptionBody
    id: str
    kind: PackageKindBody
    name: str
    on_sale: bool
    price: MoneyBody
    credits_: int | None | Unset = UNSET
    days: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        department_ids = self.department_ids

        description = self.description.to_dict()

        id = self.id

        kind = self.kind.value

        name = self.name

        on_sale = self.on_sale

        price = self.price.to_dict()

        credits_: int | None | Unset
        if isinstance(self.credits_, Unset):
            credits_ = UNSET
        else:
            credits_ = self.credits_

        days: int | None | Unset
        if isinstance(self.days, Unset):
            days = UNSET
        else:
            days = self.days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "department_ids": department_ids,
                "description": description,
                "id": id,
                "kind": kind,
                "name": name,
                "on_sale": on_sale,
                "price": price,
            }
        )
        if credits_ is not UNSET:
            field_dict["credits"] = credits_
        if days is not UNSET:
            field_dict["days"] = days

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415
        from ..models.package_description_body import PackageDescriptionBody  # noqa: PLC0415

        d = dict(src_dict)
        department_ids = cast(list[str], d.pop("department_ids"))

        description = PackageDescriptionBody.from_dict(d.pop("description"))

        id = d.pop("id")

        kind = PackageKindBody(d.pop("kind"))

        name = d.pop("name")

        on_sale = d.pop("on_sale")

        price = MoneyBody.from_dict(d.pop("price"))

        def _parse_credits_(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_ = _parse_credits_(d.pop("credits", UNSET))

        def _parse_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        days = _parse_days(d.pop("days", UNSET))

        package_body = cls(
            department_ids=department_ids,
            description=description,
            id=id,
            kind=kind,
            name=name,
            on_sale=on_sale,
            price=price,
            credits_=credits_,
            days=days,
        )

        package_body.additional_properties = d
        return package_body

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
