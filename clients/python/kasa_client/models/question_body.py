from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ticket_state_body import TicketStateBody
from ..types import UNSET, Unset

T = TypeVar("T", bound="QuestionBody")


@_attrs_define
class QuestionBody:
    """A question asked.

    Attributes:
        asked_at (datetime.datetime): When it was asked (RFC 3339).
        emailed (bool): Whether it was e-mailed to the support address.
        id (str): Its id.
        message (str): The message.
        subject (str): The subject line.
        ticket_state (TicketStateBody): Where a question's help-desk ticket stands.
        invoice_id (None | Unset | UUID): The document it is about, if any.
        purchase_id (None | Unset | UUID): The purchase it is about, if any.
        ticket (None | str | Unset): The help desk's ticket id, once open.
    """

    asked_at: datetime.datetime
    emailed: bool
    id: str
    message: str
    subject: str
    ticket_state: TicketStateBody
    invoice_id: None | Unset | UUID = UNSET
    purchase_id: None | Unset | UUID = UNSET
    ticket: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asked_at = self.asked_at.isoformat()

        emailed = self.emailed

        id = self.id

        message = self.message

        subject = self.subject

        ticket_state = self.ticket_state.value

        invoice_id: None | str | Unset
        if isinstance(self.invoice_id, Unset):
            invoice_id = UNSET
        elif isinstance(self.invoice_id, UUID):
            invoice_id = str(self.invoice_id)
        else:
            invoice_id = self.invoice_id

        purchase_id: None | str | Unset
        if isinstance(self.purchase_id, Unset):
            purchase_id = UNSET
        elif isinstance(self.purchase_id, UUID):
            purchase_id = str(self.purchase_id)
        else:
            purchase_id = self.purchase_id

        ticket: None | str | Unset
        if isinstance(self.ticket, Unset):
            ticket = UNSET
        else:
            ticket = self.ticket

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "asked_at": asked_at,
                "emailed": emailed,
                "id": id,
                "message": message,
                "subject": subject,
                "ticket_state": ticket_state,
            }
        )
        if invoice_id is not UNSET:
            field_dict["invoice_id"] = invoice_id
        if purchase_id is not UNSET:
            field_dict["purchase_id"] = purchase_id
        if ticket is not UNSET:
            field_dict["ticket"] = ticket

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        asked_at = datetime.datetime.fromisoformat(d.pop("asked_at"))

        emailed = d.pop("emailed")

        id = d.pop("id")

        message = d.pop("message")

        subject = d.pop("subject")

        ticket_state = TicketStateBody(d.pop("ticket_state"))

        def _parse_invoice_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                invoice_id_type_0 = UUID(data)

                return invoice_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        invoice_id = _parse_invoice_id(d.pop("invoice_id", UNSET))

        def _parse_purchase_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                purchase_id_type_0 = UUID(data)

                return purchase_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        purchase_id = _parse_purchase_id(d.pop("purchase_id", UNSET))

        def _parse_ticket(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ticket = _parse_ticket(d.pop("ticket", UNSET))

        question_body = cls(
            asked_at=asked_at,
            emailed=emailed,
            id=id,
            message=message,
            subject=subject,
            ticket_state=ticket_state,
            invoice_id=invoice_id,
            purchase_id=purchase_id,
            ticket=ticket,
        )

        question_body.additional_properties = d
        return question_body

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
