from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.covering_package import CoveringPackage


T = TypeVar("T", bound="ProblemFacts")


@_attrs_define
class ProblemFacts:
    """The facts behind a refusal. Which ones are present depends on `code` (docs/api-errors.md).

    Attributes:
        applied_at (datetime.datetime | Unset): When the idempotent request was applied.
        balance (int | Unset): The customer's credit balance.
        covering_packages (list[CoveringPackage] | Unset): Packages on sale that would cover the refused charge.
        ended_at (datetime.datetime | Unset): When the subscription ended.
        ends_at (datetime.datetime | Unset): When the subscription ends.
        field (str | Unset): The request field the problem is about.
        limit_bytes (int | Unset): The largest body this endpoint accepts.
        price (int | Unset): The department's price in credits.
        renewal_opens_at (datetime.datetime | Unset): From when it may be renewed.
    """

    applied_at: datetime.datetime | Unset = UNSET
    balance: int | Unset = UNSET
    covering_packages: list[CoveringPackage] | Unset = UNSET
    ended_at: datetime.datetime | Unset = UNSET
    ends_at: datetime.datetime | Unset = UNSET
    field: str | Unset = UNSET
    limit_bytes: int | Unset = UNSET
    price: int | Unset = UNSET
    renewal_opens_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        applied_at: str | Unset = UNSET
        if not isinstance(self.applied_at, Unset):
            applied_at = self.applied_at.isoformat()

        balance = self.balance

        covering_packages: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.covering_packages, Unset):
            covering_packages = []
            for covering_packages_item_data in self.covering_packages:
                covering_packages_item = covering_packages_item_data.to_dict()
                covering_packages.append(covering_packages_item)

        ended_at: str | Unset = UNSET
        if not isinstance(self.ended_at, Unset):
            ended_at = self.ended_at.isoformat()

        ends_at: str | Unset = UNSET
        if not isinstance(self.ends_at, Unset):
            ends_at = self.ends_at.isoformat()

        field = self.field

        limit_bytes = self.limit_bytes

        price = self.price

        renewal_opens_at: str | Unset = UNSET
        if not isinstance(self.renewal_opens_at, Unset):
            renewal_opens_at = self.renewal_opens_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if applied_at is not UNSET:
            field_dict["applied_at"] = applied_at
        if balance is not UNSET:
            field_dict["balance"] = balance
        if covering_packages is not UNSET:
            field_dict["covering_packages"] = covering_packages
        if ended_at is not UNSET:
            field_dict["ended_at"] = ended_at
        if ends_at is not UNSET:
            field_dict["ends_at"] = ends_at
        if field is not UNSET:
            field_dict["field"] = field
        if limit_bytes is not UNSET:
            field_dict["limit_bytes"] = limit_bytes
        if price is not UNSET:
            field_dict["price"] = price
        if renewal_opens_at is not UNSET:
            field_dict["renewal_opens_at"] = renewal_opens_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.covering_package import CoveringPackage  # noqa: PLC0415

        d = dict(src_dict)
        _applied_at = d.pop("applied_at", UNSET)
        applied_at: datetime.datetime | Unset
        if isinstance(_applied_at, Unset):
            applied_at = UNSET
        else:
            applied_at = datetime.datetime.fromisoformat(_applied_at)

        balance = d.pop("balance", UNSET)

        _covering_packages = d.pop("covering_packages", UNSET)
        covering_packages: list[CoveringPackage] | Unset = UNSET
        if _covering_packages is not UNSET:
            covering_packages = []
            for covering_packages_item_data in _covering_packages:
                covering_packages_item = CoveringPackage.from_dict(covering_packages_item_data)

                covering_packages.append(covering_packages_item)

        _ended_at = d.pop("ended_at", UNSET)
        ended_at: datetime.datetime | Unset
        if isinstance(_ended_at, Unset):
            ended_at = UNSET
        else:
            ended_at = datetime.datetime.fromisoformat(_ended_at)

        _ends_at = d.pop("ends_at", UNSET)
        ends_at: datetime.datetime | Unset
        if isinstance(_ends_at, Unset):
            ends_at = UNSET
        else:
            ends_at = datetime.datetime.fromisoformat(_ends_at)

        field = d.pop("field", UNSET)

        limit_bytes = d.pop("limit_bytes", UNSET)

        price = d.pop("price", UNSET)

        _renewal_opens_at = d.pop("renewal_opens_at", UNSET)
        renewal_opens_at: datetime.datetime | Unset
        if isinstance(_renewal_opens_at, Unset):
            renewal_opens_at = UNSET
        else:
            renewal_opens_at = datetime.datetime.fromisoformat(_renewal_opens_at)

        problem_facts = cls(
            applied_at=applied_at,
            balance=balance,
            covering_packages=covering_packages,
            ended_at=ended_at,
            ends_at=ends_at,
            field=field,
            limit_bytes=limit_bytes,
            price=price,
            renewal_opens_at=renewal_opens_at,
        )

        problem_facts.additional_properties = d
        return problem_facts

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
