from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="MyDocumentBody")


@_attrs_define
class MyDocumentBody:
    """A document to download.

    Attributes:
        gross (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        id (str): Its id.
        issued_at (datetime.datetime): When issued.
        kind (str): `invoice`, `receipt` or `credit_note`.
        number (str): Its number.
        pdf_url (str): Where to download it (this API, with the same token).
    """

    gross: MoneyBody
    id: str
    issued_at: datetime.datetime
    kind: str
    number: str
    pdf_url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gross = self.gross.to_dict()

        id = self.id

        issued_at = self.issued_at.isoformat()

        kind = self.kind

        number = self.number

        pdf_url = self.pdf_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gross": gross,
                "id": id,
                "issued_at": issued_at,
                "kind": kind,
                "number": number,
                "pdf_url": pdf_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        gross = MoneyBody.from_dict(d.pop("gross"))

        id = d.pop("id")

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        kind = d.pop("kind")

        number = d.pop("number")

        pdf_url = d.pop("pdf_url")

        my_document_body = cls(
            gross=gross,
            id=id,
            issued_at=issued_at,
            kind=kind,
            number=number,
            pdf_url=pdf_url,
        )

        my_document_body.additional_properties = d
        return my_document_body

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
