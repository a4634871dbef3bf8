from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEntryBody")


@_attrs_define
class AuditEntryBody:
    """An audit entry.

    Attributes:
        action (str): What (`purchase.completed`, `credits.adjusted`, ...).
        actor (str): Who (`agent:<id>`, ...).
        at (str): When.
        id (str): Its id (the cursor for the next page).
        reason (str): Why.
        subject (str): About what (`customer:<id>`, ...).
        after (Any | Unset): The state after.
        before (Any | Unset): The state before.
        request_id (None | str | Unset): The request that did it.
    """

    action: str
    actor: str
    at: str
    id: str
    reason: str
    subject: str
    after: Any | Unset = UNSET
    before: Any | Unset = UNSET
    request_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        actor = self.actor

        at = self.at

        id = self.id

        reason = self.reason

        subject = self.subject

        after = self.after

        before = self.before

        request_id: None | str | Unset
        if isinstance(self.request_id, Unset):
            request_id = UNSET
        else:
            request_id = self.request_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor": actor,
                "at": at,
                "id": id,
                "reason": reason,
                "subject": subject,
            }
        )
        if after is not UNSET:
            field_dict["after"] = after
        if before is not UNSET:
            field_dict["before"] = before
        if request_id is not UNSET:
            field_dict["request_id"] = request_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        actor = d.pop("actor")

        at = d.pop("at")

        id = d.pop("id")

        reason = d.pop("reason")

        subject = d.pop("subject")

        after = d.pop("after", UNSET)

        before = d.pop("before", UNSET)

        def _parse_request_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        request_id = _parse_request_id(d.pop("request_id", UNSET))

        audit_entry_body = cls(
            action=action,
            actor=actor,
            at=at,
            id=id,
            reason=reason,
            subject=subject,
            after=after,
            before=before,
            request_id=request_id,
        )

        audit_entry_body.additional_properties = d
        return audit_entry_body

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
