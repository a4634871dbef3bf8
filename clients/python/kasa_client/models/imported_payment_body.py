from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.import_method_body import ImportMethodBody
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="ImportedPaymentBody")


@_attrs_define
class ImportedPaymentBody:
    """A payment received elsewhere, as recorded.

    Attributes:
        amount (MoneyBody): An amount of money. Example: {'amount': '149.90', 'currency': 'TRY'}.
        method (ImportMethodBody): How the money was paid.
        payment_id (str): The payment it settled.
        received_at (datetime.datetime): When the money was received (RFC 3339).
        recorded_at (datetime.datetime): When it was recorded in Kasa (RFC 3339).
        reference (str): Its reference.
        note (None | str | Unset): The note kept with it.
    """

    amount: MoneyBody
    method: ImportMethodBody
    payment_id: str
    received_at: datetime.datetime
    recorded_at: datetime.datetime
    reference: str
    note: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount.to_dict()

        method = self.method.value

        payment_id = self.payment_id

        received_at = self.received_at.isoformat()

        recorded_at = self.recorded_at.isoformat()

        reference = self.reference

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "method": method,
                "payment_id": payment_id,
                "received_at": received_at,
                "recorded_at": recorded_at,
                "reference": reference,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_body import MoneyBody  # noqa: PLC0415

        d = dict(src_dict)
        amount = MoneyBody.from_dict(d.pop("amount"))

        method = ImportMethodBody(d.pop("method"))

        payment_id = d.pop("payment_id")

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        recorded_at = datetime.datetime.fromisoformat(d.pop("recorded_at"))

        reference = d.pop("reference")

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        imported_payment_body = cls(
            amount=amount,
            method=method,
            payment_id=payment_id,
            received_at=received_at,
            recorded_at=recorded_at,
            reference=reference,
            note=note,
        )

        imported_payment_body.additional_properties = d
        return imported_payment_body

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
