from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="HelpDeskCallBody")


@_attrs_define
class HelpDeskCallBody:
    """A call queued for a help desk.

    Attributes:
        abandoned (bool): Refused for good; waits for a retry by hand.
        attempts (int): Attempts so far.
        id (str): Its id.
        integration (str): The integration it goes through.
        key (str): Its idempotency key.
        queued_at (datetime.datetime): When queued.
        tags (list[str]): The tags added.
        ticket (str): The help desk's ticket or conversation id.
        done_at (datetime.datetime | None | Unset): When it was done.
        last_error (None | str | Unset): The last failure, if any.
        next_attempt_at (datetime.datetime | None | Unset): Not tried again before this time (none: due now).
        note (None | str | Unset): The internal note, if any.
        note_posted_at (datetime.datetime | None | Unset): When its note reached the ticket.
    """

    abandoned: bool
    attempts: int
    id: str
    integration: str
    key: str
    queued_at: datetime.datetime
    tags: list[str]
    ticket: str
    done_at: datetime.datetime | None | Unset = UNSET
    last_error: None | str | Unset = UNSET
    next_attempt_at: datetime.datetime | None | Unset = UNSET
    note: None | str | Unset = UNSET
    note_posted_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        abandoned = self.abandoned

        attempts = self.attempts

        id = self.id

        integration = self.integration

        key = self.key

        queued_at = self.queued_at.isoformat()

        tags = self.tags

        ticket = self.ticket

        done_at: None | str | Unset
        if isinstance(self.done_at, Unset):
            done_at = UNSET
        elif isinstance(self.done_at, datetime.datetime):
            done_at = self.done_at.isoformat()
        else:
            done_at = self.done_at

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        next_attempt_at: None | str | Unset
        if isinstance(self.next_attempt_at, Unset):
            next_attempt_at = UNSET
        elif isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        note_posted_at: None | str | Unset
        if isinstance(self.note_posted_at, Unset):
            note_posted_at = UNSET
        elif isinstance(self.note_posted_at, datetime.datetime):
            note_posted_at = self.note_posted_at.isoformat()
        else:
            note_posted_at = self.note_posted_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "abandoned": abandoned,
                "attempts": attempts,
                "id": id,
                "integration": integration,
                "key": key,
                "queued_at": queued_at,
                "tags": tags,
                "ticket": ticket,
            }
        )
        if done_at is not UNSET:
            field_dict["done_at"] = done_at
        if last_error is not UNSET:
            field_dict["last_error"] = last_error
        if next_attempt_at is not UNSET:
            field_dict["next_attempt_at"] = next_attempt_at
        if note is not UNSET:
            field_dict["note"] = note
        if note_posted_at is not UNSET:
            field_dict["note_posted_at"] = note_posted_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        abandoned = d.pop("abandoned")

        attempts = d.pop("attempts")

        id = d.pop("id")

        integration = d.pop("integration")

        key = d.pop("key")

        queued_at = datetime.datetime.fromisoformat(d.pop("queued_at"))

        tags = cast(list[str], d.pop("tags"))

        ticket = d.pop("ticket")

        def _parse_done_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                done_at_type_0 = datetime.datetime.fromisoformat(data)

                return done_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        done_at = _parse_done_at(d.pop("done_at", UNSET))

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at", UNSET))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        def _parse_note_posted_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                note_posted_at_type_0 = datetime.datetime.fromisoformat(data)

                return note_posted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        note_posted_at = _parse_note_posted_at(d.pop("note_posted_at", UNSET))

        help_desk_call_body = cls(
            abandoned=abandoned,
            attempts=attempts,
            id=id,
            integration=integration,
            key=key,
            queued_at=queued_at,
            tags=tags,
            ticket=ticket,
            done_at=done_at,
            last_error=last_error,
            next_attempt_at=next_attempt_at,
            note=note,
            note_posted_at=note_posted_at,
        )

        help_desk_call_body.additional_properties = d
        return help_desk_call_body

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
