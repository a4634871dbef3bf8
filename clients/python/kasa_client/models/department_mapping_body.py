from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DepartmentMappingBody")


@_attrs_define
class DepartmentMappingBody:
    """One line of the department mapping.

    Attributes:
        department_id (UUID): The Kasa department its tickets are charged in.
        route (str): The help desk's routing as `kind:value`: `group:<id>` or `brand:<id>` (Zendesk),
            `group:<name>` (Freshdesk), `mailbox:<id>` (Help Scout), `queue:<name>` (Kasa's own
            webhook); `*` for every ticket no other line matches.
    """

    department_id: UUID
    route: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        department_id = str(self.department_id)

        route = self.route

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "department_id": department_id,
                "route": route,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        department_id = UUID(d.pop("department_id"))

        route = d.pop("route")

        department_mapping_body = cls(
            department_id=department_id,
            route=route,
        )

        department_mapping_body.additional_properties = d
        return department_mapping_body

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
