from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="HelpDeskConnectionBody")


@_attrs_define
class HelpDeskConnectionBody:
    """An integration's help-desk API connection (never its secret).

    Attributes:
        base_url (str): The API's base URL.
        updated_at (datetime.datetime): When last saved (RFC 3339).
        login (None | str | Unset): Who Kasa signs in as.
        mailbox (None | str | Unset): Help Scout's mailbox for new conversations.
    """

    base_url: str
    updated_at: datetime.datetime
    login: None | str | Unset = UNSET
    mailbox: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        base_url = self.base_url

        updated_at = self.updated_at.isoformat()

        login: None | str | Unset
        if isinstance(self.login, Unset):
            login = UNSET
        else:
            login = self.login

        mailbox: None | str | Unset
        if isinstance(self.mailbox, Unset):
            mailbox = UNSET
        else:
            mailbox = self.mailbox

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "base_url": base_url,
                "updated_at": updated_at,
            }
        )
        if login is not UNSET:
            field_dict["login"] = login
        if mailbox is not UNSET:
            field_dict["mailbox"] = mailbox

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        base_url = d.pop("base_url")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_login(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        login = _parse_login(d.pop("login", UNSET))

        def _parse_mailbox(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mailbox = _parse_mailbox(d.pop("mailbox", UNSET))

        help_desk_connection_body = cls(
            base_url=base_url,
            updated_at=updated_at,
            login=login,
            mailbox=mailbox,
        )

        help_desk_connection_body.additional_properties = d
        return help_desk_connection_body

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
