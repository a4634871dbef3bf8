from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="IntegrationBody")


@_attrs_define
class IntegrationBody:
    """An integration (its secret only in [`CreatedIntegration`]).

    Attributes:
        allowed_origins (list[str]): The origins allowed to frame the panel.
        created_at (datetime.datetime): When created (RFC 3339).
        id (str): Its id: the `integration` parameter of a signed panel URL.
        kind (str): Which help desk.
        name (str): What it is for.
        revoked_at (datetime.datetime | None | Unset): When revoked, if it was.
    """

    allowed_origins: list[str]
    created_at: datetime.datetime
    id: str
    kind: str
    name: str
    revoked_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allowed_origins = self.allowed_origins

        created_at = self.created_at.isoformat()

        id = self.id

        kind = self.kind

        name = self.name

        revoked_at: None | str | Unset
        if isinstance(self.revoked_at, Unset):
            revoked_at = UNSET
        elif isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowed_origins": allowed_origins,
                "created_at": created_at,
                "id": id,
                "kind": kind,
                "name": name,
            }
        )
        if revoked_at is not UNSET:
            field_dict["revoked_at"] = revoked_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        allowed_origins = cast(list[str], d.pop("allowed_origins"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        kind = d.pop("kind")

        name = d.pop("name")

        def _parse_revoked_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at", UNSET))

        integration_body = cls(
            allowed_origins=allowed_origins,
            created_at=created_at,
            id=id,
            kind=kind,
            name=name,
            revoked_at=revoked_at,
        )

        integration_body.additional_properties = d
        return integration_body

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
