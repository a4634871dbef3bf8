from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookAttemptBody")


@_attrs_define
class WebhookAttemptBody:
    """One attempt and the endpoint's answer.

    Attributes:
        answer (str): The start of the answer's body, or why there was none.
        attempted_at (datetime.datetime): When (RFC 3339).
        duration_ms (int): How long it took.
        status (int | None | Unset): The HTTP status, when the endpoint answered.
    """

    answer: str
    attempted_at: datetime.datetime
    duration_ms: int
    status: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        answer = self.answer

        attempted_at = self.attempted_at.isoformat()

        duration_ms = self.duration_ms

        status: int | None | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "answer": answer,
                "attempted_at": attempted_at,
                "duration_ms": duration_ms,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        answer = d.pop("answer")

        attempted_at = datetime.datetime.fromisoformat(d.pop("attempted_at"))

        duration_ms = d.pop("duration_ms")

        def _parse_status(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        webhook_attempt_body = cls(
            answer=answer,
            attempted_at=attempted_at,
            duration_ms=duration_ms,
            status=status,
        )

        webhook_attempt_body.additional_properties = d
        return webhook_attempt_body

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
