from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AskQuestionBody")


@_attrs_define
class AskQuestionBody:
    """A question to ask.

    Attributes:
        message (str): The message (1-5000 characters).
        subject (str): The subject line (1-150 characters).
        invoice_id (None | Unset | UUID): One of your invoices, receipts or credit notes it is about, if any (not with
            `purchase_id`).
        purchase_id (None | Unset | UUID): One of your purchases it is about, if any.
    """

    message: str
    subject: str
    invoice_id: None | Unset | UUID = UNSET
    purchase_id: None | Unset | UUID = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        subject = self.subject

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "subject": subject,
            }
        )
        if invoice_id is not UNSET:
            field_dict["invoice_id"] = invoice_id
        if purchase_id is not UNSET:
            field_dict["purchase_id"] = purchase_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message")

        subject = d.pop("subject")

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

        ask_question_body = cls(
            message=message,
            subject=subject,
            invoice_id=invoice_id,
            purchase_id=purchase_id,
        )

        ask_question_body.additional_properties = d
        return ask_question_body

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
