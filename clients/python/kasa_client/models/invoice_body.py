from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="InvoiceBody")


@_attrs_define
class InvoiceBody:
    """An invoice, receipt or credit note as issued.

    Attributes:
        document (Any): Seller, buyer, lines and payment, frozen at issue.
        gross (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        id (str): Its id.
        issued_at (datetime.datetime): When issued.
        kind (str): `invoice`, `receipt` or `credit_note`.
        net (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        number (str): Its number, e.g. `KSA-2026-000001`.
        purchase_id (UUID): The purchase it bills.
        tax (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        refers_to (None | str | Unset): The invoice a credit note corrects.
    """

    document: Any
    gross: MoneyBody
    id: str
    issued_at: datetime.datetime
    kind: str
    net: MoneyBody
    number: str
    purchase_id: UUID
    tax: MoneyBody
    refers_to: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        document = self.document

        gross = self.gross.to_dict()

        id = self.id

        issued_at = self.issued_at.isoformat()

        kind = self.kind

        net = self.net.to_dict()

        number = self.number

        purchase_id = str(self.purchase_id)

        tax = self.tax.to_dict()

        refers_to: None | str | Unset
        if isinstance(self.refers_to, Unset):
            refers_to = UNSET
        else:
            refers_to = self.refers_to

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "document": document,
                "gross": gross,
                "id": id,
                "issued_at": issued_at,
                "kind": kind,
                "net": net,
                "number": number,
                "purchase_id": purchase_id,
                "tax": tax,
            }
        )
        if refers_to is not UNSET:
            field_dict["refers_to"] = refers_to

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        document = d.pop("document")

        gross = MoneyBody.from_dict(d.pop("gross"))

        id = d.pop("id")

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        kind = d.pop("kind")

        net = MoneyBody.from_dict(d.pop("net"))

        number = d.pop("number")

        purchase_id = UUID(d.pop("purchase_id"))

        tax = MoneyBody.from_dict(d.pop("tax"))

        def _parse_refers_to(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refers_to = _parse_refers_to(d.pop("refers_to", UNSET))

        invoice_body = cls(
            document=document,
            gross=gross,
            id=id,
            issued_at=issued_at,
            kind=kind,
            net=net,
            number=number,
            purchase_id=purchase_id,
            tax=tax,
            refers_to=refers_to,
        )

        invoice_body.additional_properties = d
        return invoice_body

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
