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


T = TypeVar("T", bound="PackageInput")


@_attrs_define
class PackageInput:
    """A package to create or change.

    Attributes:
        department_ids (list[str]): The departments it covers (at least one).
        kind (PackageKindBody): The kind of package.
        name (str): Its name, 1-200 characters.
        on_sale (bool): Whether customers can buy it now.
        price (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        reason (str): Why (audit log).
        credits_ (int | None | Unset): Credits granted (credit packages, more than 0).
        days (int | None | Unset): Days of access (subscription packages, 1-3660).
        description (None | PackageDescriptionBody | Unset): What it is, for customers; left out, a new package has none
            and a changed one keeps
            its own.
    """

    department_ids: list[str]
    kind: PackageKindBody
    name: str
    on_sale: bool
    price: MoneyBody
    reason: str
    credits_: int | None | Unset = UNSET
    days: int | None | Unset = UNSET
    description: None | PackageDescriptionBody | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.package_description_body import PackageDescriptionBody  # noqa: PLC0415

        department_ids = self.department_ids

        kind = self.kind.value

        name = self.name

        on_sale = self.on_sale

        price = self.price.to_dict()

        reason = self.reason

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

        description: dict[str, Any] | None | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        elif isinstance(self.description, PackageDescriptionBody):
            description = self.description.to_dict()
        else:
            description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "department_ids": department_ids,
                "kind": kind,
                "name": name,
                "on_sale": on_sale,
                "price": price,
                "reason": reason,
            }
        )
        if credits_ is not UNSET:
            field_dict["credits"] = credits_
        if days is not UNSET:
            field_dict["days"] = days
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415
        from ..models.package_description_body import PackageDescriptionBody  # noqa: PLC0415

        d = dict(src_dict)
        department_ids = cast(list[str], d.pop("department_ids"))

        kind = PackageKindBody(d.pop("kind"))

        name = d.pop("name")

        on_sale = d.pop("on_sale")

        price = MoneyBody.from_dict(d.pop("price"))

        reason = d.pop("reason")

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

        def _parse_description(data: object) -> None | PackageDescriptionBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                description_type_0 = PackageDescriptionBody.from_dict(data)

                return description_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PackageDescriptionBody | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        package_input = cls(
            department_ids=department_ids,
            kind=kind,
            name=name,
            on_sale=on_sale,
            price=price,
            reason=reason,
            credits_=credits_,
            days=days,
            description=description,
        )

        package_input.additional_properties = d
        return package_input

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
